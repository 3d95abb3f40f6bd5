"""What a deal or an order means for a team, from the rulebook and the team's view: the cost of a lever
with chosen parameters, a clause in words, whether a team can keep a clause now, and the check a draft
proposal must pass. Pure functions (no widgets), so the composer, the proposal reader and the orders
tab say the same thing, and tests read them without a screen.

A draft is checked with ``precursor.game.negotiation.check_proposal``, the function the server runs
on every proposal: "ok" here means the server takes it, and a refusal reads as the server words it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from precursor.game.commands import CommandError, Propose
from precursor.game.core import normalise_params
from precursor.game.expr import free_names
from precursor.game.negotiation import CHINA_FRAMINGS, WORD_TRUST, breach_age, check_proposal
from precursor.game.promises import (
    Conflict,
    Due,
    Outlook,
    Spoil,
    clause_caps,
    clause_outlook,
    clause_span,
    conflicts,
    order_spoils,
)
from precursor.game.rulebook import precondition_words
from precursor.game.statements import statement_refusal
from precursor.game.teams import pair

from . import availability
from .conditions import COMPARISONS as COMPARISONS
from .conditions import YES_NO as YES_NO
from .conditions import condition_now as condition_now
from .conditions import condition_words as condition_words
from .conditions import is_yes_no as is_yes_no
from .conditions import known_values as known_values
from .conditions import level_stands as level_stands
from .conditions import only_if as only_if
from .render import (
    FRAMING_WORDS,
    TEAM_NAMES,
    VERIFICATION_WORDS,
    key_name,
    person_name,
    team_name,
    waiting,
)

# the orders tab and the composer read the parameter wording from here; it lives in render, which
# words the results too
from .render import choice_words as choice_words
from .render import figure as render_figure
from .render import param_name as param_name
from .render import params_words as params_words
from .render import value_words as value_words

if TYPE_CHECKING:
    from precursor.game.expr import Expr
    from precursor.game.rulebook import CLever, Rulebook
    from precursor.game.rulebook.model import CRule

    from .model import LiveGame

__all__ = ["CHINA_FRAMINGS", "FRAMING_WORDS", "TEAM_NAMES", "VERIFICATION_WORDS", "team_name"]


def find_rank(find: str, code: str, name: str) -> int | None:
    """How well a lever matches what a find field says, best first, or None when it does not: the whole
    code, a part of the code that begins with it, then the code, then a word of the name that begins with
    it, then the name. A student typed TRI and saw US-STRIKE (the hard red line) first and highlighted,
    above US-TRI; another typed PROSECUTE and Down, Enter added MX-RELEASE ("decline to prosecute")."""
    if not find:
        return 0
    code, name = code.casefold(), name.casefold()
    if code == find:  # "mx-pr" typed in full ticked MX-PRESENCE, listed first (student a20)
        return 0
    if any(part.startswith(find) for part in code.replace("(", "-").split("-")):
        return 1
    if find in code:
        return 2
    if any(word.startswith(find) for word in name.split()):
        return 3
    return 4 if find in f"{code} {name}" else None


def seat_name(model: LiveGame, rb: Rulebook | None, team: str, seat: str) -> str:
    """A seat as the scenario names it ("Prime Minister's Office and Global Affairs"), never its id."""
    sid = (model.view.get("scenario") or {}).get("id")
    scen = rb.scenarios.get(str(sid)) if rb is not None and sid else None
    seats = [s for t, ss in scen.model.seats.items() if t == team for s in ss] if scen is not None else []
    for s in seats:
        if s.id == seat:
            return s.name
    return seat.replace("_", " ")


def param_label(lv: CLever, pid: str) -> str:
    """What a parameter sets, as the rulebook describes it (its short name when it has no description)."""
    p = lv.params[pid]
    text = p.description.strip() or param_name(pid)
    return text[:1].upper() + text[1:]


def param_field_label(rb: Rulebook | None, lv: CLever, pid: str) -> str:
    """A parameter's line in a form: what it sets, its range and its default, all in words."""
    default = choice_words(rb, lv, pid, lv.params[pid].default)
    return f"{param_label(lv, pid)}: {param_range(lv, pid, rb)} (default {default})"


def param_range(lv: CLever, pid: str, rb: Rulebook | None = None) -> str:
    """A parameter's allowed values in words: ``120–300`` or ``kingpin / mid level``."""
    p = lv.params[pid]
    if p.type == "choice":
        return " / ".join(choice_words(rb, lv, pid, c) for c in p.choices)
    if p.type == "bool":
        return "yes / no"
    lo = "" if p.min is None else f"{p.min:g}"
    hi = "" if p.max is None else f"{p.max:g}"
    return f"{lo}–{hi}"


def lever_cost(
    model: LiveGame, rb: Rulebook, lever: str, params: dict[str, Any], *, free: bool = True
) -> float | None:
    """What ordering the lever with these parameters costs its team in political capital; None when the
    cost depends on the state a team cannot compute from here (then only the orders phase tells).
    ``free=False``: its usual cost, in a turn it is not free (the view's figure is this turn's)."""
    lv = rb.levers.get(lever)
    if lv is None:
        return None
    free_now = lever in (model.view.get("free_levers") or [])
    if free_now and free:
        return 0.0
    try:
        full = normalise_params(lv, params)
    except CommandError:
        return None
    if all(n.startswith("param.") for n in lv.cost.names):
        try:
            return max(0.0, float(lv.cost.fn({f"param.{k}": v for k, v in full.items()})))
        except Exception:  # an expression that wants a name after all: unknown, never a crash
            return None
    if full == normalise_params(lv, {}) and not free_now:  # the view's cost is the cost at the defaults
        for row in model.view.get("levers") or []:
            if row["id"] == lever and row.get("cost") is not None:
                return float(row["cost"])
    # a cost on values this team sees exactly and that hold until the orders (CN-DIRECTIVE's is free in
    # a summit window): China read "? PC" for its own lever in the composer and the orders list
    env = {**availability.values_now(model, rb), **{f"param.{k}": v for k, v in full.items()}}
    if lv.cost.names <= env.keys() and not any(n.startswith("agreements.") for n in lv.cost.names):
        try:
            return max(0.0, float(lv.cost.fn(env)))
        except Exception:  # an expression that wants more than it names: unknown, never a crash
            return None
    return None


def param_problem(model: LiveGame, rb: Rulebook, lever: str, params: dict[str, Any]) -> str | None:
    """Why the server would refuse this lever with these parameters now, as the server words it, or
    None. The view's availability is the engine's check at the default parameters; a condition on the
    parameters themselves (resuming cooperation that was never suspended, a bill stage out of turn)
    is checked here on the exact values the team sees. One that needs a value the team sees only as an
    estimate, or not at all, is left to the server (None: the client cannot tell)."""
    lv = rb.levers.get(lever)
    if lv is None:
        return None
    try:
        full = normalise_params(lv, params)
    except CommandError as exc:
        return exc.message
    known = known_values(model)
    known.update({f"param.{k}": v for k, v in full.items()})
    known["act.public"] = lv.visibility != "private"
    known["act.military"] = lv.military
    for i, (cond, _message) in enumerate(lv.preconditions):
        if not any(n.startswith("param.") for n in cond.names) or not cond.names <= known.keys():
            continue
        try:
            ok = cond.fn(known)
        except Exception:  # an expression that wants a name after all: the server decides
            continue
        if not ok:
            # with the values the rules' words show, where the team sees them: a student read "cannot go
            # above the cap" with the humanitarian cap of 60 on its own dashboard
            return f"{lv.code}: {precondition_words(lv, i, known)}"
    return None


def china_framing_words() -> str:
    """The framings China accepts as the server's refusal lists them ("China's own initiative, a
    multilateral effort, reciprocal steps or a US demand met")."""
    words = [FRAMING_WORDS[f] for f in CHINA_FRAMINGS]
    return ", ".join(words[:-1]) + f" or {words[-1]}"


def pc_text(v: float | None) -> str:
    return "? PC" if v is None else f"{v:g} PC"


def clause_words(rb: Rulebook, clause: dict[str, Any]) -> str:
    """One clause as a sentence: which team (by name) commits to which lever (code and name), its
    parameters, when."""
    lever = str(clause.get("lever"))
    lv = rb.levers.get(lever)
    head = f"{lv.code} — {lv.name}" if lv is not None else lever
    params = params_words(rb, lever, dict(clause.get("params") or {}), promise=True)
    dur = int(clause.get("duration") or 0)
    start = clause.get("start_turn")
    when = "once" if dur == 0 else f"for {dur} turn{'s' if dur != 1 else ''}"
    once_only = lv is not None and lv.once and dur > 1
    if lv is not None and lv.once:  # one act: the composer said "once", the proposal "for 1 turn"
        when = "once"
    if start:
        when += f" from turn {start}" if dur > 1 or not (lv is not None and lv.once) else f", in turn {start}"
    if once_only:
        # "turn 3 counts as kept once it is done" on a clause due in turn 2 sent a student looking
        # for why turn 3, and on a final-turn deal it named a turn past the end
        when += " (a once-per-game act: done once, it keeps the whole clause)"
    text = f"{team_name(rb, str(clause.get('actor', '?')))} commits to {head}"
    if params:
        text += f" ({params})"
    text += f", {when}"
    if clause.get("condition"):
        text += f" [if {condition_words(rb, str(clause['condition']))}]"
    return text


def condition_of(indicator: str, op: str, value: str) -> str:
    """The condition a clause carries, from the composer's three fields; a ValueError says what is
    wrong (the number), in words. A yes/no value takes "yes" or "no" and no number."""
    if op in ("yes", "no"):
        return indicator if op == "yes" else f"not {indicator}"
    try:
        number = float(value.strip())
    except ValueError:
        raise ValueError(f"the condition needs a number, not {value.strip()!r}") from None
    return f"{indicator} {op} {number:g}"


def played_once(model: LiveGame, rb: Rulebook, clause: dict[str, Any]) -> bool:
    """Whether the clause's once-only lever has been played by its team, as far as this team knows
    (its own count, or another team's order it saw carried out or saw keep a clause)."""
    actor, lever = str(clause.get("actor")), str(clause.get("lever"))
    lv = rb.levers.get(lever)
    if lv is None or not lv.once:
        return False
    if actor == model.team:
        return bool(((model.view.get("counts") or {}).get(lever) or {}).get("count", 0))
    # a secret order is not in the log, but a clause it kept is ("United States played US-TF as
    # agreed"): without that a student was told the act still needed an order and that "some clause
    # will break" in a turn where every clause was kept
    return any(
        ev.get("lever") == lever
        and ev.get("team", actor) == actor
        and (
            ev.get("type") == "order_executed"
            or (ev.get("type") == "compliance" and ev.get("met") and not ev.get("held"))
        )
        for ev in model.results
    )


def last_turn(model: LiveGame) -> int | None:
    turns = (model.view.get("scenario") or {}).get("turns")
    return int(turns) if turns else None


# a lever's play counters, which a precondition may read, in words (the lever named after them)
_COUNTER_WORDS = {
    "played": "whether {team} orders {lever} in that turn",
    "count": "how often {team} has ordered {lever}",
    "streak": "for how many turns in a row {team} has ordered {lever}",
}


def value_name(rb: Rulebook, key: str) -> str:
    """A value a rule reads, as a player reads it: an indicator by its name, a lever's counter by the
    lever ("whether China orders CN-SUMMIT (Leader summit) in that turn"), never the key."""
    head, _, lid = key.partition(".")
    lv = rb.levers.get(lid)
    if head in _COUNTER_WORDS and lv is not None:
        return _COUNTER_WORDS[head].format(team=team_name(rb, lv.team), lever=f"{lv.code} ({lv.name})")
    return key_name(rb, key)


def _seen_as(model: LiveGame, rb: Rulebook, key: str) -> str:
    """How this team sees a value it does not see exactly, for the words of a verdict it cannot give:
    "? cannot tell: … (Mexican security cooperation with the US)" read to Mexico as a value about its own
    country hidden from it; the rules show every team that index only as an estimate, and the rules
    judge the true value."""
    for i in model.view.get("indicators") or []:
        if i.get("id") != key or not isinstance(i.get("value"), int | float):
            continue
        who = team_name(rb, str(model.team)) if model.team else "you"
        if i.get("estimate"):
            about = render_figure(i["value"])
            return f"which {who} sees only as an estimate, about {about}, while the rules read the true value"
        if i.get("lag"):
            months = int(i["lag"])
            late = f"{months} month{'s' if months != 1 else ''}"
            return f"which {who} sees only {late} late, when it read {render_figure(i['value'])}"
    return ""


def outlook(model: LiveGame, rb: Rulebook, clause: dict[str, Any]) -> Outlook:
    """The clause over every turn it is due (``precursor.game.promises``), from what this team sees:
    its own values and record; for another team, the values every dashboard shows (a demand
    programme's level is public: "the record of the United States is not shown to you" was said of
    it), and only a once-per-game act it saw carried out of that team's record."""
    actor, lever = str(clause.get("actor")), str(clause.get("lever"))

    def name(t: str) -> str:
        return team_name(rb, t)

    def words(key: str) -> str:
        seen = _seen_as(model, rb, key)
        return f"{value_name(rb, key)}, {seen}" if seen else value_name(rb, key)

    values = known_values(model)
    if clause_span(clause, model.turn, last_turn(model)) == [model.turn]:
        # the team's own play counts, for a clause due this turn alone: "? cannot tell: … (how often
        # Mexico has ordered MX-XI …)" was said to Mexico, of its own orders. A later turn's count is
        # not known now (orders until then raise it), nor whether a lever is played in that turn
        own = {k: v for k, v in availability.values_now(model, rb).items() if k.startswith("count.")}
        values.update(
            {k: v for k, v in own.items() if rb.levers.get(k[6:]) and rb.levers[k[6:]].team == model.team}
        )
    if actor != model.team:
        seen = 1 if played_once(model, rb, clause) else None
        return clause_outlook(
            rb,
            clause,
            values,
            turn=model.turn,
            played=seen,
            last_turn=last_turn(model),
            name=name,
            value_name=words,
        )
    counts = (model.view.get("counts") or {}).get(lever) or {}
    blocked = next(
        (
            str(row.get("why_not") or "")
            for row in model.view.get("levers") or []
            if row["id"] == lever and not row.get("available")
        ),
        None,
    )
    if model.phase != "orders":  # the view checks the levers in the orders phase only
        blocked = availability.why_out(model, rb, lever)
    return clause_outlook(
        rb,
        clause,
        values,
        turn=model.turn,
        played=int(counts.get("count", 0)),
        blocked=blocked or None,
        last_turn=last_turn(model),
        name=name,
        value_name=words,
    )


def caps_words(model: LiveGame, rb: Rulebook, clause: dict[str, Any]) -> str:
    """For a clause that can be kept as asked, the limit a later turn puts on how much may be ordered
    in its earlier turns ("" when none does), with the rule that binds: the orders tab lets a player
    order more than the clause asks, which keeps that turn and can leave a later one no room. "more
    would leave a later turn of it no room" alone sent a student looking for a cap that was the
    20-points-a-turn limit of MX-ME."""
    lv = rb.levers.get(str(clause.get("lever")))
    if lv is None:
        return ""
    found = clause_caps(rb, clause, known_values(model), turn=model.turn, last_turn=last_turn(model))
    if not found:
        return ""
    turns: dict[tuple[str, float], list[int]] = {}
    why: dict[tuple[str, float], str] = {}
    for c in found:  # one limit over several turns is said once ("in turns 1–3")
        turns.setdefault((c.param, c.at_most), []).append(c.turn)
        why.setdefault((c.param, c.at_most), _rule_words(lv, c.why))
    parts = [
        f"{param_name(pid, lv)} is {_bound(lv, pid)} {choice_words(rb, lv, pid, _number(v))}"
        f" in {_turn_list(ts)}"
        for (pid, v), ts in turns.items()
    ]
    reasons = sorted({w for w in why.values() if w})
    # the rule's words describe the later turn, not now: both students read "the demand programme is
    # already at its highest level, 3" beside a dashboard at level 1, as a fact about this turn
    because = f" — by then the rule says: “{'; '.join(reasons)}”" if reasons else ""
    return "as long as " + " and ".join(parts) + f" (more would leave a later turn of it no room{because})"


def _rule_words(lv: CLever, why: str) -> str:
    """A refusal's words without the lever code the clause already names ("MX-ME: …")."""
    return why.removeprefix(f"{lv.code}: ")


def _turn_list(turns: list[int]) -> str:
    if len(turns) == 1:
        return f"turn {turns[0]}"
    if turns == list(range(turns[0], turns[-1] + 1)):
        return f"turns {turns[0]}–{turns[-1]}"
    return "turns " + ", ".join(map(str, turns))


def _bound(lv: CLever, pid: str) -> str:
    """How the strongest value that still keeps a promise bounds a parameter: a higher value is the
    stronger one for most, a lower one for some (a tariff's exemptions)."""
    return "at least" if lv.params[pid].stronger == "lower" else "at most"


def _number(v: float) -> int | float:
    return int(v) if float(v).is_integer() else v


def later_promises(
    model: LiveGame, rb: Rulebook, chosen: list[str], params: dict[str, dict[str, Any]]
) -> list[str]:
    """A ticked order that leaves one of the team's promises no room in a later turn, said before it
    is submitted: a student promised US-DEMAND with one level in turns 1 and 2, added two levels in
    turn 1 (the parameters form allows three), and the programme was at its top in turn 2."""
    team = model.team
    promises = [
        Due(f"agreement {a.get('id')}", c, new=False)
        for a in model.agreements.values()
        if a.get("status") in ("signed", "active")
        for c in a.get("clauses") or []
        if c.get("actor") == team
    ]
    if not promises:
        return []
    values = known_values(model)
    out = []
    for lid in chosen:
        lv = rb.levers.get(lid)
        if lv is None:
            continue
        found = order_spoils(
            rb, values, lid, params.get(lid, {}), promises, turn=model.turn, last_turn=last_turn(model)
        )
        out += [f"! {_spoil_words(rb, lv, params.get(lid, {}), s)}" for s in found]
    return out


def _spoil_words(rb: Rulebook, lv: CLever, given: dict[str, Any], s: Spoil) -> str:
    """One spoiled promise: the order, what it moves, the promise and turn it breaks, how to mend it."""
    full = {**{k: p.default for k, p in lv.params.items()}, **given}
    order = lv.code
    if s.param is not None:
        order += f" with {param_name(s.param, lv)} {choice_words(rb, lv, s.param, full[s.param])}"
    moved = "; ".join(
        f"{key_name(rb, n)} {value_words(a) if a is not None else '?'} → {value_words(b)}"
        for n, a, b in s.moved
    )
    plv = rb.levers.get(str(s.clause.get("lever")))
    code = plv.code if plv is not None else str(s.clause.get("lever"))
    why = str(s.why).split(": ", 1)[-1] if str(s.why).startswith(f"{code}: ") else str(s.why)
    beside = ", ".join(f"{key_name(rb, n)} at {value_words(v)}" for n, v in s.beside)
    text = f"{s.label}: {order} now" + (f" takes {moved}" if moved else "")
    text += f", with {beside}" if moved and beside else ""
    text += f": your promise of {code} in turn {s.turn} could then not be kept ({why})"
    if s.param is None:
        return text
    if s.at_most is None:
        return text + f", whatever {param_name(s.param, lv)} is set"
    limit = choice_words(rb, lv, s.param, _number(s.at_most))
    return text + f" — set {param_name(s.param, lv)} to {_bound(lv, s.param)} {limit} (p)"


def keepable(model: LiveGame, rb: Rulebook, clause: dict[str, Any]) -> tuple[bool | None, str]:
    """Whether the committed team can keep a clause in every turn it is due: (True, why), (False, why),
    or (None, why) when this team cannot tell (another team's record is its own).

    A once-only lever the team has played already cannot be ordered again, yet the engine counts a
    clause on it as kept (a one-off act carried out fulfils the commitment): said as kept, so nobody
    is warned off a deal that cannot be broken that way. The composer still flags such a clause as
    promising nothing new."""
    found = outlook(model, rb, clause)
    return found.keep, found.why


def clause_conflicts(model: LiveGame, rb: Rulebook, clauses: list[dict[str, Any]]) -> list[Conflict]:
    """What the proposal's clauses and the agreements in force cannot all get in one turn (one lever
    at two values, more orders than a team's or a seat's slots): each with the team that would break
    a clause. Seats and their slots are known for this team only; another team's are its own."""
    due = [Due(f"clause {i + 1}", c) for i, c in enumerate(clauses)]
    for a in model.agreements.values():
        if a.get("status") in ("signed", "active"):
            due += [
                Due(f"clause {i + 1} of {a.get('id')}", c, new=False)
                for i, c in enumerate(a.get("clauses") or [])
            ]
    levers = model.view.get("levers") or []
    return conflicts(
        rb,
        due,
        turn=model.turn,
        limit=int(model.view.get("order_limit") or 4),
        seat_of={str(r["id"]): str(r["seat"]) for r in levers if r.get("seat")},
        seat_limits={str(k): int(v) for k, v in (model.view.get("seat_limits") or {}).items()},
        spent=lambda team, lever: played_once(model, rb, {"actor": team, "lever": lever}),
        name=lambda t: team_name(rb, t),
        seat_name=lambda seat: seat_name(model, rb, str(model.team), seat),
        last_turn=last_turn(model),
        values=known_values(model),
    )


def past_the_end(model: LiveGame, clause: dict[str, Any], rb: Rulebook | None = None) -> str | None:
    """A clause whose turns run past the game's last: those turns are never due, so it promises less
    than it reads. Not said of a once-per-game act (``rb`` tells it): one act keeps it, whatever its
    length ("turns 7–7 of it never come" was read on a final-turn deal)."""
    end = last_turn(model)
    lv = rb.levers.get(str(clause.get("lever"))) if rb is not None else None
    if end is None or (lv is not None and lv.once):
        return None
    full = clause_span(clause, model.turn)
    if full and full[-1] > end:
        past = (
            f"turn {end + 1} of it never comes"
            if full[-1] == end + 1
            else f"turns {end + 1}–{full[-1]} of it never come"
        )
        return f"the game ends after turn {end}, so {past}"
    return None


def lands_after_end(model: LiveGame, rb: Rulebook, lever: str) -> str:
    """An order whose every effect comes after the game's last month: it is paid for and never counts.
    Student k23 put 8 PC into CA-DEMAND over the tutorial, whose effect comes six months after each
    order, and every one landed after the game had ended. "" when some effect lands in time."""
    lv = rb.levers.get(lever)
    end = last_turn(model)
    per = (model.view.get("scenario") or {}).get("months_per_turn")
    if lv is None or not lv.effects or end is None or not isinstance(per, int) or not model.turn:
        return ""
    soonest = min(int(e.lag) for e in lv.effects)  # an effect's lag is its own or its lever's
    # the months still to be modelled: this turn's and the later turns', then the months the model runs
    # on with orders frozen before the final score (the end screen says so)
    sc = rb.scenarios.get(str((model.view.get("scenario") or {}).get("id") or ""))
    frozen = int(sc.model.epilogue_months) if sc is not None else 0
    left = (end - int(model.turn) + 1) * per + frozen
    if soonest < left:
        return ""
    after = ", the months with orders frozen at the end counted" if frozen else ""
    return (
        f"! its effects come {soonest} months after the order, and the game has {left} month"
        f"{'s' if left != 1 else ''} left{after}: ordered now, it is paid for and never counts"
    )


def costs_by_party(model: LiveGame, rb: Rulebook, proposal: dict[str, Any]) -> dict[str, float | None]:
    """What the clauses cost each party in political capital for one turn they are all due (a party
    that commits to nothing pays nothing; None: a cost that cannot be computed from here)."""
    out: dict[str, float | None] = {str(t): 0.0 for t in proposal.get("parties") or []}
    for c in proposal.get("clauses") or []:
        actor = str(c.get("actor"))
        if played_once(model, rb, c) or level_stands(model, rb, c):  # nothing to order, nothing to pay
            out.setdefault(actor, 0.0)
            continue
        cost = lever_cost(model, rb, str(c.get("lever")), dict(c.get("params") or {}))
        have = out.get(actor, 0.0)
        out[actor] = None if cost is None or have is None else have + cost
    return out


def due_now(model: LiveGame, rb: Rulebook, clause: dict[str, Any]) -> bool:
    """A clause this team must order this turn: due now, not kept already by a one-off act or a level
    that stands, and not under a condition known not to hold."""
    if model.turn not in clause_span(clause, model.turn) or played_once(model, rb, clause):
        return False
    if level_stands(model, rb, clause):
        return False
    cond = str(clause.get("condition") or "")
    return not cond or condition_now(model, rb, cond) is not False


def shared_orders(model: LiveGame, rb: Rulebook, clauses: list[dict[str, Any]]) -> list[str]:
    """A clause whose lever, at the same terms, a deal in force asks of the same team in the same
    turns: one order keeps both. A student tabled US-TRI to Canada and to Mexico and Canada in one turn
    with no word from the composer, and signed US-ARMS twice for turn 7 unsure whether it needed two
    orders (a team gives one order of a lever a turn). Terms that differ are a clash, said elsewhere."""
    out = []
    last = last_turn(model)
    for i, c in enumerate(clauses):
        lever, actor = str(c.get("lever")), str(c.get("actor"))
        lv = rb.levers.get(lever)
        if lv is None or played_once(model, rb, c) or level_stands(model, rb, c):
            continue  # no order at all keeps it
        span = set(clause_span(c, model.turn, last))
        try:  # a draft's parameters may not be valid yet: the server's check says so, not this
            params = normalise_params(lv, dict(c.get("params") or {}))
        except CommandError:
            continue
        for a in model.agreements.values():
            if a.get("status") not in ("signed", "active"):
                continue
            for d in a.get("clauses") or []:
                if str(d.get("actor")) != actor or str(d.get("lever")) != lever:
                    continue
                both = sorted(span & set(clause_span(d, model.turn, last)))
                # a signed clause's parameters were checked when it was tabled
                if both and normalise_params(lv, dict(d.get("params") or {})) == params:
                    out.append(
                        f"clause {i + 1}: {team_name(rb, actor)}'s {lv.code} is promised in {a.get('id')}"
                        f" for {_turn_list(both)} too — one order of it keeps both"
                    )
    return out


def due_orders(model: LiveGame, rb: Rulebook, clauses: list[dict[str, Any]]) -> dict[str, float | None]:
    """This team's levers the clauses need ordered this turn, each at its dearest cost (None: a cost
    that cannot be computed here). One order keeps every clause on a lever, so a lever counts once."""
    out: dict[str, float | None] = {}
    for c in clauses:
        if c.get("actor") != model.team or not due_now(model, rb, c):
            continue
        lever = str(c.get("lever"))
        cost = lever_cost(model, rb, lever, dict(c.get("params") or {}))
        had = out.get(lever, 0.0)
        out[lever] = None if cost is None or had is None else max(had, cost)
    return out


def capital_short(model: LiveGame, rb: Rulebook, clauses: list[dict[str, Any]]) -> list[str]:
    """This team's orders due this turn under the draft and the agreements in force, when they cost
    more capital than it has (``due_orders``, a cost not known here counted as nothing). A student's
    Mexico owed 3 PC under an agreement, had 5 and was told "ok" for 3 more."""
    team = str(model.team or "")
    pc = (model.view.get("pc") or {}).get(team)
    if pc is None:
        return []
    new = {lever: cost or 0.0 for lever, cost in due_orders(model, rb, clauses).items()}
    if not new:
        return []
    old: dict[str, tuple[float, str]] = {}
    for a in model.agreements.values():
        if a.get("status") not in ("signed", "active"):
            continue
        for lever, cost in due_orders(model, rb, list(a.get("clauses") or [])).items():
            if lever not in new and (cost or 0.0) > old.get(lever, (0.0, ""))[0]:
                old[lever] = (cost or 0.0, str(a.get("id")))
    total = sum(new.values()) + sum(cost for cost, _a in old.values())
    if total <= float(pc):
        return []
    who = team_name(rb, team)
    owed = f"this deal's clauses {sum(new.values()):g} PC"
    if old:
        held = sorted({a for _cost, a in old.values()})
        owed += f" and the agreements in force ({', '.join(held)}) {sum(c for c, _a in old.values()):g} PC"
    return [
        f"{who} would owe {total:g} PC of orders in turn {model.turn} ({owed}) and has {float(pc):g} PC:"
        " a clause would break"
    ]


def capital_income(model: LiveGame, rb: Rulebook, team: str) -> float | None:
    """The capital a team earns a turn by the rules that run every turn (its approval's share), on the
    values this team knows exactly; None when it cannot tell (another team's approval, an estimate)."""
    env = known_values(model)
    total, found = 0.0, False
    for rule in rb.rules:
        if rule.when is not None or rule.chance is not None:
            continue
        for e in rule.effects:
            if e.target != f"{team}.pc" or e.op != "add" or e.when is not None or e.chance is not None:
                continue
            try:
                total += float(e.value.fn(env))
            except Exception:  # a value this team does not see: it cannot tell
                return None
            found = True
    return total if found else None


def capital_later(model: LiveGame, rb: Rulebook, clauses: list[dict[str, Any]]) -> list[str]:
    """This team's orders in the later turns of a draft, with the deals in force, against the capital it
    would have then: what it has, less what its clauses cost this turn, plus what its approval earns a
    turn (an estimate: approval moves). A student signed two turns of US-ARMS with 1 PC left and no word,
    and had 1 PC and one order for the rest of the game."""
    team = str(model.team or "")
    pc = (model.view.get("pc") or {}).get(team)
    income = capital_income(model, rb, team)
    last = last_turn(model)
    mine = [c for c in clauses if c.get("actor") == team]
    later = sorted({t for c in mine for t in clause_span(c, model.turn, last) if t > model.turn})
    if pc is None or income is None or not later:
        return []
    held = [
        c
        for a in model.agreements.values()
        if a.get("status") in ("signed", "active")
        for c in a.get("clauses") or []
        if c.get("actor") == team
    ]
    due: dict[int, dict[str, float]] = {t: {} for t in range(model.turn, later[-1] + 1)}
    for c in [*held, *mine]:
        lever, lv = str(c.get("lever")), rb.levers.get(str(c.get("lever")))
        if lv is None or played_once(model, rb, c) or level_stands(model, rb, c):
            continue
        span = [t for t in clause_span(c, model.turn, last) if t in due]
        for t in span[:1] if lv.once else span:  # a once-per-game act is done in its first turn
            cost = lever_cost(model, rb, lever, dict(c.get("params") or {}), free=t == model.turn)
            due[t][lever] = max(due[t].get(lever, 0.0), cost or 0.0)
    ind = rb.indicators.get(f"{team}.pc")
    top = float(ind.max) if ind is not None and ind.max is not None else float("inf")
    have = float(pc)
    for t in sorted(due):
        if t > model.turn:
            have = min(top, have + income)
        owed = sum(due[t].values())
        if t in later and owed > have + 1e-9:
            return [
                f"in turn {t} {team_name(rb, team)} would owe {owed:g} PC of orders under its deals and"
                f" have about {have:g} (the {float(pc):g} it has, less its deals' orders until then, plus"
                f" about {income:g} a turn from its approval): a clause may break then"
            ]
        have = max(0.0, have - owed)
    return []


def cannot_keep(model: LiveGame, rb: Rulebook, proposal: dict[str, Any]) -> list[str]:
    """Why this team could not keep its side of a proposal now (empty: it can, as far as it knows)."""
    team = model.team
    problems = []
    mine = [c for c in proposal.get("clauses") or [] if c.get("actor") == team]
    for i, c in enumerate(proposal.get("clauses") or []):
        if c.get("actor") != team:
            continue
        ok, why = keepable(model, rb, c)
        cond = only_if(model, rb, c)
        if ok is False:
            problems.append(f"clause {i + 1}" + (f", {cond}" if cond else "") + f": {why}")
    found = clause_conflicts(model, rb, list(proposal.get("clauses") or []))
    problems += [c.words for c in found if c.team == team and c.hard]
    short = capital_short(model, rb, mine)  # this turn, with the agreements in force (signed this turn too)
    cost = costs_by_party(model, rb, {"parties": [team], "clauses": mine}).get(str(team))
    pc = (model.view.get("pc") or {}).get(str(team))
    if short:
        problems += short
    elif mine and cost is not None and pc is not None and cost > float(pc):
        have = f"{team_name(rb, str(team))} has {float(pc):g} PC"
        problems.append(f"your clauses cost {cost:g} PC a turn and {have}")
    return problems


def agreement_of(model: LiveGame, p: dict[str, Any]) -> str:
    """The id of the agreement a signed proposal became (T5-CA-1 is signed as A5-CA-1)."""
    pid = str(p.get("id") or "")
    found = [str(a.get("id")) for a in model.agreements.values() if a.get("proposal") == pid]
    return found[0] if found else "A" + pid[1:]


def proposal_status(model: LiveGame, rb: Rulebook, p: dict[str, Any], *, short: bool = False) -> str:
    """Where a proposal stands, in words: a signed one names the agreement it became (a student saw
    "T5-CA-1 … signed" and an agreement A5-CA-1 with no word of the link); an open one, who has still
    to answer (``short``: how many of the parties have accepted, for a table's column)."""
    status = str(p.get("status") or "open")
    if status == "signed":
        return f"signed as {'' if short else 'agreement '}{agreement_of(model, p)}"
    if status != "open":
        by = p.get("closed_by")
        if by and not short and status in ("rejected", "withdrawn"):  # the table's column keeps it short
            return f"{status} by {'you' if by == model.team else team_name(rb, str(by))}"
        return status
    parties = [str(t) for t in p.get("parties") or []]
    accepted = [str(t) for t in p.get("accepted") or []]
    if short:
        return f"open · {len(accepted)}/{len(parties)} accepted" if accepted else "open"
    waiting = [team_name(rb, t) for t in parties if t not in accepted]
    return "open, waiting for " + " and ".join(waiting) + " to answer" if waiting else "open"


def _clause_lines(model: LiveGame, rb: Rulebook, i: int, c: dict[str, Any]) -> list[str]:
    """One clause of a proposal in full: its words, then its cost and whether its team can keep it."""
    ok, why = keepable(model, rb, c)
    mark = {True: "✓ can keep it", False: "✗ CANNOT keep it", None: "? cannot tell"}[ok]
    if ok and played_once(model, rb, c):
        mark = "✓ kept already"
    elif ok:
        cap = caps_words(model, rb, c)
        why += f", {cap}" if cap else ""
    cond = only_if(model, rb, c)
    if cond and ok is False:  # broken only in a turn the condition holds
        mark = f"✗ CANNOT keep it {cond}"
    elif cond:
        why += f" (due {cond})"
    lines = [f" {i + 1}. {clause_words(rb, c)}"]
    late = past_the_end(model, c, rb)
    if late:
        lines.append(f"    ({late})")
    who = team_name(rb, str(c.get("actor", "?")))
    # a clause kept already by a once-only act orders nothing: "costs Mexico 1 PC" beside "kept
    # already" was read as a price to pay again
    cost = "nothing (done already)" if mark == "✓ kept already" else clause_cost(model, rb, c)
    lines.append(f"    costs {who} {cost} · {mark}: {why}")
    return lines


def free_levers(model: LiveGame) -> list[str]:
    return list(model.view.get("free_levers") or [])


def clause_levers(p: dict[str, Any]) -> set[str]:
    return {str(c.get("lever")) for c in p.get("clauses") or []}


def clause_cost(model: LiveGame, rb: Rulebook, c: dict[str, Any]) -> str:
    """What a clause costs its team, turn by turn: "0 PC a turn (free this turn)" was read for a
    three-turn clause whose lever is free only now, and "2 PC a turn" for a clause due once. A standing
    level that already stands where the clause asks costs nothing: no order is given for it."""
    lever, params = str(c.get("lever")), dict(c.get("params") or {})
    if level_stands(model, rb, c):
        # "· 3 PC" in the composer beside "kept with nothing to order" in the proposal (session 17)
        return "nothing while the level stands"
    cost = lever_cost(model, rb, lever, params)
    lv = rb.levers.get(lever)
    turns = max(int(c.get("duration") or 0), 1)
    free = lever in (model.view.get("free_levers") or [])
    if turns == 1 or (lv is not None and lv.once):  # ordered once; a once-only lever counts as done after
        return pc_text(cost) + (" (free this turn)" if free else "")
    if not free or int(c.get("start_turn") or model.turn) != model.turn:
        return f"{pc_text(cost)} a turn"
    usual = lever_cost(model, rb, lever, params, free=False)
    then = f"{pc_text(usual)} a turn" if usual is not None else "its usual cost a turn"
    return f"{pc_text(cost)} this turn (free), then {then}"


def proposal_text(model: LiveGame, rb: Rulebook, p: dict[str, Any]) -> str:
    """A proposal in full: who, the terms, each clause in words with its cost and whether the committed
    team can keep it in every turn it is due, and what the whole deal costs each party."""
    parties = ", ".join(team_name(rb, str(t)) for t in p.get("parties") or [])
    accepted = ", ".join(team_name(rb, str(t)) for t in p.get("accepted") or []) or "nobody yet"
    framing = FRAMING_WORDS.get(str(p.get("framing") or "none"), str(p.get("framing")))
    lines = [
        f"Proposal {p.get('id')} from {team_name(rb, str(p.get('from', '?')))}"
        + (f" ({person_name(p.get('by'))})" if person_name(p.get("by")) else ""),
        f"Parties: {parties} · {p.get('visibility', 'private')} · framing: {framing}",
        # both students met a bot's "with compliance checked by both sides" and could not see what a
        # proposal said about it
        "Checked: " + VERIFICATION_WORDS.get(str(p.get("verification") or "self"), "?"),
        # a signed proposal names the agreement it became, which the agreements line and the orders
        # tab call it by
        f"Status: {p.get('status', 'open')}"
        + (f" as agreement {agreement_of(model, p)}" if p.get("status") == "signed" else "")
        + (f" by {team_name(rb, str(p['closed_by']))}" if p.get("closed_by") else "")
        + f", accepted by {accepted}",
    ]
    if p.get("counter_to"):
        lines.append(f"A counter to {p['counter_to']}.")
    if p.get("sovereignty_accord"):
        lines.append(ACCORD_SAID)
    if p.get("note"):
        lines.append(f"Message: {p['note']}")
    clauses = list(p.get("clauses") or [])
    # a deal of modules alone showed an empty "Clauses:" heading and a cost of 0 PC for every party
    lines += ["", "Clauses:" if clauses else "No clauses: modules only."]
    for i, c in enumerate(clauses):
        lines += _clause_lines(model, rb, i, c)
    costs = costs_by_party(model, rb, p)
    if any(v != 0 for v in costs.values()):
        lines += [
            "",
            "Cost in political capital for a turn every clause is due"
            + (" (this turn's free levers at 0)" if set(free_levers(model)) & clause_levers(p) else "")
            + ": "
            + " · ".join(f"{team_name(rb, t)} {pc_text(v)}" for t, v in costs.items()),
        ]
    problems = cannot_keep(model, rb, p) if model.team in (p.get("parties") or []) else []
    if problems:
        lines.append("! You cannot keep your side: " + "; ".join(problems))
    is_open = p.get("status", "open") == "open"
    # a closed proposal binds nobody: a rejected one read "some clause will break", weighed against
    # the deals signed since
    found = clause_conflicts(model, rb, list(p.get("clauses") or [])) if is_open else []
    notes = [c.words for c in found if c.team != model.team or not c.hard]
    if notes:
        lines.append("! Clauses that pull against each other: " + "; ".join(notes))
    if is_open:
        shared = shared_orders(model, rb, list(p.get("clauses") or []))
        if shared:
            lines.append("Shared with deals in force: " + "; ".join(shared))
        if model.team in (p.get("parties") or []):
            lines += [f"! Capital: {w}" for w in capital_later(model, rb, list(p.get("clauses") or []))]
    return "\n".join(lines)


def tabled_this_turn(model: LiveGame) -> int:
    team = model.team
    return sum(1 for p in model.proposals.values() if p.get("from") == team and p.get("turn") == model.turn)


# a Sovereignty Accord in words, where a proposal says it is one and where the composer offers it
ACCORD_SAID = (
    "A Sovereignty Accord: signed, it clears the breach of the hard red line (rule A3: Mexico's tension"
    " is reset to 70 and the cap on its cooperation to 40)"
)


def breach_seen(model: LiveGame, rb: Rulebook) -> tuple[float, float] | None:
    """The engine's ``breach_age`` on what the view shows (every team sees the red line's flags):
    months since the hard red line was crossed and months before a Sovereignty Accord may clear it, or
    None with no breach standing. One test, so the composer never says "may" where the signing says no."""
    env: dict[str, Any] = {
        str(i.get("id")): i.get("value") for i in model.view.get("indicators") or [] if isinstance(i, dict)
    }
    env["flag.hrl_months"] = env.get("flag.hrl_months") or 0
    env["months_per_turn"] = (model.view.get("scenario") or {}).get("months_per_turn") or 1
    try:
        return breach_age(rb, env)
    except (KeyError, TypeError, ValueError):  # the wait reads a value this view lacks: the rules' usual 3
        return float(env["flag.hrl_months"]), 3.0 * float(env["months_per_turn"])


def word_not_enough(model: LiveGame, rb: Rulebook, cmd: Propose) -> list[str]:
    """A self-verified draft to a party whose trust in the proposer is under ``WORD_TRUST``: the bots
    counter such a deal only to ask for compliance checked by both sides (student m24's US met it twice,
    the composer having said "ok"). What the team sees of the trust is what is said."""
    team = model.team
    if cmd.verification != "self" or not team:
        return []
    shown = {str(i.get("id")): i for i in model.view.get("indicators") or [] if isinstance(i, dict)}
    out = []
    for t in cmd.parties:
        row = shown.get(f"trust.{pair(team, t)}") if t != team else None
        if row is None or not isinstance(row.get("value"), int | float) or float(row["value"]) >= WORD_TRUST:
            continue
        about = "about " if row.get("estimate") else ""
        theirs = team_name(rb, t)
        out.append(
            f"trust with {'the ' if theirs.startswith('United') else ''}{theirs} is {about}"
            f"{float(row['value']):.0f} (under {WORD_TRUST}, a bot may ask for checks by both sides)"
        )
    return out


def check_draft(model: LiveGame, rb: Rulebook, cmd: Propose) -> str | None:
    """The server's verdict on a draft, run here on the team's view: None if it would be tabled, else
    the refusal in the server's words (``code: message``)."""
    team = model.team
    if not team:
        return "forbidden: only a team seat tables proposals"
    tokens = model.view.get("tokens") or []
    try:
        check_proposal(
            rb,
            cmd,
            team,
            turn=model.turn,
            phase=model.phase,
            tabled=tabled_this_turn(model),
            limit=int(model.view.get("proposal_limit") or 99),
            consent_token=lambda: any(t.get("active") for t in tokens),
            breach=lambda: breach_seen(model, rb),
        )
    except CommandError as exc:
        return f"{exc.code}: {exc.message}"
    if cmd.counter_to is not None and cmd.counter_to not in model.proposals:
        return f"bad_proposal: no proposal '{cmd.counter_to}' to counter"
    return None


# ---------------------------------------------------------------------- a public statement (rule D7)

STATEMENT_VERBS = {
    "praise": "praises",
    "blame": "blames",
    "threat": "threatens",
    "commitment": "makes a public commitment to",
    "acknowledge": "acknowledges shared responsibility with",
}


def statement_name(rb: Rulebook, kind: str) -> str:
    st = rb.statements.get(kind)
    return st.name if st is not None else kind.replace("_", " ")


def statement_effect(
    rb: Rulebook,
    kind: str,
    values: dict[str, Any] | None = None,
    turn: int | None = None,
    last: int | None = None,
) -> str:
    """What a kind of statement does, in one line from the rules: the reason the rules give, then the
    numbers (trust with the team addressed, the speaker's approval, and the cases the rules single out:
    the US addressing Mexico or China). Given the values the team sees, an effect whose condition does
    not hold now is said withheld, with the turn it counts again: a second acknowledgement within
    three turns was shown easing Mexican sovereignty tension by 5, which the rules withheld."""
    st = rb.statements.get(kind)
    if st is None:
        return ""
    m = st.model
    parts = []
    if m.trust:
        parts.append(f"trust with the team addressed {m.trust:+g}")
    if m.own_approval:
        parts.append(f"your own approval {m.own_approval:+g}")
    if m.finger_pointing:
        parts.append("counts as finger-pointing")
    us_mx = [f"{key_name(rb, 'mx.st')} {m.st:+g}"] if m.st else []
    for e, ce in zip(m.effects, st.effects, strict=True):
        if e.op == "add" and e.target in rb.indicators and isinstance(e.value, int | float):
            held = _withheld(rb, ce.when, values, turn, last) if ce.when is not None and values else ""
            us_mx.append(f"{key_name(rb, e.target)} {float(e.value):+g}" + (f" {held}" if held else ""))
    if m.overton and kind == "threat":  # the engine moves it only for a threat
        us_mx.append(f"{key_name(rb, 'us.overton')} {m.overton:+g}")
    if us_mx:
        parts.append("from the US to Mexico: " + ", ".join(us_mx))
    if m.irritation:
        parts.append(f"from the US to China: {key_name(rb, 'cn.irritation')} {m.irritation:+g}")
    reason = st.reason[:1].upper() + st.reason[1:]
    return reason + (f" ({'; '.join(parts)})" if parts else "")


def _withheld(rb: Rulebook, when: Expr, values: dict[str, Any], turn: int | None, last: int | None) -> str:
    """Words for an effect its condition withholds now ("" when it holds, or cannot be read): the
    rules that count down a value the condition reads (a cooldown) say why, and, run forward turn by
    turn as the engine runs them, when it counts again."""
    try:
        if when.fn(values):
            return ""
    except Exception:  # a value this team does not see exactly: say nothing rather than guess
        return ""
    rules = [r for r in rb.rules if r.chance is None and any(x.target in when.names for x in r.effects)]
    why = "; ".join(f"{r.name}: {r.reason}" for r in rules)
    text = "(withheld this turn" + (f": {why}" if why else "")
    back = _counts_again(rules, when, values)
    if back is not None and turn is not None and last is not None and turn + back > last:
        text += "; it does not count again before the game ends"
    elif back is not None and turn is not None:
        text += f"; it counts again in turn {turn + back}"
    return text + ")"


def _counts_again(rules: list[CRule], when: Expr, values: dict[str, Any]) -> int | None:
    """In how many turns the condition holds again, with these rules run once at the end of each turn
    (None: not within a dozen turns, or not to be computed from here)."""
    v = dict(values)
    try:
        for k in range(1, 13):
            for r in rules:
                if r.when is not None and not r.when.fn(v):
                    continue
                for x in r.effects:
                    if x.target in v and x.op in ("add", "set"):
                        got = float(x.value.fn(v))
                        v[x.target] = got if x.op == "set" else float(v[x.target]) + got
            if when.fn(v):
                return k
    except Exception:  # an expression wanting a value not shown: the turn is not said
        return None
    return None


def statement_problem(model: LiveGame, kind: str, target: str | None, text: str) -> str | None:
    """Why the server would refuse this statement with the orders, in its own words, or None."""
    refused = statement_refusal(model.team or "", kind, target, text)
    return refused[1] if refused else None


def statement_words(rb: Rulebook | None, team: str, statement: dict[str, Any]) -> str:
    """``Mexico praises China: “We welcome …”``: who said what to whom."""
    kind = str(statement.get("kind") or "")
    target = statement.get("target")
    verb = STATEMENT_VERBS.get(kind, kind.replace("_", " "))
    if target:
        text = f"{team_name(rb, team)} {verb} {team_name(rb, str(target))}"
    elif kind == "commitment":
        text = f"{team_name(rb, team)} makes a public commitment"
    elif kind == "acknowledge":
        text = f"{team_name(rb, team)} acknowledges shared responsibility"
    else:
        text = f"{team_name(rb, team)} makes a {kind} statement"
    said = str(statement.get("text") or "").strip()
    return text + (f": “{said}”" if said else "")


def standing_now(model: LiveGame, rb: Rulebook, lever: str, params: dict[str, Any]) -> list[str]:
    """What the level an order sets stands at now, for each value or flag the lever sets ("Tariff on
    Chinese goods now 0"; "Mexico withholds DEA visas: no" for MX-DEAVISA's choice): a student set a 10 %
    tariff on China meaning relief, from a form that explained relief as "a lower rate than the current
    one" and never said the current one. A lever that sets nothing this team sees is said only as far as
    its own count tells (once_now); a value the view does not hold is not guessed."""
    lv = rb.levers.get(lever)
    if lv is None:
        return []
    env = {f"param.{k}": v for k, v in {**{k: p.default for k, p in lv.params.items()}, **params}.items()}
    shown = {str(i["id"]): i for i in model.view.get("indicators") or []}
    out = [*levels_now(model, rb, lever)]
    for e in lv.effects:
        if e.op != "set" and not (
            e.op in ("add", "mul") and lever in SAID_AS_MOVED and not e.target.startswith("trust.")
        ):
            continue
        ind = shown.get(e.target)
        if ind is None or "value" not in ind:
            continue
        # a flag's state is said whatever the choice: CN-LINK set to "resumed" said nothing of whether
        # cooperation stands suspended now, the very thing the choice is about
        if e.when is not None and not isinstance(ind["value"], bool):
            if not e.when.names <= env.keys():
                continue
            try:
                if not e.when.fn(env):
                    continue
            except Exception:  # a condition on more than the parameters: not said
                continue
        est = " (an estimate)" if ind.get("estimate") else ""
        unit = str(ind.get("unit") or "")
        if isinstance(ind["value"], bool):  # a flag: "Mexico withholds DEA visas: no"
            value = ": yes" if ind["value"] else ": no"
        else:
            value = f" {render_figure(ind['value'])}{' %' if unit == '%' else ''}"
        line = f"now: {ind.get('name', e.target)}{value}{est}"
        if line not in out:
            out.append(line)
    return out or once_now(model, rb, lever)


def waits_now(model: LiveGame, rb: Rulebook, lever: str, params: dict[str, Any]) -> list[str]:
    """For an order whose every immediate effect, with the choice made, waits on the state of the game
    (``render.waiting``): what it waits on, as this team sees it now. g22's CN-LINK "resumed" read "takes
    a leaders' summit or a US concession" and nothing of whether either was there this turn; the order
    did nothing. A value the team does not see exactly, or an act of this turn, is said as not known."""
    known = known_values(model)
    said: dict[str, str] = {}
    for _, _, rest in waiting(rb, lever, params):
        for node in rest:
            for name in sorted(free_names(node)):
                if name in said:
                    continue
                value = value_words(known[name]) if name in known else "not known before the orders"
                said[name] = f"{value_name(rb, name)}: {value}"
    if not said:
        return []
    return [
        "it acts only if what it waits on holds when the orders are carried out; now: "
        + "; ".join(said.values())
    ]


# levers whose effects add to or scale values rather than set them, whose values are said as they stand
# too (a student funding US-BIC could not see where Mexican capability stood; CA-DEMAND's form said
# nothing of Canada's deaths, h22); only those this team sees
SAID_AS_MOVED = frozenset({"us_bic", "ca_demand"})
# a programme built level by level, whose levels mature after a lag: its level and the levels still
# maturing, as the lever's preconditions in rules/levers/us.yaml count them; its top is the level's
# own maximum in rules/indicators.yaml
LEVELLED = {"us_demand": ("us.demand_level", "flag.dem_pending")}


def levels_now(model: LiveGame, rb: Rulebook, lever: str) -> list[str]:
    """Where a levelled programme stands: US-DEMAND's form said nothing of the level, and a student
    ordered levels the maturing ones had already taken ("tops out at level 3, counting the levels still
    maturing"). Said only when the view holds both values."""
    if lever not in LEVELLED:
        return []
    level_id, pending_id = LEVELLED[lever]
    ind = rb.indicators.get(level_id)
    shown = {str(i["id"]): i for i in model.view.get("indicators") or []}
    level, pending = shown.get(level_id, {}).get("value"), shown.get(pending_id, {}).get("value")
    if (
        ind is None
        or ind.max is None
        or not isinstance(level, int | float)
        or not isinstance(pending, int | float)
    ):
        return []
    top = int(ind.max)
    room = max(top - int(level) - int(pending), 0)
    return [
        f"now: programme level {int(level)}, {int(pending)} more maturing — room for {room} more"
        f" (it tops out at {top}, counting the levels still maturing)"
    ]


def once_now(model: LiveGame, rb: Rulebook, lever: str) -> list[str]:
    """Where a once-per-game act of this team's stands, for a lever whose values no indicator holds
    (CN-KYC's number of chemicals is the act's own, set once): not played yet, or played, with the
    values it was played with when this team's results still hold its order. Another team's act, or
    a lever that can be played again, is left unsaid: the count would not be the state."""
    lv = rb.levers.get(lever)
    counts = (model.view.get("counts") or {}).get(lever)
    if lv is None or not lv.once or lv.team != model.team or not isinstance(counts, dict):
        return []
    if not counts.get("count"):
        return [f"now: {lv.code} not played yet this game (it can be played once)"]
    for ev in reversed(model.results):
        if ev.get("type") == "order_executed" and ev.get("lever") == lever and ev.get("team") == model.team:
            when = f" in turn {ev['turn']}" if ev.get("turn") else ""
            return [
                f"now: {lv.code} played{when}, with {params_words(rb, lever, dict(ev.get('params') or {}))}"
            ]
    return [f"now: {lv.code} played already this game"]
