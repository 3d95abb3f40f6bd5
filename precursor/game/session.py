"""The live session around a game: phase clock, pause, seat controllers, players, and its rules.

The server records all of this as ``session`` events in the game's own log (the engine folds them as
no-ops), so a restarted server, a second server instance and a client all rebuild the same session by
folding the same events here. The rules that make those events (who may pause, when a phase's clock
starts, which commands a paused game or a bot's seat refuses) are here too, as pure functions of the
session, a few facts about the game and the time: the server only asks them, appends what they return
and sends it out. Times are wall-clock epoch seconds the server passes in; nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from precursor.game.commands import Actor, CommandError, OpenChannel, SendMessage, TeamId
from precursor.game.events import (
    LogEvent,
    SessionBotTurn,
    SessionController,
    SessionDeadline,
    SessionJoin,
    SessionPause,
    SessionRemove,
    SessionResume,
    SessionSettings,
)
from precursor.game.persona_rules import CPersona

Event = LogEvent


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
    # team -> persona (None = humans), and "team/seat" -> persona for a bot in one seat of a split team
    controllers: dict[str, str | None] = field(default_factory=dict)
    deadline: float | None = None  # epoch seconds at which the current phase ends
    deadline_for: tuple[int, str] | None = None  # (turn, phase) the deadline belongs to
    paused: bool = False
    remaining: float | None = None  # seconds left on the clock when paused
    players: dict[str, Player] = field(default_factory=dict)
    bot_turns: set[tuple[str, int, str]] = field(default_factory=set)  # claimed (team, turn, phase)

    def apply(self, ev: LogEvent) -> None:
        """Fold one event of the game's log: session events by their op, the game's own not at all."""
        if ev.get("type") != "session":
            return
        fold = _FOLDS.get(ev["op"])
        if fold is not None:
            fold(self, ev)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Session:
        """The inverse of :meth:`as_dict` (what a client gets in its welcome and view frames). The bots'
        claimed turns are not sent, so they come back empty."""
        df = d.get("deadline_for")
        s = cls(
            name=d.get("name", ""),
            deadlines=dict(d.get("deadlines") or {}),
            press=d.get("press", "on"),
            missed_orders=d.get("missed_orders", "bot"),
            controllers=dict(d.get("controllers") or {}),
            deadline=d.get("deadline"),
            deadline_for=(int(df[0]), str(df[1])) if df else None,
            paused=bool(d.get("paused")),
            remaining=d.get("remaining"),
        )
        for p in d.get("players") or []:
            s.players[p["player_id"]] = Player(
                p["player_id"],
                p.get("name", ""),
                p.get("role", "player"),
                p.get("team"),
                p.get("seat"),
                p.get("removed", False),
            )
        return s

    def bot(self, team: str) -> str | None:
        return self.controllers.get(team)

    def seat_bot(self, team: str, seat: str) -> str | None:
        """The persona of a bot holding one seat of ``team`` (not the whole team), or None."""
        return self.controllers.get(f"{team}/{seat}")

    def seat_bots(self) -> list[tuple[str, str, str]]:
        """(team, seat, persona) of each bot holding one seat of a team another bot does not hold whole."""
        out = []
        for key, persona in sorted(self.controllers.items()):
            team, _, seat = key.partition("/")
            if seat and persona and not self.bot(team):
                out.append((team, seat, persona))
        return out

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


# One fold per session op, each typed by its event (precursor/game/events.py): mypy checks the fields.


def _fold_settings(s: Session, ev: SessionSettings) -> None:
    s.name = ev.get("name", "")
    s.deadlines = dict(ev.get("deadlines", {}))
    s.press = ev.get("press", "on")
    s.missed_orders = ev.get("missed_orders", "bot")
    s.controllers.update(ev.get("bots", {}))


def _fold_deadline(s: Session, ev: SessionDeadline) -> None:
    at, remaining = ev.get("at"), ev.get("remaining")
    if at is None and remaining is not None:
        # set while paused: the clock starts counting only at resume
        s.deadline, s.remaining = None, float(remaining)
        s.deadline_for = (ev["turn"], ev["phase"])
    else:
        s.deadline, s.remaining = at, None
        s.deadline_for = (ev["turn"], ev["phase"]) if at is not None else None


def _fold_pause(s: Session, ev: SessionPause) -> None:
    s.paused = True
    s.remaining = ev.get("remaining")


def _fold_resume(s: Session, ev: SessionResume) -> None:
    s.paused = False
    s.remaining = None
    s.deadline = ev.get("at")


def _fold_controller(s: Session, ev: SessionController) -> None:
    seat = ev.get("seat")
    s.controllers[f"{ev['team']}/{seat}" if seat else ev["team"]] = ev.get("persona")


def _fold_join(s: Session, ev: SessionJoin) -> None:
    s.players[ev["player_id"]] = Player(
        ev["player_id"], ev.get("name", ""), ev.get("role", "player"), ev.get("team"), ev.get("seat")
    )


def _fold_remove(s: Session, ev: SessionRemove) -> None:
    p = s.players.get(ev["player"])
    if p is not None:
        p.removed = True


def _fold_bot_turn(s: Session, ev: SessionBotTurn) -> None:
    s.bot_turns.add((ev["team"], ev["turn"], ev["phase"]))


_FOLDS: dict[str, Callable[[Session, Any], None]] = {
    "settings": _fold_settings,
    "deadline": _fold_deadline,
    "pause": _fold_pause,
    "resume": _fold_resume,
    "controller": _fold_controller,
    "join": _fold_join,
    "remove": _fold_remove,
    "bot_turn": _fold_bot_turn,
}


def fold(events: list[dict[str, Any]]) -> Session:
    s = Session()
    for ev in events:
        s.apply(ev)
    return s


# ---------------------------------------------------------------------- the session's rules


@dataclass(frozen=True)
class GameFacts:
    """What the session's rules read of the game: where it stands and which personas may hold a seat."""

    turn: int
    phase: str
    ended: bool
    personas: Mapping[str, CPersona]  # the rulebook's personas by id
    defaults: Mapping[TeamId, str]  # team -> the scenario's default bot persona
    seats: Mapping[str, list[str]] = field(default_factory=dict)  # team -> player seats in play


def decide(
    session: Session, game: GameFacts, actor: Actor, command: object, now: float
) -> list[Event] | None:
    """The session events a command makes, or ``None`` when it is the engine's to decide (the session's
    gates let it through). Raises ``CommandError`` when the session refuses it; nothing is changed.

    A ``dict`` is the server's own session event (a player joined, a bot claimed its turn): it is
    stamped with the time and recorded as it is.
    """
    if isinstance(command, dict):
        return [{"type": "session", **command, "at_time": now, "vis": command.get("vis", "all")}]
    kind = getattr(command, "type", None)
    rule = _RULES.get(kind) if isinstance(kind, str) else None
    if rule is not None:
        if actor.role != "facilitator":
            raise CommandError("forbidden", "only the facilitator runs the session")
        base: Event = {"type": "session", "turn": game.turn, "phase": game.phase, "vis": "all"}
        return [rule(session, game, command, base, now)]
    _admit(session, actor, command)
    return None


def _admit(s: Session, actor: Actor, command: object) -> None:
    """The gates a game command passes before the engine sees it."""
    if s.paused and actor.role in ("player", "bot"):
        raise CommandError("paused", "the facilitator has paused the game")
    if (
        isinstance(command, SendMessage)
        and command.channel == "press"
        and s.press == "off"
        and actor.role != "facilitator"
    ):
        raise CommandError("press_off", "the facilitator has switched the press channel off")
    if actor.role != "player" or not actor.team or isinstance(command, SendMessage | OpenChannel):
        return
    if s.bot(actor.team):
        raise CommandError("bot_seat", f"a bot holds team {actor.team}'s seats; ask the facilitator")
    if actor.seat and s.seat_bot(actor.team, actor.seat):
        raise CommandError(
            "bot_seat", f"a bot holds the '{actor.seat}' seat of team {actor.team}; ask the facilitator"
        )


def phase_clock(session: Session, game: GameFacts, now: float) -> list[Event]:
    """A new phase began: start its deadline, or clear the old one (nothing if there is none)."""
    secs = session.deadlines.get(game.phase) if not game.ended else None
    if secs:
        ev: Event = {"op": "deadline", "turn": game.turn, "phase": game.phase}
        if session.paused:
            # keep the clock stopped; resume starts it with the full phase length
            ev.update(at=None, remaining=float(secs))
        else:
            ev["at"] = now + secs
        return [{"type": "session", **ev, "vis": "all"}]
    if session.deadline is not None or session.remaining is not None:
        clear: Event = {"type": "session", "op": "deadline", "turn": game.turn, "phase": game.phase}
        return [{**clear, "at": None, "vis": "all"}]
    return []


def opening(
    name: str, deadlines: Mapping[Any, int], press: str, missed_orders: str, bots: dict[str, str], now: float
) -> list[Event]:
    """A new game's session: its settings, and the briefing's deadline if it has one."""
    events: list[Event] = [
        {
            "type": "session",
            "op": "settings",
            "name": name,
            "deadlines": dict(deadlines),
            "press": press,
            "missed_orders": missed_orders,
            "bots": bots,
            "at_time": now,
            "vis": "all",
        }
    ]
    secs = deadlines.get("briefing")
    if secs:
        start: Event = {"type": "session", "op": "deadline", "turn": 1, "phase": "briefing"}
        events.append({**start, "at": now + secs, "vis": "all"})
    return events


def _pause(s: Session, game: GameFacts, cmd: Any, base: Event, now: float) -> Event:
    if s.paused:
        raise CommandError("already_paused", "the game is already paused")
    remaining = None if s.deadline is None else max(0.0, s.deadline - now)
    return {**base, "op": "pause", "remaining": remaining}


def _resume(s: Session, game: GameFacts, cmd: Any, base: Event, now: float) -> Event:
    if not s.paused:
        raise CommandError("not_paused", "the game is not paused")
    at = None if s.remaining is None else now + s.remaining
    return {**base, "op": "resume", "at": at}


def _extend(s: Session, game: GameFacts, cmd: Any, base: Event, now: float) -> Event:
    if game.ended:
        raise CommandError("game_over", "the game is over")
    if s.paused:
        left = (s.remaining or 0.0) + cmd.seconds
        return {**base, "op": "deadline", "at": None, "remaining": left, "extended": cmd.seconds}
    at = max(s.deadline or now, now) + cmd.seconds
    return {**base, "op": "deadline", "at": at, "extended": cmd.seconds}


def _set_controller(s: Session, game: GameFacts, cmd: Any, base: Event, now: float) -> Event:
    persona: str | None = cmd.persona
    if persona is not None:
        if persona == "default":
            persona = game.defaults.get(cmd.team)
        found = game.personas.get(persona or "")
        if found is None or found.team != cmd.team:
            choices = sorted(x.id for x in game.personas.values() if x.team == cmd.team)
            raise CommandError("unknown_persona", f"no persona for {cmd.team}; try {', '.join(choices)}")
    seat: str | None = getattr(cmd, "seat", None)
    if seat is None:
        return {**base, "op": "controller", "team": cmd.team, "persona": persona}
    in_play = list(game.seats.get(cmd.team, ()))
    if seat not in in_play:
        raise CommandError(
            "bad_seat", f"seat '{seat}' is not in play for team {cmd.team} (in play: {', '.join(in_play)})"
        )
    if len(in_play) < 2:
        raise CommandError(
            "bad_seat", f"team {cmd.team} is played from one seat: put the bot in the team (no seat)"
        )
    return {**base, "op": "controller", "team": cmd.team, "seat": seat, "persona": persona}


def _remove_player(s: Session, game: GameFacts, cmd: Any, base: Event, now: float) -> Event:
    p = s.players.get(cmd.player)
    if p is None or p.removed:
        raise CommandError("unknown_player", f"no player '{cmd.player}' in this game")
    return {**base, "op": "remove", "player": cmd.player}


_RULES: dict[str, Callable[[Session, GameFacts, Any, Event, float], Event]] = {
    "pause": _pause,
    "resume": _resume,
    "extend": _extend,
    "set_controller": _set_controller,
    "remove_player": _remove_player,
}
#: The facilitator's session commands by their wire ``type``. The wire classes live in
#: ``precursor.protocol``, above the game, so the rules read a command by its tag and fields.
SESSION_COMMANDS = frozenset(_RULES)


# ---------------------------------------------------------------------- the one way a session event is logged


class GameLog(Protocol):
    """The engine's game, as far as recording needs it."""

    def emit(self, ev: Event) -> Event: ...


def record(game: GameLog, events: list[Event], session: Session | None = None) -> None:
    """Append session events to the game's own log (and fold them into ``session`` if given).

    Session events share the engine's one log instead of keeping a log of their own so that there is
    one seq order for everything that happened in a game: replay, export and resume read that one
    sequence and rebuild both the game (which folds session events as no-ops) and the session from it,
    and a second server instance appends to it with the same optimistic seq check as for moves. Every
    session event goes in through here, so the engine's log has exactly two writers: ``Game.handle``
    for the game's own events and this function for the session's.
    """
    for ev in events:
        logged = game.emit(ev)
        if session is not None:
            session.apply(logged)
