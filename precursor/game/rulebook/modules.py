"""Compiling ``rules/modules.yaml``: the trilateral USMCA modules a package may carry."""

from __future__ import annotations

from precursor.game import schema as S
from precursor.game.loader import Doc
from precursor.game.rulebook.context import Ctx, Known, check_sources
from precursor.game.rulebook.effects import compile_effects
from precursor.game.rulebook.model import CModule


def compile_modules(ctx: Ctx, mf: tuple[Doc, S.ModulesFile] | None, known: Known) -> dict[str, CModule]:
    modules: dict[str, CModule] = {}
    if mf is None:
        return modules
    mdoc, mmf = mf
    for mi, m in enumerate(mmf.modules):
        p = ("modules", mi)
        check_sources(ctx, mdoc, p, m, known.sources)
        eff = compile_effects(ctx, mdoc, (*p, "effects"), m.effects, known.base, known.indicators, 0)
        modules[m.id] = CModule(m.id, m.name, eff, m.reason, tuple(m.sources))
    return modules
