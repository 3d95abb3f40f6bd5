"""Keys as a student types them: quickly, in bursts, into text fields. A letter typed into a field
never fires a key of the screen behind it, and Tab and Backspace act where they were typed."""

from __future__ import annotations

from typing import Any

from test_tui_support import close_cards, new_game, seat_app, until_online, wait_until
from textual import events
from textual.app import App
from textual.widgets import Input

from client_tui.game_screen import GameScreen
from client_tui.white_cell import PositionScreen

NAMED = {" ": ("space", " "), "\b": ("backspace", None), "\t": ("tab", None)}


def burst(app: App[Any], text: str) -> None:
    """Keys as a terminal delivers a fast typist's: all queued at once, none waited on (Pilot's
    ``press`` waits for the app to go idle after each key, which no typist does)."""
    for ch in text:
        key, char = NAMED.get(ch, (ch, ch))
        app.post_message(events.Key(key, char))


async def test_a_sentence_typed_right_after_a_tab_key_goes_into_the_field(url: str) -> None:
    """A sentence typed fast into the channel's message box held `f` and `w`, which used to open the
    free-action form and the position form over the channel. `3` then `4` is two tab keys (session 14:
    `3` opens the tab at the channel list; Enter on a channel goes into its box)."""
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("5")
        await wait_until(pilot, lambda: gs.focused is not None and gs.focused.id == "order-list")
        burst(app, "34")
        await wait_until(pilot, lambda: gs.focused is not None and gs.focused.id == "prop-table")
        await pilot.press("3", "enter")
        composer = gs.query_one("#composer", Input)
        await wait_until(pilot, lambda: gs.focused is composer, what="the message box")
        burst(app, "we will fight hard")
        await wait_until(pilot, lambda: composer.value == "we will fight hard", what="the sentence typed")
        await pilot.pause(0.2)
        assert isinstance(app.screen, GameScreen), app.screen_stack
        assert gs.focused is composer


async def test_fast_typing_in_the_position_form_keeps_tab_and_backspace(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("5")
        await wait_until(pilot, lambda: gs.focused is not None and gs.focused.id == "order-list")
        burst(app, "wsafe bordrr\b\ber\tno raids\tfair play")
        await wait_until(pilot, lambda: isinstance(app.screen, PositionScreen), what="the position form")
        form = app.screen
        fields = ("#pos-goals", "#pos-red", "#pos-expect")
        want = ("safe border", "no raids", "fair play")
        await wait_until(
            pilot,
            lambda: tuple(form.query_one(f, Input).value for f in fields) == want,
            what=f"the fields to read {want}",
        )
        await pilot.pause(0.2)
        assert tuple(form.query_one(f, Input).value for f in fields) == want
        assert form.focused is form.query_one("#pos-expect", Input)
