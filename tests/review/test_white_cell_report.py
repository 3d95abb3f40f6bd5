"""The white cell in the after-action review: a real game in which control overrides a value, writes a
note, releases an inject from a template and rules on an argued free action, and in which two teams
filed positions; the report lists every deviation as deliberate with its reason and effect, sets each
position beside the team's record, and the hot wash walks the debrief in the order of practice."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest

from precursor.analysis.hotwash import to_hot_wash
from precursor.analysis.review import build_report, dumps, to_html, to_markdown
from precursor.game.commands import (
    Actor,
    Advance,
    ClaimedEffect,
    CommandEnvelope,
    CounterArgument,
    CustomInject,
    FilePosition,
    Note,
    Order,
    Override,
    ReleaseInject,
    RuleFreeAction,
    SubmitOrders,
    TableFreeAction,
)
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook

FAC = Actor(role="facilitator")
SYSTEM = Actor(role="system")
OVERRIDE_NOTE = "the president's morning press conference on fentanyl went over well"
CONTROL_NOTE = "Watching Mexico's approval: the override tests the US hawks' patience."
RULING = "No witness protection exists yet; the US point about reprisals stands."
ARGUMENT = "Chemists are the scarce input; pulling a few out breaks the labs' chain of trust."
COUNTER = "Amnesties have leaked before; the cartels will kill the witnesses."
MX_GOALS = "Keep US forces out; win credit for port controls"
US_GOALS = "Cut fentanyl deaths and seizures at the border"


def send(g: Game, actor: Actor, cmd: Any) -> list[dict[str, Any]]:
    return g.handle(CommandEnvelope(actor=actor, command=cmd))


def to_phase(g: Game, phase: str) -> None:
    while g.state.phase != phase:
        send(g, SYSTEM, Advance())


@pytest.fixture(scope="module")
def game(rb: Rulebook) -> Game:
    g = Game.new(rb, "loose-talk", 3)
    mx, us = Actor(team="mx"), Actor(team="us")
    send(
        g,
        mx,
        FilePosition(goals=MX_GOALS, red_lines="No US strikes on Mexican soil", expectations="US threats"),
    )
    send(g, us, FilePosition(goals=US_GOALS, red_lines="No tariff war with Canada", expectations="MX stalls"))
    send(g, FAC, Override(key="mx.approval", value=70, note=OVERRIDE_NOTE))
    send(g, FAC, Note(text=CONTROL_NOTE))
    to_phase(g, "orders")
    claim = ClaimedEffect(indicator="cartel.lead", direction="down", size="medium")
    (fa,) = send(
        g,
        mx,
        TableFreeAction(
            title="Chemists' amnesty",
            description="An amnesty for chemists who leave cartel labs and testify.",
            effects=[claim],
            argument=ARGUMENT,
        ),
    )
    send(g, us, CounterArgument(free_action=fa["id"], stance="against", text=COUNTER))
    smaller = ClaimedEffect(indicator="cartel.lead", direction="down", size="small")
    send(g, FAC, RuleFreeAction(free_action=fa["id"], band="unlikely", effects=[smaller], reason=RULING))
    send(g, us, SubmitOrders(orders=[Order(lever="us_arms")]))
    to_phase(g, "negotiation")
    custom = CustomInject(
        template="cartel_violence",
        title="A succession war in Sinaloa",
        text="Rival factions fight over the routes.",
        changes={"mx.approval": 60},
    )
    send(g, FAC, ReleaseInject(custom=custom))
    while not g.state.ended:
        send(g, SYSTEM, Advance())
    return g


def test_the_report_lists_every_deviation_as_deliberate_with_reason_and_effect(
    rb: Rulebook, game: Game
) -> None:
    rep = build_report(rb, game.log)
    kinds = [(d["kind"], d["deliberate"]) for d in rep["rulings"]]
    assert kinds == [("override", True), ("note", True), ("free action", True), ("custom inject", True)]
    over, note, free, inject = rep["rulings"]
    assert over["reason"] == OVERRIDE_NOTE and over["effect"][0].endswith("→ 70")
    assert note["reason"] == CONTROL_NOTE
    assert free["reason"] == RULING and free["band"] == "unlikely" and free["probability"] == 0.3
    assert free["argument"] == ARGUMENT and free["counter_arguments"] == [f"US (against): {COUNTER}"]
    assert (
        "the claimed effects were reduced" in free["detail"]
        and f"the roll {free['roll'] * 100:.0f} in 100" in free["detail"]
    )
    assert free["claimed"] == ["Cartel leadership cohesion down by 2 (medium)"]  # names, not keys
    assert any(x.startswith("Mexican political capital") for x in free["effect"])  # the cost, win or lose
    assert inject["template"] == "cartel_violence" and "'cartel_violence'" in inject["reason"]
    page = html.unescape(to_html(rep, game))
    text, _ = to_markdown(rep, game)
    for out in (page, text.replace("\\", "")):
        assert "Control's rulings" in out and "Positions and the record" in out
        for words in (
            OVERRIDE_NOTE,
            CONTROL_NOTE,
            RULING,
            ARGUMENT,
            COUNTER,
            "cartel_violence",
            "deliberate",
        ):
            assert words in out, words
        assert "Mexican president's approval: 70 → 60" in out  # the custom inject's effect


def test_each_position_stands_beside_the_teams_record(rb: Rulebook, game: Game) -> None:
    rep = build_report(rb, game.log)
    pos = {p["team"]: p for p in rep["positions"]}
    assert set(pos) == {"mx", "us"}
    assert pos["mx"]["goals"] == MX_GOALS and pos["us"]["goals"] == US_GOALS
    assert pos["mx"]["record"]["free_actions"][0].startswith("T1: Chemists' amnesty succeeded")
    assert any("US-ARMS" in o for o in pos["us"]["record"]["orders"])
    assert pos["us"]["score"] == rep["scores"]["us"]["total"]
    page = html.unescape(to_html(rep, game))
    assert MX_GOALS in page and "No US strikes on Mexican soil" in page and "US threats" in page


def test_a_team_sees_only_its_own_position_and_no_private_ruling(rb: Rulebook, game: Game) -> None:
    rep = build_report(rb, game.log, "mx")
    assert [p["team"] for p in rep["positions"]] == ["mx"]
    kinds = {d["kind"] for d in rep["rulings"]}
    assert "note" not in kinds  # control's notes are for the facilitator
    free = next(d for d in rep["rulings"] if d["kind"] == "free action")
    assert free["reason"] == RULING  # the resolution, public, quotes the ruling's reason


def test_the_hot_wash_walks_the_debrief_in_order(rb: Rulebook, game: Game, tmp_path: Path) -> None:
    log = tmp_path / "game.jsonl"
    log.write_text(dumps(game.log), encoding="utf-8")
    rep = build_report(rb, game.log)
    for fmt in ("md", "html"):
        out = html.unescape(to_hot_wash(rep, game, fmt, str(log))).replace("\\", "")
        heads = [
            "1. What happened",
            "2. Why",
            "3. Positions and the record",
            "4. Control's rulings and their effect",
            "5. What if? Turning points to fork",
        ]
        at = [out.index(h) for h in heads]
        assert at == sorted(at), fmt
        assert f"precursor fork {log} --turn 1" in out and f"precursor fork {log} --turn 2" in out
        assert RULING in out and MX_GOALS in out and "Free action: Mexico's free action" in out
