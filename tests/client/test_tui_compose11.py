"""Proposing and answering as a student who has never seen the game (issue 14): where the focus is in
the composer shows without colour, the arrows reach the proposals table after an answer, a clause list
keeps its place after a Delete, the lever list narrows as letters are typed, the table reads at 80x24,
conditional clauses are judged as conditional, and ids, framings and modules are said in words."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from live_server import running_server
from rich.console import Console
from test_tui_support import (
    close_cards,
    modal,
    new_game,
    screen_text,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, OptionList, Select

from client_tui.composer import ComposerScreen, ProposalScreen
from precursor.client import GameClient


@pytest.fixture
async def url() -> AsyncIterator[str]:
    async with running_server("memory://") as u:
        yield u


def uncoloured(app: App[Any]) -> str:
    """The screen as a terminal without colour draws it: the characters and their attributes (bold,
    reverse, underline), every colour dropped."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        no_color=True,
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return _SGR.sub(_attributes_only, console.export_text(styles=True))


_SGR = re.compile(r"\x1b\[([0-9;]*)m")


def _attributes_only(m: re.Match[str]) -> str:
    """An SGR sequence without its colours (38/48 with their arguments, 30–49, 90–107)."""
    params, kept = [int(p or 0) for p in m.group(1).split(";")], []
    while params:
        p = params.pop(0)
        if p in (38, 48):
            del params[: 4 if params and params[0] == 2 else 2]
        elif not (30 <= p <= 49 or 90 <= p <= 107):
            kept.append(str(p))
    return f"\x1b[{';'.join(kept)}m" if kept else ""


async def _composer(pilot: Pilot[Any]) -> ComposerScreen:
    await until_online(pilot)
    await close_cards(pilot)
    await pilot.press("4", "n")
    cs = await modal(pilot, ComposerScreen)
    assert isinstance(cs, ComposerScreen)
    return cs


async def _clause(pilot: Pilot[Any], cs: ComposerScreen, team: str, lever: str, **params: str) -> None:
    """A clause picked from the lists, as a click in each does, then added with ctrl+a."""
    cs.query_one("#c-team", Select).value = team
    await pilot.pause()
    cs.query_one("#c-lever", Select).value = lever
    await wait_until(pilot, lambda: cs.form.lever is not None and cs.form.lever.id == lever)
    await pilot.pause()
    for pid, value in params.items():
        field = cs.form._fields[pid]
        assert isinstance(field, Input)
        field.value = value
        field.focus()
    await pilot.press("ctrl+a")
    await pilot.pause()


# ---------------------------------------------------------------------- 1. focus you can see


async def test_every_tab_stop_in_the_composer_shows_without_colour_and_the_visibility_is_said(
    url: str,
) -> None:
    """A student counted Tabs to reach a field, landed on the visibility list and the proposal went
    private unnoticed: one Tab stop (the scrolling body) showed nothing at all without colour."""
    g, tokens = await new_game(url, teams=("mx", "us"))
    app = seat_app(url, g, tokens["mx"], mono=True)
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await _composer(pilot)
        unseen = []
        for w in cs.focus_chain:
            w.focus()
            await pilot.pause()
            focused = uncoloured(app)
            cs.set_focus(None)
            await pilot.pause()
            if uncoloured(app) == focused:
                unseen.append(w.id or type(w).__name__)
        assert unseen == [], unseen
        # which way the proposal goes is said beside the send button, whatever the scroll shows
        assert static_text(app, "#c-vis-said").startswith("private: only its parties know of it")
        cs.query_one("#c-vis", Select).value = "public"
        await pilot.pause()
        assert static_text(app, "#c-vis-said") == "public: every team sees it"


async def test_after_an_answer_or_a_closed_proposal_the_arrows_move_the_proposals_table(url: str) -> None:
    """After accepting, the focus sat on a button under the table: Down moved nothing and Enter on
    "New proposal" opened a composer instead of the next proposal."""
    g, tokens = await new_game(url, teams=("mx", "us"))
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        await us.next_frame()
        for lever in ("us_arms", "us_tech", "us_fact"):
            clause = {"actor": "us", "lever": lever}
            await us.send({"type": "propose", "parties": ["us", "mx"], "clauses": [clause]})
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(80, 24)) as pilot:
            await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("4")
            table = app.screen.query_one("#prop-table", DataTable)
            await wait_until(pilot, lambda: table.row_count == 3, what="three proposals")
            # answered with the button under the table
            app.screen.query_one("#accept", Button).focus()
            await pilot.press("enter")
            await wait_until(
                pilot, lambda: app.screen.query_one("#agreements").render(), what="the agreement"
            )
            await pilot.press("down")
            await pilot.pause()
            assert table.has_focus and table.cursor_row == 1
            # read in full and closed: the focus is back on the table
            app.screen.query_one("#propose", Button).focus()
            await pilot.press("up")
            await pilot.pause()
            assert table.has_focus and table.cursor_row == 0
            await pilot.press("down", "enter")
            await modal(pilot, ProposalScreen)
            await pilot.press("escape")
            await pilot.pause()
            assert table.has_focus
            await pilot.press("down", "enter")
            await modal(pilot, ProposalScreen)
            assert "T1-US-3" in static_text(app, "#proposal-head")


async def test_delete_in_the_clause_list_keeps_the_cursor_on_the_next_clause(url: str) -> None:
    """After a Delete the list jumped back to its first clause and, without colour, the student could not
    tell which row was picked: the next Delete took a clause not meant."""
    g, tokens = await new_game(url, teams=("mx", "us"))
    app = seat_app(url, g, tokens["mx"], mono=True)
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await _composer(pilot)
        for lever in ("mx_trace", "mx_arms", "mx_pr"):
            await _clause(pilot, cs, "mx", lever)
        assert len(cs.clauses) == 3
        ol = cs.query_one("#c-clauses", OptionList)
        ol.focus()
        await pilot.pause()
        ol.highlighted = 1
        await pilot.pause()
        await pilot.press("delete")
        await pilot.pause()
        assert [c.lever for c in cs.clauses] == ["mx_trace", "mx_pr"]
        assert ol.highlighted == 1
        said = static_text(app, "#c-lever-text")
        assert said.startswith("Removed: Mexico commits to MX-ARMS"), said
        assert " · now Delete removes clause 2: Mexico commits to MX-PR" in said, said
        # the row the cursor is on is marked by a character, which a terminal without colour shows
        rows = [line for line in screen_text(app).splitlines() if "Mexico commits to MX-" in line]
        marks = [m.group(0) for r in rows if (m := re.search(r".\d\. Mexico", r))]
        assert marks == [" 1. Mexico", "▶2. Mexico"], rows
        await pilot.press("up")
        await pilot.pause()
        assert ol.highlighted == 0
        assert static_text(app, "#c-lever-text").startswith(
            "Delete removes clause 1: Mexico commits to MX-TRACE"
        )


# ---------------------------------------------------------------------- 2. the lever list narrows


async def test_letters_typed_in_the_find_field_narrow_the_lever_list_by_code_or_name(url: str) -> None:
    """A student scrolled through some twenty levers to reach one: typing part of a code or a name now
    narrows the list, Enter opens what is left, and the next clause starts with the whole list."""
    g, tokens = await new_game(url, teams=("mx", "us"))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await _composer(pilot)
        lever = cs.query_one("#c-lever", Select)
        every = [v for _label, v in lever._options if v != Select.NULL]
        assert len(every) > 10
        cs.query_one("#c-lever-find", Input).focus()
        await pilot.press(*"port")  # by name ("ports") and by code (MX-PORT)
        await pilot.pause()
        left = [v for _label, v in lever._options if v != Select.NULL]
        assert "mx_port" in left and len(left) < len(every), left
        assert all("port" in f"{cs.rb.levers[v].code} {cs.rb.levers[v].name}".lower() for v in left)
        assert f"{len(left)} of Mexico's match “port”" in str(lever.prompt)
        await pilot.press("enter")
        await wait_until(pilot, lambda: lever.expanded, what="the narrowed list open")
        await pilot.press("escape")
        await pilot.pause()
        # a name nobody has: the list is empty and says so
        find = cs.query_one("#c-lever-find", Input)
        find.value = "zzz"
        await pilot.pause()
        assert [v for _label, v in lever._options if v != Select.NULL] == []
        assert "no lever of Mexico matches “zzz”" in str(lever.prompt)
        # another team's levers are narrowed the same way; a clause added clears the find field
        find.value = "arms"
        cs.query_one("#c-team", Select).value = "us"
        await pilot.pause()
        assert [v for _label, v in lever._options if v != Select.NULL] == ["us_arms"]
        lever.value = "us_arms"
        await wait_until(pilot, lambda: cs.form.lever is not None and cs.form.lever.id == "us_arms")
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert [c.lever for c in cs.clauses] == ["us_arms"]
        assert find.value == ""
        assert len([v for _label, v in lever._options if v != Select.NULL]) > 10
