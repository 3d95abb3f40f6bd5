"""Step 1, statements: praise, blame, threats, commitments and acknowledgements (rule D7)."""

from __future__ import annotations

from typing import Any

from precursor.game.adjudication.tension import add_tension
from precursor.game.core import GameCore
from precursor.game.schema import TEAMS
from precursor.game.teams import pair


def statements(g: GameCore) -> None:
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
                        add_tension(g, pending, m.st, military=(s["kind"] == "threat"), inputs=st_inputs)
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
