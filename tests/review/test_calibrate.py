"""`precursor calibrate`: a fit from the edge of a range lowers the 2023 error, its override file loads and
applies, a fit that worsens the 2024 holdout is flagged (exit 1), and the same seed gives the same JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from precursor.analysis import calibrate as C
from precursor.analysis.backtest import level_error
from precursor.cli import main
from precursor.game.rulebook import load

# the border's response to US enforcement: the 2023 encounters fall below the model's, so the low end of
# its range is further from the record than any value above it
PARAM = "flow.migration_border_effect"


def _edge(tmp_path: Path, value: float = 0.1) -> Path:
    path = tmp_path / "edge.yaml"
    path.write_text(f"overrides:\n  - set: parameters/{PARAM}/value\n    value: {value}\n", encoding="utf-8")
    return path


def _calibrate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    rc = main(["calibrate", "--params", PARAM, "--json", *args])
    return rc, json.loads(capsys.readouterr().out)


def test_a_fit_from_the_edge_of_the_range_lowers_the_2023_error_and_its_file_applies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fitted.yaml"
    args = ["--rules", str(_edge(tmp_path)), "--trials", "4", "--runs", "2", "--workers", "1"]
    rc, result = _calibrate(capsys, *args, "--out", str(out))
    fitted = result["params"][0]
    assert fitted["id"] == PARAM and fitted["before"] == 0.1 and fitted["basis"] == "direction"
    assert result["in_sample"]["after"] < result["in_sample"]["before"]
    assert fitted["after"] != 0.1 and 0.1 <= fitted["after"] <= 0.8
    assert rc == (1 if result["holdout_worse"] else 0)

    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert "the 2023 part of the record" in doc["description"] and "4 trials x 2 games" in doc["description"]
    (item,) = doc["overrides"]
    assert item["set"] == f"parameters/{PARAM}/value" and item["value"] == fitted["after"]
    assert item["reason"].startswith(f"fitted: 0.1 -> {fitted['after']}")
    rb = load([out])
    assert rb.parameters[PARAM].value == fitted["after"]
    assert any(PARAM in line for line in rb.overrides)


def _stub(holdout_sign: float) -> Any:
    """Errors without games: in-sample best at 0.7, holdout rising (or falling) with the value."""

    def evaluate(base: C.RulesBase, values: dict[str, float], *_: Any, **__: Any) -> dict[str, Any]:
        v = values[PARAM]
        fit, hold = (v - 0.7) ** 2, holdout_sign * v
        return {"in_sample": fit, "holdout": hold, "series": {"s": {"in_sample": fit, "holdout": hold}}}

    return evaluate


def test_a_fit_that_worsens_the_holdout_is_written_but_flagged_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(C, "evaluate", _stub(+1.0))
    out = tmp_path / "fitted.yaml"
    rc = main(["calibrate", "--params", PARAM, "--trials", "6", "--out", str(out)])
    text = capsys.readouterr().out
    assert rc == 1
    assert "The fit is not good" in " ".join(text.split())
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert doc["description"].startswith("HOLDOUT WORSE: DO NOT USE.")
    assert "holdout worse: do not use" in doc["description"]

    monkeypatch.setattr(C, "evaluate", _stub(-1.0))
    rc, result = _calibrate(capsys, "--trials", "6", "--out", str(out))
    assert rc == 0 and result["verdict"] == "holdout not worse"
    assert result["params"][0]["after"] > result["params"][0]["before"] == 0.4
    assert "DO NOT USE" not in yaml.safe_load(out.read_text(encoding="utf-8"))["description"]


def test_the_same_seed_gives_the_same_json_whatever_the_workers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outs = []
    for workers in ("1", "2"):
        main(["calibrate", "--params", PARAM, "--trials", "2", "--runs", "2", "--workers", workers, "--json",
              "--seed", "7", "--out", str(tmp_path / f"f{workers}.yaml")])  # fmt: skip
        outs.append(capsys.readouterr().out)
    assert outs[0] == outs[1]


def test_an_unknown_parameter_is_refused_with_the_nearest_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(["calibrate", "--params", "flow.migration_border_efect", "--out", str(tmp_path / "f.yaml")])
    err = capsys.readouterr().err
    assert rc == 2 and "unknown parameter 'flow.migration_border_efect'" in err and PARAM in err
    assert not (tmp_path / "f.yaml").exists()


def test_level_error_weighs_each_series_alike_over_the_year() -> None:
    rows = [
        {"series": "a", "points": [
            {"period": "2023-05", "record": 100.0, "median": 110.0},
            {"period": "2023-06", "record": 100.0, "median": 90.0},
            {"period": "2024-01", "record": 100.0, "median": 150.0},
        ]},
        {"series": "b", "points": [{"period": "2023", "record": 50.0, "median": 40.0}]},
    ]  # fmt: skip
    got = level_error(rows, "2023")
    assert got["series"]["a"] == {"points": 2, "error": pytest.approx(0.01)}
    assert got["error"] == pytest.approx((0.01 + 0.04) / 2)
    assert level_error(rows, "2024")["error"] == pytest.approx(0.25)
    assert level_error(rows, "2025")["error"] is None
