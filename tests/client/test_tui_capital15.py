"""A proposal's text and its accept guard count the capital the agreements in force already take this turn
(session 15's student A: "✓ can keep it" on China's deal, though another deal signed that turn already took
3 of the United States' 4 PC; accepting then broke a clause). The composer's check did; the viewer's
counted only the proposal's own clauses."""

from __future__ import annotations

from test_tui_support import close_cards, new_game, seat_app, until_online, wait_until

from client_tui import terms
from precursor.client import GameClient


async def test_the_proposal_text_counts_what_an_agreement_signed_this_turn_costs(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx", "us"))
    first = [
        {"actor": "mx", "lever": "mx_presence", "params": {"level": 3}},
        {"actor": "mx", "lever": "mx_extradite", "params": {"batches": 2}},
    ]
    second = [{"actor": "mx", "lever": "mx_arrest"}, {"actor": "mx", "lever": "mx_port"}]
    async with GameClient(url, g.game_id, tokens["us"]) as us, GameClient(url, g.game_id, tokens["mx"]) as mx:
        await us.next_frame()
        await us.send({"type": "propose", "parties": ["us", "mx"], "clauses": first})
        await mx.send({"type": "respond", "proposal": "T1-US-1", "action": "accept"})
        await us.send({"type": "propose", "parties": ["us", "mx"], "clauses": second})
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await wait_until(
                pilot, lambda: "T1-US-2" in gs.model.proposals and gs.model.agreements, what="the deals"
            )
            p = gs.model.proposals["T1-US-2"]
            alone = terms.costs_by_party(gs.model, gs.rb, {"parties": ["mx"], "clauses": second})["mx"]
            assert alone is not None and alone <= float(gs.model.view["pc"]["mx"])  # alone it fits
            text = terms.proposal_text(gs.model, gs.rb, p)
            assert "! You cannot keep your side" in text, text
            assert "the agreements in force (A1-US-1)" in text, text
            assert terms.cannot_keep(gs.model, gs.rb, p)  # the accept guard asks, as the text says
