"""Session 27's student (Mexico, Red Line, 120x40) on terms agreed before a cap came in.

Mexico had promised MX-ME at 70 for two turns; a migrant-detention tragedy then capped enforcement at 60.
Ticking MX-ME said "ticked with the agreed terms: MX-ME (enforcement level: 70) as agreed in A3-MX-2" and
nothing else; ctrl+s then refused it ("enforcement cannot go above the cap"), with no number. The tick now
says the terms cannot be ordered, and the refusal names the cap's value, which Mexico sees on its own
dashboard.
"""

from __future__ import annotations

from test_tui_offers13 import ARMS, ME70, _orders_tab
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

from client_tui.panes.orders import OrdersPane
from precursor.client import GameClient


async def test_ticking_agreed_terms_a_cap_now_forbids_says_so_with_the_cap(url: str) -> None:
    g, tokens = await new_game(url, teams=("us", "mx"))
    async with (
        GameClient(url, g.game_id, tokens["mx"]) as mx,
        GameClient(url, g.game_id, tokens["us"]) as us,
        GameClient(url, g.game_id, g.facilitator_token) as fac,
    ):
        await us.send({"type": "propose", "parties": ["us", "mx"], "clauses": [ME70, ARMS]})
        await mx.send({"type": "respond", "proposal": "T1-US-1", "action": "accept"})
        await frames_until(fac, is_event("agreement"))
        await advance_to(fac, "orders")
        # the tragedy's cap, as its inject sets it
        await fac.send({"type": "override", "key": "flag.humanitarian_cap", "value": 60, "note": "a tragedy"})
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            sl, ids = await _orders_tab(pilot, gs)
            await wait_until(pilot, lambda: "A1-US-1" in gs.model.agreements, what="the agreement")
            await wait_until(pilot, lambda: not gs.query_one(OrdersPane).checking(), what="the costs")
            sl.focus()
            sl.highlighted = ids().index("mx_me")
            await pilot.press("space")
            await wait_until(pilot, lambda: "mx_me" in sl.selected, what="the tick")
            await pilot.pause()
            notice = static_text(app, "#notice")
            assert "as agreed in A1-US-1 — but the server would refuse these terms now" in notice, notice
            assert "cannot go above 60" in notice, notice
            assert gs.query_one(OrdersPane).submission() is None
            await pilot.pause()
            refused = static_text(app, "#notice")
            assert refused.startswith("not sent — MX-ME:") and "above 60" in refused, refused
