"""Event stores behind one contract (``base.EventStore``), picked by URL.

The backends are imported only when their URL is opened, so running on SQLite never imports redis-py.
What they share (how a record is encoded and a batch checked) is in ``codec``, below them all.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from server.stores.base import (
    Event,
    EventStore,
    GameExists,
    SeqConflict,
    StoreError,
    StoreLost,
    StoreUnavailable,
    UnknownGame,
)

__all__ = [
    "Event",
    "EventStore",
    "GameExists",
    "SeqConflict",
    "StoreError",
    "StoreLost",
    "StoreUnavailable",
    "UnknownGame",
    "open_store",
    "sqlite_path",
]

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
