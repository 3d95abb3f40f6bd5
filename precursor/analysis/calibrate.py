"""Fitting named parameters (``rules/parameters.yaml``) to the 2023 part of the record, held out on 2024.

A trial is one set of parameter values: the rulebook is loaded with an override file that sets them, and
the-record is played ``runs`` times on the same batch seeds for every trial (common random numbers, so two
trials differ by their values and not by their dice). The objective is ``backtest.level_error`` over the
2023 points of the mapped series; the same games give the 2024 error, which is only reported. Optuna's TPE
sampler, seeded, proposes the values; the starting values are the first trial, so the fit can never end
worse than where it started in-sample. Whether it generalises is what the 2024 holdout says, and a fit
that makes 2024 worse is reported as not good (docs/backtest.md, "Calibration").

The machinery of rulebook variants (``RulesBase``, ``variant_rulebook``) is shared with ``sensitivity``.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from precursor.analysis.backtest import (
    MAPPINGS,
    SCENARIO,
    BacktestError,
    Row,
    compare,
    level_error,
    play_one,
)

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

Progress = Callable[[int, int], None]
# parameter values of a variant, sorted by id: hashable, so a worker can tell it already has the rulebook
Values = tuple[tuple[str, float], ...]

IN_SAMPLE, HOLDOUT = "2023", "2024"
OBJECTIVE = (
    "mean over the mapped series of the mean, over the series' recorded points in the year, of the squared "
    "relative error of the model's median: ((median - record) / record)^2"
)
FIT_BASES = ("invented", "direction")


class CalibrationError(ValueError):
    """Parameters that cannot be fitted or varied: unknown, quoted without a range, or badly listed."""


# ---------------------------------------------------------------------- rulebook variants


@dataclass(frozen=True, slots=True)
class RulesBase:
    """What a variant is laid over: the user's rule and scenario paths other than override files, and the
    items of the user's override files (JSON) minus those that set a parameter a variant sets, since two
    overrides of one value are refused."""

    paths: tuple[str, ...] = ()
    items: str = "[]"


def _override_items(path: Path) -> list[Any] | None:
    """The items of an override file, or None when the file is not one (a rule or scenario file)."""
    import yaml

    if path.is_dir():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "overrides" in data and set(data) <= {"overrides", "description"}:
        items = data["overrides"]
        return list(items) if isinstance(items, list) else []
    return None


def rules_base(paths: Sequence[Path], varied: Sequence[str]) -> RulesBase:
    """Split the user's paths into plain files and override items, dropping the items that set one of
    the ``varied`` parameters (by id: ``parameters/<id>/value``)."""
    plain: list[str] = []
    items: list[Any] = []
    drop = {f"parameters/{pid}/value" for pid in varied}
    for p in paths:
        found = _override_items(p)
        if found is None:
            plain.append(str(p))
            continue
        items.extend(it for it in found if not (isinstance(it, dict) and it.get("set") in drop))
    return RulesBase(tuple(plain), json.dumps(items, sort_keys=True))


def override_items(values: Mapping[str, float], reasons: Mapping[str, str] | None = None) -> list[Any]:
    out: list[dict[str, Any]] = []
    for pid, v in sorted(values.items()):
        item: dict[str, Any] = {"set": f"parameters/{pid}/value", "value": v}
        if reasons and pid in reasons:
            item["reason"] = reasons[pid]
        out.append(item)
    return out


def load_variant(base: RulesBase, values: Values) -> Rulebook:
    """The rulebook of ``base`` with ``values`` set, through an override file like a user's, so the
    values pass the same range checks (a full load: tenths of a second)."""
    from precursor.game.rulebook import load

    items = json.loads(base.items) + override_items(dict(values))
    fd, name = tempfile.mkstemp(prefix="precursor-variant-", suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"overrides": items}, fh)  # JSON is YAML
        return load([*map(Path, base.paths), Path(name)], add_scenarios=True)
    finally:
        os.unlink(name)


# one rulebook per process: jobs of one variant come in runs, so the last one is the one asked for again
_LAST: dict[tuple[RulesBase, Values], Rulebook] = {}


def variant_rulebook(base: RulesBase, values: Values) -> Rulebook:
    key = (base, values)
    rb = _LAST.get(key)
    if rb is None:
        rb = load_variant(base, values)
        _LAST.clear()
        _LAST[key] = rb
    return rb


# ---------------------------------------------------------------------- parameters


def choose_params(rb: Rulebook, ids: Sequence[str] | None) -> list[str]:
    """The parameters to fit or vary: the ones named, or every one whose basis is invented or direction.
    Each needs a range; a name that is not a parameter is refused with the closest ones."""
    import difflib

    if not ids:
        return sorted(pid for pid, p in rb.parameters.items() if p.basis in FIT_BASES and p.range)
    out: list[str] = []
    for pid in ids:
        p = rb.parameters.get(pid)
        if p is None:
            near = difflib.get_close_matches(pid, list(rb.parameters), n=3)
            hint = f"; did you mean {', '.join(near)}?" if near else "; precursor rules lists them"
            raise CalibrationError(f"unknown parameter '{pid}'{hint}")
        if p.range is None:
            raise CalibrationError(f"parameter '{pid}' has no range (a quoted number): it cannot be varied")
        if pid not in out:
            out.append(pid)
    return out


def is_integer(rb: Rulebook, pid: str) -> bool:
    """A parameter written as a whole number (a count of turns, a threshold in points) stays whole."""
    return isinstance(rb.parameters[pid].value, int)


def bounds(rb: Rulebook, pid: str) -> tuple[float, float]:
    lo, hi = rb.parameters[pid].range or (rb.parameters[pid].value, rb.parameters[pid].value)
    if is_integer(rb, pid):
        return float(math.ceil(lo)), float(math.floor(hi))
    return float(lo), float(hi)


def tidy(rb: Rulebook, pid: str, v: float) -> float:
    """A value as written to an override file: whole for whole-number parameters, else four significant
    digits (what a person would write, and what is evaluated, so the file reproduces the fit)."""
    if is_integer(rb, pid):
        return round(v)
    return float(f"{v:.4g}")


# ---------------------------------------------------------------------- one trial


def evaluate(
    base: RulesBase,
    values: Mapping[str, float],
    runs: int,
    seed: int,
    workers: int,
    record: Mapping[str, Mapping[str, Row]],
    progress: Progress | None = None,
    rb: Rulebook | None = None,
) -> dict[str, Any]:
    """Play the-record under ``values`` and measure the 2023 (in-sample) and 2024 (holdout) errors.

    The games go to the batch tools' executor (``pool.map_games``) over ``rb``, the user's rulebook
    (None: the variant itself), and each job carries the variant it is played under (``_play_variant``):
    a worker that cannot inherit the variant (a Dask worker) loads it from the job, so a fit plays the
    same games on the process pool and on Dask."""
    from precursor.analysis.pool import map_games
    from precursor.analysis.simulate import resolve_personas, run_seed

    key = tuple(sorted(values.items()))
    variant = variant_rulebook(base, key)
    if SCENARIO not in variant.scenarios:
        raise BacktestError(f"the rulebook has no scenario '{SCENARIO}'")
    if runs < 1:
        raise BacktestError("runs must be at least 1")
    start = variant.scenarios[SCENARIO].model.start[:7]
    personas = tuple(resolve_personas(variant, SCENARIO).items())
    jobs: list[VariantJob] = [(base, key, run_seed(seed, i), personas) for i in range(runs)]
    games = map_games(variant if rb is None else rb, _play_variant, jobs, workers, progress)
    rows = [compare(m, record, games, start) for m in MAPPINGS]
    fit, hold = level_error(rows, IN_SAMPLE), level_error(rows, HOLDOUT)
    return {"in_sample": fit["error"], "holdout": hold["error"], "series": _by_series(fit, hold)}


# a game of a trial: the variant's base and values, the game seed, the personas as sorted pairs
VariantJob = tuple[RulesBase, Values, int, tuple[tuple[str, str], ...]]


def _play_variant(_rb: Rulebook, job: VariantJob) -> dict[str, list[float]]:
    """One game of the-record under a variant (``backtest.play_runs``'s game), loading the variant in
    this process unless it is the one kept (``variant_rulebook``: jobs of a trial come together, and a
    forked worker inherits the trial's variant from the caller)."""
    base, values, seed, personas = job
    return play_one(variant_rulebook(base, values), seed, dict(personas))


def _by_series(fit: Mapping[str, Any], hold: Mapping[str, Any]) -> dict[str, dict[str, float | None]]:
    names = sorted({*fit["series"], *hold["series"]})
    return {
        s: {
            "in_sample": fit["series"].get(s, {}).get("error"),
            "holdout": hold["series"].get(s, {}).get("error"),
        }
        for s in names
    }


# ---------------------------------------------------------------------- the fit


def calibrate(
    rb: Rulebook,
    base: RulesBase,
    params: Sequence[str],
    trials: int,
    runs: int,
    seed: int,
    workers: int = 1,
    record: Mapping[str, Mapping[str, Row]] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Fit ``params`` of ``rb`` (the user's rulebook, whose values are the start) over ``trials`` trials
    of ``runs`` games each; JSON-ready, and the same for the same seed whatever ``workers`` is."""
    import optuna

    from precursor.analysis.backtest import load_record

    if trials < 1 or runs < 1:
        raise CalibrationError("trials and runs must be at least 1")
    record = record if record is not None else load_record()
    start = {pid: float(rb.parameters[pid].value) for pid in params}
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optuna flags its newer options as experimental
        study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.enqueue_trial({pid: tidy(rb, pid, v) for pid, v in start.items()})
    history: list[dict[str, Any]] = []
    for n in range(trials):
        trial = study.ask()
        values = {pid: tidy(rb, pid, _suggest(rb, trial, pid)) for pid in params}
        games = _offset(progress, n * runs, trials * runs)
        result = evaluate(base, values, runs, seed, workers, record, games, rb)
        study.tell(trial, result["in_sample"] if result["in_sample"] is not None else math.inf)
        history.append({"trial": n, "values": values, **result})
    first = history[0]
    best = min(history, key=lambda h: (_num(h["in_sample"]), h["trial"]))
    return _result(rb, params, trials, runs, seed, first, best, history)


def _offset(progress: Progress | None, start: int, total: int) -> Progress | None:
    if progress is None:
        return None
    report = progress
    return lambda done, _total: report(start + done, total)


def _suggest(rb: Rulebook, trial: Any, pid: str) -> float:
    lo, hi = bounds(rb, pid)
    if is_integer(rb, pid):
        return float(trial.suggest_int(pid, int(lo), int(hi)))
    return float(trial.suggest_float(pid, lo, hi))


def _num(v: float | None) -> float:
    return math.inf if v is None else v


def _result(
    rb: Rulebook,
    params: Sequence[str],
    trials: int,
    runs: int,
    seed: int,
    first: Mapping[str, Any],
    best: Mapping[str, Any],
    history: list[dict[str, Any]],
) -> dict[str, Any]:
    worse = _num(best["holdout"]) > _num(first["holdout"])
    return {
        "scenario": SCENARIO,
        "objective": OBJECTIVE,
        "in_sample_year": IN_SAMPLE,
        "holdout_year": HOLDOUT,
        "trials": trials,
        "runs": runs,
        "seed": seed,
        "params": [
            {
                "id": pid,
                "basis": rb.parameters[pid].basis,
                "range": list(rb.parameters[pid].range or ()),
                "before": first["values"][pid],
                "after": best["values"][pid],
            }
            for pid in params
        ],
        "best_trial": best["trial"],
        "in_sample": {"before": first["in_sample"], "after": best["in_sample"]},
        "holdout": {"before": first["holdout"], "after": best["holdout"]},
        "series": {
            s: {"before": first["series"][s], "after": best["series"].get(s)} for s in first["series"]
        },
        "holdout_worse": worse,
        "verdict": "holdout worse: do not use" if worse else "holdout not worse",
        "history": history,
    }


def fitted_overrides(result: Mapping[str, Any], when: str, on: str) -> dict[str, Any]:
    """The override file of a fit: each fitted value with its before and after, and a description of
    what was fitted, when, on what; a fit that made the holdout worse says so first."""
    ins, hold = result["in_sample"], result["holdout"]
    ids = ", ".join(p["id"] for p in result["params"])
    head = "HOLDOUT WORSE: DO NOT USE. " if result["holdout_worse"] else ""
    description = (
        f"{head}Fitted by precursor calibrate on {when}: {ids}, to the {result['in_sample_year']} part of "
        f"the record ({result['scenario']}, {on}); objective: {result['objective']}. "
        f"{result['trials']} trials x {result['runs']} games, seed {result['seed']}. "
        f"In-sample error {_e(ins['before'])} -> {_e(ins['after'])}; holdout ({result['holdout_year']}) "
        f"error {_e(hold['before'])} -> {_e(hold['after'])}: {result['verdict']}."
    )
    values = {p["id"]: p["after"] for p in result["params"]}
    reasons = {
        p["id"]: f"fitted: {p['before']} -> {p['after']} (range {p['range']}, basis {p['basis']})"
        for p in result["params"]
    }
    return {"description": description, "overrides": override_items(values, reasons)}


def _e(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.5f}"
