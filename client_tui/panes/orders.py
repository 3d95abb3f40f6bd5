"""The orders tab: the seat's levers to tick, the budget and warnings as they are ticked, submit and
ready. The levers show in every phase (outside the orders phase from the rulebook, to plan and to
quote in proposals), with what limits them: the orders left of the seat's limit, the political capital,
each lever's cost; ticking past the limit is flagged and not submitted.

A lever with parameters (an intensity, a rank, a level) takes them from a small form on ``p``: each
within the rulebook's range, checked by the server's own code, with the cost they come to; the row then
shows them and its cost, and the submission carries them.

Ticks belong to one turn. At a new turn last turn's orders are offered (``l`` ticks again those still
available), never silently kept: a lever played once per game would otherwise stay ticked but disabled,
and every later submission would be refused for it. A disabled lever is never part of a submission.

When the team is played by several people, a seat may refuse an order another seat gave on a lever it
carries out (``refusal.RefusalBox``, x); a refused order leaves the giver's ticks, and the line above
the list says who refused it, on which ground, and what it cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from pydantic import ValidationError
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, SelectionList, Static
from textual.widgets.selection_list import Selection

from precursor.game.commands import Order, RefuseOrder, StatementOrder, SubmitOrders

from .. import availability, fit, render, terms
from ..composer import ParamsScreen
from ..conditions import condition_now
from ..lever_info import LeverScreen, NotesScreen, lever_text
from ..notice import Notice, refused
from ..widgets import Confirm, OrderList, set_text
from .refusal import RefusalBox, RefuseScreen, cost_words, entry_detail, every_turns, refusal_line
from .statement import StatementScreen

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from ..model import LiveGame


SHORT = 28  # a pane lower than this (an 80x24 terminal's is about 18) gives the lever list the room
NARROW = 100  # a pane narrower than this (an 80-column terminal's) gets the buttons' short labels
# each button's label, in full and short
BUTTONS = {
    "submit": ("Submit orders (ctrl+s)", "Submit (^s)"),
    "ready": ("Ready (ctrl+r)", "Ready (^r)"),
    "again": ("Tick last turn's (l)", "Last turn's (l)"),
    "params": ("Parameters (p)", "Params (p)"),
    "statement": ("Statement (t)", "Statement (t)"),
    "wc-free": ("Free action (f)", "Free action (f)"),
    "wc-counter": ("Argue about one (k)", "Argue about one (k)"),
    "wc-position": ("Our position (w)", "Our position (w)"),
    "refuse": ("Refuse this order (x)", "Refuse (x)"),
}


NO_MATCH = 5  # above every rank terms.find_rank gives a lever that matches

FIND_HINT = "/ find a lever: part of its code or name (Enter or ↓ goes to the list)"


def order_limit(model: LiveGame) -> int:
    """How many orders this seat may give a turn: its own limit within the team's. A function, so the
    proposals tab counts a deal's orders against the same slots the orders tab does."""
    v = model.view
    team_limit = int(v.get("order_limit") or 0)
    seat = model.me.get("seat")
    seat_limit = (v.get("seat_limits") or {}).get(seat) if seat else None
    if seat_limit and team_limit:
        return min(int(seat_limit), team_limit)
    return int(seat_limit or team_limit or 12)


class FindField(Input):
    """The orders list's find field: ↓ goes on to the list, as Enter does (a key of the field's own,
    not a binding: F1 lists the screen's keys, and this one is the placeholder's to say)."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "down":
            event.stop()
            event.prevent_default()
            pane = next((a for a in self.ancestors if isinstance(a, OrdersPane)), None)
            if pane is not None:
                pane.to_list()
            return
        await super()._on_key(event)

    starting = False  # a find begun from the list, until the focus has moved here

    def start_with(self, text: str) -> None:
        """A new find begun by a key typed on the list: the field takes it, and keeps the keys after it
        (focus selects the field's text, so the next key would have replaced the first). Keys typed
        before the focus arrives are added to it: a code typed fast ("CN-LINK") read "K-"."""
        self.value = (self.value if self.starting else "") + text
        self.cursor_position = len(self.value)
        self.select_on_focus = False
        self.starting = True
        self.focus()

    def on_focus(self) -> None:
        self.starting = False

    def on_blur(self) -> None:
        self.select_on_focus = True  # "/" selects what was there, so typing replaces the old find


class OrdersPane(Vertical):
    BINDINGS = [  # the buttons say them
        Binding("l", "tick_again", "Tick last turn's orders", show=False),
        Binding("p", "params", "Parameters of the highlighted lever", show=False),
        Binding("e", "lever", "Every effect of the highlighted lever", show=False),
        Binding("t", "statement", "A public statement with the orders", show=False),
        Binding("i", "notes", "Every note above the lever list, in full", show=False),
        Binding(
            "x",
            "refuse",
            "Refuse an order another seat of the team gave",
            show=False,
            tooltip="refuse the highlighted order another seat of your team gave (a team of several players)",
        ),
    ]

    class Submit(Message):
        """The user submits the ticked levers as the seat's orders."""

        def __init__(self, command: SubmitOrders) -> None:
            super().__init__()
            self.command = command

    class MarkReady(Message):
        """The user marks the seat ready for this phase."""

    class Refuse(Message):
        """The user refuses an order another seat of the team gave; ``done`` is the notice once sent."""

        def __init__(self, command: RefuseOrder, done: str) -> None:
            super().__init__()
            self.command, self.done = command, done

    def __init__(self, model: LiveGame, rb: Rulebook) -> None:
        super().__init__()
        self.model, self.rb = model, rb
        self._choice: list[str] = []  # kept across a redraw of the list (a new view), within a turn
        self._turn: int | None = None  # the turn the ticks belong to (None: nothing drawn yet)
        self._submitted: list[str] | None = None  # the levers this seat submitted this turn, if it did
        self._offer: list[str] = []  # last turn's orders, to tick again with ``l``
        # their parameters as they were ordered: the form edits the live ones, and the offer's line read
        # them ("MX-ME (enforcement level: 75)" for last turn's 70 once 75 was set for this turn)
        self._offer_params: dict[str, dict[str, Any]] = {}
        self._costs: dict[str, float] = {}  # each lever's cost as the last orders phase gave it
        self.refused = False  # the last submission was refused (here or by the server)
        self._params: dict[str, dict[str, Any]] = {}  # parameters set with p (kept across turns)
        # levers whose parameters the pane set, to the choice that can be ordered when the default cannot
        # (``_other_settings``): dropped once the default can be ordered again
        self._auto: set[str] = set()
        # levers whose parameters came from an agreement due this turn, with its id (the row says so)
        self._agreed: dict[str, str] = {}
        self._by_hand: set[str] = set()  # levers whose parameters were set with p this turn
        # this turn's public statement as drafted with t (kind, target, text): sent with the orders
        self._statement: dict[str, Any] | None = None
        self._drafted = False  # the statement was drafted (or dropped) here this turn, not read back
        self._drawn_width = 0  # the row width the list's labels were laid out for
        self.refusal = RefusalBox(model, rb)
        self._find = ""  # what the find field narrows the list to (code or name), as typed
        self._info = ""  # the notes above the list in full (budget, warnings); drawn as they fit

    def compose(self) -> ComposeResult:
        yield Static("", id="order-info", markup=False)
        yield FindField(placeholder=FIND_HINT, id="order-find")
        yield OrderList(id="order-list")
        yield Static("", id="order-detail", markup=False)
        with Horizontal(classes="row"):
            yield Button("Submit orders (ctrl+s)", id="submit", variant="primary")
            yield Button("Ready (ctrl+r)", id="ready")
            yield Button("Tick last turn's (l)", id="again")
            yield Button("Parameters (p)", id="params")
            yield Button("Statement (t)", id="statement")
        yield self.refusal
        yield Static("", id="wc-info", markup=False)
        with Horizontal(classes="row"):
            yield Button("Free action (f)", id="wc-free")
            yield Button("Argue about one (k)", id="wc-counter")
            yield Button("Our position (w)", id="wc-position")

    def on_resize(self, event: events.Resize) -> None:
        """On a short terminal the buttons lose their borders and the notes above and below the list
        are held to a few lines (they scroll): at 80x24 the position and a free action otherwise took
        every row of the list and pushed the white cell's buttons off the screen."""
        short = event.size.height < SHORT
        self.set_class(short, "-short")
        for b in self.query(Button):
            b.compact = short
        self.query_one("#order-find", Input).compact = short
        narrow = event.size.width < NARROW
        for b in self.query(Button):  # at 80 columns the long labels pushed the last buttons off
            b.label = BUTTONS[str(b.id)][1 if narrow else 0]
        if self._turn is not None and self._drawn_width != self._row_width():
            self.call_after_refresh(self._relabel)
        self.call_after_refresh(self._fit_info)

    def _relabel(self) -> None:
        """Lay the rows out again for a new width (the effect goes beside a row only if it fits)."""
        sl = self.query_one("#order-list", SelectionList)
        self._drawn_width = self._row_width()
        rows = {r["id"]: r for r in self.rows()}
        for i in range(sl.option_count):
            option = sl.get_option_at_index(i)
            row = rows.get(str(option.value))
            if row is not None:
                sl.replace_option_prompt_at_index(i, Text(self._label(row)))
        sl.refresh()

    def on_key(self, event: events.Key) -> None:
        """Space on a lever that cannot be ordered says why. The list ignores it without a word (the
        row is disabled), and a student who saw the tick box as ticked found the lever silently left
        out of the submission."""
        if event.key not in ("space", "enter") or self.app.focused is not self.query_one("#order-list"):
            return
        sl = self.query_one("#order-list", SelectionList)
        if sl.highlighted is None or sl.highlighted >= sl.option_count:
            return
        option = sl.get_option_at_index(sl.highlighted)
        if not option.disabled:  # the row as drawn decides, as it does for the list itself
            return
        event.stop()
        lid = str(option.value)
        row = next((r for r in self.rows() if r["id"] == lid), {})
        why = row.get("why_not") or "not in this phase"
        self.post_message(Notice(f"not ticked — {self._code(lid)} cannot be ordered now: {why}"))

    @on(SelectionList.SelectionHighlighted, "#order-list")
    def show_detail(self) -> None:
        """The highlighted lever in full: a row is cut at the width of the list (at 80 columns right
        after its cost), and with it why the lever cannot be ordered and what it moves."""
        sl = self.query_one("#order-list", SelectionList)
        row = None
        if sl.highlighted is not None and sl.highlighted < sl.option_count:
            lid = sl.get_option_at_index(sl.highlighted).value
            row = next((r for r in self.rows() if r["id"] == lid), None)
        set_text(self.query_one("#order-detail", Static), self._detail(row) if row else "")

    def _detail(self, row: dict[str, Any]) -> str:
        """Two lines: the lever, its cost (or why it is out) and when it acts; then what it moves, in
        plain words with the values' whole names (a narrow row has no room for them), on the parameters
        set and the values the team knows; ``e`` shows every effect when they do not all fit."""
        lv = self.rb.levers.get(row["id"])
        few = 2 if self.size.width < NARROW else 3  # at 80 columns two keep the line to two rows
        head, moves = self._head(row), ""
        if lv is not None:
            params, values = self._params.get(row["id"]), availability.values_now(self.model, self.rb)
            every = render.effect_list(self.rb, row["id"], params, values)
            moves = f"It {'; '.join(every[:few])}" if every else ""
            if lv.params:  # a Canadian student found CA-DEMAND's level only by pressing p on each lever
                names = ", ".join(render.param_name(pid, lv) for pid in lv.params)
                set_now = terms.params_words(self.rb, row["id"], params) if params else "the default"
                # at 80 columns the longer form pushed the effects out of the three rows under the list
                head += f" · p: {names}" if few == 2 else f" · p sets: {names} (now {set_now})"
            if len(every) > few:  # said on the first line: at 80x24 the last is cut off
                head += f" · e lists all {len(every)} effects"
                moves += "; …"
        chance = render.chance_words(self.rb, row["id"]) if lv is not None else ""
        return head + (f"\n{moves}" if moves else "") + (f"\nBy chance: {chance}" if chance else "")

    def _head(self, row: dict[str, Any]) -> str:
        """The lever, its cost (or why it is out) and when it acts."""
        cost = self._row_cost(row)
        words = [f"{row['code']} — {row['name']}"]
        if row.get("available"):
            words.append(f"{cost:g} PC" if cost is not None else "cost known in the orders phase")
        else:
            words.append(f"cannot be ordered now: {row.get('why_not') or 'not in this phase'}")
        lv = self.rb.levers.get(row["id"])
        if lv is not None:
            words.append(f"lag {lv.lag} month{'s' if lv.lag != 1 else ''}" if lv.lag else "acts at once")
            if lv.once and row.get("available"):  # a student learnt it only once the lever was spent
                words.append("once per game")
        return " · ".join(words)

    def action_lever(self) -> None:
        """The highlighted lever in full: every value it moves, on the parameters set."""
        sl = self.query_one("#order-list", SelectionList)
        if sl.highlighted is None or sl.highlighted >= sl.option_count:
            self.post_message(Notice("highlight a lever first (arrow keys), then e"))
            return
        lid = str(sl.get_option_at_index(sl.highlighted).value)
        row = next((r for r in self.rows() if r["id"] == lid), None)
        if row is None or lid not in self.rb.levers:
            return
        values = availability.values_now(self.model, self.rb)
        text = lever_text(self.rb, lid, self._head(row), self._params.get(lid), values)
        self.app.push_screen(LeverScreen(text))

    def rows(self) -> list[dict[str, Any]]:
        """The levers to show: the view's in the orders phase (the engine's own check); otherwise the
        team's levers from the rulebook, costs as last seen, those played once already and those whose
        condition already fails on what the team knows (``availability``) marked out."""
        levers: list[dict[str, Any]] = self.model.view.get("levers") or []
        if levers:
            levers = [self._other_settings(lv) for lv in levers]
            # a lever free this turn (an inject's) costs 0 now only: kept, it read "0 PC" in the next
            # turn's briefing, and "1 PC" once that turn's orders began (session 22)
            free = set(self.model.view.get("free_levers") or [])
            self._costs.update(
                {lv["id"]: lv["cost"] for lv in levers if lv.get("cost") is not None and lv["id"] not in free}
            )
            return levers
        team = self.model.team
        if not team:
            return []
        checking = self.checking()
        counts = self.model.view.get("counts") or {}
        free = set(self.model.view.get("free_levers") or [])
        known = availability.values_now(self.model, self.rb)
        out = []
        for lid, lv in self.rb.levers.items():
            if lv.team != team:
                continue
            spent = lv.once and (counts.get(lid) or {}).get("count", 0) > 0
            why = f"{lv.code} can be played once per game and already was" if spent else ""
            if checking and not spent:
                why = "the orders phase has just begun: the server is checking what can be ordered"
            # a condition that already fails is out now, as the orders phase will say (a student saw
            # CN-REPLY-MX at 1 PC through the negotiation, and unticked when the orders began)
            why = why or availability.why_out(self.model, self.rb, lid, known) or ""
            cost = None if why and not checking else 0.0 if lid in free else self._cost(lid)
            row = {
                "id": lid,
                "code": lv.code,
                "name": lv.name,
                "cost": cost,
                "available": not why,
                "why_not": why,
            }
            # out at its defaults only: the setting that can be ordered is offered before the orders
            # phase too (a China with cooperation suspended saw CN-LINK out all negotiation)
            out.append(row if spent or checking else self._other_settings(row))
        return out

    def _refused_now(self) -> list[dict[str, Any]]:
        """This turn's refusals inside the team, oldest first."""
        m = self.model
        return [r for r in m.refusals if r.get("turn") == m.turn and r.get("team") == m.team]

    def checking(self) -> bool:
        """The orders phase has begun but the view that says which levers can be ordered (the engine's
        check) has not come yet: until it does, nothing is shown as orderable (the rulebook's list
        would offer levers the server then refuses) and ticks are neither dropped nor submitted."""
        return self.model.phase == "orders" and self.model.view.get("phase") != "orders"

    def _cost(self, lid: str) -> float | None:
        """A lever's cost outside the orders phase: as last seen, else the rulebook's at the default
        parameters (a fixed number, or one the parameters alone set: US-DEMAND's one PC a level was
        "?" before the first orders phase); a cost that depends on the state is known in the orders
        phase."""
        if lid in self._costs:
            return self._costs[lid]
        return terms.lever_cost(self.model, self.rb, lid, {})

    def _other_settings(self, row: dict[str, Any]) -> dict[str, Any]:
        """A lever out at its defaults that another choice makes orderable (CN-LINK's resumption while
        cooperation is suspended) is offered with that choice set, unless its parameters are set already."""
        lid = str(row["id"])
        alt = availability.other_settings(
            self.model, self.rb, row, self._params.get(lid) if lid in self._by_hand else None
        )
        if alt is None:
            if lid in self._auto:  # the default can be ordered again: the choice set for it goes
                self._auto.discard(lid)
                self._params.pop(lid, None)
            return row
        if lid not in self._params:
            self._params[lid] = dict(alt)
            self._auto.add(lid)
        params = self._params[lid]
        return {
            **row,
            "available": True,
            "why_not": "",
            "cost": terms.lever_cost(self.model, self.rb, lid, params),
        }

    def _available(self) -> dict[str, dict[str, Any]]:
        return {lv["id"]: lv for lv in self.rows() if lv.get("available")}

    def limit(self) -> int:
        """How many orders this seat may give a turn: its own limit within the team's."""
        return order_limit(self.model)

    def chosen(self, rows: list[dict[str, Any]] | None = None) -> list[str]:
        """The ticked levers that can be ordered now: a disabled row may still be in the list's
        selection (``SelectionList.selected`` keeps it), and must never be submitted. ``rows``: this
        moment's ``rows()``, when the caller has them already (they are built anew at each call)."""
        ok = {lv["id"] for lv in (self.rows() if rows is None else rows) if lv.get("available")}
        shown = self.query_one("#order-list", SelectionList).selected
        return [v for v in dict.fromkeys([*shown, *self._hidden_ticks()]) if v in ok]

    def ticked_costs(self) -> dict[str, float | None]:
        """The ticks and what each costs as set (None: not known yet), for the proposals tab: accepting a
        deal said "2/4 order slots taken" to a student with four orders ticked here. The proposals tab
        asks at each redraw, so the rows are built once for both uses."""
        rows = self.rows()
        chosen = set(self.chosen(rows))
        return {row["id"]: self._row_cost(row) for row in rows if row["id"] in chosen}

    def _mine(self) -> list[str] | None:
        """The levers this team submitted this turn (None: nothing submitted yet); when the team is
        split among several people, this seat's alone: another seat's orders are not this one's ticks,
        and ticked here they would go in again under this seat."""
        team, seat = self.model.team, self.model.me.get("seat")
        split = len((self.model.view.get("seats") or {}).get(team or "", ())) > 1
        subs = [
            sub
            for k, sub in self.model.orders.items()
            if team and (k == f"{team}/{seat}" if split and seat else k.startswith(team + "/"))
        ]
        if not subs:
            return None
        return [str(o.get("lever")) for sub in subs for o in sub.get("orders") or []]

    def _said(self) -> dict[str, Any] | None:
        """The public statement this seat's submission this turn carries, if any."""
        team, seat = self.model.team, self.model.me.get("seat")
        for k, sub in self.model.orders.items():
            if (
                team
                and k.startswith(team + "/")
                and sub.get("statement")
                and (not seat or k == f"{team}/{seat}")
            ):
                return dict(sub["statement"])
        return None

    def _statement_line(self) -> str:
        """The drafted statement and whether it went in; nothing when there is none to speak of."""
        st, said = self._statement, self._said()
        if not st:
            if said is None:
                return ""
            words = terms.statement_words(self.rb, self.model.team or "", said)
            return f"Public statement sent: {words} — submit again (ctrl+s) to withdraw it"
        words = terms.statement_words(self.rb, self.model.team or "", st)
        if st == said:
            return f"Public statement (sent): {words}"
        return f"Public statement, sent with the orders (ctrl+s): {words}"

    def _new_turn(self) -> None:
        """A new turn starts with no ticks; what was ordered last turn becomes an offer."""
        m = self.model
        if self._turn == m.turn:
            return
        first = self._turn is None
        last = self._submitted if self._submitted is not None else self._choice
        self._turn, self._choice, self._submitted = m.turn, [], None
        self._statement, self._drafted = None, False  # one statement a turn: last turn's was made
        self.refused = False
        self._agreed = {}
        self._by_hand = set()
        if self._find:  # a new turn shows every lever: a find kept from the last hid this turn's ticks
            self._find = ""
            self.query_one("#order-find", Input).value = ""
        self._offer = [] if first or m.ended else list(last)  # a game that is over takes no more orders
        self._offer_params = {i: dict(self._params.get(i, {})) for i in self._offer}
        again = self._still_open(self._offer)
        gone = [i for i in self._offer if i not in again]
        said = []
        if again:
            said.append(
                f"last turn's orders: {self._codes(again, self._offer_params)} — press l in the orders tab"
                " to tick them again"
            )
        if gone:
            # every order of last turn, the ones out with their reason: Canada's student read "last
            # turn's orders: CA-DEMAND, CA-TRI" of three, and met CA-MEDIATE only when l left it out
            said.append(
                ("not available now: " if again else "last turn's orders, not available now: ")
                + self._gone_words(gone)
            )
        if said:
            self.post_message(Notice("; ".join(said)))

    def _gone_words(self, gone: list[str]) -> str:
        """Last turn's orders that cannot be ordered now, each with why. The rows the list shows, not
        the view's levers: outside the orders phase the view has none, and a once-per-game lever spent
        last turn read "not in this phase"."""
        whys = {lv["id"]: lv.get("why_not") or "" for lv in self.rows()}
        return "; ".join(f"{self._codes([i])} ({whys.get(i) or 'not in this phase'})" for i in gone)

    def _last_codes(self) -> str:
        return self._codes(self._offer, self._offer_params)

    def _still_open(self, ids: list[str]) -> list[str]:
        """Those of ``ids`` that ``l`` would tick now: a student read "last turn's orders: CN-KYC …,
        CN-DIRECTIVE — press l …" with CN-KYC played once and spent. While the server is still checking
        the orders phase's levers every row is out for a moment: then only a spent once-per-game lever
        is left out, the rest are the server's to judge."""
        rows = {str(r["id"]): r for r in self.rows()}
        if self.checking():
            counts = self.model.view.get("counts") or {}
            once = {i for i in ids if i in self.rb.levers and self.rb.levers[i].once}
            return [i for i in ids if not (i in once and (counts.get(i) or {}).get("count", 0))]
        return [i for i in ids if rows.get(i, {}).get("available")]

    def _codes(self, ids: list[str], params: dict[str, dict[str, Any]] | None = None) -> str:
        return ", ".join(self._code(i, params) for i in ids)

    def _code(self, lid: str, params: dict[str, dict[str, Any]] | None = None) -> str:
        """A lever's code, with the parameters set away from their defaults (the live ones, or those
        given: what was ordered last turn)."""
        code = self.rb.levers[lid].code if lid in self.rb.levers else lid
        given = (self._params if params is None else params).get(lid, {})
        words = terms.params_words(self.rb, lid, given, changed_only=True)
        return f"{code} ({words})" if words else code

    def _row_cost(self, row: dict[str, Any]) -> float | None:
        """A row's cost with the parameters set (the row's own is the cost at the defaults)."""
        params = self._params.get(row["id"])
        if not params or row.get("available") is False:
            return cast(float | None, row.get("cost"))
        return terms.lever_cost(self.model, self.rb, row["id"], params)

    def _row_width(self) -> int:
        """The columns a row of the list has: the list's own width less its tick box, or, before the
        list is laid out, the screen's less the borders."""
        sl = self.query_one("#order-list", SelectionList)
        inner = sl.scrollable_content_region.width
        return (inner if inner > 0 else self.app.size.width - 6) - 4

    def _label(self, row: dict[str, Any]) -> str:
        params = self._params.get(row["id"])
        width = self._row_width()
        if not params:
            return render.lever_label(row, self.rb, width=width)
        words = terms.params_words(self.rb, row["id"], params)
        if row["id"] in self._agreed:
            deals = self._agreed[row["id"]]
            if ", " in deals:  # the notice on ticking names them all; the row has no room
                deals = f"{deals.count(',') + 1} deals"
            words = f"as agreed in {deals}: {words}"
        row = {**row, "cost": self._row_cost(row)}
        return render.lever_label(row, self.rb, params=words, width=width, chosen=params)

    def _agreed_terms(self, lid: str) -> tuple[str, dict[str, Any]] | None:
        """The agreements due this turn that set ``lid``'s parameters, and the parameters that keep
        them all. A student ticked US-TARIFF promised at 0% on China and got the lever's defaults
        (Mexico, 25%, threatened): one ctrl+s from threatening Mexico. Another, with MX-ME promised at
        60 to the US and at 80 to Canada, got 60 and broke the second deal: any value as strong as a
        clause asks keeps it, so the strongest asked keeps both; where two clauses ask different
        choices, the first stands and the promise warnings name the other."""
        m = self.model
        lever = self.rb.levers.get(lid)
        ids: list[str] = []
        merged: dict[str, Any] = {}
        for a in m.agreements.values():
            if a.get("status") not in ("signed", "active"):
                continue
            for cl in a.get("clauses", []):
                if cl.get("actor") != m.team or cl.get("lever") != lid or not cl.get("params"):
                    continue
                start, dur = int(cl.get("start_turn") or 1), max(int(cl.get("duration") or 1), 1)
                if not start <= m.turn <= start + dur - 1:
                    continue
                if cl.get("condition") and condition_now(m, self.rb, str(cl["condition"])) is False:
                    continue  # not due while its condition does not hold
                if str(a.get("id")) not in ids:
                    ids.append(str(a.get("id")))
                for pid, want in cl["params"].items():
                    merged[pid] = want if pid not in merged else _stronger(lever, pid, merged[pid], want)
        return (", ".join(ids), merged) if ids else None

    def _take_agreed(self, lids: list[str]) -> list[str]:
        """Set the agreed parameters of the levers among ``lids`` that an agreement due now sets; the
        codes with their terms, to say so."""
        said = []
        for lid in lids:
            found = self._agreed_terms(lid)
            if found is None:
                continue
            aid, want = found
            self._params[lid] = {**self._params.get(lid, {}), **want}
            self._auto.discard(lid)  # the agreed terms, not a choice made for the player
            self._agreed[lid] = aid
            # terms the server would refuse now are said as the tick is made, not first at ctrl+s: a
            # student's Mexico ticked MX-ME "as agreed" at 70 under a humanitarian cap of 60 and learnt
            # it only from the refused submission
            why = terms.param_problem(self.model, self.rb, lid, self._params[lid])
            late = f" — but the server would refuse these terms now: {why}; p changes them" if why else ""
            said.append(f"{self._code(lid)} as agreed in {aid}{late}")
        return said

    def submission(self) -> SubmitOrders | None:
        """The ticked levers as a command; ``None`` (and a notice) if they cannot go in now: outside
        the orders phase, past the seat's limit or its capital, or refused by the wire model."""
        if self.model.ended:  # ticks drawn from the rulebook after the end must not read as "kept"
            self.post_message(
                Notice("not sent — the game is over: no more orders (ctrl+g shows the debrief)")
            )
            return None
        if self.checking():
            self.post_message(
                Notice(
                    "not sent — the server is still checking what can be ordered: submit again in a moment"
                )
            )
            return None
        chosen = self.chosen()
        if self._no_more_orders():
            # "your ticks are kept until then" under "this was the last turn: no more orders" (a student)
            self.post_message(Notice("not sent — this was the last turn: no more orders"))
            return None
        if self.model.phase != "orders":
            self.post_message(
                Notice(
                    f"orders go in during the orders phase (now: {self.model.phase or 'not started'});"
                    " your ticks are kept until then"
                )
            )
            return None
        limit = self.limit()
        if len(chosen) > limit:
            self.refused = True
            self.post_message(
                Notice(
                    f"not sent — {len(chosen)} orders ticked, your seat may give {limit} a turn: untick some"
                )
            )
            return None
        pc, spent, held, unknown = self._spend(chosen)
        if not unknown and spent + held > pc:  # the server would refuse it over budget: say so here
            self.refused = True
            extra = f" and this turn's free actions hold {held:g}" if held else ""
            self.post_message(
                Notice(
                    f"not sent — these orders cost {spent:g} PC{extra}; you have {render.number(pc)}:"
                    " untick some or lower a parameter (p)"
                )
            )
            return None
        # parameters set in an earlier turn may no longer be accepted (cooperation resumed since)
        bad = [
            why
            for c in chosen
            if (why := terms.param_problem(self.model, self.rb, c, self._params.get(c, {})))
        ]
        if bad:
            self.refused = True
            self.post_message(Notice(f"not sent — {'; '.join(bad)}: change the parameters (p) or untick it"))
            return None
        st = self._statement
        why = terms.statement_problem(self.model, st["kind"], st.get("target"), st["text"]) if st else None
        if why:
            self.refused = True
            self.post_message(Notice(f"not sent — the statement: {why} (t changes it)"))
            return None
        try:
            return SubmitOrders(
                orders=[Order(lever=c, params=self._params.get(c, {})) for c in chosen],
                statement=StatementOrder.model_validate(st) if st else None,
            )
        except ValidationError as exc:
            self.refused = True
            self.post_message(refused(exc, "submit_orders"))
            return None

    def unsent(self) -> str | None:
        """Why marking ready now may lose orders (None: nothing to lose): ticks not submitted, or a
        submission refused."""
        m = self.model
        if m.phase != "orders" or not m.team:
            return None
        mine = self._mine()
        given = (
            f"the orders in are: {self._codes(mine) or 'none (hold)'}"
            if mine is not None
            else "no orders are in"
        )
        if self.refused:
            return f"Your last submission was refused; {given}."
        said = self._said()
        if self._statement and self._statement != said:
            return f"Your public statement is not sent yet; {given}."
        if self._statement is None and said is not None:
            return f"You dropped your public statement, but the one sent stands; {given}."
        chosen = self.chosen()
        if mine is None and chosen:
            return f"You ticked {self._codes(chosen)} but did not submit them; {given}."
        if mine is not None and set(chosen) != set(mine):
            return f"Your ticks ({self._codes(chosen) or 'none'}) are not what you submitted; {given}."
        return None

    def show(self) -> None:
        self._new_turn()
        mine = self._mine()
        if mine is not None and not self._choice:  # back on this turn's screen: what went in is ticked
            self._choice = list(mine)
        if not self._drafted:  # back on this turn's screen: the statement that went in is the draft
            self._statement = self._said()
        sl = self.query_one("#order-list", SelectionList)
        keep = sl.highlighted
        dropped = []
        options = []
        width = self._row_width()
        for lv in sorted(self.rows(), key=self._rank):  # the best match first, then the list's order
            ticked = lv["id"] in self._choice
            if ticked and not lv["available"]:
                dropped.append(lv)
            if not self._matches(lv):
                continue
            options.append(
                Selection(
                    Text(self._label(lv)),
                    lv["id"],
                    ticked and (bool(lv["available"]) or self.checking()),
                    disabled=not lv["available"],
                )
            )
        if not _same_options(sl, options):  # every view redraws the pane, mostly to the same rows
            sl.clear_options()
            sl.add_options(options)  # at once: one by one, each lays the list out again
        sl.border_title = self._find_title()
        # the width the labels were laid out for, taken before the options came: once they are in,
        # the list may have grown a scrollbar, and recording that width instead hid the mismatch
        self._drawn_width = width
        if sl.option_count:  # space ticks at once, not after an arrow key; a redraw keeps the place
            sl.highlighted = keep if keep is not None and keep < sl.option_count else 0
        self.show_detail()
        if (
            dropped and self.model.phase == "orders" and not self.checking()
        ):  # after adjudication a played lever is just spent
            self._choice = [c for c in self._choice if c not in {lv["id"] for lv in dropped}]
            self.post_message(
                Notice(
                    "unticked, not available now: "
                    + "; ".join(f"{lv['code']} ({lv['why_not']})" for lv in dropped)
                )
            )
        self.show_info()
        self.refusal.show()
        self.show_white_cell()
        self._keep_highlight_in_view()

    def _relabel_if_stale(self) -> None:
        """The rows laid out again once the list knows whether it scrolls: its scrollbar takes two
        columns the labels may have been laid out with, and at 80 columns "lag 3m" and "at once" came out as
        "lag …" and "at o…" (the pane's own size did not change, so no resize came to mend it)."""
        if self._turn is not None and self._drawn_width != self._row_width():
            self._relabel()

    def _keep_highlight_in_view(self) -> None:
        """Scroll the list to its highlighted row once the pane is laid out again. A redraw, or a
        line added above the list (a warning), shrinks or rebuilds the list after it scrolled, and
        at 80x24 the highlighted row ended up below the last row shown: Down seemed to do nothing."""
        sl = self.query_one("#order-list", SelectionList)
        self.call_after_refresh(sl.scroll_to_highlight)

    def show_info(self) -> None:
        # the count of hidden ticks follows the ticks: set only as the field changed, it still said
        # "2 ticked levers hidden" in a new turn with nothing ticked
        self.query_one("#order-list", SelectionList).border_title = self._find_title()
        m = self.model
        mine = self._mine()
        if mine is not None and self._turn == m.turn:
            self._submitted = mine
        if m.ended:
            text = "The game is over: no more orders (ctrl+g shows the debrief)."
        else:
            text = self._budget_text() if m.team else "Only team seats give orders."
        said = self._statement_line()
        text += f"\n{said}" if said else ""
        unset = self._no_params_line()
        text += f"\n{unset}" if unset else ""
        for r in self._refused_now():
            text += f"\n✗ {refusal_line(m, self.rb, r)}"
        # in the results phase the turn's orders are in and the offer is the turn before's: a student
        # read "press l" under "this was the last turn: no more orders"
        if self._offer and m.phase != "results":
            text += (
                f"\nLast turn's orders: {self._last_codes()} — press l (or the button) to tick again"
                " those still available"
            )
        self._info = text
        self._fit_info()
        # a line more or less above the list can give it a scrollbar or take it away
        self.call_after_refresh(self._relabel_if_stale)

    def _fit_info(self) -> None:
        """The notes above the list in the rows the layout gives them (``fit``), the rest on ``i``."""
        info = self.query_one("#order-info", Static)
        most = info.styles.max_height
        rows = int(most.value) if most is not None and most.is_cells else 0
        lines = fit.fit_lines(self._info.split("\n"), info.content_region.width, rows, "i", render.CROSSES)
        set_text(info, "\n".join(lines))

    def action_notes(self) -> None:
        """Every note above the list in full, over the tab (its area holds a few rows)."""
        self.app.push_screen(NotesScreen(f"{self._info}\n\nEsc (or i) goes back."))

    def _no_params_line(self) -> str:
        """Said before p is pressed: a Canadian student learnt that its ticks had nothing to set only
        from p's "no parameters to set", one lever at a time."""
        m = self.model
        if not m.team or m.ended or (self._mine() is not None and m.phase != "orders"):
            return ""

        def has(lid: str) -> bool:
            lv = self.rb.levers.get(lid)
            return lv is not None and bool(lv.params)

        if not any(has(str(r["id"])) for r in self.rows()):
            return "None of your levers has parameters to set: a tick is the whole order."
        chosen = self.chosen()
        if chosen and not any(has(c) for c in chosen):
            return "None of the ticked levers has parameters to set (p): each tick is the whole order."
        return ""

    def _spend(self, chosen: list[str]) -> tuple[float, float, float, bool]:
        """The team's capital, the ticks' cost, what tabled free actions hold, and whether some tick's
        cost is not known yet. A free action tabled this turn keeps its cost until it is resolved: the
        engine counts it against these orders, so the budget does too."""
        from ..white_cell import mine_this_turn  # imported where used, as show_white_cell does

        m = self.model
        pc = float(m.view.get("pc", {}).get(m.team or "", 0))
        costs = {lv["id"]: self._row_cost(lv) for lv in self.rows()}
        spent = float(sum(costs.get(c) or 0 for c in chosen))
        unknown = any(costs.get(c) is None for c in chosen)
        held = sum(float(fa.get("cost") or 0) for fa in mine_this_turn(m) if fa.get("resolved") is None)
        return pc, spent, held, unknown

    def _no_more_orders(self) -> bool:
        """The last turn's orders are in: no orders phase is left to plan for."""
        last = terms.last_turn(self.model)
        return self.model.phase == "results" and last is not None and self.model.turn >= last

    def _budget_text(self) -> str:
        """The limits before any refusal: orders left of the seat's limit, capital, cost of the ticks."""

        m = self.model
        mine = self._mine()
        if mine is not None and m.phase != "orders":
            return self._submitted_text(mine)
        if self._no_more_orders():
            # a student who readied without orders read "plan here, orders go in during the orders
            # phase" and a budget in the results of turn 6 of 6
            return "Results phase · no orders went in · this was the last turn: no more orders"
        chosen = self.chosen()
        pc, spent, held, unknown = self._spend(chosen)
        limit = self.limit()
        seat = m.me.get("seat")
        # the seat is named only where the team has several: on one line with the figures, the
        # budget leaves the rows of a short screen to the warnings under it
        scen = self.rb.scenarios.get(str((m.view.get("scenario") or {}).get("id") or ""))
        seats = [s for t, ss in (scen.model.seats.items() if scen else ()) if t == m.team for s in ss]
        split = len(seats) > 1
        where = (
            f" (your seat: {terms.seat_name(m, self.rb, m.team or '', str(seat))})" if seat and split else ""
        )
        # past the limit the warning below says by how many: "Orders left -1 of 4" read as a debt
        text = f"Orders left {max(0, limit - len(chosen))} of {limit}{where}"
        text += f" · Budget {render.number(pc)} PC · selected {spent:g} PC"
        text += self._unpriced_text(chosen) if unknown else ""
        text += f" · free actions {held:g} PC" if held else ""
        # a cost still to come can only take from what is left
        text += f" · left {'at most ' if unknown else ''}{pc - spent - held:g}"
        text += " · SUBMITTED" if self._mine() is not None else ""
        if self.checking():
            text = "The orders phase has begun: the server is checking what can be ordered…\n" + text
        elif m.phase != "orders":
            text = (
                f"{(m.phase or 'before the game').capitalize()} phase: plan here, orders go in during the"
                " orders phase (availability is checked then)\n" + text
            )
        warns = render.order_warnings(m, self.rb, chosen, self._params)
        warns += terms.later_promises(m, self.rb, chosen, self._params)
        if spent + held > pc:
            warns.insert(0, "! over budget" + (" (with this turn's free actions)" if held else ""))
        if len(chosen) > limit:
            warns.insert(0, f"! {len(chosen)} ticked: your seat may give {limit} orders a turn — untick some")
        warns = render.gravest_first(warns)
        return text + ("\n" + "\n".join(warns) if warns else "")

    def _unpriced_text(self, chosen: list[str]) -> str:
        """The ticks whose cost is not known here, by code, and when it will be: "selected 1+? PC" left
        a student to guess what the "?" stood for."""
        costs = {lv["id"]: self._row_cost(lv) for lv in self.rows()}
        codes = [self._code(c) for c in chosen if costs.get(c) is None]
        when = (
            "priced by the server when it takes the orders"
            if self.model.phase == "orders"
            else "known in the orders phase"
        )
        return f" + the cost of {', '.join(codes)} ({when})"

    def _submitted_text(self, mine: list[str]) -> str:
        """After the orders phase, what went in, and no budget: the capital is the next turn's by
        then, and this turn's ticks weighed against it read "left -1" and "! over budget" after a
        submission the server had taken. The next turn's figures come with its orders phase."""
        went = (
            f"{(self.model.phase or 'this').capitalize()} phase · this turn's orders went in:"
            f" {self._codes(mine) or 'none (hold)'}"
        )
        if self._no_more_orders():  # a student read of a next turn in the last
            return went + " · this was the last turn: no more orders"
        return went + " · the next turn's orders left, capital and costs show when its orders phase begins"

    @on(SelectionList.SelectedChanged, "#order-list")
    def _ticked(self) -> None:
        if not self.checking():  # a redraw while checking shows no tick as orderable: keep them
            before = set(self._choice)
            self._choice = self.chosen()
            added = [c for c in self._choice if c not in before]
            said = self._take_agreed(added)
            stale = self._drop_stale_params([c for c in added if c not in self._agreed])
            if said:
                self._relabel()
                self.post_message(Notice(f"ticked with the agreed terms: {'; '.join(said)}"))
            elif stale:
                self._relabel()
                self.post_message(Notice("; ".join(stale)))
            else:
                self._say_tick(before, set(self._choice))
        self.show_info()
        self._keep_highlight_in_view()

    def _drop_stale_params(self, lids: list[str]) -> list[str]:
        """A lever ticked with parameters kept from an earlier turn that the server would now refuse,
        when its defaults would be taken, goes back to its defaults, and says so: a China that set
        CN-LINK to resume while cooperation was suspended ticked it again turns later, cooperation long
        resumed, and sent a resumption of nothing ("cooperation is not suspended")."""
        out = []
        for lid in lids:
            kept = self._params.get(lid)
            if not kept:
                continue
            why = terms.param_problem(self.model, self.rb, lid, kept)
            if why is None or terms.param_problem(self.model, self.rb, lid, {}) is not None:
                continue
            words = terms.params_words(self.rb, lid, kept, changed_only=True)
            default = terms.params_words(self.rb, lid, {})
            del self._params[lid]
            self._auto.discard(lid)
            out.append(
                f"ticked {self._code(lid)} with its default ({default}) — the setting kept from an"
                f" earlier turn ({words}) cannot be ordered now: {why}"
            )
        return out

    def _say_tick(self, before: set[str], after: set[str]) -> None:
        """A tick or untick by hand is said: the line above kept the last refusal ("not ticked —
        CN-REPLY-MX cannot be ordered now") through every tick after it, and a student read it as
        still true. Ticks set by l, p or a redraw change nothing here (they are in the choice first),
        and a row can be unticked by hand only while it can be ordered: the list redrawn after a turn
        without the once-per-game levers just played said "unticked CA-ISSL, CA-LEA, CA-MEDIATE" in
        every results phase, and students read it as something their keys had done."""
        ok = self._available()
        added, dropped = sorted(after - before), sorted(d for d in before - after if d in ok)
        if added or dropped:
            words = [f"ticked {self._codes(added)}"] if added else []
            words += [f"unticked {self._codes(dropped)}"] if dropped else []
            self.post_message(Notice("; ".join(words)))

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
        agreed = self._take_agreed(again)  # last turn's parameters, unless an agreement due now sets them
        for lid in again:
            sl.select(lid)
        gone = [i for i in self._offer if i not in ok]
        self._choice = sorted({*self._choice, *again})
        text = f"ticked again: {self._codes(again) or 'none'}"
        if gone:
            text += "; not available now: " + self._gone_words(gone)
        if agreed:
            text += f"; with the agreed terms: {'; '.join(agreed)}"
            self._relabel()
        self._offer = []
        self.post_message(Notice(text))
        self.show_info()

    @on(Button.Pressed, "#statement")
    def action_statement(self) -> None:
        """Draft this turn's public statement; it goes to the server with the orders."""
        if self.model.ended or not self.model.team:
            self.post_message(Notice("only a team seat makes statements, while the game runs"))
            return

        def drafted(st: dict[str, Any] | None) -> None:
            if st is None:
                return
            self._statement, self._drafted = st or None, True
            self.show_info()
            if not st:
                self.post_message(Notice("no public statement this turn"))
                return
            orders = self.model.phase == "orders"
            when = "ctrl+s sends it with the orders" if orders else "it goes in with the orders phase"
            self.post_message(Notice(f"statement drafted — {when}"))

        self.app.push_screen(StatementScreen(self.model, self.rb, self._statement), drafted)

    @on(Button.Pressed, "#params")
    def action_params(self) -> None:
        """The highlighted lever's parameters, each within its range, with the cost they come to."""
        sl = self.query_one("#order-list", SelectionList)
        if sl.highlighted is None:
            self.post_message(Notice("highlight a lever first (arrow keys), then p"))
            return
        lid = str(sl.get_option_at_index(sl.highlighted).value)
        lv = self.rb.levers.get(lid)
        if lv is None or not lv.params:
            self.post_message(Notice(f"{lv.code if lv else lid} has no parameters to set"))
            return

        def chosen(params: dict[str, Any] | None) -> None:
            if params is None:
                return
            self._params[lid] = params
            self._by_hand.add(lid)
            self._auto.discard(lid)  # set by hand: kept
            self._agreed.pop(lid, None)  # set by hand: the warnings say if it falls short of a promise
            if lid in self._available():
                self._choice = sorted({*self._choice, lid})
            self.show()
            self.post_message(
                Notice(f"{self._code(lid)}: parameters set" + (", ticked" if lid in self._choice else ""))
            )

        start = self._params.get(lid, {})
        if lid not in self._by_hand and lid not in self._agreed and (found := self._agreed_terms(lid)):
            # a deal due this turn sets them, as a tick would: the form opened at a value typed turns
            # ago (student k19's MX-ME at 50 under a deal for 70), one ctrl+s from breaking it
            start = {**start, **found[1]}
        # what the other ticks and the free actions tabled take of the capital: the form said "costs 2 PC
        # · has 2 PC" beside another tick of 1 PC, and the submission was then refused (student b20)
        _pc, spent, held, _unknown = self._spend([c for c in self.chosen() if c != lid])
        self.app.push_screen(ParamsScreen(self.model, self.rb, lid, start, taken=spent + held), chosen)

    def order_refused(self, ev: dict[str, Any]) -> None:
        """A seat of this team refused an order (``order_refused``), or its cost came (the ground's
        ``effect``): the order is no longer given, so it leaves the ticks of the seat that gave it, and
        the notice line says who refused it, on which ground, and once known what it cost."""
        m = self.model
        if ev.get("team", m.team) != m.team or not self._refused_now():
            return
        last = self._refused_now()[-1]
        if ev.get("type") == "order_refused":
            lever = str(ev.get("lever"))
            self._choice = [c for c in self._choice if c != lever]
            if self._submitted is not None:
                self._submitted = [c for c in self._submitted if c != lever]
            self.show()
        else:
            self.show_info()
            self.refusal.show()
        self.post_message(Notice(refusal_line(m, self.rb, last)))

    @on(Button.Pressed, "#refuse")
    def action_refuse(self) -> None:
        """Refuse the order highlighted in the refusal list: a reason (optional), then a confirmation
        that names the cost; an order that may not be refused now says why and sends nothing."""
        entry = self.refusal.highlighted()
        if entry is None:
            self.post_message(Notice("no order of another seat of your team for you to refuse now"))
            return
        m, rb = self.model, self.rb
        if not entry.get("allowed"):
            self.post_message(Notice(f"not sent — {entry_detail(m, rb, entry)}"))
            return
        lever, code = str(entry.get("lever")), str(entry.get("code") or entry.get("lever"))
        by = terms.seat_name(m, rb, m.team or "", str(entry.get("by_seat")))
        cost = cost_words(m, rb, dict(entry.get("changes") or {}), {})
        every = every_turns(rb, str(entry.get("rule") or ""))
        spent = f", and your team may not refuse another order for {every} turns" if every > 1 else ""

        def confirmed(reason: str, yes: bool | None) -> None:
            if not yes:
                self.post_message(Notice(f"not refused: {code} stands"))
                return
            try:
                command = RefuseOrder(lever=lever, reason=reason)
            except ValidationError as exc:
                self.post_message(refused(exc, "refuse_order"))
                return
            self.post_message(self.Refuse(command, f"refusal sent: {code}, ordered by {by}"))

        def reasoned(reason: str | None) -> None:
            if reason is None:
                return
            question = (
                f"Refuse {code}, ordered by {by}?\n\nIt costs your team {cost}{spent}."
                " The order is then not given, and cannot be given again this turn."
            )
            self.app.push_screen(
                Confirm(question, "Refuse it", "Go back"), lambda yes: confirmed(reason, yes)
            )

        title = f"Refuse {code}, ordered by {by} — costs {cost}"
        self.app.push_screen(RefuseScreen(title, entry_detail(m, rb, entry)), reasoned)

    # ------------------------------------------------------------------ the find field
    #
    # At 80x24 the list shows a few of the US's forty-odd levers: a student looked for US-ARMS by
    # scrolling blind. The field narrows the list to the levers whose code or name holds what is
    # typed; a ticked lever the field hides stays ticked, counted and submitted.

    def _matches(self, row: dict[str, Any]) -> bool:
        return self._rank(row) < NO_MATCH

    def _rank(self, row: dict[str, Any]) -> int:
        """``terms.find_rank`` of a row, NO_MATCH when it does not match (ties keep the list order)."""
        rank = terms.find_rank(self._find, str(row.get("code", "")), str(row.get("name", "")))
        return NO_MATCH if rank is None else rank

    def _hidden_ticks(self) -> list[str]:
        """The ticks on levers the find field hides (the list only knows the rows it shows)."""
        if not self._find:
            return []
        return [c for c in self._choice if not any(self._matches(r) for r in self.rows() if r["id"] == c)]

    def _find_title(self) -> str:
        if not self._find:
            return ""
        rows = self.rows()
        shown = sum(1 for r in rows if self._matches(r))
        hidden = len(self._hidden_ticks())
        levers = "ticked lever" if hidden == 1 else "ticked levers"
        # after the orders went in, "still ticked" spoke of ticks that no longer do anything (k19)
        open_ = self._mine() is None and self.model.phase != "results" and not self.model.ended
        kept = f" · {hidden} {levers} hidden, still ticked" if hidden and open_ else ""
        if not shown:
            return f"no lever matches “{self._find}”{kept}"
        return f"{shown} of {len(rows)} levers match “{self._find}”{kept}"

    @on(Input.Changed, "#order-find")
    def _found(self, event: Input.Changed) -> None:
        event.stop()
        self._find = " ".join(event.value.split()).casefold()
        self.show()

    @on(Input.Submitted, "#order-find")
    def _to_list(self, event: Input.Submitted) -> None:
        event.stop()
        self.to_list()

    def to_list(self) -> None:
        """From the find field to the list, on its first row: the highlight kept the row it was on
        before the find, and one ↓ from the field put a student on the second lever of three."""
        sl = self.query_one("#order-list", SelectionList)
        if sl.option_count:
            enabled = (i for i in range(sl.option_count) if not sl.get_option_at_index(i).disabled)
            sl.highlighted = next(enabled, 0)
        sl.focus()

    @on(events.Key)
    def _slash_finds(self, event: events.Key) -> None:
        """/ from the list goes to the find field (the field's placeholder says so; F1's list of keys
        is already a screen long at 120x60)."""
        if event.key == "slash" and not isinstance(self.app.focused, Input):
            event.stop()
            self.query_one("#order-find", Input).focus()
        elif (
            event.character
            and event.is_printable
            and self.query_one("#order-find", FindField).starting
            and not isinstance(self.app.focused, Input)
        ):  # the rest of a code typed fast, before the focus has reached the field ("CN-LINK")
            event.stop()
            event.prevent_default()
            self.query_one("#order-find", FindField).start_with(event.character)
        elif event.character and event.character.isupper() and not isinstance(self.app.focused, Input):
            # a lever's code typed as the screen writes it ("SAN-1") starts a find: the letters went
            # nowhere and the 1 opened the briefing tab (student f21); lower-case letters are the
            # tab's own keys (l, p, e, t, i, x), so only capitals start one
            event.stop()
            self.query_one("#order-find", FindField).start_with(event.character)

    def show_white_cell(self) -> None:
        """The team's position, its free actions this turn and the other teams' it can see, in words."""
        from ..white_cell import claim_words, menu, resolution_words

        m = self.model
        team = m.team or ""
        choices = {c.indicator: c for c in menu(self.rb, team)} if team else {}
        lines: list[str] = []
        for fa in sorted(m.free_actions.values(), key=lambda f: str(f.get("id", ""))):
            if fa.get("turn") != m.turn or "title" not in fa:
                continue
            who = "Our" if fa.get("team") == team else str(fa.get("team", "")).upper() + "'s"
            claims = "; ".join(claim_words(self.rb, e, choices) for e in fa.get("effects") or [])
            state = resolution_words(self.rb, fa["resolved"]) if fa.get("resolved") else "awaiting a ruling"
            argued = len(fa.get("counters") or [])
            lines.append(
                f"{who} free action: {fa.get('title', '')} ({fa.get('visibility', 'public')}) — {claims}"
                f" — {state}" + (f" · {argued} argument(s) about it" if argued else "")
            )
            # what each team argued, and which way: under a vote it is the team's vote
            lines += [
                f"  {str(c.get('team', '')).upper()} argues {c.get('stance', 'against')}: {c.get('text', '')}"
                for c in fa.get("counters") or []
            ]
        others = [fa for fa in m.free_actions.values() if fa.get("team") not in (None, team)]
        if others and any(fa.get("resolved") is None and fa.get("turn") == m.turn for fa in others):
            lines.append("k argues for or against another team's free action")
        # the position after this turn's free actions: it stays as filed, they change as they are
        # argued and ruled, and a short screen shows the first lines of this section
        pos = m.positions.get(team)
        if pos:
            lines.append(f"Our position: goals — {pos.get('goals', '')}")
            if pos.get("red_lines"):
                lines.append(f"  red lines — {pos['red_lines']}")
            if pos.get("expectations"):
                lines.append(f"  we expect — {pos['expectations']}")
        elif team and m.turn <= 1 and not m.ended:
            lines.append("No position filed yet: w files your team's goals, red lines and expectations")
        set_text(self.query_one("#wc-info", Static), "\n".join(lines))

    @on(Button.Pressed, "#wc-free")
    async def _wc_free(self) -> None:
        await self.run_action("screen.free_action")

    @on(Button.Pressed, "#wc-counter")
    async def _wc_counter(self) -> None:
        await self.run_action("screen.counter_argument")

    @on(Button.Pressed, "#wc-position")
    async def _wc_position(self) -> None:
        await self.run_action("screen.position")

    @on(Button.Pressed, "#ready")
    def _ready(self) -> None:
        self.post_message(self.MarkReady())


def _same_options(sl: SelectionList[str], options: list[Selection[str]]) -> bool:
    """Whether the list already shows these rows, ticked as these are: clearing and filling it again
    costs a layout pass and a repaint of every row, for a list that looks the same after."""
    if sl.option_count != len(options):
        return False
    for i, new in enumerate(options):
        old = sl.get_option_at_index(i)
        if (old.value, str(old.prompt), old.disabled) != (new.value, str(new.prompt), new.disabled):
            return False
    return set(sl.selected) == {o.value for o in options if o.initial_state}


def _stronger(lever: Any, pid: str, held: Any, want: Any) -> Any:
    """Of two values clauses ask of one parameter, the one that keeps both (the higher where higher
    is stronger); where neither does (two different choices), the one held."""
    p = lever.params.get(pid) if lever is not None else None
    if p is None or p.type not in ("int", "num"):
        return held
    if p.stronger == "higher":
        return max(held, want)
    if p.stronger == "lower":
        return min(held, want)
    return held
