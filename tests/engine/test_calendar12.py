"""The game's results keep to its calendar: a vote and a handover are separate days (students read "the
successor is in office" in June while the inject said she takes office on 1 October)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from precursor.analysis.runner import play
from precursor.game.engine import Game
from precursor.game.months import add_months
from precursor.game.rulebook import Rulebook
from precursor.game.views import view

# the changes that mean a new government is in office, and the calendar entry that dates its first day
TAKES_OFFICE = {"flag.mx_successor": "mx_inauguration", "flag.us_new_admin": "us_inauguration"}
IN_OFFICE = (*TAKES_OFFICE, "flag.honeymoon_mx", "flag.honeymoon_us")


def _months(sc: Any, turn: int) -> list[dt.date]:
    m = sc.months_per_turn
    return [add_months(sc.start, (turn - 1) * m + k) for k in range(m)]


def _turn_of(sc: Any, day: str) -> int | None:
    d = dt.date.fromisoformat(day).replace(day=1)
    for t in range(1, sc.turns + 1):
        if d in _months(sc, t):
            return t
    return None


@pytest.mark.parametrize("sid", ["election-season", "the-record", "three-weeks", "tariffs-and-terror"])
def test_a_new_government_takes_office_in_the_turn_the_calendar_dates_it(rb: Rulebook, sid: str) -> None:
    sc = rb.scenarios[sid].model
    game, _ = play(rb, sid, 1, None)
    entries = {e.id: e for e in sc.calendar}
    voted = {e["kind"] for e in game.log if e["type"] == "election"}
    seen: dict[str, int] = {}
    for e in game.log:
        for key, value in (e.get("changes") or {}).items():
            if key in IN_OFFICE and value and e["type"] == "election":
                raise AssertionError(f"{sid} turn {e['turn']}: the vote itself put {key} in office")
            if key in TAKES_OFFICE and value is True:
                seen[key] = e["turn"]
    for key, prefix in TAKES_OFFICE.items():
        dated = [x for i, x in entries.items() if i.startswith(prefix)]
        kind = "mx_presidential" if key == "flag.mx_successor" else "us_presidential"
        due = [
            _turn_of(sc, x.date)
            for x in dated
            if kind in voted and _turn_of(sc, x.date) is not None and x.date >= sc.start
        ]
        assert seen.get(key) == (due[0] if due else None), (sid, key, seen, due)


def test_election_season_vote_then_handover(rb: Rulebook) -> None:
    game, _ = play(rb, "election-season", 1, None)
    elections = [e for e in game.log if e["type"] == "election"]
    by_kind = {e["kind"]: e for e in elections}
    mx, us = by_kind["mx_presidential"], by_kind["us_presidential"]
    assert mx["turn"] == 5 and mx["changes"] == {"flag.mx_president_elect": True}
    assert "takes office on 2024-10-01" in mx["reason"]
    assert us["turn"] == 7 and us["changes"] == {"flag.us_president_elect": True}
    assert "takes office on 2025-01-20" in us["reason"]
    handovers = [e for e in game.log if e["type"] == "effect" and e["rule"] == "c4.transitions"]
    assert [(e["turn"], sorted(k for k in e["changes"] if k in IN_OFFICE)) for e in handovers] == [
        (7, ["flag.honeymoon_mx", "flag.mx_successor"]),
        (8, ["flag.honeymoon_us", "flag.us_new_admin"]),
    ]
    windows = {
        e["turn"]: e["changes"] for e in game.log if e["type"] == "effect" and e["rule"] == "c1.windows"
    }
    transition, lame = set(), set()
    on = {"window.mx_transition": False, "window.us_lame_duck": False}
    for t in range(1, 9):
        on.update({k: v for k, v in windows.get(t, {}).items() if k in on})
        if on["window.mx_transition"]:
            transition.add(t)
        if on["window.us_lame_duck"]:
            lame.add(t)
    # between the vote and the handover: July-September in Mexico, November-January in Washington
    assert transition == {5, 6} and lame == {7, 8}


def test_an_index_label_says_what_its_100_is(rb: Rulebook) -> None:
    """ "(index, start = 100)" sat beside readings of 92.1 and 107 before anything had happened: the
    readings are estimates (up to 15% off) of a level that truly starts at 100. A label that names a
    starting value must be what each seat reads at the start; one that names the real level must be true."""
    for sid in sorted(rb.scenarios):
        game = Game.new(rb, sid, 21)
        for audience in ("us", "mx", "cn", "ca", "facilitator"):
            for ind in view(game, audience)["indicators"]:
                name = ind.get("name", "")
                named = re.search(r"start = (\d+)\)", name)
                if named:
                    assert ind["value"] == float(named.group(1)), (sid, audience, name, ind["value"])
                if "100 = the real level at the start" in name:
                    assert game.state.env[ind["id"]] == 100, (sid, ind["id"])
                    assert ind.get("estimate") or ind["value"] == 100, (sid, audience, name)


@pytest.mark.parametrize("sid", ["tutorial", "three-weeks", "election-season"])
def test_the_first_review_compares_what_the_dashboard_showed(rb: Rulebook, sid: str) -> None:
    """Three months back from the first review the dashboard showed the starting values (the reporting
    lag reaches before the game): the review compares with those instead of finding nothing."""
    game, _ = play(rb, sid, 22, None)
    first = next(e for e in game.log if e.get("rule") == "f3.review")
    assert {"od_change", "homicide_change"} <= set(first["inputs"]), first


@pytest.mark.parametrize("t1_in_force", [False, True])
def test_the_tutorial_table_hint_names_a_module_still_to_sign(rb: Rulebook, t1_in_force: bool) -> None:
    """ "Ottawa offers a table" suggested module T1 to a class that had put T1 in force in turn 1."""
    commands: list[dict[str, Any]] = []
    if t1_in_force:  # the turn-1 deal of a class that signed T1 at once
        commands = [
            {
                "team": "ca",
                "type": "propose",
                "parties": ["us", "mx", "ca"],
                "visibility": "public",
                "modules": ["t1"],
            },
            {"team": "us", "type": "respond", "proposal": "T1-CA-1", "action": "accept"},
            {"team": "mx", "type": "respond", "proposal": "T1-CA-1", "action": "accept"},
            {"team": "ca", "type": "submit_orders", "orders": [{"lever": "ca_tri"}]},
        ]
    game, errors = play(rb, "tutorial", 22, {"turns": [{"turn": 1, "commands": commands}]}, until_turn=2)
    assert not errors and game.state.env["module.t1"] is t1_in_force
    cards = [e for e in game.log if e["type"] == "inject" and e["title"] == "Ottawa offers a table"]
    assert len(cards) == 1 and cards[0]["turn"] == 2
    text = " ".join(cards[0]["text"].split())
    suggests_t1 = "for example trilateral module T1" in text
    assert suggests_t1 is not t1_in_force, text
    if t1_in_force:
        assert "T1 on chemical import notification is already in force" in text
