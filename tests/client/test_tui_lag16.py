"""An order's lagged effects are said when they land (session 15's student B): China's reputation went
50 → 53 → 56 and the multilateral index 20 → 25 with no results line saying why, and CN-DIRECTIVE's own
card said only "Chinese political capital 10 → 9". The engine tells the facilitator alone when a lagged
effect matures; the team's own order card carries what it schedules, so the results tab says it twice:
on the order's card ("later: …") and in the turn it lands ("[delayed effect] …")."""

from __future__ import annotations

from typing import Any

import pytest
from test_tui_support import advance_to, close_cards, log_lines, new_game, seat_app, until_online, wait_until

from precursor.client import GameClient


def _turn(lines: list[str], turn: int) -> str:
    """The results of one turn, from its heading to the next, as one text (wrapped lines joined)."""
    text = "\n".join(lines)
    start = text.index(f"══ turn {turn} ══")
    end = text.find("══ turn ", start + 5)
    return " ".join(text[start : end if end >= 0 else None].split())


async def _play_turn_one(url: str, g: Any, token: str) -> None:
    """China orders CN-DIRECTIVE (lag 1 month, and one effect at 7) in turn 1; on to turn 2's results."""
    fac, cn = GameClient(url, g.game_id, g.facilitator_token), GameClient(url, g.game_id, token)
    async with fac, cn:
        await advance_to(fac, "orders")
        await cn.send({"type": "submit_orders", "orders": [{"lever": "cn_directive"}]})
        await advance_to(fac, "results", turn=2)


@pytest.mark.parametrize("live", [False, True])
async def test_a_lagged_effect_is_said_on_the_order_and_when_it_lands(url: str, live: bool) -> None:
    """Read from the log's start (a seat opened later) and as the events come."""
    g, tokens = await new_game(url, teams=("cn",), scenario="red-line")
    if not live:
        await _play_turn_one(url, g, tokens["cn"])
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(160, 50)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("6")
        if live:
            await wait_until(pilot, lambda: gs._results_waiting is None, what="the backlog")
            await _play_turn_one(url, g, tokens["cn"])
        await wait_until(pilot, lambda: "[delayed effect]" in "\n".join(log_lines(gs.results)), what="it")
        await wait_until(pilot, lambda: gs._results_waiting is None, what="the backlog")
        lines = log_lines(gs.results)
        one, two = _turn(lines, 1), _turn(lines, 2)
        assert "law (CN-DIRECTIVE) Chinese political capital 10 → 9 PC later:" in one, one
        assert "later: raises effective Chinese precursor control by 5 (after 1 month)" in one, one
        assert "(after 7 months)" in one, one
        said = "[delayed effect] CN-DIRECTIVE, ordered in turn 1, takes effect: raises effective Chinese"
        assert said in two, two
        assert "precursor control by 5; raises China's international reputation on drugs by 3" in two, two
        assert "after 1 month" not in two, two
        assert "lowers effective Chinese precursor control" not in two, two  # that one lands in turn 8
