"""Mexican consent and the hard red line: consent tokens and the consent check (rule A4), the breach (A3)."""

from __future__ import annotations

from typing import Any

from precursor.game.adjudication.tension import add_tension
from precursor.game.core import GameCore
from precursor.game.rulebook import CLever


def active_tokens(g: GameCore) -> list[dict[str, Any]]:
    return [t for t in g.state.tokens.values() if t.get("active")]


def consent_check(
    g: GameCore,
    lever: CLever,
    params: dict[str, Any],
    pending: dict[str, Any],
    inputs: list[dict[str, Any]],
    revoke: list[str],
) -> tuple[float, str]:
    """Rule A4: consent-bounded US activity runs fully inside a token, weakly or not at all outside one."""
    activity = params.get("activity", "training")
    personnel = float(params.get("personnel", 0))
    r = "a4.consent_tokens"
    matching = [t for t in active_tokens(g) if t["activity"] == activity]
    if not matching:
        if lever.military:
            return 0.0, f"US personnel acted in Mexico ({activity}) without a consent token"
        scale = g.param(r, "no_consent_scale", 0.33)
        inputs.append({"rule": r, "consent": False, "scale": scale})
        return scale, "no Mexican consent, so no local support"
    cap = sum(t["max_personnel"] for t in matching)
    inputs.append({"rule": r, "consent": True, "personnel": personnel, "cap": cap})
    if personnel <= cap:
        if personnel:
            pending["mx.us_personnel"] = g.new_value("mx.us_personnel", "set", personnel, pending)
        return 1.0, ""
    if personnel <= cap * g.param(r, "minor_margin", 1.2):
        add_tension(g, pending, g.param(r, "minor_breach_st", 15), military=False, inputs=inputs)
        pending["mx.us_personnel"] = g.new_value("mx.us_personnel", "set", personnel, pending)
        revoke.extend(t["id"] for t in matching)
        return 1.0, ""
    return 0.0, f"{personnel:g} US personnel against a consent cap of {cap:g}"


def grant_token(g: GameCore, params: dict[str, Any], visibility: str) -> None:
    n = len(g.state.tokens) + 1
    tok = {
        "id": f"K{n}",
        "activity": params.get("activity", "training"),
        "max_personnel": int(params.get("max_personnel", 12)),
        "expires_turn": g.state.turn + int(params.get("duration_turns", 3)) - 1,
        "visibility": visibility,
        "granted_turn": g.state.turn,
        "active": True,
    }
    cap = sum(t["max_personnel"] for t in active_tokens(g)) + tok["max_personnel"]
    g.emit(
        {
            "type": "token",
            "token": tok,
            "turn": g.state.turn,
            "rule": "a4.consent_tokens",
            "reason": "Mexico grants a consent token for bounded US activity",
            "changes": {"mx.consent_cap": float(cap)},
            "sources": g.rule_sources("a4.consent_tokens"),
            "vis": "all" if visibility == "public" else ["mx", "us"],
        }
    )


def revoke_token(g: GameCore, tok: dict[str, Any], reason: str, rule: str) -> None:
    remaining = [t for t in active_tokens(g) if t["id"] != tok["id"]]
    cap = float(sum(t["max_personnel"] for t in remaining))
    changes: dict[str, Any] = {"mx.consent_cap": cap}
    if not remaining:
        changes["mx.us_personnel"] = 0.0
    g.emit(
        {
            "type": "token",
            "token": {"id": tok["id"]},
            "revoked": True,
            "turn": g.state.turn,
            "rule": rule,
            "reason": reason,
            "changes": changes,
            "sources": g.rule_sources("a4.consent_tokens"),
            "vis": "all" if tok.get("visibility") == "public" else ["mx", "us"],
        }
    )


def hard_red_line(g: GameCore, why: str, scale: float = 1.0) -> None:
    """Rule A3: the hard red line. Its consequences are data (the rule's effects); the bookkeeping is here."""
    rule = g.rb.mechanisms.get("a3.hard_red_line")
    env = g.state.env
    pending: dict[str, Any] = {
        "flag.hrl": True,
        "flag.hrl_cleared": False,
        "flag.hrl_count": env["flag.hrl_count"] + 1,
        # the breach is the turn's loudest act: tension must not "ease in a quiet turn" (rule A1)
        "mx.st_added": g.new_value("mx.st_added", "add", max(1.0, 100 - float(env["mx.st"])), {}),
        "flag.hrl_months": 0.0,
        "flag.ca_must_declare": True,
        "flag.ca_declared": False,
    }
    inputs: list[dict[str, Any]] = []
    sched: list[dict[str, Any]] = []  # lagged consequences ride on the breach event and join the queue
    if rule is not None:
        g.run_effects(rule.effects, env, pending, "hrl", None, scale, inputs, sched, rule.id)
    g.effect(
        "a3.hard_red_line",
        f"The hard red line is crossed: {why}. " + (rule.reason if rule is not None else ""),
        pending,
        rule.sources if rule is not None else (),
        inputs,
        vis="all",
        always=True,
        scheduled=sched,
    )
