"""Scripted bots: seeded, explainable players that fill empty seats and play batch runs.

A bot is handed exactly the view a human of its team gets (``views.view``) and nothing else: its
persona's conditions were checked at load time against the names that view provides. Each turn it
follows the decision loop of docs/bots.md: read the (lagged, noisy) dashboard, score orders and
proposals with its persona's utility, let hard rules override utility, answer proposals against its
reservation and trust, table its preferred package, honour (or, rarely, break) its commitments, and
give orders within its political capital. Every decision comes with a one-line reason, logged for the
facilitator and the after-action review only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from precursor.game.commands import (
    Actor,
    Clause,
    Command,
    CommandEnvelope,
    Note,
    Order,
    Propose,
    Respond,
    SendMessage,
    Snapback,
    StatementOrder,
    SubmitOrders,
)
from precursor.game.expr import HISTORY_KEY
from precursor.game.months import add_months
from precursor.game.negotiation import CHINA_FRAMINGS
from precursor.game.persona_rules import CPersona
from precursor.game.rng import roll

# imported at run time: a compiled dataclass resolves its field types when the module loads
from precursor.game.rulebook import CLever, Rulebook
from precursor.game.schema import TEAMS
from precursor.game.teams import pair
from precursor.game.views import (
    MODE_BOOL,
    MODE_EXACT,
    MODE_LAGGED,
    MODE_LIVE,
    MODE_NOISY_NOW,
    WINDOWS,
    dashboard_plan,
    fog_noise,
    fogged_point,
    lever_counts,
    levers_for,
)

if TYPE_CHECKING:
    from precursor.game.engine import Game


M = TypeVar("M", bound=BaseModel)
_SHAPES: dict[type[Any], tuple[tuple[str, Any], ...]] = {}
_GIVEN = object()  # a field with a default factory: callers of _make always give it


def _make(cls: type[M], **values: Any) -> M:
    """``cls.model_construct(**values)`` (the same field values in the same order, the same fields set),
    for the few command models bots build by the hundred per game, without model_construct's per-field
    alias handling. Fields not given take their plain defaults. A test checks the two agree."""
    shape = _SHAPES.get(cls)
    if shape is None:
        shape = _SHAPES[cls] = tuple(
            (name, _GIVEN if f.default_factory is not None else f.default)
            for name, f in cls.model_fields.items()
        )
    fields: dict[str, Any] = {}
    for name, default in shape:
        if name in values:
            fields[name] = values[name]
        elif default is _GIVEN:
            raise TypeError(f"{cls.__name__}.{name} has a default factory: give it")
        else:
            fields[name] = default
    m = cls.__new__(cls)
    object.__setattr__(m, "__dict__", fields)
    object.__setattr__(m, "__pydantic_fields_set__", set(values))
    object.__setattr__(m, "__pydantic_extra__", None)
    object.__setattr__(m, "__pydantic_private__", None)
    return m


@dataclass(slots=True)
class Decision:
    command: Command
    reason: str
    decision: str


# ---------------------------------------------------------------------- what a team can compute from its view


def _exact(rb: Rulebook, name: str, team: str) -> bool:
    """Whether the team's view gives a name's true current value (so the bot's checks match the engine's)."""
    ind = rb.indicators.get(name)
    if ind is not None:
        if ind.owner == team:
            return True
        fog = ind.fog_by_team.get(team, ind.fog)  # type: ignore[call-overload]
        return ind.public and not fog.hidden and fog.lag == 0 and fog.noise == 0
    if name.startswith(("played.", "streak.", "count.")):
        lv = rb.levers.get(name.split(".", 1)[1])
        return lv is not None and lv.team == team
    return name.startswith(("param.", "act.", "window.", "module.")) or name in (
        "turn",
        "turns",
        "month",
        "month_index",
        "months_per_turn",
    )


_TEMPLATES: dict[int, dict[str, Any]] = {}


def _template(rb: Rulebook) -> dict[str, Any]:
    """The names every bot environment has, with neutral values; copied, then filled from a view."""
    tpl = _TEMPLATES.get(rb.serial)
    if tpl is None:
        from precursor.game.engine import static_names

        tpl = dict(static_names(rb))  # lever counters, windows, modules, tallies: as at a game's start
        for iid, ind in rb.indicators.items():
            tpl[iid] = ind.default
            tpl[f"start.{iid}"] = ind.default
            tpl[f"mean.{iid}"] = ind.default
            tpl[f"trend.{iid}"] = 0.0
        _TEMPLATES[rb.serial] = tpl
    return tpl


_NAMES: dict[int, dict[str, tuple[str, str, str]]] = {}


def _names(rb: Rulebook) -> dict[str, tuple[str, str, str]]:
    names = _NAMES.get(rb.serial)
    if names is None:
        names = {iid: (f"trend.{iid}", f"start.{iid}", f"mean.{iid}") for iid in rb.indicators}
        _NAMES[rb.serial] = names
    return names


def env_from_view(rb: Rulebook, view: dict[str, Any]) -> dict[str, Any]:
    """An expression environment built only from a view: displayed values, the scenario's public
    starting values, and the rulebook's defaults for whatever the team cannot see."""
    env = _start_env(rb, view.get("start", {}))
    hist: dict[str, list[float]] = {}
    env[HISTORY_KEY] = hist
    names = _names(rb)
    for item in view["indicators"]:
        _show(env, hist, names, item)
    _overlay(env, view)
    return env


def _start_env(rb: Rulebook, start: dict[str, Any]) -> dict[str, Any]:
    """The neutral environment with the scenario's public starting values laid over it."""
    env: dict[str, Any] = dict(_template(rb))
    names = _names(rb)
    for iid, v in start.items():
        _, start_k, mean_k = names[iid]
        env[iid] = v
        env[start_k] = v
        env[mean_k] = v
    return env


def _show(
    env: dict[str, Any],
    hist: dict[str, list[float]],
    names: dict[str, tuple[str, str, str]],
    item: dict[str, Any],
) -> None:
    """One dashboard entry into the environment: its value, its series (for ``lag``) and its trend."""
    iid = item["id"]
    env[iid] = item["value"]
    series = item.get("trend") or [item["value"]]
    hist[iid] = series  # read-only: lag() indexes it
    if len(series) >= 4 and series[-4]:
        env[names[iid][0]] = (series[-1] - series[-4]) / abs(series[-4]) * 100


def _overlay(env: dict[str, Any], view: dict[str, Any]) -> None:
    """The parts of a view that change without the dashboard changing: clock, windows, counts, capital."""
    sc = view["scenario"]
    env.update(
        {
            "turn": view["turn"],
            "turns": sc["turns"],
            "months_per_turn": sc["months_per_turn"],
            "month": int(view["date"][5:7]) if view.get("date") else 1,
            "month_index": (view["turn"] - 1) * sc["months_per_turn"],
        }
    )
    for k, v in view.get("windows", {}).items():
        env[f"window.{k}"] = v
    for k, v in view.get("modules", {}).items():
        env[f"module.{k}"] = v
    count_keys = _COUNT_KEYS
    for lid, c in view.get("counts", {}).items():
        keys = count_keys.get(lid)
        if keys is None:
            keys = count_keys[lid] = (f"played.{lid}", f"streak.{lid}", f"count.{lid}")
        env[keys[0]] = c["played"]
        env[keys[1]] = c["streak"]
        env[keys[2]] = c["count"]
    for t, v in view.get("pc", {}).items():
        env[f"{t}.pc"] = v


_COUNT_KEYS: dict[str, tuple[str, str, str]] = {}  # lever id -> its played., streak. and count. names


def _visibilities(lever: CLever) -> tuple[str, ...]:
    """Visibilities worth comparing: both only when the choice changes what the order does."""
    if lever.visibility != "choice":
        return (lever.visibility,)
    differs = lever.sov_public != lever.sov_private or any(ce.visibility != "any" for ce in lever.effects)
    return ("public", "private") if differs else ("public",)


_PROP_DEFAULTS: dict[int, dict[str, bool]] = {}
_REJECT_READS: dict[tuple[int, str], frozenset[str]] = {}


def _prop_defaults(rb: Rulebook) -> dict[str, bool]:
    d = _PROP_DEFAULTS.get(rb.serial)
    if d is None:
        d = {}
        for lid in rb.levers:
            d[f"prop.gives.{lid}"] = False
            d[f"prop.asks.{lid}"] = False
        _PROP_DEFAULTS[rb.serial] = d
    return d


# One weighed effect, ready to score: when, value, its constant, chance, its constant, the term's
# constant utility, target, op, weight, per, and the lag discount. An expression that only reads the
# order's own parameters is worked out once per parameter choice (``_specialise``) and left as None, its
# value taking the constant's place; a term that can never apply with those parameters is left out.
_Term = tuple[Any, Any, Any, Any, float, float | None, str, str, float, float, float]
_Weighted = tuple[Any, float, float]  # a lever effect, with the persona's weight and per


@dataclass(frozen=True, slots=True)
class _Weighed:
    """What one persona weighs in one lever; fixed per rulebook, so computed once."""

    public: tuple[_Term, ...]  # the weighed effects an order given in public has
    private: tuple[_Term, ...]  # ... and one given in private
    public_effects: tuple[_Weighted, ...]  # the same, as effects (for ``_specialise``)
    private_effects: tuple[_Weighted, ...]
    any_effect: bool  # whether the persona weighs any of the lever's effects at all
    st_w: float  # weight per point of sovereignty tension (US personas)
    tags: float  # the sum of the persona's weights for the lever's tags
    reads: frozenset[str]  # the names the weighed effects read


@dataclass(slots=True)
class _Variant:
    """One parameter choice of a lever, with its terms worked out per visibility when they can be."""

    params: dict[str, Any]
    default: bool  # the lever's default parameters (whose cost the orders screen shows)
    # by visibility (public?): the specialised terms, and whether they still read ``param.*`` or
    # ``act.public``; None when the choice depends on the environment and is not kept
    specs: dict[bool, tuple[tuple[_Term, ...], bool]] | None


def _own(names: frozenset[str]) -> bool:
    """Whether an expression reads only the order's own parameters and visibility."""
    return all(n.startswith("param.") or n == "act.public" for n in names)


def _generic(ce: Any, weight: float, per: float) -> _Term:
    return (
        ce.when.fn if ce.when is not None else None,
        ce.value.fn,
        None,
        ce.chance.fn if ce.chance is not None else None,
        1.0,
        None,
        ce.target,
        ce.op,
        weight,
        per,
        0.98**ce.lag,
    )


def _specialise(
    effects: tuple[_Weighted, ...], params: dict[str, Any], public: bool
) -> tuple[tuple[_Term, ...], bool]:
    """The terms for one parameter choice and visibility, with what depends on those alone worked out.

    Exactly what ``Bot.order_utility`` would compute: an expression of the parameters has the same value
    in any environment, one that cannot be computed (a missing parameter) skips its term wherever it is
    met, and the constant utility of an ``add`` term is the same product, in the same order.
    """
    ctx: dict[str, Any] = {f"param.{k}": v for k, v in params.items()}
    ctx["act.public"] = public
    out: list[_Term] = []
    reads_own = False
    for ce, weight, per in effects:
        when = ce.when.fn if ce.when is not None else None
        value: Any = ce.value.fn
        chance = ce.chance.fn if ce.chance is not None else None
        v: Any = None
        prob = 1.0
        try:
            if when is not None and _own(ce.when.names):
                if not when(ctx):
                    continue  # never applies with these parameters
                when = None
            if _own(ce.value.names):
                v = value(ctx)
                value = None
                if isinstance(v, bool):
                    continue
            if chance is not None and _own(ce.chance.names):
                prob = float(chance(ctx))
                chance = None
        except (KeyError, TypeError, ZeroDivisionError):
            continue  # cannot be computed with these parameters: skipped wherever it is met
        for fn, expr in ((when, ce.when), (value, ce.value), (chance, ce.chance)):
            if fn is not None and any(n.startswith("param.") or n == "act.public" for n in expr.names):
                reads_own = True
        lag_f = 0.98**ce.lag
        u = weight * v / per * prob * lag_f if ce.op == "add" and value is None and chance is None else None
        out.append((when, value, v, chance, prob, u, ce.target, ce.op, weight, per, lag_f))
    return tuple(out), reads_own


_WEIGHED: dict[tuple[int, str, str], _Weighed] = {}
_DEFAULTS: dict[tuple[int, str], dict[str, Any]] = {}
_SEES_EXACTLY: dict[tuple[int, str, str], bool] = {}
_TEAM_LEVERS: dict[tuple[int, str], list[tuple[str, CLever]]] = {}
# Parameter choices per (rulebook, persona, lever) that do not depend on the environment (levers whose
# parameter sets a level are compared around the current level, so theirs are worked out every time).
_VARIANTS: dict[tuple[int, str, str], list[_Variant]] = {}
_CANDIDATES: dict[tuple[int, str], list[tuple[str, CLever, _Weighed, tuple[tuple[str, bool], ...]]]] = {}


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
        hit = all(_exact(rb, n, team) for n in names)
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


# ---------------------------------------------------------------------- the bot


# How far below its acceptance threshold a proposal may fall for a bot to answer with a counter-proposal
# rather than a rejection (utility units; 0.5 is what 20 points of trust add to the threshold).
NEAR_MISS = 0.5


@dataclass
class Bot:
    rb: Rulebook
    team: str
    persona_id: str
    seed: int
    history: list[str] = field(default_factory=list)  # persona ids it switched through
    tabled: set[int] = field(default_factory=set)  # turns in which it tabled its package
    countered: set[int] = field(default_factory=set)  # turns in which it tabled a counter-proposal
    # the environment as of the last view, with the dashboard entries and starting values it was built from
    _env: dict[str, Any] | None = None
    _shown: list[dict[str, Any]] | dict[str, Shown] | None = None
    _start: dict[str, Any] | None = None
    # the view parts last laid over it (clock, capital, windows, modules, lever counts): bot views share
    # them while no value changes (see bot_view), and then there is nothing to lay over again
    _overlaid: tuple[Any, ...] | None = None

    def _environment(self, view: dict[str, Any]) -> dict[str, Any]:
        """The view as an expression environment, kept from one view to the next.

        Views share dashboard entries that have not changed (``views.indicators_for``, ``bot_dashboard``),
        so only the entries that are new objects are read again. The environment is the bot's own: a
        decision that adds names to it (``param.*``, ``act.public``, ``prop.*``) takes them out again
        before it returns.
        """
        env = self._env
        start: dict[str, Any] = view.get("start", {})
        dash: dict[str, Shown] | None = view.get("dashboard")
        shown = view["indicators"] if dash is None else dash
        kept = self._shown
        if env is None or kept is None or start is not self._start or type(kept) is not type(shown):
            env = self._build(view, start, dash)
        elif shown is not kept:
            if dash is not None:
                assert isinstance(kept, dict)
                self._read_dashboard(env, dash, kept)
                _overlay(env, view)
            elif not self._read_indicators(env, view["indicators"], kept):
                env = self._build(view, start, dash)
            else:
                _overlay(env, view)
        else:
            laid = self._overlaid
            if laid is None or any(view.get(k) is not x for k, x in zip(_VALUE_PARTS, laid, strict=True)):
                _overlay(env, view)  # the same dashboard, but another clock or other values
        self._env, self._shown, self._start = env, shown, start
        self._overlaid = tuple(view.get(k) for k in _VALUE_PARTS)
        return env

    def _build(
        self, view: dict[str, Any], start: dict[str, Any], dash: dict[str, Shown] | None
    ) -> dict[str, Any]:
        if dash is None:
            return env_from_view(self.rb, view)
        env = _start_env(self.rb, start)
        env[HISTORY_KEY] = {}
        self._read_dashboard(env, dash, {})
        _overlay(env, view)
        return env

    def _read_dashboard(self, env: dict[str, Any], dash: dict[str, Shown], kept: dict[str, Shown]) -> None:
        """Bot-dashboard entries into the environment (those that are not the same objects as before)."""
        hist: dict[str, list[Any]] = env[HISTORY_KEY]
        names = _names(self.rb)
        tpl = _template(self.rb)
        for key, entry in dash.items():
            if kept.get(key) is entry:
                continue
            value, trend, series = entry
            env[key] = value
            trend_k = names[key][0]
            env[trend_k] = tpl[trend_k] if trend is None else trend
            if series is not None:
                hist[key] = series

    def _read_indicators(self, env: dict[str, Any], items: list[dict[str, Any]], kept: Any) -> bool:
        """Full-dashboard entries into the environment; False when the layout differs (build afresh)."""
        if len(items) != len(kept):
            return False
        hist: dict[str, list[float]] = env[HISTORY_KEY]
        names = _names(self.rb)
        tpl = _template(self.rb)
        for item, old in zip(items, kept, strict=True):
            if item is old:
                continue
            iid = item["id"]
            if iid != old["id"]:
                return False
            trend_k = names[iid][0]
            value = env[iid] = item["value"]
            series = hist[iid] = item.get("trend") or [value]
            if len(series) >= 4 and series[-4]:
                env[trend_k] = (series[-1] - series[-4]) / abs(series[-4]) * 100
            else:
                env[trend_k] = tpl[trend_k]
        return True

    def forget(self) -> None:
        """Drop the environment kept from earlier views (the next view builds it afresh)."""
        self._env = self._shown = self._start = self._overlaid = None

    @property
    def persona(self) -> CPersona:
        return self.rb.personas[self.persona_id]

    def _roll(self, view: dict[str, Any], label: str) -> float:
        return roll(self.seed, f"bot:{self.team}:{view['turn']}:{view['phase']}:{label}")

    def _holds(
        self, rule_when: Any, rule_chance: Any, env: dict[str, Any], view: dict[str, Any], label: str
    ) -> bool:
        if rule_when is not None and not rule_when.fn(env):
            return False
        if rule_chance is not None:
            return self._roll(view, label) < float(rule_chance.fn(env))
        return True

    @staticmethod
    def _clause_cost(env: dict[str, Any], lever: CLever, params: dict[str, Any]) -> float:
        """A clause's cost in political capital with its parameters; 1 when the view cannot tell."""
        for k, v in params.items():
            env[f"param.{k}"] = v
        try:
            return float(lever.cost.fn(env))
        except (KeyError, TypeError):
            return 1.0
        finally:
            for k in params:
                env.pop(f"param.{k}", None)

    # ------------------------------------------------------------------ utility

    def _weighed(self, lever: CLever) -> _Weighed:
        """The lever's effects this persona weighs, and its fixed sovereignty and tag terms (cached)."""
        key = (self.rb.serial, self.persona_id, lever.id)
        hit = _WEIGHED.get(key)
        if hit is None:
            p = self.persona
            weighed = [ce for ce in lever.effects if ce.target in p.var_weights]
            reads: set[str] = set()
            for ce in weighed:
                reads |= ce.value.names
                if ce.when is not None:
                    reads |= ce.when.names
                if ce.chance is not None:
                    reads |= ce.chance.names

            def effects(public: bool) -> tuple[_Weighted, ...]:
                return tuple(
                    (ce, *p.var_weights[ce.target])
                    for ce in weighed
                    if ce.visibility == "any" or (ce.visibility == "public") == public
                )

            pub, priv = effects(True), effects(False)
            st_w = 0.0
            if self.team == "us" and "mx.st" in p.var_weights:
                w, per = p.var_weights["mx.st"]
                st_w = w / per
            tags = sum(p.tag_weights.get(tag, 0.0) for tag in lever.tags)
            hit = _Weighed(
                tuple(_generic(*e) for e in pub),
                tuple(_generic(*e) for e in priv),
                pub,
                priv,
                bool(weighed),
                st_w,
                tags,
                frozenset(reads),
            )
            _WEIGHED[key] = hit
        return hit

    def order_utility(
        self,
        env: dict[str, Any],
        lever: CLever,
        params: dict[str, Any],
        public: bool,
        cost: float | None,
        explain: bool = False,
        spec: tuple[tuple[_Term, ...], bool] | None = None,
    ) -> tuple[float, list[str]]:
        """Persona utility of one order; with ``explain``, also the terms that mattered most (the reason).

        ``spec`` is the order's terms already specialised to its parameters (``_specialise``).
        """
        w = self._weighed(lever)
        if spec is None:
            effects, reads_own = w.public if public else w.private, True
        else:
            effects, reads_own = spec
        if reads_own:
            for k, v in params.items():
                env["param." + k] = v
            env["act.public"] = public
        terms: dict[str, float] = {}
        total = 0.0
        try:
            for when, value, v, chance, prob, u, target, op, weight, per, lag_f in effects:
                if when is not None or value is not None or chance is not None:
                    try:
                        if when is not None and not when(env):
                            continue
                        if value is not None:
                            v = value(env)
                        if chance is not None:
                            prob = float(chance(env))
                    except (KeyError, TypeError, ZeroDivisionError):
                        continue
                cur = env.get(target, 0.0)
                if isinstance(v, bool) or isinstance(cur, bool):
                    continue
                if u is None:
                    if op == "add":
                        d = v
                    elif op == "mul":
                        d = cur * (v - 1)
                    elif op == "set":
                        d = v - cur
                    elif op == "min":
                        d = min(cur, v) - cur
                    else:
                        d = max(cur, v) - cur
                    u = weight * d / per * prob * lag_f
                total += u
                if explain:
                    terms[target] = terms.get(target, 0.0) + u
        finally:
            if reads_own:
                for k in params:
                    env.pop("param." + k, None)
                env.pop("act.public", None)
        st_w, tag_total = w.st_w, w.tags
        if st_w and (lever.sov_public or lever.sov_private):
            u = st_w * (lever.sov_public if public else lever.sov_private)
            total += u
            terms["mx.st"] = terms.get("mx.st", 0.0) + u
        if tag_total:
            total += tag_total
            terms["#tags"] = tag_total
        if cost:
            c = -self.persona.model.pc_aversion * cost / 3
            total += c
            terms["cost"] = c
        if not explain:
            return total, []
        top = sorted(terms.items(), key=lambda kv: -abs(kv[1]))[:3]
        return total, [f"{k} {v:+.2f}" for k, v in top]

    # ------------------------------------------------------------------ phases

    def decide(self, view: dict[str, Any]) -> list[Decision]:
        phase = view["phase"]
        env = self._environment(view)
        if phase == "negotiation":
            return self._negotiate(view, env)
        if phase == "orders":
            return self._orders(view, env)
        return []

    def _switch(self, view: dict[str, Any], env: dict[str, Any]) -> list[Decision]:
        for i, sw in enumerate(self.persona.switches):
            if sw.to == self.persona_id or sw.to in self.history[-1:]:
                continue
            if self._holds(sw.when, sw.chance, env, view, f"switch{i}"):
                old = self.persona_id
                self.history.append(old)
                self.persona_id = sw.to
                return [
                    Decision(
                        Note(text=f"persona {old} -> {sw.to}: {sw.reason}", decision="switch"),
                        sw.reason,
                        "switch",
                    )
                ]
        return []

    def _negotiate(self, view: dict[str, Any], env: dict[str, Any]) -> list[Decision]:
        out = self._switch(view, env)
        p = self.persona
        # answer what is addressed to us
        for prop in view["proposals"]:
            if prop["status"] != "open" or self.team not in prop["parties"] or self.team in prop["accepted"]:
                continue
            out.append(self._answer(view, env, prop))
        # table the preferred package, once a turn, when the relationship allows it
        pk = p.model.package
        turn = view["turn"]
        if pk is not None and turn not in self.tabled:
            partners = [t for t in pk.partner if t != self.team]
            trust = [env.get(f"trust.{pair(self.team, t)}", 50) for t in partners]
            mine = [a for a in view["agreements"] if a["proposal"].split("-")[1] == self.team.upper()]
            already = any(
                a["status"] in ("signed", "active")
                or (a["status"] == "completed" and a["ends_turn"] >= turn - 2)
                for a in mine
            )
            own_cost = 0.0
            for c in pk.clauses:
                lv = self.rb.levers[c.lever]
                if c.actor == self.team and not (lv.once and env.get(f"count.{lv.id}", 0) >= 1):
                    own_cost += self._clause_cost(env, lv, c.params)
            affordable = own_cost + self._committed_cost(view, env) <= float(view["pc"][self.team])
            if partners and min(trust) >= 30 and not already and affordable:
                self.tabled.add(turn)
                clauses = [
                    Clause(actor=c.actor, lever=c.lever, params=dict(c.params), start_turn=turn, duration=2)
                    for c in pk.clauses
                ]
                parties: list[Any] = sorted({self.team, *partners}, key=lambda t: TEAMS.index(t))
                cmd = Propose(
                    parties=parties,
                    clauses=clauses,
                    visibility=pk.visibility,
                    framing=pk.framing,
                    verification=pk.verification,
                    modules=list(pk.modules),
                    linkage=pk.linkage,
                    expires_turn=turn + 1,
                    note=self._line("propose", view),
                )
                out.append(
                    Decision(
                        cmd,
                        f"tables its preferred package to {', '.join(partners)} "
                        f"(trust {min(trust):.0f} >= 30)",
                        "propose",
                    )
                )
        # a short line in the persona's voice
        if p.model.voice.open and self._roll(view, "talk") < p.model.statement_rate:
            partner = pk.partner[0] if pk and pk.partner else next(t for t in TEAMS if t != self.team)
            text = self._line("open", view)
            out.append(
                Decision(
                    SendMessage(channel=pair(self.team, partner), text=text),
                    f"speaks to {partner} in its persona's voice",
                    "message",
                )
            )
        return out

    def _line(self, kind: str, view: dict[str, Any]) -> str:
        lines = getattr(self.persona.model.voice, kind) or self.persona.model.voice.open or ["."]
        return str(lines[int(self._roll(view, f"line:{kind}") * len(lines)) % len(lines)])

    def _prop_names(self, prop: dict[str, Any]) -> dict[str, Any]:
        """The ``prop.*`` names a persona's rules may read about one proposal."""
        penv: dict[str, Any] = dict(_prop_defaults(self.rb))
        self._fill_prop_names(penv, prop)
        return penv

    def _fill_prop_names(self, penv: dict[str, Any], prop: dict[str, Any]) -> None:
        penv["prop.linkage"] = bool(prop.get("linkage"))
        penv["prop.public"] = prop["visibility"] == "public"
        penv["prop.trilateral"] = {"us", "mx", "ca"} <= set(prop["parties"])
        penv["prop.framing"] = prop.get("framing", "none")
        penv["prop.parties"] = len(prop["parties"])
        penv["prop.modules"] = len(prop.get("modules", []))
        for c in prop["clauses"]:
            key = "asks" if c["actor"] == self.team else "gives"
            penv[f"prop.{key}.{c['lever']}"] = True

    def _reject_names(self, prop: dict[str, Any]) -> dict[str, Any]:
        """The ``prop.*`` names this persona's ``reject_if`` rules read, for one proposal."""
        key = (self.rb.serial, self.persona_id)
        wanted = _REJECT_READS.get(key)
        if wanted is None:
            read: set[str] = set()
            for rule in self.persona.hard_rules:
                if rule.reject_if is not None:
                    read |= {n for n in rule.reject_if.names if n.startswith("prop.")}
            wanted = _REJECT_READS[key] = frozenset(read)
        defaults = _prop_defaults(self.rb)
        penv: dict[str, Any] = {k: defaults[k] for k in wanted if k in defaults}
        self._fill_prop_names(penv, prop)
        return {k: v for k, v in penv.items() if k in wanted}

    def _answer(self, view: dict[str, Any], env: dict[str, Any], prop: dict[str, Any]) -> Decision:
        p = self.persona
        names = self._reject_names(prop)
        env.update(names)  # read by reject_if only, and taken out again below
        try:
            for rule in p.hard_rules:
                if rule.reject_if is not None and rule.reject_if.fn(env):
                    return Decision(
                        Respond(proposal=prop["id"], action="reject"), f"{rule.id}: {rule.reason}", "reject"
                    )
        finally:
            for k in names:
                env.pop(k, None)
        total = 0.0
        own_cost = 0.0
        public = prop["visibility"] == "public"
        weighed: list[tuple[dict[str, Any], float, float]] = []  # clause, its utility, its cost to us
        for c in prop["clauses"]:
            lever = self.rb.levers[c["lever"]]
            cost = None
            mine = 0.0
            if c["actor"] == self.team:
                cost = self._clause_cost(env, lever, c["params"])
                if not (lever.once and env.get(f"count.{lever.id}", 0) >= 1):
                    mine = cost
                    own_cost += cost
            u, _ = self.order_utility(env, lever, c["params"], public, cost)
            total += u
            weighed.append((c, u, mine))
        total += self._module_bonus(prop)
        # a deal the team cannot pay for would be broken: commitments already due come first
        committed = self._committed_cost(view, env)
        pc = float(view["pc"][self.team])
        proposer = prop["from"]
        trust = float(env.get(f"trust.{pair(self.team, proposer)}", 50))
        finger = float(env.get(f"flag.finger_{pair(self.team, proposer)}", 0) or 0)
        threshold = 0.25 * p.model.reservation + (60 - trust) / 40 + (0.5 if finger >= 2 else 0)
        # a near miss is worth a counter; a deal far from acceptable is simply rejected
        if own_cost + committed > pc or threshold - NEAR_MISS <= total < threshold:
            counter = self._counter(view, env, prop, weighed, threshold, trust, pc - committed)
            if counter is not None:
                return counter
        if own_cost + committed > pc:
            return Decision(
                Respond(proposal=prop["id"], action="reject"),
                f"rejects {prop['id']}: its clauses cost {own_cost:g} political capital on top of "
                f"{committed:g} already committed, with {pc:g} available",
                "reject",
            )
        if total >= threshold:
            return Decision(
                Respond(proposal=prop["id"], action="accept"),
                f"accepts {prop['id']}: utility {total:+.2f} >= threshold {threshold:.2f} "
                f"(reservation {p.model.reservation}, trust {trust:.0f})",
                "accept",
            )
        return Decision(
            Respond(proposal=prop["id"], action="reject"),
            f"rejects {prop['id']}: utility {total:+.2f} < threshold {threshold:.2f} "
            f"(reservation {p.model.reservation}, trust {trust:.0f})",
            "reject",
        )

    def _module_bonus(self, prop: dict[str, Any]) -> float:
        """What the trilateral modules of a deal are worth to this persona, on top of its clauses."""
        if not prop.get("modules"):
            return 0.0
        return self.persona.tag_weights.get("trilateral", 0.0) + 0.2 * len(prop["modules"])

    def _counter(
        self,
        view: dict[str, Any],
        env: dict[str, Any],
        prop: dict[str, Any],
        weighed: list[tuple[dict[str, Any], float, float]],
        threshold: float,
        trust: float,
        budget: float,
    ) -> Decision | None:
        """A counter-proposal instead of a flat rejection, when one is worth making: the same deal without the
        one clause that costs this team most (never one its own package offers), and with one ask from
        its preferred package that the proposer would carry out. Made only if the counter clears the
        same threshold an acceptance must, fits the team's political capital, still has both sides
        give something, and leaves room for the team's own package within the turn's proposal limit;
        once a turn, and only to a partner trusted at 30 or more, the bar for tabling its own package.
        """
        turn = int(view["turn"])
        if view["phase"] != "negotiation" or turn in self.countered:
            return None
        pk = self.persona.model.package
        tabled = sum(1 for q in view["proposals"] if q["from"] == self.team and q["turn"] == turn)
        reserve = 0 if pk is None or turn in self.tabled else 1
        if tabled + 1 + reserve > int(view.get("proposal_limit", 0)):
            return None
        proposer, public = prop["from"], prop["visibility"] == "public"
        if trust < 30:
            return None  # as for its own package: no new offer to a partner it does not trust
        # the smallest change first: only the clause that costs this team most goes, and never one its own
        # package offers (what the persona would put on the table unasked it does not strike out)
        pk_offers = {(c.actor, c.lever) for c in pk.clauses} if pk is not None else set()
        strikable = [i for i, (c, _, _) in enumerate(weighed) if (c["actor"], c["lever"]) not in pk_offers]
        worst = min(strikable, key=lambda i: weighed[i][1], default=None)
        if worst is not None and weighed[worst][1] < 0:
            keep = [w for i, w in enumerate(weighed) if i != worst]
            dropped = [weighed[worst][0]]
        else:
            keep, dropped = list(weighed), []
        levers = self.rb.levers
        if any("consent_bounded" in levers[c["lever"]].tags for c, _, _ in keep) and not any(
            "consent_grant" in levers[c["lever"]].tags for c, _, _ in keep
        ):
            return None  # whether a token still covers it is not for a counter to guess
        ask: tuple[Any, float] | None = None
        present = {(c["actor"], c["lever"]) for c, _, _ in keep}
        for want in pk.clauses if pk is not None else []:
            lever = levers[want.lever]
            if want.actor != proposer or (want.actor, want.lever) in present or lever.team != proposer:
                continue
            if "consent_bounded" in lever.tags or (lever.once and env.get(f"count.{lever.id}", 0) >= 1):
                continue
            if proposer == "cn" and prop["framing"] not in CHINA_FRAMINGS:
                continue
            u, _ = self.order_utility(env, lever, dict(want.params), public, None)
            if u > 0:
                ask = (want, u)
                break
        if not dropped and ask is None:
            return None  # nothing to change: a counter would be the same deal
        if ask is None and not any(c["actor"] == proposer for c, _, _ in keep):
            return None  # without the proposer's part it would be a gift, not a deal
        if any(c["actor"] == self.team for c, _, _ in weighed) and not any(
            c["actor"] == self.team for c, _, _ in keep
        ):
            return None  # a counter that keeps none of our own part is a demand, not an offer
        total = sum(u for _, u, _ in keep) + (ask[1] if ask is not None else 0.0) + self._module_bonus(prop)
        if total < threshold or sum(cost for _, _, cost in keep) > budget:
            return None
        clauses = [
            Clause(
                actor=c["actor"],
                lever=c["lever"],
                params=dict(c["params"]),
                start_turn=max(int(c["start_turn"]), turn),
                duration=int(c["duration"]),
                condition=c.get("condition"),
            )
            for c, _, _ in keep
        ]
        if ask is not None:
            clauses.append(
                Clause(
                    actor=ask[0].actor,
                    lever=ask[0].lever,
                    params=dict(ask[0].params),
                    start_turn=turn,
                    duration=2,
                )
            )
        self.countered.add(turn)
        cmd = Propose(
            parties=list(prop["parties"]),
            clauses=clauses,
            visibility=prop["visibility"],
            framing=prop["framing"],
            verification=prop["verification"],
            modules=list(prop.get("modules", [])),
            linkage=bool(prop.get("linkage")),
            snapback=[Snapback(**sb) for sb in prop.get("snapback", [])],
            expires_turn=turn + 1,
            counter_to=prop["id"],
            sovereignty_accord=bool(prop.get("sovereignty_accord")),
            note=self._line("propose", view),
        )
        changes = [f"drops {', '.join(levers[c['lever']].code for c in dropped)}"] if dropped else []
        if ask is not None:
            changes.append(f"asks for {levers[ask[0].lever].code} ({ask[1]:+.2f})")
        return Decision(
            cmd,
            f"counters {prop['id']}: {'; '.join(changes)}; the counter is worth {total:+.2f} "
            f">= threshold {threshold:.2f}",
            "counter",
        )

    def _committed_cost(self, view: dict[str, Any], env: dict[str, Any]) -> float:
        """Political capital the team's signed deals will call for next turn."""
        total = 0.0
        nxt = view["turn"] + 1
        for a in view["agreements"]:
            if a["status"] not in ("signed", "active") or self.team not in a["parties"]:
                continue
            for c in a["clauses"]:
                start, dur = int(c["start_turn"]), max(int(c["duration"]), 1)
                if c["actor"] != self.team or not (start <= nxt <= start + dur - 1):
                    continue
                lever = self.rb.levers[c["lever"]]
                if lever.once and env.get(f"count.{lever.id}", 0) >= 1:
                    continue
                total += self._clause_cost(env, lever, c["params"])
        return total

    # ------------------------------------------------------------------ orders

    def _candidates(self) -> list[tuple[str, CLever, _Weighed, tuple[tuple[str, bool], ...]]]:
        """The team's levers utility may choose for this persona, with the visibilities worth comparing.

        Levers that cross the red line or need Mexican consent are left to hard rules and deals, and a lever
        with nothing in it the persona values could only score its cost.
        """
        key = (self.rb.serial, self.persona_id)
        out = _CANDIDATES.get(key)
        if out is None:
            out = []
            for lid, lever in _team_levers(self.rb, self.team):
                if "hrl" in lever.tags or "consent_bounded" in lever.tags:
                    continue  # only a hard rule or a signed deal puts forces across the line
                w = self._weighed(lever)
                if (
                    not w.any_effect
                    and w.tags <= 0
                    and not (w.st_w and (lever.sov_public or lever.sov_private))
                ):
                    continue  # nothing in it this persona values: its utility could only be its cost
                out.append((lid, lever, w, tuple((v, v == "public") for v in _visibilities(lever))))
            _CANDIDATES[key] = out
        return out

    def _variants(self, lever: CLever, env: dict[str, Any]) -> list[_Variant]:
        """Parameter choices worth comparing: the defaults, each choice, and steps around a set level.

        The list is kept (with its specialised terms) when it does not depend on the environment.
        """
        key = (self.rb.serial, self.persona_id, lever.id)
        fixed = _VARIANTS.get(key)
        if fixed is not None:
            return fixed
        defaults = _defaults(self.rb, lever)
        base = dict(defaults)
        out = [base]
        read = self._weighed(lever).reads
        static = True
        for k, p in lever.params.items():
            if f"param.{k}" not in read:
                continue  # the persona cares about nothing this parameter changes: keep the default
            if p.type == "choice":
                out.extend({**base, k: c} for c in p.choices if c != p.default)
            elif p.type in ("int", "num") and p.min is not None and p.max is not None:
                target = _set_target(self.rb, lever, k)
                # sizes (levels, packages) are compared at their extremes; set levels around the current one
                points = [p.max] if target is None else [p.min, p.max]
                if target is not None:
                    static = False
                    if isinstance(env.get(target), (int, float)):
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
        variants = [_Variant(o, o == defaults, {} if static else None) for o in seen[:8]]
        if static:
            _VARIANTS[key] = variants
        return variants

    def _legal(
        self,
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
        entry = self._lever_entries(view).get(lever.id)
        if entry is None:
            return None
        if default if default is not None else params == _defaults(self.rb, lever):
            return float(entry["cost"]) if entry["available"] else None
        if not _sees_exactly(self.rb, self.team, lever):
            return None
        if not entry["available"] and lever.once and env.get(f"count.{lever.id}", 0) >= 1:
            return None
        for k, v in params.items():
            env[f"param.{k}"] = v
        env["act.public"] = public
        try:
            if not all(cond.fn(env) for cond, _ in lever.preconditions):
                return None
            free = lever.id in view.get("free_levers", [])
            return 0.0 if free else max(0.0, float(lever.cost.fn(env)))
        finally:
            for k in params:
                env.pop(f"param.{k}", None)
            env.pop("act.public", None)

    def _lever_entries(self, view: dict[str, Any]) -> dict[str, dict[str, Any]]:
        cached: dict[str, dict[str, Any]] | None = view.get("_entries")
        if cached is None:
            cached = {e["id"]: e for e in view["levers"]}
            view["_entries"] = cached
        return cached

    def _orders(self, view: dict[str, Any], env: dict[str, Any]) -> list[Decision]:
        p = self.persona
        rb = self.rb
        team = self.team
        pc = float(view["pc"][team])
        limit = int(view["order_limit"])
        never = set(p.never)
        chosen: list[tuple[Order, float, str]] = []
        notes: list[Decision] = []
        statement: StatementOrder | None = None
        used: set[str] = set()

        seat_limits: dict[str, int] = dict(view.get("seat_limits", {}))
        per_seat: dict[str, int] = {}

        def take(lid: str, params: dict[str, Any], vis: str | None, why: str) -> bool:
            nonlocal pc
            lever = rb.levers[lid]
            if lid in used or len(chosen) >= limit:
                return False
            seat = self._lever_entries(view)[lid]["seat"]
            if per_seat.get(seat, 0) >= seat_limits.get(seat, limit):
                return False
            visibility = vis or ("public" if lever.visibility in ("public", "choice") else lever.visibility)
            if lever.visibility != "choice":
                visibility = lever.visibility
            cost = self._legal(view, env, lever, params, visibility == "public")
            if cost is None or cost > pc + 1e-9:
                return False
            # built without re-validation: the bot assembles it from the rulebook's own names and ranges
            order = _make(Order, lever=lid, params=dict(params), visibility=visibility)
            chosen.append((order, cost, why))
            per_seat[seat] = per_seat.get(seat, 0) + 1
            used.add(lid)
            pc -= cost
            return True

        # 1. hard rules: bans, forced plays and statements
        plays: list[tuple[str, Any]] = []
        for i, rule in enumerate(p.hard_rules):
            if rule.reject_if is not None:
                continue
            if not self._holds(rule.when, rule.chance, env, view, f"rule{i}"):
                continue
            never |= set(rule.never)
            if rule.play is not None:
                plays.append((rule.id, rule))
            if rule.statement is not None and statement is None:
                statement = StatementOrder(
                    kind=rule.statement.kind,
                    target=rule.statement.target,
                    text=rule.message or self._line("open", view),
                )
                notes.append(
                    Decision(
                        Note(
                            text=f"statement {rule.statement.kind} -> {rule.statement.target}: "
                            f"{rule.id}: {rule.reason}",
                            decision="statement",
                        ),
                        rule.reason,
                        "statement",
                    )
                )
        # 2. commitments due this turn (honoured unless the persona reneges on a clause it dislikes)
        for a in view["agreements"]:
            if a["status"] not in ("signed", "active") or team not in a["parties"]:
                continue
            for ci, c in enumerate(a["clauses"]):
                start, dur = int(c["start_turn"]), max(int(c["duration"]), 1)
                if c["actor"] != team or not (start <= view["turn"] <= start + dur - 1):
                    continue
                lever = rb.levers[c["lever"]]
                u, _ = self.order_utility(env, lever, c["params"], a["visibility"] == "public", None)
                if u < 0 and self._roll(view, f"renege:{a['id']}:{ci}") < p.model.renege_prob:
                    notes.append(
                        Decision(
                            Note(
                                text=f"breaks clause {ci + 1} of {a['id']} ({lever.code}): "
                                f"own utility {u:+.2f}, renege chance {p.model.renege_prob}",
                                decision="renege",
                            ),
                            "renege",
                            "renege",
                        )
                    )
                    never.add(c["lever"])
                    continue
                if c["lever"] not in never:
                    take(
                        c["lever"],
                        dict(c["params"]),
                        a["visibility"],
                        f"honours clause {ci + 1} of {a['id']}",
                    )
        for rid, rule in plays:
            plan = rule.play
            if plan.lever in never and plan.lever not in used:
                continue
            lever = rb.levers[plan.lever]
            params = {k: prm.default for k, prm in lever.params.items()}
            params.update(plan.params)
            take(plan.lever, params, plan.visibility, f"{rid}: {rule.reason}")
        # 3. the rest by utility
        scored: list[tuple[float, str, dict[str, Any], str, float]] = []
        entries = self._lever_entries(view)
        for lid, lever, w, vises in self._candidates():
            if lid in never or lid in used:
                continue
            entry = entries.get(lid)
            if entry is None or not entry["available"]:
                continue
            best: tuple[float, dict[str, Any], str, float] | None = None
            for var in self._variants(lever, env):
                params = var.params
                for vis, public in vises:
                    # the default's cost is what the orders screen shows
                    legal = (
                        float(entry["cost"])
                        if var.default
                        else self._legal(view, env, lever, params, public, False)
                    )
                    if legal is None:
                        continue
                    cost = legal
                    spec = None
                    if var.specs is not None:
                        spec = var.specs.get(public)
                        if spec is None:
                            effects = w.public_effects if public else w.private_effects
                            spec = var.specs[public] = _specialise(effects, params, public)
                    u, _ = self.order_utility(env, lever, params, public, cost, spec=spec)
                    if best is None or u > best[0]:
                        best = (u, params, vis, cost)
            if best is not None and best[0] > 0.05:
                scored.append((best[0], lid, best[1], best[2], best[3]))
        scored.sort(key=lambda s: (-s[0], s[1]))
        for u, lid, params, vis, cost in scored:
            if len(chosen) >= limit:
                break
            _, why = self.order_utility(env, rb.levers[lid], params, vis == "public", cost, explain=True)
            take(lid, params, vis, f"utility {u:+.2f} ({', '.join(why)})")
        if statement is None and self._roll(view, "statement") < p.model.statement_rate:
            partners = [t for t in TEAMS if t != team]
            best_t = max(partners, key=lambda t: (env.get(f"trust.{pair(team, t)}", 0), -TEAMS.index(t)))
            if env.get(f"trust.{pair(team, best_t)}", 0) >= 50:
                statement = StatementOrder(kind="praise", target=best_t, text=self._line("accept", view))
                notes.append(
                    Decision(
                        Note(text=f"praises {best_t}, its most trusted partner", decision="statement"),
                        "praise",
                        "statement",
                    )
                )
        cmd = _make(SubmitOrders, orders=[o for o, _, _ in chosen], statement=statement)
        reasons = (
            "; ".join(f"{rb.levers[o.lever].code}: {why}" for o, _, why in chosen)
            or "no order worth its cost"
        )
        return [*notes, Decision(cmd, reasons, "orders")]


# ---------------------------------------------------------------------- driving bots in a game


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
)


# A dashboard entry as a bot reads it: the displayed value, the trend over three months (None: no trend
# to show), and the displayed series when an expression reads the indicator through ``lag()``.
Shown = tuple[Any, float | None, list[Any] | None]


@dataclass(slots=True)
class DashboardCache:
    """One team's bot dashboard in one game, kept between views (derived: never read by the engine)."""

    version: int = -1  # the game's env_version it was built at
    entries: dict[str, tuple[Any, Shown]] = field(default_factory=dict)  # key -> (its inputs, entry)
    shown: dict[str, Shown] = field(default_factory=dict)


def bot_dashboard(game: Game, team: str, cache: DashboardCache) -> dict[str, Shown]:
    """The team's dashboard (``views.indicators_for``) reduced to what a bot reads from it.

    The same plan (what the team sees, with which lag and noise) and the same fogged points
    (``views.fogged_point``, ``views.fog_noise``, cached per game) as the dashboard; only the points a
    bot reads are taken: the value, the point three months before it (for ``trend.*``), and the whole
    series of indicators read through ``lag()``. ``cache`` (the caller's, per game and team) keeps each entry
    while its inputs do not change, as the dashboard does, so an unchanged entry is the same object,
    and the whole dashboard while no value has changed (``game.env_version``). A test checks, at every
    decision of bot games, that the environment built from this is the one built from the full view.
    """
    if cache.version == game.env_version:
        return cache.shown
    env, history = game.state.env, game.state.history
    wanted = _lag_names(game.rb)
    entries = cache.entries
    out: dict[str, Shown] = {}
    for key, mode, lag, noise in _bot_plan(game.rb, team):
        hist = history.get(key)
        n = len(hist) if hist else 0
        sig = (env[key], n) if mode != MODE_LAGGED else n
        old = entries.get(key)
        if old is not None and old[0] == sig:
            out[key] = old[1]
            continue
        entry = _shown(game, team, key, mode, lag, noise, hist or [env[key]], key in wanted)
        entries[key] = (sig, entry)
        out[key] = entry
    cache.version, cache.shown = game.env_version, out
    return out


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


_BOT_PLANS: dict[tuple[int, str], list[tuple[str, int, int, float]]] = {}


def _bot_plan(rb: Rulebook, team: str) -> list[tuple[str, int, int, float]]:
    """The dashboard's plan (``views.dashboard_plan``) for the indicators a bot may read (``read_names``)."""
    plan = _BOT_PLANS.get((rb.serial, team))
    if plan is None:
        read = read_names(rb)
        plan = [
            (key, mode, lag, noise) for key, mode, lag, noise, _m in dashboard_plan(rb, team) if key in read
        ]
        _BOT_PLANS[(rb.serial, team)] = plan
    return plan


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


_LAG_NAMES: dict[int, frozenset[str]] = {}


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

        for e in exprs:
            if e is not None and "lag" in e.text:
                walk(parse(e.text))
        names = _LAG_NAMES[rb.serial] = frozenset(found)
    return names


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
        fixed = {k: last[k] for k in _VALUE_PARTS}
    else:
        fixed = {
            "scenario": {
                "id": sc.id,
                "title": sc.title,
                "summary": sc.summary,
                "turns": sc.turns,
                "months_per_turn": sc.months_per_turn,
                "start": sc.start,
            },
            "turn": st.turn,
            "date": add_months(st.start, st.month_index).isoformat() if st.start else "",
            "pc": {team: env[f"{team}.pc"]},
            "windows": {w: env[f"window.{w}"] for w in WINDOWS},
            "modules": {m: bool(env[f"module.{m}"]) for m in ("t1", "t2", "t3", "t4", "t5")},
            "counts": lever_counts(game, team),
            # the scenario's starting values of what the team sees without an estimate (views._start_values)
            "start": last["start"]
            if last is not None
            else {
                key: env[f"start.{key}"]
                for key, mode, _lag, noise, _m in dashboard_plan(game.rb, team)
                if not (mode in (MODE_NOISY_NOW, MODE_LAGGED) and noise > 0)
            },
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
        "_version": version,
    }


# The parts of a bot view that are read from values only (see ``bot_view``'s ``last``).
_VALUE_PARTS = ("scenario", "turn", "date", "pc", "windows", "modules", "counts", "start")


class BotDriver:
    """Plays the listed teams with bots. The game is read only through the team's view (``bot_view``)."""

    def __init__(self, rb: Rulebook, personas: dict[str, str], seed: int) -> None:
        self.bots = {t: Bot(rb, t, pid, seed) for t, pid in personas.items()}
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
        for team in TEAMS:
            bot = self.bots.get(team)
            if bot is None:
                continue
            # taken team by team: a team sees what the teams before it did in this phase
            last = self._views.get(team)
            dash = self._dashboards.get(team)
            if dash is None or dash[0] is not game:
                dash = self._dashboards[team] = (game, DashboardCache())
            v = bot_view(game, team, last[1] if last is not None and last[0] is game else None, dash[1])
            self._views[team] = (game, v)
            v["phase"] = phase
            for d in bot.decide(v):
                actor = self._actor(team, bot.persona_id)
                if not isinstance(d.command, Note):
                    note = _make(Note, text=d.reason[:1000], decision=d.decision)
                    yield _make(CommandEnvelope, actor=actor, command=note)
                yield _make(CommandEnvelope, actor=actor, command=d.command)
