"""What one client may ask of the server: frames per token, joins and games per address, body sizes.

A join code is shared by a whole team and often read aloud in a classroom, so whoever holds one must not
be able to take the server down with it: every limit here is counted per identity (a token, a client
address), never per connection, since connections cost nothing to open.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class Bucket:
    """Token bucket: ``rate`` per second on average, ``burst`` at once."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate, self.burst, self.tokens, self.at = rate, float(burst), float(burst), now

    def refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now

    def take(self, now: float) -> bool:
        self.refill(now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def wait(self) -> float:
        """Seconds until the next token (for ``Retry-After``)."""
        return max(0.0, (1.0 - self.tokens) / self.rate)


class Limiter:
    """One bucket per key (a client address). Full buckets are forgotten once there are many, so a
    stream of new addresses cannot grow the table without bound."""

    def __init__(self, per_minute: float, burst: int, most: int = 10_000) -> None:
        self.rate, self.burst, self.most = per_minute / 60.0, burst, most
        self.buckets: dict[str, Bucket] = {}

    def take(self, key: str, now: float) -> float | None:
        """``None`` if allowed, else the seconds to wait."""
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= self.most:
                self._prune(now)
            bucket = self.buckets[key] = Bucket(self.rate, self.burst, now)
        if bucket.take(now):
            return None
        return bucket.wait()

    def _prune(self, now: float) -> None:
        for key, bucket in list(self.buckets.items()):
            bucket.refill(now)
            if bucket.tokens >= bucket.burst:
                del self.buckets[key]
        if len(self.buckets) >= self.most:  # all busy: an attack from many addresses; start afresh
            self.buckets.clear()


@dataclass
class TokenUse:
    """The open connections of one token, the frame budget they share, and their budget of view
    requests: a view is a whole game's worth of JSON (20 KB and more), where a command is a few hundred
    bytes, so a token that asks only for views would otherwise cost the server a hundred times more
    per frame than one that plays."""

    bucket: Bucket
    views: Bucket
    connections: int = 0


class TokenUses:
    """Per token (by its hash): open websockets and one shared frame bucket. Twenty sockets on one token
    get the rate of one. An entry lives while the token has a connection open."""

    def __init__(
        self, rate: float, burst: int, most: int, view_rate: float = 5.0, view_burst: int = 60
    ) -> None:
        self.rate, self.burst, self.most = rate, burst, most
        self.view_rate, self.view_burst = view_rate, view_burst
        self.uses: dict[str, TokenUse] = {}

    def open(self, key: str, now: float) -> TokenUse | None:
        """Count a new connection; ``None`` if the token already has ``most`` open."""
        use = self.uses.get(key)
        if use is None:
            views = Bucket(self.view_rate, self.view_burst, now)
            use = self.uses[key] = TokenUse(Bucket(self.rate, self.burst, now), views)
        if use.connections >= self.most:
            return None
        use.connections += 1
        return use

    def close(self, key: str) -> None:
        use = self.uses.get(key)
        if use is None:
            return
        use.connections -= 1
        if use.connections <= 0:
            del self.uses[key]


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes with a typed 413: by ``Content-Length`` at once, and
    by counting as a chunked body arrives. The body is read here (it is small, by this very limit) and
    handed on whole: an error raised while the app reads it would become FastAPI's untyped 400."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and (not value.isdigit() or int(value) > self.limit):
                await _too_large(send, self.limit)
                return
        body = bytearray()
        while True:
            msg = await receive()
            if msg["type"] != "http.request":  # the client left
                return
            body += msg.get("body", b"")
            if len(body) > self.limit:
                await _too_large(send, self.limit)
                return
            if not msg.get("more_body", False):
                break
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        {"code": "payload_too_large", "message": f"request bodies are limited to {limit} bytes"}
    ).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
