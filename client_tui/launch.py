"""How to run Precursor again, said the way this process was started."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path


def program(argv0: str | None = None) -> str:
    """The command that starts Precursor as this process was started: ``precursor`` for the installed
    command, ``<this python> -m precursor`` when it was started as a module. Students in a class's shared
    checkout started it with ``python -m precursor solo …``; the end screen then printed ``precursor report
    …``, and their shell answered "command not found"."""
    path = Path(sys.argv[0] if argv0 is None else argv0)
    if path.name == "__main__.py" and path.parent.name == "precursor":
        return f"{shlex.quote(sys.executable)} -m precursor"
    return "precursor"
