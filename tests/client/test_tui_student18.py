"""Session 17's students, read at the screen (session 18's fixes).

- A once-per-game act another team carried out under a deal, seen only as a kept clause (the order was
  private), still counted as an order owed: "turn 2: United States would owe 5 different orders … some
  clause will break" beside a turn where every clause was kept.
- The signed deal's record said "US-TF …, turns 1–2" where the proposal had said "once from turn 1".
- An inject offered free a once-per-game lever its team had played already.
- A self-verified deal said of Canada's CA-BORDER "whether it was kept is told to Canada alone" a few
  lines under the public order of that very act.
- The notice line asked a student to answer a proposal that another party had already turned down.
- "Last turn's orders … press l" stood in the results phase, under "this was the last turn".
- Nothing on screen said how many turns the game has."""

from __future__ import annotations

from typing import Any

import pytest
from test_tui_selfcheck16 import played, results_text
from test_tui_support import (
    advance_to,
    close_cards,
    game_at_orders,
    log_lines,
    new_game,
    notices,
    open_orders,
    seat_app,
    static_text,
    until_online,
    wait_until,
)

from client_tui import render, terms
from client_tui.model import LiveGame
from precursor.client import GameClient
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook
from precursor.game.views import view


def _model(rb: Rulebook, team: str, turn: int, scenario: str = "loose-talk") -> LiveGame:
    game = Game.new(rb, scenario, 1)
    model = LiveGame()
    model.me = {"role": "player", "team": team, "seat": "government", "player_id": "p1", "game_id": "g1"}
    model.set_view({**view(game, team), "turn": turn}, game.state.seq)
    return model


def _clause(actor: str, lever: str, duration: int = 2, start: int = 1) -> dict[str, Any]:
    return {"actor": actor, "lever": lever, "params": {}, "start_turn": start, "duration": duration}


def test_a_once_per_game_act_seen_kept_takes_no_order_slot(rb: Rulebook) -> None:
    model = _model(rb, "mx", 2)
    model.agreements["A1-US-1"] = {
        "id": "A1-US-1",
        "status": "active",
        "parties": ["us", "mx"],
        "clauses": [_clause("us", lever) for lever in ("us_tf", "us_ind", "us_arms", "us_demand")],
    }
    new = [_clause("us", "us_san_1", 1, 2)]
    owed = [c.words for c in terms.clause_conflicts(model, rb, new)]
    assert any("United States would owe 5 different orders" in w for w in owed), owed
    # turn 1's results: the US's US-TF was ordered privately, and the clause it kept is all Mexico saw
    model.results.append(
        {"type": "compliance", "agreement": "A1-US-1", "team": "us", "lever": "us_tf", "met": True, "turn": 1}
    )
    assert terms.played_once(model, rb, {"actor": "us", "lever": "us_tf"})
    assert terms.clause_conflicts(model, rb, new) == []
    # a level that stood is no act: a held clause tells nothing of a once-per-game lever
    model.results[-1] = {**model.results[-1], "held": True}
    assert not terms.played_once(model, rb, {"actor": "us", "lever": "us_tf"})


def test_the_signed_record_says_a_once_per_game_act_once(rb: Rulebook) -> None:
    ev = {
        "type": "agreement",
        "agreement": {
            "id": "A1-US-1",
            "parties": ["us", "mx"],
            "clauses": [_clause("us", "us_tf"), _clause("us", "us_arms")],
        },
    }
    text = render.why_card(ev, rb)
    tf = next(line for line in text.split("\n") if "US-TF" in line)
    arms = next(line for line in text.split("\n") if "US-ARMS" in line)
    assert tf.endswith("once from turn 1 (a once-per-game act: done once, it keeps the whole clause)"), tf
    assert "turns 1–2" not in tf
    assert arms.endswith(", turns 1–2"), arms


def test_an_inject_card_says_which_free_lever_is_spent(rb: Rulebook) -> None:
    ev = {
        "type": "inject",
        "turn": 2,
        "title": "Slow levers",
        "text": "",
        "free_levers": ["us_san_1", "mx_plan_3"],
    }
    fresh = render.inject_card(ev, rb, "mx")
    assert "Free this turn: US-SAN-1, MX-PLAN(iii)\n" in fresh + "\n"
    spent = render.inject_card(ev, rb, "mx", ["mx_plan_3"])
    assert (
        "Free this turn: US-SAN-1, MX-PLAN(iii) (played already: once per game, it cannot be ordered again)"
        in spent
    ), spent


def test_the_status_line_gives_the_games_length(rb: Rulebook) -> None:
    model = _model(rb, "mx", 1, "election-season")
    assert render.status_line(model).startswith(" MX │ T1/8 briefing ")


async def test_a_partners_act_the_log_shows_is_said_beside_the_self_verified_line(url: str) -> None:
    g, tokens = await played(url, "public")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(160, 50)) as pilot:
        text = await results_text(pilot)
        assert "[order] United States" in text and "(US-ARMS)" in text, text
        assert (
            "whether it was kept is told to United States alone — no broken promise is reported; the log"
            " above shows United States carrying out US-ARMS this turn"
        ) in text, text


async def test_an_offer_another_party_turned_down_is_said_closed(url: str) -> None:
    g, tokens = await new_game(url, teams=("us", "mx", "ca"))
    fac = GameClient(url, g.game_id, g.facilitator_token)
    ca, us = GameClient(url, g.game_id, tokens["ca"]), GameClient(url, g.game_id, tokens["us"])
    async with fac, ca, us:
        await advance_to(fac, "negotiation")
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            clauses = [_clause("ca", "ca_tri", 1), _clause("us", "us_tri", 1)]
            await ca.send({"type": "propose", "parties": ["ca", "us", "mx"], "clauses": clauses})
            await wait_until(pilot, lambda: "T1-CA-1" in gs.model.proposals, what="the proposal")
            await wait_until(pilot, lambda: "to answer it" in static_text(app, "#notice"), what="the notice")
            await us.send(
                {"type": "respond", "proposal": "T1-CA-1", "action": "reject", "reason": "Not now."}
            )
            await wait_until(
                pilot, lambda: "before you answered" in static_text(app, "#notice"), what="the closing notice"
            )
            said = " ".join(static_text(app, "#notice").split())
            # session 22's i22 never read two such offers: the list keeps them, and the notice says where
            head = (
                "Canada's T1-CA-1 was rejected before you answered it (tab 4 keeps it: Enter on its row"
                " reads it) — "
            )
            assert said.startswith(head), said
            assert "Not now." in said, said


async def test_last_turns_orders_are_not_offered_in_the_results_phase(url: str) -> None:
    g, tokens = await new_game(url, teams=("us", "mx"))
    fac = GameClient(url, g.game_id, g.facilitator_token)
    mx = GameClient(url, g.game_id, tokens["mx"])
    async with fac, mx:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("5")
            await mx.send({"type": "submit_orders", "orders": [{"lever": "mx_trace"}]})
            await wait_until(pilot, lambda: "SUBMITTED" in static_text(app, "#order-info"))
            await advance_to(fac, "orders", 2)
            await wait_until(pilot, lambda: gs.model.turn == 2 and gs.model.phase == "orders", what="turn 2")
            await close_cards(pilot)
            await pilot.press("5")
            await wait_until(pilot, lambda: "Last turn's orders: MX-TRACE" in static_text(app, "#order-info"))
            await mx.send({"type": "submit_orders", "orders": [{"lever": "mx_port"}]})
            await advance_to(fac, "results", 2)
            await wait_until(pilot, lambda: gs.model.phase == "results", what="the results phase")
            await close_cards(pilot)
            await pilot.press("5")
            await wait_until(pilot, lambda: "orders went in" in static_text(app, "#order-info"))
            assert "Last turn's orders" not in static_text(app, "#order-info")


async def test_a_tick_the_redraw_drops_is_not_said_unticked(url: str) -> None:
    """Students read "unticked CA-ISSL, CA-LEA, CA-MEDIATE" in each results phase with no key pressed:
    the list redrawn without the levers just spent had dropped their ticks. Only a row that can still
    be ordered is unticked by hand, and only that is said."""
    g, tokens = await game_at_orders(url, "ca", scenario="loose-talk")  # CA-MEDIATE: no dispute yet
    app = seat_app(url, g, tokens["ca"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs, _sl = await open_orders(pilot)
        said = notices(gs)
        rows = gs.orders.rows()
        kept = next(r for r in rows if r.get("available"))
        out = next(r["id"] for r in rows if not r.get("available"))  # as a lever just spent is
        gs.orders._say_tick({kept["id"], out}, set())
        await pilot.pause()
        assert said == [f"unticked {kept['code']}"], said


@pytest.mark.parametrize("us_order", ["private", "public"])
async def test_a_partners_private_order_kept_under_a_joint_check_says_why_it_is_not_listed(
    url: str, us_order: str
) -> None:
    """Student E read "[clause kept] United States played US-ARMS … as agreed" under public orders
    with no US-ARMS: the order was private, and the jointly checked deal is what told of it."""
    g, tokens = await played(url, us_order, "joint")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(160, 50)) as pilot:
        await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("6")
        gs = app.screen
        await wait_until(pilot, lambda: "[clause kept] United States" in "\n".join(log_lines(gs.results)))
        text = " ".join("\n".join(log_lines(gs.results)).split())
        note = (
            "as agreed in A1-MX-1 (a private order, not in the public orders: the deal's check tells you"
            " of it)"
        )
        assert (note in text) == (us_order == "private"), text
        assert "Mexico played MX-TRACE" in text and "MX-TRACE) as agreed in A1-MX-1 (a private" not in text


def test_a_closed_proposal_is_not_weighed_against_the_deals_since(rb: Rulebook) -> None:
    """Student F's rejected T1-US-1 read "Mexico would owe 5 different orders … some clause will break",
    weighed against the deals signed after it; a closed proposal binds nobody."""
    model = _model(rb, "us", 1)
    model.agreements["A1-MX-1"] = {
        "id": "A1-MX-1",
        "status": "active",
        "parties": ["us", "mx"],
        "clauses": [_clause("mx", lever, 1) for lever in ("mx_trace", "mx_deleg", "mx_port", "mx_presence")],
    }
    p = {"id": "T1-US-1", "parties": ["us", "mx"], "clauses": [_clause("mx", "mx_extradite", 1)]}
    assert "Mexico would owe 5 different orders" in terms.proposal_text(model, rb, {**p, "status": "open"})
    assert "different orders" not in terms.proposal_text(model, rb, {**p, "status": "rejected"})


def test_a_small_deal_says_what_a_full_one_of_its_kind_earns(rb: Rulebook) -> None:
    """ "1.5 agreement points, 50 % of a full one" beside "0.5 agreement points, 25 %" read as two measures
    of one full deal: a full deal's points depend on its parties and its checking."""
    ev = {
        "type": "agreement",
        "agreement": {"id": "A1-US-2", "parties": ["us", "ca"], "clauses": [], "weight": 0.25, "points": 0.5},
    }
    assert (
        "0.5 agreement points, 25% of a full one (2 for a full deal of these parties and this checking)"
        in (render.why_card(ev, rb))
    )


async def test_a_lever_out_at_its_default_choice_is_offered_with_the_choice_that_can_be_ordered(
    url: str,
) -> None:
    """Student F's China could never resume cooperation: CN-LINK's default is to suspend it, the server
    checks a lever at its defaults, and with cooperation suspended the row read "cannot be ordered now:
    cooperation is already suspended" all game, though an inject made the resumption free and a deal
    he signed promised it."""
    g, tokens = await game_at_orders(url, "cn", scenario="three-weeks")
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs, sl = await open_orders(pilot)
        await wait_until(pilot, lambda: not gs.orders.checking(), what="the costs")
        row = next(r for r in gs.model.view["levers"] if r["id"] == "cn_link")
        assert not row["available"] and "already suspended" in row["why_not"], row  # the server's check
        ids = [str(sl.get_option_at_index(i).value) for i in range(sl.option_count)]
        sl.focus()
        sl.highlighted = ids.index("cn_link")
        await pilot.press("space")
        await wait_until(pilot, lambda: "cn_link" in gs.orders.chosen(), what="the tick")
        command = gs.orders.submission()
        assert command is not None
        assert [(o.lever, o.params) for o in command.orders] == [("cn_link", {"action": "resume"})]
        # a deal due now promising the resumption is not called broken before it is ordered
        resume = {"actor": "cn", "lever": "cn_link", "params": {"action": "resume"}}
        gs.model.agreements["A1-US-1"] = {
            "id": "A1-US-1",
            "status": "signed",
            "parties": ["us", "cn"],
            "clauses": [{**resume, "start_turn": 1, "duration": 1}],
        }
        said = " ".join(render.order_warnings(gs.model, gs.rb, []))
        assert "you promised CN-LINK this turn; leaving it out breaks it" in said, said
        # once cooperation is resumed the default can be ordered again: the choice set for it goes (the
        # play-through's China ticked CN-LINK in turn 14 and sent a resumption of nothing)
        gs.orders._other_settings({**row, "available": True, "why_not": "", "cost": 1.0})
        assert "cn_link" not in gs.orders._params
        # one set by hand stays
        gs.orders._params["cn_link"] = {"action": "resume"}
        gs.orders._other_settings({**row, "available": True, "why_not": "", "cost": 1.0})
        assert gs.orders._params["cn_link"] == {"action": "resume"}
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "SUBMITTED" in static_text(app, "#order-info"), what="taken")


def test_an_effect_that_depends_on_other_values_is_not_said_to_leave_it(rb: Rulebook) -> None:
    """Student F read "It leaves US administration approval on the issue" for US-FACT, whose effect
    depends on the published figures: "leaves" said nothing he could use."""
    said = render.effect_words(rb, "us_fact", limit=3)
    assert "may move US administration approval on the issue, depending on other values" in said, said
    assert "leaves" not in said


async def test_parameters_kept_from_an_earlier_turn_that_cannot_be_ordered_now_go_back_to_the_defaults(
    url: str,
) -> None:
    """The play-through's China set CN-LINK to resume while cooperation was suspended; turns later, with
    cooperation running, a tick sent the kept resumption and the server refused it ("cooperation is not
    suspended, so there is nothing to resume"), a refusal the client could have foreseen."""
    g, tokens = await game_at_orders(url, "cn", scenario="loose-talk")  # cooperation runs in 2023
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs, sl = await open_orders(pilot)
        await wait_until(pilot, lambda: not gs.orders.checking(), what="the costs")
        gs.orders._params["cn_link"] = {"action": "resume"}  # as set with p in an earlier turn
        ids = [str(sl.get_option_at_index(i).value) for i in range(sl.option_count)]
        sl.focus()
        sl.highlighted = ids.index("cn_link")
        await pilot.press("space")
        await wait_until(pilot, lambda: "cn_link" in gs.orders.chosen(), what="the tick")
        await wait_until(pilot, lambda: "with its default" in static_text(app, "#notice"), what="the notice")
        said = " ".join(static_text(app, "#notice").split())
        assert said.startswith(
            "ticked CN-LINK with its default (cooperation: suspended) — the setting kept from an earlier"
            " turn (cooperation: resumed) cannot be ordered now"
        ), said
        command = gs.orders.submission()
        assert command is not None
        assert [o.params.get("action", "suspend") for o in command.orders if o.lever == "cn_link"] == [
            "suspend"
        ]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "SUBMITTED" in static_text(app, "#order-info"), what="taken")
