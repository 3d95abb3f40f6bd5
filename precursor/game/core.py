"""The game's core: its rulebook, scenario, state and log, and the toolkit every step of play uses.

``GameCore.emit`` is the one way to change state: it folds each event into the state as it is made
(see :mod:`precursor.game.state`). The rest is the toolkit the adjudication steps, negotiation and
scoring apply effects with (``new_value``, ``param``, ``effect``, ``run_effects``, ``roll``, ...).
It sits below the engine, so those modules depend on it and never on the engine that drives them:
:class:`precursor.game.engine.Game` adds command validation and handling on top.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from precursor.game.commands import Actor, CommandError
from precursor.game.decimals import round4
from precursor.game.rng import roll
from precursor.game.rulebook import CEffect, CLever, CScenario, Rulebook, precondition_words
from precursor.game.state import Event, GameState, apply


def _finite(v: Any) -> bool:
    """A number a parameter may hold: not NaN nor infinite, nor an int too large for a float.

    ``v`` stays ``Any``: narrowed to ``int | float``, the compiled build (setup.py) would take it for a
    float and refuse a huge int instead of answering False."""
    return bool(abs(v) <= 1e15) and math.isfinite(float(v))


def normalise_params(lever: CLever, given: dict[str, Any]) -> dict[str, Any]:
    """An order's parameters checked against the lever's and filled with defaults; needs no game, so a
    client checks a form with the very code that will judge it."""
    for k in given:
        if k not in lever.params:
            raise CommandError("bad_params", f"{lever.code} has no parameter '{k}'")
    out: dict[str, Any] = {}
    for pid, p in lever.params.items():
        v = given.get(pid, p.default)
        if p.type == "choice":
            if not isinstance(v, str) or v not in p.choices:
                raise CommandError("bad_params", f"{lever.code}.{pid} must be one of {', '.join(p.choices)}")
        elif p.type == "bool":
            if not isinstance(v, bool):
                raise CommandError("bad_params", f"{lever.code}.{pid} must be true or false")
        else:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise CommandError("bad_params", f"{lever.code}.{pid} must be a number")
            if not _finite(v):
                raise CommandError("bad_params", f"{lever.code}.{pid} must be a finite number")
            if p.type == "int" and float(v) != int(v):
                raise CommandError("bad_params", f"{lever.code}.{pid} must be a whole number")
            if (p.min is not None and v < p.min) or (p.max is not None and v > p.max):
                raise CommandError("bad_params", _out_of_range(lever, pid, v))
            v = int(v) if p.type == "int" else float(v)
        out[pid] = v
    return out


def _out_of_range(lever: CLever, pid: str, v: Any) -> str:
    """A number a lever's parameter cannot take, said with the lever and what the parameter sets: a
    student read "CN-KYC.precursors = 25 is outside its range [1, 20]", a key where a label exists."""
    p = lever.params[pid]
    label = p.description.strip() or pid.replace("_", " ")
    if p.min is not None and p.max is not None:
        allowed = f"must be from {p.min:g} to {p.max:g}"
    else:
        allowed = f"must be at least {p.min:g}" if p.min is not None else f"must be at most {p.max:g}"
    return f"{lever.code}: {label} {allowed}, not {v:g}"


def rnd(x: float) -> float:
    """Values are stored to 4 decimals: readable logs, and no float noise between platforms."""
    return round4(x + 0.0)


# keys that only count agreements: signing a deal changes them, but no dashboard value
_TALLIES = ("agreements.", "reneged.")
_BUMPS = frozenset({"month", "turn_end", "game_created", "inject"})
_HISTORY_MOVES = frozenset({"month", "game_created"})
_NO_CHANGES: dict[str, Any] = {}  # a bump that set no indicator (a new turn's clock, an inject's flag)


class GameCore:
    """One game's rulebook, scenario, state and log, with the toolkit that changes them."""

    def __init__(self, rulebook: Rulebook, scenario_id: str) -> None:
        if scenario_id not in rulebook.scenarios:
            raise CommandError("unknown_scenario", f"unknown scenario '{scenario_id}'")
        self.rb = rulebook
        self.sc: CScenario = rulebook.scenarios[scenario_id]
        self.state = GameState()
        # every event, oldest first, unless the host forgets the oldest (the server's room keeps a
        # window, its store holding the rest): play reads back only the events of the command under
        # way, and anything else wanted from the whole log is kept as a running count (below)
        self.log: list[Event] = []
        self.custom_injects = 0  # facilitator-written injects so far: numbers the next one's id
        self._seat_of_holder: dict[str, str] = {}
        self._head_seat: dict[str, str] = {}
        self._seat_limit: dict[str, int] = {}
        # bumped by emit whenever a value a view shows may have moved: what derived caches are keyed by
        self.env_version = 0
        # what each bump changed, for caches that catch up key by key: entry v - 1 holds the keys the
        # event that made version v set (its ``changes``), or None when the monthly history moved (a
        # ``month`` event, the game's creation) and any value read from it may have changed with it
        self.env_changes: list[dict[str, Any] | None] = []
        self._tally_keys: frozenset[str] = frozenset()
        # derived, never state: the views' caches for this game (a views.ViewCache, filled by views on
        # first use); opaque here, so that only views knows its structure
        self.view_cache: object = None

    # ------------------------------------------------------------------ the one way to change state

    def emit(self, ev: Event) -> Event:
        apply(self.state, ev)
        ev["seq"] = self.state.seq
        self.log.append(ev)
        t = ev["type"]
        changes = ev.get("changes")
        if (
            t in _BUMPS
            or (t == "phase" and ev["phase"] == "briefing")
            or (changes and not changes.keys() <= self._tally_keys)
        ):
            self.env_version += 1  # values a view shows may have moved: cached dashboards are stale
            self.env_changes.append(None if t in _HISTORY_MOVES else (changes or _NO_CHANGES))
        if t == "inject" and str(ev["id"]).startswith("custom."):
            self.custom_injects += 1
        if t == "game_created":
            self._index_seats()
            # agreement and reneging tallies do not move any value a view shows (a set test, in C)
            self._tally_keys = frozenset(k for k in self.state.env if k.startswith(_TALLIES))
        return ev

    def _index_seats(self) -> None:
        sc = self.sc.model
        self._seat_of_holder.clear()
        for team, tseats in sc.seats.items():
            in_play = set(self.state.seats[team])
            by_id = {s.id: s for s in tseats}
            self._head_seat[team] = tseats[0].id
            merged_count: dict[str, int] = {s: 0 for s in in_play}
            for s in tseats:
                target = s.id
                guard = 0
                while target not in in_play and guard < 8:
                    nxt = by_id[target].merge_into
                    target = nxt if nxt is not None else tseats[0].id
                    guard += 1
                if s.id != target:
                    merged_count[target] += 1
                for h in s.holds:
                    self._seat_of_holder[h] = target
            for sid in in_play:
                if len(in_play) == 1:  # a lone player seat plays the whole team
                    self._seat_limit[f"{team}/{sid}"] = sc.order_limit
                    continue
                base = sc.order_limit_head_seat if sid == tseats[0].id else sc.order_limit_per_seat
                self._seat_limit[f"{team}/{sid}"] = min(
                    sc.order_limit, base + sc.order_limit_per_seat * merged_count[sid]
                )

    def player_seat_of_lever(self, lever: CLever) -> str:
        return self._seat_of_holder[lever.seat]

    def head_seat(self, team: str) -> str:
        return self._head_seat[team]

    def seat_limit(self, team: str, seat: str) -> int:
        return self._seat_limit.get(f"{team}/{seat}", 0)

    # ------------------------------------------------------------------ the effect toolkit

    def roll(self, label: str) -> float:
        return roll(self.state.seed, f"{self.state.turn}:{self.state.month_index}:{label}")

    def new_value(self, target: str, op: str, value: Any, pending: dict[str, Any]) -> Any:
        is_bool, lo, hi = self.rb.bounds[target]
        if is_bool:
            return bool(value)
        v = float(value)
        if op == "set":
            new = v
        else:
            old = pending[target] if target in pending else self.state.env[target]
            if op == "add":
                new = old + v
            elif op == "mul":
                new = old * v
            elif op == "min":
                new = old if old < v else v
            else:
                new = old if old > v else v
        if new < lo:
            new = lo
        elif new > hi:
            new = hi
        return round4(new + 0.0)

    def run_effects(
        self,
        effects: list[CEffect],
        ctx: dict[str, Any],
        pending: dict[str, Any],
        label: str,
        public: bool | None = None,
        scale: float = 1.0,
        inputs: list[dict[str, Any]] | None = None,
        schedule: list[dict[str, Any]] | None = None,
        source: str = "",
    ) -> None:
        """Evaluate effects now; lagged ones go to ``schedule`` with their value fixed at order time."""
        for i, ce in enumerate(effects):
            if public is not None and ce.visibility != "any" and (ce.visibility == "public") != public:
                continue
            if ce.when is not None and not ce.when.fn(ctx):
                continue
            if ce.chance is not None:
                p = float(ce.chance.fn(ctx))
                r = self.roll(f"{label}:{ce.roll if ce.roll is not None else i}")
                if inputs is not None:
                    inputs.append({"effect": ce.target, "p": round(p, 4), "roll": round(r, 4), "hit": r < p})
                if r >= p:
                    continue
            value = ce.value.fn(ctx)
            if scale != 1.0 and ce.op in ("add",) and not isinstance(value, bool):
                value = value * scale
            elif scale != 1.0 and ce.op == "mul" and not isinstance(value, bool):
                value = 1 + (value - 1) * scale
            if ce.lag > 0 and schedule is not None:
                schedule.append(
                    {
                        "id": f"{label}:{i}@{self.state.month_index}",
                        "due": self.state.month_index + ce.lag,
                        "target": ce.target,
                        "op": ce.op,
                        "value": value if isinstance(value, bool) else rnd(float(value)),
                        "source": source,
                        "reason": ce.reason,
                    }
                )
                continue
            pending[ce.target] = self.new_value(ce.target, ce.op, value, pending)

    def changes_of(self, pending: dict[str, Any]) -> dict[str, Any]:
        env = self.state.env
        return {k: v for k, v in pending.items() if env.get(k) != v}

    def effect(
        self,
        rule_id: str,
        reason: str,
        pending: dict[str, Any],
        sources: Iterable[str] = (),
        inputs: Any = None,
        vis: Any = "all",
        **extra: Any,
    ) -> Event | None:
        env = self.state.env
        changes: dict[str, Any] = {}
        before: dict[str, Any] = {}
        for k, v in pending.items():
            old = env.get(k)
            if old != v:
                changes[k] = v
                before[k] = old
        if not changes and not extra.get("always"):
            return None
        extra.pop("always", None)
        ev: Event = {
            "type": "effect",
            "turn": self.state.turn,
            "rule": rule_id,
            "reason": reason,
            "changes": changes,
            "before": before,
            "sources": list(sources),
            "vis": vis,
        }
        if inputs:
            ev["inputs"] = inputs
        ev.update(extra)
        return self.emit(ev)

    def rule_sources(self, rule_id: str) -> list[str]:
        r = self.rb.mechanisms.get(rule_id)
        return list(r.sources) if r is not None else []

    def param(self, rule_id: str, name: str, default: float) -> float:
        r = self.rb.mechanisms.get(rule_id)
        if r is None or name not in r.params:
            return default
        return float(r.params[name].fn(self.state.env))

    def player(self, actor: Actor) -> tuple[str, str]:
        """The (team, seat) a player command speaks for; bots and the system act for a named seat."""
        if actor.team is None:
            raise CommandError("forbidden", "this command needs a team seat")
        team = actor.team
        seat = actor.seat or self._head_seat[team]
        if seat not in self.state.seats[team]:
            raise CommandError("bad_seat", f"seat '{seat}' is not in play for team {team}")
        return team, seat

    def default_order_status(self, lever: CLever) -> tuple[float | None, str]:
        """Whether the lever could be ordered now with its default parameters: (cost, "") or (None, why).

        The same checks as ``validate_order`` (defaults are valid by construction: checked at load), without
        building an order or raising, because every orders screen asks it for every lever of a team.
        """
        if lever.once and self.state.env[f"count.{lever.id}"] > 0:
            return None, f"{lever.code} can be played once per game and already was"
        params = {k: p.default for k, p in lever.params.items()}
        ctx = self.lever_ctx(lever, params, lever.visibility != "private")
        try:
            for i, (cond, _) in enumerate(lever.preconditions):
                if not cond.fn(ctx):
                    return None, f"{lever.code}: {precondition_words(lever, i, ctx)}"
            free = lever.id in self.state.free_levers
            cost = 0.0 if free else max(0.0, float(lever.cost.fn(ctx)))
        finally:
            self.clear_ctx(ctx, params)
        return rnd(cost), ""

    def normalise_params(self, lever: CLever, given: dict[str, Any]) -> dict[str, Any]:
        return normalise_params(lever, given)

    def lever_ctx(self, lever: CLever, params: dict[str, Any], public: bool) -> dict[str, Any]:
        """Evaluation context for a lever: the state plus ``param.*`` and ``act.public``.

        The extra keys are added to the live environment and removed by ``clear_ctx``: copying the
        whole environment for every order would cost more than the order itself.
        """
        env = self.state.env
        for k, v in params.items():
            env[f"param.{k}"] = v
        env["act.public"] = public
        env["act.military"] = lever.military
        return env

    def clear_ctx(self, ctx: dict[str, Any], params: dict[str, Any]) -> None:
        for k in params:
            ctx.pop(f"param.{k}", None)
        ctx.pop("act.public", None)
        ctx.pop("act.military", None)
