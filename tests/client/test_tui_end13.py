"""What students who played whole games in session 13 found around the game: the end screen's parts
that did not add up to its total, the objectives' rate said only at the end, an estimate shown before
anything counted, and the lists whose cursor was colour only."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from client_tui.model import LiveGame
from client_tui.panes.game_over import game_over_text
from precursor.analysis.runner import play
from precursor.game.bots import BotDriver
from precursor.game.rulebook import default_rulebook
from precursor.game.views import view

_HEAD = re.compile(r"^  \d\. .+? ([+-]\d+\.\d)(?: \(|  ←|$)")
_PART = re.compile(r"^       (?:.+ = |shared bonus or penalty: |badges: )([+-]\d+\.\d)(?: —|$)")


def _sums(text: str) -> list[tuple[Decimal, Decimal]]:
    """Each team's total as printed, beside the sum of the parts printed under it."""
    out: list[tuple[Decimal, Decimal]] = []
    score = text.split("\nScores", 1)[1].split("\nObjectives", 1)[0]
    for line in score.splitlines():
        head, part = _HEAD.match(line), _PART.match(line)
        if head:
            out.append((Decimal(head.group(1)), Decimal(0)))
        elif part and out:
            out[-1] = (out[-1][0], out[-1][1] + Decimal(part.group(1)))
    return out


@pytest.mark.parametrize(
    ("scenario", "seed"), [("loose-talk", 1), ("loose-talk", 2), ("tutorial", 3), ("red-line", 4)]
)
def test_the_parts_shown_add_up_to_the_total_shown(scenario: str, seed: int) -> None:
    """Mexico's +41.7 sat above parts that add up to +41.6 (each part rounded on its own)."""
    rb = default_rulebook()
    personas = dict(rb.scenarios[scenario].model.personas)
    game, _ = play(rb, scenario, seed, None, bots=BotDriver(rb, personas, seed))
    live = LiveGame()
    live.me = {"role": "player", "team": "mx", "seat": "mx.president", "player_id": "p1", "game_id": "g1"}
    live.set_view(view(game, "mx"), game.state.seq)
    sums = _sums(game_over_text(live, rb, "g1"))
    assert len(sums) == 4, sums
    for total, parts in sums:
        assert total == parts, sums


def test_the_briefing_says_what_an_objective_point_is_worth_while_the_game_runs() -> None:
    """Objective points count × 0.5 (or × 0.75) in the score: a student saw it only on the end screen.
    The briefing's objectives say it in one line, for each team whose secret objectives it shows."""
    from client_tui.panes.briefing import objectives_markdown

    rb = default_rulebook()
    game, _ = play(rb, "loose-talk", 1, None, until_turn=1)
    live = LiveGame()
    live.me = {"role": "player", "team": "mx", "seat": "mx.president", "player_id": "p1", "game_id": "g1"}
    live.set_view(view(game, "mx"), game.state.seq)
    lines = objectives_markdown(live, rb)
    said = [x for x in lines if "objective points are not score points" in x]
    assert said == ["  - objective points are not score points: each one met adds 0.5 to the score"], lines
    # said before the objectives it is about, once
    assert lines.index(said[0]) < next(i for i, x in enumerate(lines) if "secret," in x)
