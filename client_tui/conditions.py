"""A clause's condition (``mx.st < 60``) for a player: in words, and whether it holds now on the values
the team sees exactly. Its own module because both the proposal reader (terms) and the orders
warnings (render) say "only if ..." and terms builds on render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from precursor.game.expr import compile_expr
from precursor.game.promises import level_holds, level_kept_after

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from .model import LiveGame


# a clause's condition as the composer writes it: an indicator, a comparison, a number
COMPARISONS = [("below", "<"), ("at most", "<="), ("at least", ">="), ("above", ">")]
# a yes/no value (a new US administration in office, a summit open) is held or not, never compared with a
# number: offered "below 0", a student got the parser's "'<=' needs num operands, got bool"
YES_NO = [("is so (yes)", "yes"), ("is not so (no)", "no")]
_WORDS = {op: words for words, op in COMPARISONS}


def is_yes_no(rb: Rulebook, indicator: str) -> bool:
    ind = rb.indicators.get(indicator)
    return ind is not None and ind.type == "bool"


def condition_words(rb: Rulebook, condition: str) -> str:
    """A condition read aloud: ``mx.st < 60`` is "Mexican sovereignty tension below 60"; a condition
    written otherwise (a counter keeps its original's) is shown as it stands."""
    parts = condition.split()
    if len(parts) == 1 and is_yes_no(rb, parts[0]):
        return f"{rb.indicators[parts[0]].name} (yes)"
    if len(parts) == 2 and parts[0] == "not" and is_yes_no(rb, parts[1]):
        return f"{rb.indicators[parts[1]].name} (no)"
    if len(parts) == 3 and parts[0] in rb.indicators and parts[1] in _WORDS:
        return f"{rb.indicators[parts[0]].name} {_WORDS[parts[1]]} {parts[2]}"
    return condition


def known_values(model: LiveGame) -> dict[str, Any]:
    """The values this team sees exactly (an estimate or a lagged figure is not what a rule reads)."""
    return {
        str(i["id"]): i["value"]
        for i in model.view.get("indicators") or []
        if not i.get("estimate") and not i.get("lag") and "value" in i
    }


def only_if(model: LiveGame, rb: Rulebook, clause: dict[str, Any]) -> str:
    """For a clause under a condition, the words that say its verdict holds only when the condition
    does ("" without one). A clause is due only in the turns its condition holds (the compliance step
    skips it otherwise), so "cannot keep it" read flatly told a student the deal would break whatever
    happened; where this team can read the condition's value now, whether it holds now."""
    cond = str(clause.get("condition") or "")
    if not cond:
        return ""
    words = f"only if {condition_words(rb, cond)}"
    holds = condition_now(model, rb, cond)
    if holds is None:
        return words
    return words + (" (it holds now)" if holds else " (it does not hold now, so nothing is due now)")


def condition_now(model: LiveGame, rb: Rulebook, condition: str) -> bool | None:
    """Whether a clause's condition holds on the values this team sees exactly (None: it cannot tell)."""
    try:
        return bool(compile_expr(condition, rb.symbols, "bool")(known_values(model)))
    except Exception:  # a value this team does not see exactly, or a condition it cannot read
        return None


def level_stands(model: LiveGame, rb: Rulebook, clause: dict[str, Any]) -> bool:
    """Whether the standing level a clause promises (a tariff rate, an enforcement level) stands now,
    on the values this team sees exactly: the rules then count the clause as kept with no order (a
    student's United States re-ordered 0 % relief every turn at 3 PC)."""
    lv = rb.levers.get(str(clause.get("lever")))
    return lv is not None and level_holds(lv, dict(clause.get("params") or {}), known_values(model)) is True


def order_leaves_level(model: LiveGame, rb: Rulebook, clause: dict[str, Any], params: dict[str, Any]) -> bool:
    """Whether ordering the clause's lever with ``params`` leaves its promised standing level in place."""
    lv = rb.levers.get(str(clause.get("lever")))
    if lv is None or lv.holds is None:
        return False
    return level_kept_after(rb, lv, dict(clause.get("params") or {}), params, known_values(model))
