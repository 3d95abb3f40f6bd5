"""The orders tab's word on US personnel in Mexico reads the consent tokens (session 17).

A student who had just signed Mexico's consent token with the trainers it allows read, in every turn the
token ran, "! US-SFT: military action on Mexican soil — without a consent token this CROSSES THE HARD RED
LINE", while the deal view said the clause could be kept and the results said "consent yes". The warning now
says whether a token for the activity is in force (and its cap), or due this turn in a signed deal."""

from __future__ import annotations

from typing import Any

from client_tui import render
from client_tui.model import LiveGame
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook
from precursor.game.views import view


def _model(rb: Rulebook, tokens: list[dict[str, Any]]) -> LiveGame:
    game = Game.new(rb, "election-season", 1)
    model = LiveGame()
    model.me = {"role": "player", "team": "us", "seat": "president", "player_id": "p1", "game_id": "g1"}
    model.set_view({**view(game, "us"), "tokens": tokens}, game.state.seq)
    return model


def _token(**kw: Any) -> dict[str, Any]:
    return {"id": "K1", "activity": "training", "max_personnel": 12, "expires_turn": 3, "active": True, **kw}


def test_trainers_inside_a_token_in_force_are_told_so(rb: Rulebook) -> None:
    model = _model(rb, [_token()])
    (said,) = render.order_warnings(
        model, rb, ["us_sft"], {"us_sft": {"personnel": 12, "activity": "training"}}
    )
    assert said.startswith(
        "US-SFT: inside Mexico's consent token for training (up to 12 US personnel, until turn 3)"
    )
    assert "RED LINE" not in said


def test_trainers_over_the_cap_or_for_another_activity_are_warned(rb: Rulebook) -> None:
    model = _model(rb, [_token()])
    (over,) = render.order_warnings(
        model, rb, ["us_sft"], {"us_sft": {"personnel": 20, "activity": "training"}}
    )
    assert over.startswith("! US-SFT: 20 US personnel against the consent token's cap of 12 for training")
    (other,) = render.order_warnings(
        model, rb, ["us_sft"], {"us_sft": {"personnel": 12, "activity": "advisory"}}
    )
    assert "no consent token for advisers is in force, so this CROSSES THE HARD RED LINE" in other
    lapsed = _model(rb, [_token(expires_turn=0)])
    (gone,) = render.order_warnings(
        lapsed, rb, ["us_sft"], {"us_sft": {"personnel": 12, "activity": "training"}}
    )
    assert "CROSSES THE HARD RED LINE" in gone


def test_a_grant_due_this_turn_in_a_signed_deal_is_named(rb: Rulebook) -> None:
    model = _model(rb, [])
    model.agreements["A1-US-1"] = {
        "id": "A1-US-1",
        "status": "signed",
        "parties": ["us", "mx"],
        "clauses": [
            {
                "actor": "mx",
                "lever": "mx_consent",
                "params": {"activity": "training", "max_personnel": 12, "duration_turns": 3},
                "start_turn": model.turn,
                "duration": 1,
            },
            {"actor": "us", "lever": "us_sft", "params": {}, "start_turn": model.turn, "duration": 1},
        ],
    }
    (said,) = render.order_warnings(
        model, rb, ["us_sft"], {"us_sft": {"personnel": 12, "activity": "training"}}
    )
    assert "Mexico's grant is due this turn in A1-US-1: if Mexico gives it, the order acts inside it" in said
