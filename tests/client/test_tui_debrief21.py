"""The end screen's evidence for an objective, as student a20 met it (Loose Talk, Mexico): the debrief said
the United States' US-ARMS was "ordered in turns 3, 4" while the results of turn 1 had shown it carried out
as agreed; the US had ordered it privately, and the check of a deal the two shared (compliance checked by
both sides) was what told Mexico of it."""

from __future__ import annotations

from test_tui_support import (
    advance_to,
    debrief_text,
    new_game,
    play_to_the_end,
    seat_app,
    until_online,
    wait_until,
)

from precursor.client import GameClient

ARMS = {"actor": "us", "lever": "us_arms", "params": {}, "start_turn": 1, "duration": 1}


async def test_a_partners_private_order_checked_by_a_deal_counts_as_seen(url: str) -> None:
    g, tokens = await new_game(url, teams=("us", "mx"), scenario="loose-talk")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        async with (
            GameClient(url, g.game_id, tokens["us"]) as us,
            GameClient(url, g.game_id, tokens["mx"]) as mx,
            GameClient(url, g.game_id, g.facilitator_token) as fac,
        ):
            await advance_to(fac, "negotiation")
            deal = {"type": "propose", "parties": ["us", "mx"], "clauses": [ARMS], "verification": "joint"}
            await us.send(deal)
            await wait_until(pilot, lambda: "T1-US-1" in gs.model.proposals, what="the proposal")
            await mx.send({"type": "respond", "proposal": "T1-US-1", "action": "accept"})
            await wait_until(pilot, lambda: "A1-US-1" in gs.model.agreements, what="the deal")
            await advance_to(fac, "orders")
            order = {"lever": "us_arms", "params": {}, "visibility": "private"}
            await us.send({"type": "submit_orders", "orders": [order]})
            await play_to_the_end(fac, pilot, lambda: gs.model.ended)
        text = await debrief_text(pilot, app)
    seen = " ".join(text[text.index("\nObjectives\n") : text.index("\nAgreements\n")].split())
    assert "Disrupt southbound weapons and cash (US-ARMS) ordered in turn 1;" in seen, seen
    assert "another team's private orders reach you only when a deal you share checks them" in seen, seen
    # met, beside another team's lever not seen ordered: whose verdict it is (student f21 read "✓ met"
    # over three orders "not seen" and took the screen to contradict itself)
    assert "— the verdict is the game's, which sees every order; another team's private orders" in seen, seen
