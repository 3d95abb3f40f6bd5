"""A loaded game holds only a window of its log in memory; the store serves what lies further back.

Each test plays a game well past the window on a real server (SQLite, then a real redis-server), looks at
what the room holds, and checks that nothing older than the window was lost to the clients that need it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import live_server
import pytest
from fastapi import FastAPI
from live_server import running_server
from redis_server import RedisServer
from websockets.asyncio.client import connect

from precursor.client import CommandRefused, GameClient, LobbyClient
from server.room import LOG_WINDOW

TEAMS = ("us", "mx", "cn", "ca")
MESSAGES = 3 * LOG_WINDOW  # enough for the window to have moved on twice
QUICK = {"rate_burst": 10 * MESSAGES}  # one player sending them back to back is not a flood here


@pytest.fixture
def apps(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[FastAPI]]:
    """The apps running_server makes, so a test can look into the hub's rooms."""
    made: list[FastAPI] = []
    real: Callable[..., FastAPI] = live_server.create_app

    def create(*args: Any, **kwargs: Any) -> FastAPI:
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(live_server, "create_app", create)
    yield made


async def _setup(url: str) -> tuple[Any, dict[str, str]]:
    async with LobbyClient(url) as lobby:
        g = await lobby.create_game("loose-talk", seed=3)
        tokens = {t: (await lobby.join(g.game_id, g.join_codes[t], f"P-{t}")).token for t in TEAMS}
    return g, tokens


async def _resume(url: str, game_id: str, token: str, since: int) -> list[dict[str, Any]]:
    """Every event frame a connection resuming after ``since`` receives, up to the welcome's seq."""
    async with GameClient(url, game_id, token, since=since) as c:
        end = (await c.next_frame())["seq"]
        out: list[dict[str, Any]] = []
        while not out or out[-1]["seq"] < end:
            f = await c.next_frame(10)
            if f["type"] == "event":
                out.append(f)
    return out


def _held(app: FastAPI, game_id: str) -> list[int]:
    room = app.state.hub.rooms[game_id]
    assert room.committed == room.game.state.seq
    return [ev["seq"] for ev in room.game.log]


async def test_a_resume_from_before_the_window_gets_every_event(store_url: str, apps: list[FastAPI]) -> None:
    async with running_server(store_url, **QUICK) as url:
        g, tokens = await _setup(url)
        async with GameClient(url, g.game_id, tokens["us"]) as us:
            await us.next_frame()
            for i in range(MESSAGES):
                last = await us.send({"type": "message", "channel": "all", "text": f"m{i}"})
        held = _held(apps[-1], g.game_id)
        assert len(held) == LOG_WINDOW and held == list(range(last - LOG_WINDOW + 1, last + 1))
        for since in (0, 7, last - LOG_WINDOW - 1, last - LOG_WINDOW, last - 3):
            log = await _resume(url, g.game_id, g.facilitator_token, since)
            assert [f["seq"] for f in log] == list(range(since + 1, last + 1)), since
        full = await _resume(url, g.game_id, g.facilitator_token, 0)
        texts = [f["event"]["text"] for f in full if f["event"]["type"] == "message"]
        assert texts == [f"m{i}" for i in range(MESSAGES)]
        # a team resuming sees only what it may: another team's own channel stays out of it
        mx = await _resume(url, g.game_id, tokens["mx"], 0)
        assert [f["seq"] for f in mx] == sorted({f["seq"] for f in mx})
        assert not [f for f in mx if f["event"].get("channel") == "team.us"]


async def test_memory_holds_the_window_however_long_the_game(apps: list[FastAPI], tmp_path: Any) -> None:
    async with running_server(f"sqlite:///{tmp_path / 'g.db'}", **QUICK) as url:
        g, tokens = await _setup(url)
        async with GameClient(url, g.game_id, tokens["mx"]) as mx:
            await mx.next_frame()
            sizes = []
            for i in range(MESSAGES):
                await mx.send({"type": "message", "channel": "all", "text": f"m{i}"})
                sizes.append(len(apps[-1].state.hub.rooms[g.game_id].game.log))
        assert max(sizes) <= LOG_WINDOW
        assert sizes[-1] == LOG_WINDOW


async def test_an_outage_past_the_window_rolls_back_from_the_store(
    redis_server: RedisServer, redis_url: str, apps: list[FastAPI]
) -> None:
    """A command the store could not take is undone; with the oldest events no longer in memory the
    game is rebuilt from the store's log once the store is back, and nothing refused is ever shown."""
    async with running_server(redis_url, **QUICK) as url:
        g, tokens = await _setup(url)
        async with GameClient(url, g.game_id, tokens["us"], backoff=(0.05, 0.5)) as us:
            await us.next_frame()
            for i in range(MESSAGES):
                await us.send({"type": "message", "channel": "team.us", "text": f"before {i}"})
            assert len(_held(apps[-1], g.game_id)) == LOG_WINDOW
            redis_server.stop()
            try:
                frames: list[dict[str, Any]] = []
                while not any(f.get("type") == "status" and f.get("store") == "unavailable" for f in frames):
                    frames.append(await us.next_frame(10))
                with pytest.raises(CommandRefused) as err:
                    await us.send({"type": "message", "channel": "team.us", "text": "during"})
                assert err.value.code == "store_unavailable"
                # still away: the game cannot be rebuilt yet, so a view and a resume get a clear answer
                # (and the connection stays), never the refused message nor a broken socket
                with pytest.raises(CommandRefused) as err:
                    await us.refresh(timeout=10)
                assert err.value.code == "store_unavailable"
                ws_url = url.replace("http", "ws", 1) + f"/ws/games/{g.game_id}?token={tokens['mx']}&since=0"
                async with connect(ws_url, proxy=None, open_timeout=10) as mx:
                    first = json.loads(await asyncio.wait_for(mx.recv(), 10))
                    assert (first["type"], first["code"]) == ("error", "store_unavailable")
                    await mx.wait_closed()
                    assert mx.close_code == 1013
            finally:
                redis_server.start()
            frames = []
            while not any(f.get("type") == "status" and f.get("store") == "ok" for f in frames):
                frames.append(await us.next_frame(15))
            seq = await us.send({"type": "message", "channel": "team.us", "text": "after"})
        log = await _resume(url, g.game_id, g.facilitator_token, 0)
        assert [f["seq"] for f in log] == list(range(1, seq + 1))
        texts = [f["event"]["text"] for f in log if f["event"]["type"] == "message"]
        assert texts == [f"before {i}" for i in range(MESSAGES)] + ["after"]
        held = _held(apps[-1], g.game_id)
        assert held == list(range(seq - LOG_WINDOW + 1, seq + 1))


async def test_the_window_is_the_operators_setting(apps: list[FastAPI]) -> None:
    async with running_server("memory://", log_window=5, **QUICK) as url:
        g, tokens = await _setup(url)
        async with GameClient(url, g.game_id, tokens["ca"]) as ca:
            await ca.next_frame()
            for i in range(20):
                last = await ca.send({"type": "message", "channel": "all", "text": f"m{i}"})
        assert _held(apps[-1], g.game_id) == list(range(last - 4, last + 1))
        log = await _resume(url, g.game_id, g.facilitator_token, 0)
        assert [f["seq"] for f in log] == list(range(1, last + 1))
