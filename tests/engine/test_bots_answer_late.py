"""Bots sign, in the same negotiation phase, the proposals tabled to them by teams that act after them."""

from __future__ import annotations

from precursor.analysis.runner import play
from precursor.game.bots import BotDriver
from precursor.game.rulebook import default_rulebook

RB = default_rulebook()


def test_a_bot_signs_a_proposal_tabled_after_it_decided_in_the_same_phase() -> None:
    personas = dict(RB.scenarios["tutorial"].model.personas)
    game, refused = play(RB, "tutorial", 0, None, bots=BotDriver(RB, personas, 0), until_turn=1)
    assert not refused
    props = game.state.proposals
    # Canada acts after the US and Mexico, and both sign its trilateral package in the turn it is tabled
    assert props["T1-CA-1"]["status"] == "signed"
    assert set(props["T1-CA-1"]["accepted"]) == {"us", "mx", "ca"}
    # Mexico's package, which the institutionalist would refuse at this trust, waits for next turn's answer
    assert props["T1-MX-1"]["status"] == "open" and props["T1-MX-1"]["accepted"] == ["mx"]
