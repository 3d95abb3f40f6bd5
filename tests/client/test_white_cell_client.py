"""The white cell through the client, on a real server (docs/facilitation.md): a student files a
position and tables a free action from forms (never a key typed), a private one stays out of another
team's screen until it is resolved, the facilitator rules from the queue and releases an inject the
state calls for, the outcome reads in words in the player's results, and the hot wash walks the debrief
after the last turn and writes it to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_tui_support import (
    advance_to,
    check_line,
    close_cards,
    frames_until,
    is_event,
    log_lines,
    modal,
    new_game,
    screen_text,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.widgets import Input, RichLog, Select

from client_tui.hot_wash import SECTIONS, HotWashScreen
from client_tui.panes import GameOverScreen
from client_tui.panes.white_cell import InjectDraftScreen, WhiteCellConsole
from client_tui.white_cell import FreeActionScreen, PositionScreen, RulingScreen
from precursor.client import GameClient

TRUST = "trust.us_mx"  # on Mexico's menu: "Trust between the US and Mexico", 1/2/4 by size
FREE_ACTION = {
    "type": "free_action",
    "title": "Joint port audit",
    "description": "Mexican and US customs audit Manzanillo's container manifests together",
    "effects": [{"indicator": TRUST, "direction": "up", "size": "medium"}],
    "argument": "Both customs services already share manifests under the 2021 framework",
}


async def _rule_and_resolve(fac: GameClient, fid: str, band: str = "very_likely") -> dict[str, Any]:
    await fac.send({"type": "rule_free_action", "free_action": fid, "band": band, "reason": "plausible"})
    await fac.send({"type": "advance", "turn": fac.turn, "phase": "orders"})
    got = await frames_until(fac, is_event("free_action_resolved", free_action=fid))
    return dict(got[-1]["event"])


async def test_a_student_files_a_position_and_tables_a_free_action_whose_outcome_reads_in_words(
    url: str,
) -> None:
    g, tokens = await new_game(url, teams=("mx", "us"), scenario="loose-talk")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await fac.next_frame()
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            # turn 1, before orders: the screen asks for the team's position, w files it
            await wait_until(pilot, lambda: "press w" in static_text(app, "#notice"))
            await close_cards(pilot)
            await pilot.press("w")
            pos = await modal(pilot, PositionScreen)
            pos.query_one("#pos-goals", Input).value = "Keep US forces out of Mexico"
            pos.query_one("#pos-red", Input).value = "No unilateral strike"
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not isinstance(app.screen, PositionScreen))
            filed = (await frames_until(fac, is_event("position", team="mx")))[-1]["event"]
            assert (
                filed["goals"] == "Keep US forces out of Mexico"
                and filed["red_lines"] == "No unilateral strike"
            )
            await pilot.press("5")
            await wait_until(
                pilot, lambda: "Our position: goals — Keep US forces out" in static_text(app, "#wc-info")
            )

            # outside the orders phase the form says why it cannot be tabled, and keeps the draft
            await pilot.press("f")
            fa = await modal(pilot, FreeActionScreen)
            fa.query_one("#fa-title", Input).value = FREE_ACTION["title"]
            await pilot.pause()
            assert "! free actions are tabled in the orders phase (now: briefing)" in check_line(fa)
            await pilot.press("escape")
            await advance_to(fac, "orders")
            await wait_until(pilot, lambda: gs.model.view.get("phase") == "orders")

            await pilot.press("f")
            fa = await modal(pilot, FreeActionScreen)
            assert fa.query_one("#fa-title", Input).value == FREE_ACTION["title"]  # the draft was kept
            # the indicator by its name; each size says how far it moves the value
            ind = fa.query_one("#fx-ind-0", Select)
            assert any(
                v == TRUST and str(label).startswith("Trust between the US and Mexico")
                for label, v in ind._options
            )
            ind.value = TRUST
            await pilot.pause()
            sizes = [str(label) for label, _ in fa.query_one("#fx-size-0", Select)._options]
            assert "medium (±2)" in sizes and "large (±4)" in sizes
            fa.query_one("#fx-size-0", Select).value = "medium"
            fa.query_one("#fa-desc", Input).value = FREE_ACTION["description"]
            fa.query_one("#fa-arg", Input).value = FREE_ACTION["argument"]
            fa.query_one("#fa-vis", Select).value = "private"
            await pilot.pause()
            check = check_line(fa)
            assert "Claims: raise Trust between the US and Mexico by 2 (medium)" in check
            assert "costs 1.5 PC" in check and "ok: the server will take it" in check
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not isinstance(app.screen, FreeActionScreen))
            ev = (await frames_until(fac, is_event("free_action", team="mx")))[-1]["event"]
            assert ev["effects"] == [{"indicator": TRUST, "direction": "up", "size": "medium", "amount": 2.0}]
            assert ev["visibility"] == "private" and ev["title"] == FREE_ACTION["title"]
            await wait_until(
                pilot, lambda: "Our free action: Joint port audit" in static_text(app, "#wc-info")
            )

            # a second one this turn is over the limit: the form says so and sends nothing
            await pilot.press("f")
            again = await modal(pilot, FreeActionScreen)
            assert "the most the rules allow (1)" in check_line(again)
            await pilot.press("ctrl+s")
            await pilot.pause(0.2)
            assert isinstance(app.screen, FreeActionScreen)
            await pilot.press("escape")

            # ruled and rolled: the results tab reads it in words, not keys
            res = await _rule_and_resolve(fac, ev["id"])
            await pilot.press("6")
            log = gs.query_one("#result-log", RichLog)
            await wait_until(pilot, lambda: any("[free action] Mexico" in x for x in log_lines(log)))
            text = " ".join(x.strip() for x in log_lines(log))  # a long card wraps under itself
            verdict = "it worked" if res["success"] else "it did not work"
            assert (
                "[free action] Mexico Joint port audit: ruled very likely by the facilitator"
                " (90% chance" in text
            )
            assert verdict in text and "it cost 1.5 PC" in text
            assert "Trust between the US and Mexico" in text or not res["success"]
            assert TRUST not in text


async def test_a_private_free_action_stays_out_of_another_teams_screen_until_it_is_resolved(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx", "us"), scenario="loose-talk")
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, tokens["mx"]) as mx,
    ):
        await advance_to(fac, "orders")
        await mx.send({**FREE_ACTION, "visibility": "private"})
        fid = (await frames_until(fac, is_event("free_action", team="mx")))[-1]["event"]["id"]
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("5")
            await pilot.pause(0.5)  # the history read (the log from its start) has had its time
            assert gs.model.free_actions == {} and "Joint port audit" not in screen_text(app)
            await pilot.press("k")
            await wait_until(
                pilot, lambda: "no other team's free action is open" in static_text(app, "#notice")
            )
            await _rule_and_resolve(fac, fid)
            await pilot.press("6")
            log = gs.query_one("#result-log", RichLog)
            await wait_until(pilot, lambda: any("[free action] Mexico" in x for x in log_lines(log)))
            assert "Joint port audit" in "\n".join(log_lines(log))  # known to all once resolved


async def test_the_facilitator_rules_from_the_queue_and_releases_a_suggested_inject(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx", "us"), scenario="loose-talk")
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, tokens["mx"]) as mx,
        GameClient(url, g.game_id, tokens["us"]) as us,
    ):
        await advance_to(fac, "orders")
        await mx.send(FREE_ACTION)
        fid = (await frames_until(us, is_event("free_action", team="mx")))[-1]["event"]["id"]
        await us.send(
            {"type": "counter_argument", "free_action": fid, "stance": "against", "text": "No budget"}
        )
        app = seat_app(url, g, g.facilitator_token)
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await pilot.press("7")
            wc = gs.query_one(WhiteCellConsole)
            await wait_until(pilot, lambda: wc.query_one("#wc-queue", Select).value == fid)
            # the US's argument may reach the console after the free action (a loaded machine showed
            # the detail without it): the detail must take it in when it comes
            await wait_until(
                pilot,
                lambda: "US argues against: No budget" in static_text(app, "#wc-detail"),
                what="argument",
            )
            detail = static_text(app, "#wc-detail")
            assert "MX — Joint port audit (public, turn 1)" in detail
            assert "argument: Both customs services" in detail and "US argues against: No budget" in detail
            assert "MX's record: no orders carried out yet" in detail
            assert "values its claims touch: Trust between the US and Mexico: now" in detail

            wc.query_one("#wc-rule").focus()
            await pilot.press("r")
            ruling = await modal(pilot, RulingScreen)
            ruling.query_one("#ru-band", Select).value = "likely"
            sizes = [v for _, v in ruling.query_one("#fx-size-0", Select)._options]
            assert sizes == ["small", "medium"]  # never larger than claimed
            ruling.query_one("#fx-size-0", Select).value = "small"
            ruling.query_one("#ru-reason", Input).value = "audits take longer than a month"
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not isinstance(app.screen, RulingScreen))
            got = (await frames_until(fac, is_event("free_action_ruling", free_action=fid)))[-1]["event"]
            assert got["band"] == "likely" and got["effects"][0]["size"] == "small"
            note = (await frames_until(fac, is_event("note", decision="ruling")))[-1]["event"]
            assert "ruled likely (70%)" in note["text"] and "audits take longer" in note["text"]
            notes = wc.query_one("#wc-notes", RichLog)
            await wait_until(pilot, lambda: any("audits take longer" in x for x in log_lines(notes)))

            # sovereignty tension past 65 calls for the protest template; release sends it, editable
            await fac.send({"type": "override", "key": "mx.st", "value": 72, "note": "a leak"})
            sel = wc.query_one("#wc-suggest", Select)
            await wait_until(pilot, lambda: "sovereignty_protest" in [v for _, v in sel._options], 20)
            sel.value = "sovereignty_protest"
            await pilot.pause()
            assert "because" in static_text(app, "#wc-because")
            wc.query_one("#wc-release").focus()
            await pilot.press("i")
            draft = await modal(pilot, InjectDraftScreen)
            draft.query_one("#ij-title", Input).value = "Protests in Mexico City"
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not isinstance(app.screen, InjectDraftScreen))
            inj = (await frames_until(mx, is_event("inject", template="sovereignty_protest")))[-1]["event"]
            assert inj["title"] == "Protests in Mexico City"


async def test_the_hot_wash_walks_the_debrief_after_the_last_turn_and_exports_it(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    g, tokens = await new_game(url, teams=("mx",), scenario="tutorial")
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, tokens["mx"]) as mx,
    ):
        await mx.send({"type": "position", "goals": "Trade, not troops", "red_lines": "", "expectations": ""})
        await advance_to(fac, "orders")
        await mx.send(FREE_ACTION)
        fid = (await frames_until(fac, is_event("free_action", team="mx")))[-1]["event"]["id"]
        await _rule_and_resolve(fac, fid, "even")
        for _ in range(20):  # the tutorial's three turns, phase by phase, to the end
            if fac.ended:
                break
            await fac.send({"type": "advance", "turn": fac.turn, "phase": fac.phase})
        assert fac.ended
        app = seat_app(url, g, g.facilitator_token)
        async with app.run_test(size=(120, 40)) as pilot:
            # the debrief comes up by itself, and tells the facilitator where the hot wash is
            await wait_until(pilot, lambda: isinstance(app.screen, GameOverScreen))
            await pilot.pause()
            assert (
                "Esc, then h: the hot wash, the structured debrief to walk with the players"
                in screen_text(app)
            )
            await pilot.press("escape")
            await pilot.press("h")
            hw = await modal(pilot, HotWashScreen)
            await wait_until(pilot, lambda: bool(hw.text), 20)
            shown = hw.text
            # on screen as a document: the first heading without its Markdown marks
            assert SECTIONS[0] in screen_text(app) and f"## {SECTIONS[0]}" not in screen_text(app)
            at = [shown.index(s) for s in SECTIONS]
            assert at == sorted(at)  # the five sections, in order
            assert "Trade, not troops" in shown and "Joint port audit" in shown
            assert f"precursor fork {g.game_id} --turn 1" in shown
            await pilot.press("e")
            written = tmp_path / f"hotwash-{g.game_id}.md"
            await wait_until(pilot, lambda: written.exists())
            assert f"written to {written}" in static_text(app, "#hw-where")
            assert SECTIONS[2] in written.read_text()
            report = tmp_path / f"report-{g.game_id}.html"  # handed out with the facts it walked through
            assert report.exists() and "Joint port audit" in report.read_text()
