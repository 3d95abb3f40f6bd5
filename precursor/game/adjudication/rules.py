"""Data rules (``rules/*.yaml``) run at their step of the turn, in their documented order."""

from __future__ import annotations

from typing import Any

from precursor.game.core import GameCore
from precursor.game.rulebook import CRule


def run_step(g: GameCore, step: str) -> None:
    for rule in g.rb.rules_by_step[step]:
        if rule.every == "month" and step != "flow":
            continue
        run_rule(g, rule)


def run_rule(g: GameCore, rule: CRule, label: str = "") -> None:
    env = g.state.env
    if rule.when is not None and not rule.when.fn(env):
        return
    inputs: list[dict[str, Any]] = []
    if rule.chance is not None:
        p = float(rule.chance.fn(env))
        r = g.roll(f"rule:{rule.id}:{label}")
        inputs.append({"p": round(p, 4), "roll": round(r, 4), "hit": r < p})
        if r >= p:
            return
    pending: dict[str, Any] = {}
    sched: list[dict[str, Any]] = []
    g.run_effects(rule.effects, env, pending, f"rule:{rule.id}:{label}", None, 1.0, inputs, sched, rule.id)
    for q in sched:
        pending[q["target"]] = g.new_value(q["target"], q["op"], q["value"], pending)
    g.effect(rule.id, rule.reason, pending, rule.sources, inputs, vis="all")
