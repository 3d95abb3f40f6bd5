"""A counter closes the proposal it answers and uses one of the turn's proposals (a student countered
T1-US-1, found it closed and could no longer accept it, with one of three proposals gone). Before a
counter goes, the client says both and lets the student go back."""

from __future__ import annotations

from test_tui_support import (
    new_game,
    open_proposals,
    propose,
    seat_app,
    static_text,
    wait_until,
)

from client_tui.composer import ComposerScreen
from client_tui.widgets import Confirm
from precursor.client import GameClient


async def test_a_counter_says_it_closes_the_original_and_uses_a_proposal_before_it_goes(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx", "us"), scenario="tariffs-and-terror")
    deal = [
        {"actor": "mx", "lever": "mx_port", "params": {"intensity": 200}},
        {"actor": "us", "lever": "us_arms", "params": {}},
    ]
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        pid = await propose(us, ["us", "mx"], deal)
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs, table = await open_proposals(pilot)
            table.focus()
            await pilot.press("enter", "c")
            await wait_until(pilot, lambda: isinstance(app.screen, ComposerScreen), what="the counter")
            cs = app.screen
            assert isinstance(cs, ComposerScreen) and cs.counter_to == pid
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: isinstance(app.screen, Confirm), what="the question")
            said = " ".join(static_text(app, "#confirm-text").split())
            assert f"Countering closes {pid}: it can no longer be accepted, by you or by anyone" in said, said
            assert "This uses 1 of your 3 proposals this turn (2 left after it)." in said, said
            # n goes back: nothing sent, the draft kept, the original still open
            await pilot.press("n")
            await wait_until(pilot, lambda: app.screen is cs, what="back to the draft")
            assert len(cs.clauses) == 2
            await pilot.pause(0.3)
            assert gs.model.proposals[pid]["status"] == "open"
            assert len(gs.model.proposals) == 1
            # y sends it, and the original is closed
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: isinstance(app.screen, Confirm), what="the question")
            await pilot.press("y")
            await wait_until(pilot, lambda: len(gs.model.proposals) == 2, what="the counter tabled")
            await wait_until(pilot, lambda: gs.model.proposals[pid]["status"] != "open", what="the close")
