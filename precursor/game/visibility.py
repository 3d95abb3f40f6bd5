"""Which values an audience may know: the rule the views and the white cell's menu share.

Kept apart from ``views`` so that what a free action may claim (``white_cell.menu``) and what a view
shows read one rule without the two modules importing each other.
"""

from __future__ import annotations

from precursor.game.rulebook import Rulebook
from precursor.game.schema import TEAMS

FACILITATOR = "facilitator"
PUBLIC = "public"
Audience = str

_PER_LEVER = ("played.", "streak.", "count.")


def key_visible(rb: Rulebook, key: str, audience: Audience) -> bool:
    """Whether a team may read the *true, current* value of a state key."""
    if audience == FACILITATOR:
        return True
    ind = rb.indicators.get(key)
    if ind is None:
        if key.startswith(_PER_LEVER):
            lid = key.split(".", 1)[1]
            lever = rb.levers.get(lid)
            return lever is not None and lever.team == audience
        if key.startswith(("secret.", "agr.", "badges.")):
            return key.endswith("." + audience)
        return True  # windows, modules, agreement counts, injects: public facts
    return ind.exact_to(audience)


def known_to(rb: Rulebook, key: str, audience: Audience) -> bool:
    """Whether an audience sees an indicator at all, exactly or through fog: what a free action of that
    team may claim to move (white_cell.menu), so no claim names a value the team should not know of."""
    return key_visible(rb, key, audience) or nameable(rb, key, audience)


def nameable(rb: Rulebook, key: str, audience: Audience) -> bool:
    """A fogged indicator may be named as affected (without its value); a hidden one may not."""
    ind = rb.indicators.get(key)
    if ind is None:
        return False
    fog = ind.fog_by_team.get(audience, ind.fog) if audience in TEAMS else ind.fog
    return ind.public and not fog.hidden
