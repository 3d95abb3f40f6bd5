"""The loaded rulebook: every file validated, cross-checked and compiled into plain, fast structures.

Pydantic models guard the file boundary; the engine's hot loop instead reads the small slotted
dataclasses built here, with every expression already parsed, type-checked and compiled to a closure.
All problems across all files are collected before failing, so one run of ``precursor validate``
shows an author everything that is wrong, each with ``file:line: field``.
"""

from __future__ import annotations

import difflib
import gc
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from precursor.game import schema as S
from precursor.game.expr import Expr, ExprError, Symbols, Type, compile_expr
from precursor.game.loader import Doc, Path_, Problem, RulebookError, read_yaml, validate
from precursor.game.paths import rules_dir, scenarios_dir
from precursor.game.persona_rules import CPersona, compile_personas

WINDOWS = ("us_campaign", "mx_campaign", "ca_campaign", "us_lame_duck", "mx_transition", "cn_political")
CLOCK = ("turn", "turns", "month", "month_index", "months_per_turn")


@dataclass(slots=True)
class CEffect:
    target: str
    op: str
    value: Expr
    lag: int
    when: Expr | None
    chance: Expr | None
    visibility: str
    reason: str
    roll: str | None = None


@dataclass(slots=True)
class CParam:
    id: str
    type: str
    min: float | None
    max: float | None
    default: Any
    choices: tuple[str, ...]
    stronger: str


@dataclass(slots=True)
class CLever:
    id: str
    code: str
    name: str
    team: str
    seat: str
    cost: Expr
    lag: int
    step: str
    visibility: str
    params: dict[str, CParam]
    preconditions: list[tuple[Expr, str]]
    effects: list[CEffect]
    sov_public: float
    sov_private: float
    military: bool
    sustained: bool
    lapse: list[CEffect]
    tags: frozenset[str]
    once: bool
    sources: tuple[str, ...]
    ext: S.Ext | None
    description: str


@dataclass(slots=True)
class CRule:
    id: str
    family: str
    name: str
    kind: str
    step: str
    every: str
    when: Expr | None
    chance: Expr | None
    match: S.ActFilter | None
    effects: list[CEffect]
    params: dict[str, Expr]
    reason: str
    order: int
    sources: tuple[str, ...]


@dataclass(slots=True)
class CStatement:
    id: str
    name: str
    model: S.StatementKind
    effects: list[CEffect]
    tags: frozenset[str]
    reason: str
    sources: tuple[str, ...]


@dataclass(slots=True)
class CModule:
    id: str
    name: str
    effects: list[CEffect]
    reason: str
    sources: tuple[str, ...]


@dataclass(slots=True)
class CInject:
    id: str
    title: str
    text: str
    turn: int | None
    when: Expr | None
    chance: Expr | None
    repeat: bool
    effects: list[CEffect]
    free_levers: tuple[str, ...]
    audience: tuple[str, ...]
    deck: bool
    sources: tuple[str, ...]
    ext: dict[str, Any] | None  # the outside-fact note as the inject event carries it


@dataclass(slots=True)
class CObjective:
    id: str
    team: str
    text: str
    points: float
    check: str
    condition: Expr | None


@dataclass(slots=True)
class CScenario:
    model: S.Scenario
    injects: list[CInject]
    objectives: list[CObjective]
    symbols: Symbols
    file: str


@dataclass(slots=True)
class CScoreComponent:
    id: str
    name: str
    value: dict[str, Expr]
    weights: dict[str, float]


_SERIALS = itertools.count(1)


@dataclass
class Rulebook:
    sources: dict[str, S.SourceDoc]
    teams: dict[str, S.Team]
    seats: dict[str, S.Seat]
    seat_team: dict[str, str]
    indicators: dict[str, S.Indicator]
    levers: dict[str, CLever]
    rules: list[CRule]
    rules_by_step: dict[str, list[CRule]]
    on_act_rules: list[CRule]
    mechanisms: dict[str, CRule]
    flow: list[tuple[str, Expr]]
    flow_constants: list[tuple[str, Expr]]
    flow_meta: S.FlowModel
    statements: dict[str, CStatement]
    modules: dict[str, CModule]
    scoring: list[CScoreComponent]
    shared_bonus: Expr
    shared_malus: Expr
    shared_points: float
    scenarios: dict[str, CScenario]
    symbols: Symbols
    personas: dict[str, CPersona] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    bounds: dict[str, tuple[bool, float, float]] = field(default_factory=dict)
    num_indicators: tuple[str, ...] = ()
    _read_num: Callable[[Mapping[str, Any]], Any] = field(init=False, repr=False, compare=False)
    played_keys: tuple[str, ...] = field(init=False, repr=False, compare=False)
    # a process-unique number for caches kept per rulebook elsewhere: unlike id(), never reused by a later one
    serial: int = field(default_factory=lambda: next(_SERIALS), init=False, repr=False, compare=False)
    # per scenario: the starting environment every game copies, and what its baselines read (Game.new)
    start_envs: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        inf = float("inf")
        self.bounds = {
            k: (
                ind.type == "bool",
                -inf if ind.min is None else float(ind.min),
                inf if ind.max is None else float(ind.max),
            )
            for k, ind in self.indicators.items()
        }
        self.num_indicators = tuple(k for k, ind in self.indicators.items() if ind.type == "num")
        self.played_keys = tuple(f"played.{lid}" for lid in self.levers)
        keys = self.num_indicators
        self._read_num = itemgetter(*keys) if len(keys) > 1 else lambda env: tuple(env[k] for k in keys)

    def __deepcopy__(self, memo: dict[int, Any]) -> Rulebook:
        """Shared, not copied: a rulebook is never changed after it is loaded, so a deep copy of anything
        that refers to it (a bot, a game) refers to the same one."""
        return self

    def num_values(self, env: Mapping[str, Any]) -> dict[str, Any]:
        """Every numeric indicator's value, in rulebook order: recorded each month and at each turn's end."""
        return dict(zip(self.num_indicators, self._read_num(env), strict=True))

    def mechanism(self, rule_id: str) -> CRule:
        return self.mechanisms[rule_id]


# ------------------------------------------------------------------ building


class _Ctx:
    """Collects problems while compiling, so every error in every file is reported in one run."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, doc: Doc, path: Path_, message: str) -> None:
        self.problems.append(doc.problem(path, message))

    def expr(
        self, doc: Doc, path: Path_, text: Any, symbols: Symbols, expect: Type | None = None
    ) -> Expr | None:
        try:
            return compile_expr(text, symbols, expect)
        except ExprError as exc:
            col = f" (column {exc.column})" if getattr(exc, "column", 0) else ""
            self.add(doc, path, f"bad expression '{text}': {exc.message}{col}")
            return None


def _suggest(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _base_symbols(
    indicators: Mapping[str, S.Indicator], lever_ids: Iterable[str], extra: Mapping[str, Type] | None = None
) -> dict[str, Type]:
    names: dict[str, Type] = {i: ind.type for i, ind in indicators.items()}
    for c in CLOCK:
        names[c] = "num"
    for lid in lever_ids:
        names[f"played.{lid}"] = "bool"
        names[f"streak.{lid}"] = "num"
        names[f"count.{lid}"] = "num"
    for w in WINDOWS:
        names[f"window.{w}"] = "bool"
    for m in ("t1", "t2", "t3", "t4", "t5"):
        names[f"module.{m}"] = "bool"
    for t in (*S.TEAMS, "total", "trilateral"):
        names[f"agreements.{t}"] = "num"
    for t in S.TEAMS:
        names[f"reneged.{t}"] = "num"
        names[f"secret.{t}"] = "num"
        names[f"agr.{t}"] = "num"
        names[f"badges.{t}"] = "num"
    if extra:
        names.update(extra)
    return names


def _symbols(names: Mapping[str, Type], indicators: Mapping[str, S.Indicator]) -> Symbols:
    start: dict[str, Type] = {f"start.{i}": ind.type for i, ind in indicators.items()}
    mean: dict[str, Type] = {f"mean.{i}": "num" for i, ind in indicators.items() if ind.type == "num"}
    return Symbols(names={**names, **start, **mean})


def _lever_symbols(base: Symbols, params: list[S.Param]) -> Symbols:
    names: dict[str, Type] = dict(base.names)
    names["act.public"] = "bool"
    for p in params:
        names[f"param.{p.id}"] = "bool" if p.type == "bool" else "str" if p.type == "choice" else "num"
    return Symbols(names=names)


def _act_symbols(base: Symbols) -> Symbols:
    names: dict[str, Type] = dict(base.names)
    names["act.public"] = "bool"
    names["act.military"] = "bool"
    names["act.cost"] = "num"
    names["act.sovereignty"] = "num"
    return Symbols(names=names)


def _check_sources(ctx: _Ctx, doc: Doc, path: Path_, entry: Any, known: Mapping[str, S.SourceDoc]) -> None:
    for i, src in enumerate(getattr(entry, "sources", []) or []):
        if src not in known:
            ctx.add(doc, (*path, "sources", i), f"unknown source '{src}'{_suggest(src, known)}")


def _effects(
    ctx: _Ctx,
    doc: Doc,
    path: Path_,
    effects: list[S.Effect],
    symbols: Symbols,
    indicators: Mapping[str, S.Indicator],
    default_lag: int = 0,
) -> list[CEffect]:
    out: list[CEffect] = []
    for i, e in enumerate(effects):
        p = (*path, i)
        ind = indicators.get(e.target)
        if ind is None:
            ctx.add(doc, (*p, "target"), f"unknown indicator '{e.target}'{_suggest(e.target, indicators)}")
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


def _param_problem(lever: CLever, params: dict[str, Any]) -> str | None:
    """Why a set of parameters is not valid for a lever, or None (used for persona plans and packages)."""
    for k, v in params.items():
        p = lever.params.get(k)
        if p is None:
            return f"{lever.code} has no parameter '{k}'"
        if p.type == "choice" and v not in p.choices:
            return f"{lever.code}.{k} must be one of {', '.join(p.choices)}"
        if p.type in ("int", "num"):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                return f"{lever.code}.{k} must be a number"
            if (p.min is not None and v < p.min) or (p.max is not None and v > p.max):
                return f"{lever.code}.{k} = {v} is outside [{p.min}, {p.max}]"
    return None


def _recomputed_msg(target: str) -> str:
    return (
        f"'{target}' is recomputed every month by the flow model (rules/flow.yaml), so this change would "
        "not last; change one of its inputs instead"
    )


def _docs(paths: list[Path], root: Path | None) -> list[tuple[Path, Doc]]:
    out = []
    for p in paths:
        display = str(p.relative_to(root)) if root is not None and p.is_relative_to(root) else str(p)
        out.append((p, read_yaml(p, display)))
    return out


def _classify(doc: Doc) -> str:
    data = doc.data
    if not isinstance(data, dict):
        return "unknown"
    for key in (
        "sources",
        "teams",
        "indicators",
        "levers",
        "rules",
        "flow",
        "statements",
        "modules",
        "personas",
    ):
        if key in data and len(data) == 1:
            return key
    if "components" in data:
        return "scoring"
    if "scenario" in data:
        return "scenario"
    return "unknown"


def default_files() -> list[Path]:
    rd, sd = rules_dir(), scenarios_dir()
    return sorted(rd.rglob("*.yaml")) + sorted(sd.glob("*.yaml"))


def load(paths: Iterable[Path] | None = None) -> Rulebook:
    """Load and cross-check the rulebook and scenarios. Raises RulebookError listing every problem.

    With explicit paths, files of the built-in rulebook that the paths do not replace are still
    loaded, so a scenario file can be validated on its own against the shipped rules.
    """
    ctx = _Ctx()
    builtin = default_files()
    chosen = [Path(p) for p in paths] if paths is not None else []
    files: list[Path] = []
    for p in chosen:
        if p.is_dir():
            files.extend(sorted(p.rglob("*.yaml")))
        else:
            files.append(p)
    root = rules_dir().parent
    docs: list[tuple[Path, Doc]] = []
    for p in files:
        try:
            docs.extend(_docs([p], Path.cwd()))
        except RulebookError as exc:
            ctx.problems.extend(exc.problems)
    given_kinds: dict[str, list[Doc]] = {}
    for _, d in docs:
        given_kinds.setdefault(_classify(d), []).append(d)
    given_names = {p.resolve() for p in files}
    user_kinds = {k: list(v) for k, v in given_kinds.items()}
    for p in builtin:
        if p.resolve() in given_names:
            continue
        try:
            d = read_yaml(p, str(p.relative_to(root)) if p.is_relative_to(root) else str(p))
        except RulebookError as exc:
            ctx.problems.extend(exc.problems)
            continue
        kind = _classify(d)
        # a user-supplied file of a singular kind replaces the built-in one
        singular = ("sources", "teams", "indicators", "flow", "statements", "modules", "scoring", "personas")
        if kind in singular and user_kinds.get(kind):
            continue
        if kind in ("levers", "rules") and any(p.name == Path(g.file).name for g in user_kinds.get(kind, [])):
            continue
        if kind == "scenario" and user_kinds.get("scenario"):
            continue
        given_kinds.setdefault(kind, []).append(d)
    for d in given_kinds.get("unknown", []):
        ctx.add(
            d, (), "not a rule or scenario file (expected a top-level key such as 'levers' or 'scenario')"
        )
    rb = _build(ctx, given_kinds)
    if ctx.problems or rb is None:
        raise RulebookError(ctx.problems)
    rb.files = sorted({d.file for ds in given_kinds.values() for d in ds})
    return rb


def _one(ctx: _Ctx, kinds: dict[str, list[Doc]], kind: str, model: type[Any]) -> tuple[Doc, Any] | None:
    docs = kinds.get(kind, [])
    if not docs:
        return None
    doc = docs[0]
    try:
        return doc, validate(doc, model)
    except RulebookError as exc:
        ctx.problems.extend(exc.problems)
        return None


def _many(ctx: _Ctx, kinds: dict[str, list[Doc]], kind: str, model: type[Any]) -> list[tuple[Doc, Any]]:
    out = []
    for doc in kinds.get(kind, []):
        try:
            out.append((doc, validate(doc, model)))
        except RulebookError as exc:
            ctx.problems.extend(exc.problems)
    return out


def _build(ctx: _Ctx, kinds: dict[str, list[Doc]]) -> Rulebook | None:
    src = _one(ctx, kinds, "sources", S.SourcesFile)
    teams_f = _one(ctx, kinds, "teams", S.TeamsFile)
    ind_f = _one(ctx, kinds, "indicators", S.IndicatorsFile)
    if src is None or teams_f is None or ind_f is None:
        if not ctx.problems:
            ctx.problems.append(
                Problem("rules", 1, "(files)", "sources, teams and indicators files are required")
            )
        return None
    sources = {s.file: s for s in src[1].sources}

    # teams and seats
    tdoc, tf = teams_f
    teams: dict[str, S.Team] = {}
    seats: dict[str, S.Seat] = {}
    seat_team: dict[str, str] = {}
    path: Path_
    for ti, team in enumerate(tf.teams):
        if team.id in teams:
            ctx.add(tdoc, ("teams", ti, "id"), f"duplicate team id '{team.id}'")
        teams[team.id] = team
        _check_sources(ctx, tdoc, ("teams", ti), team, sources)
        heads = 0
        for si, seat in enumerate(team.seats):
            path = ("teams", ti, "seats", si)
            if seat.id in seats:
                ctx.add(tdoc, (*path, "id"), f"duplicate seat id '{seat.id}'")
            if not seat.id.startswith(team.id + "."):
                ctx.add(tdoc, (*path, "id"), f"seat ids of team '{team.id}' start with '{team.id}.'")
            seats[seat.id] = seat
            seat_team[seat.id] = team.id
            heads += seat.head
            _check_sources(ctx, tdoc, path, seat, sources)
        if heads != 1:
            ctx.add(
                tdoc, ("teams", ti, "seats"), f"team '{team.id}' needs exactly one head seat, has {heads}"
            )
    for t in S.TEAMS:
        if t not in teams:
            ctx.add(tdoc, ("teams",), f"team '{t}' is missing")

    # indicators
    idoc, inf = ind_f
    indicators: dict[str, S.Indicator] = {}
    for ii, ind in enumerate(inf.indicators):
        if ind.id in indicators:
            ctx.add(idoc, ("indicators", ii, "id"), f"duplicate indicator id '{ind.id}'")
        indicators[ind.id] = ind
        _check_sources(ctx, idoc, ("indicators", ii), ind, sources)

    # lever ids first (expressions may name any lever)
    lever_files = _many(ctx, kinds, "levers", S.LeversFile)
    lever_ids: dict[str, tuple[Doc, Path_]] = {}
    for ldoc, lf in lever_files:
        for li, lv in enumerate(lf.levers):
            if lv.id in lever_ids:
                other = lever_ids[lv.id]
                ctx.add(ldoc, ("levers", li, "id"), f"duplicate lever id '{lv.id}' (also {other[0].file})")
            lever_ids[lv.id] = (ldoc, ("levers", li))

    lever_models = {lv.id: lv for _, lf in lever_files for lv in lf.levers}
    base_names = _base_symbols(indicators, lever_ids)
    base = _symbols(base_names, indicators)
    act_syms = _act_symbols(base)

    levers: dict[str, CLever] = {}
    for ldoc, lf in lever_files:
        for li, lv in enumerate(lf.levers):
            path = ("levers", li)
            _check_sources(ctx, ldoc, path, lv, sources)
            if lv.seat not in seats:
                ctx.add(ldoc, (*path, "seat"), f"unknown seat '{lv.seat}'{_suggest(lv.seat, seats)}")
            elif seat_team[lv.seat] != lv.team:
                ctx.add(
                    ldoc,
                    (*path, "seat"),
                    f"seat '{lv.seat}' belongs to team '{seat_team[lv.seat]}', not '{lv.team}'",
                )
            if not lv.id.startswith(lv.team + "_"):
                ctx.add(ldoc, (*path, "id"), f"lever ids of team '{lv.team}' start with '{lv.team}_'")
            pids = set()
            params: dict[str, CParam] = {}
            for pi, p in enumerate(lv.params):
                if p.id in pids:
                    ctx.add(ldoc, (*path, "params", pi, "id"), f"duplicate parameter '{p.id}'")
                pids.add(p.id)
                default = p.default
                if default is None:
                    default = (
                        p.choices[0]
                        if p.type == "choice"
                        else False
                        if p.type == "bool"
                        else (p.min if p.min is not None else 0)
                    )
                if p.type == "choice" and default not in p.choices:
                    ctx.add(
                        ldoc,
                        (*path, "params", pi, "default"),
                        f"default '{default}' is not one of {p.choices}",
                    )
                if (
                    p.type in ("int", "num")
                    and isinstance(default, (int, float))
                    and not isinstance(default, bool)
                ) and ((p.min is not None and default < p.min) or (p.max is not None and default > p.max)):
                    ctx.add(
                        ldoc,
                        (*path, "params", pi, "default"),
                        f"default {default} is outside [{p.min}, {p.max}]",
                    )
                params[p.id] = CParam(p.id, p.type, p.min, p.max, default, tuple(p.choices), p.stronger)
            syms = _lever_symbols(base, lv.params)
            cost = ctx.expr(ldoc, (*path, "cost"), lv.cost, syms, "num")
            pre: list[tuple[Expr, str]] = []
            for pi, pc in enumerate(lv.preconditions):
                e = ctx.expr(ldoc, (*path, "preconditions", pi, "when"), pc.when, syms, "bool")
                if e is not None:
                    pre.append((e, pc.message))
            effects = _effects(ctx, ldoc, (*path, "effects"), lv.effects, syms, indicators, lv.lag)
            lapse = _effects(ctx, ldoc, (*path, "lapse"), lv.lapse, syms, indicators, 0)
            if lv.lapse and not lv.sustained:
                ctx.add(ldoc, (*path, "lapse"), "'lapse' effects only apply to sustained levers")
            if cost is None:
                continue
            levers[lv.id] = CLever(
                id=lv.id,
                code=lv.code,
                name=lv.name,
                team=lv.team,
                seat=lv.seat,
                cost=cost,
                lag=lv.lag,
                step=lv.step,
                visibility=lv.visibility,
                params=params,
                preconditions=pre,
                effects=effects,
                sov_public=lv.sovereignty.public if lv.sovereignty else 0.0,
                sov_private=lv.sovereignty.private if lv.sovereignty else 0.0,
                military=bool(lv.sovereignty and lv.sovereignty.military),
                sustained=lv.sustained,
                lapse=lapse,
                tags=frozenset(lv.tags),
                once=lv.once,
                sources=tuple(lv.sources),
                ext=lv.ext,
                description=lv.description,
            )

    # rules
    rules: list[CRule] = []
    rule_ids: set[str] = set()
    for rdoc, rf in _many(ctx, kinds, "rules", S.RulesFile):
        for ri, r in enumerate(rf.rules):
            path = ("rules", ri)
            _check_sources(ctx, rdoc, path, r, sources)
            if r.id in rule_ids:
                ctx.add(rdoc, (*path, "id"), f"duplicate rule id '{r.id}'")
            rule_ids.add(r.id)
            syms = act_syms if r.kind == "on_act" else base
            if r.kind == "on_act" and r.match is not None and r.match.levers:
                # an on_act rule tied to named levers may read their parameters
                lparams = [
                    p for lid in r.match.levers if lid in lever_models for p in lever_models[lid].params
                ]
                syms = _lever_symbols(act_syms, lparams)
            when = ctx.expr(rdoc, (*path, "when"), r.when, syms, "bool") if r.when is not None else None
            chance = (
                ctx.expr(rdoc, (*path, "chance"), r.chance, syms, "num") if r.chance is not None else None
            )
            effects = _effects(ctx, rdoc, (*path, "effects"), r.effects, syms, indicators, 0)
            rparams: dict[str, Expr] = {}
            for k, v in r.params.items():
                e = ctx.expr(rdoc, (*path, "params", k), v, act_syms)
                if e is not None:
                    rparams[k] = e
            if r.match is not None:
                for li, lid in enumerate(r.match.levers):
                    if lid not in lever_ids:
                        ctx.add(
                            rdoc,
                            (*path, "match", "levers", li),
                            f"unknown lever '{lid}'{_suggest(lid, lever_ids)}",
                        )
            rules.append(
                CRule(
                    r.id,
                    r.family,
                    r.name,
                    r.kind,
                    r.step,
                    r.every,
                    when,
                    chance,
                    r.match,
                    effects,
                    rparams,
                    r.reason,
                    r.order,
                    tuple(r.sources),
                )
            )
    rules.sort(key=lambda r: (S.STEPS.index(r.step), r.order, r.id))
    by_step: dict[str, list[CRule]] = {s: [] for s in S.STEPS}
    for r in rules:
        if r.kind == "periodic":
            by_step[r.step].append(r)

    # flow model
    flow: list[tuple[str, Expr]] = []
    flow_constants: list[tuple[str, Expr]] = []
    flow_meta: S.FlowModel | None = None
    ff = _one(ctx, kinds, "flow", S.FlowFile)
    if ff is not None:
        fdoc, fm = ff
        flow_meta = fm.flow
        _check_sources(ctx, fdoc, ("flow",), fm.flow, sources)
        for section, formulas, into in (
            ("constants", fm.flow.constants, flow_constants),
            ("formulas", fm.flow.formulas, flow),
        ):
            for fi, f in enumerate(formulas):
                p = ("flow", section, fi)
                if f.target not in indicators:
                    msg = f"unknown indicator '{f.target}'{_suggest(f.target, indicators)}"
                    ctx.add(fdoc, (*p, "target"), msg)
                    continue
                e = ctx.expr(fdoc, (*p, "value"), f.value, base, indicators[f.target].type)
                if e is not None:
                    into.append((f.target, e))
    else:
        ctx.problems.append(Problem("rules/flow.yaml", 1, "(file)", "the flow model file is missing"))

    # Effects on a variable the flow model recomputes from scratch every month would vanish at the next
    # month; authors must change one of its inputs instead. (Incremental formulas read their own target.)
    recomputed = {t for t, e in flow if t not in e.names} | {t for t, _ in flow_constants}
    for ldoc, lf in lever_files:
        for li, lv in enumerate(lf.levers):
            for key in ("effects", "lapse"):
                for ei, e in enumerate(getattr(lv, key)):
                    if e.target in recomputed:
                        ctx.add(ldoc, ("levers", li, key, ei, "target"), _recomputed_msg(e.target))
    for rdoc, rf in _many(ctx, kinds, "rules", S.RulesFile):
        for ri, r in enumerate(rf.rules):
            for ei, e in enumerate(r.effects):
                if e.target in recomputed:
                    ctx.add(rdoc, ("rules", ri, "effects", ei, "target"), _recomputed_msg(e.target))

    for sdoc0, scf0 in _many(ctx, kinds, "scenario", S.ScenarioFile):
        for ii, inj in enumerate(scf0.scenario.injects):
            for ei, e in enumerate(inj.effects):
                if e.target in recomputed:
                    ctx.add(
                        sdoc0, ("scenario", "injects", ii, "effects", ei, "target"), _recomputed_msg(e.target)
                    )

    statements: dict[str, CStatement] = {}
    sf = _one(ctx, kinds, "statements", S.StatementsFile)
    if sf is not None:
        sdoc, smf = sf
        for si, st in enumerate(smf.statements):
            p = ("statements", si)
            _check_sources(ctx, sdoc, p, st, sources)
            eff = _effects(ctx, sdoc, (*p, "effects"), st.effects, act_syms, indicators, 0)
            statements[st.id] = CStatement(
                st.id, st.name, st, eff, frozenset(st.tags), st.reason, tuple(st.sources)
            )

    modules: dict[str, CModule] = {}
    mf = _one(ctx, kinds, "modules", S.ModulesFile)
    if mf is not None:
        mdoc, mmf = mf
        for mi, m in enumerate(mmf.modules):
            p = ("modules", mi)
            _check_sources(ctx, mdoc, p, m, sources)
            eff = _effects(ctx, mdoc, (*p, "effects"), m.effects, base, indicators, 0)
            modules[m.id] = CModule(m.id, m.name, eff, m.reason, tuple(m.sources))

    scoring: list[CScoreComponent] = []
    bonus = malus = None
    shared_points = 5.0
    scf = _one(ctx, kinds, "scoring", S.ScoringFile)
    if scf is not None:
        scdoc, sc = scf
        _check_sources(ctx, scdoc, (), sc, sources)
        for ci, comp in enumerate(sc.components):
            p = ("components", ci)
            vals: dict[str, Expr] = {}
            for t in S.TEAMS:
                text = comp.value_by_team.get(t, comp.value)
                pp = (*p, "value_by_team", t) if t in comp.value_by_team else (*p, "value")
                e = ctx.expr(scdoc, pp, text, base, "num")
                if e is not None:
                    vals[t] = e
            scoring.append(CScoreComponent(comp.id, comp.name, vals, dict(comp.weights)))
        for t in S.TEAMS:
            total = sum(c.weights.get(t, 0.0) for c in sc.components)
            if abs(total - 10.0) > 1e-6:
                ctx.add(scdoc, ("components",), f"weights of team '{t}' add up to {total:g}, not 10")
        bonus = ctx.expr(scdoc, ("shared_bonus",), sc.shared_bonus, base, "bool")
        malus = ctx.expr(scdoc, ("shared_malus",), sc.shared_malus, base, "bool")
        shared_points = sc.shared_points

    # scenarios
    scenarios: dict[str, CScenario] = {}
    for sdoc, scf2 in _many(ctx, kinds, "scenario", S.ScenarioFile):
        sc2 = scf2.scenario
        p0: Path_ = ("scenario",)
        _check_sources(ctx, sdoc, p0, sc2, sources)
        if sc2.id in scenarios:
            ctx.add(sdoc, (*p0, "id"), f"duplicate scenario id '{sc2.id}' (also {scenarios[sc2.id].file})")
        for k, v in sc2.starting_values.items():
            kp = (*p0, "starting_values", k)
            ind = indicators.get(k)
            if ind is None:
                ctx.add(sdoc, kp, f"unknown indicator '{k}'{_suggest(k, indicators)}")
                continue
            if ind.type == "bool" and not isinstance(v, bool):
                ctx.add(sdoc, kp, f"'{k}' is a bool")
            elif ind.type == "num":
                if isinstance(v, bool):
                    ctx.add(sdoc, kp, f"'{k}' is a number")
                elif (ind.min is not None and v < ind.min) or (ind.max is not None and v > ind.max):
                    ctx.add(sdoc, kp, f"value {v} is outside the range [{ind.min}, {ind.max}] of '{k}'")
        inject_names: dict[str, Type] = {f"inject.{i.id}": "bool" for i in sc2.injects}
        ssyms = _symbols(_base_symbols(indicators, lever_ids, inject_names), indicators)
        injects: list[CInject] = []
        seen: set[str] = set()
        for ii, inj in enumerate(sc2.injects):
            p = (*p0, "injects", ii)
            _check_sources(ctx, sdoc, p, inj, sources)
            if inj.id in seen:
                ctx.add(sdoc, (*p, "id"), f"duplicate inject id '{inj.id}'")
            seen.add(inj.id)
            if inj.turn is not None and inj.turn > sc2.turns:
                ctx.add(sdoc, (*p, "turn"), f"turn {inj.turn} is after the last turn ({sc2.turns})")
            for fi, lid in enumerate(inj.free_levers):
                if lid not in lever_ids:
                    ctx.add(sdoc, (*p, "free_levers", fi), f"unknown lever '{lid}'{_suggest(lid, lever_ids)}")
            when = ctx.expr(sdoc, (*p, "when"), inj.when, ssyms, "bool") if inj.when is not None else None
            chance = (
                ctx.expr(sdoc, (*p, "chance"), inj.chance, ssyms, "num") if inj.chance is not None else None
            )
            eff = _effects(ctx, sdoc, (*p, "effects"), inj.effects, ssyms, indicators, 0)
            aud = tuple(S.TEAMS) if inj.audience == "all" else tuple(inj.audience)
            injects.append(
                CInject(
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
                    inj.ext.model_dump() if inj.ext else None,
                )
            )
        objectives: list[CObjective] = []
        for team, tobj in sc2.objectives.items():
            for oi, ob in enumerate(tobj.secret):
                p = (*p0, "objectives", team, "secret", oi)
                for si2, s2 in enumerate(ob.sources):
                    if s2 not in sources:
                        ctx.add(sdoc, (*p, "sources", si2), f"unknown source '{s2}'{_suggest(s2, sources)}")
                cond = (
                    ctx.expr(sdoc, (*p, "condition"), ob.condition, ssyms, "bool")
                    if ob.condition is not None
                    else None
                )
                objectives.append(CObjective(ob.id, team, ob.text, ob.points, ob.check, cond))
        # seats: every rulebook seat held exactly once, merges reach the head
        for team_id, tseats in sc2.seats.items():
            held: dict[str, str] = {}
            ids = [s.id for s in tseats]
            for si3, st3 in enumerate(tseats):
                p = (*p0, "seats", team_id, si3)
                for hi, h in enumerate(st3.holds):
                    if h not in seats:
                        ctx.add(sdoc, (*p, "holds", hi), f"unknown seat '{h}'{_suggest(h, seats)}")
                    elif seat_team[h] != team_id:
                        ctx.add(sdoc, (*p, "holds", hi), f"seat '{h}' belongs to team '{seat_team[h]}'")
                    elif h in held:
                        ctx.add(sdoc, (*p, "holds", hi), f"seat '{h}' is already held by '{held[h]}'")
                    else:
                        held[h] = st3.id
                if si3 == 0 and st3.merge_into is not None:
                    ctx.add(sdoc, (*p, "merge_into"), "the first (head) seat cannot merge into another")
                if si3 > 0 and st3.merge_into is None:
                    ctx.add(
                        sdoc, (*p, "merge_into"), "needs 'merge_into' (where it folds when nobody takes it)"
                    )
                if st3.merge_into is not None and st3.merge_into not in ids:
                    ctx.add(sdoc, (*p, "merge_into"), f"unknown seat '{st3.merge_into}' in this team")
            if team_id in teams:
                for s in teams[team_id].seats:
                    if s.id not in held:
                        ctx.add(
                            sdoc, (*p0, "seats", team_id), f"rulebook seat '{s.id}' is held by no player seat"
                        )
        if bonus is None and malus is None:
            pass
        scenarios[sc2.id] = CScenario(sc2, injects, objectives, ssyms, sdoc.file)

    personas: dict[str, CPersona] = {}
    pf = _one(ctx, kinds, "personas", S.PersonasFile)
    if pf is not None:
        pdoc, pmodel = pf
        for pi, pm in enumerate(pmodel.personas):
            _check_sources(ctx, pdoc, ("personas", pi), pm, sources)
        personas = compile_personas(
            pdoc, pmodel, indicators, levers, modules, ctx.expr, ctx.add, _param_problem
        )
    for sc4 in scenarios.values():
        for team, pid in sc4.model.personas.items():
            if personas and (pid not in personas or personas[pid].team != team):
                ctx.problems.append(
                    Problem(sc4.file, 1, f"scenario.personas.{team}", f"no persona '{pid}' for team {team}")
                )

    for t in S.TEAMS:
        if not any(lv.team == t for lv in levers.values()):
            ctx.problems.append(Problem("rules/levers", 1, "(levers)", f"team '{t}' has no levers"))

    if ctx.problems or flow_meta is None or bonus is None or malus is None:
        if (
            (bonus is None or malus is None)
            and scf is None
            and not any("scoring" in p.file for p in ctx.problems)
        ):
            ctx.problems.append(Problem("rules/scoring.yaml", 1, "(file)", "the scoring file is missing"))
        return None
    mechanisms = {r.id: r for r in rules if r.kind == "mechanism"}
    return Rulebook(
        sources=sources,
        teams=teams,
        seats=seats,
        seat_team=seat_team,
        indicators=indicators,
        levers=levers,
        rules=rules,
        rules_by_step=by_step,
        on_act_rules=[r for r in rules if r.kind == "on_act"],
        mechanisms=mechanisms,
        flow=flow,
        flow_constants=flow_constants,
        flow_meta=flow_meta,
        statements=statements,
        modules=modules,
        scoring=scoring,
        shared_bonus=bonus,
        shared_malus=malus,
        shared_points=shared_points,
        scenarios=scenarios,
        symbols=base,
        personas=personas,
    )


_CACHE: dict[str, Rulebook] = {}


def default_rulebook() -> Rulebook:
    """The shipped rulebook, loaded once per process (loading takes tens of milliseconds)."""
    rb = _CACHE.get("default")
    if rb is None:
        rb = load()
        _CACHE["default"] = rb
        # The rulebook lives as long as the process and is never changed: moving its tens of thousands of
        # objects out of the collector's reach saves every later collection from walking them (~10%).
        gc.collect()
        gc.freeze()
    return rb


Factory = Callable[[], Rulebook]
