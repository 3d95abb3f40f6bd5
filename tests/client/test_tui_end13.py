"""What students who played whole games in session 13 found around the game: the end screen's parts
that did not add up to its total, the objectives' rate said only at the end, an estimate shown before
anything counted, and the lists whose cursor was colour only."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from test_tui_support import (
    advance_to,
    close_cards,
    new_game,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.pilot import Pilot
from textual.widgets import SelectionList

from client_tui.model import LiveGame
from client_tui.panes.game_over import game_over_text
from precursor.analysis.runner import play
from precursor.client import GameClient
from precursor.game.bots import BotDriver
from precursor.game.rulebook import default_rulebook
from precursor.game.views import view

_HEAD = re.compile(
    r"^  \d\. .+? ([+-]\d+\.\d)"
    r"(?: \(the parts below, each rounded on its own, add up to ([+-]\d+\.\d)\))?(?:  ←|$)"
)
_PART = re.compile(r"^       (?:.+ = |shared bonus or penalty: |badges: )([+-]\d+\.\d)(?: —|$)")


def _sums(text: str) -> list[tuple[Decimal, Decimal]]:
    """Each team's total as printed, beside the sum of the parts printed under it."""
    out: list[tuple[Decimal, Decimal]] = []
    score = text.split("\nScores", 1)[1].split("\nObjectives", 1)[0]
    for line in score.splitlines():
        head, part = _HEAD.match(line), _PART.match(line)
        if head:  # the sum the line says the parts add up to, where it is not the total (session 14)
            out.append((Decimal(head.group(2) or head.group(1)), Decimal(0)))
        elif part and out:
            out[-1] = (out[-1][0], out[-1][1] + Decimal(part.group(1)))
    return out


@pytest.mark.parametrize(
    ("scenario", "seed"), [("loose-talk", 1), ("loose-talk", 2), ("tutorial", 3), ("red-line", 4)]
)
def test_the_parts_shown_add_up_to_the_total_shown(scenario: str, seed: int) -> None:
    """Mexico's +41.7 sat above parts that add up to +41.6 (each part rounded on its own). Since
    session 14 the total is the report's (rounded), and a line whose parts add up to another figure
    says that figure: the parts add up to what is printed either way."""
    rb = default_rulebook()
    personas = dict(rb.scenarios[scenario].model.personas)
    game, _ = play(rb, scenario, seed, None, bots=BotDriver(rb, personas, seed))
    live = LiveGame()
    live.me = {"role": "player", "team": "mx", "seat": "mx.president", "player_id": "p1", "game_id": "g1"}
    live.set_view(view(game, "mx"), game.state.seq)
    sums = _sums(game_over_text(live, rb, "g1"))
    assert len(sums) == 4, sums
    for total, parts in sums:
        assert total == parts, sums


def test_the_briefing_says_what_an_objective_point_is_worth_while_the_game_runs() -> None:
    """Objective points count × 0.5 (or × 0.75) in the score: a student saw it only on the end screen.
    The briefing's objectives say it in one line, for each team whose secret objectives it shows."""
    from client_tui.panes.briefing import objectives_markdown

    rb = default_rulebook()
    game, _ = play(rb, "loose-talk", 1, None, until_turn=1)
    live = LiveGame()
    live.me = {"role": "player", "team": "mx", "seat": "mx.president", "player_id": "p1", "game_id": "g1"}
    live.set_view(view(game, "mx"), game.state.seq)
    lines = objectives_markdown(live, rb)
    said = [x for x in lines if "objective points are not score points" in x]
    assert said == [
        "  - objective points are not score points: each one met adds 0.5 to the score, and no more than 20"
        " of them count"
    ], lines
    # said before the objectives it is about, once
    assert lines.index(said[0]) < next(i for i, x in enumerate(lines) if "secret," in x)


# ---------------------------------------------------------------------- through the real client


async def _orders_list(pilot: Pilot[Any], gs: Any) -> SelectionList[str]:
    await wait_until(pilot, lambda: bool(gs.model.view.get("levers")), what="the orders view")
    await close_cards(pilot)
    await pilot.press("5")
    return gs.query_one("#order-list", SelectionList)


async def test_the_orders_pane_says_when_no_ticked_lever_has_parameters(url: str) -> None:
    """Canada ticked its orders and found out that none had anything to set only by pressing p on each
    ("no parameters to set"). The pane says it above the list, and stops saying it once a ticked
    lever has parameters (CA-DEMAND)."""
    rb = default_rulebook()
    g, tokens = await new_game(url, teams=("ca",), scenario="tutorial", seed=5)
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["ca"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            sl = await _orders_list(pilot, gs)
            await wait_until(pilot, lambda: sl.option_count > 3, what="the lever list")
            ids = [str(sl.get_option_at_index(i).value) for i in range(sl.option_count)]
            plain = next(i for i, lid in enumerate(ids) if not rb.levers[lid].params)
            para = ids.index("ca_demand")
            sl.focus()
            sl.highlighted = plain
            await pilot.press("space")
            said = "None of the ticked levers has parameters to set"
            await wait_until(pilot, lambda: said in static_text(app, "#order-info"), what="the line")
            sl.highlighted = para
            await pilot.press("space")
            await wait_until(pilot, lambda: said not in static_text(app, "#order-info"), what="gone")


def test_a_solo_game_left_comes_back_with_the_one_command_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A student who quit `precursor solo` had to serve the store in one terminal and run `precursor
    play` in another. The command printed on leaving (here by --no-ui) opens the same game again from
    the embedded store, with nothing else to start; a wrong token is refused in words."""
    import shlex

    from precursor.cli import main

    store = f"sqlite:///{tmp_path / 'games.db'}"
    assert (
        main(["solo", "--no-ui", "--team", "ca", "--scenario", "tutorial", "--seed", "3", "--store", store])
        == 0
    )
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("to come back to it: "))
    command = shlex.split(line.removeprefix("to come back to it: "))
    assert command[:2] == ["precursor", "solo"] and "--game" in command, command
    at = next(i for i, part in enumerate(command) if part.startswith("--token="))
    game_id = command[command.index("--game") + 1]
    assert game_id in out.splitlines()[0]
    assert main([*command[1:], "--no-ui"]) == 0
    again = capsys.readouterr().out
    assert f"back in game {game_id}" in again, again
    wrong = [*command[1:], "--no-ui"]
    wrong[at - 1] = "--token=not-the-token"  # wrong leaves out the program
    assert main(wrong) != 0
    assert f"no game {game_id} with that token" in capsys.readouterr().err


async def test_the_notice_line_follows_an_accepted_proposal_until_it_is_signed(url: str) -> None:
    """Mexico accepted a three-party deal and the line kept saying "accept: T1-US-1" after Canada's
    acceptance signed it. The line now says where the proposal stands, and says it again as it
    moves: waiting for Canada, then signed as the agreement it became."""
    from precursor.game.commands import Clause, Propose, Respond

    g, tokens = await new_game(url, teams=("us", "mx", "ca"))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "negotiation")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        deal = Propose(
            parties=["us", "mx", "ca"], clauses=[Clause(actor="us", lever="us_tech")], framing="none"
        )
        async with GameClient(url, g.game_id, tokens["us"]) as us:
            await us.send(deal)
        await wait_until(pilot, lambda: "T1-US-1" in gs.model.proposals, what="the proposal")
        await close_cards(pilot)
        await pilot.press("4")
        await pilot.pause()
        await wait_until(pilot, lambda: gs.proposals._selected() == "T1-US-1", what="the row")
        await pilot.click("#accept")
        waiting = "you accepted T1-US-1 — open, waiting for Canada to answer"
        await wait_until(pilot, lambda: static_text(app, "#notice") == waiting, what="waiting")
        async with GameClient(url, g.game_id, tokens["ca"]) as ca:
            await ca.send(Respond(proposal="T1-US-1", action="accept"))
        await wait_until(
            pilot, lambda: gs.model.proposals["T1-US-1"].get("status") == "signed", what="signed"
        )
        await pilot.pause(0.2)
        assert static_text(app, "#notice").startswith("you accepted T1-US-1 — signed as agreement A"), (
            static_text(app, "#notice")
        )


def _marked(widget: Any, y: int) -> bool:
    """Whether a row of a list is drawn with a mark that is not a colour (underline, reverse, bold)."""
    strip = widget.render_line(y)
    return any(
        s.style and (s.style.underline or s.style.reverse or s.style.bold) for s in strip if s.text.strip()
    )


async def test_a_lists_highlighted_row_is_marked_without_colour_when_the_focus_is_elsewhere(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under NO_COLOR a list's highlighted row was reversed only while the list had the focus: typing in
    the orders' find field, or on the proposals' buttons, the row that p, Enter or Accept act on could
    not be told from the others. It is underlined then (and reversed when the list has the focus)."""
    from textual.widgets import DataTable, ListView

    from precursor.game.commands import Clause, Propose

    monkeypatch.setenv("NO_COLOR", "1")
    g, tokens = await new_game(url, teams=("us", "mx"))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "negotiation")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        gs = await until_online(pilot)
        assert app.no_color
        async with GameClient(url, g.game_id, tokens["us"]) as us:
            await us.send(
                Propose(parties=["us", "mx"], clauses=[Clause(actor="us", lever="us_tech")], framing="none")
            )
        await wait_until(pilot, lambda: "T1-US-1" in gs.model.proposals, what="the proposal")
        await close_cards(pilot)
        await pilot.press("5")
        sl = gs.query_one("#order-list", SelectionList)
        await wait_until(pilot, lambda: sl.option_count > 3, what="the lever list")
        sl.focus()
        await pilot.press("down")
        await pilot.press("slash")  # into the find field: the list keeps its highlight
        await pilot.pause(0.2)
        assert gs.focused is gs.query_one("#order-find")
        row = (sl.highlighted or 0) - sl.scroll_offset.y
        assert _marked(sl, row) and not _marked(sl, row + 1) and not _marked(sl, row - 1)

        await pilot.press("escape", "4")
        table = gs.query_one("#prop-table", DataTable)
        await wait_until(pilot, lambda: table.row_count >= 1, what="the proposals table")
        gs.query_one("#propose").focus()
        await pilot.pause(0.2)
        assert gs.focused is not table
        first = table.cursor_row + 1  # under the header
        assert _marked(table, first) and not _marked(table, first + 1)

        await pilot.press("3", "enter")  # into the message box: the list is left unfocused
        chans = gs.query_one("#chan-list", ListView)
        await wait_until(pilot, lambda: chans.highlighted_child is not None, what="the channel list")
        await pilot.pause(0.2)
        assert gs.focused is not chans
        item = chans.highlighted_child
        assert item is not None and item.rich_style.underline
        assert not any(i.rich_style.underline for i in chans.children if i is not item)


async def test_at_80x24_the_composer_shows_which_modules_are_in_force(url: str) -> None:
    """At 80 columns module T1's long name ("Chemical notification (UN special surveillance list, ...")
    was cut before "(in force)": a student could not see which modules were in force. The state now
    comes before the name, and shows on the screen."""
    from test_tui_support import modal, screen_text

    from client_tui.composer import ComposerScreen

    g, tokens = await new_game(url, teams=("us",))
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(80, 24)) as pilot:
        gs = await until_online(pilot)
        gs.model.view["modules"] = {**(gs.model.view.get("modules") or {}), "t1": True}
        await close_cards(pilot)
        await pilot.press("4", "n")
        cs = await modal(pilot, ComposerScreen)
        box = cs.query_one("#module-t1")
        box.scroll_visible(animate=False)
        await pilot.pause(0.3)
        r = box.region
        row = screen_text(app).splitlines()[r.y][r.x : r.right]
        assert "T1 (in force)" in row, row
        t2 = cs.query_one("#module-t2")
        t2.scroll_visible(animate=False)
        await pilot.pause(0.3)
        r = t2.region
        assert "in force" not in screen_text(app).splitlines()[r.y][r.x : r.right]
