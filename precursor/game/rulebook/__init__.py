"""The loaded rulebook: every file validated, cross-checked and compiled into plain, fast structures.

The compiled dataclasses live in :mod:`.model`, the entry points in :mod:`.loading`, and the compiler
in one module per kind of file it compiles, run in order by :mod:`.build`. The names below are the
ones the rest of the code imports from ``precursor.game.rulebook``.
"""

from __future__ import annotations

from precursor.game.rulebook.loading import (
    Factory,
    default_files,
    default_rulebook,
    load,
    overlay,
)
from precursor.game.rulebook.model import (
    CEffect,
    CInject,
    CLever,
    CModule,
    CObjective,
    CParam,
    CRule,
    CScenario,
    CScoreComponent,
    CStatement,
    CWords,
    Rulebook,
    precondition_words,
)
from precursor.game.rulebook.symbols import CLOCK, WINDOWS

__all__ = [
    "CLOCK",
    "WINDOWS",
    "CEffect",
    "CInject",
    "CLever",
    "CModule",
    "CObjective",
    "CParam",
    "CRule",
    "CScenario",
    "CScoreComponent",
    "CStatement",
    "CWords",
    "Factory",
    "Rulebook",
    "default_files",
    "default_rulebook",
    "load",
    "overlay",
    "precondition_words",
]
