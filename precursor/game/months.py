"""Calendar arithmetic on the game's month clock (shared by the engine, adjudication and the views)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache


@lru_cache(maxsize=4096)
def add_months(start: str, months: int) -> dt.date:
    """The first of the month ``months`` after ``start`` (an ISO date); ``start`` itself for 0.

    Cached: every month step and every view asks for the same few dates, and a date is immutable.
    """
    y, m, d = (int(p) for p in start.split("-"))
    m0 = m - 1 + months
    return dt.date(y + m0 // 12, m0 % 12 + 1, 1 if months else d)
