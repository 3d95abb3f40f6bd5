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

            # ---- scroll, key by key
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=["startup", "channel"])
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--messages", type=int, default=10_000)
    ap.add_argument("--keys", type=int, default=20, help="presses per scrolling key")
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    if args.only in (None, "startup"):
        bench_startup(args.starts)
    if args.only in (None, "channel"):
        asyncio.run(bench_channel(args.messages, args.keys))


if __name__ == "__main__":
    main()
