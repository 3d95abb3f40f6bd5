"""Compiling bot personalities (``rules/personas.yaml``) against what their team can see.

A persona's conditions are checked at load time against the names its own team's view provides, so a
bot cannot even be written to read a hidden value: "bots read their seat's view only" holds by
construction, not by discipline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from precursor.game import schema as S
from precursor.game.expr import Expr, Symbols, Type
from precursor.game.loader import Doc, Path_

CLOCK = ("turn", "turns", "month", "month_index", "months_per_turn")
WINDOWS = ("us_campaign", "mx_campaign", "ca_campaign", "us_lame_duck", "mx_transition", "cn_political")


@dataclass(slots=True)
class CHardRule:
    id: str
    when: Expr | None
    chance: Expr | None
    never: tuple[str, ...]
    play: S.PlannedOrder | None
    statement: S.PlannedStatement | None
    reject_if: Expr | None
    message: str
    reason: str


@dataclass(slots=True)
class CSwitch:
    when: Expr
    to: str
    chance: Expr
    reason: str


@dataclass(slots=True)
class CPersona:
    id: str
    team: str
    name: str
    model: S.Persona
    var_weights: dict[str, tuple[float, float]]  # var -> (weight, per)
    tag_weights: dict[str, float]
    hard_rules: list[CHardRule]
    switches: list[CSwitch]
    never: frozenset[str] = field(default_factory=frozenset)


def team_readable(ind: S.Indicator, team: str) -> bool:
    """Whether a team's view shows this indicator at all (exactly, or as a lagged or noisy estimate)."""
    if ind.owner == team:
        return True
    fog = ind.fog_by_team.get(team, ind.fog)  # type: ignore[call-overload]
    return ind.public and not fog.hidden


def bot_symbols(
    team: str, indicators: Mapping[str, S.Indicator], levers: Mapping[str, Any], with_proposal: bool
) -> Symbols:
    names: dict[str, Type] = {}
    for iid, ind in indicators.items():
        if team_readable(ind, team):
            names[iid] = ind.type
            names[f"start.{iid}"] = ind.type
            if ind.type == "num":
                names[f"trend.{iid}"] = "num"
    for c in CLOCK:
        names[c] = "num"
    for w in WINDOWS:
        names[f"window.{w}"] = "bool"
    for m in ("t1", "t2", "t3", "t4", "t5"):
        names[f"module.{m}"] = "bool"
    for lid, lv in levers.items():
        if getattr(lv, "team", None) == team:
            names[f"count.{lid}"] = "num"
            names[f"streak.{lid}"] = "num"
            names[f"played.{lid}"] = "bool"
    if with_proposal:
        names.update({"prop.linkage": "bool", "prop.public": "bool", "prop.trilateral": "bool"})
        names.update({"prop.framing": "str", "prop.parties": "num", "prop.modules": "num"})
        for lid in levers:
            names[f"prop.gives.{lid}"] = "bool"
            names[f"prop.asks.{lid}"] = "bool"
    return Symbols(names=names)


Compile = Callable[[Doc, Path_, Any, Symbols, Type | None], Expr | None]
Report = Callable[[Doc, Path_, str], None]


def compile_personas(
    doc: Doc,
    pf: S.PersonasFile,
    indicators: Mapping[str, S.Indicator],
    levers: Mapping[str, Any],
    modules: Mapping[str, Any],
    expr: Compile,
    report: Report,
    check_params: Callable[[Any, dict[str, Any]], str | None],
) -> dict[str, CPersona]:
    out: dict[str, CPersona] = {}
    for pi, p in enumerate(pf.personas):
        path: Path_ = ("personas", pi)
        if p.id in out:
            report(doc, (*path, "id"), f"duplicate persona id '{p.id}'")
        plain = bot_symbols(p.team, indicators, levers, with_proposal=False)
        withp = bot_symbols(p.team, indicators, levers, with_proposal=True)
        var_w: dict[str, tuple[float, float]] = {}
        tag_w: dict[str, float] = {}
        for wi, w in enumerate(p.weights):
            if w.var is not None:
                if w.var not in indicators:
                    report(doc, (*path, "weights", wi, "var"), f"unknown indicator '{w.var}'")
                    continue
                var_w[w.var] = (w.weight, w.per)
            elif w.tag is not None:
                tag_w[w.tag] = tag_w.get(w.tag, 0.0) + w.weight
        rules: list[CHardRule] = []
        never: set[str] = set()
        for ri, r in enumerate(p.hard_rules):
            rp = (*path, "hard_rules", ri)
            when = expr(doc, (*rp, "when"), r.when, plain, "bool") if r.when is not None else None
            chance = expr(doc, (*rp, "chance"), r.chance, plain, "num") if r.chance is not None else None
            rej = (
                expr(doc, (*rp, "reject_if"), r.reject_if, withp, "bool") if r.reject_if is not None else None
            )
            for ni, lid in enumerate(r.never):
                if lid not in levers:
                    report(doc, (*rp, "never", ni), f"unknown lever '{lid}'")
                never.add(lid)
            if r.play is not None:
                lv = levers.get(r.play.lever)
                if lv is None:
                    report(doc, (*rp, "play", "lever"), f"unknown lever '{r.play.lever}'")
                elif lv.team != p.team:
                    report(doc, (*rp, "play", "lever"), f"{lv.code} is held by team {lv.team}, not {p.team}")
                else:
                    bad = check_params(lv, dict(r.play.params))
                    if bad:
                        report(doc, (*rp, "play", "params"), bad)
            if r.statement is not None and r.statement.target == p.team:
                report(doc, (*rp, "statement", "target"), "a statement cannot target the persona's own team")
            if (r.when is not None and when is None) or (r.chance is not None and chance is None):
                continue
            if r.reject_if is not None and rej is None:
                continue
            rules.append(
                CHardRule(r.id, when, chance, tuple(r.never), r.play, r.statement, rej, r.message, r.reason)
            )
        if p.package is not None:
            pk = p.package
            parties = {p.team, *pk.partner}
            for ci, c in enumerate(pk.clauses):
                cp = (*path, "package", "clauses", ci)
                lv = levers.get(c.lever)
                if lv is None:
                    report(doc, (*cp, "lever"), f"unknown lever '{c.lever}'")
                    continue
                if c.actor not in parties:
                    report(doc, (*cp, "actor"), f"{c.actor} is not a party of the package")
                if lv.team != c.actor:
                    report(doc, (*cp, "lever"), f"{lv.code} is held by team {lv.team}, not {c.actor}")
                    continue
                bad = check_params(lv, dict(c.params))
                if bad:
                    report(doc, (*cp, "params"), bad)
            if any(c.actor == "cn" for c in pk.clauses) and pk.framing not in (
                "china_initiative",
                "multilateral",
                "reciprocal",
                "us_demand_met",
            ):
                report(doc, (*path, "package", "framing"), "a Chinese commitment needs a framing (rule CS2)")
            for mi, m in enumerate(pk.modules):
                if m not in modules:
                    report(doc, (*path, "package", "modules", mi), f"unknown module '{m}'")
            if pk.modules and not {"us", "mx", "ca"} <= parties:
                report(
                    doc, (*path, "package", "modules"), "trilateral modules need the US, Mexico and Canada"
                )
        switches: list[CSwitch] = []
        for si, sw in enumerate(p.switches):
            sp = (*path, "switches", si)
            w2 = expr(doc, (*sp, "when"), sw.when, plain, "bool")
            c2 = expr(doc, (*sp, "chance"), sw.chance, plain, "num")
            if w2 is not None and c2 is not None:
                switches.append(CSwitch(w2, sw.to, c2, sw.reason))
        out[p.id] = CPersona(p.id, p.team, p.name, p, var_w, tag_w, rules, switches, frozenset(never))
    for pi, p in enumerate(pf.personas):
        for si, sw in enumerate(p.switches):
            target = out.get(sw.to)
            if target is None:
                report(doc, ("personas", pi, "switches", si, "to"), f"unknown persona '{sw.to}'")
            elif target.team != p.team:
                report(
                    doc, ("personas", pi, "switches", si, "to"), f"persona '{sw.to}' plays team {target.team}"
                )
    return out
