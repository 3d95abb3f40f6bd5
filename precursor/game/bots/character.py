"""Who a bot is: its team, its persona (and the personas it switched through), its seeded dice, and what
it remembers having done this game. The other modules of the bot read and update it; ``driver.Bot`` adds
the phase play on top."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from precursor.game.bots.decisions import Decision, make
from precursor.game.commands import Note
from precursor.game.persona_rules import CPersona
from precursor.game.rng import roll

# imported at run time: a compiled dataclass resolves its field types when the module loads
from precursor.game.rulebook import Rulebook


@dataclass
class Character:
    rb: Rulebook
    team: str
    persona_id: str
    seed: int
    history: list[str] = field(default_factory=list)  # persona ids it switched through
    tabled: set[int] = field(default_factory=set)  # turns in which it tabled its package
    countered: set[int] = field(default_factory=set)  # turns in which it tabled a counter-proposal

    @property
    def persona(self) -> CPersona:
        return self.rb.personas[self.persona_id]

    def roll(self, view: dict[str, Any], label: str) -> float:
        return roll(self.seed, f"bot:{self.team}:{view['turn']}:{view['phase']}:{label}")

    def holds(
        self,
        rule_when: Any,
        rule_chance: Any,
        env: dict[str, Any],
        view: dict[str, Any],
        label: str,
        per_game: bool = False,
    ) -> bool:
        """Whether a rule's condition holds and its chance comes up. A per-game chance is one draw for the
        whole game, so the rule fires at the first turn its condition holds or never: whether the team is
        one that would do it at all, not a monthly coin that a longer game flips more often."""
        if rule_when is not None and not rule_when.fn(env):
            return False
        if rule_chance is not None:
            draw = roll(self.seed, f"bot:{self.team}:game:{label}") if per_game else self.roll(view, label)
            return draw < float(rule_chance.fn(env))
        return True

    def order_rules(self, env: dict[str, Any], view: dict[str, Any], reserve_only: bool = False) -> list[Any]:
        """The persona's hard rules that hold for this turn's orders phase (answers and refusals are
        decided elsewhere), with the dice that phase throws: asked in the negotiation, the answer is the
        one the orders phase will find, so a deal can leave room for what the persona will do anyway
        (``reserve_only``: the rules marked ``reserve`` alone, the ones a deal leaves room for)."""
        at = {"turn": view["turn"], "phase": "orders"}
        out = []
        for i, rule in enumerate(self.persona.hard_rules):
            if rule.reject_if is not None or rule.refuse or (reserve_only and not rule.reserve):
                continue
            label = rule.id if rule.per_game else f"rule{i}"
            if self.holds(rule.when, rule.chance, env, at, label, rule.per_game):
                out.append(rule)
        return out

    def line(self, kind: str, view: dict[str, Any], to: Iterable[str] = ()) -> str:
        """A line in the persona's voice, of the kind asked for (its opening lines when it has none),
        meant for every team in ``to``, the ones it is said to (``schema.Voice``)."""
        voice = self.persona.model.voice
        wanted = set(to)

        def meant(lines: list[str]) -> list[str]:
            return [s for s in lines if s not in voice.to or wanted <= set(voice.to[s])]

        lines = meant(getattr(voice, kind)) or meant(voice.open) or ["."]
        return str(lines[int(self.roll(view, f"line:{kind}") * len(lines)) % len(lines)])


def switch(bot: Character, view: dict[str, Any], env: dict[str, Any]) -> list[Decision]:
    """Hand over to another persona when a switch's trigger holds (never straight back to the last one)."""
    for i, sw in enumerate(bot.persona.switches):
        if sw.to == bot.persona_id or sw.to in bot.history[-1:]:
            continue
        if bot.holds(sw.when, sw.chance, env, view, f"switch{i}"):
            old = bot.persona_id
            bot.history.append(old)
            bot.persona_id = sw.to
            return [
                Decision(
                    make(Note, text=f"persona {old} -> {sw.to}: {sw.reason}", decision="switch"),
                    sw.reason,
                    "switch",
                )
            ]
    return []
