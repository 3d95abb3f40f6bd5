"""How to run Precursor again, said the way this process was started."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path


def program(argv0: str | None = None) -> str:
    """The command that starts Precursor as this process was started: ``precursor`` for the installed
    command the shell finds, its whole path when the shell would find another or none,
    ``<this python> -m precursor`` when it was started as a module. Students in a class's shared
    checkout started it with ``python -m precursor solo …``; the end screen then printed ``precursor report
    …``, and their shell answered "command not found"."""
    path = Path(sys.argv[0] if argv0 is None else argv0)
    if path.name == "__main__.py" and path.parent.name == "precursor":
        return f"{shlex.quote(sys.executable)} -m precursor"
    # started by its path from a virtual environment that is not active (student h19 ran
    # /work/venv/bin/precursor solo …): the shell's own `precursor` is another one, or none at all
    found = shutil.which("precursor")
    if (
        path.name == "precursor"
        and path.parent != Path()
        and path.exists()
        and (found is None or Path(found).resolve() != path.resolve())
    ):
        return shlex.quote(str(path))
    return "precursor"
