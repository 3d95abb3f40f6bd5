"""The results card of a signed agreement says when it scores less than a full agreement (session 15).

Agreements now score by what they bind: a renewal of a bargain already made earns no approval and only
what is left of one full agreement, a small deal a share of one. A student who signed the same deal twice
saw nothing that said so. Read on the agreement events of real default bot games.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from client_tui.render import why_card
from precursor.analysis.runner import play
from precursor.game.bots import BotDriver
from precursor.game.engine import Game
from precursor.game.rulebook import default_rulebook

RB = default_rulebook()


@cache
def _game(scenario: str) -> Game:
    personas = dict(RB.scenarios[scenario].model.personas)
    game, _ = play(RB, scenario, 0, None, bots=BotDriver(RB, personas, 0))
    return game


def _signed(scenario: str) -> list[dict[str, Any]]:
    return [e for e in _game(scenario).log if e["type"] == "agreement"]


def test_a_renewal_says_what_it_renews_and_what_it_adds() -> None:
    renewals = [e for e in _signed("the-record") if e["agreement"].get("renewal_of")]
    assert renewals  # The Record's bots re-sign their one-turn deals
    card = why_card(renewals[0], RB)
    first = renewals[0]["agreement"]["renewal_of"]
    assert f"renews {first} (the same parties and acts): no approval for signing it again" in card, card
    assert "agreement points" in card


def test_a_small_deal_says_its_share_and_a_full_one_says_nothing() -> None:
    small = [
        e
        for e in _signed("the-record")
        if not e["agreement"].get("renewal_of") and e["agreement"]["weight"] < 1
    ]
    full = [e for e in _signed("tutorial") if e["agreement"]["weight"] >= 1]
    assert small and full
    assert "a small deal (under four clause-turns): 1.5 agreement points, 50% of a full one" in why_card(
        small[0], RB
    )
    card = why_card(full[0], RB)
    assert "small deal" not in card and "renews" not in card, card
