"""The composer as students played whole games with it (session 13): a clause on a once-per-game lever
is one act and says so, the condition list has a find field (/), and many Tabs and clauses added and
removed leave it answering at 80x24 and 120x40."""

from __future__ import annotations

from typing import Any

import pytest
from test_tui_support import (
    add_clause,
    new_game,
    open_composer,
    seat_app,
    static_text,
    wait_until,
)
from textual.widgets import Checkbox, Input, OptionList, Select

from client_tui.composer import ComposerScreen
from precursor.client import GameClient


def _values(sel: Select[Any]) -> list[Any]:
    return [v for _label, v in sel._options if v != Select.NULL]


def _labels(sel: Select[Any]) -> list[str]:
    return [str(label) for label, v in sel._options if v != Select.NULL]


def _clause_lines(cs: ComposerScreen) -> str:
    shown = cs.query_one("#c-clauses", OptionList)
    text = " ".join(str(shown.get_option_at_index(i).prompt) for i in range(shown.option_count))
    return " ".join(text.split())


# ---------------------------------------------------------------------- 1. a once-only lever


async def test_a_once_only_lever_is_offered_as_one_act_and_its_clause_says_when_it_is_due(url: str) -> None:
    """MX-PLAN(iii) "for 3 turns" read as three turns of promise; the rules count every turn after the
    act as kept, so it bound one act. Without a condition only one act this turn is offered; under a
    condition a longer clause is a window (the act is due in the first turn the condition holds), and
    the server takes it."""
    g, tokens = await new_game(url, teams=("mx", "us"), scenario="loose-talk")
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        await us.next_frame()
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            cs = await open_composer(pilot)
            duration = cs.query_one("#c-duration", Select)
            assert len(_values(duration)) > 1  # an ordinary lever's turns
            cs.query_one("#c-lever", Select).value = "mx_plan_3"
            await wait_until(pilot, lambda: cs.form.lever is not None and cs.form.lever.id == "mx_plan_3")
            await pilot.pause()
            assert _labels(duration) == ["one act, this turn"], _labels(duration)
            said = static_text(app, "#c-lever-text")
            assert "can be played once per game: a clause on it is one act" in said, said
            await pilot.press("ctrl+a")
            await wait_until(pilot, lambda: len(cs.clauses) == 1)
            assert cs.clauses[0].duration == 1
            line = _clause_lines(cs)
            assert "MX-PLAN(iii)" in line and "once (one act, due in turn 1: " in line, line
            assert "for 1 turn" not in line and "for 3 turns" not in line, line
            # under a condition, a window: one act in the first turn of it the condition holds
            cs.query_one("#c-lever", Select).value = "mx_plan_2"
            await wait_until(pilot, lambda: cs.form.lever is not None and cs.form.lever.id == "mx_plan_2")
            cs.query_one("#c-if", Select).value = "mx.st"
            cs.query_one("#c-if-value", Input).value = "60"
            await pilot.pause()
            labels = _labels(duration)
            assert labels[:2] == [
                "one act, this turn if it holds",
                "one act, in the first of 2 turns it holds",
            ], labels
            duration.value = 3
            await pilot.pause()
            await pilot.press("ctrl+a")
            await wait_until(pilot, lambda: len(cs.clauses) == 2)
            line = _clause_lines(cs)
            assert "one act, due in the first of turns 1–3 in which the condition holds" in line, line
            # the next lever, an ordinary one, gets its turns back
            cs.query_one("#c-lever", Select).value = "mx_port"
            await wait_until(pilot, lambda: cs.form.lever is not None and cs.form.lever.id == "mx_port")
            await pilot.pause()
            assert "this turn only" in _labels(duration) and duration.value == 1
            cs.query_one("#c-lever", Select).clear()
            cs.query_one("#party-us", Checkbox).value = True
            await pilot.pause()
            assert static_text(app, "#c-check").startswith("ok: the server will take it (2 clause(s))")
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not isinstance(app.screen, ComposerScreen), what="sent")


# ---------------------------------------------------------------------- 2. finding a condition's value


async def test_typing_part_of_a_name_narrows_the_condition_list_and_slash_reaches_the_find_fields(
    url: str,
) -> None:
    """Over a hundred values in one list and no search: a student could not find Mexico's sovereignty
    tension. / from the condition list goes to its find field (from elsewhere, the lever's), letters
    typed in one burst narrow the list, Enter opens it, Enter picks; all by keyboard at 80x24."""
    g, tokens = await new_game(url, teams=("mx", "us"), scenario="loose-talk")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        values = cs.query_one("#c-if", Select)
        every = _values(values)
        assert len(every) > 20
        # / from a box goes to the lever's find field
        assert isinstance(app.focused, Checkbox)
        await pilot.press("slash")
        assert app.focused is cs.query_one("#c-lever-find", Input)
        assert cs.query_one("#c-lever-find", Input).value == ""  # the / is not typed
        # / from the condition list goes to its own
        values.focus()
        await pilot.pause()
        await pilot.press("slash")
        find = cs.query_one("#c-if-find", Input)
        assert app.focused is find and find.value == ""
        await pilot.press(*"tension")
        await pilot.pause()
        left = _values(values)
        assert "mx.st" in left and len(left) < len(every), left
        assert all("tension" in cs.rb.indicators[v].name.casefold() for v in left)
        assert f"{len(left)} of {len(every)} values match “tension”" in str(values.prompt)
        # Enter opens the narrowed list on its first match, and Enter picks it
        await pilot.press("enter")
        await wait_until(pilot, lambda: values.expanded, what="the narrowed list open")
        await pilot.press("enter")
        await wait_until(pilot, lambda: values.value == left[0], what="the first match picked")
        await pilot.press("slash", *"sovereignty tension", "enter")
        await wait_until(pilot, lambda: values.expanded, what="the list open again")
        await pilot.press("enter")
        await wait_until(pilot, lambda: values.value == "mx.st", what="Mexican sovereignty tension picked")
        # more letters: the picked value stays while it matches; none matching says so
        find.value = "zzz"
        await pilot.pause()
        assert _values(values) == [] and "no value matches “zzz”" in str(values.prompt)
        find.value = ""
        await pilot.pause()
        assert len(_values(values)) == len(every)
        # a / in the message is a character, not a key
        note = cs.query_one("#c-note", Input)
        note.focus()
        await pilot.press("a", "slash", "b")
        assert note.value == "a/b" and app.focused is note


# ---------------------------------------------------------------------- 3. many Tabs, many clauses


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_many_tabs_and_clauses_added_and_removed_leave_the_composer_answering(
    url: str, size: tuple[int, int]
) -> None:
    """A student's composer "stopped responding" after many Tabs (not reproduced): every field walked
    with Tab and shift+Tab, clauses added and removed by keyboard again and again, and the composer
    still answers each key at once."""
    g, tokens = await new_game(url, teams=("mx", "us"), scenario="loose-talk")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=size) as pilot:
        cs = await open_composer(pilot)
        stops = len(cs.focus_chain)
        assert stops > 10
        seen: set[str] = set()
        for key in ("tab", "shift+tab"):
            for _ in range(stops * 2 + 3):
                await pilot.press(key)
                assert app.screen is cs and app.focused is not None
                seen.add(app.focused.id or type(app.focused).__name__)
        assert {"c-if-find", "c-lever-find", "c-duration", "c-note", "c-send"} <= seen, seen
        lever = cs.query_one("#c-lever", Select)
        for round_ in range(6):
            clauses = 1 + round_ % 2
            await pilot.press("slash")  # the lever's find field (the focus is not on the condition row)
            assert app.focused is cs.query_one("#c-lever-find", Input)
            await pilot.press(*"port", "enter")
            await wait_until(pilot, lambda: lever.expanded, what="the lever list open")
            await pilot.press("enter")  # the first lever found
            await wait_until(pilot, lambda: cs.form.lever is not None, what="a lever picked")
            if round_ % 2:
                await pilot.press("down")  # the lever list opened again: ctrl+a still adds
            await pilot.press("ctrl+a")
            await wait_until(pilot, lambda n=clauses: len(cs.clauses) == n, what="the clause added")
            for _ in range(3):
                await pilot.press("tab")
            for _ in range(3):
                await pilot.press("shift+tab")
            if round_ % 2:  # two in the list: back to it and remove both
                cs.query_one("#c-team", Select).focus()
                await pilot.press("shift+tab")
                assert app.focused is cs.query_one("#c-clauses", OptionList)
                # the list takes the focus on its first clause, and the line under the form says so
                # (session 20: with nothing picked Delete did nothing, and ↑ went to the last clause)
                await wait_until(
                    pilot, lambda: "Delete removes clause 1" in static_text(app, "#c-lever-text")
                )
                await pilot.press("down", "delete", "delete")
                await wait_until(pilot, lambda: not cs.clauses, what="the clauses removed")
        await add_clause(pilot, cs, "mx", "mx_port")
        assert len(cs.clauses) == 1
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is not cs, what="the discard question")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is cs, what="back to the draft")
        assert len(cs.clauses) == 1


# ---------------------------------------------------------------------- 4. the keys said


async def test_the_composer_says_its_find_key_where_the_clause_is_written(url: str) -> None:
    """A student looked for a search in a hundred values: the heading over the clause's fields and
    both find fields name / (the key first: at 80 columns a placeholder's end is cut)."""
    g, tokens = await new_game(url, teams=("mx", "us"))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        heads = [str(w.render()) for w in cs.query(".head")]
        assert "Add a clause (/ finds a lever or a condition's value; ctrl+a adds it)" in heads, heads
        for field in ("#c-lever-find", "#c-if-find"):
            hint = str(cs.query_one(field, Input).placeholder)
            assert "(/)" in hint[:30], hint
