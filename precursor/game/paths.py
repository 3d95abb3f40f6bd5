"""Where the shipped rule and scenario files live, in a source checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # precursor/


def data_root() -> Path:
    """The folder holding ``rules/`` and ``scenarios/``.

    An installed wheel carries them in ``precursor/data``; a source checkout (or an editable install)
    keeps them at the repository root, beside the package.
    """
    packaged = _PACKAGE / "data"
    if (packaged / "rules").is_dir():
        return packaged
    return _PACKAGE.parent


def rules_dir() -> Path:
    return data_root() / "rules"


def scenarios_dir() -> Path:
    return data_root() / "scenarios"
