"""The game state, and the one function that changes it: ``apply(state, event)``.

The state is always the fold of the event log. The engine never assigns to a state field directly;
it builds an event and hands it to :func:`apply`, so a replayed log, a crash-recovered server and a
fork reach exactly the state the live game had. Events are plain JSON-ready dicts: they are written
to disk and sent on the wire millions of times, and a dict is the cheapest thing that does both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

Event = dict[str, Any]
PHASES = ("briefing", "negotiation", "orders", "results")


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

    def snapshot(self) -> str:
        """Canonical JSON of the whole state, for comparing a replay with the live game."""
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        return json.dumps(d, sort_keys=True, separators=(",", ":"), default=list)


def _set_changes(state: GameState, changes: dict[str, Any]) -> None:
    env = state.env
    for k, v in changes.items():
        env[k] = v


def apply(state: GameState, ev: Event) -> None:
    """Fold one event into the state. Must stay cheap and must never fail on a logged event."""
    t = ev["type"]
    state.seq += 1
    if t == "effect":
        _set_changes(state, ev["changes"])
        rel = ev.get("released")
        if rel:
            drop = set(rel)
            state.queue = [q for q in state.queue if q["id"] not in drop]
        return
    if t == "order_executed":
        _set_changes(state, ev.get("changes", {}))
        for q in ev.get("scheduled", ()):
            state.queue.append(q)
        return
    if t == "message":
        state.messages.append(
            {k: ev[k] for k in ("id", "channel", "team", "seat", "name", "text", "turn") if k in ev}
        )
        return
    if t == "orders_submitted":
        state.orders[ev["seat_key"]] = {"orders": ev["orders"], "statement": ev.get("statement")}
        return
    if t == "ready":
        state.ready[ev["seat_key"]] = ev["ready"]
        return
    if t == "month":
        state.month_index = ev["month_index"]
        env = state.env
        env["month_index"] = ev["month_index"]
        env["month"] = ev["month"]
        hist = state.history
        for k, v in ev["values"].items():
            hist[k].append(v)
        return
    if t == "phase":
        state.phase = ev["phase"]
        state.turn = ev["turn"]
        state.env["turn"] = ev["turn"]
        if ev["phase"] == "briefing":
            state.orders = {}
            state.ready = {}
            state.free_levers = []
            state.proposal_counts = {}
        else:
            state.ready = {}
        return
    if t == "inject":
        _set_changes(state, ev.get("changes", {}))
        state.env[f"inject.{ev['id']}"] = True
        for lid in ev.get("free_levers", ()):
            if lid not in state.free_levers:
                state.free_levers.append(lid)
        return
    if t == "proposal":
        state.proposals[ev["proposal"]["id"]] = dict(ev["proposal"])
        state.proposal_counts[ev["proposal"]["from"]] = (
            state.proposal_counts.get(ev["proposal"]["from"], 0) + 1
        )
        return
    if t == "proposal_response":
        p = state.proposals[ev["proposal"]]
        if ev["action"] == "accept":
            p["accepted"] = sorted({*p.get("accepted", []), ev["team"]})
        else:
            p["status"] = "rejected" if ev["action"] == "reject" else "withdrawn"
        return
    if t == "proposal_closed":
        state.proposals[ev["proposal"]]["status"] = ev["status"]
        return
    if t == "agreement":
        a = dict(ev["agreement"])
        state.agreements[a["id"]] = a
        state.proposals[a["proposal"]]["status"] = "signed"
        _set_changes(state, ev.get("changes", {}))
        return
    if t == "agreement_update":
        state.agreements[ev["agreement"]].update(ev["update"])
        _set_changes(state, ev.get("changes", {}))
        return
    if t == "compliance":
        a = state.agreements[ev["agreement"]]
        a.setdefault("record", []).append(
            {"turn": ev["turn"], "clause": ev["clause"], "team": ev["team"], "met": ev["met"]}
        )
        _set_changes(state, ev.get("changes", {}))
        return
    if t == "channel_opened":
        state.channels[ev["channel"]["id"]] = dict(ev["channel"])
        return
    if t == "token":
        tok = ev["token"]
        if ev.get("revoked"):
            state.tokens[tok["id"]]["active"] = False
        else:
            state.tokens[tok["id"]] = dict(tok)
        _set_changes(state, ev.get("changes", {}))
        return
    if t == "turn_end":
        # end-of-turn values, and the running means expressions read as mean.<id> (derived here, in the fold)
        tv = state.turn_values
        env = state.env
        for k, v in ev["values"].items():
            if k in tv:
                series = tv[k]
                series.append(v)
                n = len(series)
                env["mean." + k] = round((env["mean." + k] * (n - 1) + v) / n, 4)
            else:
                tv[k] = [v]
                env["mean." + k] = v
        _set_changes(state, ev.get("changes", {}))
        state.played_history.append(ev.get("played", {}))
        for oid, res in ev.get("objectives", {}).items():
            state.objectives[oid] = res
        return
    if t == "score":
        state.scores = ev["scores"]
        return
    if t == "badges":
        for team, b in ev["badges"].items():
            state.badges[team] = b
        return
    if t == "fact":
        state.facts[ev["key"]] = ev["value"]
        _set_changes(state, ev.get("changes", {}))
        return
    if t == "game_created":
        _init(state, ev)
        return
    if t == "game_over":
        state.ended = True
        state.phase = "ended"
        return
    if t in ("statement", "orders_revealed", "order_failed", "election", "review", "note"):
        _set_changes(state, ev.get("changes", {}))
        return
    raise ValueError(f"unknown event type {t!r}")


def _init(state: GameState, ev: Event) -> None:
    state.scenario = ev["scenario"]
    state.seed = ev["seed"]
    state.turns = ev["turns"]
    state.months_per_turn = ev["months_per_turn"]
    state.start = ev["start"]
    state.env = dict(ev["env"])
    state.history = {k: [v] for k, v in ev["history"].items()}
    state.seats = {k: list(v) for k, v in ev["seats"].items()}
    for ch in ev["channels"]:
        state.channels[ch["id"]] = dict(ch)
    state.phase = "setup"
