"""Server benchmarks: chat fan-out, turn round trip, start-up and memory, two instances on one Redis.

Each benchmark answers one question a deployment asks, and measures a bare FastAPI/uvicorn broadcast
server (``bench/bare_broadcast.py``, same uvicorn settings) doing the same transport work in the same
run, so the figure can be read against what the machine gives at that moment:

1. ``fanout``: can one process carry a classroom of 250 games × 4 players (1,000 websockets) chatting on
   the plenary channel? Delivery latency (send timestamp in the text → each of the 4 recipients),
   deliveries per second, lost messages and refused commands; memory:// and SQLite stores.
   Goals: p99 ≤ 50 ms and within 2× of the bare baseline.
2. ``turn``: how long do players wait for the results once the last of 4 seats is ready? All four
   submit orders and mark ready at once → every client has the ``phase: results`` event; SQLite store.
   Goal: p50 ≤ 15 ms.
3. ``startup``: ``precursor serve`` Popen → first successful ``GET /api/health`` (goal ≤ 1.5 s) and
   resident memory with 100 games that have been played a little (goal ≤ 200 MB).
4. ``redis``: two instances on one Redis; senders on instance A, receivers on instance B: cross-instance
   delivery latency (goal p99 ≤ 20 ms).

Servers (and redis-server) run as child processes; this process is the load generator (uvloop when
installed). Everything is on 127.0.0.1, bounded in count and time, and stops by itself. The box the
figures in docs/protocol.md come from has 2 cores, shared by the server(s) and the load generator.

Run: ``python bench/bench_server.py`` (a few minutes), ``--quick`` (under a minute), ``--only fanout``,
``--games 100 --duration 10`` to scale down, ``--profile DIR`` for cProfile statistics of the server
during each measurement window (slower: use those runs for where the time goes, not for the figures).

This file holds the command line; the benchmarks are in ``bench/server_bench/`` (one module each) and what
they share (child processes, load peers, chat traffic, statistics, CPU accounting) in ``bench/harness/``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import resource
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.children import CPROFILE
from harness.processes import ROOT, raise_nofile
from server_bench.fanout import bench_fanout
from server_bench.startup import bench_startup
from server_bench.turn import bench_turns
from server_bench.two_instances import bench_redis


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="scaled down: the whole run in under a minute")
    ap.add_argument(
        "--only", action="append", choices=["fanout", "turn", "startup", "redis"], help="repeatable"
    )
    ap.add_argument("--games", type=int, help="fan-out: games of 4 players (default 250; quick 50)")
    ap.add_argument(
        "--rate", type=str, help="fan-out: total messages per second, comma-separated (default 100,400)"
    )
    ap.add_argument(
        "--duration", type=float, help="seconds measured per server and rate (default 15; quick 4)"
    )
    ap.add_argument("--rounds", type=int, help="windows the duration is split into (default 3; quick 1)")
    ap.add_argument(
        "--warmup", type=float, help="seconds of unmeasured traffic before each window (default 1)"
    )
    ap.add_argument("--stores", default="memory,sqlite", help="fan-out stores: memory,sqlite")
    ap.add_argument("--turns", type=int, help="turn round trips measured (default 60; quick 12)")
    ap.add_argument("--turn-scenario", default="tariffs-and-terror", help="the longest scenario (10 turns)")
    ap.add_argument(
        "--startup-games", type=int, help="games loaded for the memory figure (default 100; quick 20)"
    )
    ap.add_argument("--startup-turns", type=int, default=2, help="turns adjudicated in each of those games")
    ap.add_argument("--redis-games", type=int, help="Redis: games (5 clients each; default 40; quick 20)")
    ap.add_argument("--redis-rate", type=float, help="Redis: messages per second (default 200; quick 100)")
    ap.add_argument("--redis-duration", type=float, help="Redis: seconds measured (default 15; quick 5)")
    ap.add_argument(
        "--profile",
        type=Path,
        help="run the servers under bench/profiled_serve.py (cProfile and stall timings), keep the files "
        "in this directory and print them",
    )
    ap.add_argument(
        "--stalls",
        action="store_true",
        help="with --profile: stall timings only, no cProfile (near real speed)",
    )
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)
    q = args.quick
    args.games = args.games or (50 if q else 250)
    args.rates = [float(x) for x in (args.rate or ("200" if q else "100,400")).split(",")]
    args.duration = args.duration or (4.0 if q else 15.0)
    args.rounds = args.rounds or (1 if q else 3)
    args.warmup = args.warmup if args.warmup is not None else 1.0
    args.stores = [s for s in args.stores.split(",") if s]
    args.turns = args.turns or (12 if q else 60)
    args.turn_warmup = 2
    args.startup_games = args.startup_games or (20 if q else 100)
    args.startup_repeats = 2 if q else 5
    args.redis_games = args.redis_games or (20 if q else 40)
    args.redis_rate = args.redis_rate or (100.0 if q else 200.0)
    args.redis_duration = args.redis_duration or (4.0 if q else 15.0)
    args.only = args.only or ["fanout", "turn", "startup", "redis"]
    if args.redis_rate > 15 * args.redis_games:
        ap.error("--redis-rate over 15 per sender would hit the server's per-connection rate limit (20/s)")
    return args


async def amain(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="precursor-bench-") as tmp:
        log_dir = Path(tmp)
        prof = args.profile.resolve() if args.profile else None
        if prof:
            prof.mkdir(parents=True, exist_ok=True)
        if "fanout" in args.only:
            results["fanout"] = await bench_fanout(args, log_dir, prof)
        if "turn" in args.only:
            results["turn"] = await bench_turns(args, log_dir, prof)
        if "startup" in args.only:
            results["startup"] = await bench_startup(args, log_dir)
        if "redis" in args.only:
            results["redis"] = await bench_redis(args, log_dir, prof)
    return results


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    raise_nofile()
    cpus = len(os.sched_getaffinity(0))
    try:
        import uvloop

        runner: Callable[..., Any] = uvloop.run
        loop_name = "uvloop"
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        runner, loop_name = asyncio.run, "asyncio"
    print(
        f"Precursor server benchmarks ({'quick' if args.quick else 'full'}); {cpus} CPU cores shared by the "
        f"server process(es) and this load generator ({loop_name}); Python {platform.python_version()}; "
        f"load average {os.getloadavg()[0]:.2f}; descriptor limit "
        f"{resource.getrlimit(resource.RLIMIT_NOFILE)[0]}"
    )
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "server", "precursor"], cwd=ROOT, capture_output=True, text=True
        ).stdout.split()[1::2]
        print(f"  code: git {head}" + (f", uncommitted changes in {', '.join(dirty)}" if dirty else ""))
    if args.profile and args.stalls:
        CPROFILE[0] = "0"
        print("  --profile --stalls: the servers time their suspects (see bench/profiled_serve.py)")
    elif args.profile:
        print("  --profile: the servers run under cProfile, so these figures are slower than the real ones")
    t0 = time.perf_counter()
    results = runner(amain(args))
    print(f"\ndone in {time.perf_counter() - t0:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
