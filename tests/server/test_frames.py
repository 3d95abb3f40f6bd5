"""Frames on the wire: protocol version 1 unchanged, version 2 batching a command's events, each frame
made once (one encode per distinct form of an event, the store's bytes reused)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from live_server import running_server
from websockets.asyncio.client import ClientConnection, connect

from precursor.client import LobbyClient
from precursor.game.rulebook import Rulebook
from precursor.game.views import FACILITATOR, PUBLIC, redact
from server.stores import open_store

AUDIENCES = ["us", "mx", "cn", "ca", PUBLIC, FACILITATOR]


def _old_frame(ev: dict[str, Any], r: dict[str, Any]) -> str:
    """The version-1 event frame as the server has always written it (spelt out here, not imported,
    so a change to the server's own helper cannot move the yardstick with it)."""
    body = json.dumps(r, separators=(",", ":"))
    return f'{{"type":"event","seq":{ev["seq"]},"event":{body}}}'


async def _raw(url: str, game_id: str, token: str, query: str = "") -> ClientConnection:
    ws_url = url.replace("http://", "ws://") + f"/ws/games/{game_id}?token={token}{query}"
    return await connect(ws_url, proxy=None, compression=None, max_size=None, open_timeout=10)


async def _texts(ws: ClientConnection, quiet: float = 0.5) -> list[str]:
    """Every text frame until the socket has been quiet for ``quiet`` seconds."""
    out = []
    while True:
        try:
            raw = await asyncio.wait_for(ws.recv(), quiet)
        except TimeoutError:
            return out
        out.append(raw if isinstance(raw, str) else raw.decode())


async def _command(ws: ClientConnection, cid: str, command: dict[str, Any], seen: list[str]) -> int:
    """Send a command and wait for its ack; the frames read meanwhile go to ``seen``."""
    await ws.send(json.dumps({"type": "command", "id": cid, "command": command}))
    while True:
        raw = await asyncio.wait_for(ws.recv(), 10)
        seen.append(raw if isinstance(raw, str) else raw.decode())
        frame = json.loads(seen[-1])
        if frame.get("id") == cid:
            assert frame["type"] == "ack", frame
            return int(frame["seq"])


async def test_a_v1_socket_gets_the_old_frames_and_a_v2_socket_the_same_events_one_frame_per_command(
    tmp_path: Path, rb: Rulebook
) -> None:
    """Two players of one team, one on a raw websocket that says nothing of its version, one asking for
    version 2, watch the facilitator play a turn (adjudication makes dozens of events, fogged values
    redacted). The first gets exactly the frames version 1 has always sent, one per event; the second
    the same events, in order, each command's in one ``events`` frame."""
    db = tmp_path / "g.db"
    async with running_server(f"sqlite:///{db}") as url:
        async with LobbyClient(url) as lobby:
            g = await lobby.create_game("tariffs-and-terror", seed=3)
            old = (await lobby.join(g.game_id, g.join_codes["us"], "Old")).token
            new = (await lobby.join(g.game_id, g.join_codes["us"], "New")).token
        fac = await _raw(url, g.game_id, g.facilitator_token, "&protocol=2")
        v1 = await _raw(url, g.game_id, old)
        v2 = await _raw(url, g.game_id, new, "&protocol=2")
        try:
            welcome1 = json.loads(await v1.recv())
            welcome2 = json.loads(await v2.recv())
            assert (welcome1["protocol"], welcome2["protocol"]) == (1, 2)
            start = welcome1["seq"]
            await _texts(fac, 0.2)
            acks, got1, ignored = [start], [], []
            for i, phase in enumerate(("briefing", "negotiation", "orders", "results")):
                advance = {"type": "advance", "turn": 1, "phase": phase}
                acks.append(await _command(fac, f"a{i}", advance, ignored))
            hola = {"type": "message", "channel": "all", "text": "hola"}
            acks.append(await _command(v1, "m", hola, got1))
            got1 += await _texts(v1)
            got2 = await _texts(v2)
        finally:
            for ws in (fac, v1, v2):
                await ws.close()
    store = open_store(f"sqlite:///{db}")
    await store.open()
    try:
        log = await store.read(g.game_id, start)
    finally:
        await store.close()
    assert log[-1]["seq"] == acks[-1]
    events1 = [t for t in got1 if json.loads(t)["type"] == "event"]
    want = [_old_frame(ev, r) for ev in log if (r := redact(rb, ev, "us")) is not None]
    fogged = [ev for ev in log if redact(rb, ev, "us") not in (None, ev)]
    assert len(want) > 15 and fogged
    assert events1 == want  # byte for byte what version 1 always sent
    assert all(json.loads(t)["type"] in ("event", "ack") for t in got1)
    batches = [json.loads(t) for t in got2 if json.loads(t)["type"] in ("events", "event")]
    assert [b["type"] for b in batches] == ["events"] * (len(acks) - 1)  # one frame per command
    for b, lo, hi in zip(batches, acks, acks[1:], strict=False):
        mine = [json.loads(f) for f in want if lo < json.loads(f)["seq"] <= hi]
        assert b["events"] == mine


async def test_a_v2_batch_carries_exactly_each_audiences_redaction(rb: Rulebook) -> None:
    """Six audiences on both versions, a played game fanned out in command-sized batches: each
    version-2 connection's one frame per batch is its own audience's version-1 frames, joined, and
    nothing more; the version-1 connections are unchanged."""
    from precursor.analysis.runner import play
    from precursor.game.bots import BotDriver
    from server.room import Connection, GameRoom

    personas = dict(rb.scenarios["loose-talk"].model.personas)
    game, _ = play(rb, "loose-talk", 3, None, bots=BotDriver(rb, personas, 3))
    room = GameRoom(None, "g", game, {})  # type: ignore[arg-type]
    conns = []
    for version in (1, 2):
        for aud in AUDIENCES:
            c = Connection(aud, "player", None, None, None, aud, 1 << 30, print, print, version=version)
            conns.append(c)
            room.conns.add(c)
    copies = 0
    for lo in range(0, len(game.log), 40):
        batch = game.log[lo : lo + 40]
        room._fanout(batch)
        for c in conns:
            got = [c.queue.get_nowait() for _ in range(c.queue.qsize())]
            shown = [(ev, r) for ev in batch if (r := redact(rb, ev, c.audience)) is not None]
            copies += sum(1 for ev, r in shown if r is not ev)
            v1 = [_old_frame(ev, r) for ev, r in shown]
            if c.version == 1:
                assert got == v1, c.audience
            else:
                assert got == (['{"type":"events","events":[' + ",".join(v1) + "]}"] if v1 else [])
    assert copies > 100


async def test_each_distinct_form_of_an_event_is_encoded_once(rb: Rulebook, monkeypatch: Any) -> None:
    """A turn adjudicated with all six audiences connected: the server encodes each event once for the
    store and the audiences that see it whole, and each distinct redacted copy once, not once per
    audience, nor the whole event a second time for the fan-out."""
    from precursor.game.commands import Actor, Advance
    from precursor.game.engine import Game
    from server.room import Connection, GameRoom

    class Host:
        def __init__(self) -> None:
            self.store = open_store("memory://")

        def clock(self) -> float:
            return 1.0e9

    host = Host()
    await host.store.open()
    game = Game.new(rb, "tariffs-and-terror", 5)
    await host.store.create_game("g", {})
    await host.store.append("g", 0, game.log)
    room = GameRoom(host, "g", game, {})
    for aud in AUDIENCES:
        room.conns.add(
            Connection(aud, "player", None, None, None, aud, 1 << 30, lambda _f: None, lambda _c, _r: None)
        )
    fac = Actor(role="facilitator", name="f")
    for phase in ("briefing", "negotiation"):
        await room.execute(fac, Advance(turn=1, phase=phase))
    calls = 0
    real = json.JSONEncoder.encode

    def counting(*a: Any, **k: Any) -> str:
        nonlocal calls
        calls += 1
        return real(*a, **k)

    start = room.game.state.seq
    # every encoding, json.dumps's and the store's own encoder's alike (which drives the C encoder
    # itself, not through JSONEncoder.encode)
    from server.stores import codec

    real_store = codec.encode

    def counting_store(value: dict[str, Any], what: str) -> str:
        nonlocal calls
        calls += 1
        return real_store(value, what)

    monkeypatch.setattr(json.JSONEncoder, "encode", counting)
    monkeypatch.setattr(codec, "encode", counting_store)
    for phase in ("orders", "results"):  # adjudication, the next turn's briefing: fogged values
        await room.execute(fac, Advance(turn=1, phase=phase))
    monkeypatch.undo()
    events = await host.store.read("g", start)  # the room keeps only the newest events in memory
    distinct = 0
    for ev in events:
        forms: list[dict[str, Any]] = []
        for aud in AUDIENCES:
            r = redact(rb, ev, aud)
            if r is not None and r is not ev and r not in forms:
                forms.append(r)
        distinct += 1 + len(forms)
    redacted = [r for ev in events for a in AUDIENCES if (r := redact(rb, ev, a)) is not None and r is not ev]
    assert len(events) > 10 and len(redacted) > distinct - len(events)  # copies repeat across audiences
    assert calls == distinct
    await room.stop()
    await host.store.close()


async def test_a_loaded_game_nobody_watches_costs_little_more_than_the_game(rb: Rulebook) -> None:
    """Games played a little (4 players joined, chatting, asking for views; 2 turns adjudicated), then
    left by everyone, stay loaded for their clocks and bots: the server's memory per game (tracemalloc,
    the game included) stays within 0.2 MB, not several audiences' encoded views and view caches on top
    (0.65 MB before)."""
    import gc
    import tempfile
    import tracemalloc

    from precursor.game.commands import Actor, Advance, SendMessage
    from precursor.protocol import CreateGame, JoinGame
    from server.hub import Hub
    from server.room import Connection

    scenarios = sorted(rb.scenarios)
    with tempfile.TemporaryDirectory() as tmp:
        hub = Hub(rb, open_store(f"sqlite:///{tmp}/g.db"))
        await hub.store.open()

        async def play_a_little(i: int) -> None:
            g = await hub.create(CreateGame(scenario=scenarios[i % len(scenarios)], seed=i))
            room = hub.rooms[g.game_id]
            conns = [Connection(FACILITATOR, "facilitator", None, None, None, "f", 1 << 30, print, print)]
            for team in ("us", "mx", "cn", "ca"):
                j = await hub.join(g.game_id, JoinGame(join_code=g.join_codes[team], name=f"{team}{i}"))
                conns.append(
                    Connection(team, "player", team, j.seat, j.player_id, team, 1 << 30, print, print)
                )
            for c in conns:
                await room.attach(c, None)
            for c in conns[1:]:
                actor = Actor(role="player", team=c.team, seat=c.seat, name=c.name)  # type: ignore[arg-type]
                await room.execute(actor, SendMessage(channel="all", text=f"{c.team} is at the table"))
            fac = Actor(role="facilitator", name="f")
            for turn, phases in ((1, ("briefing", "negotiation", "orders", "results")), (2, ("briefing",))):
                for phase in phases:
                    await room.execute(fac, Advance(turn=turn, phase=phase))
                    for c in conns:
                        await room.snapshot(c, None)
            for c in conns:
                room.detach(c)

        try:
            await play_a_little(99)  # the rulebook's own caches, built once per process, not counted
            n = 6
            gc.collect()
            tracemalloc.start()
            try:
                before = tracemalloc.get_traced_memory()[0]
                for i in range(n):
                    await play_a_little(i)
                gc.collect()
                per_game = (tracemalloc.get_traced_memory()[0] - before) / n
            finally:
                tracemalloc.stop()
        finally:
            await hub.close()
    assert per_game <= 0.2e6, f"{per_game / 1e6:.3f} MB per loaded game"


async def test_the_client_library_asks_for_v2_and_hands_out_the_events_one_by_one() -> None:
    """``GameClient`` (the TUI's and the live bots' connection) speaks version 2 and unpacks each batch:
    what ``frames()`` yields is the very event frames a version-1 socket of the same team receives."""
    from precursor.client import GameClient

    async with running_server("memory://") as url:
        async with LobbyClient(url) as lobby:
            g = await lobby.create_game("tariffs-and-terror", seed=4)
            old = (await lobby.join(g.game_id, g.join_codes["mx"], "Old")).token
            new = (await lobby.join(g.game_id, g.join_codes["mx"], "New")).token
        fac = await _raw(url, g.game_id, g.facilitator_token)
        v1 = await _raw(url, g.game_id, old)
        try:
            async with GameClient(url, g.game_id, new) as client:
                assert client.welcome["protocol"] == 2
                await v1.recv()
                ignored: list[str] = []
                for i, phase in enumerate(("briefing", "negotiation", "orders", "results")):
                    advance = {"type": "advance", "turn": 1, "phase": phase}
                    await _command(fac, f"a{i}", advance, ignored)
                await client.send({"type": "message", "channel": "all", "text": "hola"})
                want = [json.loads(t) for t in await _texts(v1) if json.loads(t)["type"] == "event"]
                got = []
                while len(got) < len(want):
                    frame = await client.next_frame(5)
                    if frame["type"] == "event":
                        got.append(frame)
                assert len(want) > 15 and got == want
                assert client.phase == "briefing" and client.turn == 2 and client.seq == want[-1]["seq"]
        finally:
            await fac.close()
            await v1.close()


def test_the_server_starts_without_importing_the_bots() -> None:
    """The bots are a sixth of what the server imports, and most servers start with none seated: they
    are imported when a game first needs one, not on the way to the first health check."""
    import subprocess
    import sys

    probe = "import sys, server.app, server.run; print([m for m in sys.modules if 'game.bots' in m])"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stdout + out.stderr


def test_the_server_starts_without_importing_the_engine_or_the_rulebook() -> None:
    """Importing the engine, the views and the rulebook (and loading it) were most of the time from
    start to the first health check, which needs only the store: they come after, in a worker thread."""
    import subprocess
    import sys

    probe = (
        "import sys, precursor.cli, server.app, server.run; "
        "print(sorted(m for m in sys.modules if m.startswith(('precursor.game.', 'server.room')) "
        "and m not in ('precursor.game.commands', 'precursor.game.events')))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stdout + out.stderr


async def test_health_answers_while_the_rulebook_loads_and_games_wait_for_it(rb: Rulebook) -> None:
    """A rulebook still loading (held here until released) does not hold up /api/health; a request
    that needs it waits for that one load, not a second one of its own."""
    import threading

    import httpx
    import uvicorn

    from server.app import create_app
    from server.run import loopback_socket, uvicorn_config
    from server.settings import ServerSettings

    release, loads = threading.Event(), []

    def load() -> Rulebook:
        loads.append(1)
        assert release.wait(20)
        return rb

    sock = loopback_socket()
    cfg = ServerSettings(port=sock.getsockname()[1], store="memory://", log_level="warning")
    server = uvicorn.Server(uvicorn_config(cfg, create_app(cfg, load)))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            assert not task.done()
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{cfg.port}", trust_env=False) as http:
            health = await http.get("/api/health", timeout=5)
            assert health.status_code == 200 and health.json()["status"] == "ok"
            assert loads == [1]  # the load has begun, in the background, and is still held
            creating = asyncio.create_task(http.post("/api/games", json={"scenario": "tutorial"}, timeout=20))
            await asyncio.sleep(0.2)
            assert not creating.done()
            release.set()
            made = await creating
            assert made.status_code == 201, made.text
            assert loads == [1]
    finally:
        release.set()
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        sock.close()
