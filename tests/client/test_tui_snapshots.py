"""SVG snapshots of the client's main screens at 80×24 and 120×40 (pytest-textual-snapshot).

``snap_compare`` runs the app in its own event loop, so the server runs in a thread
(``EmbeddedServer``). Each test gets its own server and a game with a fixed seed and no bots, so
nothing races the screenshot; the only volatile text (the server's port in the lobby title, the game
id in the games table) is replaced before the shot. Refresh with ``--snapshot-update`` after a
deliberate change and check the SVGs in ``tests/client/__snapshots__/`` by eye.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from test_tui_support import advance_to, new_game, until_online, wait_until
from textual.pilot import Pilot
from textual.widgets import DataTable, Markdown, SelectionList, Static

from client_tui.app import PrecursorApp
from precursor.client import GameClient
from precursor.game.rulebook import Rulebook
from server.embedded import EmbeddedServer

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
Snap = Callable[..., bool]


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
        await pilot.pause()

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
        await pilot.pause()

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
        await pilot.pause()

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
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=before)
