"""The facilitator's control tab: the phase clock, injects, overrides, seat controllers and players, the
true values beside what each team sees, and every team's orders with the bots' reasons."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, cast

from pydantic import ValidationError
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from precursor.client import ClientError, LobbyClient
from precursor.game.commands import Advance, CustomInject, Override, ReleaseInject, TeamId
from precursor.protocol import Extend, Pause, RemovePlayer, Resume, SetController

from .. import render, terms
from ..notice import Notice, refused
from ..widgets import Confirm, TextField, WrapLog
from .white_cell import Send, WhiteCellConsole

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from ..model import LiveGame

FacilitatorCommand = (
    Pause | Resume | Extend | Advance | ReleaseInject | Override | SetController | RemovePlayer
)
SEEN_BY = ("us", "mx", "cn", "ca")
CODE_HOLDERS = (*SEEN_BY, "observer")


class ControlPane(VerticalScroll):
    # r and i anywhere in the tab, as its heading says: 7 puts the focus on the phase clock, outside
    # the white cell, where the console's own keys never reached
    BINDINGS = [
        Binding("r", "rule", "Rule on the chosen free action", show=False),
        Binding("i", "release_suggested", "Release the chosen suggested inject", show=False),
        # the phase clock's buttons had no key: a facilitator at the keyboard could not find the focus
        Binding("ctrl+e", "advance", "Advance phase"),
    ]

    class Op(Message):
        """The facilitator asks for one operation; ``done`` is the notice once the server has it."""

        def __init__(self, command: FacilitatorCommand, done: str) -> None:
            super().__init__()
            self.command, self.done = command, done

    def __init__(self, model: LiveGame, rb: Rulebook, send: Send | None = None) -> None:
        super().__init__()
        self.model, self.rb = model, rb
        self.white_cell = WhiteCellConsole(model, rb, send)  # free actions, suggested injects, rulings
        self._choices_loaded = False  # the scenario's injects and the personas, filled in once

    def action_rule(self) -> None:
        self.white_cell.action_rule()

    def action_release_suggested(self) -> None:
        self.white_cell.action_release()

    def compose(self) -> ComposeResult:
        yield Label("Phase clock")
        with Horizontal(classes="row"):
            yield Button("Pause", id="f-pause")
            yield Button("Resume", id="f-resume")
            yield Button("+60 s", id="f-extend")
            yield Button("Advance phase (ctrl+e)", id="f-advance", variant="warning")
        yield self.white_cell
        yield Label("Injects")
        with Horizontal(classes="row"):
            yield Select[str]([], id="f-inject", prompt="scenario deck")
            yield Button("Release", id="f-release")
        with Horizontal(classes="row"):
            yield TextField(placeholder="custom inject title", id="f-title")
            yield TextField(placeholder="text players read", id="f-text")
            yield Button("Release custom", id="f-custom")
        yield Label("Override a value (key=value note)")
        with Horizontal(classes="row"):
            yield TextField(placeholder="us.approval=45 poll correction", id="f-override")
            yield Button("Override", id="f-do-override")
        yield Label("Seats: bot or human")
        with Horizontal(classes="row"):
            yield Select[str]([(t.upper(), t) for t in SEEN_BY], id="f-team", prompt="team")
            yield Select[str]([], id="f-persona", prompt="persona (blank = humans)")
            yield Button("Set", id="f-set")
        yield DataTable(id="f-players", cursor_type="row")
        yield Button("Remove selected player", id="f-remove", variant="error")
        yield Label("Join codes (a new code stops the old one joining; seated players stay)")
        yield Static("", id="f-codes", markup=False)
        with Horizontal(classes="row"):
            yield Select[str](
                [(w.upper() if w != "observer" else "observers", w) for w in CODE_HOLDERS],
                id="f-code-who",
                prompt="whose code",
            )
            yield Button("New code", id="f-rotate")
        yield Label("True values and what each team sees")
        yield DataTable(id="f-truth")
        yield Label("Orders (all teams, once locked) and bot reasons")
        yield WrapLog(id="f-orders", max_lines=5000)

    def on_mount(self) -> None:
        self.query_one("#f-players", DataTable).add_columns("player", "name", "team", "seat", "state")
        self.query_one("#f-truth", DataTable).add_columns("indicator", "true", "US", "MX", "CN", "CA")

    # ------------------------------------------------------------------ drawing

    def show(self) -> None:
        if self.model.role != "facilitator":
            return
        # a frame read while the app closes finds the pane's children gone: nothing left to draw
        with contextlib.suppress(NoMatches):
            self._codes()
            self.white_cell.show()
            self._load_choices()
            self._players()
            self._truth()
            self._orders()

    def _load_choices(self) -> None:
        sid = self.model.view.get("scenario", {}).get("id")
        sc = self.rb.scenarios.get(sid) if sid else None
        if sc is not None and not self._choices_loaded:
            self.query_one("#f-inject", Select).set_options(
                [(Text(i.title[:40]), i.id) for i in sc.injects if i.deck]
            )
            # a team played by several people: a bot may also hold one of its seats ("mx/security")
            seats = self.model.view.get("seats") or {}
            split = [
                (f"{t.upper()}: {terms.seat_name(self.model, self.rb, t, s)} only", f"{t}/{s}")
                for t in SEEN_BY
                if len(seats.get(t) or ()) > 1
                for s in seats[t]
            ]
            if split:
                self.query_one("#f-team", Select).set_options([(t.upper(), t) for t in SEEN_BY] + split)
            self._choices_loaded = True

    @on(Select.Changed, "#f-team")
    def _team_chosen(self, event: Select.Changed) -> None:
        """Only the chosen team's personas: a bot of another team's persona is refused by the server."""
        team = str(event.value).partition("/")[0]
        personas = sorted(p.id for p in self.rb.personas.values() if p.team == team)
        self.query_one("#f-persona", Select).set_options(
            [(f"bot: {p} — {self.rb.personas[p].name}", p) for p in personas]
        )

    def _game(self) -> tuple[str, str, str]:
        """The server, game and facilitator token of the screen this pane is on."""
        screen = self.screen
        return getattr(screen, "url", ""), getattr(screen, "game_id", ""), getattr(screen, "token", "")

    def _codes(self) -> None:
        """The join codes this client knows (those handed out when it created the game, and those it
        rotated since: the server keeps only hashes), and the token that brings the facilitator back."""
        _, game_id, token = self._game()
        known: dict[str, str] = getattr(self.app, "known_codes", {}).get(game_id, {})
        lines = []
        for who in CODE_HOLDERS:
            label = "observers" if who == "observer" else who.upper()
            lines.append(f"  {label:<10} {known.get(who) or 'not known here (New code makes one)'}")
        lines.append(f"Your facilitator token, to get back in from the lobby: {token}")
        self.query_one("#f-codes", Static).update("\n".join(lines))

    def _players(self) -> None:
        players = self.query_one("#f-players", DataTable)
        players.clear()
        for p in self.model.session.players.values():
            conns = self.model.presence.get(p.player_id, 0)
            state = "removed" if p.removed else f"online ({conns})" if conns else "offline"
            players.add_row(
                *render.cells(p.player_id, p.name, (p.team or "obs").upper(), p.seat or "", state),
                key=p.player_id,
            )

    def _truth(self) -> None:
        truth = self.query_one("#f-truth", DataTable)
        truth.clear()
        seen = self.model.view.get("as_seen", {})
        for ind in self.model.view.get("indicators", [])[:60]:
            row = [ind.get("name", ind["id"])[:34], render.number(ind.get("value"))]
            for t in SEEN_BY:
                v = seen.get(t, {}).get(ind["id"])
                row.append("hidden" if v is None else render.number(v))
            truth.add_row(*render.cells(*row))

    def _orders(self) -> None:
        log = self.query_one("#f-orders", WrapLog)
        log.clear()
        for key, o in self.model.orders.items():
            log.write(f"{key}: " + ", ".join(x.get("lever", "?") for x in o.get("orders", [])))
        for n in self.model.notes[-30:]:
            # a facilitator's own note (a ruling) has no team
            who = f"{n['team'].upper()} bot" if n.get("team") else "facilitator"
            log.write(f"[{who}] {n.get('decision', '')}: {n.get('text', '')}")

    # ------------------------------------------------------------------ operations

    def _ask(self, command: FacilitatorCommand, done: str) -> None:
        self.post_message(self.Op(command, done))

    @on(Button.Pressed, "#f-pause")
    def _pause(self) -> None:
        self._ask(Pause(), "paused")

    @on(Button.Pressed, "#f-resume")
    def _resume(self) -> None:
        self._ask(Resume(), "resumed")

    @on(Button.Pressed, "#f-extend")
    def _extend(self) -> None:
        self._ask(Extend(seconds=60), "one more minute")

    def action_advance(self) -> None:
        self._advance()

    @on(Button.Pressed, "#f-advance")
    def _advance(self) -> None:
        # names the phase on screen, so a double click cannot end the next one too
        self._ask(Advance(turn=self.model.turn, phase=self.model.phase), "phase advanced")

    @on(Button.Pressed, "#f-release")
    def _release(self) -> None:
        val = self.query_one("#f-inject", Select).value
        if isinstance(val, str):
            self._ask(ReleaseInject(inject=val), "inject released")

    @on(Button.Pressed, "#f-custom")
    def _release_custom(self) -> None:
        title = self.query_one("#f-title", Input).value.strip()
        text = self.query_one("#f-text", Input).value.strip()
        if not (title and text):
            return
        try:
            custom = CustomInject(title=title, text=text)
        except ValidationError as exc:
            self.post_message(refused(exc, "release_inject.custom"))
            return
        self._ask(ReleaseInject(custom=custom), "released")

    @on(Button.Pressed, "#f-do-override")
    def _override(self) -> None:
        raw = self.query_one("#f-override", Input).value.strip()
        head, _, note = raw.partition(" ")
        key, eq, value = head.partition("=")
        try:
            num = float(value)
        except ValueError:
            self.post_message(Notice("! write key=value note, e.g. us.approval=45 poll correction"))
            return
        if not (eq and note):
            return
        try:
            command = Override(key=key, value=num, note=note)
        except ValidationError as exc:
            self.post_message(refused(exc, "override"))
            return
        self._ask(command, "overridden")

    @on(Button.Pressed, "#f-set")
    def _set_controller(self) -> None:
        team = self.query_one("#f-team", Select).value
        persona = self.query_one("#f-persona", Select).value
        if isinstance(team, str):
            p = persona if isinstance(persona, str) else None
            team, _, seat = team.partition("/")
            command = SetController(team=cast(TeamId, team), persona=p, seat=seat or None)
            self._ask(command, "seat controller set")

    @on(Button.Pressed, "#f-rotate")
    def _rotate_pressed(self) -> None:
        who = self.query_one("#f-code-who", Select).value
        if not isinstance(who, str):
            self.post_message(Notice("choose whose join code to replace"))
            return
        label = "the observers'" if who == "observer" else f"{who.upper()}'s"

        def answered(yes: bool | None) -> None:
            if yes:
                self._rotate(who)

        self.app.push_screen(
            Confirm(
                f"Replace {label} join code? The old code stops joining at once; players already "
                "seated keep their seats.",
                "New code",
                "Keep the old one",
            ),
            answered,
        )

    @work(exclusive=True, group="rotate-code")
    async def _rotate(self, who: str) -> None:
        url, game_id, token = self._game()
        try:
            async with LobbyClient(url) as lobby:
                rotated = await lobby.rotate_code(game_id, who, token)
        except ClientError as exc:
            self.post_message(Notice(f"refused — {exc.code}: {exc.message}"))
            return
        except Exception as exc:  # the server is down: httpx transport errors, OSError
            self.post_message(Notice(f"not sent: cannot reach the server ({type(exc).__name__})"))
            return
        remember = getattr(self.app, "remember_codes", None)
        if remember is not None:
            remember(game_id, {who: rotated.join_code})
        self._codes()
        label = "observers" if who == "observer" else who.upper()
        self.post_message(Notice(f"new {label} join code: {rotated.join_code} — the old one no longer joins"))

    @on(Button.Pressed, "#f-remove")
    def _remove(self) -> None:
        table = self.query_one("#f-players", DataTable)
        if table.row_count:
            pid = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
            self._ask(RemovePlayer(player=pid), f"removed {pid}")
