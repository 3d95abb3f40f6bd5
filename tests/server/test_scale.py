"""Bounded memory and games spread over a cluster, against real servers and real stores.

A server keeps only the games being played in memory: idle ones are unloaded and come back from the
store, whole, on their next use. With several servers on one Redis, each game's clock and bots run on
the one server holding its lease, and another takes the lease over when that server is killed.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from live_server import ServerProcess, free_port, running_server

from precursor.client import GameClient, LobbyClient

TEAMS = ("us", "mx", "cn", "ca")


async def _until(check: Callable[[], Awaitable[bool]], timeout: float, what: str) -> float:
    """Seconds until ``check`` holds; fails with ``what`` after ``timeout``."""
    start = time.monotonic()
    while not await check():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what} (waited {timeout} s)")
        await asyncio.sleep(0.05)
    return time.monotonic() - start


async def _loaded(lobby: LobbyClient) -> int:
    return int((await lobby.health())["games_loaded"])


def _loaded_is(lobby: LobbyClient, n: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await _loaded(lobby) == n

    return check


async def _full_log(url: str, game_id: str, token: str) -> list[dict[str, Any]]:
    async with GameClient(url, game_id, token, since=0) as c:
        end = (await c.next_frame())["seq"]
        out: list[dict[str, Any]] = []
        while not out or out[-1]["seq"] < end:
            f = await c.next_frame(10)
            if f["type"] == "event":
                out.append(f)
    return out


def _check_log(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events, after checking the log has no gap and no event decided twice."""
    assert [f["seq"] for f in log] == list(range(1, len(log) + 1))
    events = [f["event"] for f in log]
    claims = Counter(
        (e["team"], e["turn"], e["phase"]) for e in events if e["type"] == "session" and e["op"] == "bot_turn"
    )
    assert all(n == 1 for n in claims.values()), f"a bot played a phase twice: {claims}"
    phases = Counter((e["turn"], e["phase"]) for e in events if e["type"] == "phase")
    assert all(n == 1 for n in phases.values()), f"a phase began twice: {phases}"
    return events


# ---------------------------------------------------------------------- idle games leave memory


async def test_idle_games_are_unloaded_and_come_back_whole(store_url: str) -> None:
    async with (
        running_server(store_url, idle_evict_seconds=0.6) as url,
        LobbyClient(url) as lobby,
    ):
        games = [await lobby.create_game("tutorial", seed=i, name=f"g{i}") for i in range(3)]
        g = games[0]
        token = (await lobby.join(g.game_id, g.join_codes["us"], "Ann")).token
        async with GameClient(url, g.game_id, token) as us:
            await us.next_frame()
            before = await us.send({"type": "message", "channel": "all", "text": "before"})
            # the two games nobody is connected to go; the one with a socket stays
            await _until(_loaded_is(lobby, 1), 10, "idle games were not unloaded")
            await asyncio.sleep(1.0)
            assert await _loaded(lobby) == 1
        await _until(_loaded_is(lobby, 0), 10, "the game its last socket left stayed loaded")
        # listing and reading them does not load them back
        listed = {s.game_id: s for s in await lobby.games()}
        assert set(listed) == {x.game_id for x in games}
        assert (listed[g.game_id].turn, listed[g.game_id].phase) == (1, "briefing")
        assert (await lobby.game(games[1].game_id)).name == "g1"
        assert await _loaded(lobby) == 0
        # a reconnect resumes where it left off and plays on, the log continuing from its seq
        async with GameClient(url, g.game_id, token, since=before) as us:
            welcome = await us.next_frame()
            assert (welcome["type"], welcome["seq"]) == ("welcome", before)
            after = await us.send({"type": "message", "channel": "all", "text": "after"})
            assert after == before + 1
        # a join loads an unloaded game too
        mx = await lobby.join(games[1].game_id, games[1].join_codes["mx"], "Luz")
        assert mx.team == "mx"
        events = _check_log(await _full_log(url, g.game_id, g.facilitator_token))
        assert [e["text"] for e in events if e["type"] == "message"] == ["before", "after"]


async def test_a_finished_game_is_unloaded_once_its_last_socket_leaves(tmp_path: Path) -> None:
    """Finished games used to stay loaded for as long as the server ran."""
    store = f"sqlite:///{tmp_path / 'games.db'}"
    async with (
        running_server(store, finished_evict_seconds=0.3) as url,
        LobbyClient(url) as lobby,
    ):
        g = await lobby.create_game("tutorial", bots={t: "default" for t in TEAMS})  # bots play it out

        async def ended() -> bool:
            return (await lobby.game(g.game_id)).ended

        await _until(ended, 20, "the bots did not finish the game")
        await _until(_loaded_is(lobby, 0), 10, "a finished game stayed loaded")
        summary = await lobby.game(g.game_id)
        assert summary.ended and await _loaded(lobby) == 0
        # watching it again loads it; leaving unloads it again
        async with GameClient(url, g.game_id, g.facilitator_token) as fac:
            assert (await fac.next_frame())["type"] == "welcome"
            assert await _loaded(lobby) == 1
        await _until(_loaded_is(lobby, 0), 10, "a finished game stayed loaded after a view")


async def test_a_running_phase_clock_keeps_a_game_loaded_until_it_fires(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'games.db'}"
    async with (
        running_server(store, idle_evict_seconds=0.3) as url,
        LobbyClient(url) as lobby,
    ):
        g = await lobby.create_game("tutorial", deadlines={"negotiation": 2.0})
        async with GameClient(url, g.game_id, g.facilitator_token) as fac:
            await fac.next_frame()
            await fac.send({"type": "advance", "turn": 1, "phase": "briefing"})
        await asyncio.sleep(1.0)  # idle three times over, but its clock is counting down
        assert await _loaded(lobby) == 1
        await _until(_loaded_is(lobby, 0), 10, "the game stayed loaded after its deadline")
        summary = await lobby.game(g.game_id)
        assert (summary.turn, summary.phase) == (1, "orders")  # the deadline ended the phase first
        assert await _loaded(lobby) == 0


# ---------------------------------------------------------------------- leases across instances


async def _health(url: str) -> dict[str, Any]:
    async with LobbyClient(url, timeout=5) as lobby:
        return dict(await lobby.health())


@pytest.mark.alone
async def test_one_instance_runs_a_games_clock_and_bots_and_another_takes_over_when_it_dies(
    redis_url: str,
) -> None:
    """Two servers on one Redis: the lease holder alone runs the clocks and bots (the other serves
    sockets); killed with SIGKILL, its games move to the other within a few seconds, both the game the
    other had loaded and the one it had never seen, and their deadlines still end their phases."""
    ttl = 1.5
    env = {"PRECURSOR_LEASE_TTL_SECONDS": str(ttl)}
    a = ServerProcess(redis_url, env=env)
    b = ServerProcess(redis_url, port=free_port(), env=env)
    a.start()
    b.start()
    redis = aioredis.Redis.from_url(redis_url)
    try:
        bots = {t: "default" for t in ("mx", "cn", "ca")}
        deadlines = {"negotiation": 4.0}
        async with LobbyClient(a.url) as lobby:
            seen = await lobby.create_game("tutorial", bots=bots, deadlines=deadlines, seed=5)
            unseen = await lobby.create_game("tutorial", bots=bots, deadlines=deadlines, seed=6)
        ha, hb = await _health(a.url), await _health(b.url)
        assert ha["instance"] and hb["instance"] and ha["instance"] != hb["instance"]
        # one game is watched from B too (B loads it, without its lease); the other only on A
        on_b = GameClient(b.url, seen.game_id, seen.facilitator_token, backoff=(0.05, 0.5))
        await on_b.start()
        await on_b.next_frame()
        await on_b.send({"type": "advance", "turn": 1, "phase": "briefing"})
        async with GameClient(a.url, unseen.game_id, unseen.facilitator_token) as on_a:
            await on_a.next_frame()
            await on_a.send({"type": "advance", "turn": 1, "phase": "briefing"})
        await asyncio.sleep(1.0)  # the bots play their negotiation, on A only
        ha, hb = await _health(a.url), await _health(b.url)
        assert (ha["games_loaded"], ha["games_led"]) == (2, 2)
        assert (hb["games_loaded"], hb["games_led"]) == (1, 0), hb
        for gid in (seen.game_id, unseen.game_id):
            assert await redis.get(f"precursor:{{{gid}}}:lease") == ha["instance"].encode()

        a.kill()  # SIGKILL: its leases are not released, they run out

        async def b_leads_both() -> bool:
            return int((await _health(b.url))["games_led"]) == 2

        took = await _until(b_leads_both, ttl + 5, "B did not take over the dead server's games")
        assert took < ttl + 3
        for gid in (seen.game_id, unseen.game_id):
            assert await redis.get(f"precursor:{{{gid}}}:lease") == hb["instance"].encode()
        # the negotiation deadline, now B's to keep, ends the phase; the bots then play their orders
        for g in (seen, unseen):

            async def in_orders(gid: str = g.game_id) -> bool:
                async with LobbyClient(b.url) as lobby:
                    return (await lobby.game(gid)).phase == "orders"

            await _until(in_orders, 10, "the deadline did not end the phase after the takeover")
            await asyncio.sleep(0.5)
            events = _check_log(await _full_log(b.url, g.game_id, g.facilitator_token))
            played = {
                (e["team"], e["phase"]) for e in events if e["type"] == "session" and e["op"] == "bot_turn"
            }
            assert {(t, p) for t in bots for p in ("negotiation", "orders")} <= played
        await on_b.close()
    finally:
        await redis.aclose()
        a.stop()
        b.stop()


async def test_a_lease_is_released_when_its_game_is_unloaded(redis_url: str) -> None:
    """An unloaded game leaves no lease behind: another server picks it up at once when it is next
    played there, rather than waiting for the lease to run out."""
    redis = aioredis.Redis.from_url(redis_url)
    try:
        async with (
            running_server(redis_url, idle_evict_seconds=0.4, lease_ttl_seconds=30) as url,
            LobbyClient(url) as lobby,
        ):
            g = await lobby.create_game("tutorial")
            key = f"precursor:{{{g.game_id}}}:lease"
            me = (await lobby.health())["instance"].encode()
            assert await redis.get(key) == me
            await _until(_loaded_is(lobby, 0), 10, "the idle game stayed loaded")

            # the game leaves the loaded list first, then its room stops and the lease is let go: wait for
            # that, far less than the lease's 30 s, which is what a lease left behind would take
            async def released() -> bool:
                return await redis.get(key) is None

            await _until(released, 5, "the unloaded game's lease was not released")
            assert await redis.zscore("precursor:leases", g.game_id) is None
    finally:
        await redis.aclose()
