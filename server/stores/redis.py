"""Redis store: lets several server processes serve the same games.

Layout (all keys under ``precursor:``; the ``{game_id}`` hash tag keeps one game's keys in one slot):

- ``precursor:{game_id}:log`` — a Stream, entry id ``<seq>-0``, one field ``e`` holding the event JSON;
- ``precursor:{game_id}:info`` — the public record (JSON string);
- ``precursor:{game_id}:creds`` — a hash, credential key → record JSON;
- ``precursor:games`` — sorted set of game ids scored by creation order (``precursor:games:count``);
- ``precursor:{game_id}:lease`` — the id of the server that runs the game's clock and bots, with a TTL;
- ``precursor:leases`` — sorted set of leased game ids scored by when their lease runs out (ms, Redis's
  clock): an entry in the past is a game whose server died, for another to take over;
- ``precursor:epoch`` — a random marker written by the first store to open this Redis. Each store
  remembers it and checks it (``lost``): a Redis that restarted without its data, or was flushed, no
  longer holds it, and that is told apart from a game that never existed.

Every instance tails a game with a blocking ``XREAD`` from the last id it saw: unlike pub/sub, a reader
that was away (restart, outage) loses nothing, and unlike consumer groups, every reader gets every event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import redis.asyncio as aioredis
import redis.exceptions as rexc
from redis.asyncio.connection import parse_url
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.commands.core import AsyncScript

from server.stores.base import (
    Durability,
    Event,
    EventStore,
    GameExists,
    SeqConflict,
    StoreError,
    StoreLost,
    StoreUnavailable,
    UnknownGame,
)
from server.stores.codec import TAIL_BATCH, decode, encode, encode_batch

T = TypeVar("T")
logger = logging.getLogger(__name__)

PREFIX = "precursor:"
#: How long one blocking XREAD waits before looping (checks for close and a dead connection).
BLOCK_MS = 1000
#: A tail that lost Redis retries after this, doubling up to the cap.
RETRY_FIRST, RETRY_CAP = 0.05, 1.0

#: What "Redis cannot be reached" looks like from redis-py. BusyLoadingError (Redis replaying its AOF after
#: a restart) is a ConnectionError; ReadOnlyError is a replica answering while a failover is under way.
_DOWN: tuple[type[BaseException], ...] = (
    rexc.ConnectionError,
    rexc.TimeoutError,
    rexc.ReadOnlyError,
    OSError,
)

# Append only if the stream still ends at the expected seq, and write the whole batch at once (a script
# runs atomically and is logged to the AOF as one transaction). Returns {status, seq}: status -1 unknown
# game, 0 conflict (seq = the log's real end), 1 appended (seq = the new end).
_APPEND = """
if redis.call('EXISTS', KEYS[2]) == 0 then return {-1, 0} end
local last = 0
local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #top > 0 then last = tonumber((string.match(top[1][1], '^%d+'))) end
local expected = tonumber(ARGV[1])
if last ~= expected then return {0, last} end
for i = 2, #ARGV do
  redis.call('XADD', KEYS[1], string.format('%d-0', expected + i - 1), 'e', ARGV[i])
end
return {1, expected + #ARGV - 1}
"""

# The record and the listing entry land together, so a game is never half-created.
_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[2])
return 1
"""

# No credential may outlive (or precede) its game.
_PUT_CREDENTIAL = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
"""

# The record, the log, the credentials, the lease and the listing entries go together: no half-deleted game.
_DELETE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[5])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[6], ARGV[1])
return 1
"""


# A game's lease: taken if free (SET NX PX), renewed if the caller holds it, refused otherwise. Each
# taken or renewed lease is also entered in a sorted set scored by when it runs out (Redis's own clock,
# so servers' clocks need not agree): an entry whose time is past names a game whose holder died.
_LEASE = """
local ok = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
if not ok then
  if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[3])
return 1
"""

# Released only by its holder; a lease nobody holds any more leaves the set too.
_RELEASE = """
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then redis.call('DEL', KEYS[1]) elseif cur then return 0 end
redis.call('ZREM', KEYS[2], ARGV[2])
return 1
"""

# Games whose lease entry ran out, by Redis's clock; entries whose lease is held again are skipped.
_ORPHANS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
"""


class _Closed(Exception):
    """The store was closed while a tail was waiting on Redis."""


def redact(url: str) -> str:
    """The URL without its password, fit for logs and health reports."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


class RedisStore(EventStore):
    def __init__(self, url: str, *, prefix: str = PREFIX) -> None:
        parse_url(url)  # a malformed URL fails here, at configuration time, not at the first request
        self._url = url
        self.url = redact(url)
        self.prefix = prefix
        self._client: aioredis.Redis | None = None
        self._closing = asyncio.Event()
        self._append: AsyncScript | None = None
        self._create: AsyncScript | None = None
        self._put_credential: AsyncScript | None = None
        self._delete: AsyncScript | None = None
        self._lease: AsyncScript | None = None
        self._release: AsyncScript | None = None
        self._orphans: AsyncScript | None = None
        self._epoch: bytes | None = None  # the marker this store found (or wrote) when it first opened
        self._lost: str | None = None  # set once the marker is gone or changed; never cleared

    # ------------------------------------------------------------------ plumbing

    def _connect(self, *, socket_timeout: float) -> aioredis.Redis:
        # No automatic retries: a command whose reply was lost may already have run, and re-running an
        # append would report a conflict with itself. Stale pooled connections (after a Redis restart)
        # are replaced when checked out, so retries are not needed to recover either. `protocol` stays
        # unset: redis-py keeps RESP2 reply shapes then; protocol=3 changes what XREAD returns.
        return aioredis.Redis.from_url(
            self._url,
            socket_timeout=socket_timeout,
            socket_connect_timeout=2.0,
            retry=Retry(NoBackoff(), 0),
        )

    async def open(self) -> None:
        if self._client is not None:
            return
        client = self._connect(socket_timeout=5.0)
        self._append = client.register_script(_APPEND)
        self._create = client.register_script(_CREATE)
        self._put_credential = client.register_script(_PUT_CREDENTIAL)
        self._delete = client.register_script(_DELETE)
        self._lease = client.register_script(_LEASE)
        self._release = client.register_script(_RELEASE)
        self._orphans = client.register_script(_ORPHANS)
        # open() connects, as the contract says: a wrong URL or a dead Redis shows at start-up, and a
        # failed open leaves nothing behind, so it can simply be called again
        try:
            with self._guard():
                await client.ping()
                found = await self._mark_epoch(client)
        except BaseException:
            await client.aclose()
            raise
        self._closing = asyncio.Event()
        self._client = client
        if self._epoch is None:
            self._epoch = found
        elif found != self._epoch:  # reopened on a Redis that lost what this store saw before
            self._lost = self._lost_message("changed")

    async def _mark_epoch(self, client: aioredis.Redis) -> bytes:
        """The Redis's epoch marker, written first if there is none (SET NX: of several servers opening
        at once, one writes and all read the same)."""
        key = f"{self.prefix}epoch"
        await client.set(key, secrets.token_hex(16), nx=True)
        return _as_bytes(await client.get(key))

    def _lost_message(self, how: str) -> str:
        return (
            f"the Redis at {self.url} no longer holds this server's data (its epoch marker is {how}): it "
            "restarted without its data or was flushed, and the games in it are lost; restore its data "
            "(or accept the loss) and restart the server"
        )

    async def lost(self) -> str | None:
        """One GET, cheap enough for every health check. A Redis that cannot be reached is not lost
        (it is unavailable): ``None`` then, and the next check decides."""
        if self._lost is not None or self._client is None or self._epoch is None:
            return self._lost
        try:
            found = await self._client.get(f"{self.prefix}epoch")
        except _DOWN:
            return None
        if found is None or _as_bytes(found) != self._epoch:
            self._lost = self._lost_message("gone" if found is None else "changed")
            logger.error("%s", self._lost)
        return self._lost

    async def _missing(self, game_id: str) -> StoreError:
        """What a game's absent key means: a lost store, or a game that does not exist."""
        why = await self.lost()
        return StoreLost(why) if why is not None else UnknownGame(f"unknown game {game_id!r}")

    async def close(self) -> None:
        client, self._client = self._client, None
        self._append = self._create = self._put_credential = self._delete = None
        self._lease = self._release = self._orphans = None
        self._closing.set()
        if client is not None:
            await client.aclose()

    def _redis(self) -> aioredis.Redis:
        if self._lost is not None:
            raise StoreLost(self._lost)
        if self._client is None:
            raise StoreUnavailable(f"store {self.url} is not open")
        return self._client

    def _script(self, script: AsyncScript | None) -> AsyncScript:
        if self._lost is not None:
            raise StoreLost(self._lost)
        if script is None or self._client is None:
            raise StoreUnavailable(f"store {self.url} is not open")
        return script

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except _DOWN as e:
            raise StoreUnavailable(f"redis at {self.url}: {e or type(e).__name__}") from e

    def _key(self, game_id: str, what: str) -> str:
        return f"{self.prefix}{{{game_id}}}:{what}"

    async def _require_game(self, game_id: str) -> None:
        with self._guard():
            exists = await self._redis().exists(self._key(game_id, "info"))
        if not exists:
            raise await self._missing(game_id)

    # ------------------------------------------------------------------ games and credentials

    async def create_game(self, game_id: str, info: dict[str, Any]) -> None:
        text = encode(info, "game info")
        script = self._script(self._create)
        keys = [self._key(game_id, "info"), f"{self.prefix}games", f"{self.prefix}games:count"]
        with self._guard():
            created = await script(keys=keys, args=[text, game_id])
        if not created:
            raise GameExists(f"game {game_id!r} already exists")

    async def get_info(self, game_id: str) -> dict[str, Any]:
        with self._guard():
            text = await self._redis().get(self._key(game_id, "info"))
        if text is None:
            raise await self._missing(game_id)
        return decode(text)

    async def set_info(self, game_id: str, info: dict[str, Any]) -> None:
        text = encode(info, "game info")
        with self._guard():
            # XX: only an existing record is replaced (a deleted game's record is gone, so it stays gone)
            replaced = await self._redis().set(self._key(game_id, "info"), text, xx=True)
        if not replaced:
            raise await self._missing(game_id)

    async def list_games(self) -> list[str]:
        with self._guard():
            ids = await self._redis().zrange(f"{self.prefix}games", 0, -1)
        if not ids:
            why = await self.lost()  # a flushed Redis lists no games: not the same as having none
            if why is not None:
                raise StoreLost(why)
        return [i.decode() if isinstance(i, bytes) else str(i) for i in ids]

    async def delete_game(self, game_id: str) -> None:
        script = self._script(self._delete)
        keys = [
            self._key(game_id, "info"),
            self._key(game_id, "log"),
            self._key(game_id, "creds"),
            f"{self.prefix}games",
            self._key(game_id, "lease"),
            f"{self.prefix}leases",
        ]
        with self._guard():
            deleted = await script(keys=keys, args=[game_id])
        if not deleted:
            raise await self._missing(game_id)

    async def put_credential(self, game_id: str, key: str, record: dict[str, Any]) -> None:
        text = encode(record, "a credential record")
        script = self._script(self._put_credential)
        with self._guard():
            stored = await script(
                keys=[self._key(game_id, "info"), self._key(game_id, "creds")], args=[key, text]
            )
        if not stored:
            raise await self._missing(game_id)

    async def get_credential(self, game_id: str, key: str) -> dict[str, Any] | None:
        with self._guard():
            text = await self._redis().hget(self._key(game_id, "creds"), key)
        if text is None:
            why = await self.lost()  # a lost store must not pass for a wrong token or code
            if why is not None:
                raise StoreLost(why)
            return None
        return decode(text)

    # ------------------------------------------------------------------ the log

    async def append(self, game_id: str, expected_seq: int, events: list[Event]) -> int:
        """As the contract says; one caveat that no network store escapes: if the connection drops
        after Redis ran the script but before its reply arrived, the events were written yet this
        raises ``StoreUnavailable``. The caller's next append then meets ``SeqConflict`` and reloads.
        """
        bodies = encode_batch(expected_seq, events)
        script = self._script(self._append)
        keys = [self._key(game_id, "log"), self._key(game_id, "info")]
        with self._guard():
            status, seq = await script(keys=keys, args=[expected_seq, *bodies])
        if status == -1:
            raise await self._missing(game_id)
        if status == 0:
            raise SeqConflict(game_id, expected_seq, int(seq))
        return int(seq)

    async def read(self, game_id: str, after: int = 0) -> list[Event]:
        log = self._key(game_id, "log")
        events: list[Event] = []
        start = max(after, 0) + 1
        with self._guard():
            while True:
                # paged, so one huge log does not become one huge reply
                page = _entries(await self._redis().xrange(log, min=f"{start}-0", count=TAIL_BATCH))
                events.extend(decode(body) for _, body in page)
                if len(page) < TAIL_BATCH:
                    break
                start = page[-1][0] + 1
        if not events:
            await self._require_game(game_id)
        return events

    async def last_seq(self, game_id: str) -> int:
        with self._guard():
            top = _entries(await self._redis().xrevrange(self._key(game_id, "log"), count=1))
        if not top:
            await self._require_game(game_id)
            return 0
        return top[0][0]

    async def tail(self, game_id: str, after: int) -> AsyncIterator[list[Event]]:
        """Runs through Redis outages: on a connection error it waits (with back-off) and resumes the
        blocking read from the last seq it yielded, so the events appended meanwhile arrive in order.
        It has its own connection, so a blocked XREAD never holds up the store's other calls.
        """
        self._redis()  # not open: fail now rather than retry forever
        closing = asyncio.ensure_future(self._closing.wait())
        client = self._connect(socket_timeout=BLOCK_MS / 1000 + 5.0)
        log, info = self._key(game_id, "log"), self._key(game_id, "info")
        done = max(after, 0)
        known = False
        delay = RETRY_FIRST
        try:
            while self._lost is None:  # a lost store's streams will never be written again
                try:
                    if not known:
                        if not await _until(closing, client.exists(info)):
                            raise await self._missing(game_id)
                        known = True
                    reply: Any = await _until(
                        closing, client.xread({log: f"{done}-0"}, count=TAIL_BATCH, block=BLOCK_MS)
                    )
                except _Closed:
                    return
                except _DOWN as e:
                    if delay == RETRY_FIRST:
                        logger.warning("tail of %s lost redis at %s (%s), retrying", game_id, self.url, e)
                    try:
                        await _until(closing, asyncio.sleep(delay))
                    except _Closed:
                        return
                    delay = min(delay * 2, RETRY_CAP)
                    continue
                if delay != RETRY_FIRST:
                    logger.info("tail of %s is back on redis, resuming after seq %d", game_id, done)
                    delay = RETRY_FIRST
                if not reply:
                    continue  # the block timed out: nothing new
                # RESP2 shape (protocol unset): [[stream key, [(entry id, {field: value}), ...]]]
                entries = _entries(reply[0][1])
                done = entries[-1][0]
                yield [decode(body) for _, body in entries]
        finally:
            closing.cancel()
            await client.aclose()

    # ------------------------------------------------------------------ leases

    async def lease(self, game_id: str, holder: str, ttl: float) -> bool:
        script = self._script(self._lease)
        keys = [self._key(game_id, "lease"), f"{self.prefix}leases"]
        with self._guard():
            held = await script(keys=keys, args=[holder, max(1, round(ttl * 1000)), game_id])
        return bool(held)

    async def release(self, game_id: str, holder: str) -> None:
        script = self._script(self._release)
        with self._guard():
            await script(keys=[self._key(game_id, "lease"), f"{self.prefix}leases"], args=[holder, game_id])

    async def orphans(self, limit: int = 50) -> list[str]:
        script = self._script(self._orphans)
        with self._guard():
            ids = await script(keys=[f"{self.prefix}leases"], args=[limit])
        return [i.decode() if isinstance(i, bytes) else str(i) for i in ids]

    async def durability(self) -> tuple[Durability, str]:
        """Redis acknowledges a write once it is in memory: without the append-only file a restart loses
        everything since the last RDB snapshot, and without snapshots too, every game."""
        try:
            with self._guard():
                aof = await self._redis().config_get("appendonly")
                save = await self._redis().config_get("save")
        except (StoreUnavailable, rexc.ResponseError) as exc:  # managed services often rename CONFIG
            return "unknown", f"could not read Redis's persistence settings ({type(exc).__name__})"
        appendonly, schedule = _config(aof, "appendonly"), _config(save, "save")
        if appendonly == "yes":
            return "durable", ""
        if schedule.strip():
            return "snapshots", (
                f"Redis runs without appendonly (save {schedule!r}): a crash loses the games' last "
                "minutes; set appendonly yes"
            )
        return "none", "Redis has neither appendonly nor save: a restart of Redis loses every game"

    async def ping(self) -> bool:
        if self._client is None:
            return False
        try:
            return bool(await self._client.ping())
        except _DOWN:
            return False


def _as_bytes(value: bytes | str | None) -> bytes:
    return value.encode() if isinstance(value, str) else value or b""


def _config(reply: Any, name: str) -> str:
    """One value of a ``CONFIG GET`` reply (keys and values as str or bytes, by redis-py's version)."""
    for key, value in dict(reply).items():
        if (key.decode() if isinstance(key, bytes) else str(key)) == name:
            return value.decode() if isinstance(value, bytes) else str(value)
    return ""


def _entries(raw: Any) -> list[tuple[int, bytes]]:
    """``(seq, event JSON)`` from a list of stream entries ``(b"<seq>-0", {b"e": body})``.

    redis-py types replies as unions covering every protocol and decoding option; this store fixes
    both (RESP2, bytes), so the shape is known and checked here once.
    """
    out = []
    for entry_id, fields in raw:
        out.append((int(bytes(entry_id).partition(b"-")[0]), bytes(fields[b"e"])))
    return out


async def _until(closing: asyncio.Future[Any], aw: Awaitable[T]) -> T:
    """Await ``aw`` unless the store closes first (then ``_Closed``); a pending call is cancelled."""
    task = asyncio.ensure_future(aw)
    try:
        await asyncio.wait({task, closing}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    if task.cancelled():
        raise _Closed
    return task.result()
