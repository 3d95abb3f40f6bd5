"""The results tab: a why card for every outcome, under a heading per turn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import render
from ..model import RESULT_TYPES
from ..widgets import WrapLog

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook


class ResultsLog(WrapLog):
    def __init__(self, rb: Rulebook | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id, max_lines=5000)
        self.rb = rb
        self._seq = 0  # the last event whose why card is in the log
        self._turn = 0  # the turn whose heading is the last in the log

    def add(self, seq: int, ev: dict[str, Any]) -> None:
        """Write the card of an outcome not yet shown (the server replays events after a resume)."""
        t = ev["type"]
        if t not in RESULT_TYPES or seq <= self._seq:
            return
        self._seq = seq
        try:
            card = render.why_card(ev, self.rb)
        except Exception as exc:  # a shape the card does not know must not take the client down
            card = f"[{t}] (cannot show this outcome: {type(exc).__name__})"
        turn = ev.get("turn")
        if isinstance(turn, int) and turn > self._turn:
            self._turn = turn
            self.write(f"══ turn {turn} ══")
        if card.strip():
            self.write(card)
