"""A server inside another program (``precursor solo``): uvicorn on a free loopback port, in a thread.

The thread has its own event loop, so the Textual client in the main thread never shares a loop with
the server it talks to; the client still speaks to it over the real websocket, like any other client.
"""

from __future__ import annotations

import threading
import time

import uvicorn

from precursor.game.rulebook import Rulebook

from .app import create_app
from .run import loopback_socket, uvicorn_config
from .settings import ServerSettings


class EmbeddedServer:
    def __init__(self, store: str | None = None, rulebook: Rulebook | None = None) -> None:
        self.sock = loopback_socket()
        self.port: int = self.sock.getsockname()[1]
        settings = ServerSettings(host="127.0.0.1", port=self.port, log_level="warning")
        if store:
            settings = settings.model_copy(update={"store": store})
        self.settings = settings
        self.server = uvicorn.Server(uvicorn_config(settings, create_app(settings, rulebook)))
        # uvicorn leaves signal handling alone outside the main thread: Ctrl+C stays the client's
        self.thread = threading.Thread(target=self._run, name="precursor-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        self.server.run(sockets=[self.sock])

    def start(self, timeout: float = 15.0) -> str:
        self.thread.start()
        end = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > end:
                raise RuntimeError("the embedded server did not start")
            time.sleep(0.01)
        return self.url

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()
