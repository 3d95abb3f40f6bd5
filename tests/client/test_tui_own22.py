"""What students of session 21 met that the client could have said first.

A lever whose condition reads a value the team sees only as an estimate: where the estimate's whole
range fails the condition, the client says so before the orders phase; where the truth could lie either
side, it says nothing (student f21 promised US-INTEL with Mexican cooperation estimated at 31, the composer
said "ok", and the orders phase refused it: "needs Mexican cooperation of at least 40")."""

from __future__ import annotations

import pytest
from test_tui_support import (
    add_clause,
    close_cards,
    new_game,
    open_composer,
    open_orders,
    screen_text,
    seat_app,
    static_text,
    team_model,
    until_online,
    wait_until,
)
from textual.widgets import Checkbox, Input, Select, TabbedContent

from client_tui import availability, conditions, terms
from precursor.game.rulebook import Rulebook


def test_a_condition_failing_over_the_whole_estimate_is_out_and_one_that_may_hold_is_not_guessed(
    rb: Rulebook,
) -> None:
    far = team_model(rb, "us", **{"mx.coop": 30.0})
    lo, hi = conditions.estimate_bounds(far, rb, "mx.coop") or (0.0, 0.0)
    shown = next(r["value"] for r in far.view["indicators"] if r["id"] == "mx.coop")
    assert lo < 30.0 < hi and hi < 40 and abs(lo - shown / 1.1) < 1e-6, (lo, hi, shown)
    why = availability.why_out(far, rb, "us_intel")
    assert why is not None and why.startswith("US-INTEL: intelligence sharing needs Mexican cooperation"), why
    assert "your estimate of Mexican security cooperation with the US puts it between" in why, why
    ok, said = terms.keepable(far, rb, {"actor": "us", "lever": "us_intel", "duration": 1, "params": {}})
    assert ok is False and "your estimate" in said, said
    # 38 read with ±10 % may truly be 40 or more: not said to fail, the orders phase tells
    near = team_model(rb, "us", **{"mx.coop": 38.0})
    assert availability.why_out(near, rb, "us_intel") is None
    # Mexico's own view of the same value is an estimate too; well above 40, nothing is said
    high = team_model(rb, "us", **{"mx.coop": 60.0})
    assert availability.why_out(high, rb, "us_intel") is None


@pytest.mark.parametrize(
    ("lever", "said"),
    [
        # US-INTEL needs Mexican cooperation of 40; the US's estimate of it rules that out (student f21)
        (
            "us_intel",
            "US-INTEL: intelligence sharing needs Mexican cooperation of at least 40 (your estimate of",
        ),
        # a once-per-game act whose task force is not set up read "ok" and "✓ can keep it" (student g22)
        ("us_gua", "US-GUA: the OFAC-State task force (US-TF) must be set up first"),
    ],
)
async def test_the_composer_warns_on_an_own_clause_that_cannot_be_ordered_now(
    url: str, lever: str, said: str
) -> None:
    g, tokens = await new_game(url, teams=("us", "mx"))
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(120, 40)) as pilot:
        cs = await open_composer(pilot)
        await add_clause(pilot, cs, "mx", "mx_plan_1")
        await add_clause(pilot, cs, "us", lever)
        check = static_text(app, "#c-check")
        assert check.startswith("! the server would take it (2 clause(s)), but as things stand:"), check
        assert said in check, check


async def test_the_orders_tab_marks_the_lever_out_before_the_orders_phase(url: str) -> None:
    g, tokens = await new_game(url, teams=("us",))
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs, sl = await open_orders(pilot)
        assert gs.model.phase != "orders"
        await wait_until(
            pilot,
            lambda: any(
                sl.get_option_at_index(i).value == "us_intel" and sl.get_option_at_index(i).disabled
                for i in range(sl.option_count)
            ),
            what="US-INTEL marked out",
        )


def test_f1_says_that_esc_in_the_composer_asks_before_a_draft_is_dropped() -> None:
    """A student pressed Esc then n (new proposal): the n answered the discard question instead."""
    from client_tui.help import game_keys

    rows = [r for r in game_keys() if r.owner.__name__ == "ComposerScreen" and r.action == "cancel"]
    assert rows and "y or Enter discards, n or Esc keeps editing" in rows[0].what, rows


async def test_a_lever_code_typed_in_capitals_on_the_orders_list_goes_to_the_find_field(url: str) -> None:
    """Student f21 typed SAN-1 on the orders tab as the screen writes codes: the letters went nowhere
    and the 1 opened the briefing tab."""
    g, tokens = await new_game(url, teams=("us",))
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(80, 24)) as pilot:
        gs, sl = await open_orders(pilot)
        sl.focus()
        await pilot.pause()
        await pilot.press("S", "A", "N", "minus", "1")
        await pilot.pause()
        find = gs.query_one("#order-find", Input)
        assert find.value == "SAN-1" and app.focused is find, (find.value, app.focused)
        assert gs.query_one(TabbedContent).active == "orders"
        labels = [str(sl.get_option_at_index(i).prompt) for i in range(sl.option_count)]
        assert labels and all("SAN-1" in label for label in labels), labels


async def test_a_cost_on_values_the_team_sees_exactly_is_priced_before_the_orders_phase(url: str) -> None:
    """CN-DIRECTIVE costs nothing in a summit window and 1 PC otherwise: China read "? PC" for its own
    lever in the orders list and the composer until the orders phase (student f21)."""
    g, tokens = await new_game(url, teams=("cn",))
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs, sl = await open_orders(pilot)
        assert gs.model.phase != "orders"
        row = next(
            str(sl.get_option_at_index(i).prompt)
            for i in range(sl.option_count)
            if sl.get_option_at_index(i).value == "cn_directive"
        )
        assert "1 PC" in row and "?" not in row, row


async def test_chinas_composer_refuses_a_deal_of_modules_alone_before_it_is_sent(url: str) -> None:
    """Student c21's China signed T1 with the three North American teams and scored an agreement that bound
    it to nothing: the rules now refuse it, and the composer says so before sending."""
    g, tokens = await new_game(url, teams=("cn",))
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(120, 40)) as pilot:
        cs = await open_composer(pilot)
        for t in ("us", "mx", "ca"):
            cs.query_one(f"#party-{t}", Checkbox).value = True
        await pilot.pause()
        cs.query_one("#module-t1", Checkbox).value = True
        said = "a deal of trilateral modules alone binds only the United States, Mexico and Canada"
        await wait_until(pilot, lambda: said in static_text(app, "#c-check"), what="the refusal")
        assert static_text(app, "#c-check").startswith("! "), static_text(app, "#c-check")


def test_an_objective_that_holds_by_less_than_a_point_is_marked(rb: Rulebook) -> None:
    """Mexico's tutorial objective is approval of 60 or more; it starts at 60. Student d21 ordered port
    inspections, lost a point to trade losses, and missed it with nothing having said it hung on that."""
    from client_tui.panes.dashboard import objective_lines

    at = [line for line in objective_lines(team_model(rb, "mx", "tutorial"), rb) if "approval" in line]
    assert at and "! only just: Mexican president's approval 60; a point the wrong way" in at[0], at
    above = objective_lines(team_model(rb, "mx", "tutorial", **{"mx.approval": 65.0}), rb)
    assert not any("only just" in line for line in above), above


async def test_the_dashboard_shows_an_objective_hanging_on_a_point(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("2")
        await wait_until(pilot, lambda: "only just" in screen_text(app), what="the mark")
        assert "a point the wrong way and it fails" in " ".join(screen_text(app).split())


def test_a_clause_condition_on_an_estimate_says_whether_it_may_hold(rb: Rulebook) -> None:
    """Student h22's Mexico promised MX-PORT only if the northbound flow was below 95, read its estimate
    (100) as above it and left MX-PORT out; the rules, on the true value below 95, counted the clause
    broken. The clause now says the estimate may lie either side, and the orders treat it as due."""
    clause = {"actor": "mx", "lever": "mx_port", "duration": 1, "condition": "flow.northbound < 95"}
    either = team_model(rb, "mx", **{"flow.northbound": 100.0})
    said = conditions.only_if(either, rb, clause)
    assert "it may or may not hold now: your estimate of" in said and "treat it as due" in said, said
    assert terms.due_now(either, rb, clause)
    far = team_model(rb, "mx", **{"flow.northbound": 150.0})
    said = conditions.only_if(far, rb, clause)
    assert "it does not hold now, so nothing is due now, wherever the true value lies" in said, said
    assert not terms.due_now(far, rb, clause)


def test_a_verdict_on_a_conditional_clause_says_its_condition_held(rb: Rulebook) -> None:
    """Student h22 read "[clause broken] Mexico did not play MX-PORT" with no word of the condition it
    had left MX-PORT out for: a clause is checked only in a turn its condition holds, so it says so."""
    from client_tui.panes.results import result_text

    clause = {"actor": "mx", "lever": "mx_port", "duration": 1, "condition": "flow.northbound < 95"}
    agreements = {"A1-MX-1": {"id": "A1-MX-1", "clauses": [clause], "parties": ["us", "mx"]}}
    ev = {
        "type": "compliance",
        "agreement": "A1-MX-1",
        "clause": 0,
        "team": "mx",
        "lever": "mx_port",
        "met": False,
        "turn": 1,
        "seq": 40,
        "reason": "MX did not play MX-PORT as agreed in A1-MX-1",
    }
    head = result_text(ev, rb, agreements=agreements).split("\n")[0]
    assert head.startswith("[clause broken] Mexico did not play MX-PORT"), head
    assert (
        "— it was due: its condition, Fentanyl flowing north" in head and "below 95, held at the" in head
    ), head
    assert "held" not in result_text({**ev, "clause": 5}, rb, agreements=agreements).split("\n")[0]


@pytest.mark.parametrize(("team", "code"), [("cn", "CN-LINK"), ("us", "SAN-1")])
async def test_a_lever_code_typed_fast_on_the_orders_list_reaches_the_find_field_whole(
    url: str, team: str, code: str
) -> None:
    """Students g22 and h22 typed CN-LINK in one burst: the keys before the focus moved were lost, and
    the field read "K-"; a digit in the burst must not switch tabs."""
    from textual import events

    g, tokens = await new_game(url, teams=(team,))
    app = seat_app(url, g, tokens[team])
    async with app.run_test(size=(80, 24)) as pilot:
        gs, sl = await open_orders(pilot)
        sl.focus()
        await pilot.pause()
        for ch in code:  # queued at once, as a terminal delivers a burst
            sl.post_message(events.Key("minus" if ch == "-" else ch, ch))
        await pilot.pause(0.2)
        find = gs.query_one("#order-find", Input)
        assert find.value == code and app.focused is find, (find.value, app.focused)
        assert gs.query_one(TabbedContent).active == "orders"


async def test_the_composer_says_an_own_clause_hangs_on_an_estimate_before_it_is_sent(url: str) -> None:
    """Student i22 gave Mexico's MX-PORT a condition on a value it sees only as an estimate: the proposal
    and the orders tab said "it may or may not hold now … treat it as due", the check line only "ok"."""
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        cs = await open_composer(pilot)
        cs.query_one("#party-us", Checkbox).value = True
        await pilot.pause()
        cs.query_one("#c-lever", Select).value = "mx_port"
        await wait_until(pilot, lambda: cs.form.lever is not None and cs.form.lever.id == "mx_port")
        cs.query_one("#c-if", Select).value = "flow.northbound"
        cs.query_one("#c-if-op", Select).value = "<"
        cs.query_one("#c-if-value", Input).value = "100"  # the truth: the estimate's range holds it
        await pilot.pause()
        await pilot.press("ctrl+a")
        await wait_until(pilot, lambda: len(cs.clauses) == 1, what="the clause")
        check = static_text(app, "#c-check")
        assert check.startswith("ok: the server will take it (1 clause(s)) — but clause 1: only if"), check
        assert "it may or may not hold now: your estimate of" in check and "treat it as due" in check, check
