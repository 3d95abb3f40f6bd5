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
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import pstats
import random
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
TEAMS = ("us", "mx", "cn", "ca")
MS = 1e6  # nanoseconds per millisecond
CPROFILE = ["1"]  # "0" with --stalls: the profiling wrapper records stalls only, no cProfile


def raise_nofile() -> None:
    """1,000 client sockets (and as many on the server side) need more descriptors than a default 1024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def pct(values: list[int] | list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of an unsorted list; NaN when empty."""
    if not values:
        return float("nan")
    s = sorted(values)
    return float(s[min(len(s) - 1, max(0, round(q / 100 * len(s) + 0.5) - 1))])


def lat_line(ns: list[int]) -> str:
    return (
        f"p50 {pct(ns, 50) / MS:6.2f} ms  p90 {pct(ns, 90) / MS:6.2f}  p99 {pct(ns, 99) / MS:6.2f}  "
        f"max {max(ns, default=0) / MS:6.1f}  (n={len(ns)})"
    )


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b > 0 else "n/a"


# ====================================================================== child processes


class Child:
    """One server process: started with ``Popen`` (descriptor limit raised), its output in a log file,
    readiness by polling an HTTP path, CPU and memory read from /proc, stopped with SIGTERM then SIGKILL."""

    def __init__(
        self, name: str, argv: list[str], port: int, log_dir: Path, env: dict[str, str] | None = None
    ):
        self.name, self.argv, self.port = name, argv, port
        self.log_path = log_dir / f"{name}-{port}.log"
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.ready_cpu = 0.0  # CPU seconds the process had used when it first answered
        self.profile: str | None = self.env.get("PRECURSOR_BENCH_PROFILE")
        self.windows = 0
        self.profiles: dict[str, list[Path]] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> None:
        self.log = self.log_path.open("wb")
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self.env,
            preexec_fn=raise_nofile,
        )

    async def wait_ready(self, path: str, timeout: float = 60.0) -> float:
        """Seconds from Popen to the first 200 on ``path``. Until the port accepts, it is probed with a
        bare ``connect`` every 2 ms (a refused loopback connect costs microseconds; a failing HTTP client
        call costs far more, and on 2 cores that CPU would be taken from the server being timed)."""
        deadline = time.perf_counter() + timeout
        async with httpx.AsyncClient(base_url=self.url, trust_env=False, timeout=5.0) as http:
            while time.perf_counter() < deadline:
                if self.proc is not None and self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: {self.log_tail()}")
                with socket.socket() as probe:
                    listening = probe.connect_ex(("127.0.0.1", self.port)) == 0
                if listening:
                    with contextlib.suppress(httpx.TransportError):
                        r = await http.get(path)
                        if r.status_code == 200:
                            self.ready_cpu = self.cpu_seconds()
                            return time.perf_counter() - self.started_at
                await asyncio.sleep(0.002)
        raise RuntimeError(f"{self.name} not ready after {timeout} s: {self.log_tail()}")

    def cpu_seconds(self) -> float:
        """User + system CPU of the process so far (from /proc/PID/stat, clock-tick resolution)."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def memory_mb(self) -> tuple[float, float]:
        """(VmRSS, VmHWM) in MB from /proc/PID/status."""
        out = {}
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    out[key] = int(value.split()[0]) / 1024
        return out["VmRSS"], out["VmHWM"]

    def profile_on(self) -> None:
        if self.profile:
            os.kill(self.pid, signal.SIGUSR1)

    async def profile_off(self, label: str) -> None:
        """Close the window's profile; it is kept under ``label`` for :meth:`print_profiles`."""
        if not self.profile:
            return
        self.windows += 1
        os.kill(self.pid, signal.SIGUSR2)
        path = Path(f"{self.profile}.{self.windows}")
        stalls = Path(f"{path}.stalls")
        for _ in range(500):
            if stalls.exists():
                break
            await asyncio.sleep(0.02)
        if stalls.exists():
            self.profiles.setdefault(label, []).append(path)

    def print_profiles(self) -> None:
        for label, paths in self.profiles.items():
            print_profile(paths, f"{self.name} {label}")

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        self.log.close()
        # anything the server logged at warning level or above during a benchmark is worth seeing
        lines = self.log_path.read_text(errors="replace").splitlines()
        bad = [x for x in lines if any(w in x for w in (" WARNING ", " ERROR ", "Traceback", "Exception"))]
        if bad:
            print(
                f"  ! {self.name} logged {len(bad)} warning/error lines ({self.log_path}); "
                f"first: {bad[0][:200]}"
            )


def serve_args(port: int, store: str) -> list[str]:
    return ["serve", "--port", str(port), "--store", store, "--log-level", "warning"]


def precursor_argv(port: int, store: str) -> list[str]:
    """``precursor serve`` (the installed script next to this interpreter, as a user would run it)."""
    script = Path(sys.executable).parent / "precursor"
    base = [str(script)] if script.exists() else [sys.executable, "-m", "precursor.cli"]
    return [*base, *serve_args(port, store)]


def precursor_server(store: str, log_dir: Path, profile_dir: Path | None, label: str) -> Child:
    port = free_port()
    if profile_dir is None:
        return Child("precursor", precursor_argv(port, store), port, log_dir)
    argv = [sys.executable, str(BENCH / "profiled_serve.py"), *serve_args(port, store)]
    env = {"PRECURSOR_BENCH_PROFILE": str(profile_dir / label), "PRECURSOR_BENCH_CPROFILE": CPROFILE[0]}
    return Child("precursor", argv, port, log_dir, env)


def bare_server(log_dir: Path, redis_url: str | None = None) -> Child:
    port = free_port()
    argv = [sys.executable, str(BENCH / "bare_broadcast.py"), "--port", str(port)]
    if redis_url:
        argv += ["--redis", redis_url]
    return Child("bare", argv, port, log_dir)


def print_profile(paths: list[Path], label: str, top: int = 22) -> None:
    """Where the server's time went in the windows (see bench/profiled_serve.py): the functions with
    the most own time and the project's functions by cumulative time (for coroutines: the time of their
    own steps, not the time they spent suspended), then what held the event loop and for how long."""
    print(f"\n  --- the server during '{label}' ({len(paths)} windows: {paths[0]} ...) ---")
    profiles = [str(p) for p in paths if p.exists()]
    if profiles:
        st = pstats.Stats(*profiles)
        total = max(st.total_tt, 1e-9)  # type: ignore[attr-defined]
        rows = []
        for (file, line, fn), (_cc, nc, tt, ct, _callers) in st.stats.items():  # type: ignore[attr-defined]
            rows.append((tt, ct, nc, f"{_short(file)}:{line}({fn})"))
        print(f"  cProfile: {total:.2f} s of CPU profiled; own time (tottime) top {top}:")
        for tt, _ct, nc, name in sorted(rows, reverse=True)[:top]:
            print(f"    {tt:7.3f} s {tt / total * 100:5.1f}%  {nc:>9} calls  {name}")
        print("  project functions by cumulative time:")
        mine = [r for r in rows if r[3].startswith(("server/", "precursor/"))]
        for _tt, ct, nc, name in sorted(mine, key=lambda r: -r[1])[:top]:
            print(f"    {ct:7.3f} s {ct / total * 100:5.1f}%  {nc:>9} calls  {name}")
    gcs: list[tuple[int, float, int, float]] = []
    lag: list[tuple[float, float, float]] = []
    calls: dict[str, list[float]] = {}
    for p in paths:
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(Path(f"{p}.stalls").read_text())
            gcs += [(int(g), float(t), int(n), float(c)) for g, t, n, c in data["gc"]]
            lag += [(float(a), float(b), float(c)) for a, b, c in data["lag"]]
            for k, v in data["calls"].items():
                calls.setdefault(k, []).extend(v)
    print("  what held the event loop (wall time of each call or pause; ms):")
    if lag:
        late = [x for x, _, _ in lag]
        big = [(x, cpu, wall) for x, cpu, wall in lag if x > 0.005]
        busy = [x for x, cpu, wall in big if cpu > 0.5 * wall]
        print(
            f"    loop lag (a 2 ms sleep woke late by): p50 {pct(late, 50) * 1e3:.2f}, "
            f"p99 {pct(late, 99) * 1e3:.2f}, max {max(late) * 1e3:.1f}; {len(big)} stalls over 5 ms "
            f"({sum(x for x, _, _ in big) * 1e3:.0f} ms): "
            f"{len(busy)} with the loop busy ({sum(busy) * 1e3:.0f} ms), {len(big) - len(busy)} preempted "
            f"(the thread used under half the CPU meanwhile)"
        )
    for g in (0, 1, 2):
        freed = [n for gg, _, n, _ in gcs if gg == g]
        cpu = [c for gg, _, _, c in gcs if gg == g]
        if freed:
            print(
                f"    gc generation {g}: {len(freed)} collections freed {sum(freed)} objects in cycles "
                f"(max {max(freed)} in one); CPU per collection p50 {pct(cpu, 50) * 1e3:.3f} ms, "
                f"max {max(cpu) * 1e3:.2f} ms"
            )
    rows2 = [(f"gc generation {g}", [t for gg, t, _, _ in gcs if gg == g]) for g in (0, 1, 2)]
    rows2 += sorted(calls.items())
    for name, ts in rows2:
        if ts:
            over = [t for t in ts if t > 0.005]
            print(
                f"    {name:<44} {len(ts):>6} × p50 {pct(ts, 50) * 1e3:6.3f}  p99 {pct(ts, 99) * 1e3:6.2f}  "
                f"max {max(ts) * 1e3:6.1f};  total {sum(ts) * 1e3:7.0f};  {len(over)} over 5 ms "
                f"({sum(over) * 1e3:.0f} ms)"
            )


def _short(file: str) -> str:
    for marker in ("/server/", "/precursor/", "/site-packages/", "/lib/python3"):
        if marker in file:
            rest = file.split(marker, 1)[1]
            return rest if marker in ("/site-packages/", "/lib/python3") else marker.strip("/") + "/" + rest
    return file


# ====================================================================== the client side


class Peer:
    """One websocket client: a reader task that timestamps each frame as it arrives and routes it (chat
    messages to a callback, phase events to per-(turn, phase) futures, acks/errors/views to the command
    that asked), and counts every error frame so refused commands cannot go unnoticed."""

    def __init__(self, ws: ClientConnection, group: int, role: str, welcome: dict[str, Any]) -> None:
        self.ws, self.group, self.role, self.welcome = ws, group, role, welcome
        self.pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.phases: dict[tuple[Any, Any], asyncio.Future[int]] = {}
        self.on_message: Callable[[Peer, dict[str, Any], int], None] | None = None
        self.errors: Counter[str] = Counter()
        self.acks = 0
        self.closed_code: int | None = None
        self._ids = itertools.count(1)
        self.task = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, url: str, group: int, role: str) -> Peer:
        ws = await connect(
            url,
            proxy=None,
            compression=None,
            max_size=2**24,
            open_timeout=60,
            ping_interval=None,
            close_timeout=2,
        )
        welcome = json.loads(await asyncio.wait_for(ws.recv(), 60))
        if welcome.get("type") != "welcome":
            await ws.close()
            raise RuntimeError(f"expected a welcome, got {str(welcome)[:200]}")
        return cls(ws, group, role, welcome)

    def phase_future(self, turn: Any, phase: Any) -> asyncio.Future[int]:
        fut = self.phases.get((turn, phase))
        if fut is None:
            fut = self.phases[(turn, phase)] = asyncio.get_running_loop().create_future()
        return fut

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                now = time.monotonic_ns()
                frame = json.loads(raw)
                t = frame.get("type")
                if t == "event":
                    ev = frame["event"]
                    et = ev.get("type")
                    if et == "message":
                        if self.on_message is not None:
                            self.on_message(self, ev, now)
                    elif et == "phase":
                        fut = self.phase_future(ev.get("turn"), ev.get("phase"))
                        if not fut.done():
                            fut.set_result(now)
                elif t in ("ack", "error", "view"):
                    if t == "ack":
                        self.acks += 1
                    elif t == "error":
                        self.errors[str(frame.get("code"))] += 1
                    fid = frame.get("id")
                    waiter = self.pending.pop(fid, None) if isinstance(fid, str) else None
                    if waiter is not None and not waiter.done():
                        waiter.set_result(frame)
        except ConnectionClosed as exc:
            self.closed_code = exc.rcvd.code if exc.rcvd is not None else None

    async def post(self, command: dict[str, Any]) -> asyncio.Future[dict[str, Any]]:
        """Send a command; the returned future gets its ack (or error) frame."""
        cid = f"c{next(self._ids)}"
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[cid] = fut
        await self.ws.send(json.dumps({"type": "command", "id": cid, "command": command}))
        return fut

    async def command(self, command: dict[str, Any], timeout: float = 30.0) -> dict[str, Any]:
        frame = await asyncio.wait_for(await self.post(command), timeout)
        if frame["type"] == "error":
            raise RuntimeError(f"{command.get('type')} refused: {frame.get('code')}: {frame.get('message')}")
        return frame

    async def view(self, timeout: float = 30.0) -> dict[str, Any]:
        cid = f"v{next(self._ids)}"
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[cid] = fut
        await self.ws.send(json.dumps({"type": "view", "id": cid}))
        return await asyncio.wait_for(fut, timeout)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(), 5)
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.task


async def gather_limited(coros: Iterable[Awaitable[Any]], limit: int) -> list[Any]:
    """``gather`` with at most ``limit`` in flight (1,000 handshakes at once only measure the backlog)."""
    sem = asyncio.Semaphore(limit)

    async def one(c: Awaitable[Any]) -> Any:
        async with sem:
            return await c

    return await asyncio.gather(*(one(c) for c in coros))


async def close_all(peers: list[Peer]) -> None:
    await gather_limited((p.close() for p in peers), 100)


def ws_url(base: str, path: str) -> str:
    return "ws" + base.removeprefix("http") + path


# ====================================================================== Precursor games over REST


@dataclass
class Seats:
    game_id: str
    facilitator: str
    tokens: dict[str, str]  # team -> player token
    extra: list[str] = field(default_factory=list)  # more tokens (the Redis benchmark's senders)

    def url(self, base: str, token: str) -> str:
        return ws_url(base, f"/ws/games/{self.game_id}?token={token}")


async def make_games(
    base: str, n: int, scenarios: list[str], *, extra_team: str | None = None, concurrency: int = 8
) -> list[Seats]:
    """Create ``n`` games (cycling ``scenarios``) and join one player per team (plus one more player
    on ``extra_team`` when asked), all over REST, as a lobby would."""
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=60, limits=limits) as http:

        async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            r = await http.post(path, json=body)
            if r.status_code != 201:
                raise RuntimeError(f"POST {path}: {r.status_code} {r.text[:300]}")
            data: dict[str, Any] = r.json()
            return data

        async def one(i: int) -> Seats:
            body = {"scenario": scenarios[i % len(scenarios)], "seed": i, "name": f"bench {i}"}
            created = await post("/api/games", body)
            gid, codes = created["game_id"], created["join_codes"]
            tokens = {}
            for team in TEAMS:
                joined = await post(
                    f"/api/games/{gid}/join", {"join_code": codes[team], "name": f"{team}{i}"}
                )
                tokens[team] = joined["token"]
            extra = []
            if extra_team:
                joined = await post(
                    f"/api/games/{gid}/join", {"join_code": codes[extra_team], "name": f"s{i}"}
                )
                extra.append(joined["token"])
            return Seats(gid, created["facilitator_token"], tokens, extra)

        out: list[Seats] = await gather_limited((one(i) for i in range(n)), concurrency)
        return out


async def scenario_turns(base: str, scenario: str) -> int:
    async with httpx.AsyncClient(base_url=base, trust_env=False) as http:
        return int(next(x["turns"] for x in (await http.get("/api/scenarios")).json() if x["id"] == scenario))


async def advance(fac: Peer, turn: int, phase: str) -> None:
    """One facilitator ``advance``, guarded by turn and phase as a double click would be."""
    await fac.command({"type": "advance", "turn": turn, "phase": phase})


async def advance_to_negotiation(base: str, games: list[Seats], concurrency: int = 16) -> None:
    async def one(g: Seats) -> None:
        fac = await Peer.open(g.url(base, g.facilitator), 0, "facilitator")
        try:
            await advance(fac, 1, "briefing")
        finally:
            await fac.close()

    await gather_limited((one(g) for g in games), concurrency)


# ====================================================================== chat traffic


class Traffic:
    """Chat messages of one target at one rate (all its windows pooled): who sent what when, who got
    it when."""

    def __init__(self) -> None:
        self.sent: dict[int, int] = {}  # message number -> send time (ns), measured messages only
        self.got: Counter[int] = Counter()
        self.lat: list[int] = []  # the measured recipients
        self.lat_local: list[int] = []  # the Redis benchmark's senders (same instance)

    def on_message(self, peer: Peer, ev: dict[str, Any], now: int) -> None:
        text = ev.get("text") or ""
        if not text.startswith("bench "):
            return
        _, mid_s, sent_s = text.split(" ", 2)
        mid = int(mid_s)
        if mid not in self.sent:
            return  # a warm-up message
        self.got[mid] += 1
        (self.lat_local if peer.role == "sender" else self.lat).append(now - int(sent_s))

    def missing(self, expect: int) -> tuple[int, int]:
        lost = sum(max(0, expect - self.got[m]) for m in self.sent)
        dup = sum(max(0, self.got[m] - expect) for m in self.sent)
        return lost, dup


@dataclass
class Window:
    """What the measurement windows cost: wall time, the servers' CPU, the load generator's CPU."""

    seconds: float = 0.0
    server_cpu: float = 0.0
    loadgen_cpu: float = 0.0
    box_cpu: float = 0.0  # every process on the machine, from /proc/stat
    p99s: list[float] = field(default_factory=list)  # each window's own p99 (ms): how steady it was


def _box_cpu() -> float:
    """CPU seconds the whole machine has spent busy (user, nice, system, irq, softirq, steal)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / os.sysconf("SC_CLK_TCK")


def _self_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


MESSAGE_IDS = itertools.count()  # unique over the whole run, so a late message can never be miscounted


@dataclass(eq=False)
class Target:
    """One server set-up under chat load: its processes, its connected clients, who sends, how many
    deliveries each message should make, and the traffic and cost of its windows per rate."""

    name: str
    servers: list[Child]
    peers: list[Peer]
    senders: list[Peer]
    expect: int
    traffic: dict[float, Traffic] = field(default_factory=dict)
    window: dict[float, Window] = field(default_factory=dict)
    current: Traffic | None = None

    def listen(self) -> None:
        for p in self.peers:
            p.on_message = self.on_message

    def on_message(self, peer: Peer, ev: dict[str, Any], now: int) -> None:
        if self.current is not None:
            self.current.on_message(peer, ev, now)


async def drive(target: Target, rate: float, warmup: float, duration: float, label: str) -> None:
    """One window: chat at ``rate`` messages per second round-robin over the target's senders
    (``warmup`` seconds first, not counted), wait until the measured messages have all arrived (or
    5 s), and add the window's wall time and CPU to the target's figures for this rate."""
    traffic = target.current = target.traffic.setdefault(rate, Traffic())
    win = target.window.setdefault(rate, Window())
    n_warm, n_total = int(rate * warmup), int(rate * (warmup + duration))
    senders = target.senders
    start = time.monotonic()
    t_open, me0, box0 = start, _self_cpu(), _box_cpu()
    cpu0 = [s.cpu_seconds() for s in target.servers]
    seen0 = len(traffic.lat)
    for i in range(n_total):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if i == n_warm:
            t_open, me0, box0 = time.monotonic(), _self_cpu(), _box_cpu()
            cpu0 = [s.cpu_seconds() for s in target.servers]
            seen0 = len(traffic.lat)
            for s in target.servers:
                s.profile_on()
        peer = senders[i % len(senders)]
        mid = next(MESSAGE_IDS)
        now = time.monotonic_ns()
        if i >= n_warm:
            traffic.sent[mid] = now
        await peer.ws.send(
            f'{{"type":"command","id":"m{mid}","command":{{"type":"message","channel":"all",'
            f'"text":"bench {mid} {now}"}}}}'
        )
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline and traffic.missing(target.expect)[0]:
        await asyncio.sleep(0.01)
    win.seconds += time.monotonic() - t_open
    win.server_cpu += sum(s.cpu_seconds() for s in target.servers) - sum(cpu0)
    win.loadgen_cpu += _self_cpu() - me0
    win.box_cpu += _box_cpu() - box0
    win.p99s.append(pct(traffic.lat[seen0:], 99) / MS)
    for s in target.servers:
        await s.profile_off(label)
    target.current = None


async def interleave(targets: list[Target], args: argparse.Namespace, rates: list[float], label: str) -> None:
    """Measure every target at every rate in ``args.rounds`` short windows each, taking turns (the order
    rotates every round): on a shared, noisy machine a burst of someone else's load then hits every
    target alike instead of spoiling one of them."""
    per = args.duration / args.rounds
    for rate in rates:
        for r in range(args.rounds):
            order = targets[r % len(targets) :] + targets[: r % len(targets)]
            for t in order:
                await drive(t, rate, args.warmup, per, f"{label}-{rate:g}")


def report_traffic(label: str, target: Target, rate: float) -> dict[str, Any]:
    traffic, win, peers = target.traffic[rate], target.window[rate], target.peers
    lost, dup = traffic.missing(target.expect)
    deliveries = len(traffic.lat) + len(traffic.lat_local)
    errors: Counter[str] = Counter()
    for p in peers:
        errors.update(p.errors)
    closed = sum(1 for p in peers if p.task.done())
    per_delivery = win.server_cpu / deliveries * 1e6 if deliveries else float("nan")
    n = len(target.servers)
    print(f"  {label}")
    print(f"    latency       {lat_line(traffic.lat)}")
    if traffic.lat_local:
        print(f"    same-instance {lat_line(traffic.lat_local)}")
    print(
        f"    {len(traffic.sent)} messages, {deliveries} deliveries in {win.seconds:.1f} s = "
        f"{deliveries / win.seconds:,.0f} deliveries/s; lost {lost}, duplicated {dup}, "
        f"error frames {dict(errors) or 0}, connections dropped {closed}"
    )
    other = max(0.0, win.box_cpu - win.server_cpu - win.loadgen_cpu)
    print(
        f"    server CPU {win.server_cpu / win.seconds * 100:5.1f}% of a core ({n} process"
        f"{'es' if n > 1 else ''}), {per_delivery:.1f} µs per delivery; load generator "
        f"{win.loadgen_cpu / win.seconds * 100:5.1f}%; everything else on the box "
        f"{other / win.seconds * 100:5.1f}%"
    )
    if len(win.p99s) > 1:
        print(f"    p99 of each window: {' / '.join(f'{x:.2f}' for x in win.p99s)} ms")
    return {
        "p50_ms": pct(traffic.lat, 50) / MS,
        "p90_ms": pct(traffic.lat, 90) / MS,
        "p99_ms": pct(traffic.lat, 99) / MS,
        "max_ms": max(traffic.lat, default=0) / MS,
        "local_p50_ms": pct(traffic.lat_local, 50) / MS if traffic.lat_local else None,
        "local_p99_ms": pct(traffic.lat_local, 99) / MS if traffic.lat_local else None,
        "messages": len(traffic.sent),
        "deliveries": deliveries,
        "deliveries_per_s": deliveries / win.seconds,
        "lost": lost,
        "duplicated": dup,
        "errors": dict(errors),
        "dropped": closed,
        "server_cpu_pct": win.server_cpu / win.seconds * 100,
        "server_us_per_delivery": per_delivery,
        "loadgen_cpu_pct": win.loadgen_cpu / win.seconds * 100,
        "other_cpu_pct": other / win.seconds * 100,
        "window_p99_ms": win.p99s,
    }


# ====================================================================== 1. fan-out


async def fanout_precursor(
    stack: contextlib.AsyncExitStack, store: str, args: argparse.Namespace, log_dir: Path, prof: Path | None
) -> Target:
    kind = store.split(":", 1)[0]
    srv = precursor_server(store, log_dir, prof, f"fanout-{kind}")
    stack.callback(srv.stop)
    srv.start()
    await srv.wait_ready("/api/health")
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
    stack.callback(srv.stop)
    srv.start()
    await srv.wait_ready("/health")
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


# ====================================================================== 2. turn round trip


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
        return {"p50_ms": pct(measured, 50) / MS, "p95_ms": pct(measured, 95) / MS}
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


# ====================================================================== 3. start-up and memory


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


# ====================================================================== 4. two instances on Redis


async def redis_precursor(
    stack: contextlib.AsyncExitStack, url: str, args: argparse.Namespace, log_dir: Path, prof: Path | None
) -> Target:
    a = precursor_server(url, log_dir, prof, "redis-A")
    b = precursor_server(url, log_dir, prof, "redis-B")
    a.name, b.name = "precursor-A", "precursor-B"
    stack.callback(a.stop)
    stack.callback(b.stop)
    a.start()
    b.start()
    await asyncio.gather(a.wait_ready("/api/health"), b.wait_ready("/api/health"))
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
    stack.callback(a.stop)
    stack.callback(b.stop)
    a.start()
    b.start()
    await asyncio.gather(a.wait_ready("/health"), b.wait_ready("/health"))
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


# ====================================================================== main


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
