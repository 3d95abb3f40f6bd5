"""4. Two instances on one Redis: senders on instance A, receivers on instance B."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from pathlib import Path
from typing import Any

from harness.children import bare_server, precursor_server, start_all
from harness.games import TEAMS, advance_to_negotiation, make_games
from harness.peers import Peer, close_all, gather_limited, ws_url
from harness.processes import ROOT
from harness.stats import ratio
from harness.traffic import Target, interleave, report_traffic


async def redis_precursor(
    stack: contextlib.AsyncExitStack, url: str, args: argparse.Namespace, log_dir: Path, prof: Path | None
) -> Target:
    a = precursor_server(url, log_dir, prof, "redis-A")
    b = precursor_server(url, log_dir, prof, "redis-B")
    a.name, b.name = "precursor-A", "precursor-B"
    await start_all(stack, [a, b], "/api/health")
    games = await make_games(a.url, args.redis_games, ["tutorial"], extra_team="us")
    await advance_to_negotiation(a.url, games)
    senders: list[Peer] = await gather_limited(
        (Peer.open(g.url(a.url, g.extra[0]), i, "sender") for i, g in enumerate(games)), 32
    )
    stack.push_async_callback(close_all, senders)
    receivers: list[Peer] = await gather_limited(
        (Peer.open(g.url(b.url, g.tokens[t]), i, "receiver") for i, g in enumerate(games) for t in TEAMS),
        32,
    )
    stack.push_async_callback(close_all, receivers)
    phases = {p.welcome["view"]["phase"] for p in receivers}
    if phases != {"negotiation"}:
        print(f"  WARNING: instance B's clients see phases {phases}")
    return Target("precursor", [a, b], [*senders, *receivers], senders, 5)


async def redis_bare(
    stack: contextlib.AsyncExitStack, url: str, args: argparse.Namespace, log_dir: Path
) -> Target:
    a, b = bare_server(log_dir, url), bare_server(log_dir, url)
    await start_all(stack, [a, b], "/health")
    n = args.redis_games
    receivers: list[Peer] = await gather_limited(
        (Peer.open(ws_url(b.url, f"/ws/r{i}"), i, "receiver") for i in range(n) for _ in TEAMS), 32
    )
    stack.push_async_callback(close_all, receivers)
    senders: list[Peer] = await gather_limited(
        (Peer.open(ws_url(a.url, f"/ws/r{i}"), i, "sender") for i in range(n)), 32
    )
    stack.push_async_callback(close_all, senders)
    await asyncio.sleep(0.5)  # every room's tail is blocked in XREAD before the first message
    return Target("bare", [a, b], [*senders, *receivers], senders, 5)


async def bench_redis(args: argparse.Namespace, log_dir: Path, prof: Path | None) -> dict[str, Any]:
    n = args.redis_games
    print(
        f"\n== 4. two instances on one Redis: {n} games, {n} senders on A, {4 * n} receivers on B, "
        f"{args.redis_rate:g} msgs/s; {args.rounds} windows of {args.redis_duration / args.rounds:g} s "
        f"per set-up, interleaved =="
    )
    sys.path.insert(0, str(ROOT / "tests" / "support"))
    from redis_server import RedisServer, redis_available  # type: ignore[import-not-found]

    if not redis_available():
        print("  skipped: redis-server is not installed")
        return {}
    rate = args.redis_rate
    with RedisServer(log_dir / "redis") as redis:
        async with contextlib.AsyncExitStack() as stack:
            bare_t = await redis_bare(stack, redis.url, args, log_dir)
            mine_t = await redis_precursor(stack, redis.url, args, log_dir, prof)
            for t in (bare_t, mine_t):
                t.listen()
            timing = argparse.Namespace(**{**vars(args), "duration": args.redis_duration})
            await interleave([bare_t, mine_t], timing, [rate], "redis")
            bare = report_traffic(
                f"bare broadcast, 2 instances relaying through Redis Streams, same layout, {rate:g} msgs/s:",
                bare_t,
                rate,
            )
            mine = report_traffic(
                f"precursor, 2 instances on one Redis: {n} senders on A, {4 * n} receivers on B, "
                f"{rate:g} msgs/s:",
                mine_t,
                rate,
            )
            for s in mine_t.servers:
                s.print_profiles()
    ok = mine["p99_ms"] <= 20 and not mine["lost"] and not mine["errors"]
    print(
        f"  goal cross-instance p99 ≤ 20 ms: p50 {mine['p50_ms']:.2f} ms, p99 {mine['p99_ms']:.2f} ms (bare "
        f"p50 {bare['p50_ms']:.2f}, p99 {bare['p99_ms']:.2f} ms, {ratio(mine['p99_ms'], bare['p99_ms'])}): "
        f"{'MET' if ok else 'MISSED'}"
    )
    return {"precursor": mine, "bare": bare, "goal_met": ok}
