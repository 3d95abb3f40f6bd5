"""Whole ``precursor`` processes as a user starts them: what start-up reads, and how its failures read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = "import sys; from precursor.__main__ import main; sys.argv[0] = 'precursor'; sys.exit(main())"


def precursor(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LAUNCH, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_a_report_of_a_scenario_not_loaded_is_one_error_line(tmp_path: Path) -> None:
    """A log of one's own scenario, reported without saying where that scenario is, is an input error
    with a hint, not the engine's traceback."""
    mine = tmp_path / "mine"
    mine.mkdir()
    text = (ROOT / "scenarios" / "tutorial.yaml").read_text(encoding="utf-8")
    (mine / "my-tutorial.yaml").write_text(text.replace("id: tutorial", "id: my-tutorial", 1), "utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PRECURSOR_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("PRECURSOR_SCENARIOS_PATH", None)
    log = tmp_path / "game.jsonl"
    played = precursor(
        *["run", "--scenario", "my-tutorial", "--seed", "1", "--out", str(log)],
        cwd=tmp_path,
        env={**env, "PRECURSOR_SCENARIOS_PATH": str(mine)},
    )
    assert played.returncode == 0, played.stderr
    out = precursor("report", str(log), "--out", str(tmp_path / "r.md"), cwd=tmp_path, env=env)
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    errors = [line for line in out.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "my-tutorial" in errors[0], out.stderr
    assert "PRECURSOR_SCENARIOS_PATH" in errors[0]
    assert not (tmp_path / "r.md").exists()
    found = precursor(
        *["report", str(log), "--out", str(tmp_path / "r.md")],
        cwd=tmp_path,
        env={**env, "PRECURSOR_SCENARIOS_PATH": str(mine)},
    )
    assert found.returncode == 0, found.stderr
    assert (tmp_path / "r.md").exists()


def kept(folder: Path) -> tuple[int, int]:
    """How many files' parses and how many files' validated models a cache folder holds."""
    return len(list((folder / "yaml").glob("*.marshal"))), len(list((folder / "models").glob("*.marshal")))


def test_commands_keep_the_parsed_rules_where_the_environment_says(tmp_path: Path) -> None:
    """The cache (precursor/game/rulebook/cache.py) as a user meets it: a report read with a cold
    cache, a warm one and none is the same report; entries go to PRECURSOR_CACHE_DIR, else
    XDG_CACHE_HOME, else ~/.cache; PRECURSOR_NO_CACHE=1 writes nothing."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path / "home")}
    for var in ("PRECURSOR_CACHE_DIR", "PRECURSOR_NO_CACHE", "XDG_CACHE_HOME", "PRECURSOR_SCENARIOS_PATH"):
        env.pop(var, None)
    log = tmp_path / "game.jsonl"
    played = precursor(
        "run", "--scenario", "tutorial", "--seed", "2", "--out", str(log), cwd=tmp_path, env=env
    )
    assert played.returncode == 0, played.stderr
    home_cache = tmp_path / "home" / ".cache" / "precursor"
    shipped = len(list((ROOT / "rules").rglob("*.yaml"))) + len(list((ROOT / "scenarios").glob("*.yaml")))
    assert kept(home_cache) == (shipped, shipped)

    def report(name: str, **extra: str) -> str:
        """The report, as report.md in a folder of its own (its charts' folder is named in it)."""
        (tmp_path / name).mkdir()
        out_md = tmp_path / name / "report.md"
        out = precursor("report", str(log), "--out", str(out_md), cwd=tmp_path, env={**env, **extra})
        assert out.returncode == 0, out.stderr
        return out_md.read_text(encoding="utf-8")

    mine = tmp_path / "mine"
    cold = report("cold", PRECURSOR_CACHE_DIR=str(mine))
    assert kept(mine) == (shipped, shipped)
    warm = report("warm", PRECURSOR_CACHE_DIR=str(mine))
    xdg = tmp_path / "xdg"
    assert report("xdg", XDG_CACHE_HOME=str(xdg)) == cold
    assert kept(xdg / "precursor") == (shipped, shipped)
    off = tmp_path / "off"
    assert report("none", PRECURSOR_NO_CACHE="1", PRECURSOR_CACHE_DIR=str(off)) == cold
    assert not off.exists()
    assert warm == cold


# A fresh interpreter: the models' validators are process-wide, and other tests build them.
LAZY_VALIDATORS = """
import json
from pydantic import ValidationError
from precursor.analysis.runner import parse_command
from precursor.analysis.simulate import simulate
from precursor.game.commands import (
    Actor, Clause, CommandEnvelope, CommandError, Note, Propose, Respond, SendMessage, Snapback,
    StatementOrder,
)
from precursor.game.rulebook import default_rulebook

out = {"after_import": CommandEnvelope.__pydantic_complete__}
simulate("tutorial", 1, 1, rb=default_rulebook())
simulate("loose-talk", 4, 1, rb=default_rulebook())
out["after_a_bot_game"] = CommandEnvelope.__pydantic_complete__
out["bargains_after_a_bot_game"] = [Propose.__pydantic_complete__, Respond.__pydantic_complete__]
out["notes_after_a_bot_game"] = [StatementOrder.__pydantic_complete__, Note.__pydantic_complete__]
out["parts_after_a_bot_game"] = [
    Clause.__pydantic_complete__, Snapback.__pydantic_complete__, SendMessage.__pydantic_complete__
]
try:
    parse_command({"team": "mx", "type": "propose", "parties": ["mx", "us"], "clauses": "many"})
except CommandError as exc:
    out["bad_script_command"] = exc.code
out["good_script_command"] = type(parse_command({"type": "advance", "role": "system"}).command).__name__
try:
    CommandEnvelope(actor=Actor(role="player", team="mx"), command={"type": "advance", "turn": -1})
except ValidationError as exc:
    out["bad_envelope"] = exc.errors()[0]["loc"]
try:
    Propose(parties=["mx"], note="x" * 10_000, bogus=1)
except ValidationError as exc:
    out["bad_propose"] = sorted(e["type"] for e in exc.errors())
print(json.dumps(out))
"""


def test_a_bot_batch_builds_no_command_validator_it_does_not_use(tmp_path: Path) -> None:
    """Commands' validators are built on a model's first validation: a batch of bot games (whose bots
    build their commands already shaped) never validates an envelope, so it never builds the
    validator of every command type, nor those of the proposals, answers, statements and notes its
    bots make (built by hand, as their orders are), while a script's command and any model a client
    sends are still checked, and refused with the same errors."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", LAZY_VALIDATORS],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["after_import"] is False
    assert out["after_a_bot_game"] is False
    assert out["bargains_after_a_bot_game"] == [False, False]
    assert out["notes_after_a_bot_game"] == [False, False]
    assert out["parts_after_a_bot_game"] == [False, False, False]  # clauses, snapbacks, messages
    assert out["bad_script_command"] == "bad_command"
    assert out["good_script_command"] == "Advance"
    assert out["bad_envelope"] == ["command", "advance", "turn"]
    assert out["bad_propose"] == ["extra_forbidden", "string_too_long", "too_short"]
