"""Parsed rule files kept between processes, so a command does not parse the same YAML every time.

Parsing the rulebook's YAML (with the line of every key, for error messages) is about half of what
loading it costs, and the files rarely change between two commands. Each file's parse, its data and its
line map (and the data's fingerprint, which game logs record: hashing every file's data again was
a tenth of a warm load), is kept in a user cache folder under a key made of the file's bytes and of
everything else the parse depends on: this package's version, the Python version, the parser's own
source (a development checkout keeps one version number while its parser changes) and the
fingerprint's. A changed file thus has a new key and is
parsed again; nothing needs invalidating.

The validated pydantic models of each file are kept too (``validated``), under a key made of the data
they were validated from (after any overrides) and the schema's own source. Validating is quick, but it
needs the models' validators, and building those was a third of importing ``precursor.game.schema``:
the models build them only when first used (``defer_build``), so a process whose files are all kept
builds none. Models are written as plain values (each one its class's name, its fields and which of
them the file gave) and rebuilt only as classes of ``precursor.game.schema``, without validating
again.

The compiled expressions are closures, which cannot be stored at all (and in the compiled build,
neither can any object of the engine's classes). What can be is their syntax trees, as nested tuples:
parsing is two thirds of compiling a rulebook's ~1,300 expressions. They are kept per set of rule
files (``trees``), under a key made of every file's bytes and the expression language's source, and
handed to the parser before the rulebook is compiled; type checks and closures are made as before, so
an expression compiles, and fails, exactly as without the cache.

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
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from precursor.game.loader import Doc, Path_

# bumped when an entry's layout changes; part of every key and of every entry
FORMAT = "precursor-yaml-2"
MODELS_FORMAT = "precursor-models-2"
_SALT: list[bytes] = []  # the key's part that is the same for every file, computed once per process
_MODELS_SALT: list[bytes] = []  # the same for the kept models: the schema's source instead of the parser's
_FOLDER: list[Path] = []  # where entries go; empty: no cache


def use(folder: Path | None) -> None:
    """Keep parses in ``folder`` from now on; None turns the cache off (the default)."""
    _FOLDER[:] = [] if folder is None else [folder]


def folder() -> Path | None:
    return _FOLDER[0] if _FOLDER else None


def _code_salt(fmt: str, module_file: str | None, *, need_source: bool) -> bytes:
    """The key's part shared by every entry of one kind: the entry format, this package's and Python's
    versions and the source of the module whose code decides what is kept. When that source cannot be
    read and ``need_source`` is set, the salt is empty: the caller then trusts no entry at all."""
    from precursor import __version__

    try:
        source = Path(module_file or "").read_bytes()
    except OSError:
        source = b""
    if not source and need_source:
        return b""
    return f"{fmt}\0{__version__}\0{sys.version}\0".encode() + hashlib.sha256(source).digest()


def _salt() -> bytes:
    """The parser's salt, with the source of the function whose result an entry keeps beside the
    parse (``provenance.fingerprint``): a changed fingerprint is then a new key, never an old entry's
    hash. When that source cannot be read, entries keep no fingerprint (``_FINGERPRINTS``)."""
    if not _SALT:
        from precursor.game import loader, provenance

        try:
            fp_source = Path(provenance.__file__ or "").read_bytes()
        except OSError:
            fp_source = b""
        _FINGERPRINTS[:] = [bool(fp_source)]
        salt = _code_salt(FORMAT, loader.__file__, need_source=False)
        _SALT.append(salt + hashlib.sha256(fp_source).digest())
    return _SALT[0]


_FINGERPRINTS: list[bool] = []  # whether entries keep the data's fingerprint (set with the salt)


def _keeps_fingerprints() -> bool:
    _salt()
    return _FINGERPRINTS[0]


def key(raw: bytes) -> str:
    """The entry a file's bytes are kept under."""
    return hashlib.sha256(_salt() + raw).hexdigest()


def _entry(folder: Path, k: str) -> Path:
    return folder / "yaml" / f"{k}.marshal"


def lookup(raw: bytes, name: str, k: str | None = None) -> Doc | None:
    """The kept parse of a file's bytes, as a Doc named ``name``; None on a miss or a bad entry. ``k``
    is ``key(raw)`` when the caller has it."""
    where = folder()
    if where is None:
        return None
    k = key(raw) if k is None else k
    try:
        blob = _entry(where, k).read_bytes()
        entry = marshal.loads(blob)
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not _well_formed(entry, k):
        return None
    return Doc(name, entry[2], entry[3], fingerprint=entry[4] if _keeps_fingerprints() else None)


def _well_formed(entry: Any, k: str) -> bool:
    return (
        isinstance(entry, tuple)
        and len(entry) == 5
        and entry[0] == FORMAT
        and entry[1] == k
        and isinstance(entry[3], dict)
        and (entry[4] is None or isinstance(entry[4], str))
    )


def store(raw: bytes, data: Any, lines: dict[Path_, int], k: str | None = None) -> str | None:
    """Keep a fresh parse of ``raw``, with its data's fingerprint, which is returned (None when there
    is no cache); silently nothing kept when it cannot be."""
    where = folder()
    if where is None:
        return None
    k = key(raw) if k is None else k
    from precursor.game.provenance import fingerprint

    fp = fingerprint(data) if _keeps_fingerprints() else None
    try:
        blob = marshal.dumps((FORMAT, k, data, lines, fp))
    except ValueError:  # a value marshal cannot store (a YAML timestamp): parse this file each time
        return fp
    _write(_entry(where, k), blob)
    return fp


def _write(path: Path, blob: bytes) -> None:
    """Writes an entry whole or not at all; never raises."""
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


# ------------------------------------------------------------------ validated models


class _NotKept(Exception):
    """A value the models' encoding does not cover: the file's models are then validated each time."""


def _models_salt() -> bytes:
    if not _MODELS_SALT:
        from precursor.game import schema

        _MODELS_SALT.append(_code_salt(MODELS_FORMAT, schema.__file__, need_source=True))
    return _MODELS_SALT[0]


def _models_key(data: Any, model: type[Any]) -> str | None:
    salt = _models_salt()
    if not salt:
        return None
    try:
        # version 2: no back-references, so equal data gives equal bytes whatever shares what in memory
        body = marshal.dumps(data, 2)
    except ValueError:
        return None
    return hashlib.sha256(salt + model.__name__.encode() + b"\0" + body).hexdigest()


def _models_entry(folder: Path, k: str) -> Path:
    return folder / "models" / f"{k}.marshal"


_PLAIN = (str, bool, int, float)


def _encode(value: Any, models: Any) -> tuple[Any, bool]:
    """An entry's form of a value, and whether it is plain (holds no model and no tuple).

    A plain value is written as it is and read back as it is, without a walk; everything else is a
    tagged tuple: a tuple ("t", items), a list or dict holding models ("l", items) or ("d", items), a
    model ("m", class name, fields, tagged fields, the fields the file gave), its plain fields as they
    are with None for the others, which are apart, so that reading it walks only them. Every tuple in
    an entry is thus a tag.
    """
    kind = type(value)
    if value is None or kind in _PLAIN:  # exactly: a str enum would come back a plain str
        return value, True
    if kind is list:
        items = [_encode(v, models) for v in value]
        if all(plain for _, plain in items):
            return value, True
        return ("l", [e for e, _ in items]), False
    if kind is dict:
        if any(type(k) not in _PLAIN for k in value):
            raise _NotKept
        pairs = {k: _encode(v, models) for k, v in value.items()}
        if all(plain for _, plain in pairs.values()):
            return value, True
        return ("d", {k: e for k, (e, _) in pairs.items()}), False
    if kind is tuple:
        return ("t", tuple(_encode(v, models)[0] for v in value)), False
    if isinstance(value, models.BaseModel) and getattr(models.schema, kind.__name__, None) is kind:
        if value.__pydantic_extra__ or value.__pydantic_private__:
            raise _NotKept
        fields, tagged = {}, {}
        for k, v in value.__dict__.items():
            e, plain = _encode(v, models)
            fields[k] = e if plain else None
            if not plain:
                tagged[k] = e
        return ("m", kind.__name__, fields, tagged, sorted(value.__pydantic_fields_set__)), False
    raise _NotKept


def _decode(value: Any, models: Any) -> Any:
    """A tagged tuple of ``_encode`` as the value it stands for."""
    tag = value[0]
    if tag == "l":
        return [_decode(v, models) if type(v) is tuple else v for v in value[1]]
    if tag == "d":
        return {k: _decode(v, models) if type(v) is tuple else v for k, v in value[1].items()}
    if tag == "t":
        return tuple(_decode(v, models) if type(v) is tuple else v for v in value[1])
    _tag, name, fields, tagged, given = value
    cls = getattr(models.schema, name, None)
    if tag != "m" or not (isinstance(cls, type) and issubclass(cls, models.BaseModel)):
        raise _NotKept
    # what unpickling a model does: its fields as they were validated, and no validation again
    obj: Any = object.__new__(cls)  # as unpickling does: no model of the schema has a __new__ of its own
    _set = object.__setattr__
    for k, v in tagged.items():
        fields[k] = _decode(v, models)
    _set(obj, "__dict__", fields)
    _set(obj, "__pydantic_fields_set__", set(given))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


class _Models:
    """The modules the models' encoding needs, imported when it is first used."""

    def __init__(self) -> None:
        from pydantic import BaseModel

        from precursor.game import schema

        self.BaseModel = BaseModel
        self.schema = schema


def validated(data: Any, model: type[Any], validate: Callable[[], Any]) -> Any:
    """``validate()``'s model of ``data``, or the one kept for equal data by an earlier process.

    ``validate`` raises on invalid data, which is never kept; a bad or foreign entry is ignored and
    written again.
    """
    where = folder()
    k = None if where is None else _models_key(data, model)
    if where is None or k is None:
        return validate()
    models = _Models()
    path = _models_entry(where, k)
    try:
        entry = marshal.loads(path.read_bytes())
        if isinstance(entry, tuple) and len(entry) == 3 and entry[0] == MODELS_FORMAT and entry[1] == k:
            found = _decode(entry[2], models) if type(entry[2]) is tuple else None
            if isinstance(found, model):
                return found
    except (OSError, ValueError, EOFError, TypeError, KeyError, _NotKept):
        pass
    result = validate()
    try:
        blob = marshal.dumps((MODELS_FORMAT, k, _encode(result, models)[0]))
    except (ValueError, _NotKept):
        return result
    _write(path, blob)
    return result


# ------------------------------------------------------------------ expression trees

TREES_FORMAT = "precursor-trees-1"
_TREES_SALT: list[bytes] = []  # the same for the kept trees: the expression language's source


def _trees_salt() -> bytes:
    if not _TREES_SALT:
        from precursor.game import expr

        _TREES_SALT.append(_code_salt(TREES_FORMAT, expr.__file__, need_source=True))
    return _TREES_SALT[0]


def trees_key(keys: Iterable[str]) -> str | None:
    """The entry of the trees a load of these files parses, from each file's ``key``: one entry for the
    whole set of files, so an edit to any of them (or a file added or left out) starts a new one. None
    when the expression language's source cannot be read (an entry could then outlive a change to the
    parser)."""
    salt = _trees_salt()
    if not salt:
        return None
    return hashlib.sha256(salt + "\0".join(sorted(keys)).encode()).hexdigest()


def _trees_entry(folder: Path, k: str) -> Path:
    return folder / "trees" / f"{k}.marshal"


def _tree_tuple(node: Any, classes: dict[type[Any], str]) -> tuple[Any, ...]:
    """A tree as nested tuples: its class's tag, then its fields in order, subtrees encoded alike."""
    out: list[Any] = [classes[type(node)]]
    for name in node.__dataclass_fields__:
        value = getattr(node, name)
        if name in ("operand", "left", "right", "cond", "then", "orelse"):
            value = _tree_tuple(value, classes)
        elif name == "args":
            value = tuple(_tree_tuple(a, classes) for a in value)
        out.append(value)
    return tuple(out)


def _tree(value: Any, by_tag: dict[str, type[Any]]) -> Any:
    """The tree of ``_tree_tuple``'s tuple; raises (KeyError, TypeError, IndexError) on anything else."""
    cls = by_tag[value[0]]
    tag = value[0]
    if tag in ("n", "b", "s", "m"):
        return cls(value[1], value[2])
    if tag == "u":
        return cls(value[1], _tree(value[2], by_tag), value[3])
    if tag == "B":
        return cls(value[1], _tree(value[2], by_tag), _tree(value[3], by_tag), value[4])
    if tag == "c":
        return cls(*(_tree(v, by_tag) for v in value[1:4]), value[4])
    return cls(value[1], tuple(_tree(a, by_tag) for a in value[2]), value[3])  # "C": a call


def _tree_classes() -> dict[str, type[Any]]:
    from precursor.game import expr as E

    return {
        "n": E.Num, "b": E.Bool, "s": E.Str, "m": E.Name,
        "u": E.Unary, "B": E.Binary, "c": E.Cond, "C": E.Call,
    }  # fmt: skip


@contextlib.contextmanager
def kept_trees(keys: Iterable[str]) -> Iterator[None]:
    """Around a rulebook's compilation: the trees of its expressions as an earlier load of the same
    files kept them, put where the parser finds them first (``expr.PARSED``); after a load that had
    none kept, its trees are kept. An entry that cannot be read, does not match its key or holds
    anything but trees is ignored, and written again after the load; nothing here raises."""
    from precursor.game import expr

    where = folder()
    k = None if where is None else trees_key(keys)
    if where is None or k is None:
        yield
        return
    path = _trees_entry(where, k)
    by_tag = _tree_classes()
    try:
        entry = marshal.loads(path.read_bytes())
        if not (isinstance(entry, tuple) and len(entry) == 3 and entry[:2] == (TREES_FORMAT, k)):
            raise ValueError(k)
        found = {text: _tree(t, by_tag) for text, t in entry[2].items() if isinstance(text, str)}
    except (OSError, ValueError, EOFError, TypeError, KeyError, IndexError, AttributeError):
        found = None
    if found is not None:
        expr.PARSED.update(found)
        yield
        return
    yield
    classes = {cls: tag for tag, cls in by_tag.items()}
    try:  # every tree the process holds: those this load asked for, whichever load parsed them first
        trees = {t: _tree_tuple(n, classes) for t, n in expr.PARSED.items()}
        blob = marshal.dumps((TREES_FORMAT, k, trees))
    except (ValueError, KeyError):
        return
    _write(path, blob)
