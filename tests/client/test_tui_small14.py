"""80x24 as students met it (session 13): the news popup's scrollbar drawn between the text and the
popup's right padding, where it read as part of a line ("CA-TRI — Convene a▆▆"), and its head's
"(1)" wrapped onto a line of its own."""

from __future__ import annotations

from live_server import running_server
from test_tui_support import advance_to, close_cards, modal, new_game, screen_text, seat_app, until_online
from textual.widgets import Input, Static

from client_tui.panes.briefing import InjectCards
from client_tui.white_cell import FreeActionScreen
from precursor.client import GameClient
from precursor.game.rulebook import default_rulebook


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


async def test_the_free_action_form_at_80x24_opens_with_its_cost_in_view_and_its_lines_whole() -> None:
    """The form opened scrolled to its title field, its head and cost line above the top; the
    "What it would change (... moves the value" line was cut at 80 columns."""
    async with running_server("memory://") as url:
        rb = default_rulebook()
        personas = dict(rb.scenarios["tutorial"].model.personas)
        bots = {t: p for t, p in personas.items() if t != "us"}
        g, tokens = await new_game(url, teams=("us",), bots=bots)
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(80, 24)) as pilot:
            await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("f")
            fa = await modal(pilot, FreeActionScreen)
            await pilot.pause(0.3)
            text = screen_text(app)
            flat = " ".join(text.split())
            assert "each claim costs 1 PC small" in flat, text
            assert "It is not free: each claim costs political capital" in flat, text
            # the line under the fold, wrapped whole rather than cut at the box's edge
            what = next(w for w in fa.query(Static) if str(w.render()).startswith("What it would change"))
            assert what.size.height == 2 and what.size.width <= 76, what.size
            assert isinstance(fa.focused, Input) and fa.focused.id == "fa-title"
