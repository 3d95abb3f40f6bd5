"""``precursor serve``: uvicorn with the settings this server needs (no per-message deflate, the
sans-I/O websocket backend, clients that resume after a restart closes them with 1012: see
docs/protocol.md, "Server settings and why")."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import uvicorn
from uvicorn.protocols.http.auto import AutoHTTPProtocol

from .app import create_app
from .logs import redact_tokens_in_logs
from .settings import ServerSettings, exposure_warning
from .stores import StoreError, open_store

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

#: The CLI's exit code for a store that cannot be used (precursor/cli.py, EXIT_UNREACHABLE).
EXIT_STORE = 3


def loopback_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A TCP socket bound to ``host:port`` (0: a free port), for uvicorn's ``sockets=``.

    Made with IPPROTO_TCP, not ``socket.socket()``'s protocol 0: asyncio's own event loop sets
    TCP_NODELAY only on sockets that say they are TCP (uvloop sets it anyway, but is not installed
    everywhere). Without it a response's head and body leave as two segments, and the body waits about
    40 ms for the client's delayed ACK: every REST call and many websocket frames took that much longer.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


_HttpBase: Any = AutoHTTPProtocol  # httptools when installed, else h11: what http="auto" picks


def deadline_protocol(seconds: float) -> type[asyncio.Protocol]:
    """Uvicorn's HTTP protocol with a deadline on each request's head.

    Uvicorn times out only an idle kept-alive connection (``timeout_keep_alive``, armed after a
    response); a connection that sends nothing, or half a request line and a header and then nothing,
    is held for ever, and a few thousand of them use up the process's file descriptors. The deadline
    runs from the connection's start, and from the first byte of each later request, until the
    request's headers are complete; the body is the application's (``max_body_bytes``)."""

    class RequestDeadline(_HttpBase):  # type: ignore[misc]
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            if self._deadline is None and self._between_requests():
                self._arm()
            super().data_received(data)
            if not self._between_requests() or self.transport.get_protocol() is not self:
                self._disarm()  # the head is in (or the socket became a websocket)

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _between_requests(self) -> bool:
            return self.cycle is None or bool(self.cycle.response_complete)

        def _arm(self) -> None:
            self._disarm()
            self._deadline = asyncio.get_running_loop().call_later(seconds, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            transport = self.transport
            if transport.get_protocol() is self and not transport.is_closing() and self._between_requests():
                transport.close()

    return RequestDeadline


def uvicorn_config(settings: ServerSettings, app: Any, sock: socket.socket | None = None) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        http=deadline_protocol(settings.request_timeout),  # half-sent requests are not held for ever
        ws="auto",  # websockets-sansio; the legacy backend is deprecated
        ws_per_message_deflate=False,  # small JSON frames: deflate doubled CPU per delivery
        ws_max_size=4 * settings.max_frame_bytes,  # above our own limit, so oversize frames get a typed error
        access_log=False,  # access lines would carry tokens in websocket query strings
        log_level=settings.log_level,
        lifespan="on",
        timeout_graceful_shutdown=3,
        ssl_certfile=settings.ssl_certfile,
        ssl_keyfile=settings.ssl_keyfile,
    )


async def durability_refusal(url: str) -> str | None:
    """Why ``--require-durable`` refuses the store at ``url``, or ``None`` if it may be used. Snapshots
    pass (a crash loses minutes, not the games); ``none`` and ``unknown`` (persistence settings that
    cannot be read) do not: a requirement that cannot be checked is not met."""
    try:
        store = open_store(url)
    except ValueError as exc:
        return str(exc)
    try:
        await store.open()
        level, why = await store.durability()
    except StoreError as exc:
        return f"--require-durable: cannot check the store's durability: {exc}"
    finally:
        await store.close()
    if level in ("durable", "snapshots"):
        return None
    return (
        f"--require-durable: the store {store.url} is not durable ({level}: {why}); "
        "run Redis with appendonly yes (or a save schedule), or drop PRECURSOR_REQUIRE_DURABLE"
    )


class _Server(uvicorn.Server):
    """Uvicorn, stopped by Ctrl+C (or SIGTERM) with one line instead of two tracebacks.

    Uvicorn raises the signal again once it has shut down, so that the default handler ends the
    process; a second Ctrl+C during the shutdown (force quit) leaves the application's lifespan
    unfinished, and the re-raised signal interrupts the event loop: the lifespan task is cancelled
    and logged as an error, then the KeyboardInterrupt prints its own traceback. Here the signal is
    remembered, not raised again, and the application is always given its shutdown."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets)
        if self.force_exit:  # uvicorn skips it: the store is still closed, within a bound
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(3):
                    await self.lifespan.shutdown()

    @property
    def interrupted(self) -> bool:
        return bool(self._captured_signals)


def serve(overrides: dict[str, Any], rulebook: Rulebook | Callable[[], Rulebook] | None = None) -> int:
    """Serve until stopped; ``rulebook`` may be a function that loads it (see ``create_app``)."""
    settings = ServerSettings(**overrides)
    if settings.require_durable:
        refusal = asyncio.run(durability_refusal(settings.store))
        if refusal is not None:
            print(f"precursor: {' '.join(refusal.split())}", file=sys.stderr, flush=True)
            return EXIT_STORE
    redact_tokens_in_logs()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    warning = exposure_warning(settings)
    if warning:
        logging.getLogger("precursor.server").warning(warning)
    app = create_app(settings, rulebook)
    config = uvicorn_config(settings, app)
    server = _Server(config)
    # a line tools can wait for (tests, the solo launcher): the bound address, once listening
    orig_startup = server.startup

    async def startup(sockets: list[socket.socket] | None = None) -> None:
        await orig_startup(sockets)
        for s in server.servers:
            for sock in s.sockets:
                host, port = sock.getsockname()[:2]
                scheme = settings.store.split(":", 1)[0]
                web = "https" if settings.tls else "http"
                print(f"precursor: serving on {web}://{host}:{port} (store: {scheme})", flush=True)
        sys.stdout.flush()

    server.startup = startup  # type: ignore[method-assign]
    server.run()
    if server.interrupted:
        print("precursor: server stopped", file=sys.stderr, flush=True)
    return 0
