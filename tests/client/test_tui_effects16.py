"""A lever's effects say which way they go, all of them can be read, and they follow the parameters set
(session 15's student B, planning for China's reputation): "changes China's international reputation on
drugs" gave no direction, "and 1 more" hid the rest with no key to show them, and CN-REPLY-MX listed
the denial's and the memorandum's effects together whichever answer was chosen."""

from __future__ import annotations

from test_tui_support import modal, new_game, open_orders, screen_text, seat_app, static_text, wait_until
from textual.widgets import SelectionList, Static

from client_tui.lever_info import LeverScreen
from client_tui.panes.orders import OrdersPane

REPUTATION = "raises China's international reputation on drugs"


def _highlight(sl: SelectionList[str], lid: str) -> None:
    sl.highlighted = next(i for i in range(sl.option_count) if sl.get_option_at_index(i).value == lid)


async def test_every_effect_has_a_direction_and_e_shows_them_all(url: str) -> None:
    g, tokens = await new_game(url, teams=("cn",), scenario="red-line")
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(80, 24)) as pilot:
        gs, sl = await open_orders(pilot)
        sl.focus()
        _highlight(sl, "cn_enforce")
        await pilot.pause()
        detail = " ".join(static_text(app, "#order-detail").split())
        assert "changes" not in detail, detail
        assert "· e lists all 3 effects It raises effective Chinese precursor control" in detail, detail
        # the key is said on the screen at 80x24, not only in the text the box cuts off
        assert "e lists all 3 effects" in " ".join(screen_text(app).split())
        await pilot.press("e")
        screen = await modal(pilot, LeverScreen)
        text = " ".join(str(screen.query_one("#lever-text", Static).render()).split())
        assert text.startswith("CN-ENFORCE — "), text
        assert f"• {REPUTATION} (after 3m)" in text, text
        assert "• raises effective Chinese precursor control (after 3m)" in text, text
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is gs, what="back on the orders tab")


async def test_the_effects_follow_the_answer_chosen(url: str) -> None:
    g, tokens = await new_game(url, teams=("cn",), scenario="red-line")
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(160, 40)) as pilot:
        gs, sl = await open_orders(pilot)
        pane = gs.query_one(OrdersPane)
        sl.focus()
        _highlight(sl, "cn_reply_mx")
        await pilot.pause()
        deny = " ".join(static_text(app, "#order-detail").split())
        assert "lowers trust between Mexico and China" in deny, deny
        assert "extra interception" not in deny, deny
        pane._params["cn_reply_mx"] = {"answer": "mou"}  # as the parameters form (p) sets them
        pane.show()
        await pilot.pause()
        memo = " ".join(static_text(app, "#order-detail").split())
        assert "raises extra interception at Mexican ports" in memo, memo
        assert "raises trust between Mexico and China" in memo, memo
        assert "lowers trust between Mexico and China" not in memo, memo
        await pilot.press("e")
        screen = await modal(pilot, LeverScreen)
        text = " ".join(str(screen.query_one("#lever-text", Static).render()).split())
        assert "What it moves (with answer: a customs memorandum with Mexico):" in text, text
        assert f"• {REPUTATION} (after 2m)" in text and "lowers trust" not in text, text
