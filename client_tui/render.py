"""Text the screens show, built from the model and the rulebook: pure functions, easy to test.

Colour is never the only signal: every state also has a word or a symbol (✓, !, ~, [lag]).
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text

from precursor.game.commands import CommandError
from precursor.game.core import normalise_params
from precursor.game.expr import Binary, Name, Node, Num, Str, parse
from precursor.game.months import add_months
from precursor.game.negotiation import params_meet
from precursor.game.promises import clause_span
from precursor.game.words import TALLIES as TALLIES
from precursor.game.words import TEAM_NAMES as TEAM_NAMES
from precursor.game.words import WINDOW_NAMES as WINDOW_NAMES
from precursor.game.words import _team as _team
from precursor.game.words import agreement_verdict as agreement_verdict
from precursor.game.words import choice_words as choice_words
from precursor.game.words import key_name as key_name
from precursor.game.words import param_name as param_name
from precursor.game.words import params_words as params_words
from precursor.game.words import possessive as possessive
from precursor.game.words import self_checked as self_checked
from precursor.game.words import signed as signed
from precursor.game.words import team_name as team_name
from precursor.game.words import value_words as value_words

from .availability import other_settings
from .conditions import condition_now, condition_words, level_stands, only_if, order_leaves_level
from .model import LiveGame

if TYPE_CHECKING:
    from precursor.game.rulebook import CLever, Rulebook

BARS = "▁▂▃▄▅▆▇█"


def cells(*values: object) -> list[Text]:
    """A table row as plain text: a DataTable reads a string cell as Rich markup, and a name or label
    typed by another person (``[bold red]Eve``, a channel called ``[/]x``) is data, never markup."""
    return [Text(str(v)) for v in values]


def sparkline(values: list[float], width: int = 12) -> str:
    vals = [float(v) for v in values[-width:]]
    if not vals:
        return ""
    lo, hi = min(vals), max(vals)
    if hi - lo < 1e-9:
        return BARS[3] * len(vals)
    return "".join(BARS[min(7, int((v - lo) / (hi - lo) * 7.999))] for v in vals)


def number(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float):
        a = abs(float(v))
        if a >= 100_000:
            return f"{float(v) / 1000:,.0f}k"
        if a >= 100:
            return f"{float(v):,.0f}"
        return f"{float(v):.1f}"
    return str(v)


#: units whose values are whole numbers of things: a count reads "2", never "2.0"
WHOLE_UNITS = frozenset({"count", "turns", "months", "people", "points", "deaths/yr", "homicides/yr"})


def amount(v: Any, unit: str) -> str:
    """A value in its unit's terms: a whole unit (a count, turns, months) without a decimal point,
    anything else, and a large number (107k), as ``number`` writes it."""
    if unit in WHOLE_UNITS and isinstance(v, int | float) and not isinstance(v, bool) and abs(v) < 100_000:
        return f"{float(v):,.0f}"
    return number(v)


def figure(v: Any) -> str:
    """A value in a sentence: whole numbers without a decimal point (54, not 54.0)."""
    if isinstance(v, int | float) and not isinstance(v, bool) and float(v).is_integer() and abs(v) < 100_000:
        return str(int(v))
    return number(v)


#: Meetings a turn can open besides the election calendar (the engine keeps them as flags).
MEETING_WINDOWS = {
    "flag.summit_window": "leader summit",
    "flag.trilateral_meeting": "trilateral meeting",
}
# a lever's play counters (played this turn, streak, count): bookkeeping that every order moves
_COUNTERS = ("played.", "streak.", "count.")


# team names and deal framings in words: the composer's checks (terms) read them from here too
# who checks that the clauses are kept (the proposal's verification): the words the bots' counters use
VERIFICATION_WORDS = {
    "self": "each party reports its own (self-verified)",
    "joint": "compliance checked by both sides",
    "incb": "compliance checked by the International Narcotics Control Board",
}

FRAMING_WORDS = {
    "none": "no framing",
    "shared_responsibility": "shared responsibility",
    "us_demand_met": "a US demand met",
    "china_initiative": "China's own initiative",
    "multilateral": "a multilateral effort",
    "reciprocal": "reciprocal steps",
}


#: the name the solo command gives its player unless told otherwise: the player is reading, not named
SOLO_NAME = "solo player"


def person_name(name: Any) -> str:
    """Who spoke or proposed, beside their team's name: a computer player says so, and never by its
    persona's key (``bot:institutionalist``); the solo command's default name says nothing the team's
    name does not; a name a person typed stays as typed."""
    text = str(name or "").strip()
    if text.startswith("bot:"):
        return "computer player"
    return "" if text == SOLO_NAME else text


def rule_name(rb: Rulebook | None, rule: str) -> str:
    """A rule as the rulebook names it; a lever by its name and code; else the id's last part in words
    (``d7.praise`` is "praise"), never the bare id."""
    if rb is not None:
        names = _names(rb)
        if rule in names:
            return names[rule]
        lever = rb.levers.get(rule)
        if lever is not None:
            return f"{lever.name} ({lever.code})"
    return rule.rsplit(".", 1)[-1].replace("_", " ")


_NAMES: dict[int, dict[str, str]] = {}


def _names(rb: Rulebook) -> dict[str, str]:
    """The rules' names by id, built once per rulebook (the rulebook keeps its rules as a list)."""
    key = id(rb)
    if key not in _NAMES:
        _NAMES[key] = {r.id: r.name for r in rb.rules}
    return _NAMES[key]


_LEVER_WORDS: dict[int, tuple[re.Pattern[str], re.Pattern[str], dict[str, str]]] = {}


def _lever_patterns(rb: Rulebook) -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str]]:
    """The levers' ids and codes as whole words, and each code's name, built once per rulebook."""
    key = rb.serial
    if key not in _LEVER_WORDS:
        ids = sorted(rb.levers, key=len, reverse=True)
        names = {lv.code: lv.name for lv in rb.levers.values()}
        codes = sorted(names, key=len, reverse=True)
        _LEVER_WORDS[key] = (
            re.compile(r"(?<![\w.-])(" + "|".join(map(re.escape, ids)) + r")(?![\w-]|\.\w)"),
            re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, codes)) + r")(?![\w-])"),
            names,
        )
    return _LEVER_WORDS[key]


def _module_ids(rb: Rulebook) -> re.Pattern[str]:
    ids = sorted(rb.modules, key=len, reverse=True)
    return re.compile(r"(?<![\w.-])(" + "|".join(map(re.escape, ids)) + r")(?![\w-])")


# a deal's framing as the engine names it in a rule's reason ("framed as shared_responsibility")
_FRAMINGS = re.compile(r"(?<![\w.])(shared_responsibility|us_demand_met|china_initiative)(?![\w.])")


def gloss(rb: Rulebook | None, text: str) -> str:
    """Prose that names levers, made readable: a lever's id (``mx_plan_1``, the engine's word) becomes
    its code, and the first mention of each code gets the lever's name beside it ("MX-ME (Set the level
    of migration enforcement)"), unless the text names the lever already. A code inside parentheses
    takes the name after a dash, so the brackets do not nest. A deal's framing reads as words, and a
    trilateral module's id as the rules write it (T1)."""
    if rb is None or not text or not rb.levers:
        return text

    ids, codes, names = _lever_patterns(rb)
    text = ids.sub(lambda m: rb.levers[m.group(1)].code, text)
    if rb.modules:  # a trilateral module by its name in the rules, T1, never the engine's ``t1``
        text = _module_ids(rb).sub(lambda m: m.group(1).upper(), text)
    text = _FRAMINGS.sub(lambda m: FRAMING_WORDS[m.group(1)], text)
    lowered = text.lower()
    seen: set[str] = set()

    def named(m: re.Match[str]) -> str:
        code = m.group(1)
        name = names[code]
        if code in seen or name.lower() in lowered:
            return code
        seen.add(code)
        inside = m.start() > 0 and text[m.start() - 1] == "(" and text[m.end() : m.end() + 1] in (")", ",")
        return f"{code} — {name}" if inside else f"{code} ({name})"

    return codes.sub(named, text)


def changes_text(ev: dict[str, Any], rb: Rulebook | None, seen: dict[str, Any] | None = None) -> list[str]:
    """An event's changes by name, before → after, both sides at the indicator's one precision
    (``44.0 → 43.9``, never ``44 → 43.9``) and a share as a percentage; a change that shows no
    difference is left out, and so are a lever's play counters (every order moves them; the card says
    the order ran). ``seen`` holds the values the log has shown so far this turn: a change that starts
    elsewhere than the last one shown says what moved it in between."""
    out = []
    before = ev.get("before") or {}
    for k, v in (ev.get("changes") or {}).items():
        if k.startswith(_COUNTERS):
            continue
        unit = _unit(rb, k)
        b = before.get(k)
        last = seen.get(k) if seen is not None else None
        if seen is not None:
            seen[k] = v
        if b is None:
            out.append(f"{key_name(rb, k)} = {_alone(v, unit)}{unit_words(unit)}")
            continue
        pair = _pair(b, v, unit)
        if pair is None:
            continue
        line = f"{key_name(rb, k)} {pair[0]} → {pair[1]}{unit_words(unit)}"
        moved = _pair(last, b, unit) if last is not None else None
        if moved is not None:  # the same number twice ("91 → 93", then "91 → 93") read as one change
            line += (
                f" (it was {moved[0]} after the change above; changes not shown to you took it to {moved[1]})"
            )
        out.append(line)
    return out


def _unit(rb: Rulebook | None, key: str) -> str:
    ind = rb.indicators.get(key) if rb is not None else None
    return str(getattr(ind, "unit", "") or "") if ind is not None else ""


_SHARES = ("share", "share/month")

# the units a figure reads with in a results line, after the new value ("Mexican political capital 10 →
# 9 PC"): an index, a count or a share reads as a bare number (a share is written as a percentage)
UNIT_WORDS = {
    "PC": "PC",
    "%": "%",
    "deaths/yr": "deaths a year",
    "homicides/yr": "homicides a year",
    "lb/yr": "lb a year",
    "$bn": "$bn",
    "$bn/yr": "$bn a year",
    "people": "people",
    "months": "months",
    "turns": "turns",
}


def unit_words(unit: str) -> str:
    """The unit after a figure in a results line, with its space ("" for a bare number)."""
    said = UNIT_WORDS.get(unit)
    return f" {said}" if said else ""


def _numeric(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _alone(v: Any, unit: str) -> str:
    """One value in its unit: a share as a percentage, else as in a sentence."""
    if _numeric(v) and unit in _SHARES:
        return _places(float(v) * 100, 1) + "%"
    return figure(v)


def _places(x: float, places: int) -> str:
    text = f"{x:,.{places}f}"
    return "0" + text[2:] if text.startswith("-0") and not any(c in "123456789" for c in text) else text


def _pair(b: Any, v: Any, unit: str) -> tuple[str, str] | None:
    """An old and a new value at the one precision the dashboard gives the indicator, so a log never
    reads "91 → 93" in one card and "90.0 → 90.5" in the next: a unit of whole things (deaths a year,
    turns) without decimals, a share as a percentage to a tenth, anything else to a tenth below 100
    and whole from 100 up (the smaller side decides, so both sides match). Political capital (a
    budget, not a dashboard row) and the engine's tallies are whole unless a side is not. None when
    they read the same:
    a change too small for the dashboard to show is not a change the log reports. A yes/no value
    beside a number reads both as yes/no ("yes → 1" was no change at all)."""
    if isinstance(b, bool) != isinstance(v, bool) and _numeric(b) != _numeric(v):
        b, v = bool(b), bool(v)
    if not (_numeric(b) and _numeric(v)):
        old, new = figure(b), figure(v)
        return None if old == new else (old, new)
    scale, mark = (100.0, "%") if unit in _SHARES else (1.0, "")
    x, y = float(b) * scale, float(v) * scale
    if max(abs(x), abs(y)) >= 100_000:
        old, new = number(x), number(y)
        return None if old == new else (old, new)
    if unit in WHOLE_UNITS or (unit in ("PC", "") and x.is_integer() and y.is_integer()):
        places = 0
    else:
        places = 0 if min(abs(x), abs(y)) >= 100 and not mark else 1
    old, new = _places(x, places) + mark, _places(y, places) + mark
    return None if old == new else (old, new)


def source_titles(sources: Any, rb: Rulebook | None) -> list[str]:
    """The documents behind a rule or an inject, by title (the files are cited by name)."""
    out = []
    for f in sources or []:
        doc = rb.sources.get(str(f)) if rb is not None else None
        out.append(f"“{doc.title}” ({doc.date})" if doc is not None else str(f))
    return out


def levers_named(rb: Rulebook | None, text: str, also: Sequence[str] = ()) -> str:
    """The levers a text names by code (and those in ``also``), each with its name, once, in order:
    an inject's text is kept as written, and this line says what its codes are."""
    if rb is None or not rb.levers:
        return ""
    _, codes, names = _lever_patterns(rb)
    found = dict.fromkeys([m.group(1) for m in codes.finditer(text)] + list(also))
    return "; ".join(f"{c} — {names[c]}" for c in found if c in names)


def others_levers(rb: Rulebook | None, text: str, reader: str | None) -> str:
    """A note for a card whose text names only other teams' levers: "Decide on US-BIC and US-COND now"
    reached Canada, which cannot order them. Empty when the reader's own lever is named (or none)."""
    if rb is None or not reader or not rb.levers:
        return ""
    _, codes, _names = _lever_patterns(rb)
    by_code = {lv.code: lv.team for lv in rb.levers.values()}
    found = dict.fromkeys(m.group(1) for m in codes.finditer(text) if m.group(1) in by_code)
    teams = dict.fromkeys(by_code[c] for c in found)
    if not found or reader in teams:
        return ""
    names = " and ".join(_with_the(team_name(rb, str(t))) for t in teams)
    one = len(found) == 1
    listed = (
        " and ".join(found) if len(found) <= 2 else ", ".join(list(found)[:-1]) + " and " + list(found)[-1]
    )
    it = "it" if one else "them"
    return (
        f"For your team: {listed} {'is a lever' if one else 'are levers'} of {names}: your team cannot order"
        f" {it}, only ask for {it} in a proposal"
    )


def _with_the(name: str) -> str:
    return f"the {name}" if name.startswith("United") else name


def inject_card(
    ev: dict[str, Any], rb: Rulebook | None, reader: str | None = None, spent: Collection[str] = ()
) -> str:
    """An inject as its card: the title, the whole text as written, the levers its text names by code
    with their names, what it changed by name, and its sources. ``spent``: the once-per-game levers
    the reader knows are played already — an inject that makes one free offers nothing by it."""
    lines = [
        f"INJECT · turn {ev.get('turn', '?')} · {ev.get('title') or ev.get('id', '')}",
        "",
        str(ev.get("text", "")),
    ]
    note = others_levers(rb, str(ev.get("text", "")), reader)
    if note:
        lines.append(note)
    changed = changes_text(ev, rb)
    lines.append("")
    lines.append("What changed: " + ("; ".join(changed) if changed else "nothing you can see at once"))
    hidden = [key_name(rb, str(k)) for k in ev.get("unreported") or []]
    if hidden:
        lines.append("Also moved, not reported to you: " + ", ".join(hidden))
    free = [
        (rb.levers[x].code if rb is not None and x in rb.levers else str(x))
        # a student was offered MX-PLAN(iii) free in turn 2, played under a deal in turn 1
        + (" (played already: once per game, it cannot be ordered again)" if x in spent else "")
        for x in ev.get("free_levers") or []
    ]
    if free:
        lines.append("Free this turn: " + ", ".join(free))
    named = levers_named(rb, str(ev.get("text", "")), free)
    if named:
        lines.append("Levers named: " + named)
    titles = source_titles(ev.get("sources"), rb)
    if titles:
        lines.append("Sources: " + "; ".join(titles))
    elif ev.get("custom"):
        lines.append("Source: written by the facilitator for this game")
    return "\n".join(lines)


def time_left(game: LiveGame, now: float | None = None) -> str:
    s = game.session
    if s.paused:
        return "PAUSED" + (f" ({int(s.remaining)}s left)" if s.remaining is not None else "")
    if s.deadline is None or s.deadline_for != (game.turn, game.phase):
        return "untimed"  # shorter than "no deadline": at 80 columns the line lost "online" with T5/8
    left = max(0, int(s.deadline - (now if now is not None else time.time())))
    return f"{left // 60}:{left % 60:02d} left"


MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def ended_month(game: LiveGame) -> str:
    """The month the last turn was played in, "August 2023". The view's date has moved on by then:
    the engine models the months after the last turn for the lagged figures (the epilogue), so
    Loose Talk, six turns from March 2023, said "GAME OVER 2023-12-01"."""
    sc = game.view.get("scenario") or {}
    start, per = sc.get("start"), sc.get("months_per_turn")
    if not start or not isinstance(per, int) or game.turn < 1:
        return str(game.view.get("date") or "")
    last = add_months(str(start), game.turn * per - 1)  # the last month of the last turn
    return f"{MONTH_NAMES[last.month - 1]} {last.year}"


def status_line(game: LiveGame, now: float | None = None) -> str:
    # the team's code, like the readiness row beside it: the line must fit 80 columns
    who = game.team.upper() if game.team else game.role
    conn = {"connected": "● online", "lost": "○ OFFLINE — reconnecting", "connecting": "○ connecting"}.get(
        game.connection, game.connection
    )
    # the game's length beside the turn: a student learnt that Election Season ends after turn 8 only
    # when it did ("T5/8 briefing")
    turns = (game.view.get("scenario") or {}).get("turns")
    phase = "GAME OVER" if game.ended else f"T{game.turn}{f'/{turns}' if turns else ''} {game.phase}"
    date = game.view.get("date", "")
    if game.ended:  # the last turn's month: the view's date is the epilogue's end by then
        date = ended_month(game)
    return f" {who} │ {phase} {date} │ {time_left(game, now)} │ ready {game.ready_summary()} │ {conn}"


def briefing_markdown(game: LiveGame, rb: Rulebook) -> str:
    v = game.view
    sc = v.get("scenario", {})
    lines = [f"# {sc.get('title', '')}", "", sc.get("summary", ""), ""]
    turns, months = sc.get("turns", "?"), sc.get("months_per_turn", "?")
    lines.append(f"**{turns} turns** of {months} month(s) from {sc.get('start')}.")
    lines += ["", "## Objectives", ""]
    for team, obj in v.get("objectives", {}).items():
        name = rb.teams[team].name if team in rb.teams else team
        lines.append(f"- **{name}** (public): {obj.get('public', '')}")
        for o in obj.get("secret", []) or []:
            met = {True: "met", False: "not yet", None: "open"}.get(o.get("met"), "open")
            lines.append(f"  - secret, {o['points']:g} pts: {o['text']} — *{met}*")
    lines += ["", "## Calendar", ""]
    windows = [WINDOW_NAMES.get(w, w.replace("_", " ")) for w, on in v.get("windows", {}).items() if on]
    # a summit an inject opens is a window too: the line said "none" beside Woodside's "summit is open"
    flags = {i.get("id"): i.get("value") for i in v.get("indicators", [])}
    windows += [words for key, words in MEETING_WINDOWS.items() if flags.get(key) is True]
    lines.append("Open political windows: " + (", ".join(windows) if windows else "none this turn"))
    sid = sc.get("id")
    scen = rb.scenarios.get(sid) if sid else None
    if scen is not None:
        upcoming = [e for e in scen.model.calendar if e.date >= str(v.get("date", ""))]
        for e in upcoming[:8]:
            lines.append(f"- {e.date}: {e.name}")
    return "\n".join(lines)


def indicator_rows(game: LiveGame) -> list[tuple[str, str, str, str]]:
    rows = []
    for ind in game.view.get("indicators", []):
        mark = []
        if ind.get("estimate"):
            mark.append("~est")
        if ind.get("lag"):
            mark.append(f"lag {ind['lag']}m")
        rows.append(
            (
                ind.get("name", ind["id"])[:46],
                number(ind.get("value")),
                sparkline(ind.get("trend", [])),
                " ".join(mark),
            )
        )
    return rows


def score_text(game: LiveGame) -> str:
    team = game.team
    scores = game.view.get("scores", {})
    pc = game.view.get("pc", {})
    parts = []
    for t, sc in scores.items():
        if sc and (team is None or t == team):
            parts.append(f"{_team(None, t)} score estimate {signed(sc.get('total', 0))}")
    for t, v in pc.items():
        parts.append(f"{_team(None, t)} political capital {number(v)}")
    return "   ".join(parts) or "no score yet"


#: the rule under which the engine opens a turn: it sets the calendar's windows and, in the same event,
#: clears what counts one turn only (a meeting held this turn, tension added this turn)
TURN_START_RULE = "c1.windows"


def _turn_reset(ev: dict[str, Any], rb: Rulebook | None) -> tuple[dict[str, Any], list[str]]:
    """The turn's opening event without its per-turn clearing, and the cleared values by name: under
    the windows' rule "A trilateral meeting is held this turn yes → no" read as the calendar's doing."""
    if ev.get("rule") != TURN_START_RULE:
        return ev, []
    ch = ev.get("changes") or {}
    windows = {k: v for k, v in ch.items() if k.startswith("window.")}
    before = ev.get("before") or {}
    cleared = [
        key_name(rb, k)
        for k, v in ch.items()
        if k not in windows and not k.startswith(_COUNTERS) and before.get(k, v) != v
    ]
    return {**ev, "changes": windows}, cleared


def why_card(ev: dict[str, Any], rb: Rulebook | None = None, seen: dict[str, Any] | None = None) -> str:
    """One outcome with its reason, numbers and sources (the 'why did that happen' card); with the
    rulebook, values and sources go by name and a change that shows no difference is left out."""
    t = ev["type"]
    if t == "inject":
        return inject_card(ev, rb)
    if t == "agreement_update":
        return _agreement_update(ev)
    head = ev.get("rule") or ev.get("lever") or ev.get("id") or t
    reason = ev.get("reason") or ev.get("title") or ev.get("text") or ""
    if t == "agreement":
        return _agreement_signed(ev, rb)
    if t == "order_executed":
        head = ev.get("code") or head  # the lever as the orders tab names it
        reason = f"{_team(rb, ev.get('team'))} {ev.get('name', reason)}"
        params = _params_words(rb, str(ev.get("lever") or ""), dict(ev.get("params") or {}))
        reason += f" ({params})" if params else ""
    elif t == "order_failed":
        reason = f"{_team(rb, ev.get('team'))} order failed: {ev.get('why', reason)}"
    elif t == "election":
        reason = ev.get("reason") or f"election: {ev.get('result', '')}"
    elif t == "orders_revealed":
        return _orders_revealed(ev, rb)
    elif t == "turn_end":
        return f"── end of turn {ev.get('turn')} ──"
    elif t == "score":
        totals = [
            f"{_team(rb, team)} {signed(sc['total'])}"
            for team, sc in (ev.get("scores") or {}).items()
            if isinstance(sc, dict) and isinstance(sc.get("total"), int | float)
        ]
        return "[score] final scores: " + (", ".join(totals) or "not shown to you")
    elif t == "game_over":
        return "══ GAME OVER ══"
    ev, resets = _turn_reset(ev, rb)
    nums = changes_text(ev, rb, seen)
    hidden = [key_name(rb, str(k)) for k in ev.get("unreported") or []]
    out = f"[{t}] {head}: {gloss(rb, str(reason))}"
    if nums:
        out += "\n    " + "; ".join(nums[:8]) + (" …" if len(nums) > 8 else "")
    if resets:
        out += "\n    cleared for the new turn: " + "; ".join(resets)
    if hidden:
        out += f"\n    also moved (not reported to you): {', '.join(str(h) for h in hidden[:6])}"
    later = [scheduled_words(rb, q) for q in ev.get("scheduled") or [] if isinstance(q, dict)]
    if t == "order_executed" and not nums and not hidden:
        out += "\n    " + quiet_order(rb, str(ev.get("lever") or ""))
    if t == "order_executed" and later:  # a student read only "political capital 10 → 9" of CN-DIRECTIVE
        out += "\n    later: " + "; ".join(later[:8]) + (" …" if len(later) > 8 else "")
    for line in input_lines(ev.get("inputs"), rb):
        out += "\n    how: " + gloss(rb, line)
        if line.startswith(TENSION_HEAD) and t == "order_executed":
            out += taken_back(rb, ev)
    if ev.get("sources"):
        out += "\n    sources: " + "; ".join(source_titles(ev["sources"], rb))
    return out


def scheduled_lag(entry: dict[str, Any]) -> int | None:
    """How many months after the order a lagged effect lands: its ``due`` month less the month it was
    ordered in (the ``@`` of its id), None when the entry does not say."""
    _, at, month = str(entry.get("id") or "").rpartition("@")
    due = entry.get("due")
    if not at or not month.isdigit() or not isinstance(due, int):
        return None
    return due - int(month)


def _scheduled_move(op: Any, v: float, name: str, unit: str) -> str:
    if op == "add":
        size = _places(abs(v) * 100, 1) + " percentage points" if unit in _SHARES else figure(abs(v))
        return (
            f"raises {name} by {size}"
            if v > 0
            else f"lowers {name} by {size}"
            if v < 0
            else f"leaves {name} as it is"
        )
    if op == "mul":
        return f"multiplies {name} by {figure(v)}"
    if op in ("min", "max"):
        return f"{'caps' if op == 'min' else 'lifts'} {name} at {_alone(v, unit)}"
    return f"sets {name} to {_alone(v, unit)}"


def scheduled_words(rb: Rulebook | None, entry: dict[str, Any], *, when: bool = True) -> str:
    """A lagged effect of an order, as it will move its value ("raises China's international reputation
    on drugs by 3 (after 2 months)"): the value is fixed when the order is carried out."""
    target, op, v = str(entry.get("target") or ""), entry.get("op"), entry.get("value")
    name = in_sentence(key_name(rb, target))
    unit = _unit(rb, target)
    if isinstance(v, bool):
        text = f"means {name}" if v else f"ends: {name}"
    elif isinstance(v, int | float):
        text = _scheduled_move(op, float(v), name, unit)
    else:
        text = f"changes {name}"
    lag = scheduled_lag(entry)
    if when and lag is not None:
        text += f" (after {lag} month{'s' if lag != 1 else ''})"
    return text


# ---------------------------------------------------------------------- parameters in words


def _code(rb: Rulebook | None, lever: str) -> str:
    return rb.levers[lever].code if rb is not None and lever in rb.levers else lever


def _params_words(rb: Rulebook | None, lever: str, params: dict[str, Any]) -> str:
    """An order's parameters as the orders tab words them (one wording for both)."""
    if rb is None or not params:
        return ", ".join(f"{param_name(k)}: {figure(v)}" for k, v in params.items())
    return params_words(rb, lever, params)


def _conjuncts(node: Node) -> list[Node]:
    if isinstance(node, Binary) and node.op == "and":
        return [*_conjuncts(node.left), *_conjuncts(node.right)]
    return [node]


def _param_part(node: Node, env: dict[str, Any]) -> bool | None:
    """A part of an effect's condition that reads only the order's own choice (``param.action ==
    'resume'``), evaluated; None for any other part."""
    if not (isinstance(node, Binary) and node.op in ("==", "!=")):
        return None
    sides = (node.left, node.right)
    name = next((x.name for x in sides if isinstance(x, Name) and x.name.startswith("param.")), None)
    value = next((x.value for x in sides if isinstance(x, Str | Num)), None)
    if name is None or value is None or name not in env:
        return None
    return bool(env[name] == value) == (node.op == "==")


def waiting(rb: Rulebook, lever: str, params: dict[str, Any]) -> list[tuple[str, str, tuple[Node, ...]]]:
    """The immediate effects an order with ``params`` selects, when every one of them waits on more than
    the order's own choice: (target, reason, the parts of its condition beyond the choice) each; [] when
    one of them always acts for that choice, or the lever has none."""
    lv = rb.levers.get(lever)
    if lv is None:
        return []
    given = {**{k: p.default for k, p in lv.params.items()}, **params}
    env = {f"param.{k}": v for k, v in given.items()}
    out = []
    for e in lv.effects:
        if e.lag:
            continue
        if e.when is None:
            return []  # it always acts
        parts = [(_param_part(n, env), n) for n in _conjuncts(parse(e.when.text))]
        if any(held is False for held, _ in parts):
            continue  # another choice's effect
        rest = tuple(n for held, n in parts if held is None)
        if not rest:
            return []  # it acts whenever this choice is made
        out.append((e.target, e.reason, rest))
    return out


def unmet_effects(rb: Rulebook | None, ev: dict[str, Any]) -> str:
    """An order whose every immediate effect for the choice made waited on a condition that did not hold:
    g22's China ordered CN-LINK "resumed" with no summit or US concession and read only "Chinese political
    capital 10 → 9", as if the order had worked unseen. Said from the lever's own effects: those the choice
    selects (``waiting``), none of whose targets moved. Only for an event whose changes are whole to its
    reader (the ordering team's own, the facilitator's): another team's card leaves out values its
    reader may not see, unnamed."""
    if rb is None:
        return ""
    waits = waiting(rb, str(ev.get("lever") or ""), dict(ev.get("params") or {}))
    moved = set(ev.get("changes") or {}) | {str(k) for k in ev.get("unreported") or []}
    if not waits or any(target in moved for target, _, _ in waits):
        return ""
    said: dict[tuple[Node, ...], str] = {}
    for _, reason, rest in waits:
        said.setdefault(rest, reason)  # effects on one condition: the first one's reason says it
    return f"no effect beyond its cost: {'; '.join(said.values())} — and that did not hold this turn"


def taken_back(rb: Rulebook | None, ev: dict[str, Any]) -> str:
    """The order's own effect that takes back the tension rule A1 adds: i22 read US-IND's card "how:
    Mexican sovereignty tension +2 …" with no tension moving on it — a case prepared jointly cancels it,
    and the line now says so."""
    lv = rb.levers.get(str(ev.get("lever") or "")) if rb is not None else None
    if lv is None:
        return ""
    given = {**{k: p.default for k, p in lv.params.items()}, **dict(ev.get("params") or {})}
    env = {f"param.{k}": v for k, v in given.items()}
    for e in lv.effects:
        if e.target != "mx.st" or e.lag or e.when is None:
            continue
        parts = [_param_part(n, env) for n in _conjuncts(parse(e.when.text))]
        if parts and all(held is True for held in parts) and str(e.value.text).lstrip().startswith("-"):
            return f" — and the order takes it back at once: {e.reason}"
    return ""


def quiet_order(rb: Rulebook | None, lever: str) -> str:
    """What an order that moved nothing visible this turn does: a lagged lever says when its effects
    arrive, so a student does not read the silence as a wasted order."""
    lv = rb.levers.get(lever) if rb is not None else None
    if lv is None:
        return "no visible effect this turn"
    lags = sorted({int(e.lag) for e in lv.effects if e.lag} | ({int(lv.lag)} if lv.lag else set()))
    quiet = "no visible effect this turn (what it moves may be hidden from you, or its conditions not met)"
    if not lags:
        return quiet
    months = " and ".join(str(m) for m in lags)
    unit = "month" if lags == [1] else "months"
    if not lv.lag and any(not e.lag for e in lv.effects):
        # US-FACT acts at once when its condition holds and again three months on: "no immediate
        # effect" contradicted the orders row's "at once"
        return f"{quiet}; more may come after {months} {unit}"
    return f"no immediate effect; it takes effect after {months} {unit}"


def _orders_revealed(ev: dict[str, Any], rb: Rulebook | None) -> str:
    """A turn's orders by name and code, a line per team for everyone's public orders: a student read
    "public orders: US-DEMAND, US-IND, MX-ME, …" as a list of codes with nothing to go on. Names are
    joined by semicolons, since some have commas of their own."""
    head = f"[orders] turn {ev.get('turn', '?')}, "
    by_team: dict[str, list[str]] = {}
    for o in ev.get("orders") or []:
        lever = str(o.get("lever", "?"))
        lv = rb.levers.get(lever) if rb is not None else None
        team = str(o.get("team") or (lv.team if lv is not None else "") or ev.get("team") or "")
        by_team.setdefault(team, []).append(f"{lv.name} ({lv.code})" if lv is not None else lever)
    if ev.get("team"):
        named = [n for names in by_team.values() for n in names]
        return head + f"orders of {_team(rb, ev['team'])}: " + ("; ".join(named) or "none")
    if not by_team:
        return head + "public orders: none"
    teams = [f"    {_team(rb, t)}: {'; '.join(names)}" for t, names in by_team.items()]
    return "\n".join([head + "public orders:", *teams])


def _agreement_signed(ev: dict[str, Any], rb: Rulebook | None) -> str:
    """A signed agreement in words: which, who signed, who does what and when, its modules. The
    engine's tallies of agreements signed (the event's changes) are scoring bookkeeping, left out."""
    a = ev.get("agreement") or {}
    if not isinstance(a, dict):
        return f"[agreement] {a} signed"
    vis = str(a.get("visibility") or "")
    head = f"[agreement] {a.get('id', '?')} signed by {team_list(a.get('parties'))}"
    lines = [head + (f" ({vis})" if vis else "")]
    for c in a.get("clauses") or []:
        lever = str(c.get("lever") or "")
        params = params_words(rb, lever, dict(c.get("params") or {}), promise=True) if rb is not None else ""
        start, dur = int(c.get("start_turn") or 1), max(int(c.get("duration") or 1), 1)
        when = f"turn {start}" if dur == 1 else f"turns {start}–{start + dur - 1}"
        if dur > 1 and rb is not None and lever in rb.levers and rb.levers[lever].once:
            # the proposal said "once from turn 1"; "turns 1–2" here read as two acts to watch for
            when = f"once from turn {start} (a once-per-game act: done once, it keeps the whole clause)"
        name = rb.levers[lever].name if rb is not None and lever in rb.levers else ""
        what = "; ".join(x for x in (name, params) if x)
        what = _code(rb, lever) + (f" ({what})" if what else "")
        # h22 and i22 read a deal signed "Mexico commits to MX-PORT …, turn 1" with its "[if …]" gone,
        # and then the clause broken: the condition is part of the promise
        cond = c.get("condition")
        when += f" [if {condition_words(rb, str(cond))}]" if cond and rb is not None else ""
        lines.append(f"    {_team(rb, c.get('actor'))} commits to {what}, {when}")
    mods = [str(m) for m in a.get("modules") or []]
    if mods:
        lines.append("    trilateral modules: " + "; ".join(_module(rb, m) for m in mods))
    framing = str(a.get("framing") or "none")
    if framing != "none":
        lines.append(f"    framed as {FRAMING_WORDS.get(framing, framing.replace('_', ' '))}")
    worth = _agreement_worth(a, rb)
    if worth:
        lines.append("    " + worth)
    rest = {k: v for k, v in (ev.get("changes") or {}).items() if k.split(".", 1)[0] not in TALLIES}
    nums = changes_text({**ev, "changes": rest}, rb)
    if nums:
        lines.append("    " + "; ".join(nums))
    return "\n".join(lines)


def _agreement_worth(a: dict[str, Any], rb: Rulebook | None = None) -> str:
    """What a signature scores, when it is less than a full agreement: a renewal of a bargain already
    made, or a small deal. Without it a student who signed the same deal twice saw nothing to say the
    second earned no approval and few agreement points (docs/design.md, "Agreement points")."""
    weight = a.get("weight")
    if not isinstance(weight, int | float) or weight >= 1:
        return ""
    points = float(a.get("points") or 0)
    if a.get("renewal_of"):
        return (
            f"renews {a['renewal_of']} (the same parties and acts): no approval for signing it again, and"
            f" a bargain scores one full agreement at most, so this adds {points:g} agreement points"
        )
    full = _count_words(full_weight_turns(rb))
    # a full deal's points depend on its parties and its checking: "1.5 points, 50 %" beside "0.5
    # points, 25 %" read to a student as two measures of one "full one"
    whole = f" ({points / weight:g} for a full deal of these parties and this checking)" if weight > 0 else ""
    share = f"{points:g} agreement points, {weight:.0%} of a full one{whole}"
    return f"a small deal (under {full} clause-turns): {share}"


_SMALL_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _count_words(n: float) -> str:
    return _SMALL_NUMBERS[int(n)] if n == int(n) and 0 <= n < len(_SMALL_NUMBERS) else f"{n:g}"


def full_weight_turns(rb: Rulebook | None) -> float:
    """The clause-turns at which a deal earns a full agreement's points, as the rules set them (a rules
    override can change the measure the engine weighs deals by; the card said "four" whatever it was)."""
    mech = rb.mechanisms.get("d5.audience_costs") if rb is not None else None
    expr = mech.params.get("full_weight_clause_turns") if mech is not None else None
    try:
        return float(expr.fn({})) if expr is not None else 4.0
    except Exception:  # a measure that reads the state: the engine's own default
        return 4.0


def _module(rb: Rulebook | None, mid: str) -> str:
    mod = rb.modules.get(mid) if rb is not None else None
    return f"{mid.upper()} ({mod.name})" if mod is not None else mid.upper()


def _agreement_update(ev: dict[str, Any]) -> str:
    """What changed in an agreement, in words (the update itself is a bare mapping). A leak resends
    the whole deal, so that the teams outside it learn its terms: read key by key it came out as the
    engine's own record, clause mappings and the bargain key included (student h19, Canada)."""
    update = ev.get("update") or {}
    aid = ev.get("agreement", "?")
    if update.get("leaked"):
        return (
            f"[agreement] {aid}: the private deal leaked to the press and is public now — every team can"
            " read its terms in the proposals tab"
        )
    parts = []
    for k, v in update.items():
        if k == "status":
            parts.append(f"now {v}")
        elif k == "modules_active":
            parts.append("its modules are in force" if v else "its modules are not in force")
        elif isinstance(v, list):  # the teams that honoured (or reneged on) it
            parts.append(f"{k.replace('_', ' ')} by " + (team_list(v) or "no party"))
        else:
            parts.append(f"{k.replace('_', ' ')}: {number(v)}")
    return f"[agreement] {aid}: " + (", ".join(parts) or "updated")


def input_lines(inputs: Any, rb: Rulebook | None = None) -> list[str]:
    """How the engine worked an outcome out, one line per input, in words: a draw against a chance, a
    delayed effect arriving from an earlier order, the sums behind sovereignty tension, a review's
    figures. The engine's mapping keys (``base``, ``multiplier``, ``badge``) are its own, not a
    player's, so each known shape has its sentence; any other reads key by key."""
    if isinstance(inputs, dict):
        inputs = [inputs]
    if not isinstance(inputs, list):
        return [str(inputs)] if inputs else []
    out: list[str | tuple[Any, Any, Any]] = []
    draws: dict[tuple[Any, Any, Any], list[str]] = {}  # one draw decides several effects (MX-ARREST)
    for i in inputs[:12]:
        if isinstance(i, dict) and {"p", "roll", "effect"} <= set(i):
            key = (i["p"], i["roll"], i.get("hit"))
            if key not in draws:
                draws[key] = []
                out.append(key)  # the draw's place: its line is written once all its effects are in
            draws[key].append(in_sentence(key_name(rb, str(i["effect"]))))
            continue
        line = _input_line(i, rb) if isinstance(i, dict) else "" if i is None else str(i)
        if line and line not in out:
            out.append(line)
    return [x if isinstance(x, str) else _draws_line(x, draws[x]) for x in out][:6]


def _draws_line(key: tuple[Any, Any, Any], what: list[str]) -> str:
    """One draw and every effect it decided, said once: three lines of "a 25% chance; the draw was
    48%" for one failed raid read as three draws."""
    p, roll, hit = key
    chance, drawn = chance_and_draw(p, roll)
    line = f"a {chance} chance (it happens on a draw under {chance}); the draw was {drawn}"
    if hit is not None:
        line += ", so it happened" if hit else ", so it did not happen"
    return f"{line}: {_and(what)}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _inputs_text(inputs: Any, rb: Rulebook | None = None) -> str:
    return "; ".join(input_lines(inputs, rb))


def percent(p: Any) -> str:
    """A chance as a player reads it: 0.096 is "9.6%", 0.5 is "50%"."""
    x = float(p) * 100
    return f"{x:.0f}%" if x >= 10 or x.is_integer() else f"{x:.1f}%"


def chance_and_draw(p: Any, roll: Any) -> tuple[str, str]:
    """A chance and the draw against it, each with as many decimals as it takes for the two to read
    apart: a student read "a 33% chance; the draw was 33%, so it happened" (32.6 against 33.3)."""
    try:
        x, y = float(p) * 100, float(roll) * 100
    except (TypeError, ValueError):
        return str(p), str(roll)
    chance, drawn = percent(p), percent(roll)
    if x == y:  # not under the chance, so it did not happen
        return chance, f"exactly {drawn}"
    for places in (1, 2, 3):
        if chance != drawn:
            break
        chance, drawn = (f"{v:.{places}f}%" for v in (x, y))
    return chance, drawn


def _input_line(i: dict[str, Any], rb: Rulebook | None) -> str:
    keys = set(i)
    if {"base", "multiplier", "tension_added"} <= keys:
        return _tension_line(i)
    if {"source", "target"} <= keys:
        lever = str(i["source"])
        code = rb.levers[lever].code if rb is not None and lever in rb.levers else lever
        why = f": {i['reason']}" if i.get("reason") else ""
        return f"delayed effect of an earlier {code} order on {key_name(rb, str(i['target']))}{why}"
    if "p" in keys and "roll" in keys:
        return _draw_line(i, rb)
    if keys == {"mode"}:
        return "as it happened in history" if i["mode"] == "historical" else f"mode: {i['mode']}"
    if "badge" in keys:
        return _review_line(i, rb)
    if {"us", "mx", "ca"} <= keys:
        said = ", ".join(f"{team_name(rb, t)} {'yes' if i[t] else 'no'}" for t in ("us", "mx", "ca"))
        extra = [said]
        if "threshold" in keys:
            extra.append(f"trust needed for a yes: {figure(i['threshold'])}")
        if "modules_t1_t4" in keys:
            extra.append("trilateral modules T1–T4 all in force: " + ("yes" if i["modules_t1_t4"] else "no"))
        return "; ".join(extra)
    return ", ".join(_input_item(k, v, rb) for k, v in i.items())


TENSION_HEAD = "Mexican sovereignty tension +"


def _tension_line(i: dict[str, Any]) -> str:
    """Rule A1's sum: the act's weight, times what the moment does to it."""
    added = figure(i["tension_added"])
    mult = float(i["multiplier"])
    line = f"{TENSION_HEAD}{added}: the act weighs {figure(i['base'])}"
    if mult != 1:
        line += (
            f", × {mult:g} at this moment (more for a military act and in Mexico's election"
            " campaign, less inside a trilateral frame)"
        )
    return line


def _draw_line(i: dict[str, Any], rb: Rulebook | None) -> str:
    """A chance and the draw against it: a draw under the chance makes it happen."""
    what = f"{key_name(rb, str(i['effect']))}: " if i.get("effect") else ""
    chance, drawn = chance_and_draw(i["p"], i["roll"])
    line = f"{what}a {chance} chance; the draw was {drawn}"
    if "hit" in i:
        line += ", so it happened" if i["hit"] else ", so it did not happen"
    return line


def _review_line(i: dict[str, Any], rb: Rulebook | None) -> str:
    """The three-month review's figures: the published numbers against three months before."""
    parts = []
    for key, figure_key in (("od_change", "us.od_synth"), ("homicide_change", "mx.homicides")):
        if isinstance(i.get(key), int | float):
            parts.append(f"{key_name(rb, figure_key)} {float(i[key]) * 100:+.1f}% on three months before")
    parts.append(
        "both fell: a review badge is earned"
        if i.get("badge")
        else "no review badge (it needs both deaths and homicides to fall)"
    )
    return "; ".join(parts)


def _input_item(key: str, value: Any, rb: Rulebook | None) -> str:
    if key == "rule" and isinstance(value, str):
        return rule_name(rb, value)
    shown = number(value) if isinstance(value, float | bool) else value
    if len(key) == 2 and _team(rb, key) != key.upper():  # a team's say, keyed by the team (a review)
        key = _team(rb, key)
    if isinstance(value, str) and rb is not None:  # a lever or a value the engine names by its key
        shown = rb.levers[value].code if value in rb.levers else key_name(rb, value)
    return f"{key.replace('_', ' ')} {shown}"


CODE_W = 13  # the code column of a lever's row: the longest code (US-INTERCEPT) and a space
WIDE_NAME = 40  # a lever's name in a row wide enough for its effect beside it
TAIL_MIN = 24  # the least room an effect is worth showing in


def lever_label(
    lever: dict[str, Any],
    rb: Rulebook | None = None,
    params: str = "",
    width: int = 200,
    chosen: dict[str, Any] | None = None,
) -> str:
    """A lever's row in the orders list, laid out for ``width`` columns: code, name, cost and lag
    always; what it moves after them only when there is room for it to be read (at 80 columns there is
    not, and the line under the list says it in full). An unavailable lever says "out" where the lag
    goes, and why beside it when there is room."""
    available = bool(lever.get("available"))
    # a cost not known yet is known in the orders phase
    cost = ("? PC" if available else "—") if lever.get("cost") is None else f"{lever['cost']:g} PC"
    lv = rb.levers.get(lever["id"]) if rb is not None else None
    lag = "out" if not available else f"lag {lv.lag}m" if lv is not None and lv.lag else "at once"
    fixed = CODE_W + 1 + 7 + 2 + 8
    wide = width - fixed - WIDE_NAME - 2 >= TAIL_MIN
    name_w = WIDE_NAME if wide else max(12, width - fixed)
    name = str(lever["name"])
    if params:  # the parameters set for this order replace the end of a long name
        tail = f" · {params}"
        name = f"{name[: max(8, name_w - len(tail))]}{tail}"
    name = name if len(name) <= name_w else name[: name_w - 1] + "…"
    row = f"{lever['code']:<{CODE_W}} {name:<{name_w}} {cost:>7}  {lag:<8}"
    if not wide:
        return row.rstrip()
    room = width - len(row) - 2
    if not available:
        extra = str(lever.get("why_not") or "not in this phase")
    else:
        extra = (
            effect_words(rb, lever["id"], limit=2, params=chosen) if rb is not None and lv is not None else ""
        )
    extra = extra if len(extra) <= room else extra[: room - 1] + "…"
    return (row + "  " + extra).rstrip()


def _verb(e: Any, defaults: dict[str, Any], rb: Rulebook | None = None) -> str:
    """How an effect moves its value, in a word: raises, lowers, sets, caps; "changes" when the
    rulebook's number depends on values not known here in a way that could turn it either way."""
    if e.op == "set":
        return "sets"
    if e.op in ("min", "max"):
        return "caps" if e.op == "min" else "lifts"
    value = _sure_value(e.value, defaults, rb)
    if value is None:
        return "changes"
    up = value > 0 if e.op == "add" else value > 1
    still = value == 0 if e.op == "add" else value == 1
    return "leaves" if still else "raises" if up else "lowers"


def _sure_value(expr: Any, known: dict[str, Any], rb: Rulebook | None) -> float | None:
    """An effect's number from the values known; one that reads others as well, when every way of
    filling them in (no and nothing, yes and one) moves it the same way: "changes China's international
    reputation" told a student planning for reputation nothing, though every case raised it. The
    smallest such number is returned (None: it depends)."""
    missing = [n for n in expr.names if n not in known]
    if missing and rb is None:
        return None
    kinds = rb.symbols.names if rb is not None else {}
    fills = (
        [{}]
        if not missing
        else [
            {n: (high if kinds.get(n) == "bool" else float(high)) for n in missing} for high in (False, True)
        ]
    )
    found = []
    for fill in fills:
        try:
            found.append(float(expr.fn({**known, **fill})))
        except Exception:  # an expression that wants more: said as "changes"
            return None
    if len({(v > 0) - (v < 0) for v in found}) != 1 or len({(v > 1) - (v < 1) for v in found}) != 1:
        return None
    return min(found, key=abs)


def _holds(e: Any, known: dict[str, Any]) -> bool | None:
    """Whether an effect's condition holds on the chosen parameters and the values known (None: it
    depends on more). CN-REPLY-MX's denial and its memorandum moved different values, and both lists
    were said whichever answer was chosen."""
    if e.when is None:
        return True
    if not e.when.names <= known.keys():
        return None
    try:
        return bool(e.when.fn(known))
    except Exception:  # a condition that wants more than is known: kept
        return None


def effect_list(
    rb: Rulebook, lever_id: str, params: dict[str, Any] | None = None, values: dict[str, Any] | None = None
) -> list[str]:
    """What a lever moves, one value each, in plain words from the rulebook ("raises Chinese-origin
    supply cut by sanctions (after 1m)"), each value by its whole name; the lever's own play counters
    are left out (every order moves them). ``params`` the parameters chosen (the defaults otherwise)
    and ``values`` what the team knows: an effect whose condition fails on them is left out, and each
    direction is read on them."""
    lv = rb.levers[lever_id]
    known = {**(values or {}), **{f"param.{k}": p.default for k, p in lv.params.items()}}
    known.update({f"param.{k}": v for k, v in (params or {}).items()})
    seen: dict[str, str] = {}
    for e in lv.effects:
        if e.target in seen or e.target.startswith(_COUNTERS) or _holds(e, known) is False:
            continue
        lag = f" (after {e.lag}m)" if e.lag else ""
        seen[e.target] = f"{_moves(rb, e, known)}{lag}"
    return list(seen.values())


def effect_words(
    rb: Rulebook,
    lever_id: str,
    limit: int | None = 3,
    params: dict[str, Any] | None = None,
    values: dict[str, Any] | None = None,
) -> str:
    """``effect_list`` in a line, the first ``limit`` of them (None: all) and how many more."""
    items = effect_list(rb, lever_id, params, values)
    more = len(items) - limit if limit is not None else 0
    return "; ".join(items[:limit]) + (f"; and {more} more" if more > 0 else "")


# a name's first word that is a proper noun stays capitalised inside a sentence
_PROPER = ("Mexic", "Canad", "Chin", "Congress", "American")


def in_sentence(name: str) -> str:
    """A value's name inside a sentence: "lowers ceiling on cooperation", not "lowers Ceiling on
    cooperation"; a proper noun (Mexican, China's) or an acronym (US, OFAC-State) keeps its capital."""
    word = name.split(" ", 1)[0]
    if not word[:1].isupper() or any(c.isupper() for c in word[1:]) or word.startswith(_PROPER):
        return name
    return name[:1].lower() + name[1:]


def _moves(rb: Rulebook, e: Any, defaults: dict[str, Any]) -> str:
    """One effect as a verb phrase. A yes/no value's name is a statement ("Mexico withholds DEA visas"),
    so setting it reads "means Mexico withholds DEA visas", never "sets Mexico withholds …"."""
    name = in_sentence(key_name(rb, e.target))
    ind = rb.indicators.get(e.target)
    if e.op == "set" and ind is not None and ind.type == "bool":
        text = e.value.text.strip().lower()
        if text == "true":
            return f"means {name}"
        if text == "false":
            return f"ends: {name}"
        return f"decides whether {name}"
    if e.op == "set" and not e.value.names:
        try:
            return f"sets {name} to {figure(e.value.fn({}))}"
        except Exception:  # a constant the defaults cannot read: said without its number
            return f"sets {name}"
    verb = _verb(e, defaults, rb)
    if verb == "leaves":  # "It leaves US administration approval on the issue" read as nonsense
        return f"may move {name}, depending on other values"
    return f"{verb} {name}"


_OPS = {"<": "below", "<=": "at most", ">": "above", ">=": "at least", "==": "at"}


def chance_words(rb: Rulebook, lever_id: str) -> str:
    """A lever's effects that come by chance, before it is ordered: "a 25% chance, when Mexican state
    presence is below 40, that it raises cartel leadership cohesion, …" (MX-ARREST's detail named
    the cohesion it cuts and never the raid that may fail). Effects that one draw decides together
    are said together; "" for a lever with no chance in it."""
    lv = rb.levers[lever_id]
    defaults = {f"param.{k}": p.default for k, p in lv.params.items()}
    groups: dict[tuple[str, str, str], list[str]] = {}
    for e in lv.effects:
        if e.chance is None:
            continue
        try:
            p = percent(float(e.chance.fn({})))
        except Exception:  # a chance that depends on the moment: said without its number
            p = ""
        when = _when_words(rb, e.when.text) if e.when is not None else ""
        key = (p, when, e.roll or str(id(e)))
        groups.setdefault(key, []).append(_moves(rb, e, defaults))
    out = []
    for (p, when, _), moves in groups.items():
        head = f"a {p} chance" if p else "a chance"
        out.append(f"{head}{f', {when},' if when else ''} that it {_and(moves)}")
    return "; ".join(out)


def _when_words(rb: Rulebook, text: str) -> str:
    """A simple condition ("mx.presence < 40") in words; anything else as "in some conditions"."""
    m = re.fullmatch(r"\s*([\w.]+)\s*(<=|>=|<|>|==)\s*(-?\d+(?:\.\d+)?)\s*", text)
    if m is None or m[1] not in rb.indicators:
        return "in some conditions"
    return f"when {in_sentence(key_name(rb, m[1]))} is {_OPS[m[2]]} {figure(float(m[3]))}"


def effect_summary(rb: Rulebook, lever_id: str, limit: int = 4) -> str:
    """The values a lever moves, from the rulebook: what the orders screen and the composer preview."""
    return effect_words(rb, lever_id, limit)


def _consent_warning(game: LiveGame, rb: Rulebook, lv: CLever, given: dict[str, Any]) -> str:
    """What US personnel in Mexico (a lever with an ``activity``) need, against the consent tokens in force
    and any Mexican grant a signed deal makes due this turn. A student who had just signed Mexico's
    consent token with the trainers read, every turn the token ran, "without a consent token this
    CROSSES THE HARD RED LINE", and nothing said whether a token was in force."""

    def value(pid: str) -> Any:
        return given.get(pid, lv.params[pid].default) if pid in lv.params else None

    activity = str(value("activity"))
    personnel = float(value("personnel") or 0)
    what = lv.params["activity"].choice_labels.get(activity, activity.replace("_", " "))
    tokens = [
        t
        for t in game.view.get("tokens") or []
        if t.get("active") and t.get("activity") == activity and int(t.get("expires_turn") or 0) >= game.turn
    ]
    if tokens:
        cap = sum(float(t.get("max_personnel") or 0) for t in tokens)
        until = max(int(t.get("expires_turn") or 0) for t in tokens)
        if personnel <= cap:
            return (
                f"{lv.code}: inside Mexico's consent token for {what} (up to {cap:g} US personnel, until turn"
                f" {until}): {personnel:g} sent"
            )
        return (
            f"! {lv.code}: {personnel:g} US personnel against the consent token's cap of {cap:g} for {what}:"
            f" a little over costs sovereignty tension and ends the token, more {CROSSES}"
        )
    granting = _consent_due(game, activity)
    if granting:
        return (
            f"! {lv.code}: no consent token for {what} is in force yet; Mexico's grant is due this turn"
            f" in {', '.join(granting)}: if Mexico gives it, the order acts inside it, if not it {CROSSES}"
        )
    return (
        f"! {lv.code}: military action on Mexican soil — no consent token for {what} is in force, so this"
        f" {CROSSES}"
    )


CROSSES = "CROSSES THE HARD RED LINE"


def military_warning(game: LiveGame, rb: Rulebook, lid: str, given: dict[str, Any]) -> str | None:
    """What an order of a military lever with ``given`` parameters means for Mexico's hard red line
    (None for a lever that is not military): said in the orders tab and in the parameters box, which
    read "ok" for US-SFT set to training under a token for joint operations only."""
    lv = rb.levers.get(lid)
    if lv is None or not lv.military:
        return None
    if "activity" in lv.params:
        return _consent_warning(game, rb, lv, given)
    return f"! {lv.code}: military action on Mexican soil — without a consent token this {CROSSES}"


def gravest_first(warnings: list[str]) -> list[str]:
    """The warnings with a crossing of the hard red line first, the rest in their order: the notes
    above the orders list show a few rows, and a student read "… 3 more lines, 2 of them warnings"
    where the hidden one said the ticked order crossed it."""
    return sorted(warnings, key=lambda w: CROSSES not in w)


def _consent_due(game: LiveGame, activity: str) -> list[str]:
    """The signed deals in which Mexico owes, this turn, a consent token for the activity."""
    out = []
    for a in game.agreements.values():
        if a.get("status") not in ("signed", "active"):
            continue
        for c in a.get("clauses") or []:
            due = game.turn in clause_span(c, game.turn)
            asked = (c.get("params") or {}).get("activity", "training")
            if due and c.get("actor") == "mx" and c.get("lever") == "mx_consent" and asked == activity:
                out.append(str(a.get("id")))
    return out


def order_warnings(
    game: LiveGame, rb: Rulebook, chosen: list[str], params: dict[str, dict[str, Any]] | None = None
) -> list[str]:
    """What a careful adviser would say before the orders go in: red lines and agreements (a promised
    lever left out, or ticked with parameters short of the promise; ``params`` are the ones set)."""
    team = game.team
    out = []
    for lid in chosen:
        lv = rb.levers.get(lid)
        if lv is None:
            continue
        if lv.military:
            out.append(military_warning(game, rb, lid, (params or {}).get(lid, {})) or "")
        elif lv.sov_public >= 5:
            out.append(f"! {lv.code}: adds about {lv.sov_public:g} to Mexican sovereignty tension")
        given = (params or {}).get(lid, {})
        unset = [p for pid, p in lv.params.items() if p.type == "choice" and pid not in given]
        if unset and not lv.military:
            # a choice nobody made: China's student ticked CN-LINK to see it and had ordered its
            # default, a suspension of cooperation against China's own aims (session 19, g19)
            said = ", ".join(
                f"{param_name(p.id, lv)}: {choice_words(rb, lv, p.id, p.default)}" for p in unset
            )
            out.append(f"! {lv.code} is ticked with its default choice ({said}): p chooses another")
    for a in game.agreements.values():
        if a.get("status") not in ("signed", "active"):
            continue
        for cl in a.get("clauses", []):
            if cl.get("actor") != team:
                continue
            start, dur = int(cl.get("start_turn") or 1), max(int(cl.get("duration") or 1), 1)
            if not start <= game.turn <= start + dur - 1:
                continue
            if cl.get("lever") not in chosen:
                out.append(_promise_warning(game, rb, str(a.get("id")), str(cl.get("lever"))))
    for lid in chosen:
        given = (params or {}).get(lid, {})
        out += [f"{line} (p sets the parameters)" for line in promise_shortfalls(game, rb, lid, given)]
    return _kept_last(out)


_NOTHING = ": nothing to order"


def _kept_last(lines: list[str]) -> list[str]:
    """What needs doing first, then the clauses kept without an order, one line per agreement: four
    "nothing to order" lines for one deal's once-per-game acts filled the seven lines above the list and
    pushed a promise that would break out of sight (student g19's Mexico, turn 2)."""
    act = _left_out_merged([w for w in lines if not w.endswith(_NOTHING)])
    kept: dict[str, list[str]] = {}
    for w in lines:
        if w.endswith(_NOTHING):
            head, _, _rest = w.partition(": you promised ")
            kept.setdefault(head, []).append(w)
    for head, same in kept.items():
        if len(same) == 1:
            act.append(same[0])
            continue
        codes = [w.partition(": you promised ")[2].split(" ", 1)[0].rstrip(";") for w in same]
        act.append(
            f"{head}: you promised {', '.join(codes[:-1])} and {codes[-1]} this turn; each is carried out"
            " already (once per game) or stands where promised, so the rules count them as kept" + _NOTHING
        )
    return act


_LEFT_OUT = re.compile(r"! agreement (\S+): you promised (\S+) this turn; leaving it out breaks it")


def _left_out_merged(lines: list[str]) -> list[str]:
    """A deal's levers left out, on one line where the first stood: three MX-PLAN elements of one deal
    took six of the five rows above the list at 80x24 (student k19)."""
    codes: dict[str, list[str]] = {}
    for w in lines:
        m = _LEFT_OUT.fullmatch(w)
        if m:
            codes.setdefault(m[1], []).append(m[2])
    out = []
    for w in lines:
        m = _LEFT_OUT.fullmatch(w)
        if m is None or len(codes[m[1]]) == 1:
            out.append(w)
        elif codes[m[1]]:
            got = codes[m[1]]
            out.append(
                f"! agreement {m[1]}: you promised {', '.join(got[:-1])} and {got[-1]} this turn; leaving"
                " any of them out breaks it"
            )
            codes[m[1]] = []
    return out


def promise_shortfalls(game: LiveGame, rb: Rulebook, lever: str, given: dict[str, Any]) -> list[str]:
    """Each agreement due this turn whose clause on ``lever`` the order with ``given`` parameters would
    break: the orders tab's warnings, and the parameters form's own line (a student typed MX-PORT 140
    under a promise of at least 150 and the form said "ok")."""
    out = []
    for agreement, cl in promised_now(game, lever):
        short = _short_of_promise(game, rb, cl, given)
        if short and not (level_stands(game, rb, cl) and order_leaves_level(game, rb, cl, given)):
            out.append(f"! agreement {agreement}: {short}")
    return out


def promised_now(game: LiveGame, lever: str) -> list[tuple[str, dict[str, Any]]]:
    """This team's clauses on ``lever`` due this turn in deals signed or in force, each with its
    agreement's id: what an order of the lever keeps or breaks (the form says both)."""
    out = []
    for a in game.agreements.values():
        if a.get("status") not in ("signed", "active"):
            continue
        for cl in a.get("clauses", []):
            if cl.get("actor") != game.team or cl.get("lever") != lever:
                continue
            start, dur = int(cl.get("start_turn") or 1), max(int(cl.get("duration") or 1), 1)
            if start <= game.turn <= start + dur - 1:
                out.append((str(a.get("id")), cl))
    return out


def _short_of_promise(game: LiveGame, rb: Rulebook, clause: dict[str, Any], given: dict[str, Any]) -> str:
    """A promised lever ticked with parameters the compliance check will not count (MX-ME at last
    turn's 60 under a clause for 70: a student re-ticked it with l and lost 5 trust to a "broken"
    clause): what was promised and what is set, or "" when the order meets it or cannot be judged."""
    lv = rb.levers.get(str(clause.get("lever")))
    want = dict(clause.get("params") or {})
    if lv is None or not want:
        return ""
    if clause.get("condition") and condition_now(game, rb, str(clause["condition"])) is False:
        return ""  # not due while its condition does not hold
    try:
        full = normalise_params(lv, given)
    except CommandError:
        return ""  # the parameters form says what is wrong with them
    if params_meet(rb, clause, full):
        return ""

    def words(values: dict[str, Any], promise: bool = False) -> str:
        out = []
        for pid, v in values.items():
            p = lv.params.get(pid)
            bound = ""
            if promise and p is not None and p.type in ("int", "num") and p.stronger in ("higher", "lower"):
                bound = "at least " if p.stronger == "higher" else "at most "  # as the clause reads
            out.append(f"{param_name(pid, lv)}: {bound}{choice_words(rb, lv, pid, v)}")
        return ", ".join(out)

    return (
        f"you promised {lv.code} with {words(want, promise=True)} this turn, and it is set to"
        f" {words({pid: full.get(pid) for pid in want})}: the rules will count the clause as broken"
    )


def _promise_warning(game: LiveGame, rb: Rulebook, agreement: str, lever: str) -> str:
    """A promised lever not ticked, with what the rules will make of it: left out, the clause breaks; a
    lever that cannot be ordered now breaks it too, and the player cannot mend that. A once-per-game
    act carried out already is the exception: the compliance check counts it as done (kept), so the
    player is told there is nothing to order rather than warned of a break that will not come."""
    lv = rb.levers.get(lever)
    code = lv.code if lv is not None else lever
    played = ((game.view.get("counts") or {}).get(lever) or {}).get("count", 0)
    if lv is not None and lv.once and played:
        return (
            f"agreement {agreement}: you promised {code} this turn; it can be played once per game and you"
            " have carried it out already, so the rules count the clause as kept: nothing to order"
        )
    standing = [
        c
        for c in (game.agreements.get(agreement) or {}).get("clauses") or []
        if c.get("lever") == lever and c.get("actor") == game.team and level_stands(game, rb, c)
    ]
    if standing:
        return (
            f"agreement {agreement}: you promised {code} this turn; what it sets already stands where you"
            " promised, so the rules count the clause as kept while it stays there: nothing to order"
        )
    why = next(
        (
            row.get("why_not")
            for row in game.view.get("levers") or []
            if row["id"] == lever and not row.get("available") and other_settings(game, rb, row) is None
        ),
        None,
    )
    # a clause under a condition is due only while it holds: "leaving it out breaks it" said flatly
    # sent a student to order a lever the rules did not ask for
    clause = next(
        (
            c
            for c in (game.agreements.get(agreement) or {}).get("clauses") or []
            if c.get("lever") == lever and c.get("actor") == game.team and c.get("condition")
        ),
        None,
    )
    cond = f" {only_if(game, rb, clause)}" if clause is not None else ""
    if clause is not None and condition_now(game, rb, str(clause["condition"])) is False:
        return f"agreement {agreement}: you promised {code}{cond}"
    if why is not None:
        return (
            f"! agreement {agreement}: you promised {code} this turn{cond}, but it cannot be ordered"
            f" ({why}): the clause will count as broken"
        )
    return f"! agreement {agreement}: you promised {code} this turn{cond}; leaving it out breaks it"


def team_list(teams: Any) -> str:
    """Teams by name ("United States and Mexico"), never a list of their ids such as ``us,mx``."""

    names = [team_name(None, str(t)) for t in teams or []]
    return " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " + names[-1]


def agreements_text(game: LiveGame, rb: Rulebook | None = None) -> str:
    """Agreements in force and their compliance so far: one count per clause and turn, from the
    compliance events received (an event received twice, as on a resume, counts once), naming each
    clause broken. A self-verified deal reports each clause to its own team only (docs/design.md,
    "Agreements never execute themselves"), yet every party learns that a partner reneged: a student
    read "kept 0, broken 0" beside "Mexico reneged", so the line counts the reader's own clauses and
    says which partner reports a broken promise, and that which clause is not shared."""
    if not game.agreements:
        return "No agreement in force."
    record: dict[str, dict[tuple[int, int], dict[str, Any]]] = {}
    for ev in game.results:
        if ev.get("type") == "compliance":
            key = (int(ev.get("clause") or 0), int(ev.get("turn") or 0))
            record.setdefault(str(ev.get("agreement")), {})[key] = ev
    out = [
        _agreement_line(a, record.get(str(a.get("id")), {}), game.team, rb) for a in game.agreements.values()
    ]
    return "Agreements: " + " · ".join(out)


def _agreement_line(
    a: dict[str, Any], seen: dict[tuple[int, int], dict[str, Any]], me: str | None, rb: Rulebook | None
) -> str:
    """One agreement's line: its parties, status, turns and the clauses kept and broken as reported."""
    kept = sum(1 for ev in seen.values() if ev.get("met"))
    broken = [
        _broken_words(rb, ci, turn, ev, a) for (ci, turn), ev in sorted(seen.items()) if not ev.get("met")
    ]
    parties = team_list(a.get("parties", []))
    span = f"turns {a.get('signed_turn')}-{a.get('ends_turn')}"
    head = f"{a.get('id')} ({parties}) {agreement_verdict(rb, a)}, {span}"
    if me is None or me not in (a.get("parties") or []):
        # outside the deal its clauses are not reported: "kept 0, broken 0" read as nobody kept it
        # (a student's end screen said "broken by United States" of the same deal)
        return f"{head}: which clause was kept is told to its parties only"
    own = a.get("verification") == "self" and len(a.get("parties") or []) > 1
    tally = f"{'your clauses ' if own else ''}kept {kept}, broken {len(broken)}"
    text = f"{head}: {tally}"
    if broken:
        text += f" ({'; '.join(broken)})"
    if own:
        text += "; " + _partners_reported(a, seen, me, rb)
    return text


def _partners_reported(
    a: dict[str, Any], seen: dict[tuple[int, int], dict[str, Any]], me: str | None, rb: Rulebook | None
) -> str:
    """What a self-verified deal tells a party of its partners: whether each reports a broken promise
    (every party is told that), never which clause or when (only the partner is told that)."""
    reneged = {str(t) for t in a.get("reneged") or []}
    named = {str(ev.get("team")) for ev in seen.values() if not ev.get("met")}
    others = [str(t) for t in a.get("parties") or [] if t != me]
    broke = [t for t in others if t in reneged and t not in named]
    clean = [t for t in others if t not in reneged]
    parts = []
    if broke:
        who = team_list(broke)
        verb = "reports" if len(broke) == 1 else "report"
        parts.append(
            f"{who} {verb} a broken promise (the deal is self-verified: which clause and when is told"
            f" to {who} only)"
        )
    if clean:
        parts.append(f"{team_list(clean)}: no broken promise reported (each party checks its own clauses)")
    return "; ".join(parts)


def _broken_words(
    rb: Rulebook | None, clause: int, turn: int, ev: dict[str, Any], a: dict[str, Any] | None = None
) -> str:
    """``clause 2, US-DEMAND by United States, turn 2``: which promise broke, and when; a clause under a
    condition says it, since it was due only because the condition held (h22 could not tell why)."""
    lever = str(ev.get("lever") or "")
    lv = rb.levers.get(lever) if rb is not None else None
    what = f"{lv.code} by " if lv is not None else ""
    clauses = (a or {}).get("clauses") or []
    cond = clauses[clause].get("condition") if 0 <= clause < len(clauses) else None
    held = f" (due: {condition_words(rb, str(cond))} held)" if cond and rb is not None else ""
    return f"clause {clause + 1}, {what}{team_name(rb, str(ev.get('team', '?')))}, turn {turn}{held}"
