"""What the client knows about its game: the last view plus the events since, folded for the screens.

The server sends a view on connect (and on request) and then events in log order. Screens read this
model only; it never talks to the network, so it is tested without a server.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any, cast

from precursor.game.events import Event, LogEvent
from precursor.game.session import Session
from precursor.game.words import carried_out as carried_out

RESULT_TYPES = frozenset(
    {
        "effect",
        "order_executed",
        "order_failed",
        "orders_revealed",
        "statement",
        "election",
        "inject",
        "compliance",
        "agreement",
        "agreement_update",
        "review",
        "token",
        "turn_end",
        "score",
        "game_over",
        "fact",
        "free_action_resolved",
    }
)
# the white cell's events (docs/facilitation.md): folded into ``LiveGame.free_actions`` and ``positions``
WHITE_CELL = frozenset(
    {"free_action", "counter_argument", "free_action_ruling", "free_action_resolved", "position"}
)
# the events _fold_talk folds; every other type goes to _fold_turn
_TALK = frozenset(
    {
        "message",
        "channel_opened",
        "proposal",
        "proposal_response",
        "proposal_closed",
        "agreement_update",
        "agreement",
    }
)


@dataclass
class LiveGame:
    me: dict[str, Any] = field(default_factory=dict)  # role, team, seat, player_id
    view: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    turn: int = 0
    phase: str = ""
    ended: bool = False
    ready: dict[str, bool] = field(default_factory=dict)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    unread: dict[str, int] = field(default_factory=dict)
    active_channel: str = ""
    proposals: dict[str, dict[str, Any]] = field(default_factory=dict)
    agreements: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: list[dict[str, Any]] = field(default_factory=list)  # outcomes, newest last
    notes: list[dict[str, Any]] = field(default_factory=list)  # bot reasons (facilitator only)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    # orders a seat of this team refused (``order_refused``), each with its cost folded in from the
    # rule's ``effect`` ("changes", "before") once that arrives: the orders tab says who refused what
    refusals: list[dict[str, Any]] = field(default_factory=list)
    session: Session = field(default_factory=Session)
    connection: str = "connecting"
    presence: dict[str, int] = field(default_factory=dict)  # player id -> open connections (facilitator)
    backfilled: bool = False  # apply() filled in an older message the last view did not hold
    injects: list[dict[str, Any]] = field(default_factory=list)  # every inject seen, in log order
    # free actions by id, as tabled, with "counters", "ruling" and "resolved" folded in as they come
    free_actions: dict[str, dict[str, Any]] = field(default_factory=dict)
    positions: dict[str, dict[str, Any]] = field(default_factory=dict)  # each team's filed position
    log: list[dict[str, Any]] = field(default_factory=list)  # the events seen, newest last (capped)
    # the last event the log holds: on a reconnect the server replays the events after the resume
    # point, which the new view covers; they still belong in the log the end screen reads
    _logged: int = field(default=0, repr=False)
    _inject_seqs: set[int] = field(default_factory=set, repr=False)
    _message_ids: set[str] = field(default_factory=set, repr=False)

    @property
    def team(self) -> str | None:
        t = self.me.get("team")
        return str(t) if t else None

    @property
    def role(self) -> str:
        return str(self.me.get("role", "player"))

    def welcome(self, frame: dict[str, Any]) -> None:
        self.me = {k: frame.get(k) for k in ("role", "team", "seat", "player_id", "game_id")}
        if not self.view:  # the first welcome: the screen reads the log up to its view from the start
            self._logged = max(self._logged, int(frame["seq"]))
        self.set_view(frame["view"], frame["seq"], frame.get("session"))
        self.connection = "connected"

    def set_view(self, view: dict[str, Any], seq: int, session: dict[str, Any] | None = None) -> None:
        self.view = view
        self.seq = max(self.seq, seq)
        self.turn, self.phase, self.ended = view["turn"], view["phase"], view["ended"]
        self.ready = dict(view.get("ready", {}))
        self.messages = _merge_messages(self.messages, view.get("messages", []))
        self._message_ids = {str(m["id"]) for msgs in self.messages.values() for m in msgs if m.get("id")}
        for c in view.get("channels", []):
            self.messages.setdefault(c["id"], [])
        self.proposals = {p["id"]: p for p in view.get("proposals", [])}
        self.agreements = {a["id"]: a for a in view.get("agreements", [])}
        self.orders = dict(view.get("orders", {}))
        # this turn's refusals as the view tells them: a client that reconnects after them saw no event
        for r in view.get("refusals") or []:
            held = next((k for k in self.refusals if _same_refusal(k, r)), None)
            if held is None:
                self.refusals.append(dict(r))
            elif "changes" not in held and "changes" in r:
                held.update(changes=r["changes"], before=r.get("before") or {})
        # the white cell's state, if the view carries it (events after it are folded on top)
        for fa in view.get("free_actions") or []:
            if isinstance(fa, dict) and fa.get("id"):
                self.free_actions.setdefault(str(fa["id"]), {"counters": []}).update(fa)
        for team, pos in (view.get("positions") or {}).items():
            if isinstance(pos, dict):
                self.positions[str(team)] = pos
        if session is not None:
            self.session = Session.from_dict(session)
        if not self.active_channel and view.get("channels"):
            self.active_channel = view["channels"][0]["id"]

    def apply(self, seq: int, ev: LogEvent) -> bool:
        """Fold one event; False if the model already holds it (a view at or after ``seq`` covers it,
        as after a reconnect, when the server replays the events after the resume point)."""
        if seq <= self.seq and self.view:
            if ev["type"] == "message":
                self._backfill(ev)
            if seq > self._logged:  # replayed after a reconnect: the view has it, the log did not
                self._record(seq, ev)
            return False
        self.seq = seq
        t = ev["type"]
        # a logged event as this client may see it: the engine's vocabulary, so mypy checks the fields read
        # below; the model keeps the received dicts themselves (``ev``), as the screens read them
        e = cast(Event, ev)
        if t in WHITE_CELL:
            self._fold_white_cell(ev)
        elif t in _TALK:
            self._fold_talk(e, ev)
        else:
            self._fold_turn(e, ev)
        self._record(seq, ev)
        if t == "inject":
            self.add_inject(ev)
        if t == "game_over":
            self.ended = True
        return True

    def _record(self, seq: int, ev: LogEvent) -> None:
        """Keep an event in the log (whole: the console replays it to rank inject templates, the end
        screen reads the team's orders from it) and an outcome among the results."""
        self._logged = max(self._logged, seq)
        self.log.append(ev)
        if ev["type"] in RESULT_TYPES:
            self.results.append(ev)
            self.results = self.results[-2000:]

    def add_inject(self, ev: dict[str, Any]) -> bool:
        """Keep an inject (a live one, or one read from the log's start); False if already kept."""
        seq = int(ev.get("seq") or 0)
        if seq in self._inject_seqs:
            return False
        self._inject_seqs.add(seq)
        bisect.insort(self.injects, ev, key=lambda e: int(e.get("seq") or 0))
        return True

    def _fold_white_cell(self, ev: LogEvent) -> None:
        """Free actions, the arguments about them, their ruling and outcome, and positions. A ruling is
        the facilitator's alone to see; the outcome is everyone's, and makes a private action known."""
        t = ev["type"]
        if t == "position":
            self.positions[str(ev.get("team", ""))] = ev
            return
        if t == "free_action":
            fa = self.free_actions.setdefault(str(ev.get("id", "")), {})
            fa.update(ev)
            fa.setdefault("counters", [])
            return
        fid = str(ev.get("free_action", ""))
        fa = self.free_actions.setdefault(fid, {"id": fid, "counters": []})
        if t == "counter_argument":
            fa.setdefault("counters", []).append(ev)
        elif t == "free_action_ruling":
            fa["ruling"] = ev
        else:  # resolved: what a team that could not see the tabling learns of it
            fa["resolved"] = ev
            for k in ("turn", "team"):
                fa.setdefault(k, ev.get(k))
            fa.setdefault("title", ev.get("title") or fid)

    def _fold_talk(self, e: Event, ev: LogEvent) -> None:
        """Channels, messages, proposals and agreements: the same fold as the engine's state (state.py);
        tests/engine/test_events.py checks that the two agree for every audience."""
        if e["type"] == "message":
            ch = e["channel"]
            if e.get("id"):
                self._message_ids.add(e["id"])
            self.messages.setdefault(ch, []).append(ev)
            if ch != self.active_channel:
                self.unread[ch] = self.unread.get(ch, 0) + 1
        elif e["type"] == "channel_opened":
            chan: dict[str, Any] = ev.get("channel", ev)
            self.view.setdefault("channels", []).append(chan)
            self.messages.setdefault(chan["id"], [])
        elif e["type"] == "proposal":
            prop = e["proposal"]
            self.proposals[prop["id"]] = dict(prop)
        elif e["type"] == "proposal_response":
            p = self.proposals.get(e["proposal"])
            if p is not None:
                if e.get("action") == "accept":
                    p["accepted"] = sorted({*p.get("accepted", []), e.get("team", "?")})
                else:
                    p["status"] = "rejected" if e.get("action") == "reject" else "withdrawn"
                    # who closed it: a student's own "r" on a counter was told as "rejected before you
                    # answered it", and the proposal read "rejected" with no word of by whom (j23)
                    p["closed_by"] = e.get("team", "?")
                if e.get("reason"):
                    p.setdefault("reasons", {})[e.get("team", "?")] = e["reason"]
        elif e["type"] == "proposal_closed":
            p = self.proposals.get(e["proposal"])
            if p is not None and "status" in e:
                p["status"] = e["status"]
        elif e["type"] == "agreement_update":
            a = self.agreements.get(e.get("agreement", ""))
            if a is not None:
                a.update(e.get("update") or {})
            elif "parties" in (e.get("update") or {}):  # a leaked private deal: the whole of it, first seen
                self.agreements[str(e["agreement"])] = dict(e["update"])
        elif e["type"] == "agreement":
            a = ev.get("agreement", ev)
            if "id" in a:
                self.agreements[a["id"]] = a
                p = self.proposals.get(a.get("proposal", ""))
                if p is not None:
                    p["status"] = "signed"

    def _fold_turn(self, e: Event, ev: LogEvent) -> None:
        """Phases, readiness, this team's orders, the session, bot notes."""
        if e["type"] == "phase":
            self.turn, self.phase = e["turn"], e["phase"]
            self.ready = {}
            if e["phase"] == "briefing":
                self.orders = {}
        elif e["type"] == "ready":
            self.ready[e["seat_key"]] = e["ready"]
        elif e["type"] == "orders_submitted":
            self.orders[f"{e['team']}/{e.get('seat', '')}"] = ev
        elif e["type"] == "order_refused":
            self._fold_refusal(ev)
        elif e["type"] == "effect" and str(e.get("rule", "")).startswith("refusal."):
            self._refusal_cost(ev)
        elif e["type"] == "session":
            self.session.apply(ev)
        elif e["type"] == "note":
            self.notes.append(ev)

    def _fold_refusal(self, ev: LogEvent) -> None:
        """A refused order leaves the submission of the seat that gave it, as the engine's state does
        (state.py): the logged ``orders_submitted`` is the event the model holds, so it is copied, not
        changed. The order is no longer one to refuse either; the next view says what else still is."""
        lever = ev.get("lever")
        key = f"{ev.get('team')}/{ev.get('by_seat')}"
        sub = self.orders.get(key)
        if sub is not None:
            kept = [o for o in sub.get("orders") or [] if o.get("lever") != lever]
            self.orders[key] = {**sub, "orders": kept}
        if self.view.get("refusable"):
            self.view["refusable"] = [r for r in self.view["refusable"] if r.get("lever") != lever]
        self.refusals.append(dict(ev))

    def _refusal_cost(self, ev: LogEvent) -> None:
        """The price of a refusal comes as the ground's own ``effect`` right after it."""
        for r in reversed(self.refusals):
            if r.get("rule") == ev.get("rule") and r.get("lever") == ev.get("lever") and "changes" not in r:
                r["changes"], r["before"] = dict(ev.get("changes") or {}), dict(ev.get("before") or {})
                return

    def _backfill(self, ev: dict[str, Any]) -> None:
        """A message at or before the view's seq that the view did not hold: the view keeps only the
        newest messages, so after a long absence the resumed events bring the older ones."""
        mid = ev.get("id")
        if not mid or mid in self._message_ids:
            return
        self._message_ids.add(mid)
        bisect.insort(self.messages.setdefault(ev["channel"], []), ev, key=_message_key)
        self.backfilled = True

    def open_channel(self, cid: str) -> None:
        self.active_channel = cid
        self.unread[cid] = 0

    def ready_summary(self) -> str:
        """Who is ready, team by team; "all but you (ctrl+r)" when only this seat's team is not. In a
        solo game the bots are ready at once and ctrl+r ends the phase, so the team's own "·" never
        turned to "✓" and a student read the row as broken."""
        seats = self.view.get("seats", {})
        done = {t: bool(ss) and all(self.ready.get(f"{t}/{s}") for s in ss) for t, ss in seats.items()}
        if (
            self.team in done
            and not done[self.team]
            and len(done) > 1
            and all(v for t, v in done.items() if t != self.team)
        ):
            return "all but you (^r)"
        return " ".join(f"{t.upper()}{'✓' if v else '·'}" for t, v in done.items())


def _message_key(m: dict[str, Any]) -> tuple[int, str]:
    mid = str(m.get("id", ""))
    digits = mid[1:]
    return (int(digits) if digits.isdigit() else -1, mid)


def _merge_messages(
    known: dict[str, list[dict[str, Any]]], fresh: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """The view holds only the newest messages (the server caps it): keep what the client already
    had, add what the view brings, each message once (by id), in log order (ids are m1, m2, …)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for ch, msgs in known.items():
        out[ch] = list(msgs)
    seen = {m.get("id") for msgs in out.values() for m in msgs if m.get("id")}
    touched: set[str] = set()
    for m in fresh:
        if m.get("id") and m["id"] in seen:
            continue
        out.setdefault(m["channel"], []).append(m)
        touched.add(m["channel"])
    for ch in touched:
        out[ch].sort(key=_message_key)
    return out


def _same_refusal(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """One refusal told twice (its event, then a view): a lever is refused at most once a turn per team."""
    return all(a.get(k) == b.get(k) for k in ("team", "turn", "lever"))
