"""Replay: step through a game turn by turn, as each team saw it or as it truly was.

The log is folded up to the end of the chosen turn and the view functions decide what the chosen
audience sees — the same functions the live game used, so "as Mexico saw it at turn 4" shows exactly
Mexico's dashboard then (its fog included) and the events that reached Mexico in that turn.
"""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from precursor.game.engine import Game
from precursor.game.months import add_months
from precursor.game.rulebook import Rulebook
from precursor.game.views import events_for, view

from . import render
from .widgets import RowTable, WrapLog

AUDIENCES = ("facilitator", "us", "mx", "cn", "ca", "public")


def turn_ends(events: list[dict[str, Any]]) -> dict[int, int]:
    """For each turn, how many events of the log it takes to reach the end of that turn."""
    ends: dict[int, int] = {}
    for i, ev in enumerate(events):
        if ev["type"] == "phase" and ev["phase"] == "briefing" and ev["turn"] > 1:
            ends[ev["turn"] - 1] = i
        t = ev.get("turn")
        if isinstance(t, int) and t >= 1:
            ends.setdefault(t, len(events))
    last = max(ends, default=0)
    if last:
        ends[last] = len(events)
    return dict(sorted(ends.items()))


def turn_date(v: dict[str, Any], turn: int) -> str:
    """The month a turn began, as the game named it: the view at a turn's end carries the date the
    next turn starts, and the replay called Loose Talk's turn 1 (March 2023) 2023-04-01."""
    sc = v.get("scenario") or {}
    start, per = sc.get("start"), sc.get("months_per_turn")
    if not start or not isinstance(per, int):
        return str(v.get("date") or "")
    return add_months(str(start), (turn - 1) * per).isoformat()


class ReplayScreen(Screen[None]):
    BINDINGS = [
        # priority: the indicator table would take the arrows for horizontal scrolling
        Binding("left,p", "turn(-1)", "Previous turn", priority=True),
        Binding("right,n", "turn(1)", "Next turn", priority=True),
        Binding("a", "audience", "Switch view"),
        Binding("f", "pick('facilitator')", "True state", show=False),
        Binding("u", "pick('us')", "As US", show=False),
        Binding("m", "pick('mx')", "As MX", show=False),
        Binding("c", "pick('cn')", "As CN", show=False),
        Binding("k", "pick('ca')", "As CA", show=False),
        Binding("o", "pick('public')", "As the public", show=False),
        Binding("escape,q", "close", "Close"),
    ]
    CSS_PATH = "replay.tcss"

    def __init__(self, rb: Rulebook, events: list[dict[str, Any]], audience: str = "facilitator") -> None:
        super().__init__()
        self.rb, self.events = rb, events
        self.ends = turn_ends(events)
        self.turn = min(self.ends, default=1)
        self.audience = audience if audience in AUDIENCES else "facilitator"
        self._games: dict[int, Game] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="replay-status", markup=False)
        with Horizontal(id="replay-body"):
            with Vertical(id="replay-dash"):
                yield Static("", id="replay-score", markup=False)
                yield RowTable(id="replay-indicators", zebra_stripes=True, cursor_type="row")
            yield WrapLog(id="replay-log", max_lines=20000)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#replay-indicators", DataTable).add_columns("indicator", "value", "trend", "as seen")
        self.redraw()

    def game_at(self, turn: int) -> Game:
        g = self._games.get(turn)
        if g is None:
            g = Game.replay(self.rb, [dict(e) for e in self.events[: self.ends[turn]]])
            self._games[turn] = g
        return g

    def redraw(self) -> None:
        if not self.ends:
            self.query_one("#replay-status", Static).update(" an empty log: nothing to replay")
            return
        g = self.game_at(self.turn)
        v = view(g, self.audience)
        turns = list(self.ends)
        who = (
            "the true state (facilitator)" if self.audience == "facilitator" else f"as {self.audience} saw it"
        )
        self.query_one("#replay-status", Static).update(
            f" REPLAY {g.sc.model.title} │ turn {self.turn} of {turns[-1]} ({turn_date(v, self.turn)})"
            f" │ {who}"
            " │ ←/→ turn · a or f/u/m/c/k/o view"
        )
        from .model import LiveGame

        live = LiveGame()
        live.view = v
        live.me = {"team": self.audience if self.audience in ("us", "mx", "cn", "ca") else None}
        self.query_one("#replay-score", Static).update(render.score_text(live))
        table = self.query_one("#replay-indicators", DataTable)
        table.clear()
        for row in render.indicator_rows(live):
            table.add_row(*render.cells(*row))
        log = self.query_one("#replay-log", WrapLog)
        log.clear()
        start = self.ends.get(self.turn - 1, 0) if self.turn > turns[0] else 0
        for ev in events_for(g, self.audience, since=start):
            if ev["type"] == "message":
                who = f"{str(ev.get('team') or '').upper()} {ev.get('name', '')}"
                log.write(f"[{ev['channel']}] {who}: {ev['text']}")
            elif ev["type"] in ("phase", "ready", "session", "month", "orders_submitted"):
                continue
            else:
                log.write(render.why_card(ev, self.rb))

    def action_turn(self, step: int) -> None:
        turns = list(self.ends)
        if not turns:
            return
        i = turns.index(self.turn) + step
        if 0 <= i < len(turns):
            self.turn = turns[i]
            self.redraw()

    def action_close(self) -> None:
        """Dismissed, not popped: on its own (``precursor replay``) the viewer's dismissal ends the
        program; popping it left Textual's blank default screen, which students took for a freeze.
        Opened from a game (ctrl+y), dismissing it shows the game again."""
        self.dismiss()

    def action_audience(self) -> None:
        self.audience = AUDIENCES[(AUDIENCES.index(self.audience) + 1) % len(AUDIENCES)]
        self.redraw()

    def action_pick(self, audience: str) -> None:
        self.audience = audience
        self.redraw()


class ReplayApp(App[None]):
    """``precursor replay``: the replay screen on its own, for a log file or a stored game."""

    TITLE = "Precursor replay"

    def __init__(self, rb: Rulebook, events: list[dict[str, Any]], audience: str = "facilitator") -> None:
        super().__init__()
        self.rb, self.events, self.audience = rb, events, audience

    def on_mount(self) -> None:
        self.push_screen(ReplayScreen(self.rb, self.events, self.audience), lambda _: self.exit())
