"""Widgets the stock ones do not quite give: a fast plain-text log that wraps to its own width, a
selection list and a checkbox whose ticks read without colour, a text field that keeps what was typed
into it in a burst, and a yes/no question asked before a step that loses something."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import Blur, Focus, Key, Resize
from textual.geometry import Size
from textual.screen import ModalScreen, Screen
from textual.strip import Strip
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Footer,
    Input,
    OptionList,
    RichLog,
    SelectionList,
    Static,
)
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist

# C0 and C1 control characters and DEL: a message must not move the cursor or restyle the terminal
_CONTROL = dict.fromkeys([*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)])


# The frame every modal form draws (composer, parameters, statements, refusals, the white cell's drafts):
# one template, filled with the screen's class name. It lives here, beside the other shared widgets,
# because the panes' forms and the composer both use it and the composer imports the panes.
MODAL_CSS = """
{name} {{ align: center middle; }}
{name} > VerticalScroll {{
    width: 100; max-width: 100%; height: auto; max-height: 100%;
    padding: 0 1; border: thick $primary; background: $surface;
}}
{name} Horizontal {{ height: auto; }}
{name} .param-row Label {{ width: 1fr; padding: 1 1 0 0; }}
{name} .param-row Input, {name} .param-row Select {{ width: 24; }}
{name} Button {{ margin-right: 1; }}
{name} .head {{ text-style: bold; }}
{name} > .frame {{
    width: 100; max-width: 100%; height: auto; max-height: 100%;
    padding: 0 1; border: thick $primary; background: $surface;
}}
{name} .frame > VerticalScroll {{ height: auto; }}
"""


class WrapLog(RichLog):
    """A log of plain-text lines, wrapped to the widget's own width.

    ``RichLog.write`` renders through Rich one call at a time: a layout pass and a scroll request per
    line, and a full Rich wrap even for a line that fits — about 2 s for a channel of 10,000 messages.
    Here a line that fits becomes one segment, only longer lines go through Rich's wrapping, a batch
    costs one size update, and the text is kept so that a new width (a resized terminal; the log
    first shown) re-wraps it instead of leaving lines cut off or wrapped at a stale width. While the
    log is hidden it only keeps the text. Control codes in the text (a player's message may hold
    any) are removed before anything is drawn.
    """

    DEFAULT_CSS = "WrapLog { scrollbar-gutter: stable; overflow-x: hidden; }"

    def __init__(self, *, max_lines: int, id: str | None = None) -> None:
        super().__init__(id=id, wrap=True, markup=False, highlight=False, max_lines=max_lines, min_width=1)
        self._texts: deque[str] = deque(maxlen=max_lines)
        self._wrapped_at = 0  # the width the drawn lines were wrapped at (0: nothing drawn yet)

    def add_lines(self, texts: Iterable[str]) -> None:
        """Append text; each ``\\n`` starts a new line."""
        new = [line.translate(_CONTROL) for text in texts for line in text.expandtabs(4).split("\n")]
        if not new:
            return
        self._texts.extend(new)
        # hidden (another tab): draw at the width it had; never shown yet: drawn on its first resize
        width = self.scrollable_content_region.width or self._wrapped_at
        if width <= 0:
            return
        if width != self._wrapped_at:
            self._rewrap(width)
            return
        at_end = self.max_scroll_y == 0 or self.is_vertical_scroll_end
        self._append(self._wrap(new, width))
        if at_end:  # follow new lines only when the reader is at the bottom already
            self.scroll_end(animate=False, immediate=False, x_axis=False)

    def write(self, content: object, *args: object, **kwargs: object) -> WrapLog:
        self.add_lines([str(content)])
        return self

    def clear(self) -> WrapLog:
        super().clear()
        self._texts.clear()
        return self

    def action_page_down(self) -> None:
        """A page at once: the smooth scroll repainted every visible line on each of its frames, about
        120 ms of CPU per key on the results of a long game (bench/bench_tui.py)."""
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_page_up(animate=False)

    def on_resize(self, event: Resize) -> None:
        self._size_known = True
        width = self.scrollable_content_region.width
        if width > 0 and width != self._wrapped_at:
            self._rewrap(width)

    # ------------------------------------------------------------------ internals

    def _wrap(self, lines: list[str], width: int) -> list[Strip]:
        strips: list[Strip] = []
        console = self.app.console
        for text in lines:
            n = cell_len(text)
            if n <= width and text.isprintable():
                strips.append(Strip([Segment(text)], n))
                continue
            for part in Text(text).wrap(console, width):
                strips.append(Strip(list(part.render(console)), part.cell_len))
        return strips

    def _append(self, strips: list[Strip]) -> None:
        if not strips:
            return
        self.lines.extend(strips)
        if self.max_lines is not None and len(self.lines) > self.max_lines:
            self._start_line += len(self.lines) - self.max_lines
            self.lines = self.lines[-self.max_lines :]
            self.refresh()
        self._widest_line_width = max(self._widest_line_width, *(s.cell_length for s in strips))
        self.virtual_size = Size(self._widest_line_width, len(self.lines))

    def _rewrap(self, width: int) -> None:
        self.lines = []
        self._line_cache.clear()
        self._start_line = 0
        self._widest_line_width = 0
        self._wrapped_at = width
        self._append(self._wrap(list(self._texts), width))
        self.virtual_size = Size(self._widest_line_width, len(self.lines))
        self.refresh()
        self.scroll_end(animate=False, immediate=False, x_axis=False)


class OrderList(SelectionList[str]):
    """A SelectionList whose boxes show ✓ when ticked and stay empty otherwise: the stock widget draws
    an X in every box and tells them apart by colour alone, which --mono and NO_COLOR lose."""

    def action_cursor_up(self) -> None:
        """One row up, an unavailable lever included: the arrows used to skip it, and with it the
        only place its row, cut at 80 columns, could be read in full (the line under the list)."""
        if self.option_count:
            self.highlighted = 0 if self.highlighted is None else max(0, self.highlighted - 1)

    def action_cursor_down(self) -> None:
        if self.option_count:
            last = self.option_count - 1
            self.highlighted = 0 if self.highlighted is None else min(last, self.highlighted + 1)

    def watch_highlighted(self, highlighted: int | None) -> None:
        """Scrolled to and announced like any other row; space still cannot tick it (disabled)."""
        if highlighted is None:
            return
        self.scroll_to_highlight()
        self.post_message(self.OptionHighlighted(self, self.options[highlighted], highlighted))

    def on_resize(self) -> None:
        """The highlighted row kept in view when the list grows shorter: a warning added above it as a
        lever is ticked (a choice left at its default) takes rows after the list scrolled, and at 80x24
        the row just ticked went below the last one shown."""
        self.call_after_refresh(self.scroll_to_highlight)

    def _on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """A highlight announced before the list was filled again is dropped: the orders tab's find
        field narrows the list on every letter, and keys typed in one burst narrowed it before the list
        read its own announcement, which then named a row that was gone (the app died on it)."""
        i = event.option_index
        if i >= self.option_count or self.get_option_at_index(i) is not event.option:
            event.stop()
            event.prevent_default()  # the SelectionList's own handler, next in the class order, is skipped

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if len(segments) > 1 and segments[1].text == ToggleButton.BUTTON_INNER:
            mark = "✓" if selection.value in self._selected else " "
            segments[1] = Segment(mark, segments[1].style, segments[1].control)
            return Strip(segments, strip.cell_length)
        return strip


class RowTable(DataTable[Any]):
    """A table read row by row, whose Home and End go to its first and last row: in a table of rows
    they only scrolled sideways, and a student on the dashboard pressed PageUp fifteen times to get
    back to the top after Home did nothing."""

    BINDINGS = [
        # F1 and the palette list these with the dashboard's (help.KEY_SOURCES): a key listed nowhere
        # is a key no student finds
        Binding("home", "scroll_top", "First row of the indicators", show=False),
        Binding("end", "scroll_bottom", "Last row of the indicators", show=False),
    ]


class TextField(Input):
    """A text field that selects what it holds when the focus comes to it (so typing replaces an old
    answer), unless keys have reached it since it last had the focus. In a terminal burst right after
    Tab ("US hosts a summit; Mexico tightens ports", student j23) the first keys can land before the
    focus event, which then selected them and the next key replaced them: "ightens ports" was filed."""

    _focus_seen = False  # its focus event has come, and the focus has not left since
    _typed_early = False  # a key reached it before that event

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wants_select = self.select_on_focus

    async def _on_key(self, event: Key) -> None:
        # textual calls each class's handler, most derived first: this runs before Input's inserts it
        if not self._focus_seen and event.is_printable:
            self._typed_early = True

    def _on_focus(self, event: Focus) -> None:
        # runs before Input's own handler, which reads select_on_focus
        self.select_on_focus = self._wants_select and not self._typed_early
        if self._typed_early:
            self.cursor_position = len(self.value)
        self._focus_seen, self._typed_early = True, False

    def _on_blur(self, event: Blur) -> None:
        self._focus_seen = False


class TickBox(Checkbox):
    """A checkbox that shows ✓ when ticked and nothing otherwise (the stock one draws an X either way
    and tells the two apart by colour alone)."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "✓" if self.value else " "
        return super()._button


class Confirm(ModalScreen[bool]):
    """A question before a step that cannot be taken back; y or the first button says yes, n or Esc no."""

    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]
    DEFAULT_CSS = """
    Confirm { align: center middle; }
    Confirm > Vertical {
        width: 72; max-width: 96%; height: auto; padding: 1 2; border: thick $warning; background: $surface;
    }
    Confirm Horizontal { height: auto; margin-top: 1; }
    Confirm Button { margin-right: 2; }
    """

    def __init__(self, question: str, yes: str, no: str) -> None:
        super().__init__()
        self.question, self.yes, self.no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, id="confirm-text", markup=False)
            with Horizontal():
                yield Button(f"{self.yes} (y)", id="yes", variant="warning")
                yield Button(f"{self.no} (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


def set_text(widget: Static, text: str | Text) -> None:
    """Update a Static only when what it says changes: each update lays the whole screen out again,
    and a pane's redraw on every frame of the game mostly says the same thing."""
    if widget.content != text:
        widget.update(text)


class KeyFooter(Footer):
    """The stock footer, rebuilt only when the keys it shows change.

    The stock one throws its keys away and mounts them again on every change of focus (each tab
    switch, each field left or entered), though nearly always the same keys come back: a game's
    turn spent about a sixth of its CPU re-mounting and re-styling identical footer keys. What it
    shows is made from the screen's active bindings alone, so the same bindings draw the same line.
    """

    _shown: tuple[object, ...] | None = None  # what the keys were last built from

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    def _drawn_from(self) -> tuple[object, ...]:
        palette = self.app.COMMAND_PALETTE_BINDING
        keys = tuple(
            (key, b.binding, b.enabled, b.tooltip)
            for key, b in self.screen.active_bindings.items()
            if b.binding.show or key == palette
        )
        return (keys, self.show_command_palette, self.app.ENABLE_COMMAND_PALETTE, self.compact)

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached:
            return
        shown = self._drawn_from()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()
