"""Frames and memory, before and after, beside the bare baseline in one run.

Four figures, each read against the bare FastAPI/uvicorn broadcast server (``bench/bare_broadcast.py``)
measured in the same run, for two source trees: *before* (by default the ``integ`` branch, unpacked with
``git archive integ | tar -x -C /tmp/frames-base``) and *after* (this checkout):

1. turn round trip p50 (SQLite, 4 seats submit and ready at once → all 4 see ``results``), as a ratio of
   the bare server's, and the server's CPU per turn; *after* twice: clients speaking protocol 1 (the same
   frames as before) and 2 (one frame per command); every server up at once, taking turns;
2. fan-out: server CPU per delivery of a plenary chat message (memory store, games of 4), as a ratio of
   the bare server's; all servers measured in interleaved windows so a burst of other load hits each;
3. start to healthy: ``Popen`` → first 200 from the health check (empty SQLite store), as a ratio of the
   bare server's;
4. server memory per loaded game: tracemalloc over N games played a little (4 players joined, chatting,
   asking for views, 2 turns adjudicated) and then left by everyone, in one process per tree; beside it,
   the memory per game still watched (a socket per audience, 200 messages, a view asked by each).

Every server runs from its tree with ``python -m precursor.cli`` in that directory (the ``precursor``
script of the shared venv imports whichever checkout is installed, not necessarily the one measured).
The box is shared with other work: each figure is repeated (``--repeats``) and the medians printed.

Run: ``python bench/bench_frames.py`` (about 5 minutes), ``--repeats 1 --turns 10`` to scale down,
``--only start`` (or ``turn``, ``fanout``, ``mem``, comma-separated) for some of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import games
from harness.children import Child, bare_server
from harness.peers import Peer, close_all, ws_url
from harness.processes import ROOT, free_port, raise_nofile, serve_args
from harness.stats import pct
from harness.traffic import interleave, report_traffic
from server_bench import fanout, turn

Trees = dict[str, tuple[Path, int]]  # name -> (source tree, protocol version its clients speak)
SCENARIO = "tariffs-and-terror"  # the longest (10 turns)
GOALS = {"turn": 5.0, "cpu": 1.3, "start": 1.4, "mem_mb": 0.2}


class TreeChild(Child):
    """A child process started in a given source tree (its ``precursor`` package, not the installed one)."""

    def __init__(self, name: str, argv: list[str], port: int, log_dir: Path, root: Path, env: dict[str, str]):
        super().__init__(name, argv, port, log_dir, {**env, "PYTHONPATH": str(root)})
        self.root = root

    def start(self) -> None:
        self.log = self.log_path.open("wb")
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv,
            cwd=self.root,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self.env,
            preexec_fn=raise_nofile,
        )


def tree_server(root: Path, label: str, store: str, log_dir: Path) -> TreeChild:
    port = free_port()
    lifted = {f"PRECURSOR_{k}": "1000000" for k in ("JOIN_BURST", "CREATE_BURST", "MAX_PLAYERS_PER_TEAM")}
    argv = [sys.executable, "-m", "precursor.cli", *serve_args(port, store)]
    return TreeChild(f"precursor-{label}", argv, port, log_dir, root, lifted)


@contextlib.contextmanager
def speaking(root: Path, label: str, protocol: int) -> Any:
    """The benchmark modules' servers come from ``root`` and their clients ask for ``protocol``."""
    made = {"turn": turn.precursor_server, "fanout": fanout.precursor_server, "url": games.Seats.url}

    def server(store: str, log_dir: Path, _prof: Path | None, _label: str) -> Child:
        return tree_server(root, label, store, log_dir)

    def url(self: games.Seats, base: str, token: str) -> str:
        q = f"&protocol={protocol}" if protocol != 1 else ""
        return games.ws_url(base, f"/ws/games/{self.game_id}?token={token}{q}")

    turn.precursor_server = fanout.precursor_server = server  # type: ignore[assignment]
    games.Seats.url = url  # type: ignore[method-assign]
    try:
        yield
    finally:
        turn.precursor_server, fanout.precursor_server = made["turn"], made["fanout"]
        games.Seats.url = made["url"]  # type: ignore[method-assign]


def quiet(log: io.StringIO) -> contextlib.redirect_stdout[io.StringIO]:
    return contextlib.redirect_stdout(log)


# ---------------------------------------------------------------------- the four figures


class TurnRig:
    """One server with a game in play (4 seats and the facilitator), moved on one timed turn at a time so
    that the servers can take turns: on a shared box a burst of other load then hits each alike."""

    def __init__(self, name: str, child: Child, protocol: int, root: Path | None) -> None:
        self.name, self.child, self.protocol, self.root = name, child, protocol, root
        self.players: list[Peer] = []
        self.fac: Peer | None = None
        self.turn = 0
        self.turns = 0
        self.times: list[int] = []
        self.cpu = 0.0

    async def start(self) -> None:
        self.child.start()
        await self.child.wait_ready("/api/health" if self.root else "/health")
        if self.root is None:
            url = ws_url(self.child.url, "/ws/turns")
            self.players = [await Peer.open(url, 0, "player") for _ in games.TEAMS]

    async def _new_game(self) -> None:
        await close_all([*self.players, *([self.fac] if self.fac else [])])
        with speaking(self.root or ROOT, self.name, self.protocol):
            (g,) = await games.make_games(self.child.url, 1, [SCENARIO])
            self.players = [
                await Peer.open(g.url(self.child.url, g.tokens[t]), 0, "player") for t in games.TEAMS
            ]
            self.fac = await Peer.open(g.url(self.child.url, g.facilitator), 0, "facilitator")
        self.turns = await games.scenario_turns(self.child.url, SCENARIO)
        self.turn = 1
        await games.advance(self.fac, 1, "briefing")
        await games.advance(self.fac, 1, "negotiation")

    async def one(self, timed: bool) -> None:
        """One turn: all four submit (the cheapest lever) and ready at once → all four see results."""
        if self.root is None:
            self.turn += 1
            orders: list[list[dict[str, Any]]] = [[] for _ in self.players]
        else:
            if self.fac is None or self.turn >= self.turns:
                await self._new_game()
            else:
                assert self.fac is not None
                await games.advance(self.fac, self.turn, "results")
                self.turn += 1
                await games.advance(self.fac, self.turn, "briefing")
                await games.advance(self.fac, self.turn, "negotiation")
            futs = [p.phase_future(self.turn, "orders") for p in self.players]
            await asyncio.wait_for(asyncio.gather(*futs), 30)
            orders = [await turn.choose_orders(p, t) for p, t in zip(self.players, games.TEAMS, strict=True)]
        cpu0 = self.child.cpu_seconds()
        took = await turn._one_turn(self.players, self.turn, orders)
        if timed:
            self.times.append(took)
            self.cpu += self.child.cpu_seconds() - cpu0

    async def stop(self) -> None:
        await close_all([*self.players, *([self.fac] if self.fac else [])])
        self.child.stop()


async def turn_figures(args: argparse.Namespace, trees: Trees, log_dir: Path) -> dict[str, dict[str, float]]:
    """Every server up at once; each timed turn is taken by each server in turn (the order rotating):
    p50 in ms and server CPU per turn in ms."""
    rigs = [TurnRig("bare", bare_server(log_dir), 1, None)]
    for name, (root, protocol) in trees.items():
        store = f"sqlite:///{log_dir / ('turns-' + name.replace(' ', '-') + '.db')}"
        rigs.append(TurnRig(name, tree_server(root, name, store, log_dir), protocol, root))
    try:
        for rig in rigs:
            await rig.start()
        for i in range(2 + args.turns * args.repeats):
            for rig in rigs[i % len(rigs) :] + rigs[: i % len(rigs)]:
                await rig.one(timed=i >= 2)
    finally:
        for rig in rigs:
            await rig.stop()
    return {
        r.name: {"p50_ms": pct(r.times, 50) / 1e6, "cpu_ms": r.cpu / max(1, len(r.times)) * 1e3} for r in rigs
    }


async def fanout_figures(
    args: argparse.Namespace, trees: dict[str, tuple[Path, int]], log_dir: Path
) -> dict[str, list[float]]:
    """Every server set up at once, then ``repeats`` rounds of interleaved windows: µs of server CPU per
    delivery in each round."""
    sub = argparse.Namespace(games=args.games, duration=args.duration, rounds=1, warmup=1.0)
    per_round: dict[str, list[float]] = {}
    async with contextlib.AsyncExitStack() as stack:
        targets = [await fanout.fanout_bare(stack, sub, log_dir)]
        for name, (root, protocol) in trees.items():
            with speaking(root, name, protocol):
                t = await fanout.fanout_precursor(stack, "memory://", sub, log_dir, None)
            t.name = name
            targets.append(t)
        for t in targets:
            t.listen()
        for r in range(args.repeats):
            for t in targets:
                t.traffic.pop(args.rate, None)
                t.window.pop(args.rate, None)
            order = targets[r % len(targets) :] + targets[: r % len(targets)]
            await interleave(order, sub, [args.rate], "frames")
            for t in targets:
                got = report_traffic(f"{t.name}, round {r + 1}:", t, args.rate)
                if got["lost"] or got["errors"]:
                    print(f"  ! {t.name}: lost {got['lost']}, errors {got['errors']}")
                per_round.setdefault(t.name, []).append(got["server_us_per_delivery"])
    return per_round


async def startup_figures(
    args: argparse.Namespace, trees: dict[str, tuple[Path, int]], log_dir: Path
) -> dict[str, list[float]]:
    """Popen → first 200, each server in turn ``3 × repeats`` times (interleaved)."""
    times: dict[str, list[float]] = {}
    roots = {name: root for name, (root, _) in trees.items() if name != "after v2"}
    for i in range(3 * args.repeats):
        db = log_dir / f"start-{i}.db"
        made: list[tuple[str, Child, str]] = [("bare", bare_server(log_dir), "/health")]
        made += [
            (n, tree_server(r, n, f"sqlite:///{db}-{n}", log_dir), "/api/health") for n, r in roots.items()
        ]
        for name, child, path in made[i % len(made) :] + made[: i % len(made)]:  # the order rotates
            try:
                child.start()
                times.setdefault(name, []).append(await child.wait_ready(path))
            finally:
                child.stop()
    return times


def memory_figure(root: Path, n: int) -> tuple[float, float, float]:
    """(MB per loaded game, MB of the game alone, MB per watched game) from a probe process in ``root``."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    res = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--probe-memory", str(n)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    for line in res.stdout.splitlines():
        if line.startswith("probe "):
            _, per_game, alone, watched = line.split()
            return float(per_game), float(alone), float(watched)
    raise RuntimeError(f"memory probe in {root} failed: {res.stdout[-500:]} {res.stderr[-1500:]}")


# ---------------------------------------------------------------------- the memory probe (run in a tree)


async def probe_memory(n: int) -> None:
    """Runs inside the tree being measured: the real hub and rooms, an SQLite store, no sockets (the
    connections' writers are not started; their frames are dropped when they leave)."""
    import gc
    import tracemalloc

    from precursor.game.commands import Actor, Advance, SendMessage
    from precursor.game.engine import Game
    from precursor.game.rulebook import default_rulebook
    from precursor.protocol import CreateGame, JoinGame
    from server.hub import Hub
    from server.room import Connection
    from server.stores import open_store

    rb = default_rulebook()
    scenarios = sorted(rb.scenarios)

    def nothing(*_: Any) -> None:
        return None

    async def seated(hub: Hub, i: int) -> tuple[Any, Any, list[Connection]]:
        """A new game with the facilitator and one player a team attached, their frames dropped."""
        g = await hub.create(CreateGame(scenario=scenarios[i % len(scenarios)], seed=i))
        room = hub.rooms[g.game_id]
        conns = [Connection("facilitator", "facilitator", None, None, None, "f", 1 << 30, nothing, nothing)]
        for team in games.TEAMS:
            j = await hub.join(g.game_id, JoinGame(join_code=g.join_codes[team], name=f"{team}{i}"))
            conns.append(
                Connection(team, "player", team, j.seat, j.player_id, team, 1 << 30, nothing, nothing)
            )
        for c in conns:
            await room.attach(c, None)
        return g, room, conns

    async def play_a_little(hub: Hub, i: int) -> str:
        g, room, conns = await seated(hub, i)
        for c in conns[1:]:
            actor = Actor(role="player", team=c.team, seat=c.seat, name=c.name)  # type: ignore[arg-type]
            await room.execute(actor, SendMessage(channel="all", text=f"{c.team} is at the table"))
        fac = Actor(role="facilitator", name="f")
        for t, phases in ((1, ("briefing", "negotiation", "orders", "results")), (2, ("briefing",))):
            for phase in phases:
                await room.execute(fac, Advance(turn=t, phase=phase))
                for c in conns:
                    await room.snapshot(c, None)
        for c in conns:
            room.detach(c)
        return g.game_id

    async def watched_game(hub: Hub, i: int) -> None:
        """A game still watched, one socket per audience, after 200 messages on 'all' and a view asked
        by every socket; the frames are dropped, as once written."""
        _, room, conns = await seated(hub, i)
        fac = Actor(role="facilitator", name="f")
        for phase in ("briefing", "negotiation"):
            await room.execute(fac, Advance(turn=1, phase=phase))
        for k in range(200):
            c = conns[1 + k % 4]
            actor = Actor(role="player", team=c.team, seat=c.seat, name=c.name)  # type: ignore[arg-type]
            await room.execute(actor, SendMessage(channel="all", text=f"message {k}: a few words to read"))
            for c in conns:
                c.queue._items.clear()
        for c in conns:
            await room.snapshot(c, None)
            c.queue._items.clear()
            c.queued_bytes = 0

    with tempfile.TemporaryDirectory() as tmp:
        hub = Hub(rb, open_store(f"sqlite:///{tmp}/m.db"))
        await hub.store.open()
        await play_a_little(hub, 10**6)  # the rulebook's caches, made once per process
        gc.collect()
        tracemalloc.start()
        m0 = tracemalloc.get_traced_memory()[0]
        ids = [await play_a_little(hub, i) for i in range(n)]
        await asyncio.sleep(0.05)
        gc.collect()
        m1 = tracemalloc.get_traced_memory()[0]
        logs = [json.dumps(hub.rooms[g].game.log) for g in ids]
        gc.collect()
        m2 = tracemalloc.get_traced_memory()[0]
        replayed = [Game.replay(rb, json.loads(x)) for x in logs]
        gc.collect()
        m3 = tracemalloc.get_traced_memory()[0]
        del replayed, logs
        gc.collect()
        m4 = tracemalloc.get_traced_memory()[0]
        for _ in range(n):
            await watched_game(hub, 2 * 10**6 + len(hub.rooms))
        gc.collect()
        m5 = tracemalloc.get_traced_memory()[0]
        print(
            f"probe {(m1 - m0) / n / 1e6:.4f} {(m3 - m2) / n / 1e6:.4f} {(m5 - m4) / n / 1e6:.4f}", flush=True
        )
        await hub.close()
    os._exit(0)  # nothing left to flush; skip the interpreter's teardown


# ---------------------------------------------------------------------- the run


def _base(path: Path) -> Path:
    if not (path / "server" / "room.py").exists():
        path.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", "integ"], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(path)], input=archive.stdout, check=True)
    return path.resolve()


def _row(
    label: str, bare: float, before: float, after: float, unit: str, goal: float, extra: str = ""
) -> str:
    rb, ra = before / bare, after / bare
    return (
        f"  {label:<30} bare {bare:8.2f} {unit:<3} before {before:8.2f} ({rb:4.2f}×)  after {after:8.2f} "
        f"({ra:4.2f}×)  goal ≤ {goal:g}× bare: {'MET' if ra <= goal else 'MISSED'}{extra}"
    )


PARTS = ("turn", "fanout", "start", "mem")


async def _turn_part(
    args: argparse.Namespace, trees: Trees, log_dir: Path, log: io.StringIO
) -> dict[str, Any]:
    print(f"\n1. turn round trip, {args.turns * args.repeats} turns per server, the servers taking turns")
    with quiet(log):
        tf = await turn_figures(args, trees, log_dir)
    for k, v in tf.items():
        print(f"   {k}: p50 {v['p50_ms']:.2f} ms; server CPU {v['cpu_ms']:.1f} ms per turn", flush=True)
    return {
        "turn_p50_ms": {k: v["p50_ms"] for k, v in tf.items()},
        "turn_cpu_ms": {k: v["cpu_ms"] for k, v in tf.items()},
    }


async def _fanout_part(
    args: argparse.Namespace, trees: Trees, log_dir: Path, log: io.StringIO
) -> dict[str, Any]:
    print(
        f"\n2. fan-out, {args.games} games × 4 on each server, {args.rate:g} msgs/s on 'all' ...", flush=True
    )
    with quiet(log):
        cpu = await fanout_figures(args, trees, log_dir)
    for k, v in cpu.items():
        print(f"   {k}: {' / '.join(f'{x:.1f}' for x in v)} µs per delivery", flush=True)
    return {"cpu_us_per_delivery": {k: pct(v, 50) for k, v in cpu.items()}}


def _compile(trees: Trees) -> None:
    """Bytecode for every tree's own modules, as an installed server has (pip compiles on install): with
    ``PYTHONDONTWRITEBYTECODE`` set, each start would otherwise compile them again, while the baseline's
    FastAPI and uvicorn load compiled from site-packages."""
    for root, _ in set(trees.values()):
        for pkg in ("precursor", "server"):
            compileall.compile_dir(root / pkg, quiet=1)


async def _start_part(
    args: argparse.Namespace, trees: Trees, log_dir: Path, _log: io.StringIO
) -> dict[str, Any]:
    if args.compile:
        _compile(trees)
    how = "compiled first" if args.compile else "compiled by each start (--no-compile)"
    print(f"\n3. start to healthy, {3 * args.repeats} starts each; the trees' modules {how} ...", flush=True)
    starts = await startup_figures(args, trees, log_dir)
    for k, v in starts.items():
        print(f"   {k}: {' / '.join(f'{x:.2f}' for x in v)} s", flush=True)
    return {"start_s": {k: pct(v, 50) for k, v in starts.items()}}


def _mem_part(args: argparse.Namespace, base: Path) -> dict[str, Any]:
    print(f"\n4. memory per loaded game, {args.mem_games} games, tracemalloc ...", flush=True)
    mem: dict[str, list[tuple[float, float, float]]] = {}
    for name, root in (("before", base), ("after", ROOT)):
        mem[name] = [memory_figure(root, args.mem_games) for _ in range(args.repeats)]
        alone = pct([b for _, b, _ in mem[name]], 50)
        print(
            f"   {name}: {' / '.join(f'{a:.3f}' for a, _, _ in mem[name])} MB per loaded game (the game "
            f"alone, replayed: {alone:.3f} MB); watched, after 200 messages and a view per socket: "
            f"{' / '.join(f'{w:.3f}' for _, _, w in mem[name])} MB per game"
        )
    return {
        "mem_mb": {k: pct([a for a, _, _ in v], 50) for k, v in mem.items()},
        "watched_mb": {k: pct([w for _, _, w in v], 50) for k, v in mem.items()},
    }


def _summary(out: dict[str, Any], repeats: int) -> None:
    print(f"\nMedians of {repeats} repeats (the box is shared with other work: read the ratios):")
    if "turn_p50_ms" in out:
        t, tc = out["turn_p50_ms"], out["turn_cpu_ms"]
        print(_row("turn round trip p50 (v1)", t["bare"], t["before"], t["after v1"], "ms", GOALS["turn"]))
        print(_row("turn round trip p50 (v2)", t["bare"], t["before"], t["after v2"], "ms", GOALS["turn"]))
        print(
            f"  {'server CPU per turn':<30} bare {tc['bare']:8.2f} ms  before {tc['before']:8.2f}  after "
            f"{tc['after v1']:8.2f} (v1), {tc['after v2']:.2f} (v2)  (/proc, 10 ms ticks summed over turns)"
        )
    if "cpu_us_per_delivery" in out:
        c = out["cpu_us_per_delivery"]
        print(
            _row("fan-out CPU per delivery (v1)", c["bare"], c["before"], c["after v1"], "µs", GOALS["cpu"])
        )
        print(
            _row("fan-out CPU per delivery (v2)", c["bare"], c["before"], c["after v2"], "µs", GOALS["cpu"])
        )
    if "start_s" in out:
        s = out["start_s"]
        print(_row("start to healthy", s["bare"], s["before"], s["after v1"], "s", GOALS["start"]))
    if "mem_mb" in out:
        m = out["mem_mb"]
        ok = m["after"] <= GOALS["mem_mb"]
        print(
            f"  {'memory per loaded game':<30} before {m['before']:.3f} MB, after {m['after']:.3f} MB "
            f"(goal ≤ {GOALS['mem_mb']} MB: {'MET' if ok else 'MISSED'})"
        )
        w = out["watched_mb"]
        print(f"  {'memory per watched game':<30} before {w['before']:.3f} MB, after {w['after']:.3f} MB")


async def amain(args: argparse.Namespace) -> dict[str, Any]:
    base = _base(args.base)
    trees = {"before": (base, 1), "after v1": (ROOT, 1), "after v2": (ROOT, 2)}
    out: dict[str, Any] = {}
    log = io.StringIO()
    parts = {"turn": _turn_part, "fanout": _fanout_part, "start": _start_part}
    with tempfile.TemporaryDirectory(prefix="precursor-frames-") as tmp:
        for name, part in parts.items():
            if name in args.only:
                out.update(await part(args, trees, Path(tmp), log))
    if "mem" in args.only:
        out.update(_mem_part(args, base))
    _summary(out, args.repeats)
    if args.log:
        args.log.write_text(log.getvalue())
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", type=Path, default=Path("/tmp/frames-base"), help="the 'before' source tree")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--turns", type=int, default=20, help="turn round trips per server and repeat")
    ap.add_argument("--games", type=int, default=100, help="fan-out: games of 4 per server")
    ap.add_argument("--rate", type=float, default=400.0, help="fan-out: messages per second")
    ap.add_argument("--duration", type=float, default=4.0, help="fan-out: seconds per window")
    ap.add_argument("--mem-games", type=int, default=20)
    ap.add_argument(
        "--only",
        type=lambda v: set(v.split(",")),
        default=set(PARTS),
        help=f"a comma-separated subset of {','.join(PARTS)} (default: all four)",
    )
    ap.add_argument(
        "--no-compile",
        dest="compile",
        action="store_false",
        help="start to healthy: leave the trees' modules uncompiled (each start compiles them)",
    )
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--log", type=Path, help="write the benchmarks' detailed lines here")
    ap.add_argument("--probe-memory", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.probe_memory:
        asyncio.run(probe_memory(args.probe_memory))
        return
    raise_nofile()
    print(
        f"Frames and memory, before ({args.base}) and after ({ROOT}); {len(os.sched_getaffinity(0))} cores, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    import uvloop

    t0 = time.perf_counter()
    out = uvloop.run(amain(args))
    print(f"\ndone in {time.perf_counter() - t0:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
