"""An order that crosses Mexico's hard red line is said first, in the parameters box and the orders tab.

A student's US (Red Line, 80x24, session 26) held Mexico's consent token for joint operations led by
Mexico, ticked US-SFT and pressed p: the box read "ok: US personnel: 40, activity: training · costs 1
PC", training being the lever's default, which the token did not cover. The orders tab's notes said it
in full, but fourth, behind "… 3 more lines, 2 of them warnings: i reads them all".
"""

from __future__ import annotations

from typing import Any

from test_tui_support import game_at_orders, open_orders, seat_app, static_text, team_model, wait_until
from textual.app import App
from textual.widgets import Select, SelectionList, Static

from client_tui import fit, render
from client_tui.composer import ParamsScreen
from client_tui.model import LiveGame
from client_tui.panes.orders import OrdersPane
from precursor.game.rulebook import Rulebook

JOINT = {
    "id": "K1",
    "activity": "joint_op_mexican_led",
    "max_personnel": 40,
    "expires_turn": 4,
    "active": True,
}


def _us(rb: Rulebook, tokens: list[dict[str, Any]]) -> LiveGame:
    model = team_model(rb, "us", "red-line")
    model.set_view({**model.view, "tokens": tokens}, model.seq)
    return model


async def test_the_parameters_box_says_a_crossing_first_and_not_ok(rb: Rulebook) -> None:
    model = _us(rb, [JOINT])
    app: App[None] = App()
    async with app.run_test(size=(80, 24)) as pilot:
        box = ParamsScreen(model, rb, "us_sft", {"personnel": 40})
        app.push_screen(box)
        await pilot.pause()
        lines = str(box.query_one("#param-cost", Static).render()).split("\n")
        assert lines[0].startswith("! US-SFT: military action on Mexican soil — no consent token for trai")
        assert render.CROSSES in lines[0]
        assert lines[1].startswith("the server takes it: US personnel: 40")
        assert not any(line.startswith("ok") for line in lines)
        # the activity the token covers: ok, and the token named
        activity = box.form._fields["activity"]
        assert isinstance(activity, Select)
        activity.value = "joint_op_mexican_led"
        await pilot.pause()
        lines = str(box.query_one("#param-cost", Static).render()).split("\n")
        assert lines[0].startswith("ok: US personnel: 40")
        assert lines[1].startswith("US-SFT: inside Mexico's consent token for joint operations led by Mexico")
        assert render.CROSSES not in "\n".join(lines)


def test_a_crossing_comes_before_every_other_warning() -> None:
    said = ["! 5 ticked: untick some", "! over budget", f"! US-CYBER: … this {render.CROSSES}", "! X"]
    assert render.gravest_first(said) == [said[2], said[0], said[1], said[3]]


async def test_the_orders_notes_at_80x24_show_the_crossing_among_many_warnings(url: str) -> None:
    g, tokens = await game_at_orders(url, "us")
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(80, 24)) as pilot:
        gs, sl = await open_orders(pilot)
        pane = gs.query_one(OrdersPane)
        ids = [sl.get_option_at_index(i).value for i in range(sl.option_count)]
        # past the order limit and the budget (two warnings that come first), and a military lever
        for lid in ("us_san_1", "us_arms", "us_travel", "us_demand", "us_cyber"):
            sl.highlighted = ids.index(lid)
            await pilot.press("space")
        await wait_until(pilot, lambda: "us_cyber" in sl.selected, what="US-CYBER ticked")
        notes = pane._info.split("\n")
        crossing = next(i for i, line in enumerate(notes) if render.CROSSES in line)
        assert all(render.CROSSES not in line for line in notes[:crossing])
        assert crossing == 1 + next(i for i, line in enumerate(notes[1:]) if line.startswith("!"))
        shown = static_text(app, "#order-info")
        assert "US-CYBER: military action on Mexican soil" in shown, shown
        assert isinstance(sl, SelectionList)


def test_the_last_row_says_when_what_it_hides_crosses_the_red_line() -> None:
    """Outside the orders phase the phase's line and the budget took the rows at 80x24 (seen in tmux):
    the crossing was hidden behind "… 1 more line, 1 of it a warning"."""
    hidden = [f"! US-SFT: military action on Mexican soil — … so this {render.CROSSES}"]
    said = fit.more_line(hidden, "i", render.CROSSES)
    assert said == f"… 1 more line, one: a tick {render.CROSSES}: i reads them all"
    assert len(said) <= 78  # one row of the notes at 80 columns
    assert fit.more_line(hidden, "i") == "… 1 more line, 1 of it a warning: i reads them all"
    assert (
        fit.more_line(["! over budget"], "i", render.CROSSES)
        == "… 1 more line, 1 of it a warning: i reads them all"
    )
