"""The command line behaves as people expect from a Unix tool: ``--version``, help with every default,
one line on stderr and a documented exit code for every expected failure (README, "Commands")."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from precursor import __version__
from precursor.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "precursor.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_version_prints_the_package_version() -> None:
    out = cli("--version")
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"precursor {__version__}\n"


def test_bare_precursor_prints_the_full_command_list() -> None:
    out = cli()
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("usage: precursor")
    assert "error" not in out.stderr
    for name in _subparsers(build_parser()):
        assert f"    {name} " in out.stdout or f"    {name}\n" in out.stdout, name


def test_every_option_has_help_and_shows_its_default() -> None:
    for name, sub in _subparsers(build_parser()).items():
        text = sub.format_help()
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:
                continue
            label = f"{name} {'/'.join(action.option_strings) or action.dest}"
            assert action.help, f"{label} has no help text"
            default = action.default
            if default is None or isinstance(default, bool) or default == argparse.SUPPRESS:
                continue
            assert "%(default)s" in action.help or f"default: {default}" in " ".join(text.split()), (
                f"{label}: its default {default!r} is not in the help"
            )
