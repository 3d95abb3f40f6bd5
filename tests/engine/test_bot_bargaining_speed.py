"""The bots' open exchange keeps the value of a lever whose public effects the persona does not weigh
(``bargaining._UNWEIGHED``): its sovereignty and tag terms only, the same in any view. That is only sound
while it gives what ``utility.order_utility`` gives in every view: checked here at every negotiation
phase of bot games, for every lever any bot could ask a partner for, once the kept values are warm.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from precursor.analysis.runner import play
from precursor.game.bots import Bot, BotDriver, bargaining, bot_view
from precursor.game.bots.utility import order_utility, weigh
from precursor.game.engine import Game
from precursor.game.rulebook import default_rulebook
from precursor.game.schema import TEAMS

RB = default_rulebook()


class _Weighing:
    """A ``BotDriver`` (by composition: a compiled build cannot be patched) that, before each negotiation
    phase's decisions, weighs every lever a bot could ask a partner for both ways."""

    def __init__(self, personas: dict[Any, str], seed: int) -> None:
        self.inner = BotDriver(RB, personas, seed)
        self.seed = seed
        self.kept = 0

    def __call__(self, game: Game, phase: str) -> Iterator[Any]:
        if phase == "negotiation":
            for team, bot in self.inner.bots.items():
                view = bot_view(game, team)
                view["phase"] = phase
                # a bot of its own: reading a view changes a bot's beliefs, and the game's must not read this
                probe = Bot(RB, team, bot.persona_id, self.seed)
                self._weigh(probe, probe.environment(view))
        yield from self.inner(game, phase)

    def _weigh(self, bot: Bot, env: dict[str, Any]) -> None:
        for partner in TEAMS:
            if partner == bot.team:
                continue
            theirs, _own = bargaining._open_levers(RB, bot.team, partner)
            for lever in theirs:
                for _ in range(2):  # the second time from what the first kept
                    got = bargaining._weigh_lever(bot, env, lever, lambda lv: None, None)
                    long, _ = order_utility(bot, env, lever, {}, True, None)
                    if long - weigh(bot, lever).tags > bargaining.ASK_FLOOR:
                        assert got == (long - bargaining._aversions(bot, lever), None), lever.id
                    else:  # not worth asking for: its effects are worth nothing to the bot
                        assert got is None, lever.id
                self.kept += not weigh(bot, lever).public


@pytest.mark.parametrize("scenario", ["loose-talk", "red-line"])
def test_an_open_exchange_weighs_a_partners_act_as_order_utility_does(scenario: str) -> None:
    personas = dict(RB.scenarios[scenario].model.personas)
    driver = _Weighing(personas, 1)
    game, refused = play(RB, scenario, 1, None, bots=driver)
    assert game.state.ended and not refused
    assert driver.kept > 100  # most of a partner's acts are ones whose value is kept
