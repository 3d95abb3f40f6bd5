"""What students met in session 24, each on a real server and the real client."""

from __future__ import annotations

from test_tui_support import close_cards, modal, new_game, seat_app, static_text, until_online, wait_until
from textual import events
from textual.widgets import Input

from client_tui.white_cell import PositionScreen


async def test_keys_that_reach_a_field_before_its_focus_are_kept(url: str) -> None:
    """Student j23 typed "US hosts a summit; Mexico tightens ports" right after Tab and filed "ightens
    ports": in a terminal burst the first keys reached the next field before its focus event, which
    then selected them all, and the next key replaced them (seen again in tmux: red lines "rikes")."""
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        await until_online(pilot)
        await wait_until(pilot, lambda: "press w" in static_text(app, "#notice"))
        await close_cards(pilot)
        await pilot.press("w")
        pos = await modal(pilot, PositionScreen)
        red = pos.query_one("#pos-red", Input)
        text = "No US strikes"
        for ch in text[:5]:  # the keys the terminal delivered before the focus moved
            red.post_message(events.Key("space" if ch == " " else ch, ch))
        await pilot.pause(0.1)
        red.focus()
        await pilot.pause(0.1)
        for ch in text[5:]:
            red.post_message(events.Key("space" if ch == " " else ch, ch))
        await pilot.pause(0.3)
        assert red.value == text, red.value
        # a field tabbed into with nothing typed in between still selects what it holds, so typing
        # replaces an old answer as before
        goals = pos.query_one("#pos-goals", Input)
        goals.value = "old goals"
        goals.focus()
        await pilot.pause()
        await pilot.press("n", "e", "w")
        assert goals.value == "new", goals.value
