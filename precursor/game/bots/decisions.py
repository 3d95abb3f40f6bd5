"""What a bot hands back: a decision (a command with its reason), and the fast way it builds the few
command models it makes by the hundred per game."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from precursor.game.commands import Command

M = TypeVar("M", bound=BaseModel)
_SHAPES: dict[type[Any], tuple[tuple[str, Any], ...]] = {}
_GIVEN = object()  # a field with a default factory: callers of make always give it


def make(cls: type[M], **values: Any) -> M:
    """``cls.model_construct(**values)`` (the same field values in the same order, the same fields set),
    for the few command models bots build by the hundred per game, without model_construct's per-field
    alias handling. Fields not given take their plain defaults. A test checks the two agree."""
    shape = _SHAPES.get(cls)
    if shape is None:
        shape = _SHAPES[cls] = tuple(
            (name, _GIVEN if f.default_factory is not None else f.default)
            for name, f in cls.model_fields.items()
        )
    fields: dict[str, Any] = {}
    for name, default in shape:
        if name in values:
            fields[name] = values[name]
        elif default is _GIVEN:
            raise TypeError(f"{cls.__name__}.{name} has a default factory: give it")
        else:
            fields[name] = default
    m = cls.__new__(cls)
    object.__setattr__(m, "__dict__", fields)
    object.__setattr__(m, "__pydantic_fields_set__", set(values))
    object.__setattr__(m, "__pydantic_extra__", None)
    object.__setattr__(m, "__pydantic_private__", None)
    return m


@dataclass(slots=True)
class Decision:
    command: Command
    reason: str
    decision: str
