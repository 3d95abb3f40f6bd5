"""Batch outputs in one style: the same quantiles everywhere, rich tables by default, JSON on request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from precursor.analysis.review import compare, distribution, dumps
from precursor.analysis.runner import play
from precursor.analysis.simulate import describe, quantile, resolve_personas
from precursor.game.bots import BotDriver
from precursor.game.rulebook import Rulebook


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "precursor.cli", *args]
    # wide enough that rich never wraps a label across two lines
    return subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "COLUMNS": "140"})


def test_compare_summarizes_with_the_quantiles_simulate_uses() -> None:
    records = [{"score_us": float(v), "hrl": v % 2 == 0} for v in range(10)]
    d = distribution(records)["score_us"]
    xs = [float(v) for v in range(10)]
    assert "p25" not in d and "p75" not in d
    assert (d["p10"], d["median"], d["p90"]) == (quantile(xs, 0.1), quantile(xs, 0.5), quantile(xs, 0.9))
    assert {k: d[k] for k in ("mean", "p10", "median", "p90")} == {
        k: describe(xs)[k] for k in ("mean", "p10", "median", "p90")
    }
    assert (d["min"], d["max"]) == (0.0, 9.0)
    assert distribution(records)["hrl"] == {"rate": 0.5}


def test_compare_prints_tables_or_json_and_still_writes_out(rb: Rulebook, tmp_path: Path) -> None:
    personas = resolve_personas(rb, "tutorial")
    logs = []
    for seed in (1, 2):
        game, _ = play(rb, "tutorial", seed, None, bots=BotDriver(rb, personas, seed))
        logs.append(tmp_path / f"g{seed}.jsonl")
        logs[-1].write_text(dumps(game.log), encoding="utf-8")
    out = tmp_path / "cmp.json"
    res = cli("compare", *map(str, logs), "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "final score, United States" in res.stdout and "p10" in res.stdout and "p90" in res.stdout
    assert "score_us" not in res.stdout and "hard red line crossed" in res.stdout
    assert json.loads(out.read_text(encoding="utf-8")) == compare(
        rb, [json.loads("[" + ",".join(p.read_text().splitlines()) + "]") for p in logs]
    )
    res = cli("compare", *map(str, logs), "--json")
    assert res.returncode == 0 and json.loads(res.stdout)["games"] == 2


def test_simulate_from_a_game_prints_names_and_yes_no(rb: Rulebook, tmp_path: Path) -> None:
    personas = resolve_personas(rb, "tutorial")
    game, _ = play(rb, "tutorial", 2, None, bots=BotDriver(rb, personas, 2))
    log = tmp_path / "g.jsonl"
    log.write_text(dumps(game.log), encoding="utf-8")
    res = cli("simulate", "--from", str(log), "--turn", "2", "--runs", "3")
    assert res.returncode == 0, res.stderr
    text = res.stdout
    assert "US synthetic-opioid deaths /yr" in text and "od_synth" not in text
    assert "game finished" in text and "yes" in text and "True" not in text and "False" not in text
    assert "p10" in text and "p90" in text and "p25" not in text
