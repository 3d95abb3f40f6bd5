"""What a watched game keeps of the views it served: the encoded view is shared by the sockets of one
audience asking at one seq, and not kept when no other socket of that audience could ask for it."""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path
from typing import Any

from precursor.game.commands import Actor, Advance, SendMessage
from precursor.game.rulebook import Rulebook
from precursor.game.views import FACILITATOR
from precursor.protocol import CreateGame, JoinGame
from server.stores import open_store

TEAMS = ("us", "mx", "cn", "ca")


async def _watched_game(tmp_path: Path, rb: Rulebook, extra_us: int = 0) -> tuple[Any, Any, list[Any]]:
    """A game on a real hub and SQLite store with the facilitator and one socket per team attached
    (``extra_us`` more for the United States), in its negotiation phase."""
    from server.hub import Hub
    from server.room import Connection

    hub = Hub(rb, open_store(f"sqlite:///{tmp_path / 'g.db'}"))
    await hub.store.open()
    g = await hub.create(CreateGame(scenario="tariffs-and-terror", seed=7))
    room = hub.rooms[g.game_id]
    conns = [Connection(FACILITATOR, "facilitator", None, None, None, "f", 1 << 30, print, print)]
    for team in (*TEAMS, *["us"] * extra_us):
        j = await hub.join(g.game_id, JoinGame(join_code=g.join_codes[team], name=f"{team}{len(conns)}"))
        conns.append(Connection(team, "player", team, j.seat, j.player_id, team, 1 << 30, print, print))
    for c in conns:
        await room.attach(c, None)
    fac = Actor(role="facilitator", name="f")
    for phase in ("briefing", "negotiation"):
        await room.execute(fac, Advance(turn=1, phase=phase))
    return hub, room, conns


def _drain(conns: list[Any]) -> list[str]:
    out = []
    for c in conns:
        while not c.queue.empty():
            out.append(c.queue.get_nowait())
        c.queued_bytes = 0
    return out


async def test_a_view_served_to_the_only_socket_of_its_audience_is_not_kept(
    tmp_path: Path, rb: Rulebook
) -> None:
    """Four teams and the facilitator, one socket each, after 200 messages: each asks for a view. The
    frames go out, and the game holds next to nothing more than before (before: all five encoded views,
    over 20 KB each here, until the next event)."""
    hub, room, conns = await _watched_game(tmp_path, rb)
    try:
        for k in range(200):
            c = conns[1 + k % 4]
            actor = Actor(role="player", team=c.team, seat=c.seat, name=c.name)
            await room.execute(actor, SendMessage(channel="all", text=f"message {k}: a few words to read"))
        for c in conns:  # the game's view caches (pure functions of the state) built, not counted
            await room.snapshot(c, "warm")
        await room.execute(actor, SendMessage(channel="all", text="one more"))
        _drain(conns)
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for c in conns:
                await room.snapshot(c, "v")
            sizes = [len(f) for f in _drain(conns)]  # the frames themselves gone, as once written
            gc.collect()
            held = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        assert len(sizes) == 5 and min(sizes) > 20_000  # views with 200 messages in them
        assert held < 10_000, f"{held} bytes held after serving the views"
    finally:
        await hub.close()


async def test_sockets_of_one_audience_asking_at_one_seq_share_one_encoded_view(
    tmp_path: Path, rb: Rulebook, monkeypatch: Any
) -> None:
    """Three United States sockets ask for a view at one seq: the view is built and encoded once, and
    all three get the same bytes; after the next event it is built again."""
    import server.room

    hub, room, conns = await _watched_game(tmp_path, rb, extra_us=2)
    built: list[str] = []
    real = server.room.view

    def counting(game: Any, audience: str) -> Any:
        built.append(audience)
        return real(game, audience)

    try:
        _drain(conns)
        monkeypatch.setattr(server.room, "view", counting)
        us = [c for c in conns if c.audience == "us"]
        for c in us:
            await room.snapshot(c, "v")
        frames = _drain(us)
        assert built == ["us"] and len(frames) == 3 and len(set(frames)) == 1
        actor = Actor(role="player", team="us", seat=us[0].seat, name=us[0].name)
        await room.execute(actor, SendMessage(channel="all", text="and now?"))
        await room.snapshot(us[0], "v")
        assert built == ["us", "us"]
    finally:
        await hub.close()
