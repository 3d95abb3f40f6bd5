"""Batch simulation: real bot-vs-bot games, few of them, checked for determinism and honest summaries.

The short ``tutorial`` scenario (3 turns) keeps each game cheap; ``red-line`` (a hawk in the White
House) covers the persona that tests the sovereignty rules hardest.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

import pytest

from precursor.analysis.simulate import (
    CHECKS,
    INDICATORS,
    SimulationError,
    resolve_personas,
    run_one,
    run_seed,
    simulate,
    summarize,
)
from precursor.cli import main
from precursor.game.rulebook import Rulebook
from precursor.game.schema import TEAMS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def tutorial_records(rb: Rulebook) -> list[dict[str, Any]]:
    return simulate("tutorial", 10, 11, rb=rb)


def test_records_do_not_depend_on_the_number_of_workers(rb: Rulebook) -> None:
    progress: list[tuple[int, int]] = []
    one = simulate("tutorial", 8, 5, workers=1, rb=rb)
    two = simulate("tutorial", 8, 5, workers=2, rb=rb, progress=lambda d, t: progress.append((d, t)))
    assert one == two
    assert [r["run"] for r in two] == list(range(8))
    assert len({r["seed"] for r in two}) == 8  # every run is a different game
    assert progress[0] == (0, 8) and progress[-1] == (8, 8)
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    # another batch seed gives other games
    assert simulate("tutorial", 8, 6, rb=rb) != one


def test_run_seeds_depend_on_batch_seed_and_index_only() -> None:
    seeds = [run_seed(1, i) for i in range(1000)]
    assert len(set(seeds)) == 1000
    assert all(0 <= s < 2**53 for s in seeds)  # exact in any JSON reader
    assert seeds[:5] == [run_seed(1, i) for i in range(5)]
    assert run_seed(2, 0) not in seeds


def test_a_record_replays_alone_from_its_seed(rb: Rulebook, tutorial_records: list[dict[str, Any]]) -> None:
    rec = tutorial_records[3]
    personas: dict[str, str] = {t: str(rec[f"persona_{t}"]) for t in TEAMS}
    again = run_one(rb, "tutorial", int(str(rec["seed"])), personas, levers=True)
    assert {"run": 3, **again} == rec


def test_records_are_flat_json_with_no_refused_commands(rb: Rulebook) -> None:
    records = simulate("red-line", 4, 2, rb=rb) + simulate("tutorial", 4, 2, {"us": "hawk"}, rb=rb)
    for rec in records:
        assert rec["refused"] == 0, rec
        assert all(not isinstance(v, (dict, list)) for v in rec.values()), "records are flat"
        assert json.loads(json.dumps(rec)) == rec
        assert rec["turns"] == rb.scenarios[str(rec["scenario"])].model.turns
        assert rec["trade_cost"] == pytest.approx(sum(float(rec[f"econ_cost_{t}"]) for t in TEAMS))
        assert rec["trilateral"] == (rec["modules_in_force"] > 0) == bool(rec["modules"])
        assert 0 <= rec["agreements_honoured"] <= rec["agreements_signed"]
        assert rec["hrl"] == (rec["hrl_count"] > 0)
        for key in (*INDICATORS, *(f"score_{t}" for t in TEAMS)):
            assert isinstance(rec[key], float), key
    assert {r["persona_us"] for r in records} == {"hawk"}


def test_summary_agrees_with_the_records(tutorial_records: list[dict[str, Any]]) -> None:
    recs = [dict(r) for r in tutorial_records]
    for r in recs[:3]:  # the shipped bots rarely cross the line in the tutorial: make the rate non-trivial
        r["hrl"] = True
    s = summarize(recs)
    assert s["runs"] == 10 and s["scenario"] == "tutorial"
    assert s["hrl_rate"] == pytest.approx(0.3)
    assert s["trilateral_share"] == pytest.approx(sum(1 for r in recs if r["trilateral"]) / 10)
    assert s["agreements_signed_mean"] == pytest.approx(
        statistics.fmean(float(r["agreements_signed"]) for r in recs)
    )
    assert s["agreements_honoured_mean"] <= s["agreements_signed_mean"]
    assert s["out_od_us_mean"] == pytest.approx(statistics.fmean(float(r["out_od_us"]) for r in recs))
    assert s["refused_total"] == 0
    for team in TEAMS:
        xs = [float(r[f"score_{team}"]) for r in recs]
        st = s["scores"][team]
        deciles = statistics.quantiles(xs, n=10, method="inclusive")
        assert st["mean"] == pytest.approx(statistics.fmean(xs), abs=1e-4)
        assert st["median"] == pytest.approx(statistics.median(xs), abs=1e-4)
        assert st["p10"] == pytest.approx(deciles[0], abs=1e-4)
        assert st["p90"] == pytest.approx(deciles[-1], abs=1e-4)
    for st in [*s["scores"].values(), *s["indicators"].values()]:
        assert st["p10"] <= st["median"] <= st["p90"]


def test_bad_scenario_or_persona_is_refused_with_the_choices(rb: Rulebook) -> None:
    with pytest.raises(SimulationError, match=r"unknown scenario 'nope'.*loose-talk"):
        resolve_personas(rb, "nope")
    with pytest.raises(SimulationError, match=r"no persona 'hawk' for team mx; try: .*sovereigntist"):
        resolve_personas(rb, "tutorial", {"mx": "hawk"})
    assert resolve_personas(rb, "tutorial", {"us": "hawk"})["us"] == "hawk"


# ---------------------------------------------------------------------- the CLI, in process


def test_cli_simulate_json_out_and_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, png = tmp_path / "runs.jsonl", tmp_path / "chart.png"
    args = ["simulate", "--scenario", "tutorial", "--runs", "5", "--seed", "3", "--json"]
    rc = main([*args, "--personas", "us=hawk", "--out", str(out), "--plot", str(png), "--workers", "2"])
    cap = capsys.readouterr()
    assert rc == 0, cap.err
    summary = json.loads(cap.out)  # --json: the summary and nothing else on stdout
    assert summary["runs"] == 5 and summary["personas"]["us"] == "hawk"
    assert set(summary["scores"]) == set(TEAMS)
    for key in ("hrl_rate", "agreements_signed_mean", "agreements_honoured_mean", "trilateral_share"):
        assert isinstance(summary[key], float), key
    for st in summary["scores"].values():
        assert st["p10"] <= st["median"] <= st["p90"]
    lines = out.read_text().splitlines()
    assert len(lines) == 5
    assert [json.loads(line)["run"] for line in lines] == list(range(5))
    assert png.read_bytes()[:8] == PNG_SIGNATURE
    assert png.stat().st_size > 10_000  # a chart, not an empty canvas


def test_cli_simulate_prints_tables_and_a_terminal_chart(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--scenario", "tutorial", "--runs", "4", "--seed", "9"]) == 0
    out = capsys.readouterr().out
    assert "final scores" in out and "hard red line crossed" in out and "trilateral module" in out
    assert "us institutionalist: median" in out  # the plotext chart's subplot titles
    assert "┤" in out  # its axes


@pytest.mark.parametrize(
    ("personas", "message"),
    [
        ("us=dove", "no persona 'dove' for team us"),
        ("us", "bad persona 'us'"),
        ("xx=hawk", "unknown team 'xx'"),
    ],
)
def test_cli_simulate_bad_personas_exit_2(
    personas: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(["simulate", "--scenario", "tutorial", "--runs", "2", "--personas", personas])
    cap = capsys.readouterr()
    assert rc == 2
    assert message in cap.err and cap.out == ""


def test_cli_simulate_unknown_scenario_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--scenario", "nope", "--runs", "2"]) == 2
    assert "unknown scenario 'nope'" in capsys.readouterr().err


def test_cli_balance_json_has_every_scenario_and_check(
    rb: Rulebook, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["balance", "--runs", "6", "--workers", "2", "--json"]) == 0
    results = [r for r in json.loads(capsys.readouterr().out)["checks"] if r["check"] != "tension_band"]
    pairs = [(r["scenario"], r["check"]) for r in results]
    assert sorted(pairs) == sorted((sc, c.name) for sc in rb.scenarios for c in CHECKS)
    for r in results:
        assert r["runs"] == 6 and r["target"] and r["refused"] == 0
        if r["passed"] is None:  # a check the scenario is too short for: said so, not scored
            assert r["note"] and rb.scenarios[r["scenario"]].model.turns < 4
            continue
        assert isinstance(r["passed"], bool)
        if r["unit"] == "share":
            assert r["value"] * 6 == pytest.approx(round(r["value"] * 6), abs=1e-3)  # a share of 6 games
        if r["lo"] is not None and r["value"] < r["lo"]:
            assert r["passed"] is False
        if r["hi"] is not None and r["value"] > r["hi"]:
            assert r["passed"] is False
        check = next(c for c in CHECKS if c.name == r["check"])
        for team, persona in check.overrides:
            assert r["personas"][team] == persona


def test_a_batch_pauses_the_collector_safely(rb: Rulebook) -> None:
    """simulate pauses the cyclic collector over several games at a time: safe only because bot games
    leave no reference cycles behind, which this checks for every scenario; and it hands the collector
    back as it found it."""
    import gc

    for sid, sc in sorted(rb.scenarios.items()):
        gc.collect()
        run_one(rb, sid, 3, dict(sc.model.personas))
        assert gc.collect() == 0, f"a bot game of {sid} left cyclic garbage"
    assert gc.isenabled()
    simulate("tutorial", 30, 1, workers=1, rb=rb)
    assert gc.isenabled()
    gc.disable()
    try:
        simulate("tutorial", 3, 1, workers=1, rb=rb)
        assert not gc.isenabled()  # a caller's own setting is left as it was
    finally:
        gc.enable()
