"""The wheel carries every package of the tree: pyproject.toml lists packages by hand (the rule files
are mapped into ``precursor.data``), so a new subpackage must be added there, or an installed Precursor
fails to import it while the checkout works."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from precursor import __version__

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_in_the_tree_is_in_the_wheel() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("precursor", "server", "client_tui")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found, "no packages found"
    assert found <= listed, f"missing from pyproject.toml's packages: {sorted(found - listed)}"


def test_python_m_precursor_is_the_command() -> None:
    """Where the console script is not on PATH (a venv not activated), ``python -m precursor`` works."""
    out = subprocess.run(
        [sys.executable, "-m", "precursor", "--version"], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"precursor {__version__}\n"


def test_the_console_script_answers_version_without_loading_the_cli() -> None:
    """``precursor --version`` is the one answer that needs no parser (bench/bench_startup.py)."""
    script = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["precursor"]
    module, _, func = script.partition(":")
    code = (
        f"import sys; from {module} import {func} as main; rc = main(['--version']); "
        "print(sorted(m for m in sys.modules if m.startswith('precursor') or m == 'argparse')); sys.exit(rc)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    version, loaded = out.stdout.splitlines()
    assert version == f"precursor {__version__}"
    assert loaded == str(["precursor", "precursor.__main__"])
