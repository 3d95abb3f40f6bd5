"""`precursor web`: textual-serve serves the page, and its websocket starts the real client.

The browser side is played by a websocket client: it opens ``/ws`` the way textual-serve's page does
(``?width=…&height=…``), textual-serve starts the configured command (``python -m precursor.cli play
URL``) under Textual's web driver, and the terminal output that comes back must show the lobby filled
from the game server — so the page, the command line and the client's connection all work.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys

import httpx
from live_server import ROOT, free_port, running_server
from websockets.asyncio.client import connect

from precursor.game.rulebook import default_rulebook

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|\x1b\][^\x07]*\x07")


async def _get(url: str, timeout: float = 20.0) -> httpx.Response:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    async with httpx.AsyncClient(trust_env=False) as http:
        while True:
            try:
                return await http.get(url, timeout=2)
            except httpx.TransportError:
                if loop.time() > end:
                    raise
                await asyncio.sleep(0.1)


async def test_precursor_web_serves_the_page_and_its_websocket_starts_the_client() -> None:
    async with running_server("memory://") as url:
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "precursor.cli", "web", "--port", str(port), url],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: the app processes it starts end with it
            env={**os.environ, "NO_PROXY": "*"},
        )
        try:
            page = await _get(f"http://127.0.0.1:{port}/")
            assert page.status_code == 200 and "text/html" in page.headers["content-type"]
            html = page.text
            assert "<!DOCTYPE html>" in html and "textual.js" in html
            assert f"ws://127.0.0.1:{port}/ws" in html  # where the page's terminal connects
            assert "Precursor" in html  # the configured title

            screen = ""
            async with connect(f"ws://127.0.0.1:{port}/ws?width=100&height=30", proxy=None) as ws:
                loop = asyncio.get_running_loop()
                end = loop.time() + 30
                out = bytearray()
                while loop.time() < end:
                    try:
                        frame = await asyncio.wait_for(ws.recv(), max(0.1, end - loop.time()))
                    except TimeoutError:
                        break
                    if isinstance(frame, bytes):
                        out += frame
                        screen = ANSI.sub("", out.decode("utf-8", "replace"))
                        if re.search(r"\d+ scenarios, \d+ games", screen):
                            break
                assert "Precursor lobby" in screen, screen[-2000:]
                assert url in screen  # `play URL` reached the client
                shipped = len(default_rulebook().scenarios)
                assert f"{shipped} scenarios, 0 games" in screen, screen[-2000:]  # filled from the server
                # keys typed in the browser reach the app: ctrl+n opens the new-game form
                await ws.send('["stdin", "\\u000e"]')
                end = loop.time() + 15
                while loop.time() < end and "Each team: human players" not in screen:
                    with contextlib.suppress(TimeoutError):
                        frame = await asyncio.wait_for(ws.recv(), 1)
                        if isinstance(frame, bytes):
                            out += frame
                            screen = ANSI.sub("", out.decode("utf-8", "replace"))
                assert "Each team: human players" in screen
            # the browser tab closes: textual-serve ends the app's process
            await asyncio.sleep(0.5)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
            err = proc.stderr.read().decode() if proc.stderr else ""
            if proc.stderr:
                proc.stderr.close()
        # textual-serve may complain about its own pipes as it shuts down; nothing of ours may fail
        assert not re.search(r"File \"[^\"]*(client_tui|precursor)/", err), err
