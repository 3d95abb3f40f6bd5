"""Agreements as each party is told of them (issue 14, session 13): every line a party reads about a
deal agrees with the events that party received, in self-verified and jointly verified deals, and with
clauses met by private (secret) orders."""

from __future__ import annotations

from typing import Any

import pytest

from client_tui import render, terms
from client_tui.model import LiveGame
from client_tui.panes.results import ResultsLog, result_text
from precursor.analysis.runner import parse_command, play
from precursor.game.bots import BotDriver
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
from precursor.game.views import events_for, redact, view


def _deal(rb: Rulebook, verification: str, mx_orders: list[Order], us_orders: list[Order]) -> Game:
    """Mexico and the US sign a deal for turn 1: the US promises US-TECH, Mexico MX-TRACE; each then
    gives the orders named. The turn ends (the deal is completed)."""
    g = Game.new(rb, "loose-talk", 1)

    def until(phase: str) -> None:
        while g.state.phase != phase:
            g.handle(CommandEnvelope(actor=Actor(role="system"), command=Advance()))

    until("negotiation")
    clauses = [Clause(actor="us", lever="us_tech"), Clause(actor="mx", lever="mx_trace")]
    propose = Propose(parties=["us", "mx"], clauses=clauses, verification=verification)  # type: ignore[arg-type]
    g.handle(CommandEnvelope(actor=Actor(team="mx"), command=propose))
    respond = Respond(proposal=next(iter(g.state.proposals)), action="accept")
    g.handle(CommandEnvelope(actor=Actor(team="us"), command=respond))
    until("orders")
    for team, orders in (("us", us_orders), ("mx", mx_orders)):
        if orders:
            g.handle(CommandEnvelope(actor=Actor(team=team), command=SubmitOrders(orders=orders)))
    until("negotiation")
    return g


def _seat(g: Game, team: str) -> LiveGame:
    live = LiveGame()
    live.me = {"role": "player", "team": team, "seat": "president", "player_id": "p1", "game_id": "g1"}
    for seq, ev in enumerate(events_for(g, team), 1):
        live.apply(seq, ev)
    live.set_view(view(g, team), g.state.seq)
    return live


def _result_lines(g: Game, team: str, rb: Rulebook) -> list[str]:
    """The results tab's lines about the deal, as ResultsLog writes them from the team's events."""
    agreements: dict[str, dict[str, Any]] = {}
    lines = []
    for ev in events_for(g, team):
        if ev["type"] == "agreement":
            agreements[ev["agreement"]["id"]] = ev["agreement"]
        if ev["type"] in ("compliance", "agreement_update"):
            lines.append(result_text(ev, rb, agreements=agreements))
    return lines


TECH = [Order(lever="us_tech")]


def test_self_verified_deal_broken_by_mexico_as_the_united_states_reads_it(rb: Rulebook) -> None:
    """The US kept its clause, Mexico did not. The US is told that Mexico reneged (the record every
    party holds) but not which clause: "kept 0, broken 0" and a bare "reneged by Mexico" contradicted
    each other; the line now counts the reader's own clauses and says what is known of Mexico."""
    g = _deal(rb, "self", mx_orders=[], us_orders=TECH)
    text = render.agreements_text(_seat(g, "us"), rb)
    assert "your clauses kept 1, broken 0" in text, text
    assert "Mexico reports a broken promise" in text and "told to Mexico only" in text, text
    lines = _result_lines(g, "us", rb)
    # Mexico's clause is not told to the US, its own is
    assert not any(line.startswith("[clause") and "Mexico" in line for line in lines), lines
    assert any(line.startswith("[clause kept] United States played US-TECH") for line in lines), lines
    reneged = [line for line in lines if "broke a promise" in line]
    assert len(reneged) == 1 and "Mexico broke a promise" in reneged[0], lines
    assert "which clause and when is told to Mexico only" in reneged[0], reneged


def test_self_verified_deal_broken_by_mexico_as_mexico_reads_it(rb: Rulebook) -> None:
    g = _deal(rb, "self", mx_orders=[], us_orders=TECH)
    text = render.agreements_text(_seat(g, "mx"), rb)
    assert "your clauses kept 0, broken 1 (clause 2, MX-TRACE by Mexico, turn 1)" in text, text
    assert "United States: no broken promise reported" in text, text
    lines = _result_lines(g, "mx", rb)
    assert any(line.startswith("[clause broken] Mexico did not play MX-TRACE") for line in lines), lines
    assert any("Mexico broke a promise" in line for line in lines), lines


def test_a_clause_kept_by_a_private_order_is_counted_for_the_team_that_kept_it(rb: Rulebook) -> None:
    """A student found no kept line for a clause met by a secret order. Mexico keeps MX-TRACE by a
    private order and the US breaks its clause: Mexico's record says kept 1, and the US's broken
    promise is said to Mexico without the clause; the US's own view counts its broken clause."""
    secret = [Order(lever="mx_trace", visibility="private")]
    g = _deal(rb, "self", mx_orders=secret, us_orders=[])
    mx = render.agreements_text(_seat(g, "mx"), rb)
    assert "your clauses kept 1, broken 0" in mx and "United States reports a broken promise" in mx, mx
    us = render.agreements_text(_seat(g, "us"), rb)
    assert "your clauses kept 0, broken 1 (clause 1, US-TECH by United States, turn 1)" in us, us
    assert "Mexico: no broken promise reported" in us, us


@pytest.mark.parametrize("team", ["us", "mx"])
def test_jointly_verified_deal_tells_both_parties_every_clause_even_a_private_order(
    rb: Rulebook, team: str
) -> None:
    secret = [Order(lever="mx_trace", visibility="private")]
    g = _deal(rb, "joint", mx_orders=secret, us_orders=[])
    text = render.agreements_text(_seat(g, team), rb)
    assert "kept 1, broken 1 (clause 1, US-TECH by United States, turn 1)" in text, text
    assert "your clauses" not in text and "self-verified" not in text, text
    lines = _result_lines(g, team, rb)
    assert any(line.startswith("[clause kept] Mexico played MX-TRACE") for line in lines), lines
    assert any("United States broke a promise" in line and "self-verified" not in line for line in lines)


def test_a_promise_of_enforcement_is_read_with_the_limit_that_binds(rb: Rulebook) -> None:
    """ "✓ can keep it … as long as enforcement level is at most 60 in turn 1 (more would leave a later
    turn of it no room)" was said of MX-ME at 40 for three turns with enforcement at 60; no cap binds
    (any level of 40 or more keeps it, and a level can move 20 a turn). Where one binds, its rule is said."""
    game = Game.new(rb, "tutorial", 1)
    game.state.env.update({"mx.me": 60.0, "flag.humanitarian_cap": 0.0, "us.demand_level": 1.0})
    model = LiveGame()
    model.me = {"role": "player", "team": "mx", "seat": "president", "player_id": "p1", "game_id": "g1"}
    model.set_view(view(game, "mx"), game.state.seq)
    me = {"actor": "mx", "lever": "mx_me", "params": {"level": 40}, "start_turn": 1, "duration": 3}
    assert terms.caps_words(model, rb, me) == ""
    demand = {"actor": "us", "lever": "us_demand", "params": {"levels": 1}, "start_turn": 1, "duration": 2}
    said = terms.caps_words(model, rb, demand)
    assert said.startswith("as long as levels added is at most 1 in turn 1 (more would leave a later turn"), (
        said
    )
    assert "by then the rule says: “the demand programme is already at its highest level" in said, said
    assert "US-DEMAND:" not in said, said


def _played_with_bots(rb: Rulebook) -> Game:
    """Loose Talk with China and Canada played by their bots; Mexico tables a self-verified deal in turn
    1 (the US: US-TECH, Mexico: MX-TRACE), the US accepts and orders US-TECH, Mexico orders nothing."""
    personas = {t: p for t, p in rb.scenarios["loose-talk"].model.personas.items() if t in ("cn", "ca")}
    clauses = [{"actor": "us", "lever": "us_tech"}, {"actor": "mx", "lever": "mx_trace"}]
    commands = [
        {
            "team": "mx",
            "type": "propose",
            "parties": ["us", "mx"],
            "clauses": clauses,
            "verification": "self",
        },
        {"team": "us", "type": "respond", "proposal": "T1-MX-1", "action": "accept"},
        {"team": "us", "type": "submit_orders", "orders": [{"lever": "us_tech"}]},
    ]
    script = {"turns": [{"turn": 1, "commands": [parse_command(c) for c in commands]}]}
    game, refused = play(rb, "loose-talk", 0, script, bots=BotDriver(rb, personas, 0), until_turn=1)
    assert not refused, refused
    return game


@pytest.mark.parametrize("team", ["us", "mx"])
def test_a_bot_game_with_a_broken_self_verified_deal_reads_the_same_in_every_line(
    rb: Rulebook, team: str
) -> None:
    """The results tab (as ResultsLog builds it from the team's events, the agreement's verification
    taken from its signing card) and the agreements line agree with what the team was told."""
    game = _played_with_bots(rb)
    log = ResultsLog(rb)
    for seq, ev in enumerate(game.log, 1):
        seen = redact(rb, ev, team)
        if seen is not None:
            log.add(seq, seen)
    lines = [line for line in log._texts if "A1-MX-1" in line or "clause" in line]
    reneged = [line for line in lines if "Mexico broke a promise in it" in line]
    assert len(reneged) == 1 and "told to Mexico only" in reneged[0], lines
    text = render.agreements_text(_seat(game, team), rb)
    if team == "us":
        assert not any(line.startswith("[clause broken]") for line in lines), lines
        assert "your clauses kept 1, broken 0; Mexico reports a broken promise" in text, text
    else:
        assert any(line.startswith("[clause broken] Mexico did not play MX-TRACE") for line in lines), lines
        assert "your clauses kept 0, broken 1 (clause 2, MX-TRACE by Mexico, turn 1)" in text, text
