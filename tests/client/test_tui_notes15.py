"""What a bot writes with its proposals names the proposal's own clauses (session 14's students): a
note was a voice line chosen at random, and it named what the deal did not hold ("double your port
checks" with no MX-PORT clause; Mexico's "set up the plan" on a deal with no plan in it). A counter's
note says what it takes out and adds, from the proposal it answers."""

from __future__ import annotations

import re

import pytest

from precursor.analysis.runner import play
from precursor.game.bots import BotDriver
from precursor.game.rulebook import default_rulebook

RB = default_rulebook()
CODES = {lv.code: lid for lid, lv in RB.levers.items()}
CODE = re.compile("|".join(sorted((re.escape(c) for c in CODES), key=len, reverse=True)))
VOICE = {str(line) for p in RB.personas.values() for line in p.model.voice.propose}


def _bot_proposals(scenario: str, seed: int, personas: dict[str, str]) -> list[dict[str, object]]:
    game, _ = play(RB, scenario, seed, None, bots=BotDriver(RB, personas, seed))
    return [
        e["proposal"]
        for e in game.log
        if e["type"] == "proposal" and str(e["proposal"].get("by", "")).startswith("bot:")
    ]


@pytest.mark.parametrize(
    ("scenario", "personas"),
    [
        ("tutorial", None),
        ("tariffs-and-terror", None),
        (
            "loose-talk",
            {"us": "transactional", "mx": "cooperative", "cn": "deny_and_deflect", "ca": "trilateralist"},
        ),
    ],
)
def test_a_bot_proposals_note_names_its_own_clauses_and_no_others(
    scenario: str, personas: dict[str, str] | None
) -> None:
    cast = personas or dict(RB.scenarios[scenario].model.personas)
    seen: dict[str, dict[str, object]] = {}
    checked = counters = 0
    for seed in (0, 1):
        for p in _bot_proposals(scenario, seed, cast):
            note = str(p.get("note") or "")
            pid = str(p["id"])
            seen[f"{seed}:{pid}"] = p
            assert not any(line in note for line in VOICE), (scenario, seed, pid, note)
            levers = {str(c["lever"]) for c in p["clauses"]}  # type: ignore[attr-defined]
            original = seen.get(f"{seed}:{p.get('counter_to')}")
            if original is not None:
                counters += 1
                levers |= {str(c["lever"]) for c in original["clauses"]}  # type: ignore[attr-defined]
                assert f" counters {original['id']}: the same deal" in note, (scenario, seed, pid, note)
            named = {CODES[c] for c in CODE.findall(note)}
            assert named <= levers, (scenario, seed, pid, sorted(named - levers), note)
            if original is None and p["clauses"]:
                # a new proposal names every clause by its lever's code and name
                for c in p["clauses"]:  # type: ignore[attr-defined]
                    lv = RB.levers[str(c["lever"])]
                    assert f"{lv.code} ({lv.name}" in note, (scenario, seed, pid, lv.code, note)
            checked += 1
    assert checked > 5, checked
    assert counters or scenario != "tariffs-and-terror", counters  # bots counter each other there
