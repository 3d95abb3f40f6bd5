"""Crash safety, Redis outages and two server instances on one Redis — with real processes.

A server is killed with SIGKILL while players negotiate and while they submit orders; after a restart
every acknowledged command's events are in the log, nothing else is, and clients resume with no gap
and no duplicate. These tests start `precursor serve` as child processes on loopback ports.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_server import ROOT, ServerProcess, free_port, running_server
from redis_server import RedisServer

from precursor.client import ClientError, CommandRefused, ConnectionLost, GameClient, LobbyClient

TEAMS = ("us", "mx", "cn", "ca")


async def _setup(url: str) -> tuple[Any, dict[str, str]]:
    async with LobbyClient(url) as lobby:
        g = await lobby.create_game("loose-talk", seed=3)
        tokens = {t: (await lobby.join(g.game_id, g.join_codes[t], f"P-{t}")).token for t in TEAMS}
    return g, tokens


async def _wait_up(url: str, timeout: float = 20.0) -> None:
    async with LobbyClient(url, timeout=2) as lobby:
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while loop.time() < end:
            try:
                await lobby.health()
                return
            except Exception:
                await asyncio.sleep(0.1)
    raise AssertionError("server did not come back")


async def _full_log(url: str, game_id: str, token: str) -> list[dict[str, Any]]:
    async with GameClient(url, game_id, token, since=0) as c:
        w = await c.next_frame()
        end = w["seq"]
        out: list[dict[str, Any]] = []
        while not out or out[-1]["seq"] < end:
            f = await c.next_frame(10)
            if f["type"] == "event":
                out.append(f)
    return out


async def _chatter(
    client: GameClient, team: str, sent: dict[str, str], acked: dict[str, int], stop: asyncio.Event
) -> None:
    i = 0
    while not stop.is_set():
        text = f"{team}-{i}"
        sent[text] = team
        try:
            acked[text] = await client.send({"type": "message", "channel": "all", "text": text}, timeout=5)
        except (ConnectionLost, TimeoutError, CommandRefused, ClientError):
            await asyncio.sleep(0.05)
        i += 1


async def _collect(client: GameClient, into: list[dict[str, Any]], stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            f = await client.next_frame(0.2)
        except TimeoutError:
            continue
        if f["type"] == "event":
            into.append(f)


@pytest.mark.parametrize("moment", ["negotiation", "orders"])
async def test_sigkill_loses_no_acknowledged_command(store_url: str, moment: str) -> None:
    proc = ServerProcess(store_url)
    proc.start()
    try:
        g, tokens = await _setup(proc.url)
        clients = {t: GameClient(proc.url, g.game_id, tokens[t], backoff=(0.05, 0.5)) for t in TEAMS}
        fac = GameClient(proc.url, g.game_id, g.facilitator_token, backoff=(0.05, 0.5))
        for c in [*clients.values(), fac]:
            await c.start()
            await c.next_frame()
        await fac.send({"type": "advance", "turn": 1, "phase": "briefing"})
        if moment == "orders":
            await fac.send({"type": "advance", "turn": 1, "phase": "negotiation"})
        seen: dict[str, list[dict[str, Any]]] = {t: [] for t in TEAMS}
        sent: dict[str, str] = {}
        acked: dict[str, int] = {}
        order_acks: dict[str, int] = {}
        stop = asyncio.Event()
        collectors = [asyncio.create_task(_collect(clients[t], seen[t], stop)) for t in TEAMS]
        if moment == "negotiation":
            work = [asyncio.create_task(_chatter(clients[t], t, sent, acked, stop)) for t in TEAMS]
        else:

            async def orders(team: str) -> None:
                with_levers = {"us": "us_tf", "mx": "mx_plan_1", "cn": "cn_deny", "ca": "ca_tri"}
                with contextlib.suppress(ConnectionLost, TimeoutError, CommandRefused, ClientError):
                    order_acks[team] = await clients[team].send(
                        {"type": "submit_orders", "orders": [{"lever": with_levers[team]}]}, timeout=5
                    )

            work = [asyncio.create_task(orders(t)) for t in TEAMS]
            work += [asyncio.create_task(_chatter(clients[t], t, sent, acked, stop)) for t in ("us", "mx")]
        await asyncio.sleep(random.uniform(0.3, 0.8))
        proc.kill()  # SIGKILL: no shutdown handler runs
        await asyncio.sleep(0.3)
        stop.set()
        await asyncio.gather(*work, return_exceptions=True)
        proc.start()
        await _wait_up(proc.url)
        # the clients reconnect by themselves and resume from their last event
        for c in clients.values():
            await asyncio.wait_for(c.connected.wait(), 15)
        await asyncio.sleep(1.0)
        stop2 = asyncio.Event()
        stop2.set()
        for t in collectors:
            t.cancel()
        await asyncio.gather(*collectors, return_exceptions=True)
        for t in TEAMS:
            while True:
                try:
                    f = await clients[t].next_frame(0.3)
                except TimeoutError:
                    break
                if f["type"] == "event":
                    seen[t].append(f)
        log = await _full_log(proc.url, g.game_id, g.facilitator_token)
        assert [f["seq"] for f in log] == list(range(1, len(log) + 1))
        by_seq = {f["seq"]: f["event"] for f in log}
        texts = [e["text"] for e in by_seq.values() if e["type"] == "message"]
        assert len(texts) == len(set(texts)), "a command's events appear twice"
        assert set(texts) <= set(sent), "the log holds messages nobody sent"
        for text, seq in acked.items():
            assert by_seq[seq]["text"] == text, f"acknowledged {text} is not at seq {seq}"
        for team in order_acks:
            assert any(e["type"] == "orders_submitted" and e["team"] == team for e in by_seq.values()), team
        assert acked, "the test sent nothing before the kill"
        for t in TEAMS:
            seqs = [f["seq"] for f in seen[t]]
            assert seqs == sorted(set(seqs)), f"{t} saw a duplicate or out-of-order event"
            expected = [f["seq"] for f in await _full_log(proc.url, g.game_id, tokens[t])]
            start = next((i for i, s in enumerate(expected) if seqs and s == seqs[0]), 0)
            assert seqs == expected[start : start + len(seqs)], f"{t} missed events across the crash"
            assert not seqs or seqs[-1] == expected[-1]
        for c in [*clients.values(), fac]:
            await c.close()
    finally:
        proc.stop()


async def test_redis_outage_is_reported_and_recovered(redis_server: RedisServer, redis_url: str) -> None:
    async with running_server(redis_url) as url:
        g, tokens = await _setup(url)
        async with GameClient(url, g.game_id, tokens["us"], backoff=(0.05, 0.5)) as us:
            await us.next_frame()
            await us.send({"type": "message", "channel": "team.us", "text": "before"})
            redis_server.stop()
            try:
                frames = []
                while not any(f.get("type") == "status" and f.get("store") == "unavailable" for f in frames):
                    frames.append(await us.next_frame(10))
                with pytest.raises(CommandRefused) as err:
                    await us.send({"type": "message", "channel": "team.us", "text": "during"})
                assert err.value.code == "store_unavailable"
            finally:
                redis_server.start()
            frames = []
            while not any(f.get("type") == "status" and f.get("store") == "ok" for f in frames):
                frames.append(await us.next_frame(15))
            seq = await us.send({"type": "message", "channel": "team.us", "text": "after"})
            log = await _full_log(url, g.game_id, g.facilitator_token)
            texts = [f["event"].get("text") for f in log if f["event"]["type"] == "message"]
            assert texts == ["before", "after"] and log[-1]["seq"] == seq


async def test_two_instances_share_a_game_through_redis(redis_url: str) -> None:
    a, b = ServerProcess(redis_url), ServerProcess(redis_url, port=free_port())
    a.start()
    b.start()
    try:
        g, tokens = await _setup(a.url)
        # us and cn on instance A, mx and ca and a facilitator on B
        where = {"us": a.url, "cn": a.url, "mx": b.url, "ca": b.url}
        clients = {t: GameClient(where[t], g.game_id, tokens[t]) for t in TEAMS}
        facs = [
            GameClient(a.url, g.game_id, g.facilitator_token),
            GameClient(b.url, g.game_id, g.facilitator_token),
        ]
        for c in [*clients.values(), *facs]:
            await c.start()
            await c.next_frame()
        await facs[1].send({"type": "advance", "turn": 1, "phase": "briefing"})
        stop = asyncio.Event()
        sent: dict[str, str] = {}
        acked: dict[str, int] = {}
        work = [asyncio.create_task(_chatter(clients[t], t, sent, acked, stop)) for t in TEAMS]
        await asyncio.sleep(1.5)
        stop.set()
        await asyncio.gather(*work)
        # races: a proposal accepted on B while withdrawn on A; exactly one of the two may win
        outcomes = []
        for _ in range(3):  # three proposals a turn is the rulebook's limit
            prop_seq = await clients["us"].send(
                {
                    "type": "propose",
                    "parties": ["us", "mx"],
                    "clauses": [{"actor": "mx", "lever": "mx_plan_1"}],
                }
            )
            pid = None
            while pid is None:
                f = await clients["mx"].next_frame(10)
                if f["type"] == "event" and f["event"]["type"] == "proposal" and f["seq"] >= prop_seq:
                    pid = f["event"]["proposal"]["id"]
            res = await asyncio.gather(
                clients["mx"].send({"type": "respond", "proposal": pid, "action": "accept"}),
                clients["us"].send({"type": "respond", "proposal": pid, "action": "withdraw"}),
                return_exceptions=True,
            )
            wins = [r for r in res if isinstance(r, int)]
            losses = [r for r in res if isinstance(r, CommandRefused)]
            assert len(wins) == 1 and len(losses) == 1, res
            outcomes.append("accept" if isinstance(res[0], int) else "withdraw")
        await asyncio.sleep(0.5)
        logs = []
        for c in facs:
            frames = []
            while True:
                try:
                    f = await c.next_frame(0.5)
                except TimeoutError:
                    break
                if f["type"] == "event":
                    frames.append((f["seq"], f["event"]["type"], f["event"].get("text")))
            logs.append(frames)
        assert logs[0] == logs[1], "the two instances delivered different logs"
        seqs = [s for s, _, _ in logs[0]]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
        delivered = {t for _, k, t in logs[0] if k == "message"}
        assert set(acked) <= delivered
        for c in [*clients.values(), *facs]:
            await c.close()
    finally:
        a.stop()
        b.stop()


async def test_phase_timers_survive_a_restart(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'games.db'}"
    async with running_server(store) as url:
        async with LobbyClient(url) as lobby:
            g = await lobby.create_game("tutorial", deadlines={"negotiation": 2})
        async with GameClient(url, g.game_id, g.facilitator_token) as fac:
            await fac.next_frame()
            await fac.send({"type": "advance", "turn": 1, "phase": "briefing"})
            assert fac.session["deadline"] is None  # the welcome came before the phase began
    # the server is down while the deadline passes; the restarted one loads running games at start-up
    # and applies the deadline without anyone connecting
    await asyncio.sleep(2.2)
    async with running_server(store) as url, LobbyClient(url) as lobby:
        for _ in range(100):
            if (await lobby.health())["games_loaded"] >= 1:
                break
            await asyncio.sleep(0.05)
        assert (await lobby.health())["games_loaded"] == 1
        for _ in range(100):
            summary = await lobby.game(g.game_id)
            if summary.phase == "orders":
                break
            await asyncio.sleep(0.05)
        assert (summary.turn, summary.phase) == (1, "orders")


async def test_finished_games_are_listed_without_loading_them(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'games.db'}"
    async with running_server(store) as url, LobbyClient(url) as lobby:
        g = await lobby.create_game("tutorial", bots={t: "default" for t in TEAMS})  # bots play it out
        for _ in range(200):
            if (await lobby.game(g.game_id)).ended:
                break
            await asyncio.sleep(0.05)
        assert (await lobby.game(g.game_id)).ended
        await asyncio.sleep(0.3)  # the record is marked after the last event
    async with running_server(store) as url, LobbyClient(url) as lobby:
        await asyncio.sleep(0.3)
        assert (await lobby.health())["games_loaded"] == 0
        (summary,) = await lobby.games()
        assert summary.ended and summary.turn == 3
        assert (await lobby.health())["games_loaded"] == 0


async def test_tokens_and_join_codes_never_reach_the_server_log(tmp_path: Path) -> None:
    proc = ServerProcess("memory://", log_level="debug")
    proc.start()
    try:
        g, tokens = await _setup(proc.url)
        async with GameClient(proc.url, g.game_id, tokens["us"]) as us:
            await us.next_frame()
            await us.send({"type": "message", "channel": "team.us", "text": "hello"})
        with pytest.raises(ClientError):
            async with GameClient(proc.url, g.game_id, "not-a-real-token-123456"):
                pass
    finally:
        assert proc.proc is not None and proc.proc.stdout is not None
        proc.proc.terminate()
        out = proc.proc.stdout.read()
        proc.stop()
    secrets_ = [g.facilitator_token, *tokens.values(), *g.join_codes.values(), "not-a-real-token-123456"]
    assert out.strip(), "the server logged nothing at debug level: the check would prove nothing"
    for s in secrets_:
        assert s not in out


# ---------------------------------------------------------------------- a Redis that lost its data


@pytest.fixture
def bare_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of its own with neither AOF nor snapshots: a restart loses everything (the shared one
    keeps its AOF, and other tests rely on it)."""
    from redis_server import MISSING_REASON, redis_available, require_redis

    if not redis_available():
        if require_redis():
            pytest.fail(MISSING_REASON)
        pytest.skip(MISSING_REASON)
    with RedisServer(tmp_path / "bare-redis", appendonly=False) as rs:
        yield rs


async def _first_error(ws: Any, timeout: float = 10.0) -> dict[str, Any]:
    """The first error frame on a raw websocket (welcome, events and status frames before it skipped)."""
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame.get("type") == "error":
                return dict(frame)


@pytest.mark.parametrize("how", ["flushall", "restart"])
async def test_a_redis_that_lost_its_data_is_store_lost_not_unknown_game(
    bare_redis: RedisServer, how: str
) -> None:
    """Redis restarted without its data (or was flushed) under a running server: health, a connected
    player, a player connecting and REST all say store_lost (503), never 404 / 4404 unknown_game, which
    a client takes for "this game never existed" and gives up on."""
    import redis.asyncio as aioredis
    from websockets.asyncio.client import connect

    async with (
        running_server(bare_redis.url) as url,
        httpx.AsyncClient(base_url=url, trust_env=False) as http,
    ):
        g, tokens = await _setup(url)
        ws_url = url.replace("http", "ws", 1) + f"/ws/games/{g.game_id}?token={tokens['us']}"
        assert (await http.get("/api/health")).json()["status"] == "ok"
        async with connect(ws_url, proxy=None, open_timeout=10) as us:
            assert json.loads(await us.recv())["type"] == "welcome"
            if how == "flushall":
                client = aioredis.Redis.from_url(bare_redis.url)
                try:
                    await client.flushall()
                finally:
                    await client.aclose()
            else:
                bare_redis.restart()
            r = await http.get("/api/health")
            assert (r.status_code, r.json()["status"]) == (503, "store_lost"), r.text
            assert "restart" in r.json()["message"]
            # the player still connected is told, then closed
            assert (await _first_error(us))["code"] == "store_lost"
        async with connect(ws_url, proxy=None, open_timeout=10) as again:
            assert (await _first_error(again))["code"] == "store_lost"
            await again.wait_closed()
            assert again.close_code == 1013
        for method, path, body in [
            ("GET", f"/api/games/{g.game_id}", None),
            ("GET", "/api/games", None),
            ("POST", f"/api/games/{g.game_id}/join", {"join_code": g.join_codes["mx"], "name": "Luz"}),
        ]:
            r = await http.request(method, path, json=body)
            assert (r.status_code, r.json()["code"]) == (503, "store_lost"), (path, r.text)


def _serve(store: str, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "precursor.cli", "serve", "--port", "0", "--store", store, *extra]
    return subprocess.run(
        args, capture_output=True, text=True, timeout=60, cwd=ROOT, env={**os.environ, **(env or {})}
    )


async def test_require_durable_refuses_a_redis_that_keeps_nothing(
    bare_redis: RedisServer, redis_url: str
) -> None:
    for extra, env in [(("--require-durable",), {}), ((), {"PRECURSOR_REQUIRE_DURABLE": "1"})]:
        out = _serve(bare_redis.url, *extra, env=env)
        assert out.returncode == 3, (out.returncode, out.stderr[-2000:])
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and "require-durable" in lines[0] and "appendonly" in lines[0], lines
        assert "serving on" not in out.stdout
    # the shared test Redis runs with appendonly yes: accepted, and it serves
    proc = ServerProcess(redis_url, env={"PRECURSOR_REQUIRE_DURABLE": "1"})
    proc.start()
    try:
        async with LobbyClient(proc.url) as lobby:
            assert (await lobby.health())["durability"] == "durable"
    finally:
        proc.stop()
