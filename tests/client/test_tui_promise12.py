"""What the client says of a promise before it is broken: an order now that leaves a later turn of it
no room, another team's clause read on the values every dashboard shows, the values an outlook cannot
read in words, a statement's effect as the rules give it now, and an order's real reason for being out."""

from __future__ import annotations

from typing import Any

from test_tui_support import (
    advance_to,
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
from textual.widgets import Input, Select, SelectionList

from client_tui import terms
from client_tui.composer import ParamsScreen
from client_tui.model import LiveGame
from client_tui.panes.statement import StatementScreen
from precursor.client import GameClient
from precursor.game.rulebook import Rulebook

DEMAND = {"actor": "us", "lever": "us_demand", "params": {"levels": 1}, "start_turn": 1, "duration": 2}


def _model(rb: Rulebook, team: str, scenario: str = "red-line", **env: Any) -> LiveGame:
    """A team's model from a real game's view, with the values set first."""
    return team_model(rb, team, scenario, **env)


def _proposal(parties: list[str], *clauses: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "T1-CN-1",
        "from": parties[-1],
        "parties": parties,
        "accepted": [parties[-1]],
        "status": "open",
        "clauses": [{"condition": None, **c} for c in clauses],
    }


# ---------------------------------------------------------------------- 1. an order that spoils a later turn


async def test_the_orders_tab_says_when_the_levels_ticked_leave_a_later_promise_no_room(url: str) -> None:
    """The US accepted "US-DEMAND levels 1, turns 1–2", ordered two levels in turn 1 (the form allowed
    it), and in turn 2 the programme was at its top: the clause broke (trust -10, approval -4)."""
    g, tokens = await new_game(url, teams=("us", "mx"))
    async with (
        GameClient(url, g.game_id, tokens["mx"]) as mx,
        GameClient(url, g.game_id, tokens["us"]) as us,
        GameClient(url, g.game_id, g.facilitator_token) as fac,
    ):
        await mx.send({"type": "propose", "parties": ["mx", "us"], "clauses": [DEMAND]})
        await us.send({"type": "respond", "proposal": "T1-MX-1", "action": "accept"})
        await frames_until(fac, is_event("agreement"))
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("5")
            sl = gs.query_one("#order-list", SelectionList)
            ids = lambda: [str(sl.get_option_at_index(i).value) for i in range(sl.option_count)]  # noqa: E731
            await wait_until(pilot, lambda: "us_demand" in ids() and gs.model.phase == "orders")
            await wait_until(pilot, lambda: "A1-MX-1" in gs.model.agreements, what="the agreement")
            sl.highlighted = ids().index("us_demand")
            await pilot.press("p")
            await wait_until(pilot, lambda: isinstance(app.screen, ParamsScreen), what="the form")
            await pilot.pause()
            app.screen.query_one("#order-params Input", Input).value = "2"
            await pilot.pause()
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not isinstance(app.screen, ParamsScreen))
            assert list(sl.selected) == ["us_demand"]
            info = static_text(app, "#order-info")
            assert (
                "! agreement A1-MX-1: US-DEMAND with levels added 2 now takes Demand-programme levels"
                " waiting to mature 0 → 2, with US demand-reduction programme level at 1: your promise of"
                " US-DEMAND in turn 2 could then not be kept"
                " (the demand programme is already at its highest level, 3, counting the levels still"
                " maturing: the dashboard's programme level and its levels waiting to mature add up to 3)"
                " — set levels added to at most 1 (p)"
            ) in " ".join(info.split()), info
            # one level, as promised, leaves turn 2 its room
            await pilot.press("p")
            await wait_until(pilot, lambda: isinstance(app.screen, ParamsScreen), what="the form")
            await pilot.pause()
            app.screen.query_one("#order-params Input", Input).value = "1"
            await pilot.pause()
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not isinstance(app.screen, ParamsScreen))
            assert "could then not be kept" not in static_text(app, "#order-info")


def test_the_outlook_of_a_clause_says_how_much_its_earlier_turns_may_add(rb: Rulebook) -> None:
    """A clause read "✓ can keep it: US-DEMAND can be ordered in each of turns 1–2", true only for one
    level in turn 1; the student added two."""
    model = _model(rb, "us", scenario="tutorial")
    text = terms.proposal_text(model, rb, _proposal(["us", "mx"], DEMAND))
    assert (
        "✓ can keep it: US-DEMAND can be ordered in each of turns 1–2, as long as levels added is at most 1"
        " in turn 1 (more would leave a later turn of it no room — by then the rule says:"
        " “the demand programme is already at its highest level, 3, counting the levels still maturing"
    ) in text, text
    # one limit over several turns is said once
    low = _model(rb, "us", scenario="tutorial", **{"us.demand_level": 0.0})
    three = {**DEMAND, "duration": 3}
    assert terms.caps_words(low, rb, three).startswith(
        "as long as levels added is at most 1 in turns 1–2 (more would leave a later turn of it no room"
        " — by then the rule says: “the demand programme is already at its highest level"
    )


# ---------------------------------------------------------------------- 2. another team's public values


def test_another_teams_clause_is_read_on_the_values_every_dashboard_shows(rb: Rulebook) -> None:
    """China read "? cannot tell: the record of United States is not shown to you" of three turns of
    US-DEMAND with the programme at 1 of 3, a level every dashboard shows; the US bot then declined
    the deal as one it could not keep."""
    model = _model(rb, "cn")
    clause = {**DEMAND, "duration": 3}
    text = terms.proposal_text(model, rb, _proposal(["us", "cn"], clause))
    assert "not shown to you" not in text, text
    assert (
        "✗ CANNOT keep it: US-DEMAND can be ordered in turn 1, but in turn 3: US-DEMAND: the demand"
        " programme is already at its highest level"
    ) in text, text
    # a once-per-game act of another team is its own record: still not shown
    once = {"actor": "us", "lever": "us_summit", "params": {}, "start_turn": 1, "duration": 1}
    if rb.levers["us_summit"].once:
        assert "not shown to you" in terms.proposal_text(model, rb, _proposal(["us", "cn"], once))


# ---------------------------------------------------------------------- 3. values in words


def test_the_values_an_outlook_cannot_read_are_named_by_their_levers_never_by_keys(rb: Rulebook) -> None:
    """A student read "it depends on values you do not see exactly (played.cn_summit, played.us_summit)"."""
    model = _model(rb, "cn")
    clause = {"actor": "cn", "lever": "cn_summit", "params": {}, "start_turn": 2, "duration": 1}
    text = terms.proposal_text(model, rb, _proposal(["us", "cn"], clause))
    assert "played." not in text, text
    assert (
        "it depends on values you do not see exactly (whether China orders CN-SUMMIT (Accept an agreement"
        " in principle at a leaders' summit) in that turn, whether United States orders US-SUMMIT"
        " (Leader summit) in that turn)"
    ) in text, text


# ---------------------------------------------------------------------- 4. a statement's effect now


async def test_the_statement_form_says_an_acknowledgement_within_three_turns_is_withheld(url: str) -> None:
    """The US acknowledged shared responsibility in turn 1 and again in turn 2; the form promised
    "Mexican sovereignty tension -5" both times, and the rule "Acknowledgement wears thin" withheld it
    the second time."""
    g, tokens = await new_game(url, teams=("us",), scenario="loose-talk")
    async with (
        GameClient(url, g.game_id, tokens["us"]) as us,
        GameClient(url, g.game_id, g.facilitator_token) as fac,
    ):
        await advance_to(fac, "orders")
        said = {"kind": "acknowledge", "target": "mx", "text": "Demand is our part of it"}
        await us.send({"type": "submit_orders", "orders": [], "statement": said})
        await advance_to(fac, "orders", turn=2)
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await wait_until(pilot, lambda: bool(gs.model.view.get("levers")), what="the orders view")
            await close_cards(pilot)
            await pilot.press("5")
            await pilot.press("t")
            form = await modal(pilot, StatementScreen)
            form.query_one("#statement-kind", Select).value = "acknowledge"
            await pilot.pause()
            effect = " ".join(static_text(app, "#statement-effect").split())
            assert (
                "from the US to Mexico: Mexican sovereignty tension -5 (withheld this turn: Acknowledgement"
                " wears thin: an acknowledgement of shared responsibility eases tension once every three"
                " turns; it counts again in turn 4)"
            ) in effect, effect
            assert "trust with the team addressed +4" in effect  # the rest still comes


def test_an_acknowledgement_that_counts_now_is_said_without_a_hold(rb: Rulebook) -> None:
    text = terms.statement_effect(rb, "acknowledge", {"flag.shared_resp_cooldown": 0.0}, 2, 3)
    assert "Mexican sovereignty tension -5)" in text and "withheld" not in text
    late = terms.statement_effect(rb, "acknowledge", {"flag.shared_resp_cooldown": 2.0}, 2, 3)
    assert "it does not count again before the game ends" in late, late


# ---------------------------------------------------------------------- 5. why last turn's order is out


async def test_l_before_the_orders_phase_says_a_spent_once_only_lever_was_played_not_out_of_phase(
    url: str,
) -> None:
    """In turn 2's briefing, l said "not available now: MX-PLAN(iii) (not in this phase)" of a lever
    played once per game in turn 1; the phase had nothing to do with it."""
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await pilot.press("5")
            sl = gs.query_one("#order-list", SelectionList)
            ids = lambda: [str(sl.get_option_at_index(i).value) for i in range(sl.option_count)]  # noqa: E731
            await wait_until(pilot, lambda: "mx_plan_3" in ids(), what="the lever list")
            for lever in ("mx_plan_3", "mx_port"):
                sl.highlighted = ids().index(lever)
                await pilot.press("space")
            await pilot.press("ctrl+s")
            await frames_until(fac, is_event("orders_submitted", team="mx"))
            await advance_to(fac, "briefing", 2)
            await wait_until(
                pilot, lambda: gs.model.turn == 2 and gs.model.phase == "briefing", what="turn 2"
            )
            await close_cards(pilot)
            sl.focus()
            await pilot.press("l")
            notice = " ".join(static_text(app, "#notice").split())
            assert "not in this phase" not in notice, notice
            assert (
                "not available now: MX-PLAN(iii) (MX-PLAN(iii) can be played once per game and already was)"
            ) in notice, notice
            assert list(sl.selected) == ["mx_port"]  # planned for the orders phase


# ---------------------------------------------------------------------- 6. a cost not known yet


async def _briefing_budget(url: str, g: Any, token: str, levers: tuple[str, ...]) -> str:
    """The budget line of the orders tab in turn 1's briefing, with these levers ticked."""
    app = seat_app(url, g, token)
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("5")
        sl = gs.query_one("#order-list", SelectionList)
        ids = lambda: [str(sl.get_option_at_index(i).value) for i in range(sl.option_count)]  # noqa: E731
        await wait_until(pilot, lambda: levers[0] in ids(), what="the lever list")
        assert gs.model.phase == "briefing"
        for lever in levers:
            sl.highlighted = ids().index(lever)
            await pilot.press("space")
        return " ".join(static_text(app, "#order-info").split())


async def test_the_budget_line_in_the_briefing_prices_what_it_can_and_names_what_it_cannot(url: str) -> None:
    """In the briefing the US read "selected 1+? PC": US-DEMAND's cost, one PC a level, was "?" until
    the orders phase, and nothing said what the "?" stood for."""
    g, tokens = await new_game(url, teams=("us", "cn"))
    # both priced from the rules: one PC a level, one a package
    info = await _briefing_budget(url, g, tokens["us"], ("us_demand", "us_san_1"))
    assert "+?" not in info and "selected 2 PC · left 10" in info, info
    # a directive's cost turns on a summit this turn, a value China sees exactly and that holds until
    # the orders: priced (session 22; it read "+ the cost of CN-DIRECTIVE (known in the orders phase)")
    info = await _briefing_budget(url, g, tokens["cn"], ("cn_directive", "cn_enforce"))
    assert "+?" not in info and "known in the orders phase" not in info, info
    assert "selected 3 PC · left 7" in info, info
