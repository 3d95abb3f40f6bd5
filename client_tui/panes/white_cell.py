"""The white cell in the facilitator's console: the free actions awaiting a ruling (each with its
argument, the arguments about it, the team's recent record and the values its claims touch), the
ruling form, the inject templates the state calls for (``precursor.game.white_cell.suggest``) with
their reasons, released after editing as a custom inject that names its template, and the log of
rulings, each also kept as a note (decision "ruling") that the report carries."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import Button, Input, Label, Select, Static

from precursor.game.commands import CustomInject, Note, ReleaseInject, RuleFreeAction

from .. import render
from ..notice import Notice, first_problem
from ..white_cell import RulingScreen, _Form, band_words, claim_words, free_action_text, menu
from ..widgets import MODAL_CSS, TextField, WrapLog

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from ..model import LiveGame

Send = Callable[[BaseModel], Awaitable[str | None]]


def awaiting(model: LiveGame) -> list[dict[str, Any]]:
    """Free actions tabled and not yet ruled on or resolved, oldest first."""
    return [
        fa
        for fa in sorted(model.free_actions.values(), key=lambda f: (f.get("turn") or 0, str(f.get("id"))))
        if "title" in fa and fa.get("ruling") is None and fa.get("resolved") is None
    ]


def team_record(
    model: LiveGame, rb: Rulebook, team: str, events: list[dict[str, Any]] | None = None
) -> list[str]:
    """A team's recent record in words: its orders of the last turn it gave any, the clauses it kept
    and broke, and how its earlier free actions went."""
    log = events if events is not None else model.log
    orders = [e for e in log if e.get("type") == "order_executed" and e.get("team") == team]
    lines = []
    if orders:
        last = max(int(e.get("turn") or 0) for e in orders)
        done = [
            str(
                e.get("code")
                or (rb.levers[e["lever"]].code if e.get("lever") in rb.levers else e.get("lever"))
            )
            for e in orders
            if e.get("turn") == last
        ]
        lines.append(f"orders in turn {last}: {', '.join(done)}")
    else:
        lines.append("no orders carried out yet")
    kept = [e for e in log if e.get("type") == "compliance" and e.get("team") == team]
    if kept:
        broken = [e for e in kept if not e.get("met")]
        lines.append(f"agreement clauses: {len(kept) - len(broken)} kept, {len(broken)} broken")
        if broken:
            lines.append(f"  last broken: {broken[-1].get('reason', '')}")
    else:
        lines.append("no agreement clause has come due")
    past = [e for e in log if e.get("type") == "free_action_resolved" and e.get("team") == team]
    if past:
        worked = sum(1 for e in past if e.get("success"))
        lines.append(f"free actions: {worked} of {len(past)} worked")
    return lines


def touched(model: LiveGame, rb: Rulebook, fa: dict[str, Any]) -> list[str]:
    """The values a free action's claims touch, true and as its team sees them."""
    by_id = {i["id"]: i for i in model.view.get("indicators") or []}
    seen = (model.view.get("as_seen") or {}).get(str(fa.get("team") or ""), {})
    out = []
    for e in fa.get("effects") or []:
        ind = str(e.get("indicator", ""))
        row = by_id.get(ind, {})
        name = row.get("name") or render.key_name(rb, ind)
        team_sees = seen.get(ind)
        theirs = f" (the team sees {render.number(team_sees)})" if team_sees is not None else ""
        out.append(f"{name}: now {render.number(row.get('value'))}{theirs}")
    return out


def suggestion_key(model: LiveGame) -> tuple[int, ...]:
    """What the ranking depends on beyond the turn: the phase, and the injects, rulings, overrides and
    clauses in the log (recomputed when one of them changes, not on every message)."""
    kinds = ("inject", "effect", "compliance", "order_executed", "agreement", "free_action_resolved")
    return (
        model.turn,
        hash(model.phase),
        len(model.log),
        *(sum(1 for e in model.log if e.get("type") == k) for k in kinds),
    )


def suggestions(model: LiveGame, rb: Rulebook) -> tuple[list[Any], str]:
    """The inject templates the state calls for, best first, and a line when they cannot be had. The
    true state comes from replaying the whole log (the facilitator's to read) with the engine, so the
    triggers read exactly the values, flags and history the engine keeps."""
    from precursor.analysis.review import replay
    from precursor.game.white_cell.suggest import suggest

    log = model.log
    if not log or log[0].get("type") != "game_created":
        return [], "reading the game's log…"
    try:
        game = replay(rb, log)
        return list(suggest(rb, game.state.env, log, model.turn)), ""
    except Exception as exc:  # a log cut short (a reconnect mid-read): say so rather than crash the console
        return [], f"cannot rank the templates now ({type(exc).__name__}: {exc})"


class InjectDraftScreen(_Form):
    """A suggested inject, editable before it is released: title, text, the values it sets."""

    DEFAULT_CSS = MODAL_CSS.format(name="InjectDraftScreen")

    def __init__(self, rb: Rulebook, send: Send, s: Any) -> None:
        super().__init__(send)
        self.rb, self.s = rb, s

    def compose(self) -> ComposeResult:
        changes = ", ".join(f"{k}={render.number(v)}" for k, v in dict(self.s.changes).items())
        with VerticalScroll():
            yield Static(f"Release an inject written from the template {self.s.template}", classes="head")
            yield Static("because: " + "; ".join(self.s.because), markup=False)
            yield TextField(str(self.s.title), id="ij-title", max_length=120)
            yield TextField(str(self.s.text), id="ij-text", max_length=4000)
            yield Label("Values it sets (key=value, comma-separated; blank sets none):")
            yield TextField(changes, id="ij-changes")
            yield Static("", classes="check", markup=False)
            with Horizontal():
                yield Button("Release (ctrl+s)", id="ij-send", variant="primary")
                yield Button("Cancel (Esc)", id="ij-cancel")

    def command(self) -> BaseModel | None:
        changes: dict[str, float | bool] = {}
        for part in self.query_one("#ij-changes", Input).value.split(","):
            if not part.strip():
                continue
            key, eq, value = part.strip().partition("=")
            try:
                changes[key.strip()] = {"true": True, "false": False}.get(value.strip().lower()) or float(
                    value
                )
            except ValueError:
                self.say(f"! {part.strip()}: write key=number, e.g. mx.st=62")
                return None
            if not eq:
                self.say(f"! {part.strip()}: write key=number")
                return None
        audience = list(getattr(self.s, "audience", []) or [])
        try:
            custom = CustomInject(
                template=str(self.s.template),
                title=self.query_one("#ij-title", Input).value.strip(),
                text=self.query_one("#ij-text", Input).value.strip(),
                changes=changes,
                audience=audience if audience and "all" not in audience else "all",
            )
        except ValidationError as exc:
            self.say(f"! {first_problem(exc, 'release_inject.custom')}")
            return None
        return ReleaseInject(custom=custom)

    @on(Button.Pressed, "#ij-send")
    async def _send_pressed(self) -> None:
        await self.action_send()

    @on(Button.Pressed, "#ij-cancel")
    def _cancel(self) -> None:
        self.dismiss(False)


class WhiteCellConsole(Vertical):
    """The white cell's part of the control tab."""

    DEFAULT_CSS = """
    WhiteCellConsole { height: auto; }
    WhiteCellConsole #wc-detail, WhiteCellConsole #wc-because { height: auto; }
    WhiteCellConsole #wc-queue, WhiteCellConsole #wc-suggest { width: 1fr; }
    WhiteCellConsole #wc-notes { height: 8; }
    """
    BINDINGS = [
        Binding("r", "rule", "Rule on the chosen free action", show=False),
        Binding("i", "release", "Release the chosen suggested inject", show=False),
    ]

    def __init__(self, model: LiveGame, rb: Rulebook, send: Send | None) -> None:
        super().__init__()
        self.model, self.rb, self.send = model, rb, send
        self._suggested: list[Any] = []
        self._queue_ids: list[str] = []
        self._suggest_ids: list[str] = []
        self._notes_shown = 0
        self._ranked_at: tuple[int, ...] = ()  # the state the suggestions were ranked for

    def compose(self) -> ComposeResult:
        yield Label("White cell — free actions awaiting a ruling (r rules on the chosen one)")
        with Horizontal(classes="row"):
            yield Select[str]([], id="wc-queue", prompt="none awaiting a ruling")
            yield Button("Rule… (r)", id="wc-rule", variant="primary")
        yield Static("", id="wc-detail", markup=False)
        yield Label("Suggested injects — what the state calls for, best first (i edits and releases)")
        with Horizontal(classes="row"):
            yield Select[str]([], id="wc-suggest", prompt="no template is called for now")
            yield Button("Edit and release… (i)", id="wc-release")
        yield Static("", id="wc-because", markup=False)
        # shown from the first ruling on: an empty console keeps the players' list in view at 120x40
        yield Label("Rulings (notes the report carries)", id="wc-notes-head")
        yield WrapLog(id="wc-notes", max_lines=500)

    def on_mount(self) -> None:
        for wid in ("#wc-notes-head", "#wc-notes", "#wc-detail", "#wc-because"):
            self.query_one(wid).display = False

    def show(self) -> None:
        with contextlib.suppress(NoMatches):
            self._queue()
            self._suggestions()
            self._notes()

    def _queue(self) -> None:
        queue = awaiting(self.model)
        ids = [str(fa["id"]) for fa in queue]
        sel = self.query_one("#wc-queue", Select)
        if ids != self._queue_ids:
            self._queue_ids = ids
            keep = sel.value
            sel.set_options(
                [
                    (Text(f"{str(fa.get('team', '')).upper()}: {fa.get('title', '')}"[:60]), str(fa["id"]))
                    for fa in queue
                ]
            )
            if keep in ids:
                sel.value = keep
            elif ids:
                sel.value = ids[0]
        self._detail()

    @on(Select.Changed, "#wc-queue")
    def _detail(self) -> None:
        fa = self.chosen()
        detail = self.query_one("#wc-detail", Static)
        detail.display = fa is not None
        if fa is None:
            return
        team = str(fa.get("team") or "")
        choices = {c.indicator: c for c in menu(self.rb, team)}
        lines = [free_action_text(self.rb, fa, choices)]
        lines.append(f"  {team.upper()}'s record: " + "; ".join(team_record(self.model, self.rb, team)))
        lines.append("  values its claims touch: " + "; ".join(touched(self.model, self.rb, fa)))
        detail.update("\n".join(lines))

    def chosen(self) -> dict[str, Any] | None:
        v = self.query_one("#wc-queue", Select).value
        return self.model.free_actions.get(v) if isinstance(v, str) else None

    def _suggestions(self) -> None:
        key = suggestion_key(self.model)
        if key == self._ranked_at:
            return
        self._ranked_at = key
        self._suggested, why = suggestions(self.model, self.rb)
        ids = [str(s.template) for s in self._suggested]
        sel = self.query_one("#wc-suggest", Select)
        if ids != self._suggest_ids:
            self._suggest_ids = ids
            keep = sel.value
            sel.set_options(
                [
                    (
                        Text(f"{s.title} — score {float(s.score):g}" + (" (released)" if s.released else "")),
                        str(s.template),
                    )
                    for s in self._suggested
                ]
            )
            if keep in ids:
                sel.value = keep
            elif ids:
                sel.value = ids[0]
        self._because(why)

    @on(Select.Changed, "#wc-suggest")
    def _because(self, why: object = "") -> None:
        s = self.suggestion()
        text = why if isinstance(why, str) and why else ""
        if s is not None:
            text = f"{s.title}: {s.text}\n  because " + "; ".join(s.because)
        because = self.query_one("#wc-because", Static)
        because.update(text)
        because.display = bool(text)

    def suggestion(self) -> Any:
        v = self.query_one("#wc-suggest", Select).value
        return next((s for s in self._suggested if s.template == v), None)

    def _notes(self) -> None:
        rulings = [n for n in self.model.notes if n.get("decision") == "ruling"]
        log = self.query_one("#wc-notes", WrapLog)
        if rulings:
            log.display = self.query_one("#wc-notes-head").display = True
        for n in rulings[self._notes_shown :]:
            log.write(f"turn {n.get('turn', '?')}: {n.get('text', '')}")
        self._notes_shown = len(rulings)

    @on(Button.Pressed, "#wc-rule")
    def action_rule(self) -> None:
        fa = self.chosen()
        if fa is None or self.send is None:
            self.post_message(Notice("no free action awaits a ruling"))
            return
        send = self.send
        choices = {c.indicator: c for c in menu(self.rb, str(fa.get("team") or ""))}

        async def rule(cmd: BaseModel) -> str | None:
            refused = await send(cmd)
            if refused is None and isinstance(cmd, RuleFreeAction):
                effects = cmd.effects if cmd.effects is not None else None
                what = (
                    "; ".join(claim_words(self.rb, e, choices) for e in effects) if effects else "as claimed"
                )
                text = (
                    f"{str(fa.get('team', '')).upper()} '{fa.get('title', '')}' ruled"
                    f" {band_words(self.rb, cmd.band)}, effects {what}: {cmd.reason}"
                )
                await send(Note(text=text[:1000], decision="ruling"))
            return refused

        def done(ruled: bool | None) -> None:
            if ruled:
                self.post_message(
                    Notice(f"ruled on {fa.get('title', '')}; it is rolled at the end of the orders phase")
                )

        self.app.push_screen(RulingScreen(self.model, self.rb, rule, fa), done)

    @on(Button.Pressed, "#wc-release")
    def action_release(self) -> None:
        s = self.suggestion()
        if s is None or self.send is None:
            self.post_message(Notice("no suggested inject is chosen"))
            return

        def done(sent: bool | None) -> None:
            if sent:
                self.post_message(Notice(f"inject released: written from the template {s.template}"))

        self.app.push_screen(InjectDraftScreen(self.rb, self.send, s), done)
