"""A reputation-conscious China that acts first and keeps acting when Washington answers (session 15).

The probe found a fixed order set — an enforcement campaign and a directive every turn — beating China's
best persona by about 10 points in Loose Talk: the reputation-conscious persona waited for a US concession
before its first campaign, and the US bots answer a costly Chinese step rather than open with a concession,
so neither moved. The persona now opens with one campaign after its directive, and runs one more for each
directive and each step Washington credited. Played with real bots in real games.
"""

from __future__ import annotations

from precursor.analysis.runner import play
from precursor.game.bots import BotDriver
from precursor.game.rulebook import default_rulebook

RB = default_rulebook()


def _campaigns(seed: int) -> tuple[int, float]:
    personas = dict(RB.scenarios["loose-talk"].model.personas, cn="reputation_conscious")
    game, refused = play(RB, "loose-talk", seed, None, bots=BotDriver(RB, personas, seed))
    assert game.state.ended and not refused
    n = sum(1 for e in game.log if e["type"] == "order_executed" and e["lever"] == "cn_enforce")
    return n, float(game.state.env["flag.cn_credited"])


def test_the_reputation_conscious_china_opens_with_a_campaign_and_runs_another_once_credited() -> None:
    results = [_campaigns(seed) for seed in range(3)]
    for n, credited in results:
        assert n >= 1, results  # the first costly step comes without waiting for a US concession
        if credited:
            assert n >= 2, results  # and a credited step earns another
    assert any(credited for _, credited in results), results


def test_the_cooperative_mexican_president_holds_ground_after_the_first_turn() -> None:
    """The probe found a fixed set (state presence, prosecutions, delegations every turn) beating the
    cooperative persona by 5.4 points in Election Season: the persona never ordered MX-PRESENCE, so its
    captures and prosecutions were not followed by the state taking towns back (source 000)."""
    personas = dict(RB.scenarios["election-season"].model.personas, mx="cooperative")
    for seed in range(3):
        game, refused = play(RB, "election-season", seed, None, bots=BotDriver(RB, personas, seed))
        assert game.state.ended and not refused
        turns = {e["turn"] for e in game.log if e["type"] == "order_executed" and e["lever"] == "mx_presence"}
        last = RB.scenarios["election-season"].model.turns
        # all but two of turns 2–8: under 5 PC it holds back by design, and since session 16 its capital
        # also goes to deals the United States accepts for a tariff standstill (seed 0: turns 6 and 8)
        assert len(turns & set(range(2, last + 1))) >= last - 3, (seed, sorted(turns))
