"""Refusing an order over the wire: a split Mexico on a real server, its president directing an arrest
and its security seat refusing it; the refusal reaches the team and no one else."""

from __future__ import annotations

import asyncio

import pytest
from live_server import drain, frames_until, is_event, running_server

from precursor.client import CommandRefused, GameClient, LobbyClient


async def test_the_security_seat_refuses_a_directed_arrest_and_only_mexico_hears_of_it() -> None:
    async with running_server("memory://") as url, asyncio.timeout(30):
        async with LobbyClient(url) as lb:
            a = await lb.create_game("loose-talk", seed=3, seats={"mx": ["president", "security"]})
            pres_j = await lb.join(a.game_id, a.join_codes["mx"], "Claudia", seat="president")
            sec_j = await lb.join(a.game_id, a.join_codes["mx"], "Omar", seat="security")
            us_j = await lb.join(a.game_id, a.join_codes["us"], "Ana")
        fac = GameClient(url, a.game_id, a.facilitator_token)
        pres = GameClient(url, a.game_id, pres_j.token)
        sec = GameClient(url, a.game_id, sec_j.token)
        us = GameClient(url, a.game_id, us_j.token)
        for c in (fac, pres, sec, us):
            await c.start()
        try:
            for phase in ("briefing", "negotiation"):
                await fac.send({"type": "advance", "turn": 1, "phase": phase})
            await pres.send({"type": "submit_orders", "orders": [{"lever": "mx_arrest"}]})
            (entry,) = (await sec.refresh())["refusable"]
            assert entry["allowed"] and entry["lever"] == "mx_arrest" and entry["seat"] == "security"
            await drain(us, 0.1)

            await sec.send({"type": "refuse_order", "lever": "mx_arrest", "reason": "not in Culiacán again"})
            seen = await frames_until(pres, is_event("order_refused", lever="mx_arrest", seat="security"))
            assert any(f.get("event", {}).get("type") == "order_refused" for f in seen)
            with pytest.raises(CommandRefused) as err:
                await sec.send({"type": "refuse_order", "lever": "mx_arrest"})
            assert err.value.code == "no_such_order"
            with pytest.raises(CommandRefused) as err:
                await pres.send({"type": "submit_orders", "orders": [{"lever": "mx_arrest"}]})
            assert err.value.code == "refused"

            await fac.send({"type": "advance", "turn": 1, "phase": "orders"})
            frames = await frames_until(us, is_event("phase", phase="results"))
            frames += await drain(us, 0.3)
            heard = [f["event"] for f in frames if f.get("type") == "event"]
            assert any(e["type"] == "orders_revealed" for e in heard), "the US did hear the turn"
            assert not any(str(e.get("rule", "")).startswith("refusal.") for e in heard)
            assert (await us.refresh())["refusable"] == []
        finally:
            for c in (fac, pres, sec, us):
                await c.close()
