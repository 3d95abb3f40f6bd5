"""What most client tests share: a real embedded server on loopback with the in-memory store, one per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from live_server import running_server


@pytest.fixture
async def url() -> AsyncIterator[str]:
    async with running_server("memory://") as u:
        yield u


PLAY_THROUGH = "test_students_play_the_scenario_to_the_end_as_every_team"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The play-through's games first, the longest first: each is minutes of one worker's time (The
    Record alone is a third of the turns), and one started last keeps its worker busy long after the
    rest of the suite is done; started first, the other workers take the short tests around them."""
    games = [i for i in items if getattr(i, "originalname", "") == PLAY_THROUGH]
    if not games:
        return
    module = games[0].module  # type: ignore[attr-defined]

    def weight(item: pytest.Item) -> int:
        game = item.callspec.params["game"]  # type: ignore[attr-defined]
        return int(module.game_turns(game)) * (1 if game == "solo" else len(module.TEAMS))

    first = sorted(games, key=weight, reverse=True)
    chosen = set(map(id, first))
    items[:] = first + [i for i in items if id(i) not in chosen]
