"""Control's rulings and the teams' positions, as the after-action report lists them.

A debrief that hides where control stepped outside the rules teaches the wrong lesson: a student may
credit a strategy for what was in fact an override. So every deviation (an override, a custom inject, a
free action's ruling and roll, a note of control's) is listed as deliberate, with its reason and what it
changed, and the teams' pre-game positions are set beside what each team then did. Like the rest of the
report, it is built only from the events the audience saw; the hot wash (``hotwash``) orders it for the
debrief.
"""

from __future__ import annotations

from typing import Any

from precursor.game.events import LogEvent
from precursor.game.rulebook import Rulebook
from precursor.game.schema import TEAMS


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float):
        return f"{round(float(v), 2):,g}"
    return str(v)


def effect_text(rb: Rulebook, changes: dict[str, Any], before: dict[str, Any]) -> list[str]:
    """Each value a deviation changed, named: 'Mexican president's approval: 52 → 70'."""
    out = []
    for key, after in changes.items():
        ind = rb.indicators.get(key)
        name = ind.name if ind is not None else key
        out.append(f"{name}: {_value(before.get(key, '?'))} → {_value(after)}")
    return out


# every ruling entry has these, so a template may read any of them whatever the kind
_BLANK: dict[str, Any] = {
    "detail": "",
    "effect": [],
    "by": "facilitator",
    "deliberate": True,
    "template": None,
    "free_action": None,
    "argument": "",
    "claimed": [],
    "counter_arguments": [],
}


def rulings(rb: Rulebook, seen: list[LogEvent]) -> list[dict[str, Any]]:
    """Every deviation from the rules the audience saw, in the order it happened."""
    return [{**_BLANK, **d} for d in _rulings(rb, seen)]


def _rulings(rb: Rulebook, seen: list[LogEvent]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    tabled = {e["id"]: e for e in seen if e["type"] == "free_action"}
    counters: dict[str, list[str]] = {}
    ruled: dict[str, LogEvent] = {}
    resolved = {e["free_action"] for e in seen if e["type"] == "free_action_resolved"}
    for e in seen:
        kind = e["type"]
        if kind == "counter_argument":
            counters.setdefault(e["free_action"], []).append(
                f"{str(e['team']).upper()} ({e['stance']}): {e['text']}"
            )
        elif kind == "free_action_ruling":
            ruled[e["free_action"]] = e
            if e["free_action"] not in resolved:
                out.append(_ruling_only(rb, e, tabled.get(e["free_action"]), counters))
        elif kind == "free_action_resolved":
            out.append(_resolution(rb, e, tabled.get(e["free_action"]), counters, ruled))
        elif kind == "effect" and e.get("override"):
            names = ", ".join(rb.indicators[k].name if k in rb.indicators else k for k in e["changes"])
            out.append(_entry(e, "override", f"Override: {names}", e.get("note") or e["reason"], rb))
        elif kind == "inject" and e.get("custom"):
            why = (
                f"control wrote it from the inject template '{e['template']}'"
                if e.get("template")
                else "control wrote it in answer to the game"
            )
            entry = _entry(e, "custom inject", f"Custom inject: {e['title']}", why, rb)
            out.append({**entry, "template": e.get("template"), "detail": e["text"]})
        elif kind == "note" and e.get("role") == "facilitator":
            out.append(
                {
                    "turn": e["turn"],
                    "kind": "note",
                    "title": "Control's note",
                    "reason": e["text"],
                    "detail": "",
                    "effect": [],
                    "by": "facilitator",
                    "deliberate": True,
                }
            )
    return out


def _entry(e: LogEvent, kind: str, title: str, reason: str, rb: Rulebook) -> dict[str, Any]:
    return {
        "turn": e["turn"],
        "kind": kind,
        "title": title,
        "reason": reason,
        "detail": "",
        "effect": effect_text(rb, e.get("changes") or {}, e.get("before") or {}),
        "by": "facilitator",
        "deliberate": True,
    }


def _free_action_fields(
    rb: Rulebook, fa: LogEvent | None, counters: dict[str, list[str]], fid: str
) -> dict[str, Any]:
    return {
        "free_action": fid,
        "argument": fa["argument"] if fa else "",
        "claimed": [_claim(rb, c) for c in fa["effects"]] if fa else [],
        "counter_arguments": counters.get(fid, []),
    }


def _claim(rb: Rulebook, c: dict[str, Any]) -> str:
    ind = rb.indicators.get(c["indicator"])
    name = ind.name if ind is not None else c["indicator"]
    return f"{name} {c['direction']} by {_value(c.get('amount', '?'))} ({c['size']})"


def _ruling_only(
    rb: Rulebook, e: LogEvent, fa: LogEvent | None, counters: dict[str, list[str]]
) -> dict[str, Any]:
    title = (
        f"{str(fa['team']).upper()} free action: {fa['title']}" if fa else f"Free action {e['free_action']}"
    )
    return {
        "turn": e["turn"],
        "kind": "free action",
        "title": title,
        "reason": e["reason"],
        "detail": f"ruled {e['band'].replace('_', ' ')}; not yet rolled",
        "effect": [],
        "by": "facilitator",
        "deliberate": True,
        **_free_action_fields(rb, fa, counters, e["free_action"]),
    }


def _resolution(
    rb: Rulebook,
    e: LogEvent,
    fa: LogEvent | None,
    counters: dict[str, list[str]],
    ruled: dict[str, LogEvent],
) -> dict[str, Any]:
    fid = e["free_action"]
    title = fa["title"] if fa else fid
    outcome = "succeeded" if e["success"] else "failed"
    by = {"facilitator": "control", "vote": "the other teams' vote", "white_cell": "the white cell"}
    detail = (
        f"ruled {e['band'].replace('_', ' ')} by {by.get(e['ruled_by'], e['ruled_by'])}: a "
        f"{e['probability']:.0%} chance, the roll {e['roll'] * 100:.0f} in 100, {outcome}; cost "
        f"{_value(e['cost'])} political capital"
    )
    adjusted = fid in ruled and fa is not None and ruled[fid]["effects"] != fa["effects"]
    return {
        "turn": e["turn"],
        "kind": "free action",
        "title": f"{str(e['team']).upper()} free action: {title}",
        "reason": e["ruling_reason"],
        "detail": detail + ("; the claimed effects were reduced" if adjusted else ""),
        "effect": effect_text(rb, e["changes"], e["before"]),
        "by": e["ruled_by"],
        "deliberate": e["ruled_by"] == "facilitator",
        "band": e["band"],
        "probability": e["probability"],
        "roll": e["roll"],
        "success": e["success"],
        **_free_action_fields(rb, fa, counters, fid),
    }


def positions(rb: Rulebook, seen: list[LogEvent], scores: dict[str, Any]) -> list[dict[str, Any]]:
    """Each team's filed position (its latest) beside its record: orders, free actions, agreements and
    clauses, acts across the red line, and its final score."""
    filed = {e["team"]: e for e in seen if e["type"] == "position"}
    out = []
    for team in TEAMS:
        p = filed.get(team)
        if p is None:
            continue
        out.append(
            {
                "team": team,
                "goals": p["goals"],
                "red_lines": p["red_lines"],
                "expectations": p["expectations"],
                "filed_turn": p["turn"],
                "record": _record(rb, seen, team),
                "score": (scores.get(team) or {}).get("total"),
            }
        )
    return out


def _record(rb: Rulebook, seen: list[LogEvent], team: str) -> dict[str, Any]:
    orders, hrl = [], []
    for e in seen:
        if e["type"] == "order_executed" and e["team"] == team:
            lv = rb.levers.get(e["lever"])
            name = f"{lv.code} {lv.name}" if lv is not None else e["lever"]
            orders.append(f"T{e['turn']}: {name}")
            if lv is not None and "hrl" in lv.tags:
                hrl.append(f"T{e['turn']}: {name}")
    signed = [
        f"T{e['turn']}: {e['agreement']['id']} with "
        # the partners by name: the hot wash is read out to players, who know no team codes
        + ", ".join(rb.teams[t].name if t in rb.teams else t for t in e["agreement"]["parties"] if t != team)
        for e in seen
        if e["type"] == "agreement" and team in e["agreement"]["parties"]
    ]
    comp = [e for e in seen if e["type"] == "compliance" and e["team"] == team]
    titles = {e["id"]: e["title"] for e in seen if e["type"] == "free_action"}
    free = [
        f"T{e['turn']}: {titles.get(e['free_action'], e['free_action'])} "
        + ("succeeded" if e["success"] else "failed")
        for e in seen
        if e["type"] == "free_action_resolved" and e["team"] == team
    ]
    return {
        "orders": orders,
        "free_actions": free,
        "agreements": signed,
        "kept": sum(1 for e in comp if e["met"]),
        "broken": [f"T{e['turn']}: {e['agreement']} — {e['reason']}" for e in comp if e["met"] is False],
        "red_line_acts": hrl,
    }


# ---------------------------------------------------------------------- the hot wash
