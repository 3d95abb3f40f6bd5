"""An agreement's record as a team outside it reads it (session 13): Mexico's proposals tab said
"A4-US-2 (United States and Canada) completed, turns 4-4: kept 0, broken 0" and its end screen
"A4-US-2 ... broken by United States". The clauses are reported to the parties only; the tab now says
what every screen says: who broke it, or that every party kept it."""

from __future__ import annotations

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

from client_tui.panes.game_over import _agreement_lines
from precursor.client import GameClient
from precursor.game.commands import Clause, Propose, Respond


async def test_a_public_deal_broken_by_a_partner_reads_the_same_to_a_team_outside_it() -> None:
    async with running_server("memory://") as url:
        g, tokens = await new_game(url, teams=("us", "mx", "ca"))
        async with (
            GameClient(url, g.game_id, g.facilitator_token) as fac,
            GameClient(url, g.game_id, tokens["us"]) as us,
            GameClient(url, g.game_id, tokens["ca"]) as ca,
        ):
            await advance_to(fac, "negotiation")
            deal = Propose(
                parties=["us", "ca"], clauses=[Clause(actor="us", lever="us_arms")], visibility="public"
            )
            await us.send(deal)
            await ca.send(Respond(proposal="T1-US-1", action="accept"))
            await advance_to(fac, "briefing", 2)  # the US never orders US-ARMS: it breaks the deal
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("4")
            await wait_until(
                pilot, lambda: "A1-US-1" in static_text(app, "#agreements"), what="the agreement"
            )
            footer = " ".join(static_text(app, "#agreements").split())
            assert "A1-US-1 (United States and Canada)" in footer, footer
            assert "broken by United States" in footer, footer
            assert "kept 0, broken 0" not in footer, footer
            # the end screen's words for the same agreement
            assert _agreement_lines(gs.model, gs.rb) == [
                "  A1-US-1 (United States, Canada): broken by United States"
            ]
