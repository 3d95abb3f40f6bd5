"""A bot holding the seat that carries out another seat's order refuses it when its persona says so.

Only a split team has such orders (its head seat directing a lever another seat holds), and a bot that
plays a whole team never directs one, so in an ordinary bot game the view lists nothing to refuse and
this decides nothing. It matters when a person holds the head seat and a bot the seat under it.
"""

from __future__ import annotations

from typing import Any

from precursor.game.bots.character import Character
from precursor.game.bots.decisions import Decision
from precursor.game.commands import MAX_REASON, RefuseOrder


def refusals(bot: Character, view: dict[str, Any], env: dict[str, Any]) -> list[Decision]:
    """At most one refusal a turn (the rules allow no more): the first order the view lets the team
    refuse on a ground one of the persona's hard rules names, while that rule holds."""
    for entry in view.get("refusable") or ():
        if not entry["allowed"]:
            continue
        for rule in bot.persona.hard_rules:
            if entry["rule"] not in rule.refuse:
                continue
            label = f"refuse:{rule.id}:{entry['lever']}"
            if not bot.holds(rule.when, rule.chance, env, view, label, rule.per_game):
                continue
            said = (rule.message or rule.reason)[:MAX_REASON]
            cmd = RefuseOrder(lever=entry["lever"], reason=said)
            why = f"refuses {entry['code']} from the {entry['by_seat']} seat: {rule.id}: {rule.reason}"
            return [Decision(cmd, why, "refuse")]
    return []
