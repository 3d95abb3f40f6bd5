"""A public statement is words: a blank one is refused by the form and by the server alike. A student's
blank praise of the United States was sent ("public statement sent") and moved trust 92 → 94."""

from __future__ import annotations

import pytest
from test_tui_support import advance_to, close_cards, modal, new_game, seat_app, static_text, until_online
from textual.widgets import Input, Select

from client_tui.panes.statement import StatementScreen
from precursor.client import GameClient
from precursor.client.connection import CommandRefused


async def test_a_blank_statement_is_not_set_and_the_server_refuses_one(url: str) -> None:
    g, tokens = await new_game(url, teams=("ca",), scenario="loose-talk")
    async with (
        GameClient(url, g.game_id, tokens["ca"]) as ca,
        GameClient(url, g.game_id, g.facilitator_token) as fac,
    ):
        await advance_to(fac, "orders")
        blank = {"kind": "praise", "target": "us", "text": "   "}
        with pytest.raises(CommandRefused) as refused:
            await ca.send({"type": "submit_orders", "orders": [], "statement": blank})
        assert refused.value.code == "bad_statement"
        assert "needs words" in refused.value.message
        app = seat_app(url, g, tokens["ca"])
        async with app.run_test(size=(120, 40)) as pilot:
            await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("5")
            await pilot.press("t")
            form = await modal(pilot, StatementScreen)
            form.query_one("#statement-kind", Select).value = "praise"
            await pilot.pause()
            form.query_one("#statement-target", Select).value = "us"
            await pilot.pause()
            assert "needs words" in static_text(app, "#statement-check")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, StatementScreen)  # not set: the form stays open
            assert "! not set — a public statement needs words" in static_text(app, "#statement-check")
            form.query_one("#statement-text", Input).value = "Ottawa and Washington stand together"
            await pilot.pause()
            assert static_text(app, "#statement-check").startswith("ok:")
