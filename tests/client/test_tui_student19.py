"""Session 19's findings at the table: a lever promised in two deals at once."""

from __future__ import annotations

from test_tui_support import (
    advance_to,
    close_cards,
    deals_at_orders,
    game_at_orders,
    highlight,
    new_game,
    open_orders,
    screen_text,
    seat_app,
    static_text,
    team_model,
    until_online,
    wait_until,
)
from textual.widgets import Input, SelectionList, TabbedContent

from client_tui import render
from client_tui.composer import ParamsScreen
from client_tui.panes.orders import OrdersPane
from precursor.client import GameClient
from precursor.game.rulebook import Rulebook

ARMS = {"actor": "us", "lever": "us_arms", "params": {}, "start_turn": 1, "duration": 1}


def _me(level: int) -> dict[str, object]:
    return {"actor": "mx", "lever": "mx_me", "params": {"level": level}, "start_turn": 1, "duration": 1}


async def test_a_lever_promised_in_two_deals_starts_at_the_terms_that_keep_both(url: str) -> None:
    """A student's Mexico promised MX-ME at 60 in one deal and at 80 in another; ticking it took the
    first deal's 60 and the second deal broke. Any level as high as a clause asks keeps it, so the
    tick must take the higher, and say which deals it keeps."""
    g, tokens = await deals_at_orders(url, [_me(65), ARMS], [_me(75), ARMS])
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("5")
        sl: SelectionList[str] = gs.query_one("#order-list", SelectionList)

        def ids() -> list[str]:
            return [str(sl.get_option_at_index(i).value) for i in range(sl.option_count)]

        await wait_until(pilot, lambda: "mx_me" in ids() and gs.model.phase == "orders")
        await wait_until(pilot, lambda: {"A1-US-1", "A1-US-2"} <= set(gs.model.agreements), what="both deals")
        pane = gs.query_one(OrdersPane)
        await wait_until(pilot, lambda: not pane.checking(), what="the costs")
        sl.focus()
        sl.highlighted = ids().index("mx_me")
        await pilot.press("space")
        await wait_until(pilot, lambda: "mx_me" in sl.selected, what="the tick")
        await pilot.pause()
        command = pane.submission()
        assert command is not None
        assert [(o.lever, o.params) for o in command.orders] == [("mx_me", {"level": 75})]
        label = str(sl.get_option_at_index(ids().index("mx_me")).prompt)
        assert "as agreed in 2 deals" in label, label
        said = static_text(app, "#notice")
        assert "MX-ME (enforcement level: 75) as agreed in A1-US-1, A1-US-2" in said, said
        assert "you promised MX-ME with" not in static_text(app, "#order-info")


async def test_a_lever_out_at_its_default_choice_is_offered_before_the_orders_phase_too(url: str) -> None:
    """Session 18 offered CN-LINK's resumption (its default, suspending, is out while cooperation is
    suspended) in the orders phase only: through the briefing and the negotiation China's row still
    read "cooperation is already suspended", so a student drafting orders for a deal that promises the
    resumption saw it as impossible."""
    g, tokens = await new_game(url, teams=("cn",), scenario="three-weeks")
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs, sl = await open_orders(pilot)
        assert gs.model.phase != "orders"
        row = next(r for r in gs.orders.rows() if r["id"] == "cn_link")
        assert row["available"] and not row["why_not"], row
        sl.focus()
        highlight(sl, "cn_link")
        await pilot.press("space")
        await wait_until(pilot, lambda: "cn_link" in gs.orders.chosen(), what="the tick")
        assert gs.orders._params["cn_link"] == {"action": "resume"}
        async with GameClient(url, g.game_id, g.facilitator_token) as fac:
            await advance_to(fac, "orders")
        await wait_until(pilot, lambda: gs.model.phase == "orders" and not gs.orders.checking())
        command = gs.orders.submission()
        assert command is not None
        assert [(o.lever, o.params) for o in command.orders] == [("cn_link", {"action": "resume"})]


async def test_esc_in_the_orders_find_field_goes_back_to_the_list(url: str) -> None:
    """A student typed a code in the orders' find field and pressed Esc: the focus went to the tab bar,
    where ↓ did nothing and → switched tabs, so space and l seemed dead until he clicked the list."""
    g, tokens = await game_at_orders(url, "mx")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs, sl = await open_orders(pilot)
        await wait_until(pilot, lambda: not gs.orders.checking(), what="the costs")
        sl.focus()
        await pilot.press("slash", *"MX-ME", "escape")
        await pilot.pause()
        assert app.focused is sl, app.focused
        assert gs.query_one(TabbedContent).active == "orders"
        await pilot.press("space")
        await wait_until(pilot, lambda: "mx_me" in gs.orders.chosen(), what="the tick")


async def test_every_parameter_of_an_order_is_on_screen_at_80x24(url: str) -> None:
    """At 80x24 the parameters form opened on the lever's description: US-TARIFF's third field, threaten
    or impose, was below the fold, and a student set the partner and the rate and sent a threat."""
    g, tokens = await game_at_orders(url, "us")
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(80, 24)) as pilot:
        gs, sl = await open_orders(pilot)
        await wait_until(pilot, lambda: not gs.orders.checking(), what="the costs")
        sl.focus()
        highlight(sl, "us_tariff")
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, ParamsScreen), what="the form")
        await pilot.pause(0.2)
        shown = screen_text(app)
        for label in ("The partner whose goods are hit", "Tariff rate in percent", "Threaten the tariff"):
            assert label in shown, shown


async def test_the_parameters_form_says_when_a_value_breaks_a_deal_due_this_turn(url: str) -> None:
    """Student g19's Mexico typed MX-PORT intensity 140 in the parameters form under a deal for at
    least 150: the form said "ok", and only the orders tab said, after it closed, that the clause would
    break ("150", where the deal said "at least 150")."""
    port = {"actor": "mx", "lever": "mx_port", "params": {"intensity": 150}, "start_turn": 1, "duration": 1}
    g, tokens = await deals_at_orders(url, [port, ARMS])
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs, sl = await open_orders(pilot)
        await wait_until(pilot, lambda: "A1-US-1" in gs.model.agreements, what="the agreement")
        await wait_until(pilot, lambda: not gs.orders.checking(), what="the costs")
        sl.focus()
        highlight(sl, "mx_port")
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, ParamsScreen), what="the form")
        field = app.screen.query_one("#order-params Input", Input)
        field.value = "140"
        await pilot.pause(0.2)
        said = " ".join(static_text(app, "#param-cost").split())
        assert "! agreement A1-US-1: you promised MX-PORT with" in said, said
        assert "at least 150 this turn, and it is set to" in said and ": 140:" in said, said
        field.value = "160"  # stronger than asked: keeps it, and (session 21) the form says so
        await pilot.pause(0.2)
        said = " ".join(static_text(app, "#param-cost").split())
        assert "! agreement A1-US-1" not in said, said
        assert "keeps agreement A1-US-1: you promised MX-PORT with" in said, said


async def test_a_new_turn_clears_the_orders_find(url: str) -> None:
    """Student g19 narrowed Mexico's levers with / in turn 1; in turn 2 the list still showed only the
    match, "4 ticked levers hidden", with nothing on screen saying why the other levers were gone."""
    g, tokens = await game_at_orders(url, "mx")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs, sl = await open_orders(pilot)
        await wait_until(pilot, lambda: not gs.orders.checking(), what="the costs")
        everything = sl.option_count
        sl.focus()
        await pilot.press("slash", *"MX-ME", "enter")
        await wait_until(pilot, lambda: sl.option_count < everything, what="the find")
        async with GameClient(url, g.game_id, g.facilitator_token) as fac:
            await advance_to(fac, "negotiation", 2)
        await wait_until(pilot, lambda: gs.model.turn == 2, what="turn 2")
        await wait_until(pilot, lambda: sl.option_count == everything, what="every lever again")
        assert gs.query_one("#order-find", Input).value == ""


def test_the_promises_that_need_an_order_come_before_those_kept_without_one(rb: Rulebook) -> None:
    """Student g19's Mexico read four "nothing to order" lines for one deal's once-per-game acts in the
    seven lines above the lever list; the line saying a second deal needed MX-TRACE was pushed out of
    sight. The kept ones of a deal are one line, after what needs doing."""
    model = team_model(rb, "us", **{"count.us_tech": 1, "count.us_tf": 1, "count.us_fto": 1})
    once = [
        {"actor": "us", "lever": lever, "params": {}, "start_turn": 1, "duration": 2}
        for lever in ("us_tech", "us_tf", "us_fto")
    ]
    model.agreements["A1-MX-1"] = {
        "id": "A1-MX-1",
        "status": "active",
        "parties": ["us", "mx"],
        "clauses": once,
    }
    arms = {"actor": "us", "lever": "us_arms", "params": {}, "start_turn": 1, "duration": 1}
    model.agreements["A1-CA-1"] = {
        "id": "A1-CA-1",
        "status": "active",
        "parties": ["us", "ca"],
        "clauses": [arms],
    }
    said = render.order_warnings(model, rb, [])
    assert len(said) == 2, said
    assert said[0] == "! agreement A1-CA-1: you promised US-ARMS this turn; leaving it out breaks it", said
    assert said[1] == (
        "agreement A1-MX-1: you promised US-TECH, US-TF and US-FTO this turn; each is carried out already"
        " (once per game) or stands where promised, so the rules count them as kept: nothing to order"
    ), said


async def test_the_parameters_form_opens_at_the_terms_of_a_deal_due_this_turn(url: str) -> None:
    """Student k19's Mexico opened p on MX-ME under a deal for at least 70 and the form showed 50, a
    value typed in an earlier turn: a tick takes the agreed terms, the form did not."""
    g, tokens = await deals_at_orders(url, [_me(70), ARMS])
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs, sl = await open_orders(pilot)
        await wait_until(pilot, lambda: "A1-US-1" in gs.model.agreements, what="the agreement")
        await wait_until(pilot, lambda: not gs.orders.checking(), what="the costs")
        gs.orders._params["mx_me"] = {"level": 50}  # as typed with p in an earlier turn
        sl.focus()
        highlight(sl, "mx_me")
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, ParamsScreen), what="the form")
        await pilot.pause(0.2)
        assert app.screen.query_one("#order-params Input", Input).value == "70"
        said = static_text(app, "#param-cost")
        assert "! agreement A1-US-1" not in said and "keeps agreement A1-US-1" in said, said
        # set by hand this turn, the form keeps what was set
        app.screen.query_one("#order-params Input", Input).value = "75"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ParamsScreen), what="the form closed")
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, ParamsScreen), what="the form again")
        await pilot.pause(0.2)
        assert app.screen.query_one("#order-params Input", Input).value == "75"


def test_a_leaked_deal_is_said_in_words_not_as_the_engines_record(rb: Rulebook) -> None:
    """Student h19's Canada read a leak in the results as the deal's record: clause mappings in capitals,
    "bargain: ca,mx,us|ca:ca_attest;module:t1…", "leaked: yes". The leak resends the whole deal so the
    teams outside it learn its terms; the line says what happened."""
    clause = {"actor": "ca", "lever": "ca_attest", "params": {}, "start_turn": 2, "duration": 2}
    ev = {
        "type": "agreement_update",
        "agreement": "A2-CA-1",
        "update": {
            "id": "A2-CA-1",
            "parties": ["us", "mx", "ca"],
            "clauses": [{**clause, "condition": "mx.st < 50"}],
            "modules": ["t1"],
            "bargain": "ca,mx,us|ca:ca_attest;module:t1",
            "points": 3.0,
            "leaked": True,
            "visibility": "public",
        },
    }
    said = render.why_card(ev, rb)
    assert "the private deal leaked to the press and is public now" in said, said
    for internal in ("bargain", "ACTOR", "ca_attest", "leaked: yes", "points"):
        assert internal not in said, said
