"""A secret objective's state follows the values it reads (session 14): Mexico's "US tariff on
non-USMCA Mexican goods is 10 percent or less at the end" read "on track" in turn 2's briefing while
the new turn's inject had put the tariff at 25 percent; the rules' verdict was the one of turn 1's end."""

from __future__ import annotations

from test_tui_support import advance_to, close_cards, new_game, seat_app, until_online, wait_until

from precursor.client import GameClient


async def test_an_objective_judged_at_the_end_reads_the_values_as_they_are_now(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",), scenario="tariffs-and-terror")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "briefing", 2)
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        await wait_until(pilot, lambda: "10 percent or less" in gs.briefing._brief, what="briefing")
        await close_cards(pilot)
        tariff = next(i for i in gs.model.view["indicators"] if i["id"] == "tariff.mx")
        line = next(x for x in gs.briefing._brief.splitlines() if "10 percent or less" in x)
        assert tariff["value"] == 25.0, tariff  # the inject "The tariffs bite", at turn 2's start
        assert "on track" not in line, line
        assert (
            "not met as things stand: judged when the game ends (changed since the end of last turn)" in line
        )
