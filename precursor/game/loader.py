"""Reading YAML rule files with their line numbers, and turning every failure into a ``Problem``.

Facilitators and scenario authors edit these files by hand; an error that says only "validation
failed" is useless to them. So the loader keeps, for every mapping key and list item, the line it
came from, and maps pydantic's error locations back to ``file:line: field: what is wrong``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    import yaml

Path_ = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class RulebookError(Exception):
    """Raised when rule or scenario files are invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Doc:
    """A parsed YAML file: its data, and the line of every key and list item by path."""

    file: str
    data: Any
    lines: dict[Path_, int]
    # parts of the data that an override file put there, with the override's file and line: a problem
    # in them is the override's to fix, so it is reported there (precursor/game/rulebook/overrides.py)
    origins: dict[Path_, tuple[str, int]] = field(default_factory=dict)
    # ``provenance.fingerprint(data)`` as the rule file cache kept it with the parse, so that a load
    # from the cache does not hash every file's data again; None: not known (a fresh parse, or data an
    # override has changed since)
    fingerprint: str | None = None

    def line(self, path: Path_) -> int:
        """The line of the deepest recorded prefix of ``path`` (pydantic may point inside a value)."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return 1

    def field(self, path: Path_) -> str:
        """Readable field path; list items are named by their ``id`` where they have one."""
        out: list[str] = []
        node: Any = self.data
        for part in path:
            if isinstance(part, int):
                ident = None
                if isinstance(node, list) and 0 <= part < len(node) and isinstance(node[part], dict):
                    ident = node[part].get("id")
                out.append(f"[{ident}]" if ident is not None else f"[{part}]")
                node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            else:
                out.append(("." if out else "") + str(part))
                node = node.get(part) if isinstance(node, dict) else None
        return "".join(out) or "(file)"

    def problem(self, path: Path_, message: str) -> Problem:
        p = tuple(path)
        while p and self.origins:
            if p in self.origins:
                file, line = self.origins[p]
                return Problem(file, line, self.field(path), f"{message} (overriding {self.file})")
            p = p[:-1]
        return Problem(self.file, self.line(path), self.field(path), message)


@functools.cache
def _builder() -> type[yaml.SafeLoader]:
    """The loader class, made on first use: a command whose rule files all come from the cache
    (rulebook/cache.py) never imports yaml. LibYAML's parser is about ten times faster than the
    pure-Python one and keeps the same node marks."""
    import yaml

    base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return type("_Builder", (base,), {})


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    import yaml  # a lookup in sys.modules: imported by _builder

    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                )
            child = (*path, key)
            lines[child] = key_node.start_mark.line + 1
            if key in out:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark
                )
            out[key] = _build(loader, value_node, child, lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            child = (*path, i)
            lines[child] = item.start_mark.line + 1
            items.append(_build(loader, item, child, lines))
        return items
    return loader.construct_object(node, deep=True)


def read_yaml(path: Path, display: str | None = None) -> Doc:
    """Parse one YAML file, keeping line numbers. Raises RulebookError on a syntax error."""
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RulebookError([Problem(name, 1, "(file)", f"cannot read: {exc.strerror}")]) from exc
    return read_yaml_text(decode(raw), name)


def decode(raw: bytes) -> str:
    """A file's bytes as ``Path.read_text`` gives them: UTF-8, every line ending made a newline."""
    return raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def read_yaml_text(text: str, name: str) -> Doc:
    import yaml

    loader = _builder()(text)
    lines: dict[Path_, int] = {}
    try:
        node = loader.get_single_node()
        data = {} if node is None else _build(loader, node, (), lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise RulebookError([Problem(name, line, "(yaml)", str(exc.problem or exc))]) from exc
    except yaml.YAMLError as exc:
        raise RulebookError([Problem(name, 1, "(yaml)", str(exc))]) from exc
    finally:
        loader.dispose()
    return Doc(name, data, lines)


def _message(err: Any) -> str:
    kind = err.get("type", "")
    msg = str(err.get("msg", "invalid"))
    if kind == "extra_forbidden":
        return "unknown field (not part of the schema)"
    if kind == "missing":
        return "required field is missing"
    if kind == "literal_error":
        return msg.replace("Input should be", "must be")
    return msg.removeprefix("Value error, ")


def validate(doc: Doc, model: type[M]) -> M:
    """Validate a document against a model; every pydantic error becomes a located Problem."""
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc: Path_ = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
            # union members and tagged wrappers add their own names into loc; drop what is not in the data
            clean: list[str | int] = []
            node: Any = doc.data
            for part in loc:
                in_dict = isinstance(node, dict) and part in node
                in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
                if in_dict or in_list:
                    clean.append(part)
                    node = node[part]
                elif (
                    isinstance(part, str)
                    and err["type"] in ("missing", "extra_forbidden")
                    and part == loc[-1]
                ):
                    clean.append(part)
            problems.append(doc.problem(tuple(clean), _message(err)))
        raise RulebookError(problems) from None
