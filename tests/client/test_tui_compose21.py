"""Session 21's play-testers in the proposal composer and the orders' parameters form: where the focus
goes after ctrl+a, modules offered to a proposal that cannot carry them, text cut mid-word, Enter in a
parameter field adding the clause, and what the form says of a choice or a count as it stands now."""

from __future__ import annotations

from typing import Any

from test_tui_compose14 import _pick
from test_tui_support import (
    commit_as,
    new_game,
    open_composer,
    screen_text,
    seat_app,
    static_text,
    wait_until,
)
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select


def _drawn(app: Any, widget: Widget) -> str:
    """The words a widget shows on the screen, its rows joined (what a student reads of it)."""
    r = widget.region
    rows = screen_text(app).splitlines()[r.y : r.bottom]
    return " ".join(" ".join(row[r.x : r.right] for row in rows).split())


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


# ---------------------------------------------------------------------- 2. modules


async def test_modules_are_offered_only_to_a_proposal_that_can_carry_them(url: str) -> None:
    """China was offered the trilateral modules on a deal with the United States alone: only the three
    North American teams together may sign one. They show once the three are parties."""
    g, tokens = await new_game(url, teams=("cn", "us"))
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(100, 70)) as pilot:  # tall: the whole form on the screen
        cs = await open_composer(pilot)
        cs.query_one("#party-us", Checkbox).value = True
        await pilot.pause(0.2)
        text = " ".join(screen_text(app).split())
        assert "Chemical notification" not in text, text
        said = static_text(app, "#c-modules-head")
        assert said.endswith("Canada must all be parties; tick all of them to be offered the modules"), said
        cs.query_one("#party-mx", Checkbox).value = True
        cs.query_one("#party-ca", Checkbox).value = True
        await wait_until(pilot, lambda: "T1 — Chemical notification" in screen_text(app), what="the modules")


async def test_a_module_name_is_wrapped_whole_at_80_columns(url: str) -> None:
    """T1's name was cut at 80 columns ("importer att"): it wraps at a word and is read whole."""
    g, tokens = await new_game(url, teams=("us",))
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        box = cs.query_one("#module-t1", Checkbox)
        box.focus()
        box.scroll_visible(animate=False)
        await pilot.pause(0.3)
        said = _drawn(app, box)
        assert "T1 — Chemical notification (UN special surveillance list, importer attestation)" in said, said


# ---------------------------------------------------------------------- 3. the lever's text


async def test_a_levers_text_in_the_composer_is_whole(url: str) -> None:
    """MX-ME's text stopped at "(80 costs 1, 100 cos": a lever's description is shown in full."""
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        await _pick(pilot, cs, "mx_me")
        said = " ".join(static_text(app, "#c-lever-text").split())
        assert "(80 costs 1, 100 costs 2)" in said, said
        assert said.endswith("is kept while enforcement stays at or above it, with no new order."), said


# ---------------------------------------------------------------------- 4. Enter in a parameter field


async def test_enter_in_a_parameter_field_moves_on_and_adds_no_clause(url: str) -> None:
    """A student pressed Enter to confirm MX-PORT's intensity and the clause was added: Enter moves to
    the next field, and only ctrl+a adds the clause."""
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        await _pick(pilot, cs, "mx_port")
        field = cs.form._fields["intensity"]
        assert isinstance(field, Input)
        field.focus()
        field.value = "250"
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert cs.clauses == []
        assert app.focused is not field and app.focused is not None
        await pilot.press("ctrl+a")
        await wait_until(pilot, lambda: len(cs.clauses) == 1, what="the clause")
        assert dict(cs.clauses[0].params) == {"intensity": 250}
