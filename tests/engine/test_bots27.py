"""China's deny-and-deflect bot weighs leaders'-level steps in a deal with a leaders' summit (session 27).

Two students (Red Line as the United States, Election Season as Mexico) found no way to get China's
precursor steps: the bot declined each as "for leaders to agree when they meet", and nothing a player
could do opened a summit outside the scenario's calendar, not even US-SUMMIT with China in the same deal.
The November 2023 summit's counternarcotics steps came from exactly such a meeting (source 003), so a
deal that has the US President meet China's leader now counts as agreed at the leaders' level. The deals
are tabled in Red Line's first negotiation, where no summit is open.
"""

from __future__ import annotations

from typing import Any

from test_bots_bargaining import _answer, _negotiation, _propose


def _china_answers(us_clause: tuple[str, str, dict[str, Any], int]) -> tuple[str, str]:
    """China's decision on a China-initiative directive for the given US clause, and what the US reads."""
    game = _negotiation("red-line", 52)
    assert not game.state.env["flag.summit_window"]
    clauses = [("cn", "cn_directive", {}, 1), us_clause]
    pid = _propose(game, "us", ["us", "cn"], clauses, "china_initiative")
    decision, _reason, said = _answer(game, "cn", "deny_and_deflect", pid)
    return decision, said


def test_a_working_level_deal_is_still_declined_and_the_refusal_says_how_leaders_meet() -> None:
    decision, said = _china_answers(("us", "us_arms", {}, 1))
    assert decision == "reject", said
    assert "for leaders to agree when they meet" in said, said
    assert "US-SUMMIT" in said, said  # the student now reads what would open the leaders' level


def test_a_deal_with_a_leaders_summit_is_not_declined_as_working_level() -> None:
    decision, said = _china_answers(("us", "us_summit", {"partner": "cn"}, 1))
    assert "for leaders to agree when they meet" not in said, said
    # the deal is now weighed on its worth: China signs, or answers with its price
    assert decision == "accept" or "would sign it with" in said, (decision, said)
