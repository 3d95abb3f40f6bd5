"""A promise of a standing level (a tariff rate, an enforcement level) is kept while the level stands:
the outlook counts such a turn as kept with nothing to order, and an order of the lever that leaves the
level alone (a tariff on another partner) keeps it too."""

from __future__ import annotations

from precursor.game.promises import clause_outlook, level_holds, level_kept_after
from precursor.game.rulebook import Rulebook

RELIEF = {
    "actor": "us",
    "lever": "us_tariff",
    "params": {"target": "mx", "rate": 0, "mode": "impose"},
    "start_turn": 1,
    "duration": 2,
}
VALUES = {"tariff.mx": 0.0, "tariff.ca": 0.0, "tariff.cn": 10.0, "flag.tariff_court_turns": 0.0}


def test_a_rate_already_at_the_promise_is_kept_with_nothing_to_order(rb: Rulebook) -> None:
    """A student's United States re-ordered 0 % relief on a rate already at 0, at 3 PC a turn."""
    seen = clause_outlook(rb, RELIEF, VALUES, turn=1, last_turn=5)
    assert seen.keep is True
    assert [t.status for t in seen.turns] == ["done", "done"]
    assert seen.why == "the level US-TARIFF would set already stands: kept with nothing to order"


def test_a_rate_above_the_promise_needs_the_order(rb: Rulebook) -> None:
    seen = clause_outlook(rb, RELIEF, {**VALUES, "tariff.mx": 25.0}, turn=1, last_turn=5)
    assert seen.keep is True
    # relief ordered in turn 1 sets the rate to 0, so turn 2 is kept by the level
    assert [t.status for t in seen.turns] == ["order", "done"]


def test_a_threat_is_an_act_not_a_level(rb: Rulebook) -> None:
    threat = {**RELIEF, "params": {"target": "mx", "rate": 0, "mode": "threat"}}
    assert level_holds(rb.levers["us_tariff"], threat["params"], VALUES) is False
    assert level_holds(rb.levers["us_tariff"], RELIEF["params"], {}) is None  # the rate is not known


def test_an_order_that_leaves_the_level_keeps_the_promise_and_one_that_moves_it_does_not(
    rb: Rulebook,
) -> None:
    lv = rb.levers["us_tariff"]
    held = RELIEF["params"]
    assert level_kept_after(rb, lv, held, {"target": "ca", "rate": 25, "mode": "impose"}, VALUES)
    assert not level_kept_after(rb, lv, held, {"target": "mx", "rate": 25, "mode": "impose"}, VALUES)
    me = rb.levers["mx_me"]
    assert level_holds(me, {"level": 60}, {"mx.me": 70.0}) is True
    assert not level_kept_after(rb, me, {"level": 60}, {"level": 50}, {"mx.me": 70.0})
