"""A new turn's news (session 14): the popup showed one card with nothing to say more followed, and a
student closed it after the first of three; the briefing kept the last turn's scroll, mid-scenario,
so turn 2's injects were not where they looked."""

from __future__ import annotations

from live_server import running_server
from test_tui_support import advance_to, close_cards, modal, new_game, seat_app, until_online, wait_until
from textual.widgets import Static

from client_tui.panes import InjectCards
from precursor.client import GameClient


async def test_the_news_says_how_many_cards_and_the_briefing_opens_at_its_top_on_a_new_turn() -> None:
    async with running_server("memory://") as url:
        g, tokens = await new_game(url, teams=("ca",), scenario="three-weeks")
        app = seat_app(url, g, tokens["ca"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("1", "pagedown", "pagedown", "pagedown")
            await wait_until(pilot, lambda: gs.briefing.scroll_y > 0, what="the briefing scrolled down")
            async with GameClient(url, g.game_id, g.facilitator_token) as fac:
                await advance_to(fac, "briefing", 2)
            cards = await modal(pilot, InjectCards)
            await pilot.pause(0.5)
            n = len(cards.texts)
            assert n > 1, n
            count = cards.query_one("#cards-count", Static)
            assert count.display and str(count.render()) == f"{n} cards: ↓ or PgDn goes on to the next"
            shown = [str(s.render()) for s in cards.query(".card").results(Static)]
            assert [s.split(" · ", 1)[0] for s in shown] == [f"{i} of {n}" for i in range(1, n + 1)], shown
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, InjectCards), what="the cards closed")
            await pilot.pause(0.3)
            assert gs.briefing.scroll_y == 0, gs.briefing.scroll_y
