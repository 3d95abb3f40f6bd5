"""The CLI as a user runs it: scenarios, rules, run, check-cases, and an installed wheel."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "precursor.cli", *args], cwd=cwd, capture_output=True, text=True
    )


def test_scenarios_json() -> None:
    out = cli("scenarios", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    ids = {r["id"] for r in rows}
    assert {"tutorial", "loose-talk", "election-season", "tariffs-and-terror"} <= ids
    for r in rows:
        assert r["title"] and r["turns"] >= 1 and r["teams"] == ["us", "mx", "cn", "ca"]


def test_rules_json_lists_levers_with_ids_teams_seats_sources() -> None:
    out = cli("rules", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    levers = data["levers"]
    assert len(levers) >= 45
    for lv in levers:
        assert lv["id"] and lv["team"] in ("us", "mx", "cn", "ca") and lv["seat"].startswith(lv["team"] + ".")
        assert lv["sources"] or lv["ext"]


def test_run_plays_a_script_and_writes_the_log(tmp_path: Path) -> None:
    script = tmp_path / "script.yaml"
    script.write_text(
        "turns:\n"
        "  - turn: 2\n"
        "    commands:\n"
        "      - {team: us, type: submit_orders, orders: [{lever: us_arms}]}\n"
        "      - {team: mx, type: submit_orders, orders: [{lever: us_arms}]}\n"
    )
    out_file = tmp_path / "events.jsonl"
    out = cli("run", "loose-talk", "--seed", "4", "--script", str(script), "--out", str(out_file))
    assert out.returncode == 0, out.stderr
    assert "not_your_lever" in out.stderr  # the bad command is reported; the game goes on
    events = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert events[0]["type"] == "game_created" and events[-1]["type"] == "game_over"
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert any(e["type"] == "order_executed" and e["lever"] == "us_arms" and e["turn"] == 2 for e in events)
    again = tmp_path / "again.jsonl"
    cli("run", "loose-talk", "--seed", "4", "--script", str(script), "--out", str(again))
    assert again.read_bytes() == out_file.read_bytes()
    strict = cli("run", "loose-talk", "--seed", "4", "--script", str(script), "--out", str(again), "--strict")
    assert strict.returncode == 1


def test_check_cases_reports_a_failing_case(tmp_path: Path) -> None:
    def case(case_id: str, description: str, expect: str) -> str:
        return (
            f"  - id: {case_id}\n"
            "    rule: us_arms\n"
            f"    description: {description}\n"
            "    sources: [001_a160c7083f94d363.txt]\n"
            "    scenario: loose-talk\n"
            "    turns:\n"
            "      - turn: 1\n"
            "        commands: [{team: us, type: submit_orders, orders: [{lever: us_arms}]}]\n"
            "      - turn: 4\n"
            f"        expect: [{{expr: '{expect}'}}]\n"
        )

    (tmp_path / "mine.yaml").write_text(
        "cases:\n"
        + case("wrong-on-purpose", "claims arms flow rises, which is false", "arms_flow > start.arms_flow")
        + case("right", "arms flow falls after the lag", "arms_flow < start.arms_flow")
    )
    out = cli("check-cases", str(tmp_path))
    assert out.returncode == 1
    assert out.stdout.strip().splitlines()[-1] == "1 passed, 1 failed"
    assert "FAIL wrong-on-purpose" in out.stdout


def test_installed_wheel_validates_from_any_directory(tmp_path: Path) -> None:
    wheel_dir = tmp_path / "wheels"
    # built from a copy without build/: setuptools reuses a checkout's build/lib, so files an older layout
    # put there (a stray setup.py) would land in this wheel and hide or fake what the layout ships now
    src = tmp_path / "src"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(
            "build", ".git", ".venv", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "tests", "bench"
        ),
    )
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheel_dir),
            str(src),
        ],
        check=True,
        capture_output=True,
        text=True,
        # the data files are the point here; CI tests the compiled build through `pip install .`
        env={**os.environ, "PRECURSOR_PURE": "1"},
    )
    assert "Warning" not in build.stdout + build.stderr, build.stdout + build.stderr
    wheel = next(wheel_dir.glob("precursor_wargame-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    # every shipped rule and scenario file, and nothing of the checkout's top level (setup.py, tests)
    shipped = {
        f"precursor/data/{p.relative_to(ROOT).as_posix()}"
        for folder in ("rules", "scenarios")
        for p in (ROOT / folder).rglob("*.yaml")
    }
    assert shipped and shipped <= set(names), sorted(shipped - set(names))
    tops = {n.split("/")[0] for n in names}
    assert tops == {"precursor", "server", "client_tui", f"{wheel.name.split('-py3')[0]}.dist-info"}, tops
    assert not [n for n in names if n.endswith("setup.py")]
    meta = zipfile.ZipFile(wheel).read(f"{wheel.name.split('-py3')[0]}.dist-info/METADATA").decode()
    assert "License-Expression: MIT" in meta and "Keywords: " in meta and "Classifier: " in meta
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=False)
    py = env_dir / "bin" / "python"
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = subprocess.run(
        [
            str(py),
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); import precursor.cli as c; "
            "print(c.__file__); sys.exit(c.main(['validate']))",
            str(target),
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert str(target) in out.stdout.splitlines()[0]
    assert "ok:" in out.stdout and " levers " in out.stdout
    # the quick start's solo game from the wheel: embedded server, default SQLite store in the data dir
    solo = subprocess.run(
        [
            str(py),
            "-c",
            "import sys; sys.path[0:0] = sys.argv[1:]; "
            "import precursor.cli as c; sys.exit(c.main(['solo', '--no-ui', '--team', 'mx']))",
            str(target),
            *site.getsitepackages(),  # the wheel's dependencies, from the environment running the tests
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)},
        timeout=120,
    )
    assert solo.returncode == 0, solo.stdout + solo.stderr
    assert "store sqlite" in solo.stdout
    assert (tmp_path / "data" / "precursor" / "games.db").exists()


def test_run_with_bots_plays_a_negotiated_game(tmp_path: Path) -> None:
    out_file = tmp_path / "events.jsonl"
    out = cli("run", "loose-talk", "--seed", "2", "--bots", "us=hawk", "--out", str(out_file), "--strict")
    assert out.returncode == 0, out.stderr
    events = [json.loads(line) for line in out_file.read_text().splitlines()]
    notes = [e for e in events if e["type"] == "note"]
    assert notes and any(e["type"] == "proposal" for e in events)
    assert any("hawk" in (e.get("text") or "") or e.get("decision") for e in notes)
    bad = cli("run", "loose-talk", "--bots", "us=dove", "--out", str(out_file))
    assert bad.returncode == 2 and "us=dove" in bad.stderr
