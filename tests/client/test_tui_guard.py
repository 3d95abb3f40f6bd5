"""What the client lets a player promise or send that cannot work: every refusal or broken clause the
client could have foreseen from the rules and the team's view is said before the player commits."""

from __future__ import annotations

from typing import Any

from client_tui import render, terms
from client_tui.model import LiveGame
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook
from precursor.game.views import view


def _model(rb: Rulebook, team: str = "us", scenario: str = "loose-talk", **env: Any) -> LiveGame:
    """A team's model from a real game's view (the values set first, as play would have left them)."""
    game = Game.new(rb, scenario, 1)
    game.state.env.update(env)
    model = LiveGame()
    model.me = {"role": "player", "team": team, "seat": "president", "player_id": "p1", "game_id": "g1"}
    model.set_view(view(game, team), game.state.seq)
    return model


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
        " already at its highest level"
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
        "MX-ME can be ordered in each of turns 1–2",
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
