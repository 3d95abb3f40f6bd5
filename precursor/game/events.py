"""The event vocabulary: every event type the log may hold, and its fields.

The game's state is the fold of its log (``state.apply``), the server stores and sends the same
events, and the client and the review fold them again; this module is the one written list of what
those events are. Each type is a ``TypedDict``, which is a plain dict at run time: nothing is built,
checked or copied, so the engine pays nothing for it, and ``mypy --strict`` catches a misspelt field
wherever code is typed against it.

Fields follow the emit sites: a field is required when every site that builds the type writes it,
``NotRequired`` when only some do (the key is then absent, not ``None``). ``seq`` is written by
``Game.emit`` after the site builds the event, so every logged, stored or sent event has it.

``vis`` says who may see an event (``views.can_see``): ``"all"``, ``"facilitator"``, or a list of team
ids. Values nested inside events (proposals, agreements, channels, orders) stay ``dict[str, Any]``:
the rulebook and the commands define their shapes, not the log.

The server's own record (joins, deadlines, pauses, seat controllers) shares the log as ``session``
events, one ``TypedDict`` per ``op``; the engine folds them as no-ops and ``session.Session`` folds
them into the live session.
"""

# No postponed annotations here: TypedDict reads NotRequired from the evaluated annotation.
from typing import Any, Literal, NotRequired, cast, get_args, get_type_hints

# pydantic builds the JSON Schema only from typing_extensions' TypedDict on Python 3.11
from typing_extensions import TypedDict

# An event as code that does not narrow it holds it: the engine builds events key by key in this form,
# and stores, views and the wire pass them through untouched. A reader casts it once (``typed``) and
# narrows by ``type``, so that its reads are checked.
LogEvent = dict[str, Any]

# who may see an event: "all", "facilitator", or the teams listed
Vis = str | list[str]


class _Logged(TypedDict):
    seq: int
    vis: Vis


class _Ruled(_Logged):
    """An event a rule caused: which rule, why, and the values it set (``before`` holds the old ones)."""

    turn: int
    rule: str
    reason: str
    changes: dict[str, Any]
    sources: list[str]
    # Every type with ``changes`` declares this: ``views.redact`` names there, for a team, the indicators
    # whose values it removed from ``changes`` (the log itself never holds it).
    unreported: NotRequired[list[str]]


# ---------------------------------------------------------------------- the game's own events


class Provenance(TypedDict):
    format: int
    package: str | None
    rules: str | None
    scenario: str | None


class GameCreated(_Logged):
    type: Literal["game_created"]
    scenario: str
    seed: int
    turns: int
    months_per_turn: int
    start: str
    env: dict[str, Any]
    history: dict[str, float]
    seats: dict[str, list[str]]
    channels: list[dict[str, Any]]
    # what the game was played under; logs written before log format 1 lack it (precursor/analysis/logs.py)
    provenance: NotRequired[Provenance]


class PhaseEvent(_Logged):
    type: Literal["phase"]
    turn: int
    phase: str
    date: NotRequired[str]  # absent on the epilogue


class EffectEvent(_Ruled):
    type: Literal["effect"]
    before: dict[str, Any]
    inputs: NotRequired[Any]
    lever: NotRequired[str]
    scheduled: NotRequired[list[dict[str, Any]]]
    agreement: NotRequired[str]
    released: NotRequired[list[str]]
    badge: NotRequired[bool]
    override: NotRequired[bool]
    note: NotRequired[str]


class OrderExecuted(_Ruled):
    type: Literal["order_executed"]
    team: str
    seat: str | None
    lever: str
    code: str
    params: dict[str, Any]
    visibility: str
    cost: float
    before: dict[str, Any]
    # the engine always writes it; other teams' copies lack it (views)
    scheduled: NotRequired[list[dict[str, Any]]]
    inputs: list[Any]


class OrderFailed(_Logged):
    type: Literal["order_failed"]
    team: str
    lever: str
    turn: int
    reason: str


class OrderRefused(_Logged):
    """A seat declined an order another seat of its team gave on a lever that seat carries out. The cost
    is a separate ``effect`` of the same rule, so results show it like any rule's effect."""

    type: Literal["order_refused"]
    team: str
    seat: str  # the seat that refused
    by_seat: str  # the seat whose order it was
    lever: str
    code: str
    turn: int
    rule: str  # the refusal ground (a ``refusal.*`` rule)
    reason: str
    order: dict[str, Any]
    sources: list[str]


class OrdersRevealed(_Logged):
    type: Literal["orders_revealed"]
    team: str | None  # None: the public orders of every team
    orders: list[dict[str, Any]]
    turn: int


class OrdersSubmitted(_Logged):
    type: Literal["orders_submitted"]
    seat_key: str
    team: str
    seat: str
    turn: int
    orders: list[dict[str, Any]]
    statement: dict[str, Any] | None
    cost: float
    by: str


class ReadyEvent(_Logged):
    type: Literal["ready"]
    seat_key: str
    team: str
    seat: str
    ready: bool
    phase: str
    turn: int


class MessageEvent(_Logged):
    type: Literal["message"]
    id: str
    channel: str
    team: str | None
    seat: str | None
    name: str
    text: str
    turn: int


class ChannelOpened(_Logged):
    type: Literal["channel_opened"]
    channel: dict[str, Any]


class MonthEvent(_Logged):
    type: Literal["month"]
    month_index: int
    month: int
    values: dict[str, float]


class InjectEvent(_Logged):
    type: Literal["inject"]
    id: str
    turn: int
    title: str
    text: str
    changes: dict[str, Any]
    before: dict[str, Any]
    free_levers: list[str]
    sources: list[str]
    ext: dict[str, Any] | None
    inputs: list[Any]
    custom: NotRequired[bool]  # released by the facilitator, not the scenario
    template: NotRequired[str]  # the inject template a custom inject was written from
    unreported: NotRequired[list[str]]


class ProposalEvent(_Logged):
    type: Literal["proposal"]
    proposal: dict[str, Any]


class ProposalResponse(_Logged):
    type: Literal["proposal_response"]
    proposal: str
    team: str
    action: str  # accept | reject | withdraw
    by: str
    reason: NotRequired[str]  # the team's sentence, when it gave one


class ProposalClosed(_Logged):
    type: Literal["proposal_closed"]
    proposal: str
    status: str  # expired | countered
    turn: NotRequired[int]  # expired
    by: NotRequired[str]  # countered


class AgreementEvent(_Logged):
    type: Literal["agreement"]
    agreement: dict[str, Any]
    changes: dict[str, Any]
    turn: int
    unreported: NotRequired[list[str]]


class AgreementUpdate(_Logged):
    type: Literal["agreement_update"]
    agreement: str
    update: dict[str, Any]
    changes: NotRequired[dict[str, Any]]  # folded if present; no current site writes it
    unreported: NotRequired[list[str]]


class ComplianceEvent(_Ruled):
    type: Literal["compliance"]
    agreement: str
    clause: int
    team: str
    lever: str
    met: bool
    before: NotRequired[dict[str, Any]]  # the values its changes replaced (logs before s10 lack it)
    # met because the lever is once per game and was played before this turn (only then present)
    earlier: NotRequired[bool]
    # met because the standing level the clause promises stands, with no order (only then present)
    held: NotRequired[bool]


class TokenEvent(_Ruled):
    type: Literal["token"]
    token: dict[str, Any]  # the whole token when granted, only its id when revoked
    revoked: NotRequired[bool]


class StatementEvent(_Ruled):
    type: Literal["statement"]
    team: str
    seat: str
    kind: str
    target: str
    text: str
    before: dict[str, Any]
    inputs: list[Any]


class ElectionEvent(_Ruled):
    type: Literal["election"]
    id: str
    kind: str
    name: str
    date: str
    incumbent_holds: bool
    before: dict[str, Any]
    inputs: list[Any]


class TurnEnd(_Logged):
    type: Literal["turn_end"]
    turn: int
    values: dict[str, float]
    changes: dict[str, Any]
    played: dict[str, list[str]]
    objectives: dict[str, Any]
    epilogue: NotRequired[bool]
    unreported: NotRequired[list[str]]


class ScoreEvent(_Logged):
    type: Literal["score"]
    scores: dict[str, Any]
    final: bool


class BadgesEvent(_Logged):
    type: Literal["badges"]
    badges: dict[str, float]
    turn: int
    rule: str


class FactEvent(_Logged):
    type: Literal["fact"]
    key: str
    value: Any
    changes: NotRequired[dict[str, Any]]  # folded if present; no current site writes it
    unreported: NotRequired[list[str]]


class ReviewEvent(_Logged):
    """Folded like any change of values; the current engine records reviews as effects instead."""

    type: Literal["review"]
    changes: NotRequired[dict[str, Any]]
    unreported: NotRequired[list[str]]


class NoteEvent(_Logged):
    type: Literal["note"]
    team: str | None
    seat: str | None
    role: str
    turn: int
    phase: str
    decision: str
    text: str


class GameOver(_Logged):
    type: Literal["game_over"]
    turn: int


# ---------------------------------------------------------------------- the white cell (docs/engine.md)


class FreeActionEvent(_Logged):
    """A seat tables an act outside the lever menu; ``effects`` are its claims with their amounts."""

    type: Literal["free_action"]
    id: str  # fa.<turn>.<team>, with .2, .3 when the rules allow more than one a turn
    turn: int
    team: str
    seat: str
    title: str
    description: str
    effects: list[dict[str, Any]]  # {indicator, direction, size, amount}
    argument: str
    visibility: str  # public | private
    cost: float  # political capital, charged at resolution whatever the roll


class CounterArgumentEvent(_Logged):
    type: Literal["counter_argument"]
    free_action: str
    turn: int
    team: str
    seat: str
    stance: str  # against | for
    text: str


class FreeActionRuling(_Logged):
    type: Literal["free_action_ruling"]
    free_action: str
    turn: int
    band: str
    effects: list[dict[str, Any]]  # as adjusted, or as claimed
    reason: str


class FreeActionResolved(_Ruled):
    type: Literal["free_action_resolved"]
    free_action: str
    team: str
    before: dict[str, Any]
    ruled_by: str  # facilitator | vote | white_cell
    band: str
    probability: float
    roll: float
    success: bool
    cost: float
    effects: list[dict[str, Any]]  # as applied (empty when the roll failed)
    ruling_reason: str


class PositionEvent(_Logged):
    type: Literal["position"]
    team: str
    seat: str
    turn: int
    goals: str
    red_lines: str
    expectations: str


# ---------------------------------------------------------------------- the server's session record


class SessionSettings(_Logged):
    type: Literal["session"]
    op: Literal["settings"]
    name: str
    deadlines: dict[str, int]
    press: str
    missed_orders: str
    bots: dict[str, str]  # team -> persona
    at_time: float


class SessionDeadline(_Logged):
    type: Literal["session"]
    op: Literal["deadline"]
    turn: int
    phase: str
    at: float | None  # None with no remaining: no deadline
    remaining: NotRequired[float]  # set while paused: seconds left when the clock resumes
    extended: NotRequired[int]


class SessionPause(_Logged):
    type: Literal["session"]
    op: Literal["pause"]
    turn: int
    phase: str
    remaining: float | None


class SessionResume(_Logged):
    type: Literal["session"]
    op: Literal["resume"]
    turn: int
    phase: str
    at: float | None


class SessionController(_Logged):
    type: Literal["session"]
    op: Literal["controller"]
    turn: int
    phase: str
    team: str
    seat: NotRequired[str]  # one seat of a split team; absent: the whole team
    persona: str | None  # None: humans hold the team's seats (or the seat)


class SessionRemove(_Logged):
    type: Literal["session"]
    op: Literal["remove"]
    turn: int
    phase: str
    player: str


class SessionJoin(_Logged):
    type: Literal["session"]
    op: Literal["join"]
    player_id: str
    name: str
    role: str
    team: str | None
    seat: str | None
    at_time: float


class SessionBotTurn(_Logged):
    """A server instance's claim to play a bot team's phase (of two instances only one appends it)."""

    type: Literal["session"]
    op: Literal["bot_turn"]
    team: str
    turn: int
    phase: str
    at_time: float


SessionEvent = (
    SessionSettings
    | SessionDeadline
    | SessionPause
    | SessionResume
    | SessionController
    | SessionRemove
    | SessionJoin
    | SessionBotTurn
)

Event = (
    GameCreated
    | PhaseEvent
    | EffectEvent
    | OrderExecuted
    | OrderFailed
    | OrderRefused
    | OrdersRevealed
    | OrdersSubmitted
    | ReadyEvent
    | MessageEvent
    | ChannelOpened
    | MonthEvent
    | InjectEvent
    | ProposalEvent
    | ProposalResponse
    | ProposalClosed
    | AgreementEvent
    | AgreementUpdate
    | ComplianceEvent
    | TokenEvent
    | StatementEvent
    | ElectionEvent
    | TurnEnd
    | ScoreEvent
    | BadgesEvent
    | FactEvent
    | ReviewEvent
    | NoteEvent
    | GameOver
    | FreeActionEvent
    | CounterArgumentEvent
    | FreeActionRuling
    | FreeActionResolved
    | PositionEvent
    | SessionEvent
)


def typed(ev: LogEvent) -> Event:
    """The event as the union, for a reader that then narrows it by ``type`` (and ``op``).

    Nothing is checked: the events were written by the engine and the server, and
    tests/engine/test_events.py checks what they write against these types.
    """
    return cast(Event, ev)


class EventFields(TypedDict, total=False):
    """Any event seen only through fields several types share, for readers that treat all events alike
    (``views.redact`` hides values in ``changes`` and ``before``; the review traces what raised tension).

    Every type that has one of these fields gives it this same type (a test checks it against the union),
    so reading through this view is as safe as narrowing first. No event is of this type alone.
    """

    turn: int
    rule: str
    reason: str
    lever: str
    name: str
    changes: dict[str, Any]
    before: dict[str, Any]
    unreported: list[str]


# Every value ``type`` takes, in the order of the union above (``session`` once, for all its ops).
EVENT_TYPES: tuple[str, ...] = (
    "game_created",
    "phase",
    "effect",
    "order_executed",
    "order_failed",
    "order_refused",
    "orders_revealed",
    "orders_submitted",
    "ready",
    "message",
    "channel_opened",
    "month",
    "inject",
    "proposal",
    "proposal_response",
    "proposal_closed",
    "agreement",
    "agreement_update",
    "compliance",
    "token",
    "statement",
    "election",
    "turn_end",
    "score",
    "badges",
    "fact",
    "review",
    "note",
    "game_over",
    "free_action",
    "counter_argument",
    "free_action_ruling",
    "free_action_resolved",
    "position",
    "session",
)

SESSION_OPS: tuple[str, ...] = (
    "settings",
    "deadline",
    "pause",
    "resume",
    "controller",
    "remove",
    "join",
    "bot_turn",
)

# For the docs' table: which code emits each type (session events by op) and who may see it.
ORIGIN: dict[str, tuple[str, str]] = {
    "game_created": ("`Game.new`", "facilitator"),
    "phase": ("`Game.advance`, `adjudication.finish` (epilogue)", "all"),
    "effect": ("`Game.effect`: rules, lag queue, overrides, reviews", "all, or facilitator (lag queue)"),
    "order_executed": ("`adjudication.exec_order`", "all if the order is public, else its team"),
    "order_failed": ("`adjudication.exec_order`", "its team"),
    "order_refused": ("`adjudication.refusal.refuse` (orders phase)", "its team"),
    "orders_revealed": ("`adjudication.adjudicate`", "all (public orders), or the team (its own)"),
    "orders_submitted": ("`Game` (submit orders)", "its team"),
    "ready": ("`Game` (ready)", "all"),
    "message": ("`negotiation.send_message`", "the channel's members; all on the press channel"),
    "channel_opened": ("`negotiation.open_channel`", "the members"),
    "month": ("`adjudication.month_step`", "facilitator (teams get the values they may see)"),
    "inject": ("`adjudication` (scenario injects), `Game` (custom injects)", "all, or the inject's audience"),
    "proposal": ("`negotiation.propose`", "all if public, else the parties"),
    "proposal_response": ("`negotiation.respond`", "all if public, else the parties"),
    "proposal_closed": ("`negotiation.propose` (countered), `adjudication` (expired)", "the parties, or all"),
    "agreement": ("`negotiation.sign`", "all if public, else the parties"),
    "agreement_update": (
        "`adjudication` (activation, reneging, snapback, completion, leaks)",
        "all or the parties",
    ),
    "compliance": ("`adjudication.compliance`", "all or the parties"),
    "token": ("`adjudication` (consent tokens granted, revoked)", "all if public, else mx and us"),
    "statement": ("`adjudication` (statements with orders)", "all"),
    "election": ("`adjudication` (elections)", "all"),
    "turn_end": ("`adjudication.end_turn`, `adjudication.finish`", "facilitator"),
    "score": ("`adjudication.finish`", "all"),
    "badges": ("`adjudication` (badge rule)", "all"),
    "fact": ("`adjudication` (Mexico's successor persona)", "facilitator"),
    "review": ("nothing now (folded if present)", "—"),
    "note": ("`Game` (bots' and the facilitator's notes)", "facilitator"),
    "game_over": ("`adjudication.finish`", "all"),
    "free_action": ("`white_cell.free_actions` (table)", "all if public, else its team"),
    "counter_argument": ("`white_cell.free_actions` (counter)", "as its free action"),
    "free_action_ruling": ("`white_cell.free_actions` (facilitator's ruling)", "facilitator"),
    "free_action_resolved": ("`adjudication.white_cell` (after the order steps)", "all"),
    "position": ("`white_cell.free_actions` (positions before play)", "its team"),
    "session:settings": ("server `Hub` (game created)", "all"),
    "session:deadline": ("server `Hub`, `Room` (phase clock, extend)", "all"),
    "session:pause": ("server `Room`", "all"),
    "session:resume": ("server `Room`", "all"),
    "session:controller": ("server `Room`", "all"),
    "session:remove": ("server `Room`", "all"),
    "session:join": ("server `Hub` (join)", "all"),
    "session:bot_turn": ("server `Room` (bot seat claim)", "facilitator"),
}


def members() -> list[type]:
    """The TypedDict of every event type and session op, in the union's order."""
    return [*get_args(Event)]


def key_of(td: type) -> str:
    """``type``, or ``session:op`` for a session op: the key ``ORIGIN`` and the docs' table use."""
    hints = get_type_hints(td)
    t = get_args(hints["type"])[0]
    return f"session:{get_args(hints['op'])[0]}" if "op" in hints else str(t)


def fields(td: type) -> list[str]:
    """The fields a type adds to ``type``, ``seq`` and ``vis`` (``op`` for session ops), optional ones
    marked ``?``."""
    skip = {"type", "seq", "vis", "op"}
    optional: frozenset[str] = getattr(td, "__optional_keys__", frozenset())
    return [k + ("?" if k in optional else "") for k in td.__annotations__ if k not in skip]


def markdown_table() -> str:
    """The table of docs/engine.md's "Events" section (a test keeps the two the same)."""
    rows = ["| type | emitted by | fields (`?`: not always present) | seen by |", "|---|---|---|---|"]
    for td in members():
        key = key_of(td)
        who, seen = ORIGIN[key]
        shown = ", ".join(f"`{f}`" for f in fields(td)) or "—"
        rows.append(f"| `{key}` | {who} | {shown} | {seen} |")
    return "\n".join(rows) + "\n"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of an event (``precursor schema events``)."""
    from pydantic import TypeAdapter  # only the CLI asks; the engine never imports pydantic through here

    schema: dict[str, Any] = TypeAdapter(Event).json_schema()
    return schema
