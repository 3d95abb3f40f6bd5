"""SVG snapshots of the client's main screens at 80×24 and 120×40 (pytest-textual-snapshot).

``snap_compare`` runs the app in its own event loop, so the server runs in a thread
(``EmbeddedServer``). Each test gets its own server and a game with a fixed seed and no bots, so
nothing races the screenshot; the only volatile text (the server's port in the lobby title, the game
id in the games table) is replaced before the shot. Every shot is taken with ``NO_COLOR`` set, as a
colour-blind-safe reading of the screen: what it says must not hang on colour. Refresh with
``--snapshot-update`` after a deliberate change and check the SVGs in ``tests/client/__snapshots__/``
by eye.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from test_tui_support import advance_to, commit_as, new_game, until_online, wait_until
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Markdown, Select, SelectionList, Static

from client_tui.app import PrecursorApp
from precursor.client import GameClient
from precursor.game.rulebook import Rulebook
from server.embedded import EmbeddedServer

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
Snap = Callable[..., bool]
_SVG_IDS = re.compile(r"terminal-\d+")


async def settled(pilot: Pilot[Any]) -> None:
    """Until the screen stops changing: no animation pending and the same picture over three frames.
    A fixed pause lost the race on a loaded box (CI with two workers): the composer's shot caught it
    scrolled part-way to the focused field, and the lobby's before its table settled."""
    await pilot.wait_for_scheduled_animations()
    last, same = "", 0
    for _ in range(200):
        await pilot.pause(0.02)
        shot = _SVG_IDS.sub("", pilot.app.export_screenshot())
        same = same + 1 if shot == last else 0
        if same >= 3:
            return
        last = shot
    raise AssertionError("the screen kept changing for 4 s")


@pytest.fixture(autouse=True)
def no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set before each app is made: Textual reads ``NO_COLOR`` when the app is created."""
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def server() -> Iterator[EmbeddedServer]:
    s = EmbeddedServer("memory://")
    s.start()
    yield s
    s.stop()


def _game(url: str, phase: str = "briefing") -> tuple[Any, dict[str, str]]:
    async def setup() -> tuple[Any, dict[str, str]]:
        g, tokens = await new_game(url, teams=("us", "mx"), seed=5)
        if phase != "briefing":
            async with GameClient(url, g.game_id, g.facilitator_token) as fac:
                await advance_to(fac, phase)
        return g, tokens

    return asyncio.run(setup())


@pytest.mark.parametrize("size", SIZES)
def test_lobby(snap_compare: Snap, server: EmbeddedServer, size: tuple[int, int]) -> None:
    g, _ = _game(server.url)

    async def before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await wait_until(pilot, lambda: app.screen.query_one("#games", DataTable).row_count == 1)
        app.screen.query_one("#lobby-title", Static).update(" Precursor lobby — http://127.0.0.1:8765")
        app.screen.query_one("#games", DataTable).update_cell(g.game_id, "game", "g0123456789")
        await settled(pilot)

    assert snap_compare(PrecursorApp(server.url, name="Ana"), terminal_size=size, run_before=before)


async def _online(pilot: Pilot[Any]) -> Any:
    """The game screen once online and once it has read the injects released before it connected
    (their notice is on every tab: the shot must not race it)."""
    gs = await until_online(pilot)
    await wait_until(pilot, lambda: "this turn's injects" in str(gs.query_one("#notice", Static).render()))
    return gs


def _seat(server: EmbeddedServer, rb: Rulebook, phase: str) -> PrecursorApp:
    """The US seat's client on a game in ``phase`` of turn 1."""
    g, tokens = _game(server.url, phase)
    return PrecursorApp(server.url, game_id=g.game_id, token=tokens["us"], rulebook=rb)


@pytest.mark.parametrize("size", SIZES)
def test_game_briefing(
    snap_compare: Snap, server: EmbeddedServer, rb: Rulebook, size: tuple[int, int]
) -> None:
    app = _seat(server, rb, "briefing")

    async def before(pilot: Pilot[Any]) -> None:
        gs = await _online(pilot)
        await wait_until(pilot, lambda: len(gs.query_one("#brief", Markdown).children) > 5)
        await settled(pilot)

    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_game_dashboard(
    snap_compare: Snap, server: EmbeddedServer, rb: Rulebook, size: tuple[int, int]
) -> None:
    app = _seat(server, rb, "negotiation")

    async def before(pilot: Pilot[Any]) -> None:
        gs = await _online(pilot)
        await pilot.press("2")
        await wait_until(pilot, lambda: gs.query_one("#indicators", DataTable).row_count > 10)
        await settled(pilot)

    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_game_orders(snap_compare: Snap, server: EmbeddedServer, rb: Rulebook, size: tuple[int, int]) -> None:
    """The orders tab with a lever and a military lever ticked: budget line and red-line warning."""
    app = _seat(server, rb, "orders")

    async def before(pilot: Pilot[Any]) -> None:
        gs = await _online(pilot)
        await pilot.press("5")
        sl = gs.query_one("#order-list", SelectionList)
        await wait_until(pilot, lambda: sl.option_count > 10)
        sl.select("us_san_1")
        sl.select("us_cyber")
        sl.highlighted = 0
        await wait_until(pilot, lambda: "RED LINE" in str(gs.query_one("#order-info", Static).render()))
        await settled(pilot)

    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_composer(snap_compare: Snap, server: EmbeddedServer, rb: Rulebook, size: tuple[int, int]) -> None:
    """The composer opened from the proposals tab by the US, with a Mexican clause added (Mexico ticked
    as a party, the server's check on the line above the buttons)."""
    app = _seat(server, rb, "negotiation")

    async def before(pilot: Pilot[Any]) -> None:
        from client_tui.composer import ComposerScreen

        await _online(pilot)
        await pilot.press("4")
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, ComposerScreen), what="the composer")
        cs = app.screen
        assert isinstance(cs, ComposerScreen)
        await commit_as(pilot, cs, "mx")  # what a pick in each list does
        cs.query_one("#c-lever", Select).value = "mx_port"
        await wait_until(pilot, lambda: cs.form.lever is not None and cs.form.lever.id == "mx_port")
        field = cs.form._fields["intensity"]
        assert isinstance(field, Input)
        field.value = "250"
        field.focus()
        await pilot.press("ctrl+a")
        await wait_until(pilot, lambda: len(cs.clauses) == 1, what="the clause")
        await pilot.pause(0.3)
        app.screen.set_focus(None)  # no blinking cursor in the shot
        # where the form rests after ctrl+a hung on the machine's speed (the find field in view either
        # way): the shot is of the next clause's editor from its heading
        head = next(w for w in cs.query(Static) if str(w.render()).startswith("Add a clause (/"))
        head.scroll_visible(top=True, animate=False)
        await settled(pilot)

    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_inject_card(snap_compare: Snap, server: EmbeddedServer, rb: Rulebook, size: tuple[int, int]) -> None:
    """A deck inject released by the facilitator while the seat is open comes up as a card over it."""
    g, tokens = _game(server.url, "negotiation")
    app = PrecursorApp(server.url, game_id=g.game_id, token=tokens["us"], rulebook=rb)

    async def before(pilot: Pilot[Any]) -> None:
        from client_tui.panes import InjectCards

        gs = await _online(pilot)
        async with GameClient(server.url, g.game_id, g.facilitator_token) as fac:
            await fac.send({"type": "release_inject", "inject": "tut_deck_pharmacy"})
        await wait_until(pilot, lambda: isinstance(app.screen, InjectCards), what="the card")
        await wait_until(pilot, lambda: len(gs.model.injects) == 3, what="the briefing behind it")
        await settled(pilot)

    assert snap_compare(app, terminal_size=size, run_before=before)


def _played(url: str, turn: int, phase: str) -> tuple[Any, dict[str, str]]:
    """A game with no orders, played on by the facilitator to ``(turn, phase)``."""

    async def setup() -> tuple[Any, dict[str, str]]:
        g, tokens = await new_game(url, teams=("us", "mx"), seed=5)
        async with GameClient(url, g.game_id, g.facilitator_token) as fac:
            await advance_to(fac, phase, turn)
        return g, tokens

    return asyncio.run(setup())


async def _play_on(url: str, g: Any, phases: int) -> None:
    """The facilitator ends ``phases`` phases while the seat's client looks on (the results tab holds
    the outcomes the client saw happen)."""
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        for _ in range(phases):
            await fac.send({"type": "advance", "turn": fac.turn, "phase": fac.phase})


@pytest.mark.parametrize("size", SIZES)
def test_results(snap_compare: Snap, server: EmbeddedServer, rb: Rulebook, size: tuple[int, int]) -> None:
    """Turn 1's results tab: a why card for each outcome of the turn's adjudication."""
    g, tokens = _played(server.url, 1, "orders")
    app = PrecursorApp(server.url, game_id=g.game_id, token=tokens["us"], rulebook=rb)

    async def before(pilot: Pilot[Any]) -> None:
        gs = await _online(pilot)
        await _play_on(server.url, g, 1)
        await pilot.press("6")
        await wait_until(pilot, lambda: gs.model.phase == "results", what="the results phase")
        await wait_until(pilot, lambda: len(gs.results.lines) > 5, what="the cards")
        await settled(pilot)

    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_end_screen(snap_compare: Snap, server: EmbeddedServer, rb: Rulebook, size: tuple[int, int]) -> None:
    """The debrief that comes up when the game ends: scores by component, objectives, the report."""
    g, tokens = _played(server.url, 3, "results")
    app = PrecursorApp(server.url, game_id=g.game_id, token=tokens["us"], rulebook=rb)

    async def before(pilot: Pilot[Any]) -> None:
        from client_tui.game_screen import GameScreen
        from client_tui.panes import GameOverScreen

        await until_online(pilot)
        await _play_on(server.url, g, 1)
        await wait_until(pilot, lambda: isinstance(app.screen, GameOverScreen), what="the debrief")
        # pushed is not yet composed: under load the text widget can come a frame later
        await wait_until(pilot, lambda: bool(app.screen.query("#game-over-text")), what="the debrief's text")
        # the last turn's injects may reach the screen behind before or after the debrief: wait for all
        # of them, then take their notice down, so that the shot does not depend on which came first
        gs = next(s for s in app.screen_stack if isinstance(s, GameScreen))
        seen = -1
        while seen != len(gs.model.injects):  # until no more arrive
            seen = len(gs.model.injects)
            await pilot.pause(0.5)
        gs.notice("")
        debrief = app.screen
        assert isinstance(debrief, GameOverScreen)
        # the game id (in the report command) is the only text that differs from run to run
        debrief.set_text(debrief.text.replace(g.game_id, "g0123456789"))
        await settled(pilot)

    assert snap_compare(app, terminal_size=size, run_before=before)
