"""Compiling ``rules/white_cell.yaml``: the indicator families a free action may claim, the likelihood
bands, the cost, and the bot white cell's weights.

The checks here keep a claim honest at load time, so the engine need not: each family's indicators exist,
are numbers, are not recomputed every month by the flow model (a claimed change would be overwritten
before anyone saw it), and belong to one family only, so a claim's amount is never ambiguous.
"""

from __future__ import annotations

from precursor.game import schema as S
from precursor.game.loader import Doc
from precursor.game.rulebook.context import Ctx, check_sources, suggest
from precursor.game.rulebook.model import CFamily, CWhiteCell


def compile_white_cell(
    ctx: Ctx,
    wf: tuple[Doc, S.WhiteCellFile] | None,
    indicators: dict[str, S.Indicator],
    sources: dict[str, S.SourceDoc],
    recomputed: set[str],
) -> CWhiteCell | None:
    """The compiled white cell, or None without a file (free actions are then refused)."""
    if wf is None:
        return None
    doc, f = wf
    wc = f.white_cell
    check_sources(ctx, doc, ("white_cell",), wc, sources)
    families: dict[str, CFamily] = {}
    family_of: dict[str, str] = {}
    for i, fam in enumerate(wc.families):
        path = ("white_cell", "families", i)
        check_sources(ctx, doc, path, fam, sources)
        if fam.id in families:
            ctx.add(doc, (*path, "id"), f"duplicate family id '{fam.id}'")
            continue
        kept: list[str] = []
        for j, iid in enumerate(fam.indicators):
            where = (*path, "indicators", j)
            ind = indicators.get(iid)
            if ind is None:
                ctx.add(doc, where, f"unknown indicator '{iid}'{suggest(iid, indicators)}")
            elif ind.type != "num":
                ctx.add(doc, where, f"'{iid}' is a flag, not a number a free action can move")
            elif iid in recomputed:
                ctx.add(doc, where, f"'{iid}' is recomputed monthly by the flow model; claim what drives it")
            elif iid in family_of:
                ctx.add(doc, where, f"'{iid}' is already in family '{family_of[iid]}'")
            else:
                family_of[iid] = fam.id
                kept.append(iid)
        a = fam.amounts
        families[fam.id] = CFamily(
            id=fam.id,
            name=fam.name,
            indicators=tuple(kept),
            amounts={"small": a.small, "medium": a.medium, "large": a.large},
            basis=fam.basis,
        )
    b, c, bot = wc.bands, wc.cost, wc.bot
    return CWhiteCell(
        families=families,
        family_of=family_of,
        bands={band: float(getattr(b, band)) for band in S.BANDS},
        cost={"small": c.small, "medium": c.medium, "large": c.large},
        per_turn=wc.per_turn,
        bot=bot,
    )
