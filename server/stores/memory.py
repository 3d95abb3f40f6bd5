"""In-process store for tests and throwaway games: nothing survives the process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from server.stores.base import (
    Durability,
    Event,
    EventStore,
    GameExists,
    SeqConflict,
    StoreUnavailable,
    UnknownGame,
)
from server.stores.codec import TAIL_BATCH, decode, encode, encode_batch


@dataclass
class _Game:
    info: str
    log: list[str] = field(default_factory=list)  # log[i] holds seq i + 1, as JSON
    credentials: dict[str, str] = field(default_factory=dict)
    # Replaced on every append: a tail waits on the current one, so a wake-up is never missed and
    # waiters on other games are not disturbed.
    changed: asyncio.Event | None = None

    def wake(self) -> None:
        if self.changed is not None:
            self.changed.set()
            self.changed = None

    def waiter(self) -> asyncio.Event:
        if self.changed is None:
            self.changed = asyncio.Event()
        return self.changed


class MemoryStore(EventStore):
    """Every method completes without awaiting, so each is atomic on the event loop without locks.

    Values are kept as JSON text (see ``codec.encode``) so the memory store behaves exactly like the
    durable ones: a caller mutating what it passed in or got back never changes the stored game.
    """

    def __init__(self, url: str = "memory://") -> None:
        self.url = url
        self._games: dict[str, _Game] = {}
        self._open = False

    async def open(self) -> None:
        self._open = True

    async def close(self) -> None:
        self._open = False
        for game in self._games.values():
            game.wake()

    def _game(self, game_id: str) -> _Game:
        if not self._open:
            raise StoreUnavailable(f"store {self.url} is not open")
        try:
            return self._games[game_id]
        except KeyError:
            raise UnknownGame(f"unknown game {game_id!r}") from None

    async def create_game(self, game_id: str, info: dict[str, Any]) -> None:
        if not self._open:
            raise StoreUnavailable(f"store {self.url} is not open")
        text = encode(info, "game info")
        if game_id in self._games:
            raise GameExists(f"game {game_id!r} already exists")
        self._games[game_id] = _Game(text)

    async def get_info(self, game_id: str) -> dict[str, Any]:
        return decode(self._game(game_id).info)

    async def set_info(self, game_id: str, info: dict[str, Any]) -> None:
        game = self._game(game_id)
        game.info = encode(info, "game info")

    async def list_games(self) -> list[str]:
        if not self._open:
            raise StoreUnavailable(f"store {self.url} is not open")
        return list(self._games)

    async def delete_game(self, game_id: str) -> None:
        self._game(game_id)
        self._games.pop(game_id).wake()

    async def put_credential(self, game_id: str, key: str, record: dict[str, Any]) -> None:
        game = self._game(game_id)
        game.credentials[key] = encode(record, "a credential record")

    async def get_credential(self, game_id: str, key: str) -> dict[str, Any] | None:
        if not self._open:
            raise StoreUnavailable(f"store {self.url} is not open")
        game = self._games.get(game_id)
        text = game.credentials.get(key) if game is not None else None
        return None if text is None else decode(text)

    async def append(self, game_id: str, expected_seq: int, events: list[Event]) -> int:
        bodies = encode_batch(expected_seq, events)
        game = self._game(game_id)
        if len(game.log) != expected_seq:
            raise SeqConflict(game_id, expected_seq, len(game.log))
        game.log.extend(bodies)
        game.wake()
        return len(game.log)

    async def read(self, game_id: str, after: int = 0) -> list[Event]:
        return [decode(body) for body in self._game(game_id).log[max(after, 0) :]]

    async def last_seq(self, game_id: str) -> int:
        return len(self._game(game_id).log)

    async def tail(self, game_id: str, after: int) -> AsyncIterator[list[Event]]:
        game = self._game(game_id)
        done = max(after, 0)
        while self._open:
            if len(game.log) > done:
                batch = [decode(body) for body in game.log[done : done + TAIL_BATCH]]
                done += len(batch)
                yield batch
            else:
                await game.waiter().wait()

    async def durability(self) -> tuple[Durability, str]:
        return "none", "the memory store keeps nothing across a restart"

    async def ping(self) -> bool:
        return self._open
