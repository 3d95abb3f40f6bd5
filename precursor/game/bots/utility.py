"""What an order is worth to a persona: the effects of the lever it weighs, each valued against what the
bot believes, plus its sovereignty, tag and capital terms.

The same utility scores the bot's own orders and the clauses of a proposal. What does not depend on the
game (which effects a persona weighs, and an effect's value when it reads only the order's parameters)
is worked out once per rulebook and kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from precursor.game.bots.character import Character
from precursor.game.rulebook import CLever

# One weighed effect, ready to score: when, value, its constant, chance, its constant, the term's
# constant utility, target, op, weight, per, and the lag discount. An expression that only reads the
# order's own parameters is worked out once per parameter choice (``specialise``) and left as None, its
# value taking the constant's place; a term that can never apply with those parameters is left out.
Term = tuple[Any, Any, Any, Any, float, float | None, str, str, float, float, float]
Weighted = tuple[Any, float, float]  # a lever effect, with the persona's weight and per


@dataclass(frozen=True, slots=True)
class Weighed:
    """What one persona weighs in one lever; fixed per rulebook, so computed once."""

    public: tuple[Term, ...]  # the weighed effects an order given in public has
    private: tuple[Term, ...]  # ... and one given in private
    public_effects: tuple[Weighted, ...]  # the same, as effects (for ``specialise``)
    private_effects: tuple[Weighted, ...]
    any_effect: bool  # whether the persona weighs any of the lever's effects at all
    st_w: float  # weight per point of sovereignty tension (US personas)
    tags: float  # the sum of the persona's weights for the lever's tags
    reads: frozenset[str]  # the names the weighed effects read
    pc_aversion: float  # the persona's reluctance to spend political capital


def _own(names: frozenset[str]) -> bool:
    """Whether an expression reads only the order's own parameters and visibility."""
    return all(n.startswith("param.") or n == "act.public" for n in names)


# what ``_settled`` gives for an expression whose value depends on the rest of the environment
_OPEN = object()


def _settled(fn: Any, names: frozenset[str], ctx: dict[str, Any]) -> Any:
    """The expression's value in any environment with these parameters, or ``_OPEN`` if it has none.

    ``ctx`` holds only the order's parameters and visibility, and reading any other name raises KeyError:
    so an evaluation that gets through read only those, and takes the same path to the same value (or
    the same error) wherever they are the same, as ``param.mode == 'impose' and param.rate > tariff.mx``
    does for a threat. A KeyError from an expression that reads nothing else is a missing parameter.
    """
    try:
        return fn(ctx)
    except KeyError:
        if _own(names):
            raise
        return _OPEN


def _generic(ce: Any, weight: float, per: float) -> Term:
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


@dataclass(frozen=True, slots=True)
class Spec:
    """One order's terms specialised to its parameters and visibility (``specialise``)."""

    terms: tuple[Term, ...]
    reads_own: bool  # whether a term left still reads ``param.*`` or ``act.public``
    # When every term's utility is worked out already, the order's utility before its cost, summed as
    # ``utility_of`` sums it; it holds while none of ``targets`` is a yes/no value (else None).
    before_cost: float | None
    targets: tuple[str, ...]


def specialise(lever: CLever, w: Weighed, params: dict[str, Any], public: bool) -> Spec:
    """The terms for one parameter choice and visibility, with what depends on those alone worked out.

    Exactly what ``order_utility`` would compute: an expression settled by the parameters (``_settled``)
    has the same value in any environment, one that cannot be computed (a missing parameter) skips its
    term wherever it is met, and the constant utility of an ``add`` term is the same product, in the same
    order.
    """
    effects = w.public_effects if public else w.private_effects
    ctx: dict[str, Any] = {f"param.{k}": v for k, v in params.items()}
    ctx["act.public"] = public
    out: list[Term] = []
    reads_own = False
    for ce, weight, per in effects:
        when = ce.when.fn if ce.when is not None else None
        value: Any = ce.value.fn
        chance = ce.chance.fn if ce.chance is not None else None
        v: Any = None
        prob = 1.0
        try:
            if when is not None:
                ok = _settled(when, ce.when.names, ctx)
                if ok is not _OPEN:
                    if not ok:
                        continue  # never applies with these parameters
                    when = None
            found = _settled(value, ce.value.names, ctx)
            if found is not _OPEN:
                v = found
                value = None
                if isinstance(v, bool):
                    continue
            if chance is not None:
                found = _settled(chance, ce.chance.names, ctx)
                if found is not _OPEN:
                    prob = float(found)
                    chance = None
        except (KeyError, TypeError, ZeroDivisionError):
            continue  # cannot be computed with these parameters: skipped wherever it is met
        for fn, expr in ((when, ce.when), (value, ce.value), (chance, ce.chance)):
            if fn is not None and any(n.startswith("param.") or n == "act.public" for n in expr.names):
                reads_own = True
        lag_f = 0.98**ce.lag
        u = weight * v / per * prob * lag_f if ce.op == "add" and value is None and chance is None else None
        out.append((when, value, v, chance, prob, u, ce.target, ce.op, weight, per, lag_f))
    total, settled = 0.0, True
    for t in out:
        fixed = t[5]
        if fixed is None or t[0] is not None:
            settled = False
            break
        total += fixed
    before = _fixed_terms(total, lever, w, public) if settled else None
    return Spec(tuple(out), reads_own, before, tuple(t[6] for t in out))


def _fixed_terms(total: float, lever: CLever, w: Weighed, public: bool) -> float:
    """The sovereignty and tag terms added to the effects' total, in ``utility_of``'s order."""
    st_w = w.st_w
    if st_w and (lever.sov_public or lever.sov_private):
        total += st_w * (lever.sov_public if public else lever.sov_private)
    if w.tags:
        total += w.tags
    return total


_WEIGHED: dict[tuple[int, str, str], Weighed] = {}


def weigh(bot: Character, lever: CLever) -> Weighed:
    """The lever's effects this persona weighs, and its fixed sovereignty and tag terms (cached)."""
    key = (bot.rb.serial, bot.persona_id, lever.id)
    hit = _WEIGHED.get(key)
    if hit is None:
        p = bot.persona
        weighed = [ce for ce in lever.effects if ce.target in p.var_weights]
        reads: set[str] = set()
        for ce in weighed:
            reads |= ce.value.names
            if ce.when is not None:
                reads |= ce.when.names
            if ce.chance is not None:
                reads |= ce.chance.names

        def effects(public: bool) -> tuple[Weighted, ...]:
            return tuple(
                (ce, *p.var_weights[ce.target])
                for ce in weighed
                if ce.visibility == "any" or (ce.visibility == "public") == public
            )

        pub, priv = effects(True), effects(False)
        st_w = 0.0
        if bot.team == "us" and "mx.st" in p.var_weights:
            w, per = p.var_weights["mx.st"]
            st_w = w / per
        tags = sum(p.tag_weights.get(tag, 0.0) for tag in lever.tags)
        hit = Weighed(
            tuple(_generic(*e) for e in pub),
            tuple(_generic(*e) for e in priv),
            pub,
            priv,
            bool(weighed),
            st_w,
            tags,
            frozenset(reads),
            float(p.model.pc_aversion),
        )
        _WEIGHED[key] = hit
    return hit


def order_utility(
    bot: Character,
    env: dict[str, Any],
    lever: CLever,
    params: dict[str, Any],
    public: bool,
    cost: float | None,
    explain: bool = False,
    spec: Spec | None = None,
    weighed: Weighed | None = None,
) -> tuple[float, list[str]]:
    """Persona utility of one order; with ``explain``, also the terms that mattered most (the reason).

    ``spec`` is the order's terms already specialised to its parameters (``specialise``); ``weighed``
    is ``weigh(bot, lever)`` when the caller has it.
    """
    w = weigh(bot, lever) if weighed is None else weighed
    if spec is None:
        effects, reads_own = w.public if public else w.private, True
    else:
        effects, reads_own = spec.terms, spec.reads_own
    if not explain:
        return utility_of(env, lever, w, params, public, cost, effects, reads_own), []
    if reads_own:
        for k, v in params.items():
            env["param." + k] = v
        env["act.public"] = public
    terms: dict[str, float] | None = {} if explain else None
    try:
        total = _effects_utility(env, effects, terms) if effects else 0.0
    finally:
        if reads_own:
            for k in params:
                env.pop("param." + k, None)
            env.pop("act.public", None)
    st_w, tag_total = w.st_w, w.tags
    if st_w and (lever.sov_public or lever.sov_private):
        u = st_w * (lever.sov_public if public else lever.sov_private)
        total += u
        if terms is not None:
            terms["mx.st"] = terms.get("mx.st", 0.0) + u
    if tag_total:
        total += tag_total
        if terms is not None:
            terms["#tags"] = tag_total
    if cost:
        c = -w.pc_aversion * cost / 3
        total += c
        if terms is not None:
            terms["cost"] = c
    if terms is None:
        return total, []
    top = sorted(terms.items(), key=lambda kv: -abs(kv[1]))[:3]
    return total, [f"{k} {v:+.2f}" for k, v in top]


def utility_of(
    env: dict[str, Any],
    lever: CLever,
    w: Weighed,
    params: dict[str, Any],
    public: bool,
    cost: float | None,
    effects: tuple[Term, ...],
    reads_own: bool,
) -> float:
    """``order_utility`` without a reason, from the order's terms (the orders phase scores hundreds of
    choices a game): the same sums in the same order, so the same float."""
    if not effects:
        total = 0.0
    elif reads_own:
        for k, v in params.items():
            env["param." + k] = v
        env["act.public"] = public
        try:
            total = _effects_total(env, effects)
        finally:
            for k in params:
                env.pop("param." + k, None)
            env.pop("act.public", None)
    else:
        total = _effects_total(env, effects)
    total = _fixed_terms(total, lever, w, public)
    if cost:
        total += -w.pc_aversion * cost / 3
    return total


def _effects_total(env: dict[str, Any], effects: tuple[Term, ...]) -> float:
    """``_effects_utility`` without the shares: a term whose utility is worked out already
    (``specialise``) only needs the target not to be a yes/no value."""
    total = 0.0
    for when, value, v, chance, prob, u, target, op, weight, per, lag_f in effects:
        if u is not None and when is None:
            if not isinstance(env.get(target, 0.0), bool):
                total += u
            continue
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
            u = weight * _change(op, v, cur) / per * prob * lag_f
        total += u
    return total


def _effects_utility(env: dict[str, Any], effects: tuple[Term, ...], terms: dict[str, float] | None) -> float:
    """The summed utility of the weighed effects that apply; each one's share into ``terms`` if given."""
    total = 0.0
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
            u = weight * _change(op, v, cur) / per * prob * lag_f
        total += u
        if terms is not None:
            terms[target] = terms.get(target, 0.0) + u
    return total


def _change(op: str, v: Any, cur: Any) -> Any:
    """How far an effect of this kind moves the indicator from its current value."""
    if op == "add":
        return v
    if op == "mul":
        return cur * (v - 1)
    if op == "set":
        return v - cur
    if op == "min":
        return min(cur, v) - cur
    return max(cur, v) - cur
