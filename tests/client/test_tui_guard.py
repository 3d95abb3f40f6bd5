"""What the client lets a player promise or send that cannot work: every refusal or broken clause the
client could have foreseen from the rules and the team's view is said before the player commits."""

from __future__ import annotations

from typing import Any

import pytest
from test_tui_support import (
    add_clause,
    close_cards,
    frames_until,
    is_event,
    modal,
    new_game,
    seat_app,
    static_text,
    team_model,
    until_online,
    wait_until,
)
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, DataTable, Input, OptionList, Select

from client_tui import render, terms
from client_tui.composer import ComposerScreen, ProposalScreen
from client_tui.model import LiveGame
from client_tui.widgets import Confirm
from precursor.client import GameClient
from precursor.client.connection import CommandRefused
from precursor.game.commands import (
    Actor,
    Advance,
    Clause,
    CommandEnvelope,
    Order,
    Propose,
    Respond,
    SubmitOrders,
)
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook
from precursor.game.views import events_for, view


def _model(rb: Rulebook, team: str = "us", scenario: str = "loose-talk", **env: Any) -> LiveGame:
    """A team's model from a real game's view (the values set first, as play would have left them)."""
    return team_model(rb, team, scenario, **env)


def _proposal(*clauses: dict[str, Any]) -> dict[str, Any]:
    full = [{"params": {}, "start_turn": 1, "duration": 1, "condition": None, **c} for c in clauses]
    return {
        "id": "T1-MX-1",
        "from": "mx",
        "parties": ["us", "mx"],
        "accepted": ["mx"],
        "status": "open",
        "clauses": full,
    }


def test_demand_levels_promised_for_two_turns_are_counted_against_the_top_before_accepting(
    rb: Rulebook,
) -> None:
    """A student accepted two turns of US-DEMAND on "✓ can keep it now" with the programme at 1 and one
    level waiting: the second turn had no room, the clause broke and cost 20 trust each turn."""
    model = _model(rb, **{"us.demand_level": 1, "flag.dem_pending": 1})
    p = _proposal({"actor": "us", "lever": "us_demand", "params": {"levels": 1}, "duration": 2})
    text = terms.proposal_text(model, rb, p)
    assert (
        "✗ CANNOT keep it: US-DEMAND can be ordered in turn 1, but in turn 2: US-DEMAND: the demand programme"
        " is already at its highest level"
    ) in text, text
    assert "this turn only" not in text
    # accepting asks first (the proposals tab's confirmation is built from this list)
    assert terms.cannot_keep(model, rb, p) == [
        "clause 1: US-DEMAND can be ordered in turn 1, but in turn 2: US-DEMAND: the demand programme is"
        " already at its highest level, 3, counting the levels still maturing: the dashboard's programme"
        " level and its levels waiting to mature add up to 3"
    ]


def test_a_once_per_game_lever_for_several_turns_says_what_the_rules_will_count(rb: Rulebook) -> None:
    model = _model(rb)
    p = _proposal({"actor": "us", "lever": "us_tech", "duration": 3})
    text = terms.proposal_text(model, rb, p)
    assert (
        "✓ can keep it: US-TECH can be played once per game: ordering it in turn 1 keeps the clause, and in"
        " turns 2–3 the rules count the act as done (nothing more to order)"
    ) in text, text


def test_enforcement_asked_beyond_one_turns_move_cannot_be_kept(rb: Rulebook) -> None:
    model = _model(rb, team="mx", **{"mx.me": 60.0, "flag.humanitarian_cap": 0.0})
    far = _proposal({"actor": "mx", "lever": "mx_me", "params": {"level": 95}, "duration": 2})
    assert terms.keepable(model, rb, far["clauses"][0]) == (
        False,
        "in turn 1: MX-ME: migration enforcement can move by at most 20 points in one turn",
    )
    near = _proposal({"actor": "mx", "lever": "mx_me", "params": {"level": 80}, "duration": 2})
    assert terms.keepable(model, rb, near["clauses"][0]) == (
        True,
        "MX-ME can be ordered in turn 1, and in turn 2 what it sets stands: nothing to order",
    )


def test_the_orders_tab_says_a_once_only_promise_carried_out_is_kept_not_broken(rb: Rulebook) -> None:
    """The engine counts a clause on a once-per-game act already carried out as met; the orders tab said
    it would count as broken, and a student ordered something else in a panic."""
    model = _model(rb, **{"count.us_tech": 1})
    model.agreements["A1-MX-1"] = {
        "id": "A1-MX-1",
        "status": "active",
        "parties": ["us", "mx"],
        "clauses": [{"actor": "us", "lever": "us_tech", "params": {}, "start_turn": 1, "duration": 2}],
    }
    (said,) = render.order_warnings(model, rb, [])
    assert said == (
        "agreement A1-MX-1: you promised US-TECH this turn; it can be played once per game and you have"
        " carried it out already, so the rules count the clause as kept: nothing to order"
    )
    assert "broken" not in said


def test_clauses_that_pull_against_each_other_are_said_when_reading_and_accepting(rb: Rulebook) -> None:
    """A student's team accepted five commitments for one turn with four order slots, and nothing said
    so; two clauses asked Mexico for MX-ME at 60 and at 95 in the same turn."""
    model = _model(rb, scenario="tutorial")
    model.agreements["A1-CA-1"] = {
        "id": "A1-CA-1",
        "status": "active",
        "parties": ["us", "ca"],
        "clauses": [{"actor": "us", "lever": "us_tech", "params": {}, "start_turn": 1, "duration": 1}],
    }
    levers = ["us_sched", "us_opcom", "us_tf", "us_arms"]
    p = _proposal(*({"actor": "us", "lever": lv} for lv in levers))
    (slots,) = terms.cannot_keep(model, rb, p)
    assert slots == (
        "turn 1: United States would owe 5 different orders, and a team gives at most 4 a turn: some clause"
        " will break"
    )
    me = _proposal(
        {"actor": "mx", "lever": "mx_me", "params": {"level": 60}},
        {"actor": "mx", "lever": "mx_me", "params": {"level": 70}, "duration": 12},
    )
    text = terms.proposal_text(model, rb, me)
    assert (
        "! Clauses that pull against each other: turn 1: clause 1 and clause 2 ask Mexico for MX-ME at"
        " different values: a team gives one MX-ME order a turn, so only level 70 (or higher) keeps them"
        " all"
    ) in text, text
    assert "    (the game ends after turn 3, so turns 4–12 of it never come)" in text


async def _composer(pilot: Pilot[Any]) -> ComposerScreen:
    await until_online(pilot)
    await close_cards(pilot)
    await pilot.press("4", "n")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ComposerScreen), what="the composer")
    await pilot.pause()
    cs = pilot.app.screen
    assert isinstance(cs, ComposerScreen)
    return cs


async def test_the_composer_offers_durations_that_fit_and_says_when_clauses_pull_apart(url: str) -> None:
    """A 3-turn tutorial offered clauses of 12 turns; two clauses asking MX-ME at different levels in one
    turn were "ok: the server will take it" with nothing more. Both above the 60 that stands: a clause
    for 60 is kept by the level (rules/levers: "holds") and pulls nothing apart (session 17)."""
    g, tokens = await new_game(url, teams=("mx", "us"))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        cs = await _composer(pilot)
        offered = [label for label, _n in cs.query_one("#c-duration", Select)._options]
        assert offered == ["this turn only", "2 turns", "3 turns"], offered
        await add_clause(pilot, cs, "mx", "mx_me", level="70")
        await add_clause(pilot, cs, "mx", "mx_me", level="75")
        assert len(cs.clauses) == 2
        cs.query_one("#party-us", Checkbox).value = True
        await pilot.pause()
        check = static_text(app, "#c-check")
        assert check.startswith(
            "ok: the server will take it (2 clause(s)) — but turn 1: clause 1 and clause 2"
        )
        assert "so only level 75 (or higher) keeps them all" in check, check


async def test_the_composer_says_when_the_proposers_own_clause_cannot_be_kept_in_a_later_turn(
    url: str,
) -> None:
    """A student tabled three turns of US-DEMAND with the programme at level 1 of 3: the proposal in
    full said it could not be kept in the last turn, the composer had said "ok" with nothing more."""
    g, tokens = await new_game(url, teams=("us", "mx"))
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(120, 40)) as pilot:
        cs = await _composer(pilot)
        cs.query_one("#c-duration", Select).value = 3
        await pilot.pause()
        await add_clause(pilot, cs, "us", "us_demand", levels="1")
        cs.query_one("#party-mx", Checkbox).value = True
        await pilot.pause()
        check = static_text(app, "#c-check")
        # not "ok" (session 15): "ok" says every clause can be kept as things stand
        head = "! the server would take it (1 clause(s)), but as things stand: clause 1: US-DEMAND"
        assert check.startswith(head), check
        assert "already at its highest level" in check, check


async def test_the_proposer_is_offered_withdraw_and_never_reject_on_its_own_proposal(url: str) -> None:
    """A student saw "Reject Withdraw Counter" under their own proposal and "Reject (r)" in it. The
    server now refuses a proposer's rejection (answer_refusal) and the client offers what it takes."""
    g, tokens = await new_game(url, teams=("mx", "us"))
    async with GameClient(url, g.game_id, tokens["mx"]) as mx:
        await mx.next_frame()
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            await until_online(pilot)
            await close_cards(pilot)
            await mx.send(
                {
                    "type": "propose",
                    "parties": ["mx", "us"],
                    "clauses": [{"actor": "mx", "lever": "mx_trace"}],
                }
            )
            await pilot.press("4")
            table = app.screen.query_one("#prop-table", DataTable)
            await wait_until(pilot, lambda: table.row_count == 1, what="the proposal in the table")
            await pilot.pause()
            shown = {
                a
                for a in ("accept", "reject", "withdraw", "counter")
                if app.screen.query_one(f"#{a}", Button).display
            }
            assert shown == {"withdraw", "counter"}, shown
            with pytest.raises(CommandRefused) as refused:
                await mx.send({"type": "respond", "proposal": "T1-MX-1", "action": "reject"})
            assert refused.value.message == "the proposer withdraws its own proposal rather than rejecting it"
            table.focus()
            await pilot.press("enter")
            ps = await modal(pilot, ProposalScreen)
            assert {b.id for b in ps.query(Button)} - {"close"} == {"withdraw", "counter"}
            await pilot.press("r")  # no key for an answer not offered
            await pilot.pause()
            assert isinstance(app.screen, ProposalScreen)
            await pilot.press("w")
            got = await frames_until(mx, is_event("proposal_response"))
            assert got[-1]["event"]["action"] == "withdraw"


async def test_composer_editing_deletes_only_the_clause_pointed_at_and_enter_never_ticks(url: str) -> None:
    """A student pressed Delete to drop clause 2 and lost clause 1 (the list's highlight was invisible
    and the list not focused); Enter on a party box ticked it; after a clause for Canada the next one
    silently started as Canada's; Esc in an open list closed more than the list."""
    g, tokens = await new_game(url, teams=("mx", "us"))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        cs = await _composer(pilot)
        # Enter on a focused party box moves on and ticks nothing; Space ticks
        box = cs.query_one("#party-cn", Checkbox)
        box.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert not box.value and not box.has_focus
        box.focus()
        await pilot.press("space")
        await pilot.pause()
        assert box.value
        box.value = False
        await add_clause(pilot, cs, "mx", "mx_trace")
        await add_clause(pilot, cs, "us", "us_arms")
        assert [c.lever for c in cs.clauses] == ["mx_trace", "us_arms"]
        # who commits stays the United States, and the form says so before a lever is picked
        assert static_text(app, "#c-lever-text").startswith("Next clause: United States commits")
        # Delete from elsewhere removes nothing and says how
        cs.query_one("#c-note", Input).blur()
        cs.query_one("#party-cn", Checkbox).focus()
        await pilot.press("delete")
        await pilot.pause()
        assert len(cs.clauses) == 2
        assert "Tab to the clause list" in static_text(app, "#c-check")
        # in the list: the clause pointed at is named, and it is the one removed
        ol = cs.query_one("#c-clauses", OptionList)
        ol.focus()
        await pilot.pause()
        ol.highlighted = 1
        await pilot.pause()
        assert static_text(app, "#c-lever-text").startswith(
            "Delete removes clause 2: United States commits to"
        )
        await pilot.press("delete")
        await pilot.pause()
        assert [c.lever for c in cs.clauses] == ["mx_trace"]
        # Esc in an open list closes the list only; the next Esc asks before the draft is lost
        vis = cs.query_one("#c-vis", Select)
        vis.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: vis.expanded, what="the list open")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not vis.expanded, what="the list closed")
        assert app.screen is cs
        await pilot.press("escape")
        await modal(pilot, Confirm)


def _game_of_one_deal(rb: Rulebook, verification: str) -> Game:
    """Mexico and the US sign two clauses (the US: US-TECH, once per game, for 2 turns; Mexico:
    MX-TRACE for 1 turn); the US orders US-TECH in turn 1 and Mexico orders nothing. Turn 2 ends."""
    g = Game.new(rb, "loose-talk", 1)

    def until(phase: str) -> None:
        while g.state.phase != phase:
            g.handle(CommandEnvelope(actor=Actor(role="system"), command=Advance()))

    until("negotiation")
    clauses = [
        Clause(actor="us", lever="us_tech", duration=2),
        Clause(actor="mx", lever="mx_trace", duration=1),
    ]
    propose = Propose(parties=["us", "mx"], clauses=clauses, framing="none", verification=verification)  # type: ignore[arg-type]
    g.handle(CommandEnvelope(actor=Actor(team="mx"), command=propose))
    respond = Respond(proposal=next(iter(g.state.proposals)), action="accept")
    g.handle(CommandEnvelope(actor=Actor(team="us"), command=respond))
    until("orders")
    g.handle(CommandEnvelope(actor=Actor(team="us"), command=SubmitOrders(orders=[Order(lever="us_tech")])))
    until("negotiation")
    until("orders")
    until("negotiation")
    return g


def _seat(g: Game, team: str) -> LiveGame:
    live = LiveGame()
    live.me = {"role": "player", "team": team, "seat": "president", "player_id": "p1", "game_id": "g1"}
    for seq, ev in enumerate(events_for(g, team), 1):
        live.apply(seq, ev)
    live.set_view(view(g, team), g.state.seq)
    return live


def test_agreement_tallies_count_each_clause_and_turn_once_and_name_the_broken_clause(rb: Rulebook) -> None:
    """A student read "kept 16, broken 0" for a deal of a few clause-turns and "kept 0, broken 1" for one
    whose other clause was kept: the tally counted events (each one twice after a resume) and the
    reader was not told which clause broke, nor that a self-verified deal shows only its own clauses."""
    live = _seat(_game_of_one_deal(rb, "joint"), "us")
    live.results += [
        dict(ev) for ev in live.results if ev["type"] == "compliance"
    ]  # a resume sends them again
    text = render.agreements_text(live, rb)
    # US-TECH kept in turns 1 and 2 (the second as the once-only act done), MX-TRACE broken in turn 1
    assert "kept 2, broken 1 (clause 2, MX-TRACE by Mexico, turn 1)" in text, text
    own = render.agreements_text(_seat(_game_of_one_deal(rb, "self"), "us"), rb)
    assert "your clauses kept 2, broken 0; Mexico reports a broken promise" in own, own


def test_a_promised_lever_ticked_short_of_the_promise_is_said_before_submitting(rb: Rulebook) -> None:
    """A student re-ticked MX-ME with l at last turn's level 60 under a clause for 70; the orders tab said
    nothing and the compliance check counted the clause broken (trust -5, a reneging on record)."""
    model = _model(rb, team="mx", **{"mx.me": 60.0})
    model.agreements["A6-MX-1"] = {
        "id": "A6-MX-1",
        "status": "active",
        "parties": ["us", "mx"],
        "clauses": [
            {"actor": "mx", "lever": "mx_me", "params": {"level": 70}, "start_turn": 1, "duration": 2}
        ],
    }
    (said,) = render.order_warnings(model, rb, ["mx_me"], {"mx_me": {"level": 60}})
    assert said.startswith("! agreement A6-MX-1: you promised MX-ME with ")
    assert ": at least 70 this turn, and it is set to " in said and ": 60: the rules will count" in said
    assert said.endswith("(p sets the parameters)")
    assert render.order_warnings(model, rb, ["mx_me"], {"mx_me": {"level": 70}}) == []
    assert render.order_warnings(model, rb, ["mx_me"], {"mx_me": {"level": 80}}) == []  # stronger meets it
