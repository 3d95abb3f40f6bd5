"""The keys, as F1 and the command palette show them: the game screen's read off the bindings
themselves (game_keys), the rest from a short list of keys no binding holds. Kept apart from the app so
that the game screen can open it without importing the app."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

KEY_WORDS = {
    "question_mark": "?",
    "escape": "Esc",
    "enter": "Enter",
    "delete": "Delete",
    "space": "space",
    "pagedown": "PageDown",
    "pageup": "PageUp",
    "home": "Home",
    "end": "End",
}

# Where the keys of the game screen live, in the order F1 lists them: the screen's own, then each
# pane's (they work while the focus is in that pane), then the windows a key opens. Read off the
# classes' BINDINGS, so that a key added to one of them is in F1 and in the command palette at once
# (w, f and k were bound and listed nowhere). (module, class, where, facilitator only, in the palette)
KEY_SOURCES: tuple[tuple[str, str, str, bool, bool], ...] = (
    ("client_tui.game_screen", "GameScreen", "", False, True),
    ("client_tui.panes.proposals", "ProposalsPane", "proposals tab", False, True),
    ("client_tui.composer", "ProposalScreen", "a proposal in full (Enter on it)", False, False),
    ("client_tui.composer", "ComposerScreen", "the proposal composer", False, False),
    ("client_tui.panes.orders", "OrdersPane", "orders tab", False, True),
    ("client_tui.widgets", "RowTable", "dashboard tab", False, True),
    ("client_tui.panes.control", "ControlPane", "control tab", True, True),
    ("client_tui.panes.white_cell", "WhiteCellConsole", "control tab", True, True),
)
# the game screen's keys that only the facilitator may use
FACILITATOR_ACTIONS = {"tab('control')", "replay", "hot_wash"}


@dataclass(frozen=True)
class KeyRow:
    """One binding as F1 and the command palette show it."""

    keys: str  # "1 or F2"
    what: str  # the binding's tooltip, else its description, with where it works
    title: str  # the palette's title
    owner: type  # the class that holds the binding (the screen, a pane)
    action: str
    facilitator: bool
    palette: bool


def key_words(keys: str) -> str:
    """ "1,f2" as "1 or F2": the names a player reads on the keyboard."""
    words = []
    for key in (k.strip() for k in keys.split(",")):
        if key in KEY_WORDS:
            words.append(KEY_WORDS[key])
        elif re.fullmatch(r"f\d+", key):
            words.append(key.upper())
        else:
            words.append(key)
    return " or ".join(words)


def game_keys() -> list[KeyRow]:
    """Every key of the game screen, its panes and the windows they open, from their bindings (the
    modules are imported here, not with this one: the lobby comes up without them)."""
    import importlib

    rows: list[KeyRow] = []
    seen: set[tuple[str, str]] = set()
    for module, name, where, fac, palette in KEY_SOURCES:
        owner = getattr(importlib.import_module(module), name)
        for b in owner.BINDINGS:
            binding = b if isinstance(b, Binding) else Binding(*b)
            if binding.action == "command_palette":
                continue  # listed under Everywhere
            what = binding.tooltip or binding.description
            keys = key_words(binding.key)
            if (keys, what) in seen:
                continue
            seen.add((keys, what))
            tab = binding.action.startswith("tab(")
            rows.append(
                KeyRow(
                    keys=keys,
                    what=f"{where}: {what}" if where else what,
                    title=f"Go to {binding.description}" if tab else binding.description,
                    owner=owner,
                    action=binding.action,
                    facilitator=fac or binding.action in FACILITATOR_ACTIONS,
                    palette=palette,
                )
            )
    return rows


# Keys no binding holds (the widgets' own, or the lobby's and the replay's): (keys, what, facilitator
# only), by section; the game screen's section is made from the bindings (game_keys).
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
            (
                "Enter",
                "in a channel: send what you wrote; in a list: open the item (a proposal in full: costs,"
                " whether it can be kept); in a form: the next field",
                False,
            ),
            ("space", "orders tab: tick or untick the highlighted lever", False),
            (
                "/",
                "orders tab: find a lever by part of its code or name; Enter or Down goes back to the list",
                False,
            ),
            (
                "shift+Tab",
                "channels tab, in the message field: the channel list; Down or Up, then Enter picks"
                " the channel your next message goes to (▶ marks it) and puts you in the message field"
                " (3 opens the tab at the list, so the tab keys still work there)",
                False,
            ),
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
    for title, fixed in HELP:
        keys = list(fixed)
        if title == "Game":
            keys[:0] = [(r.keys, r.what, r.facilitator) for r in game_keys()]
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
