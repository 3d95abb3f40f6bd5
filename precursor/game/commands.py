"""Commands: what a player, a bot, the facilitator or the clock asks the engine to do.

Commands are pydantic models because they cross the wire and arrive from untrusted clients; the
engine receives them already shaped, and answers with events or a typed ``CommandError``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

TeamId = Literal["us", "mx", "cn", "ca"]
ParamValue = float | int | bool | str


class _M(BaseModel):
    # NaN and infinity are not numbers a game can use, and not JSON: refuse them at the boundary.
    # Validators are built on a model's first validation, not at import: building all of them was
    # half of importing this module, and a batch of bot games validates almost none (bots build
    # their commands already shaped, bots/decisions.make).
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)


#: The longest reason a team may give with its answer to a proposal or a refusal: one or two sentences.
MAX_REASON = 500


class Actor(_M):
    """Who issues a command. The server fills this from the authenticated token, never the client."""

    role: Literal["player", "facilitator", "system", "bot"] = "player"
    team: TeamId | None = None
    seat: str | None = None
    name: str = ""


class Order(_M):
    lever: str
    params: dict[str, ParamValue] = Field(default_factory=dict)
    visibility: Literal["public", "private"] | None = None
    seat: str | None = Field(default=None, description="player seat ordering it; default: the sender's seat")


class StatementOrder(_M):
    kind: Literal["praise", "blame", "threat", "commitment", "acknowledge"]
    target: TeamId | None = None
    text: str = Field(default="", max_length=2000)


class SubmitOrders(_M):
    type: Literal["submit_orders"] = "submit_orders"
    orders: list[Order] = Field(default_factory=list, max_length=12)
    statement: StatementOrder | None = None


class RefuseOrder(_M):
    """The seat that carries out a lever declines an order another seat of its team gave on it.

    Sent in the orders phase, while the order is still a secret inside the team: a refused order is
    never revealed, executed or paid for. Allowed only on the grounds the rules state (the
    ``refusal.*`` rules); an actor without a seat speaks for the seat that holds the lever.
    """

    type: Literal["refuse_order"] = "refuse_order"
    lever: str = Field(max_length=80)
    reason: str = Field(default="", max_length=MAX_REASON, description="why, in a sentence, for the team")


class SendMessage(_M):
    type: Literal["message"] = "message"
    channel: str
    text: str = Field(min_length=1, max_length=4000)


class OpenChannel(_M):
    type: Literal["open_channel"] = "open_channel"
    members: list[TeamId] = Field(min_length=1, max_length=4)
    name: str = Field(default="", max_length=80)


class Clause(_M):
    actor: TeamId
    lever: str
    params: dict[str, ParamValue] = Field(default_factory=dict)
    start_turn: int | None = Field(default=None, ge=1)
    duration: int = Field(default=1, ge=0, le=24, description="turns the clause is due; 0 = once")
    condition: str | None = Field(
        default=None, max_length=400, description="expression; clause due only when true"
    )


class Snapback(_M):
    trigger: str = Field(max_length=400, description="expression checked at every compliance step")
    actor: TeamId
    lever: str
    params: dict[str, ParamValue] = Field(default_factory=dict)


Verification = Literal["self", "joint", "incb"]  # who checks that the clauses are kept
Framing = Literal[
    "none", "shared_responsibility", "us_demand_met", "china_initiative", "multilateral", "reciprocal"
]


class Propose(_M):
    type: Literal["propose"] = "propose"
    parties: list[TeamId] = Field(min_length=2, max_length=4)
    clauses: list[Clause] = Field(default_factory=list, max_length=16)
    channel: str | None = None
    visibility: Literal["public", "private"] = "private"
    framing: Framing = "none"
    verification: Verification = "self"
    modules: list[str] = Field(default_factory=list, max_length=5)
    linkage: bool = False
    snapback: list[Snapback] = Field(default_factory=list, max_length=4)
    expires_turn: int | None = None
    counter_to: str | None = None
    sovereignty_accord: bool = False
    note: str = Field(default="", max_length=2000)


class Respond(_M):
    type: Literal["respond"] = "respond"
    proposal: str
    action: Literal["accept", "reject", "withdraw"]
    reason: str = Field(
        default="", max_length=MAX_REASON, description="why, in a sentence, shown to every party that sees it"
    )


class Ready(_M):
    type: Literal["ready"] = "ready"
    ready: bool = True


class Advance(_M):
    """Ends the current phase (the facilitator, the server's deadline clock, or a headless runner).

    ``turn`` and ``phase``, when given, name the phase the sender means to end: if the game has moved
    on meanwhile (a double click, two server clocks firing) the command is refused as ``stale``
    instead of ending the next phase too.
    """

    type: Literal["advance"] = "advance"
    turn: int | None = Field(default=None, ge=0)
    phase: str | None = Field(default=None, max_length=20)


class Override(_M):
    """The facilitator sets a state value by hand; the note is shown to every player."""

    type: Literal["override"] = "override"
    key: str = Field(max_length=80)
    value: float | bool
    note: str = Field(min_length=1, max_length=1000)


class CustomInject(_M):
    template: str | None = Field(
        default=None, max_length=80, description="the inject template it was written from, if any"
    )
    title: str = Field(min_length=1, max_length=120)
    text: str = Field(min_length=1, max_length=4000)
    changes: dict[str, float | bool] = Field(default_factory=dict, max_length=20)
    audience: list[TeamId] | Literal["all"] = "all"


class ReleaseInject(_M):
    """The facilitator releases an inject: one from the scenario's deck by id, or a custom one."""

    type: Literal["release_inject"] = "release_inject"
    inject: str | None = Field(default=None, max_length=80)
    custom: CustomInject | None = None


class Note(_M):
    """A bot's (or the facilitator's) reason for a decision, kept for the facilitator and the review only."""

    type: Literal["note"] = "note"
    text: str = Field(min_length=1, max_length=1000)
    decision: str = Field(default="", max_length=80)


# ---------------------------------------------------------------------- the white cell (docs/facilitation.md)

Direction = Literal["up", "down"]
Size = Literal["small", "medium", "large"]
#: The likelihood bands a ruling chooses from, least to most likely; rules/white_cell.yaml gives each its
#: probability.
Band = Literal["very_unlikely", "unlikely", "even", "likely", "very_likely"]


class ClaimedEffect(_M):
    """One outcome a free action claims: an indicator from the team's menu, a direction, a size.

    The size is a word, not a number: rules/white_cell.yaml turns it into an amount per indicator
    family, so no claim can exceed what the rulebook allows for that kind of value.
    """

    indicator: str = Field(max_length=80)
    direction: Direction
    size: Size = "small"


class TableFreeAction(_M):
    """A seat proposes an action outside the lever menu, in the orders phase, and argues for it."""

    type: Literal["free_action"] = "free_action"
    title: str = Field(min_length=1, max_length=120)
    description: str = Field(min_length=1, max_length=2000)
    effects: list[ClaimedEffect] = Field(min_length=1, max_length=3)
    argument: str = Field(min_length=1, max_length=2000)
    visibility: Literal["public", "private"] = "public"


class CounterArgument(_M):
    """Another team argues against (or for) a tabled free action before it is ruled on.

    Under a scenario's ``vote`` rule the stance is the team's vote; under the other rules it informs
    the ruling.
    """

    type: Literal["counter_argument"] = "counter_argument"
    free_action: str = Field(max_length=40)
    stance: Literal["against", "for"] = "against"
    text: str = Field(min_length=1, max_length=2000)


class RuleFreeAction(_M):
    """The facilitator's ruling: a likelihood band, optionally smaller effects, and the reason."""

    type: Literal["rule_free_action"] = "rule_free_action"
    free_action: str = Field(max_length=40)
    band: Band
    effects: list[ClaimedEffect] | None = Field(
        default=None, max_length=3, description="adjusted effects; default: as claimed"
    )
    reason: str = Field(min_length=1, max_length=1000)


class FilePosition(_M):
    """A team's position before play, held against its record in the hot wash."""

    type: Literal["position"] = "position"
    goals: str = Field(min_length=1, max_length=1000)
    red_lines: str = Field(default="", max_length=1000)
    expectations: str = Field(default="", max_length=1000, description="what the team expects others to do")


Command = Annotated[
    SubmitOrders
    | RefuseOrder
    | SendMessage
    | OpenChannel
    | Propose
    | Respond
    | Ready
    | Advance
    | Note
    | Override
    | ReleaseInject
    | TableFreeAction
    | CounterArgument
    | RuleFreeAction
    | FilePosition,
    Field(discriminator="type"),
]


class CommandEnvelope(_M):
    """A command with its actor, as stored in scripts and passed to the engine."""

    actor: Actor
    command: Command


class CommandError(Exception):
    """A command the engine refuses. Nothing changed; ``code`` is stable for clients to branch on."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}
