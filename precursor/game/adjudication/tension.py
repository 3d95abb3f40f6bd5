"""Rule A1: Mexican sovereignty tension added by a US act, in words or deeds.

Statements, orders, the consent check and leaks all add tension the same way, so it is one function.
"""

from __future__ import annotations

from typing import Any

from precursor.game.core import GameCore


def add_tension(
    g: GameCore,
    pending: dict[str, Any],
    base: float,
    military: bool,
    inputs: list[dict[str, Any]] | None = None,
) -> float:
    """Rule A1: tension from a US act, with historical-memory, campaign and trilateral-framing multipliers."""
    env = g.state.env
    r = "a1.tension"
    mult = 1.0
    if military or (env["flag.aumf"] >= 1 and env["flag.fto"]):
        mult *= g.param(r, "historical_memory", 1.5)
        if env["month"] == 9:
            mult *= g.param(r, "september", 1.25)
    if env["window.mx_campaign"]:
        mult *= g.param(r, "campaign", 1.5)
    if not military and (env["flag.trilateral_meeting"] or env["module.t5"]):
        mult *= g.param(r, "trilateral", 0.5)
    delta = round(base * mult)
    if inputs is not None:
        inputs.append({"rule": r, "base": base, "multiplier": round(mult, 4), "tension_added": delta})
    pending["mx.st"] = g.new_value("mx.st", "add", delta, pending)
    pending["mx.st_added"] = g.new_value("mx.st_added", "add", delta, pending)
    return float(delta)
