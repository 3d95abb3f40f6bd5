"""The after-action report names China's sensitivity rules in words (session 15).

Two students read "China's sensitivity: cs1.irritation_cost" and "cs6.suspension" in the report's red-line
timeline: the rule's id where every other line names things. Default bot games of Loose Talk and Tariffs
and Terror reach those rules.
"""

from __future__ import annotations

import re

import pytest
from test_review import bot_game

from precursor.analysis.review import build_report
from precursor.game.rulebook import Rulebook


@pytest.mark.parametrize("scenario", ["loose-talk", "tariffs-and-terror"])
def test_china_sensitivity_lines_name_the_rule_not_its_id(rb: Rulebook, scenario: str) -> None:
    """Session 23 moved these lines from the red lines (they are no red line of Mexico's, students g22,
    h22 and i22) to the timeline, where they still name the rule."""
    game = bot_game(rb, scenario, 1)
    items = [i for t in build_report(rb, list(game.log))["timeline"] for i in t["items"]]
    china = [i for i in items if i.startswith("China's sensitivity")]
    assert china, items  # the games reach China's sensitivity rules
    assert not [i for i in china if re.search(r"\bcs\d+\.", i)], china
    assert any(i.startswith("China's sensitivity: irritated China cooperates less — ") for i in china)
