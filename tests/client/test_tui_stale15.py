"""Lines that went stale (session 14): the ready row's own "CN·" never changed in a solo game (the
bots are ready at once and ctrl+r ends the phase), and "proposal tabled: T4-MX-1 — open, waiting for
United States to answer" stayed up after the United States had signed it."""

from __future__ import annotations

from test_tui_support import (
    add_clause,
    advance_to,
    new_game,
    open_composer,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.widgets import Checkbox

from precursor.client import GameClient


async def test_the_ready_row_says_when_only_this_team_is_left(url: str) -> None:
    bots = {"us": "default", "cn": "default", "ca": "default"}
    g, tokens = await new_game(url, teams=("mx",), bots=bots)
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "negotiation")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        await until_online(pilot)
        row = "ready all but you (^r) │ ● online"  # whole at 80 columns
        await wait_until(pilot, lambda: row in static_text(app, "#status"), what="the ready row")
        assert "MX·" not in static_text(app, "#status")


async def test_the_tabled_notice_follows_the_proposal_once_it_is_signed(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx", "us"))
    app = seat_app(url, g, tokens["mx"])
    async with GameClient(url, g.game_id, tokens["us"]) as us, app.run_test(size=(120, 40)) as pilot:
        cs = await open_composer(pilot)
        cs.query_one("#party-us", Checkbox).value = True
        await add_clause(pilot, cs, "mx", "mx_trace")
        await add_clause(pilot, cs, "us", "us_arms")
        await pilot.press("ctrl+s")
        said = "proposal tabled: T1-MX-1 — open, waiting for United States to answer"
        await wait_until(pilot, lambda: said in static_text(app, "#notice"), what="the tabled notice")
        await us.send({"type": "respond", "proposal": "T1-MX-1", "action": "accept"})
        signed = "proposal tabled: T1-MX-1 — signed as agreement A1-MX-1"
        await wait_until(pilot, lambda: signed in static_text(app, "#notice"), what="the notice to follow")
