"""Words a player reads for the game's own keys and records: a team by its name, a state key by the
rulebook's name for it, an order's or a clause's parameters, a clause's condition, an agreement's
verdict. Pure functions of the rulebook and the log, so the client's screens and the after-action
report (``precursor.analysis.review``) say one thing one way: the report read "tariff: imposed; rate in
%: 0.0" of a clause the game called "tariff: lifted (the rate kept at 0 %)" (student i22)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from precursor.game.rulebook import CLever, Rulebook

TEAM_NAMES = {"us": "United States", "mx": "Mexico", "cn": "China", "ca": "Canada"}

#: The calendar windows by name (the engine keeps them as ``window.<id>`` flags).
WINDOW_NAMES = {
    "us_campaign": "US election campaign",
    "mx_campaign": "Mexican election campaign",
    "ca_campaign": "Canadian election campaign",
    "us_lame_duck": "US lame-duck period",
    "mx_transition": "Mexican presidential transition",
    "cn_political": "China's political season",
}
#: Per-team tallies the engine keeps, in words ("{team}" is the team's code).
TALLIES = {
    "agreements": "agreements {team} has signed",
    "reneged": "times {team} reneged",
    "badges": "badges of {team}",
    "secret": "secret objectives met by {team}",
    "agr": "agreement points of {team}",
}


def possessive(name: str) -> str:
    """A team's name with its possessive, as a sentence reads it: "the United States'" (a student read
    "United States's position"), "Mexico's"."""
    if name.endswith("s"):
        return f"the {name}'" if name.startswith("United") else f"{name}'"
    return f"{name}'s"


def statement_words(rb: Rulebook, ev: Mapping[str, Any]) -> str:
    """A public statement as a line of the record: who said what kind of thing to whom, and when."""
    kind = rb.statements.get(str(ev.get("kind") or ""))
    what = kind.name.lower() if kind is not None else str(ev.get("kind") or "statement")
    who = possessive(team_name(rb, str(ev.get("team") or "")))
    to = f" to {team_name(rb, str(ev['target']))}" if ev.get("target") else ""
    return f"{who} public statement{to} ({what}), turn {ev.get('turn', '?')}"


def statements_seen(rb: Rulebook, events: Iterable[Mapping[str, Any]], keys: Iterable[str]) -> list[str]:
    """The public statements among the events that moved one of these values: what met an objective
    judged "ever" where the values at the end cannot show it (a US acknowledgement of shared
    responsibility for Mexico's)."""
    wanted = set(keys)
    return [
        statement_words(rb, ev)
        for ev in events
        if ev.get("type") == "statement" and wanted & set(ev.get("changes") or {})
    ]


# what an expression may read of an indicator besides its value now: its value at the start, its mean
DERIVED = ("start.", "mean.")


def indicator_keys(rb: Rulebook, names: Iterable[str]) -> list[str]:
    """The indicators an expression reads, ``start.mx.st`` and ``mean.mx.st`` counting as ``mx.st``."""
    out: list[str] = []
    for n in names:
        for p in DERIVED:
            if n.startswith(p):
                n = n[len(p) :]
        if n in rb.indicators and n not in out:
            out.append(n)
    return out


def team_name(rb: Rulebook | None, team: str) -> str:
    if rb is not None and team in rb.teams:
        return rb.teams[team].name
    return TEAM_NAMES.get(team, team.upper())


def key_name(rb: Rulebook | None, key: str) -> str:
    """A state key as the rulebook names it (``mx.st`` is Mexican sovereignty tension); the engine's own
    flags and tallies in words (``window.us_campaign`` is the US election campaign window)."""
    if rb is not None:
        ind = rb.indicators.get(key)
        if ind is not None:
            return ind.name
    head, _, rest = key.partition(".")
    if head == "window" and rest in WINDOW_NAMES:
        return f"{WINDOW_NAMES[rest]} (window open)"
    if head == "module" and rest:
        return f"trilateral module {rest.upper()} in force"
    if head in TALLIES and rest:
        return TALLIES[head].format(team=_team(rb, rest) if len(rest) == 2 else rest)
    return key


def _team(rb: Rulebook | None, team: Any) -> str:
    """A team by its name: a player reads "Mexico", never the engine's ``mx`` or ``MX``."""
    return team_name(rb, str(team or "")) if team else ""


def param_name(pid: str, lv: CLever | None = None) -> str:
    """A parameter's short name beside its value: the rules' label ("spent on") when they give one, else
    the id in words (``max_personnel`` reads "max personnel")."""
    p = lv.params.get(pid) if lv is not None else None
    return p.label if p is not None and p.label else pid.replace("_", " ")


def choice_words(rb: Rulebook | None, lv: CLever | None, pid: str, v: Any) -> str:
    """A parameter's value in words: a choice as the rules word it ("social programmes", never the
    engine's ``social``), a team by its name, a trilateral module by its id and name ("T1, Chemical
    notification …": the name has brackets of its own)."""
    p = lv.params.get(pid) if lv is not None else None
    if isinstance(v, str) and p is not None and p.type == "choice":
        if v in p.choice_labels:
            return p.choice_labels[v]
        if set(p.choices) <= set(TEAM_NAMES):
            return team_name(rb, v)
        if rb is not None and set(p.choices) <= set(rb.modules) and v in rb.modules:
            return f"{v.upper()}, {rb.modules[v].name}"
    return value_words(v)


def signed(v: Any, digits: int = 1) -> str:
    """A score figure with its sign, halves rounded up as a student rounds by hand ("+4.6" for 4.55)
    and never "-0.0": the end screen and the after-action report printed one component +4.6 and +4.5
    (students l24, m24), the float ``round`` taking 4.55 for 4.5499…. "–" for what is not a number."""
    if isinstance(v, bool) or not isinstance(v, int | float | Decimal):
        return "–"
    exact = v if isinstance(v, Decimal) else Decimal(repr(float(v)))
    r = exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return f"{r + 0:+.{digits}f}" if r else f"{0:+.{digits}f}"


def value_words(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).replace("_", " ")


def params_words(
    rb: Rulebook, lever: str, params: dict[str, Any], *, changed_only: bool = False, promise: bool = False
) -> str:
    """An order's or a clause's parameters as a player reads them, "$100M steps: 1, spent on: social
    programmes": the one wording of the results, the orders tab, the proposals and the composer. With
    ``changed_only``, only the values that differ from the default. With ``promise`` (a clause), a
    number any stronger value also keeps says so, "rate in %: at most 10": two students read a clause
    for a tariff "imposed" at 0 % or 10 % as a tariff to impose, where it promises a ceiling (an order
    at any value as strong as asked keeps a clause, ``negotiation.params_meet``)."""
    lv = rb.levers.get(lever)
    if lv is None:
        return ", ".join(f"{param_name(k)}: {value_words(v)}" for k, v in params.items())
    out = []
    lifted = _lifted(lv, params)
    for pid, p in lv.params.items():
        v = params.get(pid, p.default)
        if pid in lifted:  # neither is at its default then: said whatever ``changed_only``
            if pid == "mode":
                kept = "the rate kept at 0 %" if promise else "rate 0 %"
                out.append(f"{param_name(pid, lv)}: lifted ({kept})")
            continue
        if changed_only and v == p.default:
            continue
        bound = ""
        if promise and p.type in ("int", "num") and p.stronger in ("higher", "lower"):
            bound = "at least " if p.stronger == "higher" else "at most "
        out.append(f"{param_name(pid, lv)}: {bound}{choice_words(rb, lv, pid, v)}")
    return ", ".join(out)


def _lifted(lv: CLever, params: dict[str, Any]) -> list[str]:
    """The mode and rate parameters of a tariff "imposed" at a rate of 0 %, which lifts it (the rules:
    imposing a lower rate is tariff relief): "US-TARIFF (on goods of: China, rate in %: 0, tariff:
    imposed)" in China's proposal read as China asking for tariffs on itself. Said as one "tariff:
    lifted", in the mode's place; [] for any other lever or setting."""
    mode, rate = lv.params.get("mode"), lv.params.get("rate")
    if mode is None or rate is None or "impose" not in mode.choices or rate.stronger != "lower":
        return []
    if params.get("mode", mode.default) != "impose" or params.get("rate", rate.default) != 0:
        return []
    return ["mode", "rate"]


def agreement_verdict(rb: Rulebook | None, a: dict[str, Any]) -> str:
    """Who broke an agreement, or that every party kept it: the same words on the proposals tab and
    the end screen (they disagreed on one deal: "kept 0, broken 0" and "broken by United States")."""
    reneged = [team_name(rb, str(p)) for p in a.get("reneged") or []]
    status = str(a.get("status", ""))
    if reneged:
        return "broken by " + ", ".join(reneged)
    if self_checked(a):
        # each party is told of its own clauses only: "kept by every party" stood beside a partner's
        # clause nobody but that partner was told of (a student's end screen, A5-MX-1)
        done = "completed" if status == "completed" else f"{status}, so far"
        return f"{done}: no party reports a broken promise (self-verified)"
    return "kept by every party" if status == "completed" else f"{status}, kept so far"


def self_checked(a: dict[str, Any]) -> bool:
    """A deal of several parties that each checks for itself: a clause's result is told to the team
    that owes it only, and its partners learn only of a broken promise."""
    return a.get("verification") == "self" and len(a.get("parties") or []) > 1


# a clause's condition as the composer writes it: an indicator, a comparison, a number
COMPARISONS = [("below", "<"), ("at most", "<="), ("at least", ">="), ("above", ">")]
_WORDS = {op: words for words, op in COMPARISONS}


def is_yes_no(rb: Rulebook, indicator: str) -> bool:
    ind = rb.indicators.get(indicator)
    return ind is not None and ind.type == "bool"


def condition_words(rb: Rulebook, condition: str) -> str:
    """A condition read aloud: ``mx.st < 60`` is "Mexican sovereignty tension below 60"; a condition
    written otherwise (a counter keeps its original's) is shown as it stands."""
    parts = condition.split()
    if len(parts) == 1 and is_yes_no(rb, parts[0]):
        return f"{rb.indicators[parts[0]].name} (yes)"
    if len(parts) == 2 and parts[0] == "not" and is_yes_no(rb, parts[1]):
        return f"{rb.indicators[parts[1]].name} (no)"
    if len(parts) == 3 and parts[0] in rb.indicators and parts[1] in _WORDS:
        return f"{rb.indicators[parts[0]].name} {_WORDS[parts[1]]} {parts[2]}"
    return condition


def carried_out(ev: Mapping[str, Any]) -> tuple[str, str, int] | None:
    """(team, lever, turn) when this event shows an act carried out in its turn: an executed order, or a
    clause met by an order this seat does not see (another team's private order shows only as the
    compliance check of the deal the two share). A clause met by an act of an earlier turn or by a level
    that stands is no act of that turn. Student a20's debrief missed a US-ARMS of turn 1 seen this way."""
    t = ev.get("type")
    turn = ev.get("turn")
    if not isinstance(turn, int) or ev.get("earlier"):
        return None
    if t == "order_executed" or (t == "compliance" and ev.get("met") and not ev.get("held")):
        return str(ev.get("team")), str(ev.get("lever")), turn
    return None


COUNTERS = ("count", "played", "streak")


def orders_seen(
    rb: Rulebook, events: Iterable[Mapping[str, Any]], names: Iterable[str], team: str | None
) -> tuple[list[str], bool]:
    """The orders of each lever a condition counts (``count.us_arms``), in the rulebook's order, with the
    turns they were seen carried out in the events given: "Disrupt southbound weapons and cash (US-ARMS)
    ordered in turns 1, 3, 4". ``team`` is the reader's: a lever of its own never ordered was "never
    ordered", another team's only "not seen ordered" (a private order reaches only its team). The second
    value: whether some lever is another team's. The end screen and the report give this as what
    decided an objective that its values at the end cannot show (student h22's report gave "Turns until
    a US acknowledgement ... counts again = 0" for an objective met by US-ARMS in turn 1)."""
    counted = {n.split(".", 1)[1] for n in names if n.split(".", 1)[0] in COUNTERS}
    acts = [a for a in (carried_out(ev) for ev in events) if a is not None] if counted else []
    seen: list[str] = []
    others = False
    for lever, lv in rb.levers.items():  # in the rulebook's order: MX-PLAN (i) to (v)
        if lever not in counted:
            continue
        turns = sorted({a[2] for a in acts if a[1] == lever})
        name = f"{lv.name} ({lv.code})"
        if turns:
            seen.append(f"{name} ordered in turn{'s' if len(turns) > 1 else ''} {', '.join(map(str, turns))}")
        elif team is None or lv.team == team:
            seen.append(f"{name} never ordered")
        else:
            seen.append(f"{name} not seen ordered")
        others = others or (team is not None and lv.team != team)
    return seen, others


# rule cs1.irritation_cost (rules/sovereignty.yaml): from this irritation on, Chinese enforcement slackens
IRRITATION_SLACKENS = 50.0


def _seen_series(rb: Rulebook | None, ind: Mapping[str, Any]) -> list[float]:
    """An indicator's month-end history and its value now, as a view shows them, held inside the
    indicator's range: an estimate seen through fog read "peaked at 103" of an index of 0 to 100."""
    spec = rb.indicators.get(str(ind.get("id"))) if rb is not None else None
    low = spec.min if spec is not None and spec.min is not None else float("-inf")
    high = spec.max if spec is not None and spec.max is not None else float("inf")
    raw = [*(ind.get("trend") or []), ind.get("value")]
    seen = [float(v) for v in raw if isinstance(v, int | float) and not isinstance(v, bool)]
    return [min(high, max(low, v)) for v in seen]


def other_red_lines(rb: Rulebook | None, indicators: Iterable[Any]) -> list[tuple[str, list[str]]]:
    """China's and Canada's red lines as the game ended, from the indicators a view shows (its own
    fog: an estimate says so): the end screen and the report said only Mexico's, and student m24's
    China found nothing on its irritation, its face or its suspended cooperation. (heading, lines) per
    team with something shown; the heading is the team's red lines in the rulebook's words, and each
    line names its indicator as the dashboard does."""
    by = {str(i.get("id")): i for i in indicators if isinstance(i, Mapping)}

    def named(ind: Mapping[str, Any]) -> str:
        return str(ind.get("name") or key_name(rb, str(ind.get("id"))))

    def est(ind: Mapping[str, Any]) -> str:
        return " (an estimate: you see it through fog)" if ind.get("estimate") else ""

    china: list[str] = []
    if (irr := by.get("cn.irritation")) is not None and (s := _seen_series(rb, irr)):
        peak = max(s)
        china.append(
            f"{named(irr)} peaked at {peak:.0f}{est(irr)}: "
            + (
                f"at {IRRITATION_SLACKENS:.0f} or more, Chinese enforcement slackens every turn"
                if peak >= IRRITATION_SLACKENS
                else f"below {IRRITATION_SLACKENS:.0f}, where Chinese enforcement starts to slacken"
            )
        )
    if (face := by.get("cn.face")) is not None and (s := _seen_series(rb, face)):
        china.append(
            f"{named(face)} began at {s[0]:.0f} and ended at {s[-1]:.0f} (lowest {min(s):.0f}){est(face)}"
        )
    if (sus := by.get("flag.cn_suspended")) is not None:
        china.append(f"{named(sus)}: {'yes' if sus.get('value') else 'no'}, at the end")
    canada: list[str] = []
    if (tariff := by.get("tariff.ca")) is not None and (s := _seen_series(rb, tariff)):
        top = max(s)
        canada.append(
            f"{named(tariff)} peaked at {top:g} %"
            + (f", ended at {s[-1]:g} %" if top else ": no tariff was imposed")
        )
    if (trust := by.get("trust.us_ca")) is not None and (s := _seen_series(rb, trust)):
        low = f"{min(s):.0f}"
        canada.append(f"{named(trust)} ended at {s[-1]:.0f} (lowest {low}){est(trust)}")
    crossed = by.get("flag.hrl_count")
    if crossed is not None and float(crossed.get("value") or 0) > 0:
        if (by.get("flag.ca_declared") or {}).get("value"):
            canada.append("after the breach of the hard red line, Canada declared its position")
        elif (by.get("flag.ca_must_declare") or {}).get("value"):
            canada.append("Canada still owed a declaration on the breach of the hard red line at the end")
        elif "flag.ca_declared" in by:
            canada.append("no declaration of Canada's on the breach of the hard red line stood at the end")
    out = []
    for team, lines in (("cn", china), ("ca", canada)):
        if lines:
            said = rb.teams[team].red_lines if rb is not None and team in rb.teams else ""
            out.append((f"{team_name(rb, team)}'s red lines" + (f" — {said}" if said else ""), lines))
    return out
