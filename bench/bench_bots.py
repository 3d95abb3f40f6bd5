"""Batch-simulation benchmark: complete bot-vs-bot games of ``loose-talk`` per second.

It answers the question a designer asks before a balance sweep: how long will 10,000 games take? It
times ``simulate`` (the same path as ``precursor simulate``) with one worker and with several, and, in
the same run, a baseline: the same games, same seeds, with no bots at all (every seat passes), so the
share of the time the bots take (reading their views, scoring orders, negotiating) is visible next to
the cost of the engine's monthly model. Each line says how many CPUs other processes took meanwhile (from
``/proc/stat``): on a shared box a slow figure next to a busy neighbour is noise, not a regression. When
the package under test is the compiled build (``pip install .``, see setup.py), the same figures for
this checkout's pure-Python sources follow, timed in the same run. Run:
``python bench/bench_bots.py [--runs1 400] [--runs2 2000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import which_build
from harness.cpu import box_user_system, self_and_children_cpu

from precursor.analysis.runner import play
from precursor.analysis.simulate import run_seed, simulate
from precursor.game.rulebook import default_rulebook

PROJECTED = 10_000


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
    if quiet:
        return rate
    print(
        f"  {label:<34} {games:>5} games in {seconds:7.2f} s: {rate:6.1f} games/s, "
        f"{seconds / games * 1000:6.1f} ms/game; {PROJECTED:,} runs in ~{_fmt_duration(PROJECTED / rate)}"
        + (f"; other processes: {max(0.0, others):.1f} CPUs" if others == others else "")
    )
    return rate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default="loose-talk")
    ap.add_argument("--runs1", type=int, default=400, help="games with one worker (and for the baseline)")
    ap.add_argument("--runs2", type=int, default=2000, help="games with --workers workers")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print only the rates, as one JSON line")
    args = ap.parse_args()
    quiet = args.json

    rb = default_rulebook()  # loaded (and frozen) before any timing, as the CLI does
    sc = rb.scenarios[args.scenario].model
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    if not quiet:
        print(f"package under test: {which_build.describe()}")
        print(
            f"scenario {args.scenario}: {sc.turns} turns × {sc.months_per_turn} months; "
            f"personas {dict(sc.personas)}; {cpus} CPUs usable, load average {os.getloadavg()[0]:.2f}"
        )
    # warm-up: the first game fills the bots' per-rulebook caches and the expression closures' paths
    simulate(args.scenario, 3, args.seed, rb=rb)

    start, t0 = _busy(), time.perf_counter()
    for i in range(args.runs1):
        play(rb, args.scenario, run_seed(args.seed, i), None)
    base = _line("baseline, no bots (1 process)", args.runs1, time.perf_counter() - t0, start, quiet)

    start, t0 = _busy(), time.perf_counter()
    records = simulate(args.scenario, args.runs1, args.seed, workers=1, rb=rb)
    one = _line("bots, 1 worker", args.runs1, time.perf_counter() - t0, start, quiet)
    refused = sum(r["refused"] for r in records)

    start, t0 = _busy(), time.perf_counter()
    records = simulate(args.scenario, args.runs2, args.seed, workers=args.workers, rb=rb)
    many = _line(f"bots, {args.workers} workers", args.runs2, time.perf_counter() - t0, start, quiet)
    refused += sum(r["refused"] for r in records)

    if quiet:
        print(json.dumps({"base": base, "one": one, "many": many, "refused": refused}))
        return
    print(
        f"bots' share of a game's time (1 process): {1 - one / base:.0%} "
        f"(a game costs {1000 / one:.1f} ms with bots, {1000 / base:.1f} ms without); "
        f"speed-up with {args.workers} workers: ×{many / one:.2f}; refused bot commands: {refused}"
    )
    if which_build.is_compiled():
        same = [f"--{k}={getattr(args, k)}" for k in ("scenario", "runs1", "runs2", "workers", "seed")]
        pure = which_build.run_pure(Path(__file__), same)
        print(
            f"same run, this checkout's pure-Python sources: no bots {pure['base']:.1f}, bots with 1 worker "
            f"{pure['one']:.1f}, with {args.workers} workers {pure['many']:.1f} games/s "
            f"(compiled/pure with {args.workers} workers: ×{many / pure['many']:.2f}); "
            f"refused bot commands: {pure['refused']}"
        )


if __name__ == "__main__":
    main()
