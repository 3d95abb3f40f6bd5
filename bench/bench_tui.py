"""Textual client benchmarks: start-up to an interactive lobby, and a channel of 10,000 messages.

1. ``startup``: from ``Popen`` of a fresh Python process to the lobby's tables filled from the server
   (the process runs ``PrecursorApp`` headless under ``run_test`` and prints a line the moment the
   scenarios table has rows and the status says how many games there are). The figure includes the
   interpreter's start, every import and the REST round trips; the child also reports its own split
   (imports, then app start → lobby filled). Goal: under 1 s.
2. ``channel``: a US client (the real app, headless, in this process) is in a game while Mexico sends
   N messages (default 10,000) on the US–MX channel as fast as the server takes them:
   * ingest: time until the client's model holds all N, and the longest stall of this process's
     event loop meanwhile (a 5 ms ticker records how late it wakes: a long stall is a frozen UI);
   * open: the channel list → Enter on US–MX: time until the message log holds every line and the
     screen has been redrawn;
   * scroll: with the log focused, ``end``, then ``pageup`` × K, ``pagedown`` × K, ``home``/``end``:
     per key, the wall time of Pilot's ``press`` (which waits until the app is idle again, so it
     includes the key's handling and the repaint) and the CPU time this process spent on it. The
     same measured for a key nothing is bound to gives the harness's own overhead, reported alongside.
   The server runs as a child process (``precursor serve``, memory store, rate limit raised so one
   sender can send N messages quickly); the sender is a plain ``GameClient`` in this process.

3. ``results``: the results tab of a 16-turn game: a bot game of The Record (seed 1) played to the end of
   turn 16 in-process, every outcome the US saw (``views.events_for``) written into the client's
   ``ResultsLog`` the way the game screen adds them, in a headless app with a second tab; then per key
   the CPU time (``time.process_time``, this process) of ``pageup``/``pagedown``/``home``/``end`` on the
   log and of switching tabs and back. Goal: at most 50 ms of CPU per key. With ``--baseline DIR`` the
   same child script runs against another copy of the sources (e.g. ``git archive`` of an earlier
   commit) in the same run, side by side.

4. ``turn``: the CPU a student turn costs the client: the play-through's all-student game of a scenario
   (tests/client/test_tui_play_through.py, default the tutorial: 4 seats x 3 turns) played in one
   process, four real apps under Pilot on an embedded server, its CPU (``time.process_time``, the
   server's share included) divided by the student turns. Not run by default (a few minutes on a
   busy machine); with ``--baseline DIR`` the same game is played against the other copy too.

Run: ``python bench/bench_tui.py`` (about a minute), ``--only startup``, ``--messages 2000`` to scale
down, ``--starts 7`` for more start-up samples. Everything is on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from harness.processes import ROOT, ServerProcess
from harness.stats import at_fraction

sys.path.insert(0, str(ROOT))

STARTUP_CHILD = r"""
import sys, time
t0 = time.perf_counter()
import asyncio
from client_tui.app import PrecursorApp
from textual.widgets import DataTable, Static
t1 = time.perf_counter()

async def main(url):
    app = PrecursorApp(url)
    async with app.run_test(size=(100, 30)) as pilot:
        while True:
            try:
                table = app.screen.query_one("#scenarios", DataTable)
                status = str(app.screen.query_one("#lobby-status", Static).render())
                if table.row_count and "games" in status:
                    break
            except Exception:
                pass
            await asyncio.sleep(0.002)
        t2 = time.perf_counter()
        print(f"READY {t1 - t0:.4f} {t2 - t1:.4f}", flush=True)

asyncio.run(main(sys.argv[1]))
"""


RESULTS_CHILD = r"""
import asyncio, statistics, sys, time
from precursor.analysis.runner import play
from precursor.game.bots import BotDriver
from precursor.game.rulebook import default_rulebook
from precursor.game.views import events_for
from textual.app import App
from textual.widgets import Static, TabbedContent, TabPane
from client_tui.panes.results import ResultsLog
from client_tui.replay import turn_ends

TURNS, KEYS = 16, int(sys.argv[1])
rb = default_rulebook()
personas = dict(rb.scenarios["the-record"].model.personas)
g, _ = play(rb, "the-record", 1, None, bots=BotDriver(rb, personas, 1))
last = g.log[turn_ends(g.log)[TURNS] - 1]["seq"]  # the end of turn 16
events = [e for e in events_for(g, "us", since=0) if e["seq"] <= last]

class Bench(App[None]):
    # as the client does (client_tui/app.py): without it a tab switch also paid for the tab bar's
    # underline gliding, which the client never draws
    def on_mount(self):
        self.animation_level = "none"

    def compose(self):
        with TabbedContent(initial="res"):
            with TabPane("Results", id="res"):
                yield ResultsLog(rb, id="log")
            with TabPane("Other", id="other"):
                yield Static("another tab")

async def main():
    app = Bench()
    async with app.run_test(size=(120, 40)) as pilot:
        log = app.query_one("#log", ResultsLog)
        t0 = time.process_time()
        for e in events:
            log.add(int(e["seq"]), e)
        await pilot.pause()
        fill = time.process_time() - t0
        log.focus()
        await pilot.pause()
        tabs = app.query_one(TabbedContent)
        async def cpu(key):
            out = []
            for _ in range(KEYS):
                t = time.process_time()
                if key == "tab switch":
                    tabs.active = "other"; await pilot.pause(); tabs.active = "res"; await pilot.pause()
                else:
                    await pilot.press(key)
                out.append((time.process_time() - t) / (2 if key == "tab switch" else 1))
            return out
        res = {"end": await cpu("end")}
        for key in ("pageup", "pagedown", "home", "end", "tab switch", "f24"):
            res[key] = await cpu(key)
        lines = len(log.lines)
    print(f"RESULTS {len(events)} {lines} {fill:.4f} " + " ".join(
        f"{k.replace(' ', '_')}={statistics.median(v):.5f},{max(v):.5f}" for k, v in res.items()))

asyncio.run(main())
"""


TURN_CHILD = r"""
import os, sys, time
sys.path[:0] = [os.getcwd(), os.path.join("tests", "client"), os.path.join("tests", "support")]
import test_tui_play_through as pt
game = sys.argv[1]
c0 = time.process_time()
seats = pt.play_game(game)
cpu = time.process_time() - c0
print(f"TURN {pt.game_turns(game) * len(seats)} {cpu:.3f}")
"""


@contextlib.contextmanager
def tui_server(env: dict[str, str] | None = None) -> Iterator[ServerProcess]:
    """``precursor serve`` as a child process on a loopback port it picks itself, memory store."""
    server = ServerProcess("memory://", port=0, env=env)
    server.start(timeout=30)
    try:
        yield server
    finally:
        server.stop()


def ms(x: float) -> str:
    return f"{x * 1000:.0f} ms" if x >= 0.01 else f"{x * 1000:.1f} ms"


def bench_startup(starts: int) -> None:
    print(f"== startup: Popen → lobby tables filled ({starts} runs; goal < 1 s)")
    with tui_server() as srv, tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "start.py"
        script.write_text(STARTUP_CHILD)
        # one untimed run first: the figures are for a warm disk cache, as on a second start
        subprocess.run([sys.executable, str(script), srv.url], cwd=ROOT, capture_output=True, timeout=60)
        walls, imports, lobbies = [], [], []
        for _ in range(starts):
            t0 = time.perf_counter()
            proc = subprocess.Popen(
                [sys.executable, str(script), srv.url], cwd=ROOT, stdout=subprocess.PIPE, text=True
            )
            assert proc.stdout is not None
            line = proc.stdout.readline()
            walls.append(time.perf_counter() - t0)
            proc.wait(30)
            proc.stdout.close()
            _, imp, lobby = line.split()
            imports.append(float(imp))
            lobbies.append(float(lobby))
        print(
            f"   wall (interpreter + imports + lobby): median {ms(statistics.median(walls))}, "
            f"min {ms(min(walls))}, max {ms(max(walls))}"
        )
        print(
            f"   in the child: imports median {ms(statistics.median(imports))}; app start → lobby filled "
            f"median {ms(statistics.median(lobbies))}"
        )
        met = statistics.median(walls) <= 1.0
        print(f"   goal ≤ 1 s from start to the lobby: {'met' if met else 'NOT met'}")


async def bench_channel(n: int, keys: int) -> None:
    from textual.widgets import ListView, RichLog

    from client_tui.app import PrecursorApp
    from client_tui.game_screen import GameScreen
    from precursor.client import GameClient, LobbyClient

    print(f"== channel: {n:,} messages on US–MX")
    env = {"PRECURSOR_RATE_PER_SECOND": "1000000", "PRECURSOR_RATE_BURST": "1000000"}
    with tui_server(env) as srv:
        url = srv.url
        async with LobbyClient(url) as lobby:
            g = await lobby.create_game("tutorial", seed=1)
            us = await lobby.join(g.game_id, g.join_codes["us"], "Ana")
            mx_seat = await lobby.join(g.game_id, g.join_codes["mx"], "Luz")
        app = PrecursorApp(url, game_id=g.game_id, token=us.token)
        async with app.run_test(size=(120, 40)) as pilot:
            while not (isinstance(app.screen, GameScreen) and app.screen.model.connection == "connected"):
                await asyncio.sleep(0.01)
            gs = app.screen
            await pilot.press("3")  # channels tab, the team channel open: US–MX counts unread

            # ---- ingest, with a ticker measuring how late this loop wakes up
            lags: list[float] = []
            stop = asyncio.Event()

            async def ticker() -> None:
                loop = asyncio.get_running_loop()
                while not stop.is_set():
                    t = loop.time()
                    await asyncio.sleep(0.005)
                    lags.append(loop.time() - t - 0.005)

            tick = asyncio.create_task(ticker())
            t0 = time.perf_counter()
            cpu0 = time.process_time()
            async with GameClient(url, g.game_id, mx_seat.token) as mx:
                window = 200  # commands in flight
                sem = asyncio.Semaphore(window)

                async def one(i: int) -> None:
                    async with sem:
                        await mx.send(
                            {"type": "message", "channel": "us_mx", "text": f"message {i:05d} " * 3}
                        )

                await asyncio.gather(*(one(i) for i in range(n)))
                sent = time.perf_counter() - t0
                while len(gs.model.messages.get("us_mx", [])) < n:
                    await asyncio.sleep(0.01)
                ingest = time.perf_counter() - t0
            cpu = time.process_time() - cpu0
            stop.set()
            await tick
            reconnects = gs.client.reconnects if gs.client else 0
            print(
                f"   ingest: sent in {ms(sent)}, all {n:,} in the client's model after {ms(ingest)} "
                f"({n / ingest:,.0f} msg/s; this process's CPU {cpu:.2f} s, reconnects {reconnects})"
            )
            print(
                f"   event-loop stalls meanwhile: p50 {ms(statistics.median(lags))}, "
                f"p99 {ms(at_fraction(lags, 0.99))}, max {ms(max(lags))}"
            )

            # ---- open the channel
            chan_list = gs.query_one("#chan-list", ListView)
            log = gs.query_one("#messages", RichLog)
            chan_list.focus()
            chan_list.index = gs.channels.channel_ids.index("us_mx")
            await pilot.pause()
            t0 = time.perf_counter()
            cpu0 = time.process_time()
            await pilot.press("enter")
            while gs.model.active_channel != "us_mx" or len(log.lines) < min(n, 1):
                await asyncio.sleep(0.001)
            await pilot.pause()
            opened, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            print(
                f"   open the channel: {ms(opened)} until the log is drawn (CPU {ms(cpu)});"
                f" log lines {len(log.lines):,}, first shown: {log.lines[0].text.strip()[:32]!r}"
            )

            # ---- scroll, key by key (from the composer, shift+tab skips the log for the list)
            gs.set_focus(None)
            log.focus()
            await pilot.press("end")
            await pilot.pause()

            async def timed(key: str, times: int) -> tuple[list[float], list[float]]:
                walls, cpus = [], []
                for _ in range(times):
                    w0, c0 = time.perf_counter(), time.process_time()
                    await pilot.press(key)
                    walls.append(time.perf_counter() - w0)
                    cpus.append(time.process_time() - c0)
                return walls, cpus

            base_w, base_c = await timed("f12", keys)  # bound to nothing: the harness's own cost
            results = {}
            for key in ("pageup", "pagedown", "home", "end", "up", "down"):
                times = keys if key in ("pageup", "pagedown", "up", "down") else max(3, keys // 5)
                results[key] = await timed(key, times)
            top = log.scroll_offset.y
            print(f"   per key (median wall / median CPU), harness baseline f12: "
                  f"{ms(statistics.median(base_w))} / {ms(statistics.median(base_c))}")  # fmt: skip
            for key, (w, c) in results.items():
                print(
                    f"   {key:>8}: {ms(statistics.median(w))} / {ms(statistics.median(c))} "
                    f"(max wall {ms(max(w))}, {len(w)} presses)"
                )
            print(f"   scrolled range: {log.max_scroll_y:,} lines (offset after the presses: {top})")


def bench_results(keys: int, baseline: str | None) -> bool:
    """The results tab of a 16-turn game, for this checkout and, with ``baseline``, another copy of the
    sources; each in its own Python process. True if this checkout meets the 50 ms goal."""
    print(f"== results tab of a 16-turn game: CPU per key ({keys} presses each; goal ≤ 50 ms)")
    met = True
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "results.py"
        script.write_text(RESULTS_CHILD)
        trees = [("this checkout", str(ROOT))] + ([("baseline", baseline)] if baseline else [])
        for name, src in trees:
            env = {**os.environ, "PYTHONPATH": src, "PRECURSOR_PURE": "1"}
            out = subprocess.run(
                [sys.executable, str(script), str(keys)],
                cwd=src,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            line = next((x for x in out.stdout.splitlines() if x.startswith("RESULTS ")), None)
            if line is None:
                print(f"   {name}: failed\n{out.stderr[-2000:]}")
                met = False
                continue
            _, n, lines, fill, *figs = line.split()
            print(
                f"   {name} ({src}): {n} events, {lines} lines in the log, written in {ms(float(fill))} CPU"
            )
            worst = 0.0
            for fig in figs:
                key, vals = fig.split("=")
                med, top = (float(v) for v in vals.split(","))
                label = "unbound key (harness)" if key == "f24" else key.replace("_", " ")
                print(f"     {label:22} median {ms(med):>8}  max {ms(top):>8} CPU")
                if key != "f24":
                    worst = max(worst, med)
            ok = worst <= 0.050
            print(f"     worst median {ms(worst)}: goal ≤ 50 ms {'met' if ok else 'NOT met'}")
            if name == "this checkout":
                met = ok
    return met


def bench_turn(game: str, baseline: str | None) -> None:
    """CPU per student turn of one all-student game, for this checkout and, with ``baseline``, another
    copy of the sources; each in its own Python process."""
    print(f"== a student's turn: the play-through's game of {game}, CPU per student turn")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "turn.py"
        script.write_text(TURN_CHILD)
        trees = [("this checkout", str(ROOT))] + ([("baseline", baseline)] if baseline else [])
        for name, src in trees:
            env = {**os.environ, "PYTHONPATH": src}
            out = subprocess.run(
                [sys.executable, str(script), game],
                cwd=src,
                env=env,
                capture_output=True,
                text=True,
                timeout=3600,
            )
            line = next((x for x in out.stdout.splitlines() if x.startswith("TURN ")), None)
            if line is None:
                print(f"   {name}: failed\n{out.stderr[-2000:]}")
                continue
            _, turns, cpu = line.split()
            print(
                f"   {name} ({src}): {turns} student turns, CPU {float(cpu):.1f} s, "
                f"{float(cpu) / int(turns):.2f} s per student turn"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=["startup", "channel", "results", "turn"])
    ap.add_argument(
        "--game", default="tutorial", help="the scenario whose all-student game --only turn plays"
    )
    ap.add_argument("--baseline", help="another copy of the sources to time the results tab against")
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--messages", type=int, default=10_000)
    ap.add_argument("--keys", type=int, default=20, help="presses per scrolling key")
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    if args.only in (None, "startup"):
        bench_startup(args.starts)
    if args.only in (None, "channel"):
        asyncio.run(bench_channel(args.messages, args.keys))
    if args.only in (None, "results"):
        bench_results(args.keys, args.baseline)
    if args.only == "turn":
        bench_turn(args.game, args.baseline)


if __name__ == "__main__":
    main()
