"""Whether a draft proposal can be kept as things stand, said before it is sent: the composer said "ok:
the server will take it" for deals the proposal viewer then showed could not be kept (a student's
Mexico owed more capital than it had; China refused a step it keeps for leaders' meetings). Each
check reads only what this team sees; what it cannot tell is left unsaid, never guessed. The capital
check is ``terms.capital_short``, which the proposal viewer and the accept guard read too."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from precursor.game.commands import CommandError
from precursor.game.core import normalise_params
from precursor.game.negotiation import params_meet
from precursor.game.promises import clause_span

from . import render, terms

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from .model import LiveGame


def partners_cannot(model: LiveGame, rb: Rulebook, clauses: list[dict[str, Any]]) -> list[str]:
    """Another party's clause this team can see it could not keep (a limit on the values every
    dashboard shows, a lever blocked for it): the composer checked the proposer's own clauses only."""
    out = []
    for i, c in enumerate(clauses):
        if c.get("actor") == model.team or terms.played_once(model, rb, c):
            continue
        ok, why = terms.keepable(model, rb, c)
        if ok is False:
            cond = terms.only_if(model, rb, c)
            out.append(f"clause {i + 1}" + (f", {cond}" if cond else "") + f": {why}")
    return out


def _persona_of(model: LiveGame, rb: Rulebook, team: str) -> Any:
    """A bot partner's persona, as its latest proposal names it (``bot:<persona>``); None for a team
    played by people, or one that has tabled nothing this team saw."""
    found = None
    for p in sorted(model.proposals.values(), key=lambda q: (int(q.get("turn") or 0), str(q.get("id")))):
        by = str(p.get("by") or "")
        if p.get("from") == team and by.startswith("bot:"):
            found = rb.personas.get(by.removeprefix("bot:"))
    return found if found is not None and found.team == team else None


def _prop_names(team: str, draft: dict[str, Any], reads: set[str]) -> dict[str, Any]:
    """The ``prop.*`` names a partner's rule reads, for this draft as that partner would read it."""
    names: dict[str, Any] = {n: False for n in reads if n.startswith(("prop.asks.", "prop.gives."))}
    parties = set(draft.get("parties") or [])
    names.update(
        {
            "prop.linkage": False,
            "prop.public": draft.get("visibility") == "public",
            "prop.trilateral": {"us", "mx", "ca"} <= parties,
            "prop.framing": draft.get("framing") or "none",
            "prop.parties": len(parties),
            "prop.modules": len(draft.get("modules") or []),
        }
    )
    for c in draft.get("clauses") or []:
        names[f"prop.{'asks' if c.get('actor') == team else 'gives'}.{c.get('lever')}"] = True
    return names


def stated_refusals(model: LiveGame, rb: Rulebook, draft: dict[str, Any]) -> list[str]:
    """A bot partner's stated line this draft crosses, in the partner's words: China declines steps it
    keeps for leaders' meetings ("for leaders to agree when they meet") outside a summit turn, and a
    student learnt it only from the refusal. Only rules the partner says aloud, read on the values this
    team sees exactly; one that reads anything else is not guessed at."""
    known = terms.known_values(model)
    out = []
    for team in draft.get("parties") or []:
        if team == model.team:
            continue
        persona = _persona_of(model, rb, str(team))
        if persona is None:
            continue
        for rule in persona.hard_rules:
            if rule.reject_if is None or not rule.message:
                continue
            names = _prop_names(str(team), draft, set(rule.reject_if.names))
            try:
                refuses = bool(rule.reject_if.fn({**known, **names}))
            except (KeyError, TypeError):
                continue
            if refuses:
                said = f"{terms.team_name(rb, str(team))} has said it declines this: “{rule.message}”"
                out.append(said + _refusal_basis(rb, draft, set(rule.reject_if.names), known, names))
                break
    return out


def refused_before(model: LiveGame, rb: Rulebook, draft: dict[str, Any]) -> list[str]:
    """The same terms this team tabled to the same parties and had turned down, and the reason given:
    h22 rebuilt a deal the US had refused in turn 3 and again in turn 4, and the check line said only
    "ok". The same clauses (parameters as the rules fill them, conditions, durations; a start turn is
    read as relative to the turn tabled) to the same parties, checked, shown and framed the same way; a
    change to any of them is a new offer."""
    parties = frozenset(str(t) for t in draft.get("parties") or [])
    mine = _terms(rb, draft, model.turn)
    if mine is None:
        return []
    turned_down = [
        p
        for p in model.proposals.values()
        if p.get("from") == model.team
        and p.get("status") == "rejected"
        and frozenset(str(t) for t in p.get("parties") or []) == parties
        and _terms(rb, p, int(p.get("turn") or 0)) == mine
    ]
    if not turned_down:
        return []
    last = max(turned_down, key=lambda q: (int(q.get("turn") or 0), str(q.get("id"))))
    why = "; ".join(str(t) for t in (last.get("reasons") or {}).values() if t)
    return [
        f"these are the terms {last.get('id')} offered in turn {last.get('turn')}, and they were turned"
        " down" + (f": “{why}”" if why else "") + " — change what the deal asks or gives first"
    ]


# a proposal's terms beyond its clauses and modules, with the value each takes when not given
DEAL_FIELDS = {"verification": "self", "visibility": "private", "framing": "none"}


def _terms(rb: Rulebook, p: dict[str, Any], tabled: int) -> frozenset[tuple[Any, ...]] | None:
    """A proposal's clauses and modules, each as a comparable key, its start turn counted from
    ``tabled`` (None when a clause names no lever the rules know: nothing is said of it)."""
    # how the deal is checked, whether it is public and how it is framed are terms too: k23 changed only
    # the checking a partner had asked for, and read that these were the terms turned down
    out: set[tuple[Any, ...]] = {("module", str(m)) for m in p.get("modules") or []}
    out |= {(field, str(p.get(field) or default)) for field, default in DEAL_FIELDS.items()}
    for c in p.get("clauses") or []:
        lv = rb.levers.get(str(c.get("lever")))
        if lv is None:
            return None
        try:
            full = normalise_params(lv, dict(c.get("params") or {}))
        except CommandError:
            return None
        start = c.get("start_turn")
        out.add(
            (
                str(c.get("actor")),
                lv.id,
                tuple(sorted((k, repr(v)) for k, v in full.items())),
                c.get("condition") or None,
                int(c.get("duration") or 1),
                0 if start is None else int(start) - tabled,
            )
        )
    return frozenset(out)


def _refusal_basis(
    rb: Rulebook, draft: dict[str, Any], reads: set[str], known: dict[str, Any], names: dict[str, Any]
) -> str:
    """Which clauses a partner's stated line is about, and the values it reads as they stand: "China
    has said it declines this: leaders agree such steps" named no clause, so a student swapped CN-ENFORCE
    for CN-PEN and met the same words, and nothing said that a summit window opens the door."""
    levers = {n.removeprefix("prop.asks.") for n in reads if n.startswith("prop.asks.") and names.get(n)}
    levers |= {n.removeprefix("prop.gives.") for n in reads if n.startswith("prop.gives.") and names.get(n)}
    about = [
        f"clause {i + 1} ({rb.levers[str(c.get('lever'))].code})"
        for i, c in enumerate(draft.get("clauses") or [])
        if c.get("lever") in levers and str(c.get("lever")) in rb.levers
    ]
    world = sorted(n for n in reads if not n.startswith("prop.") and n in known)
    now = [f"{terms.value_name(rb, n)}: {render.value_words(known[n])}" for n in world]
    parts = ([("about " + ", ".join(about))] if about else []) + (
        [("it reads, as things stand: " + "; ".join(now))] if now else []
    )
    return f" ({' — '.join(parts)})" if parts else ""


def promises_kept(model: LiveGame, rb: Rulebook, lever: str, given: dict[str, Any]) -> list[str]:
    """Each deal due this turn whose clause on ``lever`` an order with ``given`` keeps, said in the
    parameters form beside the breaks (render.promise_shortfalls): a student raised CN-KYC from the
    13 chemicals China agreed to 15 and was told nothing either way. Any value at least as strong as
    the clause asks keeps it (negotiation.params_meet, the compliance check's own test); a clause whose
    condition does not hold now is not due, and is left unsaid."""
    lv = rb.levers.get(lever)
    if lv is None:
        return []
    try:
        full = normalise_params(lv, given)
    except CommandError:
        return []  # the form says what is wrong with the values
    out = []
    for agreement, clause in render.promised_now(model, lever):
        want = dict(clause.get("params") or {})
        if not want or (
            clause.get("condition") and terms.condition_now(model, rb, str(clause["condition"])) is False
        ):
            continue
        if params_meet(rb, clause, full):
            promised = terms.params_words(rb, lever, want, promise=True)
            got = terms.params_words(rb, lever, full)
            out.append(
                f"keeps agreement {agreement}: you promised {lv.code} with {promised}, and it is set to {got}"
            )
    return out


def promises_later_broken(model: LiveGame, rb: Rulebook, lever: str, given: dict[str, Any]) -> list[str]:
    """A levelled programme this order would fill while a deal in force asks for the same lever in a later
    turn: then that order cannot be given, and the clause breaks. Student k23 set US-DEMAND to 2 levels in
    turn 1 ("room for 2 more", "keeps agreement A1-MX-1") and found in turn 2 that the promised US-DEMAND
    could not be ordered. Read on the values the view gives exactly; nothing said otherwise."""
    if lever not in terms.LEVELLED or lever not in rb.levers:
        return []
    level_id, pending_id = terms.LEVELLED[lever]
    ind = rb.indicators.get(level_id)
    known = terms.known_values(model)
    level, pending = known.get(level_id), known.get(pending_id)
    lv = rb.levers[lever]
    amount = next(iter(lv.params), None)
    if ind is None or ind.max is None or amount is None or not isinstance(level, int | float):
        return []
    if not isinstance(pending, int | float):
        return []
    p = lv.params[amount]
    try:
        n = float(given.get(amount, p.default))
    except (TypeError, ValueError):
        return []
    least = float(p.min) if p.min is not None else 1.0
    if float(ind.max) - float(level) - float(pending) - n >= least:
        return []  # room is left for the next order
    turn = int(model.turn or 0)
    later: list[tuple[int, str]] = []
    for a in model.agreements.values():
        if a.get("status") not in ("signed", "active"):
            continue
        for c in a.get("clauses") or []:
            if c.get("actor") == model.team and c.get("lever") == lever:
                later += [(t, str(a.get("id"))) for t in clause_span(c, turn) if t > turn]
    if not later:
        return []
    t, aid = min(later)
    return [
        f"! with {n:g} this fills the programme (it tops out at {int(ind.max)}, counting the levels still"
        f" maturing): the {lv.code} you promised for turn {t} in {aid} could then not be ordered, and that"
        " clause would break"
    ]
