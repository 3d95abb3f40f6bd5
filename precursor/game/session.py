"""The live session around a game: phase clock, pause, seat controllers, players.

The server records all of this as ``session`` events in the game's own log (the engine folds them as
no-ops), so a restarted server, a second server instance and a client all rebuild the same session by
folding the same events here. Times are wall-clock epoch seconds written by the server into the
events; nothing here reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Player:
    player_id: str
    name: str
    role: str  # player | observer
    team: str | None
    seat: str | None
    removed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "player_id": self.player_id,
            "name": self.name,
            "role": self.role,
            "team": self.team,
            "seat": self.seat,
            "removed": self.removed,
        }


@dataclass
class Session:
    name: str = ""
    deadlines: dict[str, int] = field(default_factory=dict)
    press: str = "on"
    missed_orders: str = "bot"
    controllers: dict[str, str | None] = field(default_factory=dict)  # team -> persona, None = humans
    deadline: float | None = None  # epoch seconds at which the current phase ends
    deadline_for: tuple[int, str] | None = None  # (turn, phase) the deadline belongs to
    paused: bool = False
    remaining: float | None = None  # seconds left on the clock when paused
    players: dict[str, Player] = field(default_factory=dict)
    bot_turns: set[tuple[str, int, str]] = field(default_factory=set)  # claimed (team, turn, phase)

    def apply(self, ev: dict[str, Any]) -> None:
        if ev.get("type") != "session":
            return
        op = ev["op"]
        if op == "settings":
            self.name = ev.get("name", "")
            self.deadlines = dict(ev.get("deadlines", {}))
            self.press = ev.get("press", "on")
            self.missed_orders = ev.get("missed_orders", "bot")
            self.controllers.update(ev.get("bots", {}))
        elif op == "deadline":
            at, remaining = ev.get("at"), ev.get("remaining")
            if at is None and remaining is not None:
                # set while paused: the clock starts counting only at resume
                self.deadline, self.remaining = None, float(remaining)
                self.deadline_for = (ev["turn"], ev["phase"])
            else:
                self.deadline, self.remaining = at, None
                self.deadline_for = (ev["turn"], ev["phase"]) if at is not None else None
        elif op == "pause":
            self.paused = True
            self.remaining = ev.get("remaining")
        elif op == "resume":
            self.paused = False
            self.remaining = None
            self.deadline = ev.get("at")
        elif op == "controller":
            self.controllers[ev["team"]] = ev.get("persona")
        elif op == "join":
            self.players[ev["player_id"]] = Player(
                ev["player_id"], ev.get("name", ""), ev.get("role", "player"), ev.get("team"), ev.get("seat")
            )
        elif op == "remove":
            p = self.players.get(ev["player"])
            if p is not None:
                p.removed = True
        elif op == "bot_turn":
            self.bot_turns.add((ev["team"], ev["turn"], ev["phase"]))

    def bot(self, team: str) -> str | None:
        return self.controllers.get(team)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "deadlines": self.deadlines,
            "press": self.press,
            "missed_orders": self.missed_orders,
            "controllers": self.controllers,
            "deadline": self.deadline,
            "deadline_for": list(self.deadline_for) if self.deadline_for else None,
            "paused": self.paused,
            "remaining": self.remaining,
            "players": [p.as_dict() for p in self.players.values()],
        }


def fold(events: list[dict[str, Any]]) -> Session:
    s = Session()
    for ev in events:
        s.apply(ev)
    return s
