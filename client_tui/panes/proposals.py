"""The proposals tab: the table of proposals, each opened in full with Enter (every clause in words,
what it costs each party, whether the committed team can keep it in every turn it is due); accept,
reject, withdraw and counter; the agreements; and ``n`` for the composer (``client_tui.composer``),
where a proposal is put together from lists, never typed as ids.

Accepting a proposal that commits this team to a clause it cannot keep now asks first; the line under
the table, the proposal in full and the notice after accepting say what a deal adds to the order slots
and the capital this turn's deals take (``commitment``). A team that answers with a reason (every bot
that rejects gives one) is read under the table, in the proposal in full, and, for this team's own
proposals, in the notice line as it comes. A counter is
a composer opened on the proposal countered: its link ends with that window, and never carries over to
a later proposal."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, DataTable, Static

from precursor.game.commands import Propose, Respond
from precursor.game.negotiation import answer_refusal
from precursor.game.promises import clause_span

from .. import render, terms
from ..composer import ComposerScreen, ProposalScreen, Send, cannot_propose
from ..notice import Notice
from ..widgets import Confirm, set_text
from .orders import NARROW, OrdersPane, order_limit

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from ..model import LiveGame

Action = Literal["accept", "reject", "withdraw"]
REPLIES_SHOWN = 3  # the latest answers with a reason kept under the table
ANSWERS = ("accept", "reject", "withdraw", "counter")
COLUMNS = ("id", "between", "status", "clauses")
CLAUSE_ROOM = 24  # cells the clauses keep before the parties are written by team code


def refusal(
    model: LiveGame, rb: Rulebook, p: dict[str, Any] | None, action: str, pid: str = ""
) -> str | None:
    """Why the server would refuse this team's answer, in a player's words, or None. The check is the
    server's own (``answer_refusal``); a counter is offered where a reject would be taken, since
    countering a proposal is turning it down with other terms, and to its proposer where a withdrawal
    would be (a revision replaces it)."""
    pid = str((p or {}).get("id") or pid or "that proposal")
    full = None if p is None else {"parties": [], "status": "open", "from": "", "accepted": [], **p}
    team = model.team or ""
    check = action
    if action == "counter":
        check = "withdraw" if (p or {}).get("from") == team else "reject"
    found = answer_refusal(full, pid, team, model.phase, check)
    if found is None:
        return None
    code, message = found
    if code == "unknown_proposal":
        between = (
            ", ".join(terms.team_name(rb, str(t)) for t in (p or {}).get("parties", [])) or "other teams"
        )
        return f"{pid} is between {between}: only its parties answer it"
    if code == "proposal_closed":
        return f"{pid} is {(p or {}).get('status')}"
    if code == "wrong_phase":
        return "proposals are answered in the briefing and negotiation phases"
    if code == "forbidden" and check == "reject":
        return f"your team tabled {pid}: withdraw it instead"
    if code == "forbidden":
        return "only the team that tabled a proposal can withdraw it"
    if code == "already_accepted":
        return f"your team has already accepted {pid}"
    return message


def addressed(model: LiveGame) -> list[str]:
    """The open proposals other teams addressed to this team that it has not accepted yet."""
    team = model.team
    return [
        pid
        for pid, p in model.proposals.items()
        if p.get("status", "open") == "open"
        and team in (p.get("parties") or [])
        and p.get("from") != team
        and team not in (p.get("accepted") or [])
    ]


def to_answer(model: LiveGame) -> list[str]:
    """The proposals addressed to this team that an answer can still settle: a student found offers
    from bots still open turns after they came, with nothing on screen to say so. One that has lapsed,
    or that no later phase can answer, is not counted: China's tab read "(1 to answer)" in turn 4's
    results over a proposal whose window said "It has lapsed", and a and r did nothing there."""
    return [pid for pid in addressed(model) if not _past_answering(model, model.proposals[pid])]


def _next_answer_turn(model: LiveGame) -> int:
    """The turn of the next phase in which proposals are answered: this one, or the next turn."""
    return model.turn if model.phase in ("briefing", "negotiation") else model.turn + 1


def _past_answering(model: LiveGame, p: dict[str, Any]) -> bool:
    """No answer can still make the proposal bind anything: the game is over, no phase is left to
    answer it in, or every turn it covers is over by the next phase that answers."""
    if model.ended:
        return True
    nxt, last = _next_answer_turn(model), terms.last_turn(model)
    if last is not None and nxt > last:
        return True
    return _lapsed_by(model, p, nxt)


def _lapsed_by(model: LiveGame, p: dict[str, Any], turn: int) -> bool:
    ends = [span[-1] for c in p.get("clauses") or [] if (span := clause_span(c, model.turn))]
    return bool(ends) and max(ends) < turn


def when_answerable(model: LiveGame, p: dict[str, Any]) -> str:
    """For a proposal this team has to answer, in a phase where it cannot, or one that has lapsed: when
    it can be answered, or that it never will. The window offered only Close, with no word on why."""
    if str(p.get("id")) not in addressed(model):
        return ""
    if model.phase in ("briefing", "negotiation"):
        if not model.ended and _lapsed_by(model, p, model.turn):
            return (
                "It has lapsed: every turn it covers is over, so accepting it binds nothing. Rejecting"
                " it clears it."
            )
        return ""
    if model.ended:
        return "The game is over: this proposal can no longer be answered."
    nxt, last = model.turn + 1, terms.last_turn(model)
    rule = "proposals are answered in the briefing and negotiation phases"
    if last is not None and nxt > last:
        return f"It can no longer be answered: {rule}, and this is the last turn."
    ends = [span[-1] for c in p.get("clauses") or [] if (span := clause_span(c, model.turn))]
    if ends and max(ends) < nxt:
        return (
            f"It has lapsed: {rule}, and by turn {nxt} every turn it covers (up to turn {max(ends)})"
            " is over. Rejecting it then clears it."
        )
    return f"It can be answered in turn {nxt}'s briefing or negotiation phase: {rule}, not in this one."


def offered(model: LiveGame, rb: Rulebook, p: dict[str, Any] | None) -> set[str]:
    """The answers this team may give the proposal now (none for another pair's or a closed one)."""
    return {a for a in ANSWERS if p is not None and refusal(model, rb, p, a) is None}


def reasons(p: dict[str, Any]) -> list[str]:
    """The reasons the parties gave with their answers, each as the team wrote it (a bot's sentence
    already names its team)."""
    return [str(text) for text in (p.get("reasons") or {}).values() if text]


def replies_text(model: LiveGame) -> str:
    """The latest answers that came with a reason, one a line after the proposal's id."""
    lines = [f"{pid} · {text}" for pid, p in model.proposals.items() for text in reasons(p)]
    return "\n".join(["Answers:", *lines[-REPLIES_SHOWN:]]) if lines else ""


class Load(NamedTuple):
    """What this team's orders this turn would be with a proposal accepted: the orders it adds, the
    slots and the capital its deals would then take, out of the team's (``pc`` None: not known)."""

    added: int
    slots: int
    limit: int
    used: float
    pc: float | None
    priced: bool  # False: some order's cost is not known here, and ``used`` is a floor
    ticked: int = 0  # the orders ticked in the orders tab, counted in ``slots`` and ``used``

    @property
    def over(self) -> bool:
        return self.slots > self.limit or (self.pc is not None and self.used > self.pc)


def load(
    model: LiveGame, rb: Rulebook, p: dict[str, Any], ticked: Mapping[str, float | None] | None = None
) -> Load | None:
    """The team's load this turn with ``p`` accepted, on the deals in force and the orders ``ticked`` in
    the orders tab (lever: its cost), a lever counted once however many deals and ticks ask for it: a
    student with four orders ticked read "2/4 order slots" taken (None: it cannot accept it)."""
    if "accept" not in offered(model, rb, p):
        return None
    held = [
        c
        for a in model.agreements.values()
        if a.get("status") in ("signed", "active")
        for c in a.get("clauses") or []
    ]
    deal = list(p.get("clauses") or [])
    both = terms.due_orders(model, rb, held + deal)
    ticks = dict(ticked or {})
    for lever, cost in ticks.items():
        had = both.get(lever, 0.0)
        both[lever] = None if cost is None or had is None else max(had, cost)
    known = [cost for cost in both.values() if cost is not None]
    pc = (model.view.get("pc") or {}).get(str(model.team))
    return Load(
        added=len(set(terms.due_orders(model, rb, deal)) - set(terms.due_orders(model, rb, held))),
        slots=len(both),
        limit=order_limit(model),
        used=sum(known),
        pc=None if pc is None else float(pc),
        priced=len(known) == len(both),
        ticked=len(ticks),
    )


def commitment(
    model: LiveGame,
    rb: Rulebook,
    p: dict[str, Any],
    *,
    brief: bool = False,
    ticked: Mapping[str, float | None] | None = None,
) -> str:
    """What accepting a proposal commits this team to this turn, against the order slots and the capital
    the orders tab counts ("adds 2 orders due this turn: 3 of your 4 order slots and 3 of 4 PC would then
    be taken"): a student's accepted deals took slots and capital with no word until the orders phase.
    ``brief``: in a few words, for the line under the table at 80 columns. Empty for a proposal this
    team cannot accept now."""
    got = load(model, rb, p, ticked)
    if got is None:
        return ""
    n, least = got.added, "" if got.priced else "at least "
    k = got.ticked
    if brief and k:  # one line at 80 columns with the ticks said too: a second pushed the buttons off
        text = f"+{n} order{'s' if n != 1 else ''} → {got.slots}/{got.limit} slots"
        text += f", {'≥' if least else ''}{got.used:g}/{got.pc:g} PC" if got.pc is not None else ""
        return text + f" with {k} ticked" + (" (over)" if got.over else "")
    if brief:
        text = f"+{n} order{'s' if n != 1 else ''} this turn, then {got.slots}/{got.limit} order slots"
        text += f" and {least}{got.used:g}/{got.pc:g} PC taken" if got.pc is not None else " taken"
        return text + (" (more than you have)" if got.over else "")
    head = f"adds {n} order{'s' if n != 1 else ''} due this turn" if n else "adds no order due this turn"
    taken = f" and {least}{got.used:g} of {got.pc:g} PC" if got.pc is not None else ""
    text = f"{head}: {got.slots} of your {got.limit} order slots{taken} would then be taken"
    if k:
        text += f", counting the {k} order{'s' if k != 1 else ''} ticked in the orders tab"
    return text + (" — more than your team has" if got.over else "")


def status_cell(model: LiveGame, rb: Rulebook, p: dict[str, Any]) -> str:
    """A proposal's status in the table. A signed one names its agreement as such ("signed: agreement
    A4-US-1"): "signed as A4-US-1" left students guessing how a T id and an A id relate. One waiting for
    this team's answer says so: a student could not tell it from the other open ones."""
    if p.get("status") == "signed":
        return f"signed: agreement {terms.agreement_of(model, p)}"
    status = terms.proposal_status(model, rb, p, short=True)
    pid = str(p.get("id"))
    if pid in to_answer(model):
        return "to answer" + status.removeprefix("open")
    if pid in addressed(model) and status.startswith("open"):  # still open on the server, past answering
        past = "lapsed" if _lapsed_by(model, p, _next_answer_turn(model)) else "unanswered"
        return past + status.removeprefix("open")
    return status


def ids_words(model: LiveGame, p: dict[str, Any]) -> str:
    """How a proposal's id and its agreement's relate, for the proposal in full: nothing on screen said
    that T4-US-1 (turn 4, the United States' first) becomes A4-US-1 once every party accepts it."""
    pid, agreement = str(p.get("id") or ""), terms.agreement_of(model, p)
    if p.get("status") == "signed":
        return (
            f"Signed: proposal {pid} is now agreement {agreement}, the id the agreements and the orders"
            " tab use."
        )
    status = str(p.get("status") or "open")
    if status != "open":  # rejected, withdrawn, expired: no agreement came of it
        closed = status.replace("_", " ")
        return f"{pid} is the proposal's id; it is {closed}: no agreement {agreement} came of it."
    return (
        f"{pid} is the proposal's id; once every party accepts it, it is signed as agreement"
        f" {agreement}, the id the agreements and the orders tab use."
    )


SHORT_NAME = 26  # a lever's name in the table, cut at a word: the code alone told a student nothing


def short_name(name: str, limit: int = SHORT_NAME) -> str:
    """A lever's name cut at a word to about ``limit`` characters ("Sanctions on Mexican state…")."""
    if len(name) <= limit:
        return name
    cut = name[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-— ")
    return cut + "…"


def clause_cell(rb: Rulebook, p: dict[str, Any]) -> str:
    """The clauses in the table by lever code and short name, with the parameters set. A code starts
    with its team's (MX-PLAN is Mexico's) and the "between" column names the teams, so the cell names
    no team: a name before each code pushed the conditions off a 120-column table, and the engine's
    ``MX`` before ``MX-PLAN`` told a student nothing; nor did the codes alone ("US-TF; US-IND")."""
    parts = []
    for c in p.get("clauses", []):
        lv = rb.levers.get(str(c.get("lever")))
        code = f"{lv.code} {short_name(lv.name)}" if lv is not None else str(c.get("lever"))
        params = terms.params_words(
            rb, str(c.get("lever")), dict(c.get("params") or {}), changed_only=True, promise=True
        )
        cond = f" [if {terms.condition_words(rb, str(c['condition']))}]" if c.get("condition") else ""
        parts.append(code + (f" ({params})" if params else "") + cond)
    parts += [f"module {str(m).upper()}" for m in p.get("modules") or []]
    return "; ".join(parts)


def modules_text(rb: Rulebook, p: dict[str, Any]) -> str:
    """The trilateral modules a proposal carries, each by its name and what it does."""
    lines = []
    for m in p.get("modules") or []:
        mod = rb.modules.get(str(m))
        name = f"{mod.name}: {' '.join(mod.reason.split())}" if mod is not None else str(m)
        lines.append(f" {str(m).upper()} — {name}")
    if not lines:
        return ""
    return "\n\nTrilateral modules (in force once signed, at a trilateral meeting):\n" + "\n".join(lines)


class ProposalTable(DataTable[Any]):
    """The proposals table, whose page keys page the answers and agreements under it while its own
    rows all fit (a table in view has nothing to page): it has the focus in the tab, and PageDown
    moved its cursor while the agreements stayed out of reach."""

    def _notes(self, where: str) -> bool:
        if self.max_scroll_y > 0:
            return False
        box = self.screen.query_one("#prop-replies-box", VerticalScroll)
        {"down": box.scroll_page_down, "up": box.scroll_page_up, "home": box.scroll_home}.get(
            where, box.scroll_end
        )(animate=False)
        return True

    def action_page_down(self) -> None:
        if not self._notes("down"):
            super().action_page_down()

    def action_page_up(self) -> None:
        if not self._notes("up"):
            super().action_page_up()

    def action_scroll_home(self) -> None:
        if not self._notes("home"):
            super().action_scroll_home()

    def action_scroll_end(self) -> None:
        if not self._notes("end"):
            super().action_scroll_end()


class ProposalsPane(Vertical):
    BINDINGS = [
        Binding("n", "compose", "New proposal", show=False),  # the button says it
        # from a button under the table (where an answer or a closed window leaves the focus) the
        # arrows still move the table, and take the focus back to it: a student pressed Down, saw
        # nothing move, and Enter on "New proposal" opened a composer instead of the proposal
        Binding("up", "row(-1)", "Previous proposal", show=False),
        Binding("down", "row(1)", "Next proposal", show=False),
        # the keys the proposal in full answers to, on the list too: a student pressed a on the
        # highlighted proposal (the Accept button under it) and nothing happened (session 25's China)
        Binding("a", "answer('accept')", "Accept the highlighted proposal", show=False),
        Binding("r", "answer('reject')", "Reject the highlighted proposal", show=False),
        Binding("c", "answer('counter')", "Counter the highlighted proposal", show=False),
    ]

    class Answer(Message):
        """The user answers the selected proposal."""

        def __init__(self, command: Respond, commits: str = "") -> None:
            super().__init__()
            self.command = command
            self.commits = commits  # an acceptance: what it commits the team to this turn (``commitment``)

    def __init__(self, model: LiveGame, rb: Rulebook, send: Send | None = None) -> None:
        super().__init__()
        self.model, self.rb = model, rb
        self.send: Send | None = send  # tables a proposal; None: the reason it was refused
        self._told: set[tuple[str, str]] | None = None  # the reasons already in the notice line
        self._mine: set[str] | None = None  # this team's proposals in the table as last drawn
        self._incoming: set[str] | None = None  # the proposals to answer already announced
        self._coded_at = 0  # the widest table the parties went to team codes at (0: never)
        self._orders: OrdersPane | None = None  # the screen's orders tab, once found (_orders_pane)

    def compose(self) -> ComposeResult:
        yield ProposalTable(id="prop-table", cursor_type="row")
        yield Static("", id="prop-hint", markup=False)
        # the answers and the agreements, as tall as they are up to half the pane, and scrolled there
        # by the page keys: at 80x24 the agreements under the buttons were below the screen's edge
        with VerticalScroll(id="prop-replies-box"):
            yield Static("", id="prop-replies", markup=False)
            yield Static("", id="agreements", markup=False)
        with Horizontal(classes="row"):
            yield Button("New proposal (n)", id="propose", variant="primary")
            yield Button("Accept (a)", id="accept")
            yield Button("Reject (r)", id="reject")
            yield Button("Withdraw", id="withdraw")
            yield Button("Counter (c)", id="counter")

    def on_mount(self) -> None:
        self.query_one("#prop-table", DataTable).add_columns(*COLUMNS)

    def show(self) -> None:
        table = self.query_one("#prop-table", DataTable)
        keep = self._new_own() or self._new_offer() or self._selected()
        # the columns too: their widths are set anew from this drawing's cells (see _widths)
        table.clear(columns=True)
        rows, short = [], []
        for p in self.model.proposals.values():
            # who tabled it to whom, in one column; by team codes ("US → MX, CA") when the names
            # leave the clauses no room (80 columns)
            others = [t for t in p.get("parties", []) if t != p.get("from")]
            between = f"{self._names([p.get('from', '')])} → {self._names(others)}"
            codes = f"{str(p.get('from', '')).upper()} → {', '.join(str(t).upper() for t in others)}"
            status = status_cell(self.model, self.rb, p)
            rows.append((str(p["id"]), between, status, clause_cell(self.rb, p)))
            short.append((str(p["id"]), codes, status, rows[-1][3]))
        widths = self._widths(rows)
        room = table.scrollable_content_region.width
        # once by codes, by codes at that width for good: at turn 2 the statuses went from "to answer
        # · 1/2 accepted" to "expired", the names fitted again, and a student saw the column change
        # from "MX → US" to "Mexico → United States" with nothing else changed
        if (room and room <= self._coded_at) or (
            widths[3] < CLAUSE_ROOM and self._widths(short)[3] > widths[3]
        ):
            rows, widths = short, self._widths(short)
            self._coded_at = max(self._coded_at, room)
        for name, width in zip(COLUMNS, widths, strict=True):
            table.add_column(name, width=width)
        for pid, between, status, clauses in rows:
            # a clause cut at the column's end says so with "…": a code cut mid-word read as another
            cell = Text(clauses, no_wrap=True, overflow="ellipsis")
            table.add_row(*render.cells(pid, between, status), cell, key=pid)
        if keep is not None and keep in self.model.proposals:
            with contextlib.suppress(Exception):
                table.move_cursor(row=table.get_row_index(keep))
        self._hint()
        set_text(self.query_one("#agreements", Static), render.agreements_text(self.model, self.rb))
        set_text(self.query_one("#prop-replies", Static), replies_text(self.model))
        self._offer()
        self._tell_replies()
        self._tell_incoming()

    def _widths(self, rows: list[tuple[str, str, str, str]]) -> list[int]:
        """Every column's width, set here from the cells rather than measured by the table: a DataTable
        measures its cells only when it is next idle, and rows the screen drew before that stayed drawn
        at the headers' widths ("T1  United  counte") until they scrolled out of view and back. The id,
        parties and status keep their whole text; the clauses take what is left before the scrollbar's
        gutter (kept whether or not the rows scroll: a scrollbar that came with a line under the table
        pushed the clauses' "…" past the edge), a few cells at least (the rest of the row then scrolls)."""
        table = self.query_one("#prop-table", DataTable)
        widths = [max([cell_len(h), *(cell_len(r[i]) for r in rows)]) for i, h in enumerate(COLUMNS)]
        room = table.scrollable_content_region.width
        if room and rows:
            used = sum(widths[:3]) + 3 * 2 * table.cell_padding
            widths[3] = max(room - used - 2 * table.cell_padding, 8)
        return widths

    def on_resize(self) -> None:
        self.show()

    def _new_own(self) -> str | None:
        """This team's proposal that came since the table was last drawn, to be highlighted: at 80x24
        a student's new proposal was below the rows in view and nothing said it had come."""
        mine = [pid for pid, p in self.model.proposals.items() if p.get("from") == self.model.team]
        seen, self._mine = self._mine, set(mine)
        fresh = [pid for pid in mine if seen is not None and pid not in seen]
        return fresh[-1] if fresh else None

    def _narrow(self) -> bool:
        return bool(self.size.width) and self.size.width < NARROW

    def _new_offer(self) -> str | None:
        """A proposal to answer that came since the table was last drawn, to be highlighted, as this
        team's own new one is: a student's new offer to answer was below the rows in view. On the first
        drawing, the first proposal to answer."""
        now = to_answer(self.model)
        seen = self._incoming
        fresh = [pid for pid in now if seen is None or pid not in seen]
        return (fresh[0] if seen is None else fresh[-1]) if fresh else None

    @on(DataTable.RowHighlighted, "#prop-table")
    def _offer(self) -> None:
        """Only the answers the server would take are on show for the highlighted proposal."""
        can = offered(self.model, self.rb, self.model.proposals.get(self._selected() or ""))
        for action in ANSWERS:
            self.query_one(f"#{action}", Button).display = action in can
        self._hint()

    def _ticks(self) -> dict[str, float | None]:
        """The orders ticked in the orders tab (none where there is no such tab, as in a replay)."""
        orders = self._orders_pane()
        return orders.ticked_costs() if orders is not None else {}

    def _orders_pane(self) -> OrdersPane | None:
        """The orders tab, looked up once: it stays mounted for the screen's life, and walking the
        screen for it at every redraw was 14 ms a call, 8.2 s (5 %) of a play-through's client CPU.
        Where there is none yet (not attached, or a screen without one) it is looked up again."""
        if self._orders is None and self.is_attached:
            found = self.screen.query(OrdersPane)
            self._orders = found.first() if found else None
        return self._orders

    def on_show(self) -> None:
        """The line under the table anew as the tab comes up: ticks made in the orders tab count."""
        self._hint()

    def _hint(self) -> None:
        """The line under the table; for a proposal this team may accept, what accepting it commits the
        team to this turn, read before the Accept button is pressed."""
        p = self.model.proposals.get(self._selected() or "")
        if not self.model.proposals:
            hint = "No proposal yet: n puts one together"
        elif p is not None and (
            commits := commitment(self.model, self.rb, p, brief=self._narrow(), ticked=self._ticks())
        ):
            # one line: at 80x24 a second pushed the buttons' lower edge off the pane
            hint = f"Accepting {p['id']}: {commits}" if self._narrow() else f"Accepting {p['id']} {commits}"
        elif p is not None:
            # named: PageDown moves the highlight a page on (the table's cursor), and a student's Enter
            # opened T4-CN-1, which they had not meant; the line says which one Enter opens
            hint = f"Enter opens the highlighted proposal, {p['id']}, in full (costs, whether it can be kept)"
        else:
            hint = "Enter opens the highlighted proposal in full (costs, whether it can be kept)"
        set_text(self.query_one("#prop-hint", Static), hint)

    def action_row(self, step: int) -> None:
        table = self.query_one("#prop-table", DataTable)
        table.focus()
        if table.row_count:
            table.move_cursor(row=max(0, min(table.cursor_row + step, table.row_count - 1)))

    def _names(self, teams: list[str]) -> str:
        return ", ".join(terms.team_name(self.rb, str(t)) for t in teams if t)

    def _tell_replies(self) -> None:
        """A reason given to one of this team's proposals goes to the notice line once, as it comes (those
        the screen found on connecting are in the list already, and are not announced)."""
        mine = {
            (pid, text)
            for pid, p in self.model.proposals.items()
            if p.get("from") == self.model.team
            for text in reasons(p)
        }
        if self._told is not None:
            for _pid, text in sorted(mine - self._told):
                self.post_message(Notice(text))
        self._told = mine

    def _tell_incoming(self) -> None:
        """A proposal addressed to this team goes to the notice line as it comes ("China proposes
        T2-CN-1 to you — tab 4"); those found on connecting are counted in the tab's label."""
        now = set(to_answer(self.model))
        if self._incoming is not None:
            for pid in sorted(now - self._incoming):
                p = self.model.proposals[pid]
                who = terms.team_name(self.rb, str(p.get("from") or ""))
                self.post_message(Notice(f"{who} proposes {pid} to you — tab 4 (Proposals) to answer it"))
            for pid in sorted(self._incoming - now):
                closed = self._closed_words(pid)
                if closed:
                    self.post_message(Notice(closed))
        self._incoming = now

    def _closed_words(self, pid: str) -> str:
        """An offer that closed before this team answered it — another party turned it down: the notice
        line still asked a student to answer a proposal the list already called rejected."""
        p = self.model.proposals.get(pid)
        if p is None or p.get("status", "open") == "open" or self.model.team in (p.get("accepted") or []):
            return ""
        if p.get("closed_by") == self.model.team:
            return ""  # this team's own answer closed it
        who = terms.team_name(self.rb, str(p.get("from") or ""))
        why = "; ".join(reasons(p))
        status = str(p.get("status") or "closed").replace("_", " ")
        verb = status if status == "expired" else f"was {status}"
        # i22 met two offers closed as the briefing ended and "never had a chance to read either": the
        # list keeps a closed one, and the notice says so before the reason, which can run past the line
        where = " (tab 4 keeps it: Enter on its row reads it)"
        return f"{who}'s {pid} {verb} before you answered it{where}" + (f" — {why}" if why else "")

    def _selected(self) -> str | None:
        table = self.query_one("#prop-table", DataTable)
        if table.row_count:
            with contextlib.suppress(Exception):
                return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        return None

    # ------------------------------------------------------------------ reading

    @on(DataTable.RowSelected, "#prop-table")
    def _read(self) -> None:
        """Enter: the proposal in full, with its answers as keys."""
        p = self.model.proposals.get(self._selected() or "")
        if p is None:
            return
        pid = p["id"]

        def chosen(action: str | None) -> None:
            self.query_one("#prop-table", DataTable).focus()  # the next Enter opens a proposal again
            if action in ("accept", "reject", "withdraw"):
                self._answer(action, pid)  # type: ignore[arg-type]
            elif action == "counter":
                self._counter(pid)

        text = terms.proposal_text(self.model, self.rb, p) + modules_text(self.rb, p)
        # under the head: at 80x24 the end is below
        commits = commitment(self.model, self.rb, p, ticked=self._ticks())
        said = [
            when_answerable(self.model, p),
            f"If you accept it: it {commits}." if commits else "",
            ids_words(self.model, p),
        ]
        head, _, body = text.partition("\n")
        text = "\n".join([head, *(line for line in said if line), "", body])
        if reasons(p):
            text += "\n\nAnswers:\n" + "\n".join(f" {r}" for r in reasons(p))
        answers = offered(self.model, self.rb, p)
        refused = {a: refusal(self.model, self.rb, p, a) or "" for a in ANSWERS if a not in answers}
        self.app.push_screen(ProposalScreen(text, answers, refused), chosen)

    # ------------------------------------------------------------------ answering

    def _answer(self, action: Action, pid: str | None = None) -> None:
        selected = pid or self._selected()
        if not selected:
            self.post_message(Notice("no proposal is highlighted"))
            return
        p = self.model.proposals.get(selected)
        why = refusal(self.model, self.rb, p, action, selected)
        if why:  # what the server would refuse, said here instead
            self.post_message(Notice(f"not sent — {why}"))
            return
        accepting = p is not None and action == "accept"
        problems = terms.cannot_keep(self.model, self.rb, p) if p is not None and accepting else []
        # said again on the notice line once sent, when the deal adds orders this turn
        ticks = self._ticks()
        got = load(self.model, self.rb, p, ticks) if p is not None and accepting else None
        commits = (
            commitment(self.model, self.rb, p, ticked=ticks) if p is not None and got and got.added else ""
        )
        command = Respond(proposal=selected, action=action)
        if not problems:
            self.post_message(self.Answer(command, commits))
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.post_message(self.Answer(command, commits))
            else:
                self.post_message(Notice(f"not accepted: {selected}"))

        self.app.push_screen(
            Confirm(
                f"{selected} commits your team to something it cannot keep now:\n- "
                + "\n- ".join(problems)
                + (f"\n\nAccepting it {commits}." if commits else "")
                + "\n\nAccept anyway? A clause that is not kept counts as broken (trust, and approval"
                " if the deal is public).",
                "Accept anyway",
                "Go back",
            ),
            answered,
        )

    def action_answer(self, action: str) -> None:
        """a, r or c on the list: the highlighted proposal answered as its button answers it (what
        the server would refuse is said on the notice line instead)."""
        if action == "counter":
            self._counter(self._selected())
        elif action == "accept":
            self._answer("accept")
        elif action == "reject":
            self._answer("reject")

    @on(Button.Pressed, "#accept")
    def _accept(self) -> None:
        self._answer("accept")

    @on(Button.Pressed, "#reject")
    def _reject(self) -> None:
        self._answer("reject")

    @on(Button.Pressed, "#withdraw")
    def _withdraw(self) -> None:
        self._answer("withdraw")

    # ------------------------------------------------------------------ a new proposal

    @on(Button.Pressed, "#counter")
    def _counter_pressed(self) -> None:
        self._counter(self._selected())

    def _counter(self, pid: str | None) -> None:
        p = self.model.proposals.get(pid or "")
        if p is None:
            self.post_message(Notice("select a proposal to counter"))
            return
        why = refusal(self.model, self.rb, p, "counter")
        if why:
            self.post_message(Notice(f"no counter — {why}"))
            return
        self._open_composer(p)

    @on(Button.Pressed, "#propose")
    def action_compose(self) -> None:
        self._open_composer(None)

    def _open_composer(self, counter: dict[str, Any] | None) -> None:
        if not self.model.team:
            self.post_message(Notice("only a team seat tables proposals"))
            return
        if self.send is None:
            return
        why = cannot_propose(self.model, self.rb)
        if why:  # the composer would be built for nothing: say why before, not after
            self.post_message(Notice(f"no new proposal — {why}"))
            return
        send = self.send

        async def send_and_say(command: Propose) -> str | None:
            """The notice line said "proposal tabled", with no id and no word of its fate (a bot may
            answer at once): once the server has it, the line names it and says where it stands."""
            before = {pid for pid, p in self.model.proposals.items() if p.get("from") == self.model.team}
            refused = await send(command)
            if refused is None:
                self._say_tabled(before)
            return refused

        self.app.push_screen(ComposerScreen(self.model, self.rb, send_and_say, counter))

    def _say_tabled(self, before: set[str], tries: int = 20) -> None:
        """Say the new proposal's id and status once its event is in (it may come after the answer)."""
        mine = [pid for pid, p in self.model.proposals.items() if p.get("from") == self.model.team]
        fresh = [pid for pid in mine if pid not in before]
        if fresh:
            p = self.model.proposals[fresh[-1]]
            status = terms.proposal_status(self.model, self.rb, p)
            self.post_message(Notice(f"proposal tabled: {p['id']} — {status}", proposal=str(p["id"])))
        elif tries:
            self.set_timer(0.1, lambda: self._say_tabled(before, tries - 1))
