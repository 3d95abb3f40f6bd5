"""Compiling ``rules/scoring.yaml``: the score components, their weights per team, and the shared
bonus and malus."""

from __future__ import annotations

from dataclasses import dataclass, field

from precursor.game import schema as S
from precursor.game.expr import Expr
from precursor.game.loader import Doc
from precursor.game.rulebook.context import Ctx, Known, check_sources
from precursor.game.rulebook.model import CScoreComponent
from precursor.game.rulebook.wording import internal_words, internal_words_error


@dataclass(slots=True)
class Scoring:
    """What the scoring file compiled to; ``bonus`` or ``malus`` is None when the file is missing,
    invalid, or its expression did not compile."""

    components: list[CScoreComponent] = field(default_factory=list)
    bonus: Expr | None = None
    malus: Expr | None = None
    shared_points: float = 5.0
    cap: float = 10.0
    bonus_words: str = ""
    malus_words: str = ""


def compile_scoring(ctx: Ctx, scf: tuple[Doc, S.ScoringFile] | None, known: Known) -> Scoring:
    out = Scoring()
    if scf is None:
        return out
    scdoc, sc = scf
    check_sources(ctx, scdoc, (), sc, known.sources)
    for ci, comp in enumerate(sc.components):
        out.components.append(_component(ctx, scdoc, ci, comp, known))
    for t in S.TEAMS:
        total = sum(c.weights.get(t, 0.0) for c in sc.components)
        if abs(total - 10.0) > 1e-6:
            ctx.add(scdoc, ("components",), f"weights of team '{t}' add up to {total:g}, not 10")
    out.bonus = ctx.expr(scdoc, ("shared_bonus",), sc.shared_bonus, known.base, "bool")
    out.malus = ctx.expr(scdoc, ("shared_malus",), sc.shared_malus, known.base, "bool")
    out.shared_points = sc.shared_points
    out.cap = sc.cap
    names = [*known.base.names, *known.base.constants]
    for key, said in (
        ("shared_bonus_explain", sc.shared_bonus_explain),
        ("shared_malus_explain", sc.shared_malus_explain),
    ):
        found = internal_words(said, names)
        if found:
            ctx.add(scdoc, (key,), internal_words_error("the shared term's explanation", found))
    out.bonus_words, out.malus_words = sc.shared_bonus_explain, sc.shared_malus_explain
    return out


def _component(ctx: Ctx, doc: Doc, ci: int, comp: S.ScoreComponent, known: Known) -> CScoreComponent:
    """A component with each team's value formula: its own where it has one, else the common one."""
    p = ("components", ci)
    vals: dict[str, Expr] = {}
    for t in S.TEAMS:
        text = comp.value_by_team.get(t, comp.value)
        pp = (*p, "value_by_team", t) if t in comp.value_by_team else (*p, "value")
        e = ctx.expr(doc, pp, text, known.base, "num")
        if e is not None:
            vals[t] = e
    explain: dict[str, str] = {}
    names = [*known.base.names, *known.base.constants]
    texts: list[tuple[str, str]] = [("", comp.explain), *comp.explain_by_team.items()]
    weights: dict[str, float] = dict(comp.weights.items())
    for who, said in texts:
        at = (*p, "explain_by_team", who) if who else (*p, "explain")
        if who and not weights.get(who):
            ctx.add(doc, at, f"team '{who}' has no weight for this component: its explanation is never shown")
        found = internal_words(said, names)
        if found:
            ctx.add(doc, at, internal_words_error("a component's explanation", found))
    for t, w in comp.weights.items():
        if w:
            explain[t] = comp.explain_by_team.get(t, comp.explain)
    return CScoreComponent(comp.id, comp.name, vals, weights, explain)
