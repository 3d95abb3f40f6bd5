"""The end screen and the after-action report, as students l24 and m24 read them side by side (session
24): one score component read +4.6 on the end screen and +4.5 in the report (the end screen rounded
halves up, as a student does by hand, and the report used the float ``round``, which takes 4.55 for
4.5499…; both now print ``words.signed``); and China's red lines (its irritation, its face, its
suspended cooperation) and Canada's were in neither, which spoke of Mexico's alone."""

from __future__ import annotations

import re
from typing import Any

from test_review import bot_game

from client_tui.model import LiveGame
from client_tui.panes.game_over import game_over_text
from precursor.analysis.review import build_report, render, render_context, replay
from precursor.analysis.runner import play
from precursor.analysis.simulate import resolve_personas
from precursor.game.bots import BotDriver
from precursor.game.rulebook import Rulebook
from precursor.game.views import view
from precursor.game.words import IRRITATION_SLACKENS, other_red_lines, signed


def test_signed_rounds_halves_up_and_never_prints_minus_zero() -> None:
    assert [signed(v) for v in (4.55, -4.55, 2.675, 0.04, -0.04, -0.0, 12)] == [
        "+4.6", "-4.6", "+2.7", "+0.0", "+0.0", "+0.0", "+12.0",
    ]  # fmt: skip
    assert signed(0.125, 2) == "+0.13" and signed(-0.001, 2) == "+0.00"
    assert signed(None) == "–" and signed(True) == "–"


def _half_way(scores: dict[str, Any], team: str) -> str:
    """Team ``team``'s first component set to 4.55 points (value 4.55 × 1), every other to nothing."""
    comps = scores[team]["components"]
    first = next(iter(comps))
    for cid, comp in comps.items():
        comp.update(points=4.55, value=4.55, weight=1) if cid == first else comp.update(points=0.0)
    return str(comps[first]["name"])


def test_a_half_way_component_reads_the_same_on_the_end_screen_and_in_the_report(rb: Rulebook) -> None:
    game = bot_game(rb, "tutorial", 2)
    events = list(game.log)

    ctx = render_context(build_report(rb, events, "mx"), replay(rb, events))
    row = next(s for s in ctx["scores"] if s["team"] == "mx")
    name = _half_way({"mx": {"components": {c["id"]: c for c in row["components"]}}}, "mx")
    md = render("report.md.j2", ctx, None)
    summary = next(line for line in md.splitlines() if line.startswith(f"| **{row['name']}**"))
    assert f"{name} +4.6" in summary, summary  # the float round printed +4.5

    live = LiveGame()
    live.me = {"role": "player", "team": "mx", "seat": "mx.president", "player_id": "p1", "game_id": "g1"}
    shown = view(game, "mx")
    assert _half_way(shown["scores"], "mx") == name
    live.set_view(shown, game.state.seq)
    lines = game_over_text(live, rb, "g1").splitlines()
    head = next(i for i, ln in enumerate(lines) if re.match(r"\s+\d\. Mexico ", ln))
    line = next(ln for ln in lines[head:] if ln.strip().startswith(f"{name}:"))
    assert re.search(r"= \+4\.6\b", line), line


def test_china_and_canada_red_lines_are_on_the_end_screen_and_in_the_report_as_each_seat_saw_them(
    rb: Rulebook,
) -> None:
    game = bot_game(rb, "loose-talk", 2)
    events = list(game.log)
    assert game.state.env["flag.cn_suspended"]  # this game's China suspended its cooperation
    for team in ("cn", "us"):
        live = LiveGame()
        live.me = {"role": "player", "team": team, "seat": "x", "player_id": "p1", "game_id": "g1"}
        live.set_view(view(game, team), game.state.seq)
        text = game_over_text(live, rb, "g1")
        red = text[text.index("\nRed lines\n") :]
        assert "China's red lines — irritation with the West and loss of face:" in red, red
        assert "China has suspended counternarcotics cooperation: yes, at the end" in red
        assert re.search(r"China's irritation with US measures peaked at \d+", red)
        assert "Canada's red lines — no tariff war" in red
        assert "Trust between the US and Canada ended at" in red
        # China sees its own face and its irritation exactly; the US sees no face, and the irritation
        # through fog, said so
        assert ("China's domestic face and autonomy began at 60" in red) == (team == "cn"), red
        assert ("an estimate: you see it through fog" in red) == (team == "us"), red

        md = render("report.md.j2", render_context(build_report(rb, events, team), replay(rb, events)), None)
        section = md[md.index("## Red lines") : md.index("## Objectives")]
        assert "### China's red lines — irritation with the West and loss of face" in section, section
        assert "- China has suspended counternarcotics cooperation: yes, at the end" in section
        assert ("China's domestic face and autonomy began at 60" in section) == (team == "cn"), section


def test_canadas_declaration_after_a_breach_is_among_its_red_lines(rb: Rulebook) -> None:
    personas = resolve_personas(rb, "red-line", {"us": "hawk"})
    game, _ = play(rb, "red-line", 4, None, bots=BotDriver(rb, personas, 4))
    assert game.state.env["flag.hrl_count"] >= 1  # the hawk crossed the line in this game
    said = dict(other_red_lines(rb, view(game, "ca")["indicators"]))
    canada = next(lines for heading, lines in said.items() if heading.startswith("Canada's red lines"))
    assert "after the breach of the hard red line, Canada declared its position" in canada, canada


def test_an_estimate_beyond_its_indicators_range_is_held_inside_it(rb: Rulebook) -> None:
    """The US read "China's irritation with US measures peaked at 103" of an index of 0 to 100: the
    fog's noise on an estimate, said as a figure the index cannot reach."""
    seen = {"id": "cn.irritation", "name": "China's irritation with US measures", "estimate": True}
    said = other_red_lines(rb, [{**seen, "value": 97.0, "trend": [44.0, 103.2, 97.0]}])
    assert said[0][1][0].startswith("China's irritation with US measures peaked at 100 (an estimate"), said


def test_the_irritation_the_words_name_is_the_rules_own(rb: Rulebook) -> None:
    """The red-line words say Chinese enforcement slackens "at 50 or more": the number is rule
    cs1.irritation_cost's, and this fails the day the rule moves without the words."""
    rule = next(r for r in rb.rules if r.id == "cs1.irritation_cost")
    assert rule.when is not None and rule.when.text == f"cn.irritation >= {IRRITATION_SLACKENS:g}"
