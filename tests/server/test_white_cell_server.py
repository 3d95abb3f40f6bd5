"""Free actions through a real server: a private one, and the arguments over it, reach only its team and
the facilitator until it is resolved; the resolution reaches every team; only the facilitator rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from live_server import drain, frames_until, is_event, running_server

from precursor.client import CommandRefused, GameClient, LobbyClient

PRIVATE = {
    "type": "free_action",
    "title": "Quiet envoy",
    "description": "A back channel to Mexico City",
    "effects": [{"indicator": "trust.us_mx", "direction": "up", "size": "medium"}],
    "argument": "An envoy without cameras lets both sides move.",
    "visibility": "private",
}


@pytest.fixture
async def url() -> AsyncIterator[str]:
    async with running_server("memory://") as u:
        yield u


def _mentions(frames: list[dict[str, Any]], needle: str) -> bool:
    return any(needle in str(f) for f in frames)


async def test_private_free_action_stays_with_its_team_until_resolved(url: str) -> None:
    async with LobbyClient(url) as lobby:
        g = await lobby.create_game("tutorial", seed=2)
        tokens = {t: (await lobby.join(g.game_id, g.join_codes[t], f"Ana-{t}")).token for t in ("us", "mx")}
    async with (
        GameClient(url, g.game_id, tokens["us"]) as us,
        GameClient(url, g.game_id, tokens["mx"]) as mx,
        GameClient(url, g.game_id, g.facilitator_token) as fac,
    ):
        for phase in ("briefing", "negotiation"):
            await fac.send({"type": "advance", "turn": 1, "phase": phase})
        await us.send(PRIVATE)
        with pytest.raises(CommandRefused) as refused:
            await us.send(
                {
                    "type": "rule_free_action",
                    "free_action": "fa.1.us",
                    "band": "very_likely",
                    "reason": "mine",
                }
            )
        assert refused.value.code == "forbidden"
        with pytest.raises(CommandRefused) as unseen:
            await mx.send({"type": "counter_argument", "free_action": "fa.1.us", "text": "What envoy?"})
        assert unseen.value.code == "unknown_free_action"  # mx cannot argue over what it cannot see
        await fac.send(
            {"type": "rule_free_action", "free_action": "fa.1.us", "band": "even", "reason": "Plausible."}
        )
        await frames_until(fac, is_event("free_action_ruling"))
        await frames_until(us, is_event("free_action"))
        before = await drain(mx, 0.3)
        view = await mx.refresh()
        assert not _mentions(before, "Quiet envoy") and not _mentions(before, "fa.1.us"), before
        assert view["free_actions"] == [] and "Quiet envoy" not in str(view)
        us_view = await us.refresh()
        assert [fa["id"] for fa in us_view["free_actions"]] == ["fa.1.us"]
        assert "ruling" not in us_view["free_actions"][0]  # control's ruling is control's until resolved
        fac_view = await fac.refresh()
        assert fac_view["free_actions"][0]["ruling"]["band"] == "even"

        await fac.send({"type": "advance", "turn": 1, "phase": "orders"})
        frames = await frames_until(mx, is_event("free_action_resolved", free_action="fa.1.us"))
        resolved = frames[-1]["event"]
        assert (
            resolved["success"] is True
            and resolved["band"] == "even"
            and resolved["ruled_by"] == "facilitator"
        )
        assert "An envoy without cameras" in resolved["reason"] and "Plausible." in resolved["reason"]
        assert "us.pc" not in resolved["changes"]  # the US's capital stays the US's to know
        assert not any(f.get("event", {}).get("type") == "free_action_ruling" for f in frames)
        view = await mx.refresh()
        assert [fa["id"] for fa in view["free_actions"]] == ["fa.1.us"]  # everyone's now
        assert view["free_actions"][0]["resolved"]["success"] is True


async def test_bots_argue_over_a_free_action_tabled_after_they_played(url: str) -> None:
    """Bots play the orders phase as it opens; a human's free action comes later. Under Loose Talk's
    vote rule a bot that never heard of it would abstain by accident: the bot seats argue when it lands."""
    async with LobbyClient(url) as lobby:
        g = await lobby.create_game(
            "loose-talk",
            seed=4,
            bots={"mx": "sovereigntist", "cn": "deny_and_deflect", "ca": "trilateralist"},
        )
        token = (await lobby.join(g.game_id, g.join_codes["us"], "Ana")).token
    async with (
        GameClient(url, g.game_id, token) as us,
        GameClient(url, g.game_id, g.facilitator_token) as fac,
    ):
        for phase in ("briefing", "negotiation"):
            await fac.send({"type": "advance", "turn": 1, "phase": phase})
        await frames_until(us, is_event("ready", team="mx", phase="orders"))  # the bots have played
        await us.send(
            {
                "type": "free_action",
                "title": "Border surge",
                "description": "Federal agents at every crossing",
                "effects": [
                    {"indicator": "mx.st", "direction": "up", "size": "medium"},
                    {"indicator": "trust.us_ca", "direction": "up", "size": "small"},
                ],
                "argument": "A visible surge shows resolve at home.",
            }
        )
        frames = await frames_until(us, is_event("counter_argument", free_action="fa.1.us", team="mx"))
        argued = [f["event"] for f in frames if is_event("counter_argument")(f)]
        assert argued and all(a["team"] != "us" and a["text"] for a in argued)
        mx_says = next(a for a in argued if a["team"] == "mx")
        assert mx_says["stance"] == "against"  # Mexico's sovereigntist will not welcome tension rising
