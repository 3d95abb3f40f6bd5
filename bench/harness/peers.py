"""The load generator's websocket client, and gathering many of them without flooding the backlog."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed


class Peer:
    """One websocket client: a reader task that timestamps each frame as it arrives and routes it (chat
    messages to a callback, phase events to per-(turn, phase) futures, acks/errors/views to the command
    that asked), and counts every error frame so refused commands cannot go unnoticed."""

    def __init__(self, ws: ClientConnection, group: int, role: str, welcome: dict[str, Any]) -> None:
        self.ws, self.group, self.role, self.welcome = ws, group, role, welcome
        self.pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.phases: dict[tuple[Any, Any], asyncio.Future[int]] = {}
        self.on_message: Callable[[Peer, dict[str, Any], int], None] | None = None
        self.errors: Counter[str] = Counter()
        self.acks = 0
        self.closed_code: int | None = None
        self._ids = itertools.count(1)
        self.task = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, url: str, group: int, role: str) -> Peer:
        ws = await connect(
            url,
            proxy=None,
            compression=None,
            max_size=2**24,
            open_timeout=60,
            ping_interval=None,
            close_timeout=2,
        )
        welcome = json.loads(await asyncio.wait_for(ws.recv(), 60))
        if welcome.get("type") != "welcome":
            await ws.close()
            raise RuntimeError(f"expected a welcome, got {str(welcome)[:200]}")
        return cls(ws, group, role, welcome)

    def phase_future(self, turn: Any, phase: Any) -> asyncio.Future[int]:
        fut = self.phases.get((turn, phase))
        if fut is None:
            fut = self.phases[(turn, phase)] = asyncio.get_running_loop().create_future()
        return fut

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                now = time.monotonic_ns()
                frame = json.loads(raw)
                if frame.get("type") == "events":  # protocol 2: one command's events in one frame
                    for one in frame["events"]:
                        self._route(one, now)
                else:
                    self._route(frame, now)
        except ConnectionClosed as exc:
            self.closed_code = exc.rcvd.code if exc.rcvd is not None else None

    def _route(self, frame: dict[str, Any], now: int) -> None:
        t = frame.get("type")
        if t == "event":
            ev = frame["event"]
            et = ev.get("type")
            if et == "message":
                if self.on_message is not None:
                    self.on_message(self, ev, now)
            elif et == "phase":
                fut = self.phase_future(ev.get("turn"), ev.get("phase"))
                if not fut.done():
                    fut.set_result(now)
        elif t in ("ack", "error", "view"):
            if t == "ack":
                self.acks += 1
            elif t == "error":
                self.errors[str(frame.get("code"))] += 1
            fid = frame.get("id")
            waiter = self.pending.pop(fid, None) if isinstance(fid, str) else None
            if waiter is not None and not waiter.done():
                waiter.set_result(frame)

    async def post(self, command: dict[str, Any]) -> asyncio.Future[dict[str, Any]]:
        """Send a command; the returned future gets its ack (or error) frame."""
        cid = f"c{next(self._ids)}"
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[cid] = fut
        await self.ws.send(json.dumps({"type": "command", "id": cid, "command": command}))
        return fut

    async def command(self, command: dict[str, Any], timeout: float = 30.0) -> dict[str, Any]:
        frame = await asyncio.wait_for(await self.post(command), timeout)
        if frame["type"] == "error":
            raise RuntimeError(f"{command.get('type')} refused: {frame.get('code')}: {frame.get('message')}")
        return frame

    async def view(self, timeout: float = 30.0) -> dict[str, Any]:
        cid = f"v{next(self._ids)}"
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[cid] = fut
        await self.ws.send(json.dumps({"type": "view", "id": cid}))
        return await asyncio.wait_for(fut, timeout)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(), 5)
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.task


async def gather_limited(coros: Iterable[Awaitable[Any]], limit: int) -> list[Any]:
    """``gather`` with at most ``limit`` in flight (1,000 handshakes at once only measure the backlog)."""
    sem = asyncio.Semaphore(limit)

    async def one(c: Awaitable[Any]) -> Any:
        async with sem:
            return await c

    return await asyncio.gather(*(one(c) for c in coros))


async def close_all(peers: list[Peer]) -> None:
    await gather_limited((p.close() for p in peers), 100)


def ws_url(base: str, path: str) -> str:
    return "ws" + base.removeprefix("http") + path
