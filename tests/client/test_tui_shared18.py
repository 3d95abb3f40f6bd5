"""One order keeps two deals' clauses on the same lever at the same terms, and the client says so.

Session 17's student tabled US-TRI to Canada and to Mexico and Canada in one turn with no word from the
composer, and signed US-ARMS for turn 7 in two deals with nothing to say whether it needed two orders (a
team gives one order of a lever a turn, and it kept both)."""

from __future__ import annotations

from typing import Any

from test_tui_support import add_clause, new_game, open_composer, seat_app, static_text, wait_until
from textual.widgets import Checkbox

from client_tui import terms
from client_tui.model import LiveGame
from precursor.client import GameClient
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook
from precursor.game.views import view

ARMS = {"actor": "us", "lever": "us_arms", "params": {}, "start_turn": 1, "duration": 2, "condition": None}


def _model(rb: Rulebook, *clauses: dict[str, Any]) -> LiveGame:
    game = Game.new(rb, "election-season", 1)
    model = LiveGame()
    model.me = {"role": "player", "team": "us", "seat": "president", "player_id": "p1", "game_id": "g1"}
    model.set_view(view(game, "us"), game.state.seq)
    model.agreements["A1-MX-1"] = {
        "id": "A1-MX-1",
        "status": "active",
        "parties": ["us", "mx"],
        "clauses": list(clauses),
    }
    return model


def test_the_same_lever_at_the_same_terms_in_the_same_turn_is_one_order(rb: Rulebook) -> None:
    model = _model(rb, ARMS)
    draft = [{**ARMS, "start_turn": 2, "duration": 2}]
    assert terms.shared_orders(model, rb, draft) == [
        "clause 1: United States's US-ARMS is promised in A1-MX-1 for turn 2 too — one order of it keeps both"
    ]
    # no turn in common, or another team's lever: nothing shared
    assert terms.shared_orders(model, rb, [{**ARMS, "start_turn": 3, "duration": 1}]) == []
    assert terms.shared_orders(model, rb, [{**ARMS, "actor": "mx", "lever": "mx_trace"}]) == []
    text = terms.proposal_text(model, rb, {"id": "T1-US-1", "parties": ["us", "ca"], "clauses": draft})
    assert "Shared with deals in force: clause 1: United States's US-ARMS is promised in A1-MX-1" in text


def test_other_terms_are_not_called_shared(rb: Rulebook) -> None:
    joint = {**ARMS, "lever": "us_ind", "params": {"mode": "joint"}}
    model = _model(rb, joint)
    alone = {**joint, "params": {"mode": "unilateral"}}
    assert terms.shared_orders(model, rb, [alone]) == []  # a clash, which clause_conflicts says
    assert any("at different values" in c.words for c in terms.clause_conflicts(model, rb, [alone]))
    assert terms.shared_orders(model, rb, [joint])[0].startswith("clause 1: United States's US-IND")


async def test_the_composer_says_one_order_keeps_both(url: str) -> None:
    g, tokens = await new_game(url, teams=("us", "mx", "ca"))
    async with GameClient(url, g.game_id, tokens["mx"]) as mx, GameClient(url, g.game_id, tokens["us"]) as us:
        await us.send(
            {"type": "propose", "parties": ["us", "mx"], "clauses": [{"actor": "us", "lever": "us_tri"}]}
        )
        await mx.send({"type": "respond", "proposal": "T1-US-1", "action": "accept"})
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(120, 40)) as pilot:
            cs = await open_composer(pilot)
            await wait_until(pilot, lambda: "A1-US-1" in cs.model.agreements, what="the agreement")
            cs.query_one("#party-ca", Checkbox).value = True
            await add_clause(pilot, cs, "us", "us_tri")
            said = " ".join(static_text(app, "#c-check").split())
            assert "US-TRI is promised in A1-US-1 for turn 1 too — one order of it keeps both" in said, said


def test_a_deal_whose_later_turns_outrun_the_capital_is_warned(rb: Rulebook) -> None:
    """Session 17's student signed two turns of US-ARMS with 1 PC left: nothing said the second turn
    would find him short. Capital comes back by approval (1 PC a turn at 30 %), so the warning is an
    estimate, and said as one."""
    game = Game.new(rb, "election-season", 1)
    game.state.env["us.approval"] = 30.0
    model = LiveGame()
    model.me = {"role": "player", "team": "us", "seat": "president", "player_id": "p1", "game_id": "g1"}
    model.set_view({**view(game, "us"), "pc": {"us": 2.0}}, game.state.seq)
    assert terms.capital_income(model, rb, "us") == 1.0
    bic = {"actor": "us", "lever": "us_bic", "params": {"steps": 2, "kind": "hard"}, "start_turn": 1}
    cost = terms.lever_cost(model, rb, "us_bic", bic["params"])
    assert cost == 2.0, cost
    (said,) = terms.capital_later(model, rb, [{**bic, "duration": 2}])
    assert said == (
        "in turn 2 United States would owe 2 PC of orders under its deals and have about 1 (the 2 it has,"
        " less its deals' orders until then, plus about 1 a turn from its approval): a clause may break then"
    ), said
    assert terms.capital_later(model, rb, [{**bic, "duration": 1}]) == []  # this turn's is capital_short's
    text = terms.proposal_text(
        model, rb, {"id": "T1-US-1", "parties": ["us", "mx"], "clauses": [{**bic, "duration": 2}]}
    )
    assert "! Capital: in turn 2 United States would owe 2 PC" in text
