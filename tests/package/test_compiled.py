"""The compiled build (setup.py: the engine and the bots through mypyc) against the pure sources.

A compiled module is a different program: mypyc checks declared types at run time and does its own
arithmetic on typed locals. The game must not change with the build, because saved games, replays and
the conformance cases are shared between installs. So the installed build and a copy of this checkout's
pure sources play the same games, and their event logs and final states must hash the same.

CI installs with ``pip install .`` and sets ``PRECURSOR_REQUIRE_COMPILED=1``: there the installed
build must be compiled. Elsewhere (an editable install, ``PRECURSOR_PURE=1``) the comparison is skipped,
with the reason.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.append(str(ROOT / "bench"))
from which_build import pure_copy  # noqa: E402  (bench/: the benchmarks time the same copy)

FINGERPRINT = ROOT / "tests" / "support" / "fingerprint.py"


def _compiled_modules() -> list[str]:
    """setup.py's list of compiled modules (read, not imported: importing it would run the build)."""
    tree = ast.parse((ROOT / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "COMPILED" for t in node.targets
        ):
            return list(ast.literal_eval(node.value))
    raise AssertionError("setup.py has no COMPILED list")


def _installed(tmp_path: Path, code: str) -> str:
    """Run ``code`` against the installed package: from a directory outside the checkout, so the
    checkout's sources are not on the path."""
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        timeout=120,
    )
    if out.returncode != 0 and "No module named 'precursor'" in out.stderr and not _require():
        pytest.skip("precursor is not installed (the tests import the checkout)")
    assert out.returncode == 0, out.stderr
    return out.stdout


def _installed_files(tmp_path: Path) -> dict[str, str]:
    mods = _compiled_modules()
    code = (
        "import importlib, json; "
        f"print(json.dumps({{m: importlib.import_module('precursor.' + m).__file__ for m in {mods!r}}}))"
    )
    files: dict[str, str] = json.loads(_installed(tmp_path, code))
    return files


def _require() -> bool:
    return os.environ.get("PRECURSOR_REQUIRE_COMPILED", "") not in ("", "0")


def test_installed_build_compiles_every_listed_module(tmp_path: Path) -> None:
    files = _installed_files(tmp_path)
    compiled = {m for m, f in files.items() if not f.endswith(".py")}
    if not compiled and not _require():
        pytest.skip(f"the installed precursor is pure Python ({files['game.engine']})")
    # all or nothing: setup.py drops every compiled module when one fails, never a mix
    assert compiled == set(files), f"compiled: {sorted(compiled)}; pure: {sorted(set(files) - compiled)}"
    assert all(f.endswith(".so") for f in files.values()), files


def _fingerprint(cwd: Path, pythonpath: Path | None) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    out = subprocess.run(
        [sys.executable, str(FINGERPRINT), "2"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def test_compiled_build_plays_byte_identical_games_to_the_pure_sources(tmp_path: Path) -> None:
    files = _installed_files(tmp_path)
    if files["game.engine"].endswith(".py") and not _require():
        pytest.skip(f"the installed precursor is pure Python ({files['game.engine']}): nothing to compare")
    compiled = _fingerprint(tmp_path, None)
    assert compiled["engine"].endswith(".so"), compiled["engine"]

    pure_root = pure_copy(tmp_path / "pure")
    pure = _fingerprint(tmp_path, pure_root)
    assert pure["engine"] == str(pure_root / "precursor" / "game" / "engine.py")

    if compiled["sources"] != pure["sources"]:
        message = "the installed package was built from other sources than this checkout's"
        if _require():
            pytest.fail(message)
        pytest.skip(message)
    assert set(compiled["games"]) == set(pure["games"]) and len(pure["games"]) >= 5
    differing = [sid for sid in pure["games"] if compiled["games"][sid] != pure["games"][sid]]
    assert not differing, f"the compiled build plays these scenarios differently: {differing}"
