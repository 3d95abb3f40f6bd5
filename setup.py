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
from concurrent.futures import ThreadPoolExecutor
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
            # one C file per module (multi_file), compiled side by side (_compile_side_by_side): as one file
            # of 35 MB, gcc took about 4 minutes of one core, the longest step of `pip install .`
            return list(mypycify([f"--cache-dir={cache}", *files], group_name="precursor", multi_file=True))
    except BaseException as exc:  # mypy reports type errors by SystemExit
        _say(f"mypyc could not translate the modules ({exc!r}): pure Python")
        return []
    finally:
        os.chdir(old)


def _compile_side_by_side(compiler: Any) -> None:
    """Have ``compiler`` compile an extension's C files on every core instead of one after another.

    setuptools compiles one extension's sources in a loop; the engine is one extension of about forty
    files (one per module), each its own gcc process, so they can run at once. This leans on the
    compiler's own steps (``_setup_compile``, ``_get_cc_args``, ``_compile``, which its ``compile``
    is made of); where they are missing (another setuptools), the loop is left as it is.
    """
    if not all(hasattr(compiler, n) for n in ("_setup_compile", "_get_cc_args", "_compile")):
        return
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if cores < 2:
        return

    def compile(  # the signature of CCompiler.compile
        sources: list[str],
        output_dir: str | None = None,
        macros: Any = None,
        include_dirs: Any = None,
        debug: bool = False,
        extra_preargs: Any = None,
        extra_postargs: Any = None,
        depends: Any = None,
    ) -> list[str]:
        macros, objects, extra_postargs, pp_opts, build = compiler._setup_compile(
            output_dir, macros, include_dirs, sources, depends, extra_postargs
        )
        cc_args = compiler._get_cc_args(pp_opts, debug, extra_preargs)

        def one(obj: str) -> None:
            src, ext = build[obj]
            compiler._compile(obj, src, ext, cc_args, extra_postargs, pp_opts)

        with ThreadPoolExecutor(cores) as pool:  # each job waits on its own gcc process
            list(pool.map(one, objects))  # list(): the first failure is raised here
        return list(objects)

    compiler.compile = compile


class OptionalBuildExt(build_ext):
    """A compiler failure leaves a pure-Python build, never a half-compiled one."""

    def build_extension(self, ext: Any) -> None:
        _compile_side_by_side(self.compiler)
        super().build_extension(ext)

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
