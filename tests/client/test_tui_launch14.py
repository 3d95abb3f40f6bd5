"""The commands Precursor prints to run it again work in the shell that started it (issue 14, session 14).
Students started ``python -m precursor solo`` in a shared checkout; the end screen and the lines printed on
leaving said ``precursor report …`` and ``precursor solo --game …``, and the shell answered "command not
found". Started as a module, the commands now name the same interpreter and ``-m precursor``."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from client_tui.app import solo_resume_command
from client_tui.launch import program
from client_tui.panes.game_over import report_commands

ROOT = Path(__file__).resolve().parents[2]


def test_started_as_a_module_the_commands_name_the_interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", [str(ROOT / "precursor" / "__main__.py"), "solo"])
    run = f"{shlex.quote(sys.executable)} -m precursor"
    assert program() == run
    report, replay = report_commands("g1", "sqlite:////tmp/x.db")
    assert report.strip().startswith(f"{run} report g1 ") and replay.strip().startswith(f"{run} replay g1"), (
        report,
        replay,
    )
    assert solo_resume_command("g1", "t1", None).startswith(f"{run} solo --game g1")


def _installed(where: Path) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    exe = where / "precursor"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    return exe


def test_started_as_the_installed_command_they_say_precursor(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    exe = _installed(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(exe.parent))
    monkeypatch.setattr(sys, "argv", [str(exe), "solo"])
    assert program() == "precursor"
    assert report_commands("g1", "")[0].strip().startswith("precursor report g1 ")


def test_started_by_its_path_from_an_inactive_environment_they_name_that_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Student h19 ran /work/venv/bin/precursor solo with the environment not active: the end screen
    said "precursor report …", which the shell did not find. The command names the path it was run by."""
    exe = _installed(tmp_path / "venv" / "bin")
    monkeypatch.setenv("PATH", str(_installed(tmp_path / "other").parent))  # another precursor first
    monkeypatch.setattr(sys, "argv", [str(exe), "solo"])
    assert program() == shlex.quote(str(exe))
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))  # or none at all
    assert report_commands("g1", "")[0].strip().startswith(f"{shlex.quote(str(exe))} report g1 ")


def test_the_printed_module_command_runs() -> None:
    """The command as printed for a module start, run in a shell: it answers (here, its help)."""
    out = subprocess.run(
        f"{program(str(ROOT / 'precursor' / '__main__.py'))} report --help",
        shell=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert out.returncode == 0 and "report" in out.stdout, out.stderr
