"""A scripted bot that plays a live game over the network, through the client library, as any
outside agent would: it joins with a code, reads only its own seat's view, and sends commands.

The server can also seat bots itself (``bots`` when a game is created, or the facilitator's
``set_controller``); this is for running them as separate processes, next to other people's agents.
"""

from __future__ import annotations

import contextlib
import zlib
from typing import Any

from precursor.client import CommandRefused, GameClient, LobbyClient
from precursor.game.bots import Bot
from precursor.game.commands import Note
from precursor.game.rulebook import Rulebook


async def play_live(
    rb: Rulebook, url: str, game_id: str, code: str, persona: str, *, name: str | None = None, log: Any = None
) -> dict[str, int]:
    """Play until the game ends; returns counts of commands sent and refused."""
    async with LobbyClient(url) as lobby:
        seat = await lobby.join(game_id, code, name or f"bot:{persona}")
    if seat.team is None or rb.personas[persona].team != seat.team:
        raise ValueError(f"persona {persona} does not play team {seat.team}")
    counts = {"sent": 0, "refused": 0}
    async with GameClient(url, game_id, seat.token) as game:
        # the game's seed is secret; the bot's own rolls only need to differ between games
        bot = Bot(rb, seat.team, persona, zlib.crc32(game_id.encode()))
        done: set[tuple[int, str]] = set()
        while not game.ended:
            where = (game.turn, game.phase)
            if where not in done and game.phase in ("briefing", "negotiation", "orders", "results"):
                done.add(where)
                view = await game.refresh()
                for d in bot.decide(view):
                    if isinstance(d.command, Note):
                        continue  # notes are for server-seated bots; an outside agent just acts
                    try:
                        await game.send(d.command)
                        counts["sent"] += 1
                    except CommandRefused as exc:
                        counts["refused"] += 1
                        if log:
                            log(f"refused {d.command.type}: {exc.code} {exc.message}")
                with contextlib.suppress(CommandRefused):
                    await game.send({"type": "ready"})
            frame = await game.next_frame(timeout=3600)
            if frame["type"] == "connection" and frame.get("state") == "closed":
                break
    return counts
