"""Engine words a student checks against the screen (issue 14, session 13)."""

from __future__ import annotations

from precursor.game.commands import Actor, Advance, CommandEnvelope, CommandError, Order, SubmitOrders
from precursor.game.engine import Game
from precursor.game.promises import Due, clause_caps, order_spoils
from precursor.game.rulebook import Rulebook


def _until(g: Game, phase: str) -> None:
    while g.state.phase != phase:
        g.handle(CommandEnvelope(actor=Actor(role="system"), command=Advance()))


def test_the_demand_programmes_top_is_said_with_the_levels_still_maturing(rb: Rulebook) -> None:
    """A student was refused US-DEMAND as "already at its highest level" with the dashboard's level at
    1: two more levels were maturing. The refusal names both values as the dashboard names them."""
    g = Game.new(rb, "loose-talk", 1)
    g.state.env["us.demand_level"] = 1
    g.state.env["flag.dem_pending"] = 2
    _until(g, "orders")
    order = SubmitOrders(orders=[Order(lever="us_demand", params={"levels": 1})])
    try:
        g.handle(CommandEnvelope(actor=Actor(team="us"), command=order))
        raise AssertionError("US-DEMAND was taken with the programme full")
    except CommandError as exc:
        said = exc.message
    assert "highest level, 3, counting the levels still maturing" in said, said
    level = rb.indicators["us.demand_level"].name.lower()
    waiting = rb.indicators["flag.dem_pending"].name.lower()
    assert "programme level" in level and "programme level" in said, (level, said)
    assert "levels waiting to mature" in waiting and "levels waiting to mature" in said, (waiting, said)
    # two levels with one of room: the other message says the same
    g.state.env["flag.dem_pending"] = 1
    order = SubmitOrders(orders=[Order(lever="us_demand", params={"levels": 2})])
    try:
        g.handle(CommandEnvelope(actor=Actor(team="us"), command=order))
        raise AssertionError("two levels were taken with room for one")
    except CommandError as exc:
        assert "counting the levels still maturing" in exc.message, exc.message


def test_more_enforcement_now_leaves_a_lower_promise_room_later(rb: Rulebook) -> None:
    """A student read "at most 60 in turn 1 (more would leave a later turn of it no room)" of a
    promise of MX-ME at 40 for three turns: any level of 40 or more keeps it, and from 80 the next turn
    may still order 60 (20 points a turn). No cap and no spoiled promise is said; a real cap is."""
    values = {**Game.new(rb, "tutorial", 1).state.env, "mx.me": 60.0, "flag.humanitarian_cap": 0.0}
    clause = {"actor": "mx", "lever": "mx_me", "params": {"level": 40}, "start_turn": 1, "duration": 3}
    assert clause_caps(rb, clause, values, turn=1, last_turn=6) == []
    due = [Due("agreement A1-MX-1", {**clause, "start_turn": 1})]
    assert order_spoils(rb, values, "mx_me", {"level": 80}, due, turn=1, last_turn=6) == []
    # US-DEMAND's top does bind, and the cap carries the rule's words for the later turn
    demand = {"actor": "us", "lever": "us_demand", "params": {"levels": 1}, "start_turn": 1, "duration": 2}
    (cap,) = clause_caps(rb, demand, {**values, "us.demand_level": 1.0}, turn=1, last_turn=6)
    assert (cap.turn, cap.at_most, cap.later) == (1, 1.0, 2) and "highest level" in cap.why, cap
