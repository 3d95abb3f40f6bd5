"""Whether a clause can be kept in every turn it is due, and which clauses cannot all be kept together.

A clause binds its team for each turn of its span, and compliance is read turn by turn
(``adjudication.agreements``). A check against this turn's values alone let a student promise two
turns of US-DEMAND with the programme one level from its top: the second turn broke, at 20 trust.
So the check here walks the clause's turns: each turn's preconditions are read on the values as the
clause's own orders leave them (the effects that land at once: a demand level funded now counts
against the top next turn, an enforcement level set now is where the next 20-point move starts).

The same walk answers how much an order may ask: a clause counts a stronger order as kept, so a
student who promised one level a turn and added two in the first left the second no room. An order
now is walked into a promise's later turns (``order_spoils``), and a clause's earlier turns are
searched for the strongest value that leaves its later ones keepable (``clause_caps``).

Effects that land months later are left out: the rules' own bookkeeping moves them between names a
precondition adds up (levels waiting to mature become levels), and anything else that moves a value
(another team, an event) cannot be known ahead. Pure functions: the client runs them on a team's
view, a bot or the server on the state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from precursor.game.rulebook import Rulebook
from precursor.game.rulebook.model import CEffect, CLever, precondition_words

Status = Literal["order", "done", "cannot", "unknown"]


@dataclass(frozen=True, slots=True)
class TurnCheck:
    """One due turn: ``order`` (the lever can be ordered as asked), ``done`` (kept with nothing to
    order: a once-per-game act already carried out, or a standing level that already stands),
    ``cannot`` or ``unknown``."""

    turn: int
    status: Status
    why: str


@dataclass(frozen=True, slots=True)
class Outlook:
    """The clause over all its turns: ``keep`` True (every turn can be kept), False (some turn
    cannot), None (some turn depends on what the caller cannot see)."""

    keep: bool | None
    why: str
    turns: tuple[TurnCheck, ...]


def clause_span(clause: Mapping[str, Any], turn: int, last_turn: int | None = None) -> list[int]:
    """The turns a clause is due, as ``negotiation.clause_due`` reads them, up to the game's last."""
    start = int(clause.get("start_turn") or turn)
    end = start + max(int(clause.get("duration") or 0), 1) - 1
    if last_turn is not None:
        end = min(end, last_turn)
    return list(range(start, end + 1))


def _turns_words(turns: list[int]) -> str:
    if len(turns) == 1:
        return f"turn {turns[0]}"
    return f"turns {turns[0]}–{turns[-1]}"


def _apply(rb: Rulebook, e: CEffect, known: dict[str, Any], ctx: dict[str, Any]) -> None:
    """One effect that lands at once, on the values known; a target it moves in a way that cannot be
    computed here (a chance, a name not known) stops being known."""
    if e.target not in known:
        return
    try:
        if e.chance is not None:
            raise KeyError(e.target)
        if e.when is not None and not e.when.fn(ctx):
            return
        value = e.value.fn(ctx)
    except Exception:  # an expression needing a value not known: the target is unknown from now on
        del known[e.target]
        return
    is_bool, lo, hi = rb.bounds.get(e.target, (False, float("-inf"), float("inf")))
    if is_bool or isinstance(value, bool):
        known[e.target] = bool(value)
        return
    old, v = float(known[e.target]), float(value)
    new = {"set": v, "add": old + v, "mul": old * v, "min": min(old, v)}.get(e.op, max(old, v))
    known[e.target] = min(max(new, lo), hi)


def _preconditions(
    lv: CLever, ctx: dict[str, Any], value_name: Callable[[str], str] = str
) -> tuple[bool | None, str]:
    """The lever's preconditions on these values: (True, ""), (False, the rules' words) or (None, the
    values it needs that are not known, each as ``value_name`` words it: a player read
    "played.cn_summit" where the lever's name was meant)."""
    missing: set[str] = set()
    for i, (cond, _) in enumerate(lv.preconditions):
        need = cond.names - ctx.keys()
        if need:
            missing |= need
            continue
        try:
            ok = cond.fn(ctx)
        except Exception:  # a name the expression computes from others: the caller cannot tell
            missing |= {n for n in cond.names if not n.startswith(("param.", "act."))}
            continue
        if not ok:
            return False, f"{lv.code}: {precondition_words(lv, i, ctx)}"
    if missing:
        return None, ", ".join(sorted({value_name(n) for n in missing}))
    return True, ""


def level_holds(lv: CLever, params: Mapping[str, Any], values: Mapping[str, Any]) -> bool | None:
    """Whether the standing level a clause promises already stands on these values (the lever's
    ``holds``): then the clause is kept without an order. A student's United States re-ordered 0 %
    relief on a tariff already at 0, at 3 PC a turn, because only an order counted. None when the
    lever sets no standing level or the values it reads are not known exactly."""
    if lv.holds is None:
        return None
    full = _full_params(lv, params)
    ctx: dict[str, Any] = {}
    for name in lv.holds.names:  # only what it reads: the bots ask this of every clause due, every turn
        src, key = (full, name[6:]) if name.startswith("param.") else (values, name)
        if key not in src:
            return None
        ctx[name] = src[key]
    try:
        return bool(lv.holds.fn(ctx))
    except Exception:  # a name the expression computes from others: the caller cannot tell
        return None


def level_kept_after(
    rb: Rulebook, lv: CLever, held: Mapping[str, Any], order: Mapping[str, Any], values: Mapping[str, Any]
) -> bool:
    """Whether a standing level promised with ``held`` parameters still stands once the lever is
    ordered with ``order`` parameters (its effects that land at once): a promise kept by the level may
    sit beside an order of the lever that leaves it alone (a tariff on another partner)."""
    return level_holds(lv, held, _after_order(rb, lv, _full_params(lv, order), values)) is not False


def clause_outlook(
    rb: Rulebook,
    clause: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    turn: int,
    played: int | None = None,
    blocked: str | None = None,
    last_turn: int | None = None,
    name: Callable[[str], str] | None = None,
    value_name: Callable[[str], str] = str,
) -> Outlook:
    """Whether the clause's team can keep it in each turn it is due, assuming it orders the lever as
    asked every one of those turns and nothing else moves the values.

    ``values`` are the exact values the caller knows (a team's view leaves out estimates); ``played``
    how often the team has played the lever (None: not known); ``blocked`` why the engine refuses the
    lever now at its defaults (the view's ``why_not``), used for this turn when a precondition reads
    a value not given; ``name`` a team's name in the words, ``value_name`` a value's."""
    lever = str(clause.get("lever"))
    lv = rb.levers.get(lever)
    if lv is None:
        return Outlook(False, f"{lever} is not a lever of these rules", ())
    who = (name or str)(str(clause.get("actor")))
    span = clause_span(clause, turn, last_turn)
    if not span:
        return Outlook(True, f"the game ends before {lv.code} is due: nothing to order", ())
    known = dict(values)
    params = {f"param.{k}": v for k, v in dict(clause.get("params") or {}).items()}
    if lv.once:
        # the act's first turn is an order like any other: a clause on US-GUA read "can keep it" while
        # its task force was not set up, and the orders tab had it out (student g22)
        if not played and span[0] == turn:
            ctx = {**known, **params, "act.public": lv.visibility != "private", "act.military": lv.military}
            ok, why = _preconditions(lv, ctx, value_name)
            if ok is None and blocked:
                ok, why = False, blocked
            if ok is False:
                return Outlook(False, why, (TurnCheck(span[0], "cannot", why),))
        return _once(lv, span, played, who)
    checks = []
    for t in span:
        if level_holds(lv, dict(clause.get("params") or {}), known):
            checks.append(TurnCheck(t, "done", _HELD.format(code=lv.code)))
            continue  # nothing is ordered, so nothing moves the values either
        ctx = {**known, **params, "act.public": lv.visibility != "private", "act.military": lv.military}
        ok, why = _preconditions(lv, ctx, value_name)
        if ok is None and t == turn and blocked:
            ok, why = False, blocked
        if ok is None:
            checks.append(TurnCheck(t, "unknown", f"it depends on values you do not see exactly ({why})"))
        elif not ok:
            checks.append(TurnCheck(t, "cannot", why))
        else:
            checks.append(TurnCheck(t, "order", f"{lv.code} can be ordered"))
        if ok:  # a refused order changes nothing
            for e in lv.effects:
                if e.lag == 0:
                    _apply(rb, e, known, ctx)
    return _verdict(lv, checks)


# the words of a turn kept by a standing level (``level_holds``)
_HELD = "the level {code} would set already stands: kept with nothing to order"


def _once(lv: CLever, span: list[int], played: int | None, who: str) -> Outlook:
    """A once-per-game lever: ordered once, then the rules count the act as done (``earlier`` in the
    compliance check), so each later turn of the clause is kept with nothing to order."""
    if played is None:
        hidden = tuple(TurnCheck(t, "unknown", f"the record of {who} is not shown to you") for t in span)
        return Outlook(None, hidden[0].why, hidden)
    if played > 0:
        why = (
            f"{lv.code} can be played once per game and {who} has played it already:"
            " the rules count the clause as kept"
        )
        return Outlook(True, why, tuple(TurnCheck(t, "done", why) for t in span))
    first, rest = span[0], span[1:]
    checks = [TurnCheck(first, "order", f"{lv.code} can be ordered")]
    checks += [TurnCheck(t, "done", f"{lv.code} was carried out in turn {first}") for t in rest]
    why = f"{lv.code} can be ordered"
    if rest:
        why = (
            f"{lv.code} can be played once per game: ordering it in turn {first} keeps the clause, and in"
            f" {_turns_words(rest)} the rules count the act as done (nothing more to order)"
        )
    return Outlook(True, why, tuple(checks))


def _verdict(lv: CLever, checks: list[TurnCheck]) -> Outlook:
    bad = [c for c in checks if c.status == "cannot"]
    if bad:
        first = bad[0]
        why = first.why
        if len(checks) > 1:
            why = f"in turn {first.turn}: {why}"
            if first is not checks[0]:
                why = f"{lv.code} can be ordered in turn {checks[0].turn}, but " + why
        return Outlook(False, why, tuple(checks))
    unknown = [c for c in checks if c.status == "unknown"]
    if unknown:
        return Outlook(None, f"in turn {unknown[0].turn}: {unknown[0].why}", tuple(checks))
    order = [c.turn for c in checks if c.status == "order"]
    if not order:
        return Outlook(True, checks[0].why, tuple(checks))
    why = f"{lv.code} can be ordered"
    if len(order) < len(checks):  # the level it sets then stands for the rest (``level_holds``)
        done = [c.turn for c in checks if c.status == "done"]
        why += f" in {_turns_words(order)}, and in {_turns_words(done)} what it sets stands: nothing to order"
    elif len(checks) > 1:
        why += f" in each of {_turns_words(order)}"
    return Outlook(True, why, tuple(checks))


# ---------------------------------------------------------------------- how much an order now leaves room for

# a parameter scanned one unit at a time, up to this many values (a wider range is not searched)
_SCAN = 1000


def _after_order(
    rb: Rulebook, lv: CLever, params: Mapping[str, Any], values: Mapping[str, Any]
) -> dict[str, Any]:
    """The values known once the lever is ordered with these parameters (its effects that land at
    once); a lever its preconditions refuse changes nothing."""
    known = dict(values)
    ctx = {**known, **{f"param.{k}": v for k, v in params.items()}}
    ctx["act.public"], ctx["act.military"] = lv.visibility != "private", lv.military
    if _preconditions(lv, ctx)[0] is False:
        return known
    for e in lv.effects:
        if e.lag == 0:
            _apply(rb, e, known, ctx)
    return known


def _rest(clause: Mapping[str, Any], turn: int, last_turn: int | None) -> dict[str, Any] | None:
    """The clause's turns after ``turn`` as a clause of their own (None: it has none)."""
    rest = [t for t in clause_span(clause, turn, last_turn) if t > turn]
    if not rest:
        return None
    return {**clause, "start_turn": rest[0], "duration": len(rest)}


def _first_break(
    rb: Rulebook, rest: Mapping[str, Any], known: Mapping[str, Any], last_turn: int | None
) -> TurnCheck | None:
    """The first turn of ``rest`` that cannot be kept from these values (None: every one can, or cannot
    be told). A clause is met by any value at least as strong as asked, so a turn that cannot take the
    asked value may take a stronger one: MX-ME at 80 in turn 1 leaves a clause for 40 in turn 2 the
    levels 60 and up, which keep it (a student read "no room" where the 20-a-turn limit let him keep it)."""
    seen = clause_outlook(rb, rest, known, turn=int(rest["start_turn"]), last_turn=last_turn)
    first = next((c for c in seen.turns if c.status == "cannot"), None)
    if first is None:
        return None
    return _first_break_stronger(rb, rest, known, last_turn)


def _first_break_stronger(
    rb: Rulebook, rest: Mapping[str, Any], values: Mapping[str, Any], last_turn: int | None
) -> TurnCheck | None:
    """``_first_break`` where each turn orders the weakest value, from the asked one toward the strong
    end, that the rules take (the one that strays least from the promise)."""
    lv = rb.levers[str(rest.get("lever"))]
    asked = _full_params(lv, dict(rest.get("params") or {}))
    tries = [asked] + [
        {**asked, pid: v} for pid in lv.params for v in _scan(lv, pid, asked[pid], stronger=True)
    ]
    known = dict(values)
    for t in clause_span(rest, int(rest["start_turn"]), last_turn):
        why = ""
        for params in tries:
            ctx = {**known, **{f"param.{k}": v for k, v in params.items()}}
            ctx["act.public"], ctx["act.military"] = lv.visibility != "private", lv.military
            ok, said = _preconditions(lv, ctx)
            if ok is None:
                return None  # values not known: cannot be told
            if ok:
                for e in lv.effects:
                    if e.lag == 0:
                        _apply(rb, e, known, ctx)
                break
            why = why or said
        else:
            return TurnCheck(t, "cannot", why)
    return None


def _full_params(lv: CLever, params: Mapping[str, Any]) -> dict[str, Any]:
    return {**{k: p.default for k, p in lv.params.items()}, **dict(params)}


def _scan(lv: CLever, pid: str, start: Any, *, stronger: bool) -> list[float]:
    """A numeric parameter's values from ``start`` one unit at a time toward its strong end
    (``stronger``) or its weak end, ``start`` left out; empty when the range is open or too wide."""
    p = lv.params[pid]
    if (
        p.type not in ("int", "num")
        or p.stronger not in ("higher", "lower")
        or p.min is None
        or p.max is None
    ):
        return []
    if p.max - p.min > _SCAN:
        return []
    up = stronger == (p.stronger == "higher")
    out: list[float] = []
    v = float(start)
    while True:
        v = v + 1 if up else v - 1
        if not p.min <= v <= p.max:
            return out
        out.append(v)


@dataclass(frozen=True, slots=True)
class Spoil:
    """A later turn of a promise that an order now makes impossible: the promise (``label``, the
    clause), the first turn it breaks and the rules' words for it, the values the order moves that its
    lever reads (name, before, after), the parameter to turn down with its strongest value that still
    keeps the promise (``at_most`` None: no value of it does), and the values the lever reads beside
    those moved, as they stand (the level a pending amount is added to)."""

    label: str
    clause: Mapping[str, Any]
    turn: int
    why: str
    moved: tuple[tuple[str, Any, Any], ...]
    param: str | None
    at_most: float | None
    beside: tuple[tuple[str, Any], ...] = ()


def order_spoils(
    rb: Rulebook,
    values: Mapping[str, Any],
    lever: str,
    params: Mapping[str, Any],
    promises: Iterable[Due],
    *,
    turn: int,
    last_turn: int | None = None,
) -> list[Spoil]:
    """The promises an order now, with these parameters, leaves no room to keep in a later turn, and
    that ordering nothing would have left keepable. A student promised US-DEMAND with one level in
    turns 1 and 2, added two levels in turn 1 (the order met the clause), and found the programme at its
    top in turn 2: the clause broke. Any lever whose order moves a value another promised lever's
    preconditions read is caught the same way, by walking the promise's later turns on the values as
    the order leaves them."""
    lv = rb.levers.get(lever)
    if lv is None:
        return []
    given = _full_params(lv, params)
    before = dict(values)
    after = _after_order(rb, lv, given, before)
    if after == before:
        return []
    out = []
    for d in promises:
        rest = _rest(d.clause, turn, last_turn)
        plv = rb.levers.get(str(d.clause.get("lever")))
        if rest is None or plv is None or plv.once:
            continue
        broken = _first_break(rb, rest, after, last_turn)
        if broken is None or _first_break(rb, rest, before, last_turn) is not None:
            continue  # kept after the order, or broken whatever is ordered now
        reads = sorted(
            {n for cond, _ in plv.preconditions for n in cond.names if not n.startswith(("param.", "act."))}
        )
        moved = tuple((n, before.get(n), after[n]) for n in reads if n in after and after[n] != before.get(n))
        beside = tuple((n, after[n]) for n in reads if n in after and after[n] == before.get(n))
        param, best = None, None
        for pid in lv.params:
            for v in _scan(lv, pid, given[pid], stronger=False):
                if _first_break(rb, rest, _after_order(rb, lv, {**given, pid: v}, before), last_turn) is None:
                    param, best = pid, v
                    break
            if param is not None:
                break
        out.append(Spoil(d.label, d.clause, broken.turn, broken.why, moved, param, best, beside))
    return out


@dataclass(frozen=True, slots=True)
class Cap:
    """A turn of a clause in which ordering more than asked would leave a later turn of it no room:
    the parameter and the strongest value that still keeps every later turn."""

    turn: int
    param: str
    at_most: float
    # the later turn a stronger value would break and the rules' words for it: what the cap is, not
    # part of it (two caps at one value are one limit)
    later: int = field(default=0, compare=False)
    why: str = field(default="", compare=False)


def clause_caps(
    rb: Rulebook,
    clause: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    turn: int,
    last_turn: int | None = None,
) -> list[Cap]:
    """For a clause that can be kept as asked, the turns where ordering a stronger value than asked
    (the orders tab allows anything up to the parameter's top, and the clause counts it as kept) would
    break a later turn: "✓ can keep it" alone told a student two turns of one demand level each were
    safe, and he added two levels in the first."""
    lv = rb.levers.get(str(clause.get("lever")))
    if lv is None or lv.once:
        return []
    if clause_outlook(rb, clause, values, turn=turn, last_turn=last_turn).keep is not True:
        return []  # a clause that cannot be kept as asked has no room to share out (and walking it is slow)
    asked = _full_params(lv, dict(clause.get("params") or {}))
    known = dict(values)
    out = []
    for t in clause_span(clause, turn, last_turn):
        rest = _rest(clause, t, last_turn)
        if rest is None:
            break
        for pid in lv.params:
            keeps = asked[pid]
            for v in _scan(lv, pid, asked[pid], stronger=True):
                broken = _first_break(rb, rest, _after_order(rb, lv, {**asked, pid: v}, known), last_turn)
                if broken is not None:
                    out.append(Cap(t, pid, float(keeps), broken.turn, broken.why))
                    break
                keeps = v
        known = _after_order(rb, lv, asked, known)
    return out


# ---------------------------------------------------------------------- clauses that cannot all be kept


@dataclass(frozen=True, slots=True)
class Conflict:
    """The team that would break a clause, the words, and whether it breaks whatever the team orders
    (``hard``) or only unless it orders the strongest value asked."""

    team: str
    words: str
    hard: bool = True


@dataclass(frozen=True, slots=True)
class Due:
    """A clause with the words that name it ("clause 2", "clause 1 of A1-US-1") and whether it is the
    one being weighed (a proposal's) or one already in force."""

    label: str
    clause: Mapping[str, Any]
    new: bool = True


def conflicts(
    rb: Rulebook,
    due: Iterable[Due],
    *,
    turn: int,
    limit: int,
    seat_of: Mapping[str, str] | None = None,
    seat_limits: Mapping[str, int] | None = None,
    spent: Callable[[str, str], bool] | None = None,
    name: Callable[[str], str] | None = None,
    seat_name: Callable[[str], str] | None = None,
    last_turn: int | None = None,
    values: Mapping[str, Any] | None = None,
) -> list[Conflict]:
    """What cannot all be kept in one turn, for each turn a new clause is due: one lever asked at
    different values (a team gives one order of a lever a turn), and more levers due from one team
    than its order slots (``limit`` a team; ``seat_limits`` a seat, with ``seat_of`` a lever's
    seat). ``spent`` tells a once-per-game act already carried out, which needs no order. With the
    exact ``values`` the caller knows, a clause whose standing level stands (``level_holds``) needs no
    order either: it takes no slot, and clashes only with an order of the lever that would move its
    level. Two relief clauses on US-TARIFF, for Canada's goods and Mexico's, both at the 0 % that
    stands, were called "they cannot all be kept"."""
    items = list(due)
    name_of = name or str
    out: list[Conflict] = []
    turns = sorted({t for d in items if d.new for t in clause_span(d.clause, turn, last_turn)})
    for t in turns:
        now = [d for d in items if t in clause_span(d.clause, turn, last_turn)]
        if not any(d.new for d in now):
            continue
        by_lever: dict[tuple[str, str], list[Due]] = {}
        for d in now:
            key = (str(d.clause.get("actor")), str(d.clause.get("lever")))
            if (
                spent is not None
                and rb.levers.get(key[1]) is not None
                and rb.levers[key[1]].once
                and spent(*key)
            ):
                continue
            by_lever.setdefault(key, []).append(d)
        ordered: dict[tuple[str, str], list[Due]] = {}
        for (actor, lever), group in by_lever.items():
            stand, order = _standing(rb, lever, group, values)
            said = _clash(rb, t, actor, lever, order, name_of) or _moves_level(
                rb, t, actor, lever, stand, order, values or {}, name_of
            )
            if said is not None and any(d.new for d in group) and said not in out:
                out.append(said)
            if order:
                ordered[(actor, lever)] = order
        out += _slots(t, ordered, limit, seat_of, seat_limits, name_of, seat_name or str)
    return out


def _standing(
    rb: Rulebook, lever: str, group: list[Due], values: Mapping[str, Any] | None
) -> tuple[list[Due], list[Due]]:
    """The clauses of one lever in one turn whose standing level stands on ``values`` (kept with no
    order), and those that call for an order."""
    lv = rb.levers.get(lever)
    if values is None or lv is None or lv.holds is None:
        return [], group
    stand = [d for d in group if level_holds(lv, dict(d.clause.get("params") or {}), values) is True]
    return stand, [d for d in group if all(d is not s for s in stand)]


def _moves_level(
    rb: Rulebook,
    t: int,
    actor: str,
    lever: str,
    stand: list[Due],
    order: list[Due],
    values: Mapping[str, Any],
    name: Callable[[str], str],
) -> Conflict | None:
    """An order one clause asks for that would move the level another clause keeps standing."""
    lv = rb.levers.get(lever)
    if lv is None:
        return None
    for s in stand:
        for o in order:
            if not level_kept_after(
                rb, lv, dict(s.clause.get("params") or {}), dict(o.clause.get("params") or {}), values
            ):
                return _clash(rb, t, actor, lever, [s, o], name)
    return None


def _clash(
    rb: Rulebook, t: int, actor: str, lever: str, group: list[Due], name: Callable[[str], str]
) -> Conflict | None:
    """Two clauses on one lever in one turn at different values: one order a turn must meet both."""
    params = [dict(d.clause.get("params") or {}) for d in group]
    if len(group) < 2 or all(p == params[0] for p in params):
        return None
    lv = rb.levers.get(lever)
    code = lv.code if lv is not None else lever
    labels = " and ".join(d.label for d in group)
    head = f"turn {t}: {labels} ask {name(actor)} for {code} at different values"
    strongest: dict[str, Any] = {}
    ways: dict[str, str] = {}
    for pid, p in (lv.params if lv is not None else {}).items():
        asked = [q[pid] for q in params if pid in q]
        if len(set(map(str, asked))) < 2:
            continue
        if p.type in ("int", "num") and p.stronger in ("higher", "lower"):
            strongest[pid] = max(asked) if p.stronger == "higher" else min(asked)
            ways[pid] = p.stronger
        else:
            # a choice by its label ("on goods of: Canada / Mexico"), never its code ("target: ca / mx")
            values = " / ".join(str(p.choice_labels.get(v, str(v).replace("_", " "))) for v in asked)
            words = (
                f"{head} ({p.label or pid.replace('_', ' ')}: {values}), and a team gives one {code} order a"
                " turn: they cannot all be kept"
            )
            return Conflict(actor, words)
    words = ", ".join(f"{k.replace('_', ' ')} {v:g} (or {ways[k]})" for k, v in strongest.items())
    return Conflict(
        actor,
        f"{head}: a team gives one {code} order a turn, so only {words} keeps them all",
        False,
    )


def _slots(
    t: int,
    by_lever: Mapping[tuple[str, str], list[Due]],
    limit: int,
    seat_of: Mapping[str, str] | None,
    seat_limits: Mapping[str, int] | None,
    name: Callable[[str], str],
    seat_name: Callable[[str], str],
) -> list[Conflict]:
    """More levers due from a team (or one of its seats) in a turn than it may order."""
    out: list[Conflict] = []
    teams: dict[str, list[str]] = {}
    for actor, lever in by_lever:
        teams.setdefault(actor, []).append(lever)
    for actor, levers in teams.items():
        if not any(d.new for lv in levers for d in by_lever[(actor, lv)]):
            continue
        if len(levers) > limit:
            owe = f"turn {t}: {name(actor)} would owe {len(levers)} different orders"
            out.append(
                Conflict(actor, f"{owe}, and a team gives at most {limit} a turn: some clause will break")
            )
            continue
        seats: dict[str, int] = {}
        for lv in levers:
            if seat_of is not None and lv in seat_of:
                seats[seat_of[lv]] = seats.get(seat_of[lv], 0) + 1
        for seat, n in seats.items():
            cap = (seat_limits or {}).get(seat)
            if cap is not None and n > cap:
                owe = f"turn {t}: {n} of the orders {name(actor)} would owe fall to {seat_name(seat)}"
                out.append(
                    Conflict(actor, f"{owe}, which gives at most {cap} a turn: some clause will break")
                )
    return out
