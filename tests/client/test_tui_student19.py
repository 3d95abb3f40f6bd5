"""Session 19's findings at the table: a lever promised in two deals at once."""

from __future__ import annotations

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
from textual.widgets import SelectionList

from client_tui.panes.orders import OrdersPane
from precursor.client import GameClient

ARMS = {"actor": "us", "lever": "us_arms", "params": {}, "start_turn": 1, "duration": 1}


def _me(level: int) -> dict[str, object]:
    return {"actor": "mx", "lever": "mx_me", "params": {"level": level}, "start_turn": 1, "duration": 1}


async def test_a_lever_promised_in_two_deals_starts_at_the_terms_that_keep_both(url: str) -> None:
    """A student's Mexico promised MX-ME at 60 in one deal and at 80 in another; ticking it took the
    first deal's 60 and the second deal broke. Any level as high as a clause asks keeps it, so the
    tick must take the higher, and say which deals it keeps."""
    g, tokens = await new_game(url, teams=("us", "mx"))
    async with (
        GameClient(url, g.game_id, tokens["mx"]) as mx,
        GameClient(url, g.game_id, tokens["us"]) as us,
        GameClient(url, g.game_id, g.facilitator_token) as fac,
    ):
        for n, level in ((1, 65), (2, 75)):
            await us.send({"type": "propose", "parties": ["us", "mx"], "clauses": [_me(level), ARMS]})
            await mx.send({"type": "respond", "proposal": f"T1-US-{n}", "action": "accept"})
            await frames_until(fac, is_event("agreement"))
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("5")
            sl: SelectionList[str] = gs.query_one("#order-list", SelectionList)

            def ids() -> list[str]:
                return [str(sl.get_option_at_index(i).value) for i in range(sl.option_count)]

            await wait_until(pilot, lambda: "mx_me" in ids() and gs.model.phase == "orders")
            await wait_until(
                pilot, lambda: {"A1-US-1", "A1-US-2"} <= set(gs.model.agreements), what="both deals"
            )
            pane = gs.query_one(OrdersPane)
            await wait_until(pilot, lambda: not pane.checking(), what="the costs")
            sl.focus()
            sl.highlighted = ids().index("mx_me")
            await pilot.press("space")
            await wait_until(pilot, lambda: "mx_me" in sl.selected, what="the tick")
            await pilot.pause()
            command = pane.submission()
            assert command is not None
            assert [(o.lever, o.params) for o in command.orders] == [("mx_me", {"level": 75})]
            label = str(sl.get_option_at_index(ids().index("mx_me")).prompt)
            assert "as agreed in 2 deals" in label, label
            assert "MX-ME (enforcement level: 75) as agreed in A1-US-1, A1-US-2" in static_text(app, "#notice")
            assert "you promised MX-ME with" not in static_text(app, "#order-info")
