"""What a game was played under: the log format, the package version, and fingerprints of the rules and
the scenario.

Logs outlive the code that wrote them: they are exported, imported, forked and replayed, and the rules
change between releases. A log that says what it was played under lets a reader warn that a report is
built on other rules, and lets the tools that play a game on (fork, counterfactual runs) refuse to mix two
rulebooks in one game without being told to.

Fingerprints hash the parsed YAML data, not the files' bytes: a comment or a reordered key changes
nothing a game depends on, so it does not change the fingerprint; any value does.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from precursor import __version__

# The version of the event-log format. Raise it when an event's shape changes in a way an old reader
# would misread, and add an upcaster from the old format in precursor/analysis/logs.py.
LOG_FORMAT = 1


def fingerprint(data: Any) -> str:
    """A short, stable hash of JSON-able data (keys sorted)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def provenance(rules: str, scenario: str) -> dict[str, Any]:
    """The ``provenance`` field of ``game_created``."""
    return {"format": LOG_FORMAT, "package": __version__, "rules": rules, "scenario": scenario}
