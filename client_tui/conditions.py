"""A clause's condition (``mx.st < 60``) for a player: in words, and whether it holds now on the values
the team sees exactly. Its own module because both the proposal reader (terms) and the orders
warnings (render) say "only if ..." and terms builds on render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from precursor.game.expr import compile_expr
from precursor.game.promises import level_holds, level_kept_after
from precursor.game.words import COMPARISONS as COMPARISONS
from precursor.game.words import condition_words as condition_words
from precursor.game.words import is_yes_no as is_yes_no

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from .model import LiveGame


# a yes/no value (a new US administration in office, a summit open) is held or not, never compared with a
# number: offered "below 0", a student got the parser's "'<=' needs num operands, got bool"
YES_NO = [("is so (yes)", "yes"), ("is not so (no)", "no")]


def known_values(model: LiveGame) -> dict[str, Any]:
    """The values this team sees exactly (an estimate or a lagged figure is not what a rule reads), the
    scenario's starting values the view gives (``start.*``: Canada's "trust ends no lower than at the
    start" read only "judged when the game ends" in turn 1, though it held, student h22) and the turn."""
    known: dict[str, Any] = {
        str(i["id"]): i["value"]
        for i in model.view.get("indicators") or []
        if not i.get("estimate") and not i.get("lag") and "value" in i
    }
    known.update({f"start.{k}": v for k, v in (model.view.get("start") or {}).items() if k in known})
    if isinstance(model.view.get("turn"), int):
        known["turn"] = model.view["turn"]
    return known


# names a move of one point cannot be meant by: fixed for the game, or the calendar
FIXED = ("start.", "turn")


def estimate_bounds(model: LiveGame, rb: Rulebook, key: str) -> tuple[float, float] | None:
    """Where the true value of an indicator lies that this team sees as a current estimate: the view
    multiplies it by a factor within ±noise (``precursor.game.views.fog_noise``), so the truth is the
    estimate divided by something in [1 - noise, 1 + noise], within the indicator's range. None for a
    lagged figure (the value has moved since) or one the team does not see."""
    ind = rb.indicators.get(key)
    row = next((r for r in model.view.get("indicators") or [] if r.get("id") == key), None)
    if ind is None or row is None or not row.get("estimate") or row.get("lag") or "value" not in row:
        return None
    fog = next((f for t, f in ind.fog_by_team.items() if t == model.team), ind.fog)
    if fog.lag or not 0 < fog.noise < 1:
        return None
    shown = float(row["value"])
    ends = (shown / (1 + fog.noise), shown / (1 - fog.noise))
    lo, hi = min(ends), max(ends)
    if ind.min is not None:
        lo, hi = max(lo, float(ind.min)), max(hi, float(ind.min))
    if ind.max is not None:
        lo, hi = min(lo, float(ind.max)), min(hi, float(ind.max))
    return lo, hi


_STEPS = 24  # points tried across an estimate's range; a condition is one comparison or a few


def holds_over_estimate(
    model: LiveGame, rb: Rulebook, fn: Any, unknown: set[str], known: dict[str, Any]
) -> bool | None:
    """Whether a condition holds wherever the one value it reads that this team sees only as an
    estimate may truly lie: True or False when it does everywhere in the range, None when it could go
    either way (or reads more than that one unknown)."""
    if len(unknown) != 1:
        return None
    key = next(iter(unknown))
    bounds = estimate_bounds(model, rb, key)
    if bounds is None:
        return None
    lo, hi = bounds
    seen = set()
    for k in range(_STEPS + 1):
        try:
            seen.add(bool(fn({**known, key: lo + (hi - lo) * k / _STEPS})))
        except Exception:  # an expression that wants more than the team knows: it cannot tell
            return None
        if len(seen) > 1:
            return None
    return seen.pop() if seen else None


def estimate_words(model: LiveGame, rb: Rulebook, key: str) -> str:
    """ "your estimate of X puts it between 28 and 35": where the truth of an estimated value may lie."""
    bounds = estimate_bounds(model, rb, key)
    ind = rb.indicators.get(key)
    if bounds is None or ind is None:
        return ""
    return f"your estimate of {ind.name} puts it between {bounds[0]:.0f} and {bounds[1]:.0f}"


def _estimated(model: LiveGame, rb: Rulebook, condition: str) -> tuple[Any, set[str]] | None:
    """The compiled condition and the names it reads that this team does not see exactly."""
    try:
        fn = compile_expr(condition, rb.symbols, "bool")
    except Exception:  # a condition it cannot read
        return None
    return fn, set(fn.names) - known_values(model).keys()


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
    found = _estimated(model, rb, cond)
    unknown = found[1] if found is not None else set()
    if holds is None:
        if len(unknown) == 1:
            # student h22's Mexico read its estimate of the northbound flow (100) as above the clause's
            # 95, left MX-PORT out, and the rules, on the true value below 95, counted the clause broken
            return words + (
                f" (it may or may not hold now: {estimate_words(model, rb, next(iter(unknown)))}, and the"
                " rules read the true value — treat it as due)"
            )
        return words
    said = " (it holds now)" if holds else " (it does not hold now, so nothing is due now)"
    if unknown:
        said = (
            said[:-1] + f", wherever the true value lies: {estimate_words(model, rb, next(iter(unknown)))})"
        )
    return words + said


def condition_now(model: LiveGame, rb: Rulebook, condition: str) -> bool | None:
    """Whether a clause's condition holds on the values this team sees exactly, or on one it sees only as
    an estimate when it holds (or fails) wherever the truth may lie (None: it cannot tell)."""
    found = _estimated(model, rb, condition)
    if found is None:
        return None
    fn, unknown = found
    known = known_values(model)
    if unknown:
        return holds_over_estimate(model, rb, fn, unknown, known)
    try:
        return bool(fn(known))
    except Exception:  # an expression that wants a name after all
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
