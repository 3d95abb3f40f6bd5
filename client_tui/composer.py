"""Forms a student fills in instead of typing ids: a lever's parameters (for an order or a clause),
the proposal composer, and a proposal read in full.

The composer builds a ``Propose`` from choices: the parties as boxes, each clause from lists (the team
that commits, one of that team's levers by code and name, each parameter within its range, a duration),
the visibility, the framing (when China commits, only the framings the rules accept) and a message. It
checks the draft with the server's own function (``terms.check_draft``) as it changes, refuses to send
a draft the server would refuse, and closes only once the server has the proposal.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from pydantic import ValidationError
from rich.segment import Segment
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Select, Static
from textual.widgets._select import SelectOverlay
from textual.widgets.option_list import Option

from precursor.game.commands import Clause, CommandError, Framing, ParamValue, Propose, TeamId, Verification
from precursor.game.core import normalise_params
from precursor.game.negotiation import MODULE_SIGNERS

from . import keep, render, terms
from .notice import first_problem
from .widgets import MODAL_CSS, Confirm, TextField, TickBox

if TYPE_CHECKING:
    from precursor.game.rulebook import CLever, Rulebook

    from .model import LiveGame

TEAMS: tuple[TeamId, ...] = ("us", "mx", "cn", "ca")
FRAMINGS: tuple[str, ...] = tuple(terms.FRAMING_WORDS)
# the framings that speak of one team, offered while it is a party
FRAMING_TEAM = {"china_initiative": "cn", "us_demand_met": "us"}
# one turn is the shortest a clause is due: the rules read "once" (0) as one turn, and a student offered
# both "once (this turn)" and "1 turn" could not tell them apart
DURATIONS = [("this turn only", 1), *((f"{n} turns", n) for n in (2, 3, 4, 6, 8, 12))]
# beside the send button: a student's Tab count landed on the visibility list and a proposal meant to
# be public went private unnoticed (the list sits below the fold on a small screen)
VISIBILITY_SAID = {
    False: "private: only its parties know of it (it may leak)",
    True: "public: every team sees it",
}
# and who checks the clauses (the list sits further down still)
CHECKED_SAID = {
    "self": "each party reports its own",
    "joint": "checked by both sides",
    "incb": "the INCB checks",
}
# a Chinese lever has a "framing" of its own and a proposal with a Chinese clause needs one too: a
# student saw both with no word of how they relate (rules d6.framing, and CN-ENFORCE's face effect)
FRAMINGS_NOTE = (
    "Two framings: the proposal's (the list above) presents the deal as it is signed (China's own"
    " initiative or a multilateral effort gains China face, a US demand met costs it); a lever's own"
    " framing presents that one order as it is carried out (as a US demand it costs China face then)."
)
Send = Callable[[Propose], Awaitable[str | None]]
# the key first: at 80 columns a placeholder's end is cut
IF_FIND_HINT = "find a condition's value (/): part of its name, e.g. tension"


def once_durations(model: LiveGame, condition: bool) -> list[tuple[str, int]]:
    """What a clause on a once-per-game lever may be given. The rules count every due turn after the
    act as kept ("already carried out"), so "for 3 turns" read as three turns of promise and bound one
    act (a student's MX-PLAN clause). Without a condition the act is due in the clause's first turn
    and the later turns add nothing: one turn is all there is. Under a condition the clause is due only
    in the turns it holds, so a longer clause is a window: one act, in the first turn of it the
    condition holds. The server takes any duration (a bot's clauses run two turns), and reads it so."""
    if not condition:
        return [("one act, this turn", 1)]
    fit = durations(model)
    return [("one act, this turn if it holds", 1)] + [
        (f"one act, in the first of {n} turns it holds", n) for _label, n in fit if n > 1
    ]


def durations(model: LiveGame) -> list[tuple[str, int]]:
    """The durations a clause may be given that end by the game's last turn (a 3-turn tutorial offered
    12 turns, and the turns past the end are never due), with the rest of the game when the usual
    steps miss it."""
    end = terms.last_turn(model)
    if end is None:
        return list(DURATIONS)
    left = max(end - max(model.turn, 1) + 1, 1)
    fit = [(label, n) for label, n in DURATIONS if n <= left]
    if left not in [n for _label, n in fit]:
        fit.append((f"{left} turns (to the end)", left))
    return fit


# a Chinese clause's own "presented as" and the deal's framing name the same three stances apart
CLAUSE_TO_DEAL_FRAMING = {
    "own_initiative": "china_initiative",
    "multilateral": "multilateral",
    "us_demand": "us_demand_met",
}


def open_found(sel: Select[Any], found: int) -> None:
    """A list a find field narrowed, focused and opened on its first match, so a second Enter picks
    it. Opened with nothing highlighted, a Down landed on the prompt's row and Enter picked nothing:
    the list closed and the clause had no lever, and a student read the composer as stuck."""
    sel.focus()
    if not found:
        return
    sel.expanded = True
    first = next(i for i, (_label, v) in enumerate(sel._options) if v is not Select.NULL)
    overlay = sel.query_one(SelectOverlay)
    # the prompt's row takes no highlight: with one match, Down went from the match to the prompt and
    # Enter picked nothing (a student's "pick a lever for the clause first" after Down, Enter)
    for i, (_label, v) in enumerate(sel._options):
        if v is Select.NULL:
            overlay.disable_option_at_index(i)
    overlay.select(first)


class CounterConfirm(Confirm):
    """The question before a counter goes: it closes the proposal it answers and uses one of the
    turn's proposals, and a student learnt both only afterwards. y sends; n, Esc or Enter (the focus
    starts on "go back") returns to the draft."""

    def __init__(self, warning: str) -> None:
        super().__init__(
            f"{warning}\nSend the counter? y sends it; n or Esc goes back to the draft.",
            "Send the counter",
            "Go back to the draft",
        )


class DiscardConfirm(Confirm):
    """Esc on a draft: a band across the whole composer, the rest dimmed. A student read only the top
    and bottom lines of the screen, missed the small question in the middle, pressed Esc again (keep
    editing) and thought the composer stuck. Enter discards (what the Esc that opened it meant); Esc
    goes back to the draft, as it leaves any question."""

    DEFAULT_CSS = """
    DiscardConfirm { background: $background 70%; }
    DiscardConfirm > Vertical { width: 100%; max-width: 100%; border: double $error; }
    DiscardConfirm #confirm-text { text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__(
            "⚠ Discard this draft proposal?\nWhat you picked (parties, clauses, modules, message) is lost."
            "\nEnter or y discards it; Esc or n goes back to the draft.",
            "Discard",
            "Keep editing",
        )

    def on_mount(self) -> None:
        self.query_one("#yes", Button).label = "Discard (y, Enter)"
        self.query_one("#no", Button).label = "Keep editing (n, Esc)"
        # Confirm's own mount handler, run after this one, puts the focus on "Keep editing"
        self.call_after_refresh(self.query_one("#yes", Button).focus)


def proposals_left(model: LiveGame, rb: Rulebook) -> str:
    """The turn's proposal limit, said as the composer opens (a student learnt of it only after
    building a fourth proposal)."""
    limit = int(model.view.get("proposal_limit") or 0)
    if not limit or not model.team:
        return ""
    n = terms.tabled_this_turn(model) + 1
    return f" ({n} of {limit} this turn)"


def cannot_propose(model: LiveGame, rb: Rulebook) -> str | None:
    """Why no proposal can be tabled this turn, whatever the draft (None: one can)."""
    limit = int(model.view.get("proposal_limit") or 0)
    tabled = terms.tabled_this_turn(model)
    if limit and tabled >= limit:
        who = terms.team_name(rb, model.team or "")
        return (
            f"{who} may table {limit} proposals a turn and has tabled {tabled} this turn: the next one"
            " (a counter too) can be tabled next turn; accepting or rejecting the others' still works"
        )
    return None


_CODE = re.compile(r"^[a-z_]+: ")  # a refusal's code, for programs: the player reads the message


class FormBox(TickBox):
    """A tick box in a form: Space ticks it, Enter moves on. A student pressed Enter to move through the
    composer and ticked a party and a module without noticing; the proposal went to three teams."""

    BINDINGS = [
        Binding("space", "toggle_button", "Toggle", show=False),
        Binding("enter", "next", "Next field", show=False),
    ]

    def action_next(self) -> None:
        self.screen.focus_next()

    @property
    def _button(self) -> Any:
        """A compact box (the modules) has no border to show the focus: ▶ before it shows it, in plain
        text too. A student counted Tabs to a module, saw no mark, and ticked T4 for T1."""
        self.BUTTON_LEFT = "▶" if self.compact and self.has_focus else "▐"
        return super()._button

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        super()._on_blur(event)
        self.refresh()


# where a student looks for the accord (and Canada's declaration) among the levers
ACCORD_NOT_A_LEVER = (
    "a Sovereignty Accord is a kind of deal, not a lever: once the hard red line is crossed, tick"
    " “Sovereignty Accord” below the modules; Canada declares its position with a statement to the"
    " United States or Mexico (t)"
)


class ModuleBox(FormBox):
    """A trilateral module's box, its label wrapped at a word: at 80 columns T1's long name ran past the
    window's edge and was cut mid-word ("importer att"), and a box draws one line of its own accord."""

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.render().wrap(width)))


class FindField(Input):
    """A find field, where / (the key that leads to it from the rest of the form) is taken as "here
    already" and not typed: ctrl+a leaves the focus in the lever's find field, and a / from habit
    made "/port", which matched no lever. No lever or value has a / in its code or name."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "slash":
            event.stop()
            event.prevent_default()
            return
        await super()._on_key(event)


class FixedEnds(ModalScreen[Any]):
    """A window whose heading and buttons stay put while the text between them scrolls (``.frame``
    holds the heading, one VerticalScroll and the rest). The scroll's height is what the screen leaves
    once the fixed parts are drawn: CSS alone either pushed the buttons off a short terminal (an auto
    height) or drew a short text in a full-height window (``1fr``).

    The keys that scroll the text act wherever the focus is: it starts on a button, and at 80x24 a
    student could not read past the first clauses of an eight-clause proposal (a focused field keeps
    the keys it uses itself, a cursor's Home and End, an open list's arrows)."""

    BINDINGS = [
        Binding("pagedown", "body('page_down')", "Page down", show=False),
        Binding("pageup", "body('page_up')", "Page up", show=False),
        Binding("down", "body('down')", "Scroll down", show=False),
        Binding("up", "body('up')", "Scroll up", show=False),
        Binding("home", "body('home')", "Top", show=False),
        Binding("end", "body('end')", "Bottom", show=False),
    ]

    def _body(self) -> VerticalScroll | None:
        """The text between the fixed ends (None before the window is drawn)."""
        frames = self.query(".frame")
        return frames.first().query_children(VerticalScroll).first() if frames else None

    def action_body(self, how: str) -> None:
        body = self._body()
        if body is not None:
            getattr(body, f"scroll_{how}")(animate=False)

    @on(events.Mount)
    def _fit_when_drawn(self) -> None:  # a subclass's own on_mount runs as well
        self.call_after_refresh(self._fit)

    @on(events.Resize)
    def _fit(self) -> None:
        body = self._body()
        if body is None:
            return
        frame = self.query_one(".frame")
        fixed = sum(w.outer_size.height for w in frame.children if w is not body and w.display)
        body.styles.max_height = max(3, self.size.height - fixed - frame.styles.gutter.height)


class Body(VerticalScroll, can_focus=False):
    """The scrolling part of a form. It takes no Tab stop: focused, it showed nothing a student could
    see, so a count of Tabs came out one short and landed on the field after the one meant (the
    proposal's visibility). A field scrolls into view as the focus reaches it, and the window's keys
    scroll the rest."""


class ClauseList(OptionList):
    """The draft's clauses; the one the cursor is on starts with ▶ (in place of the blank each row
    starts with) while the list has the focus. The
    highlight is drawn in colours (its reverse included), and without them a student could not tell
    which clause Delete would take."""

    def on_focus(self) -> None:
        """The list takes the focus on its first clause: with none highlighted, Delete did nothing
        (session 19's students), and ↑ from nothing went to the last clause, which a student then
        deleted meaning the first (the line under the form names the clause Delete takes)."""
        if self.highlighted is None and self.option_count and not self.get_option_at_index(0).disabled:
            self.highlighted = 0

    def action_cursor_up(self) -> None:
        """No wrap: ↑ on the first clause stays there (from the first, the last was a surprise)."""
        if self.highlighted is None or self.highlighted > 0:
            super().action_cursor_up()

    def action_cursor_down(self) -> None:
        if self.highlighted is None or self.highlighted < self.option_count - 1:
            super().action_cursor_down()

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            index, offset = self._lines[self.scroll_offset.y + y]
        except IndexError:
            return strip
        if not self.has_focus or index != self.highlighted or offset or not strip.cell_length:
            return strip
        first = next(iter(strip), None)
        mark = Strip([Segment("▶", first.style if first is not None else None)], 1)
        return Strip.join([mark, strip.crop(1)])


class ParamForm(Vertical):
    """One input per parameter of a lever, each within the rulebook's range (a choice is a list, a
    number a field with its range and default beside it, a yes/no a box)."""

    DEFAULT_CSS = "ParamForm { height: auto; }"

    def __init__(self, rb: Rulebook, *, id: str | None = None, choose: bool = False) -> None:
        super().__init__(id=id)
        self.rb = rb
        self.lever: CLever | None = None
        self._fields: dict[str, Widget] = {}
        # a proposal's choices start unpicked: the rules' defaults (CN-LINK "suspended", CN-REPLY-MX
        # "deny the problem") are the harmful act, and students added them to deals without seeing them
        self.choose = choose

    async def set_lever(self, lever: str | None, values: dict[str, Any] | None = None) -> None:
        """Show the parameters of ``lever`` (none: an empty form), filled with ``values`` or defaults."""
        await self.remove_children()
        self._fields = {}
        self.lever = self.rb.levers.get(lever) if lever else None
        if self.lever is None:
            return
        rows = []
        for pid, p in self.lever.params.items():
            v = (values or {}).get(pid, p.default)
            field: Widget
            if p.type == "choice":
                field = self._choice(pid, None if self.choose and pid not in (values or {}) else str(v))
            elif p.type == "bool":
                field = TickBox("yes", bool(v))
            else:
                field = TextField(value=terms.value_words(v), type="integer" if p.type == "int" else "number")
            self._fields[pid] = field
            label = terms.param_field_label(self.rb, self.lever, pid)
            if self.choose and p.type == "choice":  # no default to offer: the student picks
                label = f"{terms.param_label(self.lever, pid)}: {terms.param_range(self.lever, pid, self.rb)}"
            rows.append(Horizontal(Label(label, markup=False), field, classes="param-row"))
        if rows:
            await self.mount_all(rows)

    def _choice(self, pid: str, value: str | None) -> Select[str]:
        """A choice's list, at ``value`` or (None) blank with its choices in the prompt."""
        assert self.lever is not None
        p = self.lever.params[pid]
        options = [(terms.choice_words(self.rb, self.lever, pid, c), c) for c in p.choices]
        if value is not None:
            return Select[str](options, value=value, allow_blank=False)
        words = " or ".join(label for label, _c in options)
        # "choose: Mexico" read as Mexico already chosen (student b20): the prompt says it is not
        return Select[str](options, prompt=f"not chosen: {words}", allow_blank=True)

    def unchosen(self) -> tuple[str, Widget] | None:
        """The first choice left unpicked, in words, and its list (to be shown before a clause is added)."""
        lv = self.lever
        for pid, field in self._fields.items():
            if lv is not None and isinstance(field, Select) and field.value is Select.NULL:
                words = " or ".join(terms.choice_words(self.rb, lv, pid, c) for c in lv.params[pid].choices)
                return f"“{lv.params[pid].label or terms.param_name(pid)}” ({words})", field
        return None

    def values(self) -> dict[str, ParamValue]:
        """The parameters as chosen; a ``ValueError`` names a field that holds no number."""
        out: dict[str, ParamValue] = {}
        lv = self.lever
        if lv is None:
            return out
        for pid, field in self._fields.items():
            p = lv.params[pid]
            if isinstance(field, Select):
                if field.value is Select.NULL:
                    raise ValueError(f"{terms.param_name(pid)}: pick one of the choices")
                out[pid] = str(field.value)
            elif isinstance(field, Checkbox):
                out[pid] = field.value
            elif isinstance(field, Input):
                text = field.value.strip()
                try:
                    out[pid] = int(text) if p.type == "int" else float(text)
                except ValueError:
                    raise ValueError(
                        f"{terms.param_name(pid)}: write a number in {terms.param_range(lv, pid)}"
                    ) from None
        return out

    def checked(self) -> dict[str, Any]:
        """The parameters as the server will read them (ranges checked by its own code); a
        ``ValueError`` says what is wrong, as the server would."""
        if self.lever is None:
            return {}
        try:
            return normalise_params(self.lever, self.values())
        except CommandError as exc:
            raise ValueError(exc.message) from None


# ---------------------------------------------------------------------- an order's parameters


class ParamsScreen(FixedEnds):
    """The parameters of one order: each within its range, with the cost they come to."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel"), Binding("ctrl+s", "done", "Set")]
    DEFAULT_CSS = MODAL_CSS.format(name="ParamsScreen") + "ParamsScreen #param-about { margin-top: 1; }"

    def __init__(
        self, model: LiveGame, rb: Rulebook, lever: str, values: dict[str, Any], taken: float = 0.0
    ) -> None:
        super().__init__()
        self.model, self.rb, self.lever, self.start = model, rb, lever, values
        self.taken = taken  # the capital the seat's other ticks and tabled free actions take
        self.form = ParamForm(rb, id="order-params")

    def compose(self) -> ComposeResult:
        lv = self.rb.levers[self.lever]
        with Vertical(classes="frame"):
            yield Static(f"{lv.code} — {lv.name}", classes="head", id="param-head", markup=False)
            with Body(id="param-body"):
                # the fields first: at 80x24 the lever's description above them pushed US-TARIFF's third
                # field (threaten or impose) below the fold, and a student set two of three
                yield self.form
                yield Static(lv.description.strip(), id="param-about", markup=False)
            yield Static("", id="param-cost", markup=False)
            with Horizontal():
                yield Button("Set (ctrl+s)", id="param-ok", variant="primary")
                yield Button("Cancel (Esc)", id="param-cancel")

    async def on_mount(self) -> None:
        await self.form.set_lever(self.lever, self.start)
        self._show()
        fields = list(self.form.query("Input, Select, Checkbox"))
        (fields[0] if fields else self.query_one("#param-ok")).focus()

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _show(self) -> None:
        try:
            params = self.form.checked()
        except ValueError as exc:
            self.query_one("#param-cost", Static).update(f"! {exc}")
            return
        why = terms.param_problem(self.model, self.rb, self.lever, params)
        now = terms.standing_now(self.model, self.rb, self.lever, params)
        if why is not None:  # the server would refuse the order with these values now
            self.query_one("#param-cost", Static).update("\n".join([f"! {why}", *now]))
            return
        cost = terms.lever_cost(self.model, self.rb, self.lever, params)
        team = self.model.team or ""
        pc = (self.model.view.get("pc") or {}).get(team)
        have = f" · {terms.team_name(self.rb, team)} has {float(pc):g} PC" if pc is not None else ""
        if pc is not None and self.taken:
            have += f", {self.taken:g} of it taken by the other ticks"
            if cost is not None and cost + self.taken > float(pc):
                have += "\n! over budget with the other ticks: untick one or lower this order"
        # the server takes it, but a deal due this turn may not: said here, not only in the tab after
        broken = render.promise_shortfalls(self.model, self.rb, self.lever, params)
        kept = keep.promises_kept(self.model, self.rb, self.lever, params)
        later = keep.promises_later_broken(self.model, self.rb, self.lever, params)
        late = terms.lands_after_end(self.model, self.rb, self.lever)
        later += [late] if late else []
        # what it waits on, for an order the server takes (one it refuses says why instead, above)
        now = now + terms.waits_now(self.model, self.rb, self.lever, params)
        # an order that may cross Mexico's hard red line is not "ok", whatever the server takes: said first
        red = render.military_warning(self.model, self.rb, self.lever, params)
        said = f"{terms.params_words(self.rb, self.lever, params)} · costs {terms.pc_text(cost)}{have}"
        if red is not None and red.startswith("!"):
            lines = [red, f"the server takes it: {said}"]
        else:
            lines = [f"ok: {said}", *([red] if red else [])]
        self.query_one("#param-cost", Static).update("\n".join([*lines, *now, *broken, *later, *kept]))

    @on(Button.Pressed, "#param-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#param-ok")
    @on(Input.Submitted)
    def action_done(self) -> None:
        try:
            params = self.form.checked()
        except ValueError as exc:
            self.query_one("#param-cost", Static).update(f"! {exc}")
            return
        why = terms.param_problem(self.model, self.rb, self.lever, params)
        if why is not None:
            self.query_one("#param-cost", Static).update(f"! not set — {why}")
            return
        self.dismiss(params)


# ---------------------------------------------------------------------- a proposal read in full


class ProposalScreen(FixedEnds):
    """A proposal in full (terms.proposal_text); answers with the action chosen, or None. Only the
    answers in ``offered`` have a button and a key: another pair's proposal, or a closed one, is read
    and closed, never answered."""

    BINDINGS = [
        Binding("escape,q", "dismiss(None)", "Close"),
        Binding("a", "answer('accept')", "Accept"),
        Binding("r", "answer('reject')", "Reject"),
        Binding("c", "answer('counter')", "Counter"),
        Binding("w", "answer('withdraw')", "Withdraw"),
    ]
    DEFAULT_CSS = MODAL_CSS.format(name="ProposalScreen")

    def __init__(
        self,
        text: str,
        offered: Collection[str] = ("accept", "reject", "counter"),
        refused: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.text = text
        self.offered = frozenset(offered)
        # why an answer not offered cannot be given: its key says so (a and r on a lapsed proposal
        # in the results phase did nothing, with no word)
        self.refused = dict(refused or {})

    def compose(self) -> ComposeResult:
        buttons = [
            ("accept", "Accept (a)"),
            ("reject", "Reject (r)"),
            ("withdraw", "Withdraw (w)"),
            ("counter", "Counter (c)"),
        ]
        head, _, body = self.text.partition("\n")
        with Vertical(classes="frame"):
            yield Static(head, classes="head", id="proposal-head", markup=False)
            with Body(id="proposal-body"):
                yield Static(body, id="proposal-text", markup=False)
            with Horizontal():
                for action, label in buttons:
                    if action in self.offered:
                        yield Button(label, id=action, variant="primary" if action == "accept" else "default")
                yield Button("Close (Esc)", id="close")
            said = Static("", id="proposal-said", markup=False)
            said.display = False  # a row only once a key has something to say
            yield said

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "answer":
            return parameters[0] in self.offered or parameters[0] in self.refused
        return True

    def action_answer(self, action: str) -> None:
        if action in self.offered:
            self.dismiss(action)
            return
        key = {"accept": "a", "reject": "r", "counter": "c", "withdraw": "w"}.get(action, action)
        why = self.refused.get(action) or "not an answer your team can give"
        said = self.query_one("#proposal-said", Static)
        said.update(f"{key}: no {action} — {why}")
        said.display = True
        self.call_after_refresh(self._fit)

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "close" else event.button.id)


# ---------------------------------------------------------------------- the composer


class ComposerScreen(ModalScreen[str | None]):
    """A new proposal (or a counter to one), composed from lists; answers with the id of nothing (the
    screen closes on its own once the server has the proposal) or None when cancelled."""

    BINDINGS = [
        # F1 said "Cancel" alone: a student pressed Esc then n for a new proposal, and the n went to the
        # discard question ("n: keep editing"), so the keys after it changed the old draft (student d21)
        Binding(
            "escape",
            "cancel",
            "Cancel",
            tooltip="close the composer; with a draft it asks first:"
            " y or Enter discards, n or Esc keeps editing",
        ),
        # priority: a text field would take ctrl+a (to the line's start) and the clause would not be added
        Binding("ctrl+a", "add_clause", "Add clause", priority=True),
        Binding("ctrl+s", "send", "Send", priority=True),
        Binding("delete", "remove_clause", "Remove clause", show=False),
        # the body takes no Tab stop (see Body): these read what lies between two fields
        Binding("pagedown", "body('page_down')", "Page down", show=False),
        Binding("pageup", "body('page_up')", "Page up", show=False),
    ]
    DEFAULT_CSS = (
        MODAL_CSS.format(name="ComposerScreen")
        + """
    ComposerScreen > #c-frame {
        width: 100; max-width: 100%; height: 100%;
        padding: 0 1; border: thick $primary; background: $surface;
    }
    ComposerScreen #c-body { height: 1fr; }
    ComposerScreen #c-check { height: auto; max-height: 5; }
    ComposerScreen #c-clauses { height: auto; max-height: 8; padding-left: 0; }
    /* with no clause to highlight, only the border can say the list has the focus: its shape, as a
       text field's does, since a colour is lost without colour */
    ComposerScreen #c-clauses:focus { border: double $accent; }
    ComposerScreen #c-clauses > .option-list--option-highlighted { text-style: bold reverse; }
    ComposerScreen #c-modules { height: auto; }
    ComposerScreen .module-why { color: $text-muted; padding-left: 6; }
    ComposerScreen Checkbox { width: auto; }
    /* a party's box with the focus differs from the others only by colour by default: at 80x24 a
       student pressed Space on a box it could not see was focused (i22); the shape says it */
    ComposerScreen Checkbox:focus { border: double $accent; }
    ComposerScreen Checkbox:focus > .toggle--label { text-style: bold reverse; }
    ComposerScreen #c-modules ModuleBox { width: 1fr; height: auto; text-wrap: wrap; }
    ComposerScreen #c-team { width: 28; }
    ComposerScreen #c-lever-find { width: 1fr; }
    ComposerScreen #c-duration { width: 1fr; }
    ComposerScreen #c-if-find { width: 1fr; }
    ComposerScreen #c-if { width: 1fr; }
    ComposerScreen #c-if-op { width: 16; }
    ComposerScreen #c-if-value { width: 12; }
    ComposerScreen #c-vis { width: 20; }
    ComposerScreen #c-framing-note { color: $text-muted; }
    ComposerScreen #c-vis-said { width: 1fr; padding: 1 0 0 1; }
    ComposerScreen #c-framing { width: 1fr; }
    """
    )

    def __init__(
        self, model: LiveGame, rb: Rulebook, send: Send, counter: dict[str, Any] | None = None
    ) -> None:
        super().__init__()
        self.model, self.rb, self.send = model, rb, send
        self.team = str(model.team or "")
        self.counter_to: str | None = counter["id"] if counter else None
        self.clauses: list[Clause] = []
        self._start = counter
        self.form = ParamForm(rb, id="c-params", choose=True)
        self._sending = False
        self._pristine: tuple[object, ...] = ()
        self._lever_count = 0  # the levers the lever list offers, as the find field narrowed it
        self._value_count = 0  # the values the condition list offers, as its find field narrowed it
        self._removed: tuple[str, int] | None = None  # the clause just deleted and the row it was on
        self._hint = ""  # said under the form in place of "Next clause: …" once the clause is added
        self._added = ""  # what the clause just added was set to, until the next lever is picked
        self._seen_as: tuple[object, str] | None = None  # visibility and verification, once mounted
        self._if_was: object = Select.NULL  # the condition's value before its list last changed
        self._head = ""  # "New proposal (1 of 3 this turn)", before the parties (see _head_words)
        self._by_module: set[str] = set()  # parties a module ticked, not the player (see _module_ticked)
        # what the player's last change did besides itself (the field's id, the words): said on the
        # check line, the one line always in view, until another field changes
        self._news: tuple[str, str] | None = None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        others = [t for t in TEAMS if t != self.team]
        head = f"Counter to {self.counter_to}" if self.counter_to else "New proposal"
        head += proposals_left(self.model, self.rb)
        # the head, the check and the buttons stay put: only the form between them scrolls
        with Vertical(id="c-frame"):
            self._head = head
            yield Static(self._head_words([self.team]), classes="head", id="c-head", markup=False)
            with Body(id="c-body"):
                with Horizontal():
                    for t in others:
                        yield FormBox(f"{terms.team_name(self.rb, t)} ({t.upper()})", id=f"party-{t}")
                yield Static("Clauses (Tab to the list, ↑/↓ to pick one, Delete removes it):", markup=False)
                yield ClauseList(id="c-clauses")
                yield Static(
                    # the keys in the heading: a student looked for a search in a hundred values
                    "Add a clause (/ finds a lever or a condition's value; ctrl+a adds it)",
                    classes="head",
                    markup=False,
                )
                with Horizontal():
                    yield Select[str](
                        self._team_options([self.team or "us"]),
                        id="c-team",
                        value=self.team or "us",
                        allow_blank=False,
                    )
                    yield FindField(placeholder="find a lever (/): part of code or name", id="c-lever-find")
                yield Select[str]([], id="c-lever", prompt="pick a lever")
                yield self.form
                yield FindField(placeholder=IF_FIND_HINT, id="c-if-find")
                with Horizontal():
                    yield Select[str](self._watchable(), id="c-if", prompt="no condition (always)")
                    yield Select[str](terms.COMPARISONS, id="c-if-op", value="<", allow_blank=False)
                    yield TextField(placeholder="value", id="c-if-value", max_length=12)
                with Horizontal():
                    yield Select[int](durations(self.model), id="c-duration", value=1, allow_blank=False)
                    yield Button("Add clause (ctrl+a)", id="c-add")
                yield Static("", id="c-lever-text", markup=False)
                yield Static("", classes="head", id="c-modules-head", markup=False)
                in_force = self.model.view.get("modules") or {}
                with Vertical(id="c-modules"):
                    for mid, m in self.rb.modules.items():
                        # a student was offered T1 again two turns after signing it, with no hint; the
                        # state before the name: at 80 columns a long name cut "(in force)" off its end
                        done = " (in force)" if in_force.get(mid) else ""
                        yield ModuleBox(f"{mid.upper()}{done} — {m.name}", id=f"module-{mid}", compact=True)
                        yield Static(" ".join(m.reason.split()), classes="module-why", markup=False)
                if terms.breach_seen(self.model, self.rb) is not None:
                    # the one deal that clears a breach is a kind of deal, not a lever: a student searched
                    # the levers for "accord" and the palette for "declar", and found nothing
                    yield ModuleBox(
                        "Sovereignty Accord — this deal clears the breach of the hard red line (public; the"
                        " United States and Mexico; a US concession among the clauses)",
                        id="c-accord",
                        compact=True,
                    )
                with Horizontal():
                    yield Select[str](
                        [("private", "private"), ("public", "public")],
                        id="c-vis",
                        value="private",
                        allow_blank=False,
                    )
                    yield Select[str](
                        self._framing_options(False), id="c-framing", value="none", prompt="pick a framing"
                    )
                yield Static(FRAMINGS_NOTE, id="c-framing-note", markup=False)
                # who checks compliance: a bot's counter asked for "compliance checked by both sides" and
                # two students found no field for it
                yield Select[str](
                    [(words, v) for v, words in terms.VERIFICATION_WORDS.items()],
                    id="c-verif",
                    value="self",
                    allow_blank=False,
                )
                yield TextField(
                    placeholder="a short message to the other parties (optional)",
                    id="c-note",
                    max_length=2000,
                )
            yield Static("", id="c-check", markup=False)
            with Horizontal():
                yield Button("Send proposal (ctrl+s)", id="c-send", variant="primary")
                yield Button("Cancel (Esc)", id="c-cancel")
                yield Static("", id="c-vis-said", markup=False)

    def action_body(self, how: str) -> None:
        getattr(self.query_one("#c-body", Body), f"scroll_{how}")(animate=False)

    def _watchable(self, find: str = "") -> list[tuple[str, str]]:
        """The values a clause may be conditioned on: those this team's dashboard shows, by name, and
        only those whose name holds what the condition's find field says (over a hundred values, and a
        student could not find "Mexico's sovereignty tension" in the list)."""
        ids = [str(i.get("id")) for i in self.model.view.get("indicators") or [] if isinstance(i, dict)]
        named = [(self.rb.indicators[k].name, k) for k in ids if k in self.rb.indicators]
        return sorted((name, k) for name, k in named if find in name.casefold())

    @on(Input.Changed, "#c-if-find")
    def _find_value(self) -> None:
        """The condition list narrowed to the values whose name holds the find field's words; the value
        picked stays picked while it still matches. The list is a Select: its open overlay drops its own
        highlight announcements, so a burst of letters refilling it cannot name a row that is gone (the
        orders list's crash, which OrderList guards against)."""
        sel = self.query_one("#c-if", Select)
        find = " ".join(self.query_one("#c-if-find", Input).value.split()).casefold()
        options = self._watchable(find)
        keep = sel.value
        self._value_count = len(options)
        sel.set_options(options)
        if keep in [k for _name, k in options]:
            sel.value = keep
        if not find:
            sel.prompt = "no condition (always)"
        elif options:
            total = len(self._watchable())
            sel.prompt = f"no condition: {len(options)} of {total} values match “{find}”"
        else:
            sel.prompt = f"no value matches “{find}”: change the find field"

    @on(Input.Submitted, "#c-if-find")
    def _to_values(self) -> None:
        """Enter in the condition's find field opens the list it narrowed (see open_found)."""
        open_found(self.query_one("#c-if", Select), self._value_count)

    @on(events.Key)
    def _slash_finds(self, event: events.Key) -> None:
        """/ goes to a find field (see action_find). A key, not a binding, as in the orders tab: the
        heading and the fields' placeholders say it, and F1, a screen long at 120x60, has no line to
        spare. A text field keeps its "/" (a message may hold one), and an open list searches with it."""
        if event.key == "slash" and not isinstance(self.focused, Input):
            event.stop()
            self.action_find()

    def action_find(self) -> None:
        """/ goes to the find field of the list the focus is at: the condition's from the condition row,
        the lever's from anywhere else."""
        ids = {n.id for n in self.focused.ancestors_with_self} if self.focused is not None else set()
        field = "#c-if-find" if ids & {"c-if", "c-if-op"} else "#c-lever-find"
        self.query_one(field, Input).focus()

    def _condition(self) -> str | None:
        """The condition the three fields say, or None (no indicator picked); ValueError if half-filled."""
        picked = self.query_one("#c-if", Select).value
        if picked is Select.NULL or not picked:
            return None
        op = str(self.query_one("#c-if-op", Select).value)
        return terms.condition_of(str(picked), op, self.query_one("#c-if-value", Input).value)

    async def on_mount(self) -> None:
        p = self._start
        if p is not None:
            for t in p.get("parties") or []:
                if t != self.team:
                    self.query_one(f"#party-{t}", Checkbox).value = True
            for c in p.get("clauses") or []:
                self.clauses.append(
                    Clause(
                        actor=c["actor"],
                        lever=c["lever"],
                        params=dict(c.get("params") or {}),
                        duration=int(c.get("duration") if c.get("duration") is not None else 1),
                        condition=c.get("condition"),
                    )
                )
            self.query_one("#c-vis", Select).value = p.get("visibility") or "private"
            if p.get("verification") in terms.VERIFICATION_WORDS:
                self.query_one("#c-verif", Select).value = p["verification"]
            for m in p.get("modules") or []:
                if m in self.rb.modules:
                    self.query_one(f"#module-{m}", Checkbox).value = True
        self._levers(self.team or "us")
        self._show_modules()
        self._value_count = len(self._watchable())
        self._show_clauses()
        if p is not None and p.get("framing") in FRAMINGS:
            self.query_one("#c-framing", Select).value = p["framing"]
        self.check()
        self._pristine = self._state()
        self._seen_as = (self.query_one("#c-vis", Select).value, self._verification())
        first = self.query("Checkbox").first()
        first.focus()

    def _framing_options(self, china: bool) -> list[tuple[str, str]]:
        """Every framing; with a Chinese commitment in the draft only those the rules accept for it.
        A framing that names a team is offered only while that team is a party: "China's own
        initiative" on a deal China is not in read as nonsense to a student."""
        allowed = terms.CHINA_FRAMINGS if china else FRAMINGS
        return [(terms.FRAMING_WORDS[f], f) for f in allowed if self._framing_fits(f)]

    def _framing_fits(self, framing: str) -> bool:
        needs = FRAMING_TEAM.get(framing)
        return needs is None or needs in self._parties_ticked()

    def _parties_ticked(self) -> list[str]:
        """The parties as ticked now (before mount, the proposing team alone)."""
        try:
            return [str(t) for t in self.parties()]
        except NoMatches:
            return [self.team]

    def _team_options(self, parties: list[str]) -> list[tuple[str, str]]:
        """Who may commit in a clause: the parties alone (a student was offered China with China not
        ticked, and the clause would have made it a party behind their back)."""
        return [(f"{terms.team_name(self.rb, t)} ({t.upper()})", t) for t in TEAMS if t in parties]

    def _show_modules(self) -> None:
        """The modules, offered only to a proposal that can carry them: a deal signed by every team
        the rules ask of a module (negotiation.MODULE_SIGNERS). A proposer among them makes the others
        parties by ticking a module (_module_ticked); any other proposer (China, in a deal with the
        United States alone, was offered them) is offered them once all of those are ticked. A module
        ticked stays in view, so the check's refusal of it can be mended where it is."""
        parties = set(self._parties_ticked())
        ticked = any(box.value for box in self.query("#c-modules Checkbox").results(Checkbox))
        offered = self.team in MODULE_SIGNERS or set(MODULE_SIGNERS) <= parties or ticked
        self.query_one("#c-modules", Vertical).display = offered
        names = [terms.team_name(self.rb, t) for t in MODULE_SIGNERS]
        signers = ", ".join(names[:-1]) + f" and {names[-1]}"
        head = f"Trilateral modules: the {signers} must all be parties; "
        if offered:
            head += "signed, a module comes into force at a trilateral meeting (US-TRI or CA-TRI)"
        else:
            head += "tick all of them to be offered the modules"
        self.query_one("#c-modules-head", Static).update(head)

    def _head_words(self, parties: list[str]) -> str:
        """The heading, which stays in view: the parties once there are others, since their boxes scroll
        off a small screen (a module ticked below made two teams parties unseen)."""
        if len(parties) < 2:
            return f"{self._head} — {terms.team_name(self.rb, self.team)} is a party; tick the others"
        names = [terms.team_name(self.rb, t) for t in parties]
        return f"{self._head} — parties: " + ", ".join(names[:-1]) + f" and {names[-1]}"

    def _parties_changed(self) -> None:
        """The parties ticked or unticked: who may commit, the framings and the modules follow them."""
        self._show_modules()
        parties = self._parties_ticked()
        self.query_one("#c-head", Static).update(self._head_words(parties))
        sel = self.query_one("#c-team", Select)
        keep = sel.value
        options = self._team_options(parties)
        if [v for _l, v in options] != [v for _l, v in sel._options if v is not Select.NULL]:
            with self.prevent(Select.Changed):
                sel.set_options(options)
                sel.value = keep if keep in parties else self.team
            if keep not in parties:
                self._levers(self.team)
        self._show_framings()

    def _levers(self, team: str) -> None:
        """The team's levers in the lever list, only those whose code or name holds what the find field
        says (a team has up to forty levers, and a student scrolled through twenty to reach one)."""
        sel = self.query_one("#c-lever", Select)
        find = " ".join(self.query_one("#c-lever-find", Input).value.split()).casefold()
        ranked = sorted(
            (rank, i, lid, lv)
            for i, (lid, lv) in enumerate(self.rb.levers.items())
            if lv.team == team and (rank := terms.find_rank(find, lv.code, lv.name)) is not None
        )
        options = [(f"{lv.code} — {lv.name}{self._spent_mark(team, lid)}", lid) for _r, _i, lid, lv in ranked]
        keep = sel.value
        self._lever_count = len(options)
        sel.set_options(options)
        if keep in [lid for _label, lid in options]:
            sel.value = keep
        who = terms.team_name(self.rb, team)
        if not find:
            sel.prompt = "pick a lever"
        elif options:
            sel.prompt = f"pick a lever: {len(options)} of {render.possessive(who)} match “{find}”"
        elif "accord" in find or "declar" in find:
            sel.prompt = f"no lever of {who} matches “{find}”: {ACCORD_NOT_A_LEVER}"
        else:
            sel.prompt = f"no lever of {who} matches “{find}”: {self._elsewhere(team, find)}"

    def _elsewhere(self, team: str, find: str) -> str:
        """Where the find field's words do match, among the other parties' levers: the list holds only
        the levers of the team that commits, and a student typed TRACK with China picked and read only
        "no lever of China matches" (US-CN-TRACK is the United States')."""
        found = [
            f"{terms.team_name(self.rb, t)} has {n} (pick {terms.team_name(self.rb, t)} as who commits)"
            for t in self._parties_ticked()
            if t != team
            and (
                n := sum(
                    1
                    for lv in self.rb.levers.values()
                    if lv.team == t and terms.find_rank(find, lv.code, lv.name) is not None
                )
            )
        ]
        return "; ".join(found) if found else "change what the find field says"

    def _spent_mark(self, team: str, lever: str) -> str:
        """A once-per-game lever its team has played, marked in the list: a student learnt it only
        after ctrl+a ("US-PEN can be played once per game and United States has played it already")."""
        played = terms.played_once(self.model, self.rb, {"actor": team, "lever": lever})
        return " (played already: a clause on it promises nothing)" if played else ""

    @on(Input.Changed, "#c-lever-find")
    def _find_lever(self) -> None:
        self._levers(str(self.query_one("#c-team", Select).value))

    @on(Input.Submitted, "#c-lever-find")
    def _to_levers(self) -> None:
        """Enter in the find field opens the list it narrowed (see open_found)."""
        open_found(self.query_one("#c-lever", Select), self._lever_count)

    # ------------------------------------------------------------------ the draft

    def parties(self) -> list[TeamId]:
        ticked = [t for t in TEAMS if t != self.team and self.query_one(f"#party-{t}", Checkbox).value]
        return [t for t in TEAMS if t == self.team or t in ticked]

    def modules(self) -> list[str]:
        return [m for m in self.rb.modules if self.query_one(f"#module-{m}", Checkbox).value]

    def draft(self) -> Propose:
        """The form as a command; a ``ValueError`` (pydantic's too) says what the wire model refuses."""
        framing = self.query_one("#c-framing", Select).value
        return Propose(
            parties=self.parties(),
            clauses=list(self.clauses),
            visibility="public" if self.query_one("#c-vis", Select).value == "public" else "private",
            framing=cast(Framing, framing if framing in FRAMINGS else "none"),
            verification=cast(Verification, self._verification()),
            modules=self.modules(),
            counter_to=self.counter_to,
            sovereignty_accord=self.accord(),
            note=self.query_one("#c-note", Input).value.strip(),
        )

    def accord(self) -> bool:
        """Whether the draft is a Sovereignty Accord (the box is there only while a breach stands)."""
        found = self.query("#c-accord")
        return bool(found) and bool(found.first(Checkbox).value)

    def _verification(self) -> str:
        value = self.query_one("#c-verif", Select).value
        return value if isinstance(value, str) and value in terms.VERIFICATION_WORDS else "self"

    def problem(self) -> str | None:
        """Why the draft should not go, in a player's words, or None: what the server would refuse (its
        own check, without the code a program branches on), then a clause that commits to nothing."""
        if len(self.parties()) < 2:
            return "a proposal needs at least two different parties: tick another team"
        try:
            cmd = self.draft()
        except ValidationError as exc:
            return first_problem(exc)
        why = terms.check_draft(self.model, self.rb, cmd)
        if why is not None:
            return self._offered_framings(_CODE.sub("", why, count=1))
        return self._spent()

    def _offered_framings(self, why: str) -> str:
        """The server lists every framing China accepts, "a US demand met" too, which the framing list
        offers only while the United States is a party (a student looked for it there in vain)."""
        every = " (" + terms.china_framing_words() + ")"
        if every not in why:
            return why
        offered = [terms.FRAMING_WORDS[f] for f in terms.CHINA_FRAMINGS if self._framing_fits(f)]
        listed = ", ".join(offered[:-1]) + f" or {offered[-1]}" if len(offered) > 1 else "".join(offered)
        return why.replace(every, f" ({listed})")

    def _spent(self) -> str | None:
        """A clause on a once-per-game lever its team has played: the engine counts the act done, so the
        clause binds nobody to anything (a counter re-offering the original's terms carried one)."""
        for i, c in enumerate(self.clauses):
            said = self._played_once(c)
            if said:
                return (
                    f"clause {i + 1}: {said}, so the clause promises nothing: highlight it and press Delete"
                )
        return None

    def _played_once(self, c: Clause) -> str | None:
        """That ``c``'s lever can be played once per game and its team has played it, or None."""
        lv = self.rb.levers.get(c.lever)
        if lv is None or not lv.once:
            return None
        if c.actor == self.team:
            played = ((self.model.view.get("counts") or {}).get(c.lever) or {}).get("count", 0) > 0
        else:  # another team's public acts are in the results; a private one is its own to know
            played = any(
                ev.get("type") == "order_executed" and ev.get("lever") == c.lever for ev in self.model.results
            )
        if not played:
            return None
        who = terms.team_name(self.rb, c.actor)
        return f"{lv.code} can be played once per game and {who} has played it already"

    def check(self) -> str | None:
        """The check line: "ok" only for a draft the server takes and whose every clause can be kept as
        things stand; one that the server takes but would not hold says what breaks, and why, before
        it is sent (ctrl+s still sends it: a player may mean it, but not by accident)."""
        why = self.problem()
        mods = len(self.modules())
        count = f"{len(self.clauses)} clause(s)" + (f", {mods} module(s)" if mods else "")
        if mods:  # a module ticked makes parties of teams whose boxes may be out of view (student d21)
            names = [terms.team_name(self.rb, t) for t in self.parties()]
            count += "; between " + ", ".join(names[:-1]) + f" and {names[-1]}"
        breaks, notes = self.warnings() if why is None else ([], [])
        # what one order keeps is news, not a caveat; said last but before what ctrl+s does
        shared = terms.shared_orders(self.model, self.rb, [c.model_dump() for c in self.clauses])
        told = (" — but " + "; ".join(notes) if notes else "") + (
            " — note: " + "; ".join(shared) if shared else ""
        )
        if why:
            text = f"! {why}"
        elif breaks:
            text = f"! the server would take it ({count}), but as things stand: " + "; ".join(breaks)
            text += told + " — ctrl+s sends it anyway"
        else:
            text = f"ok: the server will take it ({count})" + told
        if self._news is not None:
            text = f"{self._news[1]} · {text}"
        self.query_one("#c-check", Static).update(text)
        public = self.query_one("#c-vis", Select).value == "public"
        said = f"{VISIBILITY_SAID[public]} · {CHECKED_SAID.get(self._verification(), '')}"
        self.query_one("#c-vis-said", Static).update(said)
        return why

    def warnings(self) -> tuple[list[str], list[str]]:
        """What the server takes but would not hold (a clause a party cannot keep, more capital owed
        than held, clauses or agreements in force that cannot all be kept, a partner's stated line),
        then what holds but reads more than it gives (the stronger value keeps two clauses, turns past
        the game's end)."""
        clauses = [c.model_dump() for c in self.clauses]
        found = terms.clause_conflicts(self.model, self.rb, clauses)
        breaks = [c.words for c in found if c.hard]
        notes = [c.words for c in found if not c.hard] + terms.capital_later(self.model, self.rb, clauses)
        for i, c in enumerate(clauses):
            late = terms.past_the_end(self.model, c, self.rb)
            if late:
                notes.append(f"clause {i + 1}: {late}")
            # the proposer's own clause it could not keep (US-DEMAND at its top): the proposal in full
            # said so, the composer said "ok" (a student found out at the orders)
            elif c["actor"] == self.team:
                ok, why = terms.keepable(self.model, self.rb, c)
                cond = terms.only_if(self.model, self.rb, c)
                if ok is False:
                    breaks.append(f"clause {i + 1}" + (f", {cond}" if cond else "") + f": {why}")
                elif "may or may not hold now" in cond:
                    # said in the proposal and the orders tab, and now before it is sent (student i22):
                    # the team's own promise hangs on a value it sees only as an estimate
                    notes.append(f"clause {i + 1}: {cond}")
        breaks += keep.partners_cannot(self.model, self.rb, clauses)
        breaks += terms.capital_short(self.model, self.rb, clauses)
        if clauses or self.modules():
            draft = self.draft().model_dump()
            breaks += keep.stated_refusals(self.model, self.rb, draft) + keep.refused_before(
                self.model, self.rb, draft
            )
        if clauses and not breaks:  # advice on checking, where nothing worse is said (80x24 has no room)
            notes += terms.word_not_enough(self.model, self.rb, self.draft())
        return breaks, notes

    def _show_clauses(self) -> None:
        ol = self.query_one("#c-clauses", OptionList)
        ol.clear_options()
        for i, c in enumerate(self.clauses):
            words = self._clause_line(c)
            cost = terms.clause_cost(self.model, self.rb, c.model_dump())
            ol.add_option(Option(Text(f" {i + 1}. {words} · {cost}"), id=str(i)))
        if not self.clauses:
            ol.add_option(Option(Text(" none yet: add one below"), disabled=True))
        self._framing_note()
        self._show_framings()

    def _clause_line(self, clause: Clause) -> str:
        """A clause in the list; one on a once-per-game lever says it is one act and when it is due, not
        "for 3 turns" (the rules count the turns after the act as kept)."""
        c = clause.model_dump()
        lv = self.rb.levers.get(clause.lever)
        if lv is None or not lv.once:
            return terms.clause_words(self.rb, c)
        start = clause.start_turn or max(self.model.turn, 1)
        words = terms.clause_words(self.rb, {**c, "duration": 0, "start_turn": None})
        dur = max(clause.duration, 1)
        if not clause.condition:
            when = f"one act, due in turn {start}"
        elif dur == 1:
            when = f"one act, due in turn {start} if the condition holds then"
        else:
            last = start + dur - 1
            when = f"one act, due in the first of turns {start}–{last} in which the condition holds"
        return f"{words} ({when}: {lv.code} can be played once per game)"

    def _show_framings(self) -> None:
        china = any(c.actor == "cn" for c in self.clauses)
        fr = self.query_one("#c-framing", Select)
        keep = fr.value
        options = self._framing_options(china)
        fr.set_options(options)
        values = [v for _l, v in options]
        if keep in values:
            fr.value = keep
        elif not china:
            fr.value = "none"
        elif (put := self._clause_framing()) in values:
            fr.value = put
        # with a Chinese clause and no accepted framing the list stays blank: the check says why

    def _clause_framing(self) -> str | None:
        """The deal's framing a Chinese clause already says: a student set CN-ENFORCE's "presented as: a
        multilateral effort" and was still told the commitment needed a framing, from a list below the
        fold; the deal now starts from the clause's, which the list shows and the player may change."""
        for c in self.clauses:
            said = dict(c.params).get("framing") if c.actor == "cn" else None
            if said is not None:
                return CLAUSE_TO_DEAL_FRAMING.get(str(said))
        return None

    def _framing_note(self) -> None:
        """The two framings explained, while they are both in play: a Chinese clause in the draft (the
        proposal's framing is then required) or a lever with a framing of its own being edited."""
        editing = self.form.lever
        own = editing is not None and "framing" in editing.params
        china = any(c.actor == "cn" for c in self.clauses)
        self.query_one("#c-framing-note", Static).display = own or china

    # ------------------------------------------------------------------ events

    @on(Select.Changed, "#c-team")
    def _team_changed(self, event: Select.Changed) -> None:
        self._levers(str(event.value))
        if self.query_one("#c-lever", Select).value is Select.NULL:
            who = terms.team_name(self.rb, str(event.value))
            self.query_one("#c-lever-text", Static).update(
                f"Next clause: {who} commits (change who commits first if you mean another team)"
            )

    @on(Select.Changed, "#c-if")
    def _condition_value_changed(self, event: Select.Changed) -> None:
        """A yes/no value is held or not: the comparison offers "is so" and "is not so" and the number
        field steps aside; a number value gets the comparisons back."""
        sel = self.query_one("#c-if", Select)
        overlay = sel.query_one(SelectOverlay)
        for i, (_label, v) in enumerate(sel._options):
            if v is Select.NULL:  # closed by open_found while the list was opened from the find field
                overlay.enable_option_at_index(i)
        if event.value is Select.NULL and self._if_was is not Select.NULL:
            # a condition picked by mistake is taken back from the list's first row, and said so (its
            # "no condition" row was closed to the cursor, and a student could not clear it)
            self._news = (
                "c-if",
                "the clause being edited has no condition now: it is due in each of its turns",
            )
        elif event.value is not Select.NULL and self._news is not None and self._news[0] == "c-if":
            self._news = None
        self._if_was = event.value
        yes_no = event.value is not Select.NULL and terms.is_yes_no(self.rb, str(event.value))
        op = self.query_one("#c-if-op", Select)
        number = self.query_one("#c-if-value", Input)
        if yes_no != (op.value in ("yes", "no")):
            op.set_options(terms.YES_NO if yes_no else terms.COMPARISONS)
            op.value = "yes" if yes_no else "<"
        number.disabled = yes_no
        number.placeholder = "—" if yes_no else "value"
        if yes_no:
            number.value = ""
        picked = self.query_one("#c-lever", Select).value
        self._offer_durations(None if picked is Select.NULL else str(picked))
        self.check()

    @on(Select.Changed, "#c-lever")
    async def _lever_changed(self, event: Select.Changed) -> None:
        lever = None if event.value is Select.NULL else str(event.value)
        # before the form is redrawn (an await): the durations follow the lever at once
        self._offer_durations(lever, reset=lever is not None and self.rb.levers[lever].once)
        await self.form.set_lever(lever)
        self._framing_note()
        if lever:
            lv = self.rb.levers[lever]
            # whole: cut at 300 characters it stopped mid-word ("100 cos"), and the line wraps in the body
            text = f"{lv.code}: {' '.join(lv.description.split())}"
            if lv.once:
                text = f"{lv.code} can be played once per game: a clause on it is one act. " + text
            # where what it moves stands, as the orders' form says it: a clause promising MX-PORT at 150
            # read as more or less than now only to a student who had looked at the dashboard
            now = terms.standing_now(self.model, self.rb, lever, {})
            text = "\n".join([*now, text])
        else:  # who commits stays as it was after a clause is added: say it before a lever is picked
            who = terms.team_name(self.rb, str(self.query_one("#c-team", Select).value))
            text = f"Next clause: {who} commits (change who commits first if you mean another team)"
            text, self._hint = self._hint or text, ""
            if self._added:
                text = f"{self._added}. {text}"
                self._added = ""
        self.query_one("#c-lever-text", Static).update(text)

    def _offer_durations(self, lever_id: str | None, reset: bool = False) -> None:
        """The durations for the lever being edited: a once-per-game lever's are one act (see
        once_durations), the others' the turns that fit. ``reset`` starts from one turn (a once-only
        summit kept the clause before's "2 turns")."""
        sel = self.query_one("#c-duration", Select)
        lever = self.rb.levers.get(lever_id) if lever_id else None
        if lever is not None and lever.once:
            options = once_durations(self.model, self.query_one("#c-if", Select).value is not Select.NULL)
        else:
            options = durations(self.model)
        keep = sel.value
        if options != [(str(label), v) for label, v in sel._options]:
            sel.set_options(options)
        values = [v for _label, v in options]
        sel.value = keep if keep in values and not reset else values[0]

    @on(Checkbox.Changed, "#c-modules Checkbox")
    def _module_ticked(self, event: Checkbox.Changed) -> None:
        """A module needs the three North American teams: ticking one makes them parties, as a clause
        makes its team one, and says so on the check line, where it is seen (a student ticked T3 on a
        deal with China alone, the boxes of the two teams it added out of view). Unticking the last
        module takes back the parties only a module had added: not one the player ticked, nor one that
        commits in a clause."""
        mid = str(event.checkbox.id or "").removeprefix("module-").upper()
        if event.value:
            added = [
                t
                for t in MODULE_SIGNERS
                if t != self.team and not self.query_one(f"#party-{t}", Checkbox).value
            ]
            self._tick_parties(added, True)
            self._by_module.update(added)
            if added:
                what = "parties" if len(added) > 1 else "a party"
                self._news = (str(event.checkbox.id), f"ticking {mid} adds {self._names(added)} as {what}")
                self.check()
            return
        if self.modules():
            return
        needed = {c.actor for c in self.clauses}
        gone = [t for t in TEAMS if t in self._by_module and t not in needed]
        self._by_module.clear()
        self._tick_parties(gone, False)
        if gone:
            self._news = (
                str(event.checkbox.id),
                f"unticking {mid} takes {self._names(gone)} off the parties again (only the module had"
                " added them)",
            )
            self.check()

    def _tick_parties(self, teams: Sequence[str], value: bool) -> None:
        """Party boxes set by the form itself, not the player (their own change is left unheard, so a
        party the player ticks or unticks is theirs, see _party_ticked); who commits and the heading
        follow at once."""
        if not teams:
            return
        with self.prevent(Checkbox.Changed):
            for t in teams:
                self.query_one(f"#party-{t}", Checkbox).value = value
        self._parties_changed()

    def _names(self, teams: Sequence[str]) -> str:
        """Teams in words: "the United States and Mexico"."""
        names = [terms.team_name(self.rb, t) for t in teams]
        said = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
        return ("the " if said.startswith("United") else "") + said

    @on(Select.Changed, "#c-vis, #c-verif")
    def _who_sees_changed(self, event: Select.Changed) -> None:
        """Who sees the draft and who checks it, said on the check line as they change: keys a student
        typed ahead after picking a framing landed on these lists below the fold, and the proposal went
        public unnoticed (the words beside the send button changed, unread)."""
        now = (self.query_one("#c-vis", Select).value, self._verification())
        if self._seen_as is None or now == self._seen_as:
            return
        vis, verif = now
        said = []
        if vis != self._seen_as[0]:
            said.append(VISIBILITY_SAID[vis == "public"])
        if verif != self._seen_as[1]:
            said.append(CHECKED_SAID.get(verif, verif))
        self._seen_as = now
        self._news = (str(event.select.id), "now: " + "; ".join(said))
        self.check()

    @on(Checkbox.Changed)
    @on(Select.Changed, "#c-vis, #c-framing, #c-verif")
    @on(Input.Changed, "#c-note")
    def _changed(self, event: Checkbox.Changed | Select.Changed | Input.Changed) -> None:
        # what a change did is said until the player changes something else: a field they are at (the
        # form's own changes, a framing following the parties, land on fields the focus is not at)
        # (a box the form ticks itself sends no change: see _tick_parties)
        at = self.focused.ancestors_with_self if self.focused is not None else []
        player = isinstance(event, Checkbox.Changed) or event.control in at
        if self._news is not None and event.control.id != self._news[0] and player:
            self._news = None
        self.check()

    @on(Checkbox.Changed, "#party-us, #party-mx, #party-cn, #party-ca")
    def _party_ticked(self, event: Checkbox.Changed) -> None:
        self._by_module.discard(str(event.checkbox.id).removeprefix("party-"))
        self._parties_changed()

    @on(Input.Submitted, "#c-params Input")
    def _param_entered(self, event: Input.Submitted) -> None:
        """Enter in a parameter field moves to the next field, as in a tick box (FormBox): it added the
        clause, and a student who pressed it to confirm a value found the clause added; ctrl+a adds."""
        event.stop()
        self.focus_next()

    @on(Button.Pressed, "#c-add")
    def action_add_clause(self) -> None:
        team = str(self.query_one("#c-team", Select).value)
        lever_value = self.query_one("#c-lever", Select).value
        if lever_value is Select.NULL:
            self._say("! pick a lever for the clause first")
            return
        if (blank := self.form.unchosen()) is not None:
            words, field = blank
            field.focus()
            field.scroll_visible(animate=False)
            # "choose the with (Mexico or China)" read as nonsense (student b20): the field's name quoted
            self._say(
                f"! choose a value for {words} first, in the list under the lever: nothing is picked for you"
            )
            return
        try:
            params = self.form.checked()
            clause = Clause(
                actor=cast(TeamId, team),
                lever=str(lever_value),
                params=params,
                duration=int(cast(int, self.query_one("#c-duration", Select).value)),
                condition=self._condition(),
            )
        except ValidationError as exc:
            self._say(f"! {first_problem(exc)}")
            return
        except ValueError as exc:
            self._say(f"! {exc}")
            return
        spent = self._played_once(clause)
        if spent is not None:
            # ctrl+a took CA-LEA, played already, and only ctrl+s refused the draft (student, session 26)
            self._say(f"! not added — {spent}: a clause on it would promise nothing")
            return
        self.clauses.append(clause)
        self._added = self._added_words(clause)
        self.query_one("#c-lever", Select).clear()  # the editor is free for the next clause
        self.query_one("#c-lever-find", Input).value = ""
        self.query_one("#c-if-find", Input).value = ""
        self._if_was = Select.NULL  # cleared for the next clause, not taken back: nothing to say
        self.query_one("#c-if", Select).clear()
        self.query_one("#c-if-value", Input).value = ""
        # the next clause starts from one turn: a once-only summit kept the clause before's "2 turns"
        self.query_one("#c-duration", Select).value = 1
        self._show_clauses()
        self._news = None  # what the last change did is old news once the clause is in
        self.check()
        framing = self.query_one("#c-framing", Select)
        if clause.actor == "cn" and framing.value is Select.NULL:
            # the deal's framing sat below the fold, and students learnt of it on ctrl+s, then tabbed
            # fifteen times to reach it: the first Chinese clause takes them there
            framing.focus()
            framing.scroll_visible(animate=False)
            self._hint = (
                "A Chinese commitment needs the deal's framing: pick how China presents it below (Enter"
                " opens the list), then / finds the next clause's lever"
            )
            return
        # the next clause starts at the lever's find field, whatever the framing: on who commits, a
        # student's Enter, Down, Enter (meant for the next lever) made the United States commit in
        # place of China. Keys there only narrow a list; who commits stays one shift+tab away
        find = self.query_one("#c-lever-find", Input)
        find.focus()
        find.scroll_visible(animate=False)

    def _added_words(self, clause: Clause) -> str:
        """What a clause just added was set to, said where the next clause starts: ctrl+a takes a
        number as the form shows it, and a student added MX-PORT's intensity below the fold unseen."""
        if not clause.params:
            return ""
        words = terms.clause_words(self.rb, clause.model_dump())
        return (
            f"Added clause {len(self.clauses)}: {words}. To change a value, Tab to the clause list, "
            "pick it, press Delete and add it again"
        )

    def action_remove_clause(self) -> None:
        """Delete removes the clause the player pointed at in the list, and only then: from elsewhere the
        list's highlight (its first clause by default) was not the one meant, and a student lost it."""
        ol = self.query_one("#c-clauses", OptionList)
        lever = self.query_one("#c-lever", Select)
        if not ol.has_focus and lever.value is not Select.NULL and not self._editing_added(str(lever.value)):
            # a lever picked by mistake could not be un-picked, and ctrl+s then refused to send while
            # a clause was half made (session 19's student g19 typed a search that matched nothing)
            code = self.rb.levers[str(lever.value)].code
            lever.clear()
            self._say(f"Dropped the clause being edited ({code}): nothing of it is in the proposal")
            return
        if not self.clauses:
            return
        if not ol.has_focus or ol.highlighted is None or ol.highlighted >= len(self.clauses):
            # in the list with no clause picked yet, "Tab to the clause list" sent a student in circles
            where = "" if ol.has_focus else "Tab to the clause list, "
            self._say(f"! to remove a clause, {where}pick it with ↑/↓, then press Delete")
            return
        at = ol.highlighted
        gone = self.clauses.pop(at)
        row = min(at, len(self.clauses) - 1)  # the next clause (the one before when the last went)
        self._removed = (terms.clause_words(self.rb, gone.model_dump()), row)
        self._show_clauses()
        if self.clauses:  # the cursor stays where it was, not back at the first clause
            ol.highlighted = row
        self.check()
        self._pointed()

    @on(OptionList.OptionHighlighted, "#c-clauses")
    @on(events.DescendantFocus)
    def _pointed(self) -> None:
        """Which clause Delete would remove, in words (the highlight alone is a colour a terminal may not
        show), after the one just removed while the cursor has not moved."""
        ol = self.query_one("#c-clauses", OptionList)
        i = ol.highlighted
        removed, at = self._removed or ("", -1)
        said = f"Removed: {removed}" if removed and (i == at or not self.clauses) else ""
        if ol.has_focus and i is not None and 0 <= i < len(self.clauses):
            words = terms.clause_words(self.rb, self.clauses[i].model_dump())
            said = (said + " · now " if said else "") + f"Delete removes clause {i + 1}: {words}"
        if not said:
            return
        if not removed or i != at:
            self._removed = None
        self.query_one("#c-lever-text", Static).update(said)

    def _say(self, text: str) -> None:
        """The check line, scrolled into view (on a small terminal the form is taller than the window)."""
        out = self.query_one("#c-check", Static)
        out.update(text)
        out.scroll_visible(animate=False)

    def _state(self) -> tuple[object, ...]:
        """What the player has put in, to tell a draft from the form as it opened."""
        fields = ("#c-vis", "#c-framing", "#c-lever")
        return (
            self.parties(),
            [c.model_dump() for c in self.clauses],
            self.modules(),
            [self.query_one(f, Select).value for f in fields],
            self.query_one("#c-note", Input).value.strip(),
        )

    @on(Button.Pressed, "#c-cancel")
    def action_cancel(self) -> None:
        """Esc on a draft asks first: a student lost a proposal of several clauses to one key. A form as
        it opened (empty, or a counter not yet touched) just closes."""
        if self._sending or self._state() == self._pristine:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(DiscardConfirm(), answered)

    @on(Button.Pressed, "#c-send")
    async def action_send(self) -> None:
        """Send a draft the server's check passes; stay open (nothing lost) if the server refuses."""
        if self._sending:
            return
        why = self.check()
        lever = self.query_one("#c-lever", Select).value
        if why is None and lever is not Select.NULL and not self._editing_added(str(lever)):
            code = self.rb.levers[str(lever)].code
            why = (
                f"the clause being edited ({code}) is not in the proposal yet: ctrl+a adds it, Delete"
                " (outside a text field) drops it"
            )
        if why is not None:
            self._say(f"! not sent — {why}")
            return
        if self.counter_to is not None:
            # a student countered T1-US-1 and found it closed, with one of three proposals gone
            self.app.push_screen(CounterConfirm(self.counter_warning()), self._counter_answered)
            return
        await self._send_now()

    def _editing_added(self, lever: str) -> bool:
        """Whether the lever left in the picker is a clause of the draft already, by the team picked
        to commit: a student's CN-PEN was clause 1 and ctrl+s said it was "not in the proposal yet",
        and ctrl+a again only made a repeat to delete."""
        team = self.query_one("#c-team", Select).value
        return any(c.actor == team and c.lever == lever for c in self.clauses)

    def counter_warning(self) -> str:
        """What a counter costs, said before it goes: the original closes, and it is a proposal."""
        limit = int(self.model.view.get("proposal_limit") or 0)
        used = ""
        if limit:
            left = limit - terms.tabled_this_turn(self.model) - 1
            used = f" This uses 1 of your {limit} proposals this turn ({left} left after it)."
        return (
            f"Countering closes {self.counter_to}: it can no longer be accepted, by you or by anyone"
            f" (a counter turns it down with other terms).{used}"
        )

    def _counter_answered(self, send: bool | None) -> None:
        if send:
            self.run_worker(self._send_now(), exclusive=True)
        else:
            self._say(f"not sent — the draft is as you left it; {self.counter_to} is still open")

    async def _send_now(self) -> None:
        if self._sending:
            return
        self._sending = True
        try:
            refused = await self.send(self.draft())
        finally:
            self._sending = False
        if refused is not None:
            self._say(f"! not sent — {refused}")
            return
        self.dismiss("sent")
