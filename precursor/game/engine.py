"""The game engine: turns commands into events, deterministically.

``Game.handle`` validates a command against the rulebook and the current state; if anything is
wrong it raises ``CommandError`` before a single event is made, so an illegal command changes
nothing. Otherwise it emits events through ``Game.emit``, which folds each one into the state as it
is made (see :mod:`precursor.game.state`). No wall clock, no global random, no I/O: the same rulebook,
scenario, seed and commands give the same events, byte for byte.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from precursor.game import adjudication, negotiation
from precursor.game.commands import (
    Actor,
    Advance,
    CommandEnvelope,
    CommandError,
    Note,
    OpenChannel,
    Order,
    Override,
    Propose,
    Ready,
    ReleaseInject,
    Respond,
    SendMessage,
    SubmitOrders,
)
from precursor.game.decimals import round4
from precursor.game.months import add_months
from precursor.game.rng import roll, uniform
from precursor.game.rulebook import CEffect, CLever, CScenario, Rulebook
from precursor.game.schema import TEAMS
from precursor.game.state import PHASES, Event, GameState, apply
from precursor.game.teams import PAIRS


def _finite(v: Any) -> bool:
    """A number a parameter may hold: not NaN nor infinite, nor an int too large for a float.

    ``v`` stays ``Any``: narrowed to ``int | float``, the compiled build (setup.py) would take it for a
    float and refuse a huge int instead of answering False."""
    return bool(abs(v) <= 1e15) and math.isfinite(float(v))


def rnd(x: float) -> float:
    """Values are stored to 4 decimals: readable logs, and no float noise between platforms."""
    return round4(x + 0.0)


# keys that only count agreements: signing a deal changes them, but no dashboard value
_TALLIES = ("agreements.", "reneged.")
_BUMPS = frozenset({"month", "turn_end", "game_created", "inject"})
_STATIC: dict[int, dict[str, Any]] = {}


def static_names(rb: Rulebook) -> dict[str, Any]:
    """Names every game starts with the same values (lever counters, windows, modules, tallies)."""
    static = _STATIC.get(rb.serial)
    if static is None:
        static = {}
        for lid in rb.levers:
            static[f"played.{lid}"] = False
            static[f"streak.{lid}"] = 0
            static[f"count.{lid}"] = 0
        for w in (
            "us_campaign",
            "mx_campaign",
            "ca_campaign",
            "us_lame_duck",
            "mx_transition",
            "cn_political",
        ):
            static[f"window.{w}"] = False
        for m in ("t1", "t2", "t3", "t4", "t5"):
            static[f"module.{m}"] = False
        for t in (*TEAMS, "total", "trilateral"):
            static[f"agreements.{t}"] = 0
        for t in TEAMS:
            for k in ("reneged", "secret", "agr", "badges"):
                static[f"{k}.{t}"] = 0
        _STATIC[rb.serial] = static
    return static


class Game:
    """One game: its state, its log, and the rulebook and scenario it is played under."""

    def __init__(self, rulebook: Rulebook, scenario_id: str) -> None:
        if scenario_id not in rulebook.scenarios:
            raise CommandError("unknown_scenario", f"unknown scenario '{scenario_id}'")
        self.rb = rulebook
        self.sc: CScenario = rulebook.scenarios[scenario_id]
        self.state = GameState()
        self.log: list[Event] = []
        self._seat_of_holder: dict[str, str] = {}
        self._head_seat: dict[str, str] = {}
        self._seat_limit: dict[str, int] = {}
        # derived, never state: fog noise factors are pure functions of the seed, cached for cheap views
        self.fog_cache: dict[tuple[str, str, int], float] = {}
        self.series_cache: dict[tuple[str, str, int], list[float]] = {}
        self.start_cache: dict[str, dict[str, Any]] = {}
        self.env_version = 0
        self._tally_keys: frozenset[str] = frozenset()
        self.indicator_cache: dict[str, tuple[int, list[dict[str, Any]]]] = {}
        self.lever_cache: dict[str, tuple[int, list[dict[str, Any]]]] = {}
        self.score_cache: dict[str, tuple[tuple[int, int, int], dict[str, Any]]] = {}
        self.entry_cache: dict[str, dict[str, tuple[Any, dict[str, Any]]]] = {}
        self.point_cache: dict[tuple[str, str, int], float] = {}
        self.shared_entries: dict[tuple[Any, ...], dict[str, Any]] = {}

    # ------------------------------------------------------------------ construction

    @classmethod
    def new(
        cls,
        rulebook: Rulebook,
        scenario_id: str,
        seed: int,
        seats_in_play: dict[str, list[str]] | None = None,
    ) -> Game:
        g = cls(rulebook, scenario_id)
        g.emit(g._created_event(seed, seats_in_play))
        g._begin_turn(1)
        return g

    @classmethod
    def replay(cls, rulebook: Rulebook, events: Iterable[Event]) -> Game:
        """Rebuild a game from its log (for resume, import and audit); no command is re-run."""
        it = iter(events)
        first = next(it)
        g = cls(rulebook, first["scenario"])
        g.emit(first)
        for ev in it:
            g.emit(ev)
        return g

    def _start_env(self, seed: int) -> dict[str, Any]:
        """The environment a game starts with. Everything but the seed's draw is the same for every game
        of a scenario, so it is built once and copied; the draw and the values derived from it are then
        computed in the order a fresh build would use, which keeps the log byte for byte the same."""
        rb = self.rb
        # kept on the rulebook itself: a cache keyed by id() could outlive it and match its successor
        cached = rb.start_envs.get(self.sc.model.id)
        if cached is None:
            rb.start_envs[self.sc.model.id] = cached = self._build_start_env()
        template, before_flow = cached
        env = dict(template)
        env.update(before_flow)
        self._draw(env, seed)
        for iid in ("hidden.sigma", *(t for t, _ in rb.flow_constants)):
            if iid in rb.indicators and rb.indicators[iid].type == "num":
                env[f"mean.{iid}"] = env[iid]
        return env

    def _draw(self, env: dict[str, Any], seed: int) -> None:
        rb = self.rb
        # the hidden share of fentanyl crossing at ports of entry is drawn once per game (docs/design.md,
        # "The monthly flow model")
        sigma_rule = rb.mechanisms.get("supply.sigma_draw")
        lo, hi = 0.75, 0.95
        if sigma_rule is not None:
            lo = float(sigma_rule.params["low"](env)) if "low" in sigma_rule.params else lo
            hi = float(sigma_rule.params["high"](env)) if "high" in sigma_rule.params else hi
        env["hidden.sigma"] = rnd(uniform(seed, "sigma", lo, hi))
        if "hidden.sigma" in rb.indicators:
            env["start.hidden.sigma"] = env["hidden.sigma"]
        # baselines the monthly model normalises by, fixed for the game (they read start.* and the draw)
        for target, expr in rb.flow_constants:
            env[target] = (
                rnd(float(expr.fn(env))) if rb.indicators[target].type == "num" else bool(expr.fn(env))
            )
            env[f"start.{target}"] = env[target]

    def _build_start_env(self) -> tuple[dict[str, Any], dict[str, Any]]:
        rb, sc = self.rb, self.sc.model
        env: dict[str, Any] = {}
        for iid, ind in rb.indicators.items():
            env[iid] = ind.default if ind.type == "bool" else rnd(float(ind.default))
        for k, v in sc.starting_values.items():
            env[k] = v if isinstance(v, bool) else rnd(float(v))
        env["hidden.sigma"] = 0.0  # a placeholder here: _draw sets it, and start.hidden.sigma with it
        for iid in rb.indicators:
            env[f"start.{iid}"] = env[iid]
        # what the baselines read before they are computed: restored in every copy before _draw
        before_flow = {k: env[k] for t, _ in rb.flow_constants for k in (t, f"start.{t}")}
        self._draw(env, 0)
        for iid, ind in rb.indicators.items():
            if ind.type == "num":
                env[f"mean.{iid}"] = env[iid]
        env.update(
            {
                "turn": 0,
                "turns": sc.turns,
                "month": int(sc.start[5:7]),
                "month_index": 0,
                "months_per_turn": sc.months_per_turn,
            }
        )
        env.update(static_names(rb))
        for inj in self.sc.injects:
            env[f"inject.{inj.id}"] = False
        return env, before_flow

    def _created_event(self, seed: int, seats_in_play: dict[str, list[str]] | None) -> Event:
        rb, sc = self.rb, self.sc.model
        env = self._start_env(seed)
        seats: dict[str, list[str]] = {}
        for team, tseats in sc.seats.items():
            ids = [s.id for s in tseats]
            # without a list, one player seat per team: the head seat holds everything (merge rule)
            chosen = (seats_in_play or {}).get(team) or ids[:1]
            bad = [s for s in chosen if s not in ids]
            if bad:
                raise CommandError("bad_seat", f"team {team} has no seat {bad[0]!r} in this scenario")
            if ids[0] not in chosen:
                chosen = [ids[0], *chosen]
            seats[team] = [s for s in ids if s in chosen]
        channels = [
            {"id": f"team.{t}", "name": f"{rb.teams[t].name} (team)", "members": [t], "kind": "team"}
            for t in TEAMS
        ]
        for p in PAIRS:
            a, b = p.split("_")
            channels.append(
                {"id": p, "name": f"{a.upper()}–{b.upper()}", "members": [a, b], "kind": "bilateral"}
            )
        channels.append(
            {"id": "na", "name": "North America", "members": ["us", "mx", "ca"], "kind": "trilateral"}
        )
        channels.append({"id": "all", "name": "Plenary", "members": list(TEAMS), "kind": "plenary"})
        channels.append({"id": "press", "name": "Public press", "members": list(TEAMS), "kind": "press"})
        history = rb.num_values(env)
        return {
            "type": "game_created",
            "scenario": sc.id,
            "seed": seed,
            "turns": sc.turns,
            "months_per_turn": sc.months_per_turn,
            "start": sc.start,
            "env": env,
            "history": history,
            "seats": seats,
            "channels": channels,
            "vis": "facilitator",
        }

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

    def seat_limit(self, team: str, seat: str) -> int:
        return self._seat_limit.get(f"{team}/{seat}", 0)

    # ------------------------------------------------------------------ helpers shared with adjudication

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

    # ------------------------------------------------------------------ commands

    def handle(self, envelope: CommandEnvelope) -> list[Event]:
        """Validate and execute one command; returns the events it produced."""
        if self.state.ended:
            raise CommandError("game_over", "the game is over")
        start = len(self.log)
        actor, cmd = envelope.actor, envelope.command
        if isinstance(cmd, Advance):
            if actor.role not in ("facilitator", "system"):
                raise CommandError("forbidden", "only the facilitator or the game clock can end a phase")
            if (cmd.turn is not None and cmd.turn != self.state.turn) or (
                cmd.phase is not None and cmd.phase != self.state.phase
            ):
                raise CommandError(
                    "stale",
                    f"the game is in turn {self.state.turn}, phase '{self.state.phase}' "
                    f"(not turn {cmd.turn}, phase '{cmd.phase}')",
                )
            self.advance()
        elif isinstance(cmd, Override | ReleaseInject):
            if actor.role != "facilitator":
                raise CommandError("forbidden", "only the facilitator may override values or release injects")
            if isinstance(cmd, Override):
                self._override(cmd)
            else:
                self._release(cmd)
        elif isinstance(cmd, Ready):
            self._ready(actor, cmd)
        elif isinstance(cmd, SubmitOrders):
            self._submit_orders(actor, cmd)
        elif isinstance(cmd, SendMessage):
            negotiation.send_message(self, actor, cmd)
        elif isinstance(cmd, OpenChannel):
            negotiation.open_channel(self, actor, cmd)
        elif isinstance(cmd, Propose):
            negotiation.propose(self, actor, cmd)
        elif isinstance(cmd, Respond):
            negotiation.respond(self, actor, cmd)
        elif isinstance(cmd, Note):
            if actor.role not in ("bot", "facilitator", "system"):
                raise CommandError("forbidden", "notes are written by bots and the facilitator")
            self.emit(
                {
                    "type": "note",
                    "team": actor.team,
                    "seat": actor.seat,
                    "role": actor.role,
                    "turn": self.state.turn,
                    "phase": self.state.phase,
                    "decision": cmd.decision,
                    "text": cmd.text,
                    "vis": "facilitator",
                }
            )
        else:  # pragma: no cover - the Command union is closed
            raise CommandError("unknown_command", f"unknown command {type(cmd).__name__}")
        return self.log[start:]

    def _override(self, cmd: Override) -> None:
        ind = self.rb.indicators.get(cmd.key)
        if ind is None:
            raise CommandError("unknown_indicator", f"no indicator '{cmd.key}'")
        if ind.type == "bool":
            value: Any = bool(cmd.value)
        else:
            value = rnd(float(cmd.value))
            self._check_bounds(cmd.key, value)
        self.effect(
            "facilitator.override",
            f"Control adjusted {ind.name}: {cmd.note}",
            {cmd.key: value},
            always=True,
            override=True,
            note=cmd.note,
        )

    def _check_bounds(self, key: str, value: float) -> None:
        _, lo, hi = self.rb.bounds[key]
        if not math.isfinite(value) or not lo <= value <= hi:
            raise CommandError("out_of_range", f"{key} must lie in [{lo}, {hi}], not {value}")

    def _release(self, cmd: ReleaseInject) -> None:
        if (cmd.inject is None) == (cmd.custom is None):
            raise CommandError("bad_command", "give either 'inject' (an id from the deck) or 'custom'")
        if cmd.inject is not None:
            inj = next((i for i in self.sc.injects if i.id == cmd.inject), None)
            if inj is None:
                raise CommandError("unknown_inject", f"scenario has no inject '{cmd.inject}'")
            if self.state.env.get(f"inject.{inj.id}") and not inj.repeat:
                raise CommandError("already_released", f"inject '{inj.id}' has already fired")
            adjudication.release_inject(self, inj)
            return
        assert cmd.custom is not None
        c = cmd.custom
        pending: dict[str, Any] = {}
        for key, v in c.changes.items():
            ind = self.rb.indicators.get(key)
            if ind is None:
                raise CommandError("unknown_indicator", f"no indicator '{key}' in the custom inject")
            pending[key] = bool(v) if ind.type == "bool" else rnd(float(v))
            if ind.type == "num":
                self._check_bounds(key, pending[key])
        n = sum(1 for e in self.log if e["type"] == "inject" and str(e["id"]).startswith("custom.")) + 1
        changes = self.changes_of(pending)
        self.emit(
            {
                "type": "inject",
                "id": f"custom.{n}",
                "turn": self.state.turn,
                "title": c.title,
                "text": c.text,
                "changes": changes,
                "before": {k: self.state.env.get(k) for k in changes},
                "free_levers": [],
                "sources": [],
                "ext": None,
                "inputs": [],
                "custom": True,
                "vis": "all" if c.audience == "all" or len(c.audience) == 4 else list(c.audience),
            }
        )

    def player(self, actor: Actor) -> tuple[str, str]:
        """The (team, seat) a player command speaks for; bots and the system act for a named seat."""
        if actor.team is None:
            raise CommandError("forbidden", "this command needs a team seat")
        team = actor.team
        seat = actor.seat or self._head_seat[team]
        if seat not in self.state.seats[team]:
            raise CommandError("bad_seat", f"seat '{seat}' is not in play for team {team}")
        return team, seat

    def _ready(self, actor: Actor, cmd: Ready) -> None:
        team, seat = self.player(actor)
        if self.state.phase not in PHASES:
            raise CommandError("wrong_phase", f"nothing to be ready for in phase '{self.state.phase}'")
        self.emit(
            {
                "type": "ready",
                "seat_key": f"{team}/{seat}",
                "team": team,
                "seat": seat,
                "ready": cmd.ready,
                "phase": self.state.phase,
                "turn": self.state.turn,
                "vis": "all",
            }
        )

    def all_ready(self) -> bool:
        keys = [f"{t}/{s}" for t in TEAMS for s in self.state.seats[t]]
        return all(self.state.ready.get(k) for k in keys)

    def validate_order(self, team: str, seat: str, order: Order, free: bool = False) -> dict[str, Any]:
        """Check one order and return it normalised (defaults filled, cost evaluated)."""
        lever = self.rb.levers.get(order.lever)
        if lever is None:
            raise CommandError("unknown_lever", f"unknown lever '{order.lever}'")
        if lever.team != team:
            raise CommandError("not_your_lever", f"{lever.code} belongs to team {lever.team}, not {team}")
        holder = self.player_seat_of_lever(lever)
        if holder != seat:
            raise CommandError(
                "wrong_seat", f"{lever.code} is ordered by the '{holder}' seat of team {team}, not '{seat}'"
            )
        params = self.normalise_params(lever, order.params)
        visibility: str
        if lever.visibility == "choice":
            visibility = order.visibility or "public"
        else:
            if order.visibility is not None and order.visibility != lever.visibility:
                raise CommandError("bad_visibility", f"{lever.code} is always {lever.visibility}")
            visibility = lever.visibility
        if lever.once and self.state.env[f"count.{lever.id}"] > 0:
            raise CommandError("once_only", f"{lever.code} can be played once per game and already was")
        ctx = self.lever_ctx(lever, params, visibility == "public")
        try:
            for cond, message in lever.preconditions:
                if not cond.fn(ctx):
                    raise CommandError("precondition", f"{lever.code}: {message}")
            cost = (
                0.0 if (free or lever.id in self.state.free_levers) else max(0.0, float(lever.cost.fn(ctx)))
            )
        finally:
            self.clear_ctx(ctx, params)
        return {
            "lever": lever.id,
            "params": params,
            "visibility": visibility,
            "cost": rnd(cost),
            "seat": seat,
        }

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
            for cond, message in lever.preconditions:
                if not cond.fn(ctx):
                    return None, f"{lever.code}: {message}"
            free = lever.id in self.state.free_levers
            cost = 0.0 if free else max(0.0, float(lever.cost.fn(ctx)))
        finally:
            self.clear_ctx(ctx, params)
        return rnd(cost), ""

    def normalise_params(self, lever: CLever, given: dict[str, Any]) -> dict[str, Any]:
        for k in given:
            if k not in lever.params:
                raise CommandError("bad_params", f"{lever.code} has no parameter '{k}'")
        out: dict[str, Any] = {}
        for pid, p in lever.params.items():
            v = given.get(pid, p.default)
            if p.type == "choice":
                if not isinstance(v, str) or v not in p.choices:
                    raise CommandError(
                        "bad_params", f"{lever.code}.{pid} must be one of {', '.join(p.choices)}"
                    )
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
                    raise CommandError(
                        "bad_params",
                        f"{lever.code}.{pid} = {v} is outside its range [{p.min:g}, {p.max:g}]"
                        if p.min is not None and p.max is not None
                        else f"{lever.code}.{pid} = {v} is out of range",
                    )
                v = int(v) if p.type == "int" else float(v)
            out[pid] = v
        return out

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

    def _submit_orders(self, actor: Actor, cmd: SubmitOrders) -> None:
        """Orders replace the seat's earlier submission this turn.

        An actor without a seat speaks for the whole team (a solo player, a bot, a headless script):
        each order then goes to the seat that holds its lever, and the submission replaces the orders
        of every seat of the team.
        """
        if actor.team is None:
            raise CommandError("forbidden", "orders need a team")
        team: str = actor.team
        whole_team = actor.seat is None and actor.role in ("player", "bot", "system")
        if not whole_team:
            team, seat0 = self.player(actor)
        if self.state.phase != "orders":
            raise CommandError(
                "wrong_phase", f"orders are submitted in the orders phase, not '{self.state.phase}'"
            )
        seen: set[str] = set()
        by_seat: dict[str, list[dict[str, Any]]] = {}
        for o in cmd.orders:
            if o.lever in seen:
                raise CommandError("duplicate_order", f"{o.lever} is ordered twice")
            seen.add(o.lever)
            if whole_team:
                lever = self.rb.levers.get(o.lever)
                if lever is None:
                    raise CommandError("unknown_lever", f"unknown lever '{o.lever}'")
                if lever.team != team:
                    raise CommandError(
                        "not_your_lever", f"{lever.code} belongs to team {lever.team}, not {team}"
                    )
                seat = self.player_seat_of_lever(lever)
            else:
                seat = seat0
                if o.seat is not None and o.seat != seat:
                    raise CommandError("wrong_seat", f"an order for seat '{o.seat}' came from seat '{seat}'")
            by_seat.setdefault(seat, []).append(self.validate_order(team, seat, o))
        for seat, orders in by_seat.items():
            limit = self.seat_limit(team, seat)
            if len(orders) > limit:
                raise CommandError(
                    "order_limit", f"seat '{seat}' may give {limit} orders a turn, not {len(orders)}"
                )
        replaced = {f"{team}/{s}" for s in self.state.seats[team]} if whole_team else {f"{team}/{seat0}"}
        kept = [
            o
            for k, sub in self.state.orders.items()
            if k.startswith(team + "/") and k not in replaced
            for o in sub["orders"]
        ]
        mine = [o for orders in by_seat.values() for o in orders]
        if len(kept) + len(mine) > self.sc.model.order_limit:
            raise CommandError(
                "order_limit", f"team {team} may give {self.sc.model.order_limit} orders a turn in all"
            )
        clash = {o["lever"] for o in kept} & seen
        if clash:
            raise CommandError("duplicate_order", f"{sorted(clash)[0]} is already ordered by another seat")
        total = sum(o["cost"] for o in kept) + sum(o["cost"] for o in mine)
        pc = float(self.state.env[f"{team}.pc"])
        if total > pc + 1e-9:
            raise CommandError(
                "over_budget", f"these orders cost {total:g} political capital; team {team} has {pc:g}"
            )
        statement = None
        if cmd.statement is not None:
            st = cmd.statement
            if st.target == team:
                raise CommandError("bad_statement", "a statement cannot target your own team")
            statement = {"kind": st.kind, "target": st.target, "text": st.text}
        speaker = self._head_seat[team] if whole_team else seat0
        for key in sorted(replaced):
            seat = key.split("/", 1)[1]
            orders = by_seat.get(seat, [])
            st_here = statement if seat == speaker else (None if whole_team else statement)
            if whole_team and not orders and st_here is None and key not in self.state.orders:
                continue
            self.emit(
                {
                    "type": "orders_submitted",
                    "seat_key": key,
                    "team": team,
                    "seat": seat,
                    "turn": self.state.turn,
                    "orders": orders,
                    "statement": st_here,
                    "cost": rnd(sum(o["cost"] for o in orders)),
                    "by": actor.name,
                    "vis": [team],
                }
            )

    # ------------------------------------------------------------------ phases

    def advance(self) -> None:
        ph = self.state.phase
        if ph == "briefing":
            self._phase("negotiation")
        elif ph == "negotiation":
            self._phase("orders")
        elif ph == "orders":
            adjudication.adjudicate(self)
            self._phase("results")
        elif ph == "results":
            if self.state.turn >= self.state.turns:
                adjudication.finish(self)
            else:
                self._begin_turn(self.state.turn + 1)
        else:
            raise CommandError("wrong_phase", f"cannot advance from phase '{ph}'")

    def _phase(self, phase: str, turn: int | None = None) -> None:
        t = self.state.turn if turn is None else turn
        date = add_months(self.state.start, self.state.month_index)
        self.emit({"type": "phase", "turn": t, "phase": phase, "date": date.isoformat(), "vis": "all"})

    def _begin_turn(self, turn: int) -> None:
        self._phase("briefing", turn)
        adjudication.begin_turn(self)

    # ------------------------------------------------------------------ output

    def events_jsonl(self) -> str:
        return "".join(json.dumps(e, sort_keys=True, separators=(",", ":")) + "\n" for e in self.log)
