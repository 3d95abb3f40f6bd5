"""1. Chat fan-out: can one process carry a classroom of games chatting on the plenary channel?"""

from __future__ import annotations

import argparse
import contextlib
import random
import time
from pathlib import Path
from typing import Any

from harness.children import bare_server, precursor_server, start_all
from harness.games import TEAMS, advance_to_negotiation, make_games
from harness.peers import Peer, close_all, gather_limited, ws_url
from harness.stats import ratio
from harness.traffic import Target, interleave, report_traffic


async def fanout_precursor(
    stack: contextlib.AsyncExitStack, store: str, args: argparse.Namespace, log_dir: Path, prof: Path | None
) -> Target:
    kind = store.split(":", 1)[0]
    srv = precursor_server(store, log_dir, prof, f"fanout-{kind}")
    await start_all(stack, [srv], "/api/health")
    t0 = time.perf_counter()
    games = await make_games(srv.url, args.games, ["tutorial"])
    t1 = time.perf_counter()
    await advance_to_negotiation(srv.url, games)
    t2 = time.perf_counter()
    urls = [(g.url(srv.url, g.tokens[t]), i) for i, g in enumerate(games) for t in TEAMS]
    peers: list[Peer] = await gather_limited((Peer.open(u, i, "player") for u, i in urls), 32)
    stack.push_async_callback(close_all, peers)
    t3 = time.perf_counter()
    print(
        f"  precursor {kind}: {args.games} games created and {4 * args.games} players joined in "
        f"{t1 - t0:.1f} s, advanced to negotiation in {t2 - t1:.1f} s, {len(peers)} websockets connected "
        f"(welcome views) in {t3 - t2:.1f} s; server RSS {srv.memory_mb()[0]:.0f} MB"
    )
    senders = peers[:]
    random.Random(len(peers)).shuffle(senders)
    return Target(kind, [srv], peers, senders, 4)


async def fanout_bare(stack: contextlib.AsyncExitStack, args: argparse.Namespace, log_dir: Path) -> Target:
    srv = bare_server(log_dir)
    await start_all(stack, [srv], "/health")
    urls = [(ws_url(srv.url, f"/ws/room{i}"), i) for i in range(args.games) for _ in TEAMS]
    peers: list[Peer] = await gather_limited((Peer.open(u, i, "player") for u, i in urls), 32)
    stack.push_async_callback(close_all, peers)
    print(f"  bare broadcast: {len(peers)} websockets in {args.games} rooms of 4")
    senders = peers[:]
    random.Random(len(peers)).shuffle(senders)
    return Target("bare", [srv], peers, senders, 4)


async def bench_fanout(args: argparse.Namespace, log_dir: Path, prof: Path | None) -> dict[str, Any]:
    print(
        f"\n== 1. chat fan-out: {args.games} games × 4 players = {4 * args.games} websockets on one server "
        f"process; {', '.join(f'{r:g}' for r in args.rates)} msgs/s on 'all'; {args.rounds} windows of "
        f"{args.duration / args.rounds:g} s (+{args.warmup:g} s warm-up) per server and rate, interleaved =="
    )
    results: dict[str, Any] = {}
    async with contextlib.AsyncExitStack() as stack:
        targets = [await fanout_bare(stack, args, log_dir)]
        for kind in args.stores:
            store = "memory://" if kind == "memory" else f"sqlite:///{log_dir / 'fanout.db'}"
            targets.append(await fanout_precursor(stack, store, args, log_dir, prof))
        for t in targets:
            t.listen()
        await interleave(targets, args, args.rates, "fanout")
        for rate in args.rates:
            for t in targets:
                what = (
                    f"bare broadcast to rooms of 4 ({args.games} rooms)"
                    if t.name == "bare"
                    else f"precursor {t.name} ({args.games} games)"
                )
                results.setdefault(t.name, {})[rate] = report_traffic(f"{what}, {rate:g} msgs/s:", t, rate)
        for t in targets:
            for s in t.servers:
                s.print_profiles()
    print("  goals: p99 ≤ 50 ms and within 2× of the bare baseline's p99; nothing lost, nothing refused")
    for kind in args.stores:
        for rate in args.rates:
            r, b = results[kind][rate], results["bare"][rate]
            ok = r["p99_ms"] <= 50 and r["p99_ms"] <= 2 * b["p99_ms"] and not r["lost"] and not r["errors"]
            print(
                f"    {kind:<7} {rate:>5g}/s: p99 {r['p99_ms']:6.2f} ms vs bare {b['p99_ms']:6.2f} ms "
                f"({ratio(r['p99_ms'], b['p99_ms'])}), p50 {ratio(r['p50_ms'], b['p50_ms'])}, CPU/delivery "
                f"{ratio(r['server_us_per_delivery'], b['server_us_per_delivery'])}; lost {r['lost']}, "
                f"errors {r['errors'] or 0}: {'MET' if ok else 'MISSED'}"
            )
            r["goal_met"] = ok
    return results
