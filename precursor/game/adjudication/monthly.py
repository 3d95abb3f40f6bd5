"""Step 7, the months: matured lagged effects, monthly rules, the flow model, the month's record."""

from __future__ import annotations

from typing import Any

from precursor.game.adjudication.consent import hard_red_line
from precursor.game.adjudication.rules import run_rule
from precursor.game.core import GameCore
from precursor.game.decimals import round4
from precursor.game.expr import MONTH_OPEN_KEY
from precursor.game.months import add_months


def month_step(g: GameCore) -> None:
    """Model the month after ``month_index`` and record it.

    Until the ``month`` event records it, the month being modelled is not in the history, yet rules and the
    flow that read ``lag(x, n)`` mean n months before this month: ``MONTH_OPEN_KEY`` tells ``lag`` so.
    """
    env = g.state.env
    env[MONTH_OPEN_KEY] = True
    try:
        _model_month(g)
    finally:
        del env[MONTH_OPEN_KEY]
    nxt = g.state.month_index + 1
    values = g.rb.num_values(env)
    g.emit(
        {
            "type": "month",
            "month_index": nxt,
            "month": add_months(g.state.start, nxt).month,
            "values": values,
            "vis": "facilitator",
        }
    )


def _model_month(g: GameCore) -> None:
    st, env = g.state, g.state.env
    due = [q for q in st.queue if q["due"] <= st.month_index]
    if due:
        pending: dict[str, Any] = {}
        for q in due:
            pending[q["target"]] = g.new_value(q["target"], q["op"], q["value"], pending)
        g.effect(
            "f1.lag_queue",
            "lagged effects mature: " + ", ".join(sorted({q["source"] for q in due})),
            pending,
            g.rule_sources("f1.lag_queue"),
            [{"source": q["source"], "target": q["target"], "reason": q["reason"]} for q in due],
            vis="facilitator",
            released=[q["id"] for q in due],
            always=True,
        )
    monthly = [r for r in g.rb.rules_by_step["flow"] if r.every == "month"]
    for rule in monthly:
        if rule.order < 100:
            run_rule(g, rule, f"m{st.month_index}")
    pending = {}
    # Each formula reads the results of the ones before it. They are written into the environment for
    # the duration of the evaluation and put back before the event is emitted, which then applies them.
    saved: dict[str, Any] = {}
    try:
        bounds = g.rb.bounds
        for target, expr in g.rb.flow:
            _, lo, hi = bounds[target]
            v = float(expr.fn(env))
            nv = round4((lo if v < lo else hi if v > hi else v) + 0.0)
            if target not in saved:
                saved[target] = env[target]
            env[target] = nv
            pending[target] = nv
    finally:
        env.update(saved)
    assert g.rb.flow_meta is not None
    g.effect(g.rb.flow_meta.id, g.rb.flow_meta.reason, pending, g.rb.flow_meta.sources, vis="facilitator")
    # rules ordered 100 or later read this month's model results (e.g. clocks that count months after it)
    for rule in monthly:
        if rule.order >= 100:
            run_rule(g, rule, f"m{st.month_index}")
    _cyber_discovery(g)


def _cyber_discovery(g: GameCore) -> None:
    """US-CYBER: a covert operation may be discovered each month; discovery counts as a breach at 70%."""
    env = g.state.env
    if not env["flag.cyber_active"] or env["flag.hrl"]:
        return
    r = "a3.cyber_discovery"
    p = g.param(r, "chance", 0.3)
    roll = g.roll("cyber_discovery")
    if roll < p:
        g.effect(
            r,
            "the covert cyber operation is discovered",
            {"flag.cyber_active": False},
            g.rule_sources(r),
            [{"p": p, "roll": round(roll, 4)}],
            vis="all",
        )
        hard_red_line(
            g, "a covert US cyber operation inside Mexico was discovered", scale=g.param(r, "strength", 0.7)
        )
