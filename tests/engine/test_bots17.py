"""Bots count what a signature earns, and sign no more than they can keep (session 17).

The strategy probe's "accept every proposal" beat the best United States persona by 6 to 11 points in four
scenarios: the bots weighed a deal's clauses and never the agreement points its signature earns. Counting
those, they signed more, and broke more: nothing stopped a bot from signing deals that together asked
more orders of it in a turn than it may give, or more capital than it had. Played with real bots in real
games, and asked of the functions the bots use.
"""

from __future__ import annotations

import collections
from typing import Any

import pytest
from test_bots_bargaining import _negotiation, _view

from precursor.analysis.runner import play
from precursor.game.bots import BotDriver
from precursor.game.bots.character import Character
from precursor.game.bots.commitments import overcommitted
from precursor.game.bots.driver import Bot
from precursor.game.bots.signing import BOT_PARAMETERS, signing_value
from precursor.game.negotiation import agreement_points
from precursor.game.rulebook import default_rulebook

RB = default_rulebook()


def _deal(
    parties: list[str], clauses: list[tuple[str, str, int]], verification: str = "self"
) -> dict[str, Any]:
    return {
        "parties": parties,
        "clauses": [
            {"actor": a, "lever": lv, "params": {}, "start_turn": 1, "duration": d} for a, lv, d in clauses
        ],
        "verification": verification,
        "modules": [],
    }


def _scale() -> float:
    """Utility per agreement point for the United States: the parameter times the agreements
    component's weight, over the component's divisor of 2 (rules/scoring.yaml)."""
    weight = next(c.weights["us"] for c in RB.scoring if c.id == "agr")
    return float(RB.parameters[BOT_PARAMETERS[0]].value) * weight / 2


def test_a_signature_is_worth_the_agreement_points_it_earns() -> None:
    """A two-party deal binding four clause-turns earns its full points (2) and the completion bonus (2);
    half the clause-turns earn half of both; a deal the team will break earns its share less the
    penalty for reneging; a bargain already signed in full earns nothing more; and nothing is earned
    past the agreements component's cap."""
    bot = Character(RB, "us", "institutionalist", 1)
    view: dict[str, Any] = {"agreements": []}
    full = _deal(["us", "mx"], [("us", "us_arms", 2), ("mx", "mx_plan_1", 2)])
    assert agreement_points(["us", "mx"], "self") == 2
    assert signing_value(bot, view, full, False) == pytest.approx(_scale() * 4)
    half = _deal(["us", "mx"], [("us", "us_arms", 1), ("mx", "mx_plan_1", 1)])
    assert signing_value(bot, view, half, False) == pytest.approx(_scale() * 2)
    assert signing_value(bot, view, full, True) == pytest.approx(_scale() * (2 - 4))
    checked = _deal(["us", "mx"], [("us", "us_arms", 2), ("mx", "mx_plan_1", 2)], "joint")
    assert signing_value(bot, view, checked, False) == pytest.approx(_scale() * 5)
    signed = {
        "parties": ["us", "mx"],
        "clauses": full["clauses"],
        "points": 2.0,
        "weight": 1.0,
        "status": "signed",
        "bargain": "mx,us|mx:mx_plan_1;us:us_arms",
    }
    assert signing_value(bot, {"agreements": [signed]}, full, False) == 0.0
    capped = [{**signed, "bargain": f"other{i}", "points": 5.0} for i in range(4)]
    assert signing_value(bot, {"agreements": capped}, half, False) == 0.0


def test_no_bot_signs_more_acts_in_a_turn_than_it_may_order() -> None:
    """In Election Season, The Record and Three Weeks the United States signed, in its first turn, its own
    four-act package and a Canadian deal asking US-USMCA-T: five acts due with four orders to give. In
    default bot games of every scenario no team now has more acts due in a turn than its order limit (a
    clause kept by a standing level or by a one-off act done earlier calls for no order)."""
    over = []
    for sid, sc in RB.scenarios.items():
        personas = dict(sc.model.personas)
        for seed in range(2):
            game, _ = play(RB, sid, seed, None, bots=BotDriver(RB, personas, seed))
            due: dict[tuple[int, str], set[str]] = collections.defaultdict(set)
            for e in game.log:
                if (
                    e["type"] == "compliance"
                    and not e.get("held")
                    and "already carried out" not in e["reason"]
                ):
                    due[(e["turn"], e["team"])].add(e["lever"])
            over += [(sid, seed, k, sorted(v)) for k, v in due.items() if len(v) > sc.model.order_limit]
    assert not over, over[:3]


def test_a_bot_breaks_no_deal_it_proposed_in_the_turn_it_was_signed() -> None:
    """The United States offered Canada intelligence sharing in The Record while its estimate of Mexican
    cooperation stood at 31, under the lever's bar of 40 (unkeepable reads exact values only), and in
    turns when its own package to Mexico had taken its capital: three deals a game broken at once."""
    broken = []
    for seed in range(3):
        personas = dict(RB.scenarios["the-record"].model.personas)
        game, _ = play(RB, "the-record", seed, None, bots=BotDriver(RB, personas, seed))
        for e in game.log:
            if e["type"] != "compliance" or e["met"]:
                continue
            a = game.state.agreements[e["agreement"]]
            if a["proposal"].split("-")[1].lower() == e["team"] and a["signed_turn"] == e["turn"]:
                broken.append((seed, e["turn"], e["team"], e["lever"]))
    assert not broken, broken


def test_a_deal_that_would_take_more_orders_than_the_team_has_is_declined() -> None:
    """The check the bots make before they accept or table a deal: with a signed deal due this turn that
    takes all of the United States' orders, one more act is too many; one it already gives is not."""
    game = _negotiation("loose-talk", 0)
    bot = Character(RB, "us", "institutionalist", 1)
    view = _view(game, "us", "institutionalist")
    limit = int(view["order_limit"])
    levers = ["us_arms", "us_ind", "us_tri", "us_pen", "us_fact", "us_travel"][:limit]
    turn = int(view["turn"])
    signed = {
        "parties": ["us", "ca"],
        "status": "signed",
        "clauses": [
            {"actor": "us", "lever": lv, "params": {}, "start_turn": turn, "duration": 1} for lv in levers
        ],
    }
    view = {**view, "agreements": [signed], "pc": {"us": 99.0}}
    env = Bot(RB, "us", "institutionalist", 1).environment(view)
    more = [{"actor": "us", "lever": "us_intel", "params": {}, "start_turn": turn, "duration": 1}]
    assert overcommitted(bot, view, env, more) is not None
    again = [{"actor": "us", "lever": levers[0], "params": {}, "start_turn": turn, "duration": 1}]
    assert overcommitted(bot, view, env, again) is None
    later = [{**more[0], "start_turn": turn + 1}]
    assert overcommitted(bot, view, env, later) is None
