"""Finding and reading the rule and scenario files, and the entry points that load a rulebook."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from precursor.game.loader import Doc, RulebookError, decode, read_yaml, read_yaml_text
from precursor.game.paths import rules_dir, scenarios_dir
from precursor.game.provenance import fingerprint
from precursor.game.rulebook import cache
from precursor.game.rulebook.build import build
from precursor.game.rulebook.context import Ctx, Kinds
from precursor.game.rulebook.model import Rulebook

# kinds of which the rulebook has one file: a user-supplied one replaces the built-in one
SINGULAR = (
    "sources",
    "teams",
    "indicators",
    "flow",
    "statements",
    "modules",
    "scoring",
    "personas",
    "parameters",
    "inject_templates",
    "white_cell",
)


def default_files() -> list[Path]:
    rd, sd = rules_dir(), scenarios_dir()
    return sorted(rd.rglob("*.yaml")) + sorted(sd.glob("*.yaml"))


def load(paths: Iterable[Path] | None = None, *, add_scenarios: bool = False) -> Rulebook:
    """Load and cross-check the rulebook and scenarios. Raises RulebookError listing every problem.

    With explicit paths, files of the built-in rulebook that the paths do not replace are still
    loaded, so a scenario file can be validated on its own against the shipped rules. Given scenarios
    replace the shipped ones, unless ``add_scenarios``: then they join them, and only a shipped scenario
    whose id a given one reuses is left out (so a copy of a shipped scenario, edited, takes its place).
    Override files among the paths are applied, in the order given, to everything else before it is
    compiled; they replace no file.
    """
    ctx = Ctx()
    chosen = [Path(p) for p in paths] if paths is not None else []
    files: list[Path] = []
    for p in chosen:
        if p.is_dir():
            files.extend(sorted(p.rglob("*.yaml")))
        else:
            files.append(p)
    given_kinds: Kinds = {}
    keys: list[str] = []  # every file's cache key: together, the key of the expression trees kept
    for p in files:
        try:
            d = _read_given(p, keys)
        except RulebookError as exc:
            ctx.problems.extend(exc.problems)
            continue
        given_kinds.setdefault(classify(d), []).append(d)
    _add_builtin(ctx, given_kinds, {p.resolve() for p in files}, add_scenarios, keys)
    for d in given_kinds.get("unknown", []):
        ctx.add(
            d, (), "not a rule or scenario file (expected a top-level key such as 'levers' or 'scenario')"
        )
    with cache.kept_trees(keys):
        applied = _overridden(ctx, given_kinds)
        if applied:  # the files' data is no longer what was hashed when they were read
            for ds in given_kinds.values():
                for d in ds:
                    d.fingerprint = None
        rb = build(ctx, given_kinds)
    if ctx.problems or rb is None:
        raise RulebookError(ctx.problems)
    rb.files = sorted({d.file for ds in given_kinds.values() for d in ds})
    rb.overrides = applied
    _fingerprint(rb, given_kinds)
    return rb


def _overridden(ctx: Ctx, kinds: Kinds) -> list[str]:
    """Applies the override files among ``kinds``; the overrides' module is imported only when there
    are some, since most commands load none (a one-game command's start-up is counted in ms)."""
    if not kinds.get("overrides"):
        return []
    from precursor.game.rulebook.overrides import apply_overrides

    return apply_overrides(ctx, kinds)


def _fingerprint(rb: Rulebook, kinds: Kinds) -> None:
    """Hashes of what the rules and each scenario say, for game logs to record. Taken over the parsed
    data, each file's hash sorted: neither comments, key order, file names nor the order files were
    given in change them. The data is taken as overridden, and the override files count as rule files
    too, so any override, even one aimed at a scenario, marks the rules as not the shipped ones."""
    rule_docs = [d for kind, ds in kinds.items() if kind not in ("scenario", "unknown") for d in ds]
    rb.fingerprint = fingerprint(sorted(_doc_fingerprint(d) for d in rule_docs))
    by_file = {d.file: d for d in kinds.get("scenario", [])}
    for sc in rb.scenarios.values():
        doc = by_file.get(sc.file)
        sc.fingerprint = fingerprint(None) if doc is None else _doc_fingerprint(doc)


def _doc_fingerprint(doc: Doc) -> str:
    """The fingerprint of a file's data: as the cache kept it with the parse, else hashed now."""
    return doc.fingerprint if doc.fingerprint is not None else fingerprint(doc.data)


def _add_builtin(
    ctx: Ctx, given_kinds: Kinds, given_names: set[Path], add_scenarios: bool, keys: list[str]
) -> None:
    """Adds to ``given_kinds`` every built-in file that the given files do not replace."""
    user_kinds = {k: list(v) for k, v in given_kinds.items()}
    user_ids = {_scenario_id(d) for d in user_kinds.get("scenario", [])}
    root = rules_dir().parent
    for p in default_files():
        if p.resolve() in given_names:
            continue
        try:
            d = _read(p, str(p.relative_to(root)) if p.is_relative_to(root) else str(p), keys)
        except RulebookError as exc:
            ctx.problems.extend(exc.problems)
            continue
        kind = classify(d)
        if kind in SINGULAR and user_kinds.get(kind):
            continue
        if kind in ("levers", "rules") and any(p.name == Path(g.file).name for g in user_kinds.get(kind, [])):
            continue
        if (
            kind == "scenario"
            and user_kinds.get("scenario")
            and (not add_scenarios or _scenario_id(d) in user_ids)
        ):
            continue
        given_kinds.setdefault(kind, []).append(d)


def _scenario_id(doc: Doc) -> object:
    body = doc.data.get("scenario") if isinstance(doc.data, dict) else None
    return body.get("id") if isinstance(body, dict) else None


def _read_given(p: Path, keys: list[str]) -> Doc:
    """A file named by the user, shown in problems as they would name it: relative to where they are."""
    root = Path.cwd()
    return _read(p, str(p.relative_to(root)) if p.is_relative_to(root) else str(p), keys)


def _read(p: Path, display: str, keys: list[str]) -> Doc:
    """One file parsed, or its parse as kept by an earlier process (rulebook/cache.py); its cache key
    is added to ``keys`` (with no cache folder, there are no keys)."""
    try:
        raw = p.read_bytes()
    except OSError:
        return read_yaml(p, display)  # which says what is wrong with it
    k = None
    if cache.folder() is not None:
        k = cache.key(raw)
        keys.append(k)
    doc = cache.lookup(raw, display, k)
    if doc is None:
        doc = read_yaml_text(decode(raw), display)
        doc.fingerprint = cache.store(raw, doc.data, doc.lines, k)  # now: overrides change the data later
    return doc


def classify(doc: Doc) -> str:
    """The kind of rule file a document is, by its top-level keys."""
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
        "parameters",
        "inject_templates",
        "white_cell",
    ):
        if key in data and len(data) == 1:
            return key
    if "components" in data:
        return "scoring"
    if "overrides" in data and set(data) <= {"overrides", "description"}:
        return "overrides"
    if "scenario" in data:
        return "scenario"
    return "unknown"


_CACHE: dict[str, Rulebook] = {}


def default_rulebook() -> Rulebook:
    """The shipped rulebook, loaded once per process (loading takes tens of milliseconds)."""
    rb = _CACHE.get("default")
    if rb is None:
        rb = load()
        _CACHE["default"] = rb
        # The rulebook lives as long as the process and is never changed: moving its tens of thousands of
        # objects out of the collector's reach saves every later collection from walking them (~10%).
        # Frozen without a collection first: that would walk every object of the process (a tenth of a
        # one-game command's start-up) to free the loading's garbage, a couple of thousand small objects.
        gc.freeze()
    return rb


def overlay(rules: Sequence[Path] = (), scenarios: Sequence[Path] = ()) -> Rulebook:
    """The shipped rulebook with a user's files laid over it: rule files replace the shipped file of
    their kind (levers and rules files: of their name), scenarios join the shipped ones. Both lists may
    name files or folders; what a file is comes from its contents, so the two lists differ only in
    what users expect to put in them. With neither, the shared shipped rulebook."""
    if not rules and not scenarios:
        return default_rulebook()
    return load([*rules, *scenarios], add_scenarios=True)


Factory = Callable[[], Rulebook]
