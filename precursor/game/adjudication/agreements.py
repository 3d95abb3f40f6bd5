"""Agreements at adjudication: signed deals come into force (step 2); compliance, snapbacks, leaks (9)."""

from __future__ import annotations

from typing import Any

from precursor.game import negotiation
from precursor.game.adjudication.orders import exec_order, mark_played_late
from precursor.game.adjudication.tension import add_tension
from precursor.game.core import GameCore
from precursor.game.expr import compile_expr
from precursor.game.promises import level_holds
from precursor.game.schema import TEAMS
from precursor.game.teams import pair


def activate_agreements(g: GameCore) -> None:
    env = g.state.env
    for a in list(g.state.agreements.values()):
        if a["status"] == "signed" and a["signed_turn"] == g.state.turn:
            pending: dict[str, Any] = {}
            r = "d5.audience_costs"
            # re-signing a bargain already made tells no audience anything new: no approval or face gain
            renewal = bool(a.get("renewal_of"))
            if a["visibility"] == "public" and not renewal:
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
                gain = face.get(a["framing"], 0)
                if not (renewal and gain > 0):
                    pending["cn.face"] = g.new_value("cn.face", "add", gain, pending)
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
            # a module already in force stays in force: signing it again does not run its entry effects
            # again (a student's Canada re-signed T1+T2 three times and gained multilateral control and
            # cooperation each time)
            fresh = [mid for mid in a["modules"] if not env.get(f"module.{mid}")]
            for mid in fresh:
                mod = g.rb.modules[mid]
                pending[f"module.{mid}"] = True
                g.run_effects(mod.effects, env, pending, f"module:{mid}:{a['id']}")
            in_force = [mid for mid in a["modules"] if mid not in fresh]
            words = (
                "trilateral modules come into force at a North American meeting: " + ", ".join(fresh)
                if fresh
                else f"agreement {a['id']} brings no new trilateral module into force"
            ) + (
                f" ({', '.join(m.upper() for m in in_force)} already in force: nothing new)"
                if in_force
                else ""
            )
            g.effect(
                "h1.trilateral_modules",
                words,
                pending,
                g.rule_sources("h1.trilateral_modules"),
                vis="all",
                agreement=a["id"],
                always=bool(in_force),
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
    executed = _executed(g)
    for a in list(st.agreements.values()):
        if a["status"] != "active":
            continue
        for ci, c in enumerate(a["clauses"]):
            if not negotiation.clause_due(c, st.turn):
                continue
            if c.get("condition") and not compile_expr(c["condition"], g.rb.symbols, "bool")(env):
                continue
            _check_clause(g, a, ci, c, executed[c["actor"]])
        _snapbacks(g, a)
        _complete(g, a)
    leaks(g)


def _executed(g: GameCore) -> dict[str, list[dict[str, Any]]]:
    """Each team's orders executed this turn, read back from the log since this turn's public reveal."""
    st = g.state
    executed: dict[str, list[dict[str, Any]]] = {t: [] for t in TEAMS}
    for ev in reversed(g.log):
        if ev["type"] == "orders_revealed" and ev.get("turn") == st.turn and ev["team"] is None:
            break
        if ev["type"] == "order_executed" and ev.get("turn") == st.turn and ev["team"] in executed:
            executed[ev["team"]].append({"lever": ev["lever"], "params": ev.get("params", {})})
    return executed


def _check_clause(
    g: GameCore, a: dict[str, Any], ci: int, c: dict[str, Any], executed: list[dict[str, Any]]
) -> None:
    """One due clause: met or reneged, with the reneging costs (D5) and who learns of it."""
    st, env = g.state, g.state.env
    met = any(negotiation.order_meets(g, c, o) for o in executed)
    earlier = not met and g.rb.levers[c["lever"]].once and env[f"count.{c['lever']}"] >= 1
    if earlier:
        met = True  # a one-off act already carried out fulfils the commitment to it
    held = not met and bool(level_holds(g.rb.levers[c["lever"]], c["params"], env))
    if held:
        met = True  # the level the clause promises stands at the turn's end (docs/design.md)
    pending: dict[str, Any] = {}
    r = "d5.audience_costs"
    if not met:
        _reneging_costs(g, a, c, pending)
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
    short = None if met else _shortfall(g, c, executed)
    changes = g.changes_of(pending)
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
                f"{c['actor'].upper()} has already carried out {lever.code}, a once-per-game act, so the"
                " clause is met"
                if earlier
                else f"what {lever.code} sets stands where {a['id']} asks: kept with no new order"
                if held
                else f"{c['actor'].upper()} played {lever.code} as agreed"
                if met
                else f"{c['actor'].upper()} played {lever.code} {short} agreed in {a['id']}"
                if short
                else f"{c['actor'].upper()} did not play {lever.code} as agreed in {a['id']}"
                + (", and what it sets does not stand where the deal asks" if lever.holds else "")
            ),
            "changes": changes,
            "before": {k: st.env.get(k) for k in changes},  # a broken clause's cost reads 42 → 37
            "sources": g.rule_sources(r),
            "vis": vis,
            **({"earlier": True} if earlier else {}),
            **({"held": True} if held else {}),
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


def _shortfall(g: GameCore, c: dict[str, Any], executed: list[dict[str, Any]]) -> str | None:
    """How an order of the promised lever fell short of the clause, in the rules' labels ("at
    enforcement level 60, short of the 70"), or None when the lever was not played at all: a student who
    played MX-ME at 60 under a clause for 70 read "did not play MX-ME" and could not see what went wrong."""
    lever = g.rb.levers[c["lever"]]
    played = next((o for o in executed if o["lever"] == c["lever"]), None)
    if played is None:
        return None
    parts = []
    for pid, want in c["params"].items():
        got = played["params"].get(pid)
        if negotiation.params_meet(g.rb, {"lever": c["lever"], "params": {pid: want}}, {pid: got}):
            continue
        p = lever.params[pid]
        label = p.label or pid.replace("_", " ")
        if p.type == "choice":  # "on goods of Canada instead of Mexico" (a student read "at on goods of ca")
            parts.append(f"{label} {_value(p, got)} instead of {_value(p, want)}")
            continue
        how = {"higher": "short of", "lower": "above"}.get(p.stronger, "not")
        parts.append(f"at {label} {_value(p, got)}, {how} the {_value(p, want)}")
    return "; ".join(parts) if parts else None


def _value(p: Any, v: Any) -> str:
    """A parameter's value as a sentence reads it: 60, not 60.0; a choice by its label."""
    if isinstance(v, str) and v in p.choice_labels:
        return str(p.choice_labels[v])
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).replace("_", " ")


def _reneging_costs(g: GameCore, a: dict[str, Any], c: dict[str, Any], pending: dict[str, Any]) -> None:
    """Rule D5: a broken clause costs trust with every other party, and approval when the deal is public."""
    env = g.state.env
    r = "d5.audience_costs"
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


def _snapbacks(g: GameCore, a: dict[str, Any]) -> None:
    """A snapback whose trigger holds fires once: its order is executed at no cost and counts as played."""
    env = g.state.env
    for si, sb in enumerate(a.get("snapback", [])):
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
            if exec_order(g, sb["actor"], order, via=f":snapback:{a['id']}"):
                mark_played_late(g, lever, f"the snapback of {a['id']}")


def _complete(g: GameCore, a: dict[str, Any]) -> None:
    """An agreement past its last turn is completed, naming the parties that honoured it."""
    st = g.state
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


def leaks(g: GameCore) -> None:
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
            add_tension(g, pending, 0.5 * st_gain, military=False)
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
            add_tension(g, pending, g.param(r, "consent_st", 5), military=False)
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
        # the whole deal, not only the flags: a team outside it never received the private agreement, and a
        # view built after the leak shows it to everyone (the compliance record stays the engine's)
        terms = {k: v for k, v in a.items() if k != "record"}
        g.emit(
            {
                "type": "agreement_update",
                "agreement": a["id"],
                "update": {**terms, "leaked": True, "visibility": "public"},
                "vis": "all",
            }
        )
