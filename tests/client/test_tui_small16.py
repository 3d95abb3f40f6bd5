"""Session 15's smaller findings: the line above the tabs kept the last refusal through later ticks."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from test_tui_support import (
    add_clause,
    end_screen_drawn,
    new_game,
    open_composer,
    open_orders,
    seat_app,
    static_text,
    wait_until,
)
from textual.widgets import Checkbox

from client_tui.app import solo_resume_command
from client_tui.panes.game_over import report_commands


async def test_a_tick_after_a_refused_one_replaces_the_refusal(url: str) -> None:
    """Student B: "not ticked — CN-REPLY-MX … cannot be ordered now" stayed up after later ticks."""
    g, tokens = await new_game(url, teams=("cn",), scenario="red-line")
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(160, 40)) as pilot:
        _gs, sl = await open_orders(pilot)
        sl.focus()
        ids = [str(sl.get_option_at_index(i).value) for i in range(sl.option_count)]
        sl.highlighted = ids.index("cn_reply_mx")
        await pilot.press("space")
        await wait_until(pilot, lambda: "not ticked — CN-REPLY-MX" in static_text(app, "#notice"), what="it")
        sl.highlighted = ids.index("cn_pen")
        await pilot.press("space")
        await wait_until(pilot, lambda: "not ticked" not in static_text(app, "#notice"), what="a new line")
        assert static_text(app, "#notice").strip() == "ticked CN-PEN"
        await pilot.press("space")
        await wait_until(
            pilot, lambda: static_text(app, "#notice").strip() == "unticked CN-PEN", what="untick"
        )


async def test_the_framing_refusal_lists_only_the_framings_offered(url: str) -> None:
    """Student B: with the US not a party, "choose how China frames it (…, reciprocal steps or a US
    demand met)" named a framing the list did not offer."""
    g, tokens = await new_game(url, teams=("cn",), scenario="red-line")
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(160, 50)) as pilot:
        cs = await open_composer(pilot)
        cs.query_one("#party-ca", Checkbox).value = True
        await pilot.pause()
        await add_clause(pilot, cs, "cn", "cn_pen")
        said = " ".join(static_text(app, "#c-check").split())
        assert said.endswith(
            "needs a framing: choose how China frames it (China's own initiative, a multilateral effort or"
            " reciprocal steps)"
        ), said
        cs.query_one("#party-us", Checkbox).value = True
        await pilot.pause()
        await wait_until(pilot, lambda: "a US demand met" in static_text(app, "#c-check"), what="with the US")


async def test_the_report_command_at_80_columns_runs_whole_or_waits_for_its_rest() -> None:
    """Student B copied the first of the end screen's two wrapped lines of the report command and got
    "no game store at …": a long command is now cut between words, each line but the last ending in a
    backslash, so the lines as shown are the command (and its first line alone waits for the rest)."""
    store = "sqlite:////tmp/s15_b_sb2.db"
    report = report_commands("g686634b7d7", store)[0]
    assert len(report) > 80
    text = f"GAME OVER\n{report}\nScores"
    shown = (await end_screen_drawn(text)).split("\n")
    lines = shown[1 : shown.index("Scores")]
    assert len(lines) > 1 and all(line.endswith(" \\") for line in lines[:-1]), lines
    assert all(len(line) <= 80 for line in lines), lines
    # a shell drops each backslash-newline before it splits the words
    assert shlex.split("\n".join(lines).replace("\\\n", "")) == shlex.split(report)
    assert lines[-1].endswith(store), lines


def test_the_printed_solo_command_takes_a_token_that_begins_with_a_dash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A token is URL-safe base64 and one in 64 begins with "-": "--token -x…" read as an option, and
    the command printed on leaving a solo game was refused ("argument --token: expected one argument";
    test_tui_end13 failed so about one run in twelve)."""
    from precursor.cli import main

    store = f"sqlite:///{tmp_path / 'games.db'}"
    assert (
        main(["solo", "--no-ui", "--team", "ca", "--scenario", "tutorial", "--seed", "3", "--store", store])
        == 0
    )
    capsys.readouterr()
    command = shlex.split(solo_resume_command("g0000000000", "-dash-first", store))
    assert main([*command[1:], "--no-ui"]) != 0
    assert "no game g0000000000 with that token" in capsys.readouterr().err
