"""A seat refuses an order another seat of its team gave: the ``refusal.*`` rules (docs/engine.md,
"Refusing an order").

When a team is played by several people, its head seat may direct an order on a lever that another
seat's body carries out (the president orders an arrest the security cabinet must make). The seat that
holds that body may then decline it, on the grounds the rules state and at their cost. This happens in
the orders phase, while the order is still the team's secret: a refused order is never revealed,
executed or paid for, so nobody outside the team learns of it except through what did not happen.

A ground is a ``mechanism`` rule whose id starts with ``refusal.``: its ``match`` names the orders it
covers, its ``when`` the condition, its ``effects`` the cost and its ``every_turns`` how often a team's
seats may refuse at all. A merged team (one player seat) never directs anyone, so none of this runs in
the default game.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from precursor.game.commands import Actor, CommandError, RefuseOrder
from precursor.game.core import GameCore
from precursor.game.rulebook import CLever, CRule
from precursor.game.visibility import key_visible

PREFIX = "refusal."


def grounds(g: GameCore, team: str, lever: CLever) -> list[CRule]:
    """The refusal rules that cover an order of ``team`` on ``lever``, in id order."""
    out = []
    for rid in sorted(g.rb.mechanisms):
        rule = g.rb.mechanisms[rid]
        m = rule.match
        if not rid.startswith(PREFIX) or m is None:
            continue
        if m.team is not None and m.team != team:
            continue
        if m.levers and lever.id not in m.levers:
            continue
        if m.tags_any and not (set(m.tags_any) & lever.tags):
            continue
        out.append(rule)
    return out


def directable(g: GameCore, team: str, seat: str, lever: CLever) -> bool:
    """Whether ``seat`` may give an order on a lever another seat of its team carries out: only the head
    seat, and only on a lever some refusal rule covers (an order that can be given can be refused)."""
    return seat == g.head_seat(team) and bool(grounds(g, team, lever))


def refused_this_turn(g: GameCore, team: str, lever_id: str) -> bool:
    """A lever refused this turn cannot be ordered again by any seat of the team until the next one."""
    turn = g.state.turn
    return any(r["team"] == team and r["lever"] == lever_id and r["turn"] == turn for r in g.state.refusals)


def seat_name(g: GameCore, team: str, seat: str) -> str:
    """A player seat as the scenario names it ("Security cabinet and prosecutors"), for words players read."""
    for t, seats in g.sc.model.seats.items():
        for s in seats:
            if t == team and s.id == seat:
                return str(s.name)
    return seat.replace("_", " ")


def refused_now(g: GameCore, team: str) -> dict[str, str]:
    """Each lever of ``team`` refused this turn, with why it cannot be ordered again: what the orders
    screen says of it. The lever list's own check (cost, preconditions) knows nothing of refusals."""
    turn = g.state.turn
    return {
        r["lever"]: (
            f"{g.rb.levers[r['lever']].code} was refused this turn by the {seat_name(g, team, r['seat'])};"
            " it can be ordered again next turn"
        )
        for r in g.state.refusals
        if r["team"] == team and r["turn"] == turn and r["lever"] in g.rb.levers
    }


def assess(g: GameCore, team: str, lever: CLever) -> tuple[CRule | None, str, str]:
    """The ground on which an order on ``lever`` may be refused now, or None with a code and why not."""
    rules = grounds(g, team, lever)
    if not rules:
        return None, "not_refusable", f"no rule lets a seat refuse {lever.code}"
    env, turn = g.state.env, g.state.turn
    last = max((r["turn"] for r in g.state.refusals if r["team"] == team), default=None)
    for rule in rules:
        every = int(rule.params["every_turns"].fn(env)) if "every_turns" in rule.params else 1
        if last is not None and turn < last + every:
            return (
                None,
                "refusal_spent",
                f"team {team} refused an order in turn {last}; it may refuse again from turn {last + every}",
            )
        if rule.when is None or rule.when.fn(env):
            return rule, "", ""
    needs = "; or ".join(_condition(g, team, rule) for rule in rules)
    return None, "no_grounds", f"{lever.code} may be refused only when: {needs}"


def _condition(g: GameCore, team: str, rule: CRule) -> str:
    """A ground's condition with the values it reads now that the team may see exactly, for a refusal that
    does not meet it. A fogged value (collusion, for Mexico) is named without its true value: whether the
    ground holds is what the seat's own institutions know, the number is not."""
    if rule.when is None:
        return rule.name
    env = g.state.env
    read = [
        n
        for n in sorted(rule.when.names)
        if isinstance(env.get(n), int | float) and key_visible(g.rb, n, team)
    ]
    now = ", ".join(f"{n} is {env[n]:g}" for n in read)
    return f"{rule.name} ({rule.when.text}{'; ' + now if now else ''})"


def refusable(g: GameCore, team: str) -> list[dict[str, Any]]:
    """The orders of this turn one seat of ``team`` gave on a lever another seat carries out, each with
    whether that seat may refuse it now, on which ground, at what cost, or why not: what a client offers."""
    st = g.state
    if st.phase != "orders" or len(st.seats.get(team, ())) < 2:
        return []
    out: list[dict[str, Any]] = []
    for key in sorted(st.orders):
        if not key.startswith(team + "/"):
            continue
        by_seat = key.split("/", 1)[1]
        for o in st.orders[key]["orders"]:
            lever = g.rb.levers[o["lever"]]
            holder = g.player_seat_of_lever(lever)
            if holder == by_seat:
                continue
            rule, code, why = assess(g, team, lever)
            entry: dict[str, Any] = {
                "lever": lever.id,
                "code": lever.code,
                "by_seat": by_seat,
                "seat": holder,
                "allowed": rule is not None,
                "rule": rule.id if rule is not None else None,
                "why": rule.reason if rule is not None else why,
                "refused_code": code or None,
                "changes": _cost(g, rule) if rule is not None else {},
            }
            out.append(entry)
    return out


def _head(seat: str, code: str, by_seat: str) -> str:
    return f"the {seat} seat refused {code}, ordered by the {by_seat} seat"


def given_words(ev: Mapping[str, Any], rule_reason: str | None) -> str:
    """The refusing seat's own words out of an ``order_refused`` event's reason, which wraps them in who
    refused what and the ground's text (``rule_reason``, None if the rulebook lacks the ground); empty
    when it gave none."""
    text = str(ev.get("reason") or "")
    head = _head(str(ev.get("seat")), str(ev.get("code")), str(ev.get("by_seat")))
    tail = f": {rule_reason}" if rule_reason is not None else ""
    if not text.startswith(head) or not text.endswith(tail):
        return ""
    middle = text[len(head) : len(text) - len(tail)] if tail else text[len(head) :]
    return middle[2:-1] if middle.startswith(" (") and middle.endswith(")") else ""


def _cost(g: GameCore, rule: CRule) -> dict[str, Any]:
    pending: dict[str, Any] = {}
    g.run_effects(rule.effects, g.state.env, pending, f"refusal:{rule.id}", None)
    return g.changes_of(pending)


def _seat(g: GameCore, actor: Actor, lever: CLever) -> tuple[str, str]:
    """The team and seat refusing: a seatless player, bot or script speaks for the seat holding the lever."""
    if actor.team is None:
        raise CommandError("forbidden", "refusing an order needs a team seat")
    team: str = actor.team
    if lever.team != team:
        raise CommandError("not_your_lever", f"{lever.code} belongs to team {lever.team}, not {team}")
    holder = g.player_seat_of_lever(lever)
    if actor.seat is None and actor.role in ("player", "bot", "system"):
        return team, holder
    team, seat = g.player(actor)
    if seat != holder:
        raise CommandError(
            "not_your_body",
            f"{lever.code} is carried out by the '{holder}' seat of team {team}; only it may refuse it",
        )
    return team, seat


def refuse(g: GameCore, actor: Actor, cmd: RefuseOrder) -> None:
    """Refuse an order of another seat, or raise ``CommandError`` and change nothing."""
    lever = g.rb.levers.get(cmd.lever)
    if lever is None:
        raise CommandError("unknown_lever", f"unknown lever '{cmd.lever}'")
    team, seat = _seat(g, actor, lever)
    st = g.state
    if st.phase != "orders":
        raise CommandError("wrong_phase", f"orders are refused in the orders phase, not '{st.phase}'")
    found = next(
        (
            (key.split("/", 1)[1], o)
            for key in sorted(st.orders)
            if key.startswith(team + "/") and key != f"{team}/{seat}"
            for o in st.orders[key]["orders"]
            if o["lever"] == lever.id
        ),
        None,
    )
    if found is None:
        raise CommandError(
            "no_such_order", f"no other seat of team {team} has ordered {lever.code} this turn"
        )
    by_seat, order = found
    rule, code, why = assess(g, team, lever)
    if rule is None:
        raise CommandError(code, why)
    what = _head(seat, lever.code, by_seat)
    said = f" ({cmd.reason})" if cmd.reason else ""
    g.emit(
        {
            "type": "order_refused",
            "team": team,
            "seat": seat,
            "by_seat": by_seat,
            "lever": lever.id,
            "code": lever.code,
            "turn": st.turn,
            "rule": rule.id,
            "reason": f"{what}{said}: {rule.reason}",
            "order": order,
            "sources": list(rule.sources),
            "vis": [team],
        }
    )
    pending: dict[str, Any] = {}
    g.run_effects(rule.effects, st.env, pending, f"refusal:{rule.id}", None)
    cost = "; ".join(e.reason for e in rule.effects if e.reason)
    g.effect(
        rule.id,
        f"the {seat} seat refused {lever.code}, ordered by the {by_seat} seat"
        + (f": {cost}" if cost else ""),
        pending,
        rule.sources,
        vis=[team],
        lever=lever.id,
    )
