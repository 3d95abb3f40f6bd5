"""Compiling ``rules/flow.yaml``, the monthly flow model, and keeping other files from fighting it."""

from __future__ import annotations

from collections.abc import Iterable

from precursor.game import schema as S
from precursor.game.expr import Expr
from precursor.game.loader import Doc, Path_, Problem
from precursor.game.rulebook.context import Ctx, Known, check_sources, suggest

Formulas = list[tuple[str, Expr]]
Flow = tuple[Formulas, Formulas, S.FlowModel | None]


def compile_flow(ctx: Ctx, ff: tuple[Doc, S.FlowFile] | None, known: Known) -> Flow:
    """The formulas, the constants, and the model itself (None when the file is missing or invalid)."""
    flow: Formulas = []
    flow_constants: Formulas = []
    if ff is None:
        ctx.problems.append(Problem("rules/flow.yaml", 1, "(file)", "the flow model file is missing"))
        return flow, flow_constants, None
    fdoc, fm = ff
    check_sources(ctx, fdoc, ("flow",), fm.flow, known.sources)
    for section, formulas, into in (
        ("constants", fm.flow.constants, flow_constants),
        ("formulas", fm.flow.formulas, flow),
    ):
        for fi, f in enumerate(formulas):
            p = ("flow", section, fi)
            if f.target not in known.indicators:
                msg = f"unknown indicator '{f.target}'{suggest(f.target, known.indicators)}"
                ctx.add(fdoc, (*p, "target"), msg)
                continue
            e = ctx.expr(fdoc, (*p, "value"), f.value, known.base, known.indicators[f.target].type)
            if e is not None:
                into.append((f.target, e))
    return flow, flow_constants, fm.flow


def recomputed_targets(flow: Formulas, flow_constants: Formulas) -> set[str]:
    """What the flow model recomputes from scratch every month. (Incremental formulas read their own
    target, so changes to it carry over.)"""
    return {t for t, e in flow if t not in e.names} | {t for t, _ in flow_constants}


def check_recomputed(
    ctx: Ctx,
    recomputed: set[str],
    lever_files: list[tuple[Doc, S.LeversFile]],
    rule_files: list[tuple[Doc, S.RulesFile]],
    scenario_files: list[tuple[Doc, S.ScenarioFile]],
) -> None:
    """Effects on a variable the flow model recomputes would vanish at the next month; authors must
    change one of its inputs instead."""
    for ldoc, lf in lever_files:
        for li, lv in enumerate(lf.levers):
            _check(ctx, ldoc, ("levers", li, "effects"), lv.effects, recomputed)
            _check(ctx, ldoc, ("levers", li, "lapse"), lv.lapse, recomputed)
    for rdoc, rf in rule_files:
        for ri, r in enumerate(rf.rules):
            _check(ctx, rdoc, ("rules", ri, "effects"), r.effects, recomputed)
    for sdoc, scf in scenario_files:
        for ii, inj in enumerate(scf.scenario.injects):
            _check(ctx, sdoc, ("scenario", "injects", ii, "effects"), inj.effects, recomputed)


def _check(ctx: Ctx, doc: Doc, path: Path_, effects: Iterable[S.Effect], recomputed: set[str]) -> None:
    for ei, e in enumerate(effects):
        if e.target in recomputed:
            ctx.add(doc, (*path, ei, "target"), _recomputed_msg(e.target))


def _recomputed_msg(target: str) -> str:
    return (
        f"'{target}' is recomputed every month by the flow model (rules/flow.yaml), so this change would "
        "not last; change one of its inputs instead"
    )
