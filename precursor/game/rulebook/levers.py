"""Compiling ``rules/levers/*.yaml``: each team's levers with their parameters, costs, preconditions
and effects."""

from __future__ import annotations

import re
from typing import Any

from precursor.game import schema as S
from precursor.game.expr import Expr, Symbols
from precursor.game.loader import Doc, Path_
from precursor.game.rulebook.context import Ctx, Known, check_sources, suggest
from precursor.game.rulebook.effects import compile_effects
from precursor.game.rulebook.model import CLever, CParam, CWords
from precursor.game.rulebook.symbols import CLOCK, lever_symbols

LeverFiles = list[tuple[Doc, S.LeversFile]]


def lever_ids(ctx: Ctx, lever_files: LeverFiles) -> dict[str, tuple[Doc, Path_]]:
    """Every lever id and where it is defined, gathered before any expression is compiled, since an
    expression may name any lever."""
    ids: dict[str, tuple[Doc, Path_]] = {}
    for ldoc, lf in lever_files:
        for li, lv in enumerate(lf.levers):
            if lv.id in ids:
                other = ids[lv.id]
                ctx.add(ldoc, ("levers", li, "id"), f"duplicate lever id '{lv.id}' (also {other[0].file})")
            ids[lv.id] = (ldoc, ("levers", li))
    return ids


def compile_levers(ctx: Ctx, lever_files: LeverFiles, known: Known) -> dict[str, CLever]:
    """The levers whose cost compiled (without a cost a lever cannot be ordered at all)."""
    levers: dict[str, CLever] = {}
    for ldoc, lf in lever_files:
        for li, lv in enumerate(lf.levers):
            lever = _lever(ctx, ldoc, ("levers", li), lv, known)
            if lever is not None:
                levers[lv.id] = lever
    return levers


def _lever(ctx: Ctx, doc: Doc, path: Path_, lv: S.Lever, known: Known) -> CLever | None:
    check_sources(ctx, doc, path, lv, known.sources)
    _check_seat_and_id(ctx, doc, path, lv, known)
    params = _params(ctx, doc, path, lv.params)
    syms = lever_symbols(known.base, lv.params)
    cost = ctx.expr(doc, (*path, "cost"), lv.cost, syms, "num")
    pre, words = _preconditions(ctx, doc, path, lv, syms, known)
    holds = ctx.expr(doc, (*path, "holds"), lv.holds, syms, "bool") if lv.holds else None
    effects = compile_effects(ctx, doc, (*path, "effects"), lv.effects, syms, known.indicators, lv.lag)
    lapse = compile_effects(ctx, doc, (*path, "lapse"), lv.lapse, syms, known.indicators, 0)
    if lv.lapse and not lv.sustained:
        ctx.add(doc, (*path, "lapse"), "'lapse' effects only apply to sustained levers")
    if cost is None:
        return None
    return CLever(
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
        rare=lv.rare,
        holds=holds,
        words=words,
    )


def _check_seat_and_id(ctx: Ctx, doc: Doc, path: Path_, lv: S.Lever, known: Known) -> None:
    if lv.seat not in known.seats:
        ctx.add(doc, (*path, "seat"), f"unknown seat '{lv.seat}'{suggest(lv.seat, known.seats)}")
    elif known.seat_team[lv.seat] != lv.team:
        ctx.add(
            doc,
            (*path, "seat"),
            f"seat '{lv.seat}' belongs to team '{known.seat_team[lv.seat]}', not '{lv.team}'",
        )
    if not lv.id.startswith(lv.team + "_"):
        ctx.add(doc, (*path, "id"), f"lever ids of team '{lv.team}' start with '{lv.team}_'")


def _params(ctx: Ctx, doc: Doc, path: Path_, params: list[S.Param]) -> dict[str, CParam]:
    pids = set()
    out: dict[str, CParam] = {}
    for pi, p in enumerate(params):
        pp = (*path, "params", pi)
        if p.id in pids:
            ctx.add(doc, (*pp, "id"), f"duplicate parameter '{p.id}'")
        pids.add(p.id)
        default = _default(p)
        if p.type == "choice" and default not in p.choices:
            ctx.add(doc, (*pp, "default"), f"default '{default}' is not one of {p.choices}")
        if (
            p.type in ("int", "num") and isinstance(default, (int, float)) and not isinstance(default, bool)
        ) and ((p.min is not None and default < p.min) or (p.max is not None and default > p.max)):
            ctx.add(doc, (*pp, "default"), f"default {default} is outside [{p.min}, {p.max}]")
        out[p.id] = CParam(
            p.id, p.type, p.min, p.max, default, tuple(p.choices), p.stronger, p.description,
            p.label, dict(p.choice_labels),
        )  # fmt: skip
    return out


def _default(p: S.Param) -> Any:
    """A parameter's default, or the one its type implies when the file gives none."""
    if p.default is not None:
        return p.default
    if p.type == "choice":
        return p.choices[0]
    if p.type == "bool":
        return False
    return p.min if p.min is not None else 0


def _preconditions(
    ctx: Ctx, doc: Doc, path: Path_, lv: S.Lever, syms: Symbols, known: Known
) -> tuple[list[tuple[Expr, str]], tuple[CWords | None, ...]]:
    """The preconditions, and for each the message with the values it shows (``CWords``, None for
    plain words)."""
    pre: list[tuple[Expr, str]] = []
    words: list[CWords | None] = []
    for pi, pc in enumerate(lv.preconditions):
        e = ctx.expr(doc, (*path, "preconditions", pi, "when"), pc.when, syms, "bool")
        said = _words(ctx, doc, (*path, "preconditions", pi, "message"), pc.message, lv, syms, known)
        if e is not None:
            pre.append((e, pc.message if said is None else _plain(said)))
            words.append(said)
    return pre, tuple(words) if any(w is not None for w in words) else ()


# a value shown in a message: {expression|the words read where the value cannot be shown}
_PLACEHOLDER = re.compile(r"\{([^{}|]*)\|([^{}]*)\}")


def _words(
    ctx: Ctx, doc: Doc, path: Path_, message: str, lv: S.Lever, syms: Symbols, known: Known
) -> CWords | None:
    """A message with placeholders as ``CWords``, or None for plain words (or a placeholder in error,
    reported). A placeholder is ``{expression|words}``: the expression's value in the message, the words
    in its place where the value is not known (a client checking on the values it sees). It may read only
    what the lever's team sees exactly, since the message is the team's: its own order's parameters,
    indicators it sees exactly (``schema.Indicator.exact_to``), its own levers' counts, the clock,
    windows and modules."""
    if "{" not in message and "}" not in message:
        return None
    parts: list[str | Expr] = []
    at = 0
    ok = True
    for m in _PLACEHOLDER.finditer(message):
        parts.append(message[at : m.start()])
        at = m.end()
        text, words = m.group(1).strip(), m.group(2).strip()
        e = ctx.expr(doc, path, text, syms)
        if not words:
            ctx.add(
                doc,
                path,
                f"the value '{text}' in the message needs words after '|' for where it is not known",
            )
            ok = False
        if e is None:
            ok = False
            continue
        hidden = sorted(n for n in e.names if not _shown_to(n, lv.team, known))
        if hidden:
            ctx.add(
                doc,
                path,
                f"the message shows '{text}', which reads {', '.join(hidden)}: a message may show only"
                f" values team '{lv.team}' sees exactly",
            )
            ok = False
        parts.append(e)
    parts.append(message[at:])
    if any("{" in p or "}" in p for p in parts if isinstance(p, str)):
        ctx.add(doc, path, "a value in a message is written {expression|words}")
        ok = False
    if not ok:
        return None
    return CWords(parts=tuple(p for p in parts if p != ""), text=message)


def _plain(said: CWords) -> str:
    """The message with each placeholder's words in place of its value."""
    return _PLACEHOLDER.sub(lambda m: m.group(2).strip(), said.text)


def _shown_to(name: str, team: str, known: Known) -> bool:
    """Whether a message of the team's lever may show this value (``_words``)."""
    if name.startswith(("param.", "act.")) or name in CLOCK:
        return True
    if name.startswith(("window.", "module.")):
        return True
    ind = known.indicators.get(name)
    if ind is not None:
        return ind.exact_to(team)
    kind, _, lid = name.partition(".")
    if kind in ("count", "played", "streak"):
        lever = known.lever_models.get(lid)
        return lever is not None and lever.team == team
    return False


def param_problem(lever: CLever, params: dict[str, Any]) -> str | None:
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
