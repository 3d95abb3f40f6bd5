"""A new student's game (Mexico, loose-talk) under Pilot against a real server: the defects a first game
ran into, each checked where the student meets it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from live_server import running_server
from test_tui_support import (
    advance_to,
    drain,
    frames_until,
    is_event,
    new_game,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.widgets import SelectionList
from textual.widgets.selection_list import Selection

from precursor.client import GameClient


@pytest.fixture
async def url() -> AsyncIterator[str]:
    async with running_server("memory://") as u:
        yield u


def _ids(sl: SelectionList[str]) -> list[str]:
    return [str(sl.get_option_at_index(i).value) for i in range(sl.option_count)]


def _option(sl: SelectionList[str], lever: str) -> Selection[str]:
    return sl.get_option_at_index(_ids(sl).index(lever))


# ---------------------------------------------------------------------- 1 orders across turns


async def test_a_once_only_lever_played_last_turn_is_offered_not_kept_and_never_submitted(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await pilot.press("5")
            sl = gs.query_one("#order-list", SelectionList)
            await wait_until(pilot, lambda: "mx_plan_1" in _ids(sl), what="the lever list")
            for lever in ("mx_plan_1", "mx_port"):
                sl.highlighted = _ids(sl).index(lever)
                await pilot.press("space")
            await pilot.press("ctrl+s")
            await frames_until(fac, is_event("orders_submitted", team="mx"))
            await advance_to(fac, "orders", 2)  # MX-PLAN(i) is now spent: once per game
            await wait_until(
                pilot,
                lambda: gs.model.turn == 2 and _option(sl, "mx_plan_1").disabled,
                what="turn 2's levers",
            )
            await pilot.pause(0.1)
            # last turn's ticks are not kept: the spent lever is not ticked, and ctrl+s submits nothing
            assert list(sl.selected) == []
            info = static_text(app, "#order-info")
            assert "Last turn's orders: MX-PLAN(i), MX-PORT" in info and "press l" in info
            await drain(fac, 0.1)
            await pilot.press("ctrl+s")
            got = await frames_until(fac, is_event("orders_submitted", team="mx"))
            assert got[-1]["event"]["orders"] == []
            assert "refused" not in static_text(app, "#notice")
            # l ticks again those still available, and says which are not
            sl.focus()
            await pilot.press("l")
            assert list(sl.selected) == ["mx_port"]
            assert "MX-PLAN(i)" in static_text(app, "#notice") and "once" in static_text(app, "#notice")
            # a disabled lever can never be submitted, even if something ticked it behind the list's back
            sl.select("mx_plan_1")
            await pilot.pause()
            command = gs.orders.submission()
            assert command is not None and [o.lever for o in command.orders] == ["mx_port"]
            await pilot.press("ctrl+s")
            got = await frames_until(fac, is_event("orders_submitted", team="mx"))
            assert [o["lever"] for o in got[-1]["event"]["orders"]] == ["mx_port"]
