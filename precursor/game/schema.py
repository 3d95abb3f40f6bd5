"""Pydantic models of the rule and scenario files.

These models are the boundary between hand-written YAML and the engine: they reject unknown keys
(``extra="forbid"``) so that a typo in a rule file is an error with a line number, not a silently
ignored rule. Expressions are kept as strings here; :mod:`precursor.game.rulebook` compiles and
type-checks them once every name in the rulebook is known.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, WithJsonSchema, model_validator

TeamId = Literal["us", "mx", "cn", "ca"]
TEAMS: tuple[TeamId, ...] = ("us", "mx", "cn", "ca")
ExprText = str | float | int | bool
Ident = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")]

# Adjudication steps in their fixed order (docs/engine.md, "Adjudication order"); rules name the step
# they run in.
Step = Literal[
    "statements",
    "diplomacy",
    "legal",
    "border",
    "security",
    "migration",
    "flow",
    "lag_release",
    "politics",
    "compliance",
    "review",
    "injects",
]
STEPS: tuple[str, ...] = get_args(Step)


class Strict(BaseModel):
    # Validators are built when first used, not when the class is defined: a rulebook whose files are in
    # the cache (rulebook/cache.py) gets its models from there without validating, so most processes
    # never build one, and building all of them was a third of importing this module.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Ext(Strict):
    """An outside fact: not in the five source documents, so it carries a confidence instead."""

    note: str
    confidence: Literal["high", "medium-high", "medium", "low"]


class Sourced(Strict):
    """Every rulebook entry says where it comes from: seed file names, or an outside fact."""

    sources: list[str] = Field(
        default_factory=list, description="seed file names, e.g. 000_b0c9c8f9065694d4.txt"
    )
    ext: Ext | None = None

    @model_validator(mode="after")
    def _needs_a_source(self) -> Sourced:
        if not self.sources and self.ext is None:
            raise ValueError("needs 'sources' (seed file names) or 'ext' (an outside fact with a confidence)")
        return self


# How firmly an entry's numbers stand (docs/rules-format.md, "Basis"): calibration and sensitivity tools
# vary the invented ones first, and the after-action report says how much of an outcome rests on them.
Basis = Literal["quoted", "direction", "outside", "invented"]
BASES: tuple[str, ...] = get_args(Basis)
_BASIS_HELP = (
    "quoted: a number stated in a source (needs 'locator'); direction: a source gives the sign or shape, "
    "the size is ours; outside: a fact from outside the seed documents (needs 'confidence'); "
    "invented: chosen for play"
)


class _GroundedFields(Strict):
    locator: str | None = Field(
        default=None,
        min_length=1,
        description="where a quoted number stands in its source: a section or a short phrase",
    )
    confidence: Literal["high", "medium", "low"] | None = Field(
        default=None, description="for basis 'outside': how sure the outside fact is"
    )

    def _check_basis(self, basis: str | None) -> None:
        if basis == "quoted" and not self.locator:
            raise ValueError("basis 'quoted' needs 'locator' (where the number stands in its source)")
        if basis == "outside" and self.confidence is None:
            raise ValueError("basis 'outside' needs 'confidence: high|medium|low'")


class Grounded(Sourced, _GroundedFields):
    """An entry that carries numbers, and says how grounded they are."""

    basis: Basis = Field(description=_BASIS_HELP)

    @model_validator(mode="after")
    def _basis_needs(self) -> Grounded:
        self._check_basis(self.basis)
        return self


class MaybeGrounded(Sourced, _GroundedFields):
    """Scenario entries: a basis is welcome but not required of scenario authors."""

    basis: Basis | None = Field(default=None, description=_BASIS_HELP)

    @model_validator(mode="after")
    def _basis_needs(self) -> MaybeGrounded:
        self._check_basis(self.basis)
        return self


# ---------------------------------------------------------------- sources file


class SourceDoc(Strict):
    file: str
    tag: str
    title: str
    author: str
    date: str
    kind: str
    summary: str = Field(description="what the document argues, in the project's own words")
    slant: str = ""


class SourcesFile(Strict):
    sources: list[SourceDoc]


# ---------------------------------------------------------------- teams and seats


class Seat(Sourced):
    id: Ident
    name: str
    head: bool = False
    description: str = ""


class Team(Sourced):
    id: TeamId
    name: str
    seats: list[Seat]
    red_lines: str = Field(
        default="",
        description="what the team's red lines are about, in a player's words (its dashboard's heading)",
    )


class TeamsFile(Strict):
    teams: list[Team]


# ---------------------------------------------------------------- indicators


class Fog(Strict):
    """How a team sees an indicator: months of reporting lag and relative noise of the estimate."""

    lag: int = Field(default=0, ge=0, le=12, description="months of reporting lag")
    noise: float = Field(default=0.0, ge=0.0, le=1.0, description="relative noise, 0.15 = ±15%")
    hidden: bool = Field(default=False, description="not shown at all")


class Indicator(Grounded):
    id: Ident
    name: str
    unit: str = "index"
    type: Literal["num", "bool"] = "num"
    default: float | bool = 0
    min: float | None = None
    max: float | None = None
    group: str = Field(default="", description="dashboard group: health, supply, security, migration, …")
    owner: TeamId | None = Field(
        default=None, description="team the indicator belongs to (it sees it exactly)"
    )
    fog: Fog = Fog.model_construct()  # the defaults, without building a validator for them
    fog_by_team: dict[TeamId, Fog] = Field(default_factory=dict)
    public: bool = Field(default=True, description="false: shown only to the owner team and the facilitator")
    description: str = ""

    def exact_to(self, audience: str) -> bool:
        """Whether a team (or the public) reads the indicator's true, current value: its owner does, and
        a team it is public to without fog. ``visibility.key_visible`` asks it of an indicator, and the
        rulebook of a value a lever's message shows (``rulebook.levers``)."""
        if self.owner == audience:
            return True
        fog = self.fog_by_team.get(audience, self.fog) if audience in TEAMS else self.fog
        if fog.hidden or not self.public:
            return False
        return fog.lag == 0 and fog.noise == 0

    @model_validator(mode="after")
    def _range(self) -> Indicator:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        if self.type == "num" and not isinstance(self.default, bool):
            d = float(self.default)
            if (self.min is not None and d < self.min) or (self.max is not None and d > self.max):
                raise ValueError(f"default {d} is outside [{self.min}, {self.max}]")
        return self


class IndicatorsFile(Strict):
    indicators: list[Indicator]


# ---------------------------------------------------------------- effects, levers, rules

Op = Literal["add", "mul", "set", "min", "max"]


class Effect(Strict):
    """One change to one state variable, optionally delayed, conditional or chance-based."""

    target: Ident
    op: Op = "add"
    value: ExprText
    lag: int | None = Field(default=None, ge=0, le=24, description="months; default: the lever's lag")
    when: ExprText | None = None
    chance: ExprText | None = Field(default=None, description="probability 0..1 that the effect happens")
    roll: str | None = Field(
        default=None, description="effects of one lever or rule with the same roll name share a single draw"
    )
    visibility: Literal["public", "private", "any"] = Field(
        default="any", description="apply only when the act was public (or private)"
    )
    reason: str = ""


class Param(Strict):
    id: Ident
    type: Literal["int", "num", "bool", "choice"] = "int"
    min: float | None = None
    max: float | None = None
    default: float | int | bool | str | None = None
    choices: list[str] = Field(default_factory=list)
    description: str = ""
    label: str = Field(default="", description="short name a player reads beside the value ('spent on')")
    choice_labels: dict[str, str] = Field(
        default_factory=dict, description="each choice in a player's words ('social': 'social programmes')"
    )
    stronger: Literal["higher", "lower", "equal"] = Field(
        default="higher", description="which direction counts as at least as strong for compliance"
    )

    @model_validator(mode="after")
    def _check(self) -> Param:
        if self.type == "choice" and not self.choices:
            raise ValueError("a 'choice' parameter needs 'choices'")
        stray = sorted(set(self.choice_labels) - set(self.choices))
        if stray:
            raise ValueError(f"choice_labels name {stray}, which are not among the choices {self.choices}")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class Precondition(Strict):
    when: ExprText
    message: str


class SovereigntyAct(Strict):
    """Rule A1: how much a US act adds to Mexican sovereignty tension, public and private."""

    public: float = Field(ge=0, le=40)
    private: float = Field(default=0, ge=0, le=40)
    military: bool = False


class Lever(Grounded):
    id: Ident
    code: str = Field(description="display code, e.g. US-SAN-1")
    name: str
    team: TeamId
    seat: Ident
    cost: ExprText = Field(description="political capital; an expression may use param.* and state")
    lag: int = Field(default=0, ge=0, le=24, description="months until the main effect")
    step: Step = Field(default="legal", description="adjudication step the order executes in")
    visibility: Literal["public", "private", "choice"] = "choice"
    params: list[Param] = Field(default_factory=list)
    preconditions: list[Precondition] = Field(default_factory=list)
    effects: list[Effect] = Field(default_factory=list)
    sovereignty: SovereigntyAct | None = None
    sustained: bool = Field(default=False, description="must be ordered every turn to stay in force")
    lapse: list[Effect] = Field(
        default_factory=list, description="effects when a sustained lever is not renewed"
    )
    tags: list[str] = Field(default_factory=list)
    once: bool = Field(default=False, description="can be played once per game")
    holds: ExprText | None = Field(
        default=None,
        description="for a lever that sets a standing level (a tariff rate, an enforcement level): true, "
        "over param.* and state, when the level a clause's parameters promise already stands; a clause on "
        'the lever is then kept without an order (docs/design.md, "Standing levels")',
    )
    rare: str | None = Field(
        default=None,
        min_length=1,
        description="why bots seldom order this lever, with its source: `precursor balance` does not flag "
        "a lever with a reason when it is ordered in under 5 % of bot games",
    )
    description: str = ""


class LeversFile(Strict):
    levers: list[Lever]


class ActFilter(Strict):
    """Matches executed acts (orders and public statements) for 'on_act' rules."""

    team: TeamId | None = None
    target: TeamId | None = None
    tags_any: list[str] = Field(default_factory=list)
    levers: list[Ident] = Field(default_factory=list)
    visibility: Literal["public", "private", "any"] = "any"


class Rule(Grounded):
    id: Ident
    family: Literal[
        "sovereignty",
        "immigration",
        "elections",
        "diplomacy",
        "lag",
        "economy",
        "usmca",
        "supply",
        "china",
        "canada",
        "politics",
        "events",
    ]
    name: str
    kind: Literal["periodic", "on_act", "mechanism"] = "periodic"
    step: Step = "politics"
    every: Literal["turn", "month"] = "turn"
    when: ExprText | None = None
    chance: ExprText | None = None
    match: ActFilter | None = None
    effects: list[Effect] = Field(default_factory=list)
    params: dict[str, ExprText] = Field(
        default_factory=dict, description="numbers and formulas read by a coded mechanism"
    )
    reason: str = Field(description="plain-language reason shown in the 'why' card")
    order: int = Field(default=0, description="tie-break inside a step; lower runs first")

    @model_validator(mode="after")
    def _kind(self) -> Rule:
        if self.kind == "on_act" and self.match is None:
            raise ValueError("an 'on_act' rule needs 'match'")
        if self.kind != "mechanism" and not self.effects:
            raise ValueError(f"a '{self.kind}' rule needs at least one effect")
        return self


class RulesFile(Strict):
    rules: list[Rule]


class Formula(Strict):
    target: Ident
    value: ExprText
    note: str = ""


class FlowModel(Grounded):
    id: Ident
    name: str
    constants: list[Formula] = Field(
        default_factory=list, description="evaluated once when a game starts (baselines for normalisation)"
    )
    formulas: list[Formula]
    reason: str


class FlowFile(Strict):
    flow: FlowModel


class StatementKind(Grounded):
    """Rule D7: public statement types and their effects (target is the addressed team)."""

    id: Literal["praise", "blame", "threat", "commitment", "acknowledge"]
    name: str
    trust: float = Field(default=0, description="change in trust between speaker and target")
    own_approval: float = 0
    finger_pointing: bool = Field(default=False, description="counts toward a finger-pointing posture (D2)")
    st: float = Field(default=0, description="Mexican sovereignty tension when the US addresses Mexico (A1)")
    irritation: float = Field(default=0, description="China's irritation when the US addresses China (CS1)")
    overton: float = Field(default=0, description="US Overton index when a US seat threatens force")
    effects: list[Effect] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    reason: str


class StatementsFile(Strict):
    statements: list[StatementKind]


class Module(Grounded):
    """A trilateral USMCA module (Rule H1): signed by all three North American teams."""

    id: Ident
    name: str
    effects: list[Effect]
    reason: str


class ModulesFile(Strict):
    modules: list[Module]


class ScoreComponent(Strict):
    id: Ident
    name: str
    value: ExprText = Field(description="raw component value, clamped to [-cap, cap]")
    value_by_team: dict[TeamId, ExprText] = Field(default_factory=dict, description="a team's own formula")
    weights: dict[TeamId, float]
    explain: str = Field(
        min_length=1,
        description="what the value is made of, in a player's words: the end screen shows it under the"
        " component (no indicator ids; the cap is added from the file's 'cap')",
    )
    explain_by_team: dict[TeamId, str] = Field(
        default_factory=dict, description="a team's own explanation, where its formula differs"
    )


class ScoringFile(Grounded):
    components: list[ScoreComponent]
    shared_bonus: ExprText
    shared_malus: ExprText
    shared_bonus_explain: str = Field(
        default="", description="what earns every team the shared bonus, in a player's words (the end screen)"
    )
    shared_malus_explain: str = Field(
        default="",
        description="what costs every team the shared penalty, in a player's words (the end screen)",
    )
    shared_points: float = 5
    cap: float = Field(default=10, gt=0, description="each component's value is held within [-cap, cap]")


# ---------------------------------------------------------------- named parameters


class Parameter(Grounded):
    """A named, bounded number that expressions read as ``par.<id>``: what calibration fits and
    sensitivity runs vary, within ``range``."""

    id: Ident
    value: float | int
    range: tuple[float, float] | None = Field(
        default=None, description="[lo, hi] the value may be varied within; required unless quoted"
    )
    description: str

    @model_validator(mode="after")
    def _bounded(self) -> Parameter:
        if isinstance(self.value, bool):
            raise ValueError("value must be a number")
        if self.range is None:
            if self.basis != "quoted":
                raise ValueError("needs 'range: [lo, hi]' (only a quoted number may go without one)")
            return self
        lo, hi = self.range
        if lo > hi:
            raise ValueError(f"range [{lo}, {hi}]: lo is above hi")
        if not lo <= self.value <= hi:
            raise ValueError(f"value {self.value} is outside its range [{lo}, {hi}]")
        return self


class ParametersFile(Strict):
    parameters: list[Parameter]


# ---------------------------------------------------------------- the white cell (rules/white_cell.yaml)

SIZES: tuple[str, ...] = ("small", "medium", "large")
BANDS: tuple[str, ...] = ("very_unlikely", "unlikely", "even", "likely", "very_likely")


class SizeAmounts(Strict):
    """How far a claimed effect of each size moves an indicator of the family (always a magnitude; the
    claim's direction gives the sign)."""

    small: float = Field(gt=0)
    medium: float = Field(gt=0)
    large: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> SizeAmounts:
        if not self.small <= self.medium <= self.large:
            raise ValueError("sizes must not shrink: small <= medium <= large")
        return self


class IndicatorFamily(Grounded):
    id: Ident
    name: str
    indicators: list[Ident] = Field(min_length=1)
    amounts: SizeAmounts


class Bands(Strict):
    very_unlikely: float = Field(gt=0, lt=1)
    unlikely: float = Field(gt=0, lt=1)
    even: float = Field(gt=0, lt=1)
    likely: float = Field(gt=0, lt=1)
    very_likely: float = Field(gt=0, lt=1)

    @model_validator(mode="after")
    def _rising(self) -> Bands:
        ps = [getattr(self, b) for b in BANDS]
        if any(a >= b for a, b in itertools.pairwise(ps)):
            raise ValueError("band probabilities must rise from very_unlikely to very_likely")
        return self


class SizeCost(Strict):
    small: float = Field(ge=0)
    medium: float = Field(ge=0)
    large: float = Field(ge=0)


class SizeScore(Strict):
    small: float
    medium: float
    large: float


class WhiteCellBot(Strict):
    """The bot white cell's weights (docs/engine.md, "Free actions")."""

    capability: float
    no_capability: float
    size: SizeScore
    against: float
    for_: float = Field(alias="for")
    mention: float = Field(ge=0)
    mention_cap: float = Field(ge=0)
    thresholds: tuple[float, float, float, float]

    @model_validator(mode="after")
    def _rising(self) -> WhiteCellBot:
        t = self.thresholds
        if any(a >= b for a, b in itertools.pairwise(t)):
            raise ValueError("thresholds must rise")
        return self


class WhiteCell(Grounded):
    description: str = ""
    bands: Bands
    cost: SizeCost
    per_turn: int = Field(default=1, ge=0, le=3, description="free actions per team per turn")
    families: list[IndicatorFamily] = Field(min_length=1)
    bot: WhiteCellBot


class WhiteCellFile(Strict):
    white_cell: WhiteCell


# ---------------------------------------------------------------- scenarios


class CalendarEvent(Strict):
    id: Ident
    kind: Literal[
        "us_presidential",
        "us_midterm",
        "mx_presidential",
        "ca_federal",
        "cn_npc",
        "cn_party_congress",
        "usmca_review",
        "summit",
        "other",
    ]
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    name: str
    incumbent_holds: bool | None = Field(default=None, description="historical result; null = dynamic")
    sources: list[str] = Field(default_factory=list)
    ext: Ext | None = None


class Inject(MaybeGrounded):
    id: Ident
    title: str
    text: str
    turn: int | None = Field(default=None, ge=1, description="timed inject: the turn it fires in")
    when: ExprText | None = Field(
        default=None, description="conditional inject: fires the first turn it holds"
    )
    chance: ExprText | None = None
    repeat: bool = False
    effects: list[Effect] = Field(default_factory=list)
    free_levers: list[Ident] = Field(default_factory=list, description="levers that cost no PC this turn")
    audience: list[TeamId] | Literal["all"] = "all"
    deck: bool = Field(default=False, description="held back for the facilitator to release")

    @model_validator(mode="after")
    def _timing(self) -> Inject:
        if self.turn is None and self.when is None and not self.deck:
            raise ValueError("an inject needs 'turn', 'when' or 'deck: true'")
        return self


class Objective(Strict):
    id: Ident
    text: str
    points: float = Field(default=0, ge=0, le=20)
    check: Literal["end", "every_turn", "ever"] = "end"
    condition: ExprText | None = None
    sources: list[str] = Field(default_factory=list)
    ext: Ext | None = None


class TeamObjectives(Strict):
    public: str
    secret: list[Objective] = Field(default_factory=list)


class TensionBand(Strict):
    """The range Mexico's mean sovereignty tension should fall in over a default game, from the situation."""

    low: float = Field(ge=0, le=100)
    high: float = Field(ge=0, le=100)
    reason: str = Field(min_length=1, description="one sentence: what in the situation puts the band there")

    @model_validator(mode="after")
    def _ordered(self) -> TensionBand:
        if self.low > self.high:
            raise ValueError(f"low {self.low} is above high {self.high}")
        return self


class DeathsBand(Strict):
    """The range the US deaths outcome component (OUT_OD) should fall in over a default game.

    A scenario whose months have a record derives it from the recorded change in US synthetic-opioid deaths
    over those months: a default game plays the historical actors, so it should land near what happened.
    """

    low: float = Field(ge=-10, le=10)
    high: float = Field(ge=-10, le=10)
    reason: str = Field(min_length=1, description="what in the situation (or the record) puts the band there")

    @model_validator(mode="after")
    def _ordered(self) -> DeathsBand:
        if self.low > self.high:
            raise ValueError(f"low {self.low} is above high {self.high}")
        return self


class ScenarioSeat(Strict):
    id: Ident
    name: str
    holds: list[Ident] = Field(description="rulebook seats whose levers this player seat orders")
    merge_into: Ident | None = Field(default=None, description="where this seat folds when no one takes it")


class ScenarioWhiteCell(Strict):
    fallback: Literal["vote", "white_cell"] = Field(
        default="white_cell",
        description="vote: the other teams' counter-arguments move the band from even; white_cell: the "
        "bot white cell scores the argument",
    )


class Scenario(MaybeGrounded):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    title: str
    summary: str
    start: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    turns: int = Field(ge=1, le=24)
    months_per_turn: int = Field(ge=1, le=6)
    epilogue_months: int = Field(default=3, ge=0, le=12)
    mostly_ext: bool = False
    tutorial: bool = False
    starting_values: dict[Ident, float | bool] = Field(default_factory=dict)
    calendar: list[CalendarEvent] = Field(default_factory=list)
    injects: list[Inject] = Field(default_factory=list)
    objectives: dict[TeamId, TeamObjectives]
    seats: dict[TeamId, list[ScenarioSeat]]
    order_limit: int = Field(default=4, ge=1, le=12)
    order_limit_per_seat: int = Field(default=2, ge=1, le=12)
    order_limit_head_seat: int = Field(default=3, ge=1, le=12)
    proposal_limit: int = Field(default=3, ge=0, le=12)
    personas: dict[TeamId, str] = Field(default_factory=dict, description="default bot personas")
    tension_band: TensionBand | None = Field(
        default=None,
        description="where Mexico's mean sovereignty tension (mean.mx.st) should fall in default bot games; "
        "`precursor balance` reports the measured mean against it",
    )
    us_deaths_band: DeathsBand | None = Field(
        default=None,
        description="where the US deaths outcome component (OUT_OD) should fall in default bot games; "
        "without it `precursor balance` holds every scenario to the design band -3..+5",
    )
    debrief: list[str] = Field(default_factory=list)
    white_cell: ScenarioWhiteCell = Field(
        default_factory=lambda: ScenarioWhiteCell(),
        description="how a free action nobody ruled on is ruled (docs/engine.md, 'Free actions')",
    )

    @model_validator(mode="after")
    def _teams(self) -> Scenario:
        for t in TEAMS:
            if t not in self.objectives:
                raise ValueError(f"objectives for team '{t}' are missing")
            if t not in self.seats or not (1 <= len(self.seats[t]) <= 4):
                raise ValueError(f"team '{t}' needs one to four seats")
        return self


class ScenarioFile(Strict):
    scenario: Scenario


# ---------------------------------------------------------------- override files


class SetOverride(Strict):
    """Replace one value of the rulebook or a scenario, named by its address."""

    set: str = Field(
        pattern=r"^[^/\s]+(/[^/\s]+)+$",
        description="kind/entry id/field path, slash-separated; list items by id or index, e.g. "
        "levers/us_san_1/cost, indicators/mx.st/default, scenarios/loose-talk/starting_values/mx.st, "
        "scoring/shared_points",
    )
    value: Any = Field(description="the new value, of the type the field takes")
    reason: str = ""


class InjectAddition(Strict):
    scenario: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    inject: Inject


class AddInjectOverride(Strict):
    """Add one inject to a scenario, shaped as in the scenario's own ``injects`` list."""

    add_inject: InjectAddition
    reason: str = ""


def _override_tag(item: Any) -> str | None:
    # the item's own key picks the model, so an error names only what that kind of item lacks
    if isinstance(item, dict):
        return "set item" if "set" in item else "add_inject item" if "add_inject" in item else None
    return "set item" if isinstance(item, SetOverride) else "add_inject item"


OverrideItem = Annotated[
    Annotated[SetOverride, Tag("set item")] | Annotated[AddInjectOverride, Tag("add_inject item")],
    Discriminator(
        _override_tag,
        custom_error_type="override_kind",
        custom_error_message="an override is a 'set' (with 'value') or an 'add_inject'",
    ),
]


class OverridesFile(Strict):
    """Changes laid over the rulebook and scenarios without copying their files."""

    description: str = ""
    overrides: list[OverrideItem]


# ---------------------------------------------------------------- bot personalities


class UtilityTerm(Strict):
    """One term of a persona's utility: a weight per ``per`` units of change in an indicator, or per tag."""

    var: Ident | None = None
    tag: str | None = None
    weight: float
    per: float = Field(default=1.0, gt=0, description="units of change that count as one")
    note: str = ""

    @model_validator(mode="after")
    def _one(self) -> UtilityTerm:
        if (self.var is None) == (self.tag is None):
            raise ValueError("a utility term names exactly one of 'var' or 'tag'")
        return self


class PlannedOrder(Strict):
    lever: Ident
    params: dict[str, float | int | bool | str] = Field(default_factory=dict)
    visibility: Literal["public", "private"] | None = None


class PlannedStatement(Strict):
    kind: Literal["praise", "blame", "threat", "commitment", "acknowledge"]
    target: TeamId | None = None


class HardRule(Strict):
    """A rule that overrides utility. ``when`` and ``chance`` read only what the persona's team can see."""

    id: Ident
    when: ExprText | None = None
    chance: ExprText | None = None
    roll: Literal["turn", "game"] = Field(
        default="turn",
        description="when ``chance`` is drawn: afresh each turn, or once a game (a trait of who holds it)",
    )
    never: list[Ident] = Field(default_factory=list, description="levers the persona never orders")
    play: PlannedOrder | None = Field(
        default=None, description="an order the persona gives when the rule holds"
    )
    statement: PlannedStatement | None = None
    reject_if: ExprText | None = Field(
        default=None, description="reject proposals for which this holds (prop.*)"
    )
    refuse: list[Ident] = Field(
        default_factory=list,
        description="refusal grounds (``refusal.*`` rules) on which the persona, holding the seat that "
        "carries out an order another seat of its team gave, refuses it while the rule holds",
    )
    message: str = Field(default="", description="a line in the persona's voice, sent with the act")
    reserve: bool = Field(
        default=False,
        description="in a turn the rule holds, the capital for its play is kept when the persona weighs a "
        "deal (bots/commitments.py): for a play the persona bargains for, which clauses would crowd out",
    )
    reason: str


class PackageClause(Strict):
    actor: TeamId
    lever: Ident
    params: dict[str, float | int | bool | str] = Field(default_factory=dict)


class Package(Strict):
    """The persona's preferred proposal (docs/bots.md)."""

    partner: list[TeamId]
    clauses: list[PackageClause]
    framing: Literal[
        "none", "shared_responsibility", "us_demand_met", "china_initiative", "multilateral", "reciprocal"
    ] = "none"
    visibility: Literal["public", "private"] = "private"
    verification: Literal["self", "joint", "incb"] = "joint"
    modules: list[str] = Field(default_factory=list)
    linkage: bool = False
    note: str = ""


class Switch(Strict):
    when: ExprText
    to: Ident
    chance: ExprText = 1.0
    reason: str


# A voice list as written in a rule file: plain lines, or ``{text, to}`` for a line meant for some teams.
# The model keeps plain texts (``Voice._addressed`` moves ``to`` aside); the exported JSON Schema must
# describe the file, so that an editor pointed at it accepts both forms.
_TEAMS_SCHEMA = {"type": "array", "items": {"enum": ["us", "mx", "cn", "ca"]}, "minItems": 1}
VoiceLines = Annotated[
    list[str],
    WithJsonSchema(
        {
            "type": "array",
            "items": {
                "anyOf": [
                    {"type": "string"},
                    {
                        "type": "object",
                        "properties": {"text": {"type": "string"}, "to": _TEAMS_SCHEMA},
                        "required": ["text", "to"],
                        "additionalProperties": False,
                    },
                ]
            },
        }
    ),
]


class Voice(Strict):
    """Short lines in the persona's own voice. Partisan framing appears only here, never as narrator text.

    A line written ``{text: ..., to: [teams]}`` is meant for those teams only (said to anyone else it makes
    no sense: Mexico told China "You stop the guns and treat your addicts"); a plain line is for anyone.
    The lists keep the texts; ``to`` maps a text to the teams it is meant for."""

    open: VoiceLines = Field(default_factory=list)
    accept: VoiceLines = Field(default_factory=list)
    reject: VoiceLines = Field(default_factory=list)
    propose: VoiceLines = Field(default_factory=list)
    to: dict[str, tuple[TeamId, ...]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _addressed(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out, to = dict(data), dict(data.get("to") or {})
        for kind in ("open", "accept", "reject", "propose"):
            lines = []
            for line in out.get(kind) or []:
                if isinstance(line, dict) and set(line) == {"text", "to"}:
                    to[line["text"]] = tuple(line["to"])
                    line = line["text"]
                lines.append(line)
            out[kind] = lines
        out["to"] = to
        return out


class Persona(Grounded):
    id: Ident
    team: TeamId
    name: str
    description: str
    reservation: float
    pc_aversion: float = Field(ge=0, le=5, description="lambda: utility lost per point of political capital")
    statement_rate: float = Field(ge=0, le=1)
    renege_prob: float = Field(
        ge=0, le=1, description="chance of breaking a clause whose own utility is negative"
    )
    signing: float = Field(
        default=1.0,
        ge=0,
        le=2,
        description="the share of a signature's score value (bots.signing_utility) the persona counts",
    )
    weights: list[UtilityTerm]
    hard_rules: list[HardRule] = Field(default_factory=list)
    package: Package | None = None
    packages: list[Package] = Field(
        default_factory=list, description="further deals it tables, each to its own partners (docs/bots.md)"
    )
    switches: list[Switch] = Field(default_factory=list)
    voice: Voice = Voice.model_construct()


class PersonasFile(Strict):
    personas: list[Persona]


# ---------------------------------------------------------------- inject templates (the white cell)


class TriggerTerm(Strict):
    """One reason a situation calls for an inject: while ``when`` holds it adds ``weight`` to the
    template's score, and ``because`` is what the facilitator reads as the reason."""

    when: ExprText
    weight: float = Field(gt=0, le=10)
    because: str = Field(min_length=1)


class InjectTemplate(Grounded):
    """A custom inject the white cell may write when the game state calls for it (docs/facilitation.md).
    ``text`` may name ``{placeholders}`` filled from the state; ``changes`` are suggested amounts added
    to indicators (true/false set a flag), which the facilitator may edit before releasing."""

    id: Ident
    title: str = Field(min_length=1, max_length=120)
    text: str = Field(min_length=1, max_length=4000)
    trigger: list[TriggerTerm] = Field(min_length=1)
    changes: dict[str, float | bool] = Field(default_factory=dict)
    audience: list[TeamId] | Literal["all"] = "all"


class InjectTemplatesFile(Strict):
    inject_templates: list[InjectTemplate]
