"""The composer and the orders list at 80x24, as session 14's students met them: Down then Enter on a
one-match lever list picked nothing; ctrl+s said the clause being edited was "not in the proposal
yet" when it was clause 1; the module boxes showed no focus; one ↓ from the orders' find field put
the highlight on the second lever."""

from __future__ import annotations

from test_tui_support import (
    add_clause,
    advance_to,
    game_at_orders,
    new_game,
    open_composer,
    open_orders,
    screen_text,
    seat_app,
    static_text,
    wait_until,
)
from textual.widgets import Checkbox, Input, Select

from client_tui.composer import ComposerScreen
from precursor.client import GameClient


async def test_down_then_enter_on_a_one_match_lever_list_picks_the_match(url: str) -> None:
    g, tokens = await new_game(url, teams=("cn",), scenario="loose-talk")
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        cs.query_one("#c-lever-find", Input).focus()
        await pilot.press(*"sched")
        await wait_until(pilot, lambda: cs._lever_count == 1, what="one match")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: cs.query_one("#c-lever", Select).value == "cn_sched", what="picked")


async def test_a_lever_left_in_the_picker_that_is_a_clause_already_does_not_block_sending(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx", "us"))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        cs.query_one("#party-us", Checkbox).value = True
        await add_clause(pilot, cs, "mx", "mx_trace")
        await add_clause(pilot, cs, "us", "us_arms")
        await add_clause(pilot, cs, "mx", "mx_deleg")
        assert len(cs.clauses) == 3
        # the picker still holds a lever of clause 3 (as a student's CN-PEN stayed after ctrl+a)
        cs.query_one("#c-lever", Select).value = "mx_deleg"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        if isinstance(app.screen, ComposerScreen):
            said = static_text(app, "#c-check")
            assert "is not in the proposal yet" not in said, said
        await wait_until(pilot, lambda: not isinstance(app.screen, ComposerScreen), what="sent")


async def test_a_focused_module_box_is_marked(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        box = cs.query_one("#module-t1", Checkbox)
        box.focus()
        await pilot.pause(0.2)
        line = next(x for x in screen_text(app).splitlines() if "T1 —" in x)
        assert "▶" in line, line
        cs.query_one("#module-t2", Checkbox).focus()
        await pilot.pause(0.2)
        line = next(x for x in screen_text(app).splitlines() if "T1 —" in x)
        assert "▶" not in line, line


async def test_down_from_the_orders_find_field_lands_on_the_first_lever(url: str) -> None:
    g, tokens = await game_at_orders(url, "mx")
    async with seat_app(url, g, tokens["mx"]).run_test(size=(80, 24)) as pilot:
        gs, sl = await open_orders(pilot)
        sl.focus()
        await pilot.press("down", "down", "down")
        assert sl.highlighted == 3
        await pilot.press("slash", *"mx-")
        await wait_until(pilot, lambda: sl.option_count > 1, what="the matches")
        await pilot.press("down")
        await pilot.pause()
        assert gs.app.focused is sl
        assert sl.highlighted == 0, sl.highlighted


async def test_a_spent_once_per_game_lever_is_marked_in_the_lever_list(url: str) -> None:
    """A student found US-PEN spent only after ctrl+a; the list now says so beside the lever."""
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk")
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, tokens["mx"]) as mx,
    ):
        await advance_to(fac, "orders")
        await mx.send({"type": "submit_orders", "orders": [{"lever": "mx_plan_1"}]})
        await advance_to(fac, "negotiation", 2)
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        labels = {v: str(label) for label, v in cs.query_one("#c-lever", Select)._options}
        assert labels["mx_plan_1"].endswith("(played already: a clause on it promises nothing)"), labels[
            "mx_plan_1"
        ]
        assert "played already" not in labels["mx_plan_2"], labels["mx_plan_2"]


async def test_a_find_with_no_match_for_who_commits_names_the_party_whose_levers_match(url: str) -> None:
    """TRACK with China picked to commit: "no lever of China matches" and nothing more, while
    US-CN-TRACK is the United States'."""
    g, tokens = await new_game(url, teams=("cn",), scenario="loose-talk")
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        cs.query_one("#party-us", Checkbox).value = True
        await pilot.pause()
        cs.query_one("#c-lever-find", Input).focus()
        await pilot.press(*"track")
        await pilot.pause()
        prompt = str(cs.query_one("#c-lever", Select).prompt)
        assert prompt.startswith("no lever of China matches “track”: United States has "), prompt
        assert "(pick United States as who commits)" in prompt, prompt
