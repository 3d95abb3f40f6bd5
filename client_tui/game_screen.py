"""The game screen: one tab per job (briefing, dashboard, channels, proposals, orders, results) and,
for the facilitator, the control tab. Always visible: phase, time left, who is ready, connection.

The screen owns one ``GameClient``; a worker reads its frames and folds them into the model, then the
panes redraw from it. Each pane (``client_tui.panes``) turns what the user asks for into a typed command
carried by a message; the screen sends it and says how it went. What is typed in a channel lives in
its ``Input`` and is never cleared by a reconnect; the proposal composer is a window of its own that
stays open, draft and all, until the server has the proposal.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Input, Static, TabbedContent, TabPane, TextArea
from textual.widgets.tabbed_content import ContentTabs

from precursor.client import ClientError, CommandRefused, ConnectionLost, GameClient, read_log
from precursor.game.commands import Propose, Ready, SubmitOrders
from precursor.protocol import ViewRequest

from . import render, terms
from .model import WHITE_CELL, LiveGame
from .panes import (
    BriefingPane,
    ChannelsPane,
    ControlPane,
    DashboardPane,
    GameOverScreen,
    Notice,
    OrdersPane,
    ProposalsPane,
    ResultsLog,
    game_over_text,
)
from .panes.game_over import report_store
from .panes.proposals import to_answer
from .white_cell import (
    CounterScreen,
    FreeActionScreen,
    PositionScreen,
    counterable,
    position_problem,
    resolution_words,
    who_rules,
)
from .widgets import Confirm, KeyFooter

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

TABS = ("briefing", "dashboard", "channels", "proposals", "orders", "results")
TAB_FOCUS = {
    "briefing": "#brief-scroll",
    "dashboard": "#indicators",
    # the channel list, not the message box: `3` then `4` sent "4" to the other government; typing
    # starts in the box after Enter on a channel (or Tab), as an explicit step
    "channels": "#chan-list",
    "proposals": "#prop-table",
    "orders": "#order-list",
    "results": "#result-log",
    "control": "#f-pause",
}
NOT_SENT = "not sent: the connection is down (your text is kept; try again when online)"


# what the notice line says after Ready, until the phase ends
READY_WAITING = "ready — waiting for the others"
INJECT_NOTICE = "inject: "  # how the notice of injects just released begins
NOTICE_KEEP = 2.0  # seconds in which a notice that follows an inject's joins it rather than replaces it
# the answers to what the player just did stand alone, whatever came before them
UNJOINED = ("refused", "not sent", "! ")


def status_text(model: LiveGame) -> str:
    """The status line; once the game is over, in the end screen's words. "GAME OVER June 2023" sat
    beside the last results, dated 2023-07-01, and read as a month that went backwards; the end
    screen says the game "ended June 2023". Nor is there a deadline or anyone to wait for any more:
    the line says where the debrief is instead."""
    text = render.status_line(model)
    if not model.ended:
        return text
    who, *_, conn = text.split(" │ ")
    return f"{who} │ GAME OVER, ended {render.ended_month(model)} │ ctrl+g shows the debrief │ {conn}"


def _exact_values(view: dict[str, Any]) -> dict[str, float | bool]:
    """The dashboard's values that are the true ones now (no estimate, no reporting lag), by id. A
    yes/no value stays one: made a number, the results read "A trilateral meeting is held this turn
    yes → 1"."""
    out: dict[str, float | bool] = {}
    for i in view.get("indicators") or []:
        if (
            isinstance(i, dict)
            and not i.get("estimate")
            and not i.get("lag")
            and isinstance(i.get("value"), int | float)
        ):
            v = i["value"]
            out[str(i["id"])] = v if isinstance(v, bool) else float(v)
    return out


NARROW_TABS = 90  # a screen narrower than this counts the proposals to answer in fewer words


class GameScreen(Screen[None]):
    # F1 and the command palette are made from these (client_tui.help.game_keys): the tooltip is the
    # line F1 shows, the description the palette's title
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help", tooltip="this help"),
        # digits when not typing; F2-F8 work from inside a text field too
        Binding("1,f2", "tab('briefing')", "Briefing", show=False, tooltip="the briefing tab"),
        Binding("2,f3", "tab('dashboard')", "Dashboard", show=False, tooltip="the dashboard tab"),
        Binding("3,f4", "tab('channels')", "Channels", show=False, tooltip="the channels tab"),
        Binding("4,f5", "tab('proposals')", "Proposals", show=False, tooltip="the proposals tab"),
        Binding("5,f6", "tab('orders')", "Orders", show=False, tooltip="the orders tab"),
        Binding("6,f7", "tab('results')", "Results", show=False, tooltip="the results tab"),
        Binding(
            "7,f8",
            "tab('control')",
            "Facilitator control",
            show=False,
            tooltip="the control tab (facilitator only)",
        ),
        Binding(
            "escape",
            "leave_field",
            "Leave the text field",
            show=False,
            tooltip="leave a text field (the digits and letters are keys again)",
        ),
        # the page keys scroll the tab's text wherever the focus is (the tab bar at first): a student
        # pressed PageDown in the briefing and nothing moved until Tab had put the focus in the body
        Binding(
            "pagedown",
            "page('down')",
            "Page down",
            show=False,
            tooltip="scroll the briefing, the results or a channel's messages a page down",
        ),
        Binding("pageup", "page('up')", "Page up", show=False, tooltip="the same a page up"),
        Binding(
            "home",
            "page('home')",
            "Top",
            show=False,
            tooltip="the start of the briefing or the results (from the tab bar)",
        ),
        Binding(
            "end",
            "page('end')",
            "Bottom",
            show=False,
            tooltip="the end of the briefing or the results (from the tab bar)",
        ),
        Binding("ctrl+r", "ready", "Ready", tooltip="ready (the phase ends once every seat is ready)"),
        Binding(
            "ctrl+s",
            "submit_orders",
            "Submit orders",
            tooltip="submit the orders ticked in the orders tab (space ticks a lever)",
        ),
        Binding("ctrl+p", "command_palette", "Commands"),
        Binding(
            "ctrl+y", "replay", "Replay", show=False, tooltip="replay the game so far (facilitator only)"
        ),
        Binding(
            "ctrl+g",
            "debrief",
            "Debrief",
            show=False,
            tooltip="the debrief once the game is over (scores, objectives, your position and record)",
        ),
        # the white cell (docs/facilitation.md): letters, so they wait while a text field has the keys
        Binding(
            "f",
            "free_action",
            "Free action",
            show=False,
            # in a solo game there is no facilitator: the other teams' vote rules it (one line in F1)
            tooltip="table a free action (an act no lever offers): a facilitator or a team vote rules it",
        ),
        Binding(
            "k",
            "counter_argument",
            "Argue about a free action",
            show=False,
            tooltip="argue for or against another team's open free action",
        ),
        Binding(
            "w",
            "position",
            "File our position",
            show=False,
            tooltip="file your team's position (turn 1, before orders): goals, red lines, expectations",
        ),
        Binding(
            "h",
            "hot_wash",
            "Hot wash",
            show=False,
            tooltip="the hot wash after the last turn, the structured debrief (facilitator only)",
        ),
    ]
    CSS_PATH = [
        "game_screen.tcss",
        "panes/briefing.tcss",
        "panes/dashboard.tcss",
        "panes/channels.tcss",
        "panes/proposals.tcss",
        "panes/orders.tcss",
    ]

    def __init__(self, rb: Rulebook, url: str, game_id: str, token: str) -> None:
        super().__init__()
        self.rb, self.url, self.game_id, self.token = rb, url, game_id, token
        self.model = LiveGame()
        self.client: GameClient | None = None
        self.briefing = BriefingPane(self.model, rb, id="brief-scroll")
        self.dashboard = DashboardPane(self.model, rb)
        self.channels = ChannelsPane(self.model)
        self.proposals = ProposalsPane(self.model, rb, self.table_proposal)
        self.orders = OrdersPane(self.model, rb)
        self.results = ResultsLog(rb, id="result-log")
        self.results.free_actions = self.model.free_actions
        self.control = ControlPane(self.model, rb, self.try_send)
        self._status_shown: str | None = None  # the status line last drawn (an update costs a layout pass)
        self._proposals_shown = "4 Proposals"  # the proposals tab's label as last set
        self._notice_text = ""  # what the notice line says now
        self._notice_at = 0.0  # when it was last set afresh (time.monotonic)
        # the proposal the notice line last reported an answer to, with the answer and the words shown
        self._answered: tuple[str, str, str] | None = None
        self._commits = ""  # what the acceptance in ``_answered`` commits the team to this turn
        # the last refusal as the server sent it (code, message): the notice line shows only the message
        self.last_refusal: tuple[str, str] | None = None
        self._view_requests = 0
        self._history_read = False  # the injects released before this screen connected are read once
        self._end_shown = False  # the debrief comes up once, when the game is over
        self._fa_draft: dict[str, Any] = {}  # the free action being written, kept across the window
        self._position_asked = False  # the prompt to file a position, once
        # outcomes that arrive while the log's start is read (None once it is): the results tab shows
        # the turns before this screen connected first, in log order, then these
        self._results_waiting: list[tuple[int, dict[str, Any]]] | None = []

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        # text from other people and from the server is shown as typed: these widgets parse no markup
        yield Static(" connecting…", id="status", markup=False)
        yield Static("", id="notice", markup=False)
        with TabbedContent(id="tabs"):
            with TabPane("1 Briefing", id="briefing"):
                yield self.briefing
            with TabPane("2 Dashboard", id="dashboard"):
                yield self.dashboard
            with TabPane("3 Channels", id="channels"):
                yield self.channels
            with TabPane("4 Proposals", id="proposals"):
                yield self.proposals
            with TabPane("5 Orders", id="orders"):
                yield self.orders
            with TabPane("6 Results", id="results"):
                yield self.results
            with TabPane("7 Control", id="control"):
                yield self.control
        yield KeyFooter()

    def on_mount(self) -> None:
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
            self.results.team = m.team
            self.redraw_all()
            if not self._history_read:
                self._history_read = True
                self.read_history()
            self._show_end()
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
            if self._results_waiting is None:  # the log has every card the view covers
                self.results.settle(_exact_values(m.view))
            self.redraw_all()
            self._show_end()
        elif t == "status":
            if "presence" in frame:
                self.model.presence = dict(frame["presence"])
                self.control.show()
            if frame.get("message"):
                self.notice(frame["message"])
        elif t == "error":
            self.notice(f"{frame.get('code')}: {frame.get('message')}")

    def _phase_began(self, ev: dict[str, Any]) -> None:
        """What a new phase resets: the orders tab (nothing orderable until the view with the levers
        comes), and the briefing's scroll on a new turn: it kept the last turn's, mid-scenario text, and
        a student never saw turn 2's injects there."""
        if ev.get("type") != "phase":
            return
        if ev.get("phase") == "orders":
            self.orders.show()
        elif ev.get("phase") == "briefing":
            self.call_after_refresh(self.briefing.scroll_home, animate=False)

    def _on_event(self, seq: int, ev: dict[str, Any], fresh: bool) -> None:
        """Draw one event. ``fresh`` is False for an event the model already held (the server replays
        the events after the resume point, and the welcome's view covers them): drawing it again would
        show a message twice."""
        t = ev["type"]
        self._add_result(seq, ev)
        if not fresh:
            if t == "message" and self.model.backfilled:  # an older message the view did not hold
                self.model.backfilled = False
                if ev["channel"] == self.model.active_channel:
                    self.channels.reshow_later()
            return
        if t == "message":
            if ev["channel"] == self.model.active_channel:
                self.channels.write_message(ev)
            self.channels.show_label(ev["channel"])
        elif t == "channel_opened":
            self.channels.show()
        elif t in ("proposal", "proposal_response", "proposal_closed", "agreement"):
            self.proposals.show()
            self._answer_notice()
            if t == "agreement":  # its promises are warned of above the orders list at once: a deal
                self.orders.show_info()  # accepted in the negotiation was missing there (student a20)
        elif t == "inject":
            self.briefing.show_injects()
            self.show_injects([ev])
        elif t in ("phase", "game_over"):  # the game over: a view with the objectives as they ended
            if self._notice_text == READY_WAITING:
                self.notice("")  # the phase the seat was ready in is over: nobody is waiting any more
            self._phase_began(ev)
            self.refresh_view()
            self._ask_position()
        elif t in WHITE_CELL:
            self.orders.show_info()  # the budget line holds a tabled free action's cost
            self.orders.show_white_cell()
            self.control.show()
            if t == "free_action_resolved" and ev.get("team") == self.model.team:
                self.notice(f"your free action: {resolution_words(self.rb, ev)} — the results tab (6) has it")
        elif t == "order_refused" or (t == "effect" and str(ev.get("rule", "")).startswith("refusal.")):
            self.orders.order_refused(ev)  # the order leaves the giver's ticks; its cost comes after
            self.control.show()
            if t == "order_refused":
                self.refresh_view()  # what else may still be refused, and the capital left
        elif t == "effect" and self.model.role == "facilitator":
            self.control.show()  # an override changes what the inject templates read
        elif t in ("note", "orders_submitted", "session"):
            self.control.show()
            if t == "orders_submitted" and ev.get("team") == self.model.team:
                self.orders.show_info()
                if len((self.model.view.get("seats") or {}).get(ev["team"], ())) > 1:
                    self.refresh_view()  # a split team: which of its orders another seat may refuse
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
        request = ViewRequest(id=f"ui-view-{self._view_requests}")
        with contextlib.suppress(ClientError, OSError):
            await self.client.send_raw(request.model_dump_json())

    @work(group="history", exclusive=True)
    async def read_history(self) -> None:
        """The injects released before this screen connected (a scenario's turn-1 injects come with
        the game itself, before anyone joins): read from the log's start on a second connection, up to
        a view asked for at once, which the server sends after the backlog. They go to the briefing
        tab, this turn's at its top (the tab a screen opens on); a notice names them."""
        fresh: list[dict[str, Any]] = []
        past: list[dict[str, Any]] = []  # the events the first view covered (suggestions read them)
        covered = self.model.seq
        try:
            async with GameClient(self.url, self.game_id, self.token, since=0) as history:
                await history.send_raw(ViewRequest(id="ui-history").model_dump_json())
                while True:
                    f = await history.next_frame(10)
                    if f.get("type") == "view" and f.get("id") == "ui-history":
                        break
                    ev = f.get("event") if f.get("type") == "event" else None
                    if ev is not None and ev.get("type") == "inject" and self.model.add_inject(ev):
                        fresh.append(ev)
                    if ev is not None and f["seq"] <= covered:  # before the view: not replayed live
                        past.append(ev)
                        if ev.get("type") in WHITE_CELL:
                            self.model._fold_white_cell(ev)
        except (ClientError, TimeoutError, OSError):
            await self._results_from([])  # the injects still reach the results tab as they are released
            return
        self.model.log[:0] = past
        await self._results_from(past)
        # the backlog is written in slices, so the app may have closed meanwhile (a test's app shut down
        # mid-backlog and the worker's NoMatches came back as a traceback): nothing left to show it on
        with contextlib.suppress(NoMatches):
            self.briefing.show_injects()
            self.orders.show_white_cell()
            self.control.show()
            self._injects_notice(fresh)
            self._ask_position()

    def _injects_notice(self, fresh: list[dict[str, Any]]) -> None:
        now = [str(ev.get("title") or ev.get("id")) for ev in fresh if ev.get("turn") == self.model.turn]
        if now and not self.model.ended:
            # the notice holds three lines: seven titles (Three Weeks' turn 1) filled them at 80 columns
            names = "; ".join(now) if len(now) <= 3 else f"{'; '.join(now[:2])} and {len(now) - 2} more"
            self.notice(f"this turn's injects: {names} — their cards are in the briefing tab (1)")

    def _add_result(self, seq: int, ev: dict[str, Any]) -> None:
        if self._results_waiting is None:
            self.results.add(seq, ev)
        else:
            self._results_waiting.append((seq, ev))

    async def _results_from(self, past: list[dict[str, Any]]) -> None:
        """The results tab from the log's start: the outcomes the first view covered, then those that
        came while the log was read. A seat taken (or a client opened) mid-game found the tab empty:
        the turns before it were in the view's figures but in no card. Written a few hundred cards at
        a time, so that a long game's backlog (the facilitator's holds every event) never freezes the
        screen; what arrives meanwhile waits its turn, to keep the log's order."""
        for i, ev in enumerate(past):
            self.results.add(int(ev.get("seq") or 0), ev)
            if i % 200 == 199:
                await asyncio.sleep(0)
        waiting, self._results_waiting = self._results_waiting or [], None
        for seq, ev in waiting:
            self.results.add(seq, ev)

    def _show_end(self) -> None:
        """Once the game is over (and a view shows how it ended), the debrief, once."""
        if self.model.ended and self.model.view.get("ended") and not self._end_shown:
            self._end_shown = True
            # a notice from before the end is stale by now: a student's line under the debrief still
            # read "the debrief comes at the end of the game"
            self.notice("the game is over: ctrl+g shows the debrief again")
            self.app.push_screen(GameOverScreen(self._debrief_text()))

    def _ask_position(self) -> None:
        """Before turn 1's orders, once: the team may file its position (goals, red lines, what it
        expects of the others), which the hot wash holds against its record."""
        m = self.model
        if self._position_asked or position_problem(m) is not None or m.team in m.positions:
            return
        self._position_asked = True
        ask = "before orders, file your team's position: press w (goals, red lines, expectations)"
        self.notice(f"{ask} · {self._notice_text}" if self._notice_text else ask)  # the ask is never cut

    def show_injects(self, injects: list[dict[str, Any]]) -> None:
        """Injects just released: a notice, and a card each over the screen (one window for all)."""
        if not injects:
            return
        titles = "; ".join(str(ev.get("title") or ev.get("id")) for ev in injects)
        self.notice(f"{INJECT_NOTICE}{titles} — the cards stay in the briefing tab (1)")
        if self.model.role == "facilitator":  # who released it, or sees the whole deck anyway
            return
        self.briefing.offer_cards(injects)  # over the screen, or waiting while the student types

    async def send(self, command: BaseModel, done: str = "") -> bool:
        refused = await self.try_send(command)
        if refused is not None:
            self.notice(refused)
            return False
        if done:
            self.notice(done)
        return True

    async def try_send(self, command: BaseModel) -> str | None:
        """Send a command; None once the server has it, else why not (in words for the notice line)."""
        if self.client is None or not self.client.connected.is_set():
            # say so at once rather than wait for a connection inside a key handler
            return NOT_SENT
        try:
            await self.client.send(command)
        except CommandRefused as exc:
            return self._refusal(exc)
        except (ConnectionLost, TimeoutError):
            return NOT_SENT
        return None

    def _refusal(self, exc: CommandRefused) -> str:
        """A refusal as a player reads it: the server's message, which says what was wrong in words. The
        code (``once_only``) means nothing to a student; the facilitator, who may have to explain it,
        sees it after the message, and the app's log keeps it for anyone debugging."""
        self.log.warning("command refused", code=exc.code, message=exc.message)
        self.last_refusal = (exc.code, exc.message)
        code = f" (code {exc.code})" if self.model.role == "facilitator" else ""
        return f"refused: {exc.message}{code}"

    async def table_proposal(self, command: Propose) -> str | None:
        """The composer's send: it stays open with the reason if the server refuses."""
        refused = await self.try_send(command)
        self.notice(refused or "proposal tabled")
        return refused

    # ------------------------------------------------------------------ drawing

    def notice(self, text: str) -> None:
        # an inject's notice is not replaced by one that comes with it: at a new turn "last turn's orders
        # … press l" came a moment after "inject: Beijing must answer the letter" and wiped it (walk 23)
        now = time.monotonic()
        if (
            text
            and not text.startswith(UNJOINED)
            and not text.startswith(INJECT_NOTICE)
            and self._notice_text.startswith(INJECT_NOTICE)
            and INJECT_NOTICE not in text
            and now - self._notice_at < NOTICE_KEEP
        ):
            text = f"{self._notice_text} · {text}"
        else:
            self._notice_at = now
        self._notice_text = text
        try:
            w = self.query_one("#notice", Static)
        except NoMatches:  # a frame read while the screen closes: nothing left to say it on
            return
        w.update(text)
        w.display = bool(text)

    def _tick(self) -> None:
        self._status()

    def _status(self) -> None:
        self._proposals_label()
        text = status_text(self.model)
        if text != self._status_shown:
            self._status_shown = text
            # one line, its height fixed in the CSS: no need to lay the screen out again
            self.query_one("#status", Static).update(text, layout=False)

    def on_resize(self) -> None:
        self._proposals_label()

    def _proposals_label(self) -> None:
        """The proposals tab counts the proposals this team has to answer ("4 Proposals (2 to answer)"):
        offers from bots stayed open for turns with nothing on screen to say they had come."""
        n = len(to_answer(self.model))
        # at 80 columns "(2 to answer)" made the tab bar scroll and cut "1 Briefing" to "iefing"
        # (students h19, k19): the short form fits beside the other five tabs
        said = f"{n} new" if self.size.width < NARROW_TABS else f"{n} to answer"
        label = f"4 Proposals ({said})" if n else "4 Proposals"
        if label != self._proposals_shown:
            with contextlib.suppress(NoMatches):
                self.query_one(TabbedContent).get_tab("proposals").label = label
                self._proposals_shown = label

    def redraw_all(self) -> None:
        self._status()
        self.briefing.show()
        self.dashboard.show()
        self.channels.show(full=True)
        self.proposals.show()
        self.orders.show()
        self.control.show()
        # a view can bring a proposal's answer before its events, which then come as already held and
        # are not drawn (one way "proposal tabled: T2-US-3 — open, waiting for Mexico to answer" can
        # stay up after the deal was signed, as student b26 saw in the orders phase)
        self._answer_notice()

    # ------------------------------------------------------------------ what the panes ask for

    @on(Notice)
    def _notice(self, message: Notice) -> None:
        self.notice(message.text)
        if message.proposal is not None:  # told again as the proposal moves (see _answer_notice)
            self._answered = (message.proposal, "tabled", self._notice_text)
            # and told from where it stands now: the pane wrote the line before a bot's answer came, the
            # answer's events were drawn before this message reached the screen, and "open, waiting
            # for United States to answer" stayed over a signed deal (China's student, turn 2)
            self._answer_notice()

    @on(ChannelsPane.Say)
    async def _say(self, message: ChannelsPane.Say) -> None:
        if await self.send(message.command):  # the composer is cleared only once the server has it
            message.pane.sent(message.command.text)

    @on(ProposalsPane.Answer)
    async def _answer(self, message: ProposalsPane.Answer) -> None:
        cmd = message.command
        if await self.send(cmd):
            self._answered = (cmd.proposal, cmd.action, "")
            self._commits = message.commits
            self._answer_notice(force=True)

    def _answer_notice(self, force: bool = False) -> None:
        """The notice line after an answer, told from where the proposal stands now and told again as
        that moves: "accept: T1-US-1" stayed up after the last party's acceptance signed the deal.
        Left alone once the line says something else."""
        if self._answered is None:
            return
        pid, action, shown = self._answered
        p = self.model.proposals.get(pid)
        if p is None or (not force and self._notice_text != shown):
            return
        did = {
            "accept": "you accepted",
            "reject": "you rejected",
            "withdraw": "you withdrew",
            "tabled": "proposal tabled:",
        }.get(action, action)
        text = f"{did} {pid} — {terms.proposal_status(self.model, self.rb, p)}"
        if action in ("reject", "withdraw") and p.get("closed_by") == self.model.team:
            text = f"{did} {pid}"  # "you rejected T1-CN-1 — rejected by United States" said it twice
        if action == "accept" and self._commits:  # slots and capital the deal takes: said, not silent
            text += f" · it {self._commits}"
        self.notice(text)
        # as the line reads (an inject's notice may lead it), so that the next move is told too
        self._answered = (pid, action, self._notice_text)

    @on(OrdersPane.Submit)
    async def _submit(self, message: OrdersPane.Submit) -> None:
        await self._submit_orders(message.command)

    @on(OrdersPane.Refuse)
    async def _refuse(self, message: OrdersPane.Refuse) -> None:
        await self.send(message.command, message.done)

    @on(OrdersPane.MarkReady)
    async def _mark_ready(self) -> None:
        await self.action_ready()

    @on(ControlPane.Op)
    async def _facilitate(self, message: ControlPane.Op) -> None:
        await self.send(message.command, message.done)

    async def _submit_orders(self, command: SubmitOrders) -> None:
        sent = await self.send(command)
        self.orders.refused = not sent
        if sent:
            self.notice(self._submitted(command))

    def _submitted(self, command: SubmitOrders) -> str:
        """What went in, in words: the orders by code with any parameters set, and the statement, which
        a submission may carry alone ("orders submitted: none (hold)" read as if nothing was sent)."""
        chosen = [
            (self.rb.levers[o.lever].code if o.lever in self.rb.levers else o.lever)
            + (f" ({render.params_words(self.rb, o.lever, dict(o.params))})" if o.params else "")
            for o in command.orders
        ]
        if command.statement is None:
            return f"orders submitted: {', '.join(chosen) or 'none (hold)'}"
        said = "public statement sent"
        return f"orders submitted: {', '.join(chosen)}; {said}" if chosen else f"{said}; no orders (hold)"

    # ------------------------------------------------------------------ actions

    @work(group="replay", exclusive=True)
    async def action_replay(self) -> None:
        """The facilitator steps through the game so far (the whole log is theirs to see)."""
        if self.model.role != "facilitator":
            self.notice("replay of a running game is for the facilitator; after the game: precursor replay")
            return
        from .replay import ReplayScreen

        try:
            events = await read_log(self.url, self.game_id, self.token)
        except (ClientError, TimeoutError) as exc:
            self.notice(f"replay: could not fetch the log ({exc})")
            return
        self.app.push_screen(ReplayScreen(self.rb, events))

    def action_free_action(self) -> None:
        """A free action: the form refuses there what the engine would, with the reason."""
        if not self.model.team:
            self.notice("free actions are tabled by a team's seat")
            return

        def done(tabled: bool | None) -> None:
            if tabled:
                # who rules, as the form said: "the facilitator" in a solo game, where the computer does
                public = self._fa_draft.get("visibility") != "private"
                ruler = who_rules(self.model, self.rb, public)
                self._fa_draft.clear()  # the next one starts blank
                self.notice(f"free action tabled — ruled by {ruler}; the orders tab (5) shows it")
            elif self._fa_draft_written():
                # the draft was kept, silently: a student who closed the form with Esc thought it lost
                self.notice("free action not tabled; your draft is kept — f opens it again")

        self.app.push_screen(FreeActionScreen(self.model, self.rb, self.try_send, self._fa_draft), done)

    def _fa_draft_written(self) -> bool:
        """Whether the free action's draft holds anything typed or picked (the visibility alone, which
        the form always sets, is not a draft)."""
        d = self._fa_draft
        return any(str(d.get(k) or "").strip() for k in ("title", "description", "argument")) or bool(
            d.get("effects")
        )

    def action_counter_argument(self) -> None:
        if not counterable(self.model):
            self.notice("no other team's free action is open to argue about this turn")
            return

        def done(sent: bool | None) -> None:
            if sent:
                self.notice("argument sent — the facilitator reads it before ruling")

        self.app.push_screen(CounterScreen(self.model, self.rb, self.try_send), done)

    def action_position(self) -> None:
        problem = position_problem(self.model)
        if problem is not None:
            # a letter typed after Esc left the composer lands here: say why nothing opens, rather
            # than open a form the server refuses (and take the rest of the sentence into it)
            self.notice(f"w: {problem} (now turn {self.model.turn}, {self.model.phase or 'before the game'})")
            return

        def done(sent: bool | None) -> None:
            if sent:
                self.notice(
                    "position filed — the orders tab (5) shows it; the hot wash holds it to your record"
                )

        self.app.push_screen(PositionScreen(self.model, self.try_send), done)

    def action_hot_wash(self) -> None:
        """The facilitator's structured debrief, once the game is over."""
        if self.model.role != "facilitator":
            return
        if not self.model.ended:
            self.notice("the hot wash comes after the last turn")
            return
        from .hot_wash import HotWashScreen

        self.app.push_screen(HotWashScreen(self.rb, self.url, self.game_id, self.token))

    def action_tab(self, tab: str) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        if tab == "control" and self.model.role != "facilitator":
            return
        # leave the old pane first: a focused widget left in a hidden pane pulls its tab back
        # (F2…F8 pressed in the composer used to bounce straight back to the channels tab)
        self.set_focus(tabs.query_one(ContentTabs))
        tabs.active = tab
        # then put the focus where the keys are useful: arrows scroll, Enter sends, space ticks. At
        # once (``focus()`` waits its turn): the keys typed on after the digit go where it points
        self.set_focus(self.query_one(TAB_FOCUS[tab]))

    def action_page(self, where: str) -> None:
        """A page key the focused widget left unused: the briefing's or the results' text scrolls, and
        takes the focus, so the arrows go on from there."""
        active = self.query_one("#tabs", TabbedContent).active
        log = self.channels.query_one("#messages")
        notes = self.proposals.query_one("#prop-replies-box")  # the answers and agreements
        body = {"briefing": self.briefing, "results": self.results, "channels": log, "proposals": notes}.get(
            active
        )
        if body is None:
            return
        # the composer keeps the focus (what is typed on goes into it), the proposals' table too
        if active not in ("channels", "proposals"):
            self.set_focus(body)
        if where == "down":
            body.scroll_page_down(animate=False)
        elif where == "up":
            body.scroll_page_up(animate=False)
        elif where == "home":
            body.scroll_home(animate=False)
        else:
            body.scroll_end(animate=False)

    @on(TabbedContent.TabActivated, pane="#results")
    def _results_opened(self) -> None:
        """The results tab opens at the latest turn's heading: the whole game's log opened at its
        bottom, and a student scrolled up to find where this turn began."""
        self.results.open_at_latest_turn()

    def action_help(self) -> None:
        """The keys, those of the facilitator's console only for the facilitator."""
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(facilitator=self.model.role == "facilitator"))

    def action_debrief(self) -> None:
        """The game-over debrief again (it comes up by itself once, when the game ends)."""
        if not self.model.ended:
            self.notice("the debrief comes at the end of the game")
            return
        self.app.push_screen(GameOverScreen(self._debrief_text()))

    def _debrief_text(self) -> str:
        text = game_over_text(self.model, self.rb, self.game_id, report_store(self.app))
        if self.model.role == "facilitator":  # first, where it is seen without scrolling
            text = "Esc, then h: the hot wash, the structured debrief to walk with the players\n\n" + text
        return text

    def action_leave_field(self) -> None:
        """Esc: out of a text field onto the tab bar, so the digit keys switch tabs again (out of the
        orders' find field onto the lever list, where they do too). Anywhere else
        the focus stays: from the orders list it went to the tab bar too, where the arrows and l did
        nothing until the student clicked back (after an Esc meant for a notice)."""
        focused = self.app.focused
        if isinstance(focused, Input) and focused.id == "order-find":
            # back to the list it narrows: on the tab bar the arrows switch tabs, and a student who
            # typed a code, pressed Esc and then ↓ and space found himself in the results tab
            self.orders.to_list()
        elif isinstance(focused, Input | TextArea):
            self.query_one("#tabs", TabbedContent).query_one(ContentTabs).focus()

    async def _ready(self) -> None:
        """Ready, and "waiting for the others" only while they are: the last seat to be ready ends the
        phase, whose events arrive before the server's answer to Ready does."""
        phase = (self.model.turn, self.model.phase)
        if await self.send(Ready()) and (self.model.turn, self.model.phase) == phase:
            self.notice(READY_WAITING)

    async def action_ready(self) -> None:
        """Ready ends the phase for this seat: with ticks not submitted, or after a refused submission,
        ask first (the orders that are not in would be lost without a word)."""
        problem = self.orders.unsent()
        if problem is None:
            await self._ready()
            return

        async def answered(yes: bool | None) -> None:
            if yes:
                await self._ready()
            else:
                self.notice("not ready: submit your orders with ctrl+s, then ctrl+r")

        self.app.push_screen(
            Confirm(
                f"{problem}\n\nMark ready anyway? Orders that are not submitted are not given.",
                "Ready anyway",
                "Go back",
            ),
            answered,
        )

    async def action_submit_orders(self) -> None:
        command = self.orders.submission()
        if command is not None:
            await self._submit_orders(command)

    async def on_unmount(self) -> None:
        if self.client is not None:
            await self.client.close()
            await asyncio.sleep(0)
