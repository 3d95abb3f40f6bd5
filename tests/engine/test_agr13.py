"""Engine words a student checks against the screen (issue 14, session 13)."""

from __future__ import annotations

from precursor.game.commands import Actor, Advance, CommandEnvelope, CommandError, Order, SubmitOrders
from precursor.game.engine import Game
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
