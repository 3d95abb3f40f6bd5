"""Opening a saved game log: bring an older format up to today's, and say whether it was played under
today's rules.

Every reader of a log (report, replay, grades, compare, export and import, fork, counterfactual runs)
opens it here, so a format change needs one upcaster and every tool follows. Reading a game played under
other rules is fine: events carry the values they set. Playing it on is not, unless asked: the rest of
the game would run under rules it did not start with.
"""

from __future__ import annotations

from collections.abc import Callable

from precursor.game.events import LogEvent as Event
from precursor.game.provenance import LOG_FORMAT
from precursor.game.rulebook import Rulebook


class LogError(ValueError):
    """A log this version cannot read (for example, written by a newer Precursor)."""


def _from_format_0(events: list[Event]) -> list[Event]:
    """Logs written before game_created said what they were played under: the rules are unknown."""
    first = {**events[0], "provenance": {"format": 1, "package": None, "rules": None, "scenario": None}}
    return [first, *events[1:]]


# UPCASTERS[n] turns a log of format n into one of format n + 1.
UPCASTERS: dict[int, Callable[[list[Event]], list[Event]]] = {0: _from_format_0}


def log_format(events: list[Event]) -> int:
    prov = events[0].get("provenance") if events else None
    if not isinstance(prov, dict):
        return 0
    fmt = prov.get("format")
    if not isinstance(fmt, int) or isinstance(fmt, bool) or fmt < 0:
        raise LogError(f"game_created has a bad log format {fmt!r}")
    return fmt


def upcast(events: list[Event]) -> list[Event]:
    """The log in today's format (a new list when anything changed; the events are not mutated)."""
    fmt = log_format(events)
    if fmt > LOG_FORMAT:
        raise LogError(
            f"this log has format {fmt}, written by a newer Precursor; this one reads up to {LOG_FORMAT}"
        )
    while fmt < LOG_FORMAT:
        events = UPCASTERS[fmt](events)
        fmt += 1
    return events


class RulesMismatch(ValueError):
    """A game would be played on under other rules than it was played under."""


RERUN_FLAG = "--rerun-under-current-rules"


def check_replayable(rb: Rulebook, events: list[Event], rerun: bool) -> str | None:
    """For the tools that play a game on: raise unless the rules are the same or ``rerun`` says to go
    on anyway; return the note to show when going on under other rules."""
    why = rules_mismatch(rb, events)
    if why is not None and not rerun:
        raise RulesMismatch(f"{why}; playing it on would mix two rulebooks (pass {RERUN_FLAG} to do so)")
    return why


def rules_mismatch(rb: Rulebook, events: list[Event]) -> str | None:
    """None when the log was played under these rules and this scenario; else one line saying how not."""
    prov = events[0].get("provenance") or {}
    sid = events[0].get("scenario")
    sc = rb.scenarios.get(str(sid))
    if prov.get("rules") is None:
        return "this log does not record which rules it was played under (it predates log format 1)"
    if sc is None:
        return f"this log's scenario {sid!r} is not in the loaded rules"
    mine = (rb.fingerprint, sc.fingerprint)
    theirs = (prov.get("rules"), prov.get("scenario"))
    if mine == theirs:
        return None
    what = " and ".join(
        n for n, a, b in (("rules", mine[0], theirs[0]), ("scenario", mine[1], theirs[1])) if a != b
    )
    version = prov.get("package") or "unknown"
    return (
        f"this game was played under other {what} (Precursor {version}; rules {theirs[0]}, "
        f"scenario {theirs[1]}; loaded: rules {mine[0]}, scenario {mine[1]})"
    )
