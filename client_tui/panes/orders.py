"""The orders tab: the seat's levers to tick, the budget and warnings as they are ticked, submit and
ready."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, SelectionList, Static
from textual.widgets.selection_list import Selection

from precursor.game.commands import Order, SubmitOrders

from .. import render
from ..widgets import OrderList
from .notice import refused

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from ..model import LiveGame


class OrdersPane(Vertical):
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
        self._choice: list[str] = []  # kept across a redraw of the list (a new view)

    def compose(self) -> ComposeResult:
        yield Static("", id="order-info")
        yield OrderList(id="order-list")
        with Horizontal(classes="row"):
            yield Button("Submit orders (ctrl+s)", id="submit", variant="primary")
            yield Button("Ready (ctrl+r)", id="ready")

    def chosen(self) -> list[str]:
        return list(self.query_one("#order-list", SelectionList).selected)

    def submission(self) -> SubmitOrders | None:
        """The ticked levers as a command; ``None`` (and a notice) if the wire model refuses them."""
        try:
            return SubmitOrders(orders=[Order(lever=c) for c in self.chosen()])
        except ValidationError as exc:
            self.post_message(refused(exc, "submit_orders"))
            return None

    def show(self) -> None:
        sl = self.query_one("#order-list", SelectionList)
        sl.clear_options()
        for lv in self.model.view.get("levers", []):
            sl.add_option(
                Selection(
                    render.lever_label(lv, self.rb),
                    lv["id"],
                    lv["id"] in self._choice,
                    disabled=not lv["available"],
                )
            )
        self.show_info()

    def show_info(self) -> None:
        m = self.model
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

    @on(Button.Pressed, "#ready")
    def _ready(self) -> None:
        self.post_message(self.MarkReady())
