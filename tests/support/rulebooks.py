"""Rulebooks the bot tests weigh a deal with."""

from __future__ import annotations

import dataclasses

from precursor.game.bots.signing import BOT_PARAMETERS
from precursor.game.rulebook import Rulebook


def clauses_only(rb: Rulebook) -> Rulebook:
    """The rulebook with the bots' value of a signature at nothing (``bots.signing_utility`` 0): a test
    of how a bot prices the clauses of a deal, and of the words of a decline, needs a deal the clauses
    alone decide; with the signature counted, most deals near the bar are signed."""
    (pid,) = BOT_PARAMETERS
    params = {**rb.parameters, pid: rb.parameters[pid].model_copy(update={"value": 0})}
    return dataclasses.replace(rb, parameters=params)
