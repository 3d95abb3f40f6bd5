"""80x24 as students met it (session 13): the news popup's scrollbar drawn between the text and the
popup's right padding, where it read as part of a line ("CA-TRI — Convene a▆▆"), and its head's
"(1)" wrapped onto a line of its own."""

from __future__ import annotations

from live_server import running_server
from test_tui_support import advance_to, close_cards, modal, new_game, screen_text, seat_app, until_online

from client_tui.panes.briefing import InjectCards
from precursor.client import GameClient


async def test_the_news_popup_at_80x24_keeps_its_scrollbar_at_its_border_and_its_head_on_one_line() -> None:
    async with running_server("memory://") as url:
        g, tokens = await new_game(url, teams=("ca",), scenario="three-weeks")
        app = seat_app(url, g, tokens["ca"])
        async with app.run_test(size=(80, 24)) as pilot:
            await until_online(pilot)
            await close_cards(pilot)
            async with GameClient(url, g.game_id, g.facilitator_token) as fac:
                await advance_to(fac, "briefing", 3)
            cards = await modal(pilot, InjectCards)
            await pilot.pause()
            box = cards.query_one("#inject-cards")
            assert box.max_scroll_y > 0  # the cards are longer than the popup: it scrolls
            # the scrollbar sits against the right border, not before a padding (where it read as text)
            bar = box.vertical_scrollbar.region
            assert bar.width > 0 and bar.right == box.region.right - 1, (bar, box.region)
            text = screen_text(app)
            assert "News — Enter or Esc closes; the briefing tab (1) keeps every inject" in text, text
