"""How every backend encodes records and checks a batch, so that a bad batch or record is refused the
same way everywhere (the contract tests run one suite against all of them).

It sits below the backends and below ``server.stores`` itself, which imports the backends: kept in the
package's ``__init__`` these helpers tied every backend and the package into an import cycle.
"""

from __future__ import annotations

import json
from contextvars import ContextVar, Token
from typing import Any

from server.stores.base import Event

#: Upper bound on one batch yielded by ``tail()``, so a reader that starts far behind gets bounded replies.
TAIL_BATCH = 1000

#: A batch whose events the caller has already encoded (the game room, which sends the same bytes out):
#: ``encode_batch`` stores those bytes instead of encoding every event a second time. A context variable,
#: so it holds for one task's ``append`` only, whichever backend runs it and however many rooms append
#: at once; matched by the identity of the very list handed to ``append``, never by an id that could be
#: reused.
_ENCODED: ContextVar[tuple[list[Event], list[str]] | None] = ContextVar("precursor_encoded", default=None)


def encode(value: dict[str, Any], what: str) -> str:
    """Serialise a record the way every backend stores it.

    Even the memory store round-trips through JSON so that callers see the same values (fresh copies,
    tuples as lists) whichever backend runs; NaN and infinity are refused because they are not JSON.
    ASCII escapes keep lone surrogates storable in SQLite and Redis alike.
    """
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a dict, not {type(value).__name__}")
    if _c_make_encoder is None:  # pragma: no cover - an interpreter without the C accelerator
        return _ENCODER.encode(value)
    # the C encoder ``JSONEncoder.iterencode`` builds, made here without its Python set-up (a closure
    # and a branch per call, a third of the cost for an event): every event is encoded once on the
    # chat path. Fresh markers each time, as there, so a circular value is refused the same way.
    return "".join(
        _c_make_encoder({}, _ENCODER.default, _encode_ascii, None, ":", ",", False, False, False)(value, 0)
    )


#: What ``json.dumps(value, allow_nan=False, separators=(",", ":"))`` makes, with the encoder made once
#: instead of for every event.
_ENCODER = json.JSONEncoder(allow_nan=False, separators=(",", ":"))
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_encode_ascii = json.encoder.encode_basestring_ascii


def encode_events(events: list[Event]) -> list[str]:
    """Each event's JSON, as the stores keep it (the same bytes ``encode_batch`` would make)."""
    return [encode(event, "an event") for event in events]


class encoded:
    """Within this block, appending exactly ``events`` (the same list) stores ``bodies`` as they are.
    A class, not ``contextlib.contextmanager``: it runs once per command, and the generator machinery
    cost more than the context variable it sets."""

    __slots__ = ("_token", "_value")
    _token: Token[tuple[list[Event], list[str]] | None]

    def __init__(self, events: list[Event], bodies: list[str]) -> None:
        self._value = (events, bodies)

    def __enter__(self) -> None:
        self._token = _ENCODED.set(self._value)

    def __exit__(self, *exc: object) -> None:
        _ENCODED.reset(self._token)


def decode(text: str | bytes) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(text)
    return value


def encode_batch(expected_seq: int, events: list[Event]) -> list[str]:
    """Check a batch before the backend is touched, so a misnumbered batch is never half-written."""
    if isinstance(expected_seq, bool) or not isinstance(expected_seq, int) or expected_seq < 0:
        raise ValueError(f"expected_seq must be an int >= 0, not {expected_seq!r}")
    if not events:
        raise ValueError("nothing to append: the batch is empty")
    made = _ENCODED.get()
    ready = made[1] if made is not None and made[0] is events and len(made[1]) == len(events) else None
    bodies = []
    for want, event in enumerate(events, start=expected_seq + 1):
        seq = event.get("seq") if isinstance(event, dict) else None
        if type(seq) is not int or seq != want:
            raise ValueError(
                f"events must be numbered {expected_seq + 1}, {expected_seq + 2}, …: "
                f"event #{want - expected_seq} has seq {seq!r}, expected {want}"
            )
        bodies.append(ready[want - expected_seq - 1] if ready is not None else encode(event, "an event"))
    return bodies
