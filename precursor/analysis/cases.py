"""Adjudication conformance cases: small games as data, with expectations on events and state.

In the spirit of the Diplomacy Adjudicator Test Cases, each case names the rule it checks and the
source document behind it, plays a scenario from a seed with scripted commands, and states what must
be true after a given turn. Facilitators can write their own and run them with
``precursor check-cases DIR``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from precursor.analysis.runner import Outcome, play
from precursor.game.commands import CommandError
from precursor.game.engine import Game
from precursor.game.expr import ExprError, compile_expr
from precursor.game.loader import RulebookError, read_yaml, validate
from precursor.game.rulebook import Rulebook


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Expect(_M):
    """One expectation. Exactly one of ``expr``, ``event``, ``error`` or ``suggests`` is given."""

    expr: str | None = Field(default=None, description="a bool expression over the true state")
    event: dict[str, Any] | None = Field(default=None, description="fields an event must have (subset match)")
    count: int | None = Field(
        default=None, description="with 'event': exactly this many matches (0 = absent)"
    )
    this_turn: bool = Field(default=True, description="with 'event': only events of the checked turn")
    error: str | None = Field(default=None, description="a command of this turn was refused with this code")
    message: str | None = Field(
        default=None, description="with 'error': words the refusal's message holds (what the player reads)"
    )
    suggests: str | None = Field(
        default=None,
        description="an inject template the white cell suggests at the end of the turn "
        "(with 'count: 0': one it must not suggest; with 'rank': its place, 1 = first)",
    )
    rank: int | None = Field(default=None, ge=1, description="with 'suggests': its place in the ranking")
    note: str = ""


class CaseTurn(_M):
    turn: int
    commands: list[dict[str, Any]] = Field(default_factory=list)
    expect: list[Expect] = Field(default_factory=list)


class Case(_M):
    id: str
    rule: str = Field(description="the rule or lever the case checks")
    covers: list[str] = Field(
        default_factory=list, description="further rule and lever ids this case exercises"
    )
    family: str = ""
    description: str
    sources: list[str] = Field(default_factory=list)
    ext: dict[str, str] | None = None
    scenario: str
    seed: int = 1
    seats: dict[str, list[str]] | None = None
    start: dict[str, float | bool] = Field(default_factory=dict, description="state overrides before turn 1")
    turns: list[CaseTurn]
    play_to_end: bool = False
    final: list[Expect] = Field(default_factory=list)


class CasesFile(_M):
    cases: list[Case] = Field(default_factory=list)


@dataclass
class CaseResult:
    file: str
    case: str
    rule: str
    passed: bool
    failures: list[str] = field(default_factory=list)


def _matches(ev: dict[str, Any], want: dict[str, Any]) -> bool:
    for k, v in want.items():
        got = ev.get(k)
        if isinstance(v, dict) and isinstance(got, dict):
            if not _matches(got, v):
                return False
        elif k == "changes_keys":
            if not set(v) <= set(ev.get("changes", {})):
                return False
        elif got != v:
            return False
    return True


def _check(game: Game, turn: int, ex: Expect, errors: list[Outcome]) -> str | None:
    if ex.expr is not None:
        try:
            fn = compile_expr(ex.expr, game.sc.symbols, "bool")
        except ExprError as exc:
            return f"bad expression {ex.expr!r}: {exc}"
        if not fn(game.state.env):
            shown = {n: game.state.env.get(n) for n in sorted(fn.names)}
            return f"turn {turn}: expected {ex.expr} but {shown}"
        return None
    if ex.event is not None:
        evs = [e for e in game.log if (not ex.this_turn or e.get("turn") == turn) and _matches(e, ex.event)]
        if ex.count is not None and len(evs) != ex.count:
            return f"turn {turn}: expected {ex.count} event(s) like {ex.event}, found {len(evs)}"
        if ex.count is None and not evs:
            return f"turn {turn}: no event like {ex.event}"
        return None
    if ex.error is not None:
        if not any(o.turn == turn and o.code == ex.error for o in errors):
            got = [o.code for o in errors if o.turn == turn]
            return f"turn {turn}: expected a command refused with '{ex.error}', refusals were {got}"
        said = [o.message for o in errors if o.turn == turn and o.code == ex.error]
        if ex.message is not None and not any(ex.message in m for m in said):
            return f"turn {turn}: expected a '{ex.error}' refusal saying {ex.message!r}, they said {said}"
        return None
    if ex.suggests is not None:
        return _check_suggestion(game, turn, ex)
    return "an expectation needs 'expr', 'event', 'error' or 'suggests'"


def _check_suggestion(game: Game, turn: int, ex: Expect) -> str | None:
    from precursor.game.white_cell.suggest import suggest

    ranked = [s.template for s in suggest(game.rb, game.state.env, game.log, game.state.turn)]
    want = ex.suggests
    if ex.count == 0:
        if want in ranked:
            return f"turn {turn}: '{want}' suggested, though it should not be: {ranked}"
        return None
    if want not in ranked:
        return f"turn {turn}: expected the white cell to suggest '{want}', it suggested {ranked}"
    if ex.rank is not None and ranked.index(want) + 1 != ex.rank:
        return f"turn {turn}: expected '{want}' ranked {ex.rank}, it is {ranked.index(want) + 1} of {ranked}"
    return None


def run_case(rb: Rulebook, case: Case, file: str = "") -> CaseResult:
    failures: list[str] = []
    if case.scenario not in rb.scenarios:
        return CaseResult(file, case.id, case.rule, False, [f"unknown scenario '{case.scenario}'"])
    script: dict[str, Any] = {"turns": [{"turn": t.turn, "commands": t.commands} for t in case.turns]}
    if case.seats:
        script["seats"] = case.seats
    by_turn = {t.turn: t for t in case.turns}
    last = max(by_turn) if by_turn else 1
    turns = rb.scenarios[case.scenario].model.turns
    if last > turns:
        # the game ends before that turn: its commands would never run and its expectations never be read
        return CaseResult(
            file, case.id, case.rule, False, [f"turn {last} is past {case.scenario}'s last turn ({turns})"]
        )
    errors_seen: list[Outcome] = []

    def on_turn(game: Game, turn: int) -> None:
        t = by_turn.get(turn)
        if t is None:
            return
        for ex in t.expect:
            msg = _check(game, turn, ex, errors_seen)
            if msg:
                failures.append(msg)

    try:
        game, errors = play(
            rb,
            case.scenario,
            case.seed,
            script,
            until_turn=None if case.play_to_end else last,
            on_turn=on_turn,
            start=case.start or None,
            errors=errors_seen,
        )
    except CommandError as exc:
        return CaseResult(file, case.id, case.rule, False, [exc.message])
    expected_errors = {(t.turn, ex.error) for t in case.turns for ex in t.expect if ex.error is not None}
    for o in errors:
        if (o.turn, o.code) not in expected_errors:
            failures.append(f"turn {o.turn}: command refused unexpectedly: {o.code}: {o.message}")
    for ex in case.final:
        msg = _check(game, game.state.turn, ex, errors)
        if msg:
            failures.append(msg)
    return CaseResult(file, case.id, case.rule, not failures, failures)


def load_cases(path: Path) -> tuple[list[tuple[str, Case]], list[str]]:
    files = sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
    out: list[tuple[str, Case]] = []
    problems: list[str] = []
    for f in files:
        try:
            doc = read_yaml(f)
            cf = validate(doc, CasesFile)
        except RulebookError as exc:
            problems.extend(str(p) for p in exc.problems)
            continue
        out.extend((str(f), c) for c in cf.cases)
    return out, problems


Verdict = Literal["passed", "failed"]
