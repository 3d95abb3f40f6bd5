"""Compiling the effect lists that levers, rules, statements, modules and injects all carry."""

from __future__ import annotations

from collections.abc import Mapping

from precursor.game import schema as S
from precursor.game.expr import Symbols, Type
from precursor.game.loader import Doc, Path_
from precursor.game.rulebook.context import Ctx, suggest
from precursor.game.rulebook.model import CEffect


def compile_effects(
    ctx: Ctx,
    doc: Doc,
    path: Path_,
    effects: list[S.Effect],
    symbols: Symbols,
    indicators: Mapping[str, S.Indicator],
    default_lag: int = 0,
) -> list[CEffect]:
    """The effects that compiled; each one that did not adds its problem and is left out."""
    out: list[CEffect] = []
    for i, e in enumerate(effects):
        p = (*path, i)
        ind = indicators.get(e.target)
        if ind is None:
            ctx.add(doc, (*p, "target"), f"unknown indicator '{e.target}'{suggest(e.target, indicators)}")
            continue
        expect: Type = ind.type
        if ind.type == "bool" and e.op not in ("set",):
            ctx.add(doc, (*p, "op"), f"'{e.target}' is a bool: only 'set' applies")
            continue
        value = ctx.expr(doc, (*p, "value"), e.value, symbols, expect)
        when = ctx.expr(doc, (*p, "when"), e.when, symbols, "bool") if e.when is not None else None
        chance = ctx.expr(doc, (*p, "chance"), e.chance, symbols, "num") if e.chance is not None else None
        if (
            value is None
            or (e.when is not None and when is None)
            or (e.chance is not None and chance is None)
        ):
            continue
        out.append(
            CEffect(
                target=e.target,
                op=e.op,
                value=value,
                lag=default_lag if e.lag is None else e.lag,
                when=when,
                chance=chance,
                visibility=e.visibility,
                reason=e.reason,
                roll=e.roll,
            )
        )
    return out
