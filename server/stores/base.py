"""The event-store contract every backend keeps (memory, SQLite, Redis).

A game is an append-only log of events numbered 1, 2, 3 … (the engine's ``seq``). Appends are
optimistic: the caller says which sequence number it last saw, and the append succeeds only if the
log still ends there, so two server instances that race on one game cannot both win. Besides the log
a store keeps a small public record per game (``info``) and the credentials of its seats, kept apart
from the log so that an exported log never carries them.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator
from typing import Any, Literal

from precursor.game.events import LogEvent

# A store holds events as the engine logged them and reads nothing in them but ``seq``: the loose form.
# What each event type holds is ``precursor.game.events``.
Event = LogEvent
Durability = Literal["durable", "snapshots", "none", "unknown"]


class StoreError(Exception):
    """Base of every store failure; ``code`` is what the server puts in its error frame."""

    code = "store_error"


class SeqConflict(StoreError):
    """The log no longer ends where the caller thought: someone else appended first."""

    code = "conflict"

    def __init__(self, game_id: str, expected: int, actual: int) -> None:
        super().__init__(f"game {game_id}: expected to append after {expected}, but the log ends at {actual}")
        self.expected = expected
        self.actual = actual


class StoreUnavailable(StoreError):
    """The backend cannot be reached right now; nothing was written."""

    code = "store_unavailable"


class UnknownGame(StoreError):
    code = "unknown_game"


class StoreLost(StoreError):
    """The backend answers, but not with the data this server was using: it restarted without its data
    or was flushed (``EventStore.lost``). Nothing this process holds can be trusted to match the store,
    so it refuses everything until it is restarted; a game that vanished is reported this way, not as
    an unknown game that a client would give up on."""

    code = "store_lost"


class GameExists(StoreError):
    code = "game_exists"


class EventStore(abc.ABC):
    """One interface, three backends; ``tests/test_stores.py`` runs the same contract on each."""

    url: str

    async def open(self) -> None:  # noqa: B027 - optional hook
        """Connect / create tables. Idempotent."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; tails end."""

    @abc.abstractmethod
    async def create_game(self, game_id: str, info: dict[str, Any]) -> None:
        """Register a game with its public record; raises ``GameExists``."""

    @abc.abstractmethod
    async def get_info(self, game_id: str) -> dict[str, Any]:
        """The game's record; raises ``UnknownGame``."""

    @abc.abstractmethod
    async def set_info(self, game_id: str, info: dict[str, Any]) -> None:
        """Replace the game's record; raises ``UnknownGame``."""

    @abc.abstractmethod
    async def list_games(self) -> list[str]:
        """Every game id, oldest first."""

    @abc.abstractmethod
    async def delete_game(self, game_id: str) -> None:
        """Remove the game entirely: its record, its log and its credentials, at once (a game is never
        left half-deleted); raises ``UnknownGame``. Tails of the game stop receiving; nothing else does."""

    @abc.abstractmethod
    async def put_credential(self, game_id: str, key: str, record: dict[str, Any]) -> None:
        """Store (or replace) the record of one credential, keyed by the hash of a token or join code."""

    @abc.abstractmethod
    async def get_credential(self, game_id: str, key: str) -> dict[str, Any] | None:
        """The record for a credential key, or None."""

    @abc.abstractmethod
    async def append(self, game_id: str, expected_seq: int, events: list[Event]) -> int:
        """Append events numbered ``expected_seq + 1 …`` atomically; returns the new last seq.

        Raises ``SeqConflict`` (nothing written) if the log does not end at ``expected_seq``,
        ``ValueError`` if the events are not numbered consecutively from ``expected_seq + 1``,
        ``UnknownGame`` and ``StoreUnavailable``.
        """

    @abc.abstractmethod
    async def read(self, game_id: str, after: int = 0) -> list[Event]:
        """Every event with seq > ``after``, in order."""

    @abc.abstractmethod
    async def last_seq(self, game_id: str) -> int:
        """The seq of the last event (0 for an empty log)."""

    @abc.abstractmethod
    def tail(self, game_id: str, after: int) -> AsyncIterator[list[Event]]:
        """Yield batches of new events (seq > ``after``, in order, no gap, no duplicate) as they land,
        including those appended by other processes sharing the backend; runs until cancelled or closed.
        """

    async def durability(self) -> tuple[Durability, str]:
        """How safe an acknowledged event is across a crash or restart of the backend: ``durable``,
        ``snapshots`` (the last minutes can be lost), ``none`` or ``unknown``, with a line saying why."""
        return "durable", ""

    async def lost(self) -> str | None:
        """Why the backend no longer holds the data this store saw when it opened, or ``None``. Only a
        shared server (Redis) can lose it behind the process's back; a file or memory cannot."""
        return None

    async def lease(self, game_id: str, holder: str, ttl: float) -> bool:
        """Take the game's lease for ``holder`` for ``ttl`` seconds, or renew it if ``holder`` has it;
        whether ``holder`` holds it now. The holder alone runs the game's phase clock and bots. A store
        one process serves (memory, SQLite) has no one to share with: the caller always holds it."""
        return True

    async def release(self, game_id: str, holder: str) -> None:  # noqa: B027 - optional hook
        """Give the lease up, if ``holder`` has it, so another server may take it at once."""

    async def orphans(self, limit: int = 50) -> list[str]:
        """Games whose lease ran out without being released (their holder died): some server should
        load them and take the lease, or their clocks and bots stop. Empty where there are no leases."""
        return []

    @abc.abstractmethod
    async def ping(self) -> bool:
        """Whether the backend answers now (health checks and outage reports)."""
