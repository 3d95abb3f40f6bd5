"""The briefing's calendar agrees with the turn's news: Election Season's first briefing said "Open political
windows: none this turn" beside the Woodside card's "A leader summit is open this turn no → yes"."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from live_server import running_server
from test_tui_support import close_cards, new_game, seat_app, until_online, wait_until


@pytest.fixture
async def url() -> AsyncIterator[str]:
    async with running_server("memory://") as u:
        yield u


def _windows_line(text: str) -> str:
    return next(x for x in text.splitlines() if x.startswith("Open political windows:"))


async def test_the_briefing_lists_the_summit_an_inject_opened(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",), scenario="election-season", seed=21)
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        await wait_until(pilot, lambda: "Open political windows" in gs.briefing._brief, what="the briefing")
        await close_cards(pilot)
        assert any(ev.get("id") == "c_woodside_summit" for ev in gs.model.injects)
        assert _windows_line(gs.briefing._brief) == "Open political windows: leader summit"
        assert "2023-11-15: Biden–Xi summit at Woodside, California" in gs.briefing._brief
