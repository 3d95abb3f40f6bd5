"""Session 22's students in the proposal composer, the parameters forms and the proposals tab: parties a
module added unseen, a condition that could not be taken back, the visibility changed by keys typed
ahead, forms with no "now" for the levels a lever moves, and a slots line that left out the ticks."""

from __future__ import annotations

from typing import Any

import pytest
from test_tui_compose14 import _pick
from test_tui_compose21 import _params_form
from test_tui_proposals21 import _c, us_with_two
from test_tui_support import (
    add_clause,
    game_at_orders,
    modal,
    new_game,
    open_composer,
    screen_text,
    seat_app,
    static_text,
    wait_until,
)
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input, Select, SelectionList

from client_tui.composer import ComposerScreen, ProposalScreen
from client_tui.game_screen import GameScreen


def _boxes(cs: ComposerScreen) -> dict[str, bool]:
    return {t: cs.query_one(f"#party-{t}", Checkbox).value for t in ("us", "mx", "cn")}


# ---------------------------------------------------------------------- 1. a module's parties


async def _t3_after(pilot: Pilot[Any], party: str, said: str) -> ComposerScreen:
    """Canada's composer with ``party`` ticked, then module T3, once the check line says ``said``."""
    cs = await open_composer(pilot)
    cs.query_one(f"#party-{party}", Checkbox).value = True
    await pilot.pause()
    cs.query_one("#module-t3", Checkbox).value = True
    await wait_until(pilot, lambda: said in static_text(pilot.app, "#c-check"), what=said)
    return cs


async def test_ticking_a_module_says_whom_it_adds_and_unticking_it_takes_them_back(url: str) -> None:
    """A student ticked China, then T3 (Canada here): the deal went to the United States, Mexico and China
    with their boxes scrolled off and no word. The check line says whom ticking T3 adds, the heading
    (always in view) names the parties, and unticking T3 takes them off again."""
    g, tokens = await new_game(url, teams=("ca",))
    app = seat_app(url, g, tokens["ca"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await _t3_after(pilot, "cn", "ticking T3 adds the United States and Mexico as parties")
        assert _boxes(cs) == {"us": True, "mx": True, "cn": True}
        head = static_text(app, "#c-head")
        assert "parties: Canada, United States, Mexico and China" in head or (
            "parties: United States, Mexico, China and Canada" in head
        ), head
        cs.query_one("#module-t3", Checkbox).value = False
        await wait_until(pilot, lambda: not cs.query_one("#party-us", Checkbox).value, what="US unticked")
        assert _boxes(cs) == {"us": False, "mx": False, "cn": True}
        assert "unticking T3 takes the United States and Mexico off the parties" in static_text(
            app, "#c-check"
        )
        assert [str(t) for t in cs.parties()] == ["cn", "ca"]


async def test_unticking_a_module_keeps_the_parties_the_player_ticked_or_a_clause_needs(url: str) -> None:
    """Only the parties the module alone had added go: Mexico, ticked by the student, and the United
    States, which commits in a clause, stay."""
    g, tokens = await new_game(url, teams=("ca",))
    app = seat_app(url, g, tokens["ca"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await _t3_after(pilot, "mx", "ticking T3 adds the United States as a party")
        await add_clause(pilot, cs, "us", "us_arms")
        await wait_until(pilot, lambda: len(cs.clauses) == 1, what="the clause")
        cs.query_one("#module-t3", Checkbox).value = False
        await pilot.pause(0.2)
        assert _boxes(cs) == {"us": True, "mx": True, "cn": False}
        assert "unticking" not in static_text(app, "#c-check")


# ---------------------------------------------------------------------- 2. a condition taken back


async def test_a_condition_picked_by_mistake_can_be_set_back_to_none(url: str) -> None:
    """A student found a value with the condition's find field, Enter, Enter, and could not take it back:
    the list's "no condition" row stayed closed to the cursor. It is offered again once a value is
    picked, and choosing it says the clause has no condition now."""
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        await _pick(pilot, cs, "mx_port")
        cs.query_one("#c-if-find", Input).focus()
        await pilot.press(*"tension", "enter")
        await pilot.pause(0.2)
        await pilot.press("enter")
        sel = cs.query_one("#c-if", Select)
        await wait_until(pilot, lambda: sel.value is not Select.NULL, what="a condition picked")
        assert app.focused is sel, app.focused
        await pilot.press("enter")
        await wait_until(pilot, lambda: sel.expanded, what="the list open")
        await pilot.press("home", "enter")
        await wait_until(pilot, lambda: sel.value is Select.NULL, what="no condition")
        assert "no condition now" in static_text(app, "#c-check")
        assert cs._condition() is None


# ---------------------------------------------------------------------- 5. the ticks in the slots line


async def _tick_three(pilot: Pilot[Any], gs: GameScreen) -> None:
    """Two of the US's levers ticked in the orders tab and US-VISA (the deal's: one slot, however asked
    for), then back to the proposals tab with T1-MX-1 highlighted."""
    await pilot.press("5")
    sl: SelectionList[str] = gs.query_one("#order-list", SelectionList)
    await wait_until(pilot, lambda: sl.option_count > 3, what="the levers")
    free = [
        str(o.value)
        for o in (sl.get_option_at_index(i) for i in range(sl.option_count))
        if not o.disabled and o.value not in ("us_ind", "us_visa")
    ]
    for lever in [*free[:2], "us_visa"]:
        sl.select(lever)
    await pilot.pause(0.2)
    await pilot.press("4")
    table: DataTable[Any] = gs.query_one("#prop-table", DataTable)
    table.move_cursor(row=table.get_row_index("T1-MX-1"))
    await pilot.pause(0.2)


async def test_the_slots_line_at_80_columns_counts_the_ticks_on_one_line(url: str) -> None:
    """At 80x24 the line under the table is one line (a second pushed the buttons off), ticks counted."""
    clauses = [_c("mx", "mx_trace"), _c("us", "us_visa")]
    async with us_with_two(url, "mx", clauses, size=(80, 24)) as (pilot, gs):
        await _tick_three(pilot, gs)
        limit = int(gs.model.view["order_limit"])
        hint = static_text(pilot.app, "#prop-hint")
        assert hint.startswith(f"Accepting T1-MX-1: +1 order → 4/{limit} slots, "), hint
        assert hint.endswith("with 3 ticked"), hint
        assert gs.query_one("#prop-hint").size.height == 1


async def test_the_slots_a_deal_takes_count_the_orders_ticked_in_the_orders_tab(url: str) -> None:
    """Accepting a deal said "2 of your 4 order slots" to a student with three more orders ticked: the
    line under the table and the proposal in full count the ticks too, a lever once."""
    async with us_with_two(url, "mx", [_c("mx", "mx_trace"), _c("us", "us_visa")]) as (pilot, gs):
        app = pilot.app
        await _tick_three(pilot, gs)
        limit = int(gs.model.view["order_limit"])
        hint = " ".join(static_text(app, "#prop-hint").split())
        assert f"4 of your {limit} order slots" in hint, hint  # US-IND, US-VISA and two ticks
        assert "counting the 3 orders ticked in the orders tab" in hint, hint
        await pilot.press("enter")
        screen = await modal(pilot, ProposalScreen)
        assert f"4 of your {limit} order slots" in screen.text, screen.text


# ---------------------------------------------------------------------- 4. the forms' "now"


@pytest.mark.parametrize(
    ("team", "lever", "choice", "now"),
    [
        ("us", "us_demand", None, "now: programme level 1, 0 more maturing — room for 2 more"),
        ("us", "us_bic", None, "now: Mexican force capability "),
        # session 23: CA-DEMAND's form said nothing of the deaths it cuts (h22)
        ("ca", "ca_demand", None, "now: Canada apparent opioid-toxicity deaths (annualized) "),
        ("mx", "mx_port", None, "now: Inspection intensity at Mexican Pacific ports (100 = baseline) 100"),
        # resuming what is not suspended is refused: the form says why and where cooperation stands
        ("cn", "cn_link", "resume", "now: China has suspended counternarcotics cooperation: no"),
    ],
)
async def test_the_parameters_form_says_where_what_the_lever_moves_stands_now(
    url: str, team: str, lever: str, choice: str | None, now: str
) -> None:
    """US-DEMAND's form said nothing of the programme's level or the levels still maturing, US-BIC's
    nothing of Mexican capability, CN-LINK's nothing of whether cooperation stands suspended once
    "resumed" was picked."""
    g, tokens = await game_at_orders(url, team)
    app = seat_app(url, g, tokens[team])
    async with app.run_test(size=(80, 24)) as pilot:
        _pane, form = await _params_form(pilot, lever)
        if choice is not None:
            form.query_one("#order-params Select", Select).value = choice
            await wait_until(pilot, lambda: static_text(app, "#param-cost").startswith("! "), what="refused")
        await wait_until(pilot, lambda: now in static_text(app, "#param-cost"), what=now)


async def test_the_composer_says_where_a_levers_value_stands_now(url: str) -> None:
    """The composer's line under a lever picked gives its value now, as the orders' form does: a clause
    promising MX-PORT's intensity was written without the current one in sight."""
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        await _pick(pilot, cs, "mx_port")
        said = static_text(app, "#c-lever-text")
        assert said.startswith("now: Inspection intensity at Mexican Pacific ports (100 = baseline) 100"), (
            said
        )


# ---------------------------------------------------------------------- 3. keys typed ahead


async def test_a_change_of_visibility_or_verification_is_said_on_the_check_line(url: str) -> None:
    """Keys typed ahead after a framing landed on the visibility and verification lists, below the fold
    at 80x24, and the proposal went public unnoticed: the check line, always in view, says what each
    is now."""
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        await pilot.pause(0.2)
        assert "now:" not in static_text(app, "#c-check")
        cs.query_one("#c-vis", Select).value = "public"
        said = "now: public: every team sees it"
        await wait_until(pilot, lambda: said in static_text(app, "#c-check"), what="the visibility said")
        cs.query_one("#c-verif", Select).value = "joint"
        said = "now: checked by both sides"
        await wait_until(pilot, lambda: said in static_text(app, "#c-check"), what="the verification said")


async def test_tabbing_through_the_composer_at_80x24_keeps_the_focus_in_view_and_marked(url: str) -> None:
    """A student tabbed seven times at 80x24 and saw no scroll and no focus: every field the Tab key
    reaches is scrolled into the form's view, and a list at the focus is drawn with a double border.
    (A guard: with Textual 8.2.8 this held before session 22's changes too.)"""
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        body = cs.query_one("#c-body")
        for n in range(1, 21):
            await pilot.press("tab")
            await pilot.pause(0.05)
            focused = app.focused
            assert focused is not None and body.region.contains_region(focused.region), (n, focused)
            if isinstance(focused, Select):
                rows = screen_text(app).splitlines()[focused.region.y : focused.region.bottom]
                assert "║" in " ".join(rows), (n, focused.id, rows)
