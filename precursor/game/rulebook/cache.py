"""Parsed rule files kept between processes, so a command does not parse the same YAML every time.

Parsing the rulebook's YAML (with the line of every key, for error messages) is about half of what
loading it costs, and the files rarely change between two commands. Each file's parse, its data and its
line map, is kept in a user cache folder under a key made of the file's bytes and of everything else the
parse depends on: this package's version, the Python version and the parser's own source (a development
checkout keeps one version number while its parser changes). A changed file thus has a new key and is
parsed again; nothing needs invalidating.

Only the parse is kept. The validated pydantic models would save little (validating the whole rulebook
takes under 10 ms, about what unpickling the models takes), and the compiled expressions are closures,
which cannot be stored at all; everything above the parse is rebuilt as before, from the same data.

The cache is a convenience and never an error: an entry that cannot be read, does not match its key or
is not what a parse returns is ignored and written again; a folder that cannot be created or written
(read-only, full) leaves the files parsed as if there were no cache. Entries are written with
``marshal``, which stores only plain values (no code runs when one is read), and a parse holding
anything else (a YAML timestamp, say) is simply not kept.

The game reads no environment, so the cache is off until its folder is given (``use``): the command
line gives it, from ``PRECURSOR_CACHE_DIR``, ``XDG_CACHE_HOME`` or ``~/.cache`` (precursor/cli.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import sys
from pathlib import Path
from typing import Any

from precursor.game.loader import Doc, Path_

# bumped when an entry's layout changes; part of every key and of every entry
FORMAT = "precursor-yaml-1"
_SALT: list[bytes] = []  # the key's part that is the same for every file, computed once per process
_FOLDER: list[Path] = []  # where entries go; empty: no cache


def use(folder: Path | None) -> None:
    """Keep parses in ``folder`` from now on; None turns the cache off (the default)."""
    _FOLDER[:] = [] if folder is None else [folder]


def folder() -> Path | None:
    return _FOLDER[0] if _FOLDER else None


def _salt() -> bytes:
    if not _SALT:
        from precursor import __version__
        from precursor.game import loader

        try:
            parser = Path(loader.__file__ or "").read_bytes()
        except OSError:
            parser = b""
        head = f"{FORMAT}\0{__version__}\0{sys.version}\0".encode()
        _SALT.append(head + hashlib.sha256(parser).digest())
    return _SALT[0]


def key(raw: bytes) -> str:
    """The entry a file's bytes are kept under."""
    return hashlib.sha256(_salt() + raw).hexdigest()


def _entry(folder: Path, k: str) -> Path:
    return folder / "yaml" / f"{k}.marshal"


def lookup(raw: bytes, name: str) -> Doc | None:
    """The kept parse of a file's bytes, as a Doc named ``name``; None on a miss or a bad entry."""
    where = folder()
    if where is None:
        return None
    k = key(raw)
    try:
        blob = _entry(where, k).read_bytes()
        entry = marshal.loads(blob)
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not _well_formed(entry, k):
        return None
    return Doc(name, entry[2], entry[3])


def _well_formed(entry: Any, k: str) -> bool:
    return (
        isinstance(entry, tuple)
        and len(entry) == 4
        and entry[0] == FORMAT
        and entry[1] == k
        and isinstance(entry[3], dict)
    )


def store(raw: bytes, data: Any, lines: dict[Path_, int]) -> None:
    """Keep a fresh parse of ``raw``; silently nothing when it cannot be kept."""
    where = folder()
    if where is None:
        return
    k = key(raw)
    try:
        blob = marshal.dumps((FORMAT, k, data, lines))
    except ValueError:  # a value marshal cannot store (a YAML timestamp): parse this file each time
        return
    path = _entry(where, k)
    tmp = path.with_name(f"{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("xb") as out:  # one writer at a time; the others leave the entry to it
            out.write(blob)
        tmp.replace(path)  # the entry appears whole or not at all
    except FileExistsError:
        # another process is writing it, or one died doing so: clear the way for the next time
        with contextlib.suppress(OSError):
            tmp.unlink()
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
