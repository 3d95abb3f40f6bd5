"""Proposing and answering as a student who has never seen the game (issue 14): where the focus is in
the composer shows without colour, the arrows reach the proposals table after an answer, a clause list
keeps its place after a Delete, the lever list narrows as letters are typed, the table reads at 80x24,
conditional clauses are judged as conditional, and ids, framings and modules are said in words."""

from __future__ import annotations

import io
import re
from typing import Any

from rich.console import Console
from test_tui_support import (
    add_clause,
    close_cards,
    commit_as,
    modal,
    new_game,
    open_composer,
    screen_text,
    seat_app,
    static_text,
    team_model,
    until_online,
    wait_until,
)
from textual.app import App
from textual.widgets import Button, DataTable, Input, OptionList, Select

from client_tui import render, terms
from client_tui.composer import ComposerScreen, ProposalScreen
from client_tui.model import LiveGame
from client_tui.panes.proposals import clause_cell
from precursor.client import GameClient
from precursor.game.rulebook import Rulebook


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


# ---------------------------------------------------------------------- 1. focus you can see


async def test_every_tab_stop_in_the_composer_shows_without_colour_and_the_visibility_is_said(
    url: str,
) -> None:
    """A student counted Tabs to reach a field, landed on the visibility list and the proposal went
    private unnoticed: one Tab stop (the scrolling body) showed nothing at all without colour."""
    g, tokens = await new_game(url, teams=("mx", "us"))
    app = seat_app(url, g, tokens["mx"], mono=True)
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
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
        assert static_text(app, "#c-vis-said") == "public: every team sees it · each party reports its own"


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
        cs = await open_composer(pilot)
        for lever in ("mx_trace", "mx_arms", "mx_pr"):
            await add_clause(pilot, cs, "mx", lever)
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
        cs = await open_composer(pilot)
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
        await commit_as(pilot, cs, "us")
        assert [v for _label, v in lever._options if v != Select.NULL] == ["us_arms"]
        lever.value = "us_arms"
        await wait_until(pilot, lambda: cs.form.lever is not None and cs.form.lever.id == "us_arms")
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert [c.lever for c in cs.clauses] == ["us_arms"]
        assert find.value == ""
        assert len([v for _label, v in lever._options if v != Select.NULL]) > 10


# ---------------------------------------------------------------------- 3. the table at 80x24


async def test_at_80x24_the_table_ends_cut_clauses_with_an_ellipsis_and_shows_a_new_proposal(
    url: str,
) -> None:
    """At 80x24 the clauses column was cut mid-word ("US-DEMA"), the student's new proposal sat below the
    rows in view and the notice line said "proposal tabled", with no id and no status."""
    g, tokens = await new_game(url, teams=("mx", "us", "ca"))
    async with GameClient(url, g.game_id, tokens["us"]) as us, GameClient(url, g.game_id, tokens["ca"]) as ca:
        await us.next_frame()
        await ca.next_frame()
        deals = {
            us: (("us_tf", "us_ind", "us_arms"), ("us_arms", "us_tech"), ("us_demand", "us_arms", "us_tech")),
            ca: (("ca_issl", "ca_attest"), ("ca_issl",), ("ca_attest", "ca_issl")),
        }
        for client, levers_each in deals.items():
            team = "us" if client is us else "ca"
            for levers in levers_each:
                clauses = [{"actor": team, "lever": lv} for lv in levers]
                await client.send({"type": "propose", "parties": ["us", "mx", "ca"], "clauses": clauses})
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(80, 24)) as pilot:
            cs = await open_composer(pilot)
            await add_clause(pilot, cs, "mx", "mx_trace")
            cs.query_one("#party-us").value = True  # type: ignore[attr-defined]
            await pilot.pause()
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not isinstance(app.screen, ComposerScreen), what="sent")
            await wait_until(
                pilot,
                lambda: "proposal tabled: T1-MX-1" in static_text(app, "#notice"),
                what="the notice naming the proposal",
            )
            assert static_text(app, "#notice") == (
                "proposal tabled: T1-MX-1 — open, waiting for United States to answer"
            )
            table = app.screen.query_one("#prop-table", DataTable)
            assert table.row_count == 7
            await pilot.pause()
            shown = screen_text(app)
            assert "T1-MX-1" in shown, shown
            assert table.cursor_row == table.get_row_index("T1-MX-1")
            rows = [line.rstrip() for line in shown.splitlines() if re.match(r"\s+T1-(US|CA|MX)-\d", line)]
            assert rows, shown
            for line in rows:
                pid = line.split()[0]
                full = clause_cell(cs.rb, app.screen.model.proposals[pid])  # type: ignore[attr-defined]
                assert line.endswith(full) or line.endswith("…"), (line, full)
            assert any(line.endswith("…") for line in rows), rows


# ---------------------------------------------------------------------- 4. conditional clauses


def _model(rb: Rulebook, team: str, **env: Any) -> LiveGame:
    """A team's model from a real game's view, the values set first as play would have left them."""
    return team_model(rb, team, **env)


def _offer(*clauses: dict[str, Any]) -> dict[str, Any]:
    full = [{"params": {}, "start_turn": 1, "duration": 1, "condition": None, **c} for c in clauses]
    return {"id": "T1-US-1", "from": "us", "parties": ["us", "mx"], "accepted": ["us"], "clauses": full}


def test_a_clause_under_a_condition_is_judged_as_due_only_while_the_condition_holds(rb: Rulebook) -> None:
    """A clause "[if …]" read "✗ CANNOT keep it" as if the condition held for sure: the compliance step
    skips it in a turn the condition does not hold, so the answer depends on the condition."""
    model = _model(rb, "mx", **{"mx.me": 60.0, "mx.st": 40.0, "flag.humanitarian_cap": 0.0})
    far = {"actor": "mx", "lever": "mx_me", "params": {"level": 95}}
    st = rb.indicators["mx.st"].name
    holds = _offer({**far, "condition": "mx.st < 60"})
    text = terms.proposal_text(model, rb, holds)
    assert f"✗ CANNOT keep it only if {st} below 60 (it holds now): MX-ME: migration enforcement" in text, (
        text
    )
    assert terms.cannot_keep(model, rb, holds)[0].startswith(
        f"clause 1, only if {st} below 60 (it holds now): MX-ME: migration enforcement can move"
    )
    idle = _offer({**far, "condition": "mx.st > 80"})
    text = terms.proposal_text(model, rb, idle)
    assert f"✗ CANNOT keep it only if {st} above 80 (it does not hold now, so nothing is due now)" in text
    # a clause that can be kept says when it is due; one without a condition reads as before
    near = _offer({"actor": "mx", "lever": "mx_me", "params": {"level": 70}, "condition": "mx.st < 60"})
    assert f"✓ can keep it: MX-ME can be ordered (due only if {st} below 60 (it holds now))" in (
        terms.proposal_text(model, rb, near)
    )
    flat = terms.proposal_text(model, rb, _offer(far))
    assert "✗ CANNOT keep it: MX-ME: migration enforcement can move by at most 20 points" in flat, flat


def test_the_orders_warning_for_a_conditional_promise_says_when_it_is_due(rb: Rulebook) -> None:
    model = _model(rb, "mx", **{"mx.me": 60.0, "mx.st": 40.0})
    st = rb.indicators["mx.st"].name
    for cond in ("mx.st < 60", "mx.st > 80"):
        model.agreements["A1-US-1"] = {
            "id": "A1-US-1",
            "status": "active",
            "parties": ["us", "mx"],
            "clauses": [
                {"actor": "mx", "lever": "mx_trace", "start_turn": 1, "duration": 2, "condition": cond}
            ],
        }
        (warning,) = [w for w in render.order_warnings(model, rb, []) if "A1-US-1" in w]
        if cond.endswith("60"):
            assert warning == (
                f"! agreement A1-US-1: you promised MX-TRACE this turn only if {st} below 60 (it holds now);"
                " leaving it out breaks it"
            )
        else:
            assert warning == (
                f"agreement A1-US-1: you promised MX-TRACE only if {st} above 80 (it does not hold now, so"
                " nothing is due now)"
            )


# ---------------------------------------------------------------------- 5. ids, framings, modules


def test_a_signed_proposal_names_its_agreement_and_a_deal_of_modules_alone_says_so(rb: Rulebook) -> None:
    """ "T5-CA-1 … signed" and an agreement "A5-CA-1" with no word of the link; a deal of modules alone
    showed an empty "Clauses:" heading and "United States 0 PC · Mexico 0 PC · …"."""
    model = _model(rb, "mx")
    signed = {**_offer({"actor": "us", "lever": "us_arms"}), "status": "signed", "accepted": ["us", "mx"]}
    model.agreements["A1-US-1"] = {"id": "A1-US-1", "proposal": "T1-US-1", "status": "signed"}
    text = terms.proposal_text(model, rb, signed)
    assert "Status: signed as agreement A1-US-1, accepted by United States, Mexico" in text, text
    assert terms.proposal_status(model, rb, signed, short=True) == "signed as A1-US-1"
    modules = {**_offer(), "parties": ["us", "mx", "ca"], "modules": ["t4"]}
    text = terms.proposal_text(model, rb, modules)
    assert "No clauses: modules only." in text, text
    assert "Clauses:" not in text and "Cost in political capital" not in text, text


async def test_the_composer_says_how_the_two_framings_differ_and_which_modules_are_in_force(url: str) -> None:
    """China's lever CN-ENFORCE has a "framing" of its own, and a deal with a Chinese clause needs the
    proposal's framing too: nothing said how they relate. Module T1, signed two turns before, was
    offered again with no hint."""
    g, tokens = await new_game(url, teams=("cn", "us"))
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        gs.model.view["modules"] = {**(gs.model.view.get("modules") or {}), "t1": True}
        cs = await open_composer(pilot)
        assert str(cs.query_one("#module-t1").label).startswith("T1 (in force) — ")  # type: ignore[attr-defined]
        assert "(in force)" not in str(cs.query_one("#module-t2").label)  # type: ignore[attr-defined]
        note = cs.query_one("#c-framing-note")
        assert not note.display  # nothing Chinese in the draft yet
        await commit_as(pilot, cs, "cn")
        cs.query_one("#c-lever", Select).value = "cn_enforce"
        await wait_until(pilot, lambda: note.display, what="the framing note")
        said = static_text(app, "#c-framing-note")
        assert said.startswith(
            "Two framings: the proposal's (the list above) presents the deal as it is signed"
        )
        assert "a lever's own framing presents that one order as it is carried out" in said
        cs.query_one("#c-lever", Select).value = "cn_pen"  # no framing of its own, no Chinese clause yet
        await wait_until(pilot, lambda: not note.display, what="the note gone")


def test_the_proposals_table_reads_a_clause_condition_in_words() -> None:
    """The table showed "[if mx.st < 60]", an indicator key, where the proposal in full says the
    condition in words."""
    from client_tui.panes.proposals import clause_cell
    from precursor.game.rulebook import default_rulebook

    rb = default_rulebook()
    cell = clause_cell(rb, {"clauses": [{"actor": "mx", "lever": "mx_me", "condition": "mx.st < 60"}]})
    assert "mx.st" not in cell
    assert f"[if {rb.indicators['mx.st'].name} below 60]" in cell
