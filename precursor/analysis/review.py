"""After-action review: export and import of event logs, debrief reports, forks and grading.

Everything here reads the event log and asks :mod:`precursor.game.views` what an audience may see, so a
report for Mexico is built only from what Mexico was shown: the events that reached it (redacted as
they reached it) and its own view of the final state. Nothing here talks to a store or a network;
the CLI reads and writes the files and stores.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
from collections.abc import Iterable
from typing import Any, cast

from precursor.analysis import charts
from precursor.analysis.deviations import positions, rulings
from precursor.analysis.logs import upcast
from precursor.game.adjudication.refusal import given_words
from precursor.game.engine import Game
from precursor.game.events import Event, EventFields, GameCreated, LogEvent, typed
from precursor.game.rulebook import Rulebook
from precursor.game.schema import TEAMS
from precursor.game.views import FACILITATOR, events_for, view
from precursor.game.words import (
    agreement_verdict,
    condition_words,
    indicator_keys,
    key_name,
    orders_seen,
    other_red_lines,
    params_words,
    self_checked,
    signed,
    statements_seen,
)

AUDIENCES = (FACILITATOR, *TEAMS, "public")
KEY_INDICATORS = (
    "us.od_synth",
    "flow.north",
    "mx.homicides",
    "mx.st",
    "migration.flow",
    "us.approval",
    "mx.approval",
    "trust.us_mx",
    "cn.irritation",
    "multi.pci",
)


# ---------------------------------------------------------------------- export / import


def dumps(events: Iterable[LogEvent]) -> str:
    """JSON lines, keys sorted: the canonical, lossless form of a game."""
    return "".join(
        json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n" for e in events
    )


def loads(text: str) -> list[LogEvent]:
    out: list[LogEvent] = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            ev = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"line {i}: not JSON ({exc})") from None
        if not isinstance(ev, dict) or "type" not in ev or "seq" not in ev:
            raise ValueError(f"line {i}: an event is an object with 'type' and 'seq'")
        if ev["seq"] != len(out) + 1:
            raise ValueError(f"line {i}: expected seq {len(out) + 1}, found {ev['seq']}")
        out.append(ev)
    if not out or out[0]["type"] != "game_created":
        raise ValueError("the log must start with a game_created event")
    return upcast(out)


def replay(rb: Rulebook, events: list[LogEvent]) -> Game:
    return Game.replay(rb, [dict(e) for e in events])


# ---------------------------------------------------------------------- fork


def fork_prefix(events: list[LogEvent], turn: int) -> list[LogEvent]:
    """The log up to the start of turn ``turn``: through its briefing, before its negotiation begins."""
    for i, ev in enumerate(map(typed, events)):
        if ev["type"] == "phase" and ev["turn"] == turn and ev["phase"] == "negotiation":
            return [dict(e) for e in events[:i]]
    raise ValueError(f"the game never reached the negotiation of turn {turn}")


def reseed(events: list[LogEvent], seed: int) -> list[LogEvent]:
    """A fork whose future rolls differ: the created event's seed is what later rolls derive from."""
    out = [dict(e) for e in events]
    out[0] = {**out[0], "seed": seed}
    return out


# ---------------------------------------------------------------------- the debrief


def build_report(rb: Rulebook, events: list[LogEvent], audience: str = FACILITATOR) -> dict[str, Any]:
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {', '.join(AUDIENCES)}")
    game = replay(rb, events)
    seen = events_for(game, audience)
    final = view(game, audience)
    sc = game.sc.model
    return {
        "game": {
            "scenario": sc.id,
            "title": sc.title,
            "summary": sc.summary,
            "seed": game.state.seed if audience == FACILITATOR else None,
            "turns": game.state.turns,
            "turns_played": game.state.turn,
            "ended": game.state.ended,
            "audience": audience,
            "events": len(seen),
        },
        "timeline": _timeline(seen, rb, {s.id: s.name for ss in sc.seats.values() for s in ss}),
        "indicators": _indicators(final),
        "agreements": _agreements(rb, final, seen, audience),
        "red_lines": _red_lines(seen, rb, sc.id),
        "other_red_lines": [
            {"heading": h, "lines": lines} for h, lines in other_red_lines(rb, final.get("indicators") or [])
        ],
        "scores": final.get("scores", {}),
        "objectives": final.get("objectives", {}),
        "bot_reasons": [
            {"turn": e["turn"], "team": e["team"], "decision": e["decision"], "text": e["text"]}
            for e in map(typed, seen)
            if e["type"] == "note" and e["decision"] not in ("", None, "message")
        ][:200],
        "questions": _questions(seen, final, audience),
        # the white cell: deviations from the rules, and positions held against the record
        "rulings": rulings(rb, seen),
        "positions": positions(rb, seen, final.get("scores", {})),
    }


def _timeline_item(e: Event, rb: Rulebook) -> str | None:
    """The line an event adds to its turn in the timeline, or None."""
    if e["type"] == "inject":
        return f"Inject: {e['title']} — {e['text']}"
    if e["type"] == "order_executed":
        lv = rb.levers.get(e["lever"])
        name = f"{lv.code} {lv.name}" if lv is not None else e["lever"]
        return f"{e['team'].upper()} {name}"
    if e["type"] == "order_failed":
        return f"{e['team'].upper()} order failed: {e['reason'] or e['lever']}"
    if e["type"] == "agreement":
        parties = ", ".join(t.upper() for t in e["agreement"]["parties"])
        return f"Agreement signed by {parties} ({e['agreement']['id']})"
    if e["type"] == "statement":
        return f"{e['team'].upper()} statement: {e['reason']}"
    if e["type"] in ("election", "compliance"):
        return e["reason"]
    if e["type"] == "free_action_resolved":
        return f"Free action: {e['reason']}"
    return None


def _refusal_item(e: Event, rb: Rulebook, seats: dict[str, str]) -> str | None:
    """A refused order as the team's turn tells it: it was never revealed or executed, so the orders
    told around it would not show that it was given at all."""
    if e["type"] != "order_refused":
        return None
    lv = rb.levers.get(e["lever"])
    name = f"{lv.code} {lv.name}" if lv is not None else e["code"]
    ground = rb.mechanisms.get(e["rule"])
    who, by = seats.get(e["seat"], e["seat"]), seats.get(e["by_seat"], e["by_seat"])
    said = given_words(e, ground.reason if ground is not None else None)
    return (
        f"{e['team'].upper()} order refused: the {who} refused {name}, ordered by the {by}"
        f" · ground: {ground.name if ground is not None else e['rule']}"
    ) + (f' · "{said}"' if said else "")


def _refusal_cost(e: Event, rb: Rulebook) -> str | None:
    """What a refusal cost, from its ground's ``effect`` right after it: " · cost 2 PC (… 10 → 8)"."""
    if e["type"] != "effect" or not e["rule"].startswith("refusal."):
        return None
    parts = []
    for key, after in e["changes"].items():
        before = e["before"].get(key)
        ind = rb.indicators.get(key)
        label = ind.name if ind is not None else key
        was = f"{before:g} → " if isinstance(before, int | float) else ""
        parts.append(f"{label} {was}{after:g}" if isinstance(after, int | float) else f"{label} {after}")
    spent = [
        e["before"][k] - v
        for k, v in e["changes"].items()
        if k.endswith(".pc") and isinstance(v, int | float) and isinstance(e["before"].get(k), int | float)
    ]
    head = f"{sum(spent):g} PC" if spent else ""
    detail = "; ".join(parts)
    return f" · cost {head} ({detail})" if head and detail else f" · cost {head or detail or 'nothing'}"


# how a timeline line of a sovereignty band or the hard red line begins (the hot wash picks them out)
SOVEREIGNTY_ITEM = "Mexico's sovereignty: "


def _timeline(seen: list[LogEvent], rb: Rulebook, seats: dict[str, str]) -> list[dict[str, Any]]:
    """Each turn's date, counts and lines; ``seats`` names the player seats a refusal speaks of."""
    turns: dict[int, dict[str, Any]] = {}
    refusal: tuple[list[str], int] | None = None  # where the last refusal's line is, for its cost
    last = 0  # messages and proposals carry no turn: theirs is the turn of the events around them
    for e in map(typed, seen):
        t = e.get("turn")
        if isinstance(t, int):
            last = t
        elif e["type"] in ("message", "proposal"):
            t = last  # every turn read "0 proposals" (student c21)
        if not isinstance(t, int) or t < 1:
            continue
        entry = turns.setdefault(t, {"turn": t, "date": "", "items": [], "messages": 0, "proposals": 0})
        if e["type"] == "phase" and e["phase"] == "briefing":
            entry["date"] = e.get("date", "")
        elif e["type"] == "message":
            entry["messages"] += 1
        elif e["type"] == "proposal":
            entry["proposals"] += 1
        elif e["type"] == "effect" and e["rule"].startswith(("a3.", "a2.")):
            # "a2.defensive: above 60, ..." gave the rule's id
            entry["items"].append(f"{SOVEREIGNTY_ITEM}{_rule_name(rb, e['rule'])} — {e['reason']}")
        elif e["type"] == "effect" and e["rule"].startswith("facilitator."):
            entry["items"].append(str(e["reason"]))  # "Control adjusted ...: the note"
        elif e["type"] == "effect" and e["rule"].startswith("cs"):  # once in the red lines, misplaced
            entry["items"].append(f"China's sensitivity: {_rule_name(rb, e['rule'])} — {e['reason']}")
        cost = _refusal_cost(e, rb) if refusal is not None else None
        if refusal is not None and cost is not None:
            items, at = refusal
            items[at] += cost
            refusal = None
        item = _timeline_item(e, rb) or _refusal_item(e, rb, seats)
        if e["type"] == "order_refused":
            refusal = (entry["items"], len(entry["items"]))
        if item is not None:
            entry["items"].append(item)
    return [turns[t] for t in sorted(turns)]


def _indicators(final: dict[str, Any]) -> list[dict[str, Any]]:
    by_id = {i["id"]: i for i in final.get("indicators", [])}
    out = []
    for iid in KEY_INDICATORS:
        ind = by_id.get(iid)
        if ind is None:
            continue
        out.append(
            {
                "id": iid,
                "name": ind.get("name", iid),
                "unit": ind.get("unit", ""),
                "series": list(ind.get("trend", [])),
                "estimate": bool(ind.get("estimate")),
                "lag": ind.get("lag", 0),
            }
        )
    return out


def clause_text(rb: Rulebook, clause: dict[str, Any]) -> str:
    """A clause in words: who plays which lever, with its settings and its condition as the game words
    them (``words.params_words``, ``words.condition_words``): "US: US-TARIFF ... (tariff: lifted (the
    rate kept at 0 %), on goods of: China)" where the report read "tariff: imposed; rate in %: 0.0",
    and "[if Cartel finance below 95]", which the report left out (students h22 and i22)."""
    actor = str(clause.get("actor", "")).upper()
    lever = str(clause.get("lever", ""))
    lv = rb.levers.get(lever)
    what = f"{lv.code} {lv.name}" if lv is not None else lever
    settings = params_words(rb, lever, dict(clause.get("params") or {}), promise=True)
    text = f"{actor}: {what}" + (f" ({settings})" if settings else "")
    if clause.get("condition"):
        text += f" [if {condition_words(rb, str(clause['condition']))}]"
    return text


def _module_text(rb: Rulebook, a: dict[str, Any], module: str) -> str:
    """A trilateral module a deal carries, as a line of its clauses: A2-MX-1 listed only "US: US-TRI"
    though module T1 was signed in it (student i22)."""
    mod = rb.modules.get(module)
    parties = "+".join(str(p).upper() for p in a.get("parties") or [])
    name = f"{module.upper()}, {mod.name}" if mod is not None else module.upper()
    state = "in force" if a.get("modules_active") else "not in force (it waits for a trilateral meeting)"
    return f"{parties}: trilateral module {name} — {state}"


def _checks_seen(a: dict[str, Any], audience: str) -> bool:
    """Whether every clause's compliance check reaches this audience (adjudication.agreements: a
    self-verified clause is told to the team that owes it, a jointly checked one to the parties, the
    INCB's to all)."""
    if audience == FACILITATOR:
        return True
    if a.get("verification") == "self":
        return all(c.get("actor") == audience for c in a.get("clauses") or [])
    if a.get("verification") == "joint":
        return audience in (a.get("parties") or [])
    return True


def _agreements(
    rb: Rulebook, final: dict[str, Any], seen: list[LogEvent], audience: str
) -> list[dict[str, Any]]:
    out = []
    for a in final.get("agreements", []):
        record = [c for c in map(typed, seen) if c["type"] == "compliance" and c["agreement"] == a["id"]]
        out.append(
            {
                "id": a["id"],
                "parties": a["parties"],
                "signed_turn": a.get("signed_turn"),
                "ends_turn": a.get("ends_turn"),
                "status": a.get("status"),
                "verification": a.get("verification"),
                "reneged": list(a.get("reneged") or []),
                "clauses": [clause_text(rb, c) for c in a["clauses"]]
                + [_module_text(rb, a, str(m)) for m in a.get("modules") or []],
                # the checks this audience was told of; ``checks_seen``: all of them
                "kept": sum(1 for c in record if c["met"]),
                "broken": sum(1 for c in record if c["met"] is False),
                "checks_seen": _checks_seen(a, audience),
                "own_clauses": sum(1 for c in a["clauses"] if c.get("actor") == audience),
                "clause_count": len(a["clauses"]),
                "conditional": any(c.get("condition") for c in a["clauses"]),
                "verdict": agreement_verdict(rb, a),
                "record": [
                    {"turn": c["turn"], "team": c["team"], "met": c["met"], "why": c["reason"]}
                    for c in record
                ],
            }
        )
    return out


BASES = ("quoted", "direction", "outside", "invented")


def _grounding_keys(rb: Rulebook, scenario: str, link: str) -> list[str]:
    """What a link of a chain names in the rulebook (a rule, a lever, a statement kind as its rule
    'd7.<kind>', or one of the scenario's injects), with the parameters it reads."""
    for key in (
        f"rule:{link}",
        f"lever:{link}",
        f"statement:{link.removeprefix('d7.')}",
        f"inject:{scenario}/{link}",
    ):
        g = rb.grounding.get(key)
        if g is not None:
            return [key, *(f"parameter:{p}" for p in sorted(g.reads))]
    return []


def _chain_keys(rb: Rulebook, scenario: str, links: Iterable[str]) -> list[str]:
    """The distinct grounding keys behind a chain's links, in order."""
    keys: dict[str, None] = {}
    for link in links:
        keys.update(dict.fromkeys(_grounding_keys(rb, scenario, link)))
    return list(keys)


def rests_on(rb: Rulebook, scenario: str, links: Iterable[str]) -> dict[str, int]:
    """How many of the distinct rules, levers, statements, injects and parameters behind a chain stand
    on each basis; ``unstated`` counts scenario entries that give none."""
    counts = dict.fromkeys((*BASES, "unstated"), 0)
    for key in _chain_keys(rb, scenario, links):
        counts[rb.grounding[key].basis or "unstated"] += 1
    return counts


# the bases a reader should doubt most: the report names their parts ("which number in the chain is the
# invented one?", student h22)
DOUBTFUL = ("invented", "unstated")


def doubtful_parts(rb: Rulebook, scenario: str, links: Iterable[str]) -> dict[str, list[str]]:
    """The parts behind a chain that are made up for the game or give no basis, each by its name."""
    out: dict[str, list[str]] = {}
    for key in _chain_keys(rb, scenario, links):
        basis = rb.grounding[key].basis or "unstated"
        if basis in DOUBTFUL:
            out.setdefault(basis, []).append(_part_name(rb, scenario, key))
    return out


def _part_name(rb: Rulebook, scenario: str, key: str) -> str:
    """A grounding key as a reader knows the part: a rule by its name, a lever by its code, a number
    by what it is, an inject by its title."""
    family, _, ident = key.partition(":")
    if family == "rule":
        return f"the rule '{_rule_name(rb, ident)}'"
    if family == "lever" and ident in rb.levers:
        return rb.levers[ident].code
    if family == "statement" and ident in rb.statements:
        return f"what a public statement ({rb.statements[ident].name.lower()}) does"
    if family == "parameter" and ident in rb.parameters and rb.parameters[ident].description:
        return rb.parameters[ident].description
    if family == "inject" and scenario in rb.scenarios:
        title = next((i.title for i in rb.scenarios[scenario].injects if f"{scenario}/{i.id}" == ident), "")
        return f"the event '{title}'" if title else ident
    return ident


# what each basis means, for a reader of the report (docs/rules-format.md, "Basis"), as a clause with
# {n} the number of parts and the verb's forms for one and for several: "2 take only their direction
# from the sources (how large they are, the authors estimated) ... 1 states no basis" read as jargon
# (students g22 and h22)
_BASIS_WORDS = {
    "quoted": ("{n} {is_are} taken from the sources", "is", "are"),
    "direction": (
        "the sources give only the direction of {n} (how large {it_they} {is_are}, the authors estimated)",
        "is",
        "are",
    ),
    "outside": ("{n} {is_are} a fact from outside the sources", "is", "are"),
    "invented": ("{n} {is_are} made up for the game", "is", "are"),
    "unstated": ("the rulebook does not say where {n} {is_are} from", "comes", "come"),
}


def _basis_clause(basis: str, n: int) -> str:
    text, one, several = _BASIS_WORDS[basis]
    return text.format(n=n, is_are=one if n == 1 else several, it_they="it" if n == 1 else "they")


def rests_on_text(
    counts: dict[str, int], chain: str = "this chain", named: dict[str, list[str]] | None = None
) -> str:
    """How much of a chain the sources carry, in plain words: "This chain rests on: 2 direction, 2
    invented, 2 with no basis stated links" was read as a riddle (session 22), and it stood under every
    red line. Bases with no part are left out; the parts ``named`` for a basis follow it."""
    total = sum(counts.values())
    if not total:
        return f"No rule or parameter of the rulebook lies behind {chain}."
    names = named or {}
    parts = [
        _basis_clause(b, counts[b]) + (f" ({'; '.join(names[b])})" if names.get(b) else "")
        for b in (*BASES, "unstated")
        if counts.get(b)
    ]
    if len(parts) == 1:
        listed = parts[0]
    else:
        listed = "; ".join(parts[:-1]) + ("; and " if len(parts) > 2 else " and ") + parts[-1]
    if total == 1:
        what = "1 part of the rulebook (a rule, a lever, an event or a number one of them uses)"
        return f"How sure the model is of {chain}: it rests on {what}: {listed}."
    what = f"{total} parts of the rulebook (rules, levers, events and the numbers they use)"
    return f"How sure the model is of {chain}: it rests on {what}. Of these, {listed}."


def shared_basis(red_lines: list[dict[str, Any]]) -> str:
    """The basis of every red line's chain said once, when it is the same for all of them (a report
    repeated the same line under each item); "" when they differ or there is one."""
    bases = [(r.get("basis"), r.get("doubtful")) for r in red_lines]
    if len(bases) < 2 or any(b != bases[0] for b in bases) or not isinstance(bases[0][0], dict):
        return ""
    return rests_on_text(bases[0][0], "each chain above", bases[0][1])


SAME_BASIS = "How sure the model is of this chain: as sure as of the chain above."


def _basis_lines(red_lines: list[dict[str, Any]]) -> list[str]:
    """The "how sure" line under each red line: none when one line under the section says it for all
    (``shared_basis``), and a short one where it is the line of the red line before (the same line stood
    under every red line, session 22)."""
    if shared_basis(red_lines):
        return ["" for _ in red_lines]
    said = [str(r.get("rests_on") or "") for r in red_lines]
    return [SAME_BASIS if i and line and line == said[i - 1] else line for i, line in enumerate(said)]


def _rule_name(rb: Rulebook, rule: str) -> str:
    """A rule by the name the rulebook gives it, lower-cased to sit after a colon: a student read
    "China's sensitivity: cs1.irritation_cost" in the report's timeline."""
    for r in rb.rules:
        if r.id == rule:
            return r.name[:1].lower() + r.name[1:]
    mech = rb.mechanisms.get(rule)
    return mech.name[:1].lower() + mech.name[1:] if mech is not None else rule


def _driver_words(rb: Rulebook, rule: str, what: str) -> str:
    """What raised tension, headed by its rule's name where it is a rule: "good turns ease tension only
    down to ..." read as an easing rule among the causes of a rise (student h22); its name says it
    ("Standing grievances keep tension from vanishing")."""
    named = _rule_name(rb, rule)
    return f"{named[:1].upper()}{named[1:]}: {what}" if named != rule and what != rule else what


def _red_lines(seen: list[LogEvent], rb: Rulebook, scenario: str) -> list[dict[str, Any]]:
    """Each band reached or line crossed, with the events that drove tension up in the turns before, and
    how much of that chain rests on quoted, directional, outside or invented numbers."""
    out: list[dict[str, Any]] = []
    drivers: list[dict[str, Any]] = []
    for ev in seen:
        e = cast(EventFields, ev)  # what raised tension, whatever the type of event that did
        ch = e.get("changes") or {}
        before = e.get("before") or {}
        rule = str(e.get("rule", ""))
        if "mx.st" in ch and isinstance(before.get("mx.st"), int | float) and ch["mx.st"] > before["mx.st"]:
            said = e.get("reason") or e.get("name") or e.get("title") or rule
            drivers.append(
                {
                    "turn": e.get("turn"),
                    # an inject has a title and no reason: without it the driver had no words at all
                    "what": _driver_words(rb, rule, str(said)),
                    "rule": rule or e.get("lever") or e.get("id"),
                    "delta": round(ch["mx.st"] - before["mx.st"], 2),
                }
            )
        elif "mx.st" in (e.get("unreported") or []):
            drivers.append(
                {"turn": e.get("turn"), "what": e.get("reason") or rule, "rule": rule, "delta": None}
            )
        level = {"a2.defensive": "approached (defensive band)", "a2.crisis": "approached (crisis band)"}.get(
            rule
        )
        if rule == "a3.hard_red_line":
            level = "CROSSED: the hard red line"
        # China's sensitivity rules (cs*) stood here too, each under "What raised Mexican sovereignty
        # tension" (students g22, h22, i22): they are no red line of Mexico's; the timeline has them
        if level and not any(r["level"] == level and r["turn"] == e.get("turn") for r in out):
            t = e.get("turn") or 0
            chain = [d for d in drivers if isinstance(d["turn"], int) and t - 2 <= d["turn"] <= t][-8:]
            links = [rule, *(str(d["rule"]) for d in chain if d["rule"])]
            basis, doubtful = rests_on(rb, scenario, links), doubtful_parts(rb, scenario, links)
            out.append(
                {
                    "turn": t,
                    "level": level,
                    "reason": e.get("reason", ""),
                    "chain": chain,
                    "basis": basis,
                    "doubtful": doubtful,
                    "rests_on": rests_on_text(basis, named=doubtful),
                }
            )
    return out


def _questions(seen: list[LogEvent], final: dict[str, Any], audience: str) -> list[str]:
    qs = []
    kinds = {e["type"] for e in map(typed, seen)}
    rules = {str(cast(EventFields, e).get("rule", "")) for e in seen}
    if "a3.hard_red_line" in rules:
        qs.append(
            "The hard red line was crossed. Which earlier choice made it likely; who could have stopped it?"
        )
    elif "a2.crisis" in rules or "a2.defensive" in rules:
        qs.append(
            "Sovereignty tension reached a band where Mexico limited cooperation. What raised it? Worth it?"
        )
    if "agreement" in kinds:
        broken = [e for e in map(typed, seen) if e["type"] == "compliance" and e["met"] is False]
        qs.append(
            "An agreement was broken. What did the party that broke it gain, and what did it cost them later?"
            if broken
            else "Every agreement was kept. What made the commitments credible?"
        )
    else:
        qs.append("No agreement was signed. What stood in the way of a deal both sides could accept?")
    if "election" in kinds:
        qs.append("An election fell inside the game. How did the calendar change what each team could offer?")
    if "inject" in kinds:
        qs.append("Which inject changed the game most, and how did your team adapt?")
    scores = final.get("scores", {})
    if scores:
        best = max((t for t in scores if scores[t]), key=lambda t: scores[t].get("total", 0), default=None)
        if best:
            qs.append(f"{best.upper()} scored highest. Which of its moves mattered most?")
    if audience in TEAMS:
        qs.append(
            "What did your team not know during the game that you know now? Would it have changed your play?"
        )
    qs.append("If you played again from turn 1, what is the one thing you would do differently?")
    return qs


# ---------------------------------------------------------------------- renderers
#
# The HTML and Markdown debriefs are Jinja2 templates (precursor/analysis/templates/) filled from one
# context (``render_context``): the report as ``report --format json`` gives it, plus what only the
# replayed game can add for a reader (human names, dates, the condition that decided an objective) and
# the charts. Both formats read the same context, so they carry the same content.

TEMPLATES = "templates"
CHART_DIR_SUFFIX = "_files"


class TemplateProblem(ValueError):
    """A user's template folder or template that cannot be used; the message says which and why."""


def _md_escape(text: Any) -> str:
    """Player text as Markdown data: HTML and the characters that would start emphasis, links or tables
    are escaped, so a message cannot turn into markup in a rendered report."""
    out = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]|#":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", " ")


@functools.lru_cache(maxsize=8)
def _environment(templates: str | None) -> Any:
    """One environment per template folder, kept: Jinja2 compiles a template once per environment (and
    recompiles a user's template when its file changes)."""
    import jinja2

    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        from pathlib import Path

        if not Path(templates).is_dir():
            raise TemplateProblem(f"--templates {templates}: not a folder")
        loaders.append(jinja2.FileSystemLoader(templates))
    loaders.append(jinja2.PackageLoader("precursor.analysis", TEMPLATES))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        # player text is data: escaped in HTML, and in Markdown through the md filter
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = _md_escape
    env.filters["signed"] = signed
    env.filters["num"] = charts.fmt_value
    return env


def render(template: str, context: dict[str, Any], templates: str | None) -> str:
    import jinja2

    try:
        return str(_environment(templates).get_template(template).render(**context))
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(f"{exc.filename or template}: line {exc.lineno}: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise TemplateProblem(f"{template}: {exc}") from None


def to_html(report: dict[str, Any], game: Game, templates: str | None = None) -> str:
    """The debrief as one HTML file: styles and charts inline, so it mails, prints and opens offline."""
    from markupsafe import Markup

    ctx = render_context(report, game)
    for c in ctx["charts"]:
        c["svg"] = Markup(c["svg"])  # built by charts.py, which escapes every text it draws
    return render("report.html.j2", ctx, templates)


def to_markdown(
    report: dict[str, Any], game: Game, chart_dir: str | None = None, templates: str | None = None
) -> tuple[str, dict[str, str]]:
    """The debrief as Markdown and its charts as SVG files: ``{relative path: svg}``, to be written beside
    the Markdown file. Renderers of Markdown (GitHub, CommonMark) show linked images but not data URIs,
    so with ``chart_dir`` None the charts are left out and the text says so."""
    ctx = render_context(report, game)
    files: dict[str, str] = {}
    for c in ctx["charts"]:
        if chart_dir is not None:
            c["file"] = f"{chart_dir}/{c['id'].replace('.', '-')}.svg"
            files[c["file"]] = c["svg"]
    ctx["chart_dir"] = chart_dir
    return render("report.md.j2", ctx, templates), files


def render_context(report: dict[str, Any], game: Game) -> dict[str, Any]:
    """What the templates read (docs/review.md lists it): the report, in words a reader can use."""
    g = report["game"]
    rb, audience = game.rb, g["audience"]
    cal = _Calendar(game)
    teams: dict[str, str] = {t: rb.teams[t].name if t in rb.teams else t.upper() for t in TEAMS}
    return {
        "report": report,
        "game": {
            **g,
            "audience_name": _audience_name(audience, teams),
            "start": cal.date(0),
            # the last month the model ran (the end screen's "scores at the end of June"), not the
            # month after it, which the month index has reached once it ran
            "end": cal.date(max(0, game.state.month_index - 1)),
            "months_per_turn": cal.per_turn,
        },
        "teams": teams,
        "timeline": [{**t, "label": cal.turn_label(t["turn"])} for t in report["timeline"]],
        "charts": _charts(report, rb, cal),
        "markers": [
            {"kind": k, "letter": letter, "colour": colour, "name": _MARKER_NAMES[k]}
            for k, (colour, letter) in charts.MARKER_STYLE.items()
        ],
        "agreements": _agreements_in_words(report, game, teams, cal),
        "red_lines": [
            {**r, "label": cal.turn_label(r["turn"]), "basis_line": line}
            for r, line in zip(report["red_lines"], _basis_lines(report["red_lines"]), strict=True)
        ],
        "red_lines_basis": shared_basis(report["red_lines"]),
        "other_red_lines": report.get("other_red_lines") or [],
        "scores": _scores(report, teams),
        "objectives": _objectives(report, game, teams),
        "bot_reasons": [
            {**b, "team_name": teams.get(str(b["team"]), str(b["team"]))} for b in report["bot_reasons"][:60]
        ],
        "questions": report["questions"],
        "rulings": [{**d, "label": cal.turn_label(d["turn"])} for d in report["rulings"]],
        "positions": [{**p, "name": teams[p["team"]]} for p in report["positions"]],
    }


_MARKER_NAMES = {"inject": "inject", "agreement": "agreement signed", "red_line": "red line or band"}


def _audience_name(audience: str, teams: dict[str, str]) -> str:
    if audience == FACILITATOR:
        return "Facilitator (everything that happened)"
    if audience == "public":
        return "Public (what the press saw)"
    return f"{teams.get(audience, audience)} (what this team saw)"


class _Calendar:
    """Turns, months and dates of one game: a turn starts at month (turn - 1) × months per turn."""

    def __init__(self, game: Game) -> None:
        self.start = game.state.start or game.sc.model.start
        self.per_turn = game.sc.model.months_per_turn
        self.last_month = game.state.month_index
        self.turns = game.state.turn

    def month_of(self, turn: int) -> int:
        return (max(1, turn) - 1) * self.per_turn

    def date(self, month: int) -> str:
        from precursor.game.months import add_months

        return add_months(self.start, month).strftime("%b %Y") if self.start else ""

    def turn_label(self, turn: int) -> str:
        return f"Turn {turn} ({self.date(self.month_of(turn))})"

    def ticks(self) -> list[charts.XTick]:
        """A tick per turn start, and one at the last month when the game ran on after its last turn."""
        at = [(self.month_of(t), f"T{t}", self.date(self.month_of(t))) for t in range(1, self.turns + 1)]
        if self.last_month > self.month_of(self.turns):
            # the point there is the value as the last modelled month ended: dated by that month, as the
            # end screen says "the scores below are those at the end of September" (student k23 read
            # "end Oct 2023" under the chart, a month after what the end screen said)
            at.append((self.last_month, "end", self.date(self.last_month - 1)))
        return [charts.XTick(m, label, date) for m, label, date in at]


def _markers(report: dict[str, Any], cal: _Calendar) -> list[charts.Marker]:
    out = []
    for t in report["timeline"]:
        out += [
            charts.Marker(cal.month_of(t["turn"]), "inject", f"T{t['turn']} {item}")
            for item in t["items"]
            if item.startswith("Inject:")
        ]
    for a in report["agreements"]:
        if isinstance(a.get("signed_turn"), int):
            out.append(charts.Marker(cal.month_of(a["signed_turn"]), "agreement", f"{a['id']} signed"))
    for r in report["red_lines"]:
        out.append(charts.Marker(cal.month_of(r["turn"]), "red_line", f"T{r['turn']} {r['level']}"))
    return out


def _charts(report: dict[str, Any], rb: Rulebook, cal: _Calendar) -> list[dict[str, Any]]:
    markers = _markers(report, cal)
    out = []
    for ind in report["indicators"]:
        meta = rb.indicators.get(ind["id"])
        name = meta.name if meta is not None else ind["name"]
        unit = meta.unit if meta is not None else ind["unit"]
        bounds = (meta.min, meta.max) if meta is not None else (None, None)
        series = [float(v) for v in ind["series"]]
        # the series ends at the last month the audience had a figure for: a lag moves it back
        end = max(0, cal.last_month - int(ind.get("lag") or 0))
        months = [end - len(series) + 1 + i for i in range(len(series))]
        notes = []
        if ind["estimate"]:
            notes.append("estimate (dashed, hollow points)")
        if ind.get("lag"):
            # the line stops short of the end, and its last figure is not the one a score read at the end
            n = f"{ind['lag']} month{'s' if ind['lag'] != 1 else ''}"
            notes.append(f"reported {n} late (the last {n} have none)")
        lo, hi = (months[0], months[-1]) if months else (0, 0)
        chart = charts.Chart(
            title=name,
            unit=unit,
            values=series,
            months=months,
            ticks=[t for t in cal.ticks() if lo <= t.month <= max(hi, cal.last_month)],
            markers=markers,
            bounds=bounds,
            estimate=bool(ind["estimate"]),
            note="; ".join(notes),
        )
        out.append(
            {
                "id": ind["id"],
                "name": name,
                "unit": unit,
                "estimate": bool(ind["estimate"]),
                "lag": ind.get("lag") or 0,
                "note": chart.note,
                "first": series[0] if series else None,
                "last": series[-1] if series else None,
                "svg": charts.line_chart(chart),
                "file": None,
            }
        )
    return out


def _agreements_in_words(
    report: dict[str, Any], game: Game, teams: dict[str, str], cal: _Calendar
) -> list[dict[str, Any]]:
    out = []
    for a in report["agreements"]:
        names = [teams.get(p, p.upper()) for p in a["parties"]]
        parties = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        start, end = a.get("signed_turn"), a.get("ends_turn")
        if isinstance(start, int) and isinstance(end, int):
            n = end - start + 1
            span = f"turn {start}" if n <= 1 else f"turns {start}–{end}"
            duration = f"{span} ({n} turn{'s' if n != 1 else ''}, from {cal.date(cal.month_of(start))})"
        else:
            duration = "open-ended"
        out.append(
            {
                **a,
                "party_names": parties,
                "duration": duration,
                "status": str(a.get("status") or ""),
                "tally": _tally(a),
                "record": [
                    {**r, "team_name": teams.get(r["team"], r["team"]), "outcome": _kept(r["met"])}
                    for r in a["record"]
                ],
            }
        )
    return out


def _tally(a: dict[str, Any]) -> str:
    """How an agreement's clauses fared, as far as this audience was told: the checks it saw counted
    when it saw them all, else the end screen's verdict (``words.agreement_verdict``). "Clauses kept 0,
    broken 0" stood under deals every party kept, whose checks were told to their parties only (A1-US-3
    and A1-CN-1 for Mexico; student i22)."""
    verdict = str(a.get("verdict") or "")
    if a.get("checks_seen") and not a["kept"] and not a["broken"] and a.get("status") == "completed":
        # "Clauses kept 0, broken 0" read as nothing done (student i22); a clause under a condition that
        # never held was never due
        why = (
            " (a clause under a condition is due only in a turn its condition held)"
            if a["conditional"]
            else ""
        )
        return f"No clause fell due{why} — {verdict}."
    if a.get("checks_seen"):
        return f"Clauses kept {a['kept']}, broken {a['broken']} — {verdict}."
    n = int(a.get("clause_count") or 0)
    fulfilled = a.get("status") == "completed" and not a.get("reneged")
    if fulfilled and not self_checked(a):
        clauses = "its clause was" if n == 1 else f"each of its {n} clauses was"
        text = f"Kept by every party: {clauses} kept whenever it was due"
    else:
        text = verdict[:1].upper() + verdict[1:]
    own = int(a.get("own_clauses") or 0)
    if own:
        text += f"; your clauses: kept {a['kept']}, broken {a['broken']}"
    if a.get("verification") == "self":
        return f"{text}; each party checks its own clauses, and only it is told which was kept when."
    return f"{text}; which clause was checked when is told to the parties only."


def _kept(met: Any) -> str:
    return "kept" if met else "broken" if met is False else "not due"


def _scores(report: dict[str, Any], teams: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for team in TEAMS:
        s = report["scores"].get(team)
        if not s:
            continue
        comps = [
            {"id": k, "name": c.get("name", k), "value": c.get("value"), "weight": c.get("weight"),
             "points": c.get("points", 0.0)}
            for k, c in (s.get("components") or {}).items()
        ]  # fmt: skip
        # what the total holds besides the components: the components alone did not add up to it (a
        # student's China read +61.3 in its rows against a total of +66.30, the shared bonus unsaid)
        extras = [
            {"name": name, "points": float(s.get(k) or 0.0)}
            for k, name in (("shared", "shared bonus or penalty (every team alike)"), ("badges", "badges"))
            if s.get(k)
        ]
        out.append(
            {
                "team": team,
                "name": teams[team],
                "total": s.get("total", 0.0),
                "components": comps,
                "extras": extras,
            }
        )
    return sorted(out, key=lambda r: -float(r["total"]))


# why another team's order may be "not seen ordered" (the end screen's words)
_PRIVATE_ORDERS = "another team's private orders reach you only when a deal you share checks them"

_CHECKS = {
    "end": "at the end of the game",
    "every_turn": "at the end of every turn",
    "ever": "at the end of every turn, and met for good the first turn it held (the values at the end"
    " need not show it)",
}


def _objectives(report: dict[str, Any], game: Game, teams: dict[str, str]) -> list[dict[str, Any]]:
    audience = report["game"]["audience"]
    conditions = {o.id: o.condition for o in game.sc.objectives}
    shown = _values_shown(game, audience)
    seen = events_for(game, audience)
    out = []
    for team in TEAMS:
        obj = report["objectives"].get(team)
        if obj is None:
            continue
        secret = []
        for o in obj.get("secret") or []:
            cond = conditions.get(o["id"])
            names = set() if cond is None else cond.names
            # what decided an objective its values at the end cannot show: the orders of the levers it
            # counts, as the end screen gives them (words.orders_seen)
            ordered, others = orders_seen(game.rb, seen, names, team if audience in TEAMS else None)
            if others:  # "not seen" is not "never": the end screen says so too
                ordered[-1] += f" ({_PRIVATE_ORDERS})"
            if o["check"] == "ever":  # a statement that met it for good, as the end screen gives it
                ordered = statements_seen(game.rb, seen, indicator_keys(game.rb, names)) + ordered
            secret.append(
                {
                    **o,
                    "outcome": "met" if o["met"] else "missed" if o["met"] is False else "open",
                    "when": _CHECKS.get(o["check"], o["check"]),
                    # the rules' expression is the analyst's; a team reads the objective's own words
                    # (three students of session 21 met flag.shared_resp_cooldown > 0 in theirs)
                    "condition": "" if cond is None or audience != FACILITATOR else cond.text,
                    "values": _values_text(game, names, shown),
                    "seen": "; ".join(ordered),
                    "failed_turn": _first_failure(game, cond) if o["check"] == "every_turn" else None,
                }
            )
        out.append({"team": team, "name": teams[team], "public": obj.get("public", ""), "secret": secret})
    return out


def _value_name(game: Game, name: str) -> str:
    """A value an objective reads, by the name a player knows (``words.key_name``): students read
    ``mx.approval = 59``, ``module.t1`` and ``agreements.us = 4`` in the report. The condition itself
    stays as the rules write it, for the analyst."""
    rb = game.rb
    kind, _, key = name.partition(".")
    if kind == "count" and key in rb.levers:
        return f"times {rb.levers[key].code} was ordered"
    if kind == "played" and key in rb.levers:
        return f"{rb.levers[key].code} ordered in the last turn"
    return {"turn": "the turn", "turns": "the game's turns"}.get(name) or key_name(rb, name)


def _values_text(game: Game, names: Iterable[str], shown: dict[str, Any]) -> str:
    """The values an objective reads, each by its name, at the end, and at the start beside it where
    the condition compares the two: "Trust between Mexico and China at the start: 40; at the end: 28",
    where students read "start.trust.mx_cn = 40, Trust between Mexico and China = 28"."""
    names = set(names)
    parts = []
    for n in sorted(names):
        if n.startswith("start.") or n not in shown:
            continue
        start = f"start.{n}"
        name = _value_name(game, n)
        if start in names and start in shown:
            parts.append(f"{name} at the start: {_plain(shown[start])}; at the end: {_plain(shown[n])}")
        else:
            parts.append(f"{name} at the end: {_plain(shown[n])}")
    return "; ".join(parts)


def _plain(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return charts.fmt_value(round(v, 2))
    return str(v)


def _values_shown(game: Game, audience: str) -> dict[str, Any]:
    """The final values a report may quote for its audience: everything for the facilitator; for a team,
    what it saw exactly (its own counts and agreements, indicators shown without noise or lag)."""
    env = game.state.env
    if audience == FACILITATOR:
        return dict(env)
    if audience not in TEAMS:
        return {}
    exact = {
        i["id"] for i in view(game, audience)["indicators"] if not i.get("estimate") and not i.get("lag")
    }
    own = {f"count.{lid}" for lid, lv in game.rb.levers.items() if lv.team == audience}
    keys = exact | {f"start.{k}" for k in exact} | own | {f"agreements.{audience}"}
    return {k: env[k] for k in keys if k in env}


def _first_failure(game: Game, cond: Any) -> int | None:
    """The first turn whose end-of-turn values broke an every-turn condition (None: never, or unknown)."""
    if cond is None:
        return None
    tv = game.state.turn_values
    n = min((len(tv[k]) for k in cond.names if k in tv), default=0)
    base = dict(game.state.env)
    for i in range(n):
        env = {**base, **{k: tv[k][i] for k in cond.names if k in tv}}
        try:
            if not cond.fn(env):
                return i + 1
        except (KeyError, TypeError, ValueError):
            return None
    return None


# ---------------------------------------------------------------------- grading


def pseudonym(name: str, salt: str) -> str:
    return "player-" + hashlib.sha256(f"{salt}:{name}".encode()).hexdigest()[:8]


def grades(events: list[LogEvent], anonymize: bool = False) -> str:
    """One CSV row per player: what each contributed, from the log's own record of who did what."""
    players: dict[str, dict[str, Any]] = {}
    salt = str(cast(GameCreated, events[0])["seed"]) + str(len(events))

    def row(name: str, team: str | None) -> dict[str, Any]:
        key = f"{team}:{name}"
        if key not in players:
            players[key] = {
                "player": pseudonym(name, salt) if anonymize else name,
                "team": team or "",
                "messages": 0,
                "proposals_drafted": 0,
                "proposals_signed": 0,
                "orders_submitted": 0,
                "orders_phases": 0,
                "deadlines_met": 0,
                "agreements_honoured": 0,
                "agreements_broken": 0,
            }
        return players[key]

    for e in map(typed, events):
        if e["type"] == "session" and e["op"] == "join" and e["role"] == "player":
            row(e["name"], e["team"])
    by_team: dict[str, list[dict[str, Any]]] = {}
    for r in players.values():
        by_team.setdefault(r["team"], []).append(r)
    signed: set[str] = set()
    met: set[tuple[Any, Any, Any]] = set()  # (player, team, turn): orders in before the phase ended
    orders_phases = 0
    for e in map(typed, events):
        if e["type"] == "message" and e["name"] and not e["name"].startswith("bot:"):
            row(e["name"], e["team"])["messages"] += 1
        elif (
            e["type"] == "proposal"
            and e["proposal"].get("by")
            and not str(e["proposal"]["by"]).startswith("bot:")
        ):
            row(e["proposal"]["by"], e["proposal"]["from"])["proposals_drafted"] += 1
        elif e["type"] == "agreement":
            signed.add(e["agreement"]["proposal"])
        elif e["type"] == "orders_submitted" and e["by"] and not e["by"].startswith("bot:"):
            r = row(e["by"], e["team"])
            r["orders_submitted"] += 1
            met.add((e["by"], e["team"], e["turn"]))
        elif e["type"] == "phase" and e["phase"] == "orders":
            orders_phases += 1
    for e in map(typed, events):
        if e["type"] == "proposal" and e["proposal"]["id"] in signed and e["proposal"].get("by"):
            key = f"{e['proposal']['from']}:{e['proposal']['by']}"
            if key in players:
                players[key]["proposals_signed"] += 1
        elif e["type"] == "compliance":
            for r in by_team.get(e["team"], []):
                r["agreements_honoured" if e["met"] else "agreements_broken"] += 1
    for name, team, _turn in met:
        players[f"{team}:{name}"]["deadlines_met"] += 1  # late orders are refused, so submitted = on time
    for r in players.values():
        r["orders_phases"] = orders_phases
    buf = io.StringIO()
    fields = [
        "player",
        "team",
        "messages",
        "proposals_drafted",
        "proposals_signed",
        "orders_submitted",
        "orders_phases",
        "deadlines_met",
        "agreements_honoured",
        "agreements_broken",
    ]
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    for r in sorted(players.values(), key=lambda r: (r["team"], r["player"])):
        w.writerow(r)
    return buf.getvalue()


# ---------------------------------------------------------------------- counterfactuals and comparisons


def outcome(game: Game) -> dict[str, Any]:
    """A finished game reduced to the numbers a comparison needs (true values: this is analysis)."""
    env, scores = game.state.env, game.state.scores
    out: dict[str, Any] = {f"score_{t}": float(scores[t]["total"]) if t in scores else None for t in TEAMS}
    out.update(
        {
            "od_synth": float(env["us.od_synth"]),
            "mx_st": float(env["mx.st"]),
            "hrl": float(env["flag.hrl_count"]) > 0,
            "agreements": sum(1 for e in game.log if e["type"] == "agreement"),
            "ended": game.state.ended,
        }
    )
    return out


def counterfactual(
    rb: Rulebook, events: list[LogEvent], turn: int, runs: int, seed: int, personas: dict[str, str]
) -> dict[str, Any]:
    """Bots play the game on from the start of ``turn``, ``runs`` times with fresh rolls, and the spread
    of outcomes is set beside what actually happened ("had the US not struck in turn 4 …")."""
    from precursor.analysis.runner import play
    from precursor.analysis.simulate import run_seed
    from precursor.game.bots import BotDriver

    prefix = fork_prefix(events, turn)
    scenario = cast(GameCreated, prefix[0])["scenario"]
    results = []
    for r in range(runs):
        s = run_seed(seed, r) & 0x7FFFFFFF
        game = replay(rb, reseed(prefix, s))
        game, _ = play(rb, scenario, s, None, bots=BotDriver(rb, personas, s), game=game)
        results.append(outcome(game))
    actual_game = replay(rb, events)
    return {
        "scenario": scenario,
        "from_turn": turn,
        "runs": runs,
        "actual": outcome(actual_game) if actual_game.state.ended else None,
        "distribution": distribution(results),
        "records": results,
    }


_NOT_OUTCOMES = frozenset({"run", "seed", "scenario", "refused", "turns", "modules"})


def distribution(records: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per numeric field: mean, p10, median and p90 (``simulate.quantile``, as every batch summary) with
    the extremes; per boolean: the rate."""
    from precursor.analysis.simulate import describe

    out: dict[str, dict[str, float]] = {}
    keys: dict[str, None] = {}
    for r in records:
        keys.update(dict.fromkeys(k for k in r if k not in _NOT_OUTCOMES and not k.startswith("persona_")))
    for key in keys:
        vals = [r[key] for r in records if r.get(key) is not None]
        if not vals:
            continue
        if all(isinstance(v, bool) for v in vals):
            out[key] = {"rate": round(sum(vals) / len(vals), 4)}
        elif all(isinstance(v, int | float) for v in vals):
            d = describe(float(v) for v in vals)
            out[key] = {
                **{k: float(d[k] or 0.0) for k in ("mean", "p10", "median", "p90")},
                "min": float(min(vals)),
                "max": float(max(vals)),
            }
    return out


def compare(
    rb: Rulebook, games: list[list[LogEvent]] | None = None, records: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Several games of one scenario (classroom tables, or a batch of bot runs) side by side."""
    rows: list[dict[str, Any]] = list(records or [])
    agreements: dict[str, int] = {}
    divergence: list[dict[str, Any]] = []
    firsts: list[list[str]] = []
    for events in games or []:
        game = replay(rb, events)
        rows.append(outcome(game))
        log = [typed(e) for e in game.log]
        for e in log:
            if e["type"] == "agreement":
                key = (
                    "+".join(sorted(e["agreement"]["parties"]))
                    + ": "
                    + ", ".join(sorted({c["lever"] for c in e["agreement"]["clauses"]}))
                )
                agreements[key] = agreements.get(key, 0) + 1
        firsts.append(
            [f"T{e['turn']} {e['team']} {e['lever']}" for e in log if e["type"] == "order_executed"]
        )
    if len(firsts) >= 2:
        # where play diverged: the first executed order at which the games stop agreeing
        n = min(len(f) for f in firsts)
        at = next((i for i in range(n) if len({f[i] for f in firsts}) > 1), None)
        if at is not None:
            divergence.append({"index": at, "orders": sorted({f[at] for f in firsts})})
    return {
        "games": len(rows),
        "distribution": distribution(rows),
        "agreements": dict(sorted(agreements.items(), key=lambda kv: -kv[1])),
        "divergence": divergence,
    }
