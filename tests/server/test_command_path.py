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
