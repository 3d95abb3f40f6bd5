"""What ``precursor games`` does to a store with no server in between: list, archive and purge games.

Built on the store contract alone, so it works the same on SQLite and Redis. A running server that
shares the store finds an archived or deleted game gone when it next loads it; one that holds the game
open keeps it until its connections next reconnect (as with the REST calls, docs/deploy.md).
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass
from typing import Any, Literal

from .stores import EventStore

Status = Literal["running", "finished", "archived"]
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


@dataclass(frozen=True)
class GameRow:
    game_id: str
    scenario: str
    name: str
    created: float
    active: float
    """The newest time the game is known to have been played: its creation, the times its log records
    (joins, settings, bots' turns), the hourly mark a server leaves while it is played, its end."""
    status: Status
    events: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_age(text: str) -> float:
    """``30d``, ``12h``, ``90m``, ``2w``, ``45s`` (or plain seconds) as seconds."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", text.lower())
    if m is None:
        raise ValueError(f"bad age {text[:20]!r}: expected a number and a unit, e.g. 30d, 12h, 90m")
    return float(m.group(1)) * _UNITS[m.group(2) or "s"]


async def game_row(store: EventStore, game_id: str) -> GameRow:
    info = await store.get_info(game_id)
    events = await store.read(game_id)
    times = [float(info.get(k) or 0.0) for k in ("created", "active", "ended_at", "archived_at")]
    times += [float(e["at_time"]) for e in events if isinstance(e.get("at_time"), int | float)]
    ended = bool(info.get("ended")) or any(e.get("type") == "game_over" for e in events[-3:])
    status: Status = "archived" if info.get("archived") else "finished" if ended else "running"
    return GameRow(
        game_id=game_id,
        scenario=str(info.get("scenario", "")),
        name=str(info.get("name", "")),
        created=float(info.get("created") or 0.0),
        active=max(times),
        status=status,
        events=len(events),
    )


async def game_rows(store: EventStore) -> list[GameRow]:
    """Every game in the store, oldest first."""
    return [await game_row(store, gid) for gid in await store.list_games()]


async def archive_games(store: EventStore, game_ids: list[str], now: float | None = None) -> list[str]:
    """Mark each game archived (checked first, all of them: an unknown id archives nothing); returns
    the ids that were not archived before. The log and the credentials stay."""
    infos = {gid: await store.get_info(gid) for gid in dict.fromkeys(game_ids)}
    when = time.time() if now is None else now
    done = []
    for gid, info in infos.items():
        if info.get("archived"):
            continue
        await store.set_info(gid, {**info, "archived": True, "archived_at": when})
        done.append(gid)
    return done


async def purge_games(
    store: EventStore,
    older_than: float,
    *,
    finished_only: bool = False,
    dry_run: bool = False,
    now: float | None = None,
) -> list[GameRow]:
    """Delete every game not played for ``older_than`` seconds (only those no longer running with
    ``finished_only``: finished or archived); returns them. ``dry_run`` deletes nothing."""
    when = time.time() if now is None else now
    chosen = [
        row
        for row in await game_rows(store)
        if when - row.active > older_than and not (finished_only and row.status == "running")
    ]
    if not dry_run:
        for row in chosen:
            await store.delete_game(row.game_id)
    return chosen
