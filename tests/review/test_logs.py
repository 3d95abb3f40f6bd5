"""Saved logs say what they were played under: provenance in game_created, the upcaster from the format
before it (a committed golden log of that format), and the tools that refuse to play a game on under
other rules unless told to."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from precursor.analysis.logs import (
    RERUN_FLAG,
    LogError,
    RulesMismatch,
    check_replayable,
    log_format,
    rules_mismatch,
    upcast,
)
from precursor.analysis.review import build_report, dumps, loads, replay
from precursor.analysis.runner import play
from precursor.game.bots import BotDriver
from precursor.game.provenance import LOG_FORMAT
from precursor.game.rulebook import Rulebook, load

ROOT = Path(__file__).resolve().parents[2]
# A bot game of the tutorial (seed 3) written before logs recorded their provenance (log format 0)
FORMAT_0 = ROOT / "tests" / "golden" / "tutorial_seed3_format0.jsonl"


def _game(rb: Rulebook) -> list[dict[str, object]]:
    game, _ = play(rb, "tutorial", 3, None, bots=BotDriver(rb, {}, 3))
    return game.log


def test_a_new_log_records_format_version_and_fingerprints(rb: Rulebook) -> None:
    created = _game(rb)[0]
    prov = created["provenance"]
    assert isinstance(prov, dict)
    assert prov["format"] == LOG_FORMAT == log_format([created])
    assert prov["rules"] == rb.fingerprint and len(rb.fingerprint) == 16
    assert prov["scenario"] == rb.scenarios["tutorial"].fingerprint
    assert prov["package"]
    assert rules_mismatch(rb, [created]) is None


def test_the_format_0_golden_log_still_reads_replays_and_reports(rb: Rulebook) -> None:
    text = FORMAT_0.read_text(encoding="utf-8")
    raw = [json.loads(line) for line in text.splitlines()]
    assert "provenance" not in raw[0] and log_format(raw) == 0
    events = loads(text)  # every reader goes through loads, which upcasts
    assert log_format(events) == LOG_FORMAT
    assert events[0]["provenance"] == {"format": 1, "package": None, "rules": None, "scenario": None}
    assert events[1:] == raw[1:] and "provenance" not in raw[0]  # nothing else changed, input untouched
    game = replay(rb, events)
    final = [e for e in raw if e["type"] == "score" and e.get("final")][-1]
    assert game.state.ended and game.state.scores == final["scores"]
    report = build_report(rb, events)
    assert report["game"]["scenario"] == "tutorial" and report["scores"]
    why = rules_mismatch(rb, events)
    assert why is not None and "does not record which rules" in why


def test_a_log_from_other_rules_is_named_and_playing_it_on_is_refused_unless_asked(rb: Rulebook) -> None:
    events = _game(rb)
    other = [
        {**events[0], "provenance": {**events[0]["provenance"], "rules": "0123456789abcdef"}},
        *events[1:],
    ]
    why = rules_mismatch(rb, other)
    assert why is not None and "other rules" in why and "0123456789abcdef" in why and "\n" not in why
    with pytest.raises(RulesMismatch, match=RERUN_FLAG):
        check_replayable(rb, other, rerun=False)
    assert check_replayable(rb, other, rerun=True) == why
    assert check_replayable(rb, events, rerun=False) is None


def test_a_log_from_a_newer_format_is_refused(rb: Rulebook) -> None:
    events = _game(rb)
    newer = [{**events[0], "provenance": {**events[0]["provenance"], "format": LOG_FORMAT + 1}}]
    with pytest.raises(LogError, match="newer Precursor"):
        upcast(newer)


def test_fingerprints_follow_values_not_comments_or_key_order(rb: Rulebook, tmp_path: Path) -> None:
    src = ROOT / "rules" / "levers" / "mx.yaml"
    commented = tmp_path / "a" / "mx.yaml"
    commented.parent.mkdir()
    commented.write_text("# a comment changes nothing a game depends on\n" + src.read_text(encoding="utf-8"))
    assert load([commented]).fingerprint == rb.fingerprint
    changed = tmp_path / "b" / "mx.yaml"
    changed.parent.mkdir()
    text = src.read_text(encoding="utf-8")
    assert "cost: 0" in text
    changed.write_text(text.replace("cost: 0", "cost: 1", 1), encoding="utf-8")
    other = load([changed])
    assert other.fingerprint != rb.fingerprint
    assert other.scenarios["tutorial"].fingerprint == rb.scenarios["tutorial"].fingerprint


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "precursor.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_cli_reads_an_unrecorded_log_with_a_note_and_forks_it_only_when_asked(tmp_path: Path) -> None:
    log = tmp_path / "old.jsonl"
    shutil.copy(FORMAT_0, log)
    store = f"sqlite:///{tmp_path / 'games.db'}"
    rep = _cli("report", str(log), "--format", "json")
    assert rep.returncode == 0, rep.stderr
    assert rep.stderr.strip().startswith("note: this log does not record which rules")
    assert len(rep.stderr.strip().splitlines()) == 1 and "Traceback" not in rep.stderr
    fork = _cli("fork", str(log), "--turn", "2", "--store", store)
    assert fork.returncode == 2 and fork.stdout == ""
    assert fork.stderr.startswith("error: ") and RERUN_FLAG in fork.stderr
    assert len(fork.stderr.strip().splitlines()) == 1
    sim = _cli("simulate", "--from", str(log), "--turn", "2", "--runs", "2", "--json")
    assert sim.returncode == 2 and RERUN_FLAG in sim.stderr
    fork = _cli("fork", str(log), "--turn", "2", "--store", store, "--create-store", RERUN_FLAG)
    assert fork.returncode == 0, fork.stderr
    assert "game_id" in json.loads(fork.stdout)


def test_cli_forks_a_log_of_the_loaded_rules_without_a_word(rb: Rulebook, tmp_path: Path) -> None:
    log = tmp_path / "new.jsonl"
    log.write_text(dumps(_game(rb)), encoding="utf-8")
    store = f"sqlite:///{tmp_path / 'games.db'}"
    fork = _cli("fork", str(log), "--turn", "2", "--store", store, "--create-store")
    assert fork.returncode == 0 and fork.stderr == "", fork.stderr
