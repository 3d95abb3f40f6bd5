"""Playing many games over one rulebook, in job order whatever the executor and its worker count.

The batch tools that reduce each game to a figure (``probe``, ``backtest``, and ``simulate`` on a chosen
executor) share this: games run in chunks with the cyclic collector paused, on an executor
(precursor/analysis/executor.py: this process, the forked process pool by default, or Dask), and results
come back in the order of the jobs, so a result never depends on the executor or on ``workers``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from precursor.analysis.batch import Progress
from precursor.analysis.executor import GameExecutor, PoolExecutor, SerialExecutor, current
from precursor.game.rulebook import Rulebook

J = TypeVar("J")
R = TypeVar("R")


def chunk_size(total: int, workers: int) -> int:
    """Games per task: enough to spread a task's round trip (queue, pickle, wake-up) over several games,
    few enough to balance the load over the workers; at most 25 (simulate._PAUSE_EVERY)."""
    return max(1, min(25, total // max(1, workers * 8)))


def map_games(
    rb: Rulebook,
    play: Callable[[Rulebook, J], R],
    jobs: Sequence[J],
    workers: int = 1,
    progress: Progress | None = None,
    executor: GameExecutor | None = None,
) -> list[R]:
    """``play(rb, job)`` for every job, in job order. ``play`` must be a module-level function (workers
    receive it by name). The executor is ``executor``, else the one an ``executor.using`` block chose,
    else this process (``workers`` 1) or a process pool of ``workers``."""
    total = len(jobs)
    if progress is not None:
        progress(0, total)
    ex = executor or current()
    if ex is None:
        ex = SerialExecutor() if workers <= 1 or total <= 1 else PoolExecutor(workers)
    source = ex.source_for(rb)
    size = chunk_size(total, ex.workers)
    chunks = [(source, jobs[i : i + size]) for i in range(0, total, size)]
    parts: dict[int, list[R]] = {}
    done = 0
    for i, part in ex.run(play, chunks, {source: rb}):
        parts[i] = part
        done += len(part)
        if progress is not None:
            progress(done, total)
    return [r for i in range(len(chunks)) for r in parts[i]]
