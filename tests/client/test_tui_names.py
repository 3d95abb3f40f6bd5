"""The words a student reads after the first fixes: teams by name wherever the client writes about them
(the engine's ``MX``/``mx`` stood in proposals, results and the end screen), a refusal in words
without its code, a statement sent alone said as sent, and a once-only lever already played read as
the engine reads it: the clause on it is kept."""

from __future__ import annotations

import re
from typing import Any

import pytest
from test_tui_support import (
    advance_to,
    close_cards,
    frames_until,
    is_event,
    new_game,
    screen_text,
    seat_app,
    until_online,
    wait_until,
)
from textual.containers import VerticalScroll
from textual.widgets import DataTable

from client_tui import render, terms
from client_tui.composer import ParamsScreen, ProposalScreen
from client_tui.model import LiveGame
from client_tui.panes.game_over import game_over_text, report_commands
from client_tui.panes.proposals import clause_cell, modules_text, replies_text
from client_tui.panes.results import result_text
from precursor.analysis.runner import play
from precursor.client import GameClient
from precursor.game.bots import BotDriver
from precursor.game.commands import Order, StatementOrder, SubmitOrders
from precursor.game.rulebook import Rulebook, default_rulebook
from precursor.game.views import events_for, view

# a team's id standing alone, as the client used to print it: "MX commits", "from US", "(US, MX)",
# "us,mx"; a lever code (MX-PLAN), an id inside another id (T1-MX-1) or a key (mx.st) is not one
BARE_ID = re.compile(
    r"(?<![\w-])(?:US|MX|CN|CA)(?![\w-])|(?<![\w.-])(?:mx|cn|ca)(?![\w-]|\.\w)|(?<![\w-])us,(?:mx|cn|ca)"
)


def authored(rb: Rulebook, live: LiveGame) -> list[str]:
    """Prose written by people, which may say "the US" as English does: the rulebook's names, the
    objectives, the score's component names and what each is made of, inject and rule texts, and the
    reasons teams gave. The scan is of the words the client puts around them."""
    out = [i.name for i in rb.indicators.values()]
    out += [text for c in rb.scoring for text in c.explain.values()]
    out += [n[:1].lower() + n[1:] for n in out]  # mid-sentence ("…: trust between the US and Mexico")
    out += [lv.name for lv in rb.levers.values()] + [r.name for r in rb.rules]
    for obj in (live.view.get("objectives") or {}).values():
        out.append(str(obj.get("public") or ""))
        out += [str(o.get("text") or "") for o in obj.get("secret") or []]
    for sc in (live.view.get("scores") or {}).values():
        out += [str(c.get("name") or "") for c in ((sc or {}).get("components") or {}).values()]
    for ev in live.results:
        if ev.get("type") == "score":
            for sc in (ev.get("scores") or {}).values():
                out += [str(c.get("name") or "") for c in ((sc or {}).get("components") or {}).values()]
        if ev.get("type") == "order_failed" and ev.get("reason"):  # the rules' precondition message
            out.append(str(ev["reason"]).split(": ", 1)[-1])
        if ev.get("type") in ("effect", "inject", "statement", "election", "fact", "review", "token"):
            for k in ("reason", "text", "title"):
                if ev.get(k):
                    out += [str(ev[k]), render.gloss(rb, str(ev[k]))]
    for p in live.proposals.values():
        out += [str(r) for r in (p.get("reasons") or {}).values() if r]
        out.append(str(p.get("note") or ""))
    # English around the rulebook's own words ("a US demand met" is the framing's name)
    out += list(terms.FRAMING_WORDS.values()) + list(render.WINDOW_NAMES.values())
    return sorted({s for s in out if s}, key=len, reverse=True)


def bare_ids(text: str, prose: list[str]) -> list[str]:
    found = []
    for line in text.splitlines():
        left = line
        for s in prose:
            left = left.replace(s, "…")
        if BARE_ID.search(left):
            found.append(line)
    return found


def _seat(game: Any, team: str) -> LiveGame:
    live = LiveGame()
    live.me = {"role": "player", "team": team, "seat": f"{team}.x", "player_id": "p1", "game_id": "g1"}
    for seq, ev in enumerate(events_for(game, team), 1):
        live.apply(seq, ev)
    live.set_view(view(game, team), game.state.seq)
    return live


@pytest.mark.parametrize("scenario", ["loose-talk", "tariffs-and-terror"])
def test_no_team_id_is_left_in_proposals_results_or_the_end_screen(scenario: str) -> None:
    """A bot game played to its end, read by each team: the proposals table's clauses, a proposal in
    full, the answers and agreements, every result card and the end screen name every team."""
    rb = default_rulebook()
    personas = dict(rb.scenarios[scenario].model.personas)
    game, _ = play(rb, scenario, 1, None, bots=BotDriver(rb, personas, 1))
    seen = {"proposals": 0, "compliance": 0, "agreements": 0}
    for team in ("us", "mx", "cn", "ca"):
        live = _seat(game, team)
        # the report and replay commands name the team as the command line does: --audience mx
        prose = [line.strip() for line in report_commands("g1", "", team)] + authored(rb, live)
        texts = [game_over_text(live, rb, "g1"), render.agreements_text(live), replies_text(live)]
        texts.append(render.score_text(live))
        for p in live.proposals.values():
            texts += [clause_cell(rb, p), terms.proposal_text(live, rb, p) + modules_text(rb, p)]
            seen["proposals"] += 1
        for ev in live.results:
            texts.append(result_text(ev, rb))
            seen["compliance"] += ev["type"] == "compliance"
            seen["agreements"] += ev["type"] == "agreement_update"
        found = [line for text in texts for line in bare_ids(text, prose)]
        assert not found, f"{team}: " + "\n".join(found[:12])
    assert all(seen.values()), seen  # the game had deals, kept or broken, for the scan to read


async def test_the_proposals_tab_and_a_proposal_in_full_name_teams_and_a_spent_once_only_clause_is_kept(
    url: str,
) -> None:
    """Mexico reads a US proposal on a real server. Its clause on MX-PLAN(i), played in turn 1 and once
    per game, reads as kept (the engine counts the act done), so accepting asks nothing; the table and
    the full text say "Mexico" and "United States", never MX or US."""
    g, tokens = await new_game(url, teams=("mx", "us"), scenario="loose-talk")
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, tokens["us"]) as us,
        GameClient(url, g.game_id, tokens["mx"]) as mx,
    ):
        await mx.next_frame()
        await us.next_frame()
        await advance_to(fac, "orders")
        await mx.send({"type": "submit_orders", "orders": [{"lever": "mx_plan_1"}]})
        await advance_to(fac, "negotiation", 2)
        clauses = [
            {"actor": "mx", "lever": "mx_plan_1", "duration": 2},
            {"actor": "us", "lever": "us_san_1", "params": {"packages": 2}},
        ]
        await us.send({"type": "propose", "parties": ["us", "mx"], "clauses": clauses})
        pid = (await frames_until(us, is_event("proposal")))[-1]["event"]["proposal"]["id"]
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("4")
            table = gs.query_one("#prop-table", DataTable)
            await wait_until(pilot, lambda: table.row_count == 1)
            # the codes carry their teams' prefixes; the teams are named in "between"
            cell = "MX-PLAN(i) Federal fentanyl…; US-SAN-1 Kingpin and… (designation packages: at least 2)"
            assert str(table.get_row_at(0)[3]) == cell
            # below the status line, whose readiness row is a compact glyph per team
            tab = "\n".join(screen_text(app).splitlines()[1:])
            assert "United States → Mexico" in tab
            assert not bare_ids(tab, []), bare_ids(tab, [])
            table.focus()
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ProposalScreen), what="the full text")
            text = app.screen.text  # type: ignore[attr-defined]
            assert f"Proposal {pid} from United States" in text
            assert (
                "1. Mexico commits to MX-PLAN(i) — Federal fentanyl coordinating body, once from turn 2"
                " (a once-per-game act: done once, it keeps the whole clause)"
            ) in text
            assert (
                "costs Mexico nothing (done already) · ✓ kept already: MX-PLAN(i) can be played once"
                " per game and Mexico has played it already: the rules count the clause as kept"
            ) in text
            assert "✓ can keep it: US-SAN-1 can be ordered" in text  # read on the values Mexico sees
            assert "CANNOT" not in text and "You cannot keep your side" not in text
            assert not bare_ids(text, []), bare_ids(text, [])
            # nothing to warn about: a accepts at once
            await pilot.press("a")
            got = await frames_until(us, is_event("proposal_response", proposal=pid))
            assert got[-1]["event"]["action"] == "accept"


async def test_a_refusal_reads_as_its_message_and_a_statement_alone_reads_as_sent(url: str) -> None:
    """Orders the server refuses (MX-PLAN(i) a second time: once per game) say why in words, not
    ``refused — once_only: …``; the code is kept on the screen for the log. A submission carrying only
    a public statement said "orders submitted: none (hold)"."""
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            said = StatementOrder(kind="praise", target="cn", text="Thank you for the export licences.")
            await gs._submit_orders(SubmitOrders(statement=said))
            assert gs._notice_text == "public statement sent; no orders (hold)"
            await gs._submit_orders(SubmitOrders(orders=[Order(lever="mx_plan_1")]))
            assert gs._notice_text == "orders submitted: MX-PLAN(i)"
            await advance_to(fac, "orders", 2)
            await wait_until(pilot, lambda: gs.model.turn == 2 and gs.model.phase == "orders")
            await close_cards(pilot)
            await gs._submit_orders(SubmitOrders(orders=[Order(lever="mx_plan_1")]))
            assert gs.last_refusal is not None
            code, message = gs.last_refusal
            assert code == "once_only"
            assert gs._notice_text == f"refused: {message}"
            assert "once_only" not in screen_text(app) and message[:40] in screen_text(app)


# ---------------------------------------------------------------------- windows that keep their ends


def _on_screen(app: Any, selector: str) -> bool:
    """The widget is drawn whole inside the terminal."""
    region = app.screen.query_one(selector).region
    return bool(region.height) and region.y >= 0 and region.bottom <= app.size.height


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_proposal_in_full_and_the_parameters_keep_heading_and_buttons_while_the_text_scrolls(
    url: str, size: tuple[int, int]
) -> None:
    """A long proposal, and a lever with three parameters on a terminal too short for them: the
    heading and the buttons stay where they are while the text between them scrolls to its end (the
    heading went with the text, and the buttons sat below the last line)."""
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=size) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        clauses = [{"actor": "mx", "lever": lv, "duration": 2} for lv in ("mx_port", "mx_trace", "mx_arrest")]
        clauses += [{"actor": "us", "lever": lv} for lv in ("us_san_1", "us_arms", "us_demand", "us_bic")]
        p = {"id": "T1-US-1", "from": "us", "parties": ["us", "mx"], "clauses": clauses, "note": "x " * 600}
        text = terms.proposal_text(gs.model, gs.rb, p)
        app.push_screen(ProposalScreen(text))
        await wait_until(pilot, lambda: isinstance(app.screen, ProposalScreen), what="the full text")
        await pilot.pause(0.2)
        body = app.screen.query(VerticalScroll).first()
        assert body.max_scroll_y > 0  # the text is longer than the window
        assert "Proposal T1-US-1 from United States" in screen_text(app)
        body.scroll_end(animate=False)
        await pilot.pause(0.2)
        assert body.scroll_y == body.max_scroll_y > 0
        assert _on_screen(app, "#close") and _on_screen(app, "#accept")
        assert "Cost in political capital" in screen_text(app)
        assert "Proposal T1-US-1 from United States" in screen_text(app)
        await pilot.press("escape")

        app.push_screen(ParamsScreen(gs.model, gs.rb, "mx_consent", {}))
        await wait_until(pilot, lambda: isinstance(app.screen, ParamsScreen), what="the parameters")
        await pilot.pause(0.2)
        assert "MX-CONSENT — " in screen_text(app) and _on_screen(app, "#param-ok")
        # three parameters fit 24 rows; a terminal split in two has 16
        await pilot.resize_terminal(size[0], 16)
        await pilot.pause(0.3)
        body = app.screen.query(VerticalScroll).first()
        assert body.max_scroll_y > 0
        body.scroll_end(animate=False)
        await pilot.pause(0.2)
        assert body.scroll_y == body.max_scroll_y
        assert "MX-CONSENT — " in screen_text(app)
        assert _on_screen(app, "#param-ok") and _on_screen(app, "#param-cost")
        assert "MX-CONSENT — " in screen_text(app)
