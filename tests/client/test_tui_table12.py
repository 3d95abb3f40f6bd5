"""What students tripped on in a whole game (issue 14, session 12): quitting a game under way, the
orders list at 80x24, the composer's defaults and limits, the proposals table's words and the press."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from live_server import running_server
from test_tui_support import close_cards, new_game, seat_app, until_online, wait_until
from textual.widgets import Static

from client_tui.app import PrecursorApp
from client_tui.widgets import Confirm


@pytest.fixture
async def url() -> AsyncIterator[str]:
    async with running_server("memory://") as u:
        yield u


async def test_ctrl_q_in_a_game_under_way_asks_first_and_says_how_to_come_back(url: str) -> None:
    """A student quit a solo game with ctrl+q by mistake and lost it: nothing asked, nothing said
    the game was saved or how to return to it."""
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(100, 30)) as pilot:
        await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm), what="the question")
        text = str(app.screen.query_one("#confirm-text", Static).render())
        assert "The game is not over" in text, text
        assert f"precursor play {url} --code {tokens['mx']}" in text, text
        await pilot.press("n")  # keep playing: back in the game
        await wait_until(pilot, lambda: not isinstance(app.screen, Confirm))
        assert not app._exit
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm), what="the question again")
        await pilot.press("ctrl+q")  # a second ctrl+q means yes
        await wait_until(pilot, lambda: app._exit, what="the app to quit")
    assert app.return_code == 0


def test_a_solo_game_names_the_store_to_serve_again_or_says_quitting_loses_it() -> None:
    """Solo play stops its own server on quitting: a game in a file can be served again, one kept in
    memory is gone."""
    line = PrecursorApp("http://x", solo_store="sqlite:///tmp/games.db").come_back("tok")
    assert "precursor serve --store sqlite:///tmp/games.db" in line and "precursor play --code tok" in line
    assert "loses it" in PrecursorApp("http://x", solo_store="memory://").come_back("tok")
