"""Batch simulation: many bot-vs-bot games of one scenario, their distribution, and the balance checks.

One game says little about a scenario: the bots roll dice, the hidden ports-of-entry share is drawn per
game, and injects fire by chance. An analyst, a designer tuning the rules, or a facilitator setting a
scenario's *par* (docs/design.md, "Scoring": the mean score of bot-only runs) needs the spread
over hundreds of games. This module plays them, reduces each to one flat, JSON-ready record,
summarizes the records, and runs the balance targets (docs/design.md, "Balance targets") for every scenario.

Determinism is the design constraint. Each run's game seed is a pure function of the batch seed and the
run's index (``run_seed``), never of which process played it or in which order, so a batch gives the
same records with one worker or eight, and any single run can be replayed alone from its record.
"""

from __future__ import annotations

import math
import statistics
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from precursor.analysis.batch import Progress, SimulationError, pool_context
from precursor.analysis.runner import collector_paused
from precursor.game.expr import running_mean
from precursor.game.rng import mix
from precursor.game.schema import TEAMS, DeathsBand

if TYPE_CHECKING:
    from concurrent.futures import Future

    from precursor.game.rulebook import Rulebook

Record = dict[str, Any]

_MASK = (1 << 64) - 1
# Run seeds stay below 2**53 so that every JSON reader (JavaScript included) reads them back exactly.
_SEED_BITS = (1 << 53) - 1

# Indicators a summary reports, in the order the table shows them: record key -> label.
INDICATORS: dict[str, str] = {
    "od_synth": "US synthetic-opioid deaths /yr",
    "od_total": "US overdose deaths, all drugs /yr",
    "mx_homicides": "Mexican homicides /yr",
    "migrant_flow": "migrant flow (2022 = 100)",
    "trade_cost": "trade cost, all teams ($bn)",
    "econ_cost_us": "economic cost, US ($bn)",
    "econ_cost_mx": "economic cost, Mexico ($bn)",
    "econ_cost_cn": "economic cost, China ($bn)",
    "econ_cost_ca": "economic cost, Canada ($bn)",
    "mx_st": "Mexican sovereignty tension",
    "mean_mx_st": "  mean over the game (mean.mx.st)",
    "out_od_us": "US OUT_OD score component",
}


# Every other field of a run record (and of ``review.outcome``), as batch tables name it.
OUTCOME_LABELS: dict[str, str] = {
    **{f"score_{t}": f"final score, {name}" for t, name in
       (("us", "United States"), ("mx", "Mexico"), ("cn", "China"), ("ca", "Canada"))},
    **{k: v.strip() for k, v in INDICATORS.items()},
    "mean_mx_st": "Mexican sovereignty tension, mean over the game",
    "hrl": "hard red line crossed",
    "hrl_count": "hard red lines crossed",
    "agreements": "agreements signed",
    "agreements_signed": "agreements signed",
    "agreements_honoured": "agreements honoured by every party",
    "modules_in_force": "trilateral modules in force at the end",
    "trilateral": "≥ 1 trilateral module in force at the end",
    "review_badges": "review badges",
    "badge_points": "badge points",
    "ended": "game finished",
}  # fmt: skip


def outcome_label(key: str) -> str:
    """A record field in words; a field no table knows yet keeps its name rather than vanishing."""
    return OUTCOME_LABELS.get(key, key)


# ---------------------------------------------------------------------- seeds


def run_seed(seed: int, index: int) -> int:
    """The game seed of run ``index`` in a batch seeded with ``seed``.

    Derived from (seed, index) alone so that records do not depend on the number of workers or on the
    order in which runs finish; mixed (not ``seed + index``) so that batches with neighbouring seeds do
    not share games.
    """
    return mix(mix(seed & _MASK) ^ (index & _MASK)) & _SEED_BITS


# ---------------------------------------------------------------------- personas


def resolve_personas(
    rb: Rulebook, scenario: str, personas: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The scenario's default personas with ``personas`` laid over them, checked against the rulebook.

    Overrides are partial on purpose: ``us=hawk`` alone means "the scenario as written, but a hawk in
    the White House", which is the comparison an analyst usually wants.
    """
    if scenario not in rb.scenarios:
        raise SimulationError(f"unknown scenario '{scenario}'; try: {', '.join(sorted(rb.scenarios))}")
    out = dict(rb.scenarios[scenario].model.personas)
    for team, pid in (personas or {}).items():
        if team not in TEAMS:
            raise SimulationError(f"unknown team '{team}' in personas; teams are {', '.join(TEAMS)}")
        persona = rb.personas.get(pid)
        if persona is None or persona.team != team:
            choices = sorted(p.id for p in rb.personas.values() if p.team == team)
            raise SimulationError(f"no persona '{pid}' for team {team}; try: {', '.join(choices)}")
        out[team] = pid
    return {t: out[t] for t in TEAMS if t in out}


def parse_personas(text: str) -> dict[str, str]:
    """``us=hawk,mx=sovereigntist`` -> ``{"us": "hawk", "mx": "sovereigntist"}`` (syntax only)."""
    out: dict[str, str] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        team, sep, pid = part.partition("=")
        if not sep or not team.strip() or not pid.strip():
            raise SimulationError(f"bad persona '{part}': write team=persona, e.g. us=hawk,mx=sovereigntist")
        out[team.strip()] = pid.strip()
    return out


# ---------------------------------------------------------------------- one game


def run_one(
    rb: Rulebook, scenario: str, seed: int, personas: Mapping[str, str], *, levers: bool = False
) -> Record:
    """Play one bot-vs-bot game and reduce it to a flat record of plain JSON values.

    Flat (no nesting) so that a JSON-lines file of records loads straight into a data frame or a
    spreadsheet; final values are read from the true state (``game.state.env``), not from any team's
    fogged view, because the batch answers "what happened", not "what a player saw". With ``levers``
    the record also names the levers ordered (``levers_ordered``, which the balance report counts);
    without it, it keeps the columns the sweep's Parquet schema fixes.
    """
    rec, log = _played(rb, scenario, seed, personas)
    if levers:
        rec["levers_ordered"] = levers_ordered(log)
    return rec


def levers_ordered(log: Iterable[Mapping[str, Any]]) -> str:
    """The levers of a game's orders that reached adjudication, carried out or not: comma-joined, sorted."""
    return ",".join(sorted({ev["lever"] for ev in log if ev["type"] in ("order_executed", "order_failed")}))


def _played(
    rb: Rulebook, scenario: str, seed: int, personas: Mapping[str, str]
) -> tuple[Record, list[dict[str, Any]]]:
    from precursor.analysis.runner import play
    from precursor.game.bots import BotDriver

    game, refused = play(rb, scenario, seed, None, bots=BotDriver(rb, dict(personas), seed))
    env = game.state.env
    scores = game.state.scores

    parties: dict[str, set[str]] = {}
    signed = honoured = 0
    for ev in game.log:
        kind = ev["type"]
        if kind == "agreement":
            signed += 1
            parties[ev["agreement"]["id"]] = set(ev["agreement"]["parties"])
        elif kind == "agreement_update":
            upd = ev["update"]
            owed = parties.get(ev["agreement"])
            # honoured only when every party met every clause it owed, up to the agreement's end
            if upd.get("status") == "completed" and owed and owed <= set(upd.get("honoured", [])):
                honoured += 1
    modules = sorted(m for m in rb.modules if env.get(f"module.{m}"))
    econ = {t: float(env[f"{t}.econ_cost"]) for t in TEAMS}

    rec: Record = {"seed": seed, "scenario": scenario}
    for t in TEAMS:
        rec[f"persona_{t}"] = personas.get(t)
    for t in TEAMS:
        rec[f"score_{t}"] = float(scores[t]["total"]) if t in scores else None
    out_od = scores.get("us", {}).get("components", {}).get("out_od")
    rec["out_od_us"] = float(out_od["value"]) if out_od else None
    rec.update(
        {
            "od_synth": float(env["us.od_synth"]),
            "od_total": float(env["us.od_total"]),
            "mx_homicides": float(env["mx.homicides"]),
            "migrant_flow": float(env["migrant_flow"]),
            **{f"econ_cost_{t}": v for t, v in econ.items()},
            "trade_cost": round(sum(econ.values()), 4),
            "mx_st": float(env["mx.st"]),
            "mean_mx_st": float(running_mean(env, "mean.mx.st")),
            "hrl": float(env["flag.hrl_count"]) > 0,
            "hrl_count": int(env["flag.hrl_count"]),
            "agreements_signed": signed,
            "agreements_honoured": honoured,
            "modules": ",".join(modules),
            "modules_in_force": len(modules),
            "trilateral": bool(modules),
            "review_badges": int(env["flag.review_badges"]),
            "badge_points": float(sum(game.state.badges.values())),
            "refused": len(refused),
            "turns": int(game.state.turn),
        }
    )
    return rec, game.log


# ---------------------------------------------------------------------- many games

# A job is (key, scenario, personas, batch seed, run index); the key groups runs of one batch.
Job = tuple[int, str, tuple[tuple[str, str], ...], int, int]

_WORKER_RB: Rulebook | None = None


def _init_worker() -> None:
    """Load the rulebook once per worker process, not once per game (loading costs tens of ms).

    Under ``fork`` the parent's already-loaded rulebook is inherited and this is free.
    """
    global _WORKER_RB
    if _WORKER_RB is None:
        from precursor.game.rulebook import default_rulebook

        _WORKER_RB = default_rulebook()


def _play_jobs(jobs: Sequence[Job]) -> list[tuple[int, int, Record]]:
    """Worker body: play a chunk of jobs. Module-level so the process pool can pickle it."""
    _init_worker()
    rb = _WORKER_RB
    assert rb is not None
    with collector_paused():  # over the whole chunk: see _PAUSE_EVERY
        return [(key, idx, _record(rb, sc, dict(p), seed, idx)) for key, sc, p, seed, idx in jobs]


def _job_record(rb: Rulebook, job: Job) -> tuple[int, int, Record]:
    key, sc, p, seed, idx = job
    return key, idx, _record(rb, sc, dict(p), seed, idx)


def _shipped() -> Rulebook:
    from precursor.game.rulebook import default_rulebook

    return default_rulebook()


def _record(rb: Rulebook, scenario: str, personas: dict[str, str], seed: int, index: int) -> Record:
    return {"run": index, **run_one(rb, scenario, run_seed(seed, index), personas, levers=True)}


# Games played with the cyclic collector paused, in one process, before it runs again. play() pauses it
# for one game, but the collection its gc.enable() sets off then walks that game's whole log, still alive:
# about a tenth of a bot game. Paused over several games, the collection comes after they are freed.
_PAUSE_EVERY = 25


def _run_jobs(
    jobs: list[Job], workers: int, progress: Progress | None, rb: Rulebook | None
) -> dict[int, list[Record]]:
    """Play every job, in one process or a pool; returns the records per key, sorted by run index."""
    total = len(jobs)
    done = 0
    out: dict[int, list[tuple[int, Record]]] = {}
    # an executor chosen by the caller (--scheduler, --executor dask) is chosen through that module: when
    # it was never imported, there is none, and a game in this process needs no pool machinery loaded
    executor = sys.modules.get("precursor.analysis.executor")
    if executor is not None and executor.current() is not None:
        from precursor.analysis.pool import map_games

        rb = rb if rb is not None else _shipped()
        for key, idx, rec in map_games(rb, _job_record, jobs, workers, progress):
            out.setdefault(key, []).append((idx, rec))
        return {k: [rec for _, rec in sorted(v, key=lambda r: r[0])] for k, v in out.items()}
    if progress is not None:
        progress(0, total)
    if workers <= 1 or total <= 1:
        if rb is None:
            from precursor.game.rulebook import default_rulebook

            rb = default_rulebook()
        for lo in range(0, total, _PAUSE_EVERY):
            with collector_paused():
                for key, sc, p, seed, idx in jobs[lo : lo + _PAUSE_EVERY]:
                    out.setdefault(key, []).append((idx, _record(rb, sc, dict(p), seed, idx)))
                    done += 1
                    if progress is not None:
                        progress(done, total)
    else:
        global _WORKER_RB
        # Under fork, a caller's own rulebook reaches the workers through this inherited global.
        _WORKER_RB = rb
        # Chunks of games per task spread the per-task round trip (queue, pickle, wake-up) over several
        # games, while staying small enough to balance the load across workers and move the progress bar.
        chunk = max(1, min(25, total // (workers * 8)))
        from concurrent.futures import ProcessPoolExecutor, as_completed

        try:
            with ProcessPoolExecutor(
                max_workers=workers, mp_context=pool_context(), initializer=_init_worker
            ) as pool:
                futures: list[Future[list[tuple[int, int, Record]]]] = [
                    pool.submit(_play_jobs, jobs[i : i + chunk]) for i in range(0, total, chunk)
                ]
                for fut in as_completed(futures):
                    for key, idx, rec in fut.result():
                        out.setdefault(key, []).append((idx, rec))
                        done += 1
                    if progress is not None:
                        progress(done, total)
        finally:
            _WORKER_RB = None
    return {k: [rec for _, rec in sorted(v, key=lambda r: r[0])] for k, v in out.items()}


def simulate(
    scenario: str,
    runs: int,
    seed: int,
    personas: Mapping[str, str] | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    rb: Rulebook | None = None,
) -> list[Record]:
    """Play ``runs`` bot-vs-bot games of ``scenario`` and return their records sorted by run index.

    ``personas`` overrides the scenario's default personas per team. ``progress(done, total)`` is
    called as games finish (for a progress bar). The records are the same whatever ``workers`` is.
    With ``workers > 1`` the games run in forked processes that inherit ``rb``; on platforms without
    ``fork`` each worker loads the shipped rulebook instead.
    """
    if runs < 1:
        raise SimulationError("runs must be at least 1")
    if rb is None:
        from precursor.game.rulebook import default_rulebook

        rb = default_rulebook()
    chosen = tuple(resolve_personas(rb, scenario, personas).items())
    jobs: list[Job] = [(0, scenario, chosen, seed, i) for i in range(runs)]
    return _run_jobs(jobs, workers, progress, rb).get(0, [])


# ---------------------------------------------------------------------- summaries


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """The q-quantile by linear interpolation between order statistics (numpy's default method).

    Monotone in q by construction, so p10 <= median <= p90 always holds.
    """
    n = len(sorted_values)
    if n == 0:
        return math.nan
    pos = (n - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, n - 1)
    return float(sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo))


def describe(values: Iterable[float | None]) -> dict[str, float | None]:
    """Mean, p10, median and p90 of the values present (``None`` means "not scored" and is skipped).

    With no values the figures are ``None`` rather than NaN, which JSON cannot carry.
    """
    xs = sorted(float(v) for v in values if v is not None)
    if not xs:
        return {"mean": None, "p10": None, "median": None, "p90": None, "n": 0}
    return {
        "mean": round(statistics.fmean(xs), 4),
        "p10": round(quantile(xs, 0.10), 4),
        "median": round(quantile(xs, 0.50), 4),
        "p90": round(quantile(xs, 0.90), 4),
        "n": len(xs),
    }


def _share(records: Sequence[Record], key: str) -> float:
    return sum(1 for r in records if r[key]) / len(records)


def _mean(records: Sequence[Record], key: str) -> float:
    return round(statistics.fmean(float(r[key]) for r in records), 4)


def summarize(records: Sequence[Record]) -> dict[str, Any]:
    """The distribution of a batch: per-team scores, key indicators, and the rates the balance needs.

    Quantiles and not just means, because a scenario whose mean looks fair can still hide a long tail
    of blow-ups (a hard red line in one game in ten) that a facilitator needs to see.
    """
    if not records:
        raise SimulationError("nothing to summarize: no records")
    first = records[0]
    personas = {t: first[f"persona_{t}"] for t in TEAMS if first.get(f"persona_{t}")}
    uniform = all(all(r[f"persona_{t}"] == p for t, p in personas.items()) for r in records)
    scenarios = sorted({str(r["scenario"]) for r in records})
    return {
        "scenario": scenarios[0] if len(scenarios) == 1 else scenarios,
        "personas": personas if uniform else None,
        "runs": len(records),
        "scores": {t: describe(r[f"score_{t}"] for r in records) for t in TEAMS},
        "indicators": {k: describe(r[k] for r in records) for k in INDICATORS},
        "hrl_rate": round(_share(records, "hrl"), 4),
        "agreements_signed_mean": _mean(records, "agreements_signed"),
        "agreements_honoured_mean": _mean(records, "agreements_honoured"),
        "trilateral_share": round(_share(records, "trilateral"), 4),
        "modules_in_force_mean": _mean(records, "modules_in_force"),
        "review_badges_mean": _mean(records, "review_badges"),
        "out_od_us_mean": describe(r["out_od_us"] for r in records)["mean"],
        "refused_total": sum(int(r["refused"]) for r in records),
        "turns": sorted({int(r["turns"]) for r in records}),
    }


# ---------------------------------------------------------------------- balance targets (docs/design.md)


@dataclass(frozen=True, slots=True)
class Check:
    """One balance target: which personas to play, which figure to read, and its acceptable range."""

    name: str
    label: str  # for the table: what is measured, and with which persona override
    overrides: tuple[tuple[str, str], ...]
    measure: str  # a key of ``summarize``'s result: "hrl_rate", "trilateral_share", "out_od_us_mean"
    lo: float | None
    hi: float | None
    strict: bool  # bounds exclusive ("under 2 %", "over 60 %") rather than inclusive ("5–15 %")
    target: str
    unit: str  # "share" (0..1) or "points"
    # scenarios shorter than this cannot show the figure at all: their row reads "n/a", with ``why``
    min_turns: int = 0
    why: str = ""


CHECKS: tuple[Check, ...] = (
    Check(
        "hawk_hrl_rate",
        "HRL rate, us=hawk",
        (("us", "hawk"),),
        "hrl_rate",
        0.05,
        0.15,
        False,
        "5–15 %",
        "share",
        min_turns=4,
        why="the hawk climbs one rung a turn and its earliest strike is in turn 4 (docs/bots.md, Balance)",
    ),
    Check(
        "institutionalist_hrl_rate",
        "HRL rate, us=institutionalist",
        (("us", "institutionalist"),),
        "hrl_rate",
        None,
        0.02,
        True,
        "< 2 %",
        "share",
    ),
    Check(
        "trilateralist_module_share",
        "≥1 module in force, ca=trilateralist",
        (("ca", "trilateralist"),),
        "trilateral_share",
        0.60,
        None,
        True,
        "> 60 %",
        "share",
    ),
    Check(
        "default_us_out_od",
        "mean US OUT_OD, default personas",
        (),
        "out_od_us_mean",
        -3.0,
        5.0,
        False,
        "[−3, +5]",
        "points",
    ),
)

TENSION = "tension_band"  # the per-scenario check on Mexico's mean sovereignty tension
RARE_SHARE = (
    0.05  # a lever no persona orders in this share of its games, in any scenario, needs a ``rare:`` reason
)


def _passes(check: Check, value: float | None) -> bool:
    if value is None or math.isnan(value):
        return False
    if check.lo is not None and (value <= check.lo if check.strict else value < check.lo):
        return False
    return not (check.hi is not None and (value >= check.hi if check.strict else value > check.hi))


def persona_sets(rb: Rulebook, scenario: str) -> list[dict[str, str]]:
    """The scenario's default personas, then every set that changes exactly one team's persona.

    One-change sets are what both questions need: a team's spread over its own personas, and how far
    one other team's choice of persona moves it; every balance check's override is one of them too.
    """
    defaults = resolve_personas(rb, scenario)
    out = [defaults]
    for team in TEAMS:
        for pid in sorted(p.id for p in rb.personas.values() if p.team == team):
            if pid != defaults.get(team):
                out.append({**defaults, team: pid})
    return out


BatchKey = tuple[str, tuple[tuple[str, str], ...]]


def balance(
    runs: int = 200,
    workers: int = 1,
    seed: int = 1,
    *,
    progress: Progress | None = None,
    rb: Rulebook | None = None,
    scenarios: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The balance report (docs/design.md, "Balance targets"; docs/balance.md) for every scenario.

    Plays ``runs`` games of each scenario with its default personas and with every one-team change of
    persona, on the same seeds, and reads from those batches: the checks (``checks``, one row per
    scenario and check, the tension band included), the persona spreads (``spreads``, one row per
    scenario and team) and the lever use (``levers``, one row per lever). All batches go through one
    process pool so the workers stay busy across scenarios.
    """
    if rb is None:
        from precursor.game.rulebook import default_rulebook

        rb = default_rulebook()
    ids = list(scenarios) if scenarios is not None else sorted(rb.scenarios)
    batches: dict[BatchKey, int] = {}
    for sc in ids:
        for chosen in persona_sets(rb, sc):
            batches.setdefault((sc, tuple(chosen.items())), len(batches))
    jobs: list[Job] = [
        (key, sc, personas, seed, i) for (sc, personas), key in batches.items() for i in range(runs)
    ]
    played = _run_jobs(jobs, workers, progress, rb)
    records = {bk: played[key] for bk, key in batches.items()}
    summaries = {bk: summarize(recs) for bk, recs in records.items()}
    return {
        "runs": runs,
        "seed": seed,
        "checks": [row for sc in ids for row in _check_rows(rb, sc, runs, summaries)],
        "spreads": [row for sc in ids for row in persona_spreads(rb, sc, summaries)],
        "levers": lever_use(rb, records),
    }


def _key(rb: Rulebook, scenario: str, overrides: Mapping[str, str]) -> BatchKey:
    return scenario, tuple(resolve_personas(rb, scenario, overrides).items())


def _scenario_band(check: Check, band: DeathsBand | None) -> Check:
    """The US deaths check against the scenario's own band where it states one.

    The design band fits a year of stalled deaths; a scenario set in 2024, when recorded deaths fell by a
    third, would fail it for matching the record (docs/balance.md, session 14).
    """
    if band is None or check.measure != "out_od_us_mean":
        return check
    return replace(check, lo=band.low, hi=band.high, target=f"[{band.low:+g}, {band.high:+g}]")


def _check_rows(
    rb: Rulebook, sc: str, runs: int, summaries: Mapping[BatchKey, dict[str, Any]]
) -> list[dict[str, Any]]:
    model = rb.scenarios[sc].model
    band = model.tension_band
    tension = Check(
        TENSION,
        "mean MX sovereignty tension, default personas",
        (),
        "mean_mx_st",
        band.low if band else None,
        band.high if band else None,
        False,
        f"{band.low:g}–{band.high:g}" if band else "no band",
        "points",
        why="" if band else "the scenario sets no tension_band",
    )
    out: list[dict[str, Any]] = []
    for check in (*(_scenario_band(c, model.us_deaths_band) for c in CHECKS), tension):
        key = _key(rb, sc, dict(check.overrides))
        summary = summaries[key]
        raw = summary["indicators"]["mean_mx_st"]["mean"] if check is tension else summary[check.measure]
        value = None if raw is None else float(raw)
        applies = model.turns >= check.min_turns and not (check is tension and band is None)
        out.append(
            {
                "scenario": sc,
                "check": check.name,
                "label": check.label,
                "personas": dict(key[1]),
                "measure": check.measure,
                "value": value,
                "unit": check.unit,
                "target": check.target,
                "lo": check.lo,
                "hi": check.hi,
                # None: the check does not apply to this scenario ("n/a"), and ``note`` says why
                "passed": _passes(check, value) if applies else None,
                "note": "" if applies else check.why,
                "runs": runs,
                "refused": summary["refused_total"],  # bot commands the engine refused: a bot bug
            }
        )
    return out


def _spread(means: Mapping[str, float | None]) -> float | None:
    xs = [v for v in means.values() if v is not None]
    return round(max(xs) - min(xs), 4) if xs else None


def persona_spreads(
    rb: Rulebook, sc: str, summaries: Mapping[BatchKey, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per team: how far its mean score moves with its own persona, and with any one other team's.

    If another team's choice of persona moves a team's score more than its own choice does, the team's
    decisions matter less than who sits across the table: such rows are flagged.
    """
    defaults = resolve_personas(rb, sc)
    teams: list[str] = [t for t in TEAMS if t in defaults]
    choices: dict[str, list[str]] = {
        t: sorted(p.id for p in rb.personas.values() if p.team == t) for t in teams
    }

    def means(team: str, mover: str) -> dict[str, float | None]:
        return {pid: summaries[_key(rb, sc, {mover: pid})]["scores"][team]["mean"] for pid in choices[mover]}

    out: list[dict[str, Any]] = []
    for team in teams:
        own = means(team, team)
        others = {o: _spread(means(team, o)) for o in teams if o != team}
        present: dict[str, float] = {o: v for o, v in others.items() if v is not None}
        worst = max(present, key=lambda o: (present[o], -TEAMS.index(o))) if present else None
        own_spread = _spread(own)
        other_spread = present.get(worst) if worst else None
        out.append(
            {
                "scenario": sc,
                "team": team,
                "default": defaults[team],
                "own": own,
                "own_spread": own_spread,
                "other_team": worst,
                "other_spread": other_spread,
                "others": others,
                "flag": own_spread is not None and other_spread is not None and own_spread < other_spread,
            }
        )
    return out


def lever_use(rb: Rulebook, records: Mapping[BatchKey, Sequence[Record]]) -> list[dict[str, Any]]:
    """Per lever: the share of all the batches' games in which it was ordered at least once, the
    (scenario, persona of its team) that orders it most, and a flag when even that persona orders it in
    fewer than ``RARE_SHARE`` of its games there and the lever has no ``rare:`` reason.

    A lever no bot ever orders is one a player learns nothing about from the bots, and often one the
    rules make not worth its cost; ``rare:`` in the lever file says when that is the point.
    """
    total = 0
    used: dict[str, int] = dict.fromkeys(rb.levers, 0)
    # (scenario, team, persona) -> [games, games per lever ordered]
    groups: dict[tuple[str, str, str], tuple[list[int], dict[str, int]]] = {}
    for (sc, personas), recs in records.items():
        for rec in recs:
            total += 1
            ordered = [lid for lid in str(rec.get("levers_ordered") or "").split(",") if lid in used]
            for team, pid in personas:
                count, per = groups.setdefault((sc, team, pid), ([0], {}))
                count[0] += 1
                for lid in ordered:
                    if rb.levers[lid].team == team:
                        per[lid] = per.get(lid, 0) + 1
            for lid in ordered:
                used[lid] += 1
    out: list[dict[str, Any]] = []
    for lid, lever in rb.levers.items():
        best: dict[str, Any] | None = None
        for (sc, team, pid), (count, per) in sorted(groups.items()):
            n = per.get(lid, 0)
            if team == lever.team and n and (best is None or n / count[0] > best["share"]):
                best = {"scenario": sc, "persona": pid, "share": round(n / count[0], 4)}
        share = round(used[lid] / total, 4) if total else 0.0
        out.append(
            {
                "lever": lid,
                "code": lever.code,
                "team": lever.team,
                "games": used[lid],
                "share": share,
                "best": best,
                "rare": lever.rare,
                # the bar is per persona and scenario: a lever one persona reaches for in one
                # situation has a purpose even if the batch as a whole seldom sees it
                "flag": (best is None or best["share"] < RARE_SHARE) and not lever.rare,
            }
        )
    return out


# ---------------------------------------------------------------------- charts


def _chart_title(team: str, persona: str | None, stats: Mapping[str, float | None]) -> str:
    who = f"{team} ({persona})" if persona else team
    if stats["median"] is None:
        return f"{who}: not scored"
    return f"{who}: median {stats['median']:+.1f}, p10 {stats['p10']:+.1f}, p90 {stats['p90']:+.1f}"


def terminal_chart(records: Sequence[Record], width: int = 100, height: int = 28, color: bool = True) -> str:
    """One histogram of final scores per team, drawn with plotext as text for the terminal.

    A histogram rather than a bar of means: bot games are often bimodal (a deal signed or not, a red
    line crossed or not), and the shape is what tells a designer which.
    """
    import plotext  # type: ignore[import-untyped]  # no type information shipped

    fig = plotext.figure
    fig.clear()
    fig.subplots(2, 2)
    fig.plot_size(width, height)
    bins = max(5, min(20, len(records) // 5))
    for i, team in enumerate(TEAMS):
        values = [float(r[f"score_{team}"]) for r in records if r.get(f"score_{team}") is not None]
        sub = fig.subplot(i // 2 + 1, i % 2 + 1)
        if values:
            sub.draw(sub.hist(values, bins=bins))
        # plotext drops a title wider than its subplot, so the terminal gets the short form
        stats = describe(values)
        persona = records[0].get(f"persona_{team}") or ""
        short = f"{team} {persona}: median {stats['median']:+.1f}" if values else f"{team}: not scored"
        sub.title(short[: max(8, width // 2 - 10)])
    text: str = fig.build().string(colorless=not color)
    fig.clear()
    return text


def save_chart(records: Sequence[Record], path: str, title: str = "") -> None:
    """The terminal chart's twin as a PNG (matplotlib, Agg backend: no display needed, safe on servers).

    Dashed lines mark p10 and p90 and a solid line the median, the figures the summary table gives.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    bins = max(5, min(30, len(records) // 5))
    try:
        for ax, team in zip(axes.flat, TEAMS, strict=True):
            values = [float(r[f"score_{team}"]) for r in records if r.get(f"score_{team}") is not None]
            stats = describe(values)
            if values:
                ax.hist(values, bins=bins, color="#4c72b0", edgecolor="white")
                for q, style in (("p10", "--"), ("median", "-"), ("p90", "--")):
                    ax.axvline(float(stats[q] or 0.0), color="#c44e52", linestyle=style, linewidth=1.2)
            ax.set_title(_chart_title(team, records[0].get(f"persona_{team}"), stats), fontsize=10)
            ax.set_xlabel("final score")
            ax.set_ylabel("games")
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        fig.savefig(path, dpi=100, format="png")
    finally:
        plt.close(fig)
