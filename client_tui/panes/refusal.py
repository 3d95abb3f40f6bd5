"""Refusing an order another seat of the team gave (docs/engine.md, "Refusing an order"), in the orders
tab of a team played by several people.

The view's ``refusable`` list is the engine's own judgement of each such order: who may refuse it, on
which ground, at what cost, or why it may not be refused now. The seat that may refuse gets the list
with a key (x) and a button; the seat whose orders they are reads which of them may be refused. A team
with one seat has nothing here and the box is not drawn, so the tab looks as it always did.

Refusing costs the team political capital and spends the team's refusal for a few turns, so it takes a
small form (an optional reason, read by the team) and then a confirmation that names the cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from precursor.game.adjudication.refusal import given_words
from precursor.game.commands import MAX_REASON

from .. import render, terms
from ..widgets import MODAL_CSS, TextField, set_text

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from ..model import LiveGame


def _seat(model: LiveGame, rb: Rulebook, seat: Any) -> str:
    return terms.seat_name(model, rb, model.team or "", str(seat or ""))


def _code(rb: Rulebook, lever: Any, code: Any = None) -> str:
    lv = rb.levers.get(str(lever))
    return str(code or (lv.code if lv is not None else lever))


def cost_words(model: LiveGame, rb: Rulebook, changes: dict[str, Any], before: dict[str, Any]) -> str:
    """What a refusal costs, by name: the capital it takes in PC and the value before and after."""
    team = model.team or ""
    pc_key = f"{team}.pc"
    known = {pc_key: (model.view.get("pc") or {}).get(team)} if pc_key in changes else {}
    was = {k: v for k, v in {**known, **before}.items() if v is not None}
    words = render.changes_text({"changes": changes, "before": was}, rb)
    if pc_key in changes and pc_key in was:
        spent = float(was[pc_key]) - float(changes[pc_key])
        return f"{spent:g} PC ({'; '.join(words)})" if words else f"{spent:g} PC"
    return "; ".join(words) or "nothing"


def every_turns(rb: Rulebook, rule: str) -> int:
    """How many turns a team waits between refusals under a ground (1 if the rulebook does not say)."""
    r = rb.mechanisms.get(rule)
    expr = r.params.get("every_turns") if r is not None else None
    if expr is None:
        return 1
    try:
        return int(expr.fn({}))
    except Exception:  # a number that depends on the state: not worth guessing in a question
        return 1


def mine(model: LiveGame) -> list[dict[str, Any]]:
    """The orders this seat may be asked to carry out and so may refuse (allowed now or not)."""
    seat = model.me.get("seat")
    return [r for r in model.view.get("refusable") or [] if seat and r.get("seat") == seat]


def theirs(model: LiveGame) -> list[dict[str, Any]]:
    """This seat's own orders that another seat may refuse now: what the giver should know."""
    seat = model.me.get("seat")
    return [
        r
        for r in model.view.get("refusable") or []
        if seat and r.get("by_seat") == seat and r.get("seat") != seat and r.get("allowed")
    ]


def entry_row(model: LiveGame, rb: Rulebook, entry: dict[str, Any]) -> str:
    """One order in the list: the lever, who gave it, and whether it may be refused now."""
    code = _code(rb, entry.get("lever"), entry.get("code"))
    head = f"{code}, ordered by {_seat(model, rb, entry.get('by_seat'))}"
    if entry.get("allowed"):
        cost = cost_words(model, rb, dict(entry.get("changes") or {}), {}).split(" (")[0]
        return f"{head} — may be refused now, for {cost}"
    return f"{head} — cannot be refused now"


def entry_detail(model: LiveGame, rb: Rulebook, entry: dict[str, Any]) -> str:
    """The highlighted order in full: the ground and why it holds, or why it may not be refused."""
    code = _code(rb, entry.get("lever"), entry.get("code"))
    if entry.get("allowed"):
        ground = render.rule_name(rb, str(entry.get("rule") or ""))
        cost = cost_words(model, rb, dict(entry.get("changes") or {}), {})
        return f"{code}: costs {cost} · ground — {ground}: {entry.get('why') or ''}"
    why = entry.get("why") or entry.get("refused_code") or "no ground holds"
    return f"{code} cannot be refused now: {why}"


def given_reason(rb: Rulebook, ev: dict[str, Any]) -> str:
    """The refusing seat's own words (empty when it gave none), as the engine wrapped them."""
    rule = rb.mechanisms.get(str(ev.get("rule") or ""))
    return given_words(ev, rule.reason if rule is not None else None)


def refusal_line(model: LiveGame, rb: Rulebook, ev: dict[str, Any]) -> str:
    """A refusal as the seats of the team read it: who refused whose order, the ground, their words,
    and what it cost once the cost is known."""
    seat = model.me.get("seat")
    code = _code(rb, ev.get("lever"), ev.get("code"))
    by, who = ev.get("by_seat"), _seat(model, rb, ev.get("seat"))
    if by == seat:
        text = f"{who} refused your {code}: it is not given"
    elif ev.get("seat") == seat:
        text = f"You refused {code}, ordered by {_seat(model, rb, by)}"
    else:
        text = f"{who} refused {code}, ordered by {_seat(model, rb, by)}"
    text += f" · ground: {render.rule_name(rb, str(ev.get('rule') or ''))}"
    said = given_reason(rb, ev)
    text += f' · "{said}"' if said else ""
    if "changes" in ev:
        text += f" · cost {cost_words(model, rb, dict(ev['changes']), dict(ev.get('before') or {}))}"
    return text


class RefusalBox(Vertical):
    """The orders another seat gave that this seat may refuse, and this seat's own orders another seat
    may refuse; not drawn when there are none (a one-seat team always)."""

    def __init__(self, model: LiveGame, rb: Rulebook) -> None:
        super().__init__(id="refusal")
        self.model, self.rb = model, rb
        self.entries: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="refuse-head", markup=False)
        ol = OptionList(id="refuse-list")
        ol.border_title = "Orders another seat gave that your seat carries out: x refuses one"
        yield ol
        yield Static("", id="refuse-detail", markup=False)
        with Horizontal(classes="row"):
            yield Button("Refuse this order (x)", id="refuse", variant="warning")

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        m, rb = self.model, self.rb
        entries, warned = mine(m), theirs(m)
        self.display = bool(entries or warned)
        head = []
        for r in warned:
            code = _code(rb, r.get("lever"), r.get("code"))
            cost = cost_words(m, rb, dict(r.get("changes") or {}), {})
            head.append(
                f"{_seat(m, rb, r.get('seat'))} may refuse your {code} this phase"
                f" (ground: {render.rule_name(rb, str(r.get('rule') or ''))}; it would cost {cost})"
            )
        set_text(self.query_one("#refuse-head", Static), "\n".join(head))
        self.query_one("#refuse-head").display = bool(head)
        self.set_class(bool(entries), "-offer")  # the list, its detail and its button (orders.tcss)
        ol = self.query_one("#refuse-list", OptionList)
        keep = ol.highlighted
        if entries != self.entries:
            self.entries = entries
            ol.clear_options()
            ol.add_options([Option(entry_row(m, rb, r), id=str(r.get("lever"))) for r in entries])
            if entries:
                ol.highlighted = keep if keep is not None and keep < len(entries) else 0
        self.show_detail()

    @on(OptionList.OptionHighlighted, "#refuse-list")
    def show_detail(self) -> None:
        entry = self.highlighted()
        text = entry_detail(self.model, self.rb, entry) if entry is not None else ""
        text += " (x refuses it)" if entry is not None and entry.get("allowed") else ""
        set_text(self.query_one("#refuse-detail", Static), text)

    def highlighted(self) -> dict[str, Any] | None:
        """The order the list points at (the first one when nothing is highlighted yet)."""
        if not self.entries:
            return None
        i = self.query_one("#refuse-list", OptionList).highlighted
        return self.entries[i if i is not None and i < len(self.entries) else 0]


class RefuseScreen(ModalScreen[str | None]):
    """The refusal's reason, optional, read by the team: answers it ("" for none), or None to cancel."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]
    DEFAULT_CSS = MODAL_CSS.format(name="RefuseScreen") + "RefuseScreen #refuse-reason { width: 1fr; }\n"

    def __init__(self, title: str, detail: str) -> None:
        super().__init__()
        self.title_text, self.detail = title, detail

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self.title_text, classes="head", markup=False)
            yield Static(self.detail, markup=False)
            yield TextField(
                placeholder="why, in a sentence, for your team (optional)",
                max_length=MAX_REASON,
                id="refuse-reason",
            )
            with Horizontal():
                yield Button("Go on (Enter)", id="refuse-ok", variant="warning")
                yield Button("Cancel (Esc)", id="refuse-cancel")

    def on_mount(self) -> None:
        self.query_one("#refuse-reason", Input).focus()

    @on(Input.Submitted, "#refuse-reason")
    @on(Button.Pressed, "#refuse-ok")
    def _ok(self) -> None:
        self.dismiss(self.query_one("#refuse-reason", Input).value.strip())

    @on(Button.Pressed, "#refuse-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
