"""Scripted bots: legal play, persona hard rules, view-only decisions, and reasons kept from other teams."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from precursor.bots import Bot, BotDriver
from precursor.engine import Game
from precursor.rulebook import default_rulebook
from precursor.runner import play
from precursor.views import redact, view

RB = default_rulebook()
TEAMS = ("us", "mx", "cn", "ca")
SCENARIOS = sorted(RB.scenarios)
BY_TEAM = {t: sorted(p for p, c in RB.personas.items() if c.team == t) for t in TEAMS}


def _bot_game(scenario: str, seed: int, personas: dict[str, str], until: int | None = None) -> tuple[Game, list[Any]]:
    return play(RB, scenario, seed, None, bots=BotDriver(RB, personas, seed), until_turn=until)


def test_nine_personalities_exist() -> None:
    wanted = {
        "us": {"hawk", "institutionalist", "transactional"},
        "mx": {"sovereigntist", "cooperative"},
        "cn": {"deny_and_deflect", "reputation_conscious"},
        "ca": {"trilateralist", "border_first"},
    }
    for team, ids in wanted.items():
        assert ids <= set(BY_TEAM[team]), team
    for p in RB.personas.values():
        m = p.model
        assert m.weights and m.hard_rules and m.package is not None and m.reservation >= 0
        assert all(r.reason for r in p.hard_rules)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scenario=st.sampled_from(SCENARIOS),
    seed=st.integers(0, 2**31),
    picks=st.tuples(*(st.sampled_from(BY_TEAM[t]) for t in TEAMS)),
)
def test_bots_never_issue_an_illegal_command(scenario: str, seed: int, picks: tuple[str, ...]) -> None:
    personas = dict(zip(TEAMS, picks, strict=True))
    game, refused = _bot_game(scenario, seed, personas)
    assert refused == [], [(r.turn, r.code, r.message) for r in refused]
    assert game.state.ended
    assert any(e["type"] == "order_executed" for e in game.log)


def test_every_bot_decision_has_a_reason_kept_from_the_teams() -> None:
    game, _ = _bot_game("loose-talk", 11, dict(RB.scenarios["loose-talk"].model.personas))
    notes = [e for e in game.log if e["type"] == "note"]
    acts = [e for e in game.log if e["type"] in ("orders_submitted", "proposal", "proposal_response")]
    assert notes and len(notes) >= len(acts)
    for n in notes:
        assert n["text"].strip() and n["vis"] == "facilitator"
        for aud in (*TEAMS, "public"):
            assert redact(RB, n, aud) is None
    assert all(redact(RB, n, "facilitator") is n for n in notes)


def test_same_seed_same_game() -> None:
    personas = {"us": "hawk", "mx": "sovereigntist", "cn": "deny_and_deflect", "ca": "trilateralist"}
    a, _ = _bot_game("election-season", 5, personas)
    b, _ = _bot_game("election-season", 5, personas)
    assert a.events_jsonl() == b.events_jsonl()


def test_decisions_ignore_what_the_team_cannot_see() -> None:
    personas = dict(RB.scenarios["loose-talk"].model.personas)
    game, _ = _bot_game("loose-talk", 3, personas, until=2)
    # move on to the next turn's orders phase, then snapshot what each bot would do
    driver = BotDriver(RB, personas, 3)
    for team in TEAMS:
        before = view(game, team)
        before["phase"] = "orders"
        bot = copy.deepcopy(driver.bots[team])
        decided = [(type(d.command).__name__, d.command.model_dump(), d.reason) for d in bot.decide(before)]
        # change things this team cannot see: the hidden crossing share, street supply, the true current
        # overdose figure (reported four months late), and another team's political capital
        other = next(t for t in TEAMS if t != team)
        hidden = {"hidden.sigma": 0.51, "flow.street": 333.0, "us.od_synth": 1.0, f"{other}.pc": 0.0}
        if team == "us":
            hidden.pop("us.od_synth")
        game.effect("test.hidden", "changes outside the team's view", hidden, ())
        after = view(game, team)
        after["phase"] = "orders"
        bot2 = copy.deepcopy(driver.bots[team])
        again = [(type(d.command).__name__, d.command.model_dump(), d.reason) for d in bot2.decide(after)]
        assert again == decided, team


def test_bot_reads_a_view_not_the_game() -> None:
    # the bot API takes a view dict; it holds no reference to a game or its state
    bot = Bot(RB, "us", "institutionalist", 1)
    assert not any(isinstance(v, Game) for v in vars(bot).values())
