"""A secret objective's state as the player reads it while the game runs: how the rules will judge it,
whether it holds on the values the team sees now, and whether it hangs on a single point. Read by the
briefing and the dashboard alike; kept out of both panes so neither imports the other."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from precursor.game.scoring import never_played

from . import render, terms
from .conditions import FIXED, known_values

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook
    from precursor.game.rulebook.model import CObjective

    from .model import LiveGame


# what a secret objective's mark says while the game runs, by how the rules judge it (``check``): one
# judged only at the end is "on track", not "met", after turn 1; one that must hold every turn has
# held so far; one met at any time stays met
_STATE = {
    ("end", True): "on track: met if it still holds when the game ends",
    ("end", False): "not met as things stand: judged when the game ends",
    ("every_turn", True): "held at the end of every turn so far: judged when the game ends",
    ("every_turn", False): "missed: it did not hold at the end of a turn",
    ("ever", True): "met (it stays met)",
    ("ever", False): "not yet met",
}


# the same before the rules first judged it
_FIRST = {
    "end": "judged when the game ends",
    "every_turn": "must hold at the end of every turn, from this one on",
    "ever": "met for good the first time it holds at the end of a turn, from this one on",
}


def objective_state(o: dict[str, Any], ended: bool, now: bool | None = None) -> str:
    """A secret objective's state in words, as the rules will judge it. ``now``: whether its condition
    holds on the values this team sees now (None: it cannot tell). The rules judge at the end of a turn,
    and an inject since can change what it reads: a student's "tariff of 10 percent or less" read "on
    track" with the tariff at 25 percent after the new turn's inject."""
    met = o.get("met")
    if ended:
        return "met" if met else "missed"
    check = str(o.get("check") or "end")
    if met is None:  # before turn 1's results (student b20 read "first judged at the end of this turn"
        # beside an objective that counts only when the game ends)
        return _FIRST.get(check, _FIRST["end"]) + _now_words(now)
    if o.get("lost_in") is not None:  # a lever it needs never played was played: counts only grow
        return f"missed — decided in turn {o['lost_in']}: it can no longer be met"
    if check == "end" and now is not None:
        changed = " (changed since the end of last turn)" if now != bool(met) else ""
        return _STATE[("end", now)] + changed
    if check == "every_turn" and met and now is False:
        return (
            "held at the end of every turn so far, but not as things stand:"
            " missed if it does not hold at the end of this turn"
        )
    if check == "ever" and not met and now:
        return "holds now: met if it still holds at the end of this turn"
    return _STATE.get((check, bool(met)), "met" if met else "not met")


def state_now(model: LiveGame, rb: Rulebook, o: dict[str, Any]) -> str:
    """An objective's state as the briefing and the dashboard say it: the rules' verdict, whether it
    holds on the values seen now, and the act that would settle it against the team."""
    return objective_state(o, model.ended, holds_now(model, rb, str(o.get("id")))) + lost_if(model, rb, o)


def _now_words(now: bool | None) -> str:
    return "" if now is None else (" (it holds now)" if now else " (it does not hold now)")


def _objective(model: LiveGame, rb: Rulebook, oid: str) -> CObjective | None:
    sc = rb.scenarios.get(str((model.view.get("scenario") or {}).get("id")))
    return next((x for x in sc.objectives if x.id == oid), None) if sc is not None else None


def lost_if(model: LiveGame, rb: Rulebook, o: dict[str, Any]) -> str:
    """The act that would settle an objective against the team, said while it can still be prevented:
    h22's "China … never issues a flat denial (CN-DENY)" read "judged when the game ends" in turn 1, a
    China bot denied that turn, and turn 2 read "missed — decided in turn 1" (the rules' own test,
    ``precursor.game.scoring.never_played``)."""
    if model.ended or o.get("lost_in") is not None:
        return ""
    ob = _objective(model, rb, str(o.get("id")))
    if ob is None or ob.condition is None:
        return ""
    levers = [rb.levers[x] for x in never_played(ob.check, ob.condition.text) if x in rb.levers]
    acts = " or ".join(f"{terms.team_name(rb, lv.team)} orders {lv.code}" for lv in levers)
    return f" — lost for good the moment {acts}, in any turn, this one included" if acts else ""


def holds_now(model: LiveGame, rb: Rulebook, oid: str) -> bool | None:
    """Whether a secret objective's condition holds on the values this team sees exactly, or None when
    it reads anything else (a count, an estimate): the briefing then keeps the rules' last verdict."""
    ob = _objective(model, rb, oid)
    if ob is None or ob.condition is None:
        return None
    known = known_values(model)
    if not set(ob.condition.names) <= known.keys():
        return None
    try:
        return bool(ob.condition.fn(known))
    except Exception:  # an expression that wants a name after all: the rules' verdict stands
        return None


def within_a_point(model: LiveGame, rb: Rulebook, oid: str) -> list[str]:
    """The values a secret objective that holds now would fail on if one moved a single point the wrong
    way, with their value ("Mexican president's approval 60"): a student's approval sat at exactly 60 all
    game for an objective of 60 or more, an order's trade losses took a point, and nothing had said the
    objective hung on it. Read only on values this team sees exactly; [] when it does not hold now."""
    ob = _objective(model, rb, oid)
    if ob is None or ob.condition is None or holds_now(model, rb, oid) is not True:
        return []
    known = known_values(model)
    out = []
    for name in sorted(ob.condition.names):
        v = known.get(name)
        if name.startswith(FIXED):
            continue
        if isinstance(v, bool) or not isinstance(v, int | float):
            continue
        for step in (-1.0, 1.0):
            try:
                if not ob.condition.fn({**known, name: v + step}):
                    out.append(f"{terms.value_name(rb, name)} {render.value_words(v)}")
                    break
            except Exception:  # an expression that wants more: nothing said
                break
    return out
