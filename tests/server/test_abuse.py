"""Someone holding a join code, or a copy of the store: what they must not get."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import socket
import ssl
import stat
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_server import ROOT, ServerProcess, running_server
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from precursor.client import ClientError, GameClient, LobbyClient
from server.auth import normalise_code
from server.settings import ServerSettings, exposure_warning


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
async def url() -> AsyncIterator[str]:
    async with running_server("memory://") as u:
        yield u


async def rotate(url: str, game_id: str, who: str, token: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url, timeout=10, trust_env=False) as http:
        return await http.post(
            f"/api/games/{game_id}/codes/{who}", headers={"Authorization": f"Bearer {token}"}
        )


@contextlib.asynccontextmanager
async def raw_socket(url: str, game_id: str, token: str) -> AsyncIterator[ClientConnection]:
    """A bare websocket, for frames the client library keeps to itself (the ack's fields)."""
    ws_url = url.replace("http", "ws", 1) + f"/ws/games/{game_id}?token={token}"
    async with connect(ws_url, proxy=None, compression=None, open_timeout=10) as ws:
        yield ws


async def answer(ws: ClientConnection, cid: str, limit: int = 200) -> dict[str, Any]:
    """The ack or error frame for command ``cid`` (events before it are skipped)."""
    for _ in range(limit):
        frame = json.loads(await ws.recv())
        if frame.get("id") == cid and frame["type"] in ("ack", "error"):
            return dict(frame)
    raise AssertionError(f"no answer to {cid} in {limit} frames")


# ---------------------------------------------------------------------- 1. secrets at rest


async def test_the_sqlite_store_keeps_no_join_code_and_is_private(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "precursor"
    db = folder / "games.db"
    with umask(0o022):
        async with running_server(f"sqlite:///{db}") as url, LobbyClient(url) as lobby:
            g = await lobby.create_game("tutorial", seed=3)
            await lobby.join(g.game_id, g.join_codes["us"], "Ana")
            fresh = (await rotate(url, g.game_id, "mx", g.facilitator_token)).json()["join_code"]
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
            blobs = b"".join(p.read_bytes() for p in sorted(folder.iterdir()))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert set(modes) >= {"games.db", "games.db-wal", "games.db-shm"}
    assert set(modes.values()) == {0o600}, modes
    assert g.game_id.encode() in blobs  # the files were read while they held the game
    for secret in (*g.join_codes.values(), fresh, g.facilitator_token):
        assert secret.encode() not in blobs and normalise_code(secret).encode() not in blobs


async def _every_value(redis_url: str) -> bytes:
    """Every key and value a Redis holds, whatever the key's type, as one blob."""
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(redis_url)
    out = bytearray()
    try:
        async for key in client.scan_iter():
            kind = (await client.type(key)).decode()
            out += key
            if kind == "string":
                out += await client.get(key) or b""
            elif kind == "hash":
                out += b"".join(k + v for k, v in (await client.hgetall(key)).items())
            elif kind == "stream":
                out += b"".join(repr(e).encode() for e in await client.xrange(key))
            elif kind == "zset":
                out += b"".join(await client.zrange(key, 0, -1))
            else:
                raise AssertionError(f"a key of a type this check does not read: {key!r} ({kind})")
    finally:
        await client.aclose()
    return bytes(out)


async def test_the_redis_store_keeps_no_join_code_or_token(redis_url: str) -> None:
    async with running_server(redis_url) as url, LobbyClient(url) as lobby:
        g = await lobby.create_game("tutorial", seed=3)
        ana = await lobby.join(g.game_id, g.join_codes["us"], "Ana")
        fresh = (await rotate(url, g.game_id, "mx", g.facilitator_token)).json()["join_code"]
        blob = await _every_value(redis_url)
    assert g.game_id.encode() in blob and b"Ana" in blob  # the dump holds the game
    for secret in (*g.join_codes.values(), fresh, g.facilitator_token, ana.token):
        assert secret.encode() not in blob and normalise_code(secret).encode() not in blob


async def test_the_facilitator_rotates_a_code_once_and_the_old_one_stops(url: str) -> None:
    async with LobbyClient(url) as lobby:
        g = await lobby.create_game("tutorial", seed=3)
        before = await lobby.join(g.game_id, g.join_codes["mx"], "Luz")
        for bad in ("-", "x" * 32, (await lobby.join(g.game_id, g.join_codes["us"], "Ana")).token):
            r = await rotate(url, g.game_id, "mx", bad)
            assert (r.status_code, r.json()["code"]) == (401, "bad_token")
        assert (await rotate(url, g.game_id, "nobody", g.facilitator_token)).status_code == 400
        r = await rotate(url, g.game_id, "mx", g.facilitator_token)
        assert r.status_code == 201 and r.json()["team"] == "mx"
        code = r.json()["join_code"]
        assert code != g.join_codes["mx"]
        with pytest.raises(ClientError) as err:
            await lobby.join(g.game_id, g.join_codes["mx"], "Eve")
        assert (err.value.code, err.value.status) == ("bad_code", 403)
        after = await lobby.join(g.game_id, code, "Rosa")
        assert (after.team, before.team) == ("mx", "mx")
        # the other codes are untouched
        assert (await lobby.join(g.game_id, g.join_codes["cn"], "Wei")).team == "cn"
        # the observers' code rotates the same way
        r = await rotate(url, g.game_id, "observer", g.facilitator_token)
        assert (await lobby.join(g.game_id, r.json()["join_code"], "Press")).role == "observer"


@pytest.mark.subprocess
async def test_no_secret_in_the_server_log_at_debug() -> None:
    proc = ServerProcess("memory://", log_level="debug")
    proc.start()
    try:
        async with LobbyClient(proc.url) as lobby:
            g = await lobby.create_game("tutorial", seed=3)
            j = await lobby.join(g.game_id, g.join_codes["us"], "Ana")
            fresh = (await rotate(proc.url, g.game_id, "us", g.facilitator_token)).json()["join_code"]
            with pytest.raises(ClientError):
                await lobby.join(g.game_id, g.join_codes["us"], "Eve")
            async with raw_socket(proc.url, g.game_id, g.facilitator_token) as fac:
                await fac.recv()
                await fac.send(json.dumps({"type": "command", "id": "r", "command": {"type": "pause"}}))
                await answer(fac, "r")
    finally:
        assert proc.proc is not None and proc.proc.stdout is not None
        proc.proc.terminate()
        out = proc.proc.stdout.read()
        proc.stop()
    assert "DEBUG" in out, "nothing logged at debug level: the check would prove nothing"
    for secret in (*g.join_codes.values(), fresh, g.facilitator_token, j.token):
        assert secret not in out and normalise_code(secret) not in out


# ---------------------------------------------------------------------- 2. removal removes


async def test_a_removed_player_cannot_rejoin_with_the_old_code(url: str) -> None:
    async with LobbyClient(url) as lobby:
        g = await lobby.create_game("tutorial", seed=3)
        eve = await lobby.join(g.game_id, g.join_codes["cn"], "Eve")
        wei = await lobby.join(g.game_id, g.join_codes["cn"], "Wei")
        press = await lobby.join(g.game_id, g.join_codes["observer"], "Press")
        async with raw_socket(url, g.game_id, g.facilitator_token) as fac:
            await fac.recv()
            command = {"type": "remove_player", "player": eve.player_id}
            await fac.send(json.dumps({"type": "command", "id": "rm", "command": command}))
            ack = await answer(fac, "rm")
            assert ack["type"] == "ack" and ack["join_code"]["team"] == "cn"
            fresh = ack["join_code"]["join_code"]
            command = {"type": "remove_player", "player": press.player_id}
            await fac.send(json.dumps({"type": "command", "id": "rm2", "command": command}))
            ack = await answer(fac, "rm2")
            assert ack["join_code"]["team"] == "observer"
        # the removed person's code seats nobody any more, in the team or among the observers
        for old in (g.join_codes["cn"], g.join_codes["observer"]):
            with pytest.raises(ClientError) as err:
                await lobby.join(g.game_id, old, "Eve again")
            assert err.value.code == "bad_code"
        # the rest of the team carries on: seated players keep their seats, newcomers use the new code
        assert (await lobby.join(g.game_id, fresh, "Lin")).team == "cn"
        async with raw_socket(url, g.game_id, wei.token) as ws:
            assert json.loads(await ws.recv())["type"] == "welcome"
        # other teams' codes are untouched
        assert (await lobby.join(g.game_id, g.join_codes["us"], "Ana")).team == "us"


# ---------------------------------------------------------------------- 3. clean text

NASTY = "\x1b[31m\u202e\x00\u2066\x07\x9b"


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


async def test_control_and_bidi_characters_never_reach_another_client(url: str) -> None:
    async with LobbyClient(url) as lobby:
        g = await lobby.create_game("tutorial", seed=3, name=f"Class{NASTY} 4B")
        us = await lobby.join(g.game_id, g.join_codes["us"], f"Ana{NASTY}\nRed")
        mx = await lobby.join(g.game_id, g.join_codes["mx"], "Luz")
        with pytest.raises(ClientError) as err:
            await lobby.join(g.game_id, g.join_codes["ca"], "\x1b\u202e\x00 ")
        assert err.value.code == "bad_request"  # nothing left of the name
        assert (await lobby.game(g.game_id)).name == "Class[31m 4B"
    async with (
        raw_socket(url, g.game_id, g.facilitator_token) as fac,
        raw_socket(url, g.game_id, mx.token) as other,
        raw_socket(url, g.game_id, us.token) as ana,
    ):
        await fac.recv()
        await ana.recv()
        seen = [json.loads(await other.recv())]
        commands: list[tuple[ClientConnection, dict[str, Any]]] = [
            (fac, {"type": "advance", "turn": 1, "phase": "briefing"}),
            (ana, {"type": "message", "channel": "all", "text": f"hi{NASTY}\tthere\nline two"}),
            (ana, {"type": "open_channel", "members": ["us", "mx"], "name": f"back{NASTY}room"}),
            (
                ana,
                {
                    "type": "propose",
                    "parties": ["us", "mx"],
                    "note": f"deal{NASTY}",
                    "clauses": [{"actor": "mx", "lever": "mx_plan_1"}],
                },
            ),
            (fac, {"type": "override", "key": "us.approval", "value": 50, "note": f"fix{NASTY}"}),
            (ana, {"type": "message", "channel": "all", "text": "x" * 4001}),
            (ana, {"type": "message", "channel": "all", "text": "end"}),
        ]
        answers = []
        for i, (ws, command) in enumerate(commands):
            await ws.send(json.dumps({"type": "command", "id": f"c{i}", "command": command}))
            answers.append(await answer(ws, f"c{i}"))
        for _ in range(200):
            seen.append(json.loads(await other.recv()))
            if seen[-1].get("event", {}).get("text") == "end":
                break
    texts = [s for f in seen for s in strings(f)]
    assert [a["type"] for a in answers] == ["ack"] * 5 + ["error", "ack"], answers
    assert answers[-2]["code"] == "bad_command"
    for clean in (
        "Class[31m 4B",
        "Ana[31m Red",
        "hi[31m\tthere\nline two",
        "back[31mroom",
        "deal[31m",
        "fix[31m",
    ):
        assert clean in texts, clean
    for s in texts:
        assert not set(s) & set(NASTY.replace("[31m", "")), repr(s)


# ---------------------------------------------------------------------- 4. limits per identity


async def test_rest_bodies_over_the_limit_are_refused(url: str) -> None:
    big = {"scenario": "tutorial", "name": "x" * 100, "seats": {"us": ["s" * 40] * 2000}}
    async with httpx.AsyncClient(base_url=url, timeout=10, trust_env=False) as http:
        r = await http.post("/api/games", json=big)
        assert (r.status_code, r.json()["code"]) == (413, "payload_too_large")

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
            yield b'{"scenario": "tutorial", "name": "'
            for _ in range(20):
                yield b"y" * 4096
            yield b'"}'

        r = await http.post("/api/games", content=chunks(), headers={"content-type": "application/json"})
        assert (r.status_code, r.json()["code"]) == (413, "payload_too_large")
        assert (await http.post("/api/games", json={"scenario": "tutorial"})).status_code == 201


async def test_joins_and_new_games_are_rate_limited_per_address() -> None:
    limits = {"join_per_minute": 1.0, "join_burst": 3, "create_per_minute": 1.0, "create_burst": 2}
    async with running_server("memory://", **limits) as url, LobbyClient(url) as lobby:
        g = await lobby.create_game("tutorial")
        await lobby.create_game("tutorial")
        with pytest.raises(ClientError) as err:
            await lobby.create_game("tutorial")
        assert (err.value.code, err.value.status) == ("rate_limited", 429)
        for i in range(3):
            await lobby.join(g.game_id, g.join_codes["us"], f"P{i}")
        async with httpx.AsyncClient(base_url=url, timeout=10, trust_env=False) as http:
            body = {"join_code": g.join_codes["mx"], "name": "Luz"}
            r = await http.post(f"/api/games/{g.game_id}/join", json=body)
        assert (r.status_code, r.json()["code"]) == (429, "rate_limited")
        assert int(r.headers["retry-after"]) >= 1


async def test_teams_and_observers_are_capped() -> None:
    caps = {"max_players_per_team": 2, "max_observers": 1}
    async with running_server("memory://", **caps) as url, LobbyClient(url) as lobby:
        g = await lobby.create_game("tutorial")
        first = await lobby.join(g.game_id, g.join_codes["us"], "A")
        await lobby.join(g.game_id, g.join_codes["us"], "B")
        await lobby.join(g.game_id, g.join_codes["observer"], "Press")
        for who in ("us", "observer"):
            with pytest.raises(ClientError) as err:
                await lobby.join(g.game_id, g.join_codes[who], "C")
            assert (err.value.code, err.value.status) == ("too_many_players", 409)
        await lobby.join(g.game_id, g.join_codes["mx"], "other teams are not counted")
        async with raw_socket(url, g.game_id, g.facilitator_token) as fac:
            await fac.recv()
            command = {"type": "remove_player", "player": first.player_id}
            await fac.send(json.dumps({"type": "command", "id": "rm", "command": command}))
            code = (await answer(fac, "rm"))["join_code"]["join_code"]
        assert (await lobby.join(g.game_id, code, "C")).team == "us"  # the removed player's place


async def test_connections_and_frames_are_limited_per_token() -> None:
    async with running_server(
        "memory://", max_connections_per_token=3, rate_per_second=5, rate_burst=5
    ) as url:
        async with LobbyClient(url) as lobby:
            g = await lobby.create_game("tutorial")
            token = (await lobby.join(g.game_id, g.join_codes["us"], "Ana")).token
        async with contextlib.AsyncExitStack() as stack:
            socks = [await stack.enter_async_context(raw_socket(url, g.game_id, token)) for _ in range(3)]
            for ws in socks:
                assert json.loads(await ws.recv())["type"] == "welcome"
            async with raw_socket(url, g.game_id, token) as extra:
                refused = json.loads(await extra.recv())
                assert refused["code"] == "too_many_connections"
                await extra.wait_closed()
                assert extra.close_code == 4429
            loop = asyncio.get_running_loop()
            start = loop.time()
            for ws in socks:  # 3 sockets x 8 pings: one token's budget, not three
                for _ in range(8):
                    await ws.send('{"type": "ping"}')
            replies = [json.loads(await ws.recv()) for ws in socks for _ in range(8)]
            elapsed = loop.time() - start
        pongs = sum(f["type"] == "pong" for f in replies)
        assert pongs + sum(f.get("code") == "rate_limited" for f in replies) == 24
        assert pongs <= 5 + 5 * elapsed + 1, (pongs, elapsed)
        async with raw_socket(url, g.game_id, token) as again:  # the sockets closed: room for more
            assert json.loads(await again.recv())["type"] == "welcome"


# ---------------------------------------------------------------------- 5. no silent loss with Redis


@pytest.mark.redis
async def test_a_redis_without_persistence_is_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import redis.asyncio as aioredis
    from redis_server import MISSING_REASON, RedisServer, redis_available, require_redis

    if not redis_available():
        if require_redis():
            pytest.fail(MISSING_REASON)
        pytest.skip(MISSING_REASON)
    with RedisServer(tmp_path / "redis", appendonly=False) as rs:
        caplog.set_level(logging.WARNING, logger="precursor.server")
        async with running_server(rs.url) as url, LobbyClient(url) as lobby:
            assert any("durability: none" in r.getMessage() for r in caplog.records), caplog.text
            assert (await lobby.health())["durability"] == "none"
            client = aioredis.Redis.from_url(rs.url)
            try:
                await client.config_set("save", "3600 1")
                assert (await lobby.health())["durability"] == "snapshots"
                await client.config_set("appendonly", "yes")
                assert (await lobby.health())["durability"] == "durable"
            finally:
                await client.aclose()
    async with running_server("memory://") as url, LobbyClient(url) as lobby:
        assert (await lobby.health())["durability"] == "none"


# ---------------------------------------------------------------------- 6. TLS and a warning


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
async def test_tls_serves_https_and_wss(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    async with running_server("memory://", ssl_certfile=str(cert), ssl_keyfile=str(key)) as url:
        secure = url.replace("http://", "https://")
        trust = ssl.create_default_context(cafile=str(cert))
        async with httpx.AsyncClient(base_url=secure, verify=trust, timeout=10, trust_env=False) as http:
            g = (await http.post("/api/games", json={"scenario": "tutorial"})).json()
            body = {"join_code": g["join_codes"]["us"], "name": "Ana"}
            token = (await http.post(f"/api/games/{g['game_id']}/join", json=body)).json()["token"]
        wss = secure.replace("https", "wss", 1) + f"/ws/games/{g['game_id']}?token={token}"
        async with connect(wss, ssl=trust, proxy=None, open_timeout=10) as ws:
            assert json.loads(await ws.recv())["type"] == "welcome"
        async with httpx.AsyncClient(base_url=url, timeout=5, trust_env=False) as plain:
            with pytest.raises(httpx.HTTPError):
                await plain.get("/api/health")  # no clear-text answer from a TLS port


def test_a_reachable_server_without_tls_warns() -> None:
    assert exposure_warning(ServerSettings(host="0.0.0.0")) is not None
    assert exposure_warning(ServerSettings(host="")) is not None
    assert exposure_warning(ServerSettings(host="0.0.0.0", ssl_certfile="c.pem", ssl_keyfile="k.pem")) is None
    for host in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"):
        assert exposure_warning(ServerSettings(host=host)) is None, host
    with pytest.raises(ValueError):
        ServerSettings(ssl_keyfile="k.pem")


@pytest.mark.subprocess
def test_serve_warns_at_start_when_not_loopback_and_not_tls() -> None:
    """192.0.2.1 is a documentation address no machine holds: the bind fails, so nothing is ever
    exposed, but the warning comes first."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for k in [k for k in env if k.startswith("PRECURSOR_")]:
        del env[k]
    out = subprocess.run(
        [sys.executable, "-m", "precursor.cli", "serve", "--host", "192.0.2.1", "--port", "0",
         "--store", "memory://", "--log-level", "warning"],
        capture_output=True, text=True, timeout=60, env=env, cwd=ROOT,
    )  # fmt: skip
    text = out.stdout + out.stderr
    assert "without TLS" in text and "PRECURSOR_SSL_CERTFILE" in text, text[-2000:]


async def test_the_client_library_stops_at_the_connection_cap_and_rotates_codes() -> None:
    """A GameClient refused for too many connections on its token says so and stops, instead of
    reconnecting for ever; LobbyClient.rotate_code gives the facilitator a new code that joins."""
    async with running_server("memory://", max_connections_per_token=1) as url, LobbyClient(url) as lobby:
        g = await lobby.create_game("tutorial")
        token = (await lobby.join(g.game_id, g.join_codes["mx"], "Ana")).token
        async with GameClient(url, g.game_id, token) as first:
            assert (await first.next_frame())["type"] == "welcome"
            second = GameClient(url, g.game_id, token, backoff=(0.05, 0.1))
            try:
                with pytest.raises(ClientError) as refused:
                    await second.start(timeout=5)
            finally:
                await second.close()
            assert refused.value.code == "too_many_connections"
            assert second.reconnects == 0
        new = await lobby.rotate_code(g.game_id, "mx", g.facilitator_token)
        assert new.team == "mx" and new.join_code != g.join_codes["mx"]
        assert (await lobby.join(g.game_id, new.join_code, "Bea")).team == "mx"
        with pytest.raises(ClientError) as bad:
            await lobby.rotate_code(g.game_id, "mx", "not-the-facilitator")
        assert bad.value.code == "bad_token"


# ---------------------------------------------------------------------- 7. slow readers


async def test_a_socket_that_stops_reading_is_dropped_once_its_queue_passes_the_byte_bound() -> None:
    """A socket that asks for views and never reads them: the server queues what it cannot write, and
    at ``send_queue_bytes`` it drops the socket with 1013 (frames alone let one socket hold ~110 MB).
    Another player of the same game is served all along."""
    bound = 64 * 1024
    async with (
        running_server("memory://", send_queue_bytes=bound, rate_per_second=5000, rate_burst=5000) as url,
        LobbyClient(url) as lobby,
    ):
        g = await lobby.create_game("tutorial")
        slow_token = (await lobby.join(g.game_id, g.join_codes["us"], "Slow")).token
        other_token = (await lobby.join(g.game_id, g.join_codes["mx"], "Ana")).token
        port = int(url.rsplit(":", 1)[1])
        # small kernel buffers, so the server's own queue fills after a few hundred KB, not megabytes
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.setblocking(False)
        await asyncio.get_running_loop().sock_connect(raw, ("127.0.0.1", port))
        ws_url = f"ws://127.0.0.1:{port}/ws/games/{g.game_id}?token={slow_token}"
        async with (
            GameClient(url, g.game_id, other_token) as other,
            connect(ws_url, sock=raw, max_queue=1, proxy=None, open_timeout=10) as slow,
        ):
            assert (await other.next_frame())["type"] == "welcome"
            welcome = await slow.recv()
            asked = 1 + (8 * 1024 * 1024) // len(welcome)  # views worth 8 MB: far past any buffer
            for _ in range(asked):
                await slow.send('{"type":"view"}')
            assert await other.refresh(timeout=10), "the other player waits on the slow one"
            views, closed = await _read_until_closed(slow, timeout=20)
            assert closed is not None, f"not dropped after {views} of {asked} views were read"
            assert closed.code == 1013 and "too slow" in closed.reason, closed
            assert views < asked, "every view arrived: nothing was dropped"
            assert await other.refresh(timeout=10)


async def _read_until_closed(ws: ClientConnection, timeout: float) -> tuple[int, Any]:
    """Views read before the server closes the socket, and its close frame (``None``: still open)."""
    views = 0
    try:
        async with asyncio.timeout(timeout):
            while True:
                await ws.recv()
                views += 1
    except ConnectionClosed as exc:
        return views, exc.rcvd
    except TimeoutError:
        return views, None


# ---------------------------------------------------------------------- 8. half-sent requests


async def test_a_half_sent_request_is_closed_after_the_request_timeout() -> None:
    """Half a request, then silence: the server closes the socket after ``request_timeout`` (it held
    it for ever, and enough of them use up the process's file descriptors). Whole requests on a
    kept-alive connection are still answered, and a websocket outlives the deadline."""
    async with running_server("memory://", request_timeout=1.0) as url:
        port = int(url.rsplit(":", 1)[1])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
            await writer.drain()
            loop = asyncio.get_running_loop()
            start = loop.time()
            async with asyncio.timeout(6):
                rest = await reader.read()  # b"" once the server closes
            assert rest == b"" or b"408" in rest, rest[:200]
            assert loop.time() - start >= 0.8, "closed before the timeout"
        finally:
            writer.close()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for _ in range(2):
                writer.write(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
                await writer.drain()
                async with asyncio.timeout(6):
                    head = await reader.readuntil(b"\r\n\r\n")
                    assert head.startswith(b"HTTP/1.1 200"), head
                    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                    assert b'"status"' in await reader.readexactly(length)
                await asyncio.sleep(0.6)  # well-behaved clients may pause between requests
        finally:
            writer.close()
        async with LobbyClient(url) as lobby:
            g = await lobby.create_game("tutorial")
        ws_url = url.replace("http", "ws", 1) + f"/ws/games/{g.game_id}?token={g.facilitator_token}"
        async with connect(ws_url, proxy=None, open_timeout=10) as ws:
            assert json.loads(await ws.recv())["type"] == "welcome"
            await asyncio.sleep(1.5)  # past the deadline: it was the HTTP head's, not the websocket's
            await ws.send('{"type":"ping"}')
            async with asyncio.timeout(5):
                while json.loads(await ws.recv())["type"] != "pong":
                    pass


# ---------------------------------------------------------------------- 9. floods of an observer code

# The attacker, as a separate process (so the load it makes is the server's to bear, not the test's):
# one socket per observer token, each asking for views at a rate its frame budget allows and reading
# every answer. It floods while its stdin says "on", idles on "off", and leaves on "exit".
FLOODER = """
import asyncio, sys
from websockets.asyncio.client import connect

async def one(url, on, quit):
    async with connect(url, proxy=None, compression=None, max_size=None) as ws:
        async def drain():
            async for _ in ws:
                pass
        reader = asyncio.create_task(drain())
        while not quit.is_set():
            await on.wait()
            await ws.send('{"type":"view"}')
            await asyncio.sleep(1 / 19)
        reader.cancel()

async def main(urls):
    on, quit = asyncio.Event(), asyncio.Event()
    socks = [asyncio.create_task(one(u, on, quit)) for u in urls]
    loop = asyncio.get_running_loop()
    while True:
        line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
        if line == "on":
            on.set()
        elif line == "off":
            on.clear()
        else:
            quit.set()
            on.set()
            await asyncio.gather(*socks, return_exceptions=True)
            return

asyncio.run(main(sys.argv[1:]))
"""


async def _round_trips(url: str, game_id: str, tokens: list[str], seconds: float) -> list[float]:
    """Ping round trips of several players of one game, each at 15 a second (under their frame rate)."""
    out: list[float] = []

    async def one(token: str) -> None:
        async with raw_socket(url, game_id, token) as ws:
            await ws.recv()
            loop = asyncio.get_running_loop()
            end = loop.time() + seconds
            while loop.time() < end:
                start = loop.time()
                await ws.send('{"type":"ping"}')
                while json.loads(await ws.recv())["type"] != "pong":
                    pass
                out.append(loop.time() - start)
                await asyncio.sleep(max(0.0, 1 / 15 - (loop.time() - start)))

    await asyncio.gather(*(one(t) for t in tokens))
    return out


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[int(0.99 * (len(ordered) - 1))]


@pytest.mark.subprocess
@pytest.mark.alone
async def test_an_observer_join_flood_then_view_flood_spares_other_games() -> None:
    """One observer code: joined as often as the server lets it (the observer cap and the join rate
    hold), then every seated observer asks for views as fast as its frame budget allows and reads them
    all. Players of another game on the same server keep their round trips: p99 within 2x the idle
    server's (measured in alternating windows, so the machine's own noise falls on both alike; never
    judged closer than 20 ms: on a busy machine scheduling noise alone doubles a loopback p99 of a few
    milliseconds). A view is twenty
    kilobytes: before a view was encoded once per audience and seq (and views had a budget of their
    own per token), each was encoded anew and the p99 went from milliseconds to over a second."""
    proc = ServerProcess("memory://")
    proc.start()
    flooder: subprocess.Popen[str] | None = None
    try:
        async with LobbyClient(proc.url) as lobby:
            target = await lobby.create_game("loose-talk")
            other = await lobby.create_game("loose-talk")
            players = [
                (await lobby.join(other.game_id, other.join_codes[t], f"P-{t}")).token
                for t in ("us", "mx", "cn", "ca")
            ]
            observers, refused = [], []
            for i in range(120):  # the join flood
                try:
                    observers.append(
                        (await lobby.join(target.game_id, target.join_codes["observer"], f"O{i}")).token
                    )
                except ClientError as exc:
                    refused.append(exc.code)
        assert len(observers) == ServerSettings().max_observers, len(observers)
        assert set(refused) <= {"too_many_players", "rate_limited"} and len(refused) == 120 - len(observers)
        ws = proc.url.replace("http", "ws", 1)
        urls = [f"{ws}/ws/games/{target.game_id}?token={t}" for t in observers]
        flooder = subprocess.Popen(
            [sys.executable, "-c", FLOODER, *urls], stdin=subprocess.PIPE, text=True, cwd=ROOT
        )
        assert flooder.stdin is not None
        await asyncio.sleep(1.0)  # every observer connected and welcomed
        idle: list[float] = []
        flooded: list[float] = []
        for _ in range(4):
            idle += await _round_trips(proc.url, other.game_id, players, 1.5)
            flooder.stdin.write("on\n")
            flooder.stdin.flush()
            await asyncio.sleep(0.3)
            flooded += await _round_trips(proc.url, other.game_id, players, 1.5)
            flooder.stdin.write("off\n")
            flooder.stdin.flush()
            await asyncio.sleep(0.3)
        assert flooder.poll() is None, "the flooder died: the check would prove nothing"
        assert len(flooded) > 0.8 * len(idle), (len(flooded), len(idle))
        bound = max(2 * p99(idle), p99(idle) + 0.020)
        assert p99(flooded) <= bound, (
            f"p99 {p99(flooded) * 1000:.1f} ms flooded, {p99(idle) * 1000:.1f} ms idle"
        )
    finally:
        if flooder is not None:
            with contextlib.suppress(Exception):
                assert flooder.stdin is not None
                flooder.stdin.write("exit\n")
                flooder.stdin.close()
            try:
                flooder.wait(10)
            except subprocess.TimeoutExpired:
                flooder.kill()
                flooder.wait()
        proc.stop()


def test_the_abuse_inventory_names_tests_that_exist() -> None:
    """docs/protocol.md lists each abuse probe with its test: every name there is a test here."""
    import re

    doc = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    table = doc.split("### Abuse probes", 1)[1].split("\n### ", 1)[0]
    named = re.findall(r"`(test_\w+\.py)(?:::(test_\w+))?`", table)
    assert len(named) >= 12, named
    for module, name in named:
        source = (ROOT / "tests" / "server" / module).read_text(encoding="utf-8")
        assert not name or re.search(rf"^(async )?def {name}\(", source, re.M), f"{module}::{name}"
