"""The Precursor terminal client: lobby, player screens, facilitator console.

Keyboard first: every action has a key or a button reachable with Tab, and the command palette
(ctrl+p) lists them all. ``NO_COLOR`` is honoured, and ``--mono`` picks a monochrome theme; states are
always spelled out in words or symbols, never by colour alone.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.theme import Theme
from textual.widgets import Footer, Static

from .lobby import LobbyScreen

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

MONO = Theme(
    name="mono",
    primary="#e0e0e0",
    secondary="#bdbdbd",
    accent="#ffffff",
    foreground="#e0e0e0",
    background="#000000",
    surface="#111111",
    panel="#222222",
    warning="#ffffff",
    error="#ffffff",
    success="#ffffff",
    dark=True,
)

# The keys by section: (keys, what they do, for the facilitator only). Drawn as two columns, the
# words wrapping under their own column at any width (a block of fixed lines wrapped at 80 columns
# under the keys); a player is not offered the facilitator's keys.
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


class PrecursorApp(App[None]):
    TITLE = "Precursor"
    SCREENS = {"help": HelpScreen}
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True)]

    def __init__(
        self,
        url: str,
        *,
        code: str | None = None,
        name: str | None = None,
        game_id: str | None = None,
        token: str | None = None,
        mono: bool = False,
        rulebook: Rulebook | None = None,
    ) -> None:
        super().__init__()
        self.url = url
        self.code, self.player_name = code, name
        self.direct = (game_id, token) if game_id and token else None
        # the rulebook (about half a second to import and load) is needed only once a game opens: the
        # lobby comes up without it and a thread loads it meanwhile (see preload_rulebook)
        self._rb: Rulebook | None = rulebook
        self._rb_lock = threading.Lock()
        # the join codes of the games created in this session, by game: the server hands them out once
        # and keeps only their hashes, so the console can show them only if the client remembers them
        self.known_codes: dict[str, dict[str, str]] = {}
        self.register_theme(MONO)
        if mono:
            self.theme = "mono"
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            # jump, do not glide: a smooth page-up redraws the log ~30 times (0.7 s and 0.2 s of CPU
            # per key in a long channel, bench/bench_tui.py), which a slow SSH link also pays for
            self.animation_level = "none"

    def on_mount(self) -> None:
        self.push_screen(LobbyScreen(self.url, self.code, self.player_name))
        if self.direct is not None:
            self.open_game(*self.direct)

    @property
    def rb(self) -> Rulebook:
        with self._rb_lock:
            if self._rb is None:
                from precursor.game.rulebook import default_rulebook

                self._rb = default_rulebook()
            return self._rb

    def preload_rulebook(self) -> None:
        """Load the rulebook in a thread so that opening a game does not wait for it."""
        if self._rb is None:
            self.run_worker(lambda: self.rb, thread=True, group="rulebook", exclusive=True)

    def remember_codes(self, game_id: str, codes: dict[str, str]) -> None:
        self.known_codes.setdefault(game_id, {}).update(codes)

    def open_game(self, game_id: str, token: str) -> None:
        from .game_screen import GameScreen

        self.push_screen(GameScreen(self.rb, self.url, game_id, token))

    def get_system_commands(self, screen):  # type: ignore[no-untyped-def]
        yield from super().get_system_commands(screen)
        from textual.app import SystemCommand

        from .game_screen import GameScreen

        if isinstance(screen, GameScreen):
            tabs = [
                ("briefing", "Briefing"),
                ("dashboard", "Dashboard"),
                ("channels", "Channels"),
                ("proposals", "Proposals"),
                ("orders", "Orders"),
                ("results", "Results"),
            ]
            if screen.model.role == "facilitator":  # a player is not offered the console
                tabs.append(("control", "Facilitator control"))
            for key, title in tabs:
                yield SystemCommand(
                    f"Go to {title}", f"show the {title.lower()} tab", lambda k=key: screen.action_tab(k)
                )
            yield SystemCommand("Ready", "mark your seat ready for this phase", screen.action_ready)
            yield SystemCommand("Submit orders", "submit the ticked orders", screen.action_submit_orders)
        if isinstance(screen, GameScreen):
            yield SystemCommand("Help", "every key", screen.action_help)
        else:
            yield SystemCommand("Help", "every key", lambda: self.push_screen("help"))
