"""A small deal's card names the measure the rules weigh deals by (session 16): it said "under four
clause-turns" whatever ``agr.full_weight_clause_turns`` was, and a rules override can change it."""

from __future__ import annotations

from pathlib import Path

from client_tui.render import why_card
from precursor.analysis.runner import play
from precursor.game.bots import BotDriver
from precursor.game.rulebook import default_rulebook, load

RB = default_rulebook()


def _small_deal() -> dict[str, object]:
    personas = dict(RB.scenarios["the-record"].model.personas)
    game, _ = play(RB, "the-record", 0, None, bots=BotDriver(RB, personas, 0))
    return next(
        e
        for e in game.log
        if e["type"] == "agreement" and not e["agreement"].get("renewal_of") and e["agreement"]["weight"] < 1
    )


def test_the_small_deal_card_reads_the_rules_measure(tmp_path: Path) -> None:
    ev = _small_deal()
    assert "a small deal (under four clause-turns)" in why_card(ev, RB)
    ov = tmp_path / "o.yaml"
    ov.write_text(
        "overrides:\n  - set: parameters/agr.full_weight_clause_turns/value\n    value: 6\n", encoding="utf-8"
    )
    card = why_card(ev, load([ov]))
    assert "a small deal (under six clause-turns)" in card, card
    assert "four" not in card, card
