"""What session 26's students met, on a real server and the real client."""

from __future__ import annotations

import copy

from test_tui_support import (
    add_clause,
    advance_to,
    close_cards,
    negotiation_table,
    new_game,
    open_composer,
    propose,
    seat_app,
    static_text,
    team_model,
    until_online,
    wait_until,
)
from textual.widgets import Static

from client_tui.notice import Notice
from client_tui.panes.dashboard import DashboardPane
from client_tui.panes.game_over import GameOverScreen
from precursor.client import GameClient
from precursor.game.rulebook import default_rulebook


async def test_the_last_turns_results_say_no_more_orders_and_the_end_clears_a_stale_notice(url: str) -> None:
    """Mexico's student (Election Season, turn 8 of 8, results) pressed ctrl+s in the orders tab and read
    "orders go in during the orders phase (now: results); your ticks are kept until then" above "this was
    the last turn: no more orders"; earlier it had pressed ctrl+g, and after the end the line under the
    debrief still read "the debrief comes at the end of the game"."""
    g, tokens = await new_game(url, teams=("mx",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "results", turn=3)  # the tutorial's last turn
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("ctrl+g")
            await wait_until(pilot, lambda: "debrief comes at the end" in static_text(app, "#notice"))
            await pilot.press("5")
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: "last turn" in static_text(app, "#notice"), what="the refusal")
            assert static_text(app, "#notice") == "not sent — this was the last turn: no more orders"
            await fac.send({"type": "advance", "turn": fac.turn, "phase": fac.phase})
            await wait_until(pilot, lambda: isinstance(app.screen, GameOverScreen), what="the debrief")
            assert gs.model.ended
            line = str(gs.query_one("#notice", Static).render())
            assert line == "the game is over: ctrl+g shows the debrief again", line


async def test_ctrl_a_does_not_add_a_clause_on_a_once_only_lever_already_played(url: str) -> None:
    """Mexico's student picked CA-LEA, played already, and ctrl+a added it without a word; only ctrl+s
    then refused the draft ("CA-LEA can be played once per game and Canada has played it already")."""
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk")
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, tokens["mx"]) as mx,
    ):
        await mx.next_frame()
        await advance_to(fac, "orders")
        await mx.send({"type": "submit_orders", "orders": [{"lever": "mx_plan_1"}]})
        await advance_to(fac, "negotiation", 2)
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            cs = await open_composer(pilot)
            await add_clause(pilot, cs, "us", "us_arms")
            assert len(cs.clauses) == 1
            await add_clause(pilot, cs, "mx", "mx_plan_1")
            said = (
                "! not added — MX-PLAN(i) can be played once per game and Mexico has played it already: a"
                " clause on it would promise nothing"
            )
            await wait_until(pilot, lambda: said in static_text(app, "#c-check"), what="the refusal")
            assert [c.lever for c in cs.clauses] == ["us_arms"]


def test_the_score_line_of_the_last_turn_says_the_months_still_modelled() -> None:
    """A student's US (Red Line) read "score if the game ended now +40.7" in the last turn and finished
    on +53.7: the three months the model runs after the last turn, orders frozen, were said only on the
    end screen. The dashboard says so in the last turn, and not before."""
    rb = default_rulebook()
    model = team_model(rb, "us", "red-line")
    pane = DashboardPane(model, rb)
    said = "after this last turn the model runs 3 more months with orders frozen"
    for turn, last in ((2, False), (5, True)):
        model.set_view({**model.view, "turn": turn, "phase": "orders"}, model.seq)
        assert (said in pane.score_line()) is last, (turn, pane.score_line())
        assert "score if the game ended now" in pane.score_line()


async def test_a_view_that_brings_the_answer_first_moves_the_tabled_notice_on(url: str) -> None:
    """Student b26's line read "proposal tabled: T2-US-3 — open, waiting for Mexico to answer" in the
    orders phase after the deal was signed. Not reproduced as it happened; one way it happens: a view
    that already holds the answer makes its events come as already held, and only events moved the
    line on."""
    async with negotiation_table(url, "us", "mx") as t:
        pilot, app = t.pilot, t.app
        gs = await until_online(pilot)
        await close_cards(pilot)
        async with GameClient(url, t.game.game_id, t.tokens["us"]) as us:  # the seat's own second socket
            await us.next_frame()
            pid = await propose(us, ["us", "mx"], [{"actor": "us", "lever": "us_arms"}])
        await wait_until(pilot, lambda: pid in gs.model.proposals, what="the proposal")
        gs.post_message(Notice(f"proposal tabled: {pid} — open, waiting for Mexico to answer", proposal=pid))
        await wait_until(pilot, lambda: static_text(app, "#notice").startswith("proposal tabled"))
        # the next view holds the deal signed (its events will come as already held)
        signed = copy.deepcopy(gs.model.view)
        others = [p for p in signed.get("proposals", []) if p["id"] != pid]
        signed["proposals"] = [*others, {**gs.model.proposals[pid], "status": "signed"}]
        gs._on_frame({"type": "view", "view": signed, "seq": gs.model.seq + 1000})
        await pilot.pause()
        assert static_text(app, "#notice").startswith(f"proposal tabled: {pid} — signed as agreement")
