"""Executor benchmark: games/s of Dask distributed against the plain process pool, on the same games.

``precursor sweep`` and ``--scheduler`` run games on Dask; everything else runs them on a forked process
pool. The question is what Dask's scheduler costs per game once its cluster is up: each task (a chunk of
games) goes through the scheduler, is pickled to a worker and its results pickled back, where the pool
only crosses a pipe. Both executors play the same ``loose-talk`` games through ``simulate`` (the path of
``precursor simulate``), with the same number of worker processes, in alternating rounds so that a busy
neighbour on a shared box weighs on both; the records are checked equal. Reported apart: the cluster's
start (spawned workers importing Dask) and its first tasks (each worker importing the engine and loading
the rulebook), which a long sweep pays once. The goal: Dask at least 80 % of the pool's games/s.

Run: ``python bench/bench_sweep.py [--runs 200] [--rounds 3] [--workers 2] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

from harness.cpu import box_user_system, self_and_children_cpu

from precursor.analysis.executor import DaskExecutor, using
from precursor.analysis.simulate import simulate
from precursor.game.rulebook import default_rulebook


def _others(start: tuple[float, float], seconds: float) -> float:
    """CPUs that other processes used over a timed section (the box is shared)."""
    end = box_user_system(), self_and_children_cpu()
    return max(0.0, ((end[0] - start[0]) - (end[1] - start[1])) / seconds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default="loose-talk")
    ap.add_argument("--runs", type=int, default=200, help="games per executor per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print only the figures, as one JSON line")
    args = ap.parse_args()
    say = (lambda *a: None) if args.json else print

    rb = default_rulebook()
    say(f"{args.scenario}: {args.runs} games per executor per round, {args.rounds} rounds, {args.workers}"
        f" workers; load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    t0 = time.perf_counter()
    dask = DaskExecutor(workers=args.workers)
    dask.start()
    started = time.perf_counter() - t0
    rates: dict[str, list[float]] = {"pool": [], "dask": []}
    try:
        t0 = time.perf_counter()
        with using(dask):  # the workers' first tasks: imports and the rulebook, once per process
            simulate(args.scenario, args.workers * 2, args.seed + 1, workers=args.workers, rb=rb)
        warm = time.perf_counter() - t0
        say(f"  dask cluster start {started:.2f} s; first tasks (imports, rulebook) {warm:.2f} s")
        reference = None
        for r in range(args.rounds):
            for name in ("pool", "dask") if r % 2 == 0 else ("dask", "pool"):
                start = box_user_system(), self_and_children_cpu()
                t0 = time.perf_counter()
                with using(dask if name == "dask" else None):
                    records = simulate(args.scenario, args.runs, args.seed, workers=args.workers, rb=rb)
                seconds = time.perf_counter() - t0
                if reference is None:
                    reference = records
                assert records == reference, f"{name} played other games"
                rates[name].append(args.runs / seconds)
                say(f"  round {r + 1} {name:<4} {args.runs / seconds:6.1f} games/s ({seconds:6.2f} s);"
                    f" other processes {_others(start, seconds):.1f} CPUs")  # fmt: skip
    finally:
        dask.close()
    pool, dsk = statistics.median(rates["pool"]), statistics.median(rates["dask"])
    figures = {
        "scenario": args.scenario,
        "workers": args.workers,
        "runs": args.runs,
        "pool_games_per_s": round(pool, 2),
        "dask_games_per_s": round(dsk, 2),
        "dask_over_pool": round(dsk / pool, 3),
        "dask_start_s": round(started, 2),
        "dask_first_tasks_s": round(warm, 2),
    }
    if args.json:
        print(json.dumps(figures))
        return
    verdict = "meets" if dsk / pool >= 0.8 else "misses"
    print(f"median: pool {pool:.1f} games/s, dask {dsk:.1f} games/s = {dsk / pool:.0%} of the pool"
          f" ({verdict} the 80 % goal)")  # fmt: skip


if __name__ == "__main__":  # Dask's workers are spawned: they import this file without running it
    main()
