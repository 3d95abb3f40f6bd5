"""The keys, as F1 shows them: one list, read by the lobby's app and by the game screen alike (kept
apart from the app so that the game screen can open it without importing the app)."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

HELP: list[tuple[str, list[tuple[str, str, bool]]]] = [
    (
        "Everywhere",
        [
            ("F1 or ?", "this help", False),
            ("ctrl+p", "command palette (every action)", False),
            ("Tab, shift+Tab", "move between fields", False),
            ("ctrl+q", "quit", False),
        ],
    ),
    (
        "Lobby",
        [
            ("ctrl+n", "new game (facilitator)", False),
            (
                "ctrl+j or Enter",
                "join the selected game; the code field also takes your facilitator token",
                False,
            ),
            ("F5", "reload the lists", False),
        ],
    ),
    (
        "Game",
        [
            ("1 … 6, F2…F7", "briefing, dashboard, channels, proposals, orders, results", False),
            ("7, F8", "the control tab (facilitator only)", True),
            ("Esc", "leave a text field (the digits switch tabs again)", False),
            ("ctrl+r", "ready (the phase ends once every seat is ready)", False),
            ("ctrl+s", "submit the orders ticked in the orders tab (space ticks a lever)", False),
            ("l", "orders tab: tick last turn's orders again (those still available)", False),
            ("p", "orders tab: the highlighted lever's parameters (ranges, cost)", False),
            ("n", "proposals tab: compose a proposal (ctrl+a adds a clause, ctrl+s sends)", False),
            (
                "Enter",
                "in a channel: send what you wrote; in a list: open the item (a proposal in full: costs,"
                " whether it can be kept; a accepts, r rejects, c counters)",
                False,
            ),
            ("ctrl+y", "replay the game so far (facilitator only)", True),
            ("ctrl+g", "the debrief once the game is over (scores, objectives, report command)", False),
        ],
    ),
    (
        "Replay (precursor replay GAME)",
        [
            ("← → or p n", "previous / next turn; a: next view; Esc: close", False),
            ("f u m c k o", "true state; as the US, MX, CN, CA saw it; as the public saw it", False),
        ],
    ),
    (
        "Marks",
        [
            ("~est, lag Nm", "an estimate; a figure reported N months late", False),
            ("✓  !", "ready; a warning (red line, budget, agreement)", False),
            ("● ○", "online; OFFLINE (reconnecting)", False),
        ],
    ),
]


def help_text(facilitator: bool = True) -> Group:
    """The keys as a two-column grid; without ``facilitator``, the facilitator's keys are left out."""
    parts: list[Any] = [Text("Precursor — keys", style="bold")]
    for title, keys in HELP:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, width=17)  # the longest keys, ctrl+j or Enter, and a margin
        grid.add_column(ratio=1)
        for key, what, fac_only in keys:
            if facilitator or not fac_only:
                grid.add_row(Text("  " + key), Text(what))
        parts += [Text(""), Text(title, style="bold"), grid]
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q,question_mark", "dismiss", "Close")]
    CSS_PATH = "app.tcss"

    def __init__(self, facilitator: bool = True) -> None:
        super().__init__()
        self.facilitator = facilitator

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(help_text(self.facilitator))
        yield Footer()
