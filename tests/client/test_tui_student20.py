"""Session 20's findings at the table: what the orders tab's few rows of notes leave out."""

from __future__ import annotations

from typing import Any

from test_tui_support import (
    add_clause,
    close_cards,
    commit_as,
    deals_at_orders,
    new_game,
    open_composer,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.widgets import OptionList, Select, Static

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


async def test_the_clause_list_takes_the_focus_on_its_first_clause_and_does_not_wrap(url: str) -> None:
    """Student k19 tabbed to the clause list (nothing highlighted), pressed ↑ to reach clause 1, landed on
    the last and deleted the clause meant to stay. The list now starts on clause 1, and ↑ stays there."""
    g, tokens = await new_game(url, teams=("mx", "us"))
    app = seat_app(url, g, tokens["mx"], mono=True)
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        for lever in ("mx_trace", "mx_pr"):
            await add_clause(pilot, cs, "mx", lever)
        ol = cs.query_one("#c-clauses", OptionList)
        cs.query_one("#c-team", Select).focus()
        await pilot.press("shift+tab")
        assert app.focused is ol
        await wait_until(pilot, lambda: ol.highlighted == 0, what="the first clause")
        assert "Delete removes clause 1: Mexico commits to MX-TRACE" in static_text(app, "#c-lever-text")
        await pilot.press("up", "delete")
        await wait_until(pilot, lambda: len(cs.clauses) == 1, what="a clause removed")
        assert [c.lever for c in cs.clauses] == ["mx_pr"]


async def test_a_lever_picked_by_mistake_is_dropped_with_delete(url: str) -> None:
    """Student g19 picked a lever by mistake: the list has no "none", and ctrl+s refused to send while
    the clause was half made. Delete outside a text field drops it, and the refusal says so."""
    g, tokens = await new_game(url, teams=("mx", "us"))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        cs = await open_composer(pilot)
        await add_clause(pilot, cs, "mx", "mx_trace")
        await commit_as(pilot, cs, "us")
        lever = cs.query_one("#c-lever", Select)
        lever.value = "us_arms"
        await wait_until(pilot, lambda: cs.form.lever is not None, what="the lever picked")
        lever.focus()
        await pilot.press("ctrl+s")
        said = "Delete (outside a text field) drops it"
        await wait_until(pilot, lambda: said in static_text(app, "#c-check"))
        await pilot.press("delete")
        await wait_until(pilot, lambda: lever.value is Select.NULL, what="the lever dropped")
        assert "Dropped the clause being edited (US-ARMS)" in static_text(app, "#c-check")
        assert [c.lever for c in cs.clauses] == ["mx_trace"]  # the clause added stays


async def test_a_chinese_clause_takes_the_player_to_the_deals_framing(url: str) -> None:
    """Two students learnt only on ctrl+s that a Chinese commitment needs the deal's framing, from a list
    fifteen Tabs below: adding the first Chinese clause moves the focus to it, with a line saying why."""
    g, tokens = await new_game(url, teams=("cn", "us"))
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        await add_clause(pilot, cs, "cn", "cn_directive")
        assert [c.lever for c in cs.clauses] == ["cn_directive"]
        framing = cs.query_one("#c-framing", Select)
        await wait_until(pilot, lambda: app.focused is framing, what="the framing")
        assert "needs the deal's framing" in static_text(app, "#c-lever-text")
