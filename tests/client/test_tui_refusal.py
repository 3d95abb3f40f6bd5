"""Refusing an order from the Textual client: a split Mexico on a live server, the president's app and
the security seat's app side by side. The president orders an arrest; the security seat's orders tab
offers it, refuses it through a reason form and a confirmation that names the cost; the president's tab
then no longer counts the arrest as given and says who refused it, on which ground, at what cost. Where
no ground holds, the tab says why and nothing reaches the server."""

from __future__ import annotations

import asyncio
from typing import Any

from test_tui_support import advance_to, close_cards, modal, seat_app, static_text, until_online, wait_until
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, SelectionList

from client_tui.game_screen import GameScreen
from client_tui.model import LiveGame
from client_tui.widgets import Confirm
from precursor.client import GameClient, LobbyClient
from precursor.game import views
from precursor.game.commands import Actor, Advance, CommandEnvelope, Order, RefuseOrder, SubmitOrders
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook

SPLIT = {"mx": ["president", "security"]}


def test_the_model_folds_a_refusal_away_from_the_president_s_orders(rb: Rulebook) -> None:
    """The events as the engine logs them for Mexico, folded by the client's model from the view at the
    start of the orders phase: the arrest leaves the president's submission at once (the next view
    would say so too, but only after a round trip), the event the model holds is not changed, and the
    refusal is kept with the cost its ground's effect brings."""
    g = Game.new(rb, "loose-talk", 3, seats_in_play=SPLIT)
    system = Actor(role="system")
    while g.state.phase != "orders":
        g.handle(CommandEnvelope(actor=system, command=Advance()))
    model = LiveGame()
    model.welcome(
        {"role": "player", "team": "mx", "seat": "president", "seq": len(g.log), "view": views.view(g, "mx")}
    )
    start = len(g.log)
    g.handle(
        CommandEnvelope(
            actor=Actor(team="mx", seat="president"),
            command=SubmitOrders(orders=[Order(lever="mx_arrest"), Order(lever="mx_plan_1")]),
        )
    )
    g.handle(CommandEnvelope(actor=Actor(team="mx", seat="security"), command=RefuseOrder(lever="mx_arrest")))
    for ev in views.events_for(g, "mx", since=start):
        model.apply(int(ev["seq"]), ev)
    assert [o["lever"] for o in model.orders["mx/president"]["orders"]] == ["mx_plan_1"]
    submitted = next(e for e in model.log if e["type"] == "orders_submitted")
    assert [o["lever"] for o in submitted["orders"]] == ["mx_arrest", "mx_plan_1"], "the event stays as sent"
    (refusal,) = model.refusals
    assert refusal["seat"] == "security" and refusal["rule"] == "refusal.culiacan"
    assert refusal["changes"] == {"mx.pc": 8.0} and refusal["before"] == {"mx.pc": 10.0}


async def split_mexico(url: str) -> tuple[Any, str, str]:
    """Loose Talk (seed 3: state presence 35, under the Culiacán threshold) with Mexico's president and
    security seats each joined by a player."""
    async with LobbyClient(url) as lb:
        g = await lb.create_game("loose-talk", seed=3, seats=SPLIT)
        pres = await lb.join(g.game_id, g.join_codes["mx"], "Claudia", seat="president")
        sec = await lb.join(g.game_id, g.join_codes["mx"], "Omar", seat="security")
    return g, pres.token, sec.token


async def orders_tab(pilot: Pilot[Any]) -> GameScreen:
    """Online, in the orders phase with its levers, on the orders tab."""
    gs = await until_online(pilot)
    await wait_until(pilot, lambda: gs.model.view.get("phase") == "orders", what="the orders view")
    await close_cards(pilot)
    await pilot.press("5")
    return gs


async def order_arrest(pilot: Pilot[Any], gs: GameScreen) -> None:
    """The president ticks MX-ARREST and submits it, as a player would."""
    sl = gs.query_one("#order-list", SelectionList)
    await wait_until(pilot, lambda: sl.option_count > 0, what="the levers")
    sl.highlighted = next(i for i in range(sl.option_count) if sl.get_option_at_index(i).value == "mx_arrest")
    await pilot.press("space", "ctrl+s")
    await wait_until(pilot, lambda: "SUBMITTED" in static_text(pilot.app, "#order-info"), what="submitted")


def offered(gs: GameScreen) -> int:
    box = gs.query_one("#refusal")
    return gs.query_one("#refuse-list", OptionList).option_count if box.display else 0


async def test_the_security_seat_refuses_the_president_s_arrest_through_the_orders_tab(url: str) -> None:
    g, pres_token, sec_token = await split_mexico(url)
    async with GameClient(url, g.game_id, g.facilitator_token) as fac, asyncio.timeout(60):
        await advance_to(fac, "orders")
        pres_app, sec_app = seat_app(url, g, pres_token), seat_app(url, g, sec_token)
        async with pres_app.run_test(size=(120, 40)) as pp, sec_app.run_test(size=(120, 40)) as sp:
            pres, sec = await orders_tab(pp), await orders_tab(sp)
            assert offered(sec) == 0 and not sec.query_one("#refusal").display, "nothing ordered yet"
            await order_arrest(pp, pres)

            # the security seat's tab offers the arrest with its ground and its cost
            await wait_until(sp, lambda: offered(sec) == 1, what="the arrest offered for refusal")
            row = str(sec.query_one("#refuse-list", OptionList).get_option_at_index(0).prompt)
            assert "MX-ARREST, ordered by President — may be refused now, for 2 PC" in row
            assert "declines a raid it expects to lose" in static_text(sp.app, "#refuse-detail")
            # the president's order is not the security seat's own: not ticked there, not its submission
            assert sec.query_one("#order-list", SelectionList).selected == []
            assert "SUBMITTED" not in static_text(sp.app, "#order-info")
            # the president is told his order may be refused
            await wait_until(pp, lambda: "may refuse your MX-ARREST" in static_text(pp.app, "#refuse-head"))

            await sp.press("x")
            await wait_until(sp, lambda: type(sp.app.screen).__name__ == "RefuseScreen", what="the form")
            form = sp.app.screen
            form.query_one("#refuse-reason", Input).value = "not in Culiacán again"
            await sp.press("enter")
            confirm = await modal(sp, Confirm)
            question = static_text(sp.app, "#confirm-text")
            assert "Refuse MX-ARREST, ordered by President?" in question
            assert "costs your team 2 PC (Mexican political capital 10 → 8 PC)" in question
            assert "may not refuse another order for 3 turns" in question
            assert confirm is sp.app.screen
            await sp.press("y")

            # the president's tab: the arrest is no longer given, and it says who refused it and why
            await wait_until(pp, lambda: "refused your MX-ARREST" in static_text(pp.app, "#order-info"))
            await wait_until(pp, lambda: "cost 2 PC" in static_text(pp.app, "#order-info"), what="the cost")
            info = static_text(pp.app, "#order-info")
            assert "Security cabinet and prosecutors refused your MX-ARREST" in info
            assert "ground: Security seat declines a raid it expects to lose" in info
            assert '"not in Culiacán again"' in info
            assert "SUBMITTED" in info and "selected 0 PC" in info
            assert "mx_arrest" not in pres.query_one("#order-list", SelectionList).selected
            assert pres.model.orders["mx/president"]["orders"] == []
            assert "refused your MX-ARREST" in static_text(pp.app, "#notice")
            assert pres.orders.unsent() is None, "nothing is left to lose by marking ready"
            # the security seat's list is empty again, and the server holds the refusal
            await wait_until(sp, lambda: offered(sec) == 0, what="the refused order to leave the list")
            view = await fac.refresh()
            assert view["orders"]["mx/president"]["orders"] == []
            assert view["pc"]["mx"] == 8


async def test_an_order_no_ground_covers_says_why_and_sends_nothing(url: str) -> None:
    g, pres_token, sec_token = await split_mexico(url)
    async with GameClient(url, g.game_id, g.facilitator_token) as fac, asyncio.timeout(60):
        # the state is present on the ground and collusion below the level that shields networks
        for key, value in (("mx.presence", 50.0), ("mx.collusion", 40.0)):
            await fac.send({"type": "override", "key": key, "value": value, "note": "a calm north"})
        await advance_to(fac, "orders")
        pres_app, sec_app = seat_app(url, g, pres_token), seat_app(url, g, sec_token)
        async with pres_app.run_test(size=(120, 40)) as pp, sec_app.run_test(size=(120, 40)) as sp:
            pres, sec = await orders_tab(pp), await orders_tab(sp)
            await order_arrest(pp, pres)
            await wait_until(sp, lambda: offered(sec) == 1, what="the arrest in the list")
            row = str(sec.query_one("#refuse-list", OptionList).get_option_at_index(0).prompt)
            assert row.endswith("— cannot be refused now")
            detail = static_text(sp.app, "#refuse-detail")
            assert "MX-ARREST cannot be refused now: MX-ARREST may be refused only when" in detail
            assert "mx.presence is 50" in detail
            log_before = len(sec.model.log)

            await sp.press("x")
            said = "not sent — MX-ARREST cannot be refused now"
            await wait_until(sp, lambda: said in static_text(sp.app, "#notice"), what="why not")
            assert sp.app.screen is sec, "no form for what cannot be refused"
            await sp.pause(0.3)
            assert not any(e["type"] == "order_refused" for e in sec.model.log[log_before:])
            view = await fac.refresh()
            assert [o["lever"] for o in view["orders"]["mx/president"]["orders"]] == ["mx_arrest"]
            assert "SUBMITTED" in static_text(pp.app, "#order-info")
            assert "refused" not in static_text(pp.app, "#order-info")


async def test_a_president_who_reconnects_after_a_refusal_still_reads_it(url: str) -> None:
    """The refusal came while the president's client was away (a closed laptop): the client that
    connects afterwards saw no ``order_refused`` event, so the view must carry it. The lever's row says
    it cannot be ordered again this turn in the view's words, and the line names the ground and cost."""
    g, pres_token, sec_token = await split_mexico(url)
    async with GameClient(url, g.game_id, g.facilitator_token) as fac, asyncio.timeout(60):
        await advance_to(fac, "orders")
        async with (
            GameClient(url, g.game_id, pres_token) as pres,
            GameClient(url, g.game_id, sec_token) as sec,
        ):
            await pres.send({"type": "submit_orders", "orders": [{"lever": "mx_arrest"}]})
            await sec.send({"type": "refuse_order", "lever": "mx_arrest", "reason": "not in Culiacán again"})
        app = seat_app(url, g, pres_token)
        async with app.run_test(size=(120, 40)) as pp:
            gs = await orders_tab(pp)
            await wait_until(pp, lambda: "refused your MX-ARREST" in static_text(pp.app, "#order-info"))
            info = static_text(pp.app, "#order-info")
            assert "✗ Security cabinet and prosecutors refused your MX-ARREST: it is not given" in info
            assert "ground: Security seat declines a raid it expects to lose" in info
            assert '"not in Culiacán again"' in info
            assert "cost 2 PC (Mexican political capital 10 → 8 PC)" in info
            sl = gs.query_one("#order-list", SelectionList)
            sl.highlighted = next(
                i for i in range(sl.option_count) if sl.get_option_at_index(i).value == "mx_arrest"
            )
            await pp.pause()
            detail = static_text(pp.app, "#order-detail")
            assert "cannot be ordered now: MX-ARREST was refused this turn by the Security cabinet" in detail
