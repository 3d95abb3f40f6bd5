"""Bots answer, in the same negotiation phase, the proposals tabled to them by teams that act after them."""

from __future__ import annotations

from precursor.analysis.runner import play
from precursor.game.bots import BotDriver
from precursor.game.rulebook import default_rulebook
from precursor.game.schema import TEAMS

RB = default_rulebook()


def test_a_bot_answers_a_proposal_tabled_after_it_decided_in_the_same_phase() -> None:
    personas = dict(RB.scenarios["tutorial"].model.personas)
    game, refused = play(RB, "tutorial", 0, None, bots=BotDriver(RB, personas, 0), until_turn=1)
    assert not refused
    later = [
        (p, t)
        for p in game.state.proposals.values()
        if p["turn"] == 1
        for t in p["parties"]
        if TEAMS.index(t) < TEAMS.index(p["from"])
    ]
    # Mexico's opening package to the US, and Canada's trilateral one to the US and Mexico
    assert {(p["id"], t) for p, t in later} >= {("T1-MX-1", "us"), ("T1-CA-1", "us"), ("T1-CA-1", "mx")}
    for p, team in later:
        assert p["status"] != "open" or team in p["accepted"], (p["id"], team, p["status"])
