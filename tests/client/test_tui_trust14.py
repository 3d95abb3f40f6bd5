"""The dashboard against the results log (session 13): "Trust between the US and China 11.0" on the
dashboard, and the last line of it in the results "10.0 → 8.0". A delayed effect of China's turn-1
order (CN-DIRECTIVE) matured after it, in an event the US is not shown. The results now say so after
the turn's cards, so the two agree."""

from __future__ import annotations

from live_server import running_server
from test_tui_support import (
    advance_to,
    close_cards,
    log_lines,
    new_game,
    seat_app,
    until_online,
    wait_until,
)

from client_tui.game_screen import _exact_values
from precursor.client import GameClient


async def test_a_value_moved_by_changes_not_shown_reads_the_same_in_the_results_and_on_the_dashboard() -> (
    None
):
    async with running_server("memory://") as url:
        bots = {"mx": "default", "cn": "default", "ca": "default"}
        g, tokens = await new_game(url, teams=("us",), seed=3, bots=bots)
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            async with GameClient(url, g.game_id, g.facilitator_token) as fac:
                await advance_to(fac, "briefing", 3)
            await wait_until(pilot, lambda: gs.model.turn == 3, what="turn 3")
            await close_cards(pilot)
            await pilot.press("6")
            await wait_until(pilot, lambda: any("turn 2" in x for x in log_lines(gs.results)), what="turn 2")
            await pilot.pause(0.5)
            lines = log_lines(gs.results)
            shown = _exact_values(gs.model.view)
            name = "Trust between the US and China"
            said = [x for x in lines if name in x]
            assert said, lines
            last = said[-1]
            tail = last[last.rindex(name) :].split(";")[0]
            value = f"{shown['trust.us_cn']:.1f}"
            assert tail.split("→")[-1].strip().split()[0].rstrip(")") == value, (tail, value, said[-3:])
