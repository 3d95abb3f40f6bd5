"""The briefing tab: this turn's injects as cards, then the scenario, the seat's objectives and what is
coming, then the earlier injects, as one scrolling page. An inject released while the screen is open
also comes up as a card over the screen (``InjectCards``)."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown, Static

from .. import render

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from ..model import LiveGame


class BriefingPane(VerticalScroll):
    def __init__(self, model: LiveGame, rb: Rulebook, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model, self.rb = model, rb

    def compose(self) -> ComposeResult:
        # plain text, not Markdown: a facilitator's inject is shown as written
        yield Static("", id="brief-news", markup=False)
        yield Markdown("", id="brief")
        yield Static("", id="brief-injects", markup=False)

    def show(self) -> None:
        with contextlib.suppress(NoMatches):  # a frame read while the app closes: nothing to draw
            self.query_one("#brief", Markdown).update(render.briefing_markdown(self.model, self.rb))
            self.show_injects()

    def show_injects(self) -> None:
        with contextlib.suppress(NoMatches):
            self._show_injects()

    def _show_injects(self) -> None:
        turn = self.model.turn
        now = [ev for ev in self.model.injects if ev.get("turn") == turn]
        before = [ev for ev in reversed(self.model.injects) if ev.get("turn") != turn]
        news = self.query_one("#brief-news", Static)
        news.display = bool(now)
        news.update(self._cards(f"This turn's injects ({len(now)})", now))
        earlier = self._cards(f"Earlier injects ({len(before)}, newest first)", before)
        self.query_one("#brief-injects", Static).update(earlier or "Earlier injects: none.")

    def _cards(self, head: str, injects: list[dict[str, Any]]) -> str:
        if not injects:
            return ""
        rule = "\n" + "─" * 40 + "\n"
        return head + "\n" + rule + rule.join(render.inject_card(ev, self.rb) for ev in injects) + "\n"


class InjectCards(ModalScreen[None]):
    """Injects just released, one card each; more arriving while it is open are added to it."""

    BINDINGS = [Binding("escape,enter,space,q", "dismiss", "Close")]
    DEFAULT_CSS = """
    InjectCards { align: center middle; }
    InjectCards > VerticalScroll {
        width: 90; max-width: 96%; height: auto; max-height: 90%; padding: 0 2;
        border: thick $accent; background: $surface;
    }
    InjectCards .card { margin: 1 0; }
    """

    def __init__(self, cards: list[str]) -> None:
        super().__init__()
        self.texts = list(cards)  # every card, in order
        self._drawn = 0  # how many of them are mounted

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="inject-cards"):
            yield Static(
                "News — Enter or Esc closes; every inject stays in the briefing tab (1)", markup=False
            )
            for card in self.texts:
                yield Static(card, classes="card", markup=False)
        self._drawn = len(self.texts)
        yield Footer()

    def add(self, cards: list[str]) -> None:
        """More cards; drawn once the window is up (a second inject can come before it is mounted)."""
        self.texts += cards
        self.call_later(self._draw)

    def _draw(self) -> None:
        boxes = self.query("#inject-cards").results(VerticalScroll)
        box = next(iter(boxes), None)
        if box is None:
            self.call_later(self._draw)
            return
        new = self.texts[self._drawn :]
        self._drawn = len(self.texts)
        box.mount_all([Static(card, classes="card", markup=False) for card in new])
