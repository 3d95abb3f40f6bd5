"""The FastAPI application: REST for the lobby, one websocket per player connection.

Every inbound frame is size-checked, rate-limited and validated before anything else; a bad frame
gets a typed error frame and the connection, the game and everyone else carry on.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import json.scanner as json_scanner
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any, get_args

from fastapi import FastAPI, Request, Response, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from precursor.game.commands import Actor, Command, CommandError
from precursor.protocol import (
    SESSION_TYPES,
    CodeRotated,
    CreateGame,
    GameCreated,
    GameRemoved,
    GameSummary,
    Health,
    Joined,
    JoinGame,
    RemovePlayer,
    ScenarioSummary,
    SessionCommand,
    clean_strings,
    negotiate,
)

from . import auth
from .hub import Hub
from .limits import BodyLimit, Bucket, Limiter, TokenUse, TokenUses
from .logs import redact_tokens_in_logs
from .settings import ServerSettings, organiser_key
from .stores import StoreError, StoreLost, StoreUnavailable, UnknownGame, open_store

if TYPE_CHECKING:  # the game's modules load after start-up (Hub.warm): /api/health needs none of them
    from precursor.game.rulebook import Rulebook

    from .room import Connection, GameRoom

log = logging.getLogger("precursor.server")
#: A str as json.dumps writes it (ASCII, escaped): the encoder's own C function.
_json_str: Callable[[str], str] = json.encoder.encode_basestring_ascii
_COMMAND: TypeAdapter[Any] = TypeAdapter(Command)
_SESSION: TypeAdapter[Any] = TypeAdapter(SessionCommand)


def _by_tag(union: Any) -> dict[str, type[BaseModel]]:
    """Each member of a discriminated union by its ``type`` tag."""
    members = get_args(get_args(union)[0])
    return {m.model_fields["type"].default: m for m in members}


#: A frame is validated against the one model its ``type`` names: the same model the union would
#: pick, without trying the tag against fourteen others on every chat message. Only a frame that fails
#: goes through the union, so that its error names the field exactly as it always did.
_COMMANDS = _by_tag(Command)
_SESSIONS = _by_tag(SessionCommand)

try:
    VERSION = version("precursor-wargame")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    VERSION = "0+unknown"

_STATUS = {
    "unknown_game": 404,
    "unknown_scenario": 404,
    "bad_code": 403,
    "bad_token": 401,
    "too_many_players": 409,
    "forbidden": 403,
    "organiser_key_required": 401,
    "conflict": 409,
    "store_unavailable": 503,
    "store_lost": 503,
}


class ApiError(BaseModel):
    """The body of every refused REST call: what /openapi.json documents is what clients get."""

    code: str = Field(description="a stable identifier clients branch on, e.g. unknown_game, bad_code")
    message: str = Field(description="one sentence for a person")


_WHY = {
    400: "refused: the request breaks a rule of the game",
    401: "a missing or wrong token or organiser key",
    403: "a wrong join code, or not allowed",
    404: "no such game or scenario",
    409: "conflict, e.g. the team is full",
    413: "the request body is too large",
    422: "the request is malformed (code bad_request)",
    429: "too many requests from this address; see Retry-After",
    503: "the event store cannot be reached (store_unavailable), or has lost its games (store_lost)",
}


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for refusals: each the ApiError body, so generated clients parse it."""
    return {s: {"model": ApiError, "description": _WHY[s]} for s in statuses}


def _error(
    code: str, message: str, status: int | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"code": code, "message": message}, status_code=status or _STATUS.get(code, 400), headers=headers
    )


class RateLimited(Exception):
    def __init__(self, what: str, wait: float) -> None:
        super().__init__(f"too many {what} from this address; try again in {wait:.0f} s")
        self.wait = wait


def _throttle(limiter: Limiter, request: Request, what: str) -> None:
    """Joins and game creation per client address (behind a local reverse proxy, uvicorn gives the
    forwarded address)."""
    host = request.client.host if request.client else "?"
    wait = limiter.take(host, asyncio.get_running_loop().time())
    if wait is not None:
        raise RateLimited(what, wait)


def create_app(
    settings: ServerSettings | None = None, rulebook: Rulebook | Callable[[], Rulebook] | None = None
) -> FastAPI:
    """The app; ``rulebook`` may be a function that loads it, called in a worker thread once the server
    answers (without one: the shipped rules with the settings' own files over them)."""
    settings = settings or ServerSettings()
    rb = rulebook or _user_rulebook(settings)
    redact_tokens_in_logs()
    # /docs and /redoc with their scripts served from the package: a classroom network may reach no CDN
    app = FastAPIOffline(
        static_url="/static/docs",
        # every call may meet a malformed request, an oversized body or a store that is down; a declared
        # 422 also keeps FastAPI from documenting its own validation body, which this server never sends
        responses=_errors(413, 422, 503),
        title="Precursor game server",
        version=VERSION,
        description="Lobby (REST) and live games (websocket `/ws/games/{id}`); see docs/protocol.md.",
        lifespan=_lifespan(settings, rb),
    )
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    _add_error_handlers(app)
    _add_lobby(app, settings, _announce_organiser_key(settings))
    _add_removal(app)
    _add_game_socket(app, settings)
    return app


def _user_rulebook(settings: ServerSettings) -> Rulebook | Callable[[], Rulebook]:
    """The shipped rules load once serving; the user's own files at once, so that a mistake in them
    stops the server before it starts, as it always did."""

    def load() -> Rulebook:
        from precursor.game.rulebook import overlay

        return overlay(settings.user_rules, settings.user_scenarios)

    return load() if settings.user_rules or settings.user_scenarios else load


def _announce_organiser_key(settings: ServerSettings) -> str | None:
    """The organiser key, printed on the console (never to the log) when it was made up here: the
    operator needs it once, and a log file is read by more people than the console is."""
    key, generated = organiser_key(settings)
    if generated:
        print(
            f"precursor: organiser key (needed to create games): {key}\n"
            "precursor: set PRECURSOR_ORGANISER_KEY to choose one; this one lasts until the server stops",
            flush=True,
        )
    return key


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _check_organiser(request: Request, key: str | None) -> None:
    if key is None:
        return
    given = _bearer(request)
    if given is None:
        raise CommandError("organiser_key_required", "creating a game on this server needs the organiser key")
    if not hmac.compare_digest(given.encode(), key.encode()):
        raise OrganiserKeyRefused


class OrganiserKeyRefused(Exception):
    """A wrong key: the same code as a missing one, but 403, so a client can tell "ask for it" from
    "that was not it"."""


def _lifespan(
    settings: ServerSettings, rb: Rulebook | Callable[[], Rulebook]
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The hub lives as long as the app: opened on start-up, closed (with every room) on shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub = Hub(
            rb,
            open_store(settings.store),
            max_players_per_team=settings.max_players_per_team,
            max_observers=settings.max_observers,
            idle_evict=settings.idle_evict_seconds,
            finished_evict=settings.finished_evict_seconds,
            lease_ttl=settings.lease_ttl_seconds,
            log_window=settings.log_window,
        )
        await hub.start()
        app.state.hub = hub
        warm = asyncio.create_task(hub.warm(), name="load-rulebook")
        try:
            yield
        finally:
            warm.cancel()
            await hub.close()

    return lifespan


def _hub_of(request: Request) -> Hub:
    h: Hub = request.app.state.hub
    return h


def _add_error_handlers(app: FastAPI) -> None:
    """Refusals become typed JSON errors with the status their code calls for."""

    @app.exception_handler(CommandError)
    async def _command_error(request: Request, exc: CommandError) -> JSONResponse:
        return _error(exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # never echo the input back: it may not be UTF-8 or finite JSON (and it is the client's own)
        errs = exc.errors()
        where = ".".join(str(p) for p in errs[0].get("loc", ())) if errs else ""
        msg = str(errs[0].get("msg", "invalid")) if errs else "invalid request"
        return _error("bad_request", f"{where}: {msg}"[:300], 422)

    @app.exception_handler(RateLimited)
    async def _rate_limited(request: Request, exc: RateLimited) -> JSONResponse:
        return _error("rate_limited", str(exc), 429, {"Retry-After": str(max(1, round(exc.wait)))})

    @app.exception_handler(OrganiserKeyRefused)
    async def _wrong_key(request: Request, exc: OrganiserKeyRefused) -> JSONResponse:
        return _error("organiser_key_required", "that is not this server's organiser key", 403)

    @app.exception_handler(StoreError)
    async def _store_error(request: Request, exc: StoreError) -> JSONResponse:
        return _error(exc.code, str(exc))


def _add_lobby(app: FastAPI, settings: ServerSettings, key: str | None) -> None:
    """The REST lobby: health, scenarios, creating, listing and joining games. ``key``: the organiser
    key creating a game needs, or ``None``."""
    joins = Limiter(settings.join_per_minute, settings.join_burst)
    creations = Limiter(settings.create_per_minute, settings.create_burst)

    @app.get("/api/health", responses={503: {"model": Health, "description": "the store lost its games"}})
    async def health(request: Request, response: Response) -> Health:
        hub = _hub_of(request)
        ok = await hub.store.ping()
        scheme = hub.store.url.split(":", 1)[0]
        lost = await hub.check_lost() if ok or hub.lost else None
        durability, _why = await hub.store.durability() if ok and not lost else ("unknown", "")
        if lost:
            response.status_code = 503  # a proxy's health check takes this server out of rotation
        return Health(
            durability=durability,
            status="store_lost" if lost else "ok" if ok else "degraded",
            message=lost or "",
            store=scheme,
            store_ok=ok,
            version=VERSION,
            games_loaded=len(hub.rooms),
            games_led=sum(1 for r in hub.rooms.values() if r.leader),
            instance=hub.instance,
            organiser_key_required=key is not None,
        )

    @app.get("/api/scenarios")
    async def scenarios(request: Request) -> list[ScenarioSummary]:
        hub = _hub_of(request)
        await hub.rulebook()
        return hub.scenarios()

    @app.post("/api/games", status_code=201, responses=_errors(400, 401, 403, 404, 409, 429))
    async def create_game(request: Request, body: CreateGame) -> GameCreated:
        _throttle(creations, request, "new games")  # first: guessing the key is throttled too
        _check_organiser(request, key)
        return await _hub_of(request).create(body)

    @app.get("/api/games")
    async def list_games(request: Request) -> list[GameSummary]:
        return await _hub_of(request).summaries()

    @app.get("/api/games/{game_id}", responses=_errors(404))
    async def get_game(request: Request, game_id: str) -> GameSummary:
        return await _hub_of(request).summary(game_id)

    @app.post("/api/games/{game_id}/join", status_code=201, responses=_errors(400, 403, 404, 409, 429))
    async def join_game(request: Request, game_id: str, body: JoinGame) -> Joined:
        _throttle(joins, request, "joins")
        return await _hub_of(request).join(game_id, body)

    @app.post("/api/games/{game_id}/codes/{who}", status_code=201, responses=_errors(400, 401, 404))
    async def rotate_code(request: Request, game_id: str, who: str) -> CodeRotated:
        """The facilitator (``Authorization: Bearer <facilitator token>``) replaces a team's join code."""
        hub = _hub_of(request)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not await hub.facilitator(game_id, token.strip()):
            raise CommandError("bad_token", "rotating a join code needs the game's facilitator token")
        return CodeRotated(team=who, join_code=await hub.rotate_code(game_id, who))


def _add_removal(app: FastAPI) -> None:
    """The facilitator (``Authorization: Bearer <facilitator token>``) archives or deletes a game."""

    async def owner(request: Request, game_id: str) -> Hub:
        hub = _hub_of(request)
        if not await hub.owns(game_id, _bearer(request) or ""):
            await hub.store.get_info(game_id)  # an unknown game is a 404, not a bad token
            raise CommandError("bad_token", "only the game's facilitator token may archive or delete it")
        return hub

    @app.post("/api/games/{game_id}/archive", responses=_errors(401, 404))
    async def archive_game(request: Request, game_id: str) -> GameRemoved:
        """The game leaves the list and the server's memory; its log stays in the store."""
        await (await owner(request, game_id)).archive(game_id)
        return GameRemoved(game_id=game_id, removed="archived")

    @app.delete("/api/games/{game_id}", responses=_errors(401, 404))
    async def delete_game(request: Request, game_id: str) -> GameRemoved:
        """The game, its log and its credentials are deleted from the store."""
        await (await owner(request, game_id)).delete(game_id)
        return GameRemoved(game_id=game_id, removed="deleted")


def _add_game_socket(app: FastAPI, settings: ServerSettings) -> None:
    """The live game: one websocket per player connection, a few per token."""
    uses = TokenUses(
        settings.rate_per_second,
        settings.rate_burst,
        settings.max_connections_per_token,
        settings.view_rate_per_second,
        settings.view_burst,
    )

    @app.websocket("/ws/games/{game_id}")
    async def game_socket(
        websocket: WebSocket, game_id: str, token: str = "", since: int | None = None, protocol: int = 1
    ) -> None:
        hub: Hub = websocket.app.state.hub
        await websocket.accept()
        opened = await _open(websocket, hub, game_id, token, settings)
        if opened is None:
            return
        room, conn = opened
        conn.version = negotiate(protocol)
        key = auth.key_of(token, "token")
        use = uses.open(key, asyncio.get_running_loop().time())
        if use is None:
            many = f"this token already has {settings.max_connections_per_token} connections open"
            await _refuse(websocket, "too_many_connections", many, 4429)
            return
        try:
            await room.attach(conn, since if since is not None and since >= 0 else None)
        except StoreError as exc:  # a resume the store must answer, or a game it must rebuild first
            uses.close(key)
            await _refuse(websocket, exc.code, str(exc), 1013)
            return
        writer = asyncio.create_task(conn.writer())
        try:
            await _read_frames(websocket, hub, room, conn, use, settings)
        except WebSocketDisconnect:
            pass
        finally:
            uses.close(key)
            room.detach(conn)
            await asyncio.wait([writer], timeout=1.0)
            writer.cancel()
            with contextlib.suppress(BaseException):
                await writer


async def _open(
    websocket: WebSocket, hub: Hub, game_id: str, token: str, settings: ServerSettings
) -> tuple[GameRoom, Connection] | None:
    """The game's room and the connection the token entitles to; ``None`` once refused (and closed)."""
    try:
        room = await hub.room(game_id)
        rec = await hub.authenticate(game_id, token)
    except UnknownGame:
        await _refuse(websocket, "unknown_game", f"no game '{game_id}'", 4404)
        return None
    except StoreLost as exc:
        await hub.check_lost()  # unload what the server still holds of the lost games
        # 1013 (try again later), not 4404: the game may come back if the operator restores the data
        await _refuse(websocket, "store_lost", str(exc), 1013)
        return None
    except StoreUnavailable as exc:
        await _refuse(websocket, "store_unavailable", str(exc), 1013)
        return None
    if rec is None:
        await _refuse(websocket, "bad_token", "that token is not valid for this game", 4401)
        return None
    from precursor.game.views import FACILITATOR, PUBLIC

    from .room import Connection

    role = rec["role"]
    audience = FACILITATOR if role == "facilitator" else rec["team"] if role == "player" else PUBLIC
    conn = Connection(
        audience=audience,
        role=role,
        team=rec.get("team"),
        seat=rec.get("seat"),
        player_id=rec.get("player_id"),
        name=rec.get("name", "facilitator" if role == "facilitator" else ""),
        limit=settings.send_queue,
        max_bytes=settings.send_queue_bytes,
        send=websocket.send_text,
        close=lambda code, reason: websocket.close(code, reason),
    )
    return room, conn


async def _read_frames(
    websocket: WebSocket,
    hub: Hub,
    room: GameRoom,
    conn: Connection,
    use: TokenUse,
    settings: ServerSettings,
) -> None:
    """Every inbound frame, rate-limited (``use`` holds the token's budgets, shared by its connections)
    and size-checked before it is parsed, until either side leaves."""
    loop = asyncio.get_running_loop()
    bucket = use.bucket
    strikes = 0
    while not conn.closed:
        msg = await websocket.receive()
        if msg["type"] == "websocket.disconnect":
            break
        text = msg.get("text")
        if text is None:
            raw = msg.get("bytes") or b""
            text = raw.decode("utf-8", "replace")
        if not bucket.take(loop.time()):
            strikes += 1
            conn.push(_err(None, "rate_limited", "too many frames; slow down"))
            if strikes > settings.rate_burst * 10:
                conn.push(_err(None, "rate_limited", "flooding: the connection is closed"))
                conn.shut()
            continue
        if len(text) > settings.max_frame_bytes or (
            4 * len(text) > settings.max_frame_bytes
            and len(text.encode("utf-8", "replace")) > settings.max_frame_bytes
        ):
            conn.push(_err(None, "too_large", f"frames are limited to {settings.max_frame_bytes} bytes"))
            continue
        await _handle_frame(hub, room, conn, text, use.views)


async def _refuse(ws: WebSocket, code: str, message: str, close: int) -> None:
    with contextlib.suppress(Exception):
        await ws.send_text(_err(None, code, message))
        await ws.close(close, message[:120])


def _err(cid: str | None, code: str, message: str) -> str:
    return json.dumps({"type": "error", "id": cid, "code": code, "message": message}, separators=(",", ":"))


def _validate(body: dict[str, Any]) -> Any:
    kind = body.get("type")
    session = isinstance(kind, str) and kind in SESSION_TYPES
    model = (_SESSIONS if session else _COMMANDS).get(kind) if isinstance(kind, str) else None
    if model is not None:
        with contextlib.suppress(ValidationError):
            return model.model_validate(body)
    return _SESSION.validate_python(body) if session else _COMMAND.validate_python(body)


def _actor(conn: Connection) -> Actor | None:
    """Who the connection commands as: made once per connection (an Actor is frozen, and who holds a
    connection never changes while it is open)."""
    if conn.actor is not None:
        return conn.actor
    if conn.role == "facilitator":
        conn.actor = Actor(role="facilitator", name=conn.name[:60])
    elif conn.role == "player":
        conn.actor = Actor(role="player", team=conn.team, seat=conn.seat, name=conn.name[:60])  # type: ignore[arg-type]
    return conn.actor


def _parse(text: str) -> Any:
    """``json.loads(text)``: a frame that is one object with nothing around it (what every client sends)
    goes straight to the C scanner, without ``loads``'s checks and whitespace regexes; anything else,
    or anything the scanner balks at, takes ``json.loads`` itself, so every refusal is its own."""
    if text[:1] == "{":
        try:
            value, end = _scan(text, 0)
        except (StopIteration, ValueError):
            return json.loads(text)
        if end == len(text):
            return value
    return json.loads(text)


#: The scanner ``json.loads`` itself runs (the C one), for a decoder with ``loads``'s defaults.
#: (typeshed types the scanner's argument as a scanner; it is a decoder, whose settings it copies)
_scan: Callable[[str, int], tuple[Any, int]] = json_scanner.make_scanner(json.decoder.JSONDecoder())  # type: ignore[arg-type]


async def _handle_frame(hub: Hub, room: GameRoom, conn: Connection, text: str, views: Bucket) -> None:
    try:
        frame = _parse(text)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser allows
        conn.push(_err(None, "bad_json", "the frame is not valid JSON (or nests too deeply)"))
        return
    if not isinstance(frame, dict):
        conn.push(_err(None, "bad_frame", "a frame is a JSON object with a 'type'"))
        return
    ftype = frame.get("type")
    cid = frame.get("id") if isinstance(frame.get("id"), str) and len(frame["id"]) <= 64 else None
    if ftype == "ping":
        conn.push('{"type":"pong"}')
        return
    if ftype == "view":
        if not views.take(asyncio.get_running_loop().time()):
            conn.push(_err(cid, "rate_limited", "too many view requests; fold the events instead"))
            return
        try:
            await room.snapshot(conn, cid)
        except StoreError as exc:
            conn.push(_err(cid, exc.code, str(exc)))
        return
    if ftype != "command":
        conn.push(
            _err(
                cid,
                "unknown_type",
                f"unknown frame type {str(ftype)[:40]!r}; expected 'command', 'view' or 'ping'",
            )
        )
        return
    if cid is None or not cid:
        conn.push(_err(None, "bad_frame", "a command frame needs an 'id' string of 1-64 characters"))
        return
    body = frame.get("command")
    if not isinstance(body, dict):
        conn.push(_err(cid, "bad_frame", "'command' must be an object"))
        return
    try:
        # the one boundary every player's text crosses: what reaches the log and the others is clean
        body = clean_strings(body)
    except ValueError as exc:
        conn.push(_err(cid, "bad_command", str(exc)))
        return
    except RecursionError:
        conn.push(_err(cid, "bad_command", "the command nests too deeply"))
        return
    try:
        cmd = _validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        conn.push(_err(cid, "bad_command", f"{loc}: {first['msg']}"[:300]))
        return
    actor = _actor(conn)
    if actor is None:
        conn.push(_err(cid, "forbidden", "observers cannot send commands"))
        return
    try:
        seq = await room.execute(actor, cmd)
    except CommandError as exc:
        conn.push(_err(cid, exc.code, exc.message))
        return
    except StoreError as exc:
        conn.push(_err(cid, exc.code, str(exc)))
        return
    except Exception:  # a bug must not take the connection or the game down with it
        log.exception("command failed in game %s", room.game_id)
        conn.push(_err(cid, "internal", "the server failed on this command; nothing was changed"))
        return
    if isinstance(cmd, RemovePlayer):
        extra = await _follow_up(hub, room, cmd)
        conn.push(json.dumps({"type": "ack", "id": cid, "seq": seq, **extra}, separators=(",", ":")))
    else:  # the text json.dumps makes of {"type": "ack", "id": cid, "seq": seq}, without the encoder
        conn.push(f'{{"type":"ack","id":{_json_str(cid)},"seq":{seq}}}')


async def _follow_up(hub: Hub, room: GameRoom, cmd: RemovePlayer) -> dict[str, Any]:
    """What an ack carries besides its seq. Removing a player rotates the join code they came in with:
    otherwise the same code would seat them again at once under a new token. The facilitator gets the
    new code in this ack, once; teammates already seated keep their tokens."""
    p = room.session.players.get(cmd.player)
    who = p.team if p is not None and p.role == "player" and p.team else "observer"
    try:
        code = await hub.rotate_code(room.game_id, who)
    except StoreError as exc:
        return {"warning": f"removed, but the join code of {who} was not rotated ({exc}); rotate it by hand"}
    return {"join_code": {"team": who, "join_code": code}}
