"""Steps 2-6, orders: revealed, recorded, then executed step by step in team and lever order."""

from __future__ import annotations

from typing import Any

from precursor.game.adjudication.consent import consent_check, grant_token, hard_red_line, revoke_token
from precursor.game.adjudication.tension import add_tension
from precursor.game.core import GameCore
from precursor.game.rulebook import CLever, CRule, precondition_words
from precursor.game.schema import TEAMS
from precursor.game.teams import pair


def all_orders(g: GameCore) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for team in TEAMS:
        for seat in g.state.seats[team]:
            sub = g.state.orders.get(f"{team}/{seat}")
            if sub:
                for o in sub["orders"]:
                    out.append((team, o))
    rank: dict[str, int] = {t: i for i, t in enumerate(TEAMS)}
    out.sort(key=lambda to: (rank[to[0]], to[1]["lever"]))
    return out


def _count_play(env: dict[str, Any], lid: str, pending: dict[str, Any]) -> None:
    pending[f"played.{lid}"] = True
    pending[f"streak.{lid}"] = env[f"streak.{lid}"] + 1
    pending[f"count.{lid}"] = env[f"count.{lid}"] + 1


def mark_played(g: GameCore, orders: list[tuple[str, dict[str, Any]]]) -> None:
    env = g.state.env
    played = {o["lever"] for _, o in orders}
    pending: dict[str, Any] = {}
    lapsed: list[CLever] = []
    for lid, lever in g.rb.levers.items():
        if lid in played:
            _count_play(env, lid, pending)
        elif env[f"streak.{lid}"]:
            pending[f"streak.{lid}"] = 0
            if lever.sustained:
                lapsed.append(lever)
    g.effect("turn.orders", "orders of the turn are recorded", pending, (), vis="facilitator")
    for lever in lapsed:
        p2: dict[str, Any] = {}
        g.run_effects(lever.lapse, env, p2, f"lapse:{lever.id}", None)
        g.effect(
            f"{lever.id}.lapse",
            f"{lever.code} was not renewed, so it lapses",
            p2,
            lever.sources,
            vis="all",
            lever=lever.id,
        )


def mark_played_late(g: GameCore, lever: CLever, why: str) -> None:
    """Count an order executed after the turn's orders were recorded (a snapback) like a submitted one.

    Without this a sustained lever carried out by a snapback kept its effect for good: it was never played,
    so its streak never ended and it never lapsed. A lever already played this turn is counted once.
    """
    env = g.state.env
    if env[f"played.{lever.id}"]:
        return
    pending: dict[str, Any] = {}
    _count_play(env, lever.id, pending)
    g.effect(
        "turn.orders",
        f"{lever.code}, executed by {why}, is recorded as played",
        pending,
        (),
        vis="facilitator",
    )


def exec_order(g: GameCore, team: str, o: dict[str, Any], via: str = "") -> bool:
    """Carry out one order, or emit why it cannot be; True when it was executed."""
    env = g.state.env
    lever = g.rb.levers[o["lever"]]
    public = o["visibility"] == "public"
    params = o["params"]
    ctx = g.lever_ctx(lever, params, public)
    try:
        refusal = _refusal(g, team, lever, o, ctx)
        if refusal is not None:
            g.emit(
                {
                    "type": "order_failed",
                    "team": team,
                    "lever": lever.id,
                    "turn": g.state.turn,
                    "reason": f"{lever.code}: {refusal}",
                    "vis": [team],
                }
            )
            return False
        pending: dict[str, Any] = {}
        cost = float(o["cost"])
        pc_key = f"{team}.pc"
        pending[pc_key] = g.new_value(pc_key, "add", -cost, pending)
        scale = 1.0
        inputs: list[dict[str, Any]] = []
        hrl_reason = ""
        revoke: list[str] = []
        if "consent_bounded" in lever.tags:
            scale, hrl_reason = consent_check(g, lever, params, pending, inputs, revoke)
        sched: list[dict[str, Any]] = []
        label = f"order:{team}:{lever.id}{via}"
        g.run_effects(lever.effects, ctx, pending, label, public, scale, inputs, sched, lever.id)
        if team == "us" and (lever.sov_public or lever.sov_private):
            base = lever.sov_public if public else lever.sov_private
            if base:
                add_tension(g, pending, base, lever.military, inputs)
        _tag_effects(g, team, lever, public, params, pending)
        for rule in g.rb.on_act_rules:
            _on_act(g, rule, team, lever, public, ctx, pending, inputs)
        changes = g.changes_of(pending)
        g.emit(
            {
                "type": "order_executed",
                "team": team,
                "seat": o.get("seat"),
                "lever": lever.id,
                "code": lever.code,
                "params": params,
                "visibility": o["visibility"],
                "cost": cost,
                "turn": g.state.turn,
                "rule": lever.id,
                "reason": lever.name
                + (f" (at {scale:.0%} effectiveness: {hrl_reason})" if scale != 1.0 else ""),
                "changes": changes,
                "before": {k: env.get(k) for k in changes},
                "scheduled": sched,
                "inputs": inputs,
                "sources": list(lever.sources),
                "vis": "all" if public else [team],
            }
        )
        for tid in revoke:
            revoke_token(
                g,
                g.state.tokens[tid],
                "a minor breach of the personnel cap: Mexico revokes the token",
                "a4.consent_tokens",
            )
        if "consent_grant" in lever.tags:
            grant_token(g, params, o["visibility"])
        if "hrl" in lever.tags or (hrl_reason and scale == 0.0):
            hard_red_line(g, hrl_reason or f"{lever.code} was carried out inside Mexico without consent")
    finally:
        g.clear_ctx(ctx, params)
    return True


def _refusal(g: GameCore, team: str, lever: CLever, o: dict[str, Any], ctx: dict[str, Any]) -> str | None:
    """Why an order cannot be carried out now (a precondition fails, the capital is spent), or None."""
    for i, (cond, _) in enumerate(lever.preconditions):
        if not cond.fn(ctx):
            return precondition_words(lever, i, ctx)
    if float(o["cost"]) > g.state.env[f"{team}.pc"] + 1e-9:
        return "not enough political capital left"
    return None


def _tag_effects(
    g: GameCore, team: str, lever: CLever, public: bool, params: dict[str, Any], pending: dict[str, Any]
) -> None:
    """What an act means by its tags, beyond the lever's own effects: finger-pointing, goading, meetings."""
    env = g.state.env
    tags = lever.tags
    if public and ("threat" in tags or "blame" in tags):
        # rule D2: public blame and threats, in words or acts, mark the pair as finger-pointing
        for other in TEAMS:
            if other != team and f"targets_{other}" in tags:
                key = f"flag.finger_{pair(team, other)}"
                if key in g.rb.indicators:
                    pending[key] = g.new_value(key, "add", 1, pending)
    goading = public and team == "us" and ("threat" in tags or "blame" in tags) and "targets_mx" in tags
    if goading and env["window.mx_campaign"]:
        pending["mx.goading_tokens"] = g.new_value("mx.goading_tokens", "add", 1, pending)
    if "summit" in tags and team == "us" and params.get("partner", "cn") == "cn":
        pending["flag.summit_window"] = True
    if "trilateral_meeting" in tags:
        pending["flag.trilateral_meeting"] = True
    if "reciprocity" in tags and team == "us":
        pending["flag.us_reciprocated"] = True
    if "needs_reciprocity" in tags and team == "cn":
        pending["flag.cn_pending_reciprocity"] = g.param("cs3.reciprocity", "window_turns", 2)
    if "visible_action" in tags and public:
        _visibility_premium(g, team, pending)


def _visibility_premium(g: GameCore, team: str, pending: dict[str, Any]) -> None:
    """Rule C2: inside its own campaign window an incumbent's visible actions pay off in approval."""
    env = g.state.env
    window = {"us": "window.us_campaign", "mx": "window.mx_campaign", "ca": "window.ca_campaign"}.get(team)
    if window and env[window]:
        bonus = g.param("c2.visibility_premium", "approval", 1.0)
        pending[f"{team}.approval"] = g.new_value(f"{team}.approval", "add", bonus, pending)


def _on_act(
    g: GameCore,
    rule: CRule,
    team: str,
    lever: CLever,
    public: bool,
    ctx: dict[str, Any],
    pending: dict[str, Any],
    inputs: list[dict[str, Any]],
) -> None:
    m = rule.match
    assert m is not None
    if m.team is not None and m.team != team:
        return
    if m.visibility != "any" and (m.visibility == "public") != public:
        return
    if m.levers and lever.id not in m.levers:
        return
    if m.tags_any and not (set(m.tags_any) & lever.tags):
        return
    if m.target is not None and f"targets_{m.target}" not in lever.tags:
        return
    if rule.when is not None and not rule.when.fn(ctx):
        return
    if rule.chance is not None:
        p = float(rule.chance.fn(ctx))
        r = g.roll(f"onact:{rule.id}:{lever.id}")
        inputs.append({"rule": rule.id, "p": round(p, 4), "roll": round(r, 4), "hit": r < p})
        if r >= p:
            return
    g.run_effects(rule.effects, ctx, pending, f"onact:{rule.id}:{lever.id}", public, 1.0, inputs)


def reveal_orders(g: GameCore, orders: list[tuple[str, dict[str, Any]]]) -> None:
    """Each team sees its own orders; everyone sees the public ones."""
    st = g.state
    for tid in TEAMS:
        own = [o for t, o in orders if t == tid]
        if own:
            g.emit({"type": "orders_revealed", "team": tid, "orders": own, "turn": st.turn, "vis": [tid]})
    public = [dict(o, team=t) for t, o in orders if o["visibility"] == "public"]
    g.emit({"type": "orders_revealed", "team": None, "orders": public, "turn": st.turn, "vis": "all"})


def run_orders(g: GameCore, orders: list[tuple[str, dict[str, Any]]], step: str) -> None:
    """The orders of one step, in the order ``all_orders`` sorted them."""
    for team, o in orders:
        if g.rb.levers[o["lever"]].step == step:
            exec_order(g, team, o)
