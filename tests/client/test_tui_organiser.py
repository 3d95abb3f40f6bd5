"""The new-game form asks for the organiser key only when the server says creating needs one."""

from __future__ import annotations

from typing import Any

from live_server import running_server
from test_tui_support import static_text, wait_until
from textual.pilot import Pilot
from textual.widgets import Input, Select

from client_tui.app import PrecursorApp
from client_tui.lobby import CodesScreen, CreateGameScreen

KEY = "room-204-key"


async def _open_form(app: PrecursorApp, pilot: Pilot[Any]) -> CreateGameScreen:
    await pilot.press("ctrl+n")
    await wait_until(pilot, lambda: isinstance(app.screen, CreateGameScreen), what="the form")
    form = app.screen
    assert isinstance(form, CreateGameScreen)
    await wait_until(pilot, lambda: form.query_one("#scenario", Select).value != Select.BLANK)
    return form


async def test_the_form_asks_for_the_key_and_a_wrong_one_is_refused_in_the_form() -> None:
    async with running_server("memory://", organiser_key=KEY) as url:
        app = PrecursorApp(url)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await _open_form(app, pilot)
            field = form.query_one("#organiser-key", Input)
            await wait_until(pilot, lambda: field.display, what="the key field")
            assert "organiser key" in static_text(app, "#form-status")
            form.query_one("#scenario", Select).value = "tutorial"
            field.focus()
            await pilot.press(*"wrong-key")
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: "organiser_key_required" in static_text(app, "#form-status"))
            assert isinstance(app.screen, CreateGameScreen)  # the form stays, with what was typed
            field.value = ""
            await pilot.press(*KEY)
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: isinstance(app.screen, CodesScreen), what="the join codes")


async def test_a_loopback_server_s_form_has_no_key_field() -> None:
    async with running_server("memory://") as url:
        app = PrecursorApp(url)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await _open_form(app, pilot)
            form.query_one("#scenario", Select).value = "tutorial"
            await pilot.pause(0.2)
            assert not form.query_one("#organiser-key", Input).display
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: isinstance(app.screen, CodesScreen), what="the join codes")
