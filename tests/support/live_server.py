"""A real uvicorn server for tests: in this event loop (fast), or as a child process (crash tests)."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import uvicorn

from precursor.client import GameClient
from server.app import create_app
from server.run import loopback_socket, uvicorn_config
from server.settings import ServerSettings

ROOT = Path(__file__).resolve().parents[2]
# the child-process helpers live in the benchmarks' harness (standard library only), which starts and
# stops the same servers; appended (after the package under test), as fingerprint.py does
sys.path.append(str(ROOT / "bench"))

from harness.processes import ServerProcess, free_port  # noqa: E402

__all__ = ["ROOT", "ServerProcess", "drain", "frames_until", "free_port", "is_event", "running_server"]


@contextlib.asynccontextmanager
async def running_server(
    store: str = "memory://", *, host: str = "127.0.0.1", log_level: str = "warning", **settings: Any
) -> AsyncIterator[str]:
    """Serve on a free loopback port inside the test's loop; yields the base URL. ``host`` is only what
    the server is told (a server configured for every interface behaves as exposed, asking for an
    organiser key); the socket is always bound to loopback, so no test opens a port beyond this machine."""
    sock = loopback_socket()  # with TCP_NODELAY on its connections (requests took ~44 ms without)
    port = sock.getsockname()[1]
    cfg = ServerSettings(host=host, port=port, store=store, log_level=log_level, **settings)
    server = uvicorn.Server(uvicorn_config(cfg, create_app(cfg)))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(500):
            if server.started or task.done():
                break
            await asyncio.sleep(0.01)
        if task.done():
            task.result()
        assert server.started, "the server did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 10)
        sock.close()


# ---------------------------------------------------------------------- reading frames in tests


async def frames_until(
    client: GameClient, pred: Callable[[dict[str, Any]], bool], timeout: float = 10.0
) -> list[dict[str, Any]]:
    """Frames up to and including the first one ``pred`` accepts."""
    seen: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        frame = await client.next_frame(max(0.01, end - loop.time()))
        seen.append(frame)
        if pred(frame):
            return seen


def is_event(kind: str, **fields: Any) -> Callable[[dict[str, Any]], bool]:
    """A predicate for event frames of one type whose event has the given fields."""

    def pred(f: dict[str, Any]) -> bool:
        ev = f.get("event") or {}
        return (
            f.get("type") == "event"
            and ev.get("type") == kind
            and all(ev.get(k) == v for k, v in fields.items())
        )

    return pred


async def drain(client: GameClient, quiet: float = 0.3) -> list[dict[str, Any]]:
    """Every frame until the connection has been quiet for ``quiet`` seconds."""
    out = []
    while True:
        try:
            out.append(await client.next_frame(quiet))
        except TimeoutError:
            return out
