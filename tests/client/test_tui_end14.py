"""The end screen against the report (session 13): Mexico +44.7 on the end screen, +44.8 in the report
(the screen summed its rounded parts, the report rounded the total), and the report's period ran to
July 2023 while the end screen's scores were "at the end of June 2023". One rule for the total (rounded
to a tenth, the parts' sum said beside it where it differs) and one last month."""

from __future__ import annotations

import re

import pytest

from client_tui.model import LiveGame
from client_tui.panes.game_over import game_over_text
from precursor.analysis.review import build_report, render_context
from precursor.analysis.runner import play
from precursor.game.bots import BotDriver
from precursor.game.rulebook import default_rulebook
from precursor.game.views import view

_HEAD = re.compile(r"^  \d\. (.+?) ([+-]\d+\.\d)(?: \(|  ←|$)")


@pytest.mark.parametrize(("scenario", "seed"), [("loose-talk", 1), ("three-weeks", 2), ("tutorial", 3)])
def test_the_end_screen_and_the_report_print_the_same_totals_and_the_same_last_month(
    scenario: str, seed: int
) -> None:
    rb = default_rulebook()
    personas = dict(rb.scenarios[scenario].model.personas)
    game, _ = play(rb, scenario, seed, None, bots=BotDriver(rb, personas, seed))
    live = LiveGame()
    live.me = {"role": "player", "team": "mx", "seat": "mx.president", "player_id": "p1", "game_id": "g1"}
    live.set_view(view(game, "mx"), game.state.seq)
    text = game_over_text(live, rb, "g1")
    shown = {m.group(1): m.group(2) for m in map(_HEAD.match, text.splitlines()) if m}
    report = build_report(rb, game.log)
    ctx = render_context(report, game)
    printed = {r["name"]: f"{round(float(r['total']), 1) + 0.0:+.1f}" for r in ctx["scores"]}
    assert shown == printed, (shown, printed)
    # the last month: "the scores below are those at the end of June 2023" and "Oct 2022 – Jun 2023"
    month, year = ctx["game"]["end"].split()
    said = re.search(r"the scores below are those at the end of (\w+) (\d{4})", " ".join(text.split()))
    assert said is not None, text
    assert (said.group(1)[:3], said.group(2)) == (month, year), (said.groups(), ctx["game"]["end"])
