"""What every pane may tell the user, and the wording of a command refused before it is sent."""

from __future__ import annotations

from pydantic import ValidationError
from textual.message import Message


class Notice(Message):
    """A line for the screen's notice bar (a hint, or why a request went nowhere)."""

    def __init__(self, text: str, proposal: str | None = None) -> None:
        super().__init__()
        self.text = text
        # the proposal whose standing the line tells, to be told again as it moves ("open, waiting for
        # the United States" stayed up after the bot had signed it)
        self.proposal = proposal


def first_problem(exc: ValidationError, where: str = "") -> str:
    """The first thing wrong with a command, on one line as the server words it (``where``: the path of
    the failing model inside the command as the server sees it, if the line is to name it)."""
    first = exc.errors()[0]
    loc = ".".join([*([where] if where else []), *(str(p) for p in first["loc"])])
    return f"{loc}: {first['msg']}"[:300]


def refused(exc: ValidationError, where: str) -> Notice:
    """The notice the server's refusal of the same command would have produced: a command that breaks
    the wire model's limits is now caught while it is built, and the user must read the same line."""
    return Notice(f"refused — bad_command: {first_problem(exc, where)}")
