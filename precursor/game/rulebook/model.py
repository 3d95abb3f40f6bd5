"""The compiled rulebook: what the engine, the bots and the views read once the files are loaded.

Pydantic models guard the file boundary; the engine's hot loop instead reads these small slotted
dataclasses, with every expression already parsed, type-checked and compiled to a closure. They hold
no compiling logic, so the game can read them without pulling in the checks that build them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from precursor.game import schema as S
from precursor.game.expr import Expr, Symbols
from precursor.game.persona_rules import CPersona
from precursor.game.rulebook.inject_templates import CInjectTemplate


@dataclass(slots=True)
class CEffect:
    target: str
    op: str
    value: Expr
    lag: int
    when: Expr | None
    chance: Expr | None
    visibility: str
    reason: str
    roll: str | None = None


@dataclass(slots=True)
class CParam:
    id: str
    type: str
    min: float | None
    max: float | None
    default: Any
    choices: tuple[str, ...]
    stronger: str
    description: str = ""  # what the parameter sets, in words: the forms that set one show it
    label: str = ""  # its short name beside a value in a clause, an order or a result
    choice_labels: dict[str, str] = field(default_factory=dict)  # a choice in words, by its key


@dataclass(frozen=True, slots=True)
class CWords:
    """A precondition's message that shows values (``{expression|words}`` in the rules): its text and
    expressions in turn. A student under the cap set after a migrant-detention tragedy read "enforcement
    cannot go above the cap set this turn", never learnt the cap, and in the next turn "this turn" was
    wrong; the message now shows the cap. Only values the lever's team sees exactly may be shown (checked
    at load, ``rulebook.levers``). The plain message, with each placeholder's words in place of its
    value, is what code that reads ``CLever.preconditions`` alone shows (``precondition_words``)."""

    parts: tuple[str | Expr, ...]
    text: str  # as the rules write it, placeholders and all

    def render(self, env: Mapping[str, Any]) -> str | None:
        """The message with its values from ``env``, or None when ``env`` lacks one of them."""
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            if not part.names <= env.keys():
                return None
            try:
                out.append(shown(part.fn(env)))
            except Exception:  # a value the expression computes from others that env lacks
                return None
        return "".join(out)


def shown(value: Any) -> str:
    """A value as a message shows it: 50, not 50.0; 12.5; yes or no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value).replace("_", " ")


@dataclass(slots=True)
class CLever:
    id: str
    code: str
    name: str
    team: str
    seat: str
    cost: Expr
    lag: int
    step: str
    visibility: str
    params: dict[str, CParam]
    preconditions: list[tuple[Expr, str]]
    effects: list[CEffect]
    sov_public: float
    sov_private: float
    military: bool
    sustained: bool
    lapse: list[CEffect]
    tags: frozenset[str]
    once: bool
    sources: tuple[str, ...]
    ext: S.Ext | None
    description: str
    rare: str | None = None  # why bots seldom order it (schema.Lever.rare): read by the balance report
    holds: Expr | None = None  # the promised level already stands (schema.Lever.holds)
    # per precondition, the message with the values it shows (None: plain words), see CWords
    words: tuple[CWords | None, ...] = ()


def precondition_words(lever: CLever, index: int, env: Mapping[str, Any]) -> str:
    """The rules' words for the lever's precondition ``index`` when it fails on ``env``: the message with
    the values it shows (``CWords``) when ``env`` holds them, else the plain message. ``env`` is what the
    caller knows: the state for the engine, a team's exact values for a bot or a client."""
    message = lever.preconditions[index][1]
    said = lever.words[index] if index < len(lever.words) else None
    if said is None:
        return message
    return said.render(env) or message


@dataclass(slots=True)
class CRule:
    id: str
    family: str
    name: str
    kind: str
    step: str
    every: str
    when: Expr | None
    chance: Expr | None
    match: S.ActFilter | None
    effects: list[CEffect]
    params: dict[str, Expr]
    reason: str
    order: int
    sources: tuple[str, ...]


@dataclass(slots=True)
class CStatement:
    id: str
    name: str
    model: S.StatementKind
    effects: list[CEffect]
    tags: frozenset[str]
    reason: str
    sources: tuple[str, ...]


@dataclass(slots=True)
class CModule:
    id: str
    name: str
    effects: list[CEffect]
    reason: str
    sources: tuple[str, ...]


@dataclass(slots=True)
class CInject:
    id: str
    title: str
    text: str
    turn: int | None
    when: Expr | None
    chance: Expr | None
    repeat: bool
    effects: list[CEffect]
    free_levers: tuple[str, ...]
    audience: tuple[str, ...]
    deck: bool
    sources: tuple[str, ...]
    ext: dict[str, Any] | None  # the outside-fact note as the inject event carries it


@dataclass(slots=True)
class CObjective:
    id: str
    team: str
    text: str
    points: float
    check: str
    condition: Expr | None


@dataclass(slots=True)
class CScenario:
    model: S.Scenario
    injects: list[CInject]
    objectives: list[CObjective]
    symbols: Symbols
    file: str
    # a hash of the scenario file's data (precursor/game/provenance.py): game logs record it
    fingerprint: str = ""


@dataclass(slots=True)
class CScoreComponent:
    id: str
    name: str
    value: dict[str, Expr]
    weights: dict[str, float]
    # what the value is made of, in a player's words, by team (each team weighed: its own or the common)
    explain: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class CFamily:
    """An indicator family of rules/white_cell.yaml: what a free action's claim of each size moves."""

    id: str
    name: str
    indicators: tuple[str, ...]
    amounts: dict[str, float]  # by size: small, medium, large
    basis: str


@dataclass(slots=True)
class CWhiteCell:
    families: dict[str, CFamily]
    family_of: dict[str, str]  # indicator id -> family id
    bands: dict[str, float]  # band -> probability of success, least to most likely
    cost: dict[str, float]  # size -> political capital per claimed effect
    per_turn: int
    bot: S.WhiteCellBot


@dataclass(frozen=True, slots=True)
class Grounding:
    """How grounded one entry's numbers are (docs/rules-format.md, "Basis"), and the named parameters
    (ids without 'par.') its expressions read."""

    family: str  # lever, rule, indicator, flow, statement, module, scoring, persona, parameter, inject
    group: str  # a lever's team, a rule's file and family, an indicator's group, a parameter's prefix
    id: str
    basis: str  # quoted, direction, outside, invented; "" for a scenario entry that states none
    confidence: str | None
    locator: str | None
    reads: frozenset[str]


_SERIALS = itertools.count(1)


@dataclass
class Rulebook:
    sources: dict[str, S.SourceDoc]
    teams: dict[str, S.Team]
    seats: dict[str, S.Seat]
    seat_team: dict[str, str]
    indicators: dict[str, S.Indicator]
    levers: dict[str, CLever]
    rules: list[CRule]
    rules_by_step: dict[str, list[CRule]]
    on_act_rules: list[CRule]
    mechanisms: dict[str, CRule]
    flow: list[tuple[str, Expr]]
    flow_constants: list[tuple[str, Expr]]
    flow_meta: S.FlowModel
    statements: dict[str, CStatement]
    modules: dict[str, CModule]
    scoring: list[CScoreComponent]
    shared_bonus: Expr
    shared_malus: Expr
    shared_points: float
    scenarios: dict[str, CScenario]
    symbols: Symbols
    personas: dict[str, CPersona] = field(default_factory=dict)
    # each score component's value is held within [-score_cap, score_cap] (rules/scoring.yaml, cap)
    score_cap: float = 10.0
    # what the shared bonus and penalty are for, in a player's words (rules/scoring.yaml; the end screen)
    shared_bonus_words: str = ""
    shared_malus_words: str = ""
    # the named parameters (rules/parameters.yaml), by id without the 'par.' prefix
    parameters: dict[str, S.Parameter] = field(default_factory=dict)
    # free actions (rules/white_cell.yaml); None without the file, and free actions are then refused
    white_cell: CWhiteCell | None = None
    # every grounded entry by 'family:id' (rulebook/grounding.py): for the tools, never the engine
    grounding: dict[str, Grounding] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    # the override items applied over the files, one ``file:line: what`` each (rulebook/overrides.py)
    overrides: list[str] = field(default_factory=list)
    # a hash of every rule file's data, scenarios apart (precursor/game/provenance.py): logs record it
    fingerprint: str = ""
    # the white cell's inject templates (rules/inject_templates.yaml), in file order
    inject_templates: list[CInjectTemplate] = field(default_factory=list)
    bounds: dict[str, tuple[bool, float, float]] = field(default_factory=dict)
    num_indicators: tuple[str, ...] = ()
    _read_num: Callable[[Mapping[str, Any]], Any] = field(init=False, repr=False, compare=False)
    played_keys: tuple[str, ...] = field(init=False, repr=False, compare=False)
    # a process-unique number for caches kept per rulebook elsewhere: unlike id(), never reused by a later one
    serial: int = field(default_factory=lambda: next(_SERIALS), init=False, repr=False, compare=False)
    # per scenario: the starting environment every game copies, and what its baselines read (Game.new)
    start_envs: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        inf = float("inf")
        self.bounds = {
            k: (
                ind.type == "bool",
                -inf if ind.min is None else float(ind.min),
                inf if ind.max is None else float(ind.max),
            )
            for k, ind in self.indicators.items()
        }
        self.num_indicators = tuple(k for k, ind in self.indicators.items() if ind.type == "num")
        self.played_keys = tuple(f"played.{lid}" for lid in self.levers)
        keys = self.num_indicators
        self._read_num = itemgetter(*keys) if len(keys) > 1 else lambda env: tuple(env[k] for k in keys)

    def __deepcopy__(self, memo: dict[int, Any]) -> Rulebook:
        """Shared, not copied: a rulebook is never changed after it is loaded, so a deep copy of anything
        that refers to it (a bot, a game) refers to the same one."""
        return self

    def num_values(self, env: Mapping[str, Any]) -> dict[str, Any]:
        """Every numeric indicator's value, in rulebook order: recorded each month and at each turn's end."""
        return dict(zip(self.num_indicators, self._read_num(env), strict=True))

    def mechanism(self, rule_id: str) -> CRule:
        return self.mechanisms[rule_id]
