"""The engine: determinism, the event fold, phases, budgets and typed refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest

from precursor.analysis.runner import play
from precursor.game.commands import (
    Actor,
    Advance,
    Clause,
    CommandEnvelope,
    CommandError,
    Order,
    Propose,
    Respond,
    SendMessage,
    SubmitOrders,
)
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook

SYSTEM = Actor(role="system")


def adv(g: Game) -> None:
    g.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))


def as_team(team: str, cmd: Any, seat: str | None = None) -> CommandEnvelope:
    return CommandEnvelope(actor=Actor(team=team, seat=seat), command=cmd)  # type: ignore[arg-type]


def to_orders(g: Game) -> None:
    while g.state.phase != "orders":
        adv(g)


BUSY = {
    "turns": [
        {
            "turn": t,
            "commands": [
                {"team": "us", "type": "message", "channel": "us_mx", "text": "Let us talk about ports."},
                {
                    "team": "us",
                    "type": "propose",
                    "parties": ["us", "mx"],
                    "clauses": [{"actor": "mx", "lever": "mx_trace"}, {"actor": "us", "lever": "us_arms"}],
                },
                {"team": "mx", "type": "respond", "proposal": f"T{t}-US-1", "action": "accept"},
                {
                    "team": "us",
                    "type": "submit_orders",
                    "orders": [{"lever": "us_arms"}, {"lever": "us_tri"}],
                    "statement": {"kind": "praise", "target": "mx", "text": "Good work, partner."},
                },
                {
                    "team": "mx",
                    "type": "submit_orders",
                    "orders": [{"lever": "mx_trace"}, {"lever": "mx_me", "params": {"level": 50}}],
                },
                {"team": "cn", "type": "submit_orders", "orders": [{"lever": "cn_pen"}]},
                {"team": "ca", "type": "submit_orders", "orders": [{"lever": "ca_tri"}]},
            ],
        }
        for t in range(1, 7)
    ]
}


def test_same_seed_and_commands_give_the_same_log(rb: Rulebook) -> None:
    a, ea = play(rb, "loose-talk", 7, BUSY)
    b, eb = play(rb, "loose-talk", 7, BUSY)
    assert a.events_jsonl() == b.events_jsonl()
    assert not ea and not eb, ea
    c, _ = play(rb, "loose-talk", 8, BUSY)
    assert c.events_jsonl() != a.events_jsonl()  # the hidden draw and the rolls depend on the seed


def test_state_is_the_fold_of_the_log(rb: Rulebook) -> None:
    g, _ = play(rb, "loose-talk", 3, BUSY)
    replayed = Game.replay(rb, [json.loads(line) for line in g.events_jsonl().splitlines()])
    assert replayed.state.snapshot() == g.state.snapshot()
    assert g.state.ended and replayed.state.ended


def test_phases_run_in_order(rb: Rulebook) -> None:
    g = Game.new(rb, "tutorial", 1)
    seen = []
    for _ in range(3 * 4):  # four phases a turn; the last results phase ends the game
        seen.append((g.state.turn, g.state.phase))
        adv(g)
    assert seen[:5] == [(1, "briefing"), (1, "negotiation"), (1, "orders"), (1, "results"), (2, "briefing")]
    assert g.state.ended and g.state.phase == "ended"
    assert g.log[-1]["type"] == "game_over"
    with pytest.raises(CommandError) as exc:
        adv(g)
    assert exc.value.code == "game_over"


@pytest.mark.parametrize(
    ("team", "seat", "cmd", "code"),
    [
        ("us", None, SubmitOrders(orders=[Order(lever="us_nonsense")]), "unknown_lever"),
        ("mx", None, SubmitOrders(orders=[Order(lever="us_arms")]), "not_your_lever"),
        ("us", None, SubmitOrders(orders=[Order(lever="us_poe", params={"intensity": 900})]), "bad_params"),
        ("us", None, SubmitOrders(orders=[Order(lever="us_poe", params={"speed": 1})]), "bad_params"),
        ("us", None, SubmitOrders(orders=[Order(lever="us_ind", params={"mode": "sideways"})]), "bad_params"),
        ("us", "nobody", SubmitOrders(orders=[]), "bad_seat"),
        (
            "us",
            None,
            SubmitOrders(
                orders=[
                    Order(lever="us_strike"),
                    Order(lever="us_intercept"),
                    Order(lever="us_fto"),
                    Order(lever="us_tariff", params={"target": "mx", "rate": 25, "mode": "impose"}),
                ]
            ),
            "over_budget",
        ),
    ],
)
def test_illegal_orders_are_refused_and_change_nothing(
    rb: Rulebook, team: str, seat: str | None, cmd: Any, code: str
) -> None:
    g = Game.new(rb, "loose-talk", 1)
    to_orders(g)
    before, n = g.state.snapshot(), len(g.log)
    with pytest.raises(CommandError) as exc:
        g.handle(as_team(team, cmd, seat))
    assert exc.value.code in (code, "precondition"), exc.value.message
    assert exc.value.message
    assert g.state.snapshot() == before and len(g.log) == n


def test_wrong_phase_and_wrong_seat(rb: Rulebook) -> None:
    g = Game.new(rb, "election-season", 1, seats_in_play={"us": ["president", "congress"]})
    before = g.state.snapshot()
    with pytest.raises(CommandError) as exc:
        g.handle(as_team("us", SubmitOrders(orders=[Order(lever="us_arms")])))
    assert exc.value.code == "wrong_phase"
    to_orders(g)
    with pytest.raises(CommandError) as exc:
        g.handle(as_team("us", SubmitOrders(orders=[Order(lever="us_hearing")]), seat="president"))
    assert exc.value.code == "wrong_seat" and "congress" in exc.value.message
    g.handle(as_team("us", SubmitOrders(orders=[Order(lever="us_hearing")]), seat="congress"))
    assert g.state.snapshot() != before


def test_order_limits(rb: Rulebook) -> None:
    g = Game.new(rb, "loose-talk", 1)
    g.effect("test.pc", "plenty of capital for the test", {"us.pc": 20.0}, ())
    to_orders(g)
    five = [Order(lever=lid) for lid in ("us_arms", "us_tri", "us_fact", "us_hearing", "us_travel")]
    with pytest.raises(CommandError) as exc:
        g.handle(as_team("us", SubmitOrders(orders=five)))
    assert exc.value.code == "order_limit"


def test_proposal_naming_a_lever_its_actor_does_not_hold(rb: Rulebook) -> None:
    g = Game.new(rb, "loose-talk", 1)
    adv(g)
    n = len(g.log)
    with pytest.raises(CommandError) as exc:
        g.handle(as_team("us", Propose(parties=["us", "mx"], clauses=[Clause(actor="mx", lever="us_arms")])))
    assert exc.value.code == "not_their_lever"
    with pytest.raises(CommandError) as exc:
        g.handle(as_team("us", Propose(parties=["us", "cn"], clauses=[Clause(actor="cn", lever="cn_pen")])))
    assert exc.value.code == "bad_proposal" and "framing" in exc.value.message
    assert len(g.log) == n


def test_messages_only_from_members(rb: Rulebook) -> None:
    g = Game.new(rb, "loose-talk", 1)
    adv(g)
    with pytest.raises(CommandError) as exc:
        g.handle(as_team("cn", SendMessage(channel="us_mx", text="listening in")))
    assert exc.value.code == "not_a_member"
    evs = g.handle(as_team("us", SendMessage(channel="us_mx", text="hello")))
    assert evs[0]["type"] == "message" and evs[0]["vis"] == ["us", "mx"]


def test_agreement_compliance_and_reneging(rb: Rulebook) -> None:
    g = Game.new(rb, "loose-talk", 1)
    adv(g)
    g.handle(
        as_team(
            "us",
            Propose(
                parties=["us", "mx"],
                visibility="public",
                clauses=[Clause(actor="us", lever="us_arms"), Clause(actor="mx", lever="mx_trace")],
            ),
        )
    )
    g.handle(as_team("mx", Respond(proposal="T1-US-1", action="accept")))
    assert any(e["type"] == "agreement" for e in g.log)
    trust0 = g.state.env["trust.us_mx"]
    adv(g)
    g.handle(as_team("us", SubmitOrders(orders=[Order(lever="us_arms")])))  # Mexico reneges: it plays nothing
    adv(g)
    comp = [e for e in g.log if e["type"] == "compliance"]
    assert {(e["team"], e["met"]) for e in comp} == {("us", True), ("mx", False)}
    assert g.state.env["reneged.mx"] == 1 and g.state.env["reneged.us"] == 0
    reneged = next(e for e in comp if not e["met"])
    assert reneged["changes"]["trust.us_mx"] < trust0 + 10  # the public reneging cost was charged
    assert reneged["rule"] == "d5.audience_costs" and reneged["sources"]


def test_effects_explain_themselves(rb: Rulebook) -> None:
    g, _ = play(rb, "loose-talk", 2, BUSY)
    effects = [
        e for e in g.log if e["type"] in ("effect", "order_executed", "statement", "inject", "compliance")
    ]
    assert effects
    for e in effects:
        assert e.get("rule") or e["type"] == "inject", e
        assert "reason" in e or e["type"] == "inject"
        assert isinstance(e.get("sources", []), list)
    rolled = [
        e for e in g.log if e.get("inputs") and any("roll" in i for i in e["inputs"] if isinstance(i, dict))
    ]
    assert rolled, "chance-based effects record their probability and roll"
    for e in rolled:
        for i in e["inputs"]:
            if isinstance(i, dict) and "roll" in i:
                assert 0 <= i["roll"] < 1 and 0 <= i["p"] <= 1


def test_starting_environment_does_not_depend_on_earlier_games(rb: Rulebook) -> None:
    """Game.new copies a per-scenario template and redoes only the seed's draw: the game of a seed must be
    the same, key order included, whichever games were created before it."""
    for sid in rb.scenarios:
        rb.start_envs.clear()
        first = Game.new(rb, sid, 7).log[0]
        Game.new(rb, sid, 3)
        again = Game.new(rb, sid, 7).log[0]
        assert json.dumps(first) == json.dumps(again)
        other = Game.new(rb, sid, 3).log[0]["env"]
        drawn = {"hidden.sigma", *(t for t, _ in rb.flow_constants)}
        allowed = {k for d in drawn for k in (d, f"start.{d}", f"mean.{d}")}
        differ = {k for k in first["env"] if first["env"][k] != other[k]}
        assert "hidden.sigma" in differ and differ <= allowed, (sid, differ - allowed)
        assert list(first["env"]) == list(other)


def test_running_means_follow_the_turn_end_values(rb: Rulebook) -> None:
    """mean.<id> is derived on read from the end-of-turn values in the log: the first turn's value, then
    each turn folded in with the running mean rounded to four decimals as stored values are."""
    from precursor.game.decimals import round4
    from precursor.game.expr import compile_expr

    game = Game.new(rb, "loose-talk", 5)
    read = compile_expr("mean.mx.st", rb.symbols, "num")
    assert read(game.state.env) == game.state.env["start.mx.st"]  # no turn has ended yet
    game, _ = play(rb, "loose-talk", 5, None, until_turn=4)
    ends = [e["values"]["mx.st"] for e in game.log if e["type"] == "turn_end" and e["values"]]
    assert len(ends) == 4 and len(set(ends)) > 1  # the tension moved, so the mean is a real mean
    want = ends[0]
    for n, v in enumerate(ends[1:], start=2):
        want = round4((want * (n - 1) + v) / n)
    assert read(game.state.env) == want
    replayed = Game.replay(rb, game.log)
    assert read(replayed.state.env) == want
    # an environment without turn values (a bot's, built from its view) carries the mean itself
    assert read({"mean.mx.st": 42.5}) == 42.5


def test_play_pauses_the_cyclic_collector_only_for_the_game(rb: Rulebook) -> None:
    import gc

    seen: list[bool] = []
    assert gc.isenabled()
    play(rb, "tutorial", 1, None, on_turn=lambda g, t: seen.append(gc.isenabled()))
    assert seen == [False] * 3 and gc.isenabled()  # paused during the game, back afterwards
    gc.disable()
    try:
        play(rb, "tutorial", 1, None)
        assert not gc.isenabled()  # a caller's own setting is left as it was
    finally:
        gc.enable()
    # and a game leaves no cyclic garbage behind, which is why pausing is safe
    gc.collect()
    play(rb, "loose-talk", 2, None)
    assert gc.collect() == 0


def test_a_clause_met_by_a_once_per_game_act_done_earlier_says_so(rb: Rulebook) -> None:
    """A multi-turn clause on a once-per-game lever is met in its later turns by the act already done (the
    engine's rule), and the record says that instead of "played as agreed": a student read that Canada
    played CA-ISSL as agreed in a turn whose orders did not include it."""
    from precursor.game.bots import BotDriver

    personas = dict(rb.scenarios["loose-talk"].model.personas)
    game, _ = play(rb, "loose-talk", 0, None, bots=BotDriver(rb, personas, 0))
    earlier = [e for e in game.log if e["type"] == "compliance" and e.get("earlier")]
    assert earlier, "loose-talk seed 0 has such a clause (Canada's CA-ISSL in turn 2)"
    for ev in earlier:
        code = rb.levers[ev["lever"]].code
        assert ev["met"] and rb.levers[ev["lever"]].once
        assert ev["reason"].endswith(
            f"has already carried out {code}, a once-per-game act, so the clause is met"
        )
        played_now = [
            e
            for e in game.log
            if e["type"] == "order_executed" and e["turn"] == ev["turn"] and e["lever"] == ev["lever"]
        ]
        assert not played_now, played_now
    plain = [
        e
        for e in game.log
        if e["type"] == "compliance" and e["met"] and not e.get("earlier") and not e.get("held")
    ]
    assert all(e["reason"].endswith("as agreed") for e in plain)
