"""Session 21's play-testers in the proposal composer and the orders' parameters form: where the focus
goes after ctrl+a, modules offered to a proposal that cannot carry them, text cut mid-word, Enter in a
parameter field adding the clause, and what the form says of a choice or a count as it stands now."""

from __future__ import annotations

from typing import Any

import pytest
from test_tui_compose14 import _pick
from test_tui_support import (
    add_clause,
    advance_to,
    close_cards,
    commit_as,
    frames_until,
    game_at_orders,
    highlight,
    is_event,
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
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select

from client_tui.composer import ParamsScreen
from client_tui.panes.orders import OrdersPane
from precursor.client import GameClient


def _drawn(app: Any, widget: Widget) -> str:
    """The words a widget shows on the screen, its rows joined (what a student reads of it)."""
    r = widget.region
    rows = screen_text(app).splitlines()[r.y : r.bottom]
    return " ".join(" ".join(row[r.x : r.right] for row in rows).split())


async def _params_form(pilot: Pilot[Any], lever: str) -> tuple[OrdersPane, ParamsScreen]:
    """The orders tab in the orders phase, ``lever`` highlighted, its parameters form opened with p."""
    gs, sl = await open_orders(pilot)
    pane = gs.query_one(OrdersPane)
    await wait_until(pilot, lambda: gs.model.phase == "orders" and not pane.checking(), what="the orders")
    sl.focus()
    highlight(sl, lever)
    await pilot.press("p")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ParamsScreen), what="the form")
    await pilot.pause(0.2)
    form = pilot.app.screen
    assert isinstance(form, ParamsScreen)
    return pane, form


# ---------------------------------------------------------------------- 1. the focus after ctrl+a


async def test_after_a_chinese_clause_with_the_framing_filled_the_focus_goes_to_the_lever_find(
    url: str,
) -> None:
    """China's CN-ENFORCE "presented as: a multilateral effort" filled the deal's framing, ctrl+a put
    the focus back on who commits, and the student's Enter, Down, Enter made the United States commit
    in the next clause. The focus now goes to the lever's find field, where keys change nothing chosen."""
    g, tokens = await new_game(url, teams=("cn", "us"))
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        await commit_as(pilot, cs, "us")  # the United States a party, so who commits offers it
        await commit_as(pilot, cs, "cn")
        await _pick(pilot, cs, "cn_enforce")
        cs.form._fields["framing"].value = "multilateral"  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("ctrl+a")
        await wait_until(pilot, lambda: len(cs.clauses) == 1, what="the clause")
        await pilot.pause()
        assert cs.query_one("#c-framing", Select).value == "multilateral"
        assert app.focused is cs.query_one("#c-lever-find", Input), app.focused
        await pilot.press("enter", "down", "enter")
        await pilot.pause()
        assert cs.query_one("#c-team", Select).value == "cn"
        assert [(c.actor, c.lever) for c in cs.clauses] == [("cn", "cn_enforce")]


# ---------------------------------------------------------------------- 2. modules


async def test_modules_are_offered_only_to_a_proposal_that_can_carry_them(url: str) -> None:
    """China was offered the trilateral modules on a deal with the United States alone: only the three
    North American teams together may sign one. They show once the three are parties."""
    g, tokens = await new_game(url, teams=("cn", "us"))
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(100, 70)) as pilot:  # tall: the whole form on the screen
        cs = await open_composer(pilot)
        cs.query_one("#party-us", Checkbox).value = True
        await pilot.pause(0.2)
        text = " ".join(screen_text(app).split())
        assert "Chemical notification" not in text, text
        said = static_text(app, "#c-modules-head")
        assert said.endswith("Canada must all be parties; tick all of them to be offered the modules"), said
        cs.query_one("#party-mx", Checkbox).value = True
        cs.query_one("#party-ca", Checkbox).value = True
        await wait_until(pilot, lambda: "T1 — Chemical notification" in screen_text(app), what="the modules")


async def test_a_module_ticked_says_whom_it_made_parties(url: str) -> None:
    """Student d21's Canada ticked T3 on a deal with China alone: the United States and Mexico became
    parties with their boxes out of view, and the check line said only that the server would take it."""
    g, tokens = await new_game(url, teams=("ca",))
    app = seat_app(url, g, tokens["ca"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        cs.query_one("#party-cn", Checkbox).value = True
        # a clause: modules alone with China a party are refused (China would commit to nothing)
        await add_clause(pilot, cs, "ca", "ca_mediate")
        cs.query_one("#module-t3", Checkbox).value = True
        between = "between United States, Mexico, China and Canada"
        await wait_until(pilot, lambda: between in static_text(app, "#c-check"), what="the parties said")


async def test_a_module_name_is_wrapped_whole_at_80_columns(url: str) -> None:
    """T1's name was cut at 80 columns ("importer att"): it wraps at a word and is read whole."""
    g, tokens = await new_game(url, teams=("us",))
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        box = cs.query_one("#module-t1", Checkbox)
        box.focus()
        box.scroll_visible(animate=False)
        await pilot.pause(0.3)
        said = _drawn(app, box)
        assert "T1 — Chemical notification (UN special surveillance list, importer attestation)" in said, said


# ---------------------------------------------------------------------- 3. the lever's text


async def test_a_levers_text_in_the_composer_is_whole(url: str) -> None:
    """MX-ME's text stopped at "(80 costs 1, 100 cos": a lever's description is shown in full."""
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        await _pick(pilot, cs, "mx_me")
        said = " ".join(static_text(app, "#c-lever-text").split())
        assert "(80 costs 1, 100 costs 2)" in said, said
        assert said.endswith("is kept while enforcement stays at or above it, with no new order."), said


# ---------------------------------------------------------------------- 4. Enter in a parameter field


async def test_enter_in_a_parameter_field_moves_on_and_adds_no_clause(url: str) -> None:
    """A student pressed Enter to confirm MX-PORT's intensity and the clause was added: Enter moves to
    the next field, and only ctrl+a adds the clause."""
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        await _pick(pilot, cs, "mx_port")
        field = cs.form._fields["intensity"]
        assert isinstance(field, Input)
        field.focus()
        field.value = "250"
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert cs.clauses == []
        assert app.focused is not field and app.focused is not None
        await pilot.press("ctrl+a")
        await wait_until(pilot, lambda: len(cs.clauses) == 1, what="the clause")
        assert dict(cs.clauses[0].params) == {"intensity": 250}


# ---------------------------------------------------------------------- 5. the form's "now"


@pytest.mark.parametrize(
    ("team", "lever", "now"),
    [
        # a choice: the flag MX-DEAVISA sets, which every team sees
        ("mx", "mx_deavisa", "now: Mexico withholds DEA visas: no"),
        # a count set once, by the act, that no indicator holds: China's own count says it is not played
        ("cn", "cn_kyc", "now: CN-KYC not played yet this game (it can be played once)"),
    ],
)
async def test_the_parameters_form_says_where_a_choice_or_a_count_stands_now(
    url: str, team: str, lever: str, now: str
) -> None:
    """The form said where a level stands now ("now: Mexican migration enforcement 60"), and nothing for
    MX-DEAVISA's choice (DEA visas withheld or approved) or CN-KYC's number of chemicals."""
    g, tokens = await game_at_orders(url, team)
    app = seat_app(url, g, tokens[team])
    async with app.run_test(size=(80, 24)) as pilot:
        _pane, _form = await _params_form(pilot, lever)
        said = static_text(app, "#param-cost")
        assert now in said, said


async def test_raising_an_agreed_count_says_the_agreement_is_still_kept(url: str) -> None:
    """China agreed CN-KYC with 13 chemicals and a student raised it to 15: the form said nothing of
    the deal. More chemicals than promised keeps it, and the form says so; fewer still warns."""
    g, tokens = await new_game(url, teams=("cn", "us"))
    async with (
        GameClient(url, g.game_id, tokens["cn"]) as cn,
        GameClient(url, g.game_id, tokens["us"]) as us,
        GameClient(url, g.game_id, g.facilitator_token) as fac,
    ):
        clause = {"actor": "cn", "lever": "cn_kyc", "params": {"precursors": 13}, "duration": 1}
        await cn.send(
            {"type": "propose", "parties": ["cn", "us"], "clauses": [clause], "framing": "china_initiative"}
        )
        await frames_until(us, is_event("proposal"))
        await us.send({"type": "respond", "proposal": "T1-CN-1", "action": "accept"})
        await frames_until(fac, is_event("agreement"))
        await advance_to(fac, "orders")
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(100, 30)) as pilot:
        await until_online(pilot)
        await close_cards(pilot)
        _pane, form = await _params_form(pilot, "cn_kyc")
        form.query_one("#order-params Input", Input).value = "15"
        said = (
            "keeps agreement A1-CN-1: you promised CN-KYC with chemicals covered: at least 13, and it is set"
            " to chemicals covered: 15"
        )
        await wait_until(pilot, lambda: said in static_text(app, "#param-cost"), what="the agreement kept")
        form.query_one("#order-params Input", Input).value = "12"
        await wait_until(
            pilot, lambda: "! agreement A1-CN-1" in static_text(app, "#param-cost"), what="broken"
        )
        assert "keeps agreement" not in static_text(app, "#param-cost")
