"""The briefing tab: the scenario, the seat's objectives and what is coming, as one scrolling page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from .. import render

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from ..model import LiveGame


class BriefingPane(VerticalScroll):
    def __init__(self, model: LiveGame, rb: Rulebook, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model, self.rb = model, rb

    def compose(self) -> ComposeResult:
        yield Markdown("", id="brief")

    def show(self) -> None:
        self.query_one("#brief", Markdown).update(render.briefing_markdown(self.model, self.rb))
