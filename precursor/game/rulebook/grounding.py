"""How grounded each entry's numbers are: its ``basis`` and the named parameters its expressions read.

Kept apart from the compiled entries the engine runs on, since only the tools read it: ``precursor rules
--basis`` counts it per family, and the after-action report says how much of a red line rests on
invented numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from precursor.game import schema as S
from precursor.game.expr import Expr
from precursor.game.loader import Doc
from precursor.game.rulebook.model import (
    CEffect,
    CLever,
    CModule,
    CRule,
    CScenario,
    CStatement,
    Grounding,
)


def _reads(exprs: Iterable[Expr | None]) -> frozenset[str]:
    """The parameter ids (without 'par.') the expressions read."""
    out: set[str] = set()
    for e in exprs:
        if e is not None:
            out |= {n.removeprefix("par.") for n in e.params}
    return frozenset(out)


def _effect_exprs(effects: Iterable[CEffect]) -> list[Expr | None]:
    return [x for ce in effects for x in (ce.value, ce.when, ce.chance)]


def _entry(
    family: str, group: str, eid: str, model: S.Grounded | S.MaybeGrounded, reads: frozenset[str]
) -> Grounding:
    return Grounding(family, group, eid, model.basis or "", model.confidence, model.locator, reads)


def collect(
    levers: dict[str, CLever],
    lever_models: dict[str, S.Lever],
    rules: list[CRule],
    rule_files: list[tuple[Doc, S.RulesFile]],
    statements: dict[str, CStatement],
    modules: dict[str, CModule],
    module_models: list[S.Module],
    flow: tuple[S.FlowModel | None, list[Expr]],
    others: list[tuple[str, str, str, S.Grounded]],
    parameters: dict[str, S.Parameter],
    scenarios: dict[str, CScenario],
) -> dict[str, Grounding]:
    """Every grounded entry by ``family:id`` (injects: ``inject:<scenario>/<id>``), in file order."""
    out: dict[str, Grounding] = {}

    def put(g: Grounding) -> None:
        out[f"{g.family}:{g.id}"] = g

    for lid, lv in levers.items():
        exprs = [
            lv.cost,
            *(c for c, _ in lv.preconditions),
            *_effect_exprs(lv.effects),
            *_effect_exprs(lv.lapse),
        ]
        put(_entry("lever", lv.team, lid, lever_models[lid], _reads(exprs)))
    compiled = {r.id: r for r in rules}
    for rdoc, rf in rule_files:
        group = rdoc.file.rsplit("/", 1)[-1].removesuffix(".yaml")
        for r in rf.rules:
            cr = compiled.get(r.id)
            reads = _reads(
                [] if cr is None else [cr.when, cr.chance, *cr.params.values(), *_effect_exprs(cr.effects)]
            )
            put(_entry("rule", f"{group}/{r.family}", r.id, r, reads))
    for sid, st in statements.items():
        put(_entry("statement", "statements", sid, st.model, _reads(_effect_exprs(st.effects))))
    for m in module_models:
        cm = modules.get(m.id)
        put(_entry("module", "modules", m.id, m, _reads([] if cm is None else _effect_exprs(cm.effects))))
    if flow[0] is not None:
        put(_entry("flow", "flow", flow[0].id, flow[0], _reads(flow[1])))
    for family, group, eid, model in others:
        put(_entry(family, group, eid, model, frozenset()))
    for pid, p in parameters.items():
        put(_entry("parameter", pid.split(".", 1)[0], pid, p, frozenset({pid})))
    for sc_id, sc in scenarios.items():
        models = {i.id: i for i in sc.model.injects}
        for inj in sc.injects:
            put(
                _entry(
                    "inject", sc_id, f"{sc_id}/{inj.id}", models[inj.id], _reads(_effect_exprs(inj.effects))
                )
            )
    return out


BASES = ("quoted", "direction", "outside", "invented")
# families in the order `precursor rules --basis` shows them, with how each is grouped
FAMILIES = (
    ("lever", "levers by team"),
    ("rule", "rules by file/family"),
    ("indicator", "indicators by group"),
    ("flow", "the flow model"),
    ("statement", "statement kinds"),
    ("module", "trilateral modules"),
    ("scoring", "scoring"),
    ("persona", "bot personas by team"),
    ("parameter", "named parameters by prefix"),
    ("inject", "scenario injects by scenario"),
)


def _tally(entries: Iterable[Grounding]) -> dict[str, int]:
    counts = dict.fromkeys((*BASES, "unstated"), 0)
    n = 0
    for g in entries:
        counts[g.basis or "unstated"] += 1
        n += 1
    counts["total"] = n
    return counts


def basis_counts(grounding: dict[str, Grounding]) -> list[dict[str, Any]]:
    """Per family, the count of each basis in every group and in all: what ``rules --basis`` shows."""
    out: list[dict[str, Any]] = []
    for family, title in FAMILIES:
        entries = [g for g in grounding.values() if g.family == family]
        if not entries:
            continue
        groups: dict[str, list[Grounding]] = {}
        for g in entries:
            groups.setdefault(g.group, []).append(g)
        out.append(
            {
                "family": family,
                "title": title,
                "groups": [{"group": k, **_tally(v)} for k, v in groups.items()],
                "all": _tally(entries),
            }
        )
    return out
