"""Engine words a student checks against the screen (issue 14, session 13)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from precursor.analysis.runner import parse_command, play
from precursor.game.bots import BotDriver
from precursor.game.commands import Actor, Advance, CommandEnvelope, CommandError, Order, SubmitOrders
from precursor.game.engine import Game
from precursor.game.loader import RulebookError
from precursor.game.promises import Due, clause_caps, order_spoils
from precursor.game.rulebook import Rulebook
from precursor.game.rulebook.loading import load

ROOT = Path(__file__).resolve().parents[2]


def _until(g: Game, phase: str) -> None:
    while g.state.phase != phase:
        g.handle(CommandEnvelope(actor=Actor(role="system"), command=Advance()))


def test_the_demand_programmes_top_is_said_with_the_levels_still_maturing(rb: Rulebook) -> None:
    """A student was refused US-DEMAND as "already at its highest level" with the dashboard's level at
    1: two more levels were maturing. The refusal names both values as the dashboard names them."""
    g = Game.new(rb, "loose-talk", 1)
    g.state.env["us.demand_level"] = 1
    g.state.env["flag.dem_pending"] = 2
    _until(g, "orders")
    order = SubmitOrders(orders=[Order(lever="us_demand", params={"levels": 1})])
    try:
        g.handle(CommandEnvelope(actor=Actor(team="us"), command=order))
        raise AssertionError("US-DEMAND was taken with the programme full")
    except CommandError as exc:
        said = exc.message
    assert "highest level, 3, counting the levels still maturing" in said, said
    level = rb.indicators["us.demand_level"].name.lower()
    waiting = rb.indicators["flag.dem_pending"].name.lower()
    assert "programme level" in level and "programme level" in said, (level, said)
    assert "levels waiting to mature" in waiting and "levels waiting to mature" in said, (waiting, said)
    # two levels with one of room: the other message says the same
    g.state.env["flag.dem_pending"] = 1
    order = SubmitOrders(orders=[Order(lever="us_demand", params={"levels": 2})])
    try:
        g.handle(CommandEnvelope(actor=Actor(team="us"), command=order))
        raise AssertionError("two levels were taken with room for one")
    except CommandError as exc:
        assert "counting the levels still maturing" in exc.message, exc.message


def test_more_enforcement_now_leaves_a_lower_promise_room_later(rb: Rulebook) -> None:
    """A student read "at most 60 in turn 1 (more would leave a later turn of it no room)" of a
    promise of MX-ME at 40 for three turns: any level of 40 or more keeps it, and from 80 the next turn
    may still order 60 (20 points a turn). No cap and no spoiled promise is said; a real cap is."""
    values = {**Game.new(rb, "tutorial", 1).state.env, "mx.me": 60.0, "flag.humanitarian_cap": 0.0}
    clause = {"actor": "mx", "lever": "mx_me", "params": {"level": 40}, "start_turn": 1, "duration": 3}
    assert clause_caps(rb, clause, values, turn=1, last_turn=6) == []
    due = [Due("agreement A1-MX-1", {**clause, "start_turn": 1})]
    assert order_spoils(rb, values, "mx_me", {"level": 80}, due, turn=1, last_turn=6) == []
    # US-DEMAND's top does bind, and the cap carries the rule's words for the later turn
    demand = {"actor": "us", "lever": "us_demand", "params": {"levels": 1}, "start_turn": 1, "duration": 2}
    (cap,) = clause_caps(rb, demand, {**values, "us.demand_level": 1.0}, turn=1, last_turn=6)
    assert (cap.turn, cap.at_most, cap.later) == (1, 1.0, 2) and "highest level" in cap.why, cap


def _tutorial_port(rb: Rulebook, seed: int, mx: dict[int, list[dict[str, Any]]] | None) -> Game:
    """A tutorial game: every team a bot, or Mexico played by ``mx`` (its orders by turn; {} gives none)."""
    personas = dict(rb.scenarios["tutorial"].model.personas)
    script = None
    if mx is not None:
        personas.pop("mx")
        turns = [
            {"turn": t, "commands": [parse_command({"team": "mx", "type": "submit_orders", "orders": o})]}
            for t, o in mx.items()
        ]
        script = {"turns": turns}
    game, refused = play(rb, "tutorial", seed, script, bots=BotDriver(rb, personas, seed))
    assert not refused, refused
    return game


PORT = {"lever": "mx_port", "params": {"intensity": 200}}
MX_PLAYS: dict[str, dict[int, list[dict[str, Any]]] | None] = {
    "bots": None,
    "nothing": {},
    "MX-PLAN iii": {2: [{"lever": "mx_plan_3"}]},
    "MX-PORT in turn 2": {2: [PORT]},
    "MX-PORT in turns 2 and 3": {2: [PORT], 3: [PORT]},
    "MX-PORT in turn 3": {3: [PORT]},
}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_scanners_inject_says_what_the_port_shows_in_every_tutorial_game(rb: Rulebook, seed: int) -> None:
    """ "The scanners arrive" said inspection intensity at the port rises; a student who had ordered
    stepped-up inspections saw it fall in the same turn (the order sets the level; its lapse restores
    the usual one). In every game the inject adds 20 as turn 3 opens, and whatever moves the port later
    in the turn is the order or its lapse, both of which the text names."""
    text = next(i for i in rb.scenarios["tutorial"].model.injects if i.id == "tut_scanners_arrive").text
    assert "rises by 20" in text and "MX-PORT" in text and "usual level" in text, text
    for how, mx in MX_PLAYS.items():
        game = _tutorial_port(rb, seed, mx)
        moves = [e for e in game.log if e.get("turn") == 3 and "mx.port_inspect" in (e.get("changes") or {})]
        assert moves and moves[0]["type"] == "inject", (how, moves)
        first = moves[0]
        assert first["changes"]["mx.port_inspect"] == first["before"]["mx.port_inspect"] + 20, (how, first)
        later = [(e["type"], e.get("lever") or e.get("rule")) for e in moves[1:]]
        assert all(who in ("mx_port", "mx_port.lapse") for _, who in later), (how, later)
        ordered = any(o.get("lever") == "mx_port" for orders in (mx or {}).values() for o in orders)
        assert bool(later) == ordered, (how, later)


def _between_votes(tmp_path: Path, holds: str) -> Path:
    """The tutorial as a scenario of its own that starts in July 2024, after Mexico's vote of 2 June and
    before its winner takes office on 1 October (turn 4 of 4)."""
    text = (ROOT / "scenarios" / "tutorial.yaml").read_text(encoding="utf-8")
    text = text.replace("id: tutorial", "id: between-votes", 1)
    text = text.replace('start: "2023-04-01"', 'start: "2024-07-01"', 1).replace("turns: 3", "turns: 4", 1)
    mx_result = "      incumbent_holds: true\n      sources: [003_c18062d74a93d548.txt]"
    assert mx_result in text
    text = text.replace(mx_result, f"{holds}      sources: [003_c18062d74a93d548.txt]", 1)
    path = tmp_path / "between-votes.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_scenario_that_starts_between_a_vote_and_its_handover_hands_over(tmp_path: Path) -> None:
    """The president-elect flag was set only by a vote counted in the game: a scenario starting after
    Mexico's vote and before the handover never handed over. It is set from the calendar at the start."""
    rb = load([_between_votes(tmp_path, "      incumbent_holds: false\n")], add_scenarios=True)
    g = Game.new(rb, "between-votes", 1)
    assert g.state.env["flag.mx_president_elect"] is True and g.state.env["flag.mx_elect_opposition"] is True
    while not g.state.ended:
        g.handle(CommandEnvelope(actor=Actor(role="system"), command=Advance()))
    took = [e for e in g.log if e.get("rule") == "c4.transitions"]
    assert len(took) == 1 and "takes office on 2024-10-01" in took[0]["reason"], took
    assert took[0]["turn"] == 4 and g.state.env["flag.mx_successor"] is True
    assert g.state.env["flag.mx_president_elect"] is False
    # the shipped tutorial, voted after its end, starts with nobody elected
    assert Game.new(rb, "tutorial", 1).state.env["flag.mx_president_elect"] is False


def test_a_vote_before_the_start_without_its_result_is_refused_naming_file_and_field(tmp_path: Path) -> None:
    path = _between_votes(tmp_path, "")
    with pytest.raises(RulebookError) as err:
        load([path], add_scenarios=True)
    said = str(err.value)
    assert "between-votes.yaml" in said and "calendar" in said and "incumbent_holds" in said, said
    assert "voted on 2024-06-02, before the scenario starts (2024-07-01)" in said, said
