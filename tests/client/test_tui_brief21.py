"""The briefing's secret objectives before the rules first judge them: student b20's Canada read "first
judged at the end of this turn" beside two objectives that count only when the game ends."""

from __future__ import annotations

from test_tui_support import close_cards, new_game, seat_app, until_online, wait_until

from client_tui.objectives import objective_state


def test_an_objective_not_yet_judged_says_how_the_rules_will_judge_it() -> None:
    said = {
        check: objective_state({"met": None, "check": check}, False)
        for check in ("end", "every_turn", "ever")
    }
    assert said == {
        "end": "judged when the game ends",
        "every_turn": "must hold at the end of every turn, from this one on",
        "ever": "met for good the first time it holds at the end of a turn, from this one on",
    }
    assert objective_state({"met": None}, False, True) == "judged when the game ends (it holds now)"


async def test_canadas_briefing_says_its_objectives_are_judged_when_the_game_ends(url: str) -> None:
    g, tokens = await new_game(url, teams=("ca",))
    app = seat_app(url, g, tokens["ca"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        await wait_until(pilot, lambda: "trilateral module" in gs.briefing._brief, what="the objectives")
        await close_cards(pilot)
        lines = [x for x in gs.briefing._brief.splitlines() if "trilateral module" in x or "trust ends" in x]
    assert len(lines) == 2 and all("judged when the game ends" in x for x in lines), lines
    assert not any("first judged" in x for x in lines), lines
