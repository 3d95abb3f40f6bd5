"""An analyst's install is the core only (pyproject.toml): the server and the terminal client are extras.

The analyst's commands must run with none of the extras' packages importable, and a command that needs
one must say which extra to install (one line, exit 2) rather than fail on an import with a traceback.
The packages are hidden from a child process by an import hook, so the test runs in any environment.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from precursor.cli import COMMAND_EXTRAS, EXTRA_PACKAGES

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# every package of the server and the terminal client, by import name
HIDDEN = sorted({top for tops in EXTRA_PACKAGES.values() for top in tops})

# The child: an import hook that refuses the hidden packages as if they were not installed, then the CLI.
WITHOUT_EXTRAS = """
import sys

HIDDEN = set(sys.argv[1].split(","))


class Hide:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, Hide())
from precursor.cli import main

status = main(sys.argv[2:])
loaded = sorted({n.partition(".")[0] for n in sys.modules} & HIDDEN)
assert not loaded, loaded
raise SystemExit(status)
"""


def core_only(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRAS, ",".join(HIDDEN), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "100"},
    )


def _name(requirement: str) -> str:
    """A requirement's distribution name, as imported (``uvicorn[standard]>=0.30`` -> ``uvicorn``)."""
    match = re.match(r"[A-Za-z0-9_.-]+", requirement)
    assert match, requirement
    return match.group(0).lower().replace("-", "_")


def _expand(extra: str) -> set[str]:
    """An extra's packages, following the extras it names of the project itself."""
    out: set[str] = set()
    for req in PYPROJECT["optional-dependencies"][extra]:
        if _name(req) == "precursor_wargame":
            inner = re.search(r"\[(.*)\]", req)
            assert inner, req
            for name in inner.group(1).split(","):
                out |= _expand(name.strip())
        else:
            out.add(_name(req))
    return out


@pytest.mark.subprocess
def test_the_analyst_commands_run_without_the_server_or_the_terminal_client(tmp_path: Path) -> None:
    log = tmp_path / "game.jsonl"
    for args in (
        ["validate"],
        ["rules"],
        ["scenarios", "--json"],
        ["run", "--scenario", "tutorial", "--personas", "--out", str(log)],
        ["simulate", "--scenario", "tutorial", "--runs", "4", "--json"],
        ["report", str(log), "--format", "html", "--out", str(tmp_path / "report.html")],
        ["report", str(log)],
        ["backtest", "--runs", "2", "--workers", "1", "--json"],
        ["schema", "protocol"],
    ):
        out = core_only(*args)
        assert out.returncode == 0, (args, out.stderr[-2000:])
    assert "Debrief" in (tmp_path / "report.html").read_text(encoding="utf-8")


@pytest.mark.subprocess
@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (["serve"], "server"),
        (["solo", "--no-ui"], "play"),
        (["play"], "tui"),
        (["web"], "tui"),
        (["bot", "g1", "--code", "X", "--persona", "hawk"], "client"),
        # a game in a store, not a log: the store is the server's
        (["report", "no-such-game"], "server"),
    ],
)
def test_a_command_that_needs_an_extra_names_it(args: list[str], extra: str) -> None:
    out = core_only(*args)
    assert out.returncode == 2, out.stderr[-2000:]
    assert out.stderr == (
        f"error: precursor {args[0]} needs the {extra} extra: pip install 'precursor-wargame[{extra}]'\n"
    )
    assert out.stdout == ""


def test_the_core_has_no_server_or_ui_package_and_the_test_extra_has_them_all() -> None:
    core = {_name(r) for r in PYPROJECT["dependencies"]}
    assert core.isdisjoint(HIDDEN), core & set(HIDDEN)
    # the CLI's table of what each extra brings is the project's own
    for extra, tops in EXTRA_PACKAGES.items():
        assert _expand(extra) == {t.lower() for t in tops}, extra  # import names keep their case (SALib)
    assert set(COMMAND_EXTRAS.values()) <= set(EXTRA_PACKAGES)
    # CI installs `test`: every extra is in it, so no command goes untested for want of a package
    everything = set().union(*(_expand(e) for e in PYPROJECT["optional-dependencies"] if e != "test"))
    assert everything <= _expand("test")
