"""The strategy probe: each scripted strategy really plays as it says, the figures do not depend on the
number of workers, and the command prints them (or one clear line for bad input)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from precursor.analysis.probe import ProbeDriver, probe
from precursor.analysis.runner import play
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook

ROOT = Path(__file__).resolve().parents[2]


def _game(rb: Rulebook, team: str, name: str, levers: tuple[str, ...] = ()) -> Game:
    personas = dict(rb.scenarios["tutorial"].model.personas)
    game, _ = play(rb, "tutorial", 5, None, bots=ProbeDriver(rb, team, (name, levers), personas, 5))
    assert game.state.ended
    return game


def _by(game: Game, kind: str, team: str) -> list[dict[str, object]]:
    return [e for e in game.log if e["type"] == kind and e.get("team") == team]


def test_nothing_gives_no_orders_and_tables_nothing(rb: Rulebook) -> None:
    game = _game(rb, "mx", "nothing")
    assert _by(game, "orders_submitted", "mx") == []
    assert _by(game, "proposal_response", "mx") == []
    assert not [e for e in game.log if e["type"] == "proposal" and e["proposal"]["from"] == "mx"]
    assert _by(game, "orders_submitted", "us"), "the other teams still play"


def test_repeat_orders_its_lever_every_turn(rb: Rulebook) -> None:
    game = _game(rb, "mx", "repeat", ("mx_blame",))
    turns = {
        e["turn"]
        for e in _by(game, "orders_submitted", "mx")
        if [o["lever"] for o in e["orders"]] == ["mx_blame"]
    }
    assert turns == set(range(1, game.state.turns + 1))


def test_farm_tables_a_public_deal_of_its_own_levers_and_orders_them(rb: Rulebook) -> None:
    game = _game(rb, "us", "farm")
    tabled = [e["proposal"] for e in game.log if e["type"] == "proposal" and e["proposal"]["from"] == "us"]
    assert len(tabled) == game.state.turns
    for p in tabled:
        assert p["visibility"] == "public" and len(p["parties"]) == 2
        assert {c["actor"] for c in p["clauses"]} == {"us"} and all(c["duration"] == 1 for c in p["clauses"])
    ordered = {o["lever"] for e in _by(game, "orders_submitted", "us") for o in e["orders"]}
    assert ordered & {c["lever"] for p in tabled for c in p["clauses"]}


@pytest.mark.parametrize("name, action", [("accept_all", "accept"), ("reject_all", "reject")])
def test_answering_strategies_answer_every_proposal_put_to_the_team(
    rb: Rulebook, name: str, action: str
) -> None:
    game = _game(rb, "mx", name)
    # a proposal another party declined before Mexico's turn to answer is closed: nothing to answer
    closed = {
        e["proposal"]
        for e in game.log
        if e["type"] == "proposal_response" and e["team"] != "mx" and e["action"] == "reject"
    }
    put = [
        e["proposal"]["id"]
        for e in game.log
        if e["type"] == "proposal"
        and "mx" in e["proposal"]["parties"]
        and e["proposal"]["from"] != "mx"
        and e["proposal"]["id"] not in closed
    ]
    assert put, "the other bots put proposals to Mexico"
    answers = {e["proposal"]: e["action"] for e in _by(game, "proposal_response", "mx")}
    assert set(put) <= set(answers) and {answers[p] for p in put} == {action}


def test_the_probe_is_the_same_whatever_the_workers_and_ranks_doing_nothing_last(rb: Rulebook) -> None:
    one = probe(rb, "tutorial", "mx", runs=3, seed=2, workers=1, search_runs=2)
    two = probe(rb, "tutorial", "mx", runs=3, seed=2, workers=2, search_runs=2)
    assert one.as_dict() == two.as_dict()
    d = one.as_dict()
    assert set(d["personas"]) == {"cooperative", "sovereigntist"}
    assert set(d["strategies"]) == {"nothing", "farm", "accept_all", "reject_all", "best_fixed"}
    assert len(d["repeat"]) == len([lv for lv in rb.levers.values() if lv.team == "mx"])
    assert 1 <= len(d["best_fixed"]) <= 4
    assert d["strategies"]["nothing"] < min(d["personas"].values())
    assert d["margins"]["nothing"] == round(d["strategies"]["nothing"] - d["best_persona"]["mean"], 2)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "precursor.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def test_cli_prints_json_and_refuses_an_unknown_scenario_in_one_line() -> None:
    out = _cli("probe", "--scenario", "tutorial", "--team", "ca", "--runs", "2", "--search-runs", "1",
               "--workers", "1", "--json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    (result,) = json.loads(out.stdout)
    assert result["team"] == "ca" and result["runs"] == 2 and "margins" in result
    bad = _cli("probe", "--scenario", "no-such", "--runs", "1")
    assert bad.returncode == 2 and bad.stderr.startswith("error: unknown scenario")
    assert len(bad.stderr.strip().splitlines()) == 1
