"""Playing many games over one rulebook in worker processes, in job order whatever the worker count.

The batch tools that reduce each game to a figure (``probe``, ``backtest``) share this: the rulebook is
handed to forked workers through a module global (copy-on-write, no pickling of compiled closures), games
run in chunks with the cyclic collector paused, and results come back in the order of the jobs, so a
result never depends on ``workers``. ``simulate`` keeps its own pool, whose chunks report progress and
records as they finish.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from precursor.analysis.runner import collector_paused
from precursor.analysis.simulate import Progress, pool_context
from precursor.game.rulebook import Rulebook

J = TypeVar("J")
R = TypeVar("R")

# the rulebook the forked workers inherit; set only while a pool runs
_WORKER_RB: Rulebook | None = None


def _chunk(play: Callable[[Rulebook, J], R], jobs: Sequence[J]) -> list[R]:
    rb = _WORKER_RB
    if rb is None:  # a platform without fork: the worker loads the shipped rules
        from precursor.game.rulebook import default_rulebook

        rb = default_rulebook()
    with collector_paused():
        return [play(rb, j) for j in jobs]


def map_games(
    rb: Rulebook,
    play: Callable[[Rulebook, J], R],
    jobs: Sequence[J],
    workers: int = 1,
    progress: Progress | None = None,
) -> list[R]:
    """``play(rb, job)`` for every job, in job order. ``play`` must be a module-level function (workers
    receive it by name)."""
    global _WORKER_RB
    total = len(jobs)
    if progress is not None:
        progress(0, total)
    size = max(1, min(25, total // max(1, workers * 8)))
    chunks = [jobs[i : i + size] for i in range(0, total, size)]
    out: list[R] = []
    _WORKER_RB = rb
    try:
        if workers <= 1 or total <= 1:
            parts = (_chunk(play, c) for c in chunks)
            for part in parts:
                out.extend(part)
                if progress is not None:
                    progress(len(out), total)
        else:
            with ProcessPoolExecutor(max_workers=workers, mp_context=pool_context()) as pool:
                for part in pool.map(_chunk, [play] * len(chunks), chunks):
                    out.extend(part)
                    if progress is not None:
                        progress(len(out), total)
    finally:
        _WORKER_RB = None
    return out
