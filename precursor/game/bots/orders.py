"""Which orders a bot gives: its hard rules first, then the commitments due this turn, then the rest by
utility, within its political capital, the order limit and each seat's limit.

The bot judges an order's legality from its view alone: the orders screen answers for a lever's default
parameters, and the bot checks other parameters itself only when it sees exactly every name the checks
read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from precursor.game.bots.beliefs import exact
from precursor.game.bots.character import Character
from precursor.game.bots.decisions import Decision, make
from precursor.game.bots.utility import Spec, Weighed, order_utility, specialise, utility_of, weigh
from precursor.game.commands import Note, Order, StatementOrder, SubmitOrders
from precursor.game.promises import level_holds, level_kept_after
from precursor.game.rulebook import CLever, Rulebook
from precursor.game.schema import TEAMS
from precursor.game.teams import pair


def _visibilities(lever: CLever) -> tuple[str, ...]:
    """Visibilities worth comparing: both only when the choice changes what the order does."""
    if lever.visibility != "choice":
        return (lever.visibility,)
    differs = lever.sov_public != lever.sov_private or any(ce.visibility != "any" for ce in lever.effects)
    return ("public", "private") if differs else ("public",)


@dataclass(slots=True)
class _Worked:
    """What one parameter choice settles by visibility (public?), filled as the search meets it: the
    order's terms specialised to its parameters (``utility.specialise``), and its cost when its
    preconditions and cost read only its parameters (``_fixed_cost``)."""

    specs: dict[bool, Spec] = field(default_factory=dict)
    costs: dict[bool, tuple[bool, float | None]] = field(default_factory=dict)


@dataclass(slots=True)
class _Variant:
    """One parameter choice of a lever, with its terms worked out per visibility when they can be."""

    params: dict[str, Any]
    default: bool  # the lever's default parameters (whose cost the orders screen shows)
    worked: _Worked  # shared by every variant of the same choice


_DEFAULTS: dict[tuple[int, str], dict[str, Any]] = {}
_SEES_EXACTLY: dict[tuple[int, str, str], bool] = {}
_TEAM_LEVERS: dict[tuple[int, str], list[tuple[str, CLever]]] = {}
# Parameter choices per (rulebook, persona, lever) that do not depend on the environment (levers whose
# parameter sets a level are compared around the current level: theirs are kept per level instead).
_VARIANTS: dict[tuple[int, str, str], list[_Variant]] = {}
# The others' choices per (rulebook, persona, lever), by the levels they are compared around (``_levels``).
_LEVELS: dict[tuple[int, str, str], tuple[str, ...]] = {}
_AROUND: dict[tuple[int, str, str], dict[tuple[tuple[str, Any], ...], list[_Variant]]] = {}
# The specialised terms of the others' choices, per (rulebook, persona, lever), by choice.
_SPECS: dict[tuple[int, str, str], dict[tuple[tuple[str, str, Any], ...], _Worked]] = {}
# A lever utility may choose: id, lever, what the persona weighs in it, the visibilities worth comparing,
# whether the team sees every name its checks read exactly (else only its defaults can be judged), and
# its parameter choices when they do not depend on the environment (None: worked out every time).
_Candidate = tuple[str, CLever, Weighed, tuple[tuple[str, bool], ...], bool, list[_Variant] | None]
_CANDIDATES: dict[tuple[int, str], list[_Candidate]] = {}


def _defaults(rb: Rulebook, lever: CLever) -> dict[str, Any]:
    """The lever's default parameters (shared: never changed by a caller)."""
    key = (rb.serial, lever.id)
    d = _DEFAULTS.get(key)
    if d is None:
        d = {k: p.default for k, p in lever.params.items()}
        _DEFAULTS[key] = d
    return d


def _team_levers(rb: Rulebook, team: str) -> list[tuple[str, CLever]]:
    key = (rb.serial, team)
    out = _TEAM_LEVERS.get(key)
    if out is None:
        out = [(lid, lv) for lid, lv in rb.levers.items() if lv.team == team]
        _TEAM_LEVERS[key] = out
    return out


def _sees_exactly(rb: Rulebook, team: str, lever: CLever) -> bool:
    """Whether every name the lever's cost and preconditions read is one the team sees exactly."""
    key = (rb.serial, team, lever.id)
    hit = _SEES_EXACTLY.get(key)
    if hit is None:
        names: set[str] = set(lever.cost.names)
        for cond, _ in lever.preconditions:
            names |= cond.names
        hit = all(exact(rb, n, team) for n in names)
        _SEES_EXACTLY[key] = hit
    return hit


_SET_TARGETS: dict[tuple[int, str, str], str | None] = {}


def _set_target(rb: Rulebook, lever: CLever, param: str) -> str | None:
    """The indicator the parameter sets outright (``value: param.k`` with ``op: set``), if any."""
    key = (rb.serial, lever.id, param)
    if key not in _SET_TARGETS:
        _SET_TARGETS[key] = next(
            (
                ce.target
                for ce in lever.effects
                if ce.op == "set" and ce.value.text.strip() == f"param.{param}"
            ),
            None,
        )
    return _SET_TARGETS[key]


def candidates(bot: Character) -> list[_Candidate]:
    """The team's levers utility may choose for this persona, with the visibilities worth comparing.

    Levers that cross the red line or need Mexican consent are left to hard rules and deals, and a lever
    with nothing in it the persona values could only score its cost.
    """
    key = (bot.rb.serial, bot.persona_id)
    out = _CANDIDATES.get(key)
    if out is None:
        out = []
        for lid, lever in _team_levers(bot.rb, bot.team):
            if "hrl" in lever.tags or "consent_bounded" in lever.tags:
                continue  # only a hard rule or a signed deal puts forces across the line
            w = weigh(bot, lever)
            if not w.any_effect and w.tags <= 0 and not (w.st_w and (lever.sov_public or lever.sov_private)):
                continue  # nothing in it this persona values: its utility could only be its cost
            vises = tuple((v, v == "public") for v in _visibilities(lever))
            fixed = variants(bot, lever, {})  # only choices that vary with the environment read it
            static = fixed if _VARIANTS.get((bot.rb.serial, bot.persona_id, lid)) is fixed else None
            out.append((lid, lever, w, vises, _sees_exactly(bot.rb, bot.team, lever), static))
        _CANDIDATES[key] = out
    return out


def _levels(bot: Character, lever: CLever) -> tuple[str, ...]:
    """The indicators set outright by the parameters ``variants`` compares around their current level:
    its choices read nothing else of the environment (cached; empty: its choices never change)."""
    key = (bot.rb.serial, bot.persona_id, lever.id)
    found = _LEVELS.get(key)
    if found is None:
        read = weigh(bot, lever).reads
        targets: list[str] = []
        for k, p in lever.params.items():
            if f"param.{k}" in read and p.type in ("int", "num") and p.min is not None and p.max is not None:
                target = _set_target(bot.rb, lever, k)
                if target is not None:
                    targets.append(target)
        found = _LEVELS[key] = tuple(targets)
    return found


def variants(bot: Character, lever: CLever, env: dict[str, Any]) -> list[_Variant]:
    """Parameter choices worth comparing: the defaults, each choice, and steps around a set level.

    The list is kept (with its specialised terms) when it does not depend on the environment, and per
    level when it does (the level seldom moves: a tariff stays where it was set).
    """
    key = (bot.rb.serial, bot.persona_id, lever.id)
    fixed = _VARIANTS.get(key)
    if fixed is not None:
        return fixed
    levels = _levels(bot, lever)
    if not levels:
        fixed = _VARIANTS[key] = [_Variant(o, d, _Worked()) for o, d in _choices(bot, lever, env)]
        return fixed
    # the types too: 25 and 25.0 are equal keys, but the choices keep a level's type (an int stays one)
    at = tuple((type(cur).__name__, cur) for cur in (env.get(t) for t in levels))
    around = _AROUND.get(key)
    if around is None or len(around) > 256:  # bounded: a level drifting through many values starts afresh
        around = _AROUND[key] = {}
    hit = around.get(at)
    if hit is not None:
        return hit
    # a choice met again at another level keeps the terms specialised to it
    kept = _SPECS.get(key)
    if kept is None or len(kept) > 256:
        kept = _SPECS[key] = {}
    found = []
    for o, default in _choices(bot, lever, env):
        pk = tuple((k, type(v).__name__, v) for k, v in o.items())
        worked = kept.get(pk)
        if worked is None:
            worked = kept[pk] = _Worked()
        found.append(_Variant(o, default, worked))
    around[at] = found
    return found


def _choices(bot: Character, lever: CLever, env: dict[str, Any]) -> list[tuple[dict[str, Any], bool]]:
    """``variants``' parameter choices, each with whether it is the lever's defaults."""
    defaults = _defaults(bot.rb, lever)
    base = dict(defaults)
    out = [base]
    read = weigh(bot, lever).reads
    for k, p in lever.params.items():
        if f"param.{k}" not in read:
            continue  # the persona cares about nothing this parameter changes: keep the default
        if p.type == "choice":
            out.extend({**base, k: c} for c in p.choices if c != p.default)
        elif p.type in ("int", "num") and p.min is not None and p.max is not None:
            target = _set_target(bot.rb, lever, k)
            # sizes (levels, packages) are compared at their extremes; set levels around the current one
            points = [p.max] if target is None else [p.min, p.max]
            if target is not None and isinstance(env.get(target), (int, float)):
                cur = float(env[target])
                points += [cur - 20, cur - 10, cur + 10, cur + 20]
            for v in points:
                v = max(p.min, min(p.max, v))
                v = round(v) if p.type == "int" else float(v)
                if v != base[k]:
                    out.append({**base, k: v})
    seen: list[dict[str, Any]] = []
    for o in out:
        if o not in seen:
            seen.append(o)
    return [(o, o == defaults) for o in seen[:8]]


def legal(
    bot: Character,
    view: dict[str, Any],
    env: dict[str, Any],
    lever: CLever,
    params: dict[str, Any],
    public: bool,
    default: bool | None = None,
) -> float | None:
    """The order's cost if the bot can tell from its view that it is legal, else None.

    ``default`` says whether ``params`` are the lever's defaults, when the caller already knows. The
    orders screen answers for the defaults; other parameters the bot checks itself, when it sees every
    name the checks read exactly, even if the defaults are not available (a bill already introduced
    can still be passed).
    """
    entry = lever_entries(view).get(lever.id)
    if entry is None:
        return None
    if default if default is not None else params == _defaults(bot.rb, lever):
        return float(entry["cost"]) if entry["available"] else None
    if not _sees_exactly(bot.rb, bot.team, lever):
        return None
    if not entry["available"] and lever.once and env.get(f"count.{lever.id}", 0) >= 1:
        return None
    return _cost(env, lever, params, public, lever.id in view.get("free_levers", []))


def lever_entries(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The orders screen by lever id (kept in the view: both phases' choices look levers up in it)."""
    cached: dict[str, dict[str, Any]] | None = view.get("_entries")
    if cached is None:
        cached = {e["id"]: e for e in view["levers"]}
        view["_entries"] = cached
    return cached


# ---------------------------------------------------------------------- the orders phase


class _Picks:
    """The orders phase under way: what is chosen so far and what that leaves (capital, the order limit,
    each seat's limit), the levers ruled out, and the notes and statement that go with the orders."""

    def __init__(self, bot: Character, view: dict[str, Any], env: dict[str, Any]) -> None:
        self.bot = bot
        self.view = view
        self.env = env
        self.pc = float(view["pc"][bot.team])
        self.limit = int(view["order_limit"])
        self.never: set[str] = set(bot.persona.never)
        self.chosen: list[tuple[Order, float, str]] = []
        self.notes: list[Decision] = []
        self.statement: StatementOrder | None = None
        self.used: set[str] = set()
        self.seat_limits: dict[str, int] = dict(view.get("seat_limits", {}))
        # clauses kept by a level that stands, with no order (lever, the clause's parameters): no order
        # of the lever may move the level against them
        self.held: list[tuple[str, dict[str, Any]]] = []
        self.per_seat: dict[str, int] = {}

    def take(
        self, lid: str, params: dict[str, Any], vis: str | None, why: str, known: float | None = None
    ) -> bool:
        """Add the order if it is still allowed, legal as far as the view tells, and affordable.

        ``known`` is the order's cost when the caller has checked it as ``legal`` does (``_best``, with
        the same view and environment): it is not checked again."""
        lever = self.bot.rb.levers[lid]
        if lid in self.used or len(self.chosen) >= self.limit:
            return False
        rb = self.bot.rb
        if any(h == lid and not level_kept_after(rb, lever, p, params, self.env) for h, p in self.held):
            return False
        entry = lever_entries(self.view).get(lid)
        if entry is None:  # not on this team's orders screen (a view taken outside the orders phase)
            return False
        seat = entry["seat"]
        if self.per_seat.get(seat, 0) >= self.seat_limits.get(seat, self.limit):
            return False
        visibility = vis or ("public" if lever.visibility in ("public", "choice") else lever.visibility)
        if lever.visibility != "choice":
            visibility = lever.visibility
        cost = (
            known
            if known is not None
            else legal(self.bot, self.view, self.env, lever, params, visibility == "public")
        )
        if cost is None or cost > self.pc + 1e-9:
            return False
        # built without re-validation: the bot assembles it from the rulebook's own names and ranges
        order = make(Order, lever=lid, params=dict(params), visibility=visibility)
        self.chosen.append((order, cost, why))
        self.per_seat[seat] = self.per_seat.get(seat, 0) + 1
        self.used.add(lid)
        self.pc -= cost
        return True


def play_orders(bot: Character, view: dict[str, Any], env: dict[str, Any]) -> list[Decision]:
    """The orders phase: hard rules, then commitments, then forced plays, then utility, then praise."""
    picks = _Picks(bot, view, env)
    plays = _hard_rules(picks)
    _commitments(picks)
    _forced_plays(picks, plays)
    _by_utility(picks)
    _praise(picks)
    rb = bot.rb
    cmd = make(SubmitOrders, orders=[o for o, _, _ in picks.chosen], statement=picks.statement)
    reasons = (
        "; ".join(f"{rb.levers[o.lever].code}: {why}" for o, _, why in picks.chosen)
        or "no order worth its cost"
    )
    return [*picks.notes, Decision(cmd, reasons, "orders")]


def _hard_rules(picks: _Picks) -> list[tuple[str, Any]]:
    """The persona's hard rules that hold: their bans and statement now, their forced plays returned."""
    bot, view, env = picks.bot, picks.view, picks.env
    plays: list[tuple[str, Any]] = []
    for rule in bot.order_rules(env, view):
        picks.never |= set(rule.never)
        if rule.play is not None:
            plays.append((rule.id, rule))
        if rule.statement is not None and picks.statement is None:
            picks.statement = make(
                StatementOrder,
                kind=rule.statement.kind,
                target=rule.statement.target,
                text=rule.message
                or bot.line("open", view, [rule.statement.target] if rule.statement.target else []),
            )
            picks.notes.append(
                Decision(
                    make(
                        Note,
                        text=f"statement {rule.statement.kind} -> {rule.statement.target}: "
                        f"{rule.id}: {rule.reason}",
                        decision="statement",
                    ),
                    rule.reason,
                    "statement",
                )
            )
    return plays


def _commitments(picks: _Picks) -> None:
    """The team's clauses due this turn: honoured, unless the persona reneges on a clause it dislikes."""
    bot, view, env = picks.bot, picks.view, picks.env
    team = bot.team
    for a in view["agreements"]:
        if a["status"] not in ("signed", "active") or team not in a["parties"]:
            continue
        for ci, c in enumerate(a["clauses"]):
            start, dur = int(c["start_turn"]), max(int(c["duration"]), 1)
            if c["actor"] != team or not (start <= view["turn"] <= start + dur - 1):
                continue
            lever = bot.rb.levers[c["lever"]]
            if level_holds(lever, c["params"], env):  # kept by the level that stands: nothing to pay
                picks.held.append((c["lever"], dict(c["params"])))
                continue
            u, _ = order_utility(bot, env, lever, c["params"], a["visibility"] == "public", None)
            renege_prob = bot.persona.model.renege_prob
            if u < 0 and bot.roll(view, f"renege:{a['id']}:{ci}") < renege_prob:
                picks.notes.append(
                    Decision(
                        make(
                            Note,
                            text=f"breaks clause {ci + 1} of {a['id']} ({lever.code}): "
                            f"own utility {u:+.2f}, renege chance {renege_prob}",
                            decision="renege",
                        ),
                        "renege",
                        "renege",
                    )
                )
                picks.never.add(c["lever"])
                continue
            if c["lever"] not in picks.never:
                picks.take(
                    c["lever"],
                    dict(c["params"]),
                    a["visibility"],
                    f"honours clause {ci + 1} of {a['id']}",
                )


def _forced_plays(picks: _Picks, plays: list[tuple[str, Any]]) -> None:
    """The plays the holding hard rules force, with the lever's defaults for parameters they leave open;
    those whose capital the bot kept when it weighed its deals (``reserve``) first, or another forced
    play spends it."""
    for rid, rule in sorted(plays, key=lambda p: not p[1].reserve):
        plan = rule.play
        if plan.lever in picks.never and plan.lever not in picks.used:
            continue
        lever = picks.bot.rb.levers[plan.lever]
        params = {k: prm.default for k, prm in lever.params.items()}
        params.update(plan.params)
        picks.take(plan.lever, params, plan.visibility, f"{rid}: {rule.reason}")


def _by_utility(picks: _Picks) -> None:
    """The rest of the orders by utility: each lever's best parameters and visibility, best lever first."""
    bot, view, env = picks.bot, picks.view, picks.env
    scored: list[tuple[float, str, dict[str, Any], str, float]] = []
    entries = lever_entries(view)
    never, used = picks.never, picks.used
    free = view.get("free_levers", [])
    for cand in candidates(bot):
        lid = cand[0]
        if lid in never or lid in used:
            continue
        entry = entries.get(lid)
        if entry is None or not entry["available"]:
            continue
        best = _best(bot, env, cand, entry, lid in free)
        if best is not None and best[0] > 0.05:
            scored.append((best[0], lid, best[1], best[2], best[3]))
    scored.sort(key=lambda s: (-s[0], s[1]))
    chosen = picks.chosen
    for u, lid, params, vis, cost in scored:
        if len(chosen) >= picks.limit:
            break
        # the reason is worked out only for an order taken (a sixth of them are not: capital, seat
        # limits); taking reads nothing the reason reads, and the environment is left as it was
        if picks.take(lid, params, vis, "", cost):
            lever = bot.rb.levers[lid]
            _, why = order_utility(bot, env, lever, params, vis == "public", cost, explain=True)
            order, paid, _ = chosen[-1]
            chosen[-1] = (order, paid, f"utility {u:+.2f} ({', '.join(why)})")


def _best(
    bot: Character, env: dict[str, Any], cand: _Candidate, entry: dict[str, Any], free: bool
) -> tuple[float, dict[str, Any], str, float] | None:
    """The lever's best legal parameters and visibility by utility: (utility, params, visibility, cost).

    Only levers the orders screen shows available get here. A default choice costs what the screen
    shows; any other is checked as ``legal`` checks it (the lever seen exactly, its preconditions, its
    cost), with what does not change between choices looked up once per lever rather than per choice.
    """
    _lid, lever, w, vises, sees, static = cand
    best: tuple[float, dict[str, Any], str, float] | None = None
    shown = float(entry["cost"])
    for var in static if static is not None else variants(bot, lever, env):
        params = var.params
        for vis, public in vises:
            worked = var.worked
            cost: float | None = shown
            if not var.default:
                if not sees:
                    continue
                fixed = worked.costs.get(public)
                if fixed is None:
                    fixed = worked.costs[public] = _fixed_cost(lever, params, public)
                if not fixed[0]:
                    cost = _cost(env, lever, params, public, free)
                elif fixed[1] is not None:
                    cost = 0.0 if free else fixed[1]
                else:
                    cost = None  # a precondition fails with these parameters, whatever the rest
            if cost is None:
                continue
            spec = worked.specs.get(public)
            if spec is None:
                spec = worked.specs[public] = specialise(lever, w, params, public)
            u = spec.before_cost
            if u is not None:  # the environment only decides whether a target is a yes/no value
                for target in spec.targets:
                    if isinstance(env.get(target, 0.0), bool):
                        u = None
                        break
            if u is None:
                u = utility_of(env, lever, w, params, public, cost, spec.terms, spec.reads_own)
            elif cost:
                u += -w.pc_aversion * cost / 3
            if best is None or u > best[0]:
                best = (u, params, vis, cost)
    return best


def _cost(
    env: dict[str, Any], lever: CLever, params: dict[str, Any], public: bool, free: bool
) -> float | None:
    """``legal``'s own check of non-default parameters, for a lever the bot sees exactly and the orders
    screen shows available: the cost, or None when a precondition fails."""
    for k, v in params.items():
        env[f"param.{k}"] = v
    env["act.public"] = public
    try:
        for cond, _ in lever.preconditions:  # a loop, not all() over a generator: called per choice
            if not cond.fn(env):
                return None
        return 0.0 if free else max(0.0, float(lever.cost.fn(env)))
    finally:
        for k in params:
            env.pop(f"param.{k}", None)
        env.pop("act.public", None)


def _fixed_cost(lever: CLever, params: dict[str, Any], public: bool) -> tuple[bool, float | None]:
    """``_cost`` when the preconditions and cost read only the order's parameters and visibility (most
    levers' do): (True, what it gives when the lever is not free); (False, None) when it depends on more.

    The preconditions are met in ``_cost``'s order, so one that fails settles it before any that reads
    more; the cost is worked out even where ``_cost`` would not (a free lever), so an error in it leaves
    the choice to ``_cost``.
    """
    ctx: dict[str, Any] = {f"param.{k}": v for k, v in params.items()}
    ctx["act.public"] = public
    for cond, _ in lever.preconditions:
        if not _own(cond.names):
            return False, None
        if not cond.fn(ctx):
            return True, None
    if not _own(lever.cost.names):
        return False, None
    try:
        return True, max(0.0, float(lever.cost.fn(ctx)))
    except (ArithmeticError, KeyError, TypeError, ValueError):
        return False, None


def _own(names: frozenset[str]) -> bool:
    return all(n.startswith("param.") or n == "act.public" for n in names)


def _praise(picks: _Picks) -> None:
    """Now and then, with no statement yet, public praise for the most trusted partner (at 50 or more)."""
    bot, view, env = picks.bot, picks.view, picks.env
    team = bot.team
    if picks.statement is None and bot.roll(view, "statement") < bot.persona.model.statement_rate:
        partners = [t for t in TEAMS if t != team]
        best_t = max(partners, key=lambda t: (env.get(f"trust.{pair(team, t)}", 0), -TEAMS.index(t)))
        if env.get(f"trust.{pair(team, best_t)}", 0) >= 50:
            picks.statement = make(
                StatementOrder, kind="praise", target=best_t, text=bot.line("accept", view, [best_t])
            )
            picks.notes.append(
                Decision(
                    make(Note, text=f"praises {best_t}, its most trusted partner", decision="statement"),
                    "praise",
                    "statement",
                )
            )
