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
    game = bot_game(rb, scenario, 1)
    levels = [r["level"] for r in build_report(rb, list(game.log))["red_lines"]]
    china = [lv for lv in levels if lv.startswith("China's sensitivity")]
    assert china, levels  # the games reach China's sensitivity rules
    assert not [lv for lv in china if re.search(r"\bcs\d+\.", lv)], china
    assert "China's sensitivity: irritated China cooperates less" in china
