"""Accessibility: the client at 80×24 by keys alone, the monochrome theme, and NO_COLOR."""

from __future__ import annotations

import re
from typing import Any

import pytest
from test_tui_support import close_cards, new_game, screen_text, seat_app, until_online, wait_until
from textual.app import App
from textual.widget import Widget
from textual.widgets import Input, OptionList, TabbedContent
from textual.widgets.tabbed_content import ContentTabs

import client_tui.app as tui_app
from client_tui.app import PrecursorApp
from client_tui.lobby import CodesScreen, CreateGameScreen
from precursor import cli

TABS = ["briefing", "dashboard", "channels", "proposals", "orders", "results", "control"]
# the main widget of each tab: it must be on screen (not cut off) at 80×24
MAIN = {
    "briefing": "#brief-scroll",
    "dashboard": "#indicators",
    "channels": "#composer",
    "proposals": "#propose",
    "orders": "#submit",
    "results": "#result-log",
    "control": "#f-advance",
}


def _on_screen(app: App[Any], widget: Widget) -> bool:
    """The whole widget lies inside the terminal (and above the footer)."""
    r = widget.region
    w, h = app.size
    return r.width > 0 and r.height > 0 and r.x >= 0 and r.right <= w and r.bottom <= h - 1


def _colours(svg: str) -> set[str]:
    """The colours of the terminal's text and cell backgrounds in an SVG screenshot (not the window
    chrome Rich draws around it)."""
    text = re.findall(r"\.terminal-r\d+ \{ fill: (#[0-9a-fA-F]{6})", svg)
    cells = re.findall(r'<rect fill="(#[0-9a-fA-F]{6})"', svg)
    return {c.lower() for c in text + cells}


def _grey(colour: str) -> bool:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return max(r, g, b) - min(r, g, b) <= 4  # Rich's default foreground is #c5c8c6


async def test_every_tab_is_reachable_by_keys_at_80x24(url: str) -> None:
    g, _ = await new_game(url, teams=())
    app = seat_app(url, g, g.facilitator_token)
    async with app.run_test(size=(80, 24)) as pilot:
        gs = await until_online(pilot)
        tabs = gs.query_one("#tabs", TabbedContent)
        # digits when no text field has the focus
        for digit, tab in zip("1245673", TABS[:2] + TABS[3:] + ["channels"], strict=True):
            if isinstance(gs.focused, Input):
                await pilot.press("escape")  # out of the field: the digits are keys again
                assert not isinstance(gs.focused, Input)
            await pilot.press(digit)
            await wait_until(pilot, lambda t=tab: tabs.active == t, what=f"tab {tab}")  # type: ignore[misc]
            await pilot.pause()
            assert _on_screen(app, gs.query_one(MAIN[tab])), (tab, gs.query_one(MAIN[tab]).region)
            assert screen_text(app).strip()
        # F2…F8 from inside a text field (`3` opens the channels tab at its list; Enter: the message box)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(gs.focused, Input), what="the message box")
        for n, tab in enumerate(TABS, start=2):
            await pilot.press(f"f{n}")
            await wait_until(pilot, lambda t=tab: tabs.active == t, what=f"tab {tab} by F{n}")  # type: ignore[misc]
            await pilot.pause()
            assert _on_screen(app, gs.query_one(MAIN[tab])), tab
        # Tab moves the focus through the control tab's fields and buttons
        assert gs.focused is not None and gs.focused.id == "f-pause"  # the tab focuses its first button
        focused = set()
        for _ in range(12):
            await pilot.press("tab")
            if gs.focused is not None:
                focused.add(gs.focused.id)
        assert {"f-resume", "f-extend", "f-advance", "f-inject", "f-release", "f-title"} <= focused
        assert app.is_running and app.return_code is None


async def test_lobby_forms_fit_80x24_and_work_by_keys(url: str) -> None:
    app = PrecursorApp(url)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: "scenarios" in str(app.screen.query_one("#lobby-status").render()))
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateGameScreen))
        form = app.screen
        await wait_until(pilot, lambda: form.query_one("#scenario").value is not None)  # type: ignore[attr-defined]
        for wid in ("#scenario", "#seed", "#bot-us", "#do-create"):
            assert _on_screen(app, form.query_one(wid)), wid
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, CodesScreen))
        assert _on_screen(app, app.screen.query_one("#codes-text"))
        assert _on_screen(app, app.screen.query_one("#facilitate"))
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, CodesScreen))
        assert app.is_running


async def test_mono_theme_applies_and_draws_in_greys_only(url: str) -> None:
    g, tokens = await new_game(url, teams=("us",))
    app = seat_app(url, g, tokens["us"], mono=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_online(pilot)
        assert app.theme == "mono"
        for key in ("1", "2", "5"):
            await pilot.press(key)
            await pilot.pause()
            colours = _colours(app.export_screenshot())
            assert colours and all(_grey(c) for c in colours), sorted(c for c in colours if not _grey(c))


def test_play_mono_flag_reaches_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    themes: list[tuple[str, str]] = []

    def fake_run(self: PrecursorApp, *a: Any, **kw: Any) -> None:
        themes.append((self.url, self.theme))

    monkeypatch.setattr(tui_app.PrecursorApp, "run", fake_run)
    assert cli.main(["play", "--mono", "http://127.0.0.1:9"]) == 0
    assert cli.main(["play", "http://127.0.0.1:9"]) == 0
    assert themes[0] == ("http://127.0.0.1:9", "mono") and themes[1][1] != "mono"


async def test_no_color_still_renders_without_colour(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    g, tokens = await new_game(url, teams=("mx",))
    monkeypatch.setenv("NO_COLOR", "1")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        await until_online(pilot)
        assert app.no_color
        await pilot.press("2")
        await pilot.pause()
        text = screen_text(app)
        assert "MX │ T1/3 briefing" in text and "● online" in text and "indicator" in text
        colours = _colours(app.export_screenshot())
        assert all(_grey(c) for c in colours), sorted(c for c in colours if not _grey(c))
        # states are words and symbols, not colours: the ready marks and the connection say it
        assert re.search(r"ready US· MX· CN· CA·", text)


async def test_the_focused_widget_is_marked_without_colour(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under NO_COLOR the focus used to be shown by colour only (a field's border, a list's row), so
    it was not shown at all: a text field's border turns double, a pane that scrolls gets a bar on its
    left edge, a list's highlighted row and the tab bar's active tab are reversed."""
    g, tokens = await new_game(url, teams=("mx",))
    monkeypatch.setenv("NO_COLOR", "1")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        gs = await until_online(pilot)
        assert app.no_color
        await close_cards(pilot)

        def rows(widget: Widget) -> list[str]:
            lines = screen_text(app).splitlines()
            r = widget.region
            return [line[r.x : r.right] for line in lines[r.y : r.bottom]]

        await pilot.press("3", "enter")  # the tab opens at the channel list: Enter goes to its box
        composer = gs.query_one("#composer", Input)
        await wait_until(pilot, lambda: gs.focused is composer)
        await pilot.pause()
        assert rows(composer)[0].startswith("╔") and rows(composer)[-1].startswith("╚"), rows(composer)
        await pilot.press("escape")  # onto the tab bar
        await pilot.pause()
        assert not rows(composer)[0].startswith("╔"), rows(composer)
        bar = gs.query_one(ContentTabs)
        assert gs.focused is bar and bar.query_one("Tab.-active").rich_style.reverse

        await pilot.press("1")
        brief = gs.query_one("#brief-scroll")
        await wait_until(pilot, lambda: gs.focused is brief)
        await pilot.pause()
        assert all(r.startswith("█") for r in rows(brief)), rows(brief)
        await pilot.press("shift+tab")  # Esc leaves text fields only: the focus moves on another way
        await pilot.pause()
        assert gs.focused is not brief
        assert not any(r.startswith("█") for r in rows(brief)), rows(brief)

        await pilot.press("5")
        orders = gs.query_one("#order-list", OptionList)
        await wait_until(pilot, lambda: gs.focused is orders)
        await pilot.pause()
        assert orders.get_component_rich_style("option-list--option-highlighted").reverse
