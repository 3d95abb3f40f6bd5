"""The proposals tab: the table of proposals with accept, reject, withdraw and counter; the agreements;
and a one-line form for a new proposal, checked against the rulebook as it is typed."""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING, Literal, cast, get_args

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from precursor.game.commands import Clause, Framing, ParamValue, Propose, Respond, TeamId

from .. import render
from .notice import Notice, first_problem

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from ..model import LiveGame

FRAMINGS: tuple[str, ...] = get_args(Framing)  # the wire model is the one list
TEAMS: tuple[str, ...] = get_args(TeamId)
Action = Literal["accept", "reject", "withdraw"]


def parse_clause(rb: Rulebook, text: str, parties: list[str]) -> Clause:
    """One clause as typed: ``team:lever k=v … [if condition]``."""
    part, _, condition = text.partition(" if ")
    head, *kvs = part.split()
    actor, sep, lever = head.partition(":")
    if not sep or lever not in rb.levers:
        raise ValueError(f"'{head}': write team:lever with a known lever id")
    if rb.levers[lever].team != actor:
        raise ValueError(f"{lever} is held by {rb.levers[lever].team}, not {actor}")
    if actor not in parties:
        raise ValueError(f"{actor} acts in a clause but is not a party")
    params: dict[str, ParamValue] = {}
    for kv in kvs:
        k, eq, v = kv.partition("=")
        if not eq:
            raise ValueError(f"parameter '{kv}': write name=value")
        if k not in rb.levers[lever].params:
            raise ValueError(f"{lever} has no parameter '{k}' (has {', '.join(rb.levers[lever].params)})")
        params[k] = json.loads(v) if v.replace(".", "", 1).lstrip("-").isdigit() else v
    return Clause(actor=cast(TeamId, actor), lever=lever, params=params, condition=condition.strip() or None)


def parse_proposal(
    rb: Rulebook,
    parties_text: str,
    clauses_text: str,
    visibility: object,
    framing: object,
    counter_to: str | None = None,
) -> Propose:
    """The form as a command; a ``ValueError`` says what to fix (a ``ValidationError`` is one too)."""
    parties = [p.strip() for p in parties_text.split(",") if p.strip()]
    if len(parties) < 2 or any(p not in TEAMS for p in parties):
        raise ValueError("parties: two or more of us, mx, cn, ca")
    clauses = [parse_clause(rb, part.strip(), parties) for part in clauses_text.split(";") if part.strip()]
    if not clauses:
        raise ValueError("add at least one clause")
    return Propose(
        parties=cast(list[TeamId], parties),
        clauses=clauses,
        visibility="public" if visibility == "public" else "private",
        framing=cast(Framing, framing if framing in FRAMINGS else "none"),
        counter_to=counter_to,
    )


def _problem(exc: ValueError) -> str:
    if isinstance(exc, ValidationError):  # one line, not pydantic's report
        return first_problem(exc)
    return str(exc)


class ProposalsPane(Vertical):
    class Answer(Message):
        """The user answers the selected proposal."""

        def __init__(self, command: Respond) -> None:
            super().__init__()
            self.command = command

    class Table(Message):
        """The user tables the proposal in the form; ``pane.tabled()`` once the server has it."""

        def __init__(self, pane: ProposalsPane, command: Propose) -> None:
            super().__init__()
            self.pane, self.command = pane, command

    def __init__(self, model: LiveGame, rb: Rulebook) -> None:
        super().__init__()
        self.model, self.rb = model, rb
        self._counter_to: str | None = None

    def compose(self) -> ComposeResult:
        yield DataTable(id="prop-table", cursor_type="row")
        with Horizontal(classes="row"):
            yield Button("Accept", id="accept")
            yield Button("Reject", id="reject")
            yield Button("Withdraw", id="withdraw")
            yield Button("Counter", id="counter")
        yield Static("", id="agreements", markup=False)
        yield Label(
            "New proposal: parties (us,mx) and clauses (team:lever k=v [if condition]; …)", markup=False
        )
        with Horizontal(classes="row"):
            yield Input(placeholder="us,mx", id="prop-parties")
            yield Input(placeholder="mx:mx_plan_1; us:us_san_2 states=1 if mx.st < 60", id="prop-clauses")
        with Horizontal(classes="row"):
            yield Select[str](
                [("private", "private"), ("public", "public")],
                id="prop-vis",
                value="private",
                allow_blank=False,
            )
            yield Select[str](
                [(f.replace("_", " "), f) for f in FRAMINGS],
                id="prop-framing",
                value="none",
                allow_blank=False,
            )
            yield Button("Propose", id="propose")
        yield Static("", id="prop-preview", markup=False)

    def on_mount(self) -> None:
        self.query_one("#prop-table", DataTable).add_columns("id", "from", "parties", "status", "clauses")

    def show(self) -> None:
        table = self.query_one("#prop-table", DataTable)
        table.clear()
        for p in self.model.proposals.values():
            clauses = "; ".join(f"{c['actor']}:{c['lever']}" for c in p.get("clauses", []))
            parties = ",".join(p.get("parties", []))
            status = p.get("status", "open")
            if status == "open" and p.get("accepted"):
                status += " ✓" + ",".join(t.upper() for t in p["accepted"])
            table.add_row(
                *render.cells(p["id"], p.get("from", "").upper(), parties, status, clauses[:60]), key=p["id"]
            )
        self.query_one("#agreements", Static).update(render.agreements_text(self.model))

    def _selected(self) -> str | None:
        table = self.query_one("#prop-table", DataTable)
        if table.row_count:
            with contextlib.suppress(Exception):
                return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        return None

    # ------------------------------------------------------------------ answering

    def _answer(self, action: Action) -> None:
        selected = self._selected()
        if selected:
            self.post_message(self.Answer(Respond(proposal=selected, action=action)))

    @on(Button.Pressed, "#accept")
    def _accept(self) -> None:
        self._answer("accept")

    @on(Button.Pressed, "#reject")
    def _reject(self) -> None:
        self._answer("reject")

    @on(Button.Pressed, "#withdraw")
    def _withdraw(self) -> None:
        self._answer("withdraw")

    @on(Button.Pressed, "#counter")
    def _counter(self) -> None:
        p = self.model.proposals.get(self._selected() or "")
        if p is None:
            self.post_message(Notice("select a proposal to counter"))
            return
        self._counter_to = p["id"]
        self.query_one("#prop-parties", Input).value = ",".join(p.get("parties", []))
        self.query_one("#prop-clauses", Input).value = "; ".join(
            f"{c['actor']}:{c['lever']}" + "".join(f" {k}={v}" for k, v in (c.get("params") or {}).items())
            for c in p.get("clauses", [])
        )
        self.query_one("#prop-clauses", Input).focus()
        self.post_message(Notice(f"countering {p['id']}: edit the clauses, then Propose"))

    # ------------------------------------------------------------------ a new proposal

    def proposal(self) -> Propose:
        """The form as a command, countering the proposal picked with Counter while it is open."""
        counter_to = (
            self._counter_to if self._counter_to and self._counter_to in self.model.proposals else None
        )
        return parse_proposal(
            self.rb,
            self.query_one("#prop-parties", Input).value,
            self.query_one("#prop-clauses", Input).value,
            self.query_one("#prop-vis", Select).value,
            self.query_one("#prop-framing", Select).value,
            counter_to,
        )

    @on(Input.Changed, "#prop-clauses")
    @on(Input.Changed, "#prop-parties")
    def _preview(self) -> None:
        try:
            cmd = self.proposal()
            cost = 0.0
            for c in cmd.clauses:
                lv = self.rb.levers[c.lever]
                with contextlib.suppress(Exception):
                    cost += float(lv.cost({**{f"param.{k}": v for k, v in c.params.items()}}))
            moves = "; ".join(
                f"{c.lever} → {render.effect_summary(self.rb, c.lever, 3)}" for c in cmd.clauses
            )
            counter = f" (counter to {cmd.counter_to})" if cmd.counter_to is not None else ""
            text = f"ok: {len(cmd.clauses)} clause(s){counter}; rough PC cost ≈ {cost:g}\n{moves}"
        except ValueError as exc:
            text = f"! {_problem(exc)}"
        self.query_one("#prop-preview", Static).update(text)

    @on(Button.Pressed, "#propose")
    def _propose(self) -> None:
        try:
            command = self.proposal()
        except ValueError as exc:
            self.post_message(Notice(f"! {_problem(exc)}"))
            return
        self.post_message(self.Table(self, command))

    def tabled(self) -> None:
        """The server took the proposal: a later one is new, not another counter."""
        self._counter_to = None
