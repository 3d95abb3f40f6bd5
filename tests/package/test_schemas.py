"""The JSON Schemas that ``precursor schema`` exports accept every file the project ships: an editor
pointed at them (docs/rules-format.md) must not flag a valid rule, scenario or case file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _schema(kind: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "precursor.cli", "schema", kind], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    schema: dict[str, Any] = json.loads(out.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def _files(folder: str) -> list[Path]:
    found = sorted((ROOT / folder).rglob("*.yaml"))
    assert found, folder
    return found


@pytest.mark.subprocess
@pytest.mark.parametrize(
    ("kind", "folder"), [("rules", "rules"), ("scenario", "scenarios"), ("cases", "tests/cases")]
)
def test_every_shipped_file_validates_against_its_exported_schema(kind: str, folder: str) -> None:
    validator = jsonschema.Draft202012Validator(_schema(kind))
    for path in _files(folder):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
        assert not errors, f"{path.relative_to(ROOT)}: {errors[0].json_path}: {errors[0].message[:300]}"


@pytest.mark.subprocess
def test_the_example_override_file_validates_against_the_rules_schema() -> None:
    """The override format is part of ``precursor schema rules``, so an editor checks it too."""
    validator = jsonschema.Draft202012Validator(_schema("rules"))
    example = yaml.safe_load((ROOT / "docs" / "examples" / "overrides.yaml").read_text(encoding="utf-8"))
    errors = sorted(validator.iter_errors(example), key=lambda e: list(e.absolute_path))
    assert not errors, f"{errors[0].json_path}: {errors[0].message[:300]}"
    # and the schema is not so loose that anything passes: an item must be a set or an add_inject
    assert list(validator.iter_errors({"overrides": [{"bogus": 1}]}))
    assert list(validator.iter_errors({"overrides": [{"set": "levers/us_san_1/cost"}]}))
