"""What session 25's own games met, each on a real server and the real client."""

from __future__ import annotations

from test_tui_support import (
    advance_to,
    close_cards,
    modal,
    negotiation_table,
    new_game,
    open_proposals,
    propose,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.widgets import Button

from client_tui.composer import ComposerScreen
from client_tui.panes import InjectCards
from precursor.client import GameClient


async def test_a_r_and_c_answer_the_highlighted_proposal_from_the_list(url: str) -> None:
    """Playing China, a on the highlighted proposal did nothing: only the proposal in full (Enter)
    answered to a, r and c, while the list showed Accept and Reject buttons under it. The list answers
    to the same keys now, and its buttons say them."""
    async with negotiation_table(url, "mx", "us") as t:
        pilot, app = t.pilot, t.app
        for lever in ("us_tech", "us_arms", "us_travel"):
            await propose(t.partner, ["us", "mx"], [{"actor": "us", "lever": lever}])
        gs, _ = await open_proposals(pilot, rows=3)
        shown = [str(b.label) for b in gs.proposals.query(Button) if b.display]
        assert shown[1:3] == ["Accept (a)", "Reject (r)"], shown
        await pilot.press("up", "up")
        await wait_until(pilot, lambda: gs.proposals._selected() == "T1-US-1", what="the first row")
        await pilot.press("a")
        await wait_until(
            pilot, lambda: gs.model.proposals["T1-US-1"].get("status") == "signed", what="signed"
        )
        assert static_text(app, "#notice").startswith("you accepted T1-US-1"), static_text(app, "#notice")
        await pilot.press("down")
        await wait_until(pilot, lambda: gs.proposals._selected() == "T1-US-2", what="the second row")
        await pilot.press("r")
        await wait_until(
            pilot, lambda: gs.model.proposals["T1-US-2"].get("status") == "rejected", what="rejected"
        )
        # a signed deal is answered no more: the key says why instead of sending what the server refuses
        await pilot.press("up")
        await wait_until(pilot, lambda: gs.proposals._selected() == "T1-US-1", what="back up")
        await pilot.press("r")
        await wait_until(pilot, lambda: static_text(app, "#notice").startswith("not sent — "), what="refusal")
        assert gs.model.proposals["T1-US-1"].get("status") == "signed"
        # c opens the composer on the highlighted proposal, a counter to it
        await pilot.press("down", "down")
        await wait_until(pilot, lambda: gs.proposals._selected() == "T1-US-3", what="the third row")
        await pilot.press("c")
        cs = await modal(pilot, ComposerScreen)
        assert cs.counter_to == "T1-US-3"


async def test_ctrl_r_in_the_news_closes_it_and_is_the_games_ready(url: str) -> None:
    """With the news open at a turn's start, ctrl+r did nothing: the seat was not ready and nothing
    said why. It closes the news and marks the seat ready; the cards stay in the briefing tab."""
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        async with GameClient(url, g.game_id, g.facilitator_token) as fac:
            await advance_to(fac, "briefing", 2)
        await modal(pilot, InjectCards)
        await wait_until(pilot, lambda: gs.model.turn == 2, what="turn 2")
        assert not any(gs.model.ready.values()), gs.model.ready
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: not isinstance(app.screen, InjectCards), what="the news closed")
        await wait_until(pilot, lambda: any(gs.model.ready.values()), what="the seat ready")
        assert [k for k, v in gs.model.ready.items() if v] == ["mx/government"], gs.model.ready
