"""A self-verified deal's partner clause (session 15's student A): "[agreement] A5-MX-1: now completed,
honoured by United States and Mexico" and "kept by every party" on the proposals tab, with no line for the
United States' US-ARMS, which the public orders did not list (the US ordered it privately). The summary
was the engine's: no party reported a broken promise. The line was missing because a self-verified
clause is told to the team that owes it alone; the words now say so, turn by turn and at the end."""

from __future__ import annotations

from typing import Any

from test_tui_support import (
    advance_to,
    log_lines,
    new_game,
    open_results,
    seat_app,
    static_text,
    wait_until,
)

from precursor.client import GameClient

CLAUSES = [{"actor": "mx", "lever": "mx_trace"}, {"actor": "us", "lever": "us_arms"}]


async def played(url: str, us_order: str, verification: str = "self") -> tuple[Any, dict[str, str]]:
    """Turn 1 played to its results: the deal signed (self-verified unless ``verification`` says
    otherwise), Mexico's MX-TRACE and the US's US-ARMS ordered (``us_order``: "private" or "public")."""
    g, tokens = await new_game(url, teams=("mx", "us"))
    fac = GameClient(url, g.game_id, g.facilitator_token)
    us, mx = GameClient(url, g.game_id, tokens["us"]), GameClient(url, g.game_id, tokens["mx"])
    async with fac, us, mx:
        await mx.send(
            {"type": "propose", "parties": ["us", "mx"], "clauses": CLAUSES, "verification": verification}
        )
        await us.send({"type": "respond", "proposal": "T1-MX-1", "action": "accept"})
        await advance_to(fac, "orders")
        await us.send({"type": "submit_orders", "orders": [{"lever": "us_arms", "visibility": us_order}]})
        await mx.send({"type": "submit_orders", "orders": [{"lever": "mx_trace"}]})
        await advance_to(fac, "results")
    return g, tokens


async def results_text(pilot: Any) -> str:
    """The results tab's log once turn 1's lines are in, as one line of words."""
    gs = await open_results(pilot)
    await wait_until(pilot, lambda: "due this turn" in "\n".join(log_lines(gs.results)), what="the line")
    return " ".join("\n".join(log_lines(gs.results)).split())


async def test_a_partners_self_verified_clause_is_said_and_the_summary_says_what_is_known(url: str) -> None:
    g, tokens = await played(url, "private")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(160, 50)) as pilot:
        text = await results_text(pilot)
        assert (
            "[agreement] A1-MX-1: United States's US-ARMS was due this turn; the deal is self-verified, so"
            " whether it was kept is told to United States alone — no broken promise is reported"
        ) in text, text
        assert "honoured by" not in text, text
        assert "the log above shows" not in text, text  # a private order is not in Mexico's log
        assert "now completed; no broken promise reported by United States and Mexico (self-verified" in text
        await pilot.press("4")
        await wait_until(pilot, lambda: "A1-MX-1" in static_text(app, "#agreements"), what="the agreements")
        line = " ".join(static_text(app, "#agreements").split())
        assert "kept by every party" not in line, line
        assert "A1-MX-1 (United States and Mexico) completed: no party reports a broken promise" in line, line
