"""Whether one of the team's levers can be ordered, outside the orders phase, on what the team knows.

The server's view checks availability in the orders phase only. Before it the orders tab listed every
lever from the rulebook at its price, and a student ticked CN-REPLY-MX ("1 PC, lag 2m") through the
briefing and the negotiation, put it in a proposal the composer called "ok", and saw it unticked when the
orders phase began: "Mexico has not written to Beijing, so there is nothing to answer" was as true at
the start of the turn as then. So a lever whose condition already fails on values the team sees exactly
is out in every phase, with the rulebook's reason.

Only what cannot move before the orders are adjudicated is read: the values the team sees exactly, its
own play counters, the windows and modules, and another team's play counters while no order has been
carried out yet (they start at nothing and move only when orders are). An agreement signed in the
negotiation changes the agreement tallies, so a condition on them is left to the orders phase, as is
any condition on a value the team does not see exactly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from precursor.game.rulebook.model import precondition_words

from .conditions import estimate_words, holds_over_estimate, known_values

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from .model import LiveGame

# values a signature in the negotiation moves (``negotiation.sign``): not settled before the orders
_MOVING = ("agreements.",)
_COUNTERS = ("count.", "streak.", "played.")


def values_now(model: LiveGame, rb: Rulebook) -> dict[str, Any]:
    """The values a lever's condition may read that this team knows now and that hold until the orders
    are carried out."""
    known = known_values(model)
    view = model.view
    for lid, c in (view.get("counts") or {}).items():
        for k in ("count", "streak", "played"):
            if k in c:
                known[f"{k}.{lid}"] = c[k]
    known.update({f"window.{w}": v for w, v in (view.get("windows") or {}).items()})
    known.update({f"module.{m}": v for m, v in (view.get("modules") or {}).items()})
    if _nothing_carried_out(model):  # every counter is still at its start: nothing, never played
        for lid, lv in rb.levers.items():
            if lv.team != model.team:
                known.update({f"count.{lid}": 0, f"streak.{lid}": 0, f"played.{lid}": False})
    return known


def _nothing_carried_out(model: LiveGame) -> bool:
    """No orders have been adjudicated yet: the first turn, before its results."""
    return model.turn <= 1 and model.phase in ("briefing", "negotiation")


def why_out(model: LiveGame, rb: Rulebook, lever: str, known: dict[str, Any] | None = None) -> str | None:
    """Why the team cannot order ``lever`` at its default parameters, in the server's words
    ("CN-REPLY-MX: Mexico has not written to Beijing, so there is nothing to answer"), when a condition
    fails on what the team knows; None when it can, or when only the orders phase can tell."""
    lv = rb.levers.get(lever)
    if lv is None or lv.team != model.team:
        return None
    # a condition on another team's play, which the team does not see: the server judges it until the
    # orders phase (views.counted_out); CN-REPLY-MX read "1 PC" from turn 2 and was unticked each orders phase
    counted = (model.view.get("counted_out") or {}).get(lever)
    if counted and model.view.get("phase") != "orders":
        return str(counted)
    values = values_now(model, rb) if known is None else known
    ctx = {
        **values,
        **{f"param.{k}": p.default for k, p in lv.params.items()},
        "act.public": lv.visibility != "private",
        "act.military": lv.military,
    }
    for i, (cond, _message) in enumerate(lv.preconditions):
        names = set(cond.names)
        if any(n.startswith(_MOVING) for n in names):
            continue
        if not names <= ctx.keys():
            bounded = _fails_on_estimate(model, rb, cond, names - ctx.keys(), ctx)
            if bounded:
                return f"{lv.code}: {precondition_words(lv, i, ctx)} ({bounded})"
            continue
        try:
            holds = bool(cond.fn(ctx))
        except Exception:  # an expression that wants more than the team knows: the orders phase tells
            continue
        if not holds:  # with the values the rules' words show ("cannot go above 50")
            return f"{lv.code}: {precondition_words(lv, i, ctx)}"
    return None


def _fails_on_estimate(
    model: LiveGame, rb: Rulebook, cond: Any, unknown: set[str], ctx: dict[str, Any]
) -> str | None:
    """Words for a condition that fails wherever the one value this team sees only as an estimate may
    truly lie: US-INTEL needs Mexican cooperation of at least 40, the US's estimate read 31 (so 28 to 35
    at most), and the composer still said "ok" until the orders phase checked the true value (student
    f21). None when the condition could hold somewhere in the range, or reads more than one unknown."""
    if len(unknown) != 1 or holds_over_estimate(model, rb, cond.fn, unknown, ctx) is not False:
        return None
    key = next(iter(unknown))
    return estimate_words(model, rb, key)


def other_settings(
    model: LiveGame, rb: Rulebook, row: dict[str, Any], given: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """For a lever the orders screen marks out at its default parameters by a condition on the parameters
    themselves, the one changed choice with which every condition holds on what the team knows, or None;
    ``given`` (the parameters set by hand), when every condition holds with them.
    The server checks a lever at its defaults; CN-LINK's default is to suspend cooperation, so with
    cooperation suspended it read "cannot be ordered now: cooperation is already suspended" all game,
    and a student could neither tick the resumption an inject had made free nor keep the deal promising it."""
    lv = rb.levers.get(str(row.get("id")))
    why = str(row.get("why_not") or "")
    if lv is None or row.get("available") or not why:
        return None
    known = values_now(model, rb)
    defaults = {pid: p.default for pid, p in lv.params.items()}
    act = {"act.public": lv.visibility != "private", "act.military": lv.military}
    at_defaults = {**known, **{f"param.{k}": v for k, v in defaults.items()}, **act}
    # the server's reason names the failing conditions: by their words, with the values they show
    # ("cannot go above 50"), or by the plain message
    failing = [
        cond
        for i, (cond, message) in enumerate(lv.preconditions)
        if message and (message in why or precondition_words(lv, i, at_defaults) in why)
    ]
    if not failing or not all(any(n.startswith("param.") for n in cond.names) for cond in failing):
        return None  # out for a reason no setting changes
    if given:
        # the parameters the player set with p, when they meet every condition: MX-ME read "out" under
        # the tragedy's cap at its default level while the form called the 50 typed "ok", and p's
        # "parameters set" left it unticked (student k19)
        env = {**known, **{f"param.{k}": v for k, v in {**defaults, **given}.items()}, **act}
        if all(_holds(cond, env) for cond, _message in lv.preconditions):
            return dict(given)
    for pid, p in lv.params.items():
        options: list[Any] = (
            list(p.choices) if p.type == "choice" else [True, False] if p.type == "bool" else []
        )
        for value in options:
            if value == p.default:
                continue
            env = {**known, **{f"param.{k}": v for k, v in {**defaults, pid: value}.items()}, **act}
            if all(_holds(cond, env) for cond, _message in lv.preconditions):
                return {pid: value}
    return None


def _holds(cond: Any, env: dict[str, Any]) -> bool:
    """A condition that holds on ``env``; one reading a value the team does not know does not."""
    if not cond.names <= env.keys():
        return False
    try:
        return bool(cond.fn(env))
    except Exception:  # an expression that wants a name after all: not known to hold
        return False
