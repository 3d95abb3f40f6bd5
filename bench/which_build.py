"""Which build of ``precursor`` a benchmark measures, and the pure-Python sources as its same-run baseline.

``pip install .`` compiles the engine's and the bots' hot modules with mypyc (setup.py); an editable
install, or ``PRECURSOR_PURE=1``, gives the pure-Python package. A benchmark says which one it timed,
and when it timed the compiled build it times this checkout's pure sources too, in a subprocess, so the
gain is measured in the same run rather than remembered from another.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def describe() -> str:
    """One line: compiled or pure, and where the package was imported from."""
    import precursor.game.engine

    where = Path(precursor.game.engine.__file__ or "").parent
    return f"{'compiled with mypyc' if is_compiled() else 'pure Python'} ({where})"


def is_compiled() -> bool:
    import precursor.game.engine

    return not (precursor.game.engine.__file__ or "").endswith(".py")


def pure_copy(root: Path) -> Path:
    """This checkout's ``precursor`` sources (no compiled modules) under ``root``, with the rule and
    scenario files beside them as in a checkout; returns ``root``, to put on ``PYTHONPATH``."""
    shutil.copytree(
        ROOT / "precursor", root / "precursor", ignore=shutil.ignore_patterns("*.so", "__pycache__")
    )
    for data in ("rules", "scenarios"):
        (root / data).symlink_to(ROOT / data)
    return root


def run_pure(script: Path, args: list[str]) -> dict[str, Any]:
    """Run ``script --json ARGS`` against a copy of this checkout's pure sources; return its JSON."""
    with tempfile.TemporaryDirectory(prefix="precursor-pure-") as tmp:
        env = {**os.environ, "PYTHONPATH": str(pure_copy(Path(tmp)))}
        out = subprocess.run(
            [sys.executable, str(script), "--json", *args],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
        return result
