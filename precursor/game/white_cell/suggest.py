"""Inject suggestions: which of the rulebook's inject templates the game state calls for, and why.

Practitioners fault injects released on a fixed timeline; a control cell writes them in answer to what
the players did. This ranks the templates of ``rules/inject_templates.yaml`` by how much of their
trigger holds now, so the facilitator starts from what the situation calls for and the reasons for it,
and stays the one who decides: nothing here changes the game. It reads the true state (the
facilitator's view) and the log, and is pure: the same state and log give the same list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from precursor.game.months import add_months
from precursor.game.rulebook import Rulebook
from precursor.game.rulebook.inject_templates import PLACEHOLDER, CInjectTemplate

NEVER = 99  # what a "months until" or "turns since" reads when there is none in this game
ELECTIONS = ("us_presidential", "us_midterm", "mx_presidential", "ca_federal")
# rule C1's parameter giving each election's campaign window, with the rule's own defaults
CAMPAIGN = {
    "us_presidential": ("us_presidential_months", 6.0),
    "us_midterm": ("us_midterm_months", 3.0),
    "mx_presidential": ("mx_campaign_months", 6.0),
    "ca_federal": ("ca_campaign_months", 2.0),
}


@dataclass(frozen=True)
class Suggestion:
    """One template as it applies now: its score, the reasons that make it up, its text filled in from
    the state, and the changes as values a custom inject can carry (current value plus the suggested
    amount, kept within the indicator's range)."""

    template: str
    title: str
    text: str
    score: float
    because: list[str]
    changes: dict[str, float | bool]
    audience: list[str]
    sources: list[str]
    basis: str
    released: bool = False  # already released as a custom inject: listed after the others
    terms: list[str] = field(default_factory=list)  # the expressions that held, beside ``because``


def suggest(
    rb: Rulebook, env: Mapping[str, Any], log: Sequence[Mapping[str, Any]], turn: int
) -> list[Suggestion]:
    """Every template that scores above zero, best first: not yet released before released, then by
    score, then by id (so ties always come out in the same order)."""
    situation = situation_values(rb, env, log, turn)
    released = released_templates(log)
    out: list[Suggestion] = []
    for t in rb.inject_templates:
        scope = _Scope(env, {**situation, "released": 1 if t.id in released else 0})
        held = [term for term in t.triggers if bool(term.when(scope))]
        score = sum(term.weight for term in held)
        if score <= 0:
            continue
        out.append(
            Suggestion(
                template=t.id,
                title=fill(t.title, scope),
                text=fill(t.text, scope),
                score=round(score, 4),
                because=[term.because for term in held],
                changes=_changes(rb, t, env),
                audience=list(t.audience),
                sources=list(t.sources),
                basis=t.basis,
                released=t.id in released,
                terms=[term.text for term in held],
            )
        )
    out.sort(key=lambda s: (s.released, -s.score, s.template))
    return out


class _Scope(Mapping[str, Any]):
    """The state's values with the situation names laid over them, without copying the state."""

    def __init__(self, env: Mapping[str, Any], extra: dict[str, Any]) -> None:
        self._env, self._extra = env, extra

    def __getitem__(self, key: str) -> Any:
        return self._extra[key] if key in self._extra else self._env[key]

    def __contains__(self, key: object) -> bool:
        return key in self._extra or key in self._env

    def __iter__(self) -> Any:
        yield from self._extra
        yield from (k for k in self._env if k not in self._extra)

    def __len__(self) -> int:
        return len(self._env) + sum(1 for k in self._extra if k not in self._env)


def released_templates(log: Sequence[Mapping[str, Any]]) -> set[str]:
    """Templates a custom inject was written from, as the inject events record them."""
    return {str(e["template"]) for e in log if e.get("type") == "inject" and e.get("template")}


def situation_values(
    rb: Rulebook, env: Mapping[str, Any], log: Sequence[Mapping[str, Any]], turn: int
) -> dict[str, float]:
    """The names triggers read beyond the state (rulebook/inject_templates.SITUATION), from the log."""
    recent = [e for e in log if isinstance(e.get("turn"), int) and turn - 1 <= e["turn"] <= turn]
    signed = [e["turn"] for e in log if e.get("type") == "agreement" and isinstance(e.get("turn"), int)]
    to_election, to_campaign = _calendar(rb, env, log)
    return {
        "months_to_election": to_election,
        "months_to_campaign": to_campaign,
        "recent.broken_clauses": sum(
            1 for e in recent if e.get("type") == "compliance" and e.get("met") is False
        ),
        "recent.leaks": sum(1 for e in recent if e.get("type") == "effect" and e.get("rule") == "d3.leaks"),
        "recent.red_line": 1 if any(e.get("rule") == "a3.hard_red_line" for e in recent) else 0,
        "recent.strikes": sum(
            1 for e in recent if e.get("type") == "order_executed" and e.get("lever") == "us_strike"
        ),
        "turns_without_agreement": turn - max(signed) if signed else max(turn - 1, 0),
    }


def _calendar(rb: Rulebook, env: Mapping[str, Any], log: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
    """Months to the next election on the scenario's calendar, and to the next campaign window (0 while
    one is open), counted from the current month; ``NEVER`` when the calendar has none ahead."""
    created = log[0] if log else {}
    sc = rb.scenarios.get(str(created.get("scenario", "")))
    if sc is None or not created.get("start"):
        return NEVER, NEVER
    now = add_months(str(created["start"]), int(env.get("month_index", 0)))
    windows = rb.mechanisms.get("c1.windows")
    to_election, to_campaign = NEVER, NEVER
    for ev in sc.model.calendar:
        if ev.kind not in ELECTIONS:
            continue
        before = _months_between(now, dt.date.fromisoformat(ev.date))
        if before < 0:
            continue
        name, default = CAMPAIGN[ev.kind]
        expr = windows.params.get(name) if windows is not None else None
        months = float(expr.fn(env)) if expr is not None else default
        to_election = min(to_election, before)
        to_campaign = min(to_campaign, max(0, before - int(months) + 1))
    return to_election, to_campaign


def _months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def _changes(rb: Rulebook, t: CInjectTemplate, env: Mapping[str, Any]) -> dict[str, float | bool]:
    """The template's amounts as the values a custom inject sets: added to the current value and kept
    inside the indicator's range, so the suggestion can be released as it stands."""
    out: dict[str, float | bool] = {}
    for key, amount in t.changes.items():
        is_bool, lo, hi = rb.bounds[key]
        if is_bool or isinstance(amount, bool):
            out[key] = bool(amount)
        else:
            out[key] = round(min(hi, max(lo, float(env.get(key, 0.0)) + float(amount))), 4)
    return out


def fill(text: str, scope: Mapping[str, Any]) -> str:
    """``{name}`` replaced by the value the name has now, written for a reader (70,000; 54; 0.7)."""

    def value(m: Any) -> str:
        v = scope.get(m.group(1))
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, int | float):
            return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.2f}".rstrip("0")
        return str(m.group(0))

    return PLACEHOLDER.sub(value, text)
