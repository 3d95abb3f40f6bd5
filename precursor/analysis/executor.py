"""Where the batch tools' games run: in this process, in a local process pool, or on a Dask cluster.

Every batch tool reduces to the same shape: chunks of games, each chunk played over one rulebook, results
handed back as chunks finish. An executor runs such chunks; the tools stay the same whichever one does.

- ``SerialExecutor``: this process, in order (one worker, tests, debugging).
- ``PoolExecutor``: forked worker processes on this machine, the default. The rulebooks the caller has
  already loaded reach the workers through a module global that ``fork`` copies (no pickling of the
  compiled closures, pages shared copy-on-write).
- ``DaskExecutor``: Dask distributed, a ``LocalCluster`` of worker processes or the scheduler of an
  existing cluster (``--scheduler ADDRESS``). A Dask worker may be on another machine, so it cannot
  inherit anything: it gets a ``RuleSource`` (the rule files to load) and loads each rulebook once per
  process, checking that what it loaded is what the caller loaded (``identity``): a worker whose files
  differ fails loudly instead of playing other rules.

Dask is imported only when a ``DaskExecutor`` starts, so the other commands do not pay for it.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from precursor.analysis.batch import SimulationError
from precursor.analysis.runner import collector_paused

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

J = TypeVar("J")
R = TypeVar("R")


class ExecutorError(SimulationError):
    """An executor that cannot play the games as asked: a worker whose rules differ from the caller's."""


# ---------------------------------------------------------------------- which rules a chunk is played on


def identity(rb: Rulebook) -> str:
    """What a rulebook says: the rules' fingerprint and every scenario's. Two loads with the same
    identity play the same games."""
    from precursor.game.provenance import fingerprint

    return fingerprint([rb.fingerprint, sorted((k, sc.fingerprint) for k, sc in rb.scenarios.items())])


@dataclass(frozen=True, slots=True)
class RuleSource:
    """How to load a rulebook anywhere: the rule and scenario files laid over the shipped ones (as
    ``--rules`` and ``--scenarios`` do), and the identity the load must have."""

    rules: tuple[str, ...] = ()
    scenarios: tuple[str, ...] = ()
    identity: str = ""

    @classmethod
    def of(
        cls, rb: Rulebook, rules: Sequence[Path | str] = (), scenarios: Sequence[Path | str] = ()
    ) -> RuleSource:
        # absolute: a worker's working directory is not the caller's
        return cls(
            tuple(str(Path(p).resolve()) for p in rules),
            tuple(str(Path(p).resolve()) for p in scenarios),
            identity(rb),
        )

    def load(self) -> Rulebook:
        from precursor.game.rulebook import overlay

        return overlay([Path(p) for p in self.rules], [Path(p) for p in self.scenarios])


# The rulebooks of this process by source: filled by the parent before a fork pool starts (the children
# inherit them), or by a Dask worker as it first meets a source. Never mutated after load.
_RULEBOOKS: dict[RuleSource, Rulebook] = {}


def rulebook_for(source: RuleSource) -> Rulebook:
    """The source's rulebook, loaded at most once per process."""
    rb = _RULEBOOKS.get(source)
    if rb is None:
        rb = source.load()
        if source.identity and identity(rb) != source.identity:
            files = list(source.rules + source.scenarios) or "shipped with precursor"
            raise ExecutorError(
                f"a worker loaded other rules than the caller ({identity(rb)} instead of {source.identity}):"
                f" the files {files} differ on the worker's machine, or its precursor is another version"
            )
        _RULEBOOKS[source] = rb
        # as default_rulebook does: the collector need not walk a rulebook that lives as long as the worker
        gc.collect()
        gc.freeze()
    return rb


def run_chunk(play: Callable[[Rulebook, J], R], source: RuleSource, jobs: Sequence[J]) -> list[R]:
    """A task: ``play`` every job of a chunk over the source's rulebook, the collector paused over the
    chunk (see simulate._PAUSE_EVERY). Module-level, so pools and Dask send it by name."""
    rb = rulebook_for(source)
    with collector_paused():
        return [play(rb, j) for j in jobs]


Chunk = tuple[RuleSource, Sequence[J]]
Loaded = Mapping[RuleSource, "Rulebook"]


class GameExecutor(Protocol):
    """Runs chunks of games and yields ``(chunk index, results)`` as chunks finish, in any order.

    ``local`` holds the rulebooks the caller has already loaded, by source: an executor in this process
    or a forked pool uses them as they are; one whose workers start elsewhere loads the source instead.
    """

    workers: int

    def source_for(self, rb: Rulebook) -> RuleSource: ...

    def run(
        self, play: Callable[[Rulebook, J], R], chunks: Sequence[Chunk[J]], local: Loaded
    ) -> Iterator[tuple[int, list[R]]]: ...


class SerialExecutor:
    """This process, chunk after chunk."""

    workers = 1

    def source_for(self, rb: Rulebook) -> RuleSource:
        return RuleSource(identity=identity(rb))

    def run(
        self, play: Callable[[Rulebook, J], R], chunks: Sequence[Chunk[J]], local: Loaded
    ) -> Iterator[tuple[int, list[R]]]:
        for i, (source, jobs) in enumerate(chunks):
            rb = local.get(source) or rulebook_for(source)
            with collector_paused():
                out = [play(rb, j) for j in jobs]
            yield i, out


class PoolExecutor:
    """A process pool of ``workers`` processes, started for each ``run`` (forked on Linux: milliseconds)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def source_for(self, rb: Rulebook) -> RuleSource:
        return RuleSource(identity=identity(rb))

    def run(
        self, play: Callable[[Rulebook, J], R], chunks: Sequence[Chunk[J]], local: Loaded
    ) -> Iterator[tuple[int, list[R]]]:
        from precursor.analysis.batch import pool_context

        added = [s for s in local if s not in _RULEBOOKS]
        _RULEBOOKS.update({s: local[s] for s in added})  # inherited by the forked workers
        try:
            with ProcessPoolExecutor(max_workers=self.workers, mp_context=pool_context()) as pool:
                futures: dict[Future[list[R]], int] = {
                    pool.submit(run_chunk, play, source, jobs): i for i, (source, jobs) in enumerate(chunks)
                }
                for fut in as_completed(futures):
                    yield futures[fut], fut.result()
        finally:
            for s in added:
                _RULEBOOKS.pop(s, None)


class DaskExecutor:
    """Dask distributed: a ``LocalCluster`` of ``workers`` processes (one thread each, on 127.0.0.1, its
    HTTP routes on a free port), or the cluster whose scheduler is at ``scheduler``. ``rules`` and
    ``scenarios`` are the user's files the caller's rulebook was loaded with; a remote worker must see
    them at the same paths.

    Use it as a context manager: the cluster starts once and serves every ``run`` until the block ends.
    """

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int = 2,
        rules: Sequence[Path | str] = (),
        scenarios: Sequence[Path | str] = (),
        timeout: float = 10.0,
    ) -> None:
        self.scheduler = scheduler
        self.workers = workers
        self.rules = tuple(rules)
        self.scenarios = tuple(scenarios)
        self.timeout = timeout
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskExecutor:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def start(self) -> None:
        if self._client is not None:
            return
        from distributed import Client, LocalCluster

        # distributed ships py.typed, but Client's and LocalCluster's constructors are unannotated:
        # the ignores below say only that, and the objects are held as Any
        if self.scheduler is None:
            self._cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=self.workers,
                processes=True,
                threads_per_worker=1,
                # a port of its own on loopback: with None the scheduler still serves its routes on 8787,
                # and a second cluster on the machine (two test workers, a user's own) made it warn
                # "Port 8787 is already in use", which the suite's warnings-as-errors turned into a
                # failed start (seen running the suite beside a CI run)
                dashboard_address="127.0.0.1:0",
                host="127.0.0.1",
                silence_logs=logging.ERROR,
            )
            self._client = Client(self._cluster, timeout=self.timeout)  # type: ignore[no-untyped-call]
            return
        try:
            self._client = Client(self.scheduler, timeout=self.timeout)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as exc:
            raise ConnectionError(f"cannot reach the Dask scheduler at {self.scheduler}: {exc}") from None
        # the chunk size adapts to the cluster's width, not to --workers
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))

    @property
    def address(self) -> str:
        """The scheduler's address (of the local cluster, once started): other clients may share it."""
        self.start()
        return str(self._client.scheduler.address)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def source_for(self, rb: Rulebook) -> RuleSource:
        return RuleSource.of(rb, self.rules, self.scenarios)

    def run(
        self, play: Callable[[Rulebook, J], R], chunks: Sequence[Chunk[J]], local: Loaded
    ) -> Iterator[tuple[int, list[R]]]:
        from distributed import as_completed as dask_completed

        self.start()
        client = self._client
        # pure=False: two chunks with equal arguments are still two tasks (Dask would merge them)
        futures = [client.submit(run_chunk, play, source, list(jobs), pure=False) for source, jobs in chunks]
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for fut, result in dask_completed(futures, with_results=True):  # type: ignore[no-untyped-call]
                yield index[fut.key], result
        finally:
            # an interrupted run (an error, a consumer that stops) leaves nothing queued on the cluster
            client.cancel([f for f in futures if not f.done()])


# ---------------------------------------------------------------------- the executor in use

_CURRENT: ContextVar[GameExecutor | None] = ContextVar("precursor_executor", default=None)


def current() -> GameExecutor | None:
    """The executor a ``using`` block chose, or None for each tool's default (the process pool)."""
    return _CURRENT.get()


@contextmanager
def using(executor: GameExecutor | None) -> Iterator[None]:
    """Run the batch tools inside the block on ``executor``: the CLI sets it once for a command, so the
    tools' own signatures need not carry it through every helper."""
    token = _CURRENT.set(executor)
    try:
        yield
    finally:
        _CURRENT.reset(token)
