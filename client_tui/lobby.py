"""The lobby: the server's scenarios and games; create a game as facilitator, or join one with a code."""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Input, Label, Select, Static

from precursor.client import ClientError, GameClient, LobbyClient

from .widgets import TextField

TEAMS = ("us", "mx", "cn", "ca")
HUMAN = "human"  # a seat left to human players (the value of a team's choice in the new-game form)

# the characters of a join code (base 32), which a token (URL-safe base 64, 32 characters) is not
_CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def looks_like_join_code(text: str) -> bool:
    """A join code is twelve base-32 characters, read out with dashes or spaces or without; anything
    else typed in the code field is taken for a token (the facilitator's, to get back into a game)."""
    raw = text.strip().upper().replace(" ", "").replace("-", "")
    return len(raw) == 12 and set(raw) <= _CODE_CHARS


def _cells(*values: object) -> list[Text]:
    """A table row as plain text (a game's or a player's name is data, not markup); render.cells,
    without importing the game's model into the lobby, which comes up before the rest is loaded."""
    return [Text(str(v)) for v in values]


class LobbyScreen(Screen[None]):
    BINDINGS = [
        Binding("f1,question_mark", "app.push_screen('help')", "Help"),
        Binding("ctrl+n", "create", "New game"),
        Binding("ctrl+j", "join", "Join"),
        Binding("f5", "reload", "Reload"),
    ]
    CSS_PATH = "lobby.tcss"

    def __init__(self, url: str, code: str | None = None, name: str | None = None) -> None:
        super().__init__()
        self.url, self.code, self.player_name = url, code, name
        self.games: list[Any] = []
        # a facilitator token given on the command line (play --code TOKEN) opens its game at once,
        # once the list of games is in; a join code only fills the field (the student adds a name)
        self._rejoin_pending = bool(code) and not looks_like_join_code(code or "")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f" Precursor lobby — {self.url}", id="lobby-title")
            yield Static("loading…", id="lobby-status", markup=False)
            yield Label("Scenarios")
            yield DataTable(id="scenarios", cursor_type="row")
            yield Label("Games (select one; join with a code, or rejoin with your facilitator token)")
            yield DataTable(id="games", cursor_type="row")
            with Horizontal(classes="row"):
                yield TextField(value=self.code or "", placeholder="join code or token", id="code")
                yield TextField(value=self.player_name or "", placeholder="your name", id="name")
                yield TextField(placeholder="seat (optional)", id="seat")
            with Horizontal(classes="row"):
                yield Button("Join (ctrl+j)", id="join", variant="primary")
                yield Button("New game (ctrl+n)", id="create")
        yield Footer()

    def on_mount(self) -> None:
        st = self.query_one("#scenarios", DataTable)
        for col in ("id", "title", "turns", "start"):
            st.add_column(col, key=col)
        gt = self.query_one("#games", DataTable)
        for col in ("game", "scenario", "turn", "phase", "bots", "players"):
            gt.add_column(col, key=col)
        self.action_reload()
        self.query_one("#code", Input).focus()

    @work(exclusive=True, group="lobby-reload")
    async def action_reload(self) -> None:
        try:
            async with LobbyClient(self.url) as lobby:
                scenarios = await lobby.scenarios()
                self.games = await lobby.games()
        except (ClientError, OSError) as exc:
            self.status(f"cannot reach the server: {exc}")
            return
        except Exception as exc:  # httpx transport errors
            self.status(f"cannot reach the server: {type(exc).__name__}")
            return
        st = self.query_one("#scenarios", DataTable)
        st.clear()
        for s in scenarios:
            st.add_row(*_cells(s.id, s.title[:50], s.turns, s.start), key=s.id)
        gt = self.query_one("#games", DataTable)
        gt.clear()
        for g in self.games:
            bots = ",".join(f"{t}" for t in g.bots)
            players = ",".join(f"{t}:{n}" for t, n in g.players.items())
            phase = "over" if g.ended else g.phase
            gt.add_row(
                *_cells(g.game_id, g.scenario, f"{g.turn}/{g.turns}", phase, bots, players), key=g.game_id
            )
        self.status(f"{_count(len(scenarios), 'scenario')}, {_count(len(self.games), 'game')}")
        preload = getattr(self.app, "preload_rulebook", None)
        if preload is not None:
            preload()
        if self._rejoin_pending:
            self._rejoin_pending = False
            self.action_join()

    def status(self, text: str) -> None:
        self.query_one("#lobby-status", Static).update(text)

    def _selected_game(self) -> str | None:
        gt = self.query_one("#games", DataTable)
        if not gt.row_count:
            return None
        return str(gt.coordinate_to_cell_key(gt.cursor_coordinate).row_key.value)

    @on(Button.Pressed, "#join")
    def _join_button(self) -> None:
        self.action_join()

    @on(Button.Pressed, "#create")
    def _create_button(self) -> None:
        self.action_create()

    @on(Input.Submitted)
    def _enter(self) -> None:
        self.action_join()

    @work(exclusive=True, group="lobby-join")
    async def action_join(self) -> None:
        """A join code belongs to one game: the selected game is tried first, then the others, so a
        student can type the code and press Enter without finding the right row."""
        selected = self._selected_game()
        code = self.query_one("#code", Input).value.strip()
        name = self.query_one("#name", Input).value.strip() or "player"
        seat = self.query_one("#seat", Input).value.strip() or None
        if not code:
            self.status("type the join code your facilitator gave you")
            return
        if not looks_like_join_code(code):
            await self._rejoin(code, selected)
            return
        candidates = [g.game_id for g in self.games if not g.ended]
        if selected in candidates:
            candidates.remove(selected)
            candidates.insert(0, selected)
        last: ClientError | None = None
        try:
            async with LobbyClient(self.url) as lobby:
                for game_id in candidates:
                    try:
                        joined = await lobby.join(game_id, code, name, seat)
                    except ClientError as exc:
                        last = exc
                        if exc.code == "bad_code":
                            continue  # a code of another game: try the next one
                        break
                    self.app.open_game(game_id, joined.token)  # type: ignore[attr-defined]
                    return
        except Exception as exc:  # the server is down: httpx transport errors, OSError
            self.status(f"cannot reach the server: {type(exc).__name__}")
            return
        if last is None:
            self.status("no game is open on this server yet (F5 reloads the list)")
        else:
            self.status(f"{last.code}: {last.message}")

    async def _rejoin(self, token: str, selected: str | None) -> None:
        """A token opens the seat it was given for (the facilitator's opens the console). Tokens are
        per game and the server keeps only their hashes, so the games are asked in turn, the selected
        one first and running ones before finished ones; a wrong token is refused by each."""
        running = [g.game_id for g in self.games if not g.ended]
        order = sorted(
            (g.game_id for g in self.games),
            key=lambda gid: (gid != selected, gid not in running),
        )
        if not order:
            self.status("no game on this server yet (F5 reloads the list)")
            return
        self.status("looking for the game of that token…")
        for game_id in order:
            probe = GameClient(self.url, game_id, token, backoff=(0.2, 1.0))
            try:
                await probe.start(timeout=5)
            except ClientError as exc:
                if exc.code in ("bad_token", "unknown_game"):
                    continue  # another game's token (or a game gone meanwhile): try the next
                self.status(f"cannot reach game {game_id}: {exc.message}")
                return
            except Exception as exc:  # the server is down: httpx/websockets transport errors, OSError
                self.status(f"cannot reach the server: {type(exc).__name__}")
                return
            finally:
                await probe.close()
            self.status(f"back in game {game_id}")
            self.app.open_game(game_id, token)  # type: ignore[attr-defined]
            return
        self.status("that is neither a join code (XXXX-XXXX-XXXX) nor the token of a game on this server")

    def action_create(self) -> None:
        self.app.push_screen(CreateGameScreen(self.url), self._created)

    def _created(self, result: dict[str, Any] | None) -> None:
        if result:
            remember = getattr(self.app, "remember_codes", None)
            if remember is not None:  # the console shows them (the server keeps only their hashes)
                remember(result["game_id"], result["join_codes"])
            self.app.push_screen(CodesScreen(result, self.url))
            self.action_reload()


class CreateGameScreen(ModalScreen[dict[str, Any] | None]):
    """The facilitator's form: scenario, seed, bots for empty seats, deadlines, press mode, and the
    organiser key when the server asks for one (a server reachable from other machines does)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel"), Binding("ctrl+s", "create", "Create")]
    CSS_PATH = "lobby.tcss"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form"):
            yield Label("New game")
            yield Select[str]([], id="scenario", prompt="scenario")
            with Horizontal(classes="row"):
                yield TextField(placeholder="seed (blank: random)", id="seed", type="integer")
                yield TextField(placeholder="negotiation deadline, s", id="dl-negotiation", type="integer")
                yield TextField(placeholder="orders deadline, s", id="dl-orders", type="integer")
            yield Label("Each team: human players (its join code) or a bot of that team")
            for pair in (("us", "mx"), ("cn", "ca")):
                with Horizontal(classes="row"):
                    for t in pair:
                        # the choice reads as words ("MX: human", "MX: bot — sovereigntist"): a ticked
                        # and an empty checkbox differ only by colour, which NO_COLOR and --mono lose
                        yield Select[str](
                            [(f"{t.upper()}: human", HUMAN)], id=f"bot-{t}", value=HUMAN, allow_blank=False
                        )
            yield Select(
                [("press on", "on"), ("press off", "off")], id="press", value="on", allow_blank=False
            )
            # hidden until /api/health says creating needs the key
            yield TextField(
                placeholder="organiser key (from whoever runs the server)",
                id="organiser-key",
                password=True,
                classes="hidden",
            )
            yield Static("", id="form-status", markup=False)
            with Horizontal(classes="row"):
                yield Button("Create", id="do-create", variant="primary")
                yield Button("Cancel", id="cancel")

    @work(group="form")
    async def on_mount(self) -> None:
        try:
            async with LobbyClient(self.url) as lobby:
                scenarios = await lobby.scenarios()
                health = await lobby.health()
        except Exception as exc:
            self.query_one("#form-status", Static).update(f"cannot reach the server: {exc}")
            return
        if health.get("organiser_key_required"):
            self.query_one("#organiser-key", Input).remove_class("hidden")
            self.query_one("#form-status", Static).update(
                "this server asks for its organiser key to create a game"
            )
        sel = self.query_one("#scenario", Select)
        sel.set_options([(f"{s.id} — {s.title[:40]}", s.id) for s in scenarios])
        if scenarios:
            sel.value = scenarios[0].id
        self._offer_personas(await asyncio.to_thread(self._personas))

    def _personas(self) -> dict[str, list[str]]:
        """Each team's personas, from the client's rulebook (loaded in a thread: the lobby comes up
        without it)."""
        rb = getattr(self.app, "rb", None)
        out: dict[str, list[str]] = {t: [] for t in TEAMS}
        for p in getattr(rb, "personas", {}).values():
            out.setdefault(p.team, []).append(p.id)
        return {t: sorted(ids) for t, ids in out.items()}

    def _offer_personas(self, personas: dict[str, list[str]]) -> None:
        """Only a team's own personas for its seat: the server refuses a bot of another team."""
        for t in TEAMS:
            options = [(f"{t.upper()}: human", HUMAN)] + [
                (f"{t.upper()}: bot — {p}", p) for p in personas.get(t, [])
            ]
            self.query_one(f"#bot-{t}", Select).set_options(options)
            self.query_one(f"#bot-{t}", Select).value = HUMAN

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#do-create")
    @on(Input.Submitted)
    def _create_pressed(self) -> None:
        self.action_create()

    @work(exclusive=True, group="form-create")
    async def action_create(self) -> None:
        scenario = self.query_one("#scenario", Select).value
        if not isinstance(scenario, str):
            self.query_one("#form-status", Static).update("choose a scenario")
            return
        seed_text = self.query_one("#seed", Input).value.strip()
        deadlines = {}
        try:
            seed = int(seed_text) if seed_text else None
            for phase in ("negotiation", "orders"):
                v = self.query_one(f"#dl-{phase}", Input).value.strip()
                if v:
                    deadlines[phase] = int(v)
        except ValueError:
            self.query_one("#form-status", Static).update("seed and deadlines are whole numbers")
            return
        bots = {}
        for t in TEAMS:
            choice = self.query_one(f"#bot-{t}", Select).value
            if isinstance(choice, str) and choice != HUMAN:
                bots[t] = choice
        press = self.query_one("#press", Select).value
        key_field = self.query_one("#organiser-key", Input)
        try:
            async with LobbyClient(self.url) as lobby:
                g = await lobby.create_game(
                    scenario,
                    organiser_key=key_field.value.strip() or None,
                    seed=seed,
                    bots=bots,
                    deadlines=deadlines,
                    press=press,
                )
        except ClientError as exc:
            if exc.code == "organiser_key_required":  # a server that started asking since the form opened
                key_field.remove_class("hidden")
                key_field.focus()
            self.query_one("#form-status", Static).update(f"{exc.code}: {exc.message}")
            return
        except Exception as exc:  # the server is down
            self.query_one("#form-status", Static).update(f"cannot reach the server: {type(exc).__name__}")
            return
        self.dismiss(g.model_dump())


class CodesScreen(ModalScreen[None]):
    """The join codes, ready to read out or copy; the facilitator can open the console from here."""

    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("f", "facilitate", "Open console")]
    CSS_PATH = "lobby.tcss"

    def __init__(self, created: dict[str, Any], url: str = "URL") -> None:
        super().__init__()
        self.created, self.url = created, url

    def compose(self) -> ComposeResult:
        c = self.created
        lines = [f"Game {c['game_id']} is ready. Hand out these join codes:", ""]
        for who, code in c["join_codes"].items():
            lines.append(f"  {who.upper():<9} {code}")
        token = c["facilitator_token"]
        lines += [
            "",
            "Your facilitator token — write it down, keep it private:",
            f"  {token}",
            "To get back in later, type it in the lobby's code field and press",
            "Enter, or start the client with it:",
            f"precursor play {self.url} --code {token}",
        ]
        with Vertical(id="codes"):
            yield Static("\n".join(lines), id="codes-text", markup=False)
            with Horizontal():
                yield Button("Open facilitator console (f)", id="facilitate", variant="primary")
                yield Button("Close", id="close")

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss()

    @on(Button.Pressed, "#facilitate")
    def action_facilitate(self) -> None:
        self.dismiss()
        self.app.open_game(self.created["game_id"], self.created["facilitator_token"])  # type: ignore[attr-defined]


def _count(n: int, noun: str) -> str:
    """ "1 game", "2 games": the lobby's status line counts what it lists."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
