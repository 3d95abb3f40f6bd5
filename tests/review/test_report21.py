"""The after-action report as two students read it for their own team (session 21): the score rows did not
add up to the total (the shared bonus was left out), every turn read "0 proposals", and the objectives
named their values by key (``mx.approval = 59``, ``module.t1``) beside the rules' expression, which the
facilitator's report keeps."""

from __future__ import annotations

import re

from test_review import bot_game

from precursor.analysis.review import build_report, render_context, replay, to_markdown
from precursor.game.rulebook import Rulebook


def test_a_teams_report_adds_up_counts_proposals_and_names_its_values(rb: Rulebook) -> None:
    game = bot_game(rb, "tutorial", 7)
    events = list(game.log)
    report = build_report(rb, events, "ca")
    # the bots' games of the tutorial never earn the shared bonus; a student's did: the score as the
    # engine writes it then (scoring.py: "shared" beside the components, and in the total)
    ca = report["scores"]["ca"]
    ca["shared"], ca["total"] = 5.0, round(ca["total"] + 5.0, 2)
    ctx = render_context(report, replay(rb, events))
    for s in ctx["scores"]:
        parts = sum(float(c["points"]) for c in s["components"]) + sum(x["points"] for x in s["extras"])
        assert abs(parts - float(s["total"])) < 0.05, (s["name"], parts, s["total"])
    assert [x["name"] for s in ctx["scores"] for x in s["extras"]] == [
        "shared bonus or penalty (every team alike)"
    ]
    md, _ = to_markdown(report, replay(rb, events))
    assert "shared bonus or penalty (every team alike)" in md
    proposed = [int(n) for n in re.findall(r"(\d+) proposals?\b", md)]
    assert proposed and sum(proposed) > 0, proposed
    objectives = md[md.index("## Objectives") :]
    assert not re.search(r"\b(?:trust|module|count|mx)\.[a-z_]+ = ", objectives), objectives
    assert "Trust between the US and Canada at the start: 80; at the end: " in objectives, objectives
    # the rules' expressions are the facilitator's report's, not a team's
    assert "start.trust.us_ca" not in objectives and "module.t1 or" not in objectives, objectives
    full, _ = to_markdown(build_report(rb, events), replay(rb, events))
    assert "`trust.us_ca >= start.trust.us_ca`" in full
