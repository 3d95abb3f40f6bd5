"""``precursor serve`` under cProfile, switched on and off by signals: the benchmarks' profiling hook.

The benchmark (``bench_server.py --profile DIR``) starts the server through this wrapper instead of the
``precursor`` script, sends ``SIGUSR1`` when its measurement window opens and ``SIGUSR2`` when it
closes. So the profile holds only the load being measured: not the interpreter's start-up, not the game
creation and joins before it, not the shutdown. ``SIGUSR2`` writes the statistics to the file named by
``PRECURSOR_BENCH_PROFILE`` with ``.N`` appended for the N-th window, so the benchmark can read them while
the server keeps running.

cProfile says where CPU time goes, not why a message waited: latency tails come from whatever holds
the event loop for milliseconds at a time. So ``.N.stalls`` (JSON) adds, for the same window:

* ``gc``: the cyclic garbage collector's pauses per generation (they stop the whole loop), how many
  objects each freed (objects freed by the collector were garbage reference cycles) and the CPU time
  the thread used meanwhile (wall time well above it means the process was not running: preempted);
* ``lag``: how late a 2 ms ticker on the server's own loop woke up (the loop was blocked that long) and
  how much CPU the thread used meanwhile (busy: the loop was held by work; idle: the process was
  preempted, which no change to the server would help);
* the wall time of each call to a few suspects (the store's ``append``, the room's ``_run``,
  ``_fanout`` and ``attach``, the engine's ``handle``, ``views.view``), so a long stall can be pinned on
  one of them. For the Redis store ``append`` includes the wait for Redis (not blocking), for SQLite and
  memory it is all time the loop was held.

``PRECURSOR_BENCH_CPROFILE=0`` leaves cProfile off (its overhead roughly doubles the server's CPU per
call) and records only those. The wrapping is done here, at run time: the server itself carries no
profiling code.

Run: ``PRECURSOR_BENCH_PROFILE=/tmp/p.prof python bench/profiled_serve.py serve --port 8765 --store memory://``.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import functools
import gc
import inspect
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from harness.profiles import CPROFILE_ENV, PROFILE_ENV, WINDOW_CLOSE, WINDOW_OPEN, stalls_path, window_path

from precursor.cli import main
from precursor.game import engine, views
from server import hub, room
from server.stores import memory, redis, sqlite

#: (owner, attribute, label) of the calls whose every duration is recorded
SUSPECTS: list[tuple[Any, str, str]] = [
    (sqlite.SqliteStore, "append", "SqliteStore.append"),
    (memory.MemoryStore, "append", "MemoryStore.append"),
    (redis.RedisStore, "append", "RedisStore.append (incl. waiting for Redis)"),
    (room.GameRoom, "_run", "GameRoom._run"),
    (room.GameRoom, "_fanout", "GameRoom._fanout"),
    (room.GameRoom, "attach", "GameRoom.attach"),
    (engine.Game, "handle", "Game.handle"),
    (room, "view", "views.view (from room)"),
]
TICK = 0.002


class Recorder:
    """Durations recorded only while a window is open (between SIGUSR1 and SIGUSR2)."""

    def __init__(self) -> None:
        self.on = False
        self.calls: dict[str, list[float]] = {}
        self.gc: list[tuple[int, float, int, float]] = []  # generation, seconds, objects freed, CPU seconds
        self.lag: list[tuple[float, float, float]] = []  # lateness, CPU used, wall time of the sleep
        self._gc_start = self._gc_cpu = 0.0

    def clear(self) -> None:
        self.calls = {label: [] for _, _, label in SUSPECTS}
        self.gc, self.lag = [], []

    def wrap(self, fn: Callable[..., Any], label: str) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                t0 = time.perf_counter()
                try:
                    return await fn(*args, **kwargs)
                finally:
                    if self.on:
                        self.calls[label].append(time.perf_counter() - t0)

            return timed_async

        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                if self.on:
                    self.calls[label].append(time.perf_counter() - t0)

        return timed

    def gc_callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_start, self._gc_cpu = time.perf_counter(), time.thread_time()
        elif self.on:
            wall, cpu = time.perf_counter() - self._gc_start, time.thread_time() - self._gc_cpu
            self.gc.append((int(info["generation"]), wall, int(info["collected"]), cpu))

    async def ticker(self) -> None:
        """Lateness of a 2 ms sleep, and the CPU the loop's thread used meanwhile: a late wake-up with
        the CPU busy throughout is the loop held by work; with little CPU, the process was preempted
        (on a shared 2-core box that happens, and no change to the server would help)."""
        while True:
            t0, c0 = time.perf_counter(), time.thread_time()
            await asyncio.sleep(TICK)
            if self.on:
                wall = time.perf_counter() - t0
                self.lag.append((max(0.0, wall - TICK), time.thread_time() - c0, wall))

    def dump(self, path: str) -> None:
        with open(path, "w") as f:
            json.dump({"gc": self.gc, "lag": self.lag, "calls": self.calls}, f)


def run() -> int:
    out = os.environ.get(PROFILE_ENV, "serve.prof")
    assert room.view is views.view  # type: ignore[attr-defined]  # the room's own name, wrapped below
    rec = Recorder()
    rec.clear()
    for owner, attr, label in SUSPECTS:
        setattr(owner, attr, rec.wrap(getattr(owner, attr), label))
    gc.callbacks.append(rec.gc_callback)
    state: dict[str, Any] = {"prof": None, "n": 0, "ticker": None, "on": False}
    use_cprofile = os.environ.get(CPROFILE_ENV, "1") != "0"

    original_start = hub.Hub.start

    async def start_with_ticker(self: hub.Hub) -> None:
        await original_start(self)
        state["ticker"] = asyncio.get_running_loop().create_task(rec.ticker())

    hub.Hub.start = start_with_ticker  # type: ignore[method-assign]

    def start(signum: int, frame: FrameType | None) -> None:
        rec.clear()
        rec.on = True
        if use_cprofile:
            prof = cProfile.Profile()
            state["prof"] = prof
            prof.enable()

    def stop(signum: int, frame: FrameType | None) -> None:
        if not rec.on:
            return
        rec.on = False
        prof = state["prof"]
        state["n"] += 1
        n = state["n"]
        if isinstance(prof, cProfile.Profile):
            prof.disable()
            prof.dump_stats(window_path(out, n))
            state["prof"] = None
        stalls = stalls_path(window_path(out, n))
        rec.dump(f"{stalls}.tmp")
        os.replace(f"{stalls}.tmp", stalls)  # last and whole: the reader waits for this one

    signal.signal(WINDOW_OPEN, start)
    signal.signal(WINDOW_CLOSE, stop)
    with contextlib.suppress(KeyboardInterrupt):
        return main(sys.argv[1:])
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
