"""Engine texts a player reads (session 12): a clause broken by a weaker order says what was played."""

from __future__ import annotations

from typing import Any

from precursor.game.commands import (
    Actor,
    Advance,
    Clause,
    CommandEnvelope,
    Order,
    Propose,
    Respond,
    SubmitOrders,
)
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook

SYSTEM = Actor(role="system")


def _adv(g: Game) -> None:
    g.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))


def _as(team: str, cmd: Any) -> CommandEnvelope:
    return CommandEnvelope(actor=Actor(team=team), command=cmd)


def _me_deal(rb: Rulebook, mx_orders: list[Order]) -> list[dict[str, Any]]:
    """Mexico promises MX-ME at 70 this turn, then plays ``mx_orders``: the compliance events."""
    g = Game.new(rb, "election-season", 1)
    _adv(g)
    clause = Clause(actor="mx", lever="mx_me", params={"level": 70})
    g.handle(_as("mx", Propose(parties=["us", "mx"], visibility="public", clauses=[clause])))
    g.handle(_as("us", Respond(proposal="T1-MX-1", action="accept")))
    while g.state.phase != "orders":
        _adv(g)
    g.handle(_as("mx", SubmitOrders(orders=mx_orders)))
    _adv(g)
    return [e for e in g.log if e["type"] == "compliance"]


def test_a_clause_broken_by_a_weaker_order_says_what_was_played(rb: Rulebook) -> None:
    """A student played MX-ME at 60 under a clause for 70 and read "Mexico did not play MX-ME as
    agreed": the reason names the level played and the level agreed, in the rules' label."""
    (ev,) = _me_deal(rb, [Order(lever="mx_me", params={"level": 60})])
    assert not ev["met"]
    assert ev["reason"] == "MX played MX-ME at enforcement level 60, short of the 70 agreed in A1-MX-1"


def test_a_clause_whose_lever_was_not_played_still_says_so(rb: Rulebook) -> None:
    (ev,) = _me_deal(rb, [])
    assert not ev["met"]
    assert ev["reason"] == "MX did not play MX-ME as agreed in A1-MX-1"
    (kept,) = _me_deal(rb, [Order(lever="mx_me", params={"level": 70})])
    assert kept["met"] and kept["reason"] == "MX played MX-ME as agreed"
