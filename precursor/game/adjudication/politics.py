"""Steps 8 and 10: elections and the USMCA joint review in the turn's months, the three-month review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from precursor.game.adjudication.turn_start import iso_date, office_date
from precursor.game.core import GameCore
from precursor.game.handover import ELECT_FLAG

_ELECTIONS = {"us_presidential": "us", "us_midterm": "us", "mx_presidential": "mx", "ca_federal": "ca"}


def elections(g: GameCore, months: list[dt.date]) -> None:
    first, last = months[0], months[-1]

    def inside(d: dt.date) -> bool:
        return first <= d.replace(day=1) <= last

    for ev in g.sc.model.calendar:
        if ev.kind == "usmca_review":
            if inside(iso_date(ev.date)):
                _usmca_review(g, ev)
            continue
        if ev.kind not in _ELECTIONS:
            continue
        office = office_date(g, ev)
        if inside(iso_date(ev.date)):
            _vote(g, ev, office)
        if office is not None and office != iso_date(ev.date) and inside(office):
            _handover(g, ev, office)


def _vote(g: GameCore, ev: Any, office: dt.date | None) -> None:
    """Count the vote; a government that changes on the day (a midterm, Canada) changes here too."""
    st, env = g.state, g.state.env
    team = _ELECTIONS[ev.kind]
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
    later = office is not None and office != iso_date(ev.date)
    if ev.kind == "us_midterm" and not holds:
        pending["flag.midterm_flip"] = True
        pending["us.congress_pressure"] = g.new_value(
            "us.congress_pressure", "add", g.param("c8.midterm", "pressure", 15), pending
        )
        rule = "c8.midterm"
    elif ev.kind == "mx_presidential":
        pending["flag.mx_president_elect"] = True
        pending["flag.mx_elect_opposition"] = not holds
    elif ev.kind == "us_presidential" and not holds:
        pending["flag.us_president_elect"] = True
    elif ev.kind == "ca_federal":
        pending["flag.honeymoon_ca"] = 3.0
        pending["ca.approval"] = g.new_value("ca.approval", "add", 10, pending)
    changes = g.changes_of(pending)
    office_words = " the House" if ev.kind == "us_midterm" else " office"
    if later and office is not None and (ev.kind == "mx_presidential" or not holds):
        office_words += f"; the winner takes office on {office.isoformat()}"
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
            # a midterm decides the House, not the presidency: "loses office" read as the president out
            "reason": f"{ev.name}: the incumbent party {'holds' if holds else 'loses'}" + office_words,
            "changes": changes,
            "before": {k: env.get(k) for k in changes},
            "inputs": inputs,
            "sources": list(ev.sources) + g.rule_sources(rule),
            "vis": "all",
        }
    )


def _handover(g: GameCore, ev: Any, office: dt.date) -> None:
    """Rule C4: the president-elect takes office; the honeymoon and the successor's ceiling start today."""
    env = g.state.env
    flag = ELECT_FLAG.get(ev.kind)  # the winner waits under it until the handover reads it
    if flag is None or not env[flag]:
        return  # no vote was counted in this game (or the incumbent stayed): nobody new takes office
    pending: dict[str, Any] = {flag: False}
    if ev.kind == "mx_presidential":
        tokens = env["mx.goading_tokens"]
        cap = 70 + env["mx.successor_cap_adj"] - 10 * min(3, tokens)
        if env["flag.mx_elect_opposition"]:
            cap -= 5
        pending["flag.mx_elect_opposition"] = False
        pending["flag.mx_successor"] = True
        pending["flag.honeymoon_mx"] = 3.0
        pending["mx.coop_cap"] = g.new_value("mx.coop_cap", "set", max(20, cap), pending)
        pending["trust.us_mx"] = g.new_value("trust.us_mx", "add", -5 * min(3, tokens), pending)
        pending["mx.approval"] = g.new_value("mx.approval", "add", 10, pending)
        who = "Mexico's new president"
    else:
        pending["flag.us_new_admin"] = True
        pending["flag.honeymoon_us"] = 3.0
        who = "the new US administration"
    rule = "c4.transitions"
    g.effect(
        rule,
        f"{ev.name}, {ev.date}: {who} takes office on {office.isoformat()}",
        pending,
        [*ev.sources, *g.rule_sources(rule)],
        [{"vote": ev.date, "office": office.isoformat()}],
        vis="all",
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
    """The figure the dashboard showed ``months_ago`` months ago.

    A month the reporting lag reaches back before the game was shown as the starting value, so the review
    reads that too: it used to find nothing there and compared nothing, and the tutorial's third-turn
    review, promised by its inject, never showed.
    """
    hist = g.state.history.get(key, [])
    if not hist:
        return None
    ind = g.rb.indicators[key]
    return hist[max(0, len(hist) - 1 - ind.fog.lag - months_ago)]


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
