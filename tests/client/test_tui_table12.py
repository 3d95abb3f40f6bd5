"""What students tripped on in a whole game (issue 14, session 12): quitting a game under way, the
orders list at 80x24, the composer's defaults and limits, the proposals table's words and the press."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from live_server import running_server
from test_tui_support import (
    advance_to,
    close_cards,
    new_game,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.widgets import SelectionList, Static

from client_tui.app import PrecursorApp
from client_tui.widgets import Confirm
from precursor.client import GameClient


POSITION = {
    "type": "position",
    "goals": "Cut overdose deaths; get Mexico to arrest cartel leaders",
    "red_lines": "No US troops without consent",
    "expectations": "Mexico resists visible US pressure before the midterms",
}
FREE_ACTION = {
    "type": "free_action",
    "title": "Joint targeting cell",
    "description": "CBP and Mexican customs officers share a targeting cell at Nogales",
    "effects": [{"indicator": "trust.us_mx", "direction": "up", "size": "medium"}],
    "argument": "Mexican customs asked for this; a joint cell shares the credit",
}


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


async def test_at_80x24_the_orders_list_has_the_height_and_a_find_field_that_keeps_hidden_ticks(
    url: str,
) -> None:
    """At 80x24 the US's forty-odd levers showed four rows at a time, with no way to look one up: a
    student looking for US-ARMS scrolled blind."""
    g, tokens = await new_game(url, teams=("us",), scenario="three-weeks", seed=5)
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, tokens["us"]) as us,
    ):
        # a filed position and a free action under way: the notes the students had under the list
        await us.send(POSITION)
        await advance_to(fac, "orders")
        await us.send(FREE_ACTION)
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            await wait_until(pilot, lambda: bool(gs.model.view.get("levers")), what="the orders view")
            await close_cards(pilot)
            await pilot.press("5")
            await wait_until(pilot, lambda: "Joint targeting cell" in static_text(app, "#wc-info"))
            await pilot.pause(0.3)
            sl = gs.query_one("#order-list", SelectionList)
            assert sl.content_region.height >= 7, sl.region  # four rows before
            total = sl.option_count
            first = str(sl.get_option_at_index(0).value)
            sl.focus()
            await pilot.press("space")  # tick the first lever, then look another up
            await pilot.press("slash", "a", "r", "m", "s")
            await wait_until(pilot, lambda: sl.option_count < total, what="the list to narrow")
            codes = [gs.rb.levers[str(sl.get_option_at_index(i).value)].code for i in range(sl.option_count)]
            assert codes == ["US-ARMS"], codes
            assert "1 of" in str(sl.border_title) and "1 ticked lever hidden" in str(sl.border_title)
            await pilot.press("down", "space")  # down leaves the field for the list
            await pilot.pause()
            assert set(gs.orders.chosen()) == {first, "us_arms"}  # the hidden tick is kept
            assert "Orders left 2 of 4" in static_text(app, "#order-info")
            await pilot.press("slash", *["backspace"] * 4)
            await wait_until(pilot, lambda: sl.option_count == total, what="the whole list again")
            assert set(sl.selected) == {first, "us_arms"}
