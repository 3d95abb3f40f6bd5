"""What a team may claim with a free action: the rulebook's indicator families, cut to what it can see.

A claim names an indicator, so the menu only offers indicators the team sees (exactly or through fog):
a team cannot learn that a hidden value exists, or move one on purpose, by tabling a free action. The
engine checks every claim against this same list.
"""

from __future__ import annotations

from dataclasses import dataclass

from precursor.game.rulebook import Rulebook
from precursor.game.visibility import known_to


@dataclass(frozen=True, slots=True)
class MenuItem:
    indicator: str
    name: str
    family: str
    family_name: str
    amounts: dict[str, float]  # by size: small, medium, large (magnitudes; the direction gives the sign)

    def as_dict(self) -> dict[str, object]:
        return {
            "indicator": self.indicator,
            "name": self.name,
            "family": self.family,
            "family_name": self.family_name,
            "amounts": dict(self.amounts),
        }


def menu(rb: Rulebook, team: str) -> list[MenuItem]:
    """The indicators ``team`` may claim, family by family in the rulebook's order."""
    wc = rb.white_cell
    if wc is None:
        return []
    out: list[MenuItem] = []
    for fam in wc.families.values():
        for iid in fam.indicators:
            if known_to(rb, iid, team):
                name = rb.indicators[iid].name
                out.append(MenuItem(iid, name, fam.id, fam.name, dict(fam.amounts)))
    return out


def menu_item(rb: Rulebook, team: str, indicator: str) -> MenuItem | None:
    """The menu entry for one indicator, or None when the team may not claim it."""
    return next((m for m in menu(rb, team) if m.indicator == indicator), None)
