"""A clause on a once-per-game lever read in full (the proposal's text in the proposals tab): the
composer offers it as one act, and the full text said "for 3 turns" beside it."""

from __future__ import annotations

from client_tui import terms
from precursor.game.rulebook import default_rulebook


def test_a_once_only_clause_reads_as_one_act_whatever_its_duration() -> None:
    rb = default_rulebook()
    assert rb.levers["mx_plan_3"].once
    text = terms.clause_words(rb, {"actor": "mx", "lever": "mx_plan_3", "duration": 3, "start_turn": 2})
    assert "for 3 turns" not in text
    assert "once from turn 2" in text
    assert "once from turn 2 (a once-per-game act: done once, it keeps the whole clause)" in text
    undated = terms.clause_words(rb, {"actor": "mx", "lever": "mx_plan_3", "duration": 2})
    assert undated.endswith("once (a once-per-game act: done once, it keeps the whole clause)")
    one = terms.clause_words(rb, {"actor": "mx", "lever": "mx_plan_3", "duration": 1, "start_turn": 2})
    # one turn of a one-off act is one act: the composer said "once", the proposal "for 1 turn" (session 18)
    assert one.endswith("once, in turn 2"), one
    # a lever that can be played every turn keeps its duration
    me = terms.clause_words(rb, {"actor": "mx", "lever": "mx_me", "params": {"level": 70}, "duration": 3})
    assert "for 3 turns" in me
