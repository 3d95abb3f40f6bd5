"""The client's model (what it folds from a view and events) and its text helpers, without a server."""

from __future__ import annotations

from typing import Any

import pytest

from client_tui import render
from client_tui.model import RESULT_TYPES, LiveGame
from precursor.analysis.runner import play
from precursor.game.bots import BotDriver
from precursor.game.rulebook import Rulebook
from precursor.game.views import FACILITATOR, PUBLIC, redact


def _view(messages: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "turn": 1,
        "phase": "negotiation",
        "ended": False,
        "channels": [{"id": "us_mx", "name": "US–MX", "members": ["us", "mx"], "kind": "bilateral"}],
        "messages": messages,
        **extra,
    }


def _msg(n: int, channel: str = "us_mx") -> dict[str, Any]:
    return {"id": f"m{n}", "channel": channel, "team": "mx", "name": "Luz", "text": f"line {n}", "turn": 1}


def test_a_fresh_view_keeps_older_messages_the_server_no_longer_sends() -> None:
    """The server's view holds only the newest 500 messages: a reconnect must not drop the rest."""
    g = LiveGame()
    g.welcome({"role": "player", "team": "us", "seq": 600, "view": _view([_msg(n) for n in range(1, 501)])})
    for n in range(501, 511):  # live events
        assert g.apply(600 + n, {"type": "message", **_msg(n)})
    # reconnect: the welcome's view is capped to the newest 500 (m11 … m510, plus two new ones)
    g.welcome({"role": "player", "team": "us", "seq": 1200, "view": _view([_msg(n) for n in range(13, 513)])})
    ids = [m["id"] for m in g.messages["us_mx"]]
    assert ids == [f"m{n}" for n in range(1, 513)]  # nothing lost, nothing twice, in order


def test_resumed_events_fill_in_messages_older_than_the_capped_view() -> None:
    """Away for a while: the welcome's view holds only the newest messages, the resumed events
    (at or before the view's seq) bring the older ones; they go in once, in log order."""
    g = LiveGame()
    g.welcome({"role": "player", "team": "us", "seq": 5, "view": _view([_msg(1), _msg(2)])})
    g.welcome({"role": "player", "team": "us", "seq": 900, "view": _view([_msg(n) for n in range(6, 9)])})
    assert [m["id"] for m in g.messages["us_mx"]] == ["m1", "m2", "m6", "m7", "m8"]
    for n in range(3, 8):  # the events after the resume point (seq 5), up to the view's seq
        assert not g.apply(5 + n, {"type": "message", **_msg(n)})
    assert g.backfilled
    assert [m["id"] for m in g.messages["us_mx"]] == [f"m{n}" for n in range(1, 9)]


def test_events_the_view_already_covers_are_not_applied_twice() -> None:
    g = LiveGame()
    g.welcome({"role": "player", "team": "us", "seq": 10, "view": _view([_msg(1)])})
    assert not g.apply(9, {"type": "message", **_msg(1)})  # replayed after a resume
    assert not g.apply(10, {"type": "message", **_msg(1)})
    assert g.apply(11, {"type": "message", **_msg(2)})
    assert [m["id"] for m in g.messages["us_mx"]] == ["m1", "m2"]
    assert g.unread == {}  # the active channel is the first one: no unread count


def test_proposal_answers_fold_like_the_engine() -> None:
    g = LiveGame()
    g.welcome({"role": "player", "team": "us", "seq": 1, "view": _view([])})
    for pid in ("P1", "P2", "P3"):
        p = {"id": pid, "from": "us", "parties": ["us", "mx"], "status": "open", "accepted": ["us"]}
        g.apply(g.seq + 1, {"type": "proposal", "proposal": p})
    g.apply(g.seq + 1, {"type": "proposal_response", "proposal": "P1", "team": "mx", "action": "reject"})
    g.apply(g.seq + 1, {"type": "proposal_response", "proposal": "P2", "team": "us", "action": "withdraw"})
    g.apply(g.seq + 1, {"type": "proposal_response", "proposal": "P3", "team": "mx", "action": "accept"})
    assert {k: p["status"] for k, p in g.proposals.items()} == {
        "P1": "rejected",
        "P2": "withdrawn",
        "P3": "open",
    }
    assert g.proposals["P3"]["accepted"] == ["mx", "us"]
    g.apply(g.seq + 1, {"type": "agreement", "agreement": {"id": "A3", "proposal": "P3", "status": "signed"}})
    g.apply(g.seq + 1, {"type": "agreement_update", "agreement": "A3", "update": {"status": "active"}})
    assert g.proposals["P3"]["status"] == "signed" and g.agreements["A3"]["status"] == "active"


@pytest.mark.parametrize("seed", [3, 8])
def test_every_outcome_of_every_scenario_has_a_why_card_for_every_audience(rb: Rulebook, seed: int) -> None:
    """Bot games of every scenario: each outcome event, as each audience receives it, renders."""
    shapes: set[str] = set()
    for sid in sorted(rb.scenarios):
        game, _ = play(rb, sid, seed, None, bots=BotDriver(rb, dict(rb.scenarios[sid].model.personas), seed))
        for audience in ("us", "mx", "cn", "ca", PUBLIC, FACILITATOR):
            for ev in game.log:
                seen = redact(rb, ev, audience)
                if seen is None or seen["type"] not in RESULT_TYPES:
                    continue
                card = render.why_card(seen)
                assert isinstance(card, str) and card.strip(), seen
                assert "cannot show" not in card
                shapes.add(seen["type"])
    assert {"effect", "order_executed", "orders_revealed", "score", "game_over"} <= shapes


def test_status_line_spells_out_the_state() -> None:
    g = LiveGame()
    g.welcome(
        {
            "role": "player",
            "team": "mx",
            "seq": 1,
            "view": _view([], date="2023-04-01", seats={"us": ["government"], "mx": ["government"]}),
            "session": {"paused": True, "remaining": 42},
        }
    )
    g.ready = {"mx/government": True}
    line = render.status_line(g)
    assert line == " MX │ T1 negotiation 2023-04-01 │ PAUSED (42s left) │ ready US· MX✓ │ ● online"
    g.connection = "lost"
    assert render.status_line(g).endswith("○ OFFLINE — reconnecting")
    g.ended = True
    assert "GAME OVER" in render.status_line(g)


def test_a_free_action_already_tabled_when_the_console_opens_awaits_a_ruling(rb: Rulebook) -> None:
    """The facilitator's view carries an unruled free action with ``ruling`` and ``resolved`` set to
    None: a console opened after it was tabled must still queue it (it once read the keys' presence)."""
    from client_tui.panes.white_cell import awaiting
    from precursor.analysis.runner import parse_command
    from precursor.game.engine import Game
    from precursor.game.views import view

    g = Game.new(rb, "tutorial", 2)
    g.advance()
    g.advance()  # orders
    g.handle(
        parse_command(
            {
                "team": "mx",
                "type": "free_action",
                "title": "Port audit",
                "description": "Joint inspections",
                "effects": [{"indicator": "trust.us_mx", "direction": "up", "size": "small"}],
                "argument": "Audits build trust.",
            }
        )
    )
    live = LiveGame()
    live.welcome({"role": "facilitator", "team": None, "seq": g.state.seq, "view": view(g, FACILITATOR)})
    assert [fa["id"] for fa in awaiting(live)] == ["fa.1.mx"]


def test_results_name_the_engines_flags_and_leave_out_lever_counters(rb: Rulebook) -> None:
    """A student read 'window.us_campaign yes → no' and 'played.us_arms yes → no' in the results."""
    ev = {
        "type": "effect",
        "rule": "calendar",
        "reason": "The campaign is over.",
        "changes": {"window.us_campaign": False, "played.us_arms": False, "agreements.mx": 2, "mx.st": 50.0},
        "before": {"window.us_campaign": True, "played.us_arms": True, "agreements.mx": 1, "mx.st": 54.0},
    }
    card = render.why_card(ev, rb)
    assert "US election campaign (window open)" in card and "window." not in card
    assert "played." not in card and "agreements Mexico has signed 1 → 2" in card
    assert f"{rb.indicators['mx.st'].name} 54.0 → 50.0" in card


def test_a_result_line_does_not_name_its_rule_twice(rb: Rulebook) -> None:
    """'Three-month review: three-month review: displayed overdose deaths …' read the results tab."""
    from client_tui.panes.results import _head

    ev = {
        "type": "effect",
        "rule": "f3.review",
        "reason": "three-month review: displayed overdose deaths against three months before",
        "changes": {},
    }
    line = _head(ev, rb) or ""
    assert line.lower().count("three-month review") == 1, line
    assert "displayed overdose deaths" in line


def test_a_results_inputs_line_names_its_rule_and_reads_its_keys_as_words(rb: Rulebook) -> None:
    """'inputs: rule=a1.tension, base=3, tension_added=4' read the results tab once a persona began
    ordering levers that add sovereignty tension (the rule's id is never shown where it has a name)."""
    ev = {
        "type": "order_executed",
        "lever": "us_poe",
        "code": "US-POE",
        "team": "us",
        "name": "More inspections",
        "changes": {"mx.st": 45.0},
        "before": {"mx.st": 42.0},
        "inputs": [{"rule": "a1.tension", "base": 3, "multiplier": 1.5, "tension_added": 4}],
    }
    card = render.why_card(ev, rb)
    assert "how: Mexican sovereignty tension +4: the act weighs 3, × 1.5 at this moment" in card
    assert "a1.tension" not in card and "base" not in card and "tension added" not in card


def test_demand_levels_beyond_the_programmes_top_are_refused_before_they_are_paid_for(rb: Rulebook) -> None:
    """A student ordered three demand-programme levels with one in place: the form said ok, the server
    took 3 PC and added 2 levels. The engine now refuses levels beyond the top, and the form says so
    with the server's words before anything is sent."""
    from client_tui.terms import param_problem
    from precursor.game.commands import Actor, Advance, CommandEnvelope, CommandError, Order, SubmitOrders
    from precursor.game.engine import Game
    from precursor.game.views import view

    game = Game.new(rb, "loose-talk", 1)
    game.state.env["us.demand_level"] = 1
    while game.state.phase != "orders":
        game.handle(CommandEnvelope(actor=Actor(role="facilitator"), command=Advance()))
    model = LiveGame()
    model.me = {"role": "player", "team": "us", "seat": "president", "player_id": "p1", "game_id": "g1"}
    model.set_view(view(game, "us"), game.state.seq)
    said = param_problem(model, rb, "us_demand", {"levels": 3})
    assert said is not None and "tops out at level 3" in said, said
    assert param_problem(model, rb, "us_demand", {"levels": 2}) is None
    us = Actor(role="player", team="us", seat="president")
    with pytest.raises(CommandError) as refused:
        game.handle(
            CommandEnvelope(
                actor=us, command=SubmitOrders(orders=[Order(lever="us_demand", params={"levels": 3})])
            )
        )
    assert "tops out at level 3" in refused.value.message


def test_a_clause_of_several_turns_is_judged_over_each_of_its_turns(rb: Rulebook) -> None:
    """A student accepted two turns of US-DEMAND on "✓ can keep it now"; by the second turn the programme
    was at its top and the clause broke, costing 20 trust. The full text now judges every turn of it
    (tests/client/test_tui_guard.py has the turn that cannot be kept)."""
    from client_tui.terms import proposal_text
    from precursor.game.engine import Game
    from precursor.game.views import view

    game = Game.new(rb, "loose-talk", 1)
    model = LiveGame()
    model.me = {"role": "player", "team": "us", "seat": "president", "player_id": "p1", "game_id": "g1"}
    model.set_view(view(game, "us"), game.state.seq)
    clause = {
        "actor": "us",
        "lever": "us_demand",
        "params": {"levels": 1},
        "start_turn": 1,
        "condition": None,
    }
    prop = {"id": "T1-MX-1", "from": "mx", "parties": ["us", "mx"], "accepted": ["mx"], "status": "open"}
    two = proposal_text(model, rb, {**prop, "clauses": [{**clause, "duration": 2}]})
    assert "✓ can keep it: US-DEMAND can be ordered in each of turns 1–2" in two, two
    one = proposal_text(model, rb, {**prop, "clauses": [{**clause, "duration": 1}]})
    assert "✓ can keep it: US-DEMAND can be ordered\n" in one + "\n", one
