"""The facilitator's console seats a bot in one seat of a team played by several people (Mexico's
security seat under a human president), by the seat's name; before, it offered whole teams only."""

from __future__ import annotations

import asyncio

from test_tui_support import until_online, wait_until
from textual.widgets import Button, Select

from client_tui.app import PrecursorApp
from precursor.client import GameClient, LobbyClient


async def test_the_console_puts_a_bot_in_mexico_s_security_seat(url: str) -> None:
    async with LobbyClient(url) as lb:
        g = await lb.create_game("loose-talk", seed=3, seats={"mx": ["president", "security"]})
    app = PrecursorApp(url, game_id=g.game_id, token=g.facilitator_token)
    async with app.run_test(size=(120, 40)) as pilot, asyncio.timeout(60):
        gs = await until_online(pilot)
        await pilot.press("7")
        team = gs.query_one("#f-team", Select)
        options = lambda: {str(label): v for label, v in team._options if isinstance(v, str)}  # noqa: E731
        await wait_until(pilot, lambda: "mx/security" in options().values(), what="the seats")
        labels = options()
        assert labels["MX: Security cabinet and prosecutors only"] == "mx/security"
        assert labels["MX: President only"] == "mx/president"
        assert not any(v.startswith("us/") for v in labels.values()), "the US is one seat"
        team.value = "mx/security"
        persona = gs.query_one("#f-persona", Select)
        await wait_until(
            pilot, lambda: any(v == "sovereigntist" for _, v in persona._options), what="personas"
        )
        persona.value = "sovereigntist"
        gs.query_one("#f-set", Button).press()
        async with GameClient(url, g.game_id, g.facilitator_token) as fac:

            async def seated() -> bool:
                await fac.refresh()
                return (fac.session or {}).get("controllers", {}).get("mx/security") == "sovereigntist"

            for _ in range(50):
                if await seated():
                    break
                await asyncio.sleep(0.1)
            assert await seated()
            assert "mx" not in fac.session["controllers"], "the president's seat stays human"
