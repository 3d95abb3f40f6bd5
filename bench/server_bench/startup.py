"""3. Start-up and memory: Popen to the first answer, and resident memory with games played a little."""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from harness.children import Child, bare_server, precursor_server
from harness.games import TEAMS, Seats, advance, make_games
from harness.peers import Peer, close_all, gather_limited
from harness.processes import ROOT
from harness.stats import pct


async def play_a_little(base: str, g: Seats, turns: int) -> None:
    """Give a game some state: the four players join and chat, the facilitator plays ``turns`` turns."""
    players = [await Peer.open(g.url(base, g.tokens[t]), 0, "player") for t in TEAMS]
    fac = await Peer.open(g.url(base, g.facilitator), 0, "facilitator")
    try:
        for p, t in zip(players, TEAMS, strict=True):
            await p.command({"type": "message", "channel": "all", "text": f"{t} is at the table"})
        for turn in range(1, turns + 1):
            for phase in ("briefing", "negotiation", "orders"):
                await advance(fac, turn, phase)
            if turn < turns:
                await advance(fac, turn, "results")
    finally:
        await close_all([*players, fac])


async def bench_startup(args: argparse.Namespace, log_dir: Path) -> dict[str, Any]:
    print(
        f"\n== 3. start-up and memory: Popen → GET /api/health 200; VmRSS with {args.startup_games} games =="
    )
    db = log_dir / "startup.db"
    store = f"sqlite:///{db}"
    out: dict[str, Any] = {}

    async def start_once(child: Child, path: str) -> tuple[float, float, float]:
        try:
            child.start()
            secs = await child.wait_ready(path)
            await asyncio.sleep(0.3)  # let it settle before reading its memory
            return secs, child.ready_cpu, child.memory_mb()[0]
        finally:
            child.stop()

    def line(runs: list[tuple[float, float, float]]) -> str:
        return (
            f"ready in {', '.join(f'{s:.2f}' for s, _, _ in runs)} s "
            f"(median {pct([s for s, _, _ in runs], 50):.2f}; "
            f"CPU used by then {', '.join(f'{c:.2f}' for _, c, _ in runs)} s); RSS {runs[-1][2]:.0f} MB"
        )

    bare = [await start_once(bare_server(log_dir), "/health") for _ in range(args.startup_repeats)]
    empty = []
    for _ in range(args.startup_repeats):
        empty.append(await start_once(precursor_server(store, log_dir, None, "x"), "/api/health"))
    print(f"  bare broadcast: {line(bare)}")
    print(f"  precursor, empty SQLite store: {line(empty)}")
    # where the start-up time goes: the same imports and rulebook load, timed inside one interpreter
    probe = (
        "import time; t0 = time.perf_counter(); import server.app, server.run; t1 = time.perf_counter(); "
        "from precursor.game.rulebook import default_rulebook; default_rulebook(); t2 = time.perf_counter(); "
        "print(f'{t1 - t0:.3f} {t2 - t1:.3f}')"
    )
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    total = time.perf_counter() - t0
    imports, rulebook = (float(x) for x in res.stdout.split())
    print(
        f"    of which (measured apart): interpreter start {total - imports - rulebook:.2f} s, importing the "
        f"server (FastAPI, pydantic, uvicorn, engine) {imports:.2f} s, loading the rulebook "
        f"{rulebook:.2f} s; "
        f"the rest is uvicorn start-up, the store and the first request"
    )
    srv = precursor_server(store, log_dir, None, "x")
    scenarios = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
    try:
        srv.start()
        await srv.wait_ready("/api/health")
        t0 = time.perf_counter()
        games = await make_games(srv.url, args.startup_games, scenarios)
        await gather_limited((play_a_little(srv.url, g, args.startup_turns) for g in games), 8)
        rss, hwm = srv.memory_mb()
        print(
            f"  precursor with {len(games)} games (all scenarios in turn; 4 players joined and chatting, "
            f"{args.startup_turns} turns adjudicated each; built in {time.perf_counter() - t0:.1f} s): "
            f"RSS {rss:.0f} MB (peak {hwm:.0f} MB)"
        )
    finally:
        srv.stop()
    srv = precursor_server(store, log_dir, None, "x")
    try:
        srv.start()
        ready = await srv.wait_ready("/api/health")
        async with httpx.AsyncClient(base_url=srv.url, trust_env=False) as http:
            while (await http.get("/api/health")).json()["games_loaded"] < len(games):
                await asyncio.sleep(0.01)
        loaded = time.perf_counter() - srv.started_at
        await asyncio.sleep(0.3)
        rss2, hwm2 = srv.memory_mb()
        print(
            f"  precursor restarted on that store: ready in {ready:.2f} s, all {len(games)} games replayed "
            f"by {loaded:.2f} s (CPU at ready {srv.ready_cpu:.2f} s); RSS {rss2:.0f} MB (peak {hwm2:.0f} MB)"
        )
    finally:
        srv.stop()
    med = pct([s for s, _, _ in empty], 50)
    ok_start, ok_mem = med <= 1.5 and ready <= 1.5, max(rss, rss2) <= 200
    print(
        f"  goals: start-up ≤ 1.5 s (median {med:.2f} s empty, {ready:.2f} s with {len(games)} games; bare "
        f"{pct([s for s, _, _ in bare], 50):.2f} s): {'MET' if ok_start else 'MISSED'}; memory with "
        f"{len(games)} games ≤ 200 MB ({max(rss, rss2):.0f} MB): {'MET' if ok_mem else 'MISSED'}"
    )
    out.update(
        bare_ready_s=[s for s, _, _ in bare],
        bare_rss_mb=bare[-1][2],
        empty_ready_s=[s for s, _, _ in empty],
        empty_ready_cpu_s=[c for _, c, _ in empty],
        empty_rss_mb=empty[-1][2],
        import_s=imports,
        rulebook_s=rulebook,
        games=len(games),
        rss_mb=rss,
        hwm_mb=hwm,
        restart_ready_s=ready,
        restart_loaded_s=loaded,
        restart_rss_mb=rss2,
        goal_start_met=ok_start,
        goal_memory_met=ok_mem,
    )
    return out
