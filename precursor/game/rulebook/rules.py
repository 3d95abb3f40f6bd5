"""Compiling the rule files (``rules/*.yaml`` with a ``rules`` key): periodic rules, on_act rules
and the mechanisms the engine calls by id, in the order the engine runs them."""

from __future__ import annotations

from precursor.game import schema as S
from precursor.game.expr import Expr, Symbols
from precursor.game.loader import Doc, Path_
from precursor.game.rulebook.context import Ctx, Known, check_sources, suggest
from precursor.game.rulebook.effects import compile_effects
from precursor.game.rulebook.model import CRule
from precursor.game.rulebook.symbols import lever_symbols

RuleFiles = list[tuple[Doc, S.RulesFile]]


def compile_rules(ctx: Ctx, rule_files: RuleFiles, known: Known) -> list[CRule]:
    """Every rule, sorted by step, then order, then id."""
    rules: list[CRule] = []
    rule_ids: set[str] = set()
    for rdoc, rf in rule_files:
        for ri, r in enumerate(rf.rules):
            path = ("rules", ri)
            if r.id in rule_ids:
                ctx.add(rdoc, (*path, "id"), f"duplicate rule id '{r.id}'")
            rule_ids.add(r.id)
            rules.append(_rule(ctx, rdoc, path, r, known))
    rules.sort(key=lambda r: (S.STEPS.index(r.step), r.order, r.id))
    return rules


def rules_by_step(rules: list[CRule]) -> dict[str, list[CRule]]:
    """The periodic rules of each step, in running order."""
    by_step: dict[str, list[CRule]] = {s: [] for s in S.STEPS}
    for r in rules:
        if r.kind == "periodic":
            by_step[r.step].append(r)
    return by_step


def _rule(ctx: Ctx, doc: Doc, path: Path_, r: S.Rule, known: Known) -> CRule:
    """A rule is kept even when one of its expressions failed: the load fails anyway, and the rule's
    id still counts for the checks that follow."""
    check_sources(ctx, doc, path, r, known.sources)
    syms = _symbols(r, known)
    when = ctx.expr(doc, (*path, "when"), r.when, syms, "bool") if r.when is not None else None
    chance = ctx.expr(doc, (*path, "chance"), r.chance, syms, "num") if r.chance is not None else None
    effects = compile_effects(ctx, doc, (*path, "effects"), r.effects, syms, known.indicators, 0)
    rparams: dict[str, Expr] = {}
    for k, v in r.params.items():
        e = ctx.expr(doc, (*path, "params", k), v, known.act)
        if e is not None:
            rparams[k] = e
    if r.match is not None:
        for li, lid in enumerate(r.match.levers):
            if lid not in known.lever_ids:
                msg = f"unknown lever '{lid}'{suggest(lid, known.lever_ids)}"
                ctx.add(doc, (*path, "match", "levers", li), msg)
    return CRule(
        r.id,
        r.family,
        r.name,
        r.kind,
        r.step,
        r.every,
        when,
        chance,
        r.match,
        effects,
        rparams,
        r.reason,
        r.order,
        tuple(r.sources),
    )


def _symbols(r: S.Rule, known: Known) -> Symbols:
    """What a rule's expressions may read: an on_act rule also sees the act, and an on_act rule tied
    to named levers also sees their parameters."""
    if r.kind != "on_act":
        return known.base
    if r.match is not None and r.match.levers:
        models = known.lever_models
        lparams = [p for lid in r.match.levers if lid in models for p in models[lid].params]
        return lever_symbols(known.act, lparams)
    return known.act
