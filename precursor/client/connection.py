"""The Python client library: the lobby over REST and a live game over a websocket.

The Textual client, the live bots of outside agents and any third-party program use this, so it
owns the fiddly parts once: reconnecting with back-off, resuming from the last event seen (so nothing
is lost or shown twice), and matching acks and errors to the commands that caused them.

    async with LobbyClient("http://127.0.0.1:8765") as lobby:
        game = await lobby.create_game("tutorial", bots={"mx": "default"})
    async with GameClient(url, game_id, token) as live:
        async for frame in live.frames():
            ...
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
from pydantic import BaseModel
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from precursor.protocol import (
    PROTOCOL_VERSION,
    CodeRotated,
    GameCreated,
    GameRemoved,
    GameSummary,
    Joined,
    ScenarioSummary,
)


class ClientError(Exception):
    """The server refused something; ``code`` is the protocol's error code."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class CommandRefused(ClientError):
    """The game refused a command; nothing changed."""


class ConnectionLost(ClientError):
    """The connection dropped before the command's answer came back: it may or may not have been
    applied. The event stream (resumed on reconnect) says which; never re-send blindly."""


class LobbyClient:
    """REST: scenarios, games, creating and joining."""

    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout, trust_env=False)

    async def __aenter__(self) -> LobbyClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, token: str | None = None
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        r = await self._http.request(method, path, json=body, headers=headers)
        if r.status_code >= 400:
            try:
                data = r.json()
            except ValueError:
                data = {}
            if isinstance(data, dict) and "code" in data:
                raise ClientError(str(data["code"]), str(data.get("message", "")), r.status_code)
            raise ClientError("http_error", f"{r.status_code}: {str(data)[:300]}", r.status_code)
        return r.json()

    async def health(self) -> dict[str, Any]:
        data: dict[str, Any] = await self._call("GET", "/api/health")
        return data

    async def scenarios(self) -> list[ScenarioSummary]:
        return [ScenarioSummary.model_validate(x) for x in await self._call("GET", "/api/scenarios")]

    async def games(self) -> list[GameSummary]:
        return [GameSummary.model_validate(x) for x in await self._call("GET", "/api/games")]

    async def game(self, game_id: str) -> GameSummary:
        return GameSummary.model_validate(await self._call("GET", f"/api/games/{game_id}"))

    async def create_game(
        self, scenario: str, *, organiser_key: str | None = None, **options: Any
    ) -> GameCreated:
        """A new game. A server reachable from other machines asks for its organiser key (``health()``
        says so in ``organiser_key_required``); without the right one this raises ``ClientError`` with
        the code ``organiser_key_required`` (status 401 without a key, 403 with a wrong one)."""
        body = {"scenario": scenario, **{k: v for k, v in options.items() if v is not None}}
        created = await self._call("POST", "/api/games", body, token=organiser_key or None)
        return GameCreated.model_validate(created)

    async def archive_game(self, game_id: str, facilitator_token: str) -> GameRemoved:
        """The game leaves the server's list and memory; its log stays in the store. Facilitator only."""
        path = f"/api/games/{game_id}/archive"
        return GameRemoved.model_validate(await self._call("POST", path, token=facilitator_token))

    async def delete_game(self, game_id: str, facilitator_token: str) -> GameRemoved:
        """The game, its log and its join codes are deleted from the server's store. Facilitator only."""
        path = f"/api/games/{game_id}"
        return GameRemoved.model_validate(await self._call("DELETE", path, token=facilitator_token))

    async def join(self, game_id: str, join_code: str, name: str, seat: str | None = None) -> Joined:
        body: dict[str, Any] = {"join_code": join_code, "name": name}
        if seat:
            body["seat"] = seat
        return Joined.model_validate(await self._call("POST", f"/api/games/{game_id}/join", body))

    async def rotate_code(self, game_id: str, who: str, facilitator_token: str) -> CodeRotated:
        """A new join code for a team (or ``observer``); the old one stops working. Facilitator only."""
        path = f"/api/games/{game_id}/codes/{who}"
        return CodeRotated.model_validate(await self._call("POST", path, token=facilitator_token))


# Close codes after which trying again cannot help: the token is wrong, the game is gone, or the token
# already holds as many connections as the server allows. Any other close is retried with back-off.
_FINAL_CLOSES = {4401: "bad_token", 4404: "unknown_game", 4429: "too_many_connections"}


def ws_url(base_url: str, game_id: str, token: str, since: int | None, protocol: int = 1) -> str:
    parts = urlsplit(base_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    query = {"token": token}
    if since is not None:
        query["since"] = str(since)
    if protocol != 1:
        query["protocol"] = str(protocol)
    return urlunsplit((scheme, parts.netloc, f"/ws/games/{game_id}", urlencode(query), ""))


class GameClient:
    """One seat's live connection. Frames come out of :meth:`frames` in log order, each event once.

    ``turn``, ``phase`` and ``ended`` follow the events as they arrive (``view`` is the snapshot of
    the last welcome frame).

    The connection speaks protocol 2 (a command's events in one ``events`` frame) and unpacks each
    batch, so ``frames()`` yields one ``event`` frame per event whichever version the server speaks.

    ``frames()`` yields the server's frames (welcome, event, status, unsolicited error) plus
    ``{"type": "connection", "state": "lost" | "connected", "attempt": n}`` frames of its own, so a
    user interface can say what is happening.
    """

    def __init__(
        self,
        base_url: str,
        game_id: str,
        token: str,
        *,
        since: int | None = None,
        backoff: tuple[float, float] = (0.1, 5.0),
        max_size: int = 16 * 1024 * 1024,
    ) -> None:
        self.base_url, self.game_id, self._token = base_url, game_id, token
        self.seq: int | None = since  # last event seen; the resume point
        self.view: dict[str, Any] = {}
        self.session: dict[str, Any] = {}
        self.welcome: dict[str, Any] = {}
        self.connected = asyncio.Event()
        self._backoff = backoff
        self._max_size = max_size
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._pending: dict[str, asyncio.Future[Any]] = {}
        self._ids = itertools.count(1)
        self._ws: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._fatal: ClientError | None = None
        self.reconnects = 0
        self.turn = 0
        self.phase = ""
        self.ended = False

    async def __aenter__(self) -> GameClient:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self, timeout: float = 10.0) -> None:
        """Connect and wait for the welcome frame."""
        self._task = asyncio.create_task(self._run(), name=f"game-client:{self.game_id}")
        waiter = asyncio.create_task(self.connected.wait())
        done, _ = await asyncio.wait(
            {waiter, self._task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if waiter not in done:
            waiter.cancel()
            if self._fatal is not None:
                raise self._fatal
            raise ClientError("timeout", "no welcome from the server")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()

    async def frames(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            frame = await self._queue.get()
            yield frame
            if frame.get("type") == "connection" and frame.get("state") == "closed":
                return

    async def next_frame(self, timeout: float = 10.0) -> dict[str, Any]:
        return await asyncio.wait_for(self._queue.get(), timeout)

    async def send(self, command: dict[str, Any] | BaseModel, *, timeout: float = 15.0) -> int:
        """Send one command; returns the seq of its last event. Raises ``CommandRefused`` or
        ``ConnectionLost``."""
        if isinstance(command, BaseModel):
            command = command.model_dump(mode="json", exclude_none=True)
        cid = f"c{next(self._ids)}"
        return int(await self._ask({"type": "command", "id": cid, "command": command}, cid, timeout))

    async def refresh(self, *, timeout: float = 15.0) -> dict[str, Any]:
        """Fetch a fresh view (the orders screen's levers, scores, …); updates ``view``."""
        cid = f"v{next(self._ids)}"
        frame: dict[str, Any] = await self._ask({"type": "view", "id": cid}, cid, timeout)
        self.view, self.session = frame["view"], frame.get("session", self.session)
        return self.view

    async def _ask(self, frame: dict[str, Any], cid: str, timeout: float) -> Any:
        """Send a frame and wait for the answer carrying its id (ack, error or view)."""
        await asyncio.wait_for(self.connected.wait(), timeout)
        ws = self._ws
        if ws is None:
            raise ConnectionLost("not_connected", "not connected")
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[cid] = fut
        try:
            await ws.send(json.dumps(frame))
            return await asyncio.wait_for(fut, timeout)
        except ConnectionClosed:
            raise ConnectionLost("connection_lost", "the connection dropped while sending") from None
        finally:
            self._pending.pop(cid, None)

    async def request_view(self) -> None:
        """Ask for a fresh view that arrives through :meth:`frames` as a ``view`` frame, in order with
        the events: for programs that fold events in their own task (``refresh`` answers beside the
        stream, so events that land while it is on its way must be handled by the caller)."""
        if self._ws is None:
            raise ConnectionLost("not_connected", "not connected")
        await self._ws.send(json.dumps({"type": "view", "id": f"s{next(self._ids)}"}))

    async def send_raw(self, text: str) -> None:
        """For tests and fuzzers: put any text on the wire."""
        if self._ws is None:
            raise ConnectionLost("not_connected", "not connected")
        await self._ws.send(text)

    # ------------------------------------------------------------------ the connection loop

    async def _run(self) -> None:
        attempt = 0
        lo, hi = self._backoff
        while True:
            # version 2: a command's events arrive in one frame (unpacked in _accept); a server that
            # speaks only version 1 ignores the parameter and sends them one by one
            url = ws_url(self.base_url, self.game_id, self._token, self.seq, PROTOCOL_VERSION)
            try:
                async with connect(url, proxy=None, max_size=self._max_size, compression=None) as ws:
                    self._ws = ws
                    async for raw in ws:
                        frame = json.loads(raw)
                        if self._accept(frame):
                            attempt = 0
            except asyncio.CancelledError:
                raise
            except (OSError, ConnectionClosed, InvalidStatus, TimeoutError) as exc:
                code = getattr(getattr(exc, "rcvd", None), "code", None)
                if code in _FINAL_CLOSES:
                    self._fatal = ClientError(_FINAL_CLOSES[code], str(exc))
            finally:
                self._ws = None
                was = self.connected.is_set()
                self.connected.clear()
                for fut in self._pending.values():
                    if not fut.done():
                        fut.set_exception(ConnectionLost("connection_lost", "the connection dropped"))
            if self._fatal is not None:
                self._queue.put_nowait({"type": "connection", "state": "closed", "error": self._fatal.code})
                return
            attempt += 1
            if was or attempt == 1:
                self._queue.put_nowait({"type": "connection", "state": "lost", "attempt": attempt})
            delay = min(hi, lo * 2 ** min(attempt - 1, 10)) * (0.5 + random.random() / 2)
            await asyncio.sleep(delay)
            self.reconnects += 1

    def _accept(self, frame: dict[str, Any]) -> bool:
        t = frame.get("type")
        if t == "welcome":
            first = not self.welcome
            self.welcome, self.view, self.session = frame, frame["view"], frame.get("session", {})
            self.turn, self.phase, self.ended = self.view["turn"], self.view["phase"], self.view["ended"]
            if self.seq is None:
                self.seq = frame["seq"]
            self.connected.set()
            self._queue.put_nowait(frame)
            if not first:
                self._queue.put_nowait({"type": "connection", "state": "connected"})
            return True
        if t == "events":
            for one in frame["events"]:
                self._accept(one)
            return False
        if t == "event":
            if self.seq is not None and frame["seq"] <= self.seq:
                return False  # already seen before a reconnect
            self.seq = frame["seq"]
            ev = frame["event"]
            if ev["type"] == "phase":
                self.turn, self.phase = ev["turn"], ev["phase"]
            elif ev["type"] == "game_over":
                self.ended = True
            self._queue.put_nowait(frame)
            return False
        if t in ("ack", "error", "view") and frame.get("id") in self._pending:
            fut = self._pending[frame["id"]]
            if not fut.done():
                if t == "ack":
                    fut.set_result(int(frame["seq"]))
                elif t == "view":
                    fut.set_result(frame)
                else:
                    fut.set_exception(CommandRefused(frame["code"], frame["message"]))
            return False
        if t == "error" and frame.get("code") in ("bad_token", "unknown_game"):
            self._fatal = ClientError(frame["code"], frame.get("message", ""))
        self._queue.put_nowait(frame)
        return False


async def read_log(base_url: str, game_id: str, token: str) -> list[dict[str, Any]]:
    """Every event the token's audience may see, from the game's start to now, on a connection of its
    own (the facilitator's replay, console and hot wash read the whole log this way). Raises
    ``ClientError`` or ``TimeoutError`` as a live connection does."""
    events: list[dict[str, Any]] = []
    async with GameClient(base_url, game_id, token, since=0) as full:
        end = (await full.next_frame())["seq"]  # the welcome: the log's length when it was sent
        while len(events) < end:
            f = await full.next_frame(10)
            if f["type"] == "event":
                events.append(f["event"])
    return events
