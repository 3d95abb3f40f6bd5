"""Compiling ``rules/indicators.yaml``: the state variables every expression and effect names."""

from __future__ import annotations

from precursor.game import schema as S
from precursor.game.loader import Doc
from precursor.game.rulebook.context import Ctx, check_sources


def compile_indicators(
    ctx: Ctx, doc: Doc, inf: S.IndicatorsFile, sources: dict[str, S.SourceDoc]
) -> dict[str, S.Indicator]:
    indicators: dict[str, S.Indicator] = {}
    for ii, ind in enumerate(inf.indicators):
        if ind.id in indicators:
            ctx.add(doc, ("indicators", ii, "id"), f"duplicate indicator id '{ind.id}'")
        indicators[ind.id] = ind
        check_sources(ctx, doc, ("indicators", ii), ind, sources)
    return indicators
