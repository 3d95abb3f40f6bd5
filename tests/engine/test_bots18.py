"""A bot leaves capital this turn for the plays its persona will force (session 18).

In Election Season a cooperative Mexico granted the consent token for a dozen US trainers in about half
the games, and the institutionalist United States, whose persona sends the trainers whenever a token
allows, never did: the deals it signed in those turns took all its capital, and the orders phase honours
clauses before the persona's plays. US-SFT went unordered in every bot game of the balance sets."""

from __future__ import annotations

from typing import Any

from test_bots_bargaining import _negotiation, _view

from precursor.analysis.runner import play
from precursor.analysis.simulate import resolve_personas
from precursor.game.bots import BotDriver
from precursor.game.bots.commitments import overcommitted
from precursor.game.bots.driver import Bot
from precursor.game.rulebook import default_rulebook

RB = default_rulebook()


def _short(bot: Bot, view: dict[str, Any], env: dict[str, Any], pc: float) -> str | None:
    turn = int(view["turn"])
    deal = [{"actor": "us", "lever": "us_arms", "params": {}, "start_turn": turn, "duration": 1}]
    return overcommitted(bot, {**view, "agreements": [], "pc": {"us": pc}}, env, deal)


def test_a_deal_leaves_capital_for_the_trainers_a_token_allows() -> None:
    game = _negotiation("loose-talk", 0)
    bot = Bot(RB, "us", "institutionalist", 1)
    view = _view(game, "us", "institutionalist")
    env = dict(bot.environment(view))
    no_token = {**env, "mx.consent_cap": 0.0, "count.us_sft": 0}
    token = {**env, "mx.consent_cap": 12.0, "count.us_sft": 0}
    # the least capital with which the deal fits beside the persona's other plays this turn
    least = next(pc / 2 for pc in range(0, 60) if _short(bot, view, no_token, pc / 2) is None)
    said = _short(bot, view, token, least)
    assert said == "with the deals it has it could not pay this turn for every act this one asks", said
    assert _short(bot, view, token, least + RB.levers["us_sft"].cost.fn({})) is None
    # trainers sent twice already: the rule no longer holds, and nothing is held back for it
    assert _short(bot, view, {**token, "count.us_sft": 2}, least) is None


def test_the_trainers_go_in_when_mexico_grants_the_token() -> None:
    personas = resolve_personas(RB, "election-season", {"mx": "cooperative"})
    granted = sent = 0
    for seed in range(12):
        game, _ = play(RB, "election-season", seed, None, bots=BotDriver(RB, personas, seed))
        orders = [(e["team"], e["lever"]) for e in game.log if e["type"] == "order_executed"]
        granted += ("mx", "mx_consent") in orders
        sent += ("us", "us_sft") in orders
    assert granted >= 3, granted
    assert sent >= granted - 1, (granted, sent)
