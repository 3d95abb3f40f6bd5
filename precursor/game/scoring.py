"""Scoring (docs/design.md, "Scoring"): capped components per team, shared-fate terms, secret objectives.

Component formulas live in ``rules/scoring.yaml``. The engine supplies three derived figures the
formulas read — ``agr.<team>`` (agreement points), ``secret.<team>`` (secret-objective points) and
``badges.<team>`` (review badges) — by placing them in the environment only while the formulas run.
"""

from __future__ import annotations

import re
from typing import Any

from precursor.game.core import GameCore
from precursor.game.schema import TEAMS

SECRET_CAP = 20.0
# what an agreement adds to a party's agreement points when completed (at its weight), and takes from a
# party that reneged (``points_of``); the bots weigh a signature by the same figures (bots/signing.py)
COMPLETION_BONUS = 2.0
RENEGE_PENALTY = 4.0


def check_objectives(g: GameCore, final: bool) -> dict[str, dict[str, Any]]:
    """Evaluate secret objectives at the end of a turn (or of the game, for ``check: end``)."""
    env = g.state.env
    out: dict[str, dict[str, Any]] = {}
    for ob in g.sc.objectives:
        prev = g.state.objectives.get(ob.id)
        now = bool(ob.condition.fn(env)) if ob.condition is not None else False
        if ob.check == "every_turn":
            met = now and (prev is None or bool(prev["met"]))
        elif ob.check == "ever":
            met = now or (prev is not None and bool(prev["met"]))
        else:
            met = now
        out[ob.id] = {"team": ob.team, "met": met, "points": ob.points, "check": ob.check, "final": final}
    return out


# a part of a condition that a lever is never played: "count.cn_deny == 0"
_NEVER = re.compile(r"count\.([a-z0-9_]+)\s*(?:==\s*0|<=\s*0|<\s*1)")


def never_played(check: str, condition: object) -> list[str]:
    """The levers an objective judged at the end asks never to be played ("count.cn_deny == 0" as one
    part of a plain conjunction, "a and b"; with "or" nothing is decided by one act): a count only grows,
    so one such order settles the objective. The client reads it too, to say so before it happens."""
    if check != "end" or not isinstance(condition, str) or " or " in f" {condition} ":
        return []
    found = (_NEVER.fullmatch(part.strip()) for part in condition.split(" and "))
    return [m.group(1) for m in found if m is not None]


def lost_in(g: GameCore, check: str, condition: object) -> int | None:
    """The turn an objective judged at the end could no longer be met, or None while it can: a lever it
    asks never to be played (``never_played``) has been played. A student read "not met as things
    stand" for five turns after China's denial in turn 1 had settled it."""
    for lever in never_played(check, condition):
        if not g.state.env.get(f"count.{lever}", 0):
            continue
        for i, played in enumerate(g.state.played_history):
            if any(lever in levers for levers in played.values()):
                return i + 1
        return int(g.state.turn)
    return None


def agreement_points(g: GameCore) -> dict[str, float]:
    """Signature points by what the deal binds (``negotiation.agreement_weight``; a renewal only what is
    left of its bargain's one full agreement), +2 at that weight for a deal completed and honoured, and
    a full −4 for a party that reneged: breaking a small promise costs as much credibility as breaking a
    large one. Agreements logged before the weight existed count in full."""
    pts: dict[str, float] = dict.fromkeys(TEAMS, 0.0)
    for a in g.state.agreements.values():
        for t in a["parties"]:
            pts[t] += points_of(a, t)
    return pts


def points_of(a: dict[str, Any], team: str) -> float:
    """What one agreement has earned a party so far (``agreement_points``): kept apart so a bot reads its
    own standing from the agreements it sees, as the score will count it."""
    p = float(a["points"])
    if team in a.get("reneged", []):
        return p - RENEGE_PENALTY
    if a["status"] == "completed":
        return p + COMPLETION_BONUS * float(a.get("weight", 1.0))
    return p


def secret_points(g: GameCore) -> dict[str, float]:
    pts: dict[str, float] = dict.fromkeys(TEAMS, 0.0)
    for _oid, res in g.state.objectives.items():
        if res["met"]:
            pts[res["team"]] += float(res["points"])
    return {t: min(SECRET_CAP, v) for t, v in pts.items()}


def scores(g: GameCore, final: bool, teams: tuple[str, ...] = TEAMS) -> dict[str, Any]:
    env = g.state.env
    derived: dict[str, float] = {}
    agr = agreement_points(g)
    sec = secret_points(g)
    for tid in TEAMS:
        derived[f"agr.{tid}"] = agr[tid]
        derived[f"secret.{tid}"] = sec[tid]
        derived[f"badges.{tid}"] = g.state.badges.get(tid, 0.0)
    saved = {k: env.get(k) for k in derived}
    env.update(derived)
    try:
        rb = g.rb
        bonus = bool(rb.shared_bonus(env))
        malus = bool(rb.shared_malus(env))
        out: dict[str, Any] = {}
        for t in teams:
            comps: dict[str, Any] = {}
            total = 0.0
            for c in rb.scoring:
                w = c.weights.get(t, 0.0)
                if not w:
                    continue
                raw = max(-rb.score_cap, min(rb.score_cap, float(c.value[t](env))))
                comps[c.id] = {
                    "name": c.name,
                    "value": round(raw, 2),
                    "weight": w,
                    "points": round(w * raw, 2),
                }
                total += w * raw
            shared = (rb.shared_points if bonus else 0.0) - (rb.shared_points if malus else 0.0)
            badges = derived[f"badges.{t}"]
            out[t] = {
                "total": round(total + shared + badges, 2),
                "components": comps,
                "shared": shared,
                "badges": badges,
                "agreement_points": agr[t],
                "secret_points": sec[t],
            }
        out["_meta"] = {"final": final, "shared_bonus": bonus, "shared_malus": malus, "turn": g.state.turn}
        return out
    finally:
        for k, v in saved.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
