"""What the team's deals call for, in orders and political capital, and whether it can give it: a team
gives at most the scenario's order limit a turn (``order_limit``) and pays for its orders from its capital,
and a clause that needs an order it has no room or capital for is broken.

A bot checked that it could pay for a deal in political capital (``committed_cost``) but not
that it had the orders to keep it. In Election Season the United States signed, in its first turn, its own
four-act package and then deals asking US-CN-TRACK and US-USMCA-T of it: six orders due with four to give,
two clauses broken at once, trust lost with China and Canada; in The Record it offered Canada US-INTEL
in the turn its own package to Mexico took all its capital. Once the bots began to price the signature
itself (``signing``) it broke three deals a game that way, and lost more by it than the signatures earned.
"""

from __future__ import annotations

from typing import Any

from precursor.game.bots.character import Character
from precursor.game.promises import level_holds
from precursor.game.rulebook import CLever


def clause_cost(env: dict[str, Any], lever: CLever, params: dict[str, Any]) -> float:
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


def committed_cost(bot: Character, view: dict[str, Any], env: dict[str, Any]) -> float:
    """Political capital the team's signed deals will call for next turn."""
    total = 0.0
    nxt = view["turn"] + 1
    for a in view["agreements"]:
        if a["status"] not in ("signed", "active") or bot.team not in a["parties"]:
            continue
        for c in a["clauses"]:
            start, dur = int(c["start_turn"]), max(int(c["duration"]), 1)
            if c["actor"] != bot.team or not (start <= nxt <= start + dur - 1):
                continue
            lever = bot.rb.levers[c["lever"]]
            if lever.once and env.get(f"count.{lever.id}", 0) >= 1:
                continue
            if level_holds(lever, c["params"], env):  # kept by the level that stands: no order to pay
                continue
            total += clause_cost(env, lever, c["params"])
    return total


def cost_now(view: dict[str, Any], env: dict[str, Any], lever: CLever, params: dict[str, Any]) -> float:
    """A clause's cost to the team this turn: nothing for a lever an event made free this turn (the
    orders screen's ``free_levers``, as the orders phase reads it). Charged at its list price, US-DEMAND
    offered free in Election Season was declined as asking too much of the United States."""
    if lever.id in view.get("free_levers", ()):
        return 0.0
    return clause_cost(env, lever, params)


def overcommitted(
    bot: Character,
    view: dict[str, Any],
    env: dict[str, Any],
    clauses: list[dict[str, Any]],
    pending: list[dict[str, Any]] | None = None,
) -> str | None:
    """Why the team could not keep these clauses beside its signed deals and the ``pending`` clauses (of
    deals it has tabled or accepted and not yet seen signed), or None: in some turn they would call for
    more orders than it may give, or for more political capital than it has now. A lever counts once
    a turn however many clauses ask it; a once-per-game act already done and a level that already stands
    call for no order. This turn also holds the plays its persona's hard rules will force."""
    now = int(view["turn"])
    mine = [c for c in clauses if c["actor"] == bot.team]
    turns = sorted({t for c in mine for t in _due_turns(c, now)})
    if not turns:
        return None
    due: dict[int, dict[str, float]] = {t: {} for t in turns}
    held = [
        c
        for a in view["agreements"]
        if a["status"] in ("signed", "active") and bot.team in a["parties"]
        for c in a["clauses"]
        if c["actor"] == bot.team
    ]
    limit = int(view.get("order_limit", 0) or 0)
    pc = float(view["pc"][bot.team])  # a later turn's capital is not known: what it has now stands for it
    _add_due(bot, view, env, due, now, (*held, *(c for c in pending or () if c["actor"] == bot.team)))
    # the capital its persona's forced plays will want this turn, in the room its deals leave them
    reserve = {now: _forced_now(bot, view, env, due[now], limit, pc)} if now in due else {}
    _add_due(bot, view, env, due, now, mine)
    for t in turns:
        if 0 < limit < len(due[t]):
            return f"with the deals it has it could not give every order this one asks in turn {t}"
    for t in turns:
        if sum(due[t].values()) + reserve.get(t, 0.0) > pc:
            when = "this turn" if t == now else f"in turn {t}"
            return f"with the deals it has it could not pay {when} for every act this one asks"
    return None


def _add_due(
    bot: Character,
    view: dict[str, Any],
    env: dict[str, Any],
    due: dict[int, dict[str, float]],
    now: int,
    clauses: Any,
) -> None:
    """Each clause's lever and price in the turns of ``due`` it calls for an order in (one a lever)."""
    for c in clauses:
        lever = bot.rb.levers[c["lever"]]
        if lever.once and env.get(f"count.{lever.id}", 0) >= 1:
            continue
        if level_holds(lever, c["params"], env):
            continue
        for t in _due_turns(c, now, lever.once):
            if t in due and lever.id not in due[t]:
                price = (
                    cost_now(view, env, lever, c["params"])
                    if t == now
                    else clause_cost(env, lever, c["params"])
                )
                due[t][lever.id] = price


def _forced_now(
    bot: Character, view: dict[str, Any], env: dict[str, Any], due: dict[str, float], limit: int, pc: float
) -> float:
    """The capital the plays of its persona's ``reserve`` rules will want in this turn's orders phase,
    for as many as fit the orders and capital its deals leave (``due``: this turn's). The orders phase
    honours clauses first and the forced plays get what is left: an institutionalist United States
    signed deals that took all its capital in the turns Mexico's consent token ran, and never sent the
    trainers its persona sends whenever a token allows (US-SFT went unordered in every bot game).
    Only the rules marked ``reserve`` (a play the persona bargains for), and capital only, not order
    slots: holding back for every forced play, the United States declined most of Canada's trilateral
    deals in Election Season (modules in force with the trilateralist in 92 % of balance games → 21 %)."""
    spent = sum(due.values())
    room = (limit if limit > 0 else len(bot.rb.levers)) - len(due)
    wanted = 0.0
    for rule in bot.order_rules(env, view, reserve_only=True):
        if rule.play is None or room <= 0:
            continue
        lever = bot.rb.levers[rule.play.lever]
        done = lever.once and env.get(f"count.{lever.id}", 0) >= 1
        if lever.id in due or done or lever.id in bot.persona.never:
            continue
        params = {k: p.default for k, p in lever.params.items()}
        params.update(rule.play.params)
        price = cost_now(view, env, lever, params)
        if spent + wanted + price > pc:
            continue
        wanted += price
        room -= 1
    return wanted


def own_pending(bot: Character, view: dict[str, Any]) -> list[dict[str, Any]]:
    """The clauses of the team's own proposals still open: signed by the partner in this phase, they
    call for the team's orders as a deal already in force does."""
    return [
        c for q in view["proposals"] if q["from"] == bot.team and q["status"] == "open" for c in q["clauses"]
    ]


def clause_dicts(clauses: Any, turn: int) -> list[dict[str, Any]]:
    """A proposal command's clauses as the view holds them (a clause without a start is due from now)."""
    return [
        {
            "actor": c.actor,
            "lever": c.lever,
            "params": dict(c.params),
            "start_turn": c.start_turn if c.start_turn is not None else turn,
            "duration": c.duration,
        }
        for c in clauses
    ]


def _due_turns(c: dict[str, Any], now: int, once: bool = False) -> range:
    """The turns from now on in which the clause calls for an order: a once-per-game act only in the
    first (done, it meets the clause for the rest of its turns)."""
    start = int(c["start_turn"] if c.get("start_turn") is not None else now)
    first = max(start, now)
    return range(first, first + 1) if once else range(first, start + max(int(c["duration"]), 1))
