"""What every batch tool shares below the executors: the progress callback, the error that stops a batch
before it starts, and the process start method. Kept apart from simulate so that the executors, which
simulate itself uses, do not import it back."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

Progress = Callable[[int, int], None]


class SimulationError(ValueError):
    """A batch that cannot start: an unknown scenario, team or persona. The message names the fix."""


def pool_context() -> Any:
    """``fork`` where it exists (Linux): workers start in milliseconds and share the loaded rulebook's
    pages copy-on-write; elsewhere the platform default, with the rulebook loaded by the initializer."""
    if sys.platform.startswith("linux"):
        import multiprocessing  # here, not at the top: a batch played in one process never pays for it

        return multiprocessing.get_context("fork")
    return None
