"""Scale: a server's memory with many stored games and few active ones; the time to take over a dead one.

``rss``: ``--games`` games (default 2,000) are created through one server on an SQLite store, which is
then stopped and started again, as a class server is between terms; ``--active`` of them (default 100)
are then played: one player each, connected and saying something every second. The server's resident
memory (VmRSS) is read when it has started, once the active games have played for ``--seconds``, and its
``games_loaded``. ``--root`` runs the server from another source tree (an export of an older commit, for
the figures before), the clients always from this one.

``takeover``: two servers on one Redis (a ``redis-server`` of its own, on a unix socket in a temporary
directory), ``--leased`` games with a running phase clock; the server holding their leases is killed
with SIGKILL, and the time until the other holds them all (its ``games_led``) is taken, ``--kills``
times, killing whichever holds them and starting it again each round.

Everything runs on 127.0.0.1 and stops by itself. Not part of the test suite.

Run: ``python bench/bench_scale.py rss [--root /tmp/base]`` and ``python bench/bench_scale.py takeover``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness.processes import free_port, raise_nofile, stop_process

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "support")]

from precursor.client import GameClient, LobbyClient  # noqa: E402

#: generous limits: the bench creates and joins far faster than a class would
LIMITS = {
    "PRECURSOR_CREATE_PER_MINUTE": "1000000",
    "PRECURSOR_CREATE_BURST": "100000",
    "PRECURSOR_JOIN_PER_MINUTE": "1000000",
    "PRECURSOR_JOIN_BURST": "100000",
}


class Server:
    """``precursor serve`` from a source tree, its output to a file (nobody reads a pipe here)."""

    def __init__(self, store: str, root: Path, log: Path, env: dict[str, str] | None = None) -> None:
        self.store, self.root, self.log = store, root, log
        self.env = {**os.environ, **LIMITS, "PYTHONPATH": str(root), **(env or {})}
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        args = [
            sys.executable,
            "-m",
            "precursor.cli",
            "serve",
            "--port",
            str(self.port),
            "--store",
            self.store,
        ]
        seen = self.log.stat().st_size if self.log.exists() else 0  # a restart appends to the same log
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(args, cwd=self.root, env=self.env, stdout=out, stderr=out)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if f"serving on http://127.0.0.1:{self.port}" in self.log.read_bytes()[seen:].decode(
                errors="replace"
            ):
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()[-2000:]}")
            time.sleep(0.05)
        raise RuntimeError("the server did not start")

    def rss_mb(self) -> float:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc, grace=60)
            self.proc = None


async def health(url: str) -> dict[str, Any]:
    async with LobbyClient(url, timeout=10) as lobby:
        return dict(await lobby.health())


async def settle(url: str, quiet: float = 3.0, most: float = 120.0) -> int:
    """``games_loaded`` once it stops changing (the start-up loader works in the background)."""
    last, since, end = -1, time.monotonic(), time.monotonic() + most
    while time.monotonic() < end:
        n = int((await health(url))["games_loaded"])
        if n != last:
            last, since = n, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
        await asyncio.sleep(0.2)
    return last


async def create_games(url: str, n: int, **kw: Any) -> list[Any]:
    sem = asyncio.Semaphore(8)
    async with LobbyClient(url, timeout=30) as lobby:

        async def one(i: int) -> Any:
            async with sem:
                return await lobby.create_game("tutorial", seed=i, name=f"bench {i}", **kw)

        return list(await asyncio.gather(*(one(i) for i in range(n))))


async def play(url: str, games: list[Any], seconds: float) -> int:
    """One player per game, connected and saying something every second; the messages acknowledged."""
    async with LobbyClient(url, timeout=30) as lobby:
        tokens = [(await lobby.join(g.game_id, g.join_codes["us"], "bench")).token for g in games]
    clients = [GameClient(url, g.game_id, t) for g, t in zip(games, tokens, strict=True)]
    await asyncio.gather(*(c.start() for c in clients))
    sent = 0
    end = time.monotonic() + seconds

    async def talk(c: GameClient, i: int) -> None:
        nonlocal sent
        await asyncio.sleep(i % 10 / 10)
        while time.monotonic() < end:
            await c.send({"type": "message", "channel": "all", "text": f"move {sent}"}, timeout=10)
            sent += 1
            await asyncio.sleep(1.0)

    try:
        await asyncio.gather(*(talk(c, i) for i, c in enumerate(clients)))
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    return sent


async def rss(args: argparse.Namespace) -> None:
    root = Path(args.root).resolve() if args.root else ROOT
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        store = f"sqlite:///{Path(tmp) / 'games.db'}"
        log = Path(tmp) / "server.log"
        srv = Server(store, root, log)
        srv.start()
        t0 = time.monotonic()
        games = await create_games(srv.url, args.games)
        made = time.monotonic() - t0
        print(f"created {len(games)} games in {made:.1f} s; rss {srv.rss_mb():.0f} MB", flush=True)
        srv.stop()
        srv.start()
        loaded = await settle(srv.url)
        at_start = srv.rss_mb()
        print(f"restarted: games_loaded {loaded}, rss {at_start:.0f} MB", flush=True)
        sent = await play(srv.url, games[: args.active], args.seconds)
        h = await health(srv.url)
        active = srv.rss_mb()
        print(
            f"{args.active} active games for {args.seconds:.0f} s ({sent} moves): "
            f"games_loaded {h['games_loaded']}, rss {active:.0f} MB",
            flush=True,
        )
        srv.stop()
    print(
        f"server from {root}: stored {args.games}, at start {at_start:.0f} MB, "
        f"with {args.active} active {active:.0f} MB"
    )


async def takeover(args: argparse.Namespace) -> None:
    from redis_server import RedisServer

    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp, RedisServer(Path(tmp) / "redis") as rs:
        env = {"PRECURSOR_LEASE_TTL_SECONDS": str(args.ttl)}
        servers = [Server(rs.url, ROOT, Path(tmp) / f"server-{i}.log", env) for i in range(2)]
        for s in servers:
            s.start()
        games = await create_games(servers[0].url, args.leased, deadlines={"negotiation": 3600})
        for g in games:  # begin negotiation: its clock runs for an hour, so the lease is needed
            async with GameClient(servers[0].url, g.game_id, g.facilitator_token) as fac:
                await fac.next_frame()
                await fac.send({"type": "advance", "turn": 1, "phase": "briefing"})
        times = []
        for k in range(args.kills):
            led = [int((await health(s.url))["games_led"]) for s in servers]
            holder = led.index(max(led))
            other = servers[1 - holder]
            servers[holder].kill()
            t0 = time.monotonic()
            while int((await health(other.url))["games_led"]) < args.leased:
                if time.monotonic() - t0 > 10 * args.ttl:
                    raise RuntimeError("no takeover")
                await asyncio.sleep(0.05)
            times.append(time.monotonic() - t0)
            print(f"kill {k + 1}: {led[holder]} games taken over in {times[-1]:.2f} s", flush=True)
            servers[holder].start()
            await asyncio.sleep(args.ttl)  # the restarted one settles (it holds nothing)
        for s in servers:
            s.stop()
    print(
        f"takeover of {args.leased} games, lease {args.ttl} s, {len(times)} kills: median "
        f"{statistics.median(times):.2f} s, min {min(times):.2f} s, max {max(times):.2f} s"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    r = sub.add_parser("rss", help="memory with many stored games, few active")
    r.add_argument("--games", type=int, default=2000)
    r.add_argument("--active", type=int, default=100)
    r.add_argument("--seconds", type=float, default=20.0)
    r.add_argument("--root", help="the source tree to run the server from (default: this one)")
    t = sub.add_parser("takeover", help="time for a second server to take over a killed one's games")
    t.add_argument("--leased", type=int, default=20)
    t.add_argument("--kills", type=int, default=5)
    t.add_argument("--ttl", type=float, default=5.0)
    args = ap.parse_args()
    raise_nofile()
    asyncio.run(rss(args) if args.what == "rss" else takeover(args))


if __name__ == "__main__":
    main()
