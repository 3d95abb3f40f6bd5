"""The bots' orders search prices a lever's other parameter choices through a shortcut (``orders._cost``)
that skips what ``orders.legal`` looks up each time (the orders-screen entry, whether the team sees the
checks exactly, whether the lever is free), and takes a lever's parameter choices from its candidate
entry when they do not depend on the environment; it settles once per choice what the choice's
parameters alone decide (its cost, its specialised terms, its utility before the cost). All are only
sound while they agree with the long way: checked here at every orders phase of bot games, for every
choice the search would price.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from precursor.analysis.runner import play
from precursor.game.bots import Bot, BotDriver, bot_view, orders
from precursor.game.bots.utility import specialise, utility_of
from precursor.game.engine import Game
from precursor.game.rulebook import default_rulebook

RB = default_rulebook()


class _Pricing:
    """A ``BotDriver`` (by composition: a compiled build cannot be patched) that, before each orders
    phase's decisions, prices every non-default choice of every candidate lever both ways."""

    def __init__(self, personas: dict[str, str], seed: int) -> None:
        self.inner = BotDriver(RB, personas, seed)
        self.seed = seed
        self.priced = 0

    def __call__(self, game: Game, phase: str) -> Iterator[Any]:
        if phase == "orders":
            for team, bot in self.inner.bots.items():
                view = bot_view(game, team)
                view["phase"] = phase
                # a bot of its own: reading a view changes a bot's beliefs, and the game's bot must not
                # read this one
                probe = Bot(RB, team, bot.persona_id, self.seed)
                self._price(probe, view, probe.environment(view))
        yield from self.inner(game, phase)

    def _price(self, bot: Bot, view: dict[str, Any], env: dict[str, Any]) -> None:
        entries = orders.lever_entries(view)
        for lid, lever, w, vises, sees, static in orders.candidates(bot):
            # choices kept with the candidate are the ones worked out from this environment
            assert static is None or static is orders.variants(bot, lever, env)
            entry = entries.get(lid)
            if entry is None or not entry["available"]:
                continue  # the search looks no further at a lever the screen shows unavailable
            assert sees == orders._sees_exactly(RB, bot.team, lever)
            free = lid in view.get("free_levers", [])
            for var in orders.variants(bot, lever, env):
                if var.default:
                    continue
                for _vis, public in vises:
                    before = dict(env)
                    full = orders.legal(bot, view, env, lever, var.params, public, False)
                    short = orders._cost(env, lever, var.params, public, free) if sees else None
                    assert short == full, (lid, var.params, public)
                    assert env == before  # neither leaves the order's parameters behind
                    self._settled(env, lever, w, var.params, public, full)
                    self.priced += 1

    def _settled(
        self, env: dict[str, Any], lever: Any, w: Any, params: dict[str, Any], public: bool, cost: Any
    ) -> None:
        """What the search settles once per choice (its cost, its terms, its utility before the cost)
        gives what the long way gives in this environment."""
        known, fixed = orders._fixed_cost(lever, params, public)
        if known:
            assert cost is None if fixed is None else cost in (fixed, 0.0), (lever.id, params, public)
        spec = specialise(lever, w, params, public)
        generic = utility_of(env, lever, w, params, public, 1.0, w.public if public else w.private, True)
        assert utility_of(env, lever, w, params, public, 1.0, spec.terms, spec.reads_own) == generic
        if spec.before_cost is not None and not any(isinstance(env.get(t), bool) for t in spec.targets):
            assert spec.before_cost + -w.pc_aversion * 1.0 / 3 == generic, (lever.id, params, public)


@pytest.mark.parametrize("scenario", ["loose-talk", "election-season", "tariffs-and-terror"])
def test_the_orders_search_prices_other_choices_as_legal_does(scenario: str) -> None:
    personas = dict(RB.scenarios[scenario].model.personas)
    for seed in (1, 2):
        driver = _Pricing(personas, seed)
        game, refused = play(RB, scenario, seed, None, bots=driver)
        assert game.state.ended and not refused
        assert driver.priced > 20  # the games did reach choices other than the defaults
