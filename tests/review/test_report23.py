"""Session 23: three students' after-action reports (g22, h22, i22) against what the end screen and the
game had told them: internal keys among the objectives, China's sensitivity under Mexico's red line,
"Clauses kept 0, broken 0" under deals every party kept, a tariff "imposed" at 0 %, a trilateral module
and a clause's condition left out of a deal's clauses."""

from __future__ import annotations

import re

from test_review import bot_game

from precursor.analysis.hotwash import to_hot_wash
from precursor.analysis.review import build_report, render_context, rests_on_text, to_html, to_markdown
from precursor.analysis.runner import play
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook


def _both(rb: Rulebook, game: Game, audience: str) -> tuple[dict, str, str]:
    """The report for ``audience`` with its HTML as text (tags dropped) and its Markdown (escapes
    dropped)."""
    report = build_report(rb, list(game.log), audience)
    page = to_html(report, game).replace("<h2>", "<h2>## ")  # a section starts as in Markdown
    html = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).replace("&#39;", "'")
    md, _ = to_markdown(report, game)
    return report, html, md.replace("\\", "")


def _section(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i : text.index(end, i)]


def _agreements_say(html: str, md: str, *phrases: str) -> list[str]:
    """The agreements section of both formats, each holding every phrase."""
    sections = [_section(text, "## Agreements", "## Red lines") for text in (html, md)]
    for section in sections:
        for phrase in phrases:
            assert phrase in section, (phrase, section)
    return sections


def test_objectives_name_every_value_and_say_what_decided_them(rb: Rulebook) -> None:
    """Item 1: "start.trust.mx_cn = 40, Trust between Mexico and China = 28" and "agreements.us = 4"
    (students g22, h22, i22), and Mexico's "US owns part of the problem" met on "Turns until a US
    acknowledgement ... counts again = 0", where the end screen gave the US-ARMS orders seen."""
    _, html, md = _both(rb, bot_game(rb, "loose-talk", 1), "mx")
    for text in (html, md):
        objectives = _section(text, "## Objectives", "## Control's rulings")
        assert not re.search(r"\b(?:start|trust|agreements|count|flag)\.[a-z_]+", objectives), objectives
        assert "Trust between Mexico and China at the start: 40; at the end: 30" in objectives, objectives
        assert "seen during play: Disrupt southbound weapons and cash (US-ARMS) ordered in turns 1, 3" in (
            objectives
        ), objectives
    _, html, md = _both(rb, bot_game(rb, "tutorial", 7), "us")
    for text in (html, md):
        objectives = _section(text, "## Objectives", "## Control's rulings")
        assert "agreements.us" not in objectives
        assert "agreements United States has signed at the end: 4" in objectives, objectives


def test_the_red_lines_hold_mexicos_sovereignty_and_china_goes_to_the_timeline(rb: Rulebook) -> None:
    """Item 2: China's sensitivity ("irritated China cooperates less") stood under "Red lines", each
    followed by "What raised Mexican sovereignty tension" (students g22, h22, i22); the "how sure"
    sentence said "state no basis" (h22)."""
    game = bot_game(rb, "tariffs-and-terror", 1)
    report, html, md = _both(rb, game, "ca")
    levels = [r["level"] for r in report["red_lines"]]
    assert levels and all(lv.startswith(("approached", "CROSSED")) for lv in levels), levels
    for text in (html, md):
        red = _section(text, "## Red lines", "## Objectives")
        assert "China's sensitivity" not in red, red
        assert "What raised Mexican sovereignty tension".lower() in red.lower(), red
        assert "state no basis" not in red and "states no basis" not in red, red
        timeline = _section(text, "## Timeline", "## Agreements")
        assert "China's sensitivity: irritated China cooperates less — " in timeline
        # the bands by name there too, where "a2.defensive: above 60, ..." gave the rule's id
        assert "Mexico's sovereignty: defensive band (tension 60-79) — above 60" in timeline, timeline
        assert not re.search(r"\ba[23]\.[a-z_]+", timeline), timeline
    # the parts to doubt, by name: "it does not say which number in the chain is the invented one" (h22)
    assert report["red_lines"][0]["rests_on"].endswith(
        "1 is made up for the game (Mexico's cooperation ceiling in the defensive band); and the rulebook"
        " does not say where 2 come from (the event 'Eight groups on the terrorist list'; the event"
        " 'Twenty-nine prisoners flown north')."
    ), report["red_lines"][0]["rests_on"]
    # an easing rule among the causes of a rise says by its name how it raised tension
    drivers = [d["what"] for r in report["red_lines"] for d in r["chain"]]
    floor = [d for d in drivers if "good turns ease tension only down to" in d]
    assert all(d.startswith("Standing grievances keep tension from vanishing: ") for d in floor), floor
    unstated = {"quoted": 0, "direction": 2, "outside": 0, "invented": 2, "unstated": 2}
    assert rests_on_text(unstated) == (
        "How sure the model is of this chain: it rests on 6 parts of the rulebook (rules, levers, events"
        " and the numbers they use). Of these, the sources give only the direction of 2 (how large they"
        " are, the authors estimated); 2 are made up for the game; and the rulebook does not say where 2"
        " come from."
    )


def test_deals_others_kept_read_as_kept_not_as_nothing_done(rb: Rulebook) -> None:
    """Item 3: Mexico's report read "Clauses kept 0, broken 0" under A1-US-3 and A1-CN-1, which the end
    screen called "kept by every party" (student i22): their checks are told to their parties only. The
    report says they were kept, and tells Mexico no check it was not told."""
    game = bot_game(rb, "tutorial", 7)
    report, html, md = _both(rb, game, "mx")
    others = {a["id"]: a for a in report["agreements"] if "mx" not in a["parties"]}
    assert {"A1-US-3", "A1-CN-1"} <= set(others), sorted(others)
    assert all(not a["record"] and a["kept"] == 0 for a in others.values())  # no check leaks to Mexico
    for agreements in _agreements_say(html, md):
        assert "Clauses kept 0, broken 0" not in agreements, agreements
        for aid in ("A1-US-3", "A1-CN-1"):
            deal = agreements[agreements.index(aid) :][:400]
            assert (
                "Kept by every party: each of its 2 clauses was kept whenever it was due; which clause was"
                " checked when is told to the parties only."
            ) in deal, deal
    # the hot wash says it the same way
    for fmt in ("html", "md"):
        wash = to_hot_wash(report, game, fmt, "g")
        assert "clauses kept 0, broken 0" not in wash.lower()
        assert "Kept by every party: each of its 2 clauses was kept whenever it was due" in wash
    # the parties, and the facilitator, count every check
    for audience in ("us", "facilitator"):
        ctx = render_context(build_report(rb, list(game.log), audience), game)
        tally = {a["id"]: a["tally"] for a in ctx["agreements"]}
        assert tally["A1-CN-1"] == "Clauses kept 2, broken 0 — kept by every party.", tally


def test_a_tariff_at_0_reads_lifted_and_a_module_is_a_clause(rb: Rulebook) -> None:
    """Items 4 and 5: "tariff: imposed; rate in %: 0.0" where the game said "tariff: lifted (the rate
    kept at 0 %)" (students h22 and i22); A2-MX-1 listed only "US: US-TRI" though module T1 was signed in
    it (i22)."""
    _, html, md = _both(rb, bot_game(rb, "tutorial", 3), "facilitator")
    said = _agreements_say(
        html,
        md,
        "US: US-TARIFF Tariffs justified by fentanyl (on goods of: China, tariff: lifted (the rate kept at"
        " 0 %))",
        "US+MX+CA: trilateral module T1, Chemical notification (UN special surveillance list, importer"
        " attestation) — in force",
    )
    assert not [s for s in said if "imposed" in s or "0.0" in s]


def test_a_clause_keeps_its_condition(rb: Rulebook) -> None:
    """Item 6: "[if Cartel finance below 95]" was missing from the report's clause (students h22, i22)."""
    clause = {
        "actor": "mx",
        "lever": "mx_port",
        "params": {"intensity": 200},
        "duration": 1,
        "condition": "cartel.fin < 95",
    }
    script = {
        "turns": [
            {
                "turn": 1,
                "commands": [
                    {"team": "mx", "type": "propose", "parties": ["us", "mx"], "clauses": [clause]},
                    {"team": "us", "type": "respond", "proposal": "T1-MX-1", "action": "accept"},
                ],
            }
        ]
    }
    game, errors = play(rb, "tutorial", 7, script, until_turn=1)
    assert not errors, errors
    for audience in ("mx", "facilitator"):
        _, html, md = _both(rb, game, audience)
        _agreements_say(
            html,
            md,
            "MX: MX-PORT Stepped-up inspections at Manzanillo and other Pacific ports (inspection intensity:"
            " at least 200) [if Cartel finance (2022 = 100) below 95]",
            # cartel finance stood at 100: the clause never fell due, which "Clauses kept 0, broken 0"
            # did not say
            "No clause fell due (a clause under a condition is due only in a turn its condition held)",
        )


def test_an_objective_met_by_a_statement_says_which(rb: Rulebook) -> None:
    """Item 1, the other way to meet Mexico's "US owns part of the problem": a US statement to Mexico,
    which the end screen lists (words.statements_seen) and the report did not."""
    statement = {"kind": "acknowledge", "target": "mx", "text": "We own part of this."}
    orders = {"team": "us", "type": "submit_orders", "orders": [], "statement": statement}
    game, errors = play(rb, "loose-talk", 7, {"turns": [{"turn": 1, "commands": [orders]}]}, until_turn=1)
    assert not errors, errors
    _, html, md = _both(rb, game, "mx")
    for text in (html, md):
        objectives = _section(text, "## Objectives", "## Control's rulings")
        assert (
            "checked at the end of every turn, and met for good the first turn it held (the values at the"
            " end need not show it)"
        ) in objectives, objectives
        assert (
            "seen during play: the United States' public statement to Mexico (acknowledge shared"
            " responsibility), turn 1; Disrupt southbound weapons and cash (US-ARMS) not seen ordered"
        ) in objectives, objectives
