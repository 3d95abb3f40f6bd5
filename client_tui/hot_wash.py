"""The hot wash: right after the last turn, the facilitator walks the structured debrief with the facts
on the table, in order — what happened (the timeline), why (the chains of causes behind each red line
approached or crossed, as the after-action report computes them), each team's position held against
its record, the rulings and what they did, and the what-ifs worth forking — and exports it.

It reads the whole log (the facilitator's to read) and reuses ``precursor.analysis.review``'s report,
so the screen and the written report never tell two stories.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markdown import Markdown as RichMarkdown
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from precursor.analysis.hotwash import SECTIONS, to_hot_wash
from precursor.client import ClientError, read_log

__all__ = ["SECTIONS", "HotWashScreen", "export", "hot_wash_text"]
from precursor.analysis.review import build_report, replay, to_html

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook


def hot_wash_text(rb: Rulebook, events: list[dict[str, Any]], game_id: str) -> str:
    """The report's own hot wash in Markdown: the screen shows exactly what ``precursor report
    --hot-wash`` writes, so the two never tell different stories."""
    return to_hot_wash(build_report(rb, events), replay(rb, events), "md", game_id)


def export(rb: Rulebook, events: list[dict[str, Any]], text: str, game_id: str) -> tuple[Path, Path]:
    """Write the hot wash and, beside it, the full after-action report (HTML, charts inline) where the
    console runs: the debrief is handed out with the facts it walked through."""
    here = Path.cwd()
    wash, report = here / f"hotwash-{game_id}.md", here / f"report-{game_id}.html"
    wash.write_text(text, encoding="utf-8")
    report.write_text(to_html(build_report(rb, events), replay(rb, events)), encoding="utf-8")
    return wash, report


class HotWashScreen(ModalScreen[None]):
    """The hot wash over the game screen: e exports it, Esc goes back."""

    BINDINGS = [Binding("escape,q", "dismiss", "Back"), Binding("e", "export", "Export to a file")]
    DEFAULT_CSS = """
    HotWashScreen { align: center middle; }
    HotWashScreen > VerticalScroll {
        width: 110; max-width: 98%; height: 90%; padding: 0 1; border: thick $accent; background: $surface;
    }
    HotWashScreen #hw-where { height: auto; color: $warning; }
    """

    def __init__(self, rb: Rulebook, url: str, game_id: str, token: str) -> None:
        super().__init__()
        self.rb, self.url, self.game_id, self.token = rb, url, game_id, token
        self.events: list[dict[str, Any]] = []
        self.text = ""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="hot-wash"):
            yield Static("reading the game's log…", id="hw-where", markup=False)
            yield Static("", id="hw-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="hot-wash")
    async def load(self) -> None:
        try:
            events = await read_log(self.url, self.game_id, self.token)
        except (ClientError, TimeoutError) as exc:
            self.query_one("#hw-where", Static).update(f"could not read the log: {exc}")
            return
        self.events = events
        self.text = hot_wash_text(self.rb, events, self.game_id)
        # shown as a document (headings, bold, lists), not as its Markdown source
        self.query_one("#hw-text", Static).update(RichMarkdown(self.text))
        self.query_one("#hw-where", Static).update("e writes this hot wash to a file; Esc goes back")

    def action_export(self) -> None:
        if not self.text:
            return
        try:
            wash, report = export(self.rb, self.events, self.text, self.game_id)
        except OSError as exc:
            self.query_one("#hw-where", Static).update(f"not written: {exc}")
            return
        self.query_one("#hw-where", Static).update(f"written to {wash}, the after-action report to {report}")
        self.notify(f"hot wash written to {wash}")
