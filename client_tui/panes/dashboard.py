"""The dashboard tab: the score line and every indicator the seat can see, with trends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from .. import render

if TYPE_CHECKING:
    from ..model import LiveGame


class DashboardPane(Vertical):
    def __init__(self, model: LiveGame) -> None:
        super().__init__()
        self.model = model

    def compose(self) -> ComposeResult:
        yield Static("", id="scoreline", markup=False)
        yield DataTable(id="indicators", zebra_stripes=True, cursor_type="row")

    def on_mount(self) -> None:
        self.query_one("#indicators", DataTable).add_columns("indicator", "value", "trend", "as seen")

    def show(self) -> None:
        self.query_one("#scoreline", Static).update(render.score_text(self.model))
        table = self.query_one("#indicators", DataTable)
        table.clear()
        for row in render.indicator_rows(self.model):
            table.add_row(*render.cells(*row))
