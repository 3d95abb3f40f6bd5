"""A public statement of the seat's own (rule D7), drafted in a small form from the orders tab: the
kind, each with its effect as the rules give it, the team it is addressed to by name, and the text.
It goes to the server with the orders (one a turn, free, not counted as an order), so the form only
drafts it; the orders tab shows the draft and ``OrdersPane.submission`` carries it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from precursor.game.statements import ADDRESSED, STATEMENT_KINDS, STATEMENT_MAX

from .. import terms
from ..widgets import MODAL_CSS, TextField, set_text

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from ..model import LiveGame

NO_TEAM = ""  # the target list's value for a statement made to no team in particular


class StatementScreen(ModalScreen[dict[str, Any] | None]):
    """Answers the statement drafted (kind, target or None, text), ``{}`` to drop the draft, or None
    when cancelled (the draft stays as it was)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel"), Binding("ctrl+s", "done", "Set")]
    DEFAULT_CSS = MODAL_CSS.format(name="StatementScreen") + (
        "StatementScreen .param-row Select { width: 1fr; }\n"
        "StatementScreen .param-row Label { width: 16; }\n"
        "StatementScreen #statement-text { width: 1fr; }\n"
    )

    def __init__(self, model: LiveGame, rb: Rulebook, start: dict[str, Any] | None) -> None:
        super().__init__()
        self.model, self.rb, self.start = model, rb, start or {}

    def compose(self) -> ComposeResult:
        kind = str(self.start.get("kind") or "praise")
        with VerticalScroll():
            yield Static(
                "A public statement: one a turn, free, sent with your orders (ctrl+s in the orders tab)",
                classes="head",
                markup=False,
            )
            kinds = [(terms.statement_name(self.rb, k), k) for k in STATEMENT_KINDS]
            yield Horizontal(
                Label("Kind", markup=False),
                Select[str](kinds, value=kind, allow_blank=False, id="statement-kind"),
                classes="param-row",
            )
            yield Static("", id="statement-effect", markup=False)
            yield Horizontal(
                Label("Addressed to", markup=False),
                Select[str](
                    self._targets(kind),
                    value=self._target_value(kind, self.start.get("target")),
                    allow_blank=False,
                    id="statement-target",
                ),
                classes="param-row",
            )
            yield TextField(
                value=str(self.start.get("text") or ""),
                placeholder="what you say in public (everyone reads it)",
                max_length=STATEMENT_MAX,
                id="statement-text",
            )
            yield Static("", id="statement-check", classes="check", markup=False)
            with Horizontal():
                yield Button("Set (ctrl+s)", id="statement-ok", variant="primary")
                yield Button("No statement", id="statement-drop")
                yield Button("Cancel (Esc)", id="statement-cancel")

    def _targets(self, kind: str) -> list[tuple[str, str]]:
        """The other teams by name; for a kind that may be made to all, no team in particular first."""
        teams = [(terms.team_name(self.rb, t), t) for t in terms.TEAM_NAMES if t != self.model.team]
        return teams if kind in ADDRESSED else [("no team in particular", NO_TEAM), *teams]

    def _target_value(self, kind: str, target: Any) -> str:
        values = [v for _, v in self._targets(kind)]
        return str(target) if target in values else values[0]

    def on_mount(self) -> None:
        self._show()
        self.query_one("#statement-kind", Select).focus()

    @on(Select.Changed, "#statement-kind")
    def _kind_changed(self) -> None:
        kind = self._kind()
        target = self.query_one("#statement-target", Select)
        keep = target.value
        target.set_options(self._targets(kind))
        target.value = self._target_value(kind, keep)
        self._show()

    def _kind(self) -> str:
        return str(self.query_one("#statement-kind", Select).value)

    def draft(self) -> dict[str, Any]:
        target = self.query_one("#statement-target", Select).value
        return {
            "kind": self._kind(),
            "target": str(target) if isinstance(target, str) and target != NO_TEAM else None,
            "text": self.query_one("#statement-text", Input).value.strip(),
        }

    @on(Select.Changed, "#statement-target")
    @on(Input.Changed)
    def _show(self) -> None:
        d = self.draft()
        # what it does now: an effect the rules withhold this turn is said so, with its turn back
        m = self.model
        effect = terms.statement_effect(self.rb, d["kind"], terms.known_values(m), m.turn, terms.last_turn(m))
        set_text(self.query_one("#statement-effect", Static), effect)
        why = terms.statement_problem(self.model, d["kind"], d["target"], d["text"])
        line = f"! {why}" if why else "ok: " + terms.statement_words(self.rb, self.model.team or "", d)
        set_text(self.query_one("#statement-check", Static), line)

    @on(Button.Pressed, "#statement-ok")
    @on(Input.Submitted)
    def action_done(self) -> None:
        d = self.draft()
        why = terms.statement_problem(self.model, d["kind"], d["target"], d["text"])
        if why:
            set_text(self.query_one("#statement-check", Static), f"! not set — {why}")
            return
        self.dismiss(d)

    _typing = False  # the words began on a list, until the focus has reached the text field

    @on(events.Key)
    def _type_through(self, event: events.Key) -> None:
        """Words typed on the kind or addressee list (the focus starts on the kind) go to the text
        field: student l24 pressed t and typed a sentence, whose first space opened the kind list and
        whose words went nowhere. Keys that arrive before the focus has moved follow the first."""
        sel = self.focused
        if not isinstance(sel, Select) or sel.expanded or not event.is_printable or not event.character:
            return
        if event.key == "space" and not self._typing:
            return  # a space alone opens the list, as in every other form
        event.stop()
        event.prevent_default()
        field = self.query_one("#statement-text", Input)
        field.value += event.character
        field.cursor_position = len(field.value)
        self._typing = True
        field.focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget.id == "statement-text":
            self._typing = False

    @on(Button.Pressed, "#statement-drop")
    def _drop(self) -> None:
        self.dismiss({})

    @on(Button.Pressed, "#statement-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
