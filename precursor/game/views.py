"""What each audience may see: the one place that decides it.

Audiences are a team id (``us``, ``mx``, ``cn``, ``ca``), ``public`` (observers and the press) and
``facilitator`` (everything). The server, the reports and the bots all ask this module; nothing else
filters events or state. Teams see indicators through fog: a reporting lag in months and a relative
noise, fixed per team and month so that asking twice never reveals more than asking once.
"""

from __future__ import annotations

import re
from itertools import repeat
from typing import TYPE_CHECKING, Any, Literal, cast

from precursor.game import scoring
from precursor.game.adjudication.refusal import refusable, refused_now
from precursor.game.core import GameCore
from precursor.game.months import add_months
from precursor.game.rng import roll
from precursor.game.rulebook import CLever, Rulebook, precondition_words
from precursor.game.schema import TEAMS

# who sees which values is decided in visibility; re-exported here, where most callers look for it
from precursor.game.visibility import FACILITATOR as FACILITATOR
from precursor.game.visibility import PUBLIC as PUBLIC
from precursor.game.visibility import Audience as Audience
from precursor.game.visibility import key_visible as key_visible
from precursor.game.visibility import known_to as known_to
from precursor.game.visibility import nameable

if TYPE_CHECKING:
    from precursor.game.events import Event, EventFields, LogEvent

WINDOWS = ("us_campaign", "mx_campaign", "ca_campaign", "us_lame_duck", "mx_transition", "cn_political")


class ViewCache:
    """What the views of one game keep between calls: pure functions of the state, never state.

    A game holds one in ``GameCore.view_cache`` (``caches`` puts it there on first use); only this
    module reads or writes its fields. Entries keyed by ``env_version`` are stale once ``emit`` bumps it.
    """

    def __init__(self) -> None:
        # fog noise factors and fogged points: pure functions of the seed, fixed per audience and month
        self.fog: dict[tuple[str, str, int], float] = {}
        self.points: dict[tuple[str, str, int], float] = {}
        self.start: dict[str, dict[str, Any]] = {}
        self.indicators: dict[str, tuple[int, list[dict[str, Any]]]] = {}
        self.levers: dict[str, tuple[int, list[dict[str, Any]]]] = {}
        self.score: dict[str, tuple[tuple[int, int, int], dict[str, Any]]] = {}
        self.entries: dict[str, dict[str, tuple[Any, dict[str, Any]]]] = {}
        self.shared_entries: dict[tuple[Any, ...], dict[str, Any]] = {}
        # the bot dashboards' entries that are the same for every team (``bots.fast_view``'s to keep)
        self.bot_common: Any = None


def caches(game: GameCore) -> ViewCache:
    """The game's view caches, made on first use."""
    c = game.view_cache
    if isinstance(c, ViewCache):
        return c
    made = ViewCache()
    game.view_cache = made
    return made


def can_see(ev: Event | LogEvent, audience: Audience) -> bool:
    """Whether an event may reach this audience at all."""
    if audience == FACILITATOR:
        return True
    vis = cast("Event", ev).get("vis", FACILITATOR)
    if vis == "all":
        return True
    if vis == FACILITATOR:
        return False
    return audience in vis


def redact(rb: Rulebook, ev: LogEvent, audience: Audience) -> LogEvent | None:
    """The event as this audience may see it, or None. True values of fogged indicators are removed."""
    if not can_see(ev, audience):
        return None
    if audience == FACILITATOR:
        return ev
    # the values are hidden whatever the type: an event type that gains ``changes`` is covered unlisted
    fields = cast("EventFields", ev)
    out = ev
    field: Literal["changes", "before"]
    for field in ("changes", "before"):
        ch = fields.get(field)
        if ch:
            hidden = [k for k in ch if not key_visible(rb, k, audience)]
            if hidden:
                if out is ev:
                    out = dict(ev)
                out[field] = {k: v for k, v in ch.items() if k not in hidden}
                if field == "changes":
                    shown = [k for k in hidden if nameable(rb, k, audience)]
                    if shown:
                        out["unreported"] = sorted(shown)
    e = cast("Event", ev)
    if e["type"] == "month":
        out = dict(out)
        out["values"] = {k: v for k, v in e["values"].items() if key_visible(rb, k, audience)}
    if e["type"] == "orders_submitted" and audience not in (e["team"],):
        return None
    if e["type"] == "order_executed" and audience != e["team"] and e.get("scheduled"):
        # an order's lagged effects carry values fixed at order time from state the ordering team may see
        # and others may not (a joint indictment's capture chance is computed from Mexico's cooperation)
        out = dict(out)
        del out["scheduled"]
    return out


def fog_noise(game: GameCore, audience: Audience, key: str, idx: int, noise: float) -> float:
    """One reported month's noise factor: a pure function of the seed, cached (views are rebuilt often)."""
    ck = (audience, key, idx)
    fog = caches(game).fog
    f = fog.get(ck)
    if f is None:
        f = 1 + noise * (2 * roll(game.state.seed, f"fog:{audience}:{key}:{idx}") - 1)
        fog[ck] = f
    return f


def displayed(game: GameCore, key: str, audience: Audience) -> dict[str, Any] | None:
    """One indicator as the audience sees it now: value, whether it is an estimate, its lag and trend."""
    for d in indicators_for(game, audience):
        if d["id"] == key:
            return d
    return None


def indicators_for(game: GameCore, audience: Audience) -> list[dict[str, Any]]:
    """The indicators an audience sees, rebuilt only when some value has changed since the last call.

    The list is shared between calls: callers read it and never change it.
    """
    cache = caches(game).indicators
    hit = cache.get(audience)
    if hit is not None and hit[0] == game.env_version:
        return hit[1]
    out = _indicators(game, audience)
    cache[audience] = (game.env_version, out)
    return out


# How a dashboard entry is shown (``dashboard_plan``). Public, with the plan and the fogged points: the
# bots' lean dashboard (``bots.bot_dashboard``) reads the same plan and points, so it cannot drift from it.
MODE_EXACT, MODE_BOOL, MODE_LIVE, MODE_NOISY_NOW, MODE_LAGGED = range(5)


def dashboard_plan(rb: Rulebook, audience: Audience) -> list[tuple[str, int, int, float, dict[str, Any]]]:
    """How each indicator is shown to an audience (fixed per rulebook): computed once, used every view."""
    key_ = (rb.serial, audience)
    plan = _PLANS.get(key_)
    if plan is None:
        plan = []
        fac = audience == FACILITATOR
        for key, ind in rb.indicators.items():
            meta = {"name": ind.name, "unit": ind.unit, "group": ind.group}
            if ind.type == "bool":
                if fac or ind.public or ind.owner == audience:
                    plan.append((key, MODE_BOOL, 0, 0.0, meta))
                continue
            if key.startswith("flag.") and not fac and not ind.public:
                continue
            if fac or ind.owner == audience:
                plan.append((key, MODE_EXACT, 0, 0.0, meta))
                continue
            fog = ind.fog_by_team.get(audience, ind.fog) if audience in TEAMS else ind.fog
            if fog.hidden or not ind.public:
                continue
            mode = MODE_LAGGED if fog.lag else (MODE_NOISY_NOW if fog.noise else MODE_LIVE)
            plan.append((key, mode, fog.lag, fog.noise, meta))
        _PLANS[key_] = plan
    return plan


def _indicators(game: GameCore, audience: Audience) -> list[dict[str, Any]]:
    """Build the audience's dashboard, reusing each entry whose inputs (value, months recorded) are unchanged.

    Most values do not move between two views, so an entry is rebuilt only when its current value or the
    length of its history differs from the previous build: views are rebuilt for every seat and phase.
    """
    st = game.state
    env, history = st.env, st.history
    vc = caches(game)
    prev = vc.entries.setdefault(audience, {})
    shared = vc.shared_entries
    out = []
    for key, mode, lag, noise, meta in dashboard_plan(game.rb, audience):
        hist = history.get(key)
        n = len(hist) if hist else 0
        sig = (env[key], n) if mode != MODE_LAGGED else n
        old = prev.get(key)
        if old is not None and old[0] == sig:
            out.append(old[1])
            continue
        # entries without noise are the same for every audience that sees them this way: build once
        skey = (key, mode, lag, sig) if not noise else None
        entry = shared.get(skey) if skey is not None else None
        if entry is None:
            entry = _entry(game, audience, key, mode, lag, noise, meta, hist or [env[key]])
            if skey is not None:
                shared[skey] = entry
        prev[key] = (sig, entry)
        out.append(entry)
    return out


def _entry(
    game: GameCore,
    audience: Audience,
    key: str,
    mode: int,
    lag: int,
    noise: float,
    meta: dict[str, Any],
    hist: list[Any],
) -> dict[str, Any]:
    env = game.state.env
    if mode == MODE_BOOL:
        return {"id": key, "value": env[key], "estimate": False, "lag": 0, **meta}
    if mode == MODE_EXACT:
        return {"id": key, "value": env[key], "estimate": False, "lag": 0, "trend": hist[-12:], **meta}
    if mode == MODE_LIVE:
        trend = [*hist[-11:], env[key]]
        return {"id": key, "value": env[key], "estimate": False, "lag": 0, "trend": trend, **meta}
    n = len(hist)
    if mode == MODE_NOISY_NOW:
        idxs = range(max(0, n - 11), n)
        series = [fogged_point(game, audience, key, i, hist[i], noise) for i in idxs]
        series.append(round(env[key] * fog_noise(game, audience, key, n, noise), 4))
    else:
        # each month's value as reported `lag` months later; before the game, the starting value
        lo = max(0, n - 12 - lag)
        idxs = range(lo, n - lag) if n - lag > lo else range(0, 1)
        series = [fogged_point(game, audience, key, i, hist[i], noise) for i in idxs]
    return {"id": key, "value": series[-1], "estimate": noise > 0, "lag": lag, "trend": series, **meta}


def fogged_point(game: GameCore, audience: Audience, key: str, idx: int, value: float, noise: float) -> float:
    """One recorded month as the audience sees it (noisy, fixed per month): computed once per game."""
    if not noise:
        return value
    ck = (audience, key, idx)
    points = caches(game).points
    v = points.get(ck)
    if v is None:
        v = round(value * fog_noise(game, audience, key, idx, noise), 4)
        points[ck] = v
    return v


_PLANS: dict[tuple[int, str], list[tuple[str, int, int, float, dict[str, Any]]]] = {}


def scenario_card(sc: Any) -> dict[str, Any]:
    """What every view says of its scenario (the full view and the bots' own cheap one alike)."""
    return {
        "id": sc.id,
        "title": sc.title,
        "summary": sc.summary,
        "turns": sc.turns,
        "months_per_turn": sc.months_per_turn,
        "start": sc.start,
    }


def view(game: GameCore, audience: Audience) -> dict[str, Any]:
    """The whole state as an audience may see it: what a client renders on connect."""
    st, _rb, sc = game.state, game.rb, game.sc.model
    team = audience if audience in TEAMS else None
    fac = audience == FACILITATOR
    chans = [
        c for c in st.channels.values() if fac or c["kind"] == "press" or (team and team in c["members"])
    ]
    chan_ids = {c["id"] for c in chans}
    msgs = [m for m in st.messages if m["channel"] in chan_ids]
    props = [
        p
        for p in st.proposals.values()
        if fac or p["visibility"] == "public" or (team and team in p["parties"])
    ]
    agrs = [
        a
        for a in st.agreements.values()
        if fac or a["visibility"] == "public" or (team and team in a["parties"])
    ]
    tokens = [t for t in st.tokens.values() if fac or t.get("visibility") == "public" or team in ("mx", "us")]
    orders = {k: v for k, v in st.orders.items() if fac or (team and k.startswith(team + "/"))}
    objectives: dict[str, Any] = {}
    for t, obj in sc.objectives.items():
        entry: dict[str, Any] = {"public": obj.public}
        if fac or t == team:
            entry["secret"] = [
                {
                    "id": o.id,
                    "text": o.text,
                    "points": o.points,
                    "check": o.check,
                    "met": st.objectives.get(o.id, {}).get("met"),
                    **_lost(game, o.check, o.condition),
                }
                for o in obj.secret
            ]
        objectives[t] = entry
    scores: dict[str, Any] = {}
    # the final score is an event; while the game runs, the estimate is computed from the state on demand
    current = st.scores if st.scores else (running_estimate(game, team) if st.turn > 0 else {})
    final = bool(current.get("_meta", {}).get("final"))
    for t in TEAMS:
        if current and (fac or final or t == team):
            scores[t] = current.get(t)
    indicators = indicators_for(game, audience)
    return {
        "audience": audience,
        "scenario": scenario_card(sc),
        "turn": st.turn,
        "phase": st.phase,
        "date": add_months(st.start, st.month_index).isoformat() if st.start else "",
        "seats": st.seats,
        "ready": st.ready,
        "pc": {t: st.env[f"{t}.pc"] for t in TEAMS if fac or t == team},
        "indicators": indicators,
        "channels": chans,
        "messages": msgs[-500:],
        "proposals": props,
        "agreements": agrs,
        "tokens": tokens,
        "orders": orders,
        "objectives": objectives,
        "scores": scores,
        "free_levers": st.free_levers,
        "windows": {w: st.env[f"window.{w}"] for w in WINDOWS},
        "modules": {m: bool(st.env[f"module.{m}"]) for m in ("t1", "t2", "t3", "t4", "t5")},
        "start": _start_values(game, audience, indicators),
        # the orders screen: availability is the engine's own check, so it is shown in the orders phase
        "levers": levers_for(game, team) if team and st.phase == "orders" else [],
        "counts": lever_counts(game, team) if team else {},
        # before the orders phase: the team's levers a condition on another team's play keeps out
        "counted_out": counted_out(game, team) if team and st.phase != "orders" and not st.ended else {},
        "order_limit": sc.order_limit,
        "proposal_limit": sc.proposal_limit,
        "seat_limits": {s: game.seat_limit(team, s) for s in st.seats[team]} if team else {},
        # orders one seat gave that another seat carries out and may refuse (empty unless the team is split)
        "refusable": refusable(game, team) if team else [],
        # this turn's refusals inside the team with their cost, as the ``order_refused`` events and their
        # ``effect`` told them: a client that joins or reconnects after them still has them to show
        "refusals": refusals_for(game, audience),
        "ended": st.ended,
        # the white cell: the free actions the audience may see, the team's menu of claims, positions
        "free_actions": free_actions_for(game, audience),
        "white_cell_menu": white_cell_menu(game, team) if team else [],
        "positions": {t: p for t, p in st.positions.items() if fac or t == team},
        # the facilitator's console shows true values beside what each team is shown
        "as_seen": (
            {t: {i["id"]: i["value"] for i in indicators_for(game, t)} for t in TEAMS} if fac else {}
        ),
    }


def _lost(game: GameCore, check: str, condition: object) -> dict[str, int]:
    """``lost_in``: the turn an objective judged at the end was settled against its team (absent while
    it can still be met, so a view is unchanged until then)."""
    turn = scoring.lost_in(game, check, condition)
    return {} if turn is None else {"lost_in": turn}


def refusals_for(game: GameCore, audience: Audience) -> list[dict[str, Any]]:
    """This turn's refused orders the audience may see (the team's own, or all for the facilitator), in
    the fields of an ``order_refused`` event with the ground's ``changes`` and ``before``."""
    st = game.state
    fac = audience == FACILITATOR
    out = []
    for r in st.refusals:
        if r["turn"] != st.turn or not (fac or r["team"] == audience):
            continue
        shown: dict[str, Any] = {"type": "order_refused", **r}
        for field in ("changes", "before"):
            if field in r and not fac:
                shown[field] = {k: v for k, v in r[field].items() if key_visible(game.rb, k, audience)}
        out.append(shown)
    return out


def free_actions_for(game: GameCore, audience: Audience) -> list[dict[str, Any]]:
    """The free actions an audience may see, oldest first. A private one is its team's and the
    facilitator's until it is resolved, then everyone's; the ruling before resolution is control's."""
    out: list[dict[str, Any]] = []
    fac = audience == FACILITATOR
    for fa in game.state.free_actions.values():
        if not can_see(fa, audience):
            continue
        shown = {k: v for k, v in fa.items() if k != "ruling"}
        if fac:
            shown["ruling"] = fa["ruling"]
        out.append(shown)
    return out


def white_cell_menu(game: GameCore, team: str) -> list[dict[str, Any]]:
    from precursor.game.white_cell.menu import menu  # the menu reads this module's visibility rule

    return [m.as_dict() for m in menu(game.rb, team)]


def lever_counts(game: GameCore, team: str) -> dict[str, dict[str, Any]]:
    """How often and how recently the team has played each of its levers (its own record)."""
    env = game.state.env
    keys = _COUNT_KEYS.get((game.rb.serial, team))
    if keys is None:
        keys = [
            (lid, f"count.{lid}", f"streak.{lid}", f"played.{lid}")
            for lid, lv in game.rb.levers.items()
            if lv.team == team
        ]
        _COUNT_KEYS[(game.rb.serial, team)] = keys
    return {lid: {"count": env[c], "streak": env[s], "played": env[p]} for lid, c, s, p in keys}


_COUNT_KEYS: dict[tuple[int, str], list[tuple[str, str, str, str]]] = {}


def counted_out(game: GameCore, team: str) -> dict[str, str]:
    """The team's levers that a condition on another team's play keeps out, with the engine's reason.

    A team does not see another's play counters, so its client could not judge CN-REPLY-MX ("Mexico has
    not written to Beijing") before the orders phase: from turn 2 it offered it at 1 PC, a student set
    and ticked it, and the orders phase unticked it, turn after turn. Play counters move only when orders
    are carried out, so what this says holds until the next orders phase, whose check says the same: the
    team learns it earlier, not more. Only conditions reading nothing but play counters and values the
    team sees exactly are told.
    """
    env = game.state.env
    out: dict[str, str] = {}
    for lv, indices in _counted_conditions(game.rb, team):
        if lv.once and env[f"count.{lv.id}"] > 0:
            continue  # the client says so itself
        for i in indices:
            if not lv.preconditions[i][0].fn(env):
                out[lv.id] = f"{lv.code}: {precondition_words(lv, i, env)}"
                break
    return out


def _counted_conditions(rb: Rulebook, team: str) -> list[tuple[CLever, tuple[int, ...]]]:
    """The team's levers with the indices of their conditions that ``counted_out`` may judge."""
    key = (rb.serial, team)
    hit = _COUNTED.get(key)
    if hit is None:
        hit = []
        for lv in rb.levers.values():
            if lv.team != team:
                continue
            indices = []
            for i, (cond, _message) in enumerate(lv.preconditions):
                names = set(cond.names)
                others = {n for n in names if n.startswith(_PER_LEVER_KEYS) and not key_visible(rb, n, team)}
                seen = all(n in others or key_visible(rb, n, team) for n in names)
                if others and seen and not any(n.startswith(_NOT_TOLD) for n in names):
                    indices.append(i)
            if indices:
                hit.append((lv, tuple(indices)))
        _COUNTED[key] = hit
    return hit


_PER_LEVER_KEYS = ("count.", "streak.", "played.")
# the order's own values, and those a signature in the negotiation moves: judged in the orders phase
_NOT_TOLD = ("param.", "act.", "agreements.", "mean.")
_COUNTED: dict[tuple[int, str], list[tuple[CLever, tuple[int, ...]]]] = {}


def _start_values(game: GameCore, audience: Audience, indicators: list[dict[str, Any]]) -> dict[str, Any]:
    """Scenario starting values of what the audience sees exactly (public scenario data, fixed per game)."""
    start = caches(game).start
    cached = start.get(audience)
    if cached is None:
        env = game.state.env
        fac = audience == FACILITATOR
        cached = {i["id"]: env[f"start.{i['id']}"] for i in indicators if fac or not i.get("estimate")}
        start[audience] = cached
    return cached


def levers_for(game: GameCore, team: str) -> list[dict[str, Any]]:
    """A team's levers as its orders screen shows them: cost and whether each can be ordered now.

    Availability is the engine's own check with default parameters, so a team learns no more than a
    player who tries the order would. Outside the orders phase it says whether it would be legal then.
    A lever's entry is a function of the values its check reads (``_lever_deps``), of whether it is free
    and of the seat that holds it, nothing else: entries are kept by those (``_ENTRIES``) for every game
    of the rulebook, so a new game's first screen, and a screen whose values came round again, reuse
    them. Most levers read a handful of names or none, and every orders screen asks for all of a team's.
    """
    refused = refused_now(game, team) if game.state.refusals else {}
    listed = _levers_checked(game, team)
    if not refused:
        return listed
    # a refused lever cannot be ordered again this turn (``validate_order``); the cached entries are
    # shared, so the marked ones are copies
    return [
        {**lv, "available": False, "cost": None, "why_not": refused[lv["id"]]} if lv["id"] in refused else lv
        for lv in listed
    ]


def _levers_checked(game: GameCore, team: str) -> list[dict[str, Any]]:
    """``levers_for`` before refusals: each lever's default check, cached while the values it reads hold."""
    vc = caches(game)
    hit = vc.levers.get(team)
    version = game.env_version
    if hit is not None and hit[0] == version:
        return hit[1]
    env, free = game.state.env, game.state.free_levers
    memo = _ENTRIES.get((game.rb.serial, team))
    if memo is None:
        if len(_ENTRIES) >= _KEPT_TABLES:
            _ENTRIES.clear()  # a calibration's many rule variants: keep the latest ones' entries only
        memo = _ENTRIES[(game.rb.serial, team)] = {}
    out = []
    for lv, deps in _lever_deps(game.rb, team):
        seat = game.player_seat_of_lever(lv)
        if deps is None:
            out.append(_lever_entry(game, lv, seat))
            continue
        # the values read in one C loop (map stops with deps); most levers read none
        sig = (seat, lv.id in free, tuple(map(env.get, deps, _ABSENTS)) if deps else ())
        kept = memo.get(lv.id)
        if kept is None:
            kept = memo[lv.id] = {}
        entry = kept.get(sig)
        if entry is None:
            entry = _lever_entry(game, lv, seat)
            if len(kept) >= _KEPT_PER_LEVER:
                kept.clear()  # values that vary from game to game (a level, a share): start again
            kept[sig] = entry
        out.append(entry)
    vc.levers[team] = (version, out)
    return out


def _lever_entry(game: GameCore, lv: CLever, seat: str) -> dict[str, Any]:
    cost, why = game.default_order_status(lv)
    return {
        "id": lv.id,
        "code": lv.code,
        "name": lv.name,
        "seat": seat,
        "available": cost is not None,
        "cost": cost,
        "why_not": why,
    }


# Orders-screen entries per (rulebook, team), per lever, by what they are built from: shared by every
# game of the rulebook (never changed once built: views hand out the same objects), and at most
# _KEPT_PER_LEVER per lever, so that the values a long-running server sees cannot grow it without end.
_ENTRIES: dict[tuple[int, str], dict[str, dict[Any, dict[str, Any]]]] = {}
_KEPT_PER_LEVER = 32
_KEPT_TABLES = 64  # (rulebook, team) tables: sixteen rulebooks' worth


_LEVER_DEPS: dict[tuple[int, str], list[tuple[CLever, tuple[str, ...] | None]]] = {}


def _lever_deps(rb: Rulebook, team: str) -> list[tuple[CLever, tuple[str, ...] | None]]:
    """A team's levers with the state names their default check reads (``default_order_status``): the
    names of the cost and the preconditions, less the order's own (``param.*``, ``act.*``, fixed for the
    defaults), and the play count of a once-only lever; with whether the lever is free, nothing else
    decides it. None for a lever whose check reads more than the current values (``lag()``, running means):
    it is checked every time."""
    key = (rb.serial, team)
    out = _LEVER_DEPS.get(key)
    if out is None:
        out = []
        for lv in rb.levers.values():
            if lv.team != team:
                continue
            exprs = [lv.cost, *(c for c, _ in lv.preconditions)]
            names = sorted({n for e in exprs for n in e.names if not n.startswith(("param.", "act."))})
            if lv.once:
                names.append(f"count.{lv.id}")
            derived = any(_LAG_CALL.search(e.text) for e in exprs)
            derived = derived or any(n.startswith("mean.") for n in names)
            out.append((lv, None if derived else tuple(names)))
        _LEVER_DEPS[key] = out
    return out


_LAG_CALL = re.compile(r"\blag\s*\(")
_ABSENT = object()  # a name not in the state (its check then fails the same way each time)
_ABSENTS = repeat(_ABSENT)


def running_estimate(game: GameCore, team: str | None = None) -> dict[str, Any]:
    """The score as it would stand if the game ended now: for one team, or (None) for all four."""
    key = team or "all"
    version = (game.env_version, len(game.state.agreements), game.state.seq if game.state.ended else 0)
    cache = caches(game).score
    hit = cache.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    out = scoring.scores(game, final=False, teams=(team,) if team else TEAMS)
    cache[key] = (version, out)
    return out


def events_for(game: GameCore, audience: Audience, since: int = 0) -> list[LogEvent]:
    out = []
    for ev in game.log:
        if cast("Event", ev)["seq"] <= since:
            continue
        r = redact(game.rb, ev, audience)
        if r is not None:
            out.append(r)
    return out
