"""Take the docs' screenshot of `precursor web` in headless Chromium (a maintainer's tool, not a test).

Needs Debian's chromium (`apt-get install chromium`) and the playwright package (`pip install
playwright`; no browser download: it drives /usr/bin/chromium). Start a game server and the web client
first, e.g. `precursor serve --store memory:// --port 8766` and `precursor web http://127.0.0.1:8766
--port 8001`, then: `python docs/tools/web_screenshot.py http://127.0.0.1:8001 docs/img/web-lobby.png`.
"""

from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright


def main(url: str, out: str) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 760})
        page.goto(url)
        page.mouse.click(600, 380)  # textual-serve starts the app on the first click
        page.wait_for_timeout(6000)  # the app starts in a child process and fills the lobby from the server
        page.screenshot(path=out)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
