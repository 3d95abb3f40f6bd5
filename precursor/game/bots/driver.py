"""Playing a game with bots: a ``Bot`` plays its team's phases from the view it is handed, and a
``BotDriver`` hands each bot team its view, phase by phase, and turns the decisions into commands."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from precursor.game.bots.bargaining import answer as answer_proposal
from precursor.game.bots.bargaining import negotiate
from precursor.game.bots.beliefs import Beliefs
from precursor.game.bots.character import Character
from precursor.game.bots.decisions import Decision, make
from precursor.game.bots.fast_view import DashboardCache, bot_view, persona_reads
from precursor.game.bots.free_actions import answer_free_actions
from precursor.game.bots.orders import play_orders
from precursor.game.bots.refusals import refusals
from precursor.game.commands import Actor, CommandEnvelope, Note

# imported at run time: a compiled class resolves its attribute types when the module loads
from precursor.game.rulebook import Rulebook
from precursor.game.schema import TEAMS

if TYPE_CHECKING:
    from precursor.game.engine import Game


@dataclass
class Bot(Character):
    """A scripted player of one team: who it is (``Character``), what it believes (``Beliefs``), and its
    play of each phase (``bargaining``, ``orders``)."""

    beliefs: Beliefs = field(default_factory=Beliefs)

    def environment(self, view: dict[str, Any]) -> dict[str, Any]:
        """The view as the bot's expression environment (kept, and updated from the next view)."""
        return self.beliefs.read(self.rb, view)

    def forget(self) -> None:
        """Drop the environment kept from earlier views (the next view builds it afresh)."""
        self.beliefs.forget()

    def decide(self, view: dict[str, Any]) -> list[Decision]:
        phase = view["phase"]
        env = self.environment(view)
        if phase == "negotiation":
            return negotiate(self, view, env)
        if phase == "orders":
            answers = answer_free_actions(self, view) if view.get("free_actions") else []
            refused = refusals(self, view, env) if view.get("refusable") else []
            return [*refused, *play_orders(self, view, env), *answers]
        return []

    def answer(self, view: dict[str, Any], env: dict[str, Any], proposal: dict[str, Any]) -> Decision:
        """Accept, reject or counter one proposal addressed to the team, as in its negotiation phase;
        ``env`` is ``environment(view)``."""
        return answer_proposal(self, view, env, proposal)


class BotDriver:
    """Plays the listed teams with bots. The game is read only through the team's view (``bot_view``)."""

    def __init__(self, rb: Rulebook, personas: dict[str, str], seed: int) -> None:
        self.bots = {t: Bot(rb, t, pid, seed) for t, pid in personas.items()}
        self._first = dict(personas)  # each bot's first persona: its dashboard covers its switches from it
        self._actors: dict[tuple[str, str], Actor] = {}
        self._views: dict[str, tuple[Game, dict[str, Any]]] = {}  # each team's last view, with its game
        self._dashboards: dict[str, tuple[Game, DashboardCache]] = {}  # per team, with its game

    def _actor(self, team: str, persona_id: str) -> Actor:
        """The bot's actor (immutable, so one per team and persona)."""
        actor = self._actors.get((team, persona_id))
        if actor is None:
            actor = Actor.model_construct(role="bot", team=team, seat=None, name=f"bot:{persona_id}")
            self._actors[(team, persona_id)] = actor
        return actor

    def __call__(self, game: Game, phase: str) -> Iterator[CommandEnvelope]:
        yield from self._play(game, phase)
        if phase == "negotiation":
            yield from self._answer_late(game)

    def _answer_late(self, game: Game) -> Iterator[CommandEnvelope]:
        """Proposals that reached a bot after it played the phase, answered now, as the server's bot
        seats answer them (``server.room``'s ``_answer``): taken team by team, a proposal to a team that
        had already played waited a turn, was signed after its first turn was due, and that turn was
        never checked. A counter made here is answered in the next round; three rounds at most."""
        for _ in range(3):
            answered = False
            for team in TEAMS:
                bot = self.bots.get(team)
                waiting = bot is not None and any(
                    p["status"] == "open" and team in p["parties"] and team not in p["accepted"]
                    for p in game.state.proposals.values()
                )
                if not waiting or bot is None:
                    continue
                v = self._view(game, team, bot, "negotiation")
                env = bot.environment(v)
                for prop in v["proposals"]:
                    if prop["status"] != "open" or team not in prop["parties"] or team in prop["accepted"]:
                        continue
                    answered = True
                    yield from self._envelopes(team, bot, [bot.answer(v, env, prop)])
            if not answered:
                return

    def _view(self, game: Game, team: str, bot: Bot, phase: str) -> dict[str, Any]:
        last = self._views.get(team)
        dash = self._dashboards.get(team)
        if dash is None or dash[0] is not game:
            # cut to what this bot can read: the rest of the dashboard would be built for nothing
            reads = persona_reads(bot.rb, self._first[team])
            dash = self._dashboards[team] = (game, DashboardCache(reads=reads))
        v = bot_view(game, team, last[1] if last is not None and last[0] is game else None, dash[1])
        self._views[team] = (game, v)
        v["phase"] = phase
        return v

    def _envelopes(self, team: str, bot: Bot, decisions: list[Decision]) -> Iterator[CommandEnvelope]:
        for d in decisions:
            actor = self._actor(team, bot.persona_id)
            if not isinstance(d.command, Note):
                note = make(Note, text=d.reason[:1000], decision=d.decision)
                yield make(CommandEnvelope, actor=actor, command=note)
            yield make(CommandEnvelope, actor=actor, command=d.command)

    def _play(self, game: Game, phase: str) -> Iterator[CommandEnvelope]:
        for team in TEAMS:
            bot = self.bots.get(team)
            if bot is None:
                continue
            # taken team by team: a team sees what the teams before it did in this phase
            v = self._view(game, team, bot, phase)
            yield from self._envelopes(team, bot, bot.decide(v))
