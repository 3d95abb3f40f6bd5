"""The orders tab: the seat's levers to tick, the budget and warnings as they are ticked, submit and
ready.

Ticks belong to one turn. At a new turn last turn's orders are offered (``l`` ticks again those still
available), never silently kept: a lever played once per game would otherwise stay ticked but disabled,
and every later submission would be refused for it. A disabled lever is never part of a submission.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, SelectionList, Static
from textual.widgets.selection_list import Selection

from precursor.game.commands import Order, SubmitOrders

from .. import render
from ..widgets import OrderList
from .notice import Notice, refused

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from ..model import LiveGame


class OrdersPane(Vertical):
    BINDINGS = [Binding("l", "tick_again", "Tick last turn's orders")]

    class Submit(Message):
        """The user submits the ticked levers as the seat's orders."""

        def __init__(self, command: SubmitOrders) -> None:
            super().__init__()
            self.command = command

    class MarkReady(Message):
        """The user marks the seat ready for this phase."""

    def __init__(self, model: LiveGame, rb: Rulebook) -> None:
        super().__init__()
        self.model, self.rb = model, rb
        self._choice: list[str] = []  # kept across a redraw of the list (a new view), within a turn
        self._turn: int | None = None  # the turn the ticks belong to (None: nothing drawn yet)
        self._submitted: list[str] | None = None  # the levers this seat submitted this turn, if it did
        self._offer: list[str] = []  # last turn's orders, to tick again with ``l``

    def compose(self) -> ComposeResult:
        yield Static("", id="order-info", markup=False)
        yield OrderList(id="order-list")
        with Horizontal(classes="row"):
            yield Button("Submit orders (ctrl+s)", id="submit", variant="primary")
            yield Button("Ready (ctrl+r)", id="ready")
            yield Button("Tick last turn's (l)", id="again")

    def _available(self) -> dict[str, dict[str, Any]]:
        return {lv["id"]: lv for lv in self.model.view.get("levers", []) if lv.get("available")}

    def chosen(self) -> list[str]:
        """The ticked levers that can be ordered now: a disabled row may still be in the list's
        selection (``SelectionList.selected`` keeps it), and must never be submitted."""
        ok = self._available()
        return [v for v in self.query_one("#order-list", SelectionList).selected if v in ok]

    def _mine(self) -> list[str] | None:
        """The levers this team submitted this turn (None: nothing submitted yet)."""
        team = self.model.team
        subs = [sub for k, sub in self.model.orders.items() if team and k.startswith(team + "/")]
        if not subs:
            return None
        return [str(o.get("lever")) for sub in subs for o in sub.get("orders") or []]

    def _new_turn(self) -> None:
        """A new turn starts with no ticks; what was ordered last turn becomes an offer."""
        m = self.model
        if self._turn == m.turn:
            return
        first = self._turn is None
        last = self._submitted if self._submitted is not None else self._choice
        self._turn, self._choice, self._submitted = m.turn, [], None
        self._offer = [] if first else list(last)
        if self._offer:
            self.post_message(
                Notice(
                    f"last turn's orders: {self._codes(self._offer)} — press l in the orders tab"
                    " to tick them again"
                )
            )

    def _codes(self, ids: list[str]) -> str:
        return ", ".join(self.rb.levers[i].code if i in self.rb.levers else i for i in ids)

    def submission(self) -> SubmitOrders | None:
        """The ticked levers as a command; ``None`` (and a notice) if the wire model refuses them."""
        try:
            return SubmitOrders(orders=[Order(lever=c) for c in self.chosen()])
        except ValidationError as exc:
            self.post_message(refused(exc, "submit_orders"))
            return None

    def show(self) -> None:
        self._new_turn()
        mine = self._mine()
        if mine is not None and not self._choice:  # back on this turn's screen: what went in is ticked
            self._choice = list(mine)
        sl = self.query_one("#order-list", SelectionList)
        sl.clear_options()
        for lv in self.model.view.get("levers", []):
            sl.add_option(
                Selection(
                    Text(render.lever_label(lv, self.rb)),
                    lv["id"],
                    lv["id"] in self._choice and bool(lv["available"]),
                    disabled=not lv["available"],
                )
            )
        self.show_info()

    def show_info(self) -> None:
        m = self.model
        mine = self._mine()
        if mine is not None and self._turn == m.turn:
            self._submitted = mine
        if m.phase != "orders" or not m.team:
            text = "Orders are given in the orders phase." if m.team else "Only team seats give orders."
        else:
            pc = m.view.get("pc", {}).get(m.team, 0)
            chosen = self.chosen()
            costs = {lv["id"]: lv.get("cost") or 0 for lv in m.view.get("levers", [])}
            spent = sum(costs.get(c, 0) for c in chosen)
            mine = [k for k in m.orders if k.startswith(m.team + "/")]
            text = f"Budget {render.number(pc)} PC · selected {spent:g} PC · left {pc - spent:g}"
            text += " · SUBMITTED" if mine else ""
            warns = render.order_warnings(m, self.rb, chosen)
            if spent > pc:
                warns.insert(0, "! over budget")
            if warns:
                text += "\n" + "\n".join(warns)
        if self._offer:
            text += (
                f"\nLast turn's orders: {self._codes(self._offer)} — press l (or the button) to tick"
                " again those still available"
            )
        self.query_one("#order-info", Static).update(text)

    @on(SelectionList.SelectedChanged, "#order-list")
    def _ticked(self) -> None:
        self._choice = self.chosen()
        self.show_info()

    @on(Button.Pressed, "#submit")
    def _submit(self) -> None:
        command = self.submission()
        if command is not None:
            self.post_message(self.Submit(command))

    @on(Button.Pressed, "#again")
    def action_tick_again(self) -> None:
        """Tick last turn's orders again, those that can be ordered now; say which cannot."""
        if not self._offer:
            self.post_message(Notice("nothing to tick again: no orders last turn"))
            return
        ok = self._available()
        sl = self.query_one("#order-list", SelectionList)
        again = [i for i in self._offer if i in ok]
        for lid in again:
            sl.select(lid)
        gone = [i for i in self._offer if i not in ok]
        self._choice = sorted({*self._choice, *again})
        text = f"ticked again: {self._codes(again) or 'none'}"
        if gone:
            whys = {lv["id"]: lv.get("why_not") or "" for lv in self.model.view.get("levers", [])}
            text += "; not available now: " + "; ".join(
                f"{self._codes([i])} ({whys.get(i) or 'not in this phase'})" for i in gone
            )
        self._offer = []
        self.post_message(Notice(text))
        self.show_info()

    @on(Button.Pressed, "#ready")
    def _ready(self) -> None:
        self.post_message(self.MarkReady())
