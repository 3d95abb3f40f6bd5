"""The docs' two browser screenshots of `precursor web` (a maintainer's tool, not a test): the lobby after
the first click, then Mexico's dashboard after joining a tutorial game against three bots with a code.

Needs Debian's chromium and playwright (no browser download: it drives /usr/bin/chromium), e.g.
`pip install --target /tmp/pw playwright` (or into the venv; playwright is not one of the project's
dependencies, and `playwright install` is not needed). Start the servers first, from the repository root:
`precursor serve --store memory:// --port 8766` and `precursor web http://127.0.0.1:8766 --port 8011`,
then `PYTHONPATH=. python docs/tools/web_game_screenshots.py`; it writes docs/img/web-lobby.png and
docs/img/web-dashboard.png.
"""

import asyncio, sys
sys.path.insert(0, "/tmp/pw")  # where `pip install --target /tmp/pw playwright` put it
from playwright.sync_api import sync_playwright
from precursor.client import LobbyClient

async def make_game():
    async with LobbyClient("http://127.0.0.1:8766") as lobby:
        g = await lobby.create_game("tutorial", seed=5, bots={"us": "default", "cn": "default", "ca": "default"})
        return g.join_codes["mx"]

code = asyncio.run(make_game())
with sync_playwright() as pw:
    # headless, and nothing that reaches past 127.0.0.1; Playwright gives the browser a fresh
    # user-data-dir of its own (a temporary one, removed on close)
    browser = pw.chromium.launch(
        executable_path="/usr/bin/chromium",
        headless=True,
        args=[
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    )
    page = browser.new_page(viewport={"width": 1200, "height": 760})
    page.goto("http://127.0.0.1:8011")
    page.mouse.click(600, 380)  # textual-serve starts the app on the first click
    page.wait_for_timeout(7000)
    page.screenshot(path="docs/img/web-lobby.png")
    # the lobby's code field has the focus after a click on it: type the code, a name, Enter
    page.mouse.click(200, 656)
    page.keyboard.type(code)
    page.mouse.click(590, 656)
    page.keyboard.type("Ana")
    page.keyboard.press("Enter")
    page.wait_for_timeout(6000)
    page.keyboard.press("Escape")  # the turn's injects come up as cards
    page.wait_for_timeout(1000)
    page.keyboard.press("2")
    page.wait_for_timeout(2000)
    page.screenshot(path="docs/img/web-dashboard.png")
    browser.close()
