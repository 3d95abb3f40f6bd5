"""Compiling ``rules/personas.yaml`` (the work itself is in :mod:`precursor.game.persona_rules`) and
checking the default personas each scenario names."""

from __future__ import annotations

from precursor.game import schema as S
from precursor.game.loader import Doc, Problem
from precursor.game.persona_rules import CPersona, compile_personas
from precursor.game.rulebook.context import Ctx, Known, check_sources
from precursor.game.rulebook.levers import param_problem
from precursor.game.rulebook.model import CLever, CModule, CScenario


def compile_persona_file(
    ctx: Ctx,
    pf: tuple[Doc, S.PersonasFile] | None,
    known: Known,
    levers: dict[str, CLever],
    modules: dict[str, CModule],
) -> dict[str, CPersona]:
    if pf is None:
        return {}
    pdoc, pmodel = pf
    for pi, pm in enumerate(pmodel.personas):
        check_sources(ctx, pdoc, ("personas", pi), pm, known.sources)
    return compile_personas(pdoc, pmodel, known.indicators, levers, modules, ctx.expr, ctx.add, param_problem)


def check_scenario_personas(ctx: Ctx, scenarios: dict[str, CScenario], personas: dict[str, CPersona]) -> None:
    """Each scenario's default personas exist and play the team they are named for. Without any
    persona (no personas file, or one that failed validation and reports that) there is nothing to
    check them against."""
    for sc in scenarios.values():
        for team, pid in sc.model.personas.items():
            if personas and (pid not in personas or personas[pid].team != team):
                ctx.problems.append(
                    Problem(sc.file, 1, f"scenario.personas.{team}", f"no persona '{pid}' for team {team}")
                )
