"""Free actions: the commands that table, argue over and rule on them, and the filing of positions.

Each handler checks everything before it emits, so a refused command changes nothing (``CommandError``
with a stable code). Resolution, the roll and the effects are adjudication's
(:mod:`precursor.game.adjudication.white_cell`), after the turn's orders.

Limits, and why:

- a claim names only an indicator on the team's menu (``menu``): nothing hidden from the team, nothing
  outside the rulebook's families; its size is a word whose amount the family fixes, so no claim can be
  larger than the rules allow;
- one free action per team per turn by default (``per_turn``), tabled in the orders phase, and paid for
  from the same political capital as the team's orders: the capital its orders and free actions of the
  turn would spend together may not exceed what it holds;
- a counter-argument comes from another team that can see the free action, once per team;
- a ruling is the facilitator's, and may only keep or shrink the claim (same indicators and directions,
  sizes no larger): control rules on what was argued, it does not write a new action;
- a position is filed in turn 1 before the orders phase; a team's later position replaces its earlier
  one (the last word before play is the one held against its record).
"""

from __future__ import annotations

from typing import Any

from precursor.game.commands import (
    Actor,
    ClaimedEffect,
    CommandError,
    CounterArgument,
    FilePosition,
    RuleFreeAction,
    TableFreeAction,
)
from precursor.game.core import GameCore, rnd
from precursor.game.rulebook.model import CWhiteCell
from precursor.game.views import can_see
from precursor.game.white_cell.menu import menu

SIZE_RANK = {"small": 0, "medium": 1, "large": 2}


def white_cell(g: GameCore) -> CWhiteCell:
    wc = g.rb.white_cell
    if wc is None:
        raise CommandError("no_white_cell", "these rules have no white cell (rules/white_cell.yaml)")
    return wc


def _seat(g: GameCore, actor: Actor) -> tuple[str, str]:
    if actor.role not in ("player", "bot"):
        raise CommandError(
            "forbidden", "free actions, counter-arguments and positions come from a team's seat"
        )
    return g.player(actor)


def claimed(g: GameCore, team: str, effects: list[ClaimedEffect]) -> list[dict[str, Any]]:
    """The claims with their amounts, each checked against the team's menu."""
    items = {m.indicator: m for m in menu(g.rb, team)}
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for e in effects:
        item = items.get(e.indicator)
        if item is None:
            raise CommandError(
                "not_on_menu",
                f"'{e.indicator}' is not on team {team}'s menu of effects a free action may claim",
            )
        if e.indicator in seen:
            raise CommandError("duplicate_effect", f"'{e.indicator}' is claimed twice")
        seen.add(e.indicator)
        out.append(
            {
                "indicator": e.indicator,
                "direction": e.direction,
                "size": e.size,
                "amount": item.amounts[e.size],
            }
        )
    return out


def _turn_actions(g: GameCore, team: str) -> list[dict[str, Any]]:
    st = g.state
    return [fa for fa in st.free_actions.values() if fa["team"] == team and fa["turn"] == st.turn]


def reserved(g: GameCore, team: str) -> float:
    """Political capital the team's unresolved free actions of this turn will be charged."""
    return float(sum(fa["cost"] for fa in _turn_actions(g, team) if fa["resolved"] is None))


def table(g: GameCore, actor: Actor, cmd: TableFreeAction) -> None:
    wc = white_cell(g)
    team, seat = _seat(g, actor)
    st = g.state
    if st.phase != "orders":
        raise CommandError("wrong_phase", f"free actions are tabled in the orders phase, not '{st.phase}'")
    n = len(_turn_actions(g, team))
    if n >= wc.per_turn:
        raise CommandError(
            "free_action_limit",
            f"team {team} may table {wc.per_turn} free action(s) a turn and has tabled {n}",
        )
    effects = claimed(g, team, cmd.effects)
    cost = rnd(sum(wc.cost[e["size"]] for e in effects))
    orders = sum(o["cost"] for k, sub in st.orders.items() if k.startswith(team + "/") for o in sub["orders"])
    pc = float(st.env[f"{team}.pc"])
    if orders + reserved(g, team) + cost > pc + 1e-9:
        raise CommandError(
            "over_budget",
            f"this free action costs {cost:g} political capital; with the turn's orders team {team} "
            f"would spend {orders + reserved(g, team) + cost:g} of its {pc:g}",
        )
    fid = f"fa.{st.turn}.{team}" + (f".{n + 1}" if n else "")
    g.emit(
        {
            "type": "free_action",
            "id": fid,
            "turn": st.turn,
            "team": team,
            "seat": seat,
            "title": cmd.title,
            "description": cmd.description,
            "effects": effects,
            "argument": cmd.argument,
            "visibility": cmd.visibility,
            "cost": cost,
            "vis": "all" if cmd.visibility == "public" else [team],
        }
    )


def _open(g: GameCore, fid: str, audience: str) -> dict[str, Any]:
    """The free action, if it awaits a ruling and ``audience`` can see it (else it is unknown to them)."""
    fa = g.state.free_actions.get(fid)
    if fa is None or not can_see(fa, audience):
        raise CommandError("unknown_free_action", f"no free action '{fid}'")
    if fa["resolved"] is not None or fa["turn"] != g.state.turn:
        raise CommandError("free_action_closed", f"free action '{fid}' has been resolved")
    return fa


def counter(g: GameCore, actor: Actor, cmd: CounterArgument) -> None:
    team, seat = _seat(g, actor)
    fa = _open(g, cmd.free_action, team)
    if g.state.phase != "orders":
        raise CommandError(
            "wrong_phase", f"counter-arguments are made in the orders phase, not '{g.state.phase}'"
        )
    if fa["team"] == team:
        raise CommandError("own_free_action", "a team does not argue over its own free action")
    if any(c["team"] == team for c in fa["counter"]):
        raise CommandError("already_argued", f"team {team} has already argued over '{cmd.free_action}'")
    g.emit(
        {
            "type": "counter_argument",
            "free_action": cmd.free_action,
            "turn": g.state.turn,
            "team": team,
            "seat": seat,
            "stance": cmd.stance,
            "text": cmd.text,
            "vis": fa["vis"],
        }
    )


def rule(g: GameCore, actor: Actor, cmd: RuleFreeAction) -> None:
    if actor.role != "facilitator":
        raise CommandError("forbidden", "only the facilitator rules on free actions")
    fa = _open(g, cmd.free_action, "facilitator")
    if g.state.phase != "orders":
        raise CommandError(
            "wrong_phase", f"free actions are ruled in the orders phase, not '{g.state.phase}'"
        )
    effects = fa["effects"] if cmd.effects is None else _adjusted(g, fa, cmd.effects)
    g.emit(
        {
            "type": "free_action_ruling",
            "free_action": cmd.free_action,
            "turn": g.state.turn,
            "band": cmd.band,
            "effects": effects,
            "reason": cmd.reason,
            "vis": "facilitator",
        }
    )


def _adjusted(g: GameCore, fa: dict[str, Any], effects: list[ClaimedEffect]) -> list[dict[str, Any]]:
    """The facilitator's adjusted effects: a subset of the claim, no size larger, no direction turned."""
    claim = {e["indicator"]: e for e in fa["effects"]}
    fam = white_cell(g).family_of
    out: list[dict[str, Any]] = []
    for e in effects:
        c = claim.get(e.indicator)
        if c is None:
            raise CommandError("beyond_claim", f"'{e.indicator}' was not claimed by {fa['id']}")
        if e.direction != c["direction"]:
            raise CommandError(
                "beyond_claim", f"{fa['id']} claimed '{e.indicator}' {c['direction']}, not {e.direction}"
            )
        if SIZE_RANK[e.size] > SIZE_RANK[c["size"]]:
            raise CommandError("beyond_claim", f"{fa['id']} claimed a {c['size']} change to '{e.indicator}'")
        if any(o["indicator"] == e.indicator for o in out):
            raise CommandError("duplicate_effect", f"'{e.indicator}' is given twice")
        amount = white_cell(g).families[fam[e.indicator]].amounts[e.size]
        out.append({"indicator": e.indicator, "direction": e.direction, "size": e.size, "amount": amount})
    return out


def position(g: GameCore, actor: Actor, cmd: FilePosition) -> None:
    team, seat = _seat(g, actor)
    st = g.state
    if st.turn != 1 or st.phase not in ("briefing", "negotiation"):
        raise CommandError("wrong_phase", "positions are filed in turn 1, before the orders phase")
    g.emit(
        {
            "type": "position",
            "team": team,
            "seat": seat,
            "turn": st.turn,
            "goals": cmd.goals,
            "red_lines": cmd.red_lines,
            "expectations": cmd.expectations,
            "vis": [team],
        }
    )
