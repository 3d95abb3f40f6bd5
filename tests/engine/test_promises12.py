"""How much an order now leaves room for: a promise's later turns walked on the values as the order
leaves them (``promises.order_spoils``, ``promises.clause_caps``), and the values a clause's outlook
cannot read named in words."""

from __future__ import annotations

from precursor.game.promises import Cap, Due, clause_caps, clause_outlook, order_spoils
from precursor.game.rulebook import Rulebook

DEMAND = {"actor": "us", "lever": "us_demand", "params": {"levels": 1}, "start_turn": 1, "duration": 2}
PROMISE = Due("agreement A1-MX-1", DEMAND, new=False)


def test_an_order_that_takes_the_programme_to_its_top_spoils_the_promise_of_a_later_turn(
    rb: Rulebook,
) -> None:
    """The US promised one demand level in turns 1 and 2, added two in turn 1 (the clause counted it
    kept) and could not order US-DEMAND in turn 2: the clause broke at 10 trust and 4 approval."""
    values = {"us.demand_level": 1.0, "flag.dem_pending": 0.0}
    (spoil,) = order_spoils(rb, values, "us_demand", {"levels": 2}, [PROMISE], turn=1, last_turn=3)
    assert spoil.label == "agreement A1-MX-1" and spoil.turn == 2
    assert spoil.why == (
        "US-DEMAND: the demand programme is already at its highest level, 3, counting the levels still"
        " maturing: the dashboard's programme level and its levels waiting to mature add up to 3"
    )
    assert spoil.moved == (("flag.dem_pending", 0.0, 2.0),)
    assert spoil.beside == (("us.demand_level", 1.0),)  # the level the pending ones add to
    assert (spoil.param, spoil.at_most) == ("levels", 1.0)
    # as much as the promise asks leaves room; so does any order once the promise has no later turn
    assert order_spoils(rb, values, "us_demand", {"levels": 1}, [PROMISE], turn=1, last_turn=3) == []
    assert order_spoils(rb, values, "us_demand", {"levels": 2}, [PROMISE], turn=2, last_turn=3) == []


def test_a_promise_broken_whatever_is_ordered_now_is_not_blamed_on_the_order(rb: Rulebook) -> None:
    """With the programme at its top already, the promise's turn 2 breaks without any order now: the
    outlook says so, not this check."""
    values = {"us.demand_level": 3.0, "flag.dem_pending": 0.0}
    assert order_spoils(rb, values, "us_demand", {"levels": 1}, [PROMISE], turn=1, last_turn=3) == []


def test_an_order_that_moves_nothing_a_promise_reads_spoils_nothing(rb: Rulebook) -> None:
    values = {"us.demand_level": 1.0, "flag.dem_pending": 0.0, "mx.me": 60.0}
    assert order_spoils(rb, values, "us_san_1", {"packages": 3}, [PROMISE], turn=1, last_turn=3) == []


def test_a_clause_kept_as_asked_says_how_much_its_earlier_turns_may_order(rb: Rulebook) -> None:
    """ "✓ can keep it: US-DEMAND can be ordered in each of turns 1–2" was true for one level a turn,
    and the student added two in turn 1."""
    values = {"us.demand_level": 1.0, "flag.dem_pending": 0.0}
    assert clause_outlook(rb, DEMAND, values, turn=1, last_turn=3).keep is True
    assert clause_caps(rb, DEMAND, values, turn=1, last_turn=3) == [Cap(1, "levels", 1.0)]
    # from level 0 turn 1 may add two and leave turn 2 its one
    assert clause_caps(rb, DEMAND, {**values, "us.demand_level": 0.0}, turn=1, last_turn=3) == [
        Cap(1, "levels", 2.0)
    ]
    # a clause of one turn has no later turn to spoil
    assert clause_caps(rb, {**DEMAND, "duration": 1}, values, turn=1, last_turn=3) == []


def test_the_values_an_outlook_cannot_read_are_named_by_the_callers_words(rb: Rulebook) -> None:
    """A student read "(played.cn_summit, played.us_summit)" in a proposal's outlook."""
    clause = {"actor": "cn", "lever": "cn_summit", "params": {}, "start_turn": 2, "duration": 1}
    found = clause_outlook(rb, clause, {"flag.summit_window": False}, turn=1, value_name=lambda k: f"<{k}>")
    assert found.keep is None
    assert "(<played.cn_summit>, <played.us_summit>)" in found.why, found.why
