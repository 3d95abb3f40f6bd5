"""A secret objective already lost, as a student met it (session 13): Mexico's "China answers the
letter ... never issues a flat denial (CN-DENY)" was settled when China denied in turn 1, and the
briefing still said "not met as things stand: judged when the game ends" in turn 5."""

from __future__ import annotations

from live_server import running_server
from test_tui_support import advance_to, close_cards, new_game, seat_app, until_online, wait_until

from precursor.client import GameClient


async def test_an_objective_that_can_no_longer_be_met_says_missed_and_when() -> None:
    async with running_server("memory://") as url:
        bots = {"us": "institutionalist", "cn": "deny_and_deflect", "ca": "trilateralist"}
        g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk", bots=bots)
        async with GameClient(url, g.game_id, g.facilitator_token) as fac:
            await advance_to(fac, "briefing", 2)
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await wait_until(
                pilot, lambda: "China answers Mexico's letter (MX-XI)" in gs.briefing._brief, what="briefing"
            )
            await close_cards(pilot)
            line = next(
                x for x in gs.briefing._brief.splitlines() if "China answers Mexico's letter (MX-XI)" in x
            )
            assert "missed — decided in turn 1: it can no longer be met" in line, line
            assert "not met as things stand" not in line, line
            # one that can still come good keeps its words
            others = [x for x in gs.briefing._brief.splitlines() if "secret," in x and x != line]
            assert others and all("missed" not in x for x in others), others
