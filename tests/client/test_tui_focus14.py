"""The channels tab as a student met it (session 13): `3` put the focus in the message box, so the
next tab key, `4`, and Enter sent "4" to the United States. `3` now opens the tab at the channel list,
where the tab keys still work; typing starts in the box after Enter on a channel."""

from __future__ import annotations

from test_tui_support import close_cards, new_game, seat_app, until_online, wait_until
from textual.widgets import Input, ListView, TabbedContent

from precursor.client import GameClient


async def test_a_tab_key_after_the_channels_tab_is_a_tab_key_and_enter_sends_nothing(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx", "us"))
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        await us.next_frame()
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("3")
            chans = gs.query_one("#chan-list", ListView)
            assert gs.focused is chans, gs.focused
            await pilot.press("4", "enter")
            tabs = gs.query_one("#tabs", TabbedContent)
            await wait_until(pilot, lambda: tabs.active == "proposals", what="the proposals tab")
            composer = gs.query_one("#composer", Input)
            assert composer.value == ""
            await pilot.pause(0.3)
            sent = [m for msgs in gs.model.messages.values() for m in msgs if m.get("text") == "4"]
            assert sent == [], sent
            # the explicit step: Enter on a channel puts the typing in its box
            await pilot.press("3")
            await wait_until(pilot, lambda: gs.focused is chans, what="the channel list")
            await pilot.press("enter")
            await wait_until(pilot, lambda: gs.focused is composer, what="the message box")
            await pilot.press(*"hola", "enter")
            await wait_until(
                pilot,
                lambda: any(m.get("text") == "hola" for msgs in gs.model.messages.values() for m in msgs),
                what="the message sent",
            )
