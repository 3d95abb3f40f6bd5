"""The orders tab's find field as students used it in session 12: the list scrolled far down, then
narrowed to one lever (the app died on the highlight it had kept), the hidden-ticks count, and the
line offering last turn's orders, which read this turn's parameters."""

from __future__ import annotations

from typing import Any

from test_tui_support import (
    advance_to,
    close_cards,
    frames_until,
    is_event,
    new_game,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.pilot import Pilot
from textual.widgets import SelectionList

from precursor.client import GameClient


async def _orders_list(pilot: Pilot[Any], gs: Any) -> SelectionList[str]:
    """The seat's orders tab once its levers are in, the phase's news cards closed."""
    await wait_until(pilot, lambda: bool(gs.model.view.get("levers")), what="the orders view")
    await close_cards(pilot)
    await pilot.press("5")
    return gs.query_one("#order-list", SelectionList)


async def test_narrowing_a_scrolled_list_to_one_lever_keeps_the_app_and_counts_hidden_ticks(url: str) -> None:
    """A student paged far down the US's levers, typed US-POE in the find field and pressed Enter: the
    list kept a highlight past its new end and the app died with a traceback."""
    g, tokens = await new_game(url, teams=("us",), scenario="tutorial", seed=31)
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            sl = await _orders_list(pilot, gs)
            await wait_until(pilot, lambda: sl.option_count > 30, what="the lever list")
            total = sl.option_count
            sl.focus()
            await pilot.press("space")  # one tick the filter will hide
            await pilot.press(*["pagedown"] * 4)
            await pilot.pause()
            assert (sl.highlighted or 0) > 10
            await pilot.press("slash", *"US-POE", "enter")
            await pilot.pause(0.3)
            assert app.is_running
            assert sl.option_count == 1 and sl.highlighted == 0
            assert "1 ticked lever hidden" in str(sl.border_title), sl.border_title
            await pilot.press("space")
            await pilot.pause()
            assert "1 ticked lever hidden" in str(sl.border_title), sl.border_title
            assert len(gs.orders.chosen()) == 2
            await pilot.press("slash", "ctrl+u")
            await wait_until(pilot, lambda: sl.option_count == total, what="the whole list again")
            assert app.is_running and len(sl.selected) == 2


async def test_a_highlight_announced_before_the_list_narrowed_is_dropped_not_fatal(url: str) -> None:
    """In tmux the keys came in one burst: the list announced its highlight on the 38th row, and the find
    field's next letter narrowed it to three rows before the announcement was read, which then named a
    row that was gone (OptionDoesNotExist, and the app died). The race, without the timing: the
    highlight moves, and the list narrows in the same tick."""
    g, tokens = await new_game(url, teams=("us",), scenario="tutorial", seed=31)
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            sl = await _orders_list(pilot, gs)
            await wait_until(pilot, lambda: sl.option_count > 30, what="the lever list")
            sl.highlighted = sl.option_count - 2  # announced, not yet read
            gs.orders._find = "us-poe"
            gs.orders.show()
            await pilot.pause(0.3)
            assert app.is_running
            assert sl.option_count == 1 and "US-POE" in static_text(app, "#order-detail")


async def test_the_hidden_ticks_count_and_last_turns_line_follow_the_ticks_not_the_typing(url: str) -> None:
    """The list's title counted hidden ticks only as the find field changed, so ``l`` (or a new turn)
    left it wrong ("2 ticked levers hidden" with nothing ticked); and the line offering last turn's
    orders read the parameters being set for this turn ("MX-ME (enforcement level: 75)" for a 70)."""
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            sl = await _orders_list(pilot, gs)
            ids = lambda: [str(sl.get_option_at_index(i).value) for i in range(sl.option_count)]  # noqa: E731
            await wait_until(pilot, lambda: "mx_port" in ids(), what="the lever list")
            sl.highlighted = ids().index("mx_port")
            sl.focus()
            await pilot.press("space")
            gs.orders._params["mx_port"] = {"intensity": 150}
            await pilot.press("ctrl+s")
            await frames_until(fac, is_event("orders_submitted", team="mx"))
            await advance_to(fac, "orders", 2)
            await wait_until(pilot, lambda: gs.model.turn == 2 and gs.model.phase == "orders", what="turn 2")
            await close_cards(pilot)
            await pilot.press("5")
            await wait_until(pilot, lambda: "Last turn's orders" in static_text(app, "#order-info"))
            assert "MX-PORT (inspection intensity" in static_text(app, "#order-info")
            gs.orders._params["mx_port"] = {"intensity": 250}  # this turn's, set before ticking again
            gs.orders.show_info()
            info = " ".join(static_text(app, "#order-info").split())
            assert "Last turn's orders: MX-PORT (inspection intensity: 150) — press l" in info
            sl.focus()
            await pilot.press("slash", *"arms", "enter")
            await wait_until(pilot, lambda: "mx_port" not in ids(), what="the list to narrow")
            assert "hidden" not in str(sl.border_title)
            await pilot.press("l")
            await pilot.pause()
            assert "mx_port" in gs.orders.chosen()
            assert "1 ticked lever hidden" in str(sl.border_title), sl.border_title


async def test_esc_in_the_orders_list_keeps_the_list_focused(url: str) -> None:
    """Canada pressed p on a lever with no parameters, then Esc to put the notice away: the focus went to
    the tab bar, and the arrows, l and t did nothing until the student switched tabs."""
    g, tokens = await new_game(url, teams=("ca",), scenario="three-weeks", seed=34)
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["ca"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            sl = await _orders_list(pilot, gs)
            await wait_until(pilot, lambda: sl.option_count > 3 and app.focused is sl, what="the list")
            await pilot.press("down", "p")
            await pilot.pause(0.2)
            assert "no parameters to set" in static_text(app, "#notice")
            await pilot.press("escape", "down")
            await pilot.pause(0.2)
            assert app.focused is sl and sl.highlighted == 2
            # from the find field Esc goes back to the list, where the digits still switch tabs
            await pilot.press("slash")
            await pilot.press("escape", "1")
            await pilot.pause(0.2)
            assert gs.query_one("#tabs").active == "briefing"
