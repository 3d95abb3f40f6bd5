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
from precursor.game.teams import TRILATERAL

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
    per_game: bool = False  # ``chance`` drawn once a game rather than each turn
    refuse: tuple[str, ...] = ()  # refusal grounds on which it refuses a directed order (bots/refusals.py)
    reserve: bool = False  # its play's capital is kept when the persona weighs a deal (bots/commitments.py)


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
CheckParams = Callable[[Any, dict[str, Any]], str | None]


def compile_personas(
    doc: Doc,
    pf: S.PersonasFile,
    indicators: Mapping[str, S.Indicator],
    levers: Mapping[str, Any],
    modules: Mapping[str, Any],
    expr: Compile,
    report: Report,
    check_params: CheckParams,
) -> dict[str, CPersona]:
    c = _Compiler(doc, indicators, levers, modules, expr, report, check_params)
    out: dict[str, CPersona] = {}
    for pi, p in enumerate(pf.personas):
        path: Path_ = ("personas", pi)
        if p.id in out:
            report(doc, (*path, "id"), f"duplicate persona id '{p.id}'")
        out[p.id] = c.persona(path, p)
    for pi, p in enumerate(pf.personas):
        c.check_switch_targets(("personas", pi), p, out)
    return out


@dataclass(slots=True)
class _Compiler:
    """One personas file's compilation: the file, what its personas may name, and where problems go."""

    doc: Doc
    indicators: Mapping[str, S.Indicator]
    levers: Mapping[str, Any]
    modules: Mapping[str, Any]
    expr: Compile
    report: Report
    check_params: CheckParams

    def persona(self, path: Path_, p: S.Persona) -> CPersona:
        # hard rules and switches read what the persona's team sees; reject_if also sees the proposal
        plain = bot_symbols(p.team, self.indicators, self.levers, with_proposal=False)
        withp = bot_symbols(p.team, self.indicators, self.levers, with_proposal=True)
        var_w, tag_w = self.weights(path, p)
        rules: list[CHardRule] = []
        never: set[str] = set()
        for ri, r in enumerate(p.hard_rules):
            rule = self.hard_rule((*path, "hard_rules", ri), p, r, plain, withp)
            never.update(r.never)
            if rule is not None:
                rules.append(rule)
        if p.package is not None:
            self.check_package((*path, "package"), p, p.package)
        for ki, more in enumerate(p.packages):
            self.check_package((*path, "packages", ki), p, more)
        switches = self.switches(path, p, plain)
        return CPersona(p.id, p.team, p.name, p, var_w, tag_w, rules, switches, frozenset(never))

    def weights(self, path: Path_, p: S.Persona) -> tuple[dict[str, tuple[float, float]], dict[str, float]]:
        """Weights by indicator (weight, per), and by lever tag (summed over the terms naming it)."""
        var_w: dict[str, tuple[float, float]] = {}
        tag_w: dict[str, float] = {}
        for wi, w in enumerate(p.weights):
            if w.var is not None:
                if w.var not in self.indicators:
                    self.report(self.doc, (*path, "weights", wi, "var"), f"unknown indicator '{w.var}'")
                    continue
                var_w[w.var] = (w.weight, w.per)
            elif w.tag is not None:
                tag_w[w.tag] = tag_w.get(w.tag, 0.0) + w.weight
        return var_w, tag_w

    def hard_rule(
        self, rp: Path_, p: S.Persona, r: S.HardRule, plain: Symbols, withp: Symbols
    ) -> CHardRule | None:
        """The compiled rule, or None when one of its expressions failed (its problem is reported)."""
        doc, expr = self.doc, self.expr
        when = expr(doc, (*rp, "when"), r.when, plain, "bool") if r.when is not None else None
        chance = expr(doc, (*rp, "chance"), r.chance, plain, "num") if r.chance is not None else None
        rej = expr(doc, (*rp, "reject_if"), r.reject_if, withp, "bool") if r.reject_if is not None else None
        for ni, lid in enumerate(r.never):
            if lid not in self.levers:
                self.report(doc, (*rp, "never", ni), f"unknown lever '{lid}'")
        if r.play is not None:
            self.check_play(rp, p, r.play)
        if r.statement is not None and r.statement.target == p.team:
            self.report(doc, (*rp, "statement", "target"), "a statement cannot target the persona's own team")
        if (r.when is not None and when is None) or (r.chance is not None and chance is None):
            return None
        if r.reject_if is not None and rej is None:
            return None
        for gi, ground in enumerate(r.refuse):
            if not ground.startswith("refusal."):
                self.report(doc, (*rp, "refuse", gi), f"'{ground}' is not a refusal rule (refusal.*)")
        rule = CHardRule(r.id, when, chance, tuple(r.never), r.play, r.statement, rej, r.message, r.reason)
        rule.per_game = r.roll == "game"
        rule.refuse = tuple(r.refuse)
        rule.reserve = r.reserve
        if r.reserve and r.play is None:
            self.report(doc, (*rp, "reserve"), "reserve keeps capital for a play: the rule has no play")
        return rule

    def check_play(self, rp: Path_, p: S.Persona, play: S.PlannedOrder) -> None:
        """A rule's planned order names a lever of the persona's own team, with valid parameters."""
        lv = self.levers.get(play.lever)
        if lv is None:
            self.report(self.doc, (*rp, "play", "lever"), f"unknown lever '{play.lever}'")
        elif lv.team != p.team:
            self.report(
                self.doc, (*rp, "play", "lever"), f"{lv.code} is held by team {lv.team}, not {p.team}"
            )
        else:
            bad = self.check_params(lv, dict(play.params))
            if bad:
                self.report(self.doc, (*rp, "play", "params"), bad)

    def check_package(self, pp: Path_, p: S.Persona, pk: S.Package) -> None:
        """The preferred package could be proposed: its clauses, framing and modules are all valid."""
        parties: set[str] = {p.team, *pk.partner}
        for ci, c in enumerate(pk.clauses):
            self.check_clause((*pp, "clauses", ci), c, parties)
        if any(c.actor == "cn" for c in pk.clauses) and pk.framing not in (
            "china_initiative",
            "multilateral",
            "reciprocal",
            "us_demand_met",
        ):
            self.report(self.doc, (*pp, "framing"), "a Chinese commitment needs a framing (rule CS2)")
        for mi, m in enumerate(pk.modules):
            if m not in self.modules:
                self.report(self.doc, (*pp, "modules", mi), f"unknown module '{m}'")
        if pk.modules and not parties >= TRILATERAL:
            self.report(self.doc, (*pp, "modules"), "trilateral modules need the US, Mexico and Canada")

    def check_clause(self, cp: Path_, c: S.PackageClause, parties: set[str]) -> None:
        lv = self.levers.get(c.lever)
        if lv is None:
            self.report(self.doc, (*cp, "lever"), f"unknown lever '{c.lever}'")
            return
        if c.actor not in parties:
            self.report(self.doc, (*cp, "actor"), f"{c.actor} is not a party of the package")
        if lv.team != c.actor:
            self.report(self.doc, (*cp, "lever"), f"{lv.code} is held by team {lv.team}, not {c.actor}")
            return
        bad = self.check_params(lv, dict(c.params))
        if bad:
            self.report(self.doc, (*cp, "params"), bad)

    def switches(self, path: Path_, p: S.Persona, plain: Symbols) -> list[CSwitch]:
        switches: list[CSwitch] = []
        for si, sw in enumerate(p.switches):
            sp = (*path, "switches", si)
            w2 = self.expr(self.doc, (*sp, "when"), sw.when, plain, "bool")
            c2 = self.expr(self.doc, (*sp, "chance"), sw.chance, plain, "num")
            if w2 is not None and c2 is not None:
                switches.append(CSwitch(w2, sw.to, c2, sw.reason))
        return switches

    def check_switch_targets(self, path: Path_, p: S.Persona, personas: dict[str, CPersona]) -> None:
        """A persona switches only to another persona of its own team (checked once all are compiled)."""
        for si, sw in enumerate(p.switches):
            target = personas.get(sw.to)
            if target is None:
                self.report(self.doc, (*path, "switches", si, "to"), f"unknown persona '{sw.to}'")
            elif target.team != p.team:
                self.report(
                    self.doc, (*path, "switches", si, "to"), f"persona '{sw.to}' plays team {target.team}"
                )
