"""Bots do not pay for a promise the level already keeps (session 16).

In Tariffs and Terror the United States bots re-ordered 0 % relief on Mexico every turn a deal bound
them to it, at 3 PC, with the rate already at 0 (53 such orders over ten default games). A promise of a
standing level is now kept while the level stands (docs/design.md, "Standing levels"), so a bot keeps
it without an order, and gives no order of the lever that would move the level against it. Played with
real bots in real games."""

from __future__ import annotations

from test_bots_bargaining import CLAUSES, _answer, _negotiation, _propose, _view

from precursor.analysis.runner import play
from precursor.game.bots import Bot, BotDriver
from precursor.game.commands import Propose
from precursor.game.rulebook import default_rulebook

RB = default_rulebook()


def test_a_bot_keeps_a_standing_tariff_promise_without_paying_for_it() -> None:
    personas = dict(RB.scenarios["tariffs-and-terror"].model.personas)
    held = 0
    for seed in range(3):
        game, refused = play(RB, "tariffs-and-terror", seed, None, bots=BotDriver(RB, personas, seed))
        assert game.state.ended and not refused
        orders = {
            (e["turn"], e["params"]["target"])
            for e in game.log
            if e["type"] == "order_executed" and e["lever"] == "us_tariff" and e["params"]["mode"] == "impose"
        }
        agreements = game.state.agreements
        for e in game.log:
            if e["type"] != "compliance" or e["lever"] != "us_tariff":
                continue
            clause = agreements[e["agreement"]]["clauses"][e["clause"]]
            if e.get("held"):
                held += 1
                # nothing ordered on that partner's rate in that turn: the promise cost no capital
                assert (e["turn"], clause["params"]["target"]) not in orders, (seed, e)
            assert e["met"], (seed, e)  # and no bot moved a rate against its promise
    assert held >= 3, held


def test_a_wary_bot_offers_acts_before_a_standstill() -> None:
    """Loose Talk opens under the post-tragedy cap with enforcement at 60, so Mexico's clause "enforcement
    stays at 60" is kept by the level that stands. Trimming its package for a distrusted United States
    (no more of its own clauses than the partner's), Mexico kept that standstill and dropped an action-plan
    element; the US declined the deal at +0.66 against a bar of 0.66, and the default US lost 11 points
    over 200 games. A distrusted partner is offered what is done first. (Asked of the bot in the opening
    negotiation: in bot games since session 17 Mexico signs the US package first and tables none.)"""
    game = _negotiation("loose-talk", 0)
    assert game.state.env["trust.us_mx"] < 30
    decided = Bot(RB, "mx", "sovereigntist", 0).decide(_view(game, "mx", "sovereigntist"))
    (package,) = [d.command for d in decided if isinstance(d.command, Propose) and "us" in d.command.parties]
    mine = {c.lever for c in package.clauses if c.actor == "mx"}
    assert mine == {"mx_plan_1", "mx_plan_2"}, mine


def test_a_bot_weighs_its_own_standstill_as_costing_nothing() -> None:
    """China offers KYC rules and PEN notices for the US rate on Chinese goods staying where it stands.
    The US bot weighed its clause as an order of US-TARIFF at 3 PC and declined (utility -1.16); the
    standstill costs nothing, and the probe's accept-everything US beat the institutionalist by 10.8
    points in Loose Talk on such deals. Now the US signs it, on its clauses alone (the signature's own
    score aside, ``clauses_only``)."""
    game = _negotiation("loose-talk", 0)
    rate = float(game.state.env["tariff.cn"])
    terms = [
        ("cn", "cn_kyc", {"precursors": 13}, 1),
        ("cn", "cn_pen", {}, 1),
        ("us", "us_tariff", {"target": "cn", "rate": rate, "mode": "impose"}, 1),
    ]
    pid = _propose(game, "cn", ["us", "cn"], terms, "china_initiative")
    decision, reason, _ = _answer(game, "us", "institutionalist", pid, CLAUSES)
    assert decision == "accept", reason
