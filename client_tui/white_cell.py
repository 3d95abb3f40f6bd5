"""The white cell as a student and a facilitator meet it (docs/facilitation.md): a free action tabled
from a form, a counter-argument, a team's position before play, and the facilitator's ruling.

A free action claims effects from the team's menu (``precursor.game.white_cell.menu``: only indicators
the team can see, each with the amount a size means), so nothing here is typed as a key. The form says
before sending what the engine would refuse (wrong phase, the per-turn limit, a cost the team cannot
pay) in the same terms, so a student never meets a refusal that could have been foreseen; a refusal
that still comes (the capital spent meanwhile) keeps the window open with the reason and the draft.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast, get_args

from pydantic import BaseModel, ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from precursor.game.commands import (
    Band,
    ClaimedEffect,
    CounterArgument,
    Direction,
    FilePosition,
    RuleFreeAction,
    Size,
    TableFreeAction,
)

from . import render
from .notice import first_problem
from .widgets import MODAL_CSS, TextField

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from .model import LiveGame

SIZES: tuple[Size, ...] = get_args(Size)
BANDS: tuple[Band, ...] = get_args(Band)
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)
EFFECT_ROWS = 3  # the most effects a free action may claim (TableFreeAction.effects)
# what a band reads as when the rulebook does not say its probability
BAND_WORDS: dict[str, str] = {b: b.replace("_", " ") for b in BANDS}
Send = Callable[[BaseModel], Awaitable[str | None]]


# ---------------------------------------------------------------------- the menu and the rules' numbers


@dataclass(frozen=True)
class Choice:
    """One indicator a team may claim an effect on, as the menu gives it."""

    indicator: str
    name: str
    family: str
    amounts: dict[str, float]  # size -> how far the value moves


def _get(obj: Any, *names: str, default: Any = None) -> Any:
    """A field of a rulebook object or a dict by the first of its names that is there."""
    for n in names:
        v = obj.get(n) if isinstance(obj, dict) else getattr(obj, n, None)
        if v is not None:
            return v
    return default


def menu(rb: Rulebook, team: str) -> list[Choice]:
    """What ``team`` may claim, by the engine's own menu (hidden values left out there); empty when
    this rulebook has no white cell."""
    from precursor.game.white_cell.menu import menu as engine_menu

    return [Choice(m.indicator, m.name, m.family_name, dict(m.amounts)) for m in engine_menu(rb, team)]


def _settings(rb: Rulebook) -> Any:
    return getattr(rb, "white_cell", None)


def per_turn(rb: Rulebook) -> int:
    """Free actions a team may table a turn."""
    return int(_get(_settings(rb) or {}, "per_turn", "per_team_per_turn", "limit", default=1))


def size_cost(rb: Rulebook, size: str) -> float:
    costs = _get(_settings(rb) or {}, "cost", "costs", default={}) or {}
    return float(dict(costs).get(size, 0) if isinstance(costs, dict) else costs)


def cost(rb: Rulebook, effects: Iterable[ClaimedEffect]) -> float:
    """What a free action costs in political capital, charged at resolution, win or lose: the
    rulebook's price of each claimed effect by its size, added up."""
    return sum(size_cost(rb, e.size) for e in effects)


def price_words(rb: Rulebook, effects: list[ClaimedEffect]) -> str:
    """What tabling costs, as the engine will charge it: with nothing claimed yet, the price of each
    size (a form that said "costs 0 PC" was followed by a charge of 1 PC)."""
    if effects:
        return f"costs {cost(rb, effects):g} PC, charged when it is ruled, win or lose"
    sizes = ", ".join(f"{size_cost(rb, s):g} PC {s}" for s in SIZES)
    return f"each claim costs {sizes}, charged when it is ruled, win or lose"


#: who rules on a free action, by the event's ``ruled_by``
RULERS = {
    "facilitator": "the facilitator",
    "vote": "the other teams' vote",
    "white_cell": "the computer adjudicator",
}


def who_rules(model: LiveGame, rb: Rulebook, public: bool) -> str:
    """Who will rule on a free action: with every other team played by the computer (solo play) nobody
    is there to rule, so the scenario's fallback does, as the engine applies it."""
    sid = (model.view.get("scenario") or {}).get("id")
    scen = rb.scenarios.get(str(sid)) if sid else None
    fallback = scen.model.white_cell.fallback if scen is not None else "white_cell"
    if fallback == "vote" and public:
        auto = "the other teams' vote (each arguing for or against moves the odds)"
    else:
        auto = RULERS["white_cell"]
    others = {t: c for t, c in model.session.controllers.items() if t != model.team}
    if others and all(c is not None for c in others.values()):
        return auto
    return f"the facilitator, or {auto} if the facilitator does not rule"


def band_words(rb: Rulebook, band: str) -> str:
    """ "likely (70%)", with the rulebook's probability for the band when it gives one."""
    probs = _get(_settings(rb) or {}, "bands", "probabilities", default={}) or {}
    p = dict(probs).get(band) if isinstance(probs, dict) else None
    p = _get(p, "probability", "p", default=p) if p is not None and not isinstance(p, int | float) else p
    words = BAND_WORDS.get(band, band.replace("_", " "))
    return f"{words} ({float(p) * 100:.0f}%)" if isinstance(p, int | float) else words


def claim_words(rb: Rulebook, e: dict[str, Any] | ClaimedEffect, choices: dict[str, Choice]) -> str:
    """ "raise Mexican approval by 3 (small)": an effect in words, by the indicator's name."""
    d = e if isinstance(e, dict) else e.model_dump()
    ind, size = str(d.get("indicator", "")), str(d.get("size", ""))
    ch = choices.get(ind)
    name = ch.name if ch is not None else render.key_name(rb, ind)
    amount = d.get("amount")
    if amount is None and ch is not None:
        amount = ch.amounts.get(size)
    by = f" by {abs(float(amount)):g}" if isinstance(amount, int | float) else ""
    verb = "raise" if d.get("direction") == "up" else "lower"
    return f"{verb} {name}{by} ({size})"


def mine_this_turn(model: LiveGame) -> list[dict[str, Any]]:
    team = model.team
    return [
        fa
        for fa in model.free_actions.values()
        if team and fa.get("team") == team and fa.get("turn") == model.turn and "seat" in fa
    ]


def free_action_problem(model: LiveGame, rb: Rulebook, effects: list[ClaimedEffect]) -> str | None:
    """Why the engine would refuse a free action now (None: it will take it), in its terms."""
    team = model.team
    if not team:
        return "only a team's seat tables free actions"
    if model.ended:
        return "the game is over"
    if model.phase != "orders":
        return (
            f"free actions are tabled in the orders phase (now: {model.phase or 'not started'});"
            " your draft is kept until then"
        )
    limit, done = per_turn(rb), len(mine_this_turn(model))
    if done >= limit:
        return (
            f"{team.upper()} has tabled {done} free action(s) this turn, the most the rules allow ({limit})"
        )
    if not effects:
        return "claim at least one effect (an indicator, up or down, a size)"
    if len({e.indicator for e in effects}) < len(effects):
        return "each indicator may be claimed once"
    pc = float((model.view.get("pc") or {}).get(team, 0))
    # the engine counts the turn's submitted orders and the free actions not yet resolved against it
    pending = sum(float(fa.get("cost") or 0) for fa in mine_this_turn(model) if fa.get("resolved") is None)
    pending += sum(float(sub.get("cost") or 0) for k, sub in model.orders.items() if k.startswith(team + "/"))
    price = cost(rb, effects)
    if price > pc - pending + 1e-9:
        return (
            f"it costs {price:g} PC (charged when it is ruled, win or lose) and {team.upper()} has"
            f" {pc - pending:g} PC to spare after this turn's orders"
        )
    return None


def position_problem(model: LiveGame) -> str | None:
    if not model.team:
        return "only a team's seat files a position"
    if model.turn > 1 or model.phase not in ("briefing", "negotiation", ""):
        return "positions are filed in turn 1, before orders"
    return None


# ---------------------------------------------------------------------- forms


def _named(field: Input, name: str) -> Input:
    """A text field that keeps its name on its border once typed in (the placeholder goes then, and a
    filled form no longer said which line was the goals and which the red lines)."""
    field.border_title = name
    return field


class _Form(ModalScreen[bool]):
    """A modal form that sends one command and closes only once the server has it."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "send", "Send")]
    # the first text field, from the moment the form is up: with the stock choice (the first widget
    # that takes the focus, the scrolling frame) what was typed right after the key that opened the
    # form went nowhere until the form's own focus call came
    AUTO_FOCUS = "Input"

    def __init__(self, send: Send) -> None:
        super().__init__()
        self._send = send

    def say(self, text: str) -> None:
        self.query_one(".check", Static).update(text)

    def command(self) -> BaseModel | None:
        raise NotImplementedError

    @on(Input.Submitted)
    def _next_field(self) -> None:
        """Enter goes on to the next field: a form of several is sent with ctrl+s (its button says
        so), never half-filled by an Enter after the first line."""
        self.focus_next()

    def action_cancel(self) -> None:
        self.dismiss(False)

    async def action_send(self) -> None:
        cmd = self.command()
        if cmd is None:
            return
        refused = await self._send(cmd)
        if refused is not None:
            self.say(f"! {refused}")
            return
        self.dismiss(True)


def _effect_row(i: int, choices: list[Choice]) -> Horizontal:
    # the name alone: with its family after it a long name wrapped onto a second line at 120 columns,
    # and the size list already says how far each size moves this value
    opts = [(c.name, c.indicator) for c in choices]
    return Horizontal(
        Label(f"{i + 1}.", classes="num"),
        Select[str](opts, id=f"fx-ind-{i}", prompt="indicator (none)"),
        Select[str](
            [("raise", "up"), ("lower", "down")],
            id=f"fx-dir-{i}",
            value="up",
            allow_blank=False,
            classes="dir",
        ),
        Select[str](
            [(s, s) for s in SIZES], id=f"fx-size-{i}", value="small", allow_blank=False, classes="size"
        ),
        classes="effect-row",
    )


EFFECT_CSS = """
{name} .effect-row .num {{ width: 3; padding: 1 0 0 0; }}
{name} .effect-row Select {{ width: 1fr; }}
{name} .effect-row .dir {{ width: 14; }}
{name} .effect-row .size {{ width: 19; }}
"""


class _Effects:
    """The effect rows of a form: indicator, direction, size (labelled with the amount it means)."""

    def __init__(self, screen: ModalScreen[Any], choices: list[Choice]) -> None:
        self.screen, self.choices = screen, {c.indicator: c for c in choices}
        self.limits: dict[int, tuple[str, ...]] = {}  # a row's sizes, when fewer than all may be chosen

    def relabel(self, i: int) -> None:
        sizes = self.limits.get(i, SIZES)
        ind = self.screen.query_one(f"#fx-ind-{i}", Select).value
        ch = self.choices.get(str(ind)) if isinstance(ind, str) else None
        sel = self.screen.query_one(f"#fx-size-{i}", Select)
        keep = sel.value if sel.value in sizes else sizes[-1]
        labels = [(s if ch is None or s not in ch.amounts else f"{s} (±{ch.amounts[s]:g})", s) for s in sizes]
        with sel.prevent(Select.Changed):
            sel.set_options(labels)
            sel.value = keep

    def values(self) -> list[ClaimedEffect]:
        out = []
        for i in range(EFFECT_ROWS):
            ind = self.screen.query_one(f"#fx-ind-{i}", Select).value
            if not isinstance(ind, str):
                continue
            d = self.screen.query_one(f"#fx-dir-{i}", Select).value
            s = self.screen.query_one(f"#fx-size-{i}", Select).value
            out.append(
                ClaimedEffect(indicator=ind, direction=cast(Direction, d), size=cast(Size, s or "small"))
            )
        return out

    def fill(self, effects: list[dict[str, Any]]) -> None:
        for i, e in enumerate(effects[:EFFECT_ROWS]):
            if e.get("indicator") in self.choices:
                self.screen.query_one(f"#fx-ind-{i}", Select).value = str(e["indicator"])
            self.screen.query_one(f"#fx-dir-{i}", Select).value = str(e.get("direction") or "up")
            self.relabel(i)
            self.screen.query_one(f"#fx-size-{i}", Select).value = str(e.get("size") or "small")


class FreeActionScreen(_Form):
    """A free action: title, description, up to three claimed effects from the menu, the argument and
    who sees it, with its cost and what it claims as it is written."""

    DEFAULT_CSS = MODAL_CSS.format(name="FreeActionScreen") + EFFECT_CSS.format(name="FreeActionScreen")

    def __init__(self, model: LiveGame, rb: Rulebook, send: Send, draft: dict[str, Any]) -> None:
        super().__init__(send)
        self.model, self.rb = model, rb
        self.draft = draft  # the caller's dict: what is typed survives the window closing
        self.menu = menu(rb, model.team or "")
        self.fx = _Effects(self, self.menu)
        self._tops = 0  # scroll_home calls left after mount (see _to_top)

    def compose(self) -> ComposeResult:
        team = render.team_name(self.rb, self.model.team or "")
        with VerticalScroll():
            yield Static(
                # "free" is of the lever menu, not of cost: a student was charged 1 PC unwarned
                f"Free action — {team} proposes an act outside the lever menu and argues why it works."
                " It is not free: each claim costs political capital (below), win or lose",
                classes="head",
                markup=False,
            )
            # what it claims and costs, or why it cannot go in: on top, seen at 80x24 without scrolling
            yield Static("", id="fa-preview", classes="check", markup=False)
            yield _named(
                TextField(placeholder="title (what you do, in a few words)", id="fa-title", max_length=120),
                "title",
            )
            yield _named(
                TextField(
                    placeholder="description (who does what, where, how)", id="fa-desc", max_length=2000
                ),
                "description",
            )
            # a Static wraps: the Label's one line lost its end at 80 columns
            yield Static(
                "What it would change (up to three; sizes show how far each moves the value):", markup=False
            )
            for i in range(EFFECT_ROWS):
                yield _effect_row(i, self.menu)
            yield _named(
                TextField(
                    placeholder="argument: why it would work (whoever rules on it reads this)",
                    id="fa-arg",
                    max_length=2000,
                ),
                "argument",
            )
            yield Select[str](
                [
                    ("public: every team sees it and may argue", "public"),
                    ("private: until it is ruled", "private"),
                ],
                id="fa-vis",
                value=str(self.draft.get("visibility") or "public"),
                allow_blank=False,
            )
            with Horizontal():
                yield Button("Table it (ctrl+s)", id="fa-send", variant="primary")
                yield Button("Cancel (Esc)", id="fa-cancel")

    def on_mount(self) -> None:
        for key, wid in (("title", "#fa-title"), ("description", "#fa-desc"), ("argument", "#fa-arg")):
            self.query_one(wid, Input).value = str(self.draft.get(key) or "")
        self.fx.fill(list(self.draft.get("effects") or []))
        for i in range(EFFECT_ROWS):
            self.fx.relabel(i)
        self._preview()
        # the head and the cost line on top stay in view: the title field's focus scrolled them off
        # at 80x24, and the form opened without saying what a free action costs
        self.call_after_refresh(self._to_top)

    def _to_top(self) -> None:
        # the focus's own scroll comes after the first refresh: once it has, back to the top
        self.query_one(VerticalScroll).scroll_home(animate=False, immediate=True)
        if self._tops < 3:
            self._tops += 1
            self.call_after_refresh(self._to_top)

    def _keep(self) -> None:
        self.draft.update(
            title=self.query_one("#fa-title", Input).value,
            description=self.query_one("#fa-desc", Input).value,
            argument=self.query_one("#fa-arg", Input).value,
            visibility=self.query_one("#fa-vis", Select).value,
            effects=[e.model_dump() for e in self.fx.values()],
        )

    @on(Select.Changed)
    @on(Input.Changed)
    def _changed(self, event: Select.Changed | Input.Changed) -> None:
        wid = event.control.id or ""
        if wid.startswith("fx-ind-"):
            self.fx.relabel(int(wid[-1]))
        self._keep()
        self._preview()

    def _preview(self) -> None:
        if not self.menu:
            self.say("! this rulebook has no menu of free actions for your team")
            return
        effects = self.fx.values()
        claims = "; ".join(claim_words(self.rb, e, self.fx.choices) for e in effects) or "nothing yet"
        public = self.query_one("#fa-vis", Select).value != "private"
        head = f"Claims: {claims} · {price_words(self.rb, effects)}"
        head += f"\nRuled by {who_rules(self.model, self.rb, public)}"
        why = free_action_problem(self.model, self.rb, effects)
        if why is None and self._missing():
            why = "still to write: " + ", ".join(self._missing())
        self.say(f"{head}\n" + (f"! {why}" if why else "ok: the server will take it"))

    def _missing(self) -> list[str]:
        """The text fields the engine requires that are still blank (an "ok" above a blank argument
        was followed by a refusal at ctrl+s)."""
        fields = (("a title", "#fa-title"), ("a description", "#fa-desc"), ("an argument", "#fa-arg"))
        return [w for w, wid in fields if not self.query_one(wid, Input).value.strip()]

    def command(self) -> BaseModel | None:
        effects = self.fx.values()
        why = free_action_problem(self.model, self.rb, effects)
        if why is not None:
            self._preview()
            return None
        title = self.query_one("#fa-title", Input).value.strip()
        desc = self.query_one("#fa-desc", Input).value.strip()
        arg = self.query_one("#fa-arg", Input).value.strip()
        if self._missing():
            self._preview()  # the claim and its cost stay on the line above the reason
            return None
        private = self.query_one("#fa-vis", Select).value == "private"
        try:
            return TableFreeAction(
                title=title,
                description=desc,
                effects=effects,
                argument=arg,
                visibility="private" if private else "public",
            )
        except ValidationError as exc:
            self.say(f"! {first_problem(exc, 'free_action')}")
            return None

    @on(Button.Pressed, "#fa-send")
    async def _send_pressed(self) -> None:
        await self.action_send()

    @on(Button.Pressed, "#fa-cancel")
    def _cancel(self) -> None:
        self.dismiss(False)


def counterable(model: LiveGame) -> list[dict[str, Any]]:
    """The free actions of other teams this seat can see and argue about: tabled this turn, not yet
    ruled on or resolved."""
    team = model.team
    return [
        fa
        for fa in model.free_actions.values()
        if team
        and fa.get("team") not in (None, team)
        and fa.get("turn") == model.turn
        and "title" in fa
        and fa.get("resolved") is None
    ]


class CounterScreen(_Form):
    """An argument for or against another team's free action, before it is ruled on."""

    DEFAULT_CSS = MODAL_CSS.format(name="CounterScreen")

    def __init__(self, model: LiveGame, rb: Rulebook, send: Send, chosen: str | None = None) -> None:
        super().__init__(send)
        self.model, self.rb, self.chosen = model, rb, chosen
        self.choices = {c.indicator: c for c in menu(rb, model.team or "")}

    def compose(self) -> ComposeResult:
        opts = [
            (f"{str(fa.get('team', '')).upper()}: {fa.get('title', fa['id'])}", str(fa["id"]))
            for fa in counterable(self.model)
        ]
        with VerticalScroll():
            yield Static("Argue about another team's free action", classes="head")
            yield Select[str](
                opts, id="ca-which", prompt="which free action", value=self.chosen or Select.NULL
            )
            yield Static("", id="ca-detail", markup=False)
            yield Select[str](
                [("against: it would not work", "against"), ("for: it would work", "for")],
                id="ca-stance",
                value="against",
                allow_blank=False,
            )
            yield TextField(placeholder="your argument", id="ca-text", max_length=2000)
            yield Static("", classes="check", markup=False)
            with Horizontal():
                yield Button("Send (ctrl+s)", id="ca-send", variant="primary")
                yield Button("Cancel (Esc)", id="ca-cancel")

    def on_mount(self) -> None:
        self._detail()

    @on(Select.Changed, "#ca-which")
    def _detail(self) -> None:
        which = self.query_one("#ca-which", Select).value
        fa = self.model.free_actions.get(str(which)) if isinstance(which, str) else None
        self.query_one("#ca-detail", Static).update(
            free_action_text(self.rb, fa, self.choices)
            if fa
            else "(none of the other teams' free actions is open)"
        )

    def command(self) -> BaseModel | None:
        which = self.query_one("#ca-which", Select).value
        text = self.query_one("#ca-text", Input).value.strip()
        if not isinstance(which, str):
            self.say("! choose the free action")
            return None
        if not text:
            self.say("! write your argument")
            return None
        in_favour = self.query_one("#ca-stance", Select).value == "for"
        return CounterArgument(free_action=which, stance="for" if in_favour else "against", text=text)

    @on(Button.Pressed, "#ca-send")
    async def _send_pressed(self) -> None:
        await self.action_send()

    @on(Button.Pressed, "#ca-cancel")
    def _cancel(self) -> None:
        self.dismiss(False)


class PositionScreen(_Form):
    """The team's position before play: held against its record in the hot wash."""

    DEFAULT_CSS = MODAL_CSS.format(name="PositionScreen")

    def __init__(self, model: LiveGame, send: Send) -> None:
        super().__init__(send)
        self.model = model

    def compose(self) -> ComposeResult:
        team = render.team_name(None, self.model.team or "")
        whose = render.possessive(team)
        subject = f"the {team}" if team.startswith("United") else team
        now = self.model.positions.get(self.model.team or "") or {}
        with VerticalScroll():
            yield Static(
                f"{whose[:1].upper()}{whose[1:]} position before play — the hot wash (the debrief after the"
                f" last turn) holds it against what {subject} does",
                classes="head",
                markup=False,
            )
            yield _named(
                TextField(
                    str(now.get("goals") or ""), placeholder="our goals", id="pos-goals", max_length=1000
                ),
                "goals",
            )
            yield _named(
                TextField(
                    str(now.get("red_lines") or ""),
                    placeholder="our red lines",
                    id="pos-red",
                    max_length=1000,
                ),
                "red lines",
            )
            yield _named(
                TextField(
                    str(now.get("expectations") or ""),
                    placeholder="what we expect the others to do",
                    id="pos-expect",
                    max_length=1000,
                ),
                "what we expect of the others",
            )
            yield Static("", classes="check", markup=False)
            with Horizontal():
                yield Button("File it (ctrl+s)", id="pos-send", variant="primary")
                yield Button("Cancel (Esc)", id="pos-cancel")

    def on_mount(self) -> None:
        self._check_now()

    @on(Input.Changed)
    def _check_now(self) -> None:
        """What the server would say, as it is typed: the goals are the one field it requires."""
        why = position_problem(self.model)
        if why is None and not self.query_one("#pos-goals", Input).value.strip():
            why = "write your goals (red lines and expectations may stay blank)"
        self.say(f"! {why}" if why else "ok: the server will take it")

    def command(self) -> BaseModel | None:
        why = position_problem(self.model)
        if why is not None:
            self.say(f"! {why}")
            return None
        goals = self.query_one("#pos-goals", Input).value.strip()
        if not goals:
            self.say("! write your goals (red lines and expectations may stay blank)")
            return None
        return FilePosition(
            goals=goals,
            red_lines=self.query_one("#pos-red", Input).value.strip(),
            expectations=self.query_one("#pos-expect", Input).value.strip(),
        )

    @on(Button.Pressed, "#pos-send")
    async def _send_pressed(self) -> None:
        await self.action_send()

    @on(Button.Pressed, "#pos-cancel")
    def _cancel(self) -> None:
        self.dismiss(False)


def free_action_text(rb: Rulebook, fa: dict[str, Any], choices: dict[str, Choice]) -> str:
    """A free action in words: who, what, what it claims, the argument and those about it."""
    vis = "private" if fa.get("visibility") == "private" else "public"
    lines = [
        f"{str(fa.get('team', '')).upper()} — {fa.get('title', '')} ({vis}, turn {fa.get('turn', '?')})",
        f"  {fa.get('description', '')}",
        "  claims: " + ("; ".join(claim_words(rb, e, choices) for e in fa.get("effects") or []) or "-"),
        f"  argument: {fa.get('argument', '')}",
    ]
    for c in fa.get("counters") or []:
        lines.append(
            f"  {str(c.get('team', '')).upper()} argues {c.get('stance', 'against')}: {c.get('text', '')}"
        )
    res = fa.get("resolved")
    if res:
        lines.append("  " + resolution_words(rb, res, choices))
    return "\n".join(lines)


def resolution_words(rb: Rulebook, ev: dict[str, Any], choices: dict[str, Choice] | None = None) -> str:
    """A free action's outcome in words: who ruled and how likely, the draw against the chance (a
    bare "rolled 35" left a student asking whether low is good), whether it worked, what it cost."""
    p, roll = ev.get("probability"), ev.get("roll")
    if isinstance(p, int | float):
        chance = f"{float(p) * 100:.0f}% chance"
        if isinstance(roll, int | float):
            chance += f"; it works on a draw under {float(p) * 100:.0f} in 100, and the draw was"
            chance += f" {float(roll) * 100:.0f}"
    else:
        chance = "chance not shown"
    verdict = "it worked" if ev.get("success") else "it did not work"
    who = RULERS.get(str(ev.get("ruled_by") or ""), RULERS["white_cell"])
    band = BAND_WORDS.get(str(ev.get("band") or ""), str(ev.get("band") or "?"))
    cost_pc = ev.get("cost")
    paid = f"; it cost {float(cost_pc):g} PC" if isinstance(cost_pc, int | float) else ""
    return f"ruled {band} by {who} ({chance}): {verdict}{paid}"


def ruling_words(ev: dict[str, Any]) -> str:
    """The reason for a ruling in a student's words. The computer adjudicator's reason is its score
    and the parts of it ("white cell score +1.50: …; 0 against, 0 for; names no mechanic"): each
    part is said as what it counts."""
    text = str(ev.get("ruling_reason") or "")
    if ev.get("ruled_by") != "white_cell":
        return text
    head, sep, rest = text.partition(": ")
    m = re.fullmatch(r"white cell score ([+-]?\d+(?:\.\d+)?)", head)
    if not sep or m is None:
        return text
    parts = []
    for part in rest.split("; "):
        votes = re.fullmatch(r"(\d+) against, (\d+) for", part)
        if votes:
            part = f"teams arguing against {votes[1]}, for {votes[2]}"
        elif part == "names no mechanic":
            part = "the argument names no lever or indicator (naming one would have helped)"
        elif part.startswith("names "):
            part = "the argument names " + part[len("names ") :]
        parts.append(part)
    score = f"the computer adjudicator's score {float(m[1]):+.1f} (the higher, the likelier the band)"
    return f"{score}: " + "; ".join(parts)


# ---------------------------------------------------------------------- the facilitator's ruling


class RulingScreen(_Form):
    """The facilitator's ruling on one free action: a band, the effects (as claimed, or smaller, or
    dropped) and the reason the report will carry."""

    DEFAULT_CSS = MODAL_CSS.format(name="RulingScreen") + EFFECT_CSS.format(name="RulingScreen")

    def __init__(self, model: LiveGame, rb: Rulebook, send: Send, fa: dict[str, Any]) -> None:
        super().__init__(send)
        self.model, self.rb, self.fa = model, rb, fa
        team = str(fa.get("team") or "")
        claimed = {str(e.get("indicator")) for e in fa.get("effects") or []}
        known = {c.indicator: c for c in menu(rb, team)}
        # only what was claimed may be ruled: the ruling can shrink or drop, never add
        self.claims = [known.get(i) or Choice(i, render.key_name(rb, i), "", {}) for i in claimed]
        self.fx = _Effects(self, self.claims)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("Rule on a free action", classes="head")
            yield Static(free_action_text(self.rb, self.fa, self.fx.choices), markup=False)
            yield Select[str](
                [(band_words(self.rb, b), b) for b in BANDS], id="ru-band", value="even", allow_blank=False
            )
            yield Label("Effects if it works (as claimed; make one smaller, or set its indicator to none):")
            for i in range(EFFECT_ROWS):
                yield _effect_row(i, self.claims)
            yield TextField(
                placeholder="reason for the ruling (the players and the report read it)", id="ru-reason"
            )
            yield Static("", classes="check", markup=False)
            with Horizontal():
                yield Button("Rule (ctrl+s)", id="ru-send", variant="primary")
                yield Button("Cancel (Esc)", id="ru-cancel")

    def on_mount(self) -> None:
        for i, e in enumerate((self.fa.get("effects") or [])[:EFFECT_ROWS]):
            self.fx.limits[i] = _not_larger(str(e.get("size") or "large"))
        self.fx.fill(list(self.fa.get("effects") or []))
        self.query_one("#ru-reason", Input).focus()

    @on(Select.Changed)
    def _changed(self, event: Select.Changed) -> None:
        wid = event.control.id or ""
        if wid.startswith("fx-ind-"):
            self.fx.relabel(int(wid[-1]))

    @on(Input.Changed, "#ru-reason")
    def _reason_typed(self, event: Input.Changed) -> None:
        # the line said "write the reason" after an early ctrl+s, and kept saying it once one was typed
        self.say("" if event.value.strip() else "! write the reason for the ruling")

    def command(self) -> BaseModel | None:
        reason = self.query_one("#ru-reason", Input).value.strip()
        if not reason:
            self.say("! write the reason for the ruling")
            return None
        effects = self.fx.values()
        claimed = [  # as tabled; the event adds each claim's amount, which a command does not carry
            ClaimedEffect(indicator=e["indicator"], direction=e["direction"], size=e["size"])
            for e in self.fa.get("effects") or []
        ]
        band = cast(Band, self.query_one("#ru-band", Select).value)
        adjusted = None if _same(effects, claimed) else effects
        try:
            return RuleFreeAction(free_action=str(self.fa["id"]), band=band, effects=adjusted, reason=reason)
        except ValidationError as exc:
            self.say(f"! {first_problem(exc, 'rule_free_action')}")
            return None

    @on(Button.Pressed, "#ru-send")
    async def _send_pressed(self) -> None:
        await self.action_send()

    @on(Button.Pressed, "#ru-cancel")
    def _cancel(self) -> None:
        self.dismiss(False)


def _not_larger(size: str) -> tuple[str, ...]:
    return SIZES[: SIZES.index(size) + 1] if size in SIZES else SIZES


def _same(a: list[ClaimedEffect], b: list[ClaimedEffect]) -> bool:
    return sorted(e.model_dump_json() for e in a) == sorted(e.model_dump_json() for e in b)
