"""The words of the rules a player reads as they stand (objectives, what a score component is made of):
in the game's world, never the program's. Loose Talk's Mexico read that an acknowledgement "counts only if
the engine records it in the shared-responsibility cooldown flag", and could not tell why it was met."""

from __future__ import annotations

import re
from collections.abc import Iterable

# the program's words for its own state
_INTERNAL = re.compile(r"\b(engine|flags?|cooldowns?)\b", re.IGNORECASE)
# a name as expressions write it: "mx.st", "flag.hrl_count", "count.us_arms"
_DOTTED = re.compile(r"\b([a-z][a-z0-9_]*)\.([a-z0-9_]+)\b")


def internal_words(text: str, names: Iterable[str]) -> list[str]:
    """The program's words in a player's text: "engine", "flag", "cooldown", and any name of the
    expressions' (``names``, the symbols a rule may read) such as ``mx.st``, by its part before the dot."""
    spaces = {n.split(".", 1)[0] for n in names if "." in n}
    found = [m.group(0) for m in _INTERNAL.finditer(text)]
    return found + [m.group(0) for m in _DOTTED.finditer(text) if m.group(1) in spaces]


def internal_words_error(what: str, found: list[str]) -> str:
    listed = ", ".join(f"'{w}'" for w in dict.fromkeys(found))
    return f"{what} is read by players: say it in the game's words, not the program's ({listed})"
