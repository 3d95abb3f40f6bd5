"""China's deny-and-deflect bot weighs leaders'-level steps in a deal with a leaders' summit (session 27).

Two students (Red Line as the United States, Election Season as Mexico) found no way to get China's
precursor steps: the bot declined each as "for leaders to agree when they meet", and nothing a player
could do opened a summit outside the scenario's calendar, not even US-SUMMIT with China in the same deal.
The November 2023 summit's counternarcotics steps came from exactly such a meeting (source 003), so a
deal that has the US President meet China's leader now counts as agreed at the leaders' level. The test
tables the deals through the engine's commands in Red Line's first negotiation, where no summit is open,
and lets the real bots answer through their driver.
"""

from __future__ import annotations

from typing import Any

from precursor.analysis.runner import SYSTEM
from precursor.analysis.simulate import resolve_personas
from precursor.game.bots import BotDriver
from precursor.game.commands import Actor, Advance, Clause, CommandEnvelope, Propose
from precursor.game.engine import Game
from precursor.game.rulebook import default_rulebook

RB = default_rulebook()


def _answer(us_clause: Clause) -> dict[str, Any]:
    """China's answer to a China-initiative directive for the given US clause, with no summit open."""
    personas = resolve_personas(RB, "red-line")
    assert personas["cn"] == "deny_and_deflect"
    del personas["us"]
    driver = BotDriver(RB, personas, 52)
    game = Game.new(RB, "red-line", 52)
    game.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))
    assert game.state.phase == "negotiation" and not game.state.env["flag.summit_window"]
    clauses = [Clause(actor="cn", lever="cn_directive", params={}, start_turn=1, duration=1), us_clause]
    cmd = Propose(
        parties=["us", "cn"], clauses=clauses, visibility="public", framing="china_initiative", expires_turn=2
    )
    game.handle(CommandEnvelope(actor=Actor(role="player", team="us", name="student"), command=cmd))
    pid = list(game.state.proposals)[-1]
    start = len(game.log)
    for envelope in driver(game, "negotiation"):
        game.handle(envelope)
    (answer,) = [
        e
        for e in game.log[start:]
        if e["type"] == "proposal_response" and e["proposal"] == pid and e["team"] == "cn"
    ]
    return answer


def test_a_working_level_deal_is_still_declined_and_the_refusal_says_how_leaders_meet() -> None:
    answer = _answer(Clause(actor="us", lever="us_arms", params={}, start_turn=1, duration=1))
    reason = str(answer.get("reason"))
    assert answer["action"] == "reject", answer
    assert "for leaders to agree when they meet" in reason, reason
    assert "US-SUMMIT" in reason, reason  # the student now reads what would open the leaders' level


def test_a_deal_with_a_leaders_summit_is_not_declined_as_working_level() -> None:
    summit = Clause(actor="us", lever="us_summit", params={"partner": "cn"}, start_turn=1, duration=1)
    answer = _answer(summit)
    reason = str(answer.get("reason"))
    assert "for leaders to agree when they meet" not in reason, answer
    # the deal is now weighed on its worth: China answers with its price instead of a line it will not cross
    assert reason.startswith("China declines: what the deal offers") or answer["action"] == "accept", reason
    assert "would sign it with" in reason or answer["action"] == "accept", reason
