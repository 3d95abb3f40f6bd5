"""The briefing's calendar agrees with the turn's news: Election Season's first briefing said "Open political
windows: none this turn" beside the Woodside card's "A leader summit is open this turn no → yes"."""

from __future__ import annotations

from test_tui_support import advance_to, close_cards, log_lines, new_game, seat_app, until_online, wait_until

from precursor.client import GameClient


def _windows_line(text: str) -> str:
    return next(x for x in text.splitlines() if x.startswith("Open political windows:"))


async def test_the_briefing_lists_the_summit_an_inject_opened(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",), scenario="election-season", seed=21)
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        await wait_until(pilot, lambda: "Open political windows" in gs.briefing._brief, what="the briefing")
        await close_cards(pilot)
        assert any(ev.get("id") == "c_woodside_summit" for ev in gs.model.injects)
        assert _windows_line(gs.briefing._brief) == "Open political windows: leader summit"
        assert "2023-11-15: Biden–Xi summit at Woodside, California" in gs.briefing._brief


async def test_the_tutorial_review_its_inject_promises_is_in_the_results(url: str) -> None:
    """The tutorial's "Three months on" says the review compares the numbers at the end of turn 3; no
    review line ever appeared (it compared nothing, and the card of a rule that moved nothing is hidden)."""
    g, tokens = await new_game(url, teams=("us",), seed=22)
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "results", 3)
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("6")
        await wait_until(pilot, lambda: any("turn 3" in x for x in log_lines(gs.results)), what="turn 3")
        text = "\n".join(log_lines(gs.results))
        assert "Three months on" in text
        review = text[text.index("[rule] Three-month review") :]
        assert "overdose deaths" in review.split("sources:")[0]
        assert "on three months before" in review.split("sources:")[0]
