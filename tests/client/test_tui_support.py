"""Helpers for the Textual client's tests (no tests here): the screen as plain text, waiting on the
app under Pilot, games set up through the real lobby, and frames read off a ``GameClient``."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

# the frame helpers are shared with the server tests; re-exported for the client tests
from live_server import drain as drain
from live_server import frames_until as frames_until
from live_server import is_event as is_event
from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input, RichLog, Select, SelectionList, Static

from client_tui.app import PrecursorApp
from client_tui.composer import ComposerScreen
from client_tui.game_screen import GameScreen
from client_tui.model import LiveGame
from precursor.client import GameClient, LobbyClient
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook
from precursor.game.views import view

TEAMS = ("us", "mx", "cn", "ca")


def screen_text(app: App[Any]) -> str:
    """What the terminal shows right now, as text (the same render the SVG screenshot uses)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def static_text(app: App[Any], selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def log_lines(log: RichLog) -> list[str]:
    """The text of a RichLog, one entry per rendered line."""
    return [strip.text.rstrip() for strip in log.lines]


async def wait_until(
    pilot: Pilot[Any], pred: Callable[[], object], timeout: float = 10.0, what: str = "condition"
) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        try:
            if pred():
                return
        except Exception:  # a widget not mounted yet counts as "not yet"
            pass
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}\n{screen_text(pilot.app)}")
        await pilot.pause(0.03)


def game_screen(app: App[Any]) -> GameScreen:
    screen = app.screen
    assert isinstance(screen, GameScreen), f"not on the game screen: {screen!r}"
    return screen


async def until_online(pilot: Pilot[Any], timeout: float = 10.0) -> GameScreen:
    """The game screen has its welcome (status line says online)."""

    def ready() -> bool:
        s = pilot.app.screen
        return isinstance(s, GameScreen) and s.model.connection == "connected" and bool(s.model.view)

    await wait_until(pilot, ready, timeout, "the game screen to come online")
    return game_screen(pilot.app)


async def close_cards(pilot: Pilot[Any]) -> None:
    """Close the window of injects a new turn (or a facilitator) brings up over the game screen."""
    from client_tui.panes import InjectCards

    await pilot.pause(0.2)
    if isinstance(pilot.app.screen, InjectCards):
        await pilot.press("escape")
        await wait_until(
            pilot, lambda: not isinstance(pilot.app.screen, InjectCards), what="the cards to close"
        )


async def new_game(
    url: str, *, teams: tuple[str, ...] = TEAMS, seed: int = 11, **opts: Any
) -> tuple[Any, dict[str, str]]:
    """A tutorial game (fixed seed) with one joined player per team in ``teams``."""
    async with LobbyClient(url) as lobby:
        g = await lobby.create_game(opts.pop("scenario", "tutorial"), seed=seed, **opts)
        tokens = {t: (await lobby.join(g.game_id, g.join_codes[t], f"Ana-{t}")).token for t in teams}
    return g, tokens


def seat_app(url: str, game: Any, token: str, **kw: Any) -> PrecursorApp:
    return PrecursorApp(url, game_id=game.game_id, token=token, **kw)


async def advance_to(fac: GameClient, phase: str, turn: int = 1) -> None:
    """The facilitator advances phase by phase until ``(turn, phase)``."""
    order = ("briefing", "negotiation", "orders", "results")
    for _ in range(12):
        if (fac.turn, fac.phase) == (turn, phase):
            return
        await fac.send({"type": "advance", "turn": fac.turn, "phase": fac.phase})
    raise AssertionError(f"could not reach {turn}/{phase} (at {fac.turn}/{fac.phase}; {order})")


@dataclass
class Table:
    """A seat in the real client, with its partner's socket and the facilitator's, at a negotiation."""

    game: Any
    tokens: dict[str, str]
    app: PrecursorApp
    pilot: Pilot[Any]
    partner: GameClient
    fac: GameClient


@contextlib.asynccontextmanager
async def negotiation_table(
    url: str, seat: str, partner: str, size: tuple[int, int] = (120, 40)
) -> AsyncIterator[Table]:
    """A two-team game advanced to turn 1's negotiation, ``seat`` played in the client at ``size`` and
    ``partner`` on a raw socket: the set-up of every test where another team's proposal reaches a student."""
    g, tokens = await new_game(url, teams=tuple(t for t in TEAMS if t in (seat, partner)))
    async with (
        GameClient(url, g.game_id, tokens[partner]) as other,
        GameClient(url, g.game_id, g.facilitator_token) as fac,
    ):
        await advance_to(fac, "negotiation")
        app = seat_app(url, g, tokens[seat])
        async with app.run_test(size=size) as pilot:
            yield Table(g, tokens, app, pilot, other, fac)


async def play_to_the_end(fac: GameClient, pilot: Pilot[Any], ended: Callable[[], bool]) -> None:
    """The facilitator advances phase by phase until ``ended()`` (the seat in the client saw the end)."""
    for _ in range(80):
        if ended():
            return
        await fac.send({"type": "advance", "turn": fac.turn, "phase": fac.phase})
        await pilot.pause(0.05)
    raise AssertionError("the game did not end in 80 phases")


async def game_at_orders(url: str, team: str, **opts: Any) -> tuple[Any, dict[str, str]]:
    """A game (``new_game``) with one player for ``team``, advanced by its facilitator to turn 1's orders."""
    g, tokens = await new_game(url, teams=(team,), **opts)
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
    return g, tokens


async def open_orders(pilot: Pilot[Any]) -> tuple[GameScreen, SelectionList[str]]:
    """The orders tab's lever list as a player reaches it: online, cards closed, tab 5, the levers in."""
    gs = await until_online(pilot)
    await close_cards(pilot)
    await pilot.press("5")
    sl: SelectionList[str] = gs.query_one("#order-list", SelectionList)
    await wait_until(pilot, lambda: sl.option_count > 3, what="the levers")
    return gs, sl


async def open_results(pilot: Pilot[Any]) -> GameScreen:
    """The results tab as a player reaches it: online, cards closed, tab 6, the turn's backlog written."""
    gs = await until_online(pilot)
    await close_cards(pilot)
    await pilot.press("6")
    await wait_until(pilot, lambda: gs._results_waiting is None, what="the backlog")
    return gs


async def results_after_orders(
    url: str,
    seat: str,
    orders: dict[int, dict[str, list[dict[str, Any]]]],
    until: tuple[str, int],
    marker: str,
    **game: Any,
) -> str:
    """The results tab of ``seat``'s client, as one line of words, once ``marker`` is in it: a game
    (``new_game``'s options; the seat, the teams that order and any ``teams`` given join it) played
    with the client open from its first turn, each turn's ``orders`` by team submitted over the wire
    in its orders phase, then advanced to ``until`` (phase, turn)."""
    teams = tuple(dict.fromkeys([seat, *(t for by in orders.values() for t in by), *game.pop("teams", ())]))
    g, tokens = await new_game(url, teams=teams, **game)
    app = seat_app(url, g, tokens[seat])
    async with app.run_test(size=(160, 50)) as pilot:
        gs = await open_results(pilot)
        fac = GameClient(url, g.game_id, g.facilitator_token)
        async with fac, contextlib.AsyncExitStack() as stack:
            clients = {
                t: await stack.enter_async_context(GameClient(url, g.game_id, tokens[t])) for t in teams
            }
            for turn, by_team in sorted(orders.items()):
                await advance_to(fac, "orders", turn=turn)
                for team, given in by_team.items():
                    await clients[team].send({"type": "submit_orders", "orders": given})
            await advance_to(fac, *until)
        await wait_until(pilot, lambda: marker in "\n".join(log_lines(gs.results)), what=marker)
        return " ".join("\n".join(log_lines(gs.results)).split())


def notices(gs: Any) -> list[str]:
    """Every text the screen puts on its notice line from now on, in order (a later notice replaces an
    earlier one on the line, so a test that reads only the line misses what came between)."""
    said: list[str] = []
    shown = gs.notice

    def spy(text: str) -> None:
        said.append(text)
        shown(text)

    gs.notice = spy
    return said


async def propose(client: GameClient, parties: list[str], clauses: list[dict[str, Any]]) -> str:
    """Tables a proposal over the wire and returns its id, once the server has logged it."""
    await client.send({"type": "propose", "parties": parties, "clauses": clauses})
    return str((await frames_until(client, is_event("proposal")))[-1]["event"]["proposal"]["id"])


async def open_proposals(pilot: Pilot[Any], rows: int = 1) -> tuple[GameScreen, DataTable[Any]]:
    """The proposals tab's table as a player reaches it: online, cards closed, tab 4, ``rows`` rows in."""
    gs = await until_online(pilot)
    await close_cards(pilot)
    await pilot.press("4")
    table: DataTable[Any] = gs.query_one("#prop-table", DataTable)
    await wait_until(pilot, lambda: table.row_count == rows, what=f"{rows} proposal(s)")
    return gs, table


async def modal(pilot: Pilot[Any], kind: type) -> Any:
    """The screen of type ``kind`` once it is up (a form the test then fills in)."""
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, kind), what=kind.__name__)
    await pilot.pause()
    return pilot.app.screen


async def open_composer(pilot: Pilot[Any]) -> ComposerScreen:
    """The proposal composer as a player opens it: online, cards closed, the proposals tab, ``n``."""
    await until_online(pilot)
    await close_cards(pilot)
    await pilot.press("4", "n")
    cs = await modal(pilot, ComposerScreen)
    assert isinstance(cs, ComposerScreen)
    return cs


def check_line(screen: Any) -> str:
    """A form's check line: what the server would say to it, before it is sent."""
    return str(screen.query_one(".check").render())


async def commit_as(pilot: Pilot[Any], cs: Any, team: str) -> None:
    """Who commits in the composer's next clause: the composer offers only parties, so another team is
    ticked as a party first, as a player does."""
    if team != cs.team:
        cs.query_one(f"#party-{team}", Checkbox).value = True
        await wait_until(pilot, lambda: team in [v for _label, v in cs.query_one("#c-team", Select)._options])
    cs.query_one("#c-team", Select).value = team
    await pilot.pause()


async def add_clause(pilot: Pilot[Any], cs: Any, team: str, lever: str, **params: str) -> None:
    """A clause picked from the composer's lists, as a click in each does, then added with ctrl+a."""
    await commit_as(pilot, cs, team)
    cs.query_one("#c-lever", Select).value = lever
    await wait_until(pilot, lambda: cs.form.lever is not None and cs.form.lever.id == lever)
    await pilot.pause()
    for pid, value in params.items():
        field = cs.form._fields[pid]
        assert isinstance(field, Input)
        field.value = value
        field.focus()
    await pilot.press("ctrl+a")
    await pilot.pause()


def team_model(rb: Rulebook, team: str, scenario: str = "loose-talk", **env: Any) -> LiveGame:
    """A team's model from a real game's view, the values set first as play would have left them: for
    what the client says of a state, without a server."""
    game = Game.new(rb, scenario, 1)
    game.state.env.update(env)
    model = LiveGame()
    model.me = {"role": "player", "team": team, "seat": "president", "player_id": "p1", "game_id": "g1"}
    model.set_view(view(game, team), game.state.seq)
    return model


async def china_bot_at_negotiation(url: str) -> tuple[Any, dict[str, str]]:
    """Tariffs and Terror with China's deny-and-deflect bot (bots for the US and Canada too) and a
    Mexican seat, advanced to turn 1's negotiation: China's bot has a stated line (its own steps are for
    leaders' summits) that the client reads off its proposals."""
    bots = {"cn": "deny_and_deflect", "us": "default", "ca": "default"}
    g, tokens = await new_game(url, teams=("mx",), scenario="tariffs-and-terror", bots=bots)
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "negotiation")
    return g, tokens


def china_bot_tabled(model: LiveGame) -> bool:
    """China's bot has tabled a proposal this seat sees (the client knows its persona from then on)."""
    return any(str(p.get("by")).startswith("bot:deny") for p in model.proposals.values())


async def deals_at_orders(
    url: str, *deals: list[dict[str, Any]], by_mx: int = 0
) -> tuple[Any, dict[str, str]]:
    """A US and Mexico game in which each of ``deals`` (its clauses) was tabled by the US and accepted by
    Mexico in turn 1 (the last ``by_mx`` of them tabled by Mexico, accepted by the US: a team tables three
    a turn), advanced by its facilitator to turn 1's orders."""
    g, tokens = await new_game(url, teams=("us", "mx"))
    async with (
        GameClient(url, g.game_id, tokens["mx"]) as mx,
        GameClient(url, g.game_id, tokens["us"]) as us,
        GameClient(url, g.game_id, g.facilitator_token) as fac,
    ):
        tabled = {"us": 0, "mx": 0}
        for n, clauses in enumerate(deals, 1):
            by, to = (mx, us) if n > len(deals) - by_mx else (us, mx)
            team = "mx" if by is mx else "us"
            tabled[team] += 1
            await by.send({"type": "propose", "parties": ["us", "mx"], "clauses": clauses})
            proposal = f"T1-{team.upper()}-{tabled[team]}"
            await to.send({"type": "respond", "proposal": proposal, "action": "accept"})
            await frames_until(fac, is_event("agreement"))
        await advance_to(fac, "orders")
    return g, tokens


def highlight(sl: SelectionList[str], lever: str) -> None:
    """The list's highlight on ``lever``'s row."""
    sl.highlighted = next(i for i in range(sl.option_count) if sl.get_option_at_index(i).value == lever)


async def end_screen_drawn(text: str, size: tuple[int, int] = (80, 24)) -> str:
    """The end screen's text (``GameOverScreen``) as drawn alone in an app of ``size``."""
    from client_tui.panes import GameOverScreen

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(GameOverScreen(text))

    app = Host()
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, GameOverScreen), what="the end screen")
        await pilot.pause()
        return str(app.screen.query_one("#game-over-text", Static).render())


async def debrief_text(pilot: Pilot[Any], app: App[Any], pause: float = 0.3) -> str:
    """The end screen's text once it is up: the last turns' inject cards may come over it, before or
    after it, and are closed first."""
    from client_tui.panes import GameOverScreen

    await wait_until(
        pilot, lambda: any(isinstance(x, GameOverScreen) for x in app.screen_stack), 60, "the debrief"
    )
    for _ in range(10):
        await close_cards(pilot)
        await pilot.pause(pause)
        if isinstance(app.screen, GameOverScreen):
            break
    debrief = app.screen
    assert isinstance(debrief, GameOverScreen), app.screen_stack
    await wait_until(pilot, lambda: bool(debrief.query("#game-over-text")), what="its text")
    return debrief.text
