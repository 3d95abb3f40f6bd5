"""One lever in full, over the orders tab (``e``): every value it moves, which way, when, and by chance.

The line under the orders list has room for two or three effects and said "and 2 more" of the rest,
with nothing that showed them (session 15's student B, planning for China's reputation)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from . import render, terms

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook


def lever_text(
    rb: Rulebook, lever: str, head: str, params: dict[str, Any] | None, values: dict[str, Any] | None
) -> str:
    """The lever's page: ``head`` (its line under the list: cost, or why it is out, and when it acts),
    what it is, the parameters set, then every effect on those parameters and what the team knows."""
    lv = rb.levers[lever]
    lines = [head, ""]
    if lv.description.strip():
        lines += [" ".join(lv.description.split()), ""]
    chosen = terms.params_words(rb, lever, params) if params else ""
    moves = render.effect_list(rb, lever, params, values)
    if moves:
        lines.append(f"What it moves{f' (with {chosen})' if chosen else ''}:")
        lines += [f"  • {m}" for m in moves]
    else:
        lines.append("It moves no value of its own (see its description).")
    chance = render.chance_words(rb, lever)
    if chance:
        lines += ["", f"By chance: {chance}"]
    lines += ["", "Esc (or e) goes back."]
    return "\n".join(lines)


class LeverScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,e,q", "dismiss", "Back")]
    DEFAULT_CSS = """
    LeverScreen { align: center middle; }
    LeverScreen > VerticalScroll {
        width: 100; max-width: 98%; height: auto; max-height: 90%; padding: 0 1;
        border: thick $accent; background: $surface;
    }
    LeverScreen #lever-text { height: auto; }
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self.text, id="lever-text", markup=False)
        yield Footer()


class NotesScreen(LeverScreen):
    """The orders tab's notes in full (``i``): the area above the list shows what fits and counts the rest."""

    BINDINGS = [Binding("escape,i,q", "dismiss", "Back")]
