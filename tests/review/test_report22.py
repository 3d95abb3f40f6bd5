"""Session 22's students on the after-action report (words22)."""

from __future__ import annotations

import re

from precursor.analysis.review import SAME_BASIS, build_report, to_html, to_markdown
from precursor.analysis.runner import play
from precursor.game.rulebook import Rulebook


def _breach(rb: Rulebook, turns: int) -> tuple[dict, object]:
    """Red Line with a public notice and a strike in turn 1, played on to ``turns``."""
    orders = [{"lever": "us_notice", "visibility": "public"}, {"lever": "us_strike"}]
    script = {"turns": [{"turn": 1, "commands": [{"team": "us", "type": "submit_orders", "orders": orders}]}]}
    game, errors = play(rb, "red-line", 1, script, until_turn=turns)
    assert not errors
    return build_report(rb, game.log), game


def test_a_red_lines_basis_is_said_in_plain_words(rb: Rulebook) -> None:
    """Defect 9: "This chain rests on: 2 direction, 2 invented, 2 with no basis stated links." was
    unreadable; it says what each basis means, in a sentence."""
    report, game = _breach(rb, 1)
    breach = next(r for r in report["red_lines"] if r["level"].startswith("CROSSED"))
    assert breach["rests_on"] == (
        "How sure the model is of this chain: it rests on 4 parts of the rulebook (rules, levers, events"
        " and the numbers they use). Of these, the sources give only the direction of 3 (how large they"
        " are, the authors estimated) and 1 is made up for the game (chance that a breach of the hard red"
        " line kills civilians by a targeting error)."
    ), breach["rests_on"]
    html, (md, _) = to_html(report, game), to_markdown(report, game)  # type: ignore[arg-type]
    for text in (html, md):
        assert "rests on:" not in text and " links." not in text
        assert "How sure the model is of" in text


def _said(html: str) -> list[str]:
    start = html.index('<section id="red-lines">')
    return re.findall(r"How sure the model is of [^<]*", html[start : html.index("</section>", start)])


def test_a_basis_the_same_as_the_red_line_befores_is_not_said_again(rb: Rulebook) -> None:
    """Defect 9: the same line stood under every item of the red-line section. Since session 23 each line
    names the parts made up for the game, so the hard red line's chain (a targeting error's chance) and
    the crisis band's (the tension from which the US loses standing) differ; three turns: four red
    lines, the last two the crisis band's again, said short; four turns: a fifth on other parts."""
    report, game = _breach(rb, 3)
    assert len(report["red_lines"]) == 4
    html, (md, _) = to_html(report, game), to_markdown(report, game)  # type: ignore[arg-type]
    said = _said(html)
    assert len(said) == 4 and said[2] == said[3] == SAME_BASIS, said
    assert said[0] != said[1] and all("it rests on 4 parts" in s for s in said[:2]), said
    assert md.count(SAME_BASIS) == 2
    report, game = _breach(rb, 4)
    html = to_html(report, game)  # type: ignore[arg-type]
    assert len(_said(html)) == len(report["red_lines"]) == 5
