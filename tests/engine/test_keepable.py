"""Whether a clause can be kept in every turn it is due (precursor.game.promises), checked against what
the engine then does with the same clause: its orders and its compliance events."""

from __future__ import annotations

from typing import Any

from precursor.game.commands import (
    Actor,
    Advance,
    Clause,
    CommandEnvelope,
    CommandError,
    Order,
    Propose,
    Respond,
    SubmitOrders,
)
from precursor.game.engine import Game
from precursor.game.promises import Conflict, Due, clause_outlook, conflicts
from precursor.game.rulebook import Rulebook

SYSTEM = Actor(role="system")


def _adv(g: Game) -> None:
    g.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))


def _until(g: Game, phase: str) -> None:
    while g.state.phase != phase:
        _adv(g)


def _sign(g: Game, clause: Clause) -> None:
    """Mexico tables the clause and the US accepts it: an agreement in force from this turn."""
    g.handle(
        CommandEnvelope(
            actor=Actor(team="mx"), command=Propose(parties=["us", "mx"], clauses=[clause], framing="none")
        )
    )
    pid = next(iter(g.state.proposals))
    g.handle(CommandEnvelope(actor=Actor(team="us"), command=Respond(proposal=pid, action="accept")))


def _order(g: Game, team: str, lever: str, params: dict[str, Any]) -> str | None:
    """The order as the team would give it: None if taken, else the refusal's message."""
    try:
        g.handle(
            CommandEnvelope(
                actor=Actor(team=team), command=SubmitOrders(orders=[Order(lever=lever, params=params)])
            )
        )
    except CommandError as exc:
        return exc.message
    return None


def _compliance(g: Game) -> list[tuple[int, bool]]:
    return [(ev["turn"], ev["met"]) for ev in g.log if ev["type"] == "compliance"]


def test_demand_levels_over_a_clauses_turns_are_counted_against_the_programmes_top(rb: Rulebook) -> None:
    """Level 1 in place and 1 waiting: one more level fits this turn, none the next. The check says the
    second turn cannot be kept, and the engine refuses that order and breaks the clause."""
    g = Game.new(rb, "loose-talk", 1)
    g.state.env["us.demand_level"] = 1
    g.state.env["flag.dem_pending"] = 1
    clause = {"actor": "us", "lever": "us_demand", "params": {"levels": 1}, "start_turn": 1, "duration": 2}
    found = clause_outlook(rb, clause, dict(g.state.env), turn=1, played=0)
    assert found.keep is False
    assert [c.status for c in found.turns] == ["order", "cannot"]
    assert found.why.startswith("US-DEMAND can be ordered in turn 1, but in turn 2: US-DEMAND: the demand")
    # a clause of one turn fits
    assert clause_outlook(rb, {**clause, "duration": 1}, dict(g.state.env), turn=1, played=0).keep is True

    _until(g, "negotiation")
    _sign(g, Clause(actor="us", lever="us_demand", params={"levels": 1}, duration=2))
    _until(g, "orders")
    assert _order(g, "us", "us_demand", {"levels": 1}) is None
    _until(g, "negotiation")
    _until(g, "orders")
    refused = _order(g, "us", "us_demand", {"levels": 1})
    assert refused is not None and "highest level" in refused
    _until(g, "negotiation")
    assert _compliance(g) == [(1, True), (2, False)]


def test_enforcement_asked_beyond_a_turns_move_cannot_be_kept_and_a_reachable_level_can(rb: Rulebook) -> None:
    values = {"mx.me": 60.0, "flag.humanitarian_cap": 0.0, "flag.hrl": False, "flag.hrl_cleared": False}
    far = {"actor": "mx", "lever": "mx_me", "params": {"level": 95}, "start_turn": 1, "duration": 2}
    found = clause_outlook(rb, far, values, turn=1, played=0)
    assert found.keep is False
    assert found.why == ("in turn 1: MX-ME: migration enforcement can move by at most 20 points in one turn")
    # 80 is one move from 60, and in the second turn the level stands at 80: kept with no new order
    near = clause_outlook(rb, {**far, "params": {"level": 80}}, values, turn=1, played=0)
    assert near.keep is True
    assert near.why == "MX-ME can be ordered in turn 1, and in turn 2 what it sets stands: nothing to order"


def test_a_once_per_game_lever_over_several_turns_is_ordered_once_and_then_counted_done(rb: Rulebook) -> None:
    """The engine counts a clause on a once-only act already carried out as kept: the check says so
    rather than promising an order each turn or warning of a break."""
    g = Game.new(rb, "loose-talk", 1)
    clause = {"actor": "us", "lever": "us_tech", "params": {}, "start_turn": 1, "duration": 3}
    found = clause_outlook(rb, clause, dict(g.state.env), turn=1, played=0)
    assert found.keep is True
    assert [c.status for c in found.turns] == ["order", "done", "done"]
    assert (
        "ordering it in turn 1 keeps the clause, and in turns 2–3 the rules count the act as done"
        in found.why
    )
    spent = clause_outlook(rb, clause, {}, turn=1, played=1)
    assert spent.keep is True and "has played it already" in spent.why

    _until(g, "negotiation")
    _sign(g, Clause(actor="us", lever="us_tech", duration=2))
    _until(g, "orders")
    assert _order(g, "us", "us_tech", {}) is None
    _until(g, "negotiation")
    _until(g, "orders")
    assert _order(g, "us", "us_tech", {}) is not None  # not again
    _until(g, "negotiation")
    assert _compliance(g) == [(1, True), (2, True)]


def test_turns_past_the_last_are_not_due_and_a_hidden_record_is_not_guessed(rb: Rulebook) -> None:
    clause = {"actor": "us", "lever": "us_tech", "params": {}, "start_turn": 3, "duration": 12}
    late = clause_outlook(rb, clause, {}, turn=3, played=0, last_turn=3)
    assert [c.turn for c in late.turns] == [3]
    assert clause_outlook(rb, clause, {}, turn=3, played=None).keep is None


def test_clauses_on_one_lever_at_different_values_and_more_orders_than_slots(rb: Rulebook) -> None:
    me = {"actor": "mx", "lever": "mx_me", "start_turn": 2, "duration": 1}
    said = conflicts(
        rb,
        [
            Due("clause 1", {**me, "params": {"level": 60}}),
            Due("clause 1 of A1-MX-1", {**me, "params": {"level": 95}}, new=False),
        ],
        turn=2,
        limit=4,
    )
    assert said == [
        Conflict(
            "mx",
            "turn 2: clause 1 and clause 1 of A1-MX-1 ask mx for MX-ME at different values: a team gives one"
            " MX-ME order a turn, so only level 95 (or higher) keeps them all",
            False,
        )
    ]
    five = [
        Due(f"clause {i + 1}", {"actor": "us", "lever": lv, "params": {}, "start_turn": 1, "duration": 1})
        for i, lv in enumerate(["us_tech", "us_sched", "us_opcom", "us_tf", "us_arms"])
    ]
    (slots,) = conflicts(rb, five, turn=1, limit=4)
    assert slots.team == "us" and slots.hard
    assert slots.words.startswith(
        "turn 1: us would owe 5 different orders, and a team gives at most 4 a turn"
    )
    # a once-per-game act done already needs no order, so four remain
    assert conflicts(rb, five, turn=1, limit=4, spent=lambda team, lever: lever == "us_tech") == []
