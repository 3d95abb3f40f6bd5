"""A yes/no value reads yes/no in the results (session 15's student B): "[other changes] ... A trilateral
meeting is held this turn yes → 1", and "no → yes (it was 0 after the change above; changes not shown to
you took it to no)". The dashboard's values, read to find what moved after the last card, were made
numbers, so an unchanged yes became 1."""

from __future__ import annotations

from typing import Any

from test_tui_support import (
    log_lines,
    new_game,
    open_results,
    seat_app,
)

from client_tui.game_screen import _exact_values

FLAG = "flag.trilateral_meeting"
NAME = "A trilateral meeting is held this turn"


def _effect(seq: int, before: bool, after: bool) -> dict[str, Any]:
    return {
        "type": "effect",
        "seq": seq,
        "turn": 1,
        "rule": "h1.trilateral_modules",
        "reason": "a meeting",
        "changes": {FLAG: after},
        "before": {FLAG: before},
        "vis": "all",
    }


async def test_a_flag_in_the_results_reads_yes_or_no(url: str) -> None:
    g, tokens = await new_game(url, teams=("us",))
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(160, 40)) as pilot:
        gs = await open_results(pilot)
        log = gs.results
        log.add(10_000, _effect(10_000, False, True))
        view = {**gs.model.view}
        view["indicators"] = [
            {**i, "value": True} if i["id"] == FLAG else i for i in view.get("indicators") or []
        ]
        log.settle(_exact_values(view))  # the dashboard agrees with the card: nothing else moved
        await pilot.pause()
        text = "\n".join(log_lines(log))
        assert f"{NAME} no → yes" in text, text
        assert "yes → 1" not in text and "[other changes]" not in text, text
        # a later card starting where the dashboard left it says no "it was 0"
        log.add(10_001, _effect(10_001, True, False))
        await pilot.pause()
        text = "\n".join(log_lines(log))
        assert f"{NAME} yes → no" in text, text
        assert "it was" not in text, text
