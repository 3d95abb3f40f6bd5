"""The balance report's new tables, on real bot games: persona spreads, the tension band, lever use.

Few games (two per persona set) keep it cheap; the figures are checked against batches played again
with ``simulate`` on the same seeds, so the report is held to what the games did, not to itself.
"""

from __future__ import annotations

import json
import statistics
from typing import Any

import pytest
from pydantic import ValidationError

from precursor.analysis.simulate import (
    CHECKS,
    RARE_SHARE,
    balance,
    persona_sets,
    resolve_personas,
    simulate,
)
from precursor.cli import main
from precursor.game import schema as S
from precursor.game.rulebook import Rulebook
from precursor.game.schema import TEAMS

RUNS, SEED = 2, 7


@pytest.fixture(scope="module")
def report(rb: Rulebook) -> dict[str, Any]:
    return balance(RUNS, 2, SEED, rb=rb, scenarios=["tutorial", "loose-talk"])


def _mean(rb: Rulebook, scenario: str, team: str, overrides: dict[str, str]) -> float:
    recs = simulate(scenario, RUNS, SEED, overrides, rb=rb)
    return round(statistics.fmean(float(r[f"score_{team}"]) for r in recs), 4)


def test_persona_sets_are_the_defaults_and_every_one_team_change(rb: Rulebook) -> None:
    sets = persona_sets(rb, "loose-talk")
    defaults = resolve_personas(rb, "loose-talk")
    assert sets[0] == defaults
    changes = sorted((t, s[t]) for s in sets[1:] for t in TEAMS if s[t] != defaults[t])
    assert len(changes) == len(sets) - 1  # each set changes exactly one team
    wanted = sorted((p.team, p.id) for p in rb.personas.values() if p.id != defaults[p.team])
    assert changes == wanted
    for check in CHECKS:  # every check's personas are among the sets played
        assert resolve_personas(rb, "loose-talk", dict(check.overrides)) in sets


def test_persona_spreads_match_batches_played_on_the_same_seeds(rb: Rulebook, report: dict[str, Any]) -> None:
    rows = {(r["scenario"], r["team"]): r for r in report["spreads"]}
    assert sorted(rows) == sorted((sc, t) for sc in ("tutorial", "loose-talk") for t in TEAMS)
    row = rows[("loose-talk", "mx")]
    own = {p.id: _mean(rb, "loose-talk", "mx", {"mx": p.id}) for p in rb.personas.values() if p.team == "mx"}
    assert row["own"] == own
    assert row["own_spread"] == pytest.approx(max(own.values()) - min(own.values()))
    us = [_mean(rb, "loose-talk", "mx", {"us": p.id}) for p in rb.personas.values() if p.team == "us"]
    assert row["others"]["us"] == pytest.approx(max(us) - min(us))
    for r in report["spreads"]:
        assert r["other_spread"] == max(v for v in r["others"].values() if v is not None)
        assert r["others"][r["other_team"]] == r["other_spread"]
        assert r["flag"] == (r["own_spread"] < r["other_spread"])


def test_the_tension_band_is_a_check_row_per_scenario(rb: Rulebook, report: dict[str, Any]) -> None:
    rows = [r for r in report["checks"] if r["check"] == "tension_band"]
    assert [r["scenario"] for r in rows] == ["tutorial", "loose-talk"]
    for r in rows:
        band = rb.scenarios[r["scenario"]].model.tension_band
        assert band is not None and (r["lo"], r["hi"]) == (band.low, band.high)
        recs = simulate(r["scenario"], RUNS, SEED, rb=rb)
        assert r["value"] == pytest.approx(statistics.fmean(x["mean_mx_st"] for x in recs), abs=1e-3)
        assert r["passed"] == (band.low <= r["value"] <= band.high)


def test_every_shipped_scenario_has_a_tension_band_with_a_reason(rb: Rulebook) -> None:
    for sid, sc in rb.scenarios.items():
        band = sc.model.tension_band
        assert band is not None, sid
        assert 0 <= band.low < band.high <= 100 and band.reason.strip(), sid
        base = float(sc.model.starting_values.get("mx.st_base", 0))
        assert band.low >= base, f"{sid}: the band starts below the standing floor mx.st_base"


def test_a_tension_band_upside_down_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"low 60\.0 is above high 40\.0"):
        S.TensionBand(low=60, high=40, reason="r")


def test_the_us_deaths_check_reads_the_scenario_band(rb: Rulebook, report: dict[str, Any]) -> None:
    rows = {r["scenario"]: r for r in report["checks"] if r["check"] == "default_us_out_od"}
    for sc, r in rows.items():
        band = rb.scenarios[sc].model.us_deaths_band
        assert band is not None and (r["lo"], r["hi"]) == (band.low, band.high), sc
        assert r["passed"] == (band.low <= r["value"] <= band.high)


def test_every_shipped_scenario_derives_a_us_deaths_band_with_a_reason(rb: Rulebook) -> None:
    for sid, sc in rb.scenarios.items():
        band = sc.model.us_deaths_band
        assert band is not None, sid
        assert -10 <= band.low < band.high <= 10 and band.reason.strip(), sid
    # The Record ends in December 2024, after recorded deaths fell by a third: its band reaches the cap.
    record = rb.scenarios["the-record"].model.us_deaths_band
    assert record is not None and record.high == 10 and "record/record.csv" in record.reason


def test_a_us_deaths_band_upside_down_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"low 5\.0 is above high -3\.0"):
        S.DeathsBand(low=5, high=-3, reason="r")


def test_the_hawk_check_is_not_applicable_where_the_scenario_is_too_short(report: dict[str, Any]) -> None:
    hawk = {r["scenario"]: r for r in report["checks"] if r["check"] == "hawk_hrl_rate"}
    assert hawk["tutorial"]["passed"] is None and "turn 4" in hawk["tutorial"]["note"]
    assert isinstance(hawk["loose-talk"]["passed"], bool) and hawk["loose-talk"]["note"] == ""


def test_lever_use_counts_the_games_in_which_each_lever_was_ordered(
    rb: Rulebook, report: dict[str, Any]
) -> None:
    rows = {r["lever"]: r for r in report["levers"]}
    assert sorted(rows) == sorted(rb.levers)
    games = [
        rec
        for sc in ("tutorial", "loose-talk")
        for personas in persona_sets(rb, sc)
        for rec in simulate(sc, RUNS, SEED, personas, rb=rb)
    ]
    for lid, r in rows.items():
        n = sum(1 for g in games if lid in g["levers_ordered"].split(","))
        assert (r["games"], r["share"]) == (n, round(n / len(games), 4)), lid
        best_share = r["best"]["share"] if r["best"] else 0.0
        assert r["flag"] == (best_share < RARE_SHARE and not r["rare"])
        if n:
            assert r["best"]["share"] > 0 and rb.personas[r["best"]["persona"]].team == r["team"]
        else:
            assert r["best"] is None


def test_a_rare_reason_is_carried_into_the_rulebook(rb: Rulebook) -> None:
    rare = {lid: lv.rare for lid, lv in rb.levers.items() if lv.rare}
    assert rare, "some levers state why they are rare"
    assert all(reason.strip() for reason in rare.values())
    with pytest.raises(ValidationError):
        S.Lever.model_validate({**_lever(), "rare": ""})
    assert S.Lever.model_validate({**_lever(), "rare": "why"}).rare == "why"


def _lever() -> dict[str, Any]:
    return {"id": "x", "code": "X", "name": "x", "team": "us", "seat": "s", "cost": 1, "basis": "invented",
            "sources": ["a"]}  # fmt: skip


def test_cli_balance_prints_the_three_tables(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["balance", "--runs", "1", "--workers", "2"]) == 0
    out = capsys.readouterr().out
    for title in ("balance targets", "persona spreads", "lever use", "tension"):
        assert title in out
    assert main(["balance", "--runs", "1", "--workers", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"checks", "spreads", "levers"} and data["runs"] == 1
