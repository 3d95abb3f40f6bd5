"""The parsed-rulebook cache (precursor/game/rulebook/cache.py): a warm load parses nothing, validates
nothing and gives the same rulebook, played to the same events; a bad or stale entry, or a folder that
cannot be written, costs only the parse or the validation it would have saved. The command line's
choice of folder is tested with the CLI (tests/package/test_startup.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from precursor.analysis.runner import play
from precursor.game.bots import BotDriver
from precursor.game.rulebook import Rulebook, context, load, loading

SCENARIO = "tutorial"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files actually parsed, rather than taken from the cache."""
    seen: list[str] = []
    real = loading.read_yaml_text

    def counting(text: str, name: str) -> Any:
        seen.append(name)
        return real(text, name)

    monkeypatch.setattr(loading, "read_yaml_text", counting)
    return seen


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any]]:
    """Every file's models as the load got them, with whether pydantic validated them: (models, validated)."""
    got: list[tuple[Any, Any]] = []
    real, real_validate = context._validated, context.validate
    fresh: list[bool] = []

    def validate(doc: Any, model: Any) -> Any:
        fresh.append(True)
        return real_validate(doc, model)

    def watched(doc: Any, model: Any) -> Any:
        fresh.clear()
        result = real(doc, model)
        got.append((result, bool(fresh)))
        return result

    monkeypatch.setattr(context, "validate", validate)
    monkeypatch.setattr(context, "_validated", watched)
    return got


def same_models(a: Any, b: Any, where: str = "") -> None:
    """Equal, and equal in what ``==`` does not look at: each value's type and which fields were given."""
    from pydantic import BaseModel

    assert type(a) is type(b), where
    if isinstance(a, BaseModel):
        assert a.__pydantic_fields_set__ == b.__pydantic_fields_set__, where
        assert list(a.__dict__) == list(b.__dict__), where
        for k in a.__dict__:
            same_models(a.__dict__[k], b.__dict__[k], f"{where}.{k}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same_models(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            same_models(a[k], b[k], f"{where}[{k}]")
    else:
        assert a == b, where


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    from precursor.game.rulebook import cache

    where = tmp_path / "cache"
    cache.use(where)
    yield where
    cache.use(None)


def entries(folder: Path, kind: str = "yaml") -> dict[str, bytes]:
    """The kept parses ("yaml") or the kept models ("models"), by name."""
    return {p.name: p.read_bytes() for p in sorted((folder / kind).glob("*.marshal"))}


def events(rb: Rulebook) -> str:
    sc = rb.scenarios[SCENARIO]
    game, _ = play(rb, SCENARIO, 3, None, bots=BotDriver(rb, dict(sc.model.personas), 3))
    return game.events_jsonl() + game.state.snapshot()


def same(a: Rulebook, b: Rulebook) -> None:
    assert a.fingerprint == b.fingerprint
    assert {k: s.fingerprint for k, s in a.scenarios.items()} == {
        k: s.fingerprint for k, s in b.scenarios.items()
    }
    assert a.files == b.files
    assert events(a) == events(b)


def test_a_warm_load_parses_nothing_and_plays_the_same(folder: Path, parses: list[str]) -> None:
    cold = load()
    shipped = len(loading.default_files())
    assert len(parses) == shipped
    assert len(entries(folder)) == shipped
    parses.clear()
    warm = load()
    assert parses == []
    same(cold, warm)


def test_a_corrupt_or_foreign_entry_is_ignored_and_written_again(folder: Path, parses: list[str]) -> None:
    cold = load()
    good = entries(folder)
    names = list(good)
    paths = sorted((folder / "yaml").glob("*.marshal"))
    paths[0].write_bytes(b"\x00not marshal at all")
    paths[1].write_bytes(good[names[1]][: len(good[names[1]]) // 2])  # cut short
    paths[2].write_bytes(good[names[3]])  # another file's parse under this file's key
    paths[4].write_bytes(b"")
    parses.clear()
    again = load()
    assert len(parses) == 4
    same(cold, again)
    assert entries(folder) == good  # rewritten whole


def test_an_edited_file_is_parsed_again(folder: Path, parses: list[str], tmp_path: Path) -> None:
    src = loading.scenarios_dir() / f"{SCENARIO}.yaml"
    mine = tmp_path / "mine.yaml"
    text = src.read_text(encoding="utf-8").replace(f"id: {SCENARIO}", "id: mine", 1)
    mine.write_text(text, encoding="utf-8")
    first = load([mine], add_scenarios=True)
    mine.write_text(text.replace("id: mine", "id: mine-edited", 1), encoding="utf-8")
    parses.clear()
    second = load([mine], add_scenarios=True)
    assert parses == [str(mine)]  # the shipped files came from the cache, the edited one did not
    assert "mine" in first.scenarios and "mine-edited" in second.scenarios
    assert "mine" not in second.scenarios


def test_a_folder_that_cannot_be_created_changes_nothing(tmp_path: Path, parses: list[str]) -> None:
    from precursor.game.rulebook import cache

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    cache.use(blocker / "cache")
    try:
        first = load()
        second = load()
    finally:
        cache.use(None)
    assert len(parses) == 2 * len(loading.default_files())
    assert first.fingerprint == second.fingerprint


def test_a_writer_that_died_costs_one_entry_once(folder: Path, parses: list[str]) -> None:
    """A temporary file left by a process that died while writing an entry is cleared, not waited on."""
    load()
    paths = sorted((folder / "yaml").glob("*.marshal"))
    paths[0].unlink()
    leftover = paths[0].with_name(paths[0].name + ".tmp")
    leftover.write_bytes(b"half an entry")
    parses.clear()
    load()  # parses that file, finds the way blocked, clears it
    assert len(parses) == 1 and not leftover.exists() and not paths[0].exists()
    load()  # parses it once more and keeps it
    assert len(parses) == 2 and paths[0].exists()
    parses.clear()
    load()
    assert parses == []


@pytest.mark.skipif(os.geteuid() == 0, reason="no permission bit stops root from writing")
def test_a_read_only_folder_is_read_and_not_written(folder: Path, parses: list[str], tmp_path: Path) -> None:
    cold = load()
    kept = entries(folder)
    for p in [folder, *folder.rglob("*")]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    mine = tmp_path / "mine.yaml"
    src = loading.scenarios_dir() / f"{SCENARIO}.yaml"
    mine.write_text(src.read_text(encoding="utf-8").replace(f"id: {SCENARIO}", "id: mine", 1))
    parses.clear()
    try:
        warm = load([mine], add_scenarios=True)
    finally:
        for p in [folder, *folder.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
    assert parses == [str(mine)]  # the kept entries were read; the new file's parse could not be kept
    assert warm.fingerprint == cold.fingerprint and "mine" in warm.scenarios
    assert entries(folder) == kept


def test_a_warm_load_validates_nothing_and_gets_the_same_models(
    folder: Path, validations: list[tuple[Any, Any]]
) -> None:
    cold = load()
    first = list(validations)
    # each file validated once (the modules file is asked for twice: the second time it is kept)
    assert first and sum(fresh for _, fresh in first) == len(entries(folder, "models")) == len(first) - 1
    validations.clear()
    warm = load()
    assert [fresh for _, fresh in validations] == [False] * len(first)
    for (a, _), (b, _) in zip(first, validations, strict=True):
        same_models(a, b)
    same(cold, warm)


def test_a_bad_model_entry_is_validated_again(folder: Path, validations: list[tuple[Any, Any]]) -> None:
    import marshal

    from precursor.game.rulebook import cache

    cold = load()
    good = entries(folder, "models")
    paths = sorted((folder / "models").glob("*.marshal"))
    names = [p.name for p in paths]
    paths[0].write_bytes(b"\x00not marshal at all")
    paths[1].write_bytes(good[names[2]])  # another file's models under this file's key
    # an entry naming a class that is not one of the schema's models is never built
    k = paths[3].name.removesuffix(".marshal")
    paths[3].write_bytes(marshal.dumps((cache.MODELS_FORMAT, k, ("m", "Path", {}, {}, []))))
    validations.clear()
    again = load()
    assert sum(fresh for _, fresh in validations) == 3
    same(cold, again)
    assert entries(folder, "models") == good  # rewritten whole


def test_a_process_with_a_warm_cache_builds_no_validator(folder: Path) -> None:
    """Importing the schema builds no model's validator, and a load from the cache needs none."""
    load()
    code = (
        "import sys; from pathlib import Path; from pydantic import BaseModel\n"
        "from precursor.game import schema; from precursor.game.rulebook import cache, load\n"
        "cache.use(Path(sys.argv[1])); load()\n"
        "built = [n for n, c in vars(schema).items() if isinstance(c, type) and issubclass(c, BaseModel)"
        " and c is not BaseModel and c.__pydantic_complete__]\n"
        "print(built)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(folder)], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------ expression trees


@pytest.fixture
def trees(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[int, int]]]:
    """For each load's compilation: how many trees the parser held when it began, and how many it had
    to parse (texts new to it, or held as other objects afterwards). The parser's memo starts empty."""
    from precursor.game import expr

    seen: list[tuple[int, int]] = []
    real = loading.build

    def watched(ctx: Any, kinds: Any) -> Any:
        before = dict(expr.PARSED)
        result = real(ctx, kinds)
        parsed = sum(1 for t, n in expr.PARSED.items() if before.get(t) is not n)
        seen.append((len(before), parsed))
        return result

    monkeypatch.setattr(loading, "build", watched)
    expr.PARSED.clear()
    yield seen
    expr.PARSED.clear()


def test_a_warm_load_parses_no_expression_and_plays_the_same(
    folder: Path, trees: list[tuple[int, int]]
) -> None:
    from precursor.game import expr

    cold = load()
    assert trees[0][0] == 0 and trees[0][1] > 500  # the shipped rules hold some 550 distinct texts
    assert len(entries(folder, "trees")) == 1
    expr.PARSED.clear()  # as in a new process
    warm = load()
    assert trees[1] == (trees[0][1], 0)
    same(cold, warm)


def test_an_edited_rule_file_has_its_own_trees(
    folder: Path, trees: list[tuple[int, int]], tmp_path: Path
) -> None:
    """The trees are kept per set of files: an edit to a rule file reads none of the shipped files'
    entry, and its changed expression is parsed, not taken from the entry of the file before the edit."""
    from precursor.game import expr

    src = loading.rules_dir() / "scoring.yaml"
    text = src.read_text(encoding="utf-8")
    old = "else 10 - (mean.mx.st - 20) / 3"
    assert old in text
    mine = tmp_path / "scoring.yaml"
    mine.write_text(text.replace(old, "else 10 - (mean.mx.st - 21) / 3"), encoding="utf-8")
    shipped = load()
    for edit in (old.replace("20", "21"), old.replace("20", "22")):
        mine.write_text(text.replace(old, edit), encoding="utf-8")
        expr.PARSED.clear()
        edited = load([mine])
        assert trees[-1][0] == 0 and trees[-1][1] > 500  # nothing kept for this set of files yet
        assert f"if flag.hrl_count > 0 then -10 {edit}" in expr.PARSED
        assert f"if flag.hrl_count > 0 then -10 {old}" not in expr.PARSED
        assert edited.fingerprint != shipped.fingerprint
    assert len(entries(folder, "trees")) == 3
    expr.PARSED.clear()
    load([mine])  # the last edit again: its trees were kept
    assert trees[-1][1] == 0


def test_a_bad_trees_entry_is_ignored_and_written_again(folder: Path, trees: list[tuple[int, int]]) -> None:
    import marshal

    from precursor.game import expr
    from precursor.game.rulebook import cache

    cold = load()
    (path,) = sorted((folder / "trees").glob("*.marshal"))
    good = path.read_bytes()
    k = path.name.removesuffix(".marshal")
    kept = marshal.loads(good)[2]
    text = next(iter(kept))
    bad = [
        b"\x00not marshal at all",
        good[: len(good) // 2],  # cut short
        b"",
        marshal.dumps((cache.TREES_FORMAT, "0" * 64, kept)),  # another key's entry
        marshal.dumps((cache.TREES_FORMAT, k, {text: ("?", 1, 2)})),  # not a tree
        marshal.dumps((cache.TREES_FORMAT, k, {text: ("B", "+", ("n", 1, 1))})),  # a tree cut short
        marshal.dumps((cache.TREES_FORMAT, k, [text])),  # not a table of trees
    ]
    for blob in bad:
        path.write_bytes(blob)
        expr.PARSED.clear()
        again = load()
        assert trees[-1] == (0, trees[0][1])  # parsed it all, as without the entry
        assert path.read_bytes() == good  # rewritten whole
        assert again.fingerprint == cold.fingerprint
    same(cold, again)


def fingerprints(rb: Rulebook) -> tuple[str, dict[str, str]]:
    return rb.fingerprint, {k: s.fingerprint for k, s in rb.scenarios.items()}


def test_a_warm_load_hashes_no_file_and_records_the_same_fingerprints(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each file's fingerprint is kept with its parse: a warm load hashes only the list of them, and
    gives the fingerprints a load without a cache gives. Data an override file changed is hashed
    again: a fingerprint kept from before the override is not used."""
    from precursor.game.rulebook import cache

    cache.use(None)
    uncached = fingerprints(load())
    cache.use(folder)
    cold = load()
    hashed: list[Any] = []
    real = loading.fingerprint

    def counting(data: Any) -> str:
        hashed.append(data)
        return real(data)

    monkeypatch.setattr(loading, "fingerprint", counting)
    warm = load()
    assert len(hashed) == 1  # the sorted list of the rule files' fingerprints, nothing else
    assert fingerprints(cold) == fingerprints(warm) == uncached

    ov = tmp_path / "o.yaml"
    ov.write_text("overrides:\n  - set: scoring/shared_points\n    value: 7\n", encoding="utf-8")
    hashed.clear()
    overridden = load([ov])
    assert len(hashed) > len(loading.default_files())  # every file's data hashed afresh
    cache.use(None)
    assert fingerprints(overridden) == fingerprints(load([ov]))
    assert overridden.fingerprint != uncached[0]
