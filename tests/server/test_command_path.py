"""The shortcuts of the per-frame path give exactly what the general path gives: a command validated
against the one model its ``type`` names equals the discriminated union's result (or fails with the
union's own error), and an ack written without the encoder is the text ``json.dumps`` made."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from live_server import running_server
from pydantic import ValidationError
from websockets.asyncio.client import connect

from precursor.client import LobbyClient
from precursor.protocol import SESSION_TYPES
from server import app

BODIES: list[dict[str, Any]] = [
    {"type": "message", "channel": "all", "text": "hello"},
    {"type": "message", "channel": "ch.us_mx", "text": "x" * 4000},
    {"type": "message", "channel": "all", "text": ""},
    {"type": "message", "channel": "all", "text": "x" * 4001},
    {"type": "message", "channel": "all"},
    {"type": "message", "channel": 5, "text": "hi"},
    {"type": "message", "channel": "all", "text": "hi", "extra": True},
    {"type": "ready"},
    {"type": "ready", "seat": "us1"},
    {"type": "advance", "turn": 1, "phase": "orders"},
    {"type": "advance", "turn": "one"},
    {"type": "submit_orders", "orders": [{"lever": "US-1", "params": {"a": 1.5}}]},
    {"type": "submit_orders", "orders": [{"lever": "US-1", "params": {"a": [1]}}]},
    {"type": "submit_orders"},
    {"type": "open_channel", "members": ["us", "mx"]},
    {"type": "open_channel", "members": ["us", "zz"]},
    {"type": "propose", "parties": ["us", "mx"], "terms": "t"},
    {"type": "respond", "proposal": "p1", "accept": True},
    {"type": "note", "text": "why"},
    {"type": "pause"},
    {"type": "resume", "why": 1},
    {"type": "extend", "seconds": 30},
    {"type": "extend", "seconds": "soon"},
    {"type": "set_controller", "team": "us", "controller": "bot"},
    {"type": "remove_player", "player": "p1"},
    {"type": "remove_player"},
    {"type": "nonsense"},
    {"type": 5},
    {"type": None},
    {},
]


def _outcome(validate: Any, body: dict[str, Any]) -> tuple[Any, ...]:
    try:
        return ("ok", validate(body))
    except ValidationError as exc:
        first = exc.errors()[0]
        return ("error", first["loc"], first["msg"])


def _union(body: dict[str, Any]) -> Any:
    kind = body.get("type")
    session = isinstance(kind, str) and kind in SESSION_TYPES
    return app._SESSION.validate_python(body) if session else app._COMMAND.validate_python(body)


@pytest.mark.parametrize("body", BODIES, ids=lambda b: f"{b.get('type')}:{len(json.dumps(b))}")
def test_a_command_validated_by_its_type_is_what_the_union_makes_of_it(body: dict[str, Any]) -> None:
    """Valid: the same model with the same fields; invalid: the union's error, word for word (what the
    error frame says)."""
    got, want = _outcome(app._validate, body), _outcome(_union, body)
    assert got == want
    if got[0] == "ok":
        assert type(got[1]) is type(want[1])


async def test_acks_are_the_text_json_dumps_makes_of_them() -> None:
    """Ids with quotes, backslashes, controls and non-ASCII letters: each ack is byte for byte
    ``json.dumps({"type": "ack", "id": cid, "seq": seq})`` without spaces, as it always was."""
    ids = ["plain", 'quo"te', "back\\slash", "tab\there", "ñandú", "雪", "😀", "x" * 64]
    async with running_server() as url:
        async with LobbyClient(url) as lobby:
            g = await lobby.create_game("tutorial", seed=1)
        ws_url = url.replace("http://", "ws://") + f"/ws/games/{g.game_id}?token={g.facilitator_token}"
        async with connect(ws_url, proxy=None, compression=None, open_timeout=10) as ws:
            await ws.recv()  # welcome
            for cid in ids:
                await ws.send(json.dumps({"type": "command", "id": cid, "command": {"type": "pause"}}))
                await ws.send(json.dumps({"type": "command", "id": cid, "command": {"type": "resume"}}))
            acks: list[str] = []
            while len(acks) < 2 * len(ids):
                text = await asyncio.wait_for(ws.recv(), 10)
                assert isinstance(text, str)
                if json.loads(text)["type"] == "ack":
                    acks.append(text)
    for text, cid in zip(acks, [c for c in ids for _ in (1, 2)], strict=True):
        seq = json.loads(text)["seq"]
        assert isinstance(seq, int)
        assert text == json.dumps({"type": "ack", "id": cid, "seq": seq}, separators=(",", ":"))


# ---------------------------------------------------------------------- the connection's writes


def _connection(send: Any, max_bytes: int = 1 << 20) -> Any:
    from server.room import Connection

    async def close(_code: int, _reason: str) -> None:
        return None

    return Connection("us", "player", "us", "us1", "p1", "n", 100, send, close, max_bytes)


async def _settle(turns: int = 5) -> None:
    for _ in range(turns):
        await asyncio.sleep(0)


async def test_a_frame_for_an_idle_connection_is_written_by_push_itself() -> None:
    """The writer task waits on an empty queue: the frame is on the socket when ``push`` returns, with
    no task switch for it; frames keep their order and nothing stays counted as queued."""
    sent: list[str] = []

    async def send(frame: str) -> None:
        sent.append(frame)

    c = _connection(send)
    writer = asyncio.create_task(c.writer())
    await _settle()
    c.push("one")
    assert sent == ["one"]
    c.push("two")
    c.push("three")
    assert sent == ["one", "two", "three"] and c.queued_bytes == 0
    c.shut()
    await asyncio.wait_for(writer, 5)


async def test_a_write_that_has_to_wait_goes_first_and_counts_against_the_byte_limit() -> None:
    """A socket that is not draining: the write ``push`` started waits in the writer task, the frames
    pushed meanwhile queue behind it and go out after it, in order; its bytes count as unsent until it
    is done, so a client that never reads is still dropped at the limit."""
    gate = asyncio.Event()
    sent: list[str] = []

    async def send(frame: str) -> None:
        if not gate.is_set():
            await gate.wait()
        sent.append(frame)

    c = _connection(send, max_bytes=20)
    writer = asyncio.create_task(c.writer())
    await _settle()
    c.push("first")
    c.push("second")
    await _settle()
    assert sent == [] and c.queued_bytes == len("first") + len("second")
    gate.set()
    await _settle(20)
    assert sent == ["first", "second"] and c.queued_bytes == 0
    gate.clear()
    c.push("x" * 15)  # written by push, then blocked
    await _settle()
    assert not c.closed and c.queued_bytes == 15
    c.push("y" * 10)  # 25 bytes unsent > 20: dropped
    assert c.closed and c.reason.startswith("too slow")
    gate.set()
    await asyncio.wait_for(writer, 5)
    assert sent[-1] == "x" * 15 and "y" * 10 not in sent


async def test_a_write_that_fails_ends_the_writer_task_with_its_error() -> None:
    """As a failed write in the writer task always did (the socket handler then closes up)."""

    async def send(frame: str) -> None:
        raise RuntimeError(f"socket gone before {frame}")

    c = _connection(send)
    writer = asyncio.create_task(c.writer())
    await _settle()
    c.push("lost")
    with pytest.raises(RuntimeError, match="socket gone before lost"):
        await asyncio.wait_for(writer, 5)
