"""Session 23: what session 22's students still met at the table."""

from __future__ import annotations

import asyncio

import pytest
from test_tui_compose21 import _params_form
from test_tui_support import (
    add_clause,
    advance_to,
    close_cards,
    frames_until,
    game_at_orders,
    is_event,
    log_lines,
    modal,
    new_game,
    notices,
    open_composer,
    open_orders,
    open_proposals,
    open_results,
    play_to_the_end,
    propose,
    results_after_orders,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.widgets import Checkbox, Input, Select

from client_tui import render, terms
from client_tui.composer import ProposalScreen
from client_tui.model import LiveGame
from client_tui.panes.dashboard import objective_lines
from client_tui.panes.game_over import report_commands
from client_tui.panes.results import ResultsLog
from client_tui.widgets import Confirm
from precursor.analysis.runner import play
from precursor.cli import _say_how_to_review
from precursor.client import GameClient
from precursor.game.bots import BotDriver
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook
from precursor.game.views import view


async def test_a_rule_card_after_the_months_is_not_repeated_under_other_changes(url: str) -> None:
    """Student h22 read "[rule] Opposition hearings … Congressional hawk pressure on the White House
    87.0 → 89.0" and then the same "87.0 → 89.0" under "[other changes] … for reasons not shown to you":
    MX-PLAN(i)'s lagged "-2" had landed in the month, before the hearings' card, and the log applied it a
    second time after that card."""
    text = await results_after_orders(
        url,
        "mx",
        {1: {"mx": [{"lever": "mx_plan_1"}]}},
        ("briefing", 3),
        "══ turn 3 ══",
        scenario="loose-talk",
    )
    turn2 = text[text.find("══ turn 2 ══") : text.find("══ turn 3 ══")]
    assert "[delayed effect] MX-PLAN(i), ordered in turn 1, takes effect" in turn2, turn2
    assert "Opposition hearings" in turn2, turn2
    other = turn2[turn2.find("[other changes]") :] if "[other changes]" in turn2 else ""
    assert "hawk pressure" not in other, other


async def test_a_move_a_private_order_told_of_above_may_explain_names_it_as_a_likely_cause(url: str) -> None:
    """Student h22 read "[clause kept] Mexico played MX-DELEG … as agreed", a private order, and then
    "Trust between the US and Mexico 45.0 → 50.0" under "[other changes] … for reasons not shown to you",
    with nothing to tie the two: the private order's own card is not the team's to see, but the deal's
    check told of the act, and the act names that value among its effects."""
    g, tokens = await new_game(url, teams=("mx", "us"))
    clauses = [
        {"actor": "mx", "lever": "mx_arms"},
        {"actor": "us", "lever": "us_travel", "params": {"direction": "lower"}},
    ]
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(160, 50)) as pilot:
        gs = await open_results(pilot)
        fac = GameClient(url, g.game_id, g.facilitator_token)
        us, mx = GameClient(url, g.game_id, tokens["us"]), GameClient(url, g.game_id, tokens["mx"])
        async with fac, us, mx:
            deal = {"type": "propose", "parties": ["us", "mx"], "clauses": clauses, "verification": "joint"}
            await mx.send(deal)
            await us.send({"type": "respond", "proposal": "T1-MX-1", "action": "accept"})
            await advance_to(fac, "orders")
            # US-TRAVEL's card (the statements step) shows the trust the private MX-ARMS then moves
            travel = {"lever": "us_travel", "params": {"direction": "lower"}}
            await us.send({"type": "submit_orders", "orders": [travel]})
            await mx.send(
                {"type": "submit_orders", "orders": [{"lever": "mx_arms", "visibility": "private"}]}
            )
            await advance_to(fac, "results")
        await wait_until(
            pilot, lambda: "[other changes]" in "\n".join(log_lines(gs.results)), what="the line"
        )
        text = " ".join("\n".join(log_lines(gs.results)).split())
        other = text[text.find("[other changes]") :]
        assert "Trust between the US and Mexico" in other, other
        assert "(likely among its causes: Mexico's private MX-ARMS, told of above)" in other, other


async def test_terms_just_turned_down_are_said_before_they_are_sent_again(url: str) -> None:
    """Student h22 tabled US-ARMS for MX-PORT and the US turned it down; rebuilt the same deal in the
    composer, the check line said only "ok". Now it names the proposal, the turn and the reason; with
    the inspection intensity raised it is a new offer, and the line says nothing of it."""
    g, tokens = await new_game(url, teams=("mx", "us"))
    clauses = [
        {"actor": "us", "lever": "us_arms"},
        {"actor": "mx", "lever": "mx_port", "params": {"intensity": 150}},
    ]
    async with GameClient(url, g.game_id, tokens["mx"]) as mx, GameClient(url, g.game_id, tokens["us"]) as us:
        pid = await propose(mx, ["us", "mx"], clauses)
        await us.send(
            {"type": "respond", "proposal": pid, "action": "reject", "reason": "Not enough inspection."}
        )
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        cs = await open_composer(pilot)
        await wait_until(pilot, lambda: cs.model.proposals.get(pid, {}).get("status") == "rejected")
        cs.query_one("#party-us", Checkbox).value = True
        await pilot.pause()
        await add_clause(pilot, cs, "us", "us_arms")
        await add_clause(pilot, cs, "mx", "mx_port", intensity="150")
        said = " ".join(static_text(app, "#c-check").split())
        assert (
            f"these are the terms {pid} offered in turn 1, and they were turned down: “Not enough"
            " inspection.” — change what the deal asks or gives first"
        ) in said, said
        # the checking changed alone is a new offer (student k23: Mexico had asked for a joint check)
        cs.query_one("#c-verif", Select).value = "joint"
        await pilot.pause()
        said = " ".join(static_text(app, "#c-check").split())
        assert "turned down" not in said, said
        cs.query_one("#c-verif", Select).value = "self"
        await pilot.pause()
        assert "turned down" in " ".join(static_text(app, "#c-check").split())
        cs.clauses[1] = cs.clauses[1].model_copy(update={"params": {"intensity": 200}})
        cs.check()
        await pilot.pause()
        said = " ".join(static_text(app, "#c-check").split())
        assert "turned down" not in said, said


async def test_an_objective_one_act_settles_says_so_until_the_act(url: str) -> None:
    """Student h22's Mexico read "China answers the letter … never issues a flat denial (CN-DENY) —
    judged when the game ends" in turn 1; a China bot denied that turn, and turn 2 read "missed —
    decided in turn 1". Now the briefing and the dashboard say, before it happens, that one CN-DENY
    settles it; once it is settled, only the verdict is said."""
    g, tokens = await new_game(url, teams=("mx", "cn"), scenario="loose-talk")
    app = seat_app(url, g, tokens["mx"])
    warn = "— lost for good the moment China orders CN-DENY, in any turn, this one included"
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        await wait_until(pilot, lambda: "flat denial" in gs.briefing._brief, what="the objectives")
        line = next(x for x in gs.briefing._brief.splitlines() if "flat denial" in x)
        assert warn in line, line
        rows = objective_lines(gs.model, gs.rb)
        assert sum(warn in x for x in rows) == 1, rows
        async with (
            GameClient(url, g.game_id, g.facilitator_token) as fac,
            GameClient(url, g.game_id, tokens["cn"]) as cn,
        ):
            await advance_to(fac, "orders")
            await cn.send({"type": "submit_orders", "orders": [{"lever": "cn_deny"}]})
            await advance_to(fac, "briefing", turn=2)
        await wait_until(pilot, lambda: gs.model.turn == 2, what="turn 2")
        row = next(x for x in objective_lines(gs.model, gs.rb) if "flat denial" in x)
        assert "missed — decided in turn 1" in row and "lost for good the moment" not in row, row


async def test_an_order_whose_effects_waited_on_an_unmet_condition_says_so(url: str) -> None:
    """Student g22's China ordered CN-LINK "resumed" in turn 1 of Three Weeks, with no summit and no US
    concession, and read only "Chinese political capital 10 → 9": the order did nothing, and nothing
    said so (the parameters form had warned it would). The order's card now says what it waited on."""
    resume = {"lever": "cn_link", "params": {"action": "resume"}}
    text = await results_after_orders(
        url, "cn", {1: {"cn": [resume]}}, ("results", 1), "(CN-LINK)", scenario="three-weeks"
    )
    card = text[text.find("(CN-LINK) (cooperation: resumed)") :][:400]
    assert (
        "no effect beyond its cost: cooperation restarts after a summit or a US concession — and that"
        " did not hold this turn"
    ) in card, card


async def test_the_focused_party_box_is_marked_by_shape_not_only_colour(url: str) -> None:
    """Student i22, at 80x24: "on the party checkboxes … I could not see in plain text where the focus
    was", and pressed Space on a box unseen. The focused box takes a double border, as the clause list
    does, and its label is reversed; the others keep their plain border."""
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        box = cs.query_one("#party-us", Checkbox)
        box.focus()
        await pilot.pause()
        other = cs.query_one("#party-cn", Checkbox)
        assert box.styles.border.top[0] == "double" and other.styles.border.top[0] != "double"
        label = box.get_component_rich_style("toggle--label")
        assert label.reverse and label.bold, label


async def test_a_clauses_condition_stays_with_it_when_signed_and_when_broken(url: str) -> None:
    """Students h22 and i22 read a deal signed as "Mexico commits to MX-PORT (…), turn 1" with the
    "[if …]" they had written gone, then "broken by Mexico … clause 1, MX-PORT" with nothing to say it
    was due because the condition held. Both lines now carry the condition."""
    g, tokens = await new_game(url, teams=("mx", "us"))
    port = {"actor": "mx", "lever": "mx_port", "params": {"intensity": 150}, "condition": "mx.st < 100"}
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(160, 50)) as pilot:
        gs = await open_results(pilot)
        fac = GameClient(url, g.game_id, g.facilitator_token)
        us, mx = GameClient(url, g.game_id, tokens["us"]), GameClient(url, g.game_id, tokens["mx"])
        async with fac, us, mx:
            pid = await propose(mx, ["us", "mx"], [port, {"actor": "us", "lever": "us_arms"}])
            await us.send({"type": "respond", "proposal": pid, "action": "accept"})
            await advance_to(fac, "orders")
            await us.send({"type": "submit_orders", "orders": [{"lever": "us_arms"}]})
            await advance_to(fac, "results")
        await wait_until(
            pilot, lambda: "[clause broken]" in "\n".join(log_lines(gs.results)), what="the verdict"
        )
        text = " ".join("\n".join(log_lines(gs.results)).split())
        assert "turn 1 [if Mexican sovereignty tension below 100]" in text, text
        line = " ".join(render.agreements_text(gs.model, gs.rb).split())
        assert (
            "clause 1, MX-PORT by Mexico, turn 1 (due: Mexican sovereignty tension below 100 held)" in line
        ), line


async def test_tension_an_order_adds_and_takes_back_is_said_taken_back(url: str) -> None:
    """Student i22's Mexico read US-IND's card "how: Mexican sovereignty tension +2: the act weighs 4, ×
    0.5 …" and no tension moved on it: "where did the +2 go?" A case prepared jointly takes it back in
    the same order, and the line now says so."""
    joint = {"lever": "us_ind", "params": {"mode": "joint"}}
    text = await results_after_orders(url, "mx", {1: {"us": [joint]}}, ("results", 1), "(US-IND)")
    card = text[text.find("(US-IND)") :][:700]
    assert "Mexican sovereignty tension 5" not in card, card  # nothing moved it on this card
    assert (
        "— and the order takes it back at once: a case prepared with Mexico adds no tension: this"
        " cancels the tension an unconsulted indictment adds"
    ) in card, card


async def test_an_objective_on_a_starting_value_says_whether_it_holds_in_turn_1(url: str) -> None:
    """Student h22's Canada read "US–Canada trust ends no lower than at the start — judged when the game
    ends" in turn 1, with no word of whether it held (it did): the starting value the view gives is
    read now, and the row says "(it holds now)". A starting value is fixed: no "only just" of it."""
    g, tokens = await new_game(url, teams=("ca",))
    app = seat_app(url, g, tokens["ca"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        await wait_until(pilot, lambda: "trust ends" in gs.briefing._brief, what="the objectives")
        line = next(x for x in gs.briefing._brief.splitlines() if "trust ends" in x)
        assert "judged when the game ends (it holds now)" in line, line
        row = next(x for x in objective_lines(gs.model, gs.rb) if "trust ends" in x)
        assert "at the start" not in row.partition("only just")[2], row


async def test_the_form_says_what_an_order_waits_on_as_things_stand(url: str) -> None:
    """Student g22's CN-LINK form, "resumed", said the resumption "takes a leaders' summit or a US
    concession" and nothing of whether either was there in turn 1; the order did nothing. The form now
    says what the order waits on as things stand."""
    g, tokens = await game_at_orders(url, "cn", scenario="three-weeks")
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(80, 24)) as pilot:
        _pane, form = await _params_form(pilot, "cn_link")
        form.query_one("#order-params Select", Select).value = "resume"
        said = (
            "it acts only if what it waits on holds when the orders are carried out; now: A leader summit is"
        )
        await wait_until(pilot, lambda: said in " ".join(static_text(app, "#param-cost").split()), what=said)
        text = " ".join(static_text(app, "#param-cost").split())
        assert "A leader summit is open this turn: no" in text, text
        assert "The US made a reciprocity concession to China: no" in text, text


async def test_the_commands_printed_on_leaving_a_solo_game_are_the_end_screens(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Student h22 met two report commands: the end screen's ``--audience mx`` and, printed on leaving,
    the facilitator's whole record. Leaving a finished solo game now prints the team's, as the end
    screen gives them."""
    g, _tokens = await new_game(url, teams=("mx",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        for _ in range(40):
            if fac.ended:
                break
            await fac.send({"type": "advance", "turn": fac.turn, "phase": fac.phase})
        assert fac.ended
    await asyncio.to_thread(_say_how_to_review, url, g.game_id, "", "mx")
    said = capsys.readouterr().out
    end = report_commands(g.game_id, "", "mx")
    assert f"The game {g.game_id} is over" in said and all(line in said for line in end), said
    assert "--audience mx" in said, said


async def test_a_failed_orders_card_gives_its_reason(url: str) -> None:
    """Student j23's China asked for a leaders' summit nobody had scheduled and read "[order failed]
    China CN-SUMMIT:" with nothing after the colon: the card read a field the event does not carry."""
    text = await results_after_orders(
        url, "cn", {1: {"cn": [{"lever": "cn_summit"}]}}, ("results", 1), "[order failed]"
    )
    assert "[order failed] China CN-SUMMIT: no leaders' summit this turn: none was scheduled" in text, text


async def test_an_offer_this_team_rejects_is_not_said_rejected_before_it_answered(url: str) -> None:
    """Student j23 pressed r on the US's counter and read "United States's T1-US-1 was rejected before
    you answered it", and the proposal then read "rejected" with no word of by whom."""
    g, tokens = await new_game(url, teams=("mx", "us"))
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        pid = await propose(
            us, ["us", "mx"], [{"actor": "us", "lever": "us_arms"}, {"actor": "mx", "lever": "mx_trace"}]
        )
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs, table = await open_proposals(pilot)
        said = notices(gs)
        table.focus()
        await pilot.press("enter")
        await modal(pilot, ProposalScreen)
        await pilot.press("r")
        await wait_until(
            pilot, lambda: gs.model.proposals[pid].get("status") == "rejected", what="the answer"
        )
        await pilot.pause(0.3)
        assert not any("before you answered" in x for x in said), said
        # the team that rejected it reads "you" (session 24: "you rejected T1-CN-1 — rejected by United
        # States" said it twice); the notice says it once
        assert terms.proposal_status(gs.model, gs.rb, gs.model.proposals[pid]) == "rejected by you"
        assert gs._notice_text == f"you rejected {pid}", gs._notice_text


def test_only_a_periodic_rules_card_is_taken_to_come_after_the_months(rb: Rulebook) -> None:
    """Student j23's China read "Multilateral precursor-control index 30 → 35" under "[other changes]",
    just below the "[delayed effect] CN-PEN … +5" that made it: the card of the trilateral modules
    coming into force (a mechanism, shown among the orders) had been taken for a rule run after the
    months, so the landed +5 was not counted. A mechanism's step says nothing of when its card comes."""
    log = ResultsLog(rb)
    assert not log._after_months({"type": "effect", "rule": "h1.trilateral_modules"})
    assert log._after_months({"type": "effect", "rule": "c8.hearings"})  # politics, after the months
    assert not log._after_months({"type": "effect", "rule": "nothing.such"})


async def test_the_dashboard_at_the_end_gives_the_final_score_and_says_what_its_estimates_are(
    url: str,
) -> None:
    """Issue 14: at the end "the dashboard still says estimate". The score line says "final score", and
    the rows the team saw only as estimates are said to stay estimates, with where the true values are."""
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        async with GameClient(url, g.game_id, g.facilitator_token) as fac:
            await play_to_the_end(fac, pilot, lambda: gs.model.ended)
        line = " ".join(gs.dashboard.score_line().split())
        assert "Mexico final score" in line and "estimate +" not in line, line
        assert "the rows marked ~est stay your team's estimates" in line, line
        assert any(i.get("estimate") for i in gs.model.view["indicators"])  # there are such rows


def test_a_bots_counter_reads_with_its_reason_in_the_proposal(rb: Rulebook) -> None:
    """Issue 14: "bots that reject or counter say why in one sentence". A counter of a bot game, as its
    proposer's client opens it: the "Message:" line says what the counter changes and why (as tabled
    the deal was not enough for the bot's team to sign, or its trust in the proposer is too low to take
    its word)."""
    game, _ = play(
        rb, "the-record", 0, None, bots=BotDriver(rb, dict(rb.scenarios["the-record"].model.personas), 0)
    )
    counters = [
        e["proposal"] for e in game.log if e["type"] == "proposal" and e["proposal"].get("counter_to")
    ]
    assert counters, "no counter in the game"
    for p in counters[:3]:
        model = LiveGame()
        model.me = {"role": "player", "team": p["counter_to"].split("-")[1].lower(), "seat": "government"}
        model.set_view(view(game, model.me["team"]), game.state.seq)
        text = " ".join(terms.proposal_text(model, rb, model.proposals[p["id"]]).split())
        said = text[text.find("Message: ") :]
        assert said.startswith("Message: ") and f"counters {p['counter_to']}: the same deal" in said, text
        assert "; as tabled, it was not enough for " in said or "it takes a word at)" in said, said


async def test_ready_with_a_tick_never_submitted_asks_first(url: str) -> None:
    """Issue 14 point 2, "Ready with unsubmitted or refused orders asks first": the refused case had a
    test, the one of levers ticked and never submitted had none (walk 23). ctrl+r asks, naming them."""
    g, tokens = await game_at_orders(url, "mx", scenario="loose-talk")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs, sl = await open_orders(pilot)
        await wait_until(pilot, lambda: not gs.orders.checking(), what="the orders view")
        sl.select("mx_port")
        await pilot.pause()
        sl.focus()
        await pilot.press("ctrl+r")
        question = await modal(pilot, Confirm)
        assert "You ticked MX-PORT but did not submit them" in " ".join(question.question.split())
        await pilot.press("n")
        await wait_until(pilot, lambda: not isinstance(app.screen, Confirm), what="the question to close")
        await pilot.pause(0.3)
        assert not any(gs.model.ready.values()), gs.model.ready  # "n" kept the seat not ready


async def test_filling_a_programme_a_deal_asks_for_again_later_is_said_in_the_form(url: str) -> None:
    """Student k23's US promised US-DEMAND in turns 1 and 2; in turn 1 the form said "room for 2 more"
    and "keeps agreement A1-MX-1", k23 set 2 levels, and in turn 2 the promised US-DEMAND could not be
    ordered. The form now says that a value that fills the programme breaks the later clause; one that
    leaves room does not."""
    g, tokens = await new_game(url, teams=("mx", "us"))
    demand = {"actor": "us", "lever": "us_demand", "params": {"levels": 1}, "duration": 2}
    async with (
        GameClient(url, g.game_id, tokens["mx"]) as mx,
        GameClient(url, g.game_id, tokens["us"]) as us,
        GameClient(url, g.game_id, g.facilitator_token) as fac,
    ):
        pid = await propose(us, ["us", "mx"], [demand, {"actor": "mx", "lever": "mx_trace"}])
        await mx.send({"type": "respond", "proposal": pid, "action": "accept"})
        await frames_until(fac, is_event("agreement"))
        await advance_to(fac, "orders")
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(100, 30)) as pilot:
        await until_online(pilot)
        await close_cards(pilot)
        _pane, form = await _params_form(pilot, "us_demand")
        form.query_one("#order-params Input", Input).value = "2"
        said = "! with 2 this fills the programme (it tops out at 3, counting the levels still maturing): the"
        await wait_until(pilot, lambda: said in " ".join(static_text(app, "#param-cost").split()), what=said)
        text = " ".join(static_text(app, "#param-cost").split())
        assert "US-DEMAND you promised for turn 2 in A1-US-1 could then not be ordered" in text, text
        form.query_one("#order-params Input", Input).value = "1"
        await wait_until(
            pilot, lambda: "fills the programme" not in static_text(app, "#param-cost"), what="room"
        )


@pytest.mark.parametrize(("scenario", "warned"), [("tutorial", True), ("the-record", False)])
async def test_an_order_whose_effects_all_come_after_the_end_says_so(
    url: str, scenario: str, warned: bool
) -> None:
    """Student k23 put 8 PC into CA-DEMAND over the three-month tutorial; its effect comes six months
    after each order, and the tutorial models three turns of a month and three months with orders frozen,
    so none of it ever counted, and nothing had said so. In a long game it is said nothing of."""
    g, tokens = await game_at_orders(url, "ca", scenario=scenario)
    app = seat_app(url, g, tokens["ca"])
    async with app.run_test(size=(100, 30)) as pilot:
        _pane, _form = await _params_form(pilot, "ca_demand")
        await pilot.pause(0.2)
        text = " ".join(static_text(app, "#param-cost").split())
        said = (
            "! its effects come 6 months after the order, and the game has 6 months left, the months with"
            " orders frozen at the end counted: ordered now, it is paid for and never counts"
        )
        assert (said in text) == warned, text


async def test_accepting_a_deal_that_asks_more_orders_than_the_seat_may_give_asks_first(url: str) -> None:
    """Issue 14 point 3, "accepting a clause that cannot be kept asks first", through the real client:
    with four Mexican orders due under a deal in force, a fifth asked by a new one cannot be given, so
    the proposal says so and accepting asks first. (Student j23's "5 of your 4 order slots" counted
    orders ticked, not owed: those can be unticked, and the slots line says it.)"""
    g, tokens = await new_game(url, teams=("mx", "us"))
    four = [
        {"actor": "mx", "lever": lv, "duration": 1} for lv in ("mx_trace", "mx_port", "mx_deleg", "mx_arms")
    ]
    async with GameClient(url, g.game_id, tokens["mx"]) as mx, GameClient(url, g.game_id, tokens["us"]) as us:
        first = await propose(us, ["us", "mx"], [*four, {"actor": "us", "lever": "us_arms"}])
        await mx.send({"type": "respond", "proposal": first, "action": "accept"})
        await frames_until(us, is_event("agreement"))
        fifth = await propose(
            us, ["us", "mx"], [{"actor": "mx", "lever": "mx_blame"}, {"actor": "us", "lever": "us_tri"}]
        )
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        _gs, table = await open_proposals(pilot, rows=2)
        table.move_cursor(row=table.get_row_index(fifth))
        table.focus()
        await pilot.press("enter")
        screen = await modal(pilot, ProposalScreen)
        text = " ".join(screen.text.split())
        said = "turn 1: Mexico would owe 5 different orders, and a team gives at most 4 a turn"
        assert f"! You cannot keep your side: {said}" in text, text
        await pilot.press("a")
        question = await modal(pilot, Confirm)
        assert said in " ".join(question.question.split()), question.question


def test_the_months_with_orders_frozen_at_the_end_count_for_an_orders_effects(rb: Rulebook) -> None:
    """The tutorial models three months with orders frozen after its last turn, and their effects count
    in the final score: MX-TRACE (two months) ordered in the last turn lands in them, and is not said
    to come too late; CA-DEMAND (six months) ordered then would."""
    game = Game.new(rb, "tutorial", 1)
    for team, lever, late in (("mx", "mx_trace", False), ("ca", "ca_demand", True)):
        model = LiveGame()
        model.me = {"role": "player", "team": team, "seat": "government"}
        model.set_view({**view(game, team), "turn": 3}, game.state.seq)
        said = terms.lands_after_end(model, rb, lever)
        assert bool(said) == late, (lever, said)
