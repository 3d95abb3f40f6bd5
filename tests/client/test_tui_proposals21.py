"""Session 21's play-testers on the proposals tab: rows squeezed to the headers' widths, clauses cut
with no "…", deals that take order slots and capital with no word, and T and A ids never explained."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

from test_tui_support import (
    advance_to,
    close_cards,
    frames_until,
    is_event,
    modal,
    new_game,
    open_proposals,
    screen_text,
    seat_app,
    static_text,
    wait_until,
)
from textual.pilot import Pilot
from textual.widgets import DataTable

from client_tui import terms
from client_tui.composer import ProposalScreen
from client_tui.game_screen import GameScreen
from precursor.client import GameClient


def _c(team: str, lever: str) -> dict[str, Any]:
    return {"actor": team, "lever": lever}


# four turns of offers among the US, Mexico and Canada, as a class tables them: who tables, to whom,
# what, and which parties accept (some are signed, the rest expire; turn 4's stay open)
PLAN: dict[int, list[tuple[str, list[str], list[dict[str, Any]], list[str]]]] = {
    1: [
        (
            "us",
            ["us", "mx", "ca"],
            [_c("us", "us_visa"), _c("mx", "mx_trace"), _c("ca", "ca_lea")],
            ["mx", "ca"],
        ),
        ("mx", ["mx", "us"], [_c("mx", "mx_port")], []),
        ("ca", ["ca", "us"], [_c("ca", "ca_mediate")], ["us"]),
        ("us", ["us", "ca"], [_c("us", "us_ind")], []),
    ],
    2: [
        ("us", ["us", "mx"], [_c("us", "us_asset")], ["mx"]),
        ("mx", ["mx", "us", "ca"], [_c("mx", "mx_trace"), _c("ca", "ca_issl")], []),
        ("ca", ["ca", "us"], [_c("ca", "ca_attest")], []),
    ],
    3: [
        ("us", ["us", "mx", "ca"], [_c("us", "us_gua")], ["mx", "ca"]),
        ("mx", ["mx", "us"], [_c("mx", "mx_port")], []),
        ("ca", ["ca", "us"], [_c("ca", "ca_mediate")], []),
    ],
    4: [
        ("us", ["us", "mx", "ca"], [_c("us", "us_visa")], ["mx", "ca"]),
        ("ca", ["ca", "us"], [_c("ca", "ca_attest")], []),
        ("us", ["us", "mx"], [_c("us", "us_ind")], []),
        ("mx", ["mx", "us"], [_c("mx", "mx_trace"), _c("us", "us_asset")], []),
    ],
}
ID = re.compile(r"^T\d+-[A-Z]{2}-\d+$")


def table_rows(pilot: Pilot[Any]) -> list[tuple[str, str]]:
    """The proposals table's rows as the screen shows them: each with the id the row holds."""
    gs = pilot.app.screen
    assert isinstance(gs, GameScreen)
    table: DataTable[Any] = gs.query_one("#prop-table", DataTable)
    lines = screen_text(pilot.app).split("\n")
    top = table.region.y + 1  # under the header
    shown = lines[top : table.region.y + table.region.height]
    keys = [str(r.key.value) for r in table.ordered_rows]
    first = round(table.scroll_y)
    return [(keys[first + i], line) for i, line in enumerate(shown) if first + i < len(keys)]


def check_rows(pilot: Pilot[Any], when: str) -> None:
    """Every row in view shows its whole id, parties and status, and a clause cut at the table's
    edge ends with "…"; nothing but rows and blanks in the table (no scrollbar glyph over the rows)."""
    gs = pilot.app.screen
    assert isinstance(gs, GameScreen)
    table: DataTable[Any] = gs.query_one("#prop-table", DataTable)
    rows = table_rows(pilot)
    assert rows, when
    inner = table.scrollable_content_region
    for pid, line in rows:
        cells = [str(c) for c in table.get_row(pid)]
        text = line[inner.x : inner.x + inner.width]
        assert text.split()[0] == pid, f"{when}: {pid} is drawn as {text!r}"
        assert ID.match(pid)
        for cell in cells[1:3]:
            assert f"  {cell}  " in text, f"{when}: {cell!r} not whole in {text!r}"
        clauses = text.split(f"  {cells[2]}  ", 1)[1].strip()
        assert cells[3].startswith(clauses.removesuffix("…")), f"{when}: {clauses!r} / {cells[3]!r}"
        assert clauses == cells[3] or clauses.endswith("…"), f"{when}: cut with no '…': {text!r}"
    lines = screen_text(pilot.app).split("\n")[table.region.y : table.region.bottom]
    assert not any("▏" in line[table.region.x : table.region.right] for line in lines), (when, lines)


@contextlib.asynccontextmanager
async def three_teams(
    url: str,
) -> AsyncIterator[tuple[Any, dict[str, str], dict[str, GameClient], GameClient]]:
    """A loose-talk game with a client for the US, Mexico and Canada, and the facilitator's."""
    g, tokens = await new_game(url, scenario="loose-talk")
    async with (
        GameClient(url, g.game_id, tokens["us"]) as us,
        GameClient(url, g.game_id, tokens["mx"]) as mx,
        GameClient(url, g.game_id, tokens["ca"]) as ca,
        GameClient(url, g.game_id, g.facilitator_token) as fac,
    ):
        yield g, tokens, {"us": us, "mx": mx, "ca": ca}, fac


async def play_four_turns(url: str, size: tuple[int, int]) -> None:
    """The US's app open on the proposals tab while four turns of offers come, then the table read
    at every scroll position."""
    async with three_teams(url) as (g, tokens, clients, fac):
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=size) as pilot:
            gs, table = await open_proposals(pilot, rows=0)
            for turn, offers in PLAN.items():
                await advance_to(fac, "negotiation", turn)
                tabled: dict[str, int] = {}
                for by, parties, clauses, accept in offers:
                    await clients[by].send({"type": "propose", "parties": parties, "clauses": clauses})
                    tabled[by] = tabled.get(by, 0) + 1
                    pid = f"T{turn}-{by.upper()}-{tabled[by]}"
                    for team in accept:
                        await clients[team].send({"type": "respond", "proposal": pid, "action": "accept"})
                    await wait_until(pilot, lambda pid=pid: pid in gs.model.proposals, what=pid)
                await close_cards(pilot)
            await wait_until(pilot, lambda: table.row_count == 14, what="the 14 proposals")
            await wait_until(pilot, lambda: "A4-US-1" in gs.model.agreements, what="turn 4's agreement")
            await pilot.pause(0.3)
            # the newest offer to answer, highlighted as it came: checked after the rows' widths
            highlighted = gs.proposals._selected()
            in_view = [pid for pid, _line in table_rows(pilot)]
            check_rows(pilot, "after the offers came")
            # a view from the server redraws the table: the screen may be drawn before the table is idle
            gs.proposals.show()
            screen_text(pilot.app)
            await pilot.pause(0.3)
            check_rows(pilot, "after a redraw")
            table.focus()
            for key in ("home", "end", "home"):
                await pilot.press(key)
                await pilot.pause(0.2)
                check_rows(pilot, f"after {key}")
            assert table.max_scroll_y > 0 or size[1] > 24  # at 80x24 the rows scroll
            assert highlighted == "T4-MX-1" and "T4-MX-1" in in_view, (highlighted, in_view)
            assert str(table.get_row("T4-MX-1")[2]).startswith("to answer")
            # what accepting it takes, on one line under the table (at 80x24 a second line pushed the
            # buttons' lower edge off the pane)
            hint = static_text(pilot.app, "#prop-hint")
            if size[0] <= 80:
                assert hint.startswith("Accepting T4-MX-1: +1 order this turn, then 2/4 order slots and "), (
                    hint
                )
            else:
                assert hint.startswith(
                    "Accepting T4-MX-1 adds 1 order due this turn: 2 of your 4 order slots"
                ), hint
            assert gs.query_one("#prop-hint").size.height == 1


async def test_every_proposal_row_keeps_its_id_parties_and_status_at_120x40(url: str) -> None:
    """At 120x40 in turn 4 with 14 proposals a student read "T1  United  counte": the rows drawn
    before the table had measured its cells stayed at the headers' widths, and those scrolled to later
    were whole. The offer the team had to answer was below the rows in view."""
    await play_four_turns(url, (120, 40))


async def test_every_proposal_row_keeps_its_id_parties_and_status_at_80x24(url: str) -> None:
    """The same at 80x24: the parties by team code, the clauses cut with "…"."""
    await play_four_turns(url, (80, 24))


async def test_a_deal_signed_from_the_table_leaves_no_clause_cut_without_its_ellipsis(url: str) -> None:
    """Right after Ready a student's clauses column read "CN-SCHED Clas" and "CA-MEDIATE Of", cut with
    no "…", and a stray "▏" sat on an empty row: the columns were fitted to a table with no scrollbar,
    a line under the table that came with the same redraw (here the agreement a signature makes) took
    the height its rows had, and the scrollbar that came pushed the clauses' ends past the edge."""
    async with three_teams(url) as (g, tokens, clients, fac):
        us, mx, ca = clients["us"], clients["mx"], clients["ca"]
        await advance_to(fac, "negotiation")
        # nine offers, three from each team: at 80x24 they all fit above "No agreement in force."
        for client, team, levers in (
            (mx, "mx", ("mx_trace", "mx_port", "mx_prosecute")),
            (ca, "ca", ("ca_attest", "ca_mediate", "ca_lea")),
            (us, "us", ("us_visa", "us_ind", "us_asset")),
        ):
            for lever in levers:
                other = "us" if team != "us" else "mx"
                clauses = [_c(team, lever), _c(other, "us_gua" if other == "us" else "mx_trace")]
                await client.send({"type": "propose", "parties": [team, other], "clauses": clauses})
        await frames_until(
            fac, lambda f: is_event("proposal")(f) and f["event"]["proposal"]["id"] == "T1-US-3"
        )
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs, table = await open_proposals(pilot, rows=9)
            await pilot.pause(0.3)
            check_rows(pilot, "before a deal was signed")
            assert table.max_scroll_y == 0  # the rows all fit
            # the signature redraws the table, and the agreement it makes takes lines under it
            await us.send({"type": "respond", "proposal": "T1-MX-1", "action": "accept"})
            await wait_until(pilot, lambda: "A1-MX-1" in gs.model.agreements, what="the agreement")
            await pilot.pause(0.5)
            assert table.max_scroll_y > 0  # the rows scroll now
            check_rows(pilot, "after the deal was signed")


@contextlib.asynccontextmanager
async def us_with_two(
    url: str, by: str, clauses: list[dict[str, Any]], size: tuple[int, int] = (120, 40)
) -> AsyncIterator[tuple[Any, GameScreen]]:
    """A US and Mexico game in turn 1's negotiation with T1-US-1 (US-IND this turn) signed and a second
    proposal, tabled by ``by`` to the other: the US's app (at ``size``) on the proposals tab, both rows
    in."""
    g, tokens = await new_game(url, teams=("us", "mx"), scenario="loose-talk")
    async with (
        GameClient(url, g.game_id, tokens["mx"]) as mx,
        GameClient(url, g.game_id, tokens["us"]) as us,
        GameClient(url, g.game_id, g.facilitator_token) as fac,
    ):
        await advance_to(fac, "negotiation")
        await us.send({"type": "propose", "parties": ["us", "mx"], "clauses": [_c("us", "us_ind")]})
        await mx.send({"type": "respond", "proposal": "T1-US-1", "action": "accept"})
        await frames_until(fac, is_event("agreement"))
        parties = [by, "mx" if by == "us" else "us"]
        await {"us": us, "mx": mx}[by].send({"type": "propose", "parties": parties, "clauses": clauses})
        await frames_until(fac, is_event("proposal"))
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=size) as pilot:
            gs, _table = await open_proposals(pilot, rows=2)
            await pilot.pause(0.2)
            yield pilot, gs


async def test_opening_or_accepting_a_deal_says_the_order_slots_and_capital_it_takes(url: str) -> None:
    """A deal accepted took an order slot and capital this turn with no word: the proposal in full,
    the line under the table and the notice after accepting say what it adds to the deals in force
    (here to T1-US-1, which already takes a slot)."""
    async with us_with_two(url, "mx", [_c("mx", "mx_trace"), _c("us", "us_visa")]) as (pilot, gs):
        app = pilot.app
        model, rb = gs.model, gs.rb
        pc = float(model.view["pc"]["us"])
        ind = terms.lever_cost(model, rb, "us_ind", {}) or 0.0
        visa = terms.lever_cost(model, rb, "us_visa", {}) or 0.0
        limit = int(model.view["order_limit"])  # one seat: the team's slots are the seat's
        said = (
            f"adds 1 order due this turn: 2 of your {limit} order slots and {ind + visa:g} of {pc:g} PC"
            " would then be taken"
        )
        table: DataTable[Any] = gs.query_one("#prop-table", DataTable)
        table.move_cursor(row=table.get_row_index("T1-MX-1"))
        await pilot.pause(0.2)
        hint = " ".join(static_text(app, "#prop-hint").split())
        assert hint.startswith(f"Accepting T1-MX-1 {said}"), hint
        await pilot.press("enter")
        screen = await modal(pilot, ProposalScreen)
        assert f"If you accept it: it {said}." in screen.text, screen.text
        await pilot.press("a")
        await wait_until(pilot, lambda: gs.model.proposals["T1-MX-1"].get("status") == "signed")
        await pilot.pause(0.2)
        notice = " ".join(static_text(app, "#notice").split())
        assert notice.startswith("you accepted T1-MX-1 — signed as agreement A1-MX-1 · it " + said), notice


async def test_a_signed_proposal_names_its_agreement_as_such_and_the_full_view_says_how_ids_relate(
    url: str,
) -> None:
    """ "signed as A4-US-1" beside T4-US-1, and nothing on screen said what a T id and an A id are."""
    async with us_with_two(url, "us", [_c("us", "us_visa")]) as (pilot, gs):
        app = pilot.app
        table: DataTable[Any] = gs.query_one("#prop-table", DataTable)
        assert str(table.get_row("T1-US-1")[2]) == "signed: agreement A1-US-1"
        texts = {}
        for pid in ("T1-US-1", "T1-US-2"):
            table.focus()
            table.move_cursor(row=table.get_row_index(pid))
            await pilot.press("enter")
            screen = await modal(pilot, ProposalScreen)
            texts[pid] = " ".join(screen.text.split())
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, ProposalScreen))
        assert (
            "Signed: proposal T1-US-1 is now agreement A1-US-1, the id the agreements and the orders"
            " tab use." in texts["T1-US-1"]
        ), texts["T1-US-1"]
        assert (
            "T1-US-2 is the proposal's id; once every party accepts it, it is signed as agreement"
            " A1-US-2" in texts["T1-US-2"]
        ), texts["T1-US-2"]
