"""A bot in one seat of a split team, on a real server: the facilitator seats the sovereigntist in
Mexico's security seat while a person holds the presidency, and the bot refuses the president's
directed raid on its persona's ground, as a person in that seat could. Before, a bot could hold only a
whole team, so a persona's ``refuse:`` rules never acted in a served game."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from live_server import frames_until, is_event, running_server

from precursor.client import CommandRefused, GameClient, LobbyClient

SPLIT = {"mx": ["president", "security"]}


@pytest.fixture
async def url() -> AsyncIterator[str]:
    async with running_server("memory://") as u:
        yield u


async def split_mexico(url: str) -> tuple[Any, str, str]:
    """Loose Talk, seed 3 (the state holds 35 on the ground, under the Culiacán threshold), with a
    president and a would-be security player joined."""
    async with LobbyClient(url) as lb:
        g = await lb.create_game("loose-talk", seed=3, seats=SPLIT)
        pres = await lb.join(g.game_id, g.join_codes["mx"], "Claudia", seat="president")
        sec = await lb.join(g.game_id, g.join_codes["mx"], "Omar", seat="security")
    return g, pres.token, sec.token


async def to_orders(fac: GameClient) -> None:
    for _ in range(4):
        if fac.phase == "orders":
            return
        await fac.send({"type": "advance", "turn": fac.turn, "phase": fac.phase})


async def test_a_bot_in_the_security_seat_refuses_the_president_s_raid(url: str) -> None:
    g, pres_token, sec_token = await split_mexico(url)
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, pres_token) as pres,
        GameClient(url, g.game_id, sec_token) as omar,
        asyncio.timeout(60),
    ):
        await fac.send(
            {"type": "set_controller", "team": "mx", "seat": "security", "persona": "sovereigntist"}
        )
        await to_orders(fac)
        # the bot plays its seat's orders phase and readies that seat only
        await frames_until(fac, is_event("ready", seat_key="mx/security", ready=True), timeout=15)
        view = await fac.refresh()
        assert not view["ready"].get("mx/president")
        # it gave only its own seat's orders, and no statement: that is the team's people's to make
        own = view["orders"]["mx/security"]
        seat_of = {lv["id"]: lv["seat"] for lv in (await pres.refresh())["levers"]}
        assert all(seat_of[o["lever"]] == "security" for o in own["orders"]) and own["statement"] is None

        await pres.send({"type": "submit_orders", "orders": [{"lever": "mx_arrest"}]})
        frames = await frames_until(pres, is_event("order_refused"), timeout=15)
        refused = frames[-1]["event"]
        assert (refused["seat"], refused["by_seat"], refused["lever"]) == (
            "security",
            "president",
            "mx_arrest",
        )
        assert refused["rule"] == "refusal.culiacan"
        view = await pres.refresh()
        assert view["orders"]["mx/president"]["orders"] == []
        assert view["pc"]["mx"] == 8
        assert [r["lever"] for r in view["refusals"]] == ["mx_arrest"]

        # the person who joined that seat may talk but not act while the bot holds it
        with pytest.raises(CommandRefused) as err:
            await omar.send({"type": "ready"})
        assert err.value.code == "bot_seat"
        await omar.send({"type": "message", "channel": "team.mx", "text": "the bot has my seat"})
        # the president's own seat stays human
        await pres.send({"type": "ready"})


async def test_a_seat_bot_seated_after_the_order_refuses_it_at_once(url: str) -> None:
    g, pres_token, _ = await split_mexico(url)
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, pres_token) as pres,
        asyncio.timeout(60),
    ):
        await to_orders(fac)
        await pres.send({"type": "submit_orders", "orders": [{"lever": "mx_arrest"}]})
        await fac.send(
            {"type": "set_controller", "team": "mx", "seat": "security", "persona": "sovereigntist"}
        )
        frames = await frames_until(fac, is_event("order_refused", seat="security"), timeout=15)
        assert frames[-1]["event"]["lever"] == "mx_arrest"


@pytest.mark.parametrize(
    ("command", "code"),
    [
        ({"team": "mx", "seat": "sre", "persona": "sovereigntist"}, "bad_seat"),  # not in play
        ({"team": "us", "seat": "president", "persona": "default"}, "bad_seat"),  # a one-seat team
        ({"team": "mx", "seat": "security", "persona": "no-such-persona"}, "unknown_persona"),
    ],
)
async def test_a_seat_bot_that_cannot_be_seated_is_a_typed_refusal(
    url: str, command: dict[str, Any], code: str
) -> None:
    g, _, _ = await split_mexico(url)
    async with GameClient(url, g.game_id, g.facilitator_token) as fac, asyncio.timeout(30):
        with pytest.raises(CommandRefused) as err:
            await fac.send({"type": "set_controller", **command})
        assert err.value.code == code and err.value.message
        await fac.refresh()
        assert not (fac.session or {}).get("controllers"), "nothing was seated"


@pytest.mark.parametrize(
    ("persona", "seed", "levers"),
    [
        ("cooperative", 2, ["mx_prosecute", "mx_trace"]),  # it would also have the president's levers
        ("sovereigntist", 1, []),  # all its orders are the president's, and so is its statement
    ],
)
async def test_a_seat_bot_orders_only_its_seat_s_levers_and_makes_no_statement(
    url: str, persona: str, seed: int, levers: list[str]
) -> None:
    async with LobbyClient(url) as lb:
        g = await lb.create_game("loose-talk", seed=seed, seats=SPLIT)
    async with GameClient(url, g.game_id, g.facilitator_token) as fac, asyncio.timeout(60):
        await fac.send({"type": "set_controller", "team": "mx", "seat": "security", "persona": persona})
        await to_orders(fac)
        frames = await frames_until(fac, is_event("orders_submitted", seat_key="mx/security"), timeout=15)
        submitted = frames[-1]["event"]
        assert sorted(o["lever"] for o in submitted["orders"]) == levers
        assert submitted.get("statement") is None
        assert "mx/president" not in (await fac.refresh())["orders"], "the president's seat is left alone"
