"""The ``precursor`` command's entry point (the console script, and ``python -m precursor``).

``precursor --version`` is answered here, before the command line module and its imports (argparse,
json, pathlib, typing: about 20 ms of a fresh interpreter's start, bench/bench_startup.py) are loaded;
everything else goes to ``precursor.cli.main``.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    if (sys.argv[1:] if argv is None else argv) == ["--version"]:
        from precursor import __version__

        print(f"precursor {__version__}")
        return 0
    from precursor.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":  # importing this module (as tools that walk the package do) runs nothing
    raise SystemExit(main())
