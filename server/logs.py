"""Log records scrubbed of tokens, for every server entry point (the app, ``precursor serve``, the embedded
server): it sits below them all, so the app does not reach up into the command that serves it."""

from __future__ import annotations

import logging
import re
from typing import Any

_SECRET = re.compile(r"(token=|bearer )[^&\s\"']+", re.IGNORECASE)


def redact_tokens_in_logs() -> None:
    """Tokens travel in websocket URLs (and the facilitator's in an ``Authorization: Bearer`` header),
    and libraries log request lines at debug level: every log record is scrubbed as it is made,
    whichever logger or handler it goes to. Join codes travel only in request bodies, which nothing logs."""
    make = logging.getLogRecordFactory()
    if getattr(make, "precursor_redacts", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            text = record.getMessage()
        except Exception:
            return record
        low = text.lower()
        if "token=" in low or "bearer " in low:
            record.msg, record.args = _SECRET.sub(r"\1[redacted]", text), ()
        return record

    factory.precursor_redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
