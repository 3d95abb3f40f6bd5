"""The event-store contract, run against every backend (memory, SQLite file, real redis-server).

A ``Backend`` hands out store objects that share one backend's data, the way two server processes
would: a second SQLite connection to the same file, a second Redis client (the memory store can only
share by being the same object). Anything that waits on a tail is bounded by ``within``/``T``; plain
Redis calls are bounded by the store's socket timeouts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest

from server.stores import (
    Event,
    EventStore,
    GameExists,
    SeqConflict,
    StoreUnavailable,
    UnknownGame,
    open_store,
)
from server.stores.memory import MemoryStore
from server.stores.redis import RedisStore
from server.stores.sqlite import SqliteStore

ROOT = Path(__file__).resolve().parents[2]
T = 5.0  # the longest any single wait in these tests may take
R = TypeVar("R")


async def within(aw: Awaitable[R], seconds: float = T) -> R:
    return await asyncio.wait_for(aw, seconds)


async def until(cond: Callable[[], bool], seconds: float = T) -> None:
    async with asyncio.timeout(seconds):
        while not cond():
            await asyncio.sleep(0.005)


def ev(seq: int, **fields: Any) -> Event:
    return {"seq": seq, "type": "note", **fields}


def evs(first: int, last: int, **fields: Any) -> list[Event]:
    return [ev(s, **fields) for s in range(first, last + 1)]


def seqs(events: list[Event]) -> list[int]:
    return [e["seq"] for e in events]


class Backend:
    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self.url = url
        self.stores: list[EventStore] = []

    async def store(self) -> EventStore:
        """A store on this backend's data; each call a new client, except for memory (one object)."""
        if self.name == "memory" and self.stores:
            return self.stores[0]
        store = open_store(self.url)
        await within(store.open())
        self.stores.append(store)
        return store

    async def aclose(self) -> None:
        for store in self.stores:
            await within(store.close())


@pytest.fixture(params=["memory", "sqlite", "redis"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "memory":
        url = "memory://"
    elif request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'games.db'}"
    else:
        url = request.getfixturevalue("redis_url")  # skips when redis-server is not installed
    b = Backend(request.param, url)
    yield b
    await b.aclose()


@pytest.fixture
async def store(backend: Backend) -> EventStore:
    return await backend.store()


class Tailer:
    """Consumes a tail in its own task, as a server instance fanning a game out would."""

    def __init__(self, store: EventStore, game_id: str, after: int) -> None:
        self.events: list[Event] = []
        self.task = asyncio.create_task(self._run(store.tail(game_id, after)))

    async def _run(self, it: AsyncIterator[list[Event]]) -> None:
        async with contextlib.aclosing(cast(AsyncGenerator[list[Event], None], it)):
            async for batch in it:
                assert batch, "a tail must not yield empty batches"
                self.events.extend(batch)

    async def wait(self, n: int, seconds: float = T) -> list[int]:
        """The seqs seen once ``n`` events arrived (fails if the tail dies or stalls)."""
        await until(lambda: len(self.events) >= n or self.task.done(), seconds)
        if self.task.done():
            self.task.result()  # re-raises what killed the tail
            raise AssertionError(f"tail ended after {seqs(self.events)}")
        return seqs(self.events)

    async def stop(self) -> None:
        self.task.cancel()
        await within(asyncio.gather(self.task, return_exceptions=True))


# ---------------------------------------------------------------------------------------- URLs


def test_open_store_picks_backend_by_url_without_connecting(tmp_path: Path) -> None:
    assert isinstance(open_store("memory://"), MemoryStore)

    absolute = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    assert isinstance(absolute, SqliteStore)
    assert absolute.path == tmp_path / "a.db"
    relative = open_store("sqlite:///data/games.db")
    assert isinstance(relative, SqliteStore)
    assert relative.path == Path("data/games.db")
    assert not relative.path.is_absolute()
    assert not (tmp_path / "a.db").exists()  # nothing opened yet

    # nothing listens on port 1: building the store must not try
    tcp = open_store("redis://:s3cret@127.0.0.1:1/2")
    assert isinstance(tcp, RedisStore)
    assert "s3cret" not in tcp.url
    assert isinstance(open_store("unix:///tmp/nowhere/redis.sock?db=3"), RedisStore)


@pytest.mark.parametrize(
    "url",
    ["postgres://localhost/db", "games.db", "", "sqlite://games.db", "sqlite:///", "redis://h:notaport/0"],
)
def test_bad_urls_are_refused_clearly(url: str) -> None:
    with pytest.raises(ValueError) as err:
        open_store(url)
    assert "sqlite" in str(err.value).lower() or "port" in str(err.value).lower()


async def test_redis_open_connects_and_reports_an_unreachable_server() -> None:
    store = open_store("redis://127.0.0.1:1/0")
    assert await within(store.ping()) is False
    with pytest.raises(StoreUnavailable):
        await within(store.open())
    with pytest.raises(StoreUnavailable):
        await within(store.list_games())
    await store.close()


def test_relative_sqlite_url_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    async def go() -> None:
        store = open_store("sqlite:///sub/games.db")
        await store.open()
        await store.create_game("g", {})
        await store.close()

    asyncio.run(go())
    assert (tmp_path / "sub" / "games.db").is_file()


# ----------------------------------------------------------------------------- games and credentials


async def test_info_create_get_set(store: EventStore) -> None:
    await store.create_game("g1", {"name": "First", "seats": {"us": None}})
    assert await store.get_info("g1") == {"name": "First", "seats": {"us": None}}
    await store.set_info("g1", {"name": "Renamed", "started": True})
    assert await store.get_info("g1") == {"name": "Renamed", "started": True}
    assert await store.last_seq("g1") == 0
    assert await store.read("g1") == []


async def test_list_games_oldest_first(store: EventStore) -> None:
    assert await store.list_games() == []
    for gid in ["zulu", "alpha", "mike"]:
        await store.create_game(gid, {"id": gid})
    assert await store.list_games() == ["zulu", "alpha", "mike"]


async def test_create_twice_raises_game_exists_and_keeps_the_first(store: EventStore) -> None:
    await store.create_game("g", {"v": 1})
    with pytest.raises(GameExists):
        await store.create_game("g", {"v": 2})
    assert await store.get_info("g") == {"v": 1}
    assert await store.list_games() == ["g"]


async def test_unknown_game(store: EventStore) -> None:
    await store.create_game("known", {})
    with pytest.raises(UnknownGame):
        await store.get_info("nope")
    with pytest.raises(UnknownGame):
        await store.set_info("nope", {"x": 1})
    with pytest.raises(UnknownGame):
        await store.append("nope", 0, [ev(1)])
    with pytest.raises(UnknownGame):
        await store.read("nope")
    with pytest.raises(UnknownGame):
        await store.last_seq("nope")
    with pytest.raises(UnknownGame):
        await store.put_credential("nope", "k", {"seat": "us"})
    assert await store.get_credential("nope", "k") is None
    with pytest.raises(UnknownGame):
        await within(anext(store.tail("nope", 0)))
    assert await store.list_games() == ["known"]  # none of the above created it


async def test_credentials_put_get_replace_missing(store: EventStore) -> None:
    await store.create_game("g", {"public": True})
    await store.create_game("h", {})
    assert await store.get_credential("g", "hash-a") is None
    await store.put_credential("g", "hash-a", {"seat": "us", "role": "player"})
    await store.put_credential("g", "hash-b", {"seat": "mx"})
    assert await store.get_credential("g", "hash-a") == {"seat": "us", "role": "player"}
    await store.put_credential("g", "hash-a", {"seat": "ca"})
    assert await store.get_credential("g", "hash-a") == {"seat": "ca"}
    assert await store.get_credential("g", "hash-b") == {"seat": "mx"}
    assert await store.get_credential("h", "hash-a") is None  # per game
    # kept apart from what gets exported
    assert await store.get_info("g") == {"public": True}
    assert await store.read("g") == []


async def test_delete_game_removes_record_log_and_credentials_of_that_game_only(backend: Backend) -> None:
    store = await backend.store()
    other = await backend.store()  # a second instance sharing the backend sees the deletion too
    for gid in ("keep", "gone"):
        await store.create_game(gid, {"name": gid})
        await store.append(gid, 0, evs(1, 3))
        await store.put_credential(gid, "hash-a", {"role": "facilitator"})
    await store.delete_game("gone")
    for s in (store, other):
        assert await s.list_games() == ["keep"]
        with pytest.raises(UnknownGame):
            await s.get_info("gone")
        with pytest.raises(UnknownGame):
            await s.read("gone")
        assert await s.get_credential("gone", "hash-a") is None
        assert seqs(await s.read("keep")) == [1, 2, 3]
        assert await s.get_credential("keep", "hash-a") == {"role": "facilitator"}
    with pytest.raises(UnknownGame):
        await store.delete_game("gone")
    with pytest.raises(UnknownGame):
        await store.append("gone", 3, [ev(4)])  # nothing can write into a deleted game
    with pytest.raises(UnknownGame):
        await store.put_credential("gone", "hash-b", {})
    # the id is free again, and starts from nothing
    await store.create_game("gone", {"name": "again"})
    assert await store.read("gone") == []
    assert await store.get_credential("gone", "hash-a") is None
    assert await store.list_games() == ["keep", "gone"]


async def test_returned_and_passed_values_are_copies(store: EventStore) -> None:
    info: dict[str, Any] = {"seats": ["us"]}
    await store.create_game("g", info)
    info["seats"].append("mx")
    got = await store.get_info("g")
    got["seats"].append("cn")
    assert await store.get_info("g") == {"seats": ["us"]}
    batch = [ev(1, items=[1])]
    await store.append("g", 0, batch)
    batch[0]["items"].append(2)
    (read,) = await store.read("g")
    read["items"].append(3)
    assert await store.read("g") == [ev(1, items=[1])]


# ----------------------------------------------------------------------------- appending and reading


async def test_append_returns_the_new_last_seq(store: EventStore) -> None:
    await store.create_game("g", {})
    assert await store.append("g", 0, [ev(1)]) == 1
    assert await store.append("g", 1, evs(2, 4)) == 4
    assert await store.last_seq("g") == 4
    assert seqs(await store.read("g")) == [1, 2, 3, 4]


@pytest.mark.parametrize("expected", [0, 1, 2, 4, 7])
async def test_append_at_a_stale_or_future_seq_conflicts_and_writes_nothing(
    store: EventStore, expected: int
) -> None:
    await store.create_game("g", {})
    await store.append("g", 0, evs(1, 3, by="first"))
    with pytest.raises(SeqConflict) as err:
        await store.append("g", expected, evs(expected + 1, expected + 2, by="late"))
    assert (err.value.expected, err.value.actual) == (expected, 3)
    assert err.value.code == "conflict"
    assert await store.read("g") == evs(1, 3, by="first")
    assert await store.last_seq("g") == 3


@pytest.mark.parametrize(
    "batch",
    [
        [ev(3), ev(5)],  # gap
        [ev(4)],  # does not start right after expected
        [ev(2)],  # starts at expected itself
        [ev(3), ev(3)],  # repeated
        [ev(4), ev(3)],  # reversed
        [{"type": "note"}],  # no seq
        [{"seq": "3", "type": "note"}],  # not an int
        [{"seq": 3.0, "type": "note"}],
        [{"seq": True, "type": "note"}],
        [],  # nothing to append
        [ev(3, value=float("nan"))],  # not JSON
        [ev(3), ev(4, value=float("inf"))],  # the bad one last: the good one must not be written either
    ],
)
async def test_misnumbered_or_invalid_batches_raise_value_error_and_write_nothing(
    store: EventStore, batch: list[Event]
) -> None:
    await store.create_game("g", {})
    await store.append("g", 0, evs(1, 2))
    with pytest.raises(ValueError):
        await store.append("g", 2, batch)
    assert await store.read("g") == evs(1, 2)
    assert await store.append("g", 2, [ev(3)]) == 3  # the log is still usable


async def test_negative_expected_seq_is_refused(store: EventStore) -> None:
    await store.create_game("g", {})
    with pytest.raises(ValueError):
        await store.append("g", -1, [ev(0)])
    assert await store.last_seq("g") == 0


@pytest.mark.parametrize("after", [0, 1, 5, 9, 10, 11, 50])
async def test_read_after_returns_exactly_the_events_after(store: EventStore, after: int) -> None:
    await store.create_game("g", {})
    await store.append("g", 0, evs(1, 4))
    await store.append("g", 4, evs(5, 10))
    assert seqs(await store.read("g", after)) == list(range(after + 1, 11))


async def test_read_spans_more_than_one_page(store: EventStore) -> None:
    await store.create_game("g", {})
    await store.append("g", 0, evs(1, 2500))
    assert seqs(await store.read("g")) == list(range(1, 2501))
    assert seqs(await store.read("g", 999)) == list(range(1000, 2501))


RICH: Event = {
    "seq": 1,
    "type": "game_created",
    "text": 'Ωmega — 日本語 🚀 "quoted" \\ back\\slash\nnew line\ttab \x00 nul \udc80 lone surrogate',
    "nested": {"a": {"b": [1, 2.5, {"c": None}], "empty": {}, "list": [], "deep": [[[{"x": [True]}]]]}},
    "floats": [0.1, 1e-300, 1.7976931348623157e308, -0.0, 123456789.12345679, 2.0, 1 / 3],
    "ints": [0, -1, 2**53 + 1, 2**63 - 1, -(2**63)],
    "flags": [True, False, None],
    "": "empty key",
}


async def test_events_round_trip_exactly(backend: Backend) -> None:
    store = await backend.store()
    await store.create_game("g", {"title": "Ünïcödé ✓", "ratio": 0.1})
    await store.append("g", 0, [RICH])
    other = await backend.store()
    for s in (store, other):
        (got,) = await s.read("g")
        assert got == RICH
        assert [repr(f) for f in got["floats"]] == [repr(f) for f in RICH["floats"]]  # -0.0 stays -0.0
        assert list(got) == list(RICH)  # key order too
        assert await s.get_info("g") == {"title": "Ünïcödé ✓", "ratio": 0.1}
    tailer = Tailer(other, "g", 0)
    try:
        await tailer.wait(1)
        assert tailer.events == [RICH]
    finally:
        await tailer.stop()


async def test_racing_appenders_exactly_one_wins(backend: Backend) -> None:
    stores = [await backend.store() for _ in range(10)]
    await stores[0].create_game("g", {})
    await stores[0].append("g", 0, [ev(1)])
    for round_ in range(3):
        expected = 1 + round_ * 2
        results = await within(
            asyncio.gather(
                *(
                    s.append("g", expected, evs(expected + 1, expected + 2, by=i))
                    for i, s in enumerate(stores)
                ),
                return_exceptions=True,
            )
        )
        winners = [i for i, r in enumerate(results) if r == expected + 2]
        assert len(winners) == 1, results
        losers = [r for r in results if not isinstance(r, int)]
        assert all(isinstance(r, SeqConflict) and r.actual == expected + 2 for r in losers), losers
        log = await stores[-1].read("g", expected)
        assert log == evs(expected + 1, expected + 2, by=winners[0])
    assert await stores[3].last_seq("g") == 7


# ---------------------------------------------------------------------------------------- tails


async def test_tail_yields_events_appended_after_it_started_in_order(store: EventStore) -> None:
    await store.create_game("g", {})
    await store.append("g", 0, evs(1, 2))
    tailer = Tailer(store, "g", 2)
    try:
        await asyncio.sleep(0.05)  # let it reach its wait
        assert tailer.events == []
        await store.append("g", 2, [ev(3)])
        assert await tailer.wait(1) == [3]
        await store.append("g", 3, evs(4, 6))
        await store.append("g", 6, [ev(7)])
        assert await tailer.wait(5) == [3, 4, 5, 6, 7]
        await asyncio.sleep(0.15)  # nothing more, nothing repeated
        assert seqs(tailer.events) == [3, 4, 5, 6, 7]
        assert tailer.events[1:4] == evs(4, 6)
    finally:
        await tailer.stop()


@pytest.mark.parametrize("after", [0, 4, 10])
async def test_tail_after_n_starts_exactly_after_n(store: EventStore, after: int) -> None:
    await store.create_game("g", {})
    await store.append("g", 0, evs(1, 10))
    tailer = Tailer(store, "g", after)
    try:
        assert await tailer.wait(10 - after) == list(range(after + 1, 11))
        await store.append("g", 10, evs(11, 12))
        assert await tailer.wait(12 - after) == list(range(after + 1, 13))
    finally:
        await tailer.stop()


async def test_tail_sees_appends_made_through_a_second_store(backend: Backend) -> None:
    """Two server processes sharing a game: each tails what the other appends."""
    a, b = await backend.store(), await backend.store()
    await a.create_game("g", {})
    await b.append("g", 0, evs(1, 3))
    tail_a, tail_b = Tailer(a, "g", 2), Tailer(b, "g", 0)
    try:
        assert await tail_a.wait(1) == [3]
        seq = 3
        for i in range(6):
            # alternate writers, and let each batch reach both tails before the next append: every
            # delivery, local or from the other store, must then happen on its own
            writer = (a, b)[i % 2]
            seq = await writer.append("g", seq, evs(seq + 1, seq + 2, by=i % 2))
            assert await tail_a.wait(seq - 2) == list(range(3, seq + 1))
            assert await tail_b.wait(seq) == list(range(1, seq + 1))
        assert tail_a.events == await b.read("g", 2)
        await asyncio.sleep(0.15)
        assert len(tail_a.events) == 13 and len(tail_b.events) == 15
    finally:
        await tail_a.stop()
        await tail_b.stop()


async def test_tail_of_a_far_behind_reader_arrives_complete(store: EventStore) -> None:
    await store.create_game("g", {})
    await store.append("g", 0, evs(1, 2300))
    tailer = Tailer(store, "g", 100)
    try:
        assert await tailer.wait(2200) == list(range(101, 2301))
    finally:
        await tailer.stop()


async def test_tail_is_cancellable_and_the_store_lives_on(store: EventStore) -> None:
    await store.create_game("g", {})
    tailer = Tailer(store, "g", 0)
    await asyncio.sleep(0.05)
    tailer.task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await within(tailer.task, 2.0)
    assert await store.append("g", 0, [ev(1)]) == 1
    again = Tailer(store, "g", 0)
    try:
        assert await again.wait(1) == [1]
    finally:
        await again.stop()


async def test_close_ends_running_tails_and_reopen_keeps_the_data(backend: Backend) -> None:
    store = await backend.store()
    await store.create_game("g", {"n": 1})
    await store.append("g", 0, evs(1, 2))
    tailer = Tailer(store, "g", 0)
    await tailer.wait(2)
    await within(store.close())
    await within(tailer.task, 2.0)  # ended, without an error
    assert await store.ping() is False
    with pytest.raises(StoreUnavailable):
        await store.get_info("g")
    with pytest.raises(StoreUnavailable):
        await store.append("g", 2, [ev(3)])
    await within(store.open())
    assert await store.ping() is True
    assert await store.read("g") == evs(1, 2)
    assert await store.get_info("g") == {"n": 1}


async def test_a_store_that_was_never_opened_is_unavailable(backend: Backend) -> None:
    store = open_store(backend.url)
    assert await store.ping() is False
    with pytest.raises(StoreUnavailable):
        await store.create_game("g", {})
    with pytest.raises(StoreUnavailable):
        await store.list_games()
    await store.close()


async def test_ping_and_open_are_idempotent(store: EventStore) -> None:
    await store.open()
    assert await store.ping() is True
    await store.create_game("g", {})
    await store.open()
    assert await store.list_games() == ["g"]


# ---------------------------------------------------------------------------------------- Redis outages


@pytest.mark.parametrize("crash", [False, True], ids=["stopped", "killed"])
async def test_redis_outage_then_recovery_without_gap_or_duplicate(
    redis_server: Any, redis_url: str, crash: bool
) -> None:
    store, writer = open_store(redis_url), open_store(redis_url)
    await store.open()
    await writer.open()
    tailer: Tailer | None = None
    try:
        await store.create_game("g", {"name": "outage"})
        await store.put_credential("g", "k", {"seat": "us"})
        await store.append("g", 0, evs(1, 3))
        tailer = Tailer(store, "g", 3)
        await writer.append("g", 3, evs(4, 5))
        assert await tailer.wait(2) == [4, 5]

        redis_server.stop(kill=crash)
        try:
            for call in (
                lambda: store.append("g", 5, [ev(6)]),
                lambda: store.create_game("h", {}),
                lambda: store.get_info("g"),
                lambda: store.set_info("g", {}),
                lambda: store.list_games(),
                lambda: store.put_credential("g", "k2", {}),
                lambda: store.get_credential("g", "k"),
                lambda: store.read("g"),
                lambda: store.last_seq("g"),
            ):
                with pytest.raises(StoreUnavailable) as err:
                    await within(call(), 3.0)
                assert err.value.code == "store_unavailable"
            assert await within(store.ping(), 3.0) is False
            fresh = open_store(redis_url)
            with pytest.raises(StoreUnavailable):
                await within(fresh.open(), 3.0)
            await asyncio.sleep(0.4)  # the tail meets the outage and backs off
            assert not tailer.task.done(), "the tail must survive an outage"
        finally:
            redis_server.start()

        # the same store objects work again, first call included
        assert await within(store.ping()) is True
        assert await store.last_seq("g") == 5  # the AOF kept everything
        assert await store.get_credential("g", "k") == {"seat": "us"}
        assert await store.append("g", 5, evs(6, 7)) == 7
        assert await writer.append("g", 7, [ev(8)]) == 8
        assert await tailer.wait(5, seconds=8.0) == [4, 5, 6, 7, 8]
        await asyncio.sleep(0.1)
        assert seqs(tailer.events) == [4, 5, 6, 7, 8]
    finally:
        if tailer is not None:
            await tailer.stop()
        await store.close()
        await writer.close()


async def test_redis_tail_started_during_an_outage_catches_up(redis_server: Any, redis_url: str) -> None:
    store = open_store(redis_url)
    await store.open()
    tailer: Tailer | None = None
    try:
        await store.create_game("g", {})
        await store.append("g", 0, evs(1, 2))
        redis_server.stop()
        try:
            tailer = Tailer(store, "g", 1)
            await asyncio.sleep(0.3)
            assert not tailer.task.done()
        finally:
            redis_server.start()
        assert await tailer.wait(1, seconds=8.0) == [2]
        await store.append("g", 2, [ev(3)])
        assert await tailer.wait(2) == [2, 3]
    finally:
        if tailer is not None:
            await tailer.stop()
        await store.close()


# ---------------------------------------------------------------------------------------- SQLite processes

_CRASH_CHILD = """
import asyncio, sys
from server.stores import open_store

async def main(url):
    store = open_store(url)
    await store.open()
    await store.create_game("g", {"name": "crash"})
    seq = 0
    while True:
        seq = await store.append("g", seq, [{"seq": seq + 1, "type": "tick", "pad": "x" * 300}])
        print(seq, flush=True)  # printed only once COMMIT returned

asyncio.run(main(sys.argv[1]))
"""


async def test_sqlite_kill_9_loses_nothing_committed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    child = subprocess.Popen(
        [sys.executable, "-c", _CRASH_CHILD, url], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    try:
        reported = 0
        while reported < 300:
            line = await within(asyncio.to_thread(child.stdout.readline), 20.0)
            assert line, f"the child died early (exit {child.poll()})"
            reported = int(line)
        child.send_signal(signal.SIGKILL)  # right after it said an append committed, mid-way through more
    finally:
        child.kill()
        child.wait(10)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    store = open_store(url)
    await store.open()
    try:
        last = await store.last_seq("g")
        assert last >= reported
        log = await store.read("g")
        assert seqs(log) == list(range(1, last + 1))
        assert all(e == {"seq": e["seq"], "type": "tick", "pad": "x" * 300} for e in log)
        assert await store.append("g", last, [ev(last + 1)]) == last + 1
    finally:
        await store.close()


_SHARING_CHILD = """
import asyncio, sys
from server.stores import SeqConflict, open_store

async def main(url, name, n):
    store = open_store(url)
    await store.open()
    done = conflicts = 0
    while done < n:
        last = await store.last_seq("g")
        try:
            await store.append("g", last, [{"seq": last + 1, "type": "w", "by": name, "i": done}])
            done += 1
        except SeqConflict:
            conflicts += 1
    await store.close()
    print(conflicts)

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


async def test_sqlite_processes_sharing_a_file_never_both_win(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    store = open_store(url)
    await store.open()
    await store.create_game("g", {})
    tailer = Tailer(store, "g", 0)  # sees the other processes' appends by polling
    n, names = 60, ["p0", "p1", "p2"]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _SHARING_CHILD, url, name, str(n)], cwd=ROOT, stdout=subprocess.PIPE
        )
        for name in names
    ]
    try:
        for child in children:
            await within(asyncio.to_thread(child.communicate), 30.0)
            assert child.returncode == 0
        log = await store.read("g")
        assert seqs(log) == list(range(1, n * len(names) + 1))
        assert sorted((e["by"], e["i"]) for e in log) == sorted((p, i) for p in names for i in range(n))
        assert await tailer.wait(n * len(names)) == seqs(log)
        assert tailer.events == log
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.communicate()
        await tailer.stop()
        await store.close()


async def test_sqlite_connections_racing_in_threads_exactly_one_wins(tmp_path: Path) -> None:
    """Real concurrency inside SQLite (it releases the GIL): the write lock, not the event loop, decides."""
    path = tmp_path / "race.db"
    setup = SqliteStore(path)
    await setup.open()
    await setup.create_game("g", {})
    await setup.append("g", 0, [ev(1)])
    racers, rounds = 8, 5
    barrier = threading.Barrier(racers, timeout=T)

    def racer(i: int) -> list[int]:
        async def go() -> list[int]:
            s = SqliteStore(path)
            await s.open()
            won = []
            try:
                for r in range(rounds):
                    barrier.wait()
                    with contextlib.suppress(SeqConflict):
                        await s.append("g", 1 + r, [ev(2 + r, by=i)])
                        won.append(r)
            finally:
                await s.close()
            return won

        return asyncio.run(go())

    with ThreadPoolExecutor(racers) as pool:
        futures = [asyncio.wrap_future(pool.submit(racer, i)) for i in range(racers)]
        wins = await within(asyncio.gather(*futures), 20.0)
    assert sorted(r for won in wins for r in won) == list(range(rounds))
    log = await setup.read("g")
    assert seqs(log) == list(range(1, rounds + 2))
    assert all(r in wins[e["by"]] for r, e in enumerate(log[1:]))
    await setup.close()


async def test_sqlite_file_is_in_wal_mode_with_the_expected_tables(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'w.db'}")
    await store.open()
    await store.create_game("g", {})
    await store.append("g", 0, [ev(1)])
    db = sqlite3.connect(tmp_path / "w.db")
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"events", "games", "credentials"} <= tables
        (body,) = db.execute("SELECT body FROM events WHERE game_id = 'g' AND seq = 1").fetchone()
        assert json.loads(body) == ev(1)
    finally:
        db.close()
        await store.close()


async def test_a_flushed_redis_makes_the_store_lost_not_the_game_unknown(redis_url: str) -> None:
    """A missing game on a Redis that still holds the store's epoch marker is unknown; once the marker
    is gone (FLUSHALL, or a restart without data) every call says the store is lost, for good, and a
    store opened afterwards starts a new epoch."""
    import redis.asyncio as aioredis

    from server.stores import StoreLost

    store = open_store(redis_url)
    await within(store.open())
    try:
        await store.create_game("g1", {"n": 1})
        with pytest.raises(UnknownGame):
            await store.get_info("nope")
        assert await store.lost() is None
        client = aioredis.Redis.from_url(redis_url)
        try:
            await client.flushall()
        finally:
            await client.aclose()
        with pytest.raises(StoreLost):
            await store.get_info("g1")
        assert "restart" in (await store.lost() or "")
        for call in (
            store.list_games(),
            store.read("g1"),
            store.get_credential("g1", "k"),
            store.create_game("g2", {}),
        ):
            with pytest.raises(StoreLost):
                await call
    finally:
        await store.close()
    fresh = open_store(redis_url)
    await within(fresh.open())
    try:
        assert await fresh.lost() is None and await fresh.list_games() == []
    finally:
        await fresh.close()


# ---------------------------------------------------------------------------------------- leases


async def test_a_redis_lease_has_one_holder_is_renewed_and_runs_out(redis_url: str) -> None:
    """Of two stores racing for a game's lease one wins; the holder renews it, the other cannot take
    it until it runs out or is released, and a lease that ran out unreleased names an orphan."""
    a, b = RedisStore(redis_url), RedisStore(redis_url)
    await a.open()
    await b.open()
    try:
        await a.create_game("g", {})
        won = await asyncio.gather(*(s.lease("g", name, 0.6) for s, name in ((a, "A"), (b, "B"))))
        assert sorted(won) == [False, True]
        holder, other = (a, "A") if won[0] else (b, "B"), (b, "B") if won[0] else (a, "A")
        assert await holder[0].lease("g", holder[1], 0.6)  # renewal
        assert not await other[0].lease("g", other[1], 0.6)
        assert await a.orphans() == []
        await other[0].release("g", other[1])  # not its lease: nothing happens
        assert not await other[0].lease("g", other[1], 0.6)
        await asyncio.sleep(0.8)  # the holder stops renewing, as a killed server does
        assert await b.orphans() == ["g"]
        assert await other[0].lease("g", other[1], 0.6)  # taken over
        assert await a.orphans() == []
        assert not await holder[0].lease("g", holder[1], 0.6)  # the old holder has lost it
        await other[0].release("g", other[1])
        assert await holder[0].lease("g", holder[1], 0.6)  # released: free at once
        await holder[0].release("g", holder[1])
        await asyncio.sleep(0.8)
        assert await a.orphans() == []  # a released lease is no orphan
        await a.lease("g", "A", 0.6)
        await a.delete_game("g")  # a deleted game leaves no lease behind
        await asyncio.sleep(0.8)
        assert await a.orphans() == [] and await b.lease("g", "B", 0.6)
    finally:
        await a.close()
        await b.close()


@pytest.mark.parametrize("url", ["memory://", "sqlite"])
async def test_a_store_of_one_server_always_grants_the_lease(url: str, tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}" if url == "sqlite" else url)
    await store.open()
    try:
        await store.create_game("g", {})
        assert await store.lease("g", "A", 1.0) and await store.lease("g", "B", 1.0)
        await store.release("g", "A")
        assert await store.orphans() == []
    finally:
        await store.close()
