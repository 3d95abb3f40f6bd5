"""The compiler's running order: each section compiles one kind of file, in the order that lets the
later ones check the names the earlier ones defined."""

from __future__ import annotations

from precursor.game import schema as S
from precursor.game.loader import Doc, Problem
from precursor.game.rulebook.context import Ctx, Kinds, Known, many, one
from precursor.game.rulebook.flow import check_recomputed, compile_flow, recomputed_targets
from precursor.game.rulebook.grounding import collect
from precursor.game.rulebook.indicators import compile_indicators
from precursor.game.rulebook.inject_templates import compile_inject_templates
from precursor.game.rulebook.levers import compile_levers, lever_ids
from precursor.game.rulebook.model import CLever, Rulebook
from precursor.game.rulebook.modules import compile_modules
from precursor.game.rulebook.parameters import compile_parameters
from precursor.game.rulebook.personas import check_scenario_personas, compile_persona_file
from precursor.game.rulebook.rules import compile_rules, rules_by_step
from precursor.game.rulebook.scenarios import compile_scenarios
from precursor.game.rulebook.scoring import Scoring, compile_scoring
from precursor.game.rulebook.statements import compile_statements
from precursor.game.rulebook.symbols import act_symbols, base_symbols, parameter_constants, with_history
from precursor.game.rulebook.teams import compile_teams
from precursor.game.rulebook.white_cell import compile_white_cell


def build(ctx: Ctx, kinds: Kinds) -> Rulebook | None:
    """The compiled rulebook, or None when anything was wrong (the problems are then in ``ctx``)."""
    basis = _known(ctx, kinds)
    if basis is None:
        return None
    known, lever_files = basis
    rule_files = many(ctx, kinds, "rules", S.RulesFile)
    scenario_files = many(ctx, kinds, "scenario", S.ScenarioFile)
    levers = compile_levers(ctx, lever_files, known)
    rules = compile_rules(ctx, rule_files, known)
    flow, flow_constants, flow_meta = compile_flow(ctx, one(ctx, kinds, "flow", S.FlowFile), known)
    recomputed = recomputed_targets(flow, flow_constants)
    check_recomputed(ctx, recomputed, lever_files, rule_files, scenario_files)
    statements = compile_statements(ctx, one(ctx, kinds, "statements", S.StatementsFile), known)
    modules = compile_modules(ctx, one(ctx, kinds, "modules", S.ModulesFile), known)
    scoring_file = one(ctx, kinds, "scoring", S.ScoringFile)
    scoring = compile_scoring(ctx, scoring_file, known)
    scenarios = compile_scenarios(ctx, scenario_files, known)
    pf = one(ctx, kinds, "personas", S.PersonasFile)
    personas = compile_persona_file(ctx, pf, known, levers, modules)
    check_scenario_personas(ctx, scenarios, personas)
    _check_every_team_has_levers(ctx, levers)
    itf = one(ctx, kinds, "inject_templates", S.InjectTemplatesFile)
    inject_templates = compile_inject_templates(ctx, itf, known)
    white_cell = compile_white_cell(
        ctx,
        one(ctx, kinds, "white_cell", S.WhiteCellFile),
        known.indicators,
        known.sources,
        {t for t, _ in (*flow, *flow_constants)},
    )
    grounding = collect(
        levers,
        known.lever_models,
        rules,
        rule_files,
        statements,
        modules,
        _module_models(kinds),
        (flow_meta, [e for _, e in (*flow_constants, *flow)]),
        _other_grounded(known, scoring_file, pf),
        known.parameters,
        scenarios,
    )
    bonus, malus = scoring.bonus, scoring.malus
    if ctx.problems or flow_meta is None or bonus is None or malus is None:
        _report_missing_scoring(ctx, scoring, found=scoring_file is not None)
        return None
    return Rulebook(
        sources=known.sources,
        teams=known.teams,
        seats=known.seats,
        seat_team=known.seat_team,
        indicators=known.indicators,
        levers=levers,
        rules=rules,
        rules_by_step=rules_by_step(rules),
        on_act_rules=[r for r in rules if r.kind == "on_act"],
        mechanisms={r.id: r for r in rules if r.kind == "mechanism"},
        flow=flow,
        flow_constants=flow_constants,
        flow_meta=flow_meta,
        statements=statements,
        modules=modules,
        scoring=scoring.components,
        shared_bonus=bonus,
        shared_malus=malus,
        shared_points=scoring.shared_points,
        score_cap=scoring.cap,
        shared_bonus_words=scoring.bonus_words,
        shared_malus_words=scoring.malus_words,
        scenarios=scenarios,
        symbols=known.base,
        personas=personas,
        parameters=known.parameters,
        white_cell=white_cell,
        grounding=grounding,
        inject_templates=inject_templates,
    )


def _known(ctx: Ctx, kinds: Kinds) -> tuple[Known, list[tuple[Doc, S.LeversFile]]] | None:
    """Sources, teams, indicators and lever ids, which everything else is checked against, and the
    lever files read for their ids; None if the sources, teams or indicators file is missing or
    invalid, since nothing else can then be checked."""
    src = one(ctx, kinds, "sources", S.SourcesFile)
    teams_f = one(ctx, kinds, "teams", S.TeamsFile)
    ind_f = one(ctx, kinds, "indicators", S.IndicatorsFile)
    if src is None or teams_f is None or ind_f is None:
        if not ctx.problems:
            ctx.problems.append(
                Problem("rules", 1, "(files)", "sources, teams and indicators files are required")
            )
        return None
    sources = {s.file: s for s in src[1].sources}
    teams, seats, seat_team = compile_teams(ctx, teams_f[0], teams_f[1], sources)
    indicators = compile_indicators(ctx, ind_f[0], ind_f[1], sources)
    lever_files = many(ctx, kinds, "levers", S.LeversFile)
    ids = lever_ids(ctx, lever_files)
    parameters = compile_parameters(ctx, one(ctx, kinds, "parameters", S.ParametersFile), sources)
    base = with_history(base_symbols(indicators, ids), indicators, parameter_constants(parameters))
    known = Known(
        sources=sources,
        teams=teams,
        seats=seats,
        seat_team=seat_team,
        indicators=indicators,
        lever_ids=ids,
        lever_models={lv.id: lv for _, lf in lever_files for lv in lf.levers},
        base=base,
        act=act_symbols(base),
        parameters=parameters,
    )
    return known, lever_files


def _check_every_team_has_levers(ctx: Ctx, levers: dict[str, CLever]) -> None:
    for t in S.TEAMS:
        if not any(lv.team == t for lv in levers.values()):
            ctx.problems.append(Problem("rules/levers", 1, "(levers)", f"team '{t}' has no levers"))


def _report_missing_scoring(ctx: Ctx, scoring: Scoring, found: bool) -> None:
    """Without a shared bonus or malus the rulebook cannot score. The file is reported missing unless
    it validated (a bad expression of its own is then reported) or a problem already names it."""
    if (
        (scoring.bonus is None or scoring.malus is None)
        and not found
        and not any("scoring" in p.file for p in ctx.problems)
    ):
        ctx.problems.append(Problem("rules/scoring.yaml", 1, "(file)", "the scoring file is missing"))


def _module_models(kinds: Kinds) -> list[S.Module]:
    mf = one(Ctx(), kinds, "modules", S.ModulesFile)  # its problems were reported when it was compiled
    return [] if mf is None else list(mf[1].modules)


def _other_grounded(
    known: Known,
    scoring: tuple[Doc, S.ScoringFile] | None,
    personas: tuple[Doc, S.PersonasFile] | None,
) -> list[tuple[str, str, str, S.Grounded]]:
    """Entries whose numbers no named parameter reaches: indicators, scoring and personas."""
    out: list[tuple[str, str, str, S.Grounded]] = [
        ("indicator", ind.group or "other", iid, ind) for iid, ind in known.indicators.items()
    ]
    if scoring is not None:
        out.append(("scoring", "scoring", "scoring", scoring[1]))
    if personas is not None:
        out.extend(("persona", p.team, p.id, p) for p in personas[1].personas)
    return out
