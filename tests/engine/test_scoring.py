"""Scoring (rules/scoring.yaml): capped components, shared-fate terms, final and running scores."""

from __future__ import annotations

import pytest

from precursor.analysis.runner import play
from precursor.game.bots import BotDriver
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook
from precursor.game.schema import TEAMS
from precursor.game.scoring import scores
from precursor.game.views import running_estimate


@pytest.mark.parametrize("scenario", ["tutorial", "loose-talk", "tariffs-and-terror"])
def test_final_scores_are_capped_components_plus_shared_terms(rb: Rulebook, scenario: str) -> None:
    personas = dict(rb.scenarios[scenario].model.personas)
    for seed in range(3):
        game, _ = play(rb, scenario, seed, None, bots=BotDriver(rb, personas, seed))
        final = [e for e in game.log if e["type"] == "score" and e.get("final")]
        assert len(final) == 1 and final[0]["scores"] == game.state.scores
        for team in TEAMS:
            s = game.state.scores[team]
            weights = sum(c.weights.get(team, 0.0) for c in rb.scoring)
            assert weights == pytest.approx(10.0), team  # so the components span [-100, 100]
            for comp in s["components"].values():
                assert -10.0 <= comp["value"] <= 10.0
                assert comp["points"] == pytest.approx(comp["weight"] * comp["value"], abs=0.06)
            points = sum(c["points"] for c in s["components"].values())
            assert s["total"] == pytest.approx(points + s["shared"] + s["badges"], abs=0.1)


def _now(rb: Rulebook, **values: object) -> dict[str, object]:
    game = Game.new(rb, "loose-talk", 2)
    game.effect("test.setup", "test position", dict(values), (), vis="all")
    return scores(game, final=False)


def test_a_component_is_clamped_at_ten(rb: Rulebook) -> None:
    """Deaths to zero would be +50 on the public-health component before the cap (and -50 doubled)."""
    start = Game.new(rb, "loose-talk", 2).state.env["start.us.od_synth"]
    assert _now(rb, **{"us.od_synth": 0.0})["us"]["components"]["out_od"]["value"] == 10.0
    assert _now(rb, **{"us.od_synth": 3 * start})["us"]["components"]["out_od"]["value"] == -10.0


def test_shared_fate_malus_hits_every_team(rb: Rulebook) -> None:
    calm = _now(rb)
    breach = _now(rb, **{"flag.hrl": True})
    assert breach["_meta"]["shared_malus"] and not calm["_meta"]["shared_malus"]
    for team in TEAMS:
        assert breach[team]["shared"] == -rb.shared_points
        assert calm[team]["shared"] == 0.0


def test_shared_fate_bonus_needs_every_condition(rb: Rulebook) -> None:
    start = Game.new(rb, "loose-talk", 2).state.env["start.us.od_synth"]
    good = {"us.od_synth": 0.85 * start, "module.t1": True, "flag.cn_credited": 1.0}
    assert _now(rb, **good)["_meta"]["shared_bonus"]
    assert all(_now(rb, **good)[t]["shared"] == rb.shared_points for t in TEAMS)
    for missing in good:
        partial = {k: v for k, v in good.items() if k != missing}
        assert not _now(rb, **partial)["_meta"]["shared_bonus"], missing


def test_running_estimate_follows_the_game(rb: Rulebook) -> None:
    personas = dict(rb.scenarios["loose-talk"].model.personas)
    game, _ = play(rb, "loose-talk", 4, None, until_turn=3, bots=BotDriver(rb, personas, 4))
    assert not game.state.ended
    for team in TEAMS:
        est = running_estimate(game, team)
        assert est[team] == scores(game, final=False, teams=(team,))[team]
        assert est["_meta"]["final"] is False
    before = running_estimate(game, "us")["us"]["total"]
    game.effect(
        "test.setup", "deaths halve", {"us.od_synth": game.state.env["us.od_synth"] / 2}, (), vis="all"
    )
    assert running_estimate(game, "us")["us"]["total"] > before  # the cache follows the state
