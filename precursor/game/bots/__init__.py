"""Scripted bots: seeded, explainable players that fill empty seats and play batch runs.

A bot is handed exactly the view a human of its team gets (``views.view``) and nothing else: its
persona's conditions were checked at load time against the names that view provides. Each turn it
follows the decision loop of docs/bots.md: read the (lagged, noisy) dashboard, score orders and
proposals with its persona's utility, let hard rules override utility, answer proposals against its
reservation and trust, table its preferred package, honour (or, rarely, break) its commitments, and
give orders within its political capital. Every decision comes with a one-line reason, logged for the
facilitator and the after-action review only.

Where the code lives: ``fast_view`` builds the cheap view a bot reads, ``beliefs`` reads it into an
expression environment, ``character`` is who the bot is (persona, dice, memory), ``utility`` values an
order for a persona, ``orders`` chooses the orders, ``bargaining`` answers, counters and tables
proposals and talks, ``free_actions`` answers other teams' free actions, and ``driver`` holds ``Bot`` (a
phase's play) and ``BotDriver`` (bots in a game). Each module imports only those listed before it
(``decisions``, the decision type, comes first).
"""

from __future__ import annotations

from precursor.game.bots.bargaining import NEAR_MISS
from precursor.game.bots.beliefs import env_from_view
from precursor.game.bots.decisions import Decision
from precursor.game.bots.driver import Bot, BotDriver
from precursor.game.bots.fast_view import (
    BOT_VIEW_KEYS,
    DashboardCache,
    Shown,
    bot_dashboard,
    bot_view,
    read_names,
)
from precursor.game.expr import HISTORY_KEY

__all__ = [
    "BOT_VIEW_KEYS",
    "HISTORY_KEY",
    "NEAR_MISS",
    "Bot",
    "BotDriver",
    "DashboardCache",
    "Decision",
    "Shown",
    "bot_dashboard",
    "bot_view",
    "env_from_view",
    "read_names",
]
