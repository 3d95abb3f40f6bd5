"""The bots' own view of a game: the parts of a team's view a bot reads, built as cheaply as they can be.

A human's view (``views.view``) carries messages, channels, objectives and the running score estimate,
and costs as much to build as a bot's whole decision. A bot view keeps only what a bot reads, built by
the same functions of ``views`` and the same filters, with the dashboard reduced to the indicators some
bot expression can read. Tests check at every decision of bot games that it equals the full view's
parts and that the bot decides the same on either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from precursor.game.adjudication.refusal import refusable
from precursor.game.months import add_months

# imported at run time: a compiled dataclass resolves its field types when the module loads
from precursor.game.rulebook import Rulebook
from precursor.game.schema import TEAMS
from precursor.game.teams import pair
from precursor.game.views import (
    MODE_BOOL,
    MODE_EXACT,
    MODE_LAGGED,
    MODE_LIVE,
    MODE_NOISY_NOW,
    WINDOWS,
    caches,
    dashboard_plan,
    fog_noise,
    fogged_point,
    free_actions_for,
    lever_counts,
    levers_for,
    scenario_card,
)

if TYPE_CHECKING:
    from precursor.game.engine import Game


# The parts of a team's view a bot reads, as ``views.view`` gives them; the rest (messages, channels,
# tokens, objectives, the running score estimate) is what a human reads, and costs as much to build as
# the bot's whole decision. In place of the dashboard (``indicators``) a bot view has ``dashboard``.
BOT_VIEW_KEYS = (
    "audience",
    "scenario",
    "turn",
    "phase",
    "date",
    "pc",
    "proposals",
    "agreements",
    "free_levers",
    "windows",
    "modules",
    "start",
    "levers",
    "counts",
    "order_limit",
    "proposal_limit",
    "seat_limits",
    "refusable",
    "free_actions",
)


# A dashboard entry as a bot reads it: the displayed value, the trend over three months (None: no trend
# to show), and the displayed series when an expression reads the indicator through ``lag()``.
Shown = tuple[Any, float | None, list[Any] | None]

# One indicator of a bot's plan: key, mode, lag, noise, whether its whole series is shown, and the
# entry's slot among the entries every team shares (None: fogged, so the team's own).
PlanItem = tuple[str, int, int, float, bool, str | None]


@dataclass(slots=True)
class DashboardCache:
    """One team's bot dashboard in one game, kept between views (derived: never read by the engine)."""

    version: int = -1  # the game's env_version it was built at
    entries: dict[str, tuple[Any, Shown]] = field(default_factory=dict)  # key -> (its inputs, entry)
    shown: dict[str, Shown] = field(default_factory=dict)
    # the game's record of what each bump changed (``GameCore.env_changes``): the dashboard catches up
    # from it key by key, so it must be this game's
    changes: list[dict[str, Any] | None] | None = None
    # the indicators this team's bot can read (``persona_reads``); None: any a bot may read (``read_names``)
    reads: frozenset[str] | None = None
    plan: list[PlanItem] | None = None  # ``_bot_plan`` cut to ``reads``, with its index by key
    index: dict[str, PlanItem] | None = None


@dataclass(slots=True)
class _Common:
    """The entries of one game's bot dashboards that do not depend on the team (exact, live and yes/no
    ones: no fog noise), kept in the game's view caches so that the four teams build each once."""

    version: int = -1
    at_version: dict[str, Shown] = field(default_factory=dict)  # slot -> entry, as of ``version``
    kept: dict[str, tuple[Any, Shown]] = field(default_factory=dict)  # slot -> (its inputs, entry)


def _common(game: Game) -> _Common:
    vc = caches(game)
    common = vc.bot_common
    if not isinstance(common, _Common):
        common = vc.bot_common = _Common()
    version = game.env_version
    if common.version != version:
        common.version, common.at_version = version, {}
    return common


def bot_dashboard(game: Game, team: str, cache: DashboardCache) -> dict[str, Shown]:
    """The team's dashboard (``views.indicators_for``) reduced to what a bot reads from it.

    The same plan (what the team sees, with which lag and noise) and the same fogged points
    (``views.fogged_point``, ``views.fog_noise``, cached per game) as the dashboard; only the points a
    bot reads are taken: the value, the point three months before it (for ``trend.*``), and the whole
    series of indicators read through ``lag()``. ``cache`` (the caller's, per game and team) keeps each
    entry while the inputs it is built from do not change (``_sig``), so an unchanged entry is the same
    object, and the whole dashboard while no value has changed (``game.env_version``); an entry without
    fog is the same for every team, and is built once per game and version for all of them
    (``_Common``). When no month has been recorded since the last build, only the entries of the keys
    the game's events changed since (``game.env_changes``) are looked at. A test checks, at every event
    of bot games, that this equals a dashboard built afresh, and at every decision that the environment
    built from it is the one built from the full view.
    """
    version = game.env_version
    if cache.version == version:
        return cache.shown
    log = game.env_changes
    plan, index = cache.plan, cache.index
    if plan is None or index is None:
        plan, index = _cut_plan(game.rb, team, cache.reads)
        cache.plan, cache.index = plan, index
    todo: Any = plan
    if cache.changes is log and cache.version >= 0:
        since = log[cache.version : version]
        if None not in since:
            keys: dict[str, None] = {}  # in the order of the events: the same in every run
            for ch in since:
                if ch:
                    keys.update(dict.fromkeys(ch))
            todo = [index[k] for k in keys if k in index]
    entries = cache.entries
    common = _common(game)
    built, shared = common.at_version, common.kept
    out = dict(cache.shown) if todo is not plan else {}
    env, history = game.state.env, game.state.history
    for key, mode, lag, noise, series, slot in todo:
        if slot is not None:
            entry = built.get(slot)
            if entry is not None:
                out[key] = entry
                continue
            kept = shared
        else:
            kept = entries
        hist = history.get(key) or [env[key]]
        sig = _sig(mode, env[key], hist, series)
        old = kept.get(slot or key)
        if old is not None and old[0] == sig:
            entry = old[1]
        else:
            entry = _shown(game, team, key, mode, lag, noise, hist, series)
            kept[slot or key] = (sig, entry)
        out[key] = entry
        if slot is not None:
            built[slot] = entry
    cache.version, cache.shown, cache.changes = version, out, log
    return out


def _sig(mode: int, value: Any, hist: list[Any], series: bool) -> Any:
    """What an entry is built from (``_shown``): while it is equal, so is the entry.

    Without a series to show, an exact or live entry reads only the value and one or two recorded points;
    a noisy one's noise is drawn per month, so the number of months recorded is part of it."""
    n = len(hist)
    if series or mode == MODE_NOISY_NOW:
        return (value, n)
    if mode == MODE_LAGGED:
        return n
    if mode == MODE_EXACT:
        return (value, hist[-1], hist[-4] if n >= 4 else None)
    if mode == MODE_LIVE:
        return (value, hist[-3] if n >= 3 else None)
    return value  # a bool shows its value alone


def _shown(
    game: Game, team: str, key: str, mode: int, lag: int, noise: float, hist: list[Any], series: bool
) -> Shown:
    """One entry as ``views._entry`` builds it, reading only the points a bot needs."""
    value = game.state.env[key]
    if mode == MODE_BOOL:
        return value, None, [value] if series else None
    n = len(hist)
    if mode == MODE_EXACT:  # the series is hist[-12:]
        last, back = hist[-1], (hist[-4] if n >= 4 else None)
        full = hist[-12:] if series else None
    elif mode == MODE_LIVE:  # [*hist[-11:], value]
        last, back = value, (hist[-3] if n >= 3 else None)
        full = [*hist[-11:], value] if series else None
    elif mode == MODE_NOISY_NOW:  # the reported months, then this month's noisy value
        value = last = round(value * fog_noise(game, team, key, n, noise), 4)
        back = fogged_point(game, team, key, n - 3, hist[n - 3], noise) if n >= 3 else None
        full = None
        if series:
            full = [fogged_point(game, team, key, i, hist[i], noise) for i in range(max(0, n - 11), n)]
            full.append(last)
    else:  # lagged: each month as reported `lag` months later; before the game, the starting value
        lo = max(0, n - 12 - lag)
        idxs = range(lo, n - lag) if n - lag > lo else range(0, 1)
        value = last = fogged_point(game, team, key, idxs[-1], hist[idxs[-1]], noise)
        back = fogged_point(game, team, key, idxs[-4], hist[idxs[-4]], noise) if len(idxs) >= 4 else None
        full = [fogged_point(game, team, key, i, hist[i], noise) for i in idxs] if series else None
    trend = (last - back) / abs(back) * 100 if back else None
    return value, trend, full


_PLAN_INDEX: dict[tuple[int, str], dict[str, PlanItem]] = {}


def _plan_index(rb: Rulebook, team: str) -> dict[str, PlanItem]:
    index = _PLAN_INDEX.get((rb.serial, team))
    if index is None:
        index = _PLAN_INDEX[(rb.serial, team)] = {item[0]: item for item in _bot_plan(rb, team)}
    return index


def _cut_plan(
    rb: Rulebook, team: str, reads: frozenset[str] | None
) -> tuple[list[PlanItem], dict[str, PlanItem]]:
    """The team's bot plan and its index, cut to ``reads`` when given. The items are the whole plan's,
    so an entry is built the same whether a dashboard is cut or not (and shared slots stay shared)."""
    if reads is None:
        return _bot_plan(rb, team), _plan_index(rb, team)
    plan = [item for item in _bot_plan(rb, team) if item[0] in reads]
    return plan, {item[0]: item for item in plan}


_BOT_PLANS: dict[tuple[int, str], list[PlanItem]] = {}


def _bot_plan(rb: Rulebook, team: str) -> list[PlanItem]:
    """The dashboard's plan (``views.dashboard_plan``) for the indicators a bot may read (``read_names``)."""
    plan = _BOT_PLANS.get((rb.serial, team))
    if plan is None:
        read, wanted = read_names(rb), _lag_names(rb)
        plan = [
            (key, mode, lag, noise, key in wanted, _slot(key, mode, key in wanted))
            for key, mode, lag, noise, _m in dashboard_plan(rb, team)
            if key in read
        ]
        _BOT_PLANS[(rb.serial, team)] = plan
    return plan


def _slot(key: str, mode: int, series: bool) -> str | None:
    """Where an entry without fog is kept for every team: the same key, mode and series give the same
    entry whichever team reads it (``_shown`` reads the team only for fogged points)."""
    if mode in (MODE_NOISY_NOW, MODE_LAGGED):
        return None
    return f"{key}|{mode}|{int(series)}"


_READ_NAMES: dict[int, frozenset[str]] = {}


def read_names(rb: Rulebook) -> frozenset[str]:
    """Every indicator a bot may read: the names of the expressions it may evaluate (levers' costs,
    preconditions and effects, personas' rules and switches), the targets of lever effects and persona
    weights, and the trust and finger-pointing figures its code reads for any pair of teams. The rest of
    the dashboard is never read, so a bot dashboard leaves it out."""
    names = _READ_NAMES.get(rb.serial)
    if names is None:
        found: set[str] = set(_lag_names(rb))
        exprs: list[Any] = []
        for lv in rb.levers.values():
            exprs += [lv.cost, *(c for c, _ in lv.preconditions)]
            for ce in lv.effects:
                found.add(ce.target)
                exprs += [ce.value, ce.when, ce.chance]
        for p in rb.personas.values():
            found |= set(p.var_weights)
            for r in p.hard_rules:
                exprs += [r.when, r.chance, r.reject_if]
            for sw in p.switches:
                exprs += [sw.when, sw.chance]
        for e in exprs:
            if e is not None:
                found |= e.names
        found |= {n.removeprefix("trend.") for n in found if n.startswith("trend.")}
        found |= {k for k in rb.indicators if k.startswith(("trust.", "flag.finger_"))}
        names = _READ_NAMES[rb.serial] = frozenset(k for k in found if k in rb.indicators)
    return names


_PERSONA_READS: dict[tuple[int, str], frozenset[str]] = {}


def persona_reads(rb: Rulebook, persona_id: str) -> frozenset[str]:
    """The indicators a bot that starts as this persona can ever read: ``read_names`` cut to what its
    code evaluates for it, over every persona it may switch to (a switch keeps the environment, so the
    dashboard must already hold what the next persona reads).

    What a bot evaluates, and so reads: its personas' hard rules and switches; the weighed effects
    (``utility.weigh``: those whose target the persona weights) of any lever, since a proposal may hold
    any team's clauses, and those targets themselves; its own team's levers' costs and preconditions
    (``orders.legal``, ``bargaining.clause_cost``), and every lever's preconditions
    (``bargaining.unkeepable``: its packages and open exchanges may hold any team's lever) and the
    indicators their parameters set outright
    (``orders.variants``); the trust and finger-pointing figures of its own pairs. Costs of every lever
    are added too: cheap, and safe should a clause of another team's be priced. A test records every
    name bots read in games of every scenario and checks each read indicator is in this set.
    """
    key = (rb.serial, persona_id)
    names = _PERSONA_READS.get(key)
    if names is None:
        personas, todo = {persona_id}, [persona_id]
        while todo:
            for sw in rb.personas[todo.pop()].switches:
                if sw.to in rb.personas and sw.to not in personas:
                    personas.add(sw.to)
                    todo.append(sw.to)
        found: set[str] = set()
        for pid in sorted(personas):
            found |= _one_persona_reads(rb, pid)
        names = _PERSONA_READS[key] = frozenset(found) & read_names(rb)
    return names


def _one_persona_reads(rb: Rulebook, persona_id: str) -> set[str]:
    p = rb.personas[persona_id]
    team, weights = p.team, p.var_weights
    exprs: list[Any] = []
    for r in p.hard_rules:
        exprs += [r.when, r.chance, r.reject_if]
    for sw in p.switches:
        exprs += [sw.when, sw.chance]
    found: set[str] = set(weights)
    # every lever's preconditions: it checks a clause can be kept before it tables or asks for it, and
    # an open exchange (``bargaining._table_open``) may ask any partner for any of its levers
    for lv in rb.levers.values():
        exprs += [lv.cost, *(c for c, _ in lv.preconditions)]
        found |= {ce.target for ce in lv.effects if ce.op == "set"}
        for ce in lv.effects:
            if ce.target in weights:
                exprs += [ce.value, ce.when, ce.chance]
    for e in exprs:
        if e is not None:
            found |= e.names
    found |= {n.removeprefix("trend.") for n in found if n.startswith("trend.")}
    for other in TEAMS:
        if other != team:
            found |= {f"trust.{pair(team, other)}", f"flag.finger_{pair(team, other)}"}
    return found


_LAG_NAMES: dict[int, frozenset[str]] = {}
_LAG_CALL = re.compile(r"\blag\s*\(")


def _lag_names(rb: Rulebook) -> frozenset[str]:
    """Indicators read through ``lag()`` by any expression a bot may evaluate (levers and personas)."""
    names = _LAG_NAMES.get(rb.serial)
    if names is None:
        from precursor.game.expr import Call, Name, parse

        exprs: list[Any] = []
        for lv in rb.levers.values():
            exprs += [lv.cost, *(c for c, _ in lv.preconditions)]
            for ce in lv.effects:
                exprs += [ce.value, ce.when, ce.chance]
        for p in rb.personas.values():
            for r in p.hard_rules:
                exprs += [r.when, r.chance, r.reject_if]
            for sw in p.switches:
                exprs += [sw.when, sw.chance]
        found: set[str] = set()

        def walk(node: Any) -> None:
            if isinstance(node, Call) and node.func == "lag" and isinstance(node.args[0], Name):
                found.add(node.args[0].name)
            for child in getattr(node, "__dataclass_fields__", {}):
                v = getattr(node, child)
                for c in v if isinstance(v, tuple) else (v,):
                    if hasattr(c, "__dataclass_fields__"):
                        walk(c)

        for e in exprs:  # only an expression calling lag() is parsed again ("flag." names are common)
            if e is not None and _LAG_CALL.search(e.text):
                walk(parse(e.text))
        names = _LAG_NAMES[rb.serial] = frozenset(found)
    return names


_START_KEYS: dict[tuple[int, str], list[tuple[str, str]]] = {}


def _start_keys(rb: Rulebook, team: str) -> list[tuple[str, str]]:
    """What the team sees without an estimate, with the name of its starting value (fixed per rulebook)."""
    keys = _START_KEYS.get((rb.serial, team))
    if keys is None:
        keys = _START_KEYS[(rb.serial, team)] = [
            (key, f"start.{key}")
            for key, mode, _lag, noise, _m in dashboard_plan(rb, team)
            if not (mode in (MODE_NOISY_NOW, MODE_LAGGED) and noise > 0)
        ]
    return keys


def bot_view(
    game: Game,
    team: str,
    last: dict[str, Any] | None = None,
    dashboard: DashboardCache | None = None,
) -> dict[str, Any]:
    """``views.view(game, team)`` restricted to ``BOT_VIEW_KEYS``, built by the same functions of
    ``views`` (orders screen, lever counts) and the same filters, with the dashboard as ``bot_dashboard``
    gives it (``dashboard`` is its cache) and the starting values of what the team sees exactly.

    ``last``, the team's previous bot view of the same game, lends its values-only parts (clock, capital,
    windows, modules, lever counts, starting values) when no value has changed since
    (``game.env_version``), as between the negotiation and the orders phase of a turn. A test plays bot
    games and checks, at every decision, that this equals the full view's items.
    """
    st, sc = game.state, game.sc.model
    env = st.env
    version = (game.env_version, st.turn, st.month_index)
    if last is not None and last["_version"] == version:
        fixed = {k: last[k] for k in VALUE_PARTS}
    else:
        fixed = {
            "scenario": scenario_card(sc),
            "turn": st.turn,
            "date": add_months(st.start, st.month_index).isoformat() if st.start else "",
            "pc": {team: env[f"{team}.pc"]},
            "windows": {w: env[f"window.{w}"] for w in WINDOWS},
            "modules": {m: bool(env[f"module.{m}"]) for m in ("t1", "t2", "t3", "t4", "t5")},
            "counts": lever_counts(game, team),
            # the scenario's starting values of what the team sees without an estimate (views._start_values)
            "start": last["start"]
            if last is not None
            else {key: env[name] for key, name in _start_keys(game.rb, team)},
        }
    return {
        "audience": team,
        **fixed,
        "phase": st.phase,
        "dashboard": bot_dashboard(game, team, DashboardCache() if dashboard is None else dashboard),
        "proposals": [
            p for p in st.proposals.values() if p["visibility"] == "public" or team in p["parties"]
        ],
        "agreements": [
            a for a in st.agreements.values() if a["visibility"] == "public" or team in a["parties"]
        ],
        "free_levers": st.free_levers,
        "levers": levers_for(game, team) if st.phase == "orders" else [],
        "order_limit": sc.order_limit,
        "proposal_limit": sc.proposal_limit,
        "seat_limits": {s: game.seat_limit(team, s) for s in st.seats[team]},
        "refusable": refusable(game, team),
        "free_actions": free_actions_for(game, team) if st.free_actions else [],
        "_version": version,
    }


# The parts of a bot view that are read from values only (see ``bot_view``'s ``last``).
VALUE_PARTS = ("scenario", "turn", "date", "pc", "windows", "modules", "counts", "start")
