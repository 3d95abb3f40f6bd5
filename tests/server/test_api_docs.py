"""The API pages (/docs, /redoc) and what /openapi.json says about errors.

The pages must work on a network that reaches nothing but the server (a classroom without internet):
every script, stylesheet and icon they load comes from the server itself."""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from live_server import running_server

# src="..." and href="..." attributes, and the spec url Swagger UI's inline script fetches
_URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*["']([^"']+)["']""")


@pytest.mark.asyncio
@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_api_pages_load_everything_from_the_server(page: str) -> None:
    async with running_server() as url, httpx.AsyncClient(base_url=url, trust_env=False) as http:
        html = await http.get(page)
        assert html.status_code == 200
        found = [a or b for a, b in _URL.findall(html.text)]
        assert any(u.endswith(".js") for u in found), found  # the page does load a script
        here = urlsplit(url).netloc
        for ref in found:
            full = urljoin(f"{url}{page}", ref)
            assert urlsplit(full).netloc == here, f"{page} loads {ref} from another host"
            got = await http.get(full)
            assert got.status_code == 200, f"{page}: {ref} -> {got.status_code}"
            assert got.content, ref


@pytest.mark.asyncio
async def test_swagger_ui_renders_the_api_in_a_headless_browser(tmp_path: Path) -> None:
    """The page really works, scripts and all: headless Chromium draws an entry per endpoint. Every
    background service of the browser is off, so its only traffic is to the loopback server."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no chromium on this machine")
    async with running_server() as url:
        proc = await asyncio.create_subprocess_exec(
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
            "--disable-domain-reliability", f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=10000", "--dump-dom", f"{url}/docs",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), 60)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    dom = out.decode("utf-8", "replace")
    assert 'data-path="/api/scenarios"' in dom
    assert 'data-path="/api/games/{game_id}/join"' in dom


@pytest.mark.asyncio
async def test_openapi_documents_the_error_body_the_server_sends() -> None:
    async with running_server() as url, httpx.AsyncClient(base_url=url, trust_env=False) as http:
        spec = (await http.get("/openapi.json")).json()
        refused = await http.post("/api/games/nope/join", json={"join_code": "x", "name": "ana"})
        malformed = await http.post("/api/games", json={"scenario": 5})
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas  # FastAPI's own 422 body, which is never sent
    assert set(schemas["ApiError"]["properties"]) == {"code", "message"}
    ref = "#/components/schemas/ApiError"
    documented: set[str] = set()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for status, resp in op["responses"].items():
                if status.startswith(("4", "5")):
                    schema = resp["content"]["application/json"]["schema"]
                    # the one exception: a health check that fails still answers with the health body
                    want = "#/components/schemas/Health" if (path, status) == ("/api/health", "503") else ref
                    assert schema == {"$ref": want}, f"{method} {path} {status}"
                    documented.add(status)
    assert {"400", "403", "404", "409", "422", "503"} <= documented
    join = spec["paths"]["/api/games/{game_id}/join"]["post"]["responses"]
    assert {"403", "404", "409", "422"} <= set(join)
    # and the bodies really have that shape
    assert refused.status_code == 404 and set(refused.json()) == {"code", "message"}
    assert malformed.status_code == 422 and malformed.json()["code"] == "bad_request"
