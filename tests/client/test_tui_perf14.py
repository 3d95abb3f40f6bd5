"""What a key press costs on the game screen: work that redraws the same thing again is skipped, and
what changes is still drawn. Each runs the real app under Pilot against a live server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from live_server import running_server
from test_tui_support import close_cards, new_game, seat_app, until_online, wait_until
from textual.widgets._footer import FooterKey

from client_tui.game_screen import GameScreen


@pytest.fixture
async def url() -> AsyncIterator[str]:
    async with running_server("memory://") as u:
        yield u


def footer_keys(gs: GameScreen) -> list[FooterKey]:
    return list(gs.query(FooterKey))


def footer_words(gs: GameScreen) -> list[str]:
    return [f"{k.key_display} {k.description}".strip() for k in footer_keys(gs)]


async def test_a_tab_switch_keeps_the_footer_keys_when_they_are_the_same(url: str) -> None:
    """Each tab switch moves the focus, and the stock footer mounted all its keys again on every
    focus change: a sixth of a turn's CPU went on identical keys. The same keys stay mounted now."""
    g, tokens = await new_game(url, teams=("us",))
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(100, 30)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("1")
        await wait_until(pilot, lambda: footer_keys(gs), what="the footer's keys")
        before, words = footer_keys(gs), footer_words(gs)
        assert any("Ready" in w for w in words)
        for key in ("6", "2", "1"):
            await pilot.press(key)
            await pilot.pause()
        after = footer_keys(gs)
        assert footer_words(gs) == words
        assert len(after) == len(before) and all(a is b for a, b in zip(after, before, strict=True))


async def test_the_footer_still_follows_the_keys_the_focus_brings(url: str) -> None:
    """The facilitator's control tab brings its own key (ctrl+e, advance the phase) into the footer,
    and it goes again with the tab: the footer is rebuilt when what it shows changes."""
    g, _tokens = await new_game(url, teams=("us",))
    app = seat_app(url, g, g.facilitator_token)
    async with app.run_test(size=(120, 30)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("1")
        await pilot.pause()
        assert not any("Advance phase" in w for w in footer_words(gs))
        await pilot.press("7")
        await wait_until(
            pilot, lambda: any("Advance phase" in w for w in footer_words(gs)), what="ctrl+e in the footer"
        )
        await pilot.press("1")
        await wait_until(
            pilot, lambda: not any("Advance phase" in w for w in footer_words(gs)), what="ctrl+e gone"
        )
