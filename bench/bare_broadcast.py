"""The baseline for the server benchmarks: a bare FastAPI/uvicorn broadcast server.

It speaks just enough of the Precursor wire format (``command`` frames in; ``event`` and ``ack`` frames
out, same field names) that ``bench_server.py`` drives it with exactly the same client code, and it runs
under exactly the same uvicorn settings as ``precursor serve`` (``ws="auto"``, no per-message deflate,
no access log, uvloop when installed). What it leaves out is everything that makes a game server: no
engine, no event store, no views or redaction, no per-connection send queue. So the gap between the two
servers in one run is what the game costs on top of the transport, on the same machine at the same
moment (the box is shared and noisy: compare ratios, not absolutes).

A room is the set of sockets on ``/ws/{room}``:

* ``message`` commands are broadcast to every socket in the room as a ``message`` event (the sender
  included, as the game server does), then acknowledged;
* ``ready`` commands are acknowledged; once every socket in the room is ready, a ``phase`` event
  (``"phase": "results"``) goes to all of them: the transport-only cost of the turn round trip;
* ``--redis URL``: messages go through one Redis Stream per room (``XADD``; each instance tails the
  rooms its sockets are in with a blocking ``XREAD``), so two instances on one Redis give the baseline of
  the cross-instance benchmark. The sender's own instance delivers locally right after ``XADD``, like the
  game server does after its append.

Run: ``python bench/bare_broadcast.py --port 8800 [--redis unix:///tmp/redis.sock?db=0]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from harness.processes import raise_nofile

_SEP = (",", ":")


class Room:
    """The sockets of one room on this instance, its ready set, its event counter and its Redis tail."""

    def __init__(self) -> None:
        self.sockets: set[WebSocket] = set()
        self.ready: set[WebSocket] = set()
        self.seq = 0
        self.turn = 0
        self.tail: asyncio.Task[None] | None = None


async def _send_all(sockets: set[WebSocket], text: str) -> None:
    for ws in list(sockets):
        with contextlib.suppress(Exception):  # a socket that just went away must not stop the others
            await ws.send_text(text)


async def _tail(client: Any, name: str, room: Room, instance: bytes) -> None:
    """Deliver what the other instances appended to this room's stream (one connection per room,
    as the game server tails each game on its own connection)."""
    key = f"bare:{name}"
    last = "$"
    try:
        while True:
            reply = await client.xread({key: last}, count=500, block=1000)
            for _stream, entries in reply or []:
                for entry_id, fields in entries:
                    last = entry_id
                    if fields.get(b"i") != instance:
                        await _send_all(room.sockets, fields[b"f"].decode())
    finally:
        await client.aclose()


def create_app(redis_url: str | None) -> FastAPI:
    rooms: dict[str, Room] = {}
    instance = f"{os.getpid()}".encode()
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if redis_url:
            import redis.asyncio as aioredis

            state["redis"] = aioredis.Redis.from_url(redis_url)
            state["from_url"] = aioredis.Redis.from_url
        try:
            yield
        finally:
            for room in rooms.values():
                if room.tail is not None:
                    room.tail.cancel()
            if "redis" in state:
                await state["redis"].aclose()

    app = FastAPI(lifespan=lifespan)

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "rooms": len(rooms)}

    @app.websocket("/ws/{name}")
    async def room_socket(websocket: WebSocket, name: str) -> None:
        await websocket.accept()
        room = rooms.get(name)
        if room is None:
            room = rooms[name] = Room()
            if redis_url:
                room.tail = asyncio.create_task(_tail(state["from_url"](redis_url), name, room, instance))
        room.sockets.add(websocket)
        await websocket.send_text(
            json.dumps({"type": "welcome", "room": name, "seq": room.seq}, separators=_SEP)
        )
        try:
            while True:
                frame = json.loads(await websocket.receive_text())
                cid = frame.get("id")
                cmd = frame.get("command") or {}
                kind = cmd.get("type")
                if kind == "message":
                    room.seq += 1
                    event = {"type": "message", "channel": cmd.get("channel"), "text": cmd.get("text")}
                    text = json.dumps({"type": "event", "seq": room.seq, "event": event}, separators=_SEP)
                    if redis_url:
                        await state["redis"].xadd(f"bare:{name}", {"i": instance, "f": text})
                    await _send_all(room.sockets, text)
                elif kind == "ready":
                    room.ready.add(websocket)
                    if room.ready >= room.sockets:
                        room.ready.clear()
                        room.seq += 1
                        room.turn += 1
                        event = {"type": "phase", "turn": room.turn, "phase": "results"}
                        text = json.dumps({"type": "event", "seq": room.seq, "event": event}, separators=_SEP)
                        await _send_all(room.sockets, text)
                await websocket.send_text(
                    json.dumps({"type": "ack", "id": cid, "seq": room.seq}, separators=_SEP)
                )
        except WebSocketDisconnect:
            pass
        finally:
            room.sockets.discard(websocket)
            room.ready.discard(websocket)

    return app


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=8800)
    ap.add_argument(
        "--redis", default=None, help="relay messages through Redis Streams (two-instance baseline)"
    )
    args = ap.parse_args()
    raise_nofile()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP_NODELAY, as ours
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    config = uvicorn.Config(
        create_app(args.redis),
        ws="auto",  # the same settings as server/run.py: websockets-sansio ...
        ws_per_message_deflate=False,  # ... no deflate on small JSON frames ...
        access_log=False,  # ... no access log
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=3,
    )
    server = uvicorn.Server(config)
    print(f"bare: serving on http://127.0.0.1:{args.port}", flush=True)
    server.run(sockets=[sock])
    sys.stdout.flush()


if __name__ == "__main__":
    main()
