"""Session 21's play-testers in the proposal composer and the orders' parameters form: where the focus
goes after ctrl+a, modules offered to a proposal that cannot carry them, text cut mid-word, Enter in a
parameter field adding the clause, and what the form says of a choice or a count as it stands now."""

from __future__ import annotations

from test_tui_compose14 import _pick
from test_tui_support import (
    commit_as,
    new_game,
    open_composer,
    seat_app,
    wait_until,
)
from textual.widgets import Input, Select

# ---------------------------------------------------------------------- 1. the focus after ctrl+a


async def test_after_a_chinese_clause_with_the_framing_filled_the_focus_goes_to_the_lever_find(
    url: str,
) -> None:
    """China's CN-ENFORCE "presented as: a multilateral effort" filled the deal's framing, ctrl+a put
    the focus back on who commits, and the student's Enter, Down, Enter made the United States commit
    in the next clause. The focus now goes to the lever's find field, where keys change nothing chosen."""
    g, tokens = await new_game(url, teams=("cn", "us"))
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        await commit_as(pilot, cs, "us")  # the United States a party, so who commits offers it
        await commit_as(pilot, cs, "cn")
        await _pick(pilot, cs, "cn_enforce")
        cs.form._fields["framing"].value = "multilateral"  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("ctrl+a")
        await wait_until(pilot, lambda: len(cs.clauses) == 1, what="the clause")
        await pilot.pause()
        assert cs.query_one("#c-framing", Select).value == "multilateral"
        assert app.focused is cs.query_one("#c-lever-find", Input), app.focused
        await pilot.press("enter", "down", "enter")
        await pilot.pause()
        assert cs.query_one("#c-team", Select).value == "cn"
        assert [(c.actor, c.lever) for c in cs.clauses] == [("cn", "cn_enforce")]
