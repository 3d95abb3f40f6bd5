"""The briefing tab: this turn's injects as cards, then the scenario, the seat's objectives and what is
coming, then the earlier injects, as one scrolling page. An inject released while the screen is open
also comes up as a card over the screen (``InjectCards``)."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Footer, Input, Markdown, Static, TextArea

from .. import keep, render, terms
from ..notice import Notice
from ..objectives import state_now
from ..widgets import set_text
from .game_over import counted_at_most, objective_rate

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from ..model import LiveGame


class BriefingPane(VerticalScroll):
    def __init__(self, model: LiveGame, rb: Rulebook, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model, self.rb = model, rb
        self.waiting: list[str] = []  # cards of injects that came while the student was typing
        self._waiting_titles: list[str] = []
        self._brief = ""  # the Markdown shown

    def on_mount(self) -> None:
        self.watch(self.screen, "focused", self._focus_moved, init=False)

    # ------------------------------------------------------------------ cards over the screen

    def offer_cards(self, injects: list[dict[str, Any]]) -> None:
        """Injects just released come up as cards over the screen, but never over a student's typing:
        while a text field has the focus they wait (a notice says so, the briefing tab already holds
        them) and open as soon as the focus leaves the field (Esc)."""
        cards = [self._card(ev) for ev in injects]
        if _typing(self.screen.focused) or self.waiting:
            self.waiting += cards
            self._waiting_titles += [str(ev.get("title") or ev.get("id")) for ev in injects]
            self.post_message(
                Notice(
                    f"inject: {'; '.join(self._waiting_titles)} — the cards open when you leave the"
                    " text field (Esc); the briefing tab (1) has them already"
                )
            )
            if not _typing(self.screen.focused):
                self._open_waiting()
            return
        self._open(cards)

    def _focus_moved(self, focused: Widget | None) -> None:
        if self.waiting and not _typing(focused):
            self._open_waiting()

    def _open_waiting(self) -> None:
        cards, self.waiting, self._waiting_titles = self.waiting, [], []
        self._open(cards)

    def _open(self, cards: list[str]) -> None:
        top = self.app.screen
        if isinstance(top, InjectCards):
            top.add(cards)
        else:
            self.app.push_screen(InjectCards(cards))

    def compose(self) -> ComposeResult:
        # plain text, not Markdown: a facilitator's inject is shown as written
        yield Static("", id="brief-news", markup=False)
        yield Markdown("", id="brief")
        yield Static("", id="brief-injects", markup=False)

    def show(self) -> None:
        with contextlib.suppress(NoMatches):  # a frame read while the app closes: nothing to draw
            text = _with_objectives(render.briefing_markdown(self.model, self.rb), self.model, self.rb)
            if text != self._brief:  # Markdown rebuilds every block it shows on each update
                self._brief = text
                self.query_one("#brief", Markdown).update(text)
            self.show_injects()

    def show_injects(self) -> None:
        with contextlib.suppress(NoMatches):
            self._show_injects()

    def _show_injects(self) -> None:
        turn = self.model.turn
        now = [ev for ev in self.model.injects if ev.get("turn") == turn]
        before = [ev for ev in reversed(self.model.injects) if ev.get("turn") != turn]
        news = self.query_one("#brief-news", Static)
        news.display = bool(now)
        set_text(news, self._cards(f"This turn's injects ({len(now)})", now))
        earlier = self._cards(f"Earlier injects ({len(before)}, newest first)", before)
        set_text(self.query_one("#brief-injects", Static), earlier or "Earlier injects: none.")

    def _card(self, ev: dict[str, Any]) -> str:
        rb = self.rb
        spent = [
            x
            for x in ev.get("free_levers") or []
            if rb is not None
            and x in rb.levers
            and terms.played_once(self.model, rb, {"actor": rb.levers[x].team, "lever": x})
        ]
        card = render.inject_card(ev, rb, self.model.team, spent)
        said = self._stated_lines(ev)
        return card + ("\n" + "\n".join(said) if said else "")

    def _stated_lines(self, ev: dict[str, Any]) -> list[str]:
        """What a bot has said of the asks a card invites: Loose Talk's "Embarrassment in Beijing" made
        CN-PEN free and told the US it could ask for it in a proposal, and China, outside a summit,
        declines exactly that (student m24 asked, and read the refusal after sending)."""
        rb, me = self.rb, self.model.team
        if rb is None or not me:
            return []
        out = []
        for lid in ev.get("free_levers") or []:
            lv = rb.levers.get(str(lid))
            if lv is None or lv.team == me:
                continue
            draft = {"parties": [me, lv.team], "clauses": [{"actor": lv.team, "lever": lv.id, "params": {}}]}
            out += [f"Asking for {lv.code}: {line}" for line in keep.stated_refusals(self.model, rb, draft)]
        return out

    def _cards(self, head: str, injects: list[dict[str, Any]]) -> str:
        if not injects:
            return ""
        rule = "\n" + "─" * 40 + "\n"
        return head + "\n" + rule + rule.join(self._card(ev) for ev in injects) + "\n"


def objectives_markdown(model: LiveGame, rb: Rulebook) -> list[str]:
    """The briefing's objectives: each secret one with its objective points and what they add to the
    score (the end screen's words: "secret, 8 pts" sat above a score of "+4.0"), and its state as the
    rules will judge it."""
    lines = []
    for team, obj in (model.view.get("objectives") or {}).items():
        name = rb.teams[team].name if team in rb.teams else team
        lines.append(f"- **{name}** (public): {obj.get('public', '')}")
        rate = objective_rate(rb, team)
        if rate is not None and obj.get("secret"):
            lines.append(f"  - {_rate_line(rate, counted_at_most(rb, team))}")
        for o in obj.get("secret") or []:
            pts = float(o.get("points", 0))
            worth = f" ({pts * rate:+.1f} to the score if met)" if rate is not None else ""
            state = state_now(model, rb, o)
            lines.append(f"  - secret, {pts:g} objective points{worth}: {o.get('text', '')} — *{state}*")
    return lines


def _rate_line(rate: float, most: float | None = None) -> str:
    """Objective points are not score points, said where the objectives are read during play: a
    student met "8 objective points" and learnt only on the end screen that they counted × 0.5; and
    how many of them count at most, the score holding each of its components to its cap."""
    cap = f", and no more than {most:g} of them count" if most is not None else ""
    return f"objective points are not score points: each one met adds {rate:g} to the score{cap}"


def _with_objectives(text: str, model: LiveGame, rb: Rulebook) -> str:
    """The briefing with its objectives section told as above (the rest as the renderer writes it)."""
    head, tail = "## Objectives\n\n", "\n\n## Calendar"
    start, end = text.find(head), text.find(tail)
    if start < 0 or end < start:
        return text
    return text[: start + len(head)] + "\n".join(objectives_markdown(model, rb)) + text[end:]


class InjectCards(ModalScreen[None]):
    """Injects just released, one card each; more arriving while it is open are added to it."""

    BINDINGS = [
        Binding("escape,enter,space,q", "dismiss", "Close"),
        Binding("ctrl+r", "ready", "Close, then Ready"),
    ]
    DEFAULT_CSS = """
    InjectCards { align: center middle; }
    InjectCards > VerticalScroll {
        width: 90; max-width: 96%; height: auto; max-height: 90%; padding: 0 0 0 2;
        border: thick $accent; background: $surface;
    }
    /* the gap before the scrollbar is the text's own: the box's right padding put the scrollbar
       between the text and the padding, where at 80 columns it read as part of a line */
    InjectCards Static { padding-right: 2; }
    InjectCards .card { margin: 1 0; }
    """

    def __init__(self, cards: list[str]) -> None:
        super().__init__()
        self.texts = list(cards)  # every card, in order
        self._drawn = 0  # how many of them are mounted

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="inject-cards"):
            yield Static(
                # short enough for 80 columns: "(1)" wrapped onto a line of its own
                "News — Enter or Esc closes; the briefing tab (1) keeps every inject",
                markup=False,
            )
            yield Static(self._count(), id="cards-count", markup=False)
            for i in range(len(self.texts)):
                yield Static(self._numbered(i), classes="card", markup=False)
        self._drawn = len(self.texts)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#cards-count").display = len(self.texts) > 1

    def action_ready(self) -> None:
        """ctrl+r did nothing while the news was open (session 25's own China game: Ready pressed, the
        phase still waiting): it closes the news, then is the game's Ready, which asks first where it
        would lose orders. The cards stay in the briefing tab."""
        stack = self.app.screen_stack
        below = stack[-2] if len(stack) > 1 and stack[-1] is self else None
        self.dismiss()
        if below is not None:
            self.app.call_later(below.run_action, "ready")

    def _count(self) -> str:
        """How many cards the window holds and the key to the next: a student closed it after the
        first of three and missed the inject that bore on their secret objective."""
        return f"{len(self.texts)} cards: ↓ or PgDn goes on to the next"

    def _numbered(self, i: int) -> str:
        return f"{i + 1} of {len(self.texts)} · {self.texts[i]}" if len(self.texts) > 1 else self.texts[i]

    def add(self, cards: list[str]) -> None:
        """More cards; drawn once the window is up (a second inject can come before it is mounted)."""
        self.texts += cards
        self.call_later(self._draw)

    def _draw(self) -> None:
        boxes = self.query("#inject-cards").results(VerticalScroll)
        box = next(iter(boxes), None)
        if box is None:
            self.call_later(self._draw)
            return
        new = range(self._drawn, len(self.texts))
        self._drawn = len(self.texts)
        for i, shown in enumerate(box.query(".card").results(Static)):  # "1 of 2" is now "1 of 3"
            shown.update(self._numbered(i))
        count = box.query_one("#cards-count", Static)
        count.update(self._count())
        count.display = len(self.texts) > 1
        box.mount_all([Static(self._numbered(i), classes="card", markup=False) for i in new])


def _typing(widget: Widget | None) -> bool:
    """Whether the focus is in a text field (where a key is a letter of what is being written)."""
    return isinstance(widget, Input | TextArea)
