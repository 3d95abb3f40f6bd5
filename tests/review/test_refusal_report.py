"""The after-action report tells a split team's refusals where it tells the turn's orders: a refused
order is never revealed or executed, so without its own line the report showed no trace that it was
given, nor what refusing it cost."""

from __future__ import annotations

import subprocess
import sys
from html import unescape
from pathlib import Path

from precursor.analysis.review import dumps
from precursor.game.commands import Actor, Advance, CommandEnvelope, Order, RefuseOrder, SubmitOrders
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook

SYSTEM = Actor(role="system")
LINE = (
    "MX order refused: the Security cabinet and prosecutors refused MX-ARREST {name}, ordered by the"
    ' President · ground: Security seat declines a raid it expects to lose · "not in Culiacán again"'
    " · cost 2 PC"
)


def refused_game(rb: Rulebook) -> Game:
    """Loose Talk with a split Mexico: the president directs an arrest, the security seat refuses it
    (the state holds 35 on the ground, under the Culiacán threshold), and the turn plays out."""
    g = Game.new(rb, "loose-talk", 1, seats_in_play={"mx": ["president", "security"]})
    while g.state.phase != "orders":
        g.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))
    g.handle(
        CommandEnvelope(
            actor=Actor(team="mx", seat="president"),
            command=SubmitOrders(orders=[Order(lever="mx_arrest"), Order(lever="mx_plan_1")]),
        )
    )
    g.handle(
        CommandEnvelope(
            actor=Actor(team="mx", seat="security"),
            command=RefuseOrder(lever="mx_arrest", reason="not in Culiacán again"),
        )
    )
    while g.state.turn == 1:
        g.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))
    return g


def test_the_report_tells_a_refusal_with_its_ground_and_cost_in_text_and_html(
    rb: Rulebook, tmp_path: Path
) -> None:
    g = refused_game(rb)
    log = tmp_path / "g.jsonl"
    log.write_text(dumps(g.log), encoding="utf-8")
    line = LINE.format(name=rb.levers["mx_arrest"].name)

    def report(fmt: str, audience: str) -> str:
        out = tmp_path / f"{audience}.{fmt}"
        args = ["report", str(log), "--format", fmt, "--audience", audience, "--out", str(out)]
        res = subprocess.run(
            [sys.executable, "-m", "precursor.cli", *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert res.returncode == 0, res.stderr
        return out.read_text(encoding="utf-8")

    md = report("md", "mx")
    turn_one = md.split("### Turn 1 ")[1].split("### Turn 2 ")[0]
    assert f"- {line} (Mexican political capital 10 → 8)" in turn_one
    assert "- MX MX-PLAN(i)" in turn_one, "told beside the orders of the same turn"
    html = report("html", "facilitator")
    assert f"{line} (Mexican political capital 10 → 8)" in unescape(html)
    # the order was the team's secret: the other teams' reports have no trace of it
    assert "refused" not in report("md", "us")
