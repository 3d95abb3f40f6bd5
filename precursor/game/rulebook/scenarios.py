"""Compiling the scenario files (``scenarios/*.yaml``): starting values, injects, secret objectives,
and the player seats that share out the rulebook's seats."""

from __future__ import annotations

from precursor.game import schema as S
from precursor.game.expr import Symbols, Type
from precursor.game.handover import office_day, waiting_at_start
from precursor.game.loader import Doc, Path_
from precursor.game.rulebook.context import Ctx, Known, check_sources, suggest
from precursor.game.rulebook.effects import compile_effects
from precursor.game.rulebook.model import CInject, CObjective, CScenario
from precursor.game.rulebook.symbols import base_symbols, with_history
from precursor.game.rulebook.wording import internal_words, internal_words_error

ScenarioFiles = list[tuple[Doc, S.ScenarioFile]]
ROOT: Path_ = ("scenario",)


def compile_scenarios(ctx: Ctx, scenario_files: ScenarioFiles, known: Known) -> dict[str, CScenario]:
    scenarios: dict[str, CScenario] = {}
    for sdoc, scf in scenario_files:
        sc = scf.scenario
        check_sources(ctx, sdoc, ROOT, sc, known.sources)
        if sc.id in scenarios:
            ctx.add(sdoc, (*ROOT, "id"), f"duplicate scenario id '{sc.id}' (also {scenarios[sc.id].file})")
        _check_starting_values(ctx, sdoc, sc, known.indicators)
        _check_votes_before_start(ctx, sdoc, sc)
        # a scenario's expressions may also ask whether one of its own injects has fired
        inject_names: dict[str, Type] = {f"inject.{i.id}": "bool" for i in sc.injects}
        ssyms = with_history(
            base_symbols(known.indicators, known.lever_ids, inject_names),
            known.indicators,
            known.base.constants,
        )
        injects = _injects(ctx, sdoc, sc, ssyms, known)
        objectives = _objectives(ctx, sdoc, sc, ssyms, known)
        for team_id, tseats in sc.seats.items():
            _check_seats(ctx, sdoc, team_id, tseats, known)
        scenarios[sc.id] = CScenario(sc, injects, objectives, ssyms, sdoc.file)
    return scenarios


def _check_starting_values(ctx: Ctx, doc: Doc, sc: S.Scenario, indicators: dict[str, S.Indicator]) -> None:
    for k, v in sc.starting_values.items():
        kp = (*ROOT, "starting_values", k)
        ind = indicators.get(k)
        if ind is None:
            ctx.add(doc, kp, f"unknown indicator '{k}'{suggest(k, indicators)}")
            continue
        if ind.type == "bool" and not isinstance(v, bool):
            ctx.add(doc, kp, f"'{k}' is a bool")
        elif ind.type == "num":
            if isinstance(v, bool):
                ctx.add(doc, kp, f"'{k}' is a number")
            elif (ind.min is not None and v < ind.min) or (ind.max is not None and v > ind.max):
                ctx.add(doc, kp, f"value {v} is outside the range [{ind.min}, {ind.max}] of '{k}'")


def _check_votes_before_start(ctx: Ctx, doc: Doc, sc: S.Scenario) -> None:
    """A vote before the start whose winner takes office during the game names the president-elect
    the game starts with (``precursor.game.handover``): its result must be recorded, since no vote is
    counted in the game and a dynamic draw would need the approval of a day before it."""
    waiting = waiting_at_start(sc.calendar, sc.start)
    for i, ev in enumerate(sc.calendar):
        if ev.incumbent_holds is None and any(ev is w for w in waiting):
            office = office_day(ev.kind, ev.date)
            ctx.add(
                doc,
                (*ROOT, "calendar", i, "incumbent_holds"),
                f"'{ev.id}' is voted on {ev.date}, before the scenario starts ({sc.start}), and its winner"
                f" takes office on {office}, during it: give the result (incumbent_holds: true or false),"
                " since the game counts no vote before its start",
            )


def _injects(ctx: Ctx, doc: Doc, sc: S.Scenario, ssyms: Symbols, known: Known) -> list[CInject]:
    injects: list[CInject] = []
    seen: set[str] = set()
    for ii, inj in enumerate(sc.injects):
        p = (*ROOT, "injects", ii)
        if inj.id in seen:
            ctx.add(doc, (*p, "id"), f"duplicate inject id '{inj.id}'")
        seen.add(inj.id)
        if inj.turn is not None and inj.turn > sc.turns:
            ctx.add(doc, (*p, "turn"), f"turn {inj.turn} is after the last turn ({sc.turns})")
        injects.append(_inject(ctx, doc, p, inj, ssyms, known))
    return injects


def _inject(ctx: Ctx, doc: Doc, p: Path_, inj: S.Inject, ssyms: Symbols, known: Known) -> CInject:
    check_sources(ctx, doc, p, inj, known.sources)
    for fi, lid in enumerate(inj.free_levers):
        if lid not in known.lever_ids:
            ctx.add(doc, (*p, "free_levers", fi), f"unknown lever '{lid}'{suggest(lid, known.lever_ids)}")
    when = ctx.expr(doc, (*p, "when"), inj.when, ssyms, "bool") if inj.when is not None else None
    chance = ctx.expr(doc, (*p, "chance"), inj.chance, ssyms, "num") if inj.chance is not None else None
    eff = compile_effects(ctx, doc, (*p, "effects"), inj.effects, ssyms, known.indicators, 0)
    aud = tuple(S.TEAMS) if inj.audience == "all" else tuple(inj.audience)
    return CInject(
        inj.id,
        inj.title,
        inj.text,
        inj.turn,
        when,
        chance,
        inj.repeat,
        eff,
        tuple(inj.free_levers),
        aud,
        inj.deck,
        tuple(inj.sources),
        # as model_dump() gives it, without building a serializer for one small model (schema.Strict)
        {"note": inj.ext.note, "confidence": inj.ext.confidence} if inj.ext else None,
    )


def _objectives(ctx: Ctx, doc: Doc, sc: S.Scenario, ssyms: Symbols, known: Known) -> list[CObjective]:
    objectives: list[CObjective] = []
    names = [*ssyms.names, *ssyms.constants]
    for team, tobj in sc.objectives.items():
        found = internal_words(tobj.public, names)
        if found:
            ctx.add(doc, (*ROOT, "objectives", team, "public"), internal_words_error("a public aim", found))
        for oi, ob in enumerate(tobj.secret):
            p = (*ROOT, "objectives", team, "secret", oi)
            check_sources(ctx, doc, p, ob, known.sources)
            found = internal_words(ob.text, names)
            if found:
                ctx.add(doc, (*p, "text"), internal_words_error("an objective's text", found))
            cond = (
                ctx.expr(doc, (*p, "condition"), ob.condition, ssyms, "bool")
                if ob.condition is not None
                else None
            )
            objectives.append(CObjective(ob.id, team, ob.text, ob.points, ob.check, cond))
    return objectives


def _check_seats(ctx: Ctx, doc: Doc, team_id: str, tseats: list[S.ScenarioSeat], known: Known) -> None:
    """Every rulebook seat of the team is held by exactly one player seat, and every seat but the
    head folds, through ``merge_into``, into another seat of the team."""
    held: dict[str, str] = {}
    ids = [s.id for s in tseats]
    for si, st in enumerate(tseats):
        p = (*ROOT, "seats", team_id, si)
        _hold(ctx, doc, p, team_id, st, held, known)
        if si == 0 and st.merge_into is not None:
            ctx.add(doc, (*p, "merge_into"), "the first (head) seat cannot merge into another")
        if si > 0 and st.merge_into is None:
            ctx.add(doc, (*p, "merge_into"), "needs 'merge_into' (where it folds when nobody takes it)")
        if st.merge_into is not None and st.merge_into not in ids:
            ctx.add(doc, (*p, "merge_into"), f"unknown seat '{st.merge_into}' in this team")
    if team_id in known.teams:
        for s in known.teams[team_id].seats:
            if s.id not in held:
                ctx.add(doc, (*ROOT, "seats", team_id), f"rulebook seat '{s.id}' is held by no player seat")


def _hold(
    ctx: Ctx, doc: Doc, p: Path_, team_id: str, st: S.ScenarioSeat, held: dict[str, str], known: Known
) -> None:
    """Records in ``held`` the rulebook seats a player seat holds, reporting any it cannot hold."""
    for hi, h in enumerate(st.holds):
        if h not in known.seats:
            ctx.add(doc, (*p, "holds", hi), f"unknown seat '{h}'{suggest(h, known.seats)}")
        elif known.seat_team[h] != team_id:
            ctx.add(doc, (*p, "holds", hi), f"seat '{h}' belongs to team '{known.seat_team[h]}'")
        elif h in held:
            ctx.add(doc, (*p, "holds", hi), f"seat '{h}' is already held by '{held[h]}'")
        else:
            held[h] = st.id
