"""What the server does per chat message, held to what it needs: every message a player sends crosses
this path once, and its CPU per delivery is measured against a bare FastAPI server (docs/protocol.md)."""

from __future__ import annotations

from typing import Any

from precursor.game.commands import Actor, Advance, CommandEnvelope, SendMessage
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook
from server.room import Connection, GameRoom
from server.stores import open_store


class _Host:
    def __init__(self) -> None:
        self.store = open_store("memory://")

    def clock(self) -> float:
        return 1.0e9


async def test_a_chat_message_is_not_wrapped_and_validated_again(rb: Rulebook, monkeypatch: Any) -> None:
    """The frame's command was validated once on the way in; the room hands it to the engine as it is,
    without building (and validating, the union of every command included) an envelope around it. The
    message still reaches every connection, and the log is the engine's."""
    host = _Host()
    await host.store.open()
    game = Game.new(rb, "tutorial", 3)
    await host.store.create_game("g", {})
    await host.store.append("g", 0, game.log)
    room = GameRoom(host, "g", game, {})
    for team in ("us", "mx", "cn", "ca"):
        room.conns.add(
            Connection(team, "player", team, None, None, team, 1 << 30, lambda _f: None, lambda _c, _r: None)
        )
    fac = Actor(role="facilitator", name="f")
    for phase in ("briefing", "negotiation"):
        await room.execute(fac, Advance(turn=1, phase=phase))
    seat = game.state.seats["us"][0]
    player = Actor(role="player", team="us", seat=seat, name="u")

    made = 0
    real = CommandEnvelope.__init__

    def counting(self: CommandEnvelope, **kw: Any) -> None:
        nonlocal made
        made += 1
        real(self, **kw)

    monkeypatch.setattr(CommandEnvelope, "__init__", counting)
    for k in range(5):
        await room.execute(player, SendMessage(channel="all", text=f"hello {k}"))
    monkeypatch.undo()

    assert made == 0
    texts = [ev["text"] for ev in room.game.log if ev["type"] == "message"]
    assert texts == [f"hello {k}" for k in range(5)]
    for conn in room.conns:
        frames = [f for f in conn.queue._items if f is not None and '"type":"message"' in f]
        assert len(frames) == 5
    await room.stop()
    await host.store.close()
