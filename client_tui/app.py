"""The Precursor terminal client: lobby, player screens, facilitator console.

Keyboard first: every action has a key or a button reachable with Tab, and the command palette
(ctrl+p) lists them all. ``NO_COLOR`` is honoured, and ``--mono`` picks a monochrome theme; states are
always spelled out in words or symbols, never by colour alone.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding
from textual.theme import Theme

from .help import HelpScreen
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
