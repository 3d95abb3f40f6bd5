"""Compiling ``rules/statements.yaml``: the kinds of public statement and what each one does."""

from __future__ import annotations

from precursor.game import schema as S
from precursor.game.loader import Doc
from precursor.game.rulebook.context import Ctx, Known, check_sources
from precursor.game.rulebook.effects import compile_effects
from precursor.game.rulebook.model import CStatement


def compile_statements(
    ctx: Ctx, sf: tuple[Doc, S.StatementsFile] | None, known: Known
) -> dict[str, CStatement]:
    statements: dict[str, CStatement] = {}
    if sf is None:
        return statements
    sdoc, smf = sf
    for si, st in enumerate(smf.statements):
        p = ("statements", si)
        check_sources(ctx, sdoc, p, st, known.sources)
        eff = compile_effects(ctx, sdoc, (*p, "effects"), st.effects, known.act, known.indicators, 0)
        statements[st.id] = CStatement(
            st.id, st.name, st, eff, frozenset(st.tags), st.reason, tuple(st.sources)
        )
    return statements
