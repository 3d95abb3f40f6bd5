"""The Precursor terminal client: lobby, player screens, facilitator console.

Keyboard first: every action has a key or a button reachable with Tab, and the command palette
(ctrl+p) lists them all. ``NO_COLOR`` is honoured, and ``--mono`` picks a monochrome theme; states are
always spelled out in words or symbols, never by colour alone.
"""

from __future__ import annotations

import os
import threading
from functools import partial
from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.theme import Theme
from textual.widget import Widget
from textual.widgets import Input, TextArea

from .help import HelpScreen
from .launch import program
from .lobby import LobbyScreen
from .widgets import Confirm

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from .game_screen import GameScreen

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


# Where the focus is, shown by a shape or a reversed cell as well as by colour: Textual marks it by
# colour alone (a text field's border, a list's highlighted row), which NO_COLOR and --mono lose, and
# a student reading only the screen could not tell where the next key would go. The borders keep their
# size, so nothing moves when the focus does. A list's highlighted row is underlined while the focus
# is elsewhere (in the find field above the orders list, on a button): with NO_COLOR the row a key
# such as p or Enter acts on could not be told from the others.
FOCUS_CSS = """
Input:focus { border: double $accent; }
Input:focus > .input--cursor { text-style: reverse; }
Select:focus > SelectCurrent { border: double $accent; }
OptionList:focus > .option-list--option-highlighted { text-style: bold reverse; }
DataTable:focus > .datatable--cursor { text-style: bold reverse; }
ListView:focus > ListItem.-highlight { text-style: bold reverse; }
Button:focus { text-style: bold reverse; }
Checkbox:focus > .toggle--label { text-style: bold reverse; }
ContentTabs:focus Tab.-active { text-style: bold reverse; }
OptionList > .option-list--option-highlighted { text-style: underline; }
DataTable > .datatable--cursor { text-style: underline; }
ListView > ListItem.-highlight { text-style: underline; }
OptionList:focus > .option-list--option-highlighted { text-style: bold reverse; }
DataTable:focus > .datatable--cursor { text-style: bold reverse; }
ListView:focus > ListItem.-highlight { text-style: bold reverse; }
"""


class QuitConfirm(Confirm):
    """The question ctrl+q asks while a game is under way (a second ctrl+q answers yes)."""


def solo_resume_command(game_id: str, token: str, store: str | None) -> str:
    """The one command that opens a solo game again, its store named unless it is the default one
    (None: the caller, which knows the server's settings, found it is; the client never imports the
    server)."""
    where = "" if store is None else f" --store {store}"
    # "--token=": a token may begin with "-" (URL-safe base64), and "--token -x…" is two options to
    # the command line's parser, which then refused the command it had printed
    return f"{program()} solo --game {game_id} --token={token}{where}"


class PrecursorApp(App[None]):
    TITLE = "Precursor"
    CSS = FOCUS_CSS
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
        solo_store: str | None = None,
        solo_store_default: bool = False,
    ) -> None:
        super().__init__()
        self.url = url
        # the store of the server `precursor solo` started in this process, which stops when the app
        # does: what quitting costs, and how to come back, depend on it (None: the server runs apart)
        self.solo_store = solo_store
        self.solo_store_default = solo_store_default  # the resume command need not name it
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

    # ------------------------------------------------------------------ keys typed quickly
    #
    # Textual hands each key to the widget focused when the key arrives, and checks the bindings only
    # once the key has travelled back up to the app. Typed quickly (a burst from the terminal), a word
    # reaches the app before the key ahead of it has been acted on: after `w` the next letters went to
    # the orders list (the form was not up yet), came back to the app once the form's field had the
    # focus, and there fired that screen's letter keys (`f` opened the free-action form); in a field,
    # Backspace and Tab (bindings) ran after the letters that followed them. While a text field has
    # the focus, the app now acts on each key itself, in the order typed: a character goes into the
    # field, any other key to the bindings; a letter never reaches a binding.

    def _text_field(self) -> Input | TextArea | None:
        focused = self.focused
        return focused if isinstance(focused, Input | TextArea) else None

    async def _type_into(self, field: Widget, event: events.Key) -> bool:
        """Act on a key for ``field`` now; False leaves it to Textual (a key nothing is bound to)."""
        if await self._check_bindings(event.key, priority=True):
            return True
        if event.is_printable:
            await field._dispatch_message(events.Key(event.key, event.character))
            return True
        return await self._check_bindings(event.key)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            field = self._text_field()
            if field is not None and await self._type_into(field, event):
                return
        await super().on_event(event)

    async def _on_key(self, event: events.Key) -> None:
        # a character back at the app while a field has the focus was sent, as it arrived, to the
        # widget focused before the field (the key before it opened the form): it belongs in the field.
        # (Textual calls App._on_key after this one unless the default is prevented.)
        field = self._text_field()
        if field is not None and event.is_printable:
            event.prevent_default()
            await field._dispatch_message(events.Key(event.key, event.character))

    # ------------------------------------------------------------------ quitting
    #
    # A student pressed ctrl+q in a solo game and it was gone: the embedded server stopped with the
    # window, and nothing had said the game could be picked up again, or how. While a game is under
    # way ctrl+q asks first and says how to come back; a second ctrl+q on the question means yes.

    def _game_under_way(self) -> GameScreen | None:
        from .game_screen import GameScreen

        for screen in self.screen_stack:
            if isinstance(screen, GameScreen) and not screen.model.ended:
                return screen
        return None

    def come_back(self, token: str, game_id: str = "") -> str:
        """How to return to this game after quitting, or that it cannot be done. A solo game comes
        back with one command (``precursor solo --game --token``), which starts its server again."""
        if self.solo_store is None:
            return (
                "The game goes on on the server without you. To come back to your seat, run"
                f" `precursor play {self.url} --code {token}`."
            )
        if self.solo_store.startswith("memory"):
            return "This game is kept only in memory: quitting loses it."
        return (
            "The game is saved. To come back to it, run"
            f" `{solo_resume_command(game_id, token, None if self.solo_store_default else self.solo_store)}`."
        )

    async def action_quit(self) -> None:
        if isinstance(self.screen, QuitConfirm):
            self.screen.dismiss(True)
            return
        game = self._game_under_way()
        if game is None:
            self.exit()
            return
        after = self.come_back(game.token, game.game_id)

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit(message=after)

        question = f"Quit Precursor? The game is not over. {after}"
        self.push_screen(QuitConfirm(question, "Quit", "Keep playing"), answered)

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

        if not isinstance(screen, GameScreen):
            yield SystemCommand("Help", "every key", lambda: self.push_screen("help"))
            return
        from .help import game_keys

        # the same rows F1 lists, so the two never disagree; the facilitator's only for the facilitator
        facilitator = screen.model.role == "facilitator"
        for row in game_keys():
            if not row.palette or (row.facilitator and not facilitator):
                continue
            node = screen if isinstance(screen, row.owner) else screen.query(row.owner).first()
            yield SystemCommand(row.title, f"{row.keys} — {row.what}", partial(node.run_action, row.action))
