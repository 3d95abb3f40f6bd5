"""``python -m precursor``: the ``precursor`` command, for when the console script is not on PATH."""

from precursor.cli import main

if __name__ == "__main__":  # importing this module (as tools that walk the package do) runs nothing
    raise SystemExit(main())
