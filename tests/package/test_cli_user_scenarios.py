"""A user's own scenario, written beside the shipped ones, played from the command line (README,
"Writing a scenario"): copy the tutorial, rename it, change a starting value, run it."""

from __future__ import annotations

import json
import re
import shutil
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


# ---------------------------------------------------------------- the README's walk, step by step


def _readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Writing a scenario\n")
    return text[start : text.index("\n## ", start + 1)]


def _blocks(section: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", section, flags=re.DOTALL)


def _edits(section: str) -> list[tuple[str, str]]:
    """The README's edits to the copied scenario, as (old, new) lines: "change `a` to `b`" and
    "from `a` to `b`"."""
    return re.findall(r"(?:change|from) `([^`]+)` to `([^`]+)`", section)


def _commands(section: str) -> list[str]:
    """Every shell line of the section's bash blocks, without its trailing comment."""
    lines = [ln.split("  #")[0].strip() for block in _blocks(section, "bash") for ln in block.splitlines()]
    return [ln for ln in lines if ln]


def _shell(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    import os

    # `precursor` as a user has it, from this checkout's sources
    prelude = f'precursor() {{ "{sys.executable}" -m precursor.cli "$@"; }}\n'
    return subprocess.run(
        ["bash", "-c", prelude + line],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=180,
    )


@pytest.mark.subprocess
def test_the_readme_walk_from_a_copy_of_the_tutorial_to_an_override(tmp_path: Path) -> None:
    """Runs the commands of README's "Writing a scenario" as written, in a fresh folder that holds, like
    the project folder the README starts from, ``scenarios/tutorial.yaml``. Two changes only: simulate
    plays 4 games rather than 200, and solo starts its game without the terminal UI."""
    section = _readme_section()
    (tmp_path / "scenarios").mkdir()
    shutil.copy(ROOT / "scenarios" / "tutorial.yaml", tmp_path / "scenarios" / "tutorial.yaml")
    commands = _commands(section)
    assert commands[0].startswith("mkdir my-scenarios && cp scenarios/tutorial.yaml"), commands
    done = _shell(commands[0], tmp_path)
    assert done.returncode == 0, done.stderr
    copy = tmp_path / "my-scenarios" / "my-scenario.yaml"
    text = copy.read_text(encoding="utf-8")
    edits = _edits(section)
    assert ("id: tutorial", "id: my-scenario") in edits, edits
    for old, new in edits:
        # a line of the file, whatever its indent
        assert len(re.findall(rf"^\s*{re.escape(old)}$", text, flags=re.MULTILINE)) == 1, old
        text = re.sub(rf"^(\s*){re.escape(old)}$", rf"\g<1>{new}", text, flags=re.MULTILINE)
    copy.write_text(text, encoding="utf-8")
    # the override file, named where the README shows it
    name = re.search(r"Save this as `([^`]+)`", section)
    assert name is not None
    after = section[name.end() :]
    (tmp_path / name.group(1)).write_text(_blocks(after, "yaml")[0], encoding="utf-8")

    ran = []
    for line in commands[1:]:
        line = re.sub(r"--runs \d+", "--runs 4", line)
        if line.startswith("precursor solo "):
            line += " --store memory:// --no-ui"
        out = _shell(line, tmp_path)
        assert out.returncode == 0, f"{line}\n{out.stderr}"
        ran.append((line.split()[1], out.stdout))
    assert [cmd for cmd, _ in ran] == ["validate", "run", "simulate", "solo", "validate", "run"]
    assert ran[0][1].startswith("ok: ") and ran[3][1].startswith("precursor solo: game ")
    # the second validate reports the override file's three changes
    assert "3 override(s) applied" in ran[4][1]

    first, second = (
        [json.loads(ln) for ln in (tmp_path / log).read_text(encoding="utf-8").splitlines()]
        for log in ("my-game.jsonl", "my-game-2.jsonl")
    )
    assert first[0]["scenario"] == second[0]["scenario"] == "my-scenario"
    assert first[0]["env"]["mx.st"] == second[0]["env"]["mx.st"] == 61
    # the override played: a fourth turn with its inject; the log says the rules were not the shipped ones
    assert sum(e["type"] == "turn_end" for e in second) == sum(e["type"] == "turn_end" for e in first) + 1
    assert [e["turn"] for e in second if e["type"] == "inject" and e["id"] == "port_strike"] == [4]
    assert first[0]["provenance"]["rules"] != second[0]["provenance"]["rules"]
