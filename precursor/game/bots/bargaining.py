"""How a bot bargains in the negotiation phase: it answers the proposals addressed to its team (accept,
reject, or a counter-proposal for a near miss), tables its persona's preferred package once a turn when
the relationship allows, and now and then says a line in its persona's voice.

A deal is weighed with the same utility as an order, clause by clause, against a threshold set by the
persona's reservation and the team's trust in the proposer; a hard rule's ``reject_if`` overrides.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from precursor.game.bots import decisions
from precursor.game.bots.beliefs import exact
from precursor.game.bots.character import Character, switch
from precursor.game.bots.commitments import (
    clause_cost,
    clause_dicts,
    committed_cost,
    cost_now,
    overcommitted,
    own_pending,
)
from precursor.game.bots.decisions import Decision
from precursor.game.bots.fast_view import persona_reads
from precursor.game.bots.signing import signing_value
from precursor.game.bots.utility import order_utility, weigh
from precursor.game.commands import MAX_REASON, Clause, CommandError, Propose, Respond, SendMessage, Snapback
from precursor.game.expr import ExprError, compile_expr
from precursor.game.negotiation import CHINA_FRAMINGS, WORD_TRUST, breach_age, check_proposal
from precursor.game.promises import clause_outlook, level_holds
from precursor.game.rulebook import CLever, Rulebook, precondition_words
from precursor.game.schema import TEAMS
from precursor.game.teams import TRILATERAL, pair
from precursor.game.words import params_words

# How far below its acceptance threshold a proposal may fall for a bot to answer with a counter-proposal
# rather than a rejection (utility units; 0.5 is what 20 points of trust add to the threshold).
NEAR_MISS = 0.5

# A proposal's clause as the bot weighed it: the clause, its utility, and its cost to the bot's team.
_WeighedClause = tuple[dict[str, Any], float, float]

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


def unkeepable(
    bot: Character,
    env: dict[str, Any],
    lever: CLever,
    params: dict[str, Any],
    start: int | None = None,
    duration: int = 2,
) -> str | None:
    """Why the clause could not be kept in some turn it is due, as far as the team's view can tell, or None.

    A promise on a lever that cannot be ordered is broken the moment it falls due, and an ask of one is a
    dead end for the other side. The turns are walked by ``promises.clause_outlook``, the check the
    client shows a student, so a bot and the composer never disagree on a clause: two turns of US-DEMAND
    with the programme one level from its top break in the second. It is handed only the values the
    team sees exactly and the bot's dashboard holds (``fast_view.persona_reads``), so a bot never calls a
    clause impossible on a guess or on a neutral default. A once-per-game lever already played counts
    for the team's own levers (the view's counts) and for another team's held in a deal of the team's in a
    turn now past (the view counts only the team's own levers); one not yet played is checked
    in the turn it would be ordered, as the outlook counts the act done after it."""
    if _done(bot, env, lever):
        return f"{lever.code} can be played once per game and already was"
    if not lever.preconditions:
        return None
    given = {k: prm.default for k, prm in lever.params.items()}
    given.update(params)
    values = _known_values(bot, env, lever)
    turn = int(env.get("turn", 1))
    first = turn if start is None else max(int(start), turn)
    clause = {
        "actor": lever.team,
        "lever": lever.id,
        "params": given,
        "start_turn": first,
        "duration": 1 if lever.once else duration,
    }
    rb = bot.rb
    if lever.once:  # the outlook does not read a one-off act's preconditions: check its one turn here
        ctx = {**values, **{f"param.{k}": v for k, v in given.items()}}
        ctx["act.public"], ctx["act.military"] = lever.visibility != "private", lever.military
        for i, (cond, _) in enumerate(lever.preconditions):
            try:
                # not ``cond.names - ctx.keys()``: compiled by mypyc, a frozenset minus a dict's keys
                # raises TypeError ("frozenset object expected; got set"), which this branch swallowed,
                # so the compiled bots never found a one-off act's precondition failing
                if all(n in ctx for n in cond.names) and not cond.fn(ctx):
                    return f"{lever.code}: {precondition_words(lever, i, ctx)}"
            except (KeyError, TypeError, ZeroDivisionError):
                continue
        return None
    return _broken(rb, clause, values, turn, int(env.get("turns", first + duration)))


def cannot_order_now(bot: Character, env: dict[str, Any], clause: dict[str, Any]) -> str | None:
    """Why the clause's team could not order its lever this turn, when the clause is due this turn and
    binds now, as far as the view tells exactly (``unkeepable`` on this turn alone), or None.

    A clause due at once is broken at the end of this very turn when its lever cannot be ordered, and
    every party loses by it: Canada tabled CA-MEDIATE for the turn after its own mediation had closed the
    US-Mexico dispute, the United States and Mexico signed it, and Canada could not order it (a student's
    Loose Talk, turn 3). Not counted: a clause whose condition does not hold now or reads what the team
    does not see exactly, a one-off act already carried out (the rules count the clause kept, as
    ``adjudication.agreements`` does), a standing level that already stands (kept with nothing to
    order), and a lever whose preconditions read what the team does not see exactly."""
    turn = int(env.get("turn", 1))
    start, duration = int(clause["start_turn"]), max(int(clause["duration"]), 1)
    if not start <= turn < start + duration or not _binds_now(bot, env, clause.get("condition")):
        return None
    lever = bot.rb.levers[clause["lever"]]
    if _done(bot, env, lever):
        return None
    return unkeepable(bot, env, lever, dict(clause["params"]), turn, 1)


def _binds_now(bot: Character, env: dict[str, Any], condition: Any) -> bool:
    """Whether a clause's condition holds now on values the team sees exactly (True without one): a
    clause that binds only when something happens is not called broken on a guess."""
    if not condition:
        return True
    try:
        cond = compile_expr(condition, bot.rb.symbols, "bool")
        if any(n not in env or not exact(bot.rb, n, bot.team) for n in cond.names):
            return False
        return bool(cond.fn(env))
    except (ExprError, KeyError, TypeError, ZeroDivisionError):
        return False


def _cannot_now_words(bot: Character, clause: dict[str, Any], why: str) -> str:
    """The proposer's reason for a clause that cannot be carried out this turn: "Canada could not carry
    out CA-MEDIATE this turn: there is no open US-Mexico dispute to mediate"."""
    code = bot.rb.levers[clause["lever"]].code
    who = "it" if clause["actor"] == bot.team else _team_name(bot, clause["actor"])
    return f"{who} could not carry out {code} this turn: {why.removeprefix(code + ': ')}"


def _first_cannot_now(
    bot: Character, env: dict[str, Any], prop: dict[str, Any]
) -> tuple[int, dict[str, Any], str] | None:
    """The first clause of a proposal that could not be carried out this turn (``cannot_order_now``):
    its index, the clause and why."""
    for i, c in enumerate(prop["clauses"]):
        why = cannot_order_now(bot, env, c)
        if why is not None:
            return i, c, why
    return None


_BROKEN: dict[tuple[Any, ...], str | None] = {}


def _broken(
    rb: Rulebook, clause: dict[str, Any], values: dict[str, Any], turn: int, last_turn: int
) -> str | None:
    """Why ``promises.clause_outlook`` finds the clause cannot be kept, or None. The outlook reads nothing
    but its arguments, and a bot asks it of the same clauses on the same values turn after turn (its
    package's, every negotiation phase): kept per rulebook, clause, values (with their types, as True
    and 1 are equal keys), turn and last turn."""
    try:
        key = (
            rb.serial,
            clause["actor"],
            clause["lever"],
            clause["start_turn"],
            clause["duration"],
            tuple((k, type(v), v) for k, v in clause["params"].items()),
            tuple((k, type(v), v) for k, v in values.items()),
            turn,
            last_turn,
        )
        if key in _BROKEN:
            return _BROKEN[key]
    except TypeError:  # a value that cannot be part of a key: worked out afresh
        key = None
    seen = clause_outlook(rb, clause, values, turn=turn, last_turn=last_turn)
    why = seen.why if seen.keep is False else None
    if key is not None:
        if len(_BROKEN) > 65536:  # bounded: values drift over games
            _BROKEN.clear()
        _BROKEN[key] = why
    return why


_KNOWN_NAMES: dict[tuple[int, str, str, str], tuple[str, ...]] = {}


def _known_values(bot: Character, env: dict[str, Any], lever: CLever) -> dict[str, Any]:
    """The values a lever's preconditions read that the team sees exactly and the bot's dashboard holds."""
    return {n: env[n] for n in _known_names(bot, lever) if n in env}


def _known_names(bot: Character, lever: CLever) -> tuple[str, ...]:
    """The names of ``_known_values`` that do not depend on the view, kept per rulebook, team, first
    persona and lever rather than worked out afresh for every clause a bot checks."""
    first = bot.history[0] if bot.history else bot.persona_id
    key = (bot.rb.serial, bot.team, first, lever.id)
    names = _KNOWN_NAMES.get(key)
    if names is None:
        rb = bot.rb
        reads = persona_reads(rb, first)
        names = _KNOWN_NAMES[key] = tuple(
            n
            for n in {n for cond, _ in lever.preconditions for n in cond.names}
            if not n.startswith(("param.", "act."))
            and exact(rb, n, bot.team)
            and (n in reads or n not in rb.indicators)
        )
    return names


def clause_turns(view: dict[str, Any], lever: CLever, start: int, duration: int) -> int:
    """In how many turns from now a clause has its actor play the lever: what is left of its span within
    the game (a proposal answered a turn late has one turn fewer to run), and one for a once-per-game
    lever (a one-off act is carried out once, whatever the span). Zero when nothing of it is left."""
    now = max(start, int(view["turn"]))
    n = min(start + max(duration, 1), int(view["scenario"]["turns"]) + 1) - now
    return max(min(n, 1) if lever.once else n, 0)


# ---------------------------------------------------------------------- the negotiation phase


def negotiate(bot: Character, view: dict[str, Any], env: dict[str, Any]) -> list[Decision]:
    """The negotiation phase: a persona switch, answers, the bot's own package, and a line of talk."""
    out = switch(bot, view, env)
    # the orders the deals it answers and tables will call for, beside those signed (``commitments``)
    pending = own_pending(bot, view)
    # answer what is addressed to us
    for prop in view["proposals"]:
        if prop["status"] != "open" or bot.team not in prop["parties"] or bot.team in prop["accepted"]:
            continue
        said = answer(bot, view, env, prop, pending)
        out.append(said)
        if said.decision == "accept":
            pending.extend(prop["clauses"])
    tabled = _within_orders(bot, view, env, _table_package(bot, view, env), pending)
    if tabled is not None:
        out.append(tabled)
    made = sum(1 for d in out if isinstance(d.command, Propose))
    for pk in bot.persona.model.packages:
        more = _within_orders(bot, view, env, _table_more(bot, view, env, pk, made), pending)
        if more is not None:
            out.append(more)
            made += 1
    other = _within_orders(bot, view, env, _table_open(bot, view, env, made), pending)
    if other is not None:
        out.append(other)
    talk = _talk(bot, view)
    if talk is not None:
        out.append(talk)
    return out


def _within_orders(
    bot: Character,
    view: dict[str, Any],
    env: dict[str, Any],
    d: Decision | None,
    pending: list[dict[str, Any]],
) -> Decision | None:
    """The proposal, if the team could give every order it asks of it on top of the deals it has and
    those it is about to make (``commitments``): as it stands, else from next turn when none of its acts
    is asked by those deals; its clauses then count among those. Else nothing is tabled: a deal it would
    break as soon as it fell due is no offer. Moved a turn on, Mexico's two-turn package asked US-DEMAND
    in turns 2 and 3 beside the US's own deal for turns 1 and 2, and the programme's cap broke the third
    level."""
    if d is None or not isinstance(d.command, Propose):
        return d
    turn = int(view["turn"])
    clauses = clause_dicts(d.command.clauses, turn)
    if overcommitted(bot, view, env, clauses, pending) is None:
        pending.extend(clauses)
        return d
    if turn >= int(view["scenario"]["turns"]) or any(int(c["start_turn"]) != turn for c in clauses):
        return None
    if _shares_a_lever(bot, view, clauses, pending):
        return None  # moved a turn on, the same act would be asked in turns that overlap: levels stack
    later = [{**c, "start_turn": turn + 1} for c in clauses]
    if overcommitted(bot, view, env, later, pending) is not None:
        return None
    pending.extend(later)
    cmd = d.command.model_copy(
        update={"clauses": [c.model_copy(update={"start_turn": turn + 1}) for c in d.command.clauses]}
    )
    return Decision(cmd, d.reason + f"; from turn {turn + 1}, its orders this turn being taken", d.decision)


def _shares_a_lever(
    bot: Character, view: dict[str, Any], clauses: list[dict[str, Any]], pending: list[dict[str, Any]]
) -> bool:
    """Whether a lever of these clauses is asked of anyone by a deal the team has or is making."""
    levers = {c["lever"] for c in clauses}
    held = (
        c
        for a in view["agreements"]
        if a["status"] in ("signed", "active") and bot.team in a["parties"]
        for c in a["clauses"]
    )
    return any(c["lever"] in levers for c in (*held, *pending))


def _table_package(bot: Character, view: dict[str, Any], env: dict[str, Any]) -> Decision | None:
    """The preferred package, once a turn, when the team can pay for it and has no deal of its own in
    force. Trust shapes it rather than gating it (``_shape``): gated at 30, no bot put a deal to China in
    Red Line all game, and a student at a distrusted seat had nothing to answer."""
    pk = bot.persona.model.package
    turn = view["turn"]
    if pk is None or turn in bot.tabled:
        return None
    partners = [t for t in pk.partner if t != bot.team]
    trust = [env.get(f"trust.{pair(bot.team, t)}", 50) for t in partners]
    if not partners or _has_deal(bot, view, turn):
        return None
    offer = _fresh_package(bot, view, env, pk, partners)
    if offer is None:
        return None
    bot.tabled.add(turn)
    return Decision(
        _package_proposal(bot, view, pk, offer, partners),
        f"tables its preferred package to {', '.join(partners)} ({_wary_note(min(trust))})"
        + _trimmed_note(bot, pk, offer),
        "propose",
    )


def _has_deal(bot: Character, view: dict[str, Any], turn: int) -> bool:
    """Whether a deal the team proposed is in force, or ended in the last two turns."""
    team = bot.team.upper()
    return any(
        a["status"] in ("signed", "active") or (a["status"] == "completed" and a["ends_turn"] >= turn - 2)
        for a in view["agreements"]
        if a["proposal"].split("-")[1] == team
    )


def _wary_note(trust: float) -> str:
    """For the facilitator: how the trust in the partners shaped the package."""
    if trust >= WARY:
        return f"trust {trust:.0f}"
    return f"trust {trust:.0f} < {WARY}: one turn, verified jointly, no more of its own clauses than theirs"


def _table_more(
    bot: Character, view: dict[str, Any], env: dict[str, Any], pk: Any, made: int
) -> Decision | None:
    """A further package of the persona, to its own partners: once a turn, while no deal with them is in
    force, within the turn's proposal limit and the team's capital, shaped by the trust as the first.

    One package a persona gave every US bot a partner in Mexico only, so no bot ever put a deal to China,
    and a student playing China had nothing to answer all game. The institutionalist's second package
    is the bargain its own summit rule plays alone: a standing working group for China's controls."""
    turn = int(view["turn"])
    partners = sorted(t for t in pk.partner if t != bot.team)
    mine = [q for q in view["proposals"] if q["from"] == bot.team and q["turn"] == turn]
    if not partners or len(mine) + made >= int(view.get("proposal_limit", 0)):
        return None
    if any(sorted(t for t in q["parties"] if t != bot.team) == partners for q in mine):
        return None  # tabled already this turn
    trust = min(float(env.get(f"trust.{pair(bot.team, t)}", 50)) for t in partners)
    in_force = any(
        a["status"] in ("signed", "active") and set(partners) <= set(a["parties"]) for a in view["agreements"]
    )
    offer = None if in_force else _fresh_package(bot, view, env, pk, partners)
    if offer is None:
        return None
    return Decision(
        _package_proposal(bot, view, pk, offer, partners),
        f"tables a further package to {', '.join(partners)} ({_wary_note(trust)})"
        + _trimmed_note(bot, pk, offer),
        "propose",
    )


# An exchange put to a partner no package of the persona addresses: what it is worth to the bot, the
# partner, the partner's clause and the bot's own.
_Open = tuple[float, str, CLever, CLever]


def _table_open(bot: Character, view: dict[str, Any], env: dict[str, Any], made: int) -> Decision | None:
    """A one-turn exchange to a partner none of the persona's packages addresses, once a turn, when the
    bot values it: the partner's act it values most for its own act it minds least, verified jointly.
    No persona had a package for Canada and only one US persona one for China, so a student at those
    seats was never offered a deal by a bot; a real counterpart puts something on the table to every
    partner whose act it wants. Not to a partner it has a deal in force with, nor the turn after that
    partner declined or countered such an offer."""
    turn = int(view["turn"])
    mine = [q for q in view["proposals"] if q["from"] == bot.team and q["turn"] == turn]
    if len(mine) + made >= int(view.get("proposal_limit", 0)):
        return None
    packages = [bot.persona.model.package, *bot.persona.model.packages]
    covered = {t for pk in packages if pk is not None for t in pk.partner}
    covered |= {t for q in mine for t in q["parties"]}
    budget = float(view["pc"][bot.team]) - committed_cost(bot, view, env)
    best: _Open | None = None
    seen: dict[str, tuple[float, bool | None] | None] = {}  # the team's own acts, weighed once
    for t in TEAMS:
        if t == bot.team or t in covered or _engaged(bot, view, t):
            continue
        offer = _open_offer(bot, view, env, t, budget, seen)
        if offer is None or (best is not None and offer[0] <= best[0]):
            continue
        if not _refused_by_partner(bot, view, env, t, offer[2], offer[3]):
            best = offer
    if best is None:
        return None
    value, partner, take, give = best
    if _refuses_own(bot, view, env, partner, take, give):
        return None
    return Decision(
        _open_proposal(bot, view, partner, take, give),
        f"offers {partner} {take.code} for {give.code} for one turn, verified jointly (worth {value:+.2f})",
        "propose",
    )


def _refuses_own(
    bot: Character, view: dict[str, Any], env: dict[str, Any], partner: str, take: CLever, give: CLever
) -> bool:
    """Whether the bot's own hard rules would refuse this exchange put to it by the partner: students saw
    China offer CN-DIRECTIVE, then refuse it as a step "for leaders to agree when they meet"."""
    turn = int(view["turn"])
    draft = {
        "id": "draft",
        "from": partner,
        "parties": [bot.team, partner],
        "visibility": "public",
        "framing": "china_initiative" if "cn" in (bot.team, partner) else "shared_responsibility",
        "verification": "joint",
        "modules": [],
        "linkage": False,
        "clauses": [
            {"actor": partner, "lever": take.id, "params": {}, "start_turn": turn, "duration": 1},
            {"actor": bot.team, "lever": give.id, "params": {}, "start_turn": turn, "duration": 1},
        ],
    }
    return _ruled_out(bot, view, env, draft) is not None


def _refused_by_partner(
    bot: Character, view: dict[str, Any], env: dict[str, Any], partner: str, take: CLever, give: CLever
) -> bool:
    """Whether a hard rule the partner states when it declines (one with a ``message``) would refuse the
    exchange, as far as the bot can tell: the partner's persona is the one its own proposals show, and a
    rule reading what the bot's view does not hold is not applied. Canada asked China at working level,
    turn after turn, for a step China says is "for leaders to agree when they meet"."""
    persona = _partner_persona(bot, view, partner)
    if persona is None:
        return False
    rules = [r for r in persona.hard_rules if r.reject_if is not None and r.message]
    names: dict[str, Any] = dict.fromkeys(
        (
            n
            for r in rules
            for n in r.reject_if.names
            if n.startswith("prop.") and n in _prop_defaults(bot.rb)
        ),
        False,
    )
    names.update(
        {
            "prop.linkage": False,
            "prop.public": True,
            "prop.trilateral": False,
            "prop.framing": "china_initiative" if "cn" in (bot.team, partner) else "shared_responsibility",
            "prop.parties": 2,
            "prop.modules": 0,
            f"prop.asks.{take.id}": True,
            f"prop.gives.{give.id}": True,
        }
    )
    return any(_rule_refuses(rule.reject_if.fn, env, names) for rule in rules if rule.reject_if is not None)


def _rule_refuses(fn: Callable[[dict[str, Any]], Any], env: dict[str, Any], names: dict[str, Any]) -> bool:
    """A partner's rule read in the bot's environment with the draft's names; False when the bot's
    view does not hold what it reads."""
    try:
        return bool(fn({**env, **names}))
    except (KeyError, TypeError):
        return False


def _partner_persona(bot: Character, view: dict[str, Any], partner: str) -> Any:
    """The partner's persona as its latest proposal in the bot's view shows it (``bot:<persona>``), or
    None when the partner has tabled nothing the bot saw, or is played by people."""
    for prop in reversed(view["proposals"]):
        by = str(prop.get("by") or "")
        if prop["from"] == partner and by.startswith("bot:"):
            persona = bot.rb.personas.get(by.removeprefix("bot:"))
            return persona if persona is not None and persona.team == partner else None
    return None


def _engaged(bot: Character, view: dict[str, Any], partner: str) -> bool:
    """Whether the team has a deal with the partner in force, or put it a proposal in the last two
    turns: an open exchange comes at most every third turn, or bots signed one-turn exchanges every turn
    (560 agreements in 28 default games instead of 41)."""
    if any(
        a["status"] in ("signed", "active") and {bot.team, partner} <= set(a["parties"])
        for a in view["agreements"]
    ):
        return True
    since = int(view["turn"]) - 2
    return any(
        q["from"] == bot.team and partner in q["parties"] and int(q["turn"]) >= since
        for q in view["proposals"]
    )


def _open_offer(
    bot: Character,
    view: dict[str, Any],
    env: dict[str, Any],
    partner: str,
    budget: float,
    seen: dict[str, tuple[float, bool | None] | None] | None = None,
) -> _Open | None:
    """The partner's act the bot values most and its own cooperative act it minds least and can pay for,
    both keepable, when the two together are worth something to the bot: a deal it values, not any
    deal. Neither distrust nor the reservation is charged: distrust shaped the offer (one turn, verified
    jointly), and charged, either kept the US hawk from putting anything to China in Red Line (trust
    20), where China's enforcement campaign for a working group is worth +0.10 a turn to it. Its own
    act is one aimed at the partner (``targets_<team>``) when it has one, not a trilateral meeting
    offered to China. ``seen`` keeps the team's own acts weighed for an earlier partner of the same
    view (``_best_lever``)."""
    theirs, own = _open_levers(bot.rb, bot.team, partner)
    take = _best_lever(bot, view, env, theirs, lambda lv: None)
    if take is None:
        return None
    give = _best_lever(bot, view, env, own, lambda lv: cost_now(view, env, lv, {}), budget, seen)
    if give is None or take[0] + give[0] <= 0:
        return None
    return take[0] + give[0], partner, take[1], give[1]


_OPEN_LEVERS: dict[tuple[int, str, str], tuple[list[CLever], list[CLever]]] = {}


def _open_levers(rb: Rulebook, team: str, partner: str) -> tuple[list[CLever], list[CLever]]:
    """The levers an open exchange may hold (fixed per rulebook): the partner's, and the team's own
    cooperative ones (those aimed at the partner when it has any), in the rulebook's order, without
    those no exchange may hold (``_promisable``)."""
    key = (rb.serial, team, partner)
    hit = _OPEN_LEVERS.get(key)
    if hit is None:
        theirs = [lv for lv in rb.levers.values() if lv.team == partner and _promisable(lv)]
        own = [lv for lv in rb.levers.values() if lv.team == team and "cooperative" in lv.tags]
        own = [lv for lv in own if f"targets_{partner}" in lv.tags] or own
        hit = _OPEN_LEVERS[key] = (theirs, [lv for lv in own if _promisable(lv)])
    return hit


def _promisable(lever: CLever) -> bool:
    """Whether an open exchange may hold the lever: no force, and no consent asked or given."""
    return not (lever.military or "consent_bounded" in lever.tags or "consent_grant" in lever.tags)


def _best_lever(
    bot: Character,
    view: dict[str, Any],
    env: dict[str, Any],
    candidates: list[CLever],
    cost_of: Callable[[CLever], float | None],
    budget: float | None = None,
    seen: dict[str, tuple[float, bool | None] | None] | None = None,
) -> tuple[float, CLever] | None:
    """Of the levers that could be promised for a turn with their defaults (no consent, no force, no
    one-off act already done, keepable as far as the view tells), the one the persona values most: its
    own with its cost and aversions, another team's by its effects.

    ``seen``, when given, holds what was worked out of a lever for this view (its value, or None when
    the budget rules it out, and whether it can be kept, once asked): the team's own acts are weighed
    for each partner alike, and were weighed again for each."""
    best: tuple[float, CLever] | None = None
    for lever in candidates:
        if seen is not None and lever.id in seen:
            hit = seen[lever.id]
        else:
            hit = _weigh_lever(bot, env, lever, cost_of, budget)
            if seen is not None:
                seen[lever.id] = hit
        if hit is None:
            continue
        u, kept = hit
        # whether it can be kept is the dearer check: asked only of a lever that would be the best
        if best is None or u > best[0]:
            if kept is None:
                kept = unkeepable(bot, env, lever, {}, duration=1) is None
                if kept and budget is not None:  # its own act: not offered on a belief that it is barred
                    kept = not _barred_by_belief(env, lever)
                if seen is not None:
                    seen[lever.id] = (u, kept)
            if kept:
                best = (u, lever)
    return best


def _barred_by_belief(env: dict[str, Any], lever: CLever) -> bool:
    """Whether the team's best estimate of the values a lever's preconditions read says it may not give
    the order now. ``unkeepable`` reads only exact values, so that a bot never calls another team's
    promise impossible on a guess; offering its own act is another matter. The US offered Canada
    intelligence sharing in The Record with its estimate of Mexican cooperation at 31 and the bar at 40,
    and broke the deal in the orders phase three times a game."""
    if not lever.preconditions:
        return False
    ctx = {**env, **{f"param.{k}": p.default for k, p in lever.params.items()}}
    ctx["act.public"], ctx["act.military"] = lever.visibility != "private", lever.military
    for cond, _ in lever.preconditions:
        try:
            if not cond.fn(ctx):
                return True
        except (KeyError, TypeError, ZeroDivisionError):
            continue
    return False


def _weigh_lever(
    bot: Character,
    env: dict[str, Any],
    lever: CLever,
    cost_of: Callable[[CLever], float | None],
    budget: float | None,
) -> tuple[float, bool | None] | None:
    """A lever's value to the persona for ``_best_lever`` (keepability not yet asked), or None when the
    budget rules it out, or when it is another team's act whose effects are worth no more than
    ``ASK_FLOOR`` to the persona (``_worth_asking``)."""
    cost = cost_of(lever)
    if budget is not None and (cost is None or cost > budget):
        return None
    key = (bot.rb.serial, bot.persona_id, lever.id)
    if cost is None and key in _UNWEIGHED:
        hit = _UNWEIGHED[key]
        return None if hit is None else (hit, None)
    u: float | None
    u, _ = order_utility(bot, env, lever, {}, True, cost)
    if lever.team != bot.team:
        u = u - _aversions(bot, lever) if _worth_asking(bot, lever, u) else None
    if cost is None and not weigh(bot, lever).public:
        _UNWEIGHED[key] = u
    return None if u is None else (u, None)


# What another team's act must be worth to a bot by its effects (what it changes that the persona weighs)
# before the bot asks for it in an open exchange.
ASK_FLOOR = 0.01


def _worth_asking(bot: Character, lever: CLever, u: float) -> bool:
    """Whether another team's act is worth asking for: its effects, not the persona's liking for acts of
    its kind, are worth more than ``ASK_FLOOR`` to the asker. A persona's tag weights are its taste for
    doing such acts itself; counted alone they had Mexico's sovereigntist, which likes to blame, ask China
    to "deny and deflect", an act that changes nothing Mexico weighs (and harms Mexico's own standing)."""
    return u - weigh(bot, lever).tags > ASK_FLOOR


# A lever's value to a persona, with no cost, when the persona weighs none of its public effects: its
# sovereignty and tag terms only (less its aversions for another team's act, None when that act is not
# worth asking for), the same in any view. Most
# of what a partner could be asked for in an open exchange is such a lever (China's deny-and-deflect
# persona weighs the effects of 5 of the 66 acts it could ask for), and each was weighed afresh in
# every negotiation phase.
_UNWEIGHED: dict[tuple[int, str, str], float | None] = {}


def _open_proposal(bot: Character, view: dict[str, Any], partner: str, take: CLever, give: CLever) -> Propose:
    """The exchange as a proposal: one turn each, public, verified jointly, framed as China's own
    initiative when China is a party (the only framings China signs are its own)."""
    turn = int(view["turn"])
    china = "cn" in (bot.team, partner)
    return decisions.make(
        Propose,
        parties=sorted({bot.team, partner}, key=lambda t: TEAMS.index(t)),
        clauses=[
            decisions.make(Clause, actor=partner, lever=take.id, params={}, start_turn=turn, duration=1),
            decisions.make(Clause, actor=bot.team, lever=give.id, params={}, start_turn=turn, duration=1),
        ],
        visibility="public",
        framing="china_initiative" if china else "shared_responsibility",
        verification="joint",
        modules=[],
        snapback=[],
        expires_turn=turn + 1,
        note=_deal_words(bot, [(partner, take.id, {}), (bot.team, give.id, {})], []),
    )


# A package as the bot would table it this turn: its clauses, its trilateral modules, how many turns each
# clause runs and how compliance is verified.
_Offer = tuple[list[Any], list[str], int, str]

# Below this trust in its partners a bot still tables its package, but shaped for a partner it does not
# trust: one turn, compliance verified by both sides, and no more of its own clauses than the partners
# give (the cheapest kept), so that what it risks on a broken promise is small and seen at once.
WARY = 30

# How much of the distrust premium each way of verifying compliance leaves: a partner's broken promise
# that both sides (or the INCB) see is a smaller risk than one only the partner sees.
VERIFIED = {"self": 1.0, "joint": 0.5, "incb": 0.25}


def _fresh_package(
    bot: Character, view: dict[str, Any], env: dict[str, Any], pk: Any, partners: Sequence[str]
) -> _Offer | None:
    """What of a package is worth tabling this turn, or None when nothing new is left to offer.

    Left out: clauses that could not be kept, modules already in force and the clauses that back them
    (Canada tabled the chemical-notification module every turn after it was in force), and the team's
    own costliest clauses while it cannot pay for them (a United States that spends its capital on
    orders tabled nothing from the third turn on, so a student had nothing to answer). What is left is
    not tabled when its partners declined or countered those very terms last turn (Mexico put the same
    migration clause to the United States five turns running, declined each time for it); a turn later
    it may come back, since Tariffs and Terror's deals are signed at the second or third asking, once
    trust has moved. Taking out the clause a decline named was tried: the deals it let through moved
    three balance checks out of their bands (docs/bots.md)."""
    in_force = {m for m, on in (view.get("modules") or {}).items() if on}
    modules = [m for m in pk.modules if m not in in_force]
    clauses = [c for c in _keepable_package(bot, env, pk.clauses) if not _backs(bot, c, in_force)]
    clauses = _affordable(bot, view, env, clauses)
    trust = min(float(env.get(f"trust.{pair(bot.team, t)}", 50)) for t in partners)
    clauses, duration, verification = _shape(bot, view, env, pk, clauses, trust)
    if not _both_sides(bot, clauses) or _terms(clauses, modules, pk) in _declined(bot, view, partners):
        return None
    return clauses, modules, duration, verification


def _shape(
    bot: Character, view: dict[str, Any], env: dict[str, Any], pk: Any, clauses: list[Any], trust: float
) -> tuple[list[Any], int, str]:
    """The package as offered to partners trusted this much: as the persona wrote it (two turns) from
    ``WARY`` up; below, one turn, verified jointly at least, and reciprocal, its own costliest clauses
    left out until it gives no more clauses than it asks for. A distrusted partner gets a smaller,
    shorter, verified offer, as a real counterpart would make one, not nothing."""
    if trust >= WARY:
        return clauses, 2, pk.verification
    levers = bot.rb.levers
    theirs = [c for c in clauses if c.actor != bot.team]
    # an act before a promise to keep a level where it stands (docs/design.md, "Standing levels"): a
    # distrusted partner wants something done that it sees at once, and a standstill gives it nothing new
    ours = sorted(
        (c for c in clauses if c.actor == bot.team),
        key=lambda c: (
            bool(level_holds(levers[c.lever], dict(c.params), env)),
            cost_now(view, env, levers[c.lever], dict(c.params)),
        ),
    )
    kept = {id(c) for c in ours[: max(len(theirs), 1)]}
    out = [c for c in clauses if c.actor != bot.team or id(c) in kept]
    verification = pk.verification if VERIFIED.get(pk.verification, 1.0) < 1.0 else "joint"
    return out, 1, verification


def _backs(bot: Character, clause: Any, in_force: set[str]) -> bool:
    """Whether the clause commits its actor to a trilateral module that is already in force."""
    return any(isinstance(v, str) and v in in_force for v in dict(clause.params).values())


def _both_sides(bot: Character, clauses: list[Any]) -> bool:
    return any(c.actor == bot.team for c in clauses) and any(c.actor != bot.team for c in clauses)


def _affordable(bot: Character, view: dict[str, Any], env: dict[str, Any], clauses: list[Any]) -> list[Any]:
    """The clauses without the team's own costliest ones while it could not pay for its part this turn
    on top of the commitments it has (none of its own left when even the cheapest is too dear)."""
    levers = bot.rb.levers
    budget = float(view["pc"][bot.team]) - committed_cost(bot, view, env)
    cost = {id(c): cost_now(view, env, levers[c.lever], c.params) for c in clauses if c.actor == bot.team}
    out = list(clauses)
    while sum(cost[id(c)] for c in out if c.actor == bot.team) > budget:
        own = [c for c in out if c.actor == bot.team]
        if not own:
            break
        dearest = max(own, key=lambda c: cost[id(c)])
        out = [c for c in out if c is not dearest]
    return out


def _terms(clauses: Sequence[Any], modules: Sequence[str], pk: Any) -> tuple[Any, ...]:
    """A proposal's terms, whatever turn it was tabled in: who does what, its modules, framing and
    publicity."""
    acts = frozenset((c.actor, c.lever, tuple(sorted(dict(c.params).items()))) for c in clauses)
    return acts, tuple(sorted(modules)), pk.framing, pk.visibility


def _declined(bot: Character, view: dict[str, Any], partners: Sequence[str]) -> set[tuple[Any, ...]]:
    """The terms of the team's proposals to these partners that were declined or countered last turn."""
    out: set[tuple[Any, ...]] = set()
    want = sorted(partners)
    since = int(view["turn"]) - 1
    for q in view["proposals"]:
        if q["from"] != bot.team or q["status"] not in ("rejected", "countered") or int(q["turn"]) < since:
            continue
        if sorted(t for t in q["parties"] if t != bot.team) != want:
            continue
        acts = frozenset((c["actor"], c["lever"], tuple(sorted(c["params"].items()))) for c in q["clauses"])
        out.add((acts, tuple(sorted(q.get("modules", []))), q.get("framing"), q.get("visibility")))
    return out


def _trimmed_note(bot: Character, pk: Any, offer: _Offer) -> str:
    """For the facilitator: what of the package was left out this turn."""
    kept = offer[0]  # its clauses are the package's own: found by identity before any comparison
    left = [
        bot.rb.levers[c.lever].code for c in pk.clauses if not any(k is c for k in kept) and c not in kept
    ]
    return f"; without {', '.join(left)}" if left else ""


def _package_proposal(
    bot: Character, view: dict[str, Any], pk: Any, offer: _Offer, partners: Sequence[str]
) -> Propose:
    """A persona's package as the proposal it tables this turn: the clauses it can keep, each for the
    turns the trust allows (``_shape``), open for one turn."""
    turn = int(view["turn"])
    kept, modules, duration, verification = offer
    parties: list[Any] = sorted({bot.team, *partners}, key=lambda t: TEAMS.index(t))
    return decisions.make(
        Propose,
        parties=parties,
        clauses=[
            decisions.make(
                Clause,
                actor=c.actor,
                lever=c.lever,
                params=dict(c.params),
                start_turn=turn,
                duration=duration,
            )
            for c in kept
        ],
        visibility=pk.visibility,
        framing=pk.framing,
        verification=verification,
        modules=list(modules),
        linkage=pk.linkage,
        snapback=[],
        expires_turn=turn + 1,
        note=_deal_words(bot, [(c.actor, c.lever, dict(c.params)) for c in kept], list(modules)),
    )


def _keepable_package(bot: Character, env: dict[str, Any], clauses: list[Any]) -> list[Any]:
    """The package's clauses that can be kept as far as the view tells, or none when what is left would
    not have both sides give something: a bot tabled once-per-game levers it had played, and asked for
    a US demand programme already at its top, and a student could only decline or sign a broken deal."""
    kept = [c for c in clauses if unkeepable(bot, env, bot.rb.levers[c.lever], dict(c.params)) is None]
    ours = any(c.actor == bot.team for c in kept)
    theirs = any(c.actor != bot.team for c in kept)
    return kept if ours and theirs else []


def _talk(bot: Character, view: dict[str, Any]) -> Decision | None:
    """Now and then, a short line in the persona's voice to its package partner (or the first other team)."""
    p = bot.persona
    if not (p.model.voice.open and bot.roll(view, "talk") < p.model.statement_rate):
        return None
    pk = p.model.package
    partner = pk.partner[0] if pk and pk.partner else next(t for t in TEAMS if t != bot.team)
    text = bot.line("open", view, [partner])
    return Decision(
        decisions.make(SendMessage, channel=pair(bot.team, partner), text=text),
        f"speaks to {partner} in its persona's voice",
        "message",
    )


# ---------------------------------------------------------------------- answering a proposal


def _fill_prop_names(bot: Character, penv: dict[str, Any], prop: dict[str, Any]) -> None:
    penv["prop.linkage"] = bool(prop.get("linkage"))
    penv["prop.public"] = prop["visibility"] == "public"
    penv["prop.trilateral"] = set(prop["parties"]) >= TRILATERAL
    penv["prop.framing"] = prop.get("framing", "none")
    penv["prop.parties"] = len(prop["parties"])
    penv["prop.modules"] = len(prop.get("modules", []))
    for c in prop["clauses"]:
        key = "asks" if c["actor"] == bot.team else "gives"
        penv[f"prop.{key}.{c['lever']}"] = True


def _reject_names(bot: Character, prop: dict[str, Any]) -> dict[str, Any]:
    """The ``prop.*`` names this persona's ``reject_if`` rules read, for one proposal."""
    key = (bot.rb.serial, bot.persona_id)
    wanted = _REJECT_READS.get(key)
    if wanted is None:
        read: set[str] = set()
        for rule in bot.persona.hard_rules:
            if rule.reject_if is not None:
                read |= {n for n in rule.reject_if.names if n.startswith("prop.")}
        wanted = _REJECT_READS[key] = frozenset(read)
    defaults = _prop_defaults(bot.rb)
    penv: dict[str, Any] = {k: defaults[k] for k in wanted if k in defaults}
    _fill_prop_names(bot, penv, prop)
    return {k: v for k, v in penv.items() if k in wanted}


def _ruled_out(
    bot: Character, view: dict[str, Any], env: dict[str, Any], prop: dict[str, Any]
) -> Decision | None:
    """The rejection a hard rule's ``reject_if`` demands for this proposal, if any."""
    names = _reject_names(bot, prop)
    env.update(names)  # read by reject_if only, and taken out again below
    try:
        for rule in bot.persona.hard_rules:
            if rule.reject_if is not None and rule.reject_if.fn(env):
                facts = _rule_facts(bot, names, rule.reject_if.names, prop)
                # the rule's own words say why; without them the sentence still must not stop at a lever
                said = _declines(
                    bot, facts if rule.message else f"{facts}, which it has ruled out", rule.message
                )
                return Decision(
                    decisions.make(Respond, proposal=prop["id"], action="reject", reason=said),
                    f"{rule.id}: {rule.reason}",
                    "reject",
                )
    finally:
        for k in names:
            env.pop(k, None)
    return None


def answer(
    bot: Character,
    view: dict[str, Any],
    env: dict[str, Any],
    prop: dict[str, Any],
    pending: list[dict[str, Any]] | None = None,
) -> Decision:
    """Accept, reject or counter one proposal addressed to the team; ``pending`` holds the clauses of the
    deals it has tabled or accepted and not yet seen signed (``commitments``)."""
    ruled = _ruled_out(bot, view, env, prop)
    if ruled is not None:
        return ruled
    dead = _first_cannot_now(bot, env, prop)
    if dead is not None:  # signed, it would be broken at the end of this turn whatever anyone orders
        i, c, why = dead
        return Decision(
            decisions.make(
                Respond,
                proposal=prop["id"],
                action="reject",
                reason=_declines(bot, _cannot_now_words(bot, c, why)),
            ),
            f"rejects {prop['id']}: clause {i + 1} ({c['actor']}) cannot be carried out this turn: {why}",
            "reject",
        )
    p = bot.persona
    memo: _Memo = {}
    weighed, own_cost, broken = _weigh_deal(bot, view, env, prop, memo)
    total = _deal_total(bot, view, prop, weighed, broken)
    # a deal the team cannot pay for would be broken: commitments already due come first
    committed = committed_cost(bot, view, env)
    pc = float(view["pc"][bot.team])
    _, trust = _threshold(bot, env, prop["from"])
    bound = _bound_turns(bot, view, weighed)
    threshold = _bar_for(bot, env, prop["from"], weighed, bound, prop["verification"])
    # a near miss is worth a counter; a deal far from acceptable is simply rejected
    if own_cost + committed > pc or threshold - NEAR_MISS * bound <= total < threshold:
        counter = _counter(bot, view, env, prop, weighed, trust, pc - committed)
        if counter is not None:
            return counter
    if own_cost + committed > pc:
        said = _declines(bot, "it cannot pay for its part of the deal on top of the commitments it has")
        return Decision(
            decisions.make(Respond, proposal=prop["id"], action="reject", reason=said),
            f"rejects {prop['id']}: its clauses cost {own_cost:g} political capital on top of "
            f"{committed:g} already committed, with {pc:g} available",
            "reject",
        )
    if pending is None:
        pending = own_pending(bot, view)
    short = overcommitted(bot, view, env, prop["clauses"], pending)
    if short is not None:
        return Decision(
            decisions.make(Respond, proposal=prop["id"], action="reject", reason=_declines(bot, short)),
            f"rejects {prop['id']}: {short}",
            "reject",
        )
    if total < threshold and total > 0 and own_cost + committed <= pc and _offered_itself(bot, view, prop):
        return Decision(
            decisions.make(Respond, proposal=prop["id"], action="accept"),
            f"accepts {prop['id']}: the exchange it offered itself, still worth {total:+.2f}",
            "accept",
        )
    if total >= threshold:
        return Decision(
            decisions.make(Respond, proposal=prop["id"], action="accept"),
            f"accepts {prop['id']}: utility {total:+.2f} >= threshold {threshold:.2f} "
            f"(reservation {p.model.reservation}, trust {trust:.0f})"
            + (f"; clause {broken[0] + 1} will not be kept: {broken[1]}" if broken else ""),
            "accept",
        )
    return Decision(
        decisions.make(
            Respond,
            proposal=prop["id"],
            action="reject",
            reason=_declines(bot, _why_not(bot, view, env, prop, weighed, broken, memo)),
        ),
        f"rejects {prop['id']}: utility {total:+.2f} < threshold {threshold:.2f} "
        f"(reservation {p.model.reservation}, trust {trust:.0f})",
        "reject",
    )


def _offered_itself(bot: Character, view: dict[str, Any], prop: dict[str, Any]) -> bool:
    """Whether the bot has itself tabled these terms (the same acts by the same teams, for no longer,
    checked at least as closely): its own offer charged neither the reservation nor distrust, so the same
    deal from the partner must not be held to the bar. Students offered a bot the exchange it had put to
    them a turn earlier and read that it was "more than what the deal offers"."""
    terms = {(c["actor"], c["lever"]) for c in prop["clauses"]}
    longest = max((int(c["duration"]) for c in prop["clauses"]), default=1)
    strict = _VERIFY_RANK.get(str(prop.get("verification")), 0)
    return any(
        q["from"] == bot.team
        and {(c["actor"], c["lever"]) for c in q["clauses"]} == terms
        and longest <= max((int(c["duration"]) for c in q["clauses"]), default=1)
        and strict >= _VERIFY_RANK.get(str(q.get("verification")), 0)
        for q in view["proposals"]
    )


_VERIFY_RANK = {"self": 0, "joint": 1, "incb": 2}


def _bound_turns(bot: Character, view: dict[str, Any], weighed: list[_WeighedClause]) -> int:
    """For how many turns the deal binds the team: the longest of its own clauses, none for a gift (a
    deal in which the team commits to nothing ties none of its turns)."""
    levers = bot.rb.levers
    spans = [
        clause_turns(view, levers[c["lever"]], int(c["start_turn"]), int(c["duration"]))
        for c, _, _ in weighed
        if c["actor"] == bot.team
    ]
    return max([0, *spans])


def _bar_for(
    bot: Character,
    env: dict[str, Any],
    proposer: str,
    weighed: list[_WeighedClause],
    bound: int,
    verification: str = "self",
) -> float:
    """What this deal must be worth: the reservation and the premium distrust asks, for each turn the
    deal binds the team. A gift binds it for none, so the bar is nothing: distrust prices the chance
    that the other side does not deliver, and a team that gives nothing loses nothing if it does not.
    Charged a turn's premium, every Chinese offer that asked nothing of the other side was declined as
    "not enough to sign", and China landed no deal in a student's whole game."""
    per_turn, _ = _threshold(bot, env, proposer, verification)
    return per_turn * bound


def _threshold(
    bot: Character, env: dict[str, Any], proposer: str, verification: str = "self"
) -> tuple[float, float]:
    """What a deal from the proposer must be worth for each turn it binds the team (the reservation and
    the premium distrust asks), and the trust it rests on. Counted per turn bound because clauses are
    weighed over every turn they run: a deal that ties the team's hands twice as long must bring twice
    as much, and one that asks a single step of it for a campaign of several turns clears the bar once.

    The premium prices the chance that the other side does not deliver, so verification shrinks it
    (``VERIFIED``): a broken promise both sides see is a smaller risk than one only the partner sees. At
    trust 20 the premium of a self-verified deal was 1.0 a turn bound, more than any realistic deal
    brought, and every Chinese offer in Red Line was declined; verified jointly it is half that, and
    finger-pointing (+0.5) still counts in full."""
    trust = float(env.get(f"trust.{pair(bot.team, proposer)}", 50))
    finger = float(env.get(f"flag.finger_{pair(bot.team, proposer)}", 0) or 0)
    premium = (60 - trust) / 40
    if premium > 0:
        premium *= VERIFIED.get(verification, 1.0)
    return 0.25 * bot.persona.model.reservation + premium + (0.5 if finger >= 2 else 0), trust


def _weigh_deal(
    bot: Character,
    view: dict[str, Any],
    env: dict[str, Any],
    prop: dict[str, Any],
    memo: _Memo | None = None,
) -> tuple[list[_WeighedClause], float, tuple[int, str] | None]:
    """Each clause with its utility over the turns it commits its actor, and its cost to the team this
    turn; with the first of the team's own clauses it could not keep (its index and why), if any.

    Another party's clause is weighed by what it does and by what the persona welcomes in it (Mexico
    wants the US to act on weapons and demand), but not by the persona's aversions, which are about its
    own acts ("costly steps only for a concession", "ignores Mexico unless Mexico offers something",
    "avoids hawkish moves"): read against another's commitment they made a concession a cost. A
    commitment over several turns is worth each turn it will be played: weighed as one turn, a real
    enforcement campaign was worth a third of what a distrusted partner has to clear.

    ``memo`` keeps each clause weighed for this view (``_weigh_clause``): a decline's demand weighs the
    same clauses again for every change it tries (``_demand``)."""
    public = prop["visibility"] == "public"
    weighed: list[_WeighedClause] = []
    own_cost = 0.0
    broken: tuple[int, str] | None = None
    for i, c in enumerate(prop["clauses"]):
        hit = memo.get((id(c), public)) if memo is not None else None
        if hit is not None and hit[0] is c:
            u, cost, why = hit[1]
        else:
            u, cost, why = _weigh_clause(bot, view, env, c, public)
            if memo is not None:  # the clause is kept with its weight, so its id stays its own
                memo[(id(c), public)] = (c, (u, cost, why))
        if cost is not None:
            own_cost += cost
        if why is not None:
            broken = broken or (i, why)
        weighed.append((c, u, cost or 0.0))
    return weighed, own_cost, broken


# Clauses weighed for one view, by identity and publicity (``_weigh_deal``): the clause, and its
# ``_weigh_clause``.
_Memo = dict[tuple[int, bool], tuple[dict[str, Any], tuple[float, float | None, str | None]]]


def _weigh_clause(
    bot: Character, view: dict[str, Any], env: dict[str, Any], c: dict[str, Any], public: bool
) -> tuple[float, float | None, str | None]:
    """One clause of ``_weigh_deal``: its utility over its turns, its cost to the team when the team
    pays for it (else None), and why the team could not keep it when it is the team's own (else None)."""
    lever = bot.rb.levers[c["lever"]]
    turns = clause_turns(view, lever, int(c["start_turn"]), int(c["duration"]))
    why = unkeepable(bot, env, lever, c["params"], int(c["start_turn"]), int(c["duration"]))
    cost = None
    if c["actor"] == bot.team and _done(bot, env, lever):
        return 0.0, None, None  # a one-off act already carried out meets the clause, and does nothing more
    if c["actor"] == bot.team and level_holds(lever, c["params"], env):
        return 0.0, None, None  # kept by the level that stands: nothing to order, nothing to pay
    if c["actor"] == bot.team and why is not None:
        return 0.0, None, why  # it will not be played: it brings nothing and costs no capital
    if c["actor"] == bot.team:
        full = clause_cost(env, lever, c["params"])
        due_now = int(c["start_turn"]) <= int(view["turn"])
        cost = cost_now(view, env, lever, c["params"]) if due_now else full
        u, _ = order_utility(bot, env, lever, c["params"], public, cost)
        if cost != full and turns > 1:  # free this turn only: the later turns are paid for
            later, _ = order_utility(bot, env, lever, c["params"], public, full)
            u, turns = u + later * (turns - 1), 1
    else:
        u, _ = order_utility(bot, env, lever, c["params"], public, cost)
        u -= _aversions(bot, lever)
        turns = 0 if why is not None else turns  # a promise that cannot be kept is worth nothing
    return u * turns, cost, None


_AVERSIONS: dict[tuple[int, str, str], float] = {}


def _aversions(bot: Character, lever: CLever) -> float:
    """The negative part of the persona's tag weights for the lever: what it shuns doing itself (fixed
    per rulebook, persona and lever, so kept)."""
    key = (bot.rb.serial, bot.persona_id, lever.id)
    hit = _AVERSIONS.get(key)
    if hit is None:
        weights = bot.persona.tag_weights
        hit = _AVERSIONS[key] = sum(min(weights.get(tag, 0.0), 0.0) for tag in lever.tags)
    return hit


def _done(bot: Character, env: dict[str, Any], lever: CLever) -> bool:
    """Whether the lever is a one-off act already carried out: the team's own by its counts, another
    team's when a deal the team is party to held it in a turn now past (``beliefs._partners_done``)."""
    return lever.once and env.get(f"count.{lever.id}", 0) >= 1


def _deal_total(
    bot: Character,
    view: dict[str, Any],
    prop: dict[str, Any],
    weighed: list[_WeighedClause],
    broken: tuple[int, str] | None,
) -> float:
    """What a deal is worth to the bot: its clauses over their turns, its trilateral modules, and the
    score its signature earns (``signing``). One sum, so that an answer, a counter and a decline's
    demand weigh the same deal alike."""
    total = sum(u for _, u, _ in weighed) + _module_bonus(bot, prop)
    return total + signing_value(bot, view, prop, broken is not None)


def _module_bonus(bot: Character, prop: dict[str, Any]) -> float:
    """What the trilateral modules of a deal are worth to this persona, on top of its clauses."""
    if not prop.get("modules"):
        return 0.0
    return bot.persona.tag_weights.get("trilateral", 0.0) + 0.2 * len(prop["modules"])


# ---------------------------------------------------------------------- counter-proposals


def _counter(
    bot: Character,
    view: dict[str, Any],
    env: dict[str, Any],
    prop: dict[str, Any],
    weighed: list[_WeighedClause],
    trust: float,
    budget: float,
) -> Decision | None:
    """A counter-proposal instead of a flat rejection, when one is worth making: the same deal without the
    one clause that costs this team most (never one its own package offers), and with one ask from
    its preferred package that the proposer would carry out. Made only if the counter clears the
    same threshold an acceptance must, fits the team's political capital, still has both sides
    give something, and leaves room for the team's own package within the turn's proposal limit;
    once a turn. Below trust 60 a counter to a self-verified deal asks for joint verification, which
    lowers the bar it must clear (``_threshold``).
    """
    if not _may_counter(bot, view):
        return None
    keep, dropped = _strike(bot, weighed)
    levers = bot.rb.levers
    if any(_done(bot, env, levers[c["lever"]]) for c, _, _ in keep):
        return None  # a counter re-tabling a one-off act already carried out would promise nothing
    if any("consent_bounded" in levers[c["lever"]].tags for c, _, _ in keep) and not any(
        "consent_grant" in levers[c["lever"]].tags for c, _, _ in keep
    ):
        return None  # whether a token still covers it is not for a counter to guess
    ask = _ask(bot, view, env, prop, keep)
    verification = _safer(prop, trust)
    if not _gives_and_takes(bot, prop, weighed, keep, dropped, ask, verification):
        return None
    terms = {**prop, "clauses": [c for c, _, _ in keep] + _ask_clauses(ask), "verification": verification}
    total = _deal_total(bot, view, terms, keep, None) + (ask[1] if ask is not None else 0.0)
    threshold = _bar_for(bot, env, prop["from"], keep, _bound_turns(bot, view, keep), verification)
    if total < threshold or sum(cost for _, _, cost in keep) > budget:
        return None
    # signed the moment the proposer accepts: it must fit as a deal the bot accepts does
    if overcommitted(bot, view, env, terms["clauses"], own_pending(bot, view)) is not None:
        return None
    turn = int(view["turn"])
    bot.countered.add(turn)
    cmd = _counter_proposal(bot, view, prop, keep, ask, verification, trust)
    changes = [f"drops {', '.join(levers[c['lever']].code for c in dropped)}"] if dropped else []
    if ask is not None:
        changes.append(f"asks for {levers[ask[0].lever].code} ({ask[1]:+.2f})")
    if verification != prop["verification"]:
        changes.append(f"asks for {verification} verification")
    return Decision(
        cmd,
        f"counters {prop['id']}: {'; '.join(changes)}; the counter is worth {total:+.2f} "
        f">= threshold {threshold:.2f}",
        "counter",
    )


def _ask_clauses(ask: tuple[Any, float] | None) -> list[dict[str, Any]]:
    """A counter's ask as the clause a deal's signature is weighed by: for two turns, as
    ``_counter_proposal`` tables it."""
    if ask is None:
        return []
    c = ask[0]
    return [{"actor": c.actor, "lever": c.lever, "params": dict(c.params), "duration": 2}]


def _safer(prop: dict[str, Any], trust: float) -> str:
    """The verification a counter asks for: joint where the deal left compliance to each side's word and
    the partner is not trusted enough for that (below ``WORD_TRUST``, where distrust adds to the bar)."""
    v = str(prop["verification"])
    return "joint" if v == "self" and trust < WORD_TRUST else v


def _may_counter(bot: Character, view: dict[str, Any]) -> bool:
    """Whether a counter may be tabled at all: in the negotiation phase, once a turn, with room left for
    the team's own package within the proposal limit. A distrusted partner gets one too (verified)."""
    turn = int(view["turn"])
    if view["phase"] != "negotiation" or turn in bot.countered:
        return False
    pk = bot.persona.model.package
    tabled = sum(1 for q in view["proposals"] if q["from"] == bot.team and q["turn"] == turn)
    reserve = 0 if pk is None or turn in bot.tabled else 1
    return tabled + 1 + reserve <= int(view.get("proposal_limit", 0))


def _strike(
    bot: Character, weighed: list[_WeighedClause]
) -> tuple[list[_WeighedClause], list[dict[str, Any]]]:
    """The clauses kept and the one dropped: the smallest change first, so only the clause that costs this
    team most goes, and never one its own package offers (what the persona would put on the table unasked
    it does not strike out)."""
    pk = bot.persona.model.package
    pk_offers = {(c.actor, c.lever) for c in pk.clauses} if pk is not None else set()
    strikable = [i for i, (c, _, _) in enumerate(weighed) if (c["actor"], c["lever"]) not in pk_offers]
    worst = min(strikable, key=lambda i: weighed[i][1], default=None)
    if worst is not None and weighed[worst][1] < 0:
        return [w for i, w in enumerate(weighed) if i != worst], [weighed[worst][0]]
    return list(weighed), []


def _ask(
    bot: Character,
    view: dict[str, Any],
    env: dict[str, Any],
    prop: dict[str, Any],
    keep: list[_WeighedClause],
) -> tuple[Any, float] | None:
    """The first clause of the persona's package the proposer would carry out that the deal lacks and the
    persona values, with its utility."""
    pk = bot.persona.model.package
    proposer, public = prop["from"], prop["visibility"] == "public"
    levers = bot.rb.levers
    present = {(c["actor"], c["lever"]) for c, _, _ in keep}
    for want in pk.clauses if pk is not None else []:
        lever = levers[want.lever]
        if want.actor != proposer or (want.actor, want.lever) in present or lever.team != proposer:
            continue
        if "consent_bounded" in lever.tags or unkeepable(bot, env, lever, dict(want.params)) is not None:
            continue
        if proposer == "cn" and prop["framing"] not in CHINA_FRAMINGS:
            continue
        u, _ = order_utility(bot, env, lever, dict(want.params), public, None)
        u = (u - _aversions(bot, lever)) * clause_turns(view, lever, int(view["turn"]), 2)
        if u > 0:
            return (want, u)
    return None


def _gives_and_takes(
    bot: Character,
    prop: dict[str, Any],
    weighed: list[_WeighedClause],
    keep: list[_WeighedClause],
    dropped: list[dict[str, Any]],
    ask: tuple[Any, float] | None,
    verification: str,
) -> bool:
    """Whether the counter differs from the deal and still has both sides give something."""
    proposer = prop["from"]
    if not dropped and ask is None and verification == prop["verification"]:
        return False  # nothing to change: a counter would be the same deal
    if ask is None and not any(c["actor"] == proposer for c, _, _ in keep):
        return False  # without the proposer's part it would be a gift, not a deal
    # a counter that keeps none of our own part is a demand, not an offer
    return not (
        any(c["actor"] == bot.team for c, _, _ in weighed)
        and not any(c["actor"] == bot.team for c, _, _ in keep)
    )


def _clause(c: dict[str, Any], turn: int) -> Clause:
    """A proposal's clause as a command's, starting no earlier than ``turn``."""
    return decisions.make(
        Clause,
        actor=c["actor"],
        lever=c["lever"],
        params=dict(c["params"]),
        start_turn=max(int(c["start_turn"]), turn),
        duration=int(c["duration"]),
        condition=c.get("condition"),
    )


def _counter_proposal(
    bot: Character,
    view: dict[str, Any],
    prop: dict[str, Any],
    keep: list[_WeighedClause],
    ask: tuple[Any, float] | None,
    verification: str,
    trust: float,
) -> Propose:
    """The counter as a proposal: the original's terms with the kept clauses, the ask and the
    verification asked for, open a turn."""
    turn = int(view["turn"])
    clauses = [_clause(c, turn) for c, _, _ in keep]
    if ask is not None:
        clauses.append(
            decisions.make(
                Clause,
                actor=ask[0].actor,
                lever=ask[0].lever,
                params=dict(ask[0].params),
                start_turn=turn,
                duration=2,
            )
        )
    return decisions.make(
        Propose,
        parties=list(prop["parties"]),
        clauses=clauses,
        visibility=prop["visibility"],
        framing=prop["framing"],
        verification=verification,
        modules=list(prop.get("modules", [])),
        linkage=bool(prop.get("linkage")),
        snapback=[
            decisions.make(Snapback, **{**sb, "params": dict(sb.get("params", {}))})
            for sb in prop.get("snapback", [])
        ],
        expires_turn=turn + 1,
        counter_to=prop["id"],
        sovereignty_accord=bool(prop.get("sovereignty_accord")),
        note=_counter_words(bot, prop, keep, ask, verification, trust),
    )


# ---------------------------------------------------------------------- what the proposer is told

# How each framing reads in a sentence to the proposer.
_FRAMED = {
    "none": "has no framing",
    "shared_responsibility": "is framed as a shared responsibility",
    "us_demand_met": "is framed as meeting US demands",
    "china_initiative": "is framed as China's own initiative",
    "multilateral": "is framed as multilateral",
    "reciprocal": "is framed as reciprocal",
}


def _team_name(bot: Character, team: str, start: bool = False) -> str:
    """A team's name as it reads in a sentence ("the United States"; "The" opening one)."""
    t = bot.rb.teams.get(team)
    name = t.name if t is not None else team.upper()
    if name.startswith("United "):
        name = f"{'The' if start else 'the'} {name}"
    return name


def _lever_words(bot: Character, lever_id: str, params: dict[str, Any] | None = None) -> str:
    """A lever as a person reads it: its code, then its name and parameters in the game's one wording of
    a clause's values (``words.params_words``), e.g. "MX-ME (Set the level of migration enforcement,
    level: at least 60)". The bots had their own, and China read "tariff: imposed, rate 0" in a bot's
    note beside the clause's "tariff: lifted (the rate kept at 0 %)" (student h22)."""
    lever = bot.rb.levers[lever_id]
    said = params_words(bot.rb, lever_id, dict(params or {}), promise=True)
    return f"{lever.code} ({', '.join(x for x in (lever.name, said) if x)})"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _deal_words(bot: Character, clauses: list[tuple[str, str, dict[str, Any]]], modules: list[str]) -> str:
    """A proposal's note: what the bot's team offers and what it asks of each partner, by the clauses'
    own levers. A voice line chosen at random used to be the note, and it named what the deal did not
    hold ("double your port checks" with no MX-PORT clause; Mexico's "set up the plan" on a deal with
    no plan in it, in students' games)."""
    own = [_lever_words(bot, lever, params) for team, lever, params in clauses if team == bot.team]
    asks: dict[str, list[str]] = {}
    for team, lever, params in clauses:
        if team != bot.team:
            asks.setdefault(team, []).append(_lever_words(bot, lever, params))
    parts = [f"{_team_name(bot, bot.team, start=True)} offers {_and(own)}"] if own else []
    if asks:
        asked = [f"{_team_name(bot, t)} for {_and(words)}" for t, words in asks.items()]
        parts.append(
            ("and asks " if own else f"{_team_name(bot, bot.team, start=True)} asks ") + "; ".join(asked)
        )
    if modules:
        parts.append("with trilateral module " + _and([m.upper() for m in modules]))
    return (" ".join(parts) + ".") if parts else ""


def _declines(bot: Character, why: str, line: str = "") -> str:
    """The sentence the proposer reads with a rejection: why, from the deal's own terms, then the hard
    rule's own words when a rule decided it. A random line in the persona's voice used to follow, and it
    read as the reason ("No foreign troops on Mexican soil" to a US-China deal, in a student's game): the
    voice lines stay in messages. Only what the proposal shows goes in: never a value, a threshold, a
    trust or a budget."""
    text = f"{_team_name(bot, bot.team, start=True)} declines: {why}."
    return f"{text} {line}"[:MAX_REASON] if line else text[:MAX_REASON]


def _rule_facts(bot: Character, names: dict[str, Any], read: Any, prop: dict[str, Any]) -> str:
    """What a hard rule saw in the deal, from the ``prop.*`` names it reads that hold for this proposal:
    the asks, the other side's commitments it objects to, the framing, publicity and linkage. A lever
    is worded with its clause's parameters: without them it read as the rules' defaults, and two
    students who asked China for CN-KYC on 15 and 20 chemicals read "chemicals covered: at least 13"."""
    me = _team_name(bot, bot.team)

    def said(lever: str) -> str:
        clause = next((c for c in prop.get("clauses") or [] if c.get("lever") == lever), None)
        if clause is None:
            return bot.rb.levers[lever].code
        return _lever_words(bot, lever, clause.get("params") or {})

    asks = [said(n[10:]) for n in sorted(read) if n.startswith("prop.asks.") and names.get(n)]
    gives = [said(n[11:]) for n in sorted(read) if n.startswith("prop.gives.") and names.get(n)]
    facts = [f"asks {me} for {_and(asks)}"] if asks else []
    if gives:
        facts.append(f"includes {_and(gives)}")
    if "prop.framing" in read:
        facts.append(_FRAMED.get(str(names.get("prop.framing")), "has a framing it cannot sign"))
    if "prop.public" in read and names.get("prop.public"):
        facts.append("would be public")
    if "prop.linkage" in read and names.get("prop.linkage"):
        facts.append("links fentanyl to other files")
    return f"the deal {_and(facts)}" if facts else "the deal crosses a line it has drawn"


def _shortfall(
    bot: Character,
    env: dict[str, Any],
    prop: dict[str, Any],
    weighed: list[_WeighedClause],
    broken: tuple[int, str] | None = None,
) -> str:
    """Why a deal falls short, from its own clauses: the clause that tipped it, and what the proposer puts
    against it (nothing, or nothing on an ask of the persona's own package that could be kept).

    Only a clause that weighs against the persona is blamed, the team's own first (what the deal costs it
    is what it weighs against the rest): picking the lowest clause of all named China's own enforcement
    campaign, or Mexico's migration enforcement, as the reason the United States said no."""
    me = _team_name(bot, bot.team)
    if broken is not None:
        c = weighed[broken[0]][0]
        what = _lever_words(bot, c["lever"], c["params"])
        return (
            f"the deal asks {me} for {what}, which it cannot keep ({broken[1]}), and the rest is not enough"
        )
    against = [w for w in weighed if w[1] < 0]
    ours = [w for w in against if w[0]["actor"] == bot.team]
    if ours or against:
        worst, _, _ = min(ours or against, key=lambda w: w[1])
        what = _lever_words(bot, worst["lever"], worst["params"])
        if worst["actor"] != bot.team:
            return f"the deal includes {what} by {_team_name(bot, worst['actor'])}, which works against {me}"
        return f"the deal asks {me} for {what}{_in_return(bot, env, prop, weighed)}"
    offered = [c for c, _, _ in weighed if c["actor"] != bot.team]
    if not offered:
        # nothing is offered for the team's part: say what it is asked for and that nothing comes back
        # ("the deal's terms do not give it enough" named neither)
        own = _and([_lever_words(bot, c["lever"], c["params"]) for c, _, _ in weighed[:2]])
        return (
            f"the deal asks {me} for {own}{_in_return(bot, env, prop, weighed)}"
            if own
            else f"what the deal offers is not enough for {me} to sign as things stand"
        )
    gives = _and(
        [f"{_lever_words(bot, c['lever'], c['params'])} by {_team_name(bot, c['actor'])}" for c in offered]
    )
    return f"what the deal offers ({gives}) is not enough for {me} to sign as things stand"


def _in_return(
    bot: Character, env: dict[str, Any], prop: dict[str, Any], weighed: list[_WeighedClause]
) -> str:
    """What the proposer puts against the team's own part, as the end of the sentence. What it would
    take instead is said after it, by ``_demand``, once checked."""
    if not any(c["actor"] == prop["from"] for c, _, _ in weighed):
        return " while offering nothing in return"
    return ", more than what the deal offers in return"


# ---------------------------------------------------------------------- what a decline asks for


def _why_not(
    bot: Character,
    view: dict[str, Any],
    env: dict[str, Any],
    prop: dict[str, Any],
    weighed: list[_WeighedClause],
    broken: tuple[int, str] | None,
    memo: _Memo | None = None,
) -> str:
    """Why the deal falls short, then what would make the bot sign it."""
    short = _shortfall(bot, env, prop, weighed, broken)
    demand = _demand(bot, view, env, prop, weighed, broken, memo)
    if len(short) + len(demand) > MAX_REASON - 60 and broken is not None:
        # the demand must not be cut off, nor the turn a clause breaks in: the rule's own words go
        c = weighed[broken[0]][0]
        when = broken[1].split(": ")[0]  # "US-DEMAND can be ordered in turn 1, but in turn 2"
        code = bot.rb.levers[c["lever"]].code
        short = f"the deal asks {_team_name(bot, bot.team)} for {code}, which it cannot keep ({when})"
    if len(short) + len(demand) > MAX_REASON - 60:
        short = f"the deal is not enough for {_team_name(bot, bot.team)} as it stands"
    return f"{short}; {demand}"


# A change a decline may ask for: its words, and how it changes a proposal.
_Change = tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]


def _demand(
    bot: Character,
    view: dict[str, Any],
    env: dict[str, Any],
    prop: dict[str, Any],
    weighed: list[_WeighedClause],
    broken: tuple[int, str] | None,
    memo: _Memo | None = None,
) -> str:
    """What would make the bot sign, checked: the first change of the deal's terms (one clause out, one
    ask of its package in, joint verification, or two of these together) with which the very same bot,
    this turn, would accept it. Mexico's declines named one ask, and when a student met it the next
    decline named another: a reason that is not a demand the bot accepts once met sends a student
    chasing moving goalposts. When no such change exists it says so rather than name one."""
    me = _team_name(bot, bot.team)
    singles = list(_changes(bot, view, env, prop, weighed, broken))
    memo = {} if memo is None else memo
    committed = committed_cost(bot, view, env)
    for words, change in _combined(singles):
        changed = change(prop)
        if (
            _reciprocal(bot, changed)
            and _accepts(bot, view, env, changed, memo, committed)
            and _sendable(bot, view, env, changed)
        ):
            return f"{me} would sign it {words}"
    return f"no small change to these terms would bring {me} to sign"


def _sendable(bot: Character, view: dict[str, Any], env: dict[str, Any], prop: dict[str, Any]) -> bool:
    """Whether the proposer could table these terms: the server's own check (``check_proposal``). A
    student's US read "Mexico would sign it without MX-CONSENT" beside US-SFT, which needs Mexico's
    consent, and the composer rightly refused to send it."""
    turn = int(view["turn"])
    cmd = decisions.make(
        Propose,
        parties=list(prop["parties"]),
        clauses=[_clause(c, turn) for c in prop["clauses"]],
        visibility=prop["visibility"],
        framing=prop["framing"],
        verification=prop["verification"],
        modules=list(prop.get("modules", [])),
        snapback=[],
        sovereignty_accord=bool(prop.get("sovereignty_accord")),
    )
    tokens = view.get("tokens") or []
    try:
        check_proposal(
            bot.rb,
            cmd,
            str(prop["from"]),
            turn=turn,
            phase="negotiation",
            tabled=0,
            limit=1,
            consent_token=lambda: any(t.get("active") for t in tokens),
            breach=lambda: breach_age(bot.rb, env),
        )
    except CommandError:
        return False
    return True


def _changes(
    bot: Character,
    view: dict[str, Any],
    env: dict[str, Any],
    prop: dict[str, Any],
    weighed: list[_WeighedClause],
    broken: tuple[int, str] | None,
) -> list[_Change]:
    """The single changes a decline may ask for, the smallest first: without the clause of its own it
    cannot keep or the one that weighs most against it, with an ask of its package the proposer could
    keep (for two turns, as its package asks), and with compliance checked by both sides."""
    out: list[_Change] = []
    against = sorted(
        (i for i, w in enumerate(weighed) if w[1] < 0),
        key=lambda i: (weighed[i][0]["actor"] != bot.team, weighed[i][1]),
    )
    for i in dict.fromkeys([*([broken[0]] if broken else []), *against[:1]]):
        c = prop["clauses"][i]
        by = "" if c["actor"] == bot.team else f" by {_team_name(bot, c['actor'])}"
        out.append((f"without {_lever_words(bot, c['lever'], c['params'])}{by}", _without(c)))
    for want in _asks_missing(bot, env, prop):
        clause = {
            "actor": want.actor,
            "lever": want.lever,
            "params": dict(want.params),
            "start_turn": int(view["turn"]),
            "duration": 2,
            "condition": None,
        }
        words = f"with {_lever_words(bot, want.lever, dict(want.params))} by {_team_name(bot, want.actor)}"
        out.append((f"{words} for two turns", _with(clause)))
    if prop["verification"] == "self":
        out.append((_VERIFY_WORDS["joint"], lambda q: {**q, "verification": "joint"}))
    if any(c["actor"] == bot.team and int(c["duration"]) > 1 for c in prop["clauses"]):
        name = _team_name(bot, bot.team)
        whose = f"{name}'" if name.endswith("s") else f"{name}'s"  # "the United States' part", not "States's"
        out.append((f"with {whose} part for one turn only", _shorter(bot.team)))
    return out


def _combined(singles: list[_Change]) -> list[_Change]:
    """The single changes, then any two, then any three of them together."""
    out = list(singles)
    for i, (a, f) in enumerate(singles):
        for j in range(i + 1, len(singles)):
            b, g = singles[j]
            out.append((f"{a} and {b}", _both(f, g)))
            out += [(f"{a}, {b} and {c}", _both(_both(f, g), h)) for c, h in singles[j + 1 :]]
    return sorted(out, key=lambda w: w[0].count(" and ") + w[0].count(", "))


def _reciprocal(bot: Character, prop: dict[str, Any]) -> bool:
    """Whether both sides still give something: "it would sign without its own part" turns a deal into a
    gift, which is no answer to a proposer who asked for something."""
    return any(c["actor"] == bot.team for c in prop["clauses"]) and any(
        c["actor"] != bot.team for c in prop["clauses"]
    )


def _shorter(team: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda q: {
        **q,
        "clauses": [{**c, "duration": 1} if c["actor"] == team else c for c in q["clauses"]],
    }


def _without(clause: dict[str, Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda q: {**q, "clauses": [c for c in q["clauses"] if c is not clause]}


def _with(clause: dict[str, Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda q: {**q, "clauses": [*q["clauses"], clause]}


def _both(
    f: Callable[[dict[str, Any]], dict[str, Any]], g: Callable[[dict[str, Any]], dict[str, Any]]
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda q: g(f(q))


def _asks_missing(bot: Character, env: dict[str, Any], prop: dict[str, Any]) -> list[Any]:
    """The asks of the persona's packages the proposer could keep and the deal lacks."""
    proposer = prop["from"]
    present = {c["lever"] for c in prop["clauses"] if c["actor"] == proposer}
    out: list[Any] = []
    packages = [bot.persona.model.package, *bot.persona.model.packages]
    for pk in packages:
        for want in pk.clauses if pk is not None else []:
            lever = bot.rb.levers[want.lever]
            if want.actor != proposer or want.lever in present or lever.team != proposer:
                continue
            if "consent_bounded" in lever.tags or unkeepable(bot, env, lever, dict(want.params)) is not None:
                continue
            if proposer == "cn" and prop["framing"] not in CHINA_FRAMINGS:
                continue
            present.add(want.lever)
            out.append(want)
    return out


def _accepts(
    bot: Character,
    view: dict[str, Any],
    env: dict[str, Any],
    prop: dict[str, Any],
    memo: _Memo | None = None,
    committed: float | None = None,
) -> bool:
    """Whether the bot, as it is this turn, would accept the proposal: the check ``answer`` makes
    (``committed`` is ``committed_cost`` when the caller has it)."""
    if _ruled_out(bot, view, env, prop) is not None or _first_cannot_now(bot, env, prop) is not None:
        return False
    weighed, own_cost, broken = _weigh_deal(bot, view, env, prop, memo)
    if committed is None:
        committed = committed_cost(bot, view, env)
    if own_cost + committed > float(view["pc"][bot.team]):
        return False
    if overcommitted(bot, view, env, prop["clauses"], own_pending(bot, view)) is not None:
        return False
    total = _deal_total(bot, view, prop, weighed, broken)
    bound = _bound_turns(bot, view, weighed)
    return total >= _bar_for(bot, env, prop["from"], weighed, bound, prop["verification"])


# How a change of verification reads in a sentence to the proposer.
_VERIFY_WORDS = {
    "joint": "with compliance checked by both sides",
    "incb": "with compliance checked by the International Narcotics Control Board",
}


def _counter_words(
    bot: Character,
    prop: dict[str, Any],
    keep: list[_WeighedClause],
    ask: tuple[Any, float] | None,
    verification: str,
    trust: float,
) -> str:
    """The counter-proposal's sentence to the proposer: what it takes out and what it adds, and why it
    asks for a check of compliance (h22 read "the same deal with compliance checked by both sides" the
    turn after breaking a clause, with no reason given)."""
    kept = {(c["actor"], c["lever"]) for c, _, _ in keep}
    dropped = [c for c in prop["clauses"] if (c["actor"], c["lever"]) not in kept]
    changes = [f"without {_lever_words(bot, c['lever'], c['params'])}" for c in dropped[:1]]
    if ask is not None:
        by = _team_name(bot, ask[0].actor)
        changes.append(f"with {_lever_words(bot, ask[0].lever, dict(ask[0].params))} by {by}")
    if verification != prop["verification"]:
        why = ""
        if verification == _safer(prop, trust) != prop["verification"]:
            proposer = _team_name(bot, str(prop["from"]))
            why = f" (its trust in {proposer} is {trust:.0f}, under the {WORD_TRUST} it takes a word at)"
        changes.append(_VERIFY_WORDS.get(verification, "with compliance verified") + why)
    who = _team_name(bot, bot.team, start=True)
    # why, in the sentence itself: a counter comes from a deal just short of what the bot signs for
    short = ""
    if dropped or ask is not None:
        short = f"; as tabled, it was not enough for {_team_name(bot, bot.team)} to sign"
    return f"{who} counters {prop['id']}: the same deal {' and '.join(changes)}{short}."
