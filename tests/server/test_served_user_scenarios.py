"""A server offers the scenarios a user wrote beside the shipped ones, and can start a game of one."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from live_server import ROOT, ServerProcess, running_server


def _my_scenarios(tmp_path: Path) -> Path:
    folder = tmp_path / "mine"
    folder.mkdir()
    text = (ROOT / "scenarios" / "tutorial.yaml").read_text(encoding="utf-8")
    text = text.replace("\n  id: tutorial\n", "\n  id: my-scenario\n")
    (folder / "my-scenario.yaml").write_text(text, encoding="utf-8")
    return folder


def test_precursor_serve_offers_the_users_scenarios(tmp_path: Path) -> None:
    server = ServerProcess(env={"PRECURSOR_SCENARIOS_PATH": str(_my_scenarios(tmp_path))})
    server.start()
    try:
        with httpx.Client(base_url=server.url, trust_env=False, timeout=10) as http:
            ids = {s["id"] for s in http.get("/api/scenarios").json()}
            assert {"my-scenario", "tutorial", "loose-talk"} <= ids
            made = http.post("/api/games", json={"scenario": "my-scenario"})
            assert made.status_code == 201, made.text
    finally:
        server.stop()


@pytest.mark.asyncio
async def test_create_app_takes_the_scenarios_path_setting(tmp_path: Path) -> None:
    async with (
        running_server(scenarios_path=str(_my_scenarios(tmp_path))) as url,
        httpx.AsyncClient(base_url=url, trust_env=False) as http,
    ):
        ids = {s["id"] for s in (await http.get("/api/scenarios")).json()}
    assert "my-scenario" in ids
