"""A user's own scenario, written beside the shipped ones, played from the command line (README,
"Writing a scenario"): copy the tutorial, rename it, change a starting value, run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "precursor.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        timeout=120,
    )


@pytest.fixture()
def my_scenarios(tmp_path: Path) -> Path:
    """A folder holding the tutorial renamed to my-scenario, with Mexico's sovereignty tension at 61."""
    folder = tmp_path / "my-scenarios"
    folder.mkdir()
    text = (ROOT / "scenarios" / "tutorial.yaml").read_text(encoding="utf-8")
    assert "\n  id: tutorial\n" in text and "\n    mx.st: 50\n" in text
    text = text.replace("\n  id: tutorial\n", "\n  id: my-scenario\n")
    text = text.replace("\n    mx.st: 50\n", "\n    mx.st: 61\n")
    (folder / "my-scenario.yaml").write_text(text, encoding="utf-8")
    return folder


def test_run_plays_a_scenario_from_the_users_folder(tmp_path: Path, my_scenarios: Path) -> None:
    out = cli(
        "run", "--scenarios", str(my_scenarios), "--scenario", "my-scenario", "--personas",
        "--out", "game.jsonl", cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    created = json.loads((tmp_path / "game.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert created["type"] == "game_created"
    assert created["scenario"] == "my-scenario"
    assert created["env"]["mx.st"] == 61
    # the log says which scenario text it was played under: not the shipped tutorial's
    shipped = cli("run", "--scenario", "tutorial", "--out", "t.jsonl", cwd=tmp_path)
    assert shipped.returncode == 0, shipped.stderr
    tutorial = json.loads((tmp_path / "t.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert created["provenance"]["scenario"] != tutorial["provenance"]["scenario"]
    assert created["provenance"]["rules"] == tutorial["provenance"]["rules"]


def test_the_environment_names_the_folder_and_the_shipped_scenarios_stay(
    tmp_path: Path, my_scenarios: Path
) -> None:
    out = cli("scenarios", "--json", cwd=tmp_path, env={"PRECURSOR_SCENARIOS_PATH": str(my_scenarios)})
    assert out.returncode == 0, out.stderr
    ids = {row["id"] for row in json.loads(out.stdout)}
    assert {"my-scenario", "tutorial", "loose-talk"} <= ids


def test_validate_and_simulate_take_the_folder(tmp_path: Path, my_scenarios: Path) -> None:
    ok = cli("validate", "--scenarios", str(my_scenarios), cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    # two workers: the rulebook with the user's scenario must reach the worker processes
    sim = cli(
        "simulate", "--scenarios", str(my_scenarios), "--scenario", "my-scenario", "--runs", "4",
        "--workers", "2", "--json", cwd=tmp_path,
    )  # fmt: skip
    assert sim.returncode == 0, sim.stderr
    assert json.loads(sim.stdout)["runs"] == 4


def test_a_broken_or_missing_folder_is_a_clear_error(tmp_path: Path, my_scenarios: Path) -> None:
    missing = cli("run", "--scenarios", "nowhere", "--scenario", "x", "--out", "g.jsonl", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: nowhere: no such file or folder")
    bad = my_scenarios / "my-scenario.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("turns: 3", "turns: lots"), encoding="utf-8")
    broken = cli("run", "--scenarios", str(my_scenarios), "--scenario", "my-scenario", "--out", "g.jsonl",
                 cwd=tmp_path)  # fmt: skip
    assert broken.returncode == 1
    assert "my-scenario.yaml" in broken.stderr and "Traceback" not in broken.stderr


def test_solo_starts_a_game_of_the_users_scenario(tmp_path: Path, my_scenarios: Path) -> None:
    out = cli(
        "solo", "--scenarios", str(my_scenarios), "--scenario", "my-scenario", "--store", "memory://",
        "--no-ui", cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("precursor solo: game ")
