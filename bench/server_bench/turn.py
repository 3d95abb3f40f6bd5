"""2. Turn round trip: how long do players wait for the results once the last of 4 seats is ready?"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from pathlib import Path
from typing import Any

from harness.children import bare_server, precursor_server
from harness.games import TEAMS, advance, make_games, scenario_turns
from harness.peers import Peer, close_all, ws_url
from harness.stats import MS, lat_line, pct, ratio


async def choose_orders(p: Peer, team: str) -> list[dict[str, Any]]:
    """The cheapest available lever the team can afford (so adjudication has real orders to resolve)."""
    frame = await p.view()
    view = frame.get("view", {})
    pc = float(view.get("pc", {}).get(team, 0.0))
    levers = [x for x in view.get("levers", []) if x.get("available") and (x.get("cost") or 0) <= pc]
    levers.sort(key=lambda x: (x.get("cost") or 0, x["id"]))
    return [{"lever": levers[0]["id"]}] if levers else []


async def _one_turn(players: list[Peer], turn: Any, orders: list[list[dict[str, Any]]]) -> int:
    """All four submit and mark ready at once; ns until the last of them has the results phase."""
    futs = [p.phase_future(turn, "results") for p in players]
    t0 = time.monotonic_ns()
    acks: list[asyncio.Future[dict[str, Any]]] = []
    for p, o in zip(players, orders, strict=True):
        acks.append(await p.post({"type": "submit_orders", "orders": o}))
        acks.append(await p.post({"type": "ready"}))
    done = await asyncio.wait_for(asyncio.gather(*futs), 30)
    await asyncio.wait_for(asyncio.gather(*acks), 30)
    return max(done) - t0


async def turns_precursor(args: argparse.Namespace, log_dir: Path, prof: Path | None) -> dict[str, Any]:
    store = f"sqlite:///{log_dir / 'turns.db'}"
    srv = precursor_server(store, log_dir, prof, "turn")
    times: list[int] = []
    events_per_turn: list[int] = []
    errors: Counter[str] = Counter()
    try:
        srv.start()
        await srv.wait_ready("/api/health")
        n_games = 0
        while len(times) < args.turns + args.turn_warmup:
            (g,) = await make_games(srv.url, 1, [args.turn_scenario])
            n_games += 1
            players = [await Peer.open(g.url(srv.url, g.tokens[t]), 0, "player") for t in TEAMS]
            fac = await Peer.open(g.url(srv.url, g.facilitator), 0, "facilitator")
            turns = await scenario_turns(srv.url, args.turn_scenario)
            try:
                await advance(fac, 1, "briefing")
                await advance(fac, 1, "negotiation")
                for turn in range(1, turns + 1):
                    await asyncio.wait_for(
                        asyncio.gather(*(p.phase_future(turn, "orders") for p in players)), 30
                    )
                    orders = [await choose_orders(p, t) for p, t in zip(players, TEAMS, strict=True)]
                    seq0 = int((await fac.view())["seq"])
                    profiling = srv.profile is not None and len(times) >= args.turn_warmup
                    if profiling:  # only the timed part: submit, ready, adjudication, fan-out
                        srv.profile_on()
                        await asyncio.sleep(0.01)  # the signal is handled before the first frame
                    times.append(await _one_turn(players, turn, orders))
                    if profiling:
                        await srv.profile_off("turn")
                    events_per_turn.append(int((await fac.view())["seq"]) - seq0)
                    if len(times) >= args.turns + args.turn_warmup:
                        break
                    if turn < turns:
                        await advance(fac, turn, "results")
                        await advance(fac, turn + 1, "briefing")
                        await advance(fac, turn + 1, "negotiation")
            finally:
                for p in [*players, fac]:
                    errors.update(p.errors)
                await close_all([*players, fac])
        srv.print_profiles()
        measured = times[args.turn_warmup :]
        print(
            f"  precursor sqlite, '{args.turn_scenario}', {len(measured)} turns in {n_games} games "
            f"({args.turn_warmup} warm-up turns not counted):"
        )
        print(f"    all 4 submit + ready → all 4 see 'results': {lat_line(measured)}")
        print(
            f"    p95 {pct(measured, 95) / MS:.2f} ms; about {pct(events_per_turn, 50):.0f} events per turn "
            f"(orders, readies, adjudication); error frames {dict(errors) or 0}"
        )
        return {
            "p50_ms": pct(measured, 50) / MS,
            "p95_ms": pct(measured, 95) / MS,
            "max_ms": max(measured) / MS,
            "turns": len(measured),
            "games": n_games,
            "errors": dict(errors),
        }
    finally:
        srv.stop()


async def turns_bare(args: argparse.Namespace, log_dir: Path) -> dict[str, Any]:
    srv = bare_server(log_dir)
    times: list[int] = []
    try:
        srv.start()
        await srv.wait_ready("/health")
        players = [await Peer.open(ws_url(srv.url, "/ws/turns"), 0, "player") for _ in TEAMS]
        try:
            for turn in range(1, args.turns + args.turn_warmup + 1):
                times.append(await _one_turn(players, turn, [[] for _ in players]))
        finally:
            await close_all(players)
        measured = times[args.turn_warmup :]
        print(f"  bare broadcast, 4 clients send 2 frames each → all 4 get 'results': {lat_line(measured)}")
        return {
            "p50_ms": pct(measured, 50) / MS,
            "p95_ms": pct(measured, 95) / MS,
            "p99_ms": pct(measured, 99) / MS,
            "n": len(measured),
        }
    finally:
        srv.stop()


async def bench_turns(args: argparse.Namespace, log_dir: Path, prof: Path | None) -> dict[str, Any]:
    print(f"\n== 2. turn round trip: 4 human seats, SQLite store, {args.turns} turns ==")
    bare = await turns_bare(args, log_dir)
    mine = await turns_precursor(args, log_dir, prof)
    ok = mine["p50_ms"] <= 15 and not mine["errors"]
    print(
        f"  goal p50 ≤ 15 ms: p50 {mine['p50_ms']:.2f} ms, p95 {mine['p95_ms']:.2f} ms (bare p50 "
        f"{bare['p50_ms']:.2f} ms, {ratio(mine['p50_ms'], bare['p50_ms'])}; the peer Python server needs "
        f"~72 ms for 7 players): {'MET' if ok else 'MISSED'}"
    )
    return {"precursor": mine, "bare": bare, "goal_met": ok}
