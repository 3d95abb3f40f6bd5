"""Whether a public statement may go with a team's orders: one check, read by the engine (which refuses
with it) and by the client (which says it before sending), so the two never disagree.

The wire model already bounds the kind and the text; what it cannot know is the sender's team, and that
a praise, a blame or a threat moves trust with the team addressed, so one addressed to nobody would
move nothing and is refused rather than silently wasted (the statement kinds are in rules/statements.yaml).
"""

from __future__ import annotations

from typing import get_args

from precursor.game.commands import StatementOrder
from precursor.game.schema import TEAMS

STATEMENT_KINDS: tuple[str, ...] = get_args(StatementOrder.model_fields["kind"].annotation)
ADDRESSED = frozenset({"praise", "blame", "threat"})
STATEMENT_MAX: int = next(
    int(m.max_length) for m in StatementOrder.model_fields["text"].metadata if hasattr(m, "max_length")
)


def statement_refusal(team: str, kind: str, target: str | None, text: str) -> tuple[str, str] | None:
    """``(code, message)`` for a statement the server refuses from ``team``, or None when it is taken."""
    if kind not in STATEMENT_KINDS:
        return "bad_statement", "pick a kind of statement"
    if target is not None and target == team:
        return "bad_statement", "a statement cannot be addressed to your own team"
    if target is not None and target not in TEAMS:
        return "bad_statement", "pick the team the statement is addressed to"
    if target is None and kind in ADDRESSED:
        return "bad_statement", f"a {kind} is addressed to a team: pick one"
    if not text.strip():  # a student's blank praise was sent and earned 2 trust for no words at all
        return "bad_statement", "a public statement needs words: write what your team says"
    if len(text) > STATEMENT_MAX:
        return "bad_statement", f"the text is {len(text)} characters long; at most {STATEMENT_MAX}"
    return None
