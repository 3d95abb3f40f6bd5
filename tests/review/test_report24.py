"""The after-action report's charts as student k23 read them beside the end screen (session 23): the axis
ended "end Oct 2023" where the end screen said the scores were those "at the end of September 2023", and
the US deaths line ended flat at its start while the score had read a fall (the deaths are reported four
months late: the game's last four months had no figure yet)."""

from __future__ import annotations

from test_review import bot_game

from precursor.analysis.review import build_report, render_context, replay
from precursor.game.rulebook import Rulebook


def test_the_charts_end_on_the_month_the_scores_were_taken_and_say_what_the_lag_left_out(
    rb: Rulebook,
) -> None:
    game = bot_game(rb, "tutorial", 2)
    events = list(game.log)
    ctx = render_context(build_report(rb, events, "us"), replay(rb, events))
    assert ctx["game"]["end"] == "Sep 2023"
    deaths = next(c for c in ctx["charts"] if c["id"] == "us.od_synth")
    assert "reported 4 months late (the last 4 months have none)" in deaths["note"], deaths["note"]
    svg = deaths["svg"]
    tail = svg[svg.rindex(">end<") :].split("<g>")[0]  # the end tick's two date lines
    assert ">Sep</text>" in tail and ">Oct</text>" not in tail, tail
