"""A promise of a standing level as the client reads it: a tariff already at the promised rate is kept
with nothing to order, so the orders tab does not call leaving it out a break, a tariff on another
partner beside it is no break either, and the deal's cost for the promise is nothing."""

from __future__ import annotations

from typing import Any

from client_tui import render, terms
from client_tui.model import LiveGame
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook
from precursor.game.views import view

RELIEF = {
    "actor": "us",
    "lever": "us_tariff",
    "params": {"target": "mx", "rate": 0, "mode": "impose"},
    "start_turn": 1,
    "duration": 2,
    "condition": None,
}


def _model(rb: Rulebook, **env: Any) -> LiveGame:
    """The United States' model from a real tutorial game's view, with a deal in force that binds it to
    no tariff on Mexico."""
    game = Game.new(rb, "tutorial", 1)
    game.state.env.update(env)
    model = LiveGame()
    model.me = {"role": "player", "team": "us", "seat": "president", "player_id": "p1", "game_id": "g1"}
    model.set_view(view(game, "us"), game.state.seq)
    model.agreements["A1-US-1"] = {
        "id": "A1-US-1",
        "status": "active",
        "parties": ["us", "mx"],
        "visibility": "public",
        "clauses": [RELIEF],
    }
    return model


def test_a_rate_already_at_the_promise_needs_no_order(rb: Rulebook) -> None:
    """Student A's United States re-ordered 0 % relief every turn at 3 PC, and a turn left out broke
    the clause (US–Canada trust 52 → 42 with the rate at 0)."""
    model = _model(rb, **{"tariff.mx": 0.0})
    warns = render.order_warnings(model, rb, [])
    assert any("already stands where you promised" in w and "nothing to order" in w for w in warns), warns
    assert not any(w.startswith("!") for w in warns), warns
    assert not terms.due_now(model, rb, RELIEF)
    assert terms.capital_short(model, rb, [RELIEF]) == []
    # a tariff on Canada beside it leaves the promise kept; one on Mexico breaks it
    ca = {"us_tariff": {"target": "ca", "rate": 25, "mode": "impose"}}
    assert not any(w.startswith("! agreement") for w in render.order_warnings(model, rb, ["us_tariff"], ca))
    mx = {"us_tariff": {"target": "mx", "rate": 25, "mode": "impose"}}
    assert any(
        w.startswith("! agreement A1-US-1") for w in render.order_warnings(model, rb, ["us_tariff"], mx)
    )


def test_a_rate_above_the_promise_still_needs_the_order(rb: Rulebook) -> None:
    model = _model(rb, **{"tariff.mx": 25.0})
    assert terms.due_now(model, rb, RELIEF)
    assert any("A1-US-1" in w and "nothing to order" not in w for w in render.order_warnings(model, rb, []))
    proposal = {"id": "T1-US-1", "parties": ["us", "mx"], "clauses": [RELIEF]}
    assert terms.costs_by_party(model, rb, proposal)["us"] == 3.0
    assert terms.costs_by_party(_model(rb, **{"tariff.mx": 0.0}), rb, proposal)["us"] == 0.0


def test_a_clause_kept_by_the_level_says_no_order_was_given(rb: Rulebook) -> None:
    """Student A read "Mexico played MX-ME" for a turn in which MX-ME could not be ordered at all: the
    clause was kept by enforcement standing at 60."""
    from client_tui.panes.results import result_text

    held = {
        "type": "compliance",
        "agreement": "A1-US-1",
        "clause": 1,
        "team": "mx",
        "lever": "mx_me",
        "met": True,
        "held": True,
        "reason": "what MX-ME sets stands where A1-US-1 asks: kept with no new order",
    }
    text = result_text(held, rb)
    assert text.startswith("[clause kept] Mexico gave no order of MX-ME"), text
    assert "played" not in text, text
    broken = {**held, "met": False, "held": None}
    broken["reason"] = (
        "MX did not play MX-ME as agreed in A1-US-1, and what it sets does not stand where the deal asks"
    )
    assert result_text(broken, rb).endswith("and what it sets does not stand where the deal asks"), (
        result_text(broken, rb)
    )
    other = {**held, "team": "us", "lever": "us_tariff", "met": False, "held": None}
    other["reason"] = (
        "US played US-TARIFF on goods of Canada instead of Mexico; at rate in % 10, above the 0"
        " agreed in A1-US-1"
    )
    assert (
        "played US-TARIFF (Tariffs justified by fentanyl) on goods of Canada instead of Mexico"
        in result_text(other, rb)
    )


def test_the_composer_prices_a_promise_the_level_keeps_at_nothing(rb: Rulebook) -> None:
    """Session 17's student read "· 3 PC" beside 0 % relief in the composer, and "kept with nothing to
    order" and "United States 0 PC" in the proposal: the clause's own price now says the same."""
    model = _model(rb, **{"tariff.mx": 0.0})
    assert terms.clause_cost(model, rb, RELIEF) == "nothing while the level stands"
    model = _model(rb, **{"tariff.mx": 25.0})  # relief to be ordered: its price
    assert terms.clause_cost(model, rb, RELIEF).endswith("PC a turn"), terms.clause_cost(model, rb, RELIEF)
