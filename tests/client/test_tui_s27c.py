"""What session 27's student met playing whole games, on a real server and the real client."""

from __future__ import annotations

from typing import Any

from test_tui_support import (
    advance_to,
    close_cards,
    modal,
    negotiation_table,
    new_game,
    open_orders,
    propose,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from test_tui_words22 import turn_two_notice
from textual.widgets import DataTable

from client_tui import terms
from client_tui.composer import ProposalScreen
from client_tui.notice import Notice
from precursor.client import GameClient

REPLY = "CN-REPLY-MX: Mexico has not written to Beijing, so there is nothing to answer"


def _row(sl: object, lid: str) -> tuple[str, bool]:
    for i in range(sl.option_count):  # type: ignore[attr-defined]
        option = sl.get_option_at_index(i)  # type: ignore[attr-defined]
        if option.value == lid:
            return str(option.prompt), bool(option.disabled)
    raise AssertionError(f"no row for {lid}")


async def test_a_lever_out_on_another_teams_play_is_out_after_turn_one_too(url: str) -> None:
    """China's student (Loose Talk) saw CN-REPLY-MX out in turn 1, then "0 PC lag 2m" from turn 2: it set
    its parameter and ticked it, and each orders phase unticked it ("Mexico has not written to Beijing").
    Whether Mexico wrote is Mexico's play counter, which China's client does not see."""
    g, tokens = await new_game(url, teams=("cn", "mx"), scenario="loose-talk")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "negotiation", turn=2)  # Mexico's player gives no orders: it never writes
        app = seat_app(url, g, tokens["cn"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs, sl = await open_orders(pilot)
            assert (gs.model.turn, gs.model.phase) == (2, "negotiation")
            label, disabled = _row(sl, "cn_reply_mx")
            assert disabled and " out " in f"{label} " and "PC" not in label, label
            sl.highlighted = next(
                i for i in range(sl.option_count) if sl.get_option_at_index(i).value == "cn_reply_mx"
            )
            await pilot.pause()
            assert f"cannot be ordered now: {REPLY}" in static_text(app, "#order-detail")
            # the orders phase says the same
            await advance_to(fac, "orders", turn=2)
            await wait_until(pilot, lambda: gs.model.view.get("phase") == "orders", what="the orders")
            await wait_until(pilot, lambda: sl.option_count > 3, what="the levers")
            label, disabled = _row(sl, "cn_reply_mx")
            assert disabled and "Mexico has not written" in label, label


async def test_a_lapsed_proposal_is_not_to_answer_and_its_keys_say_why(url: str) -> None:
    """China's student (Loose Talk, turn 4's results) read "4 Proposals (1 to answer)" and "T4-CA-1 … to
    answer · 1/2 accepted" over a proposal whose window said "It has lapsed"; the window offered only
    Close, and a and r did nothing, with no word."""
    g, tokens = await new_game(url, teams=("cn", "ca"), scenario="loose-talk")
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, tokens["ca"]) as ca,
    ):
        await ca.next_frame()
        await advance_to(fac, "negotiation")
        pid = await propose(ca, ["ca", "cn"], [{"actor": "ca", "lever": "ca_mediate", "duration": 1}])
        await advance_to(fac, "results")  # the clause covers turn 1 only: by turn 2 it has lapsed
        app = seat_app(url, g, tokens["cn"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("4")
            table: DataTable[Any] = gs.query_one("#prop-table", DataTable)
            await wait_until(pilot, lambda: table.row_count == 1, what="the proposal")
            label = str(gs.query_one("#tabs").get_tab("proposals").label)  # type: ignore[attr-defined]
            assert "to answer" not in label, label
            status = str(table.get_row(pid)[2])
            assert status.startswith("lapsed") and "to answer" not in status, status
            table.focus()
            await pilot.press("enter")
            screen = await modal(pilot, ProposalScreen)
            assert "It has lapsed" in screen.text
            await pilot.press("a")
            await pilot.pause()
            said = static_text(app, "#proposal-said")
            rule = "proposals are answered in the briefing and negotiation phases"
            assert said == f"a: no accept — {rule}", said
            assert isinstance(app.screen, ProposalScreen)


async def test_the_last_turns_results_without_orders_say_no_more_orders(url: str) -> None:
    """China's student readied without orders in turn 6 of 6; the results phase then read "Results
    phase: plan here, orders go in during the orders phase (availability is checked then) … Budget 17.0
    PC", of orders no phase was left to take."""
    g, tokens = await new_game(url, teams=("cn",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "results", turn=3)  # the tutorial's last turn, no orders given
        app = seat_app(url, g, tokens["cn"])
        async with app.run_test(size=(120, 40)) as pilot:
            await open_orders(pilot)
            await wait_until(pilot, lambda: "Results phase" in static_text(app, "#order-info"))
            info = " ".join(static_text(app, "#order-info").split())
            assert info.startswith("Results phase · no orders went in · this was the last turn"), info
            assert "plan here" not in info and "Budget" not in info, info


async def test_the_tabled_notice_follows_a_deal_signed_before_it_reached_the_screen(url: str) -> None:
    """China's student tabled T2-CN-2 to the United States' bot, which accepted at once; the table read
    "signed: agreement A2-CN-2" while the line kept "proposal tabled: T2-CN-2 — open, waiting for United
    States to answer". The pane writes that line as the server takes the proposal; a bot's answer comes
    a moment later, and its events were drawn before the pane's line reached the screen, so nothing
    moved the line on."""
    async with negotiation_table(url, "cn", "us") as t:
        pilot, app = t.pilot, t.app
        gs = await until_online(pilot)
        await close_cards(pilot)
        async with GameClient(url, t.game.game_id, t.tokens["cn"]) as cn:  # the seat's own second socket
            await cn.next_frame()
            clause = {"actor": "us", "lever": "us_arms"}
            pid = await propose(cn, ["cn", "us"], [clause])
        await wait_until(pilot, lambda: pid in gs.model.proposals, what="the proposal")
        # the line as the pane words it once the server has the proposal (ProposalsPane._say_tabled)
        said = f"proposal tabled: {pid} — {terms.proposal_status(gs.model, gs.rb, gs.model.proposals[pid])}"
        assert said.endswith("open, waiting for United States to answer"), said
        await t.partner.send({"type": "respond", "proposal": pid, "action": "accept"})
        await wait_until(pilot, lambda: gs.model.proposals[pid].get("status") == "signed", what="the deal")
        gs.proposals.post_message(Notice(said, proposal=pid))  # reaching the screen after the answer
        await wait_until(pilot, lambda: static_text(app, "#notice").startswith("proposal tabled"))
        line = static_text(app, "#notice")
        assert line.startswith(f"proposal tabled: {pid} — signed as agreement"), line


async def test_the_new_turns_notice_names_every_order_of_last_turn(url: str) -> None:
    """Canada's student (Three Weeks, 80x24, turn 5's briefing) read "last turn's orders: CA-DEMAND,
    CA-TRI" of three orders, and met the third, CA-MEDIATE, only when l said "not available now". Here
    China's CN-KYC, once per game, is spent by turn 2."""
    said = await turn_two_notice(url, (80, 24))
    assert "last turn's orders: CN-DIRECTIVE — press l" in said, said
    assert "; not available now: CN-KYC (CN-KYC can be played once per game and already was)" in said, said
