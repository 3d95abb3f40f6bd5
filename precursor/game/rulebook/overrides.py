"""Override files: change one number of the rulebook, or add an inject to a scenario, without copying
the file that holds it.

An override file is a list of ``set: kind/entry/field…`` items with a ``value``, and of ``add_inject``
items. They are applied to the parsed documents before anything is compiled, so the result passes
through every check a hand-edited copy would. What an override put into a document is marked in the
document's ``origins``, so a problem found there later (a wrong type, an unknown indicator, a bad
expression) is reported at the override's line rather than at the shipped file's.
"""

from __future__ import annotations

import copy
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from precursor.game import schema as S
from precursor.game.loader import Doc, Path_, RulebookError, validate
from precursor.game.rulebook.context import Ctx, Kinds, suggest

KIND = "overrides"
# address kinds that name a differently spelled kind of file
_ALIASES = {"scenarios": "scenario"}
# keys that name the entries of a list, in the order they are tried
_ID_KEYS = ("id", "file")
# the model of each kind of file, to tell a new field from a misspelt one before a file is spoilt by it
_MODELS: dict[str, type[BaseModel]] = {
    "sources": S.SourcesFile,
    "teams": S.TeamsFile,
    "indicators": S.IndicatorsFile,
    "levers": S.LeversFile,
    "rules": S.RulesFile,
    "flow": S.FlowFile,
    "statements": S.StatementsFile,
    "modules": S.ModulesFile,
    "scoring": S.ScoringFile,
    "personas": S.PersonasFile,
    "scenario": S.ScenarioFile,
}


@dataclass(frozen=True, slots=True)
class _Target:
    """Where an address lands: the document, the path to the value inside it, and the value there
    (``_ABSENT`` when the last key is new)."""

    doc: Doc
    path: Path_
    old: Any


_ABSENT = object()


def apply_overrides(ctx: Ctx, kinds: Kinds) -> list[str]:
    """Apply every override file in ``kinds``, in the order given, to the other documents there.
    Returns one line per applied override (``file:line: what``); problems go to ``ctx``."""
    applied: list[str] = []
    claimed: dict[tuple[str, Path_], tuple[Doc, Path_]] = {}
    for odoc in kinds.get(KIND, []):
        try:
            model = validate(odoc, S.OverridesFile)
        except RulebookError as exc:
            ctx.problems.extend(exc.problems)
            continue
        for k, item in enumerate(model.overrides):
            where = ("overrides", k)
            raw = odoc.data["overrides"][k]
            if isinstance(item, S.SetOverride):
                done = _set(ctx, kinds, odoc, where, item.set, raw.get("value"), claimed)
                what = f"set {item.set}"
            else:
                done = _add_inject(ctx, kinds, odoc, where, item.add_inject.scenario, raw["add_inject"])
                what = f"add_inject {item.add_inject.scenario}/{item.add_inject.inject.id}"
            if done:
                applied.append(f"{odoc.file}:{odoc.line(where)}: {what}")
    return applied


def _set(
    ctx: Ctx,
    kinds: Kinds,
    odoc: Doc,
    where: Path_,
    address: str,
    value: Any,
    claimed: dict[tuple[str, Path_], tuple[Doc, Path_]],
) -> bool:
    at = (*where, "set")
    found = _resolve(kinds, address.split("/"))
    if isinstance(found, str):
        ctx.add(odoc, at, found)
        return False
    key = (found.doc.file, found.path)
    for (file, path), (other, other_where) in claimed.items():
        shorter = min(len(path), len(found.path))
        if file == found.doc.file and path[:shorter] == found.path[:shorter]:
            ctx.add(odoc, at, f"'{address}' is also set at {other.file}:{other.line(other_where)}")
            return False
    mismatch = _mismatch(found.old, value)
    if mismatch:
        ctx.add(odoc, (*where, "value"), f"type mismatch: '{address}' {mismatch}")
        return False
    parent = _get(found.doc.data, found.path[:-1])
    parent[found.path[-1]] = copy.deepcopy(value)
    out_of_range = _range_problem(kinds, found, value)
    if out_of_range:
        # put the old value back: the shipped file should not be blamed for the override's number
        if found.old is _ABSENT:
            del parent[found.path[-1]]
        else:
            parent[found.path[-1]] = found.old
        ctx.add(odoc, (*where, "value"), out_of_range)
        return False
    claimed[key] = (odoc, where)
    _mark(found.doc, found.path, odoc, (*where, "value"), odoc.line(where))
    return True


def _add_inject(ctx: Ctx, kinds: Kinds, odoc: Doc, where: Path_, scenario: str, raw: Any) -> bool:
    docs = {_scenario_id(d): d for d in kinds.get("scenario", [])}
    sdoc = docs.get(scenario)
    if sdoc is None:
        names = [str(s) for s in docs if s is not None]
        message = f"unknown scenario '{scenario}'{suggest(scenario, names)}"
        ctx.add(odoc, (*where, "add_inject", "scenario"), message)
        return False
    body = sdoc.data["scenario"]
    injects = body.setdefault("injects", [])
    if not isinstance(injects, list):
        ctx.add(odoc, (*where, "add_inject"), f"the injects of scenario '{scenario}' are not a list")
        return False
    path: Path_ = ("scenario", "injects", len(injects))
    injects.append(copy.deepcopy(raw["inject"]))
    _mark(sdoc, path, odoc, (*where, "add_inject", "inject"), odoc.line(where))
    return True


def _mark(doc: Doc, path: Path_, odoc: Doc, src: Path_, line: int) -> None:
    """Records that ``doc`` at ``path`` came from ``odoc`` at ``src``, key by key, with their lines."""
    doc.origins[path] = (odoc.file, line)
    for p, ln in odoc.lines.items():
        if p[: len(src)] == src and len(p) > len(src):
            doc.origins[(*path, *p[len(src) :])] = (odoc.file, ln)


# ---------------------------------------------------------------- addresses


def _resolve(kinds: Kinds, parts: list[str]) -> _Target | str:
    """The value an address names, or a message saying which part of it is unknown."""
    name = parts[0]
    kind = _ALIASES.get(name, name)
    docs = kinds.get(kind, []) if kind not in (KIND, "unknown") else []
    if not docs:
        names = sorted({*kinds} - {KIND, "unknown", "scenario"} | {"scenarios"})
        return f"unknown kind '{name}' in the address{suggest(name, names)} (known: {', '.join(names)})"
    if kind == "scenario":
        by_id = {_scenario_id(d): d for d in docs}
        doc = by_id.get(parts[1])
        if doc is None:
            ids = [str(s) for s in by_id if s is not None]
            return f"unknown scenario '{parts[1]}'{suggest(parts[1], ids)}"
        if len(parts) < 3:
            return "an address names a field of the scenario, e.g. scenarios/<id>/starting_values/mx.st"
        return _walk(doc, kind, ("scenario",), parts[2:], f"{name}/{parts[1]}")
    # the entry or section may be in any file of the kind (levers and rules come in several)
    options: list[str] = []
    for doc in docs:
        root = _root(doc, kind)
        step = _step(_get(doc.data, root), parts[1])
        if step is not None:
            return _walk(doc, kind, (*root, step), parts[2:], f"{name}/{parts[1]}")
        options.extend(_names(_get(doc.data, root)))
    return f"no '{parts[1]}' in {name}{suggest(parts[1], options)}"


def _walk(doc: Doc, kind: str, path: Path_, rest: list[str], done: str) -> _Target | str:
    node = _get(doc.data, path)
    for i, part in enumerate(rest):
        last = i == len(rest) - 1
        if isinstance(node, dict) and part not in node and last:
            fields = _fields_at(_MODELS.get(kind), path)
            if fields is not None and part not in fields:
                return f"'{done}' has no field '{part}'{suggest(part, fields)}"
            return _Target(doc, (*path, part), _ABSENT)
        step = _step(node, part)
        if step is None:
            return _unknown_part(node, part, done)
        path = (*path, step)
        node = node[step]
        done = f"{done}/{part}"
    return _Target(doc, path, node)


def _fields_at(model: Any, path: Path_) -> list[str] | None:
    """The fields the schema allows at ``path`` of a file of ``model``; None where any key goes (a
    mapping such as ``starting_values``) or the schema is not known."""
    annotation: Any = model
    for part in path:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            annotation = field.annotation if field is not None else None
        elif typing.get_origin(annotation) in (list, dict):
            annotation = typing.get_args(annotation)[-1]
        else:
            return None
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return None


def _unwrap(annotation: Any) -> Any:
    """The model or container inside an ``Annotated``, or an optional or union of one."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            inner = _unwrap(arg)
            if typing.get_origin(inner) in (list, dict) or (
                isinstance(inner, type) and issubclass(inner, BaseModel)
            ):
                return inner
    return annotation


def _unknown_part(node: Any, part: str, done: str) -> str:
    if isinstance(node, list):
        if part.isdigit():
            return f"'{done}' has {len(node)} items: no item {part}"
        return f"'{done}' has no item '{part}'{suggest(part, _names(node))}"
    if isinstance(node, dict):
        return f"'{done}' has no '{part}'{suggest(part, [str(k) for k in node])}"
    return f"'{done}' is a value ({node!r}): it has no '{part}'"


def _step(node: Any, part: str) -> str | int | None:
    """The key or index ``part`` names in ``node``: a list item by its id or position."""
    if isinstance(node, dict):
        return part if part in node else None
    if isinstance(node, list):
        for j, item in enumerate(node):
            if isinstance(item, dict) and any(item.get(k) == part for k in _ID_KEYS):
                return j
        if part.isdigit() and int(part) < len(node):
            return int(part)
    return None


def _names(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [str(k) for k in node]
    if isinstance(node, list):
        return [str(it.get(k)) for it in node if isinstance(it, dict) for k in _ID_KEYS if k in it]
    return []


def _root(doc: Doc, kind: str) -> Path_:
    """Where a kind's entries start: under its top-level key, or the whole file (scoring)."""
    data = doc.data
    return (kind,) if isinstance(data, dict) and kind in data else ()


def _get(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]
    return data


def _scenario_id(doc: Doc) -> str | None:
    body = doc.data.get("scenario") if isinstance(doc.data, dict) else None
    sid = body.get("id") if isinstance(body, dict) else None
    return sid if isinstance(sid, str) else None


# ---------------------------------------------------------------- value checks


def _category(v: Any) -> str:
    if isinstance(v, bool):
        return "true/false"
    if isinstance(v, int | float):
        return "a number"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "a mapping"
    return "text" if isinstance(v, str) else "empty"


def _mismatch(old: Any, new: Any) -> str:
    """A value of plainly another shape than the one it replaces. Numbers and text pass each other:
    many fields take either a number or a formula; the schema checks the rest, at the override's line."""
    if old is _ABSENT or old is None or new is None:
        return ""
    a, b = _category(old), _category(new)
    if a == b or {a, b} <= {"a number", "text"} or {a, b} <= {"true/false", "text"}:
        return ""
    return f"is {a}, the override gives {b}"


def _range_problem(kinds: Kinds, found: _Target, value: Any) -> str:
    """A number outside the bounds its entry declares: a ``range`` beside a ``value``, or an
    indicator's ``min``/``max`` around its ``default``."""
    entry = _get(found.doc.data, found.path[:-1])
    field = found.path[-1]
    num = isinstance(value, int | float) and not isinstance(value, bool)
    if field == "value" and "range" in entry and num:
        bounds = _bounds(entry["range"])
        if bounds and not (bounds[0] <= value <= bounds[1]):
            return f"value {value} is outside the range [{bounds[0]}, {bounds[1]}] of '{entry.get('id')}'"
    is_indicator = found.doc in kinds.get("indicators", []) and found.path[:1] == ("indicators",)
    if is_indicator and field in ("default", "min", "max") and len(found.path) == 3:
        d, lo, hi = entry.get("default"), entry.get("min"), entry.get("max")
        num_default = isinstance(d, int | float) and not isinstance(d, bool)
        if num_default and ((lo is not None and d < lo) or (hi is not None and d > hi)):
            return f"default {d} is outside the bounds [{lo}, {hi}] of indicator '{entry.get('id')}'"
    return ""


def _bounds(spec: Any) -> tuple[float, float] | None:
    if isinstance(spec, list) and len(spec) == 2:
        lo, hi = spec
    elif isinstance(spec, dict):
        lo, hi = spec.get("min"), spec.get("max")
    else:
        return None
    ok = all(isinstance(x, int | float) and not isinstance(x, bool) for x in (lo, hi))
    return (float(lo), float(hi)) if ok else None
