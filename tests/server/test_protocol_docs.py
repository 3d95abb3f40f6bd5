"""docs/protocol.md's example agent runs as written, and the protocol schema is printable."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from live_server import running_server

from precursor.client import GameClient, LobbyClient

ROOT = Path(__file__).resolve().parents[2]


def agent_source() -> str:
    text = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 1
    return blocks[0]


def test_the_documented_agent_is_about_thirty_lines() -> None:
    lines = [ln for ln in agent_source().splitlines() if ln.strip()]
    assert 20 <= len(lines) <= 36


async def test_the_documented_agent_plays_a_whole_game() -> None:
    ns: dict[str, Any] = {"__name__": "agent"}
    exec(compile(agent_source(), "protocol.md", "exec"), ns)  # the doc's code, unchanged
    async with running_server("memory://") as url:
        async with LobbyClient(url) as lobby:
            g = await lobby.create_game(
                "tutorial", seed=5, bots={"us": "default", "cn": "default", "ca": "default"}
            )
        await asyncio.wait_for(ns["main"](url, g.game_id, g.join_codes["mx"]), 60)
        async with GameClient(url, g.game_id, g.facilitator_token, since=0) as fac:
            w = await fac.next_frame()
            assert w["view"]["ended"] is True
            events = []
            while len(events) < w["seq"]:
                f = await fac.next_frame()
                if f["type"] == "event":
                    events.append(f["event"])
    said = [e for e in events if e["type"] == "message" and e.get("text") == "Mexico is at the table."]
    assert len(said) == 1
    mx_orders = [e for e in events if e["type"] == "orders_submitted" and e["team"] == "mx"]
    assert len(mx_orders) == 3  # one per turn of the tutorial
    assert any(e["type"] == "game_over" for e in events)


def test_schema_protocol_prints_every_frame() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "precursor.cli", "schema", "protocol"],
        capture_output=True,
        text=True,
        check=True,
    )
    schema = json.loads(out.stdout)
    assert schema["protocol"] == 2
    assert {"ClientFrame", "ServerFrame", "CreateGame", "Joined"} <= set(schema["definitions"])
    server_frames = json.dumps(schema["definitions"]["ServerFrame"])
    for name in ("welcome", "event", "events", "ack", "error", "status", "view"):
        assert f'"const": "{name}"' in server_frames
