"""The game screen: one tab per job (briefing, dashboard, channels, proposals, orders, results) and,
for the facilitator, the control tab. Always visible: phase, time left, who is ready, connection.

The screen owns one ``GameClient``; a worker reads its frames and folds them into the model, then the
visible tab redraws. The composer's text lives in its ``Input`` and is never cleared by a reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import TYPE_CHECKING, Any, get_args

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Input,
    Label,
    ListItem,
    ListView,
    Markdown,
    Select,
    SelectionList,
    Static,
    TabbedContent,
    TabPane,
)
from textual.widgets.selection_list import Selection
from textual.widgets.tabbed_content import ContentTabs

from precursor.client import ClientError, CommandRefused, ConnectionLost, GameClient
from precursor.game.commands import Framing

from . import render
from .model import RESULT_TYPES, LiveGame
from .widgets import OrderList, WrapLog

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

FRAMINGS: tuple[str, ...] = get_args(Framing)  # the wire model is the one list
TABS = ("briefing", "dashboard", "channels", "proposals", "orders", "results")
SHOWN_MESSAGES = 20_000  # the newest messages of a channel drawn in its log (the log keeps as many lines)


def _message_line(msg: dict[str, Any]) -> str:
    who = f"{(msg.get('team') or 'control').upper()} {msg.get('name', '')}".strip()
    return f"T{msg.get('turn', '?')} {who}: {msg.get('text', '')}"


TAB_FOCUS = {
    "briefing": "#brief-scroll",
    "dashboard": "#indicators",
    "channels": "#composer",
    "proposals": "#prop-table",
    "orders": "#order-list",
    "results": "#result-log",
    "control": "#f-pause",
}


class GameScreen(Screen[None]):
    BINDINGS = [
        Binding("f1,question_mark", "app.push_screen('help')", "Help"),
        # digits when not typing; F2-F8 work from inside a text field too
        Binding("1,f2", "tab('briefing')", "Brief", show=False),
        Binding("2,f3", "tab('dashboard')", "Dash", show=False),
        Binding("3,f4", "tab('channels')", "Chan", show=False),
        Binding("4,f5", "tab('proposals')", "Props", show=False),
        Binding("5,f6", "tab('orders')", "Orders", show=False),
        Binding("6,f7", "tab('results')", "Results", show=False),
        Binding("7,f8", "tab('control')", "Control", show=False),
        Binding("escape", "leave_field", "Leave field", show=False),
        Binding("ctrl+r", "ready", "Ready"),
        Binding("ctrl+s", "submit_orders", "Submit orders"),
        Binding("ctrl+p", "command_palette", "Commands"),
        Binding("ctrl+y", "replay", "Replay", show=False),
    ]
    CSS = """
    #status { height: 1; background: $boost; }
    #notice { height: auto; max-height: 3; color: $warning; display: none; }
    #tabs { height: 1fr; }
    #tabs > ContentSwitcher { height: 1fr; }
    #tabs TabPane { height: 1fr; padding: 0 1; }
    #brief-scroll { height: 1fr; }
    #indicators { height: 1fr; }
    #chan-list { width: 26; height: 1fr; }
    #messages { height: 1fr; }
    #composer { height: 3; }
    #order-list { height: 1fr; }
    #order-info { height: auto; max-height: 8; }
    #prop-table { height: 1fr; }
    .row { height: auto; }
    .row Input { width: 1fr; }
    .row Button { width: auto; min-width: 10; }
    #scoreline { height: auto; }
    """

    def __init__(self, rb: Rulebook, url: str, game_id: str, token: str) -> None:
        super().__init__()
        self.rb, self.url, self.game_id, self.token = rb, url, game_id, token
        self.model = LiveGame()
        self.client: GameClient | None = None
        self._order_choice: list[str] = []
        self._counter_to: str | None = None
        self._results_seq = 0  # the last event whose why card is in the results log
        self._results_turn = 0  # the turn whose heading is the last in the results log
        self._chan_ids: list[str] = []  # the channel list's items, in order
        self._chan_rebuild_pending = False
        self._shown: dict[str, str] = {}  # text last drawn per widget, to skip unchanged updates
        self._pending_lines: list[str] = []  # live messages not yet written to the log
        self._flush_pending = False
        self._reshow_pending = False
        self._view_requests = 0

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(" connecting…", id="status")
        yield Static("", id="notice")
        with TabbedContent(id="tabs"):
            with TabPane("1 Briefing", id="briefing"), VerticalScroll(id="brief-scroll"):
                yield Markdown("", id="brief")
            with TabPane("2 Dashboard", id="dashboard"), Vertical():
                yield Static("", id="scoreline")
                yield DataTable(id="indicators", zebra_stripes=True, cursor_type="row")
            with TabPane("3 Channels", id="channels"), Horizontal():
                yield ListView(id="chan-list")
                with Vertical():
                    yield WrapLog(id="messages", max_lines=SHOWN_MESSAGES)
                    yield Input(placeholder="write to this channel, Enter sends", id="composer")
            with TabPane("4 Proposals", id="proposals"), Vertical():
                yield DataTable(id="prop-table", cursor_type="row")
                with Horizontal(classes="row"):
                    yield Button("Accept", id="accept")
                    yield Button("Reject", id="reject")
                    yield Button("Withdraw", id="withdraw")
                    yield Button("Counter", id="counter")
                yield Static("", id="agreements")
                yield Label("New proposal: parties (us,mx) and clauses (team:lever k=v [if condition]; …)")
                with Horizontal(classes="row"):
                    yield Input(placeholder="us,mx", id="prop-parties")
                    yield Input(
                        placeholder="mx:mx_plan_1; us:us_san_2 states=1 if mx.st < 60", id="prop-clauses"
                    )
                with Horizontal(classes="row"):
                    yield Select[str](
                        [("private", "private"), ("public", "public")],
                        id="prop-vis",
                        value="private",
                        allow_blank=False,
                    )
                    yield Select[str](
                        [(f.replace("_", " "), f) for f in FRAMINGS],
                        id="prop-framing",
                        value="none",
                        allow_blank=False,
                    )
                    yield Button("Propose", id="propose")
                yield Static("", id="prop-preview")
            with TabPane("5 Orders", id="orders"), Vertical():
                yield Static("", id="order-info")
                yield OrderList(id="order-list")
                with Horizontal(classes="row"):
                    yield Button("Submit orders (ctrl+s)", id="submit", variant="primary")
                    yield Button("Ready (ctrl+r)", id="ready")
            with TabPane("6 Results", id="results"):
                yield WrapLog(id="result-log", max_lines=5000)
            with TabPane("7 Control", id="control"), VerticalScroll():
                yield Label("Phase clock")
                with Horizontal(classes="row"):
                    yield Button("Pause", id="f-pause")
                    yield Button("Resume", id="f-resume")
                    yield Button("+60 s", id="f-extend")
                    yield Button("Advance phase", id="f-advance", variant="warning")
                yield Label("Injects")
                with Horizontal(classes="row"):
                    yield Select[str]([], id="f-inject", prompt="scenario deck")
                    yield Button("Release", id="f-release")
                with Horizontal(classes="row"):
                    yield Input(placeholder="custom inject title", id="f-title")
                    yield Input(placeholder="text players read", id="f-text")
                    yield Button("Release custom", id="f-custom")
                yield Label("Override a value (key=value note)")
                with Horizontal(classes="row"):
                    yield Input(placeholder="us.approval=45 poll correction", id="f-override")
                    yield Button("Override", id="f-do-override")
                yield Label("Seats: bot or human")
                with Horizontal(classes="row"):
                    yield Select[str](
                        [(t.upper(), t) for t in ("us", "mx", "cn", "ca")], id="f-team", prompt="team"
                    )
                    yield Select[str]([], id="f-persona", prompt="persona (blank = humans)")
                    yield Button("Set", id="f-set")
                yield DataTable(id="f-players", cursor_type="row")
                yield Button("Remove selected player", id="f-remove", variant="error")
                yield Label("True values and what each team sees")
                yield DataTable(id="f-truth")
                yield Label("Orders (all teams, once locked) and bot reasons")
                yield WrapLog(id="f-orders", max_lines=5000)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#indicators", DataTable).add_columns("indicator", "value", "trend", "as seen")
        self.query_one("#prop-table", DataTable).add_columns("id", "from", "parties", "status", "clauses")
        self.query_one("#f-players", DataTable).add_columns("player", "name", "team", "seat", "state")
        self.query_one("#f-truth", DataTable).add_columns("indicator", "true", "US", "MX", "CN", "CA")
        self.set_interval(1.0, self._tick)
        self.connect()

    # ------------------------------------------------------------------ network

    @work(exclusive=True, group="net")
    async def connect(self) -> None:
        self.client = GameClient(self.url, self.game_id, self.token, backoff=(0.2, 5.0))
        try:
            await self.client.start()
        except ClientError as exc:
            if exc.code != "timeout":  # a refused seat: nothing to retry
                self.notice(f"cannot join: {exc.message}")
                await self.client.close()
                return
            # the server is down or slow: the client keeps trying in the background
            self.notice("the server does not answer yet — still trying")
            self.model.connection = "lost"
            self._status()
        loop = asyncio.get_running_loop()
        busy_since = loop.time()
        async for frame in self.client.frames():
            self._on_frame(frame)
            # a burst of queued frames never waits inside frames(): give the screen a turn every
            # 20 ms of work, so it repaints and takes keys while thousands of events arrive
            if loop.time() - busy_since > 0.02:
                await asyncio.sleep(0)
                busy_since = loop.time()

    def _on_frame(self, frame: dict[str, Any]) -> None:
        t = frame.get("type")
        m = self.model
        if t == "welcome":
            m.welcome(frame)
            self.redraw_all()
            if m.role != "facilitator":
                with contextlib.suppress(Exception):
                    self.query_one("#tabs", TabbedContent).hide_tab("control")
        elif t == "event":
            ev = frame["event"]
            self._on_event(frame["seq"], ev, m.apply(frame["seq"], ev))
        elif t == "connection":
            m.connection = "lost" if frame["state"] in ("lost", "closed") else "connected"
            if frame["state"] == "closed":
                self.notice(f"the server closed this seat ({frame.get('error', '')})")
            elif frame["state"] == "connected":
                self.notice("")
            self._status()
        elif t == "view":
            m.set_view(frame["view"], frame["seq"], frame.get("session"))
            self.redraw_all()
        elif t == "status":
            if "presence" in frame:
                self.model.presence = dict(frame["presence"])
                self._control()
            if frame.get("message"):
                self.notice(frame["message"])
        elif t == "error":
            self.notice(f"{frame.get('code')}: {frame.get('message')}")

    def _on_event(self, seq: int, ev: dict[str, Any], fresh: bool) -> None:
        """Draw one event. ``fresh`` is False for an event the model already held (the server replays
        the events after the resume point, and the welcome's view covers them): drawing it again would
        show a message twice."""
        t = ev["type"]
        if t in RESULT_TYPES and seq > self._results_seq:
            self._results_seq = seq
            try:
                card = render.why_card(ev)
            except Exception as exc:  # a shape the card does not know must not take the client down
                card = f"[{t}] (cannot show this outcome: {type(exc).__name__})"
            log = self.query_one("#result-log", WrapLog)
            turn = ev.get("turn")
            if isinstance(turn, int) and turn > self._results_turn:
                self._results_turn = turn
                log.write(f"══ turn {turn} ══")
            log.write(card)
        if not fresh:
            if t == "message" and self.model.backfilled:  # an older message the view did not hold
                self.model.backfilled = False
                if ev["channel"] == self.model.active_channel and not self._reshow_pending:
                    self._reshow_pending = True
                    self.call_later(self._show_channel)
            return
        if t == "message":
            if ev["channel"] == self.model.active_channel:
                self._write_message(ev)
            self._channel_label(ev["channel"])
        elif t == "channel_opened":
            self._channels()
        elif t in ("proposal", "proposal_response", "proposal_closed", "agreement"):
            self._proposals()
        elif t == "phase":
            self.refresh_view()
        elif t in ("note", "orders_submitted", "session"):
            self._control()
            if t == "orders_submitted" and ev.get("team") == self.model.team:
                self._order_info()
        self._status()

    @work(group="refresh")
    async def refresh_view(self) -> None:
        """Ask for a fresh view (the orders phase brings the lever list). The request carries an id the
        client library does not wait on, so the answer comes out of ``frames()`` in its place among the
        events and is folded there (``_on_frame``): events before it are in the view, events after it
        are applied on top. (``GameClient.refresh()`` hands the view over beside the event stream, and
        events read after it but not yet drawn were then taken as already covered, and lost.)"""
        if self.client is None:
            return
        self._view_requests += 1
        with contextlib.suppress(ClientError, OSError):
            await self.client.send_raw(json.dumps({"type": "view", "id": f"ui-view-{self._view_requests}"}))

    async def send(self, command: dict[str, Any], done: str = "") -> bool:
        if self.client is None or not self.client.connected.is_set():
            # say so at once rather than wait for a connection inside a key handler
            self.notice("not sent: the connection is down (your text is kept; try again when online)")
            return False
        try:
            await self.client.send(command)
        except CommandRefused as exc:
            self.notice(f"refused — {exc.code}: {exc.message}")
            return False
        except (ConnectionLost, TimeoutError):
            self.notice("not sent: the connection is down (your text is kept; try again when online)")
            return False
        if done:
            self.notice(done)
        return True

    # ------------------------------------------------------------------ drawing

    def notice(self, text: str) -> None:
        w = self.query_one("#notice", Static)
        w.update(text)
        w.display = bool(text)

    def _tick(self) -> None:
        self._status()

    def _status(self) -> None:
        self._set_text("#status", render.status_line(self.model))

    def _set_text(self, selector: str, text: str) -> None:
        """Update a Static only when its text changes (an update costs a layout pass)."""
        if self._shown.get(selector) != text:
            self._shown[selector] = text
            self.query_one(selector, Static).update(text)

    def redraw_all(self) -> None:
        self._status()
        self.query_one("#brief", Markdown).update(render.briefing_markdown(self.model, self.rb))
        self._dashboard()
        self._channels(full=True)
        self._proposals()
        self._orders()
        self._control()

    def _dashboard(self) -> None:
        self.query_one("#scoreline", Static).update(render.score_text(self.model))
        table = self.query_one("#indicators", DataTable)
        table.clear()
        for row in render.indicator_rows(self.model):
            table.add_row(*row)

    def _channels(self, full: bool = False) -> None:
        """Update the channel list's labels (unread counts); rebuild it only when the channels change."""
        lv = self.query_one("#chan-list", ListView)
        chans = self.model.view.get("channels", [])
        if [c["id"] for c in chans] != self._chan_ids or len(lv.children) != len(chans):
            if not self._chan_rebuild_pending:
                self._chan_rebuild_pending = True
                self.call_later(self._rebuild_channels)
        else:
            for c in chans:
                self._channel_label(c["id"])
        if full:
            self._show_channel()

    def _channel_label(self, cid: str) -> None:
        """Redraw one channel's entry (its unread count), if it is drawn and its text changed."""
        lv = self.query_one("#chan-list", ListView)
        if cid not in self._chan_ids or len(lv.children) != len(self._chan_ids):
            return
        i = self._chan_ids.index(cid)
        text = self._chan_label(self.model.view["channels"][i])
        if self._shown.get(f"chan:{cid}") != text:
            self._shown[f"chan:{cid}"] = text
            lv.children[i].query_one(Label).update(text)

    async def _rebuild_channels(self) -> None:
        # removing list items is asynchronous: wait for it, or old and new items mix for a moment
        self._chan_rebuild_pending = False
        lv = self.query_one("#chan-list", ListView)
        chans = list(self.model.view.get("channels", []))
        await lv.clear()
        await lv.extend([ListItem(Label(self._chan_label(c))) for c in chans])
        self._chan_ids = [c["id"] for c in chans]
        self._shown.update({f"chan:{c['id']}": self._chan_label(c) for c in chans})
        if self.model.active_channel in self._chan_ids:
            lv.index = self._chan_ids.index(self.model.active_channel)

    def _chan_label(self, c: dict[str, Any]) -> str:
        n = self.model.unread.get(c["id"], 0)
        mark = "▶ " if c["id"] == self.model.active_channel else "  "
        return f"{mark}{c['name'][:18]}" + (f" ({n})" if n else "")

    def _show_channel(self) -> None:
        """Draw the active channel from the model: one write for the whole history (a write per line
        costs a layout pass and a scroll request each: seconds for 10,000 lines)."""
        self._reshow_pending = False
        self._pending_lines.clear()
        log = self.query_one("#messages", WrapLog)
        log.clear()
        log.add_lines(
            _message_line(m) for m in self.model.messages.get(self.model.active_channel, [])[-SHOWN_MESSAGES:]
        )

    def _write_message(self, msg: dict[str, Any]) -> None:
        """Queue one live message for the log; the queue is written in one go on the screen's next
        turn, so a burst of messages costs one write."""
        self._pending_lines.append(_message_line(msg))
        if not self._flush_pending:
            self._flush_pending = True
            self.call_later(self._flush_messages)

    def _flush_messages(self) -> None:
        self._flush_pending = False
        if self._pending_lines:
            self.query_one("#messages", WrapLog).add_lines(self._pending_lines)
            self._pending_lines.clear()

    def _proposals(self) -> None:
        table = self.query_one("#prop-table", DataTable)
        table.clear()
        for p in self.model.proposals.values():
            clauses = "; ".join(f"{c['actor']}:{c['lever']}" for c in p.get("clauses", []))
            parties = ",".join(p.get("parties", []))
            status = p.get("status", "open")
            if status == "open" and p.get("accepted"):
                status += " ✓" + ",".join(t.upper() for t in p["accepted"])
            table.add_row(p["id"], p.get("from", "").upper(), parties, status, clauses[:60], key=p["id"])
        self.query_one("#agreements", Static).update(render.agreements_text(self.model))

    def _orders(self) -> None:
        m = self.model
        sl = self.query_one("#order-list", SelectionList)
        sl.clear_options()
        levers = m.view.get("levers", [])
        for lv in levers:
            sl.add_option(
                Selection(
                    render.lever_label(lv, self.rb),
                    lv["id"],
                    lv["id"] in self._order_choice,
                    disabled=not lv["available"],
                )
            )
        self._order_info()

    def _order_info(self) -> None:
        m = self.model
        if m.phase != "orders" or not m.team:
            text = "Orders are given in the orders phase." if m.team else "Only team seats give orders."
        else:
            pc = m.view.get("pc", {}).get(m.team, 0)
            chosen = list(self.query_one("#order-list", SelectionList).selected)
            costs = {lv["id"]: lv.get("cost") or 0 for lv in m.view.get("levers", [])}
            spent = sum(costs.get(c, 0) for c in chosen)
            mine = [k for k in m.orders if k.startswith(m.team + "/")]
            text = f"Budget {render.number(pc)} PC · selected {spent:g} PC · left {pc - spent:g}"
            text += " · SUBMITTED" if mine else ""
            warns = render.order_warnings(m, self.rb, chosen)
            if spent > pc:
                warns.insert(0, "! over budget")
            if warns:
                text += "\n" + "\n".join(warns)
        self.query_one("#order-info", Static).update(text)

    def _control(self) -> None:
        m = self.model
        if m.role != "facilitator":
            return
        inj = self.query_one("#f-inject", Select)
        sid = m.view.get("scenario", {}).get("id")
        sc = self.rb.scenarios.get(sid) if sid else None
        if sc is not None and not getattr(self, "_inject_loaded", False):
            inj.set_options([(f"{i.title[:40]}", i.id) for i in sc.injects if i.deck])
            personas = sorted(self.rb.personas)
            self.query_one("#f-persona", Select).set_options([(p, p) for p in personas])
            self._inject_loaded = True
        players = self.query_one("#f-players", DataTable)
        players.clear()
        for p in m.session.players.values():
            conns = m.presence.get(p.player_id, 0)
            state = "removed" if p.removed else f"online ({conns})" if conns else "offline"
            players.add_row(
                p.player_id, p.name, (p.team or "obs").upper(), p.seat or "", state, key=p.player_id
            )
        truth = self.query_one("#f-truth", DataTable)
        truth.clear()
        seen = m.view.get("as_seen", {})
        for ind in m.view.get("indicators", [])[:60]:
            row = [ind.get("name", ind["id"])[:34], render.number(ind.get("value"))]
            for t in ("us", "mx", "cn", "ca"):
                v = seen.get(t, {}).get(ind["id"])
                row.append("hidden" if v is None else render.number(v))
            truth.add_row(*row)
        log = self.query_one("#f-orders", WrapLog)
        log.clear()
        for key, o in m.orders.items():
            log.write(f"{key}: " + ", ".join(x.get("lever", "?") for x in o.get("orders", [])))
        for n in m.notes[-30:]:
            log.write(f"[{n.get('team', '').upper()} bot] {n.get('decision', '')}: {n.get('text', '')}")

    # ------------------------------------------------------------------ actions

    @work(group="replay", exclusive=True)
    async def action_replay(self) -> None:
        """The facilitator steps through the game so far (the whole log is theirs to see)."""
        if self.model.role != "facilitator":
            self.notice("replay of a running game is for the facilitator; after the game: precursor replay")
            return
        from .replay import ReplayScreen

        events: list[dict[str, Any]] = []
        try:
            async with GameClient(self.url, self.game_id, self.token, since=0) as full:
                end = (await full.next_frame())["seq"]
                while len(events) < end:
                    f = await full.next_frame(10)
                    if f["type"] == "event":
                        events.append(f["event"])
        except (ClientError, TimeoutError) as exc:
            self.notice(f"replay: could not fetch the log ({exc})")
            return
        self.app.push_screen(ReplayScreen(self.rb, events))

    def action_tab(self, tab: str) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        if tab == "control" and self.model.role != "facilitator":
            return
        # leave the old pane first: a focused widget left in a hidden pane pulls its tab back
        # (F2…F8 pressed in the composer used to bounce straight back to the channels tab)
        tabs.query_one(ContentTabs).focus()
        tabs.active = tab
        # then put the focus where the keys are useful: arrows scroll, Enter sends, space ticks
        self.query_one(TAB_FOCUS[tab]).focus()

    def action_leave_field(self) -> None:
        """Esc: out of a text field onto the tab bar, so the digit keys switch tabs again."""
        self.query_one("#tabs", TabbedContent).query_one(ContentTabs).focus()

    async def action_ready(self) -> None:
        await self.send({"type": "ready"}, "ready — waiting for the others")

    async def action_submit_orders(self) -> None:
        chosen = list(self.query_one("#order-list", SelectionList).selected)
        ok = await self.send({"type": "submit_orders", "orders": [{"lever": c} for c in chosen]})
        if ok:
            self.notice(f"orders submitted: {', '.join(chosen) or 'none (hold)'}")

    @on(SelectionList.SelectedChanged, "#order-list")
    def _orders_changed(self) -> None:
        self._order_choice = list(self.query_one("#order-list", SelectionList).selected)
        self._order_info()

    @on(ListView.Selected, "#chan-list")
    def _pick_channel(self, event: ListView.Selected) -> None:
        idx = event.index
        if idx is not None and 0 <= idx < len(self._chan_ids):
            self.model.open_channel(self._chan_ids[idx])
            self._channels()
            self._show_channel()
            self.query_one("#composer", Input).focus()

    @on(Input.Submitted, "#composer")
    async def _say(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        sent = await self.send({"type": "message", "channel": self.model.active_channel, "text": text})
        if sent and event.input.value.strip() == text:  # cleared only once the server has it
            event.input.value = ""

    @on(Input.Changed, "#prop-clauses")
    @on(Input.Changed, "#prop-parties")
    def _preview(self) -> None:
        try:
            cmd = self._proposal()
            cost = 0.0
            for c in cmd["clauses"]:
                lv = self.rb.levers[c["lever"]]
                with contextlib.suppress(Exception):
                    cost += float(lv.cost({**{f"param.{k}": v for k, v in c["params"].items()}}))
            moves = "; ".join(
                f"{c['lever']} → {render.effect_summary(self.rb, c['lever'], 3)}" for c in cmd["clauses"]
            )
            counter = f" (counter to {cmd['counter_to']})" if "counter_to" in cmd else ""
            text = f"ok: {len(cmd['clauses'])} clause(s){counter}; rough PC cost ≈ {cost:g}\n{moves}"
        except ValueError as exc:
            text = f"! {exc}"
        self.query_one("#prop-preview", Static).update(text)

    def _proposal(self) -> dict[str, Any]:
        parties = [p.strip() for p in self.query_one("#prop-parties", Input).value.split(",") if p.strip()]
        if len(parties) < 2 or any(p not in ("us", "mx", "cn", "ca") for p in parties):
            raise ValueError("parties: two or more of us, mx, cn, ca")
        clauses = []
        for part in self.query_one("#prop-clauses", Input).value.split(";"):
            part = part.strip()
            if not part:
                continue
            part, _, condition = part.partition(" if ")
            head, *kvs = part.split()
            actor, sep, lever = head.partition(":")
            if not sep or lever not in self.rb.levers:
                raise ValueError(f"'{head}': write team:lever with a known lever id")
            if self.rb.levers[lever].team != actor:
                raise ValueError(f"{lever} is held by {self.rb.levers[lever].team}, not {actor}")
            if actor not in parties:
                raise ValueError(f"{actor} acts in a clause but is not a party")
            params: dict[str, Any] = {}
            for kv in kvs:
                k, eq, v = kv.partition("=")
                if not eq:
                    raise ValueError(f"parameter '{kv}': write name=value")
                if k not in self.rb.levers[lever].params:
                    raise ValueError(
                        f"{lever} has no parameter '{k}' (has {', '.join(self.rb.levers[lever].params)})"
                    )
                params[k] = json.loads(v) if v.replace(".", "", 1).lstrip("-").isdigit() else v
            clause: dict[str, Any] = {"actor": actor, "lever": lever, "params": params}
            if condition.strip():
                clause["condition"] = condition.strip()
            clauses.append(clause)
        if not clauses:
            raise ValueError("add at least one clause")
        cmd: dict[str, Any] = {"type": "propose", "parties": parties, "clauses": clauses}
        vis = self.query_one("#prop-vis", Select).value
        framing = self.query_one("#prop-framing", Select).value
        cmd["visibility"] = vis if isinstance(vis, str) else "private"
        cmd["framing"] = framing if isinstance(framing, str) else "none"
        if self._counter_to and self._counter_to in self.model.proposals:
            cmd["counter_to"] = self._counter_to
        return cmd

    @on(Button.Pressed)
    async def _button(self, event: Button.Pressed) -> None:
        bid = event.button.id or ""
        table = self.query_one("#prop-table", DataTable)
        selected = None
        if table.row_count:
            with contextlib.suppress(Exception):
                selected = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        if bid in ("accept", "reject", "withdraw"):
            if selected:
                await self.send(
                    {"type": "respond", "proposal": selected, "action": bid}, f"{bid}: {selected}"
                )
        elif bid == "counter":
            p = self.model.proposals.get(selected or "")
            if p is None:
                self.notice("select a proposal to counter")
                return
            self._counter_to = p["id"]
            self.query_one("#prop-parties", Input).value = ",".join(p.get("parties", []))
            self.query_one("#prop-clauses", Input).value = "; ".join(
                f"{c['actor']}:{c['lever']}"
                + "".join(f" {k}={v}" for k, v in (c.get("params") or {}).items())
                for c in p.get("clauses", [])
            )
            self.query_one("#prop-clauses", Input).focus()
            self.notice(f"countering {p['id']}: edit the clauses, then Propose")
        elif bid == "propose":
            try:
                cmd = self._proposal()
            except ValueError as exc:
                self.notice(f"! {exc}")
                return
            if await self.send(cmd, "proposal tabled"):
                self._counter_to = None
        elif bid == "submit":
            await self.action_submit_orders()
        elif bid == "ready":
            await self.action_ready()
        elif bid.startswith("f-"):
            await self._facilitate(bid)

    async def _facilitate(self, bid: str) -> None:
        m = self.model
        if bid == "f-pause":
            await self.send({"type": "pause"}, "paused")
        elif bid == "f-resume":
            await self.send({"type": "resume"}, "resumed")
        elif bid == "f-extend":
            await self.send({"type": "extend", "seconds": 60}, "one more minute")
        elif bid == "f-advance":
            await self.send({"type": "advance", "turn": m.turn, "phase": m.phase}, "phase advanced")
        elif bid == "f-release":
            val = self.query_one("#f-inject", Select).value
            if isinstance(val, str):
                await self.send({"type": "release_inject", "inject": val}, "inject released")
        elif bid == "f-custom":
            title = self.query_one("#f-title", Input).value.strip()
            text = self.query_one("#f-text", Input).value.strip()
            if title and text:
                await self.send(
                    {"type": "release_inject", "custom": {"title": title, "text": text}}, "released"
                )
        elif bid == "f-do-override":
            raw = self.query_one("#f-override", Input).value.strip()
            head, _, note = raw.partition(" ")
            key, eq, value = head.partition("=")
            try:
                num = float(value)
            except ValueError:
                self.notice("! write key=value note, e.g. us.approval=45 poll correction")
                return
            if eq and note:
                await self.send({"type": "override", "key": key, "value": num, "note": note}, "overridden")
        elif bid == "f-set":
            team = self.query_one("#f-team", Select).value
            persona = self.query_one("#f-persona", Select).value
            if isinstance(team, str):
                p = persona if isinstance(persona, str) else None
                await self.send({"type": "set_controller", "team": team, "persona": p}, "seat controller set")
        elif bid == "f-remove":
            table = self.query_one("#f-players", DataTable)
            if table.row_count:
                pid = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
                await self.send({"type": "remove_player", "player": pid}, f"removed {pid}")

    async def on_unmount(self) -> None:
        if self.client is not None:
            await self.client.close()
            await asyncio.sleep(0)
