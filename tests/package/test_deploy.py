"""The deployment files hold what docs/deploy.md promises: two servers on one Redis with its append-only
file, a proxy that spreads websockets over them, health checks everywhere, and an image that runs as
an unprivileged user with a health check that follows the server's own settings."""

from __future__ import annotations

import asyncio
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from live_server import free_port, running_server

from server import healthcheck

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    return data


def _command(service: dict[str, Any]) -> list[str]:
    cmd = service.get("command", [])
    return shlex.split(cmd) if isinstance(cmd, str) else [str(c) for c in cmd]


def _servers(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services built from this repository (the game servers)."""
    return {name: s for name, s in compose["services"].items() if s.get("build") in (".", "./")}


def test_two_game_servers_share_one_redis_store_and_one_organiser_key(compose: dict[str, Any]) -> None:
    servers = _servers(compose)
    assert len(servers) == 2, sorted(servers)
    stores = {s["environment"]["PRECURSOR_STORE"] for s in servers.values()}
    assert len(stores) == 1
    (store,) = stores
    host = re.match(r"redis://([^:/]+)", store)
    assert host is not None, store
    assert host.group(1) in compose["services"], "the store URL names the redis service"
    # each server would otherwise make up its own key, and creation would work on one of the two
    keys = {s["environment"]["PRECURSOR_ORGANISER_KEY"] for s in servers.values()}
    assert len(keys) == 1 and "PRECURSOR_ORGANISER_KEY" in keys.pop()
    for s in servers.values():
        assert s["depends_on"]["redis"]["condition"] == "service_healthy"
        assert "ports" not in s, "only the proxy is reachable from outside"


def test_redis_keeps_an_append_only_file_on_a_volume(compose: dict[str, Any]) -> None:
    redis = compose["services"]["redis"]
    cmd = _command(redis)
    assert cmd[0] == "redis-server"
    assert cmd[cmd.index("--appendonly") + 1] == "yes"
    assert any(str(v).endswith(":/data") for v in redis["volumes"])


def test_a_proxy_spreads_over_both_servers_and_is_the_only_published_service(
    compose: dict[str, Any],
) -> None:
    proxy = compose["services"]["proxy"]
    assert proxy["image"].startswith(("caddy", "nginx"))
    published = [name for name, s in compose["services"].items() if s.get("ports")]
    assert published == ["proxy"]
    (config,) = (compose["configs"][c["source"]]["content"] for c in proxy["configs"])
    for name in _servers(compose):
        assert f"{name}:8765" in config
    if proxy["image"].startswith("nginx"):  # caddy passes websocket upgrades through by itself
        assert "Upgrade $http_upgrade" in config and 'Connection "upgrade"' in config
    assert "health_uri /api/health" in config


def test_every_service_has_a_health_check(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        test = service.get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), name
    for service in _servers(compose).values():
        assert service["healthcheck"]["test"][1:] == ["python", "-m", "server.healthcheck"]


def _instructions(text: str) -> list[tuple[str, str]]:
    """Dockerfile instructions with their continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_the_image_runs_the_server_unprivileged_with_a_health_check() -> None:
    steps = _instructions((ROOT / "Dockerfile").read_text(encoding="utf-8"))
    froms = [rest for word, rest in steps if word == "FROM"]
    assert all(f.startswith("python:3.11-slim") for f in froms)
    final = max(i for i, (word, _) in enumerate(steps) if word == "FROM")
    runtime = steps[final:]
    users = [rest for word, rest in runtime if word == "USER"]
    assert users and users[-1] not in ("root", "0", "0:0")
    assert any(
        word == "RUN" and "pip install" in rest and rest.rstrip().endswith(" '.[server]'")
        for word, rest in steps
    )
    (check,) = [rest for word, rest in runtime if word == "HEALTHCHECK"]
    assert "server.healthcheck" in check
    (cmd,) = [rest for word, rest in runtime if word == "CMD"]
    assert 'precursor serve --host 0.0.0.0 --store \\"$PRECURSOR_STORE\\"' in cmd
    # the build context leaves out what the image does not need (and the git history)
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".git" in ignored and ".venv" in ignored


async def test_the_health_check_passes_on_a_healthy_server_and_fails_on_none() -> None:
    async with running_server("memory://") as url:
        # blocking calls, as in the container: off this loop, which runs the server
        ok, line = await asyncio.to_thread(healthcheck.check, f"{url}/api/health")
        assert ok, line
        assert await asyncio.to_thread(healthcheck.main, [f"{url}/api/health"]) == 0
    ok, line = healthcheck.check(f"http://127.0.0.1:{free_port()}/api/health", timeout=2)
    assert not ok and "127.0.0.1" in line


def test_the_health_check_follows_the_server_s_port_and_tls_settings() -> None:
    assert healthcheck.health_url({}) == "http://127.0.0.1:8765/api/health"
    env = {"PRECURSOR_PORT": "9000", "PRECURSOR_SSL_CERTFILE": "/certs/fullchain.pem"}
    assert healthcheck.health_url(env) == "https://127.0.0.1:9000/api/health"
