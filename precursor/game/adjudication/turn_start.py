"""The start of a turn: the election-calendar windows (rule C1), lapsed proposals and tokens, injects."""

from __future__ import annotations

import datetime as dt
from typing import Any

from precursor.game.adjudication.consent import revoke_token
from precursor.game.core import GameCore
from precursor.game.handover import office_day
from precursor.game.months import add_months


def iso_date(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def _months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def turn_months(g: GameCore) -> list[dt.date]:
    return [add_months(g.state.start, g.state.month_index + k) for k in range(g.state.months_per_turn)]


def office_date(g: GameCore, ev: Any) -> dt.date | None:
    """The day an election's winner takes office, or None when the vote itself changes hands (a midterm).

    The vote and the handover are kept apart because the calendar keeps them apart: a US president is
    sworn in on 20 January, Mexico's on the first of the month ``mx_transition_months`` after the vote
    (1 October since the 2024 reform), while a Canadian ministry governs on through its election.
    """
    return office_day(ev.kind, ev.date, int(g.param("c1.windows", "mx_transition_months", 4)))


def windows_for(g: GameCore, months: list[dt.date]) -> dict[str, bool]:
    """Election-calendar windows (rule C1) for the months of a turn."""
    r = "c1.windows"
    us_pres = g.param(r, "us_presidential_months", 6)
    us_mid = g.param(r, "us_midterm_months", 3)
    mx_pres = g.param(r, "mx_campaign_months", 6)
    ca_fed = g.param(r, "ca_campaign_months", 2)
    npc = g.param(r, "npc_month", 3)
    out = {k: False for k in ("us_campaign", "mx_campaign", "ca_campaign", "us_lame_duck", "mx_transition")}
    out["cn_political"] = any(m.month == npc for m in months)
    for ev in g.sc.model.calendar:
        d = iso_date(ev.date)
        for m in months:
            before = _months_between(m, d)  # months until the election (0 = election month)
            if ev.kind == "us_presidential":
                if 0 <= before < us_pres:
                    out["us_campaign"] = True
                inaug = office_date(g, ev)
                if inaug is not None and d < m.replace(day=28) and m <= inaug:
                    out["us_lame_duck"] = True
            elif ev.kind == "us_midterm" and 0 <= before < us_mid:
                out["us_campaign"] = True
            elif ev.kind == "mx_presidential":
                if 0 <= before < mx_pres:
                    out["mx_campaign"] = True
                # the months after the vote's and before the handover's: from the handover on she governs
                handover = office_date(g, ev)
                if handover is not None and before < 0 and m < handover.replace(day=1):
                    out["mx_transition"] = True
            elif ev.kind == "ca_federal" and 0 <= before < ca_fed:
                out["ca_campaign"] = True
            elif ev.kind == "cn_party_congress" and before == 0:
                out["cn_political"] = True
    return out


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
    # proposals nobody answered in time, and those whose first promise fell due in a turn now over: signed
    # late, that turn was never checked, so the deal was "honoured" (and its approval paid) for nothing
    for p in list(st.proposals.values()):
        first_due = min((int(c["start_turn"]) for c in p["clauses"]), default=st.turn)
        if p["status"] == "open" and (p["expires_turn"] < st.turn or first_due < st.turn):
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
            revoke_token(g, tok, "the consent token expired", "a4.consent_tokens")
    _injects(g)


def _injects(g: GameCore) -> None:
    st, env = g.state, g.state.env
    for inj in g.sc.injects:
        if inj.deck:
            continue
        fired = env.get(f"inject.{inj.id}", False)
        if inj.turn is not None:
            # a timed inject may also carry a condition: the tutorial's hint names a module only while
            # that module is still to be signed
            if inj.turn != st.turn or (inj.when is not None and not inj.when.fn(env)):
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
