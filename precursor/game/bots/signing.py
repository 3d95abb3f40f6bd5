"""What signing a deal is worth to a bot's score, apart from the acts its clauses commit anyone to.

A signature earns agreement points (``negotiation.agreement_points``, weighed by what the deal binds the
parties to, ``negotiation.clause_turn_weight``), more when the deal is completed and fewer for a party that
breaks it; the agreements component turns them into score (``rules/scoring.yaml``). The bots weighed
only the clauses, so a deal whose acts were worth a little less than a persona's bar was declined although
the signature itself would have paid: the strategy probe's "accept every proposal" beat the best United
States persona by 6 to 11 points in four scenarios, about half of it agreement points (docs/balance.md,
session 17). The conversion from score points to a persona's utility is one named parameter,
``bots.signing_utility`` (rules/parameters.yaml), fitted against the probe.
"""

from __future__ import annotations

from typing import Any

from precursor.game.bots.character import Character
from precursor.game.negotiation import agreement_points, bargain, clause_turn_weight
from precursor.game.scoring import COMPLETION_BONUS, RENEGE_PENALTY, points_of

# the named parameters this module reads from rules/parameters.yaml (no rule expression reads them)
BOT_PARAMETERS = ("bots.signing_utility",)
# agreement points at which the agreements component reaches its cap (value agr / 2, clamped to 10)
_CAP_POINTS = 20.0


def signing_value(bot: Character, view: dict[str, Any], prop: dict[str, Any], will_break: bool) -> float:
    """The utility of the score a signature of ``prop`` would earn the bot's team: its share of a full
    agreement's points (none for a bargain already signed in full), plus the completion bonus when the
    team means to keep it, or less the penalty when one of its own clauses will not be kept; only as far
    as the agreements component is still below its cap."""
    per_point = _per_point(bot)
    weight = _component_weight(bot)
    if per_point <= 0 or weight <= 0:
        return 0.0
    team = bot.team
    key = bargain(prop["parties"], prop["clauses"], prop.get("modules"))
    used = 0.0
    have = 0.0
    for a in view["agreements"]:
        if team not in a["parties"]:
            continue
        have += points_of(a, team)
        if (a.get("bargain") or bargain(a["parties"], a["clauses"], a.get("modules"))) == key:
            used += float(a.get("weight", 1.0))
    share = min(clause_turn_weight(prop, _full_measure(bot)), max(0.0, 1.0 - used))
    earned = share * agreement_points(prop["parties"], str(prop.get("verification", "self")))
    earned += -RENEGE_PENALTY if will_break else COMPLETION_BONUS * share
    if earned > 0:
        earned = max(0.0, min(earned, _CAP_POINTS - have))
    return per_point * weight * earned / 2


def _per_point(bot: Character) -> float:
    """The parameter, times how much of it the persona counts (``signing`` in rules/personas.yaml)."""
    par = bot.rb.parameters.get(BOT_PARAMETERS[0])
    return float(par.value) * float(bot.persona.model.signing) if par is not None else 0.0


def _component_weight(bot: Character) -> float:
    for comp in bot.rb.scoring:
        if comp.id == "agr":
            return float(comp.weights.get(bot.team, 0.0))
    return 0.0


def _full_measure(bot: Character) -> float:
    mech = bot.rb.mechanisms.get("d5.audience_costs")
    par = mech.params.get("full_weight_clause_turns") if mech is not None else None
    return float(par.fn({})) if par is not None else 4.0
