"""The facilitator at the table: getting back in with the token, the join codes in the console, the
new-game form read without colour, results in words, and injects that wait for a student's typing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from live_server import running_server
from test_tui_support import new_game, static_text, until_online, wait_until
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from client_tui.app import PrecursorApp
from client_tui.game_screen import GameScreen
from client_tui.lobby import CodesScreen, LobbyScreen
from precursor.client import LobbyClient


async def settled(pilot: Pilot[Any]) -> GameScreen:
    """Online, and done reading the log's earlier injects (a test that quits while that worker still
    runs tears the screen down under it)."""
    gs = await until_online(pilot)
    await wait_until(
        pilot,
        lambda: not any(w.group == "history" and not w.is_finished for w in gs.workers),
        what="the history to be read",
    )
    return gs


@pytest.fixture
async def url() -> AsyncIterator[str]:
    async with running_server("memory://") as u:
        yield u


# ---------------------------------------------------------------------- 1 getting back in


async def test_the_facilitator_token_on_the_command_line_opens_the_console(url: str) -> None:
    """play --code TOKEN: the lobby finds the token's game and opens it as the facilitator."""
    await new_game(url, teams=())  # another game, listed first or not: the token finds its own
    g, _ = await new_game(url, teams=("mx",))
    app = PrecursorApp(url, code=g.facilitator_token)
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await settled(pilot)
        assert gs.game_id == g.game_id and gs.model.role == "facilitator"
        assert "facilitator │ T1 briefing" in static_text(app, "#status")


async def test_the_token_typed_in_the_lobby_rejoins_and_a_wrong_one_is_refused(url: str) -> None:
    g, _ = await new_game(url, teams=())
    await new_game(url, teams=())
    app = PrecursorApp(url)
    async with app.run_test(size=(80, 24)) as pilot:
        lobby = app.screen
        assert isinstance(lobby, LobbyScreen)
        await wait_until(pilot, lambda: lobby.query_one("#games", DataTable).row_count == 2)
        field = lobby.query_one("#code", Input)
        field.focus()
        await pilot.press(*"not-a-token-at-all")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "nor the token of a game" in static_text(app, "#lobby-status"))
        assert isinstance(app.screen, LobbyScreen)
        field.value = g.facilitator_token
        await pilot.press("enter")
        gs = await settled(pilot)
        assert gs.game_id == g.game_id and gs.model.role == "facilitator"


async def test_the_codes_window_shows_the_token_and_how_to_get_back_in(url: str) -> None:
    async with LobbyClient(url) as lobby:
        g = await lobby.create_game("tutorial", seed=3)
    app = PrecursorApp(url)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(CodesScreen(g.model_dump(), url))
        await wait_until(pilot, lambda: g.game_id in static_text(app, "#codes-text"))
        text = static_text(app, "#codes-text")
        assert g.facilitator_token in text
        assert f"precursor play {url} --code {g.facilitator_token}" in text
        assert "lobby's code field" in text
