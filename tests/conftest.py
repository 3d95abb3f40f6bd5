"""Shared fixtures: the shipped rulebook is loaded once per session (it is immutable after load)."""

from __future__ import annotations

from pathlib import Path

import pytest

from precursor.rulebook import Rulebook, default_rulebook

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def rb() -> Rulebook:
    return default_rulebook()
