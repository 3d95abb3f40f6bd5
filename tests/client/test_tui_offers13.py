"""Session 13's students on promised terms and incoming offers: a promised lever ticked with its
defaults instead of the agreed terms, and proposals to the player that nothing announced."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from test_tui_support import (
    advance_to,
    close_cards,
    frames_until,
    is_event,
    modal,
    negotiation_table,
    new_game,
    screen_text,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.widgets import DataTable, SelectionList, TabbedContent

from client_tui.composer import ProposalScreen
from client_tui.panes.orders import OrdersPane
from precursor.client import GameClient

ME70 = {"actor": "mx", "lever": "mx_me", "params": {"level": 70}, "start_turn": 1, "duration": 2}
ARMS = {"actor": "us", "lever": "us_arms", "params": {}, "start_turn": 1, "duration": 1}


async def _orders_tab(pilot: Any, gs: Any) -> tuple[SelectionList[Any], Callable[[], list[str]]]:
    """The orders tab open in the orders phase, its list, and the lever ids in the list's order."""
    await pilot.press("5")
    sl: SelectionList[Any] = gs.query_one("#order-list", SelectionList)

    def ids() -> list[str]:
        return [str(sl.get_option_at_index(i).value) for i in range(sl.option_count)]

    await wait_until(pilot, lambda: "mx_me" in ids() and gs.model.phase == "orders")
    return sl, ids


async def test_ticking_a_promised_lever_starts_at_the_agreed_terms(url: str) -> None:
    """A student ticked US-TARIFF promised at 0% on China and got the lever's defaults (Mexico, 25%,
    threatened): one ctrl+s from threatening Mexico. Here Mexico promised MX-ME at level 70 (its
    default is 60): Space alone must order 70, and the row must say whose terms they are."""
    g, tokens = await new_game(url, teams=("us", "mx"))
    async with (
        GameClient(url, g.game_id, tokens["mx"]) as mx,
        GameClient(url, g.game_id, tokens["us"]) as us,
        GameClient(url, g.game_id, g.facilitator_token) as fac,
    ):
        await us.send({"type": "propose", "parties": ["us", "mx"], "clauses": [ME70, ARMS]})
        await mx.send({"type": "respond", "proposal": "T1-US-1", "action": "accept"})
        await frames_until(fac, is_event("agreement"))
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            sl, ids = await _orders_tab(pilot, gs)
            await wait_until(pilot, lambda: "A1-US-1" in gs.model.agreements, what="the agreement")
            await wait_until(pilot, lambda: not gs.query_one(OrdersPane).checking(), what="the costs")
            sl.focus()
            sl.highlighted = ids().index("mx_me")
            await pilot.press("space")
            await wait_until(pilot, lambda: "mx_me" in sl.selected, what="the tick")
            await pilot.pause()
            pane = gs.query_one(OrdersPane)
            command = pane.submission()
            assert command is not None
            assert [(o.lever, o.params) for o in command.orders] == [("mx_me", {"level": 70})]
            label = str(sl.get_option_at_index(ids().index("mx_me")).prompt)
            assert "as agreed in A1-US-1" in label, label
            assert "you promised MX-ME with" not in static_text(app, "#order-info")


async def test_l_keeps_last_turns_parameters_unless_an_agreement_due_now_sets_them(url: str) -> None:
    """``l`` ticked MX-ME again at last turn's 65 under an agreement signed since for 70: the clause
    would break. The agreed level wins; MX-PORT, under no agreement, keeps last turn's 250."""
    g, tokens = await new_game(url, teams=("us", "mx"))
    async with (
        GameClient(url, g.game_id, tokens["mx"]) as mx,
        GameClient(url, g.game_id, tokens["us"]) as us,
        GameClient(url, g.game_id, g.facilitator_token) as fac,
    ):
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            sl, ids = await _orders_tab(pilot, gs)
            await wait_until(pilot, lambda: not gs.orders.checking(), what="the costs")
            sl.focus()
            for lever in ("mx_me", "mx_port"):
                sl.highlighted = ids().index(lever)
                await pilot.press("space")
            gs.orders._params.update({"mx_me": {"level": 65}, "mx_port": {"intensity": 250}})
            await pilot.press("ctrl+s")
            await frames_until(fac, is_event("orders_submitted", team="mx"))
            await advance_to(fac, "negotiation", 2)
            clause = {**ME70, "start_turn": 2, "duration": 1}
            await us.send({"type": "propose", "parties": ["us", "mx"], "clauses": [clause]})
            await mx.send({"type": "respond", "proposal": "T2-US-1", "action": "accept"})
            await frames_until(fac, is_event("agreement"))
            await advance_to(fac, "orders", 2)
            await wait_until(pilot, lambda: gs.model.turn == 2 and gs.model.phase == "orders", what="turn 2")
            await wait_until(pilot, lambda: "A2-US-1" in gs.model.agreements, what="the agreement")
            await wait_until(pilot, lambda: not gs.orders.checking(), what="the costs")
            await close_cards(pilot)
            await pilot.press("5")
            sl.focus()
            await pilot.press("l")
            await pilot.pause()
            command = gs.orders.submission()
            assert command is not None
            got = {o.lever: o.params for o in command.orders}
            assert got == {"mx_me": {"level": 70}, "mx_port": {"intensity": 250}}, got
            assert "as agreed in A2-US-1" in static_text(app, "#notice")


async def test_a_proposal_to_the_team_is_announced_and_counted_until_answered(url: str) -> None:
    """Offers from bots stayed open unseen for turns: "NO alert/badge told me I had incoming
    proposals". One that comes is said in the notice line, and the tab counts those to answer."""
    async with negotiation_table(url, "us", "mx", (120, 40)) as t:
        app, pilot, mx = t.app, t.pilot, t.partner
        gs = await until_online(pilot)
        await close_cards(pilot)
        tab = lambda: str(gs.query_one(TabbedContent).get_tab("proposals").label)  # noqa: E731
        assert tab() == "4 Proposals"
        await mx.send({"type": "propose", "parties": ["mx", "us"], "clauses": [ARMS]})
        await wait_until(pilot, lambda: "T1-MX-1" in gs.model.proposals, what="the proposal")
        await pilot.pause()
        assert "Mexico proposes T1-MX-1 to you — tab 4" in static_text(app, "#notice")
        assert tab() == "4 Proposals (1 to answer)"
        # a second one counts too, and answering one takes it off
        await mx.send({"type": "propose", "parties": ["mx", "us"], "clauses": [ME70]})
        await wait_until(pilot, lambda: tab() == "4 Proposals (2 to answer)", what="the count")
        await pilot.press("4")
        table = gs.query_one("#prop-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 2, what="the rows")
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("enter")
        screen = await modal(pilot, ProposalScreen)
        assert "can be answered in turn" not in screen.text  # answerable now: no word of later
        await pilot.press("a")
        await wait_until(pilot, lambda: tab() == "4 Proposals (1 to answer)", what="the count to fall")


async def test_the_proposal_window_says_when_a_proposal_can_be_answered_or_that_it_lapsed(url: str) -> None:
    """In the orders phase a student's proposal window offered only Close, with no word on why: two
    offers were lost."""
    g, tokens = await new_game(url, teams=("us", "mx"))
    async with (
        GameClient(url, g.game_id, tokens["mx"]) as mx,
        GameClient(url, g.game_id, g.facilitator_token) as fac,
    ):
        await advance_to(fac, "negotiation")
        await mx.send({"type": "propose", "parties": ["mx", "us"], "clauses": [ARMS]})  # turn 1 only
        await mx.send({"type": "propose", "parties": ["mx", "us"], "clauses": [{**ARMS, "duration": 2}]})
        await frames_until(mx, is_event("proposal"))
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await wait_until(pilot, lambda: len(gs.model.proposals) == 2, what="the proposals")
            await pilot.press("4")
            table = gs.query_one("#prop-table", DataTable)
            await wait_until(pilot, lambda: table.row_count == 2, what="the rows")
            texts = {}
            for row in (0, 1):
                table.focus()
                table.move_cursor(row=row)
                await pilot.press("enter")
                screen = await modal(pilot, ProposalScreen)
                texts[gs.proposals._selected()] = screen.text.split("\n")[1]
                await pilot.press("escape")
                await wait_until(pilot, lambda: not isinstance(app.screen, ProposalScreen))
            assert texts["T1-MX-1"].startswith(
                "It has lapsed: proposals are answered in the briefing and negotiation phases, and by"
                " turn 2 every turn it covers (up to turn 1) is over."
            ), texts
            assert texts["T1-MX-2"] == (
                "It can be answered in turn 2's briefing or negotiation phase: proposals are answered in"
                " the briefing and negotiation phases, not in this one."
            ), texts


async def test_at_80x24_the_page_keys_bring_the_agreements_under_the_proposals_into_view(url: str) -> None:
    """A student at 80x24 found the proposals tab's "Agreements:" line below the screen's edge, and
    PageDown did not scroll the pane: three long answers from China had pushed it off."""
    g, tokens = await new_game(url, teams=("mx",), seed=5)
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("4")
        why = (
            "China declines: the deal asks China for CN-DENY (Deny and deflect), more than what the deal"
            " offers in return; no small change to these terms would bring China to sign."
        )
        for i in range(1, 4):
            gs.model.agreements[f"A{i}-MX-1"] = {
                "id": f"A{i}-MX-1",
                "parties": ["us", "mx"],
                "status": "active",
                "signed_turn": 1,
                "ends_turn": 3,
            }
            gs.model.proposals[f"T1-MX-{i}"] = {
                "id": f"T1-MX-{i}",
                "from": "mx",
                "parties": ["mx", "cn"],
                "accepted": ["mx"],
                "status": "rejected",
                "clauses": [],
                "reasons": {"cn": why},
            }
        gs.proposals.show()
        await pilot.pause(0.3)
        table = gs.query_one("#prop-table", DataTable)
        table.focus()
        await pilot.pause()
        assert "Agreements:" not in screen_text(app)  # under the answers, out of view at first
        for _ in range(3):
            await pilot.press("pagedown")
        await pilot.pause(0.2)
        assert "Agreements: A1-MX-1 (United States and Mexico) active" in screen_text(app)
        assert app.focused is table  # Enter still opens the highlighted proposal
        await pilot.press("home")
        await pilot.pause(0.2)
        assert "Agreements:" not in screen_text(app)
