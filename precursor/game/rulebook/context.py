"""What every section of the compiler shares: the problem collector and the names checked against.

All problems across all files are collected before failing, so one run of ``precursor validate``
shows an author everything that is wrong, each with ``file:line: field``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from precursor.game import schema as S
from precursor.game.expr import Expr, ExprError, Symbols, Type, compile_expr
from precursor.game.loader import Doc, Path_, Problem, RulebookError, validate
from precursor.game.rulebook import cache

# the documents to compile, by the kind of file each one is (see loading.classify)
Kinds = dict[str, list[Doc]]


class Ctx:
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


@dataclass(slots=True)
class Known:
    """What the first sections established (sources, teams, indicators, lever ids and the symbol
    tables built from them), which every later section checks its names and expressions against."""

    sources: dict[str, S.SourceDoc]
    teams: dict[str, S.Team]
    seats: dict[str, S.Seat]
    seat_team: dict[str, str]
    indicators: dict[str, S.Indicator]
    # every lever id with where it was first defined: expressions may name any lever, even a broken one
    lever_ids: dict[str, tuple[Doc, Path_]]
    lever_models: dict[str, S.Lever]
    base: Symbols
    act: Symbols
    # the named parameters (rules/parameters.yaml), compiled into expressions as par.<id>
    parameters: dict[str, S.Parameter] = field(default_factory=dict)


def suggest(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_sources(ctx: Ctx, doc: Doc, path: Path_, entry: Any, known: Mapping[str, S.SourceDoc]) -> None:
    for i, src in enumerate(getattr(entry, "sources", []) or []):
        if src not in known:
            ctx.add(doc, (*path, "sources", i), f"unknown source '{src}'{suggest(src, known)}")


def one(ctx: Ctx, kinds: Kinds, kind: str, model: type[Any]) -> tuple[Doc, Any] | None:
    """The first file of a singular kind, validated; None if there is none or it is invalid."""
    docs = kinds.get(kind, [])
    if not docs:
        return None
    doc = docs[0]
    try:
        return doc, _validated(doc, model)
    except RulebookError as exc:
        ctx.problems.extend(exc.problems)
        return None


def many(ctx: Ctx, kinds: Kinds, kind: str, model: type[Any]) -> list[tuple[Doc, Any]]:
    """Every valid file of a kind; the invalid ones only add their problems."""
    out = []
    for doc in kinds.get(kind, []):
        try:
            out.append((doc, _validated(doc, model)))
        except RulebookError as exc:
            ctx.problems.extend(exc.problems)
    return out


def _validated(doc: Doc, model: type[Any]) -> Any:
    """The file's models, from the cache when an earlier process validated the same data (cache.py)."""
    return cache.validated(doc.data, model, lambda: validate(doc, model))
