"""The adjudication conformance suite (tests/cases/*.yaml), and that it covers the whole rulebook."""

from __future__ import annotations

from pathlib import Path

import pytest

from precursor.analysis.cases import Case, load_cases, run_case
from precursor.game.rulebook import Rulebook, default_rulebook

CASES_DIR = Path(__file__).resolve().parents[1] / "cases"
CASES, PROBLEMS = load_cases(CASES_DIR)


def test_case_files_are_valid() -> None:
    assert not PROBLEMS, PROBLEMS
    ids = [c.id for _, c in CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique"


@pytest.mark.parametrize(("file", "case"), CASES, ids=[c.id for _, c in CASES])
def test_case(file: str, case: Case) -> None:
    res = run_case(default_rulebook(), case, file)
    assert res.passed, "\n".join(res.failures)


def test_suite_size_and_coverage(rb: Rulebook) -> None:
    assert len(CASES) >= 60
    covered = set()
    for _, c in CASES:
        covered.add(c.rule)
        covered.update(c.covers)
        assert c.sources or c.ext, f"case {c.id} names no source"
        assert all(s in rb.sources for s in c.sources), c.id
    missing_levers = sorted(set(rb.levers) - covered)
    assert not missing_levers, f"levers without a case: {missing_levers}"
    families = {r.family for r in rb.rules}
    covered_families = {r.family for r in rb.rules if r.id in covered}
    assert families <= covered_families, f"families without a case: {sorted(families - covered_families)}"


def test_a_case_expecting_a_turn_the_scenario_never_reaches_fails(rb: Rulebook) -> None:
    """Expectations of a turn past the scenario's end were silently never checked: such a case passed."""
    case = Case.model_validate(
        {
            "id": "too-long",
            "rule": "x",
            "scenario": "tutorial",
            "description": "expects a fourth turn of a three-turn scenario",
            "turns": [{"turn": 4, "expect": [{"expr": "1 == 2"}]}],
        }
    )
    res = run_case(rb, case)
    assert not res.passed and "past tutorial's last turn (3)" in res.failures[0]
