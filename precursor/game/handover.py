"""Votes counted before a scenario starts whose winner takes office during it (rule C4).

A president-elect is named by a vote the game counts (``adjudication.politics``); a scenario that
starts between a vote and its handover counts no vote, so its handover found nobody elected and never
happened. The scenario's calendar and start date say who was elected: the flags are set from them when
the game starts, and a vote without a recorded result is refused when the scenario is loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from precursor.game.months import add_months

# the flag a winner waits under between the vote and the day of taking office
ELECT_FLAG = {"mx_presidential": "flag.mx_president_elect", "us_presidential": "flag.us_president_elect"}
MX_TRANSITION_MONTHS = 4  # rules/elections.yaml c1.windows mx_transition_months, its default


def office_day(kind: str, date: str, mx_months: int = MX_TRANSITION_MONTHS) -> dt.date | None:
    """The day an election's winner takes office, or None when the vote itself changes hands (a
    midterm): a US president on 20 January, Mexico's on the first of the month ``mx_months`` after
    the vote, a Canadian ministry on the day."""
    d = dt.date.fromisoformat(date)
    if kind == "us_presidential":
        return dt.date(d.year + 1, 1, 20)
    if kind == "mx_presidential":
        return add_months(date, mx_months)
    if kind == "ca_federal":
        return d
    return None


def waiting_at_start(calendar: Iterable[Any], start: str, mx_months: int = MX_TRANSITION_MONTHS) -> list[Any]:
    """The elections voted in a month before the scenario's first and handed over in or after it."""
    first = dt.date.fromisoformat(start).replace(day=1)
    out = []
    for ev in calendar:
        if ev.kind not in ELECT_FLAG:
            continue
        office = office_day(ev.kind, ev.date, mx_months)
        vote = dt.date.fromisoformat(ev.date).replace(day=1)
        if office is not None and vote < first <= office.replace(day=1):
            out.append(ev)
    return out


def elect_flags(
    calendar: Iterable[Any], start: str, mx_months: int = MX_TRANSITION_MONTHS
) -> dict[str, bool]:
    """The president-elect flags as the votes before the start left them (a vote without a recorded
    result is refused at load, so ``incumbent_holds`` is known here; None counts as a hold)."""
    flags: dict[str, bool] = {}
    for ev in waiting_at_start(calendar, start, mx_months):
        holds = ev.incumbent_holds is not False
        if ev.kind == "mx_presidential":  # a new president either way, from the party or not
            flags["flag.mx_president_elect"] = True
            flags["flag.mx_elect_opposition"] = not holds
        elif not holds:
            flags["flag.us_president_elect"] = True
    return flags
