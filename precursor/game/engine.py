"""The game engine: turns commands into events, deterministically.

``Game.handle`` validates a command against the rulebook and the current state; if anything is
wrong it raises ``CommandError`` before a single event is made, so an illegal command changes
nothing. Otherwise it emits events through ``Game.emit``, which folds each one into the state as it
is made (see :mod:`precursor.game.state`). No wall clock, no global random, no I/O: the same rulebook,
scenario, seed and commands give the same events, byte for byte.

``Game`` is the aggregate: it builds a game, checks and runs commands and drives the phases. What the
steps of play share (the state, the log, ``emit`` and the effect toolkit) lives below it in
:class:`precursor.game.core.GameCore`, which adjudication, negotiation, scoring and views use.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from precursor.game import adjudication, negotiation
from precursor.game.adjudication import refusal
from precursor.game.commands import (
    Actor,
    Advance,
    Command,
    CommandEnvelope,
    CommandError,
    CounterArgument,
    FilePosition,
    Note,
    OpenChannel,
    Order,
    Override,
    Propose,
    Ready,
    RefuseOrder,
    ReleaseInject,
    Respond,
    RuleFreeAction,
    SendMessage,
    SubmitOrders,
    TableFreeAction,
)
from precursor.game.core import GameCore, rnd
from precursor.game.handover import elect_flags
from precursor.game.months import add_months
from precursor.game.provenance import provenance
from precursor.game.rng import uniform
from precursor.game.rulebook import Rulebook, precondition_words
from precursor.game.schema import TEAMS
from precursor.game.state import PHASES, Event
from precursor.game.statements import statement_refusal
from precursor.game.teams import PAIRS
from precursor.game.white_cell import free_actions

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


class Game(GameCore):
    """One game: its state, its log, and the rulebook and scenario it is played under."""

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
        g._fill_unrecorded()
        for ev in it:
            g.emit(ev)
        return g

    def _fill_unrecorded(self) -> None:
        """A log written under an older rulebook lacks the values added to the rules since; they read as
        today's starting values (never overriding one the log recorded), so old logs still open."""
        cached = self.rb.start_envs.get(self.sc.model.id)
        if cached is None:
            self.rb.start_envs[self.sc.model.id] = cached = self._build_start_env()
        env = self.state.env
        for part in cached:
            for k, v in part.items():
                if k not in env:
                    env[k] = v

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
        # a vote counted before the start, its winner not yet in office: no vote in the game names her
        c1 = rb.mechanisms.get("c1.windows")
        months = c1.params.get("mx_transition_months") if c1 is not None else None
        elected = elect_flags(sc.calendar, sc.start, int(months.fn(env)) if months is not None else 4)
        env.update({k: v for k, v in elected.items() if k not in sc.starting_values})
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
            "provenance": provenance(rb.fingerprint, self.sc.fingerprint),
            "vis": "facilitator",
        }

    # ------------------------------------------------------------------ commands

    def handle(self, envelope: CommandEnvelope) -> list[Event]:
        """Validate and execute one command; returns the events it produced."""
        return self.run(envelope.actor, envelope.command)

    def run(self, actor: Actor, cmd: Command) -> list[Event]:
        """``handle`` for an actor and a command already validated (the server's, per frame): without
        building and validating an envelope around them, a tenth of a chat message's engine time."""
        if self.state.ended:
            raise CommandError("game_over", "the game is over")
        start = len(self.log)
        if isinstance(cmd, Advance | Override | ReleaseInject):
            self._control(actor, cmd)
        elif isinstance(cmd, Ready):
            self._ready(actor, cmd)
        elif isinstance(cmd, SubmitOrders):
            self._submit_orders(actor, cmd)
        elif isinstance(cmd, RefuseOrder):
            refusal.refuse(self, actor, cmd)
        elif isinstance(cmd, SendMessage):
            negotiation.send_message(self, actor, cmd)
        elif isinstance(cmd, OpenChannel):
            negotiation.open_channel(self, actor, cmd)
        elif isinstance(cmd, Propose):
            negotiation.propose(self, actor, cmd)
        elif isinstance(cmd, Respond):
            negotiation.respond(self, actor, cmd)
        elif isinstance(cmd, Note):
            self._note(actor, cmd)
        elif isinstance(cmd, TableFreeAction | CounterArgument | RuleFreeAction | FilePosition):
            self._white_cell(actor, cmd)
        else:  # pragma: no cover - the Command union is closed
            raise CommandError("unknown_command", f"unknown command {type(cmd).__name__}")
        return self.log[start:]

    def _control(self, actor: Actor, cmd: Advance | Override | ReleaseInject) -> None:
        """The commands that steer the game itself: ending a phase, overriding a value, an inject."""
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
            return
        if actor.role != "facilitator":
            raise CommandError("forbidden", "only the facilitator may override values or release injects")
        if isinstance(cmd, Override):
            self._override(cmd)
        else:
            self._release(cmd)

    def _white_cell(
        self, actor: Actor, cmd: TableFreeAction | CounterArgument | RuleFreeAction | FilePosition
    ) -> None:
        """Free actions and positions (precursor/game/white_cell/free_actions.py)."""
        if isinstance(cmd, TableFreeAction):
            free_actions.table(self, actor, cmd)
        elif isinstance(cmd, CounterArgument):
            free_actions.counter(self, actor, cmd)
        elif isinstance(cmd, RuleFreeAction):
            free_actions.rule(self, actor, cmd)
        else:
            free_actions.position(self, actor, cmd)

    def _note(self, actor: Actor, cmd: Note) -> None:
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
        n = self.custom_injects + 1
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
                **({"template": c.template} if c.template else {}),  # the white cell's inject template
                "vis": "all" if c.audience == "all" or len(c.audience) == 4 else list(c.audience),
            }
        )

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
        # the head seat may direct an order another seat carries out where the rules let that seat refuse it
        if holder != seat and not refusal.directable(self, team, seat, lever):
            raise CommandError(
                "wrong_seat", f"{lever.code} is ordered by the '{holder}' seat of team {team}, not '{seat}'"
            )
        if self.state.refusals and refusal.refused_this_turn(self, team, lever.id):
            raise CommandError("refused", f"{lever.code} was refused this turn; it cannot be ordered again")
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
            for i, (cond, _) in enumerate(lever.preconditions):
                if not cond.fn(ctx):
                    raise CommandError("precondition", f"{lever.code}: {precondition_words(lever, i, ctx)}")
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
        seat0: str | None = None
        if not whole_team:
            team, seat0 = self.player(actor)
        if self.state.phase != "orders":
            raise CommandError(
                "wrong_phase", f"orders are submitted in the orders phase, not '{self.state.phase}'"
            )
        by_seat, seen = self._orders_by_seat(team, seat0, cmd)
        replaced = {f"{team}/{s}" for s in self.state.seats[team]} if seat0 is None else {f"{team}/{seat0}"}
        self._check_team_orders(team, replaced, by_seat, seen)
        statement = None
        if cmd.statement is not None:
            st = cmd.statement
            refused = statement_refusal(team, st.kind, st.target, st.text)
            if refused is not None:
                raise CommandError(*refused)
            statement = {"kind": st.kind, "target": st.target, "text": st.text}
        speaker = self._head_seat[team] if seat0 is None else seat0
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

    def _orders_by_seat(
        self, team: str, seat0: str | None, cmd: SubmitOrders
    ) -> tuple[dict[str, list[dict[str, Any]]], set[str]]:
        """The submitted orders checked and grouped by the seat that gives them (``seat0``, or for a
        whole-team submission the seat holding each lever), within each seat's limit."""
        seen: set[str] = set()
        by_seat: dict[str, list[dict[str, Any]]] = {}
        for o in cmd.orders:
            if o.lever in seen:
                raise CommandError("duplicate_order", f"{o.lever} is ordered twice")
            seen.add(o.lever)
            if seat0 is None:
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
        return by_seat, seen

    def _check_team_orders(
        self, team: str, replaced: set[str], by_seat: dict[str, list[dict[str, Any]]], seen: set[str]
    ) -> None:
        """The team's orders after this submission, with those its other seats keep: the team's limit,
        no lever twice, and the capital to pay for them all."""
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
        # the team's free actions of the turn are paid from the same capital (charged when resolved)
        held = free_actions.reserved(self, team) if self.state.free_actions else 0.0
        if total + held > pc + 1e-9:
            raise CommandError(
                "over_budget",
                f"these orders cost {total:g} political capital"
                + (f" and the turn's free actions {held:g}" if held else "")
                + f"; team {team} has {pc:g}",
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
