"""A server given an override file (docs/rules-format.md, "Override files") offers the scenarios as
overridden, and the shipped ones all stay."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from live_server import running_server


@pytest.mark.asyncio
async def test_the_server_takes_an_override_file_as_a_rules_path(tmp_path: Path) -> None:
    override = tmp_path / "my-overrides.yaml"
    override.write_text(
        "overrides:\n  - set: scenarios/tutorial/turns\n    value: 5\n"
        "  - set: scenarios/tutorial/title\n    value: The long tutorial\n",
        encoding="utf-8",
    )
    async with (
        running_server(rules_path=str(override)) as url,
        httpx.AsyncClient(base_url=url, trust_env=False) as http,
    ):
        rows = {s["id"]: s for s in (await http.get("/api/scenarios")).json()}
        made = await http.post("/api/games", json={"scenario": "tutorial"})
    assert made.status_code == 201, made.text
    assert (rows["tutorial"]["turns"], rows["tutorial"]["title"]) == (5, "The long tutorial")
    assert rows["loose-talk"]["turns"] > 0 and len(rows) >= 7
