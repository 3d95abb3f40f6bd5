"""Build hook: compile the engine's and the bots' hot modules with mypyc.

Everything else about the package is declared in ``pyproject.toml``; this file only adds the compiled
modules. Why: a busy game and a bot-vs-bot game spend their time in plain Python dict and call
overhead, which mypyc turns into C (about a quarter fewer instructions a game, see docs/engine.md). The
modules stay ordinary, typed Python: the same files run uncompiled, and give byte-identical event logs
(``tests/test_compiled.py``).

The compiled build is never required:

- ``PRECURSOR_PURE=1`` installs the pure-Python package;
- editable installs (``pip install -e .``) stay pure, so an edit to a module takes effect at once
  instead of being shadowed by a stale compiled copy;
- if mypyc is missing or the C compiler fails, the build warns and installs the pure-Python package.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

# The modules a game spends its time in (dotted names below precursor/): the engine's, the bots', and
# the expression closures every rule and persona runs.
COMPILED = [
    "game.adjudication",
    "game.adjudication.agreements",
    "game.adjudication.consent",
    "game.adjudication.end",
    "game.adjudication.monthly",
    "game.adjudication.orders",
    "game.adjudication.politics",
    "game.adjudication.rules",
    "game.adjudication.statements",
    "game.adjudication.tension",
    "game.adjudication.turn_start",
    "game.bots",
    "game.bots.bargaining",
    "game.bots.beliefs",
    "game.bots.character",
    "game.bots.commitments",
    "game.bots.decisions",
    "game.bots.driver",
    "game.bots.fast_view",
    "game.bots.orders",
    "game.bots.signing",
    "game.bots.utility",
    "game.core",
    "game.decimals",
    "game.engine",
    "game.expr",
    "game.months",
    "game.negotiation",
    "game.rng",
    "game.scoring",
    "game.state",
    "game.teams",
    "game.views",
    "game.visibility",
]


def _say(text: str) -> None:
    print(f"precursor build: {text}", file=sys.stderr)


def _wanted() -> bool:
    if os.environ.get("PRECURSOR_PURE", "") not in ("", "0"):
        _say("PRECURSOR_PURE is set: pure Python")
        return False
    if {"editable_wheel", "develop"} & set(sys.argv):
        _say("editable install: pure Python, so edits take effect without a rebuild")
        return False
    return True


def _extensions() -> list[Any]:
    if not _wanted():
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        _say("mypyc is not installed: pure Python")
        return []
    here = Path(__file__).resolve().parent
    old = Path.cwd()
    os.chdir(here)  # mypyc reads the [tool.mypy] settings and writes its C files relative to the project
    try:
        # a fresh mypy cache: results cached by another environment (other stubs installed) must not
        # decide whether this one's type check passes
        with tempfile.TemporaryDirectory(prefix="precursor-mypyc-") as cache:
            # a package's module is its __init__.py (mypyc names it after the package)
            paths = [Path("precursor", *m.split(".")) for m in COMPILED]
            files = [str(p / "__init__.py" if p.is_dir() else p.with_suffix(".py")) for p in paths]
            return list(mypycify([f"--cache-dir={cache}", *files], group_name="precursor"))
    except BaseException as exc:  # mypy reports type errors by SystemExit
        _say(f"mypyc could not translate the modules ({exc!r}): pure Python")
        return []
    finally:
        os.chdir(old)


class OptionalBuildExt(build_ext):
    """A compiler failure leaves a pure-Python build, never a half-compiled one."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:
            _say(f"compiling failed ({exc}): pure Python")
            for ext in self.extensions:
                path = Path(self.get_ext_fullpath(ext.name))
                path.unlink(missing_ok=True)
            self.extensions = []


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
