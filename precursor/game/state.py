"""The game state, and the one function that changes it: ``apply(state, event)``.

The state is always the fold of the event log. The engine never assigns to a state field directly;
it builds an event and hands it to :func:`apply`, so a replayed log, a crash-recovered server and a
fork reach exactly the state the live game had. Events are plain JSON-ready dicts: they are written
to disk and sent on the wire millions of times, and a dict is the cheapest thing that does both.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from precursor.game import events as ev_t
from precursor.game.events import LogEvent
from precursor.game.expr import HISTORY_KEY, MONTH_OPEN_KEY, TURN_VALUES_KEY

# The loose form the engine, the server and the stores build and pass events in (key by key, then
# ``Game.emit``); the vocabulary itself, one TypedDict per type, is ``precursor.game.events``.
Event = LogEvent
PHASES = ("briefing", "negotiation", "orders", "results")
# environment keys the expression language reads that are not indicator values, kept out of snapshots
_RESERVED = frozenset((HISTORY_KEY, MONTH_OPEN_KEY, TURN_VALUES_KEY))
# absent from a snapshot while empty, so a game without them snapshots as it always did
_WHITE_CELL = ("free_actions", "positions", "refusals")


@dataclass
class GameState:
    scenario: str = ""
    seed: int = 0
    turn: int = 0
    turns: int = 0
    phase: str = "setup"
    month_index: int = 0
    months_per_turn: int = 1
    start: str = ""
    env: dict[str, Any] = field(default_factory=dict)
    history: dict[str, list[float]] = field(default_factory=dict)
    turn_values: dict[str, list[float]] = field(default_factory=dict)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    proposals: dict[str, dict[str, Any]] = field(default_factory=dict)
    agreements: dict[str, dict[str, Any]] = field(default_factory=dict)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)  # seat key "us/president" -> submission
    ready: dict[str, bool] = field(default_factory=dict)
    queue: list[dict[str, Any]] = field(default_factory=list)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    free_levers: list[str] = field(default_factory=list)
    objectives: dict[str, dict[str, Any]] = field(default_factory=dict)
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)
    played_history: list[dict[str, list[str]]] = field(default_factory=list)
    proposal_counts: dict[str, int] = field(default_factory=dict)
    badges: dict[str, float] = field(default_factory=dict)
    seats: dict[str, list[str]] = field(default_factory=dict)  # team -> player seat ids in play
    facts: dict[str, Any] = field(
        default_factory=dict
    )  # small structured flags (persona switches, declarations)
    ended: bool = False
    seq: int = 0
    # the white cell: free actions by id (with their counter-arguments, ruling and resolution), and each
    # team's position filed before play
    free_actions: dict[str, dict[str, Any]] = field(default_factory=dict)
    positions: dict[str, dict[str, Any]] = field(default_factory=dict)
    # orders a seat refused (team, seat, by_seat, lever, turn, rule, code, reason, and the ground's cost as
    # changes and before): the refusal rules' cooldown reads them, a team's view tells this turn's again
    refusals: list[dict[str, Any]] = field(default_factory=list)

    def snapshot(self) -> str:
        """Canonical JSON of the whole state, for comparing a replay with the live game."""
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["env"] = {k: v for k, v in self.env.items() if k not in _RESERVED}
        for k in _WHITE_CELL:
            if not d[k]:  # absent while unused: a game without free actions snapshots as it always did
                del d[k]
        return json.dumps(d, sort_keys=True, separators=(",", ":"), default=list)


def _changes(state: GameState, ch: dict[str, Any] | None) -> None:
    if ch:
        state.env.update(ch)


def _effect(state: GameState, ev: ev_t.EffectEvent) -> None:
    state.env.update(ev["changes"])
    if state.refusals and ev["rule"].startswith("refusal.") and state.refusals[-1]["rule"] == ev["rule"]:
        # a refusal's price comes right after it: kept with it, so a view can tell it again (reconnects)
        state.refusals[-1].update(changes=ev["changes"], before=ev["before"])
    sched = ev.get("scheduled")
    if sched:
        state.queue.extend(sched)
    rel = ev.get("released")
    if rel:
        drop = set(rel)
        state.queue = [q for q in state.queue if q["id"] not in drop]


def _order_executed(state: GameState, ev: ev_t.OrderExecuted) -> None:
    _changes(state, ev.get("changes"))
    sched = ev.get("scheduled")
    if sched:  # a team's copy of another team's order has none (views)
        state.queue.extend(sched)


def _message(state: GameState, ev: ev_t.MessageEvent) -> None:
    state.messages.append(
        {k: ev[k] for k in ("id", "channel", "team", "seat", "name", "text", "turn") if k in ev}
    )


def _orders_submitted(state: GameState, ev: ev_t.OrdersSubmitted) -> None:
    state.orders[ev["seat_key"]] = {"orders": ev["orders"], "statement": ev.get("statement")}


def _order_refused(state: GameState, ev: ev_t.OrderRefused) -> None:
    key = f"{ev['team']}/{ev['by_seat']}"
    sub = state.orders.get(key)
    if sub is not None:
        # a new list: the old one is the logged ``orders_submitted`` event's own, which must not change
        kept = [o for o in sub["orders"] if o["lever"] != ev["lever"]]
        state.orders[key] = {**sub, "orders": kept}
    state.refusals.append(
        {
            "team": ev["team"],
            "seat": ev["seat"],
            "by_seat": ev["by_seat"],
            "lever": ev["lever"],
            "turn": ev["turn"],
            "rule": ev["rule"],
            "code": ev["code"],
            "reason": ev["reason"],
        }
    )


def _ready(state: GameState, ev: ev_t.ReadyEvent) -> None:
    state.ready[ev["seat_key"]] = ev["ready"]


def _month(state: GameState, ev: ev_t.MonthEvent) -> None:
    state.month_index = ev["month_index"]
    env = state.env
    env["month_index"] = ev["month_index"]
    env["month"] = ev["month"]
    hist = state.history
    _append_each(hist, ev["values"])  # the keys are exactly the recorded ones (every numeric indicator)


def _append_each(series: dict[str, list[Any]], values: dict[str, Any]) -> None:
    """Append each value to the series of its key (which must exist), in one C loop: 120 a month."""
    deque(map(list.append, map(series.__getitem__, values), values.values()), maxlen=0)


def _phase(state: GameState, ev: ev_t.PhaseEvent) -> None:
    state.phase = ev["phase"]
    state.turn = ev["turn"]
    state.env["turn"] = ev["turn"]
    state.ready = {}
    if ev["phase"] == "briefing":
        state.orders = {}
        state.free_levers = []
        state.proposal_counts = {}


def _inject(state: GameState, ev: ev_t.InjectEvent) -> None:
    _changes(state, ev.get("changes"))
    state.env[f"inject.{ev['id']}"] = True
    for lid in ev.get("free_levers", ()):
        if lid not in state.free_levers:
            state.free_levers.append(lid)


def _proposal(state: GameState, ev: ev_t.ProposalEvent) -> None:
    p = ev["proposal"]
    state.proposals[p["id"]] = dict(p)
    state.proposal_counts[p["from"]] = state.proposal_counts.get(p["from"], 0) + 1


def _proposal_response(state: GameState, ev: ev_t.ProposalResponse) -> None:
    p = state.proposals[ev["proposal"]]
    if ev["action"] == "accept":
        p["accepted"] = sorted({*p.get("accepted", []), ev["team"]})
    else:
        p["status"] = "rejected" if ev["action"] == "reject" else "withdrawn"
        p["closed_by"] = ev["team"]  # who closed it, as the client's fold records it
    if ev.get("reason"):
        p.setdefault("reasons", {})[ev["team"]] = ev["reason"]


def _proposal_closed(state: GameState, ev: ev_t.ProposalClosed) -> None:
    state.proposals[ev["proposal"]]["status"] = ev["status"]


def _agreement(state: GameState, ev: ev_t.AgreementEvent) -> None:
    a = dict(ev["agreement"])
    state.agreements[a["id"]] = a
    state.proposals[a["proposal"]]["status"] = "signed"
    _changes(state, ev.get("changes"))


def _agreement_update(state: GameState, ev: ev_t.AgreementUpdate) -> None:
    """A leak carries the whole deal, so an audience outside it learns it here (its only event of it)."""
    known = state.agreements.get(ev["agreement"])
    if known is None:
        state.agreements[ev["agreement"]] = dict(ev["update"])
    else:
        known.update(ev["update"])
    _changes(state, ev.get("changes"))


def _compliance(state: GameState, ev: ev_t.ComplianceEvent) -> None:
    a = state.agreements[ev["agreement"]]
    a.setdefault("record", []).append(
        {"turn": ev["turn"], "clause": ev["clause"], "team": ev["team"], "met": ev["met"]}
    )
    _changes(state, ev.get("changes"))


def _channel_opened(state: GameState, ev: ev_t.ChannelOpened) -> None:
    state.channels[ev["channel"]["id"]] = dict(ev["channel"])


def _token(state: GameState, ev: ev_t.TokenEvent) -> None:
    tok = ev["token"]
    if ev.get("revoked"):
        state.tokens[tok["id"]]["active"] = False
    else:
        state.tokens[tok["id"]] = dict(tok)
    _changes(state, ev.get("changes"))


def _turn_end(state: GameState, ev: ev_t.TurnEnd) -> None:
    # end-of-turn values; expressions read their running means as mean.<id> (expr.running_mean)
    values: dict[str, Any] = ev["values"]
    tv = state.turn_values
    if values and tv.keys() == values.keys():  # every turn records the same indicators
        _append_each(tv, values)
    else:
        for k, v in values.items():
            tv.setdefault(k, []).append(v)
    _changes(state, ev.get("changes"))
    state.played_history.append(ev.get("played", {}))
    for oid, res in ev.get("objectives", {}).items():
        state.objectives[oid] = res


def _score(state: GameState, ev: ev_t.ScoreEvent) -> None:
    state.scores = ev["scores"]


def _badges(state: GameState, ev: ev_t.BadgesEvent) -> None:
    for team, b in ev["badges"].items():
        state.badges[team] = b


def _fact(state: GameState, ev: ev_t.FactEvent) -> None:
    state.facts[ev["key"]] = ev["value"]
    _changes(state, ev.get("changes"))


def _game_over(state: GameState, ev: ev_t.GameOver) -> None:
    state.ended = True
    state.phase = "ended"


def _statement(state: GameState, ev: ev_t.StatementEvent) -> None:
    _changes(state, ev.get("changes"))


def _election(state: GameState, ev: ev_t.ElectionEvent) -> None:
    _changes(state, ev.get("changes"))


def _review(state: GameState, ev: ev_t.ReviewEvent) -> None:
    _changes(state, ev.get("changes"))


def _free_action(state: GameState, ev: ev_t.FreeActionEvent) -> None:
    fa = {k: v for k, v in ev.items() if k not in ("type", "seq")}
    fa["counter"] = []
    fa["ruling"] = None
    fa["resolved"] = None
    state.free_actions[ev["id"]] = fa


def _counter_argument(state: GameState, ev: ev_t.CounterArgumentEvent) -> None:
    state.free_actions[ev["free_action"]]["counter"].append(
        {k: ev[k] for k in ("team", "seat", "stance", "text")}
    )


def _free_action_ruling(state: GameState, ev: ev_t.FreeActionRuling) -> None:
    state.free_actions[ev["free_action"]]["ruling"] = {k: ev[k] for k in ("band", "effects", "reason")}


def _free_action_resolved(state: GameState, ev: ev_t.FreeActionResolved) -> None:
    state.env.update(ev["changes"])
    fa = state.free_actions[ev["free_action"]]
    fa["resolved"] = {k: ev[k] for k in ("ruled_by", "band", "probability", "roll", "success", "effects")}
    fa["vis"] = "all"


def _position(state: GameState, ev: ev_t.PositionEvent) -> None:
    state.positions[ev["team"]] = {k: ev[k] for k in ("seat", "turn", "goals", "red_lines", "expectations")}


def _noop(state: GameState, ev: Any) -> None:
    pass


# Each handler takes its own event type; the table is keyed by the type, so the lookup is the narrowing.
_HANDLERS: dict[str, Callable[[GameState, Any], None]] = {
    "effect": _effect,
    "order_executed": _order_executed,
    "message": _message,
    "orders_submitted": _orders_submitted,
    "ready": _ready,
    "month": _month,
    "phase": _phase,
    "inject": _inject,
    "proposal": _proposal,
    "proposal_response": _proposal_response,
    "proposal_closed": _proposal_closed,
    "agreement": _agreement,
    "agreement_update": _agreement_update,
    "compliance": _compliance,
    "channel_opened": _channel_opened,
    "token": _token,
    "turn_end": _turn_end,
    "score": _score,
    "badges": _badges,
    "fact": _fact,
    "game_over": _game_over,
    "statement": _statement,
    "order_failed": _noop,
    "order_refused": _order_refused,
    "orders_revealed": _noop,
    "election": _election,
    "review": _review,
    "note": _noop,
    "free_action": _free_action,
    "counter_argument": _counter_argument,
    "free_action_ruling": _free_action_ruling,
    "free_action_resolved": _free_action_resolved,
    "position": _position,
    # the server's own record (joins, deadlines, pauses, seat controllers): in the log, not in the game state
    "session": _noop,
}


def apply(state: GameState, ev: ev_t.Event | LogEvent) -> None:
    """Fold one event into the state. Must stay cheap and must never fail on a logged event."""
    t = ev["type"]
    if t == "game_created":
        _init(state, cast(ev_t.GameCreated, ev))
    else:
        handler = _HANDLERS.get(t)
        if handler is None:
            raise ValueError(f"unknown event type {t!r}")
        handler(state, ev)
    state.seq += 1


def _init(state: GameState, ev: ev_t.GameCreated) -> None:
    state.scenario = ev["scenario"]
    state.seed = ev["seed"]
    state.turns = ev["turns"]
    state.months_per_turn = ev["months_per_turn"]
    state.start = ev["start"]
    state.env = dict(ev["env"])
    state.history = {k: [v] for k, v in ev["history"].items()}
    # lag(name, months) in expressions reads the monthly history through this reserved key (not state)
    state.env[HISTORY_KEY] = state.history
    state.env[TURN_VALUES_KEY] = state.turn_values
    state.seats = {k: list(v) for k, v in ev["seats"].items()}
    for ch in ev["channels"]:
        state.channels[ch["id"]] = dict(ch)
    state.phase = "setup"
