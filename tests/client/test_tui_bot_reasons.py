"""A bot that turns a deal down says why, and the human who proposed it reads that in the client."""

from __future__ import annotations

from live_server import running_server
from test_tui_support import (
    advance_to,
    log_lines,
    new_game,
    seat_app,
    static_text,
    until_online,
    wait_until,
)

from precursor.client import GameClient
from precursor.game.commands import Clause, Propose


async def test_a_bots_rejection_reaches_the_human_proposer_with_a_sentence() -> None:
    """The sovereigntist Mexico never signs a deal framed as Mexico meeting US demands: the US seat's
    client shows its answer as a sentence (the deal's own framing, then the persona's public line) under
    the proposals, in the notice line and among the results; nothing hidden (no utility or threshold)."""
    async with running_server("memory://") as url:
        g, tokens = await new_game(url, teams=("us",), bots={"mx": "sovereigntist"})
        async with GameClient(url, g.game_id, g.facilitator_token) as fac:
            await advance_to(fac, "negotiation")
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await pilot.press("escape")  # the turn's injects come up as cards
            await pilot.press("4")
            deal = Propose(
                parties=["us", "mx"],
                clauses=[Clause(actor="mx", lever="mx_port", params={"intensity": 250})],
                framing="us_demand_met",
            )
            async with GameClient(url, g.game_id, tokens["us"]) as us:
                await us.send(deal)
            said = "Mexico declines: the deal is framed as meeting US demands."
            await wait_until(pilot, lambda: said in static_text(app, "#prop-replies"), what="the reason")
            replies = static_text(app, "#prop-replies")
            assert "T1-US-1 · " + said in replies
            assert "We do not sign 'demands met'." in replies  # the hard rule's own public line
            assert "utility" not in replies and "threshold" not in replies
            assert gs.model.proposals["T1-US-1"]["status"] == "rejected"
            await wait_until(pilot, lambda: said in static_text(app, "#notice"), what="the notice")
            await pilot.press("6")
            card = "[answer] T1-US-1: " + said
            await wait_until(
                pilot, lambda: card in " ".join(" ".join(log_lines(gs.results)).split()), what="the card"
            )
