"""Headless play: drive a game through its phases from a script of commands per turn.

A script is YAML or JSON::

    seats: {us: [president, congress]}      # optional: player seats in play (others merge)
    turns:
      - turn: 1
        commands:
          - {team: us, type: propose, parties: [us, mx], clauses: [...]}
          - {team: mx, type: respond, proposal: T1-US-1, action: accept}
          - {team: us, type: submit_orders, orders: [{lever: us_arms}]}

Non-order commands run in the negotiation phase in the order given; ``submit_orders`` commands, and
the white cell's free actions, counter-arguments and rulings, run in the orders phase. Seats without
commands pass. Used by ``precursor run``, the conformance cases and the benchmarks.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from precursor.game.commands import Actor, Advance, Command, CommandEnvelope, CommandError
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook

# the commands a script gives in the orders phase; every other one runs in the negotiation phase
ORDERS_PHASE = frozenset(
    {"submit_orders", "refuse_order", "free_action", "counter_argument", "rule_free_action"}
)
# built without validating: a deferred model's first validation builds its validator (and loads
# pydantic's schema machinery), which a batch of bot games would otherwise pay at import
SYSTEM = Actor.model_construct(role="system")


@dataclass
class Outcome:
    """A command the runner could not carry out, with where it was in the script."""

    turn: int
    index: int
    code: str
    message: str
    command: dict[str, Any] = field(default_factory=dict)


@functools.cache
def _command_adapter() -> TypeAdapter[Command]:
    """The validator of a script's commands, built when a script is first read: building it costs
    a bot batch's start-up tens of milliseconds for a validator it never uses."""
    return TypeAdapter(Command)


def parse_command(raw: dict[str, Any]) -> CommandEnvelope:
    data = dict(raw)
    actor = Actor(
        role=data.pop("role", "player"),
        team=data.pop("team", None),
        seat=data.pop("seat", None),
        name=data.pop("name", ""),
    )
    data.pop("expect_error", None)
    try:
        cmd = _command_adapter().validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise CommandError("bad_command", f"{loc}: {first['msg']}") from None
    return CommandEnvelope(actor=actor, command=cmd)


def load_script(path: Path) -> dict[str, Any]:
    import yaml  # here, not at the top: a batch of bot games reads no script

    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a script is a mapping with 'turns'")
    return data


def _by_turn(script: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for i, t in enumerate(script.get("turns", []) or []):
        n = int(t.get("turn", i + 1))
        out.setdefault(n, []).extend(t.get("commands", []) or [])
    return out


def play(
    rb: Rulebook,
    scenario: str,
    seed: int,
    script: dict[str, Any] | None = None,
    *,
    until_turn: int | None = None,
    on_turn: Callable[[Game, int], None] | None = None,
    bots: Callable[[Game, str], Iterable[CommandEnvelope]] | None = None,
    start: dict[str, Any] | None = None,
    errors: list[Outcome] | None = None,
    game: Game | None = None,
) -> tuple[Game, list[Outcome]]:
    """Play a scenario headlessly; returns the game and the commands that were refused.

    ``start`` overrides state values before turn 1 (logged as an event, so replay still holds);
    ``errors``, if given, receives refusals as they happen, so per-turn checks can see them.
    ``game``, if given, is continued from the briefing it stands in (a fork) instead of a new game.

    The cyclic garbage collector is paused for the game: a game allocates thousands of event dicts that
    stay alive in its log and form no cycles, so the collector's passes over them free nothing and cost
    a few percent of a headless game (simulation runs thousands). It resumes when the game is done.
    """
    with collector_paused():
        script = script or {}
        if game is None:
            game = Game.new(rb, scenario, seed, seats_in_play=script.get("seats"))
        elif game.state.phase != "briefing":
            raise CommandError("wrong_phase", "a game is continued from a turn's briefing")
        if start:
            unknown = [k for k in start if k not in rb.indicators]
            if unknown:
                raise CommandError(
                    "unknown_indicator", f"unknown indicator '{unknown[0]}' in the starting overrides"
                )
            game.effect("setup.start", "the starting position is adjusted", dict(start), (), vis="all")
        turns = _by_turn(script)
        errors = [] if errors is None else errors
        last = game.state.turns if until_turn is None else min(until_turn, game.state.turns)

        def run(turn: int, phase_orders: bool) -> None:
            for i, raw in enumerate(turns.get(turn, [])):
                if isinstance(raw, CommandEnvelope):  # already parsed (benchmarks, bots)
                    is_order = raw.command.type in ORDERS_PHASE
                else:
                    is_order = raw.get("type") in ORDERS_PHASE
                if is_order != phase_orders:
                    continue
                try:
                    game.handle(raw if isinstance(raw, CommandEnvelope) else parse_command(raw))
                except CommandError as exc:
                    errors.append(
                        Outcome(turn, i, exc.code, exc.message, raw if isinstance(raw, dict) else {})
                    )
            if bots is not None:
                for env in bots(game, "orders" if phase_orders else "negotiation"):
                    try:
                        game.handle(env)
                    except CommandError as exc:
                        errors.append(Outcome(turn, -1, exc.code, exc.message, {"bot": True}))

        # constructed, not validated: validating an envelope builds the validator of every command type
        advance = CommandEnvelope.model_construct(actor=SYSTEM, command=Advance.model_construct())
        while True:
            turn = game.state.turn
            game.handle(advance)  # briefing -> negotiation
            run(turn, False)
            game.handle(advance)  # -> orders
            run(turn, True)
            game.handle(advance)  # adjudication -> results
            if on_turn is not None:
                on_turn(game, turn)
            if turn >= last:
                break
            game.handle(advance)  # -> next turn's briefing
        if until_turn is None or until_turn >= game.state.turns:
            game.handle(advance)  # epilogue, final score, game over
        return game, errors


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block, and back as the caller had it. A game leaves no
    cyclic garbage (a test checks it, with bots too), so the collections its allocations would trigger
    only walk live objects; the one that follows ``gc.enable()`` walks whatever is still alive then, so a
    batch pauses over several games and lets them go first (``simulate``)."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
