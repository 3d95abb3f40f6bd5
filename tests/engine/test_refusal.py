"""A split team's refusal of an order (adjudication/refusal.py): who sees it, what the views offer, that
a replay folds it the same, that bad refusals change nothing, and the persona rule a bot refuses by."""

from __future__ import annotations

import pytest

from precursor.game import views
from precursor.game.bots import BotDriver
from precursor.game.commands import (
    Actor,
    Advance,
    CommandEnvelope,
    CommandError,
    Note,
    Order,
    RefuseOrder,
    SubmitOrders,
)
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook

SYSTEM = Actor(role="system")
PRESIDENT = Actor(team="mx", seat="president")
SECURITY = Actor(team="mx", seat="security")


def split_game(rb: Rulebook, **start: float) -> Game:
    """Loose Talk with Mexico's security seat in play, in turn 1's orders phase, the president having
    directed a kingpin arrest."""
    g = Game.new(rb, "loose-talk", 1, seats_in_play={"mx": ["president", "security"]})
    if start:
        g.effect("test.start", "the test's starting position", dict(start), ())
    while g.state.phase != "orders":
        g.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))
    g.handle(CommandEnvelope(actor=PRESIDENT, command=SubmitOrders(orders=[Order(lever="mx_arrest")])))
    return g


def refuse(g: Game, lever: str = "mx_arrest", actor: Actor = SECURITY) -> None:
    g.handle(CommandEnvelope(actor=actor, command=RefuseOrder(lever=lever)))


def test_only_mexico_sees_the_refusal(rb: Rulebook) -> None:
    """The order was the team's secret and is never revealed: the refusal and its cost stay inside Mexico
    (and with the facilitator); the other teams see only that no arrest happened."""
    g = split_game(rb)
    refuse(g)
    g.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))
    kinds = {
        a: [e for e in views.events_for(g, a) if e.get("rule", "").startswith("refusal.")]
        for a in ("mx", "us", "cn", "ca", views.PUBLIC, views.FACILITATOR)
    }
    assert [e["type"] for e in kinds["mx"]] == ["order_refused", "effect"]
    assert kinds["facilitator"] == kinds["mx"]
    assert all(kinds[a] == [] for a in ("us", "cn", "ca", views.PUBLIC))
    revealed = [o for e in g.log if e["type"] == "orders_revealed" for o in e["orders"]]
    assert all(o["lever"] != "mx_arrest" for o in revealed)


def test_the_view_offers_the_refusal_and_says_why_not(rb: Rulebook) -> None:
    g = split_game(rb)
    (entry,) = views.view(g, "mx")["refusable"]
    assert entry["allowed"] and entry["rule"] == "refusal.culiacan" and entry["seat"] == "security"
    assert entry["by_seat"] == "president" and entry["changes"] == {"mx.pc": g.state.env["mx.pc"] - 2}
    assert views.view(g, "us")["refusable"] == []

    calm = split_game(rb, **{"mx.presence": 50.0, "mx.collusion": 40.0})
    (entry,) = views.view(calm, "mx")["refusable"]
    assert not entry["allowed"] and entry["refused_code"] == "no_grounds"
    # presence is Mexico's own number; collusion reaches it only through fog, so its true value stays out
    assert "mx.presence is 50" in entry["why"] and "mx.collusion >=" in entry["why"]
    assert "mx.collusion is" not in entry["why"]

    merged = Game.new(rb, "loose-talk", 1)
    while merged.state.phase != "orders":
        merged.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))
    merged.handle(
        CommandEnvelope(actor=Actor(team="mx"), command=SubmitOrders(orders=[Order(lever="mx_arrest")]))
    )
    assert views.view(merged, "mx")["refusable"] == []


def test_a_replay_folds_the_refusal_the_same(rb: Rulebook) -> None:
    g = split_game(rb)
    refuse(g)
    assert g.state.orders["mx/president"]["orders"] == []
    submitted = next(e for e in g.log if e["type"] == "orders_submitted" and e["seat"] == "president")
    assert [o["lever"] for o in submitted["orders"]] == ["mx_arrest"], "the logged submission stays as sent"
    assert Game.replay(rb, [dict(e) for e in g.log]).state.snapshot() == g.state.snapshot()


@pytest.mark.parametrize(
    ("lever", "actor", "phase_moved", "code"),
    [
        ("mx_nothing", SECURITY, False, "unknown_lever"),
        ("us_arms", SECURITY, False, "not_your_lever"),
        ("mx_arrest", PRESIDENT, False, "not_your_body"),
        ("mx_trace", SECURITY, False, "no_such_order"),
        ("mx_arrest", SECURITY, True, "wrong_phase"),
        ("mx_arrest", Actor(role="player"), False, "forbidden"),
    ],
)
def test_a_bad_refusal_is_typed_and_changes_nothing(
    rb: Rulebook, lever: str, actor: Actor, phase_moved: bool, code: str
) -> None:
    g = split_game(rb)
    if phase_moved:
        g.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))
    before, n = g.state.snapshot(), len(g.log)
    with pytest.raises(CommandError) as exc:
        refuse(g, lever, actor)
    assert exc.value.code == code and exc.value.message
    assert g.state.snapshot() == before and len(g.log) == n


def _bot_commands(g: Game, persona: str) -> list[object]:
    """What a bot holding Mexico decides in this orders phase, notes left out."""
    driver = BotDriver(g.rb, {"mx": persona}, 1)
    return [env.command for env in driver(g, "orders") if not isinstance(env.command, Note)]


def test_the_sovereigntist_refuses_a_directed_raid_and_the_engine_takes_it(rb: Rulebook) -> None:
    g = split_game(rb)
    first = _bot_commands(g, "sovereigntist")[0]
    assert isinstance(first, RefuseOrder) and first.lever == "mx_arrest" and first.reason
    g.handle(CommandEnvelope(actor=Actor(role="bot", team="mx", name="bot"), command=first))
    assert [e["type"] for e in g.log[-2:]] == ["order_refused", "effect"]
    assert g.log[-2]["seat"] == "security"


def test_the_cooperative_shields_no_networks(rb: Rulebook) -> None:
    """Where only the collusion ground holds (the state is present), the cooperative persona carries the
    order out; the sovereigntist still refuses it."""
    g = split_game(rb, **{"mx.presence": 50.0})
    assert not any(isinstance(c, RefuseOrder) for c in _bot_commands(g, "cooperative"))
    assert isinstance(_bot_commands(g, "sovereigntist")[0], RefuseOrder)


def test_the_view_marks_a_refused_lever_unavailable_with_the_reason(rb: Rulebook) -> None:
    """The engine refuses an order on a lever refused this turn (``refused``), so the orders screen's
    list must say so itself, for every seat of the team, and no longer from the next turn."""
    g = split_game(rb)
    (before,) = [lv for lv in views.view(g, "mx")["levers"] if lv["id"] == "mx_arrest"]
    assert before["available"]
    refuse(g)
    (row,) = [lv for lv in views.view(g, "mx")["levers"] if lv["id"] == "mx_arrest"]
    assert not row["available"] and row["cost"] is None
    assert row["why_not"] == (
        "MX-ARREST was refused this turn by the Security cabinet and prosecutors;"
        " it can be ordered again next turn"
    )
    with pytest.raises(CommandError) as exc:
        g.handle(CommandEnvelope(actor=PRESIDENT, command=SubmitOrders(orders=[Order(lever="mx_arrest")])))
    assert exc.value.code == "refused"
    others = [lv for lv in views.view(g, "mx")["levers"] if lv["id"] != "mx_arrest"]
    assert others == [lv for lv in views.levers_for(g, "mx") if lv["id"] != "mx_arrest"]
    while g.state.phase != "orders" or g.state.turn == 1:
        g.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))
    (later,) = [lv for lv in views.view(g, "mx")["levers"] if lv["id"] == "mx_arrest"]
    assert "refused" not in later["why_not"]


def test_the_team_s_view_tells_this_turn_s_refusals_with_their_cost(rb: Rulebook) -> None:
    """A client that connects after the refusal saw neither its event nor its cost: the view tells both,
    to the team and the facilitator only, for the turn it happened in; a replay folds the same."""
    g = split_game(rb)
    pc = g.state.env["mx.pc"]
    refuse(g)
    (told,) = views.view(g, "mx")["refusals"]
    assert told["type"] == "order_refused" and told["lever"] == "mx_arrest" and told["code"] == "MX-ARREST"
    assert (
        told["seat"] == "security" and told["by_seat"] == "president" and told["rule"] == "refusal.culiacan"
    )
    assert told["changes"] == {"mx.pc": pc - 2} and told["before"] == {"mx.pc": pc}
    assert told["reason"] == next(e for e in g.log if e["type"] == "order_refused")["reason"]
    assert views.view(g, views.FACILITATOR)["refusals"] == [told]
    assert all(views.view(g, a)["refusals"] == [] for a in ("us", "cn", "ca", views.PUBLIC))
    assert Game.replay(rb, [dict(e) for e in g.log]).state.snapshot() == g.state.snapshot()
    g.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))
    while g.state.phase != "orders":
        g.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))
    assert views.view(g, "mx")["refusals"] == []
