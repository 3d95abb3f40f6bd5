"""Batch-simulation benchmark: complete bot-vs-bot games per second, per scenario and number of workers.

It answers the question a designer asks before a balance sweep: how long will 10,000 games take? For
each scenario asked for (by default the tutorial, Loose Talk and Election Season) it times, in one run:

- the in-process cost of a game with no bots at all (every seat passes) and with bots (one process, the
  path ``precursor simulate`` takes with one worker), so the share of the time the bots take (reading
  their views, scoring orders, negotiating) is visible next to the cost of the engine's monthly model;
- ``simulate`` with one worker and with ``--workers`` workers, in games per second;
- how those scale with the workers and with the game's length (per month played), and Loose Talk's
  goals: 250 games/s with 2 workers, 100,000 games in under 8 minutes.

Each line says how many CPUs other processes took meanwhile (from ``/proc/stat``): on a shared box a slow
figure next to a busy neighbour is noise, not a regression. ``--baseline DIR`` times another copy of the
sources in the same run (say the commit before a change, from ``git archive COMMIT | tar -x -C DIR``):
this script runs against it and against this checkout in subprocesses, alternately for ``--rounds``
rounds, and prints both side by side. When the package under test is the compiled build
(``pip install .``, see setup.py), this checkout's pure-Python sources are timed in the same run. Run:
``python bench/bench_bots.py [--scenarios tutorial,loose-talk] [--runs1 200] [--runs2 400] [--baseline DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import which_build
from harness.cpu import box_user_system, self_and_children_cpu

from precursor.analysis.runner import play
from precursor.analysis.simulate import run_seed, simulate
from precursor.game.rulebook import Rulebook, default_rulebook

PROJECTED = 10_000
SCENARIOS = "tutorial,loose-talk,election-season"
# issue 17's goals for Loose Talk bot games with 2 workers: 250 games/s, and 100,000 games in 8 minutes
GOAL_SCENARIO, GOAL_RATE, GOAL_GAMES, GOAL_SECONDS = "loose-talk", 250.0, 100_000, 8 * 60


def _fmt_duration(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m} min {s:02d} s" if m else f"{s} s"


def _busy() -> tuple[float, float]:
    """(CPU seconds all processes have used, CPU seconds this process and its reaped children have used).

    The box may be shared: the difference over a timed section is what other processes took meanwhile.
    """
    return box_user_system(), self_and_children_cpu()


def _line(label: str, games: int, seconds: float, start: tuple[float, float], quiet: bool) -> float:
    rate = games / seconds
    end = _busy()
    others = ((end[0] - start[0]) - (end[1] - start[1])) / seconds
    if not quiet:
        print(
            f"  {label:<34} {games:>5} games in {seconds:7.2f} s: {rate:6.1f} games/s, "
            f"{seconds / games * 1000:6.1f} ms/game; {PROJECTED:,} runs in ~{_fmt_duration(PROJECTED / rate)}"
            + (f"; other processes: {max(0.0, others):.1f} CPUs" if others == others else "")
        )
    return rate


def measure(rb: Rulebook, scenario: str, args: argparse.Namespace, quiet: bool) -> dict[str, Any]:
    """One scenario's figures: games/s with no bots, with bots in one process, and with 1 and N workers."""
    sc = rb.scenarios[scenario].model
    if not quiet:
        turns = f"{sc.turns} turns × {sc.months_per_turn} months"
        print(f"scenario {scenario}: {turns}; personas {dict(sc.personas)}")
    # warm-up: the first game fills the bots' per-rulebook caches and the expression closures' paths
    simulate(scenario, 3, args.seed, rb=rb)

    start, t0 = _busy(), time.perf_counter()
    for i in range(args.runs1):
        play(rb, scenario, run_seed(args.seed, i), None)
    base = _line("no bots (in process)", args.runs1, time.perf_counter() - t0, start, quiet)

    start, t0 = _busy(), time.perf_counter()
    records = simulate(scenario, args.runs1, args.seed, workers=1, rb=rb)
    one = _line("bots, 1 worker (in process)", args.runs1, time.perf_counter() - t0, start, quiet)
    refused = sum(r["refused"] for r in records)

    start, t0 = _busy(), time.perf_counter()
    records = simulate(scenario, args.runs2, args.seed, workers=args.workers, rb=rb)
    many = _line(f"bots, {args.workers} workers", args.runs2, time.perf_counter() - t0, start, quiet)
    refused += sum(r["refused"] for r in records)
    if not quiet:
        print(
            f"  bots' share of a game's time: {1 - one / base:.0%} ({1000 / one:.2f} ms with bots, "
            f"{1000 / base:.2f} ms without); ×{many / one:.2f} with {args.workers} workers; "
            f"refused bot commands: {refused}"
        )
    return {"base": base, "one": one, "many": many, "refused": refused}


def scaling(rb: Rulebook, figures: dict[str, dict[str, Any]], workers: int) -> None:
    """How the figures scale with the workers (1, N) and with the game's length, and the goals: Loose
    Talk at 250 games/s with 2 workers, and 100,000 of its games in under 8 minutes (208 games/s)."""
    print(f"scaling (games/s; ×: {workers} workers over 1; CPU-bound ms per month played, 1 worker):")
    for s, f in figures.items():
        sc = rb.scenarios[s].model
        months = sc.turns * sc.months_per_turn
        print(
            f"  {s:<18} {sc.turns:>2} turns, {months:>2} months: 1 worker {f['one']:6.1f}, {workers} workers"
            f" {f['many']:6.1f} (×{f['many'] / f['one']:.2f}); {1000 / f['one'] / months:5.2f} ms per month"
        )
    f = figures.get(GOAL_SCENARIO)
    if f is None:
        return
    rate, took = f["many"], GOAL_GAMES / f["many"]
    print(
        f"goals, {GOAL_SCENARIO} with {workers} workers: {rate:.1f} games/s "
        f"({'meets' if rate >= GOAL_RATE else 'misses'} {GOAL_RATE:.0f}/s); {GOAL_GAMES:,} games in "
        f"~{_fmt_duration(took)} ({'meets' if took < GOAL_SECONDS else 'misses'} {GOAL_SECONDS // 60} min,"
        f" {GOAL_GAMES / GOAL_SECONDS:.0f} games/s)"
    )


def _same_args(args: argparse.Namespace) -> list[str]:
    return [f"--{k}={getattr(args, k)}" for k in ("scenarios", "runs1", "runs2", "workers", "seed")]


def _run_sources(root: Path, args: argparse.Namespace) -> dict[str, Any]:
    """This script, run with ``--json`` against the ``precursor`` found under ``root``."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--json", *_same_args(args)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _compare(args: argparse.Namespace) -> None:
    """Baseline and this checkout, each in a subprocess, alternately; then the figures side by side."""
    here = which_build.ROOT
    runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "this": []}
    for r in range(args.rounds):
        for name, root in (("baseline", Path(args.baseline)), ("this", here)):
            t0 = time.perf_counter()
            runs[name].append(_run_sources(root, args))
            print(f"round {r + 1}: {name} ({root}) timed in {time.perf_counter() - t0:.0f} s", flush=True)
    print(f"\nbest of {args.rounds} round(s); baseline {args.baseline}, this checkout {here}")
    print(f"{'scenario':<18} {'figure':<26} {'baseline':>10} {'this':>10} {'×':>6}")
    for scenario in args.scenarios.split(","):
        for key, label, unit in (
            ("base", "no bots, ms/game", "ms"),
            ("one", "bots in process, ms/game", "ms"),
            ("one", "bots, 1 worker, games/s", "rate"),
            ("many", f"bots, {args.workers} workers, games/s", "rate"),
        ):
            b = max(run[scenario][key] for run in runs["baseline"])
            t = max(run[scenario][key] for run in runs["this"])
            if unit == "ms":
                print(f"{scenario:<18} {label:<26} {1000 / b:10.2f} {1000 / t:10.2f} {t / b:6.2f}")
            else:
                print(f"{scenario:<18} {label:<26} {b:10.1f} {t:10.1f} {t / b:6.2f}")
    refused = {n: sum(run[s]["refused"] for run in rs for s in run) for n, rs in runs.items()}
    print(f"refused bot commands: {refused}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenarios", default=SCENARIOS, help="comma-separated scenario ids")
    ap.add_argument("--scenario", help="one scenario (the same as --scenarios with one id)")
    ap.add_argument("--runs1", type=int, default=200, help="games in process (no bots, then bots)")
    ap.add_argument("--runs2", type=int, default=400, help="games with --workers workers")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--baseline", help="another copy of the sources (a directory holding precursor/)")
    ap.add_argument("--rounds", type=int, default=2, help="alternating rounds with --baseline")
    ap.add_argument("--json", action="store_true", help="print only the rates, as one JSON line")
    args = ap.parse_args()
    if args.scenario:
        args.scenarios = args.scenario
    if args.baseline:
        _compare(args)
        return
    quiet = args.json
    rb = default_rulebook()  # loaded (and frozen) before any timing, as the CLI does
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    if not quiet:
        print(f"package under test: {which_build.describe()}")
        print(f"{cpus} CPUs usable, load average {os.getloadavg()[0]:.2f}")
    figures = {s: measure(rb, s, args, quiet) for s in args.scenarios.split(",")}
    if quiet:
        print(json.dumps(figures))
        return
    scaling(rb, figures, args.workers)
    if which_build.is_compiled():
        pure = which_build.run_pure(Path(__file__), _same_args(args))
        for s, f in figures.items():
            p = pure[s]
            print(
                f"same run, {s}, this checkout's pure-Python sources: no bots {p['base']:.1f}, bots with "
                f"1 worker {p['one']:.1f}, with {args.workers} workers {p['many']:.1f} games/s "
                f"(compiled/pure with {args.workers} workers: ×{f['many'] / p['many']:.2f})"
            )


if __name__ == "__main__":
    main()
