"""`precursor sensitivity`: a parameter the scenario never reads ranks below one that sets its death rate,
in both methods; each row names the parameter's basis; the same seed gives the same JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest

from precursor.cli import main

# read by the flow model every month (deaths grow as supply to this power)
MATTERS = "flow.deaths_exponent"
# read only after China tables a reciprocal offer, which the tutorial's three turns never see
IDLE = "china.reciprocity_window_turns"


def _run(capsys: pytest.CaptureFixture[str], workers: str) -> str:
    rc = main(["sensitivity", "--scenario", "tutorial", "--params", f"{IDLE},{MATTERS}", "--runs", "2",
               "--samples", "4", "--workers", workers, "--seed", "3", "--json"])  # fmt: skip
    assert rc == 0
    return capsys.readouterr().out


def test_a_parameter_that_cannot_matter_ranks_below_one_that_must(capsys: pytest.CaptureFixture[str]) -> None:
    first = _run(capsys, "1")
    assert _run(capsys, "2") == first  # same seed, same bytes, whatever the workers
    result = json.loads(first)
    assert result["sobol_sets"] == 4 * (2 + 2)
    outputs = {o["output"]: {r["id"]: r for r in o["params"]} for o in result["outputs"]}
    assert set(outputs) >= {"score_us", "score_mx", "score_cn", "score_ca", "od_synth", "hrl",
                            "agreements_honoured"}  # fmt: skip
    deaths: dict[str, Any] = outputs["od_synth"]
    assert deaths[MATTERS]["rank"] == 1 and deaths[IDLE]["rank"] == 2
    assert deaths[IDLE]["effect"] == 0.0 and deaths[MATTERS]["effect"] < 0
    assert deaths[IDLE]["ST"] == 0.0 < deaths[MATTERS]["ST"]
    assert deaths[MATTERS]["basis"] == "invented" and deaths[IDLE]["basis"] == "direction"
    assert outputs["score_us"][MATTERS]["rank"] == 1


def test_the_table_marks_each_parameters_basis(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["sensitivity", "--scenario", "tutorial", "--params", f"{IDLE},{MATTERS}", "--runs", "1",
               "--samples", "0", "--workers", "1"])  # fmt: skip
    text = capsys.readouterr().out
    assert rc == 0
    assert "US synthetic-opioid deaths" in text and "invented" in text and "direction" in text
    assert "rest on invented numbers" in text


def test_an_unknown_scenario_or_a_quoted_parameter_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sensitivity", "--scenario", "tutorail", "--params", MATTERS]) == 2
    assert "unknown scenario 'tutorail'" in capsys.readouterr().err
    assert main(["sensitivity", "--scenario", "tutorial", "--params", "flow.smuggling_revenue_bn"]) == 2
    assert "has no range" in capsys.readouterr().err
