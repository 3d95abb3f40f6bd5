"""The wire protocol: every REST body and websocket frame the server and its clients exchange.

These models are the contract outside clients and agents rely on, so they live in the game package
(the client library, the server and ``precursor schema protocol`` all read them from here) and change
only by adding fields. ``PROTOCOL_VERSION`` is the newest version the server speaks (``/api/health``); a
client asks for one on connect (``protocol=N``, 1 when it says nothing) and the welcome frame says which
it got. A version adds frames a client must understand, so nobody receives one it did not ask for.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from precursor.game.commands import Command, TeamId

PROTOCOL_VERSION = 2
#: What each version adds (``precursor schema protocol`` prints this).
PROTOCOL_VERSIONS = {
    1: "one event frame per event",
    2: "the events of one command (and of a resume) come in one events frame, in log order",
}


def negotiate(asked: int) -> int:
    """The version a connection speaks: the one the client asked for, within what the server speaks
    (a client newer than the server gets the server's newest; nonsense below 1 gets 1)."""
    return max(1, min(asked, PROTOCOL_VERSION))


PHASE_NAMES = ("briefing", "negotiation", "orders", "results")
Phase = Literal["briefing", "negotiation", "orders", "results"]


#: Characters no player may put in front of another: C0 controls but tab and newline (an ESC starts a
#: terminal escape sequence that recolours or rewrites the Textual client's screen), DEL and the C1
#: controls, and the bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069),
#: which make a text read differently from what it says ("Trojan source").
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: The longest string any command holds (a message or an inject's text): anything longer is refused
#: before the command is even parsed, so no field is unbounded whatever its model says.
MAX_TEXT = 4000


def clean_text(text: str) -> str:
    """``text`` without the characters of ``_UNSAFE`` (newlines and tabs stay)."""
    return _UNSAFE.sub("", text)


def clean_name(value: Any) -> Any:
    """A name is one line: cleaned, with newlines and tabs as spaces, trimmed."""
    if not isinstance(value, str):
        return value
    return " ".join(clean_text(value).split())


def clean_strings(value: Any) -> Any:
    """Every string in a parsed JSON value (keys too) cleaned; ``ValueError`` for one over ``MAX_TEXT``.
    Deeply nested input raises ``RecursionError``, as the JSON parser does."""
    if isinstance(value, str):
        return _clean_str(value)
    if isinstance(value, dict):
        # the strings of a flat command (a chat message: every key and value) cleaned here, not by a
        # call each: this runs on every frame a player sends
        return {
            (_clean_str(k) if type(k) is str else clean_strings(k)): (
                _clean_str(v) if type(v) is str else clean_strings(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [clean_strings(v) for v in value]
    return value


def _clean_str(value: str) -> str:
    if len(value) > MAX_TEXT:
        raise ValueError(f"a string of {len(value)} characters; the limit is {MAX_TEXT}")
    # printable ASCII holds none of _UNSAFE's characters (they are all controls or beyond ASCII), and
    # both checks are C loops far cheaper than the regex: nearly every key and chat text takes this path
    if value.isascii() and value.isprintable():
        return value
    return _UNSAFE.sub("", value)


Name = Annotated[str, BeforeValidator(clean_name)]


class _In(BaseModel):
    """Inbound: unknown fields are refused so a typo is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


# ---------------------------------------------------------------------- session (facilitator) commands


class Pause(_In):
    """Stops the phase clock; players' commands are refused until ``resume``."""

    type: Literal["pause"] = "pause"


class Resume(_In):
    type: Literal["resume"] = "resume"


class Extend(_In):
    """Adds time to the current phase's deadline (or starts one if the phase has none)."""

    type: Literal["extend"] = "extend"
    seconds: int = Field(ge=1, le=7 * 24 * 3600)


class SetController(_In):
    """Puts a bot in a team's seats (``persona``) or hands them back to its human players (``None``);
    with ``seat``, in that one seat of a team played by several people, the others staying human."""

    type: Literal["set_controller"] = "set_controller"
    team: TeamId
    persona: str | None = Field(default=None, max_length=40)
    seat: str | None = Field(default=None, max_length=40)


class RemovePlayer(_In):
    """Revokes a player's token and closes their connections."""

    type: Literal["remove_player"] = "remove_player"
    player: str = Field(max_length=40)


SessionCommand = Annotated[
    Pause | Resume | Extend | SetController | RemovePlayer, Field(discriminator="type")
]
SESSION_TYPES = frozenset({"pause", "resume", "extend", "set_controller", "remove_player"})


# ---------------------------------------------------------------------- websocket frames


class CommandFrame(_In):
    """Client → server. ``command`` is a game command or, for the facilitator, a session command."""

    type: Literal["command"] = "command"
    id: str = Field(min_length=1, max_length=64, description="chosen by the client; echoed in ack/error")
    command: dict[str, Any]


class PingFrame(_In):
    type: Literal["ping"] = "ping"


class ViewRequest(_In):
    """Asks for a fresh view; answered by a ``view`` frame in order with the events."""

    type: Literal["view"] = "view"
    id: str | None = Field(default=None, max_length=64)


class Welcome(_Out):
    """Server → client, first frame: who you are, where the log stands, and what you may see now."""

    type: Literal["welcome"] = "welcome"
    protocol: int = Field(
        default=1, description="the version this connection speaks: the one it asked for (protocol=N), else 1"
    )
    game_id: str
    seq: int = Field(description="the last event in the log when this view was taken")
    since: int | None = Field(default=None, description="the client's resume point; events after it follow")
    role: Literal["player", "observer", "facilitator"]
    team: TeamId | None = None
    seat: str | None = None
    player_id: str | None = None
    view: dict[str, Any]
    session: dict[str, Any] = Field(description="phase clock, pause, seat controllers, players")


class EventFrame(_Out):
    type: Literal["event"] = "event"
    seq: int
    event: dict[str, Any]


class EventsFrame(_Out):
    """Version 2 only: the events of one command (or a slice of a resume) this connection may see, in
    log order, each exactly the ``event`` frame version 1 would have sent alone."""

    type: Literal["events"] = "events"
    events: list[EventFrame] = Field(min_length=1)


class Ack(_Out):
    type: Literal["ack"] = "ack"
    id: str
    seq: int = Field(description="the last event the command produced (or the log's end if none)")
    join_code: dict[str, str] | None = Field(
        default=None,
        description="after remove_player: {team, join_code}, the removed player's new team code, shown once",
    )


class ErrorFrame(_Out):
    type: Literal["error"] = "error"
    id: str | None = None
    code: str
    message: str


class ViewFrame(_Out):
    type: Literal["view"] = "view"
    id: str | None = None
    seq: int
    view: dict[str, Any]
    session: dict[str, Any]


class StatusFrame(_Out):
    """Unsolicited: the store went away or came back, or the connection is being closed."""

    type: Literal["status"] = "status"
    store: Literal["ok", "unavailable"] = "ok"
    message: str = ""


class Pong(_Out):
    type: Literal["pong"] = "pong"


ServerFrame = Annotated[
    Welcome | EventFrame | EventsFrame | Ack | ErrorFrame | StatusFrame | Pong | ViewFrame,
    Field(discriminator="type"),
]
ClientFrame = Annotated[CommandFrame | PingFrame | ViewRequest, Field(discriminator="type")]

# error codes the server itself uses (the engine's codes come from CommandError)
ERROR_CODES = {
    "bad_json": "the frame is not valid JSON",
    "bad_frame": "the frame is JSON but not a known frame shape",
    "unknown_type": "the frame's type is not one the server knows",
    "bad_command": "the command does not match its schema",
    "too_large": "the frame is over the size limit",
    "rate_limited": "too many frames from this token, or joins or new games from this address (429)",
    "too_many_connections": "this token already holds its share of websockets (closed with 4429)",
    "too_many_players": "the team (or the game's observers) is full (409)",
    "payload_too_large": "the REST request body is over the size limit (413)",
    "bad_request": "the REST body does not match its schema (422)",
    "bad_code": "the join code is not valid for this game, or was rotated (403)",
    "bad_token": "the token is not valid for this game, or its player was removed (401; 4401 on connect)",
    "unknown_game": "no such game (404; 4404 on connect)",
    "forbidden": "this token may not do that",
    "organiser_key_required": "creating a game on this server needs the organiser key "
    "(Authorization: Bearer <key>): 401 without one, 403 with a wrong one",
    "paused": "the facilitator has paused the game",
    "conflict": "another command changed the game first; it was refused",
    "store_unavailable": "the event store cannot be reached; nothing was written",
    "store_lost": "the event store no longer holds this server's games (Redis restarted without its data, "
    "or was flushed): 503 on REST and /api/health; on connect the socket closes with 1013",
    "press_off": "the facilitator has switched the press channel off",
}


# ---------------------------------------------------------------------- REST bodies


class CreateGame(_In):
    scenario: str = Field(max_length=80)
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)
    bots: dict[TeamId, str] = Field(default_factory=dict, description="team -> persona id")
    deadlines: dict[Phase, Annotated[int, Field(ge=1, le=7 * 24 * 3600)]] = Field(
        default_factory=dict, description="seconds per phase; a phase without one waits for ready flags"
    )
    press: Literal["on", "off"] = "on"
    missed_orders: Literal["bot", "hold"] = Field(
        default="bot", description="at the orders deadline a seat without orders is played by a bot, or holds"
    )
    seats: dict[TeamId, list[str]] = Field(
        default_factory=dict, description="player seats in play per team (default: one seat per team)"
    )
    name: Name = Field(default="", max_length=120)


class GameCreated(_Out):
    game_id: str
    facilitator_token: str
    join_codes: dict[str, str] = Field(description="us, mx, cn, ca and observer")


class JoinGame(_In):
    join_code: str = Field(min_length=1, max_length=128)
    name: Name = Field(min_length=1, max_length=60, description="control characters are removed")
    seat: str | None = Field(default=None, max_length=40)


class Joined(_Out):
    token: str
    team: TeamId | None
    seat: str | None
    role: Literal["player", "observer"]
    player_id: str


class CodeRotated(_Out):
    """A team's new join code, shown this once (the server keeps only its hash); the old one no
    longer joins. Players who already joined keep their tokens."""

    team: str = Field(description="us, mx, cn, ca or observer")
    join_code: str


class GameSummary(_Out):
    game_id: str
    name: str = ""
    scenario: str
    created: float
    turn: int = 0
    turns: int = 0
    phase: str = ""
    ended: bool = False
    bots: dict[str, str] = Field(default_factory=dict)
    players: dict[str, int] = Field(default_factory=dict, description="connected players per team")


class GameRemoved(_Out):
    """The answer to archiving (``POST /api/games/{id}/archive``) or deleting (``DELETE /api/games/{id}``)."""

    game_id: str
    removed: Literal["archived", "deleted"]


class ScenarioSummary(_Out):
    id: str
    title: str
    summary: str
    turns: int
    months_per_turn: int
    start: str
    seats: dict[str, list[str]]


class Health(_Out):
    status: Literal["ok", "degraded", "store_lost"] = Field(
        description="degraded: the store cannot be reached; store_lost (HTTP 503): it answers but no "
        "longer holds the games it held (see message)"
    )
    message: str = Field(default="", description="what is wrong, when status is not ok")
    store: str
    store_ok: bool
    protocol: int = PROTOCOL_VERSION
    version: str
    games_loaded: int = Field(description="games in this server's memory: those played or ticking lately")
    games_led: int = Field(
        default=0,
        description="loaded games whose phase clock and bots run on this server (with Redis: the game "
        "leases it holds; otherwise every loaded game)",
    )
    instance: str = Field(default="", description="this server process's name, the holder of its leases")
    organiser_key_required: bool = Field(
        default=False, description="whether POST /api/games needs the organiser key (see docs/deploy.md)"
    )
    durability: Literal["durable", "snapshots", "none", "unknown"] = Field(
        default="unknown",
        description="whether acknowledged events survive a crash of the store: Redis without appendonly "
        "is 'snapshots' or 'none'; the memory store is 'none'",
    )


def protocol_schema() -> dict[str, Any]:
    """JSON Schema of every frame and body, for `precursor schema protocol`."""
    from pydantic import TypeAdapter

    out: dict[str, Any] = {"protocol": PROTOCOL_VERSION, "versions": PROTOCOL_VERSIONS, "definitions": {}}
    models: dict[str, Any] = {
        "ClientFrame": ClientFrame,
        "ServerFrame": ServerFrame,
        "Command": Command,
        "SessionCommand": SessionCommand,
        "CreateGame": CreateGame,
        "GameCreated": GameCreated,
        "JoinGame": JoinGame,
        "Joined": Joined,
        "CodeRotated": CodeRotated,
        "GameSummary": GameSummary,
        "GameRemoved": GameRemoved,
        "ScenarioSummary": ScenarioSummary,
        "Health": Health,
    }
    for name, model in models.items():
        out["definitions"][name] = TypeAdapter(model).json_schema()
    out["error_codes"] = ERROR_CODES
    return out
