"""Session 20's findings at the table: what the orders tab's few rows of notes leave out."""

from __future__ import annotations

from typing import Any

from test_tui_support import close_cards, deals_at_orders, seat_app, static_text, until_online, wait_until
from textual.widgets import Static

from client_tui import fit
from client_tui.lever_info import NotesScreen
from client_tui.panes.orders import OrdersPane


def _mx(lever: str, **params: Any) -> dict[str, Any]:
    return {"actor": "mx", "lever": lever, "params": params, "start_turn": 1, "duration": 1}


async def test_promises_that_do_not_fit_above_the_list_are_counted_and_read_in_full_on_i(url: str) -> None:
    """Three students at 80x24 read a promise warning cut mid-sentence, or never saw the one that
    would break: the area above the list holds five rows and said nothing of the rest. Each line shown
    is whole, the last row counts the lines left out and their warnings, and i shows every one."""
    plan = [_mx("mx_plan_3"), _mx("mx_plan_4"), _mx("mx_plan_5")]
    g, tokens = await deals_at_orders(
        url, plan, [_mx("mx_port", intensity=150)], [_mx("mx_trace")], [_mx("mx_deleg")], by_mx=1
    )
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("5")
        pane = gs.query_one(OrdersPane)
        await wait_until(pilot, lambda: "A1-MX-1" in gs.model.agreements, what="the deals")
        await wait_until(pilot, lambda: gs.model.phase == "orders" and not pane.checking(), what="the orders")
        await wait_until(pilot, lambda: "reads them all" in static_text(app, "#order-info"), what="the count")
        full = pane._info.split("\n")
        promised = [line for line in full if "you promised" in line]
        assert len(promised) == 4, full
        info = gs.query_one("#order-info", Static)
        shown = static_text(app, "#order-info").split("\n")
        # every row of the area is drawn: no line runs past its bottom
        width = info.content_region.width
        assert sum(fit.rows_of(line, width) for line in shown) <= info.size.height, (shown, info.size)
        *whole, more = shown
        assert all(line in full for line in whole), whole  # shown whole, none cut
        hidden = [line for line in full if line not in whole]
        assert more == fit.more_line(hidden, "i"), more
        assert any(line.startswith("!") for line in hidden), hidden  # a warning was left out: it is counted
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, NotesScreen), what="the notes")
        text = str(app.screen.query_one("#lever-text", Static).render())
        # one deal's levers left out share a line (three took six of the five rows)
        assert "you promised MX-PLAN(iii), MX-PLAN(iv) and MX-PLAN(v) this turn; leaving any of them" in text
        for code in ("MX-PORT", "MX-TRACE", "MX-DELEG"):
            assert f"you promised {code} this turn" in text, (code, text)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, NotesScreen), what="back")


def test_notes_that_fit_are_all_shown_and_the_first_line_always() -> None:
    """No count when everything fits; the budget line stays even when it alone fills the rows."""
    lines = ["Orders left 4 of 4", "! a warning"]
    assert fit.fit_lines(lines, 40, 5, "i") == lines
    long = ["x " * 100, "! one", "two"]
    assert fit.fit_lines(long, 20, 3, "i") == [long[0], fit.more_line(long[1:], "i")]
    assert fit.more_line(["! a", "b"], "i") == "… 2 more lines, 1 of them a warning: i reads them all"
