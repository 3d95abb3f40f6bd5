"""The composer's parameters as students met them (session 13): CN-LINK started at "suspended" and
CN-REPLY-MX at "deny the problem", and ctrl+a added those clauses without the student seeing the
choice. A choice now starts unpicked, ctrl+a shows its list first, and a clause added with a number
left as the form showed it says what was set and how to change it."""

from __future__ import annotations

from typing import Any

from test_tui_support import (
    commit_as,
    new_game,
    open_composer,
    seat_app,
    static_text,
    wait_until,
)
from textual.pilot import Pilot
from textual.widgets import Select

from client_tui.composer import ComposerScreen


async def _pick(pilot: Pilot[Any], cs: ComposerScreen, lever: str) -> None:
    cs.query_one("#c-lever", Select).value = lever
    await wait_until(pilot, lambda: cs.form.lever is not None and cs.form.lever.id == lever)
    await pilot.pause()


async def test_a_choice_starts_unpicked_and_ctrl_a_shows_it_before_adding_the_clause(url: str) -> None:
    """Canada asked China to resume cooperation and the clause said "suspended": the list now starts
    blank, ctrl+a adds nothing until it is picked and puts the focus on it, and the clause then
    carries the student's choice."""
    g, tokens = await new_game(url, teams=("ca",), scenario="three-weeks")
    app = seat_app(url, g, tokens["ca"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        await commit_as(pilot, cs, "cn")
        await _pick(pilot, cs, "cn_link")
        choice = cs.form._fields["action"]
        assert isinstance(choice, Select)
        assert choice.value is Select.NULL, choice.value
        # session 20: "choose: suspended" read as suspended already chosen (student b20)
        assert choice.prompt == "not chosen: suspended or resumed", choice.prompt
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert cs.clauses == []
        said = static_text(app, "#c-check")
        # session 20: "choose the with (Mexico or China)" read as nonsense (student b20): the name quoted
        assert "choose a value for “cooperation” (suspended or resumed) first" in said, said
        assert cs.focused is choice
        choice.value = "resume"
        await pilot.pause()
        await pilot.press("ctrl+a")
        await wait_until(pilot, lambda: len(cs.clauses) == 1, what="clause added")
        assert dict(cs.clauses[0].params) == {"action": "resume"}


async def test_a_number_added_as_the_form_showed_it_is_said_with_how_to_change_it(url: str) -> None:
    """MX-PORT's intensity sat below the fold at 80x24; ctrl+a took 200 unseen. The line where the
    next clause starts now says what the clause was set to and how to change it."""
    g, tokens = await new_game(url, teams=("us",))
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        await commit_as(pilot, cs, "mx")
        await _pick(pilot, cs, "mx_port")
        await pilot.press("ctrl+a")
        await wait_until(pilot, lambda: len(cs.clauses) == 1, what="clause added")
        await pilot.pause()
        said = " ".join(static_text(app, "#c-lever-text").split())
        assert said.startswith("Added clause 1: Mexico commits to MX-PORT"), said
        assert "200" in said and "To change a value, Tab to the clause list" in said, said
