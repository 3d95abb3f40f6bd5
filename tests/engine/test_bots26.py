"""A bot's refusal names the lever as it was asked for (session 26).

Two students (Red Line as the United States, Election Season as Mexico) asked China's deny-and-deflect
bot for CN-KYC on 15 and on 20 chemicals outside a summit; both read "China declines: the deal asks
China for CN-KYC (…, chemicals covered: at least 13)" — the rules' default, not what they had asked. The
test tables the deal through the engine's commands in Red Line's first negotiation and lets the real bots
answer through their driver.
"""

from __future__ import annotations

from precursor.analysis.runner import SYSTEM
from precursor.analysis.simulate import resolve_personas
from precursor.game.bots import BotDriver
from precursor.game.commands import Actor, Advance, Clause, CommandEnvelope, Propose
from precursor.game.engine import Game
from precursor.game.rulebook import default_rulebook

RB = default_rulebook()


def test_a_stated_rule_refusal_words_the_clause_as_tabled() -> None:
    personas = resolve_personas(RB, "red-line")
    assert personas["cn"] == "deny_and_deflect"
    del personas["us"]
    driver = BotDriver(RB, personas, 52)
    game = Game.new(RB, "red-line", 52)
    game.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))
    assert game.state.phase == "negotiation" and not game.state.env["flag.summit_window"]
    clauses = [
        Clause(actor="cn", lever="cn_kyc", params={"precursors": 15}, start_turn=1, duration=1),
        Clause(actor="us", lever="us_arms", params={}, start_turn=1, duration=1),
    ]
    cmd = Propose(
        parties=["us", "cn"], clauses=clauses, visibility="public", framing="china_initiative", expires_turn=2
    )
    game.handle(CommandEnvelope(actor=Actor(role="player", team="us", name="student"), command=cmd))
    pid = list(game.state.proposals)[-1]
    start = len(game.log)
    for envelope in driver(game, "negotiation"):
        game.handle(envelope)
    (reason,) = [
        str(e.get("reason"))
        for e in game.log[start:]
        if e["type"] == "proposal_response" and e["proposal"] == pid and e["team"] == "cn"
    ]
    assert reason.startswith("China declines: the deal asks China for CN-KYC ("), reason
    assert "at least 15" in reason and "13" not in reason, reason
    assert "for leaders to agree when they meet" in reason
