"""The four teams' fixed order and the dyads between them.

Every per-pair indicator (``trust.us_mx``), agreement party list and roll label names a pair in TEAMS
order, so the one spelling of a pair lives here: the engine, adjudication and the bots all build keys
with ``pair``.
"""

from __future__ import annotations

from precursor.game.schema import TEAMS

_RANK: dict[str, int] = {t: i for i, t in enumerate(TEAMS)}

# the three teams a trilateral module binds (the USMCA partners): a deal carrying one must have all three
# as parties, and "trilateral" means a deal between all three, whoever else signs
TRILATERAL: frozenset[str] = frozenset(("us", "mx", "ca"))

# every dyad, in TEAMS order
PAIRS = ("us_mx", "us_cn", "us_ca", "mx_cn", "mx_ca", "cn_ca")


def pair(a: str, b: str) -> str:
    """Canonical dyad key in TEAMS order, e.g. pair('mx', 'us') == 'us_mx'."""
    return f"{a}_{b}" if _RANK[a] < _RANK[b] else f"{b}_{a}"
