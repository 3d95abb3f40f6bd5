"""Session 20's findings at the table: what the orders tab's few rows of notes leave out."""

from __future__ import annotations

from typing import Any

from test_tui_support import (
    add_clause,
    close_cards,
    commit_as,
    deals_at_orders,
    game_at_orders,
    highlight,
    negotiation_table,
    new_game,
    open_composer,
    open_orders,
    screen_text,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, SelectionList, Static, TabbedContent

from client_tui import fit, render, terms
from client_tui.composer import ParamsScreen
from client_tui.conditions import known_values
from client_tui.lever_info import NotesScreen
from client_tui.panes.orders import OrdersPane
from precursor.client import GameClient


def _mx(lever: str, **params: Any) -> dict[str, Any]:
    return {"actor": "mx", "lever": lever, "params": params, "start_turn": 1, "duration": 1}


async def _orders_on(pilot: Pilot[Any], lever: str) -> tuple[OrdersPane, SelectionList[str]]:
    """The orders tab in the orders phase, its costs known, the list's highlight on ``lever``."""
    gs, sl = await open_orders(pilot)
    pane = gs.query_one(OrdersPane)
    await wait_until(pilot, lambda: gs.model.phase == "orders" and not pane.checking(), what="the orders")
    sl.focus()
    highlight(sl, lever)
    return pane, sl


async def _ticked(pilot: Pilot[Any], lever: str) -> tuple[OrdersPane, SelectionList[str]]:
    """As ``_orders_on``, with ``lever`` ticked by space."""
    pane, sl = await _orders_on(pilot, lever)
    await pilot.press("space")
    await wait_until(pilot, lambda: lever in sl.selected, what="the tick")
    return pane, sl


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


async def test_a_lever_ticked_at_a_default_choice_says_which(url: str) -> None:
    """Student g19's China ticked CN-LINK and, with no word, had ordered its default: a suspension of
    cooperation, against China's own aims. A choice nobody made is named above the list until p sets it."""
    g, tokens = await game_at_orders(url, "cn")
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(120, 40)) as pilot:
        pane, _sl = await _ticked(pilot, "cn_link")
        said = "! CN-LINK is ticked with its default choice (cooperation: suspended): p chooses another"
        await wait_until(pilot, lambda: said in pane._info, what="the default named")


async def test_a_level_under_the_tragedys_cap_set_with_p_is_ticked(url: str) -> None:
    """Student k19's Mexico, after the detention-centre fire: MX-ME read "out" (its default level is
    above the cap), p at 50 said "ok" and "parameters set", and the lever stayed out and unticked. Set
    by hand to a level every condition allows, the lever is in and ticked."""
    g, tokens = await game_at_orders(url, "mx", scenario="loose-talk")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        pane, sl = await _orders_on(pilot, "mx_me")
        row = next(r for r in pane.rows() if r["id"] == "mx_me")
        assert not row["available"] and "tragedy" in str(row["why_not"]), row
        cap = int(known_values(pane.model)["flag.humanitarian_cap"])
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, ParamsScreen), what="the form")
        app.screen.query_one("#order-params Input", Input).value = str(cap)
        await pilot.pause(0.2)
        assert static_text(app, "#param-cost").startswith("ok"), static_text(app, "#param-cost")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "mx_me" in sl.selected, what="the tick")
        assert f"MX-ME (enforcement level: {cap}): parameters set, ticked" in static_text(app, "#notice")
        command = pane.submission()
        assert command is not None
        assert [(o.lever, o.params) for o in command.orders] == [("mx_me", {"level": cap})]


async def test_the_parameters_form_says_where_the_level_it_sets_stands_now(url: str) -> None:
    """Student h19's United States set a 10 % tariff on China meaning relief: the form explained relief
    as a rate below the current one and never said the current one. It says it, for the partner chosen."""
    g, tokens = await game_at_orders(url, "us")
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(80, 24)) as pilot:
        pane, _sl = await _orders_on(pilot, "us_tariff")
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, ParamsScreen), what="the form")
        app.screen.query_one("#order-params Select", Select).value = "cn"
        app.screen.query_one("#order-params Input", Input).value = "10"
        await pilot.pause(0.2)
        selects = list(app.screen.query("#order-params Select").results(Select))
        selects[-1].value = "impose"
        known = known_values(pane.model)
        rate = render.figure(known["tariff.cn"])
        said = f"now: US fentanyl tariff on Chinese goods {rate}"
        await wait_until(pilot, lambda: said in static_text(app, "#param-cost"), what="the rate now")
        assert "Mexican goods" not in static_text(app, "#param-cost")


async def test_the_proposals_count_keeps_the_tab_bar_whole_at_80_columns(url: str) -> None:
    """At 80 columns "4 Proposals (2 to answer)" made the tab bar scroll, and "1 Briefing" read "iefing"
    (students h19, k19). The short form fits beside the other tabs; the long one returns with the room."""
    async with negotiation_table(url, "us", "mx", (80, 24)) as t:
        app, pilot, mx = t.app, t.pilot, t.partner
        gs = await until_online(pilot)
        await close_cards(pilot)
        arms = {"actor": "us", "lever": "us_arms", "params": {}, "start_turn": 1, "duration": 1}
        await mx.send({"type": "propose", "parties": ["mx", "us"], "clauses": [arms]})
        await mx.send({"type": "propose", "parties": ["mx", "us"], "clauses": [_mx("mx_trace")]})
        tab = lambda: str(gs.query_one(TabbedContent).get_tab("proposals").label)  # noqa: E731
        await wait_until(pilot, lambda: tab() == "4 Proposals (2 new)", what="the count")
        await pilot.pause()
        bar = next(line for line in screen_text(app).splitlines() if "4 Proposals" in line)
        assert bar.startswith(" 1 Briefing ") and "6 Results" in bar, bar
        await pilot.resize_terminal(120, 40)
        await wait_until(pilot, lambda: tab() == "4 Proposals (2 to answer)", what="the long form")


async def test_the_line_under_the_list_says_which_levers_take_parameters(url: str) -> None:
    """Student h19's Canada found CA-DEMAND's programme level only by pressing p on it: the list does not
    mark the levers with parameters. The line under it names what p sets and what it is set to."""
    g, tokens = await game_at_orders(url, "ca")
    app = seat_app(url, g, tokens["ca"])
    async with app.run_test(size=(120, 40)) as pilot:
        _pane, sl = await _orders_on(pilot, "ca_demand")
        await wait_until(pilot, lambda: "p sets:" in static_text(app, "#order-detail"), what="the line")
        assert "p sets: effort this turn (now the default)" in static_text(app, "#order-detail")
        highlight(sl, "ca_tri")
        await wait_until(pilot, lambda: "CA-TRI" in static_text(app, "#order-detail"), what="another lever")
        assert "p sets" not in static_text(app, "#order-detail")


async def test_the_find_count_stops_calling_submitted_ticks_still_ticked(url: str) -> None:
    """After the orders went in, the find's count still said "3 ticked levers hidden, still ticked" over a
    list whose ticks no longer do anything (student k19, results phase)."""
    g, tokens = await game_at_orders(url, "mx")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        pane, sl = await _ticked(pilot, "mx_plan_1")
        pane.query_one("#order-find", Input).value = "port"
        await wait_until(pilot, lambda: "still ticked" in str(sl.border_title), what="the count")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: pane._mine() is not None, what="the orders in")
        pane.show_info()
        await pilot.pause()
        assert "still ticked" not in str(sl.border_title), sl.border_title
        assert "levers match" in str(sl.border_title)


async def test_the_parameters_form_counts_what_the_other_ticks_take(url: str) -> None:
    """Student b20's form said "costs 2 PC · has 2 PC" beside another tick of 1 PC, and the submission
    was refused for 3 PC. The form says what the other ticks take, and when this order goes over."""
    g, tokens = await game_at_orders(url, "us")
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(120, 40)) as pilot:
        pane, sl = await _ticked(pilot, "us_tri")
        tri = pane._row_cost(next(r for r in pane.rows() if r["id"] == "us_tri"))
        assert tri, tri
        pane.model.view["pc"]["us"] = 3.0  # as a team with little capital left
        highlight(sl, "us_tariff")
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, ParamsScreen), what="the form")
        await pilot.pause(0.2)
        said = static_text(app, "#param-cost")
        assert f"United States has 3 PC, {tri:g} of it taken by the other ticks" in said, said
        assert "! over budget with the other ticks" in said, said


def test_a_lever_code_typed_in_full_is_found_first() -> None:
    """Student a20 typed MX-PR, Enter and space, and ticked MX-PRESENCE, listed above it."""
    pr = terms.find_rank("mx-pr", "MX-PR", "Public relations offensive")
    presence = terms.find_rank("mx-pr", "MX-PRESENCE", "Sustained campaign to restore state presence")
    assert pr is not None and presence is not None and pr < presence
    assert terms.find_rank("tri", "US-TRI", "Host a trilateral meeting") == 1
    strike = terms.find_rank("tri", "US-STRIKE", "Unilateral strike")
    assert strike is not None and strike > 1


async def test_a_deal_signed_while_the_orders_tab_is_open_is_warned_of_at_once(url: str) -> None:
    """Student a20 accepted a deal in the negotiation promising three MX-PLAN elements; the notes above
    the orders list kept saying only an earlier deal's promise until the orders phase began."""
    async with negotiation_table(url, "mx", "us", (120, 40)) as t:
        pilot, us, g, tokens = t.pilot, t.partner, t.game, t.tokens
        gs, _sl = await open_orders(pilot)
        pane = gs.query_one(OrdersPane)
        await pilot.pause(0.3)
        assert "you promised" not in pane._info
        plan = [_mx("mx_plan_3"), _mx("mx_plan_4"), _mx("mx_plan_5")]
        await us.send({"type": "propose", "parties": ["us", "mx"], "clauses": plan})
        await wait_until(pilot, lambda: "T1-US-1" in gs.model.proposals, what="the proposal")
        async with GameClient(url, g.game_id, tokens["mx"]) as mx:  # accepted from another window
            await mx.send({"type": "respond", "proposal": "T1-US-1", "action": "accept"})
        await wait_until(pilot, lambda: "A1-US-1" in gs.model.agreements, what="the deal")
        said = "you promised MX-PLAN(iii), MX-PLAN(iv) and MX-PLAN(v) this turn"
        await wait_until(pilot, lambda: said in pane._info, what="the promise warned of")
