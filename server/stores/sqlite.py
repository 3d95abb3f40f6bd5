"""The embedded default: one SQLite file in WAL mode, shareable by several processes on one machine.

Every call runs directly on the event loop: each is a handful of indexed statements (well under a
millisecond), cheaper than a hop to a worker thread. The connection therefore belongs to the thread
that opened the store.

Durability: WAL with ``synchronous=NORMAL`` writes each commit to the WAL file before ``COMMIT``
returns, so a killed process (even ``kill -9``) loses nothing it reported as committed; only a power
cut can lose the last transactions (``FULL`` would close that gap at a tenth of the speed).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from server.stores.base import (
    Event,
    EventStore,
    GameExists,
    SeqConflict,
    StoreError,
    StoreUnavailable,
    UnknownGame,
)
from server.stores.codec import TAIL_BATCH, decode, encode, encode_batch

_SCHEMA = """
CREATE TABLE IF NOT EXISTS games (
    id TEXT PRIMARY KEY,
    info JSON NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    game_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    body JSON NOT NULL,
    PRIMARY KEY (game_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS credentials (
    game_id TEXT NOT NULL,
    key TEXT NOT NULL,
    record JSON NOT NULL,
    PRIMARY KEY (game_id, key)
) WITHOUT ROWID;
"""

#: How long a writer waits for another process's write transaction before reporting the store busy.
#: Transactions here last well under a millisecond, so hitting it means something is badly wrong.
BUSY_TIMEOUT = 5.0


def _create_private(path: Path) -> None:
    """The folder (0700) and the file (0600) are made private when this store creates them, whatever the
    umask: the file holds every game's hidden state and the hashes of its credentials. SQLite gives its
    -wal and -shm files the database file's mode. Existing files and folders are left as they are."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)
    os.chmod(path, 0o600)


def _scrub_legacy_codes(conn: sqlite3.Connection) -> None:
    """Stores written before join codes were kept only as hashes held them in the facilitator's record;
    nothing reads them, so they are deleted (with secure_delete, so the freed pages are zeroed)."""
    conn.execute("PRAGMA secure_delete=ON")
    with contextlib.suppress(sqlite3.OperationalError):  # an SQLite without JSON functions
        conn.execute(
            "UPDATE credentials SET record = json_remove(record, '$.join_codes') "
            "WHERE json_extract(record, '$.join_codes') IS NOT NULL"
        )


class SqliteStore(EventStore):
    """Appends are guarded inside ``BEGIN IMMEDIATE``, which takes the file's write lock before the
    log's end is read: two processes sharing the file cannot both see the same end and both insert.
    """

    def __init__(self, path: str | Path, *, url: str | None = None, poll_interval: float = 0.1) -> None:
        self.path = Path(path)
        self.url = url or f"sqlite:///{self.path}"
        # tails wake at once on this store's own appends; appends by other connections (other
        # processes) are only seen by polling, so this bounds their delivery delay
        self.poll_interval = poll_interval
        self._conn: sqlite3.Connection | None = None
        self._wakers: dict[str, asyncio.Event] = {}
        self._checkpointer: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ plumbing

    async def open(self) -> None:
        if self._conn is not None:
            return
        with self._guard():
            _create_private(self.path)
            # isolation_level=None: no implicit transactions, so BEGIN IMMEDIATE / COMMIT are ours
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
            try:
                (mode,) = conn.execute("PRAGMA journal_mode=WAL").fetchone()
                if str(mode).lower() != "wal":
                    raise StoreError(f"{self.path}: SQLite refused WAL mode (got {mode!r})")
                conn.execute("PRAGMA synchronous=NORMAL")
                # SQLite's automatic checkpoint runs inside a COMMIT and stalled the event loop for
                # 5-48 ms (bench/sqlite_stalls.py); a background thread checkpoints instead
                conn.execute("PRAGMA wal_autocheckpoint=0")
                conn.executescript(_SCHEMA)
                _scrub_legacy_codes(conn)
            except BaseException:
                conn.close()
                raise
        self._conn = conn
        self._checkpointer = asyncio.create_task(self._checkpoints(), name=f"checkpoint:{self.path.name}")

    async def _checkpoints(self, every: float = 1.0) -> None:
        """Copy the WAL back into the database once a second, off the event loop (PASSIVE: it never
        waits for readers or writers, so appends are not held up)."""
        side = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
        try:
            while True:
                await asyncio.sleep(every)
                with contextlib.suppress(sqlite3.Error):
                    await asyncio.to_thread(side.execute, "PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            side.close()

    async def close(self) -> None:
        task, self._checkpointer = self._checkpointer, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn, self._conn = self._conn, None
        for waker in self._wakers.values():
            waker.set()
        self._wakers.clear()
        if conn is not None:
            conn.close()

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreUnavailable(f"store {self.url} is not open")
        return self._conn

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Locked or unwritable files, full disks and I/O errors are outages, not bugs of the caller."""
        try:
            yield
        except sqlite3.OperationalError as e:
            raise StoreUnavailable(f"{self.path}: {e}") from e
        except OSError as e:
            raise StoreUnavailable(f"{self.path}: {e}") from e
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: {e}") from e

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        # fetchall() steps each statement to its end, so no read snapshot stays open between calls
        with self._guard():
            return self._db().execute(sql, params).fetchall()

    def _require_game(self, game_id: str) -> None:
        if not self._query("SELECT 1 FROM games WHERE id = ?", (game_id,)):
            raise UnknownGame(f"unknown game {game_id!r}")

    def _wake(self, game_id: str) -> None:
        waker = self._wakers.pop(game_id, None)
        if waker is not None:
            waker.set()

    # ------------------------------------------------------------------ games and credentials

    async def create_game(self, game_id: str, info: dict[str, Any]) -> None:
        text = encode(info, "game info")
        db = self._db()
        with self._guard():
            cur = db.execute(
                "INSERT OR IGNORE INTO games (id, info, created) VALUES (?, ?, ?)",
                (game_id, text, time.time()),
            )
        if cur.rowcount != 1:
            raise GameExists(f"game {game_id!r} already exists")

    async def get_info(self, game_id: str) -> dict[str, Any]:
        rows = self._query("SELECT info FROM games WHERE id = ?", (game_id,))
        if not rows:
            raise UnknownGame(f"unknown game {game_id!r}")
        return decode(rows[0][0])

    async def set_info(self, game_id: str, info: dict[str, Any]) -> None:
        text = encode(info, "game info")
        db = self._db()
        with self._guard():
            cur = db.execute("UPDATE games SET info = ? WHERE id = ?", (text, game_id))
        if cur.rowcount != 1:
            raise UnknownGame(f"unknown game {game_id!r}")

    async def list_games(self) -> list[str]:
        # rowids grow with each insert and inserts are serialised by the write lock: creation order
        return [row[0] for row in self._query("SELECT id FROM games ORDER BY rowid", ())]

    async def delete_game(self, game_id: str) -> None:
        db = self._db()
        with self._guard():
            db.execute("BEGIN IMMEDIATE")
            try:
                cur = db.execute("DELETE FROM games WHERE id = ?", (game_id,))
                if cur.rowcount != 1:
                    raise UnknownGame(f"unknown game {game_id!r}")
                db.execute("DELETE FROM events WHERE game_id = ?", (game_id,))
                db.execute("DELETE FROM credentials WHERE game_id = ?", (game_id,))
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        db.execute("ROLLBACK")
                raise
        self._wake(game_id)

    async def put_credential(self, game_id: str, key: str, record: dict[str, Any]) -> None:
        text = encode(record, "a credential record")
        db = self._db()
        with self._guard():
            # one statement, so the game cannot be checked and then miss the insert
            cur = db.execute(
                "INSERT OR REPLACE INTO credentials (game_id, key, record) "
                "SELECT id, ?, ? FROM games WHERE id = ?",
                (key, text, game_id),
            )
        if cur.rowcount != 1:
            raise UnknownGame(f"unknown game {game_id!r}")

    async def get_credential(self, game_id: str, key: str) -> dict[str, Any] | None:
        rows = self._query("SELECT record FROM credentials WHERE game_id = ? AND key = ?", (game_id, key))
        return decode(rows[0][0]) if rows else None

    # ------------------------------------------------------------------ the log

    async def append(self, game_id: str, expected_seq: int, events: list[Event]) -> int:
        bodies = encode_batch(expected_seq, events)
        db = self._db()
        with self._guard():
            db.execute("BEGIN IMMEDIATE")
            try:
                if not db.execute("SELECT 1 FROM games WHERE id = ?", (game_id,)).fetchall():
                    raise UnknownGame(f"unknown game {game_id!r}")
                ((last,),) = db.execute(
                    "SELECT coalesce(max(seq), 0) FROM events WHERE game_id = ?", (game_id,)
                ).fetchall()
                if last != expected_seq:
                    raise SeqConflict(game_id, expected_seq, last)
                db.executemany(
                    "INSERT INTO events (game_id, seq, body) VALUES (?, ?, ?)",
                    [(game_id, seq, body) for seq, body in enumerate(bodies, start=expected_seq + 1)],
                )
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        db.execute("ROLLBACK")
                raise
        self._wake(game_id)
        return expected_seq + len(bodies)

    def _rows(self, game_id: str, after: int, limit: int) -> list[tuple[int, str]]:
        return self._query(
            "SELECT seq, body FROM events WHERE game_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            (game_id, after, limit),
        )

    async def read(self, game_id: str, after: int = 0) -> list[Event]:
        rows = self._rows(game_id, after, -1)
        if not rows:
            self._require_game(game_id)
        return [decode(body) for _, body in rows]

    async def last_seq(self, game_id: str) -> int:
        ((last,),) = self._query("SELECT coalesce(max(seq), 0) FROM events WHERE game_id = ?", (game_id,))
        if last == 0:
            self._require_game(game_id)
        return int(last)

    async def tail(self, game_id: str, after: int) -> AsyncIterator[list[Event]]:
        self._require_game(game_id)
        done = max(after, 0)
        while self._conn is not None:
            # take the waker and the data version before querying: an append landing after the
            # query then either sets this waker or moves the version, so it is never slept through
            waker = self._wakers.setdefault(game_id, asyncio.Event())
            try:
                seen = self._query("PRAGMA data_version", ())[0][0]
                rows = self._rows(game_id, done, TAIL_BATCH)
            except StoreUnavailable:
                # a passing lock or I/O hiccup must not end a tail other processes depend on
                await asyncio.sleep(self.poll_interval)
                continue
            if rows:
                done = rows[-1][0]
                yield [decode(body) for _, body in rows]
                continue
            await self._wait(waker, seen)

    async def _wait(self, waker: asyncio.Event, seen: int) -> None:
        """Until this store appends to the game, another connection commits anything, or close()."""
        while self._conn is not None and not waker.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_interval):
                    await waker.wait()
                return
            try:
                # data_version moves only when another connection commits: an idle poll is one pragma
                if self._query("PRAGMA data_version", ())[0][0] != seen:
                    return
            except StoreUnavailable:
                return

    async def ping(self) -> bool:
        try:
            self._query("SELECT 1", ())
        except StoreUnavailable:
            return False
        return True
