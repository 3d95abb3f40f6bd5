"""Bots answer other teams' free actions with counter-arguments, in their persona's voice.

A bot weighs what a free action claims with the same per-indicator weights its utility uses for orders
(``CPersona.var_weights``): claims that would move what it values the wrong way draw an argument against,
claims that help draw one for, and claims it does not weigh leave it silent. It argues once per free
action, and only over one it sees (the view's ``free_actions``). Games without free actions give it
nothing to answer, so its play there is unchanged.
"""

from __future__ import annotations

from typing import Any

from precursor.game.bots.character import Character
from precursor.game.bots.decisions import Decision, make
from precursor.game.commands import CounterArgument


def stake(bot: Character, fa: dict[str, Any]) -> tuple[float, str]:
    """What the claimed effects are worth to the bot's persona, and the indicator that weighs most."""
    weights = bot.persona.var_weights
    total, top, top_abs = 0.0, "", 0.0
    for e in fa["effects"]:
        w = weights.get(e["indicator"])
        if w is None:
            continue
        weight, per = w
        v = (1.0 if e["direction"] == "up" else -1.0) * float(e["amount"]) * weight / (per or 1.0)
        total += v
        if abs(v) > top_abs:
            top, top_abs = e["indicator"], abs(v)
    return total, top


def answer_free_actions(bot: Character, view: dict[str, Any]) -> list[Decision]:
    out: list[Decision] = []
    for fa in view.get("free_actions") or ():
        if fa["team"] == bot.team or fa["resolved"] is not None or fa["turn"] != view["turn"]:
            continue
        if any(c["team"] == bot.team for c in fa["counter"]):
            continue
        value, top = stake(bot, fa)
        if value == 0:
            continue
        stance = "for" if value > 0 else "against"
        name = bot.rb.indicators[top].name
        line = bot.line("accept" if stance == "for" else "reject", view, [fa["team"]])
        moved = next(e["direction"] for e in fa["effects"] if e["indicator"] == top)
        because = f"It would move {name} {moved}, which we {'want' if value > 0 else 'cannot accept'}."
        text = f"{line} {because}"[:2000]
        cmd = make(CounterArgument, free_action=fa["id"], stance=stance, text=text)
        out.append(
            Decision(
                cmd, f"{fa['id']}: {stance} ({value:+.2f} to {bot.persona_id}, mostly {top})", "free_action"
            )
        )
    return out
