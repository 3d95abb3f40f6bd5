"""Who checks that a deal is kept is part of a proposal the student reads and writes. Two students met a
bot's "would sign it with compliance checked by both sides" and found no field for it, and nothing on the
screen said what a proposal they were shown asked for."""

from __future__ import annotations

from test_tui_support import (
    frames_until,
    is_event,
    new_game,
    open_proposals,
    seat_app,
    static_text,
    wait_until,
)
from textual.widgets import Select

from client_tui.composer import ComposerScreen, ProposalScreen
from precursor.client import GameClient


async def test_the_composer_sets_who_checks_and_a_proposal_says_it(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx", "us"), scenario="tariffs-and-terror")
    deal = [
        {"actor": "mx", "lever": "mx_port", "params": {"intensity": 200}},
        {"actor": "us", "lever": "us_arms", "params": {}},
    ]
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        await us.send({"type": "propose", "parties": ["us", "mx"], "clauses": deal, "verification": "joint"})
        pid = str((await frames_until(us, is_event("proposal")))[-1]["event"]["proposal"]["id"])
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs, table = await open_proposals(pilot)
            table.focus()
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ProposalScreen), what="the full text")
            assert "Checked: compliance checked by both sides" in static_text(app, "#proposal-text")
            # a counter starts from the same terms, the checking included, and it can be changed
            await pilot.press("c")
            await wait_until(pilot, lambda: isinstance(app.screen, ComposerScreen), what="the counter")
            cs = app.screen
            assert isinstance(cs, ComposerScreen) and cs.counter_to == pid
            assert cs.query_one("#c-verif", Select).value == "joint"
            assert cs.draft().verification == "joint"
            cs.query_one("#c-verif", Select).value = "incb"
            await pilot.pause()
            assert cs.draft().verification == "incb"
            assert gs.model.proposals[pid]["verification"] == "joint"
