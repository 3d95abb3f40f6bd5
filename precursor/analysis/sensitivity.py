"""Which named parameters move a scenario's outcomes, and which of them are invented numbers.

Two methods over the same outputs (each team's final score, the final US synthetic-opioid death rate,
the share of games in which a hard red line was crossed, the agreements every party honoured):

* **one at a time**: each parameter at the low and at the high end of its range, every other at its
  value, ``runs`` games each on the same seeds (common random numbers: a parameter the scenario never
  reads leaves every game unchanged, so its effect is exactly zero); the effect is the mean at the high
  end minus the mean at the low end.
* **Sobol**: SALib's Saltelli design over every parameter's range at once (``samples`` base samples,
  ``samples * (D + 2)`` parameter sets), each set played on ``sobol_runs`` seeds and averaged; first-order
  (S1) and total (ST) indices per output, with SALib's bootstrap confidence. Small designs give wide
  confidence intervals: read the ranking, not the digits.

Each variant of the rulebook is loaded (with an override file) in the worker process that plays it,
so the loads run in parallel; jobs of one variant are adjacent, and a worker keeps the last one it
loaded. Results depend only on the seeds, never on ``workers``.
"""

from __future__ import annotations

import math
import statistics
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from precursor.analysis.batch import SimulationError
from precursor.analysis.calibrate import RulesBase, Values, bounds, is_integer, tidy, variant_rulebook
from precursor.analysis.pool import map_games
from precursor.analysis.simulate import resolve_personas, run_one, run_seed

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

Progress = Callable[[int, int], None]
# a job: (rules base, parameter values, scenario, game seed, personas as sorted pairs)
Job = tuple[RulesBase, Values, str, int, tuple[tuple[str, str], ...]]

OUTPUTS: dict[str, str] = {
    "score_us": "final score, United States",
    "score_mx": "final score, Mexico",
    "score_cn": "final score, China",
    "score_ca": "final score, Canada",
    "od_synth": "US synthetic-opioid deaths /yr at the end",
    "hrl": "share of games with a hard red line crossed",
    "agreements_honoured": "agreements honoured by every party",
}


def _play(_rb: Rulebook, job: Job) -> list[float]:
    base, values, scenario, seed, personas = job
    rb = variant_rulebook(base, values)
    rec = run_one(rb, scenario, seed, dict(personas))
    return [float(rec[k] or 0.0) for k in OUTPUTS]


def _play_sets(
    rb: Rulebook,
    base: RulesBase,
    sets: Sequence[Values],
    scenario: str,
    seeds: Sequence[int],
    personas: Mapping[str, str],
    workers: int,
    progress: Progress | None,
) -> list[list[float]]:
    """Per parameter set, the mean of each output over ``seeds``."""
    pp = tuple(sorted(personas.items()))
    jobs: list[Job] = [(base, values, scenario, s, pp) for values in sets for s in seeds]
    out = map_games(rb, _play, jobs, workers, progress)
    n = len(seeds)
    return [
        [statistics.fmean(col) for col in zip(*out[i * n : (i + 1) * n], strict=True)]
        for i in range(len(sets))
    ]


def _values(rb: Rulebook, params: Sequence[str], given: Mapping[str, float]) -> Values:
    """Every varied parameter's value in a set: ``given`` where it says, else the rulebook's (the user's
    overrides of varied parameters were taken out of the base, so they are put back here)."""
    full = {pid: float(rb.parameters[pid].value) for pid in params} | dict(given)
    return tuple(sorted((pid, tidy(rb, pid, v)) for pid, v in full.items()))


# ---------------------------------------------------------------------- one at a time


def one_at_a_time(
    rb: Rulebook,
    base: RulesBase,
    scenario: str,
    params: Sequence[str],
    runs: int,
    seed: int,
    personas: Mapping[str, str],
    workers: int = 1,
    progress: Progress | None = None,
) -> dict[str, Any]:
    seeds = [run_seed(seed, i) for i in range(runs)]
    sets: list[Values] = [_values(rb, params, {})]
    for pid in params:
        lo, hi = bounds(rb, pid)
        sets += [_values(rb, params, {pid: lo}), _values(rb, params, {pid: hi})]
    means = _play_sets(rb, base, sets, scenario, seeds, personas, workers, progress)
    baseline = dict(zip(OUTPUTS, means[0], strict=True))
    per: dict[str, dict[str, dict[str, float]]] = {k: {} for k in OUTPUTS}
    for i, pid in enumerate(params):
        low, high = means[1 + 2 * i], means[2 + 2 * i]
        for j, k in enumerate(OUTPUTS):
            per[k][pid] = {"low": low[j], "high": high[j], "effect": high[j] - low[j]}
    return {"runs": runs, "baseline": baseline, "effects": per}


# ---------------------------------------------------------------------- Sobol


def sobol(
    rb: Rulebook,
    base: RulesBase,
    scenario: str,
    params: Sequence[str],
    samples: int,
    runs: int,
    seed: int,
    personas: Mapping[str, str],
    workers: int = 1,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """S1 and ST per output and parameter; parameters whose range is a single value are left out (they
    cannot vary) and reported with no index."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    free = [pid for pid in params if bounds(rb, pid)[0] < bounds(rb, pid)[1]]
    if len(free) < 2:
        return {"samples": samples, "runs": runs, "sets": 0, "indices": {k: {} for k in OUTPUTS}}
    problem = {"num_vars": len(free), "names": free, "bounds": [list(bounds(rb, pid)) for pid in free]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib asks for a power of two; a small design is a choice here
        design = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    sets = [
        _values(rb, params, {pid: _snap(rb, pid, float(x)) for pid, x in zip(free, row, strict=True)})
        for row in design
    ]
    seeds = [run_seed(seed, i) for i in range(runs)]
    means = _play_sets(rb, base, sets, scenario, seeds, personas, workers, progress)
    indices: dict[str, dict[str, dict[str, float | None]]] = {}
    for j, k in enumerate(OUTPUTS):
        import numpy as np

        y = np.array([m[j] for m in means], dtype=float)
        indices[k] = _indices(sobol_analyze, problem, y, free, seed)
    return {"samples": samples, "runs": runs, "sets": len(sets), "indices": indices}


def _snap(rb: Rulebook, pid: str, x: float) -> float:
    return float(round(x)) if is_integer(rb, pid) else x


def _indices(
    analyze: Any, problem: dict[str, Any], y: Any, names: Sequence[str], seed: int
) -> dict[str, Any]:
    """SALib's indices for one output; an output that never varies has none (None, not NaN, in JSON)."""
    if float(y.std()) == 0.0:
        return {pid: {"S1": None, "S1_conf": None, "ST": None, "ST_conf": None} for pid in names}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tiny designs divide by small variances
        si = analyze.analyze(problem, y, calc_second_order=False, print_to_console=False, seed=seed)
    return {
        pid: {key: _finite(si[key][i]) for key in ("S1", "S1_conf", "ST", "ST_conf")}
        for i, pid in enumerate(names)
    }


def _finite(v: Any) -> float | None:
    x = float(v)
    return round(x, 6) if math.isfinite(x) else None


# ---------------------------------------------------------------------- the report


def sensitivity(
    rb: Rulebook,
    base: RulesBase,
    scenario: str,
    params: Sequence[str],
    runs: int,
    samples: int,
    sobol_runs: int,
    seed: int,
    workers: int = 1,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Both methods, and per output the parameters ranked by the size of their one-at-a-time effect
    (ties by total Sobol index, then id), each with its basis; JSON-ready."""
    if scenario not in rb.scenarios:
        raise SimulationError(f"unknown scenario '{scenario}'; try: {', '.join(sorted(rb.scenarios))}")
    personas = resolve_personas(rb, scenario)
    free = sum(1 for pid in params if bounds(rb, pid)[0] < bounds(rb, pid)[1])
    first = (1 + 2 * len(params)) * runs
    total = first + (samples * (free + 2) * sobol_runs if samples and free >= 2 else 0)
    oat = one_at_a_time(
        rb, base, scenario, params, runs, seed, personas, workers, _offset(progress, 0, total)
    )
    progress = _offset(progress, first, total)
    sob = (
        sobol(rb, base, scenario, params, samples, sobol_runs, seed, personas, workers, progress)
        if samples
        else None
    )
    outputs = []
    for k, label in OUTPUTS.items():
        rows = []
        for pid in params:
            p = rb.parameters[pid]
            eff = oat["effects"][k][pid]
            ix = (sob["indices"][k].get(pid) if sob else None) or {}
            rows.append(
                {
                    "id": pid,
                    "basis": p.basis,
                    "value": p.value,
                    "range": list(bounds(rb, pid)),
                    **{name: round(v, 6) for name, v in eff.items()},
                    "S1": ix.get("S1"),
                    "S1_conf": ix.get("S1_conf"),
                    "ST": ix.get("ST"),
                    "ST_conf": ix.get("ST_conf"),
                }
            )
        rows.sort(key=lambda r: (-abs(r["effect"]), -(r["ST"] or 0.0), r["id"]))
        for rank, r in enumerate(rows, start=1):
            r["rank"] = rank
        outputs.append(
            {"output": k, "label": label, "baseline": round(oat["baseline"][k], 6), "params": rows}
        )
    return {
        "scenario": scenario,
        "seed": seed,
        "personas": personas,
        "oat_runs": runs,
        "sobol_samples": samples,
        "sobol_runs": sobol_runs if samples else 0,
        "sobol_sets": sob["sets"] if sob else 0,
        "outputs": outputs,
    }


def _offset(progress: Progress | None, start: int, total: int) -> Progress | None:
    """One bar over both methods: each reports its own games, counted on from where the other ended."""
    if progress is None:
        return None
    report = progress

    def update(done: int, _total: int) -> None:
        report(start + done, total)

    return update


def invented_share(output: Mapping[str, Any], top: int) -> tuple[int, int]:
    """Of an output's ``top`` parameters that move it at all, how many have an invented basis."""
    moving = [r for r in output["params"][:top] if r["effect"] != 0]
    return sum(1 for r in moving if r["basis"] == "invented"), len(moving)
