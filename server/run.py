"""``precursor serve``: uvicorn with the settings this server needs (see STACK.md pitfalls 5, 6, 12)."""

from __future__ import annotations

import logging
import socket
import sys
from typing import Any

import uvicorn

from .app import create_app
from .settings import ServerSettings


def uvicorn_config(settings: ServerSettings, app: Any, sock: socket.socket | None = None) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        ws="auto",  # websockets-sansio; the legacy backend is deprecated
        ws_per_message_deflate=False,  # small JSON frames: deflate doubled CPU per delivery
        ws_max_size=4 * settings.max_frame_bytes,  # above our own limit, so oversize frames get a typed error
        access_log=False,  # access lines would carry tokens in websocket query strings
        log_level=settings.log_level,
        lifespan="on",
        timeout_graceful_shutdown=3,
    )


def serve(overrides: dict[str, Any]) -> int:
    settings = ServerSettings(**overrides)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = create_app(settings)
    config = uvicorn_config(settings, app)
    server = uvicorn.Server(config)
    # a line tools can wait for (tests, the solo launcher): the bound address, once listening
    orig_startup = server.startup

    async def startup(sockets: list[socket.socket] | None = None) -> None:
        await orig_startup(sockets)
        for s in server.servers:
            for sock in s.sockets:
                host, port = sock.getsockname()[:2]
                scheme = settings.store.split(":", 1)[0]
                print(f"precursor: serving on http://{host}:{port} (store: {scheme})", flush=True)
        sys.stdout.flush()

    server.startup = startup  # type: ignore[method-assign]
    server.run()
    return 0
