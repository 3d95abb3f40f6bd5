"""What a player reads from the rules and the scenarios says what happens in words: a student met "b_us1"
inside an objective, "applied by the script" in an inject, "(the flow model adds 0.05 to port
interception)" in a trilateral module, "CN-KYC.precursors = 25 is outside its range [1, 20]" from a
form, and AUMF, ISSL and ME with no word of what they are."""

from __future__ import annotations

import re

import pytest

from precursor.game.commands import CommandError
from precursor.game.core import normalise_params
from precursor.game.rulebook import default_rulebook

# the machinery's own words, which no player-facing text needs
ENGINE_WORDS = re.compile(r"\bthe script\b|\bscripted\b|\bflow model\b", re.IGNORECASE)


def _player_texts(reasons: bool = True) -> list[tuple[str, str]]:
    """Every scenario's summary, inject texts (and their effects' reasons), objective texts, and the
    trilateral modules' names and reasons, each with where it is."""
    rb = default_rulebook()
    out = [(f"module {m.id}", f"{m.name} {m.reason}") for m in rb.modules.values()]
    for sid, sc in rb.scenarios.items():
        m = sc.model
        out.append((f"{sid} summary", m.summary))
        for inj in m.injects:
            out.append((f"{sid} inject {inj.id}", inj.text))
            if reasons:
                out += [(f"{sid} inject {inj.id} effect", e.reason or "") for e in inj.effects]
        for team, obj in m.objectives.items():
            out.append((f"{sid} {team} public objective", obj.public))
            out += [(f"{sid} objective {o.id}", o.text) for o in obj.secret]
    return out


def test_no_player_text_names_an_objective_by_its_id_or_the_engines_machinery() -> None:
    rb = default_rulebook()
    ids = {o.id for sc in rb.scenarios.values() for obj in sc.model.objectives.values() for o in obj.secret}
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(ids))) + r")\b")
    found = [
        (where, text) for where, text in _player_texts() if pattern.search(text) or ENGINE_WORDS.search(text)
    ]
    assert found == []


@pytest.mark.parametrize("term", ["AUMF", "ISSL"])
def test_an_abbreviation_is_said_in_words_where_a_text_first_uses_it(term: str) -> None:
    """The first use in a text comes with a gloss in brackets, unless the text says it in words anyway
    (an effect's short reason under an inject that has said it is left alone)."""
    words = {"AUMF": "military force", "ISSL": "special surveillance list"}[term]
    bare = [
        where
        for where, text in _player_texts(reasons=False)
        if re.search(rf"\b{term}\b", text) and words not in text.lower()
    ]
    assert bare == []


def test_an_out_of_range_parameter_is_refused_with_the_lever_and_what_the_parameter_sets() -> None:
    rb = default_rulebook()
    with pytest.raises(CommandError) as err:
        normalise_params(rb.levers["cn_kyc"], {"precursors": 25})
    assert err.value.code == "bad_params"
    assert str(err.value.message) == (
        "CN-KYC: number of precursor chemicals covered by the licensing requirement"
        " must be from 1 to 20, not 25"
    )


def test_the_juarez_inject_promises_the_cap_for_as_long_as_the_engine_keeps_it() -> None:
    """The cap is lifted by the injects step at the end of the next turn's adjudication (after that
    turn's orders), so it binds two turns of orders: this turn's and the next's. The card once said
    "this turn's orders" only, and a student found MX-ME refused in turn 2 too (session 22; the
    conformance case b6-the-juarez-fire-caps-two-turns-of-orders submits the order in turn 2)."""
    from precursor.analysis.runner import play
    from precursor.game.bots import BotDriver

    rb = default_rulebook()
    sc = rb.scenarios["loose-talk"]
    game, _ = play(rb, "loose-talk", 0, None, bots=BotDriver(rb, dict(sc.model.personas), 0))
    lifted = next(
        e["turn"]
        for e in game.log
        if e["type"] == "effect" and (e.get("changes") or {}).get("flag.humanitarian_cap") == 0
    )
    inject = next(i for i in sc.model.injects if i.id == "b_juarez_fire")
    assert lifted == inject.turn + 1
    assert "this turn's orders and the next turn's" in " ".join(inject.text.split()), inject.text
