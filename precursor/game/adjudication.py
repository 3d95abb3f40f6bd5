"""Turn resolution in a fixed, documented order (docs/engine.md, "Adjudication order").

1. statements · 2. diplomacy (agreements activate, tokens, meetings) · 3. legal and financial ·
4. border and trade · 5. security (consent check, red-line check) · 6. migration ·
7–8. the monthly flow model, with matured lagged effects released at the start of each month ·
9. politics (approval, PC income, elections) · 10. compliance, snapbacks, leaks ·
11. the three-month review · then the turn's end: means, objectives, running score.
Inside a step, orders run in team order (us, mx, cn, ca) and then by lever id, so the result never
depends on the order in which commands arrived.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from precursor.game import negotiation, scoring
from precursor.game.core import GameCore
from precursor.game.decimals import round4
from precursor.game.months import add_months
from precursor.game.rulebook import CLever, CRule
from precursor.game.schema import STEPS, TEAMS
from precursor.game.teams import pair

ORDER_STEPS = ("statements", "diplomacy", "legal", "border", "security", "migration")


# ---------------------------------------------------------------------- calendar


def _date(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def _months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def turn_months(g: GameCore) -> list[dt.date]:
    return [add_months(g.state.start, g.state.month_index + k) for k in range(g.state.months_per_turn)]


def windows_for(g: GameCore, months: list[dt.date]) -> dict[str, bool]:
    """Election-calendar windows (rule C1) for the months of a turn."""
    r = "c1.windows"
    us_pres = g.param(r, "us_presidential_months", 6)
    us_mid = g.param(r, "us_midterm_months", 3)
    mx_pres = g.param(r, "mx_campaign_months", 6)
    ca_fed = g.param(r, "ca_campaign_months", 2)
    mx_trans = g.param(r, "mx_transition_months", 4)
    npc = g.param(r, "npc_month", 3)
    out = {k: False for k in ("us_campaign", "mx_campaign", "ca_campaign", "us_lame_duck", "mx_transition")}
    out["cn_political"] = any(m.month == npc for m in months)
    for ev in g.sc.model.calendar:
        d = _date(ev.date)
        for m in months:
            before = _months_between(m, d)  # months until the election (0 = election month)
            if ev.kind == "us_presidential":
                if 0 <= before < us_pres:
                    out["us_campaign"] = True
                inaug = dt.date(d.year + 1, 1, 20)
                if d < m.replace(day=28) and m <= inaug:
                    out["us_lame_duck"] = True
            elif ev.kind == "us_midterm" and 0 <= before < us_mid:
                out["us_campaign"] = True
            elif ev.kind == "mx_presidential":
                if 0 <= before < mx_pres:
                    out["mx_campaign"] = True
                if -mx_trans <= before < 0:
                    out["mx_transition"] = True
            elif ev.kind == "ca_federal" and 0 <= before < ca_fed:
                out["ca_campaign"] = True
            elif ev.kind == "cn_party_congress" and before == 0:
                out["cn_political"] = True
    return out


# ---------------------------------------------------------------------- start of a turn


def begin_turn(g: GameCore) -> None:
    st, env = g.state, g.state.env
    pending: dict[str, Any] = {}
    for k, v in windows_for(g, turn_months(g)).items():
        pending[f"window.{k}"] = v
    for key in g.rb.played_keys:
        if env[key]:
            pending[key] = False
    for f in ("flag.summit_window", "flag.trilateral_meeting", "flag.us_reciprocated"):
        pending[f] = False
    pending["mx.st_added"] = 0.0
    g.effect(
        "c1.windows",
        "the election calendar sets this turn's campaign, transition and lame-duck windows",
        pending,
        g.rule_sources("c1.windows"),
        vis="all",
    )
    # proposals nobody answered in time
    for p in list(st.proposals.values()):
        if p["status"] == "open" and p["expires_turn"] < st.turn:
            g.emit(
                {
                    "type": "proposal_closed",
                    "proposal": p["id"],
                    "status": "expired",
                    "turn": st.turn,
                    "vis": "all" if p["visibility"] == "public" else p["parties"],
                }
            )
    # consent tokens that ran out
    for tok in list(st.tokens.values()):
        if tok.get("active") and tok["expires_turn"] < st.turn:
            _revoke_token(g, tok, "the consent token expired", "a4.consent_tokens")
    _injects(g)


def _injects(g: GameCore) -> None:
    st, env = g.state, g.state.env
    for inj in g.sc.injects:
        if inj.deck:
            continue
        fired = env.get(f"inject.{inj.id}", False)
        if inj.turn is not None:
            if inj.turn != st.turn:
                continue
        else:
            if fired and not inj.repeat:
                continue
            if inj.when is not None and not inj.when.fn(env):
                continue
        inputs: list[dict[str, Any]] = []
        if inj.chance is not None:
            p = float(inj.chance.fn(env))
            r = g.roll(f"inject:{inj.id}")
            inputs.append({"p": round(p, 4), "roll": round(r, 4)})
            if r >= p:
                continue
        release_inject(g, inj, inputs)


def release_inject(g: GameCore, inj: Any, inputs: list[dict[str, Any]] | None = None) -> None:
    pending: dict[str, Any] = {}
    sched: list[dict[str, Any]] = []
    g.run_effects(inj.effects, g.state.env, pending, f"inject:{inj.id}", None, 1.0, inputs, sched, inj.id)
    for q in sched:  # injects act at once: lagged inject effects are applied now
        pending[q["target"]] = g.new_value(q["target"], q["op"], q["value"], pending)
    changes = g.changes_of(pending)
    g.emit(
        {
            "type": "inject",
            "id": inj.id,
            "turn": g.state.turn,
            "title": inj.title,
            "text": inj.text,
            "changes": changes,
            "before": {k: g.state.env.get(k) for k in changes},
            "free_levers": list(inj.free_levers),
            "sources": list(inj.sources),
            "ext": dict(inj.ext) if inj.ext else None,
            "inputs": inputs or [],
            "vis": "all" if len(inj.audience) == 4 else list(inj.audience),
        }
    )


# ---------------------------------------------------------------------- adjudication


def _all_orders(g: GameCore) -> list[tuple[str, dict[str, Any]]]:
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


def adjudicate(g: GameCore) -> None:
    st = g.state
    months = turn_months(g)  # the turn's calendar months, fixed before the month steps move the clock
    orders = _all_orders(g)
    # reveal: each team sees its own orders; everyone sees the public ones
    for tid in TEAMS:
        own = [o for t, o in orders if t == tid]
        if own:
            g.emit({"type": "orders_revealed", "team": tid, "orders": own, "turn": st.turn, "vis": [tid]})
    public = [dict(o, team=t) for t, o in orders if o["visibility"] == "public"]
    g.emit({"type": "orders_revealed", "team": None, "orders": public, "turn": st.turn, "vis": "all"})
    _mark_played(g, orders)
    _statements(g)
    for step in ORDER_STEPS:
        for team, o in orders:
            if g.rb.levers[o["lever"]].step == step:
                exec_order(g, team, o)
        if step == "diplomacy":
            _activate_agreements(g)
        _rules(g, step)
    for _ in range(st.months_per_turn):
        month_step(g)
    _rules(g, "lag_release")
    _rules(g, "politics")
    _elections(g, months)
    compliance(g)
    _rules(g, "compliance")
    if st.month_index % 3 == 0:
        review(g)
    _rules(g, "review")
    _rules(g, "injects")
    end_turn(g)


def _mark_played(g: GameCore, orders: list[tuple[str, dict[str, Any]]]) -> None:
    env = g.state.env
    played = {o["lever"] for _, o in orders}
    pending: dict[str, Any] = {}
    lapsed: list[CLever] = []
    for lid, lever in g.rb.levers.items():
        if lid in played:
            pending[f"played.{lid}"] = True
            pending[f"streak.{lid}"] = env[f"streak.{lid}"] + 1
            pending[f"count.{lid}"] = env[f"count.{lid}"] + 1
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


def _statements(g: GameCore) -> None:
    env = g.state.env
    for team in TEAMS:
        for seat in g.state.seats[team]:
            sub = g.state.orders.get(f"{team}/{seat}")
            if not sub or not sub.get("statement"):
                continue
            s = sub["statement"]
            kind = g.rb.statements[s["kind"]]
            m = kind.model
            target = s.get("target")
            pending: dict[str, Any] = {}
            st_inputs: list[dict[str, Any]] = []
            if target:
                dy = pair(team, target)
                if m.trust:
                    pending[f"trust.{dy}"] = g.new_value(f"trust.{dy}", "add", m.trust, pending)
                if m.finger_pointing and f"flag.finger_{dy}" in g.rb.indicators:
                    pending[f"flag.finger_{dy}"] = g.new_value(f"flag.finger_{dy}", "add", 1, pending)
                if team == "us" and target == "mx":
                    if m.st:
                        _add_st(g, pending, m.st, military=(s["kind"] == "threat"), inputs=st_inputs)
                    if s["kind"] in ("threat", "blame") and env["window.mx_campaign"]:
                        pending["mx.goading_tokens"] = g.new_value("mx.goading_tokens", "add", 1, pending)
                    if m.overton and s["kind"] == "threat":
                        pending["us.overton"] = g.new_value("us.overton", "add", m.overton, pending)
                if team == "us" and target == "cn" and m.irritation:
                    pending["cn.irritation"] = g.new_value("cn.irritation", "add", m.irritation, pending)
                if team == "ca" and env["flag.ca_must_declare"] and target in ("us", "mx"):
                    _canada_declares(g, pending, s["kind"], target)
            if m.own_approval:
                pending[f"{team}.approval"] = g.new_value(f"{team}.approval", "add", m.own_approval, pending)
            if team == "us" and target == "mx":  # extra effects in statements.yaml are the US-Mexico case
                env["act.public"] = True
                try:
                    g.run_effects(kind.effects, env, pending, f"statement:{team}:{seat}", True)
                finally:
                    env.pop("act.public", None)
            changes = g.changes_of(pending)
            g.emit(
                {
                    "type": "statement",
                    "team": team,
                    "seat": seat,
                    "kind": s["kind"],
                    "target": target,
                    "text": s.get("text", ""),
                    "turn": g.state.turn,
                    "rule": f"d7.{s['kind']}",
                    "reason": kind.reason,
                    "changes": changes,
                    "before": {k: env.get(k) for k in changes},
                    "sources": list(kind.sources),
                    "inputs": st_inputs,
                    "vis": "all",
                }
            )


def _canada_declares(g: GameCore, pending: dict[str, Any], kind: str, target: str) -> None:
    r = "a3.canada_declares"
    if (kind in ("blame", "threat") and target == "us") or (kind == "praise" and target == "mx"):
        pending["trust.us_ca"] = g.new_value("trust.us_ca", "add", g.param(r, "condemn_us", -10), pending)
        pending["trust.mx_ca"] = g.new_value("trust.mx_ca", "add", g.param(r, "condemn_mx", 10), pending)
    else:
        pending["trust.mx_ca"] = g.new_value("trust.mx_ca", "add", g.param(r, "back_mx", -10), pending)
        pending["ca.approval"] = g.new_value("ca.approval", "add", g.param(r, "back_approval", -5), pending)
    pending["flag.ca_must_declare"] = False
    pending["flag.ca_declared"] = True


def _add_st(
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


def _rules(g: GameCore, step: str) -> None:
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


# ---------------------------------------------------------------------- orders


def exec_order(g: GameCore, team: str, o: dict[str, Any], via: str = "") -> None:
    env = g.state.env
    lever = g.rb.levers[o["lever"]]
    public = o["visibility"] == "public"
    params = o["params"]
    ctx = g.lever_ctx(lever, params, public)
    try:
        for cond, message in lever.preconditions:
            if not cond.fn(ctx):
                g.emit(
                    {
                        "type": "order_failed",
                        "team": team,
                        "lever": lever.id,
                        "turn": g.state.turn,
                        "reason": f"{lever.code}: {message}",
                        "vis": [team],
                    }
                )
                return
        pending: dict[str, Any] = {}
        cost = float(o["cost"])
        pc_key = f"{team}.pc"
        if cost > env[pc_key] + 1e-9:
            g.emit(
                {
                    "type": "order_failed",
                    "team": team,
                    "lever": lever.id,
                    "turn": g.state.turn,
                    "reason": f"{lever.code}: not enough political capital left",
                    "vis": [team],
                }
            )
            return
        pending[pc_key] = g.new_value(pc_key, "add", -cost, pending)
        scale = 1.0
        inputs: list[dict[str, Any]] = []
        hrl_reason = ""
        revoke: list[str] = []
        if "consent_bounded" in lever.tags:
            scale, hrl_reason = _consent_check(g, lever, params, pending, inputs, revoke)
        sched: list[dict[str, Any]] = []
        label = f"order:{team}:{lever.id}{via}"
        g.run_effects(lever.effects, ctx, pending, label, public, scale, inputs, sched, lever.id)
        if team == "us" and (lever.sov_public or lever.sov_private):
            base = lever.sov_public if public else lever.sov_private
            if base:
                _add_st(g, pending, base, lever.military, inputs)
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
            _revoke_token(
                g,
                g.state.tokens[tid],
                "a minor breach of the personnel cap: Mexico revokes the token",
                "a4.consent_tokens",
            )
        if "consent_grant" in tags:
            _grant_token(g, params, o["visibility"])
        if "hrl" in tags or (hrl_reason and scale == 0.0):
            hard_red_line(g, hrl_reason or f"{lever.code} was carried out inside Mexico without consent")
    finally:
        g.clear_ctx(ctx, params)


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


def _active_tokens(g: GameCore) -> list[dict[str, Any]]:
    return [t for t in g.state.tokens.values() if t.get("active")]


def _consent_check(
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
    matching = [t for t in _active_tokens(g) if t["activity"] == activity]
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
        _add_st(g, pending, g.param(r, "minor_breach_st", 15), military=False, inputs=inputs)
        pending["mx.us_personnel"] = g.new_value("mx.us_personnel", "set", personnel, pending)
        revoke.extend(t["id"] for t in matching)
        return 1.0, ""
    return 0.0, f"{personnel:g} US personnel against a consent cap of {cap:g}"


def _grant_token(g: GameCore, params: dict[str, Any], visibility: str) -> None:
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
    cap = sum(t["max_personnel"] for t in _active_tokens(g)) + tok["max_personnel"]
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


def _revoke_token(g: GameCore, tok: dict[str, Any], reason: str, rule: str) -> None:
    remaining = [t for t in _active_tokens(g) if t["id"] != tok["id"]]
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


# ---------------------------------------------------------------------- agreements


def _activate_agreements(g: GameCore) -> None:
    env = g.state.env
    for a in list(g.state.agreements.values()):
        if a["status"] == "signed" and a["signed_turn"] == g.state.turn:
            pending: dict[str, Any] = {}
            r = "d5.audience_costs"
            if a["visibility"] == "public":
                for t in a["parties"]:
                    bonus = g.param(r, "public_signing_approval", 2)
                    if (
                        t == "mx"
                        and env["mx.st"] >= 60
                        and any("consent_bounded" in g.rb.levers[c["lever"]].tags for c in a["clauses"])
                    ):
                        bonus = g.param(r, "mx_personnel_deal_approval", -3)
                    pending[f"{t}.approval"] = g.new_value(f"{t}.approval", "add", bonus, pending)
            if "mx" in a["parties"]:
                if a["framing"] == "shared_responsibility":
                    pending["mx.st"] = g.new_value(
                        "mx.st", "add", g.param("d6.framing", "shared_st", -3), pending
                    )
                elif a["framing"] == "us_demand_met":
                    pending["mx.st"] = g.new_value(
                        "mx.st", "add", g.param("d6.framing", "demand_st", 5), pending
                    )
                    pending["mx.approval"] = g.new_value("mx.approval", "add", -2, pending)
                if any("consent_grant" in g.rb.levers[c["lever"]].tags for c in a["clauses"]):
                    pending["mx.st"] = g.new_value(
                        "mx.st", "add", g.param("a1.tension", "consent_deal", -10), pending
                    )
            if "cn" in a["parties"] and any(c["actor"] == "cn" for c in a["clauses"]):
                face = {"china_initiative": 2, "multilateral": 2, "reciprocal": 0, "us_demand_met": -5}
                pending["cn.face"] = g.new_value("cn.face", "add", face.get(a["framing"], 0), pending)
            accord_ok = (
                a.get("sovereignty_accord")
                and env["flag.hrl"]
                and a["visibility"] == "public"
                and env["flag.hrl_months"] >= g.param("a3.accord", "min_turns", 3) * env["months_per_turn"]
            )
            if accord_ok:
                pending["flag.hrl_cleared"] = True
                pending["flag.hrl"] = False
                pending["mx.st"] = g.new_value("mx.st", "set", g.param("a3.accord", "st", 70), pending)
                pending["mx.coop_cap"] = g.new_value(
                    "mx.coop_cap", "set", g.param("a3.accord", "coop_cap", 40), pending
                )
            g.effect(
                "d5.audience_costs",
                f"agreement {a['id']} comes into force ({a['visibility']}, framed as {a['framing']})",
                pending,
                g.rule_sources("d5.audience_costs"),
                vis="all" if a["visibility"] == "public" else a["parties"],
                agreement=a["id"],
            )
            g.emit(
                {
                    "type": "agreement_update",
                    "agreement": a["id"],
                    "update": {"status": "active"},
                    "vis": "all" if a["visibility"] == "public" else a["parties"],
                }
            )
        if (
            a["modules"]
            and not a["modules_active"]
            and env["flag.trilateral_meeting"]
            and a["status"] == "active"
        ):
            pending = {}
            for mid in a["modules"]:
                mod = g.rb.modules[mid]
                pending[f"module.{mid}"] = True
                g.run_effects(mod.effects, env, pending, f"module:{mid}:{a['id']}")
            g.effect(
                "h1.trilateral_modules",
                "trilateral modules come into force at a North American meeting: " + ", ".join(a["modules"]),
                pending,
                g.rule_sources("h1.trilateral_modules"),
                vis="all",
                agreement=a["id"],
            )
            g.emit(
                {
                    "type": "agreement_update",
                    "agreement": a["id"],
                    "update": {"modules_active": True},
                    "vis": "all",
                }
            )


def compliance(g: GameCore) -> None:
    """Rule 6.2 / D5: check every due clause against the orders actually executed this turn."""
    st, env = g.state, g.state.env
    executed: dict[str, list[dict[str, Any]]] = {t: [] for t in TEAMS}
    for ev in reversed(g.log):
        if ev["type"] == "orders_revealed" and ev.get("turn") == st.turn and ev["team"] is None:
            break
        if ev["type"] == "order_executed" and ev.get("turn") == st.turn and ev["team"] in executed:
            executed[ev["team"]].append({"lever": ev["lever"], "params": ev.get("params", {})})

    for a in list(st.agreements.values()):
        if a["status"] != "active":
            continue
        for ci, c in enumerate(a["clauses"]):
            if not negotiation.clause_due(c, st.turn):
                continue
            if c.get("condition"):
                from precursor.game.expr import compile_expr

                if not compile_expr(c["condition"], g.rb.symbols, "bool")(env):
                    continue
            met = any(negotiation.order_meets(g, c, o) for o in executed[c["actor"]])
            if not met and g.rb.levers[c["lever"]].once and env[f"count.{c['lever']}"] >= 1:
                met = True  # a one-off act already carried out fulfils the commitment to it
            pending: dict[str, Any] = {}
            r = "d5.audience_costs"
            if not met:
                others = [t for t in a["parties"] if t != c["actor"]]
                public = a["visibility"] == "public"
                dt_ = g.param(r, "public_trust" if public else "private_trust", -10 if public else -5)
                for o in others:
                    k = f"trust.{pair(c['actor'], o)}"
                    pending[k] = g.new_value(k, "add", dt_, pending)
                if public:
                    k = f"{c['actor']}.approval"
                    pending[k] = g.new_value(k, "add", g.param(r, "public_approval", -4), pending)
                if c["actor"] not in a["reneged"]:
                    pending[f"reneged.{c['actor']}"] = env[f"reneged.{c['actor']}"] + 1
            vis: Any
            if a["verification"] == "self":
                vis = [c["actor"]]
            elif a["verification"] == "joint":
                vis = a["parties"]
            else:
                vis = "all"
                if ci == 0:
                    pending["ml"] = g.new_value("ml", "add", 1, pending)
            lever = g.rb.levers[c["lever"]]
            g.emit(
                {
                    "type": "compliance",
                    "agreement": a["id"],
                    "clause": ci,
                    "team": c["actor"],
                    "lever": c["lever"],
                    "met": met,
                    "turn": st.turn,
                    "rule": r,
                    "reason": (
                        f"{c['actor'].upper()} played {lever.code} as agreed"
                        if met
                        else f"{c['actor'].upper()} did not play {lever.code} as agreed in {a['id']}"
                    ),
                    "changes": g.changes_of(pending),
                    "sources": g.rule_sources(r),
                    "vis": vis,
                }
            )
            if not met and c["actor"] not in a["reneged"]:
                g.emit(
                    {
                        "type": "agreement_update",
                        "agreement": a["id"],
                        "update": {"reneged": [*a["reneged"], c["actor"]]},
                        "vis": a["parties"],
                    }
                )
        for si, sb in enumerate(a.get("snapback", [])):
            from precursor.game.expr import compile_expr

            if a.get(f"snapped_{si}"):
                continue
            if compile_expr(sb["trigger"], g.rb.symbols, "bool")(env):
                lever = g.rb.levers[sb["lever"]]
                params = g.normalise_params(lever, sb["params"])
                order = {
                    "lever": lever.id,
                    "params": params,
                    "visibility": a["visibility"],
                    "cost": 0.0,
                    "seat": None,
                }
                g.emit(
                    {
                        "type": "agreement_update",
                        "agreement": a["id"],
                        "update": {f"snapped_{si}": True},
                        "vis": a["parties"],
                    }
                )
                exec_order(g, sb["actor"], order, via=f":snapback:{a['id']}")
        waiting = bool(a["modules"]) and not a["modules_active"]  # modules still wait for a meeting
        if st.turn >= a["ends_turn"] and a["status"] == "active" and not waiting:
            honoured = [t for t in a["parties"] if t not in a["reneged"]]
            g.emit(
                {
                    "type": "agreement_update",
                    "agreement": a["id"],
                    "update": {"status": "completed", "honoured": honoured},
                    "vis": "all" if a["visibility"] == "public" else a["parties"],
                }
            )
    _leaks(g)


def _leaks(g: GameCore) -> None:
    """Rule D3: private deals and tokens may leak; a leak costs half the public version's effects."""
    st, env = g.state, g.state.env
    r = "d3.leaks"
    base = g.param(r, "base", 0.05)
    per = g.param(r, "per_extra_signatory", 0.03)
    boost = 2.0 if env["flag.leak_boost"] > 0 else 1.0
    for a in list(st.agreements.values()):
        if a["visibility"] != "private" or a["status"] != "active" or a.get("leaked"):
            continue
        p = min(1.0, (base + per * max(0, len(a["parties"]) - 2)) * boost)
        roll = g.roll(f"leak:{a['id']}")
        if roll >= p:
            continue
        pending: dict[str, Any] = {}
        st_gain = sum(g.rb.levers[c["lever"]].sov_public for c in a["clauses"] if c["actor"] == "us")
        if "mx" in a["parties"] and st_gain:
            _add_st(g, pending, 0.5 * st_gain, military=False)
        if (
            "mx" in a["parties"]
            and env["mx.st"] >= 40
            and any(
                "consent_grant" in g.rb.levers[c["lever"]].tags
                or "consent_bounded" in g.rb.levers[c["lever"]].tags
                for c in a["clauses"]
            )
        ):
            pending["mx.approval"] = g.new_value(
                "mx.approval", "add", g.param(r, "consent_approval", -4), pending
            )
            _add_st(g, pending, g.param(r, "consent_st", 5), military=False)
        g.effect(
            r,
            f"the private agreement {a['id']} leaked to the press",
            pending,
            g.rule_sources(r),
            [{"p": round(p, 4), "roll": round(roll, 4)}],
            vis="all",
            always=True,
            agreement=a["id"],
        )
        g.emit(
            {
                "type": "agreement_update",
                "agreement": a["id"],
                "update": {"leaked": True, "visibility": "public"},
                "vis": "all",
            }
        )


# ---------------------------------------------------------------------- months, politics, review


def month_step(g: GameCore) -> None:
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
    nxt = st.month_index + 1
    values = g.rb.num_values(env)
    g.emit(
        {
            "type": "month",
            "month_index": nxt,
            "month": add_months(st.start, nxt).month,
            "values": values,
            "vis": "facilitator",
        }
    )


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


def _elections(g: GameCore, months: list[dt.date]) -> None:
    st, env = g.state, g.state.env
    first, last = months[0], months[-1]
    for ev in g.sc.model.calendar:
        d = _date(ev.date)
        if not (first <= d.replace(day=1) <= last):
            continue
        if ev.kind == "usmca_review":
            _usmca_review(g, ev)
            continue
        if ev.kind not in ("us_presidential", "us_midterm", "mx_presidential", "ca_federal"):
            continue
        team = {"us_presidential": "us", "us_midterm": "us", "mx_presidential": "mx", "ca_federal": "ca"}[
            ev.kind
        ]
        inputs: list[dict[str, Any]] = []
        if ev.incumbent_holds is not None:
            holds = ev.incumbent_holds
            inputs.append({"mode": "historical"})
        else:
            p = max(0.1, min(0.9, 0.5 + 0.01 * (env[f"{team}.approval"] - 50)))
            r = g.roll(f"election:{ev.id}")
            holds = r < p
            inputs.append({"mode": "dynamic", "p": round(p, 4), "roll": round(r, 4)})
        pending: dict[str, Any] = {}
        rule = "c7.outcomes"
        if ev.kind == "us_midterm" and not holds:
            pending["flag.midterm_flip"] = True
            pending["us.congress_pressure"] = g.new_value(
                "us.congress_pressure", "add", g.param("c8.midterm", "pressure", 15), pending
            )
            rule = "c8.midterm"
        elif ev.kind == "mx_presidential":
            tokens = env["mx.goading_tokens"]
            cap = 70 + env["mx.successor_cap_adj"] - 10 * min(3, tokens)
            if not holds:
                cap -= 5
            pending["flag.mx_successor"] = True
            pending["flag.honeymoon_mx"] = 3.0
            pending["mx.coop_cap"] = g.new_value("mx.coop_cap", "set", max(20, cap), pending)
            pending["trust.us_mx"] = g.new_value("trust.us_mx", "add", -5 * min(3, tokens), pending)
            pending["mx.approval"] = g.new_value("mx.approval", "add", 10, pending)
            rule = "c4.transitions"
        elif ev.kind == "us_presidential" and not holds:
            pending["flag.us_new_admin"] = True
            pending["flag.honeymoon_us"] = 3.0
        elif ev.kind == "ca_federal":
            pending["flag.honeymoon_ca"] = 3.0
            pending["ca.approval"] = g.new_value("ca.approval", "add", 10, pending)
        changes = g.changes_of(pending)
        g.emit(
            {
                "type": "election",
                "id": ev.id,
                "kind": ev.kind,
                "name": ev.name,
                "date": ev.date,
                "incumbent_holds": holds,
                "turn": st.turn,
                "rule": rule,
                "reason": f"{ev.name}: the incumbent party {'holds' if holds else 'loses'} office",
                "changes": changes,
                "before": {k: env.get(k) for k in changes},
                "inputs": inputs,
                "sources": list(ev.sources) + g.rule_sources(rule),
                "vis": "all",
            }
        )
        if ev.kind == "mx_presidential":
            persona = "sovereigntist" if env["mx.goading_tokens"] >= 2 else "cooperative"
            g.emit({"type": "fact", "key": "mx_successor_persona", "value": persona, "vis": "facilitator"})


def _yes(v: bool) -> str:
    return "agrees" if v else "declines"


def _usmca_review(g: GameCore, ev: Any) -> None:
    """Rule H4: at the joint review each party says whether it wants to extend the agreement.

    Each party's answer is read from the state: the US says yes when its trust in both neighbours is at
    least the threshold (or, if it conditions its yes on the trilateral modules, when T1-T4 are in force);
    Mexico and Canada say yes when their trust in the US is at least the threshold.
    """
    env = g.state.env
    r = "h4.usmca_review"
    thr = g.param(r, "trust_threshold", 45)
    modules = all(env[f"module.t{i}"] for i in range(1, 5))
    us_yes = (env["trust.us_mx"] >= thr and env["trust.us_ca"] >= thr) or modules
    mx_yes = env["trust.us_mx"] >= thr
    ca_yes = env["trust.us_ca"] >= thr
    extended = us_yes and mx_yes and ca_yes
    pending: dict[str, Any] = {"flag.usmca_extended": extended}
    if not extended:
        pending["ca.trade_risk"] = g.new_value("ca.trade_risk", "add", g.param(r, "trade_risk", 15), pending)
        pending["mx.invest"] = g.new_value("mx.invest", "add", g.param(r, "mx_invest", -5), pending)
    g.effect(
        r,
        f"{ev.name}: the US {_yes(us_yes)}, Mexico {_yes(mx_yes)}, Canada {_yes(ca_yes)}; "
        + ("the term is extended" if extended else "the term is not extended and annual reviews begin"),
        pending,
        [*ev.sources, *g.rule_sources(r)],
        [{"us": us_yes, "mx": mx_yes, "ca": ca_yes, "modules_t1_t4": modules, "threshold": thr}],
        vis="all",
        always=True,
    )


def _displayed(g: GameCore, key: str, months_ago: int) -> float | None:
    hist = g.state.history.get(key, [])
    ind = g.rb.indicators[key]
    idx = len(hist) - 1 - ind.fog.lag - months_ago
    if idx < 0:
        return None
    return hist[idx]


def review(g: GameCore) -> None:
    """Rule F3: every three months the displayed numbers are compared with three months before."""
    env = g.state.env
    r = "f3.review"
    pending: dict[str, Any] = {}
    thr = g.param(r, "threshold_pct", 3) / 100
    inputs: dict[str, Any] = {}
    fell: dict[str, bool] = {}
    # each government is judged on its headline number as published: deaths for the US, homicides for Mexico
    for key, label, target, param in (
        ("us.od_synth", "od_change", "us.approval", "us_approval"),
        ("mx.homicides", "homicide_change", "mx.approval", "mx_approval"),
    ):
        now, then = _displayed(g, key, 0), _displayed(g, key, 3)
        fell[key] = False
        if now is None or not then:
            continue
        ch = (now - then) / then
        inputs[label] = round(ch, 4)
        if abs(ch) >= thr:
            delta = g.param(r, param, 2) * (-1 if ch > 0 else 1)
            pending[target] = g.new_value(target, "add", delta, pending)
        fell[key] = ch < 0
    od_fell, h_fell = fell["us.od_synth"], fell["mx.homicides"]
    tr_then = g.state.history["ca.trade_risk"][-4] if len(g.state.history["ca.trade_risk"]) >= 4 else None
    if tr_then is not None:
        ch = env["ca.trade_risk"] - tr_then
        if abs(ch) >= 3:
            pending["ca.approval"] = g.new_value("ca.approval", "add", -1 if ch > 0 else 1, pending)
    badge = od_fell and h_fell
    inputs["badge"] = badge
    if badge:
        pending["flag.review_badges"] = env["flag.review_badges"] + 1
    g.effect(
        r,
        "three-month review: displayed overdose deaths and Mexican homicides against three months before",
        pending,
        g.rule_sources(r),
        inputs,
        vis="all",
        always=True,
        badge=badge,
    )
    if badge:
        earned: dict[str, float] = {}
        for a in g.state.agreements.values():
            if a["status"] == "active":
                for t in a["parties"]:
                    earned[t] = g.state.badges.get(t, 0.0) + g.param(r, "badge_points", 3)
        if earned:
            g.emit({"type": "badges", "badges": earned, "turn": g.state.turn, "rule": r, "vis": "all"})


def end_turn(g: GameCore) -> None:
    st, env = g.state, g.state.env
    values = g.rb.num_values(env)
    changes: dict[str, Any] = {}
    # reciprocity window (CS3)
    if env["flag.cn_pending_reciprocity"] > 0:
        if env["flag.us_reciprocated"]:
            changes["flag.cn_credited"] = env["flag.cn_credited"] + 1
            changes["flag.cn_pending_reciprocity"] = 0.0
        else:
            left = env["flag.cn_pending_reciprocity"] - 1
            changes["flag.cn_pending_reciprocity"] = float(left)
            if left <= 0:
                changes["cn.ctrl"] = g.new_value(
                    "cn.ctrl", "add", g.param("cs3.reciprocity", "unreciprocated_ctrl", -5), changes
                )
    objectives = scoring.check_objectives(g, final=False)
    played = {
        t: sorted(o["lever"] for k, sub in st.orders.items() if k.startswith(t + "/") for o in sub["orders"])
        for t in TEAMS
    }
    g.emit(
        {
            "type": "turn_end",
            "turn": st.turn,
            "values": values,
            "changes": changes,
            "played": played,
            "objectives": objectives,
            "vis": "facilitator",
        }
    )


def finish(g: GameCore) -> None:
    """Epilogue (rule F4): the model runs on with orders frozen, then the final score."""
    st = g.state
    epi = g.sc.model.epilogue_months
    if epi:
        g.emit({"type": "phase", "turn": st.turn, "phase": "epilogue", "vis": "all"})
        for _ in range(epi):
            month_step(g)
    objectives = scoring.check_objectives(g, final=True)
    g.emit(
        {
            "type": "turn_end",
            "turn": st.turn,
            "values": {},
            "changes": {},
            "played": {},
            "objectives": objectives,
            "epilogue": True,
            "vis": "facilitator",
        }
    )
    g.emit({"type": "score", "scores": scoring.scores(g, final=True), "final": True, "vis": "all"})
    g.emit({"type": "game_over", "turn": st.turn, "vis": "all"})


__all__ = ["STEPS", "adjudicate", "begin_turn", "finish"]
