"""What session 27 mended in the client, on a real server and the real client."""

from __future__ import annotations

from typing import Any

from test_tui_support import (
    advance_to,
    close_cards,
    game_at_orders,
    modal,
    negotiation_table,
    new_game,
    open_proposals,
    propose,
    screen_text,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.widgets import DataTable, Input

from client_tui.help import HelpScreen
from client_tui.panes.orders import OrdersPane
from client_tui.white_cell import FreeActionScreen


async def test_home_and_end_on_the_dashboard_go_to_its_first_and_last_row_and_f1_says_so(url: str) -> None:
    """Student b26 (80x24) pressed Home on the dashboard and nothing happened (a table of rows only
    scrolled sideways); PageUp fifteen times took it back to the top. The keys first came back
    listed nowhere, and the check that every key is in F1 and the palette failed."""
    g, tokens = await new_game(url, teams=("us",))
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(80, 24)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("2")
        table = gs.query_one("#indicators", DataTable)
        await wait_until(pilot, lambda: table.row_count > 20, what="the indicators")
        table.focus()
        await pilot.press("end")
        await wait_until(pilot, lambda: table.cursor_row == table.row_count - 1, what="the last row")
        assert table.scroll_y > 0
        await pilot.press("home")
        await wait_until(pilot, lambda: table.cursor_row == 0 and table.scroll_y == 0, what="the first row")
        # the palette offers both, and its command moves the table as the key does
        palette = {c.title: c for c in app.get_system_commands(gs)}
        assert {"First row of the indicators", "Last row of the indicators"} <= set(palette)
        app.call_later(palette["Last row of the indicators"].callback)
        await wait_until(pilot, lambda: table.cursor_row == table.row_count - 1, what="the palette's End")
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(120, 66)) as pilot:
        await until_online(pilot)
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="F1")
        await pilot.pause()
        lines = [" ".join(line.split()) for line in screen_text(app).splitlines()]
        assert any("Home dashboard tab: First row of the indicators" in line for line in lines), lines
        assert any("End dashboard tab: Last row of the indicators" in line for line in lines), lines


async def test_the_proposals_tab_finds_the_orders_tab_once_not_at_every_redraw(url: str) -> None:
    """The line under the proposals table counts the orders ticked in the orders tab, and walked the
    whole screen for that tab at every redraw: 605 walks, 8.4 s of a play-through's client CPU."""
    async with negotiation_table(url, "us", "mx") as t:
        pid = await propose(t.partner, ["mx", "us"], [{"actor": "us", "lever": "us_arms"}])
        gs, _table = await open_proposals(t.pilot)
        looked: list[Any] = []
        walk = gs.query

        def spy(*args: Any, **kwargs: Any) -> Any:
            looked.extend(args)
            return walk(*args, **kwargs)

        gs.query = spy  # type: ignore[method-assign]
        for _ in range(5):
            gs.proposals.show()
        await t.pilot.press("down", "up")
        await t.pilot.pause()
        assert pid in static_text(t.app, "#prop-hint")  # the line was drawn for the proposal
        assert OrdersPane not in looked, looked


async def test_esc_on_a_free_action_with_a_draft_says_the_draft_is_kept(url: str) -> None:
    """The game screen kept the draft when the form closed with Esc, and said nothing: a student
    thought it lost. An empty form closed says nothing (there is nothing to get back to)."""
    g, tokens = await game_at_orders(url, "us")
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(80, 24)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("f")
        await modal(pilot, FreeActionScreen)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is gs, what="the form to close")
        assert "draft" not in static_text(app, "#notice")
        await pilot.press("f")
        fa = await modal(pilot, FreeActionScreen)
        fa.query_one("#fa-title", Input).value = "Gun-shop audit"
        await pilot.pause()
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is gs, what="the form to close")
        said = static_text(app, "#notice")
        assert said == "free action not tabled; your draft is kept — f opens it again", said
        assert said in screen_text(app)  # whole on the line at 80 columns
        await pilot.press("f")
        fa = await modal(pilot, FreeActionScreen)
        assert fa.query_one("#fa-title", Input).value == "Gun-shop audit"


async def test_the_proposals_table_keeps_team_codes_when_the_statuses_shorten_at_turn_2(url: str) -> None:
    """At 80x24 an offer "to answer · 1/2 accepted" leaves the clauses room only with the parties by
    team code; at turn 2 it read "expired", the names fitted again, and the column went from
    "MX → US" to "Mexico → United States" with nothing else changed (student finding, session 27)."""
    async with negotiation_table(url, "us", "mx", size=(80, 24)) as t:
        pid = await propose(t.partner, ["mx", "us"], [{"actor": "us", "lever": "us_arms"}])
        gs, table = await open_proposals(t.pilot)

        def between() -> str:
            return str(table.get_row(pid)[1])

        await wait_until(t.pilot, lambda: between() == "MX → US", what="the parties by code")
        await advance_to(t.fac, "negotiation", 2)
        await wait_until(t.pilot, lambda: gs.model.turn == 2, what="turn 2")
        await close_cards(t.pilot)
        await wait_until(t.pilot, lambda: "expired" in str(table.get_row(pid)[2]), what="the offer expired")
        await t.pilot.pause()
        assert between() == "MX → US", between()
        assert table.max_scroll_x == 0  # the row fits: nothing to scroll sideways
