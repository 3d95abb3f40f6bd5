"""Does the model reproduce the record? Bot games of ``the-record`` held against recorded history.

The scenario replays March 2023 – December 2024 with every dated event as an inject; the bots play the
teams, so the stochastic parts of the game (the hidden ports-of-entry share, bot dice, captures, caravans)
vary from seed to seed. Each game's monthly values of the mapped indicators (``game.state.history``) are
put into the recorded series' own convention (``MAPPINGS``: rolling 12-month sums, an index on 2022,
calendar-year means) and compared with the record three ways: the direction of change quarter by quarter
(model median against record), the error of the change over the whole period, and whether each recorded
value lies inside the model's p10–p90 band. docs/backtest.md states the mapping and the measured result.

The record ships with the package (``record/`` in a checkout, ``precursor/data/record`` in a wheel) so the
command and its tests run without anything outside the project.
"""

from __future__ import annotations

import csv
import itertools
import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from precursor.analysis.pool import map_games
from precursor.analysis.simulate import quantile, resolve_personas, run_seed
from precursor.game.paths import data_root

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

SCENARIO = "the-record"
Progress = Callable[[int, int], None]

# A change smaller than this share of the level counts as flat, for the record and the model alike: a
# 0.3 % wobble in a rolling sum is not a direction.
FLAT = 0.01


class BacktestError(ValueError):
    """The record or the scenario cannot be used: a missing file, a malformed row, an unknown series."""


# ---------------------------------------------------------------------- the record


@dataclass(frozen=True, slots=True)
class Row:
    series: str
    period: str
    value: float
    unit: str
    source: str
    confidence: str


def record_dir() -> Path:
    """Where record.csv lives: beside rules/ in a wheel (precursor/data/record), ``record/`` in a checkout."""
    return data_root() / "record"


def load_record(path: Path | None = None) -> dict[str, dict[str, Row]]:
    """record.csv as series -> period -> row. Every row must carry a value, a source and a confidence."""
    path = path or record_dir() / "record.csv"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BacktestError(f"{path}: {exc.strerror or exc}") from None
    out: dict[str, dict[str, Row]] = {}
    for i, raw in enumerate(csv.DictReader(text.splitlines()), start=2):
        try:
            row = Row(
                raw["series"],
                raw["period"],
                float(raw["value"]),
                raw["unit"],
                raw["source"].strip(),
                raw["confidence"].strip(),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BacktestError(f"{path}: line {i}: {exc}") from None
        if not row.source or row.confidence not in ("high", "medium"):
            raise BacktestError(f"{path}: line {i}: a value needs a source and a confidence (high or medium)")
        if row.period in out.setdefault(row.series, {}):
            raise BacktestError(f"{path}: line {i}: {row.series} {row.period} appears twice")
        out[row.series][row.period] = row
    return out


# ---------------------------------------------------------------------- calendar helpers


def month_add(month: str, n: int) -> str:
    """``2023-03`` plus ``n`` months."""
    y, m = int(month[:4]), int(month[5:7])
    k = y * 12 + m - 1 + n
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def month_range(first: str, last: str) -> list[str]:
    out = [first]
    while out[-1] < last:
        out.append(month_add(out[-1], 1))
    return out


def fiscal_year(month: str) -> int:
    """The US federal fiscal year of a calendar month: October opens the next year's (2023-10 is FY2024)."""
    y, m = int(month[:4]), int(month[5:7])
    return y + 1 if m >= 10 else y


def quarter(month: str) -> str:
    return f"{month[:4]}Q{(int(month[5:7]) - 1) // 3 + 1}"


# ---------------------------------------------------------------------- transformations


def trailing_sum(values: Mapping[str, float], month: str, n: int = 12) -> float | None:
    """The sum over ``month`` and the ``n - 1`` months before it; None when one of them is missing."""
    total = 0.0
    for k in range(n):
        v = values.get(month_add(month, -k))
        if v is None:
            return None
        total += v
    return total


def fiscal_year_sum(values: Mapping[str, float], fy: int) -> float | None:
    """A fiscal year's total from monthly values (October of the year before to September)."""
    return trailing_sum(values, f"{fy:04d}-09")


def trailing_mean_filled(monthly: Sequence[float], before: float, n: int = 12) -> list[float]:
    """Per month, the mean of it and the ``n - 1`` months before, months before the game read as ``before``.

    The model's indicators are annualized monthly rates; the mean of twelve of them is the 12-month sum the
    CDC publishes. The game has no months before its start, so they are taken at the starting value: the
    model's own assumption that the rate it starts from held over the preceding year.
    """
    padded = [before] * (n - 1) + list(monthly)
    return [statistics.fmean(padded[i : i + n]) for i in range(len(monthly))]


def year_means_filled(monthly: Mapping[str, float], before: float) -> dict[str, float]:
    """Calendar-year means of annualized monthly rates, for the years whose December the game reaches;
    months of such a year before the game read as ``before`` (as in ``trailing_mean_filled``)."""
    if not monthly:
        return {}
    first, last = min(monthly), max(monthly)
    out: dict[str, float] = {}
    for year in range(int(first[:4]), int(last[:4]) + 1):
        months = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
        if months[-1] > last:
            continue
        out[str(year)] = statistics.fmean(monthly.get(m, before) if m >= first else before for m in months)
    return out


def index_on(values: Mapping[str, float], base: Sequence[str]) -> dict[str, float]:
    """Each value as an index on the mean of the ``base`` periods (= 100)."""
    mean = statistics.fmean(values[p] for p in base)
    return {p: 100 * v / mean for p, v in values.items()}


# ---------------------------------------------------------------------- the mapping


@dataclass(frozen=True, slots=True)
class SeriesMap:
    """How one recorded series is read against one indicator (docs/backtest.md, "The mapping")."""

    series: str
    indicator: str
    label: str
    unit: str
    frequency: Literal["monthly", "annual"]
    record_transform: Literal["as_is", "sum12", "index2022"]
    model_transform: Literal["mean12", "as_is", "year_mean"]
    convention: str

    def record_values(
        self, record: Mapping[str, Mapping[str, Row]], months: Sequence[str]
    ) -> dict[str, float]:
        """The recorded series in the compared convention, for the game's months (or its full years)."""
        rows = record.get(self.series)
        if not rows:
            raise BacktestError(f"the record has no series '{self.series}'")
        raw = {p: r.value for p, r in rows.items() if not p.startswith("FY")}
        if self.frequency == "annual":
            years = {m[:4] for m in months if f"{m[:4]}-12" in months}
            return {p: v for p, v in raw.items() if p in years}
        if self.record_transform == "sum12":
            sums = {m: trailing_sum(raw, m) for m in months}
            return {m: v for m, v in sums.items() if v is not None}
        if self.record_transform == "index2022":
            base = [f"2022-{k:02d}" for k in range(1, 13)]
            if any(b not in raw for b in base):
                raise BacktestError(f"{self.series}: the 2022 base needs all twelve months of 2022")
            raw = index_on(raw, base)
        return {m: raw[m] for m in months if m in raw}

    def model_values(self, monthly: Sequence[float], start: float, months: Sequence[str]) -> dict[str, float]:
        """One game's indicator, month by month from the start, in the compared convention."""
        if self.model_transform == "mean12":
            return dict(zip(months, trailing_mean_filled(monthly, start), strict=True))
        if self.model_transform == "year_mean":
            return year_means_filled(dict(zip(months, monthly, strict=True)), start)
        return dict(zip(months, monthly, strict=True))


MAPPINGS: tuple[SeriesMap, ...] = (
    SeriesMap(
        "us_od_deaths_synth_12m_predicted",
        "us.od_synth",
        "US synthetic-opioid deaths, 12 months ending",
        "deaths",
        "monthly",
        "as_is",
        "mean12",
        "CDC's month is the last of 12 summed months; the model's annualized monthly rate, averaged over "
        "that month and the 11 before (months before March 2023 at the starting value); no reporting "
        "lag: both count deaths occurring in those months, in the late vintage",
    ),
    SeriesMap(
        "us_od_deaths_all_12m_predicted",
        "us.od_total",
        "US overdose deaths, all drugs, 12 months ending",
        "deaths",
        "monthly",
        "as_is",
        "mean12",
        "as for synthetic opioids; the model's total is its synthetic count plus a constant",
    ),
    SeriesMap(
        "cbp_fentanyl_seized_lb_nationwide",
        "us.seizures",
        "CBP fentanyl seizures, 12 months ending",
        "lb",
        "monthly",
        "sum12",
        "mean12",
        "CBP's monthly pounds summed over the month and the 11 before (September = the fiscal year); the "
        "model's annualized rate averaged the same way",
    ),
    SeriesMap(
        "cbp_swb_encounters_total",
        "migrant_flow",
        "southwest border encounters (2022 = 100)",
        "index",
        "monthly",
        "index2022",
        "as_is",
        "CBP's monthly encounters over their calendar-2022 monthly mean, times 100; the model's monthly "
        "index as it is (its scale is 2022 = 100)",
    ),
    SeriesMap(
        "mx_homicides_inegi_preliminary",
        "mx.homicides",
        "Mexico homicides, calendar year",
        "homicides",
        "annual",
        "as_is",
        "year_mean",
        "INEGI's preliminary yearly count; the model's annualized monthly rate averaged over the calendar "
        "year (January–February 2023 at the starting value). The model counts cartel-related homicides, "
        "INEGI all registered ones: compare changes more than levels",
    ),
    SeriesMap(
        "ca_opioid_deaths_first_release",
        "ca.opioid_deaths",
        "Canada opioid-toxicity deaths, calendar year",
        "deaths",
        "annual",
        "as_is",
        "year_mean",
        "PHAC's first-release yearly count; the model's annualized rate averaged over the calendar year",
    ),
)


# ---------------------------------------------------------------------- playing the games


def _indicators() -> list[str]:
    return [m.indicator for m in MAPPINGS]


def play_one(rb: Rulebook, seed: int, personas: Mapping[str, str]) -> dict[str, list[float]]:
    """One bot game of the-record: each mapped indicator's start value, then one value per turn's month.

    ``history[k][0]`` is the start; entry ``i`` is the month ``i - 1`` after the start (the month event
    is emitted at the end of the month it computes), so entries 1..turns are March 2023 – December 2024.
    The epilogue months after the last turn are not compared.
    """
    from precursor.analysis.runner import play
    from precursor.game.bots import BotDriver

    game, _ = play(rb, SCENARIO, seed, None, bots=BotDriver(rb, dict(personas), seed))
    turns = rb.scenarios[SCENARIO].model.turns
    hist = game.state.history
    return {k: [float(v) for v in hist[k][: turns + 1]] for k in _indicators()}


def _play_job(rb: Rulebook, job: tuple[int, tuple[tuple[str, str], ...]]) -> dict[str, list[float]]:
    seed, personas = job
    return play_one(rb, seed, dict(personas))


def play_runs(
    runs: int, seed: int, workers: int = 1, progress: Progress | None = None, rb: Rulebook | None = None
) -> list[dict[str, list[float]]]:
    """``runs`` games with the batch seeds ``simulate`` uses, in run order whatever ``workers`` is."""
    if runs < 1:
        raise BacktestError("runs must be at least 1")
    if rb is None:
        from precursor.game.rulebook import default_rulebook

        rb = default_rulebook()
    personas = tuple(resolve_personas(rb, SCENARIO).items())
    jobs = [(run_seed(seed, i), personas) for i in range(runs)]
    return map_games(rb, _play_job, jobs, workers, progress)


# ---------------------------------------------------------------------- comparing


def direction(before: float, after: float) -> int:
    """+1 up, -1 down, 0 flat (a change under ``FLAT`` of the level)."""
    change = after - before
    if abs(change) < FLAT * max(abs(before), 1e-9):
        return 0
    return 1 if change > 0 else -1


def _period_values(values: Mapping[str, float], frequency: str) -> dict[str, float]:
    """Quarter means of monthly values (only whole quarters); annual values as they are."""
    if frequency == "annual":
        return dict(sorted(values.items()))
    by_q: dict[str, list[float]] = {}
    for m, v in sorted(values.items()):
        by_q.setdefault(quarter(m), []).append(v)
    return {q: statistics.fmean(vs) for q, vs in by_q.items() if len(vs) == 3}


def directions(
    record: Mapping[str, float], model: Mapping[str, float], frequency: str
) -> list[dict[str, Any]]:
    """Per step (quarter to quarter, or year to year): the record's direction, the model's, agreement."""
    rq, mq = _period_values(record, frequency), _period_values(model, frequency)
    keys = [k for k in rq if k in mq]
    out = []
    for a, b in itertools.pairwise(keys):
        r, m = direction(rq[a], rq[b]), direction(mq[a], mq[b])
        out.append({"period": b, "record": r, "model": m, "agree": r == m})
    return out


def change_error(record: Mapping[str, float], model: Mapping[str, float]) -> dict[str, float | None]:
    """The change from the first to the last compared period, for both, and the model's relative error."""
    keys = sorted(k for k in record if k in model)
    if len(keys) < 2:
        return {"record": None, "model": None, "record_pct": None, "model_pct": None, "rel_error": None}
    a, b = keys[0], keys[-1]
    rc, mc = record[b] - record[a], model[b] - model[a]
    return {
        "record": rc,
        "model": mc,
        "record_pct": 100 * rc / record[a] if record[a] else None,
        "model_pct": 100 * mc / model[a] if model[a] else None,
        "rel_error": (mc - rc) / abs(rc) if rc else None,
    }


def compare(
    mapping: SeriesMap,
    record: Mapping[str, Mapping[str, Row]],
    games: Sequence[Mapping[str, Sequence[float]]],
    start: str = "2023-03",
) -> dict[str, Any]:
    """One row of the backtest: the mapped series against the model's band over ``games``, whose first
    month is ``start`` (YYYY-MM)."""
    if not games:
        raise BacktestError("no games to compare")
    n = len(games[0][mapping.indicator]) - 1
    months = [month_add(start, k) for k in range(n)]
    rec = mapping.record_values(record, months)
    per_game = [
        mapping.model_values(g[mapping.indicator][1:], g[mapping.indicator][0], months) for g in games
    ]
    periods = [p for p in sorted(per_game[0]) if p in rec]
    points = []
    median: dict[str, float] = {}
    for p in periods:
        vals = sorted(g[p] for g in per_game)
        lo, mid, hi = quantile(vals, 0.1), quantile(vals, 0.5), quantile(vals, 0.9)
        median[p] = mid
        inside = lo - 1e-9 <= rec[p] <= hi + 1e-9
        points.append({"period": p, "record": rec[p], "median": mid, "p10": lo, "p90": hi, "inside": inside})
    steps = directions(rec, median, mapping.frequency)
    return {
        "series": mapping.series,
        "indicator": mapping.indicator,
        "label": mapping.label,
        "unit": mapping.unit,
        "frequency": mapping.frequency,
        "record_transform": mapping.record_transform,
        "model_transform": mapping.model_transform,
        "convention": mapping.convention,
        "sources": sorted({record[mapping.series][p].source for p in record[mapping.series]}),
        "directions": steps,
        "direction_agree": sum(1 for s in steps if s["agree"]),
        "direction_total": len(steps),
        "change": change_error(rec, median),
        "in_band": sum(1 for p in points if p["inside"]),
        "band_total": len(points),
        "points": points,
    }


def level_error(rows: Sequence[Mapping[str, Any]], year: str) -> dict[str, Any]:
    """How far the model's median sits from the record over one calendar year, as calibration reads it.

    Per series (a row of ``backtest``'s ``series``), the mean over its recorded points in ``year`` of the
    squared relative error ((median − record) / record)²; then the mean over the series that have points
    in that year, each weighing the same whatever its number of points (monthly series have ten or
    twelve, annual ones one). Zero is a perfect fit; 0.01 is a typical miss of 10 %.
    """
    per: dict[str, dict[str, Any]] = {}
    for row in rows:
        pts = [p for p in row["points"] if str(p["period"])[:4] == year and p["record"]]
        if pts:
            sq = [((p["median"] - p["record"]) / p["record"]) ** 2 for p in pts]
            per[row["series"]] = {"points": len(pts), "error": statistics.fmean(sq)}
    total = statistics.fmean(v["error"] for v in per.values()) if per else None
    return {"year": year, "error": total, "series": per}


def backtest(
    runs: int,
    seed: int,
    workers: int = 1,
    progress: Progress | None = None,
    rb: Rulebook | None = None,
    record: Mapping[str, Mapping[str, Row]] | None = None,
) -> dict[str, Any]:
    """Play the-record ``runs`` times and compare every mapped series; JSON-ready."""
    record = record if record is not None else load_record()
    if rb is None:
        from precursor.game.rulebook import default_rulebook

        rb = default_rulebook()
    if SCENARIO not in rb.scenarios:
        raise BacktestError(f"the rulebook has no scenario '{SCENARIO}'")
    start = rb.scenarios[SCENARIO].model.start[:7]
    games = play_runs(runs, seed, workers, progress, rb)
    return {
        "scenario": SCENARIO,
        "runs": runs,
        "seed": seed,
        "flat_threshold": FLAT,
        "series": [compare(m, record, games, start) for m in MAPPINGS],
    }


# ---------------------------------------------------------------------- the HTML page


def _chart_png(row: Mapping[str, Any]) -> bytes:
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pts = row["points"]
    xs = list(range(len(pts)))
    fig, ax = plt.subplots(figsize=(8, 3.6))
    try:
        ax.fill_between(xs, [p["p10"] for p in pts], [p["p90"] for p in pts], color="#4c72b0", alpha=0.25,
                        label="model p10–p90")  # fmt: skip
        ax.plot(xs, [p["median"] for p in pts], color="#4c72b0", linewidth=2, label="model median")
        ax.plot(xs, [p["record"] for p in pts], "o", color="#c44e52", markersize=4, label="record")
        step = 3 if len(pts) > 8 else 1  # quarterly ticks keep the month labels apart
        ax.set_xticks(xs[::step], [p["period"] for p in pts][::step], fontsize=8)
        ax.set_title(f"{row['label']} ({row['indicator']})", fontsize=10)
        ax.set_ylabel(row["unit"])
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="best")
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, dpi=90, format="png")
        return buf.getvalue()
    finally:
        plt.close(fig)


def _fmt(v: float | None, pct: bool = False) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:+.1f} %" if pct else f"{v:+.2f}"


def html_page(result: Mapping[str, Any]) -> str:
    """A self-contained page: one chart per series (PNG data URIs) and its figures."""
    import base64
    from html import escape

    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Precursor backtest</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;font-size:90%}</style>",
        "</head><body>",
        f"<h1>Backtest: {escape(result['scenario'])}</h1>",
        f"<p>{result['runs']} bot games, batch seed {result['seed']}. Points: the record; line: the model's "
        "median; band: its p10–p90. docs/backtest.md explains the mapping.</p>",
    ]
    for row in result["series"]:
        png = base64.b64encode(_chart_png(row)).decode()
        ch = row["change"]
        parts += [
            f"<h2>{escape(row['label'])}</h2>",
            f"<p><code>{escape(row['series'])}</code> against <code>{escape(row['indicator'])}</code>: "
            f"{escape(row['convention'])}.</p>",
            f"<img alt='{escape(row['label'])}' src='data:image/png;base64,{png}'>",
            "<table><tr><th>directions agree</th><th>record change</th><th>model change</th>"
            "<th>relative error of the change</th><th>record inside p10–p90</th></tr>",
            f"<tr><td>{row['direction_agree']} of {row['direction_total']}</td>"
            f"<td>{_fmt(ch['record_pct'], True)}</td><td>{_fmt(ch['model_pct'], True)}</td>"
            f"<td>{_fmt(ch['rel_error'])}</td><td>{row['in_band']} of {row['band_total']}</td></tr></table>",
        ]
    parts.append("</body></html>")
    return "\n".join(parts)
