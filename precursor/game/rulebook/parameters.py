"""Compiling ``rules/parameters.yaml``: the named, bounded numbers expressions read as ``par.<id>``.

They are read before anything else that holds expressions, since every later file may name them.
"""

from __future__ import annotations

from precursor.game import schema as S
from precursor.game.loader import Doc
from precursor.game.rulebook.context import Ctx, check_sources


def compile_parameters(
    ctx: Ctx, pf: tuple[Doc, S.ParametersFile] | None, sources: dict[str, S.SourceDoc]
) -> dict[str, S.Parameter]:
    """Every parameter by id; without a parameters file there are none, and any ``par.`` name is unknown."""
    out: dict[str, S.Parameter] = {}
    if pf is None:
        return out
    doc, f = pf
    for i, p in enumerate(f.parameters):
        path = ("parameters", i)
        check_sources(ctx, doc, path, p, sources)
        if p.id in out:
            ctx.add(doc, (*path, "id"), f"duplicate parameter id '{p.id}'")
            continue
        out[p.id] = p
    return out
