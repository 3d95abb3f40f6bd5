"""Notes held to the rows a pane gives them, with a last line that says what did not fit.

The orders tab writes the budget and every warning above the lever list, in an area of a few rows
(five at 80x24). With four promises due, three students in one session read a warning cut in the
middle of its sentence, or never saw the one promise that would break: nothing said there was more,
and the area could not be scrolled from the keyboard. Lines are kept whole, in their order (what needs
doing first), and the last row counts the rest and names the key that shows them all.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

_CONSOLE = Console(width=200, no_color=True, legacy_windows=False)


def rows_of(line: str, width: int) -> int:
    """How many rows ``line`` takes when word-wrapped at ``width`` (as a Static draws it)."""
    if width <= 0:
        return 1
    return max(1, len(Text(line).wrap(_CONSOLE, width)))


def more_line(hidden: list[str], key: str, grave: str = "") -> str:
    """The last row: how many lines are not shown, how many of them warn (``!`` or ``✗``), and the key;
    with ``grave`` words, whether a hidden line holds them, in those words (outside the orders phase
    the phase's own line left no row for "CROSSES THE HARD RED LINE", seen in tmux at 80x24)."""
    warn = sum(1 for h in hidden if h.startswith(("!", "✗")))
    n = len(hidden)
    what = f"{n} more line{'s' if n != 1 else ''}"
    if grave and any(grave in h for h in hidden):  # on one row of 80 columns, before the count of warnings
        what += f", one: a tick {grave}"
    elif warn:
        what += f", {warn} of {'them' if n != 1 else 'it'} {'warnings' if warn != 1 else 'a warning'}"
    return f"… {what}: {key} reads them all"


def fit_lines(lines: list[str], width: int, rows: int, key: str, grave: str = "") -> list[str]:
    """``lines`` as they fit in ``rows`` rows of ``width`` columns: all of them when they fit, else the
    first whole lines that leave a row for ``more_line`` (``grave`` as there). The first line is kept
    even when it alone is too long (the figures the rest depends on)."""
    if width <= 0 or rows <= 0:
        return lines
    heights = [rows_of(line, width) for line in lines]
    if sum(heights) <= rows:
        return lines
    shown: list[str] = []
    used = 0
    for i, (line, h) in enumerate(zip(lines, heights, strict=True)):
        if i and used + h > rows - 1:
            break
        shown.append(line)
        used += h
    return [*shown, more_line(lines[len(shown) :], key, grave)]
