"""The backtest: the shipped record, the-record scenario built from it, the mapping's transformations on
hand-made series, and `precursor backtest` on a few real bot games."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from precursor.analysis import backtest as bt
from precursor.analysis.backtest import (
    MAPPINGS,
    BacktestError,
    Row,
    SeriesMap,
    change_error,
    direction,
    directions,
    fiscal_year,
    fiscal_year_sum,
    index_on,
    load_record,
    month_add,
    record_dir,
    trailing_mean_filled,
    trailing_sum,
    year_means_filled,
)
from precursor.analysis.runner import play
from precursor.cli import main
from precursor.game.bots import BotDriver
from precursor.game.months import add_months
from precursor.game.rulebook import Rulebook

ROOT = Path(__file__).resolve().parents[2]


def _values(record: dict[str, dict[str, Row]], series: str) -> dict[str, float]:
    return {p: r.value for p, r in record[series].items()}


# ---------------------------------------------------------------------- the data files


def test_the_record_loads_and_every_number_has_a_source() -> None:
    record = load_record()
    assert {m.series for m in MAPPINGS} <= set(record)
    rows = [r for by_period in record.values() for r in by_period.values()]
    assert len(rows) > 100
    for r in rows:
        assert r.source and r.confidence in ("high", "medium") and r.unit, r
    # the fiscal-year totals the record also carries are the sums of their monthly rows
    for series in ("cbp_fentanyl_seized_lb_nationwide", "cbp_swb_encounters_total"):
        values = _values(record, series)
        for fy in (2023, 2024):
            assert fiscal_year_sum(values, fy) == pytest.approx(values[f"FY{fy}"], abs=0.2), (series, fy)


def test_the_scenario_starts_from_the_march_2023_record(rb: Rulebook) -> None:
    """Each starting value the scenario's comments derive from the record is the record's number."""
    record = load_record()
    start = rb.scenarios["the-record"].model.starting_values
    synth = record["us_od_deaths_synth_12m_predicted"]["2023-03"].value
    total = record["us_od_deaths_all_12m_predicted"]["2023-03"].value
    assert (start["us.od_synth"], start["us.od_total"]) == (synth, total)
    assert start["us.od_nonsynth"] == total - synth
    seized = trailing_sum(_values(record, "cbp_fentanyl_seized_lb_nationwide"), "2023-03")
    assert seized is not None and start["us.seizures"] == round(seized)
    enc = _values(record, "cbp_swb_encounters_total")
    assert start["migrant_flow"] == round(
        index_on(enc, [f"2022-{m:02d}" for m in range(1, 13)])["2023-03"], 1
    )
    assert start["mx.homicides"] == record["mx_homicides_inegi_preliminary"]["2023"].value
    assert start["ca.opioid_deaths"] == record["ca_opioid_deaths_first_release"]["2023"].value


def test_every_inject_is_tied_to_a_dated_row_of_the_timeline(rb: Rulebook) -> None:
    sc = rb.scenarios["the-record"].model
    injects = {i.id: i for i in sc.injects}
    calendar = {c.id for c in sc.calendar}
    with (record_dir() / "timeline.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    named: set[str] = set()
    for row in rows:
        assert row["source"].strip() and row["confidence"] in ("high", "medium"), row
        uses: list[tuple[str, str]] = []
        kind = ""
        for part in row["used_as"].split("; "):  # "inject: a; b": a in the row's month, b a consequence
            if ": " in part:
                kind, _, part = part.partition(": ")
            uses.append((kind, part))
        for kind, ident in uses:
            assert ident in {"start": sc.starting_values, "calendar": calendar, "inject": injects}[kind], row
        events = [injects[i] for k, i in uses if k == "inject"]
        if events:
            month = add_months(sc.start, (events[0].turn or 0) - 1)
            assert f"{month.year:04d}-{month.month:02d}" == row["date"][:7], (row["date"], events[0].id)
            assert all((e.turn or 0) >= (events[0].turn or 0) for e in events)
            named.update(e.id for e in events)
    timed = {i.id for i in sc.injects if i.turn is not None}
    assert named == timed, sorted(timed - named)
    for inj in sc.injects:
        if inj.turn is None:  # conditional injects serve games that leave the record
            continue
        assert inj.ext is not None and "timeline.csv" in inj.ext.note, inj.id


# ---------------------------------------------------------------------- the mapping on tiny series


def test_calendar_helpers() -> None:
    assert month_add("2023-11", 2) == "2024-01" and month_add("2023-01", -1) == "2022-12"
    assert (fiscal_year("2023-09"), fiscal_year("2023-10")) == (2023, 2024)
    assert bt.quarter("2024-05") == "2024Q2"


def test_rolling_and_fiscal_sums() -> None:
    monthly = {month_add("2022-10", k): float(k + 1) for k in range(14)}  # Oct 2022 = 1 … Nov 2023 = 14
    assert trailing_sum(monthly, "2023-09") == sum(range(1, 13)) == fiscal_year_sum(monthly, 2023)
    assert trailing_sum(monthly, "2023-11") == sum(range(3, 15))
    assert trailing_sum(monthly, "2023-08") is None  # September 2022 is missing
    assert trailing_sum(monthly, "2022-12", n=3) == 6


def test_model_transformations() -> None:
    # annualized monthly rates: the 12-month mean is the 12-month sum of monthly counts
    assert trailing_mean_filled([120.0, 240.0], 0.0, n=2) == [60.0, 180.0]
    assert trailing_mean_filled([12.0, 24.0], 12.0) == [12.0, 13.0]
    # a calendar year counts only when the game reaches its December; earlier months read the start
    monthly = {month_add("2023-11", k): 24.0 for k in range(14)}  # Nov 2023 … Dec 2024
    assert year_means_filled(monthly, 12.0) == {"2023": 14.0, "2024": 24.0}
    assert year_means_filled({"2024-01": 5.0}, 1.0) == {}
    assert index_on({"a": 50.0, "b": 150.0, "c": 200.0}, ["a", "b"]) == {"a": 50.0, "b": 150.0, "c": 200.0}


def test_directions_and_change_error() -> None:
    assert (direction(100, 102), direction(100, 99.5), direction(100, 90)) == (1, 0, -1)
    months = [month_add("2023-04", k) for k in range(6)]  # 2023Q2 and 2023Q3 whole, nothing else
    record = dict(zip(months, [1.0, 2.0, 3.0, 5.0, 5.0, 5.0], strict=True))
    model = dict(zip(months, [3.0, 3.0, 3.0, 2.0, 2.0, 2.0], strict=True))
    assert directions(record, model, "monthly") == [
        {"period": "2023Q3", "record": 1, "model": -1, "agree": False}
    ]
    assert directions({"2023": 10.0, "2024": 8.0}, {"2023": 5.0, "2024": 4.0}, "annual")[0]["agree"] is True
    ch = change_error({"2023-03": 100.0, "2023-04": 80.0}, {"2023-03": 100.0, "2023-04": 90.0})
    assert ch == {"record": -20.0, "model": -10.0, "record_pct": -20.0, "model_pct": -10.0, "rel_error": 0.5}
    assert change_error({"x": 1.0}, {"x": 1.0})["rel_error"] is None


def test_a_series_map_reads_the_record_and_a_game_in_the_same_convention() -> None:
    def rows(series: str, values: dict[str, float]) -> dict[str, Row]:
        return {p: Row(series, p, v, "u", "src", "high") for p, v in values.items()}

    months = [month_add("2023-03", k) for k in range(22)]  # the game's months, to December 2024
    seized = {month_add("2022-01", k): 10.0 for k in range(36)}
    record = {"s": rows("s", {**seized, "FY2023": 120.0}), "y": rows("y", {"2023": 5.0, "2024": 7.0})}
    sum12 = SeriesMap("s", "i", "l", "u", "monthly", "sum12", "mean12", "c")
    assert sum12.record_values(record, months) == dict.fromkeys(months, 120.0)
    game = sum12.model_values([240.0] * 22, 120.0, months)
    assert game["2023-03"] == pytest.approx(130.0) and game["2024-02"] == pytest.approx(240.0)
    annual = SeriesMap("y", "i", "l", "u", "annual", "as_is", "year_mean", "c")
    assert annual.record_values(record, months) == {"2023": 5.0, "2024": 7.0}
    assert annual.model_values([6.0] * 22, 3.0, months) == {"2023": 5.5, "2024": 6.0}  # (2 * 3 + 10 * 6) / 12
    with pytest.raises(BacktestError, match="no series 'nope'"):
        SeriesMap("nope", "i", "l", "u", "monthly", "as_is", "as_is", "c").record_values(record, months)


def test_a_malformed_record_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "record.csv"
    path.write_text("series,period,value,unit,source,confidence,note\ns,2023-01,1,u,,high,n\n")
    with pytest.raises(BacktestError, match="line 2: a value needs a source"):
        load_record(path)
    path.write_text("series,period,value,unit,source,confidence,note\ns,2023-01,many,u,src,high,n\n")
    with pytest.raises(BacktestError, match="line 2"):
        load_record(path)


# ---------------------------------------------------------------------- the scenario and the command


def test_the_record_validates_and_plays_with_every_inject_on_time(rb: Rulebook) -> None:
    assert main(["validate", str(ROOT / "scenarios" / "the-record.yaml")]) == 0
    sc = rb.scenarios["the-record"].model
    assert (sc.start, sc.turns, sc.months_per_turn) == ("2023-03-01", 22, 1)
    game, refused = play(rb, "the-record", 1, None, bots=BotDriver(rb, dict(sc.personas), 1))
    assert not refused and game.state.ended and game.state.turn == 22
    fired = {e["id"]: e["turn"] for e in game.log if e["type"] == "inject"}
    timed = {i.id: i.turn for i in sc.injects if i.turn is not None}
    assert {k: v for k, v in fired.items() if k in timed} == timed
    assert len(game.state.history["us.od_synth"]) >= 23  # the start, then a month per turn


@pytest.fixture(scope="module")
def small_run() -> dict[str, Any]:
    return bt.backtest(4, 3, workers=1)


def test_backtest_json_has_a_row_per_mapped_series(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backtest", "--runs", "3", "--workers", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["runs"] == 3 and out["scenario"] == "the-record"
    assert [r["series"] for r in out["series"]] == [m.series for m in MAPPINGS]
    for row, m in zip(out["series"], MAPPINGS, strict=True):
        assert row["indicator"] == m.indicator and row["convention"] and row["sources"]
        monthly = m.frequency == "monthly"
        assert row["band_total"] == len(row["points"]) == (22 if monthly else 2)
        assert row["direction_total"] == len(row["directions"]) == (6 if monthly else 1)
        assert 0 <= row["direction_agree"] <= row["direction_total"]
        assert row["in_band"] == sum(p["inside"] for p in row["points"])
        for p in row["points"]:
            assert p["p10"] <= p["median"] <= p["p90"]
            assert p["inside"] == (p["p10"] <= p["record"] <= p["p90"])
        assert set(row["change"]) == {"record", "model", "record_pct", "model_pct", "rel_error"}
        assert row["change"]["record"] == pytest.approx(
            row["points"][-1]["record"] - row["points"][0]["record"]
        )


def test_workers_do_not_change_the_result(small_run: dict[str, Any]) -> None:
    assert bt.backtest(4, 3, workers=2) == small_run


def test_the_table_and_the_html_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    page = tmp_path / "bt.html"
    assert main(["backtest", "--runs", "2", "--workers", "1", "--html", str(page)]) == 0
    out = capsys.readouterr().out
    assert "us_od_deaths_synth_12m_predicted" in out and f"charts -> {page}" in out
    html = page.read_text()
    assert html.count("<img") == len(MAPPINGS) and html.count("data:image/png;base64,iVBORw0KGgo") == len(
        MAPPINGS
    )


def test_html_without_matplotlib_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "matplotlib", None)
    assert main(["backtest", "--runs", "1", "--html", str(tmp_path / "x.html")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --html needs matplotlib") and err.count("\n") == 1
    assert not (tmp_path / "x.html").exists()


def test_a_missing_record_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(bt, "record_dir", lambda: tmp_path)
    assert main(["backtest", "--runs", "1", "--json"]) == 2
    cap = capsys.readouterr()
    assert cap.err.startswith("error: ") and "record.csv" in cap.err and cap.err.count("\n") == 1
    assert cap.out == ""
