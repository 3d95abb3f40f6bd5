"""What session 20's students read in the rules and scenarios: an objective in the program's words
("counts only if the engine records it in the shared-responsibility cooldown flag"), inject cards that
gave another team's orders as if to the reader ("Decide on US-BIC and US-COND now" to Mexico, "Table ...
trilateral module T1" to China), a tutorial hint naming a module already in force, and score components
with nothing to say what their value is made of or that it is capped."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from precursor.analysis.runner import play
from precursor.game.loader import RulebookError
from precursor.game.rulebook import Rulebook, load

ROOT = Path(__file__).resolve().parents[2]

_WORDS = re.compile(r"\b(engine|flags?|cooldowns?)\b", re.IGNORECASE)
_DOTTED = re.compile(r"\b([a-z][a-z0-9_]*)\.([a-z0-9_]+)\b")


def _program_words(rb: Rulebook, text: str) -> list[str]:
    """ "engine", "flag", "cooldown", and any dotted name of the kind expressions read (``mx.st``,
    ``flag.hrl_count``, ``count.us_arms``), by its part before the dot."""
    spaces = {k.split(".")[0] for k in rb.indicators}
    spaces |= {"count", "played", "streak", "start", "mean", "module", "agreements", "window", "par", "agr"}
    found = [m.group(0) for m in _WORDS.finditer(text)]
    return found + [m.group(0) for m in _DOTTED.finditer(text) if m.group(1) in spaces]


def test_no_objective_or_score_explanation_speaks_the_programs_words(rb: Rulebook) -> None:
    """Every public aim and secret objective of every scenario, and what each score component is made
    of, reads in the game's words."""
    texts: list[tuple[str, str]] = []
    for sid, sc in rb.scenarios.items():
        for team, obj in sc.model.objectives.items():
            texts.append((f"{sid} {team} public aim", obj.public))
            texts += [(f"{sid} {o.id}", o.text) for o in obj.secret]
    for comp in rb.scoring:
        texts += [(f"scoring {comp.id} ({team})", text) for team, text in comp.explain.items()]
    bad = [(where, _program_words(rb, text)) for where, text in texts if _program_words(rb, text)]
    assert not bad, bad


def test_the_loader_refuses_an_objective_or_an_explanation_in_the_programs_words(tmp_path: Path) -> None:
    scenario = (ROOT / "scenarios/tutorial.yaml").read_text(encoding="utf-8")
    said = "text: Keep Mexico's sovereignty tension below 60 at the end of every turn."
    assert said in scenario
    path = tmp_path / "tutorial.yaml"
    path.write_text(scenario.replace(said, "text: Keep mx.st below 60 (the engine's flag).", 1))
    with pytest.raises(RulebookError) as exc:
        load([path])
    [problem] = exc.value.problems
    assert "objectives.us.secret[tut_us1].text" in str(problem)
    assert "'mx.st'" in problem.message and "'engine'" in problem.message and "'flag'" in problem.message

    scoring = (ROOT / "rules/scoring.yaml").read_text(encoding="utf-8")
    path = tmp_path / "scoring.yaml"
    path.write_text(re.sub(r"\n    explain: Half the change.*\n", "\n", scoring, count=1), encoding="utf-8")
    with pytest.raises(RulebookError) as exc:
        load([path])
    assert any("explain" in str(p) for p in exc.value.problems), exc.value.problems


def test_every_component_says_what_it_is_made_of_and_the_cap_is_the_rules(rb: Rulebook) -> None:
    """Each team's every weighted component has its explanation, and the cap the engine holds each value
    to is the one rules/scoring.yaml gives (the client says it from there)."""
    assert rb.score_cap == 10
    for comp in rb.scoring:
        assert set(comp.explain) == {t for t, w in comp.weights.items() if w}, comp.id
        assert all(len(text) > 20 for text in comp.explain.values()), comp.id
    assert (
        "× 1.5 once a trilateral agreement exists"
        in next(c for c in rb.scoring if c.id == "agr").explain["ca"]
    )


# the verbs an inject's instruction to its reader begins with
_IMPERATIVE = re.compile(
    r"^(Decide|Table|Order|Play|Submit|Choose|Sign|Propose|Use|Set|Send|Consider|Pick|Offer|Answer|Respond"
    r"|Host|Act|Agree|Fund|Impose|Sanction|Designate)\b"
)


def test_no_inject_tells_a_reader_to_decide_on_levers_or_modules_it_does_not_hold(rb: Rulebook) -> None:
    """An inject's sentence that tells its reader to act ("Decide on US-BIC and US-COND now", "Table a
    structured proposal: for example trilateral module T1") names only levers or modules every team in
    its audience can order or sign: Mexico was told to decide on two US levers, and China to table a
    North American module."""
    codes = {lv.code: lv.team for lv in rb.levers.values()}
    lever = re.compile("|".join(re.escape(c) for c in sorted(codes, key=len, reverse=True)))
    module = re.compile(r"\bmodules? (T[1-5])\b")
    north_american = {"us", "mx", "ca"}  # the trilateral modules' parties (rule H1)
    bad = []
    for sid, sc in rb.scenarios.items():
        for inj in sc.injects:
            for sentence in re.split(r"(?<=[.!?])\s+", " ".join(inj.text.split())):
                if not _IMPERATIVE.match(sentence):
                    continue
                holders = [{codes[m.group(0)]} for m in lever.finditer(sentence)]
                holders += [north_american for _ in module.finditer(sentence)]
                if any(not any(t in h for h in holders) for t in inj.audience) and holders:
                    bad.append((sid, inj.id, sentence))
    assert not bad, bad


def _tutorial_turn_2(rb: Rulebook, modules: list[str]) -> list[dict[str, Any]]:
    """The tutorial's turn-2 injects after a turn 1 in which the three North American teams signed and
    carried out ``modules``."""
    commands: list[dict[str, Any]] = []
    if modules:
        deal = {"parties": ["us", "mx", "ca"], "visibility": "public", "modules": modules}
        commands = [
            {"team": "ca", "type": "propose", **deal},
            {"team": "us", "type": "respond", "proposal": "T1-CA-1", "action": "accept"},
            {"team": "mx", "type": "respond", "proposal": "T1-CA-1", "action": "accept"},
            {"team": "ca", "type": "submit_orders", "orders": [{"lever": "ca_tri"}]},
        ]
    game, errors = play(rb, "tutorial", 22, {"turns": [{"turn": 1, "commands": commands}]}, until_turn=2)
    assert not errors
    assert [m for m in ("t1", "t2") if game.state.env[f"module.{m}"]] == modules
    return [e for e in game.log if e["type"] == "inject" and e["turn"] == 2]


@pytest.mark.parametrize("modules", [[], ["t1"], ["t1", "t2"]])
def test_the_tutorials_table_card_names_a_module_still_to_sign(rb: Rulebook, modules: list[str]) -> None:
    """ "Ottawa offers a table" suggested module T2 to a class that had T1 and T2 in force already. The
    North American teams get one card, naming a module not yet in force; China one of its own."""
    cards = _tutorial_turn_2(rb, modules)
    table = [e for e in cards if e["title"] == "Ottawa offers a table"]
    assert len(table) == 1 and table[0]["vis"] == ["us", "mx", "ca"], table
    text = " ".join(table[0]["text"].split())
    suggested = re.search(
        r"for example (?:trilateral module (T\d)|one of the trilateral modules still to sign)", text
    )
    assert suggested is not None, text
    assert suggested.group(1) not in [m.upper() for m in modules], text
    if len(modules) == 2:
        assert "Modules T1 and T2 are already in force" in text
    china = [e for e in cards if e["vis"] == ["cn"]]
    assert [e["title"] for e in china] == ["Ottawa offers a table, without China"]
    assert "module" not in china[0]["text"].replace("trilateral modules are for", "")
