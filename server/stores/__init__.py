"""Event stores behind one contract (``base.EventStore``), picked by URL.

The backends are imported only when their URL is opened, so running on SQLite never imports redis-py.
The helpers below are shared by every backend so that a bad batch or record is refused the same way
everywhere (the contract tests run one suite against all of them).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote, urlsplit

from server.stores.base import (
    Event,
    EventStore,
    GameExists,
    SeqConflict,
    StoreError,
    StoreUnavailable,
    UnknownGame,
)

__all__ = [
    "TAIL_BATCH",
    "Event",
    "EventStore",
    "GameExists",
    "SeqConflict",
    "StoreError",
    "StoreUnavailable",
    "UnknownGame",
    "open_store",
    "sqlite_path",
]

#: Upper bound on one batch yielded by ``tail()``, so a reader that starts far behind gets bounded replies.
TAIL_BATCH = 1000

_URL_FORMS = "memory://, sqlite:///path.db, redis://host:port/db or unix:///path/to/redis.sock?db=N"


def open_store(url: str) -> EventStore:
    """Build (but do not connect) the store a URL names; ``await store.open()`` connects."""
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if scheme == "memory":
        from server.stores.memory import MemoryStore

        return MemoryStore(url)
    if scheme == "sqlite":
        from server.stores.sqlite import SqliteStore

        return SqliteStore(sqlite_path(url), url=url)
    if scheme in ("redis", "rediss", "unix"):
        from server.stores.redis import RedisStore

        return RedisStore(url)
    # only the scheme is echoed: a URL can carry a password
    raise ValueError(f"unknown store URL scheme {scheme or url[:20]!r}; expected {_URL_FORMS}")


def sqlite_path(url: str) -> str:
    """The file a ``sqlite:///`` URL names, following SQLAlchemy's convention.

    Everything after ``sqlite:///`` is the path, so ``f"sqlite:///{path}"`` works for both kinds:
    ``sqlite:///games.db`` is relative to the working directory and ``sqlite:////var/lib/games.db``
    (four slashes) is absolute.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() != "sqlite" or parts.netloc or not parts.path.startswith("/"):
        raise ValueError(
            f"bad SQLite store URL {url!r}: expected sqlite:///relative.db or sqlite:////abs/path.db"
        )
    path = unquote(parts.path[1:])
    if not path:
        raise ValueError(f"bad SQLite store URL {url!r}: no file path")
    return path


def encode(value: dict[str, Any], what: str) -> str:
    """Serialise a record the way every backend stores it.

    Even the memory store round-trips through JSON so that callers see the same values (fresh copies,
    tuples as lists) whichever backend runs; NaN and infinity are refused because they are not JSON.
    ASCII escapes keep lone surrogates storable in SQLite and Redis alike.
    """
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a dict, not {type(value).__name__}")
    return json.dumps(value, allow_nan=False, separators=(",", ":"))


def decode(text: str | bytes) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(text)
    return value


def encode_batch(expected_seq: int, events: list[Event]) -> list[str]:
    """Check a batch before the backend is touched, so a misnumbered batch is never half-written."""
    if isinstance(expected_seq, bool) or not isinstance(expected_seq, int) or expected_seq < 0:
        raise ValueError(f"expected_seq must be an int >= 0, not {expected_seq!r}")
    if not events:
        raise ValueError("nothing to append: the batch is empty")
    bodies = []
    for want, event in enumerate(events, start=expected_seq + 1):
        seq = event.get("seq") if isinstance(event, dict) else None
        if type(seq) is not int or seq != want:
            raise ValueError(
                f"events must be numbered {expected_seq + 1}, {expected_seq + 2}, …: "
                f"event #{want - expected_seq} has seq {seq!r}, expected {want}"
            )
        bodies.append(encode(event, "an event"))
    return bodies
