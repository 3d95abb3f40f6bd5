"""Soak: many clients on one server for minutes. Does its memory stay flat, and do turns stay quick?

``--clients`` websockets (default 1,000) in games of five: four players and the facilitator, who watches
the game and asks for a fresh view every 30 s. Every game is in negotiation; each player says something
on the plenary channel every ``--period`` seconds (default 10, jittered). Beside them, one probe game
plays whole turns (all four submit orders and mark ready, then wait for the results) every few seconds:
the turn round trip under load. The same round trip is measured on the idle server before the load
starts, and on the bare FastAPI broadcast server of ``bench/bare_broadcast.py`` (``turns_bare`` of the
server benchmark), so the figure can be read against what the machine gives.

The server's resident memory is printed before the games, with them loaded, with every client
connected (so a game's and a client's share can be read), then every 30 s. The goal is flat within 10 %
after the warm-up (the first sample). A loaded game keeps only the newest events of its log in memory
(``PRECURSOR_LOG_WINDOW``), but its state keeps each message for the views, so the growth is also given
per event.

Everything runs on 127.0.0.1 (the server as a child process, SQLite store in a temporary directory) and
stops by itself. Not part of the test suite.

Run: ``python bench/bench_soak.py`` (1,000 clients for 10 minutes, about 13 minutes in all), or scaled
down: ``python bench/bench_soak.py --clients 200 --minutes 1``. It stops by itself, whatever happens,
within the run's length plus a margin for setting up.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from harness.children import precursor_server
from harness.games import TEAMS, Seats, advance, advance_to_negotiation, make_games, scenario_turns
from harness.peers import Peer, close_all, gather_limited
from harness.processes import ROOT, raise_nofile
from harness.stats import MS, lat_line, pct
from server_bench.turn import _one_turn, choose_orders, turns_bare

SCENARIO = "tariffs-and-terror"  # the longest: the probe game runs the most turns before it ends
RSS_EVERY = 30.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=1000, help="websockets held open (games of 5)")
    ap.add_argument("--minutes", type=float, default=10.0, help="how long the load runs")
    ap.add_argument("--period", type=float, default=10.0, help="seconds between one player's messages")
    ap.add_argument("--probe-every", type=float, default=3.0, help="seconds between probe turns")
    ap.add_argument(
        "--baseline-turns",
        type=int,
        default=100,
        help="turns timed idle and on the bare server (p99 needs 100)",
    )
    ap.add_argument("--json", type=Path, help="also write the figures here")
    return ap.parse_args(argv)


class TurnProbe:
    """One game played turn after turn (a new one when it ends), each turn timed from the first order
    to the last player seeing the results."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.times: list[int] = []

    async def run(self, stop: asyncio.Event | None, turns_wanted: int | None, every: float) -> None:
        turns = await scenario_turns(self.base, SCENARIO)
        while (stop is None or not stop.is_set()) and (
            turns_wanted is None or len(self.times) < turns_wanted
        ):
            (g,) = await make_games(self.base, 1, [SCENARIO])
            players = [await Peer.open(g.url(self.base, g.tokens[t]), 0, "player") for t in TEAMS]
            fac = await Peer.open(g.url(self.base, g.facilitator), 0, "facilitator")
            try:
                await self._play(players, fac, turns, stop, turns_wanted, every)
            finally:
                await close_all([*players, fac])

    async def _play(
        self,
        players: list[Peer],
        fac: Peer,
        turns: int,
        stop: asyncio.Event | None,
        turns_wanted: int | None,
        every: float,
    ) -> None:
        await advance(fac, 1, "briefing")
        await advance(fac, 1, "negotiation")
        for turn in range(1, turns + 1):
            await asyncio.wait_for(asyncio.gather(*(p.phase_future(turn, "orders") for p in players)), 60)
            orders = [await choose_orders(p, t) for p, t in zip(players, TEAMS, strict=True)]
            self.times.append(await _one_turn(players, turn, orders))
            if (stop is not None and stop.is_set()) or (
                turns_wanted is not None and len(self.times) >= turns_wanted
            ):
                return
            if stop is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), every)
            if turn < turns:
                await advance(fac, turn, "results")
                await advance(fac, turn + 1, "briefing")
                await advance(fac, turn + 1, "negotiation")


async def chatter(p: Peer, period: float, stop: asyncio.Event) -> None:
    i = 0
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), random.uniform(0, period))
    while not stop.is_set():
        i += 1
        await p.post({"type": "message", "channel": "all", "text": f"soak {p.group} {i}"})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), period * random.uniform(0.5, 1.5))


async def watch(fac: Peer, stop: asyncio.Event) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), random.uniform(0, 30))
    while not stop.is_set():
        with contextlib.suppress(Exception):
            await fac.view(timeout=30)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 30)


async def seq_total(facs: list[Peer]) -> int:
    """Events in every soak game's log (the sequence number of a fresh view, summed)."""
    views = await gather_limited((f.view(timeout=60) for f in facs), 50)
    return sum(int(v.get("seq", 0)) for v in views)


async def soak(args: argparse.Namespace, log_dir: Path) -> dict[str, Any]:
    srv = precursor_server(f"sqlite:///{log_dir / 'soak.db'}", log_dir, None, "soak")
    srv.start()
    try:
        await srv.wait_ready("/api/health")
        idle = TurnProbe(srv.url)
        await idle.run(None, args.baseline_turns, 0.0)
        rss_base = srv.memory_mb()[0]
        n_games = max(1, args.clients // 5)
        games: list[Seats] = await make_games(srv.url, n_games, ["loose-talk"])
        await advance_to_negotiation(srv.url, games)
        rss_games = srv.memory_mb()[0]
        players = await gather_limited(
            (Peer.open(g.url(srv.url, g.tokens[t]), i, "player") for i, g in enumerate(games) for t in TEAMS),
            50,
        )
        facs = await gather_limited(
            (Peer.open(g.url(srv.url, g.facilitator), i, "fac") for i, g in enumerate(games)), 50
        )
        rss_start = srv.memory_mb()[0]
        print(
            f"  {len(players) + len(facs)} clients in {n_games} games (server RSS {rss_start:.1f} MB); load "
            f"for {args.minutes:g} min, RSS every {RSS_EVERY:g} s",
            flush=True,
        )
        print(
            f"  RSS {rss_base:.1f} MB before the games, {rss_games:.1f} MB with them loaded "
            f"({(rss_games - rss_base) * 1024 / n_games:.0f} KB a game), {rss_start:.1f} MB with every "
            f"client connected ({(rss_start - rss_games) * 1024 / max(1, len(players) + len(facs)):.1f} KB "
            "a client)",
            flush=True,
        )
        stop = asyncio.Event()
        tasks = [asyncio.create_task(chatter(p, args.period, stop)) for p in players]
        tasks += [asyncio.create_task(watch(f, stop)) for f in facs]
        loaded = TurnProbe(srv.url)
        probe = asyncio.create_task(loaded.run(stop, None, args.probe_every))
        rss: list[tuple[float, float, int]] = []
        start = time.monotonic()
        end = start + args.minutes * 60
        while True:
            wait = min(RSS_EVERY, end - time.monotonic())
            if wait > 0:
                await asyncio.sleep(wait)
            events = await seq_total(facs)
            mb = srv.memory_mb()[0]
            rss.append((time.monotonic() - start, mb, events))
            print(f"  t={rss[-1][0]:5.0f} s  RSS {mb:7.1f} MB  events in the soak games {events}", flush=True)
            if time.monotonic() >= end - 1:
                break
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(probe, 60)
        errors: dict[str, int] = {}
        for p in [*players, *facs]:
            for k, v in p.errors.items():
                errors[k] = errors.get(k, 0) + v
        acks = sum(p.acks for p in players)
        await close_all([*players, *facs])
        return {
            "idle": idle.times,
            "loaded": loaded.times,
            "rss": rss,
            "rss_start": rss_start,
            "rss_base": rss_base,
            "rss_games": rss_games,
            "games": n_games,
            "clients": len(players) + len(facs),
            "errors": errors,
            "acks": acks,
        }
    finally:
        srv.stop()


def report(result: dict[str, Any], bare: dict[str, Any]) -> dict[str, Any]:
    rss = result["rss"]
    (_, first, ev0), (_, last, ev1) = rss[0], rss[-1]
    peak = max(mb for _, mb, _ in rss)
    drift = (last - first) / first * 100
    per_event = (last - first) * 1024 / max(1, ev1 - ev0)
    print("\nSoak results")
    print(
        f"  RSS: start {result['rss_start']:.1f} MB (loaded, before the soak), after warm-up {first:.1f} MB, "
        f"end {last:.1f} MB, peak {peak:.1f} MB; drift {drift:+.1f} % (end against after warm-up)"
    )
    print(f"    {ev1 - ev0} events were logged meanwhile: {per_event:.2f} KB of RSS per event")
    print(f"    goal: flat within 10 % after warm-up: {'MET' if abs(drift) <= 10 else 'MISSED'}")
    idle, loaded = result["idle"], result["loaded"]
    print(f"  turn round trip (4 submit + ready → all 4 see 'results'), {SCENARIO}:")
    print(f"    precursor, idle server:   {lat_line(idle)}")
    if loaded:
        print(f"    precursor, under soak:    {lat_line(loaded)}")
    print(
        f"    bare FastAPI broadcast:   p50 {bare['p50_ms']:6.2f} ms  p95 {bare['p95_ms']:6.2f}  "
        f"p99 {bare['p99_ms']:6.2f}  (n={bare['n']}, idle)"
    )
    p99 = pct(loaded or idle, 99) / MS
    print(
        f"    p99 under soak {p99:.2f} ms = {p99 / bare['p99_ms']:.1f}× the bare server's; "
        f"p99 idle {pct(idle, 99) / MS:.2f} ms = {pct(idle, 99) / MS / bare['p99_ms']:.1f}×"
    )
    print(f"  acks {result['acks']}, error frames {result['errors'] or 0}, probe turns {len(loaded)}")
    return {
        "rss_base_mb": result["rss_base"],
        "rss_games_mb": result["rss_games"],
        "kb_per_game": (result["rss_games"] - result["rss_base"]) * 1024 / result["games"],
        "kb_per_client": (result["rss_start"] - result["rss_games"]) * 1024 / max(1, result["clients"]),
        "kb_per_event": per_event,
        "rss_start_mb": result["rss_start"],
        "rss_warm_mb": first,
        "rss_end_mb": last,
        "rss_peak_mb": peak,
        "rss_drift_pct": drift,
        "p99_soak_ms": p99,
        "p99_bare_ms": bare["p99_ms"],
        "errors": result["errors"],
    }


async def main(args: argparse.Namespace) -> None:
    raise_nofile()
    # the server runs this checkout, not whichever one the venv's ``precursor`` script was installed from
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    print(
        f"Soak: {args.clients} clients for {args.minutes:g} min on 127.0.0.1; "
        f"{len(os.sched_getaffinity(0))} cores, load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    # bounded whatever happens: set-up (games, joins, the idle turns) and the wind-down get a margin
    budget = args.minutes * 60 + 300 + args.clients * 0.2
    with tempfile.TemporaryDirectory(prefix="precursor-soak-") as tmp:
        log_dir = Path(tmp)
        async with asyncio.timeout(budget):
            result = await soak(args, log_dir)
            base = argparse.Namespace(turns=args.baseline_turns, turn_warmup=2)
            bare = await turns_bare(base, log_dir)
        figures = report(result, bare)
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
