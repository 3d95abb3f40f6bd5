"""The dashboard tab: the score line, then what the team's objectives hang on, then every other
indicator the seat can see, by theme.

A hundred indicators in one flat list hid the dozen a team is scored on: the top section ("Your
objectives watch") holds the red lines the team must watch, the values its score components read and
those its secret objectives test, found from the rulebook's compiled expressions (each one knows the
names it reads). The rest follow under a heading per theme (the indicator's ``group``). The name
column takes whatever width the value, unit, trend and marker columns leave, and a name longer than
that wraps onto a second line rather than being cut.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from precursor.game.words import indicator_keys as _indicator_keys

from .. import render, terms
from ..objectives import state_now, within_a_point
from ..widgets import RowTable

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from ..model import LiveGame

# What each team must not let happen, by the indicators that show it coming (docs/design.md, rule
# family A): Mexican sovereignty tension and the hard red line bind Mexico and the US alike; China
# watches its irritation (at 50 its enforcement slackens) and its face; Canada its trust with the US
# and whether it must take a side after a breach.
RED_LINES: dict[str, tuple[str, ...]] = {
    "mx": ("mx.st", "flag.hrl", "flag.hrl_count"),
    "us": ("mx.st", "flag.hrl", "flag.hrl_count"),
    "cn": ("cn.irritation", "cn.face"),
    "ca": ("trust.us_ca", "flag.hrl", "flag.ca_must_declare"),
}
# prefixes an expression puts before an indicator to read its starting value or its running mean

GROUP_TITLES = {
    "health": "Health",
    "supply": "Supply chain",
    "security": "Security in Mexico",
    "migration": "Migration",
    "border": "The border",
    "economy": "Economy",
    "politics": "Politics at home",
    "sovereignty": "Sovereignty",
    "elections": "Elections",
    "china": "China",
    "canada": "Canada",
    "trust": "Trust between governments",
    "usmca": "USMCA",
    "diplomacy": "Diplomacy",
    "lag": "Reviews and records",
}
WATCH_TITLE = "YOUR OBJECTIVES WATCH"
# widths of the columns beside the name; cell padding adds 2 to each column, the scrollbar 2 more
VALUE_W, MARK_W, UNIT_MAX = 8, 11, 12
NAME_MIN = 16


def watch_sections(rb: Rulebook, scenario: str | None, team: str | None) -> list[tuple[str, list[str]]]:
    """The top section's parts, each indicator once, in the first part that names it: the red lines,
    what the team's score reads (its weighted components and the shared bonus and malus), what its
    secret objectives test. The facilitator watches every team's red lines."""
    if team is None:
        lines = [k for t in ("mx", "us", "cn", "ca") for k in RED_LINES[t]]
        return [("red lines", list(dict.fromkeys(lines)))]
    score: list[str] = []
    # the heaviest components first, the shared bonus and malus (the same for every team) last
    for comp in sorted(rb.scoring, key=lambda c: -c.weights.get(team, 0.0)):
        expr = comp.value.get(team)
        if comp.weights.get(team) and expr is not None:
            score += sorted(expr.names)
    score += [*sorted(rb.shared_bonus.names), *sorted(rb.shared_malus.names)]
    secret: list[str] = []
    sc = rb.scenarios.get(scenario) if scenario else None
    for o in sc.objectives if sc is not None else []:
        if o.team == team and o.condition is not None:
            secret += o.condition.names
    parts = [
        ("red lines", list(RED_LINES.get(team, ()))),
        ("your score", _indicator_keys(rb, score)),
        ("your secret objectives", _indicator_keys(rb, secret)),
    ]
    seen: set[str] = set()
    out = []
    for title, keys in parts:
        fresh = [k for k in keys if k not in seen]
        seen.update(fresh)
        out.append((title, fresh))
    return out


def secret_notes(rb: Rulebook, view: dict[str, Any], team: str | None) -> str:
    """What the team's secret objectives read that no row of theirs shows: a value already listed
    under an earlier heading, and the trilateral modules in force (no indicator holds them; student
    b20's Canada found its module objective nowhere on the dashboard)."""
    scenario = str((view.get("scenario") or {}).get("id") or "")
    sc = rb.scenarios.get(scenario)
    if team is None or sc is None:
        return ""
    names: set[str] = set()
    for o in sc.objectives:
        if o.team == team and o.condition is not None:
            names |= o.condition.names
    notes = []
    earlier = [k for _title, keys in watch_sections(rb, scenario, team)[:2] for k in keys]
    also = [rb.indicators[k].name for k in _indicator_keys(rb, names) if k in earlier]
    if also:
        notes.append("also " + ", ".join(also) + ", above")
    if any(n.startswith("module.") for n in names):
        mods = view.get("modules") or {}
        on = [m.upper() for m, v in mods.items() if v]
        notes.append("trilateral modules in force: " + (", ".join(on) if on else "none"))
    return "; ".join(notes)


def layout(
    indicators: list[dict[str, Any]],
    sections: list[tuple[str, list[str]]],
    keep: Iterable[str] = (),
    lines: dict[str, list[str]] | None = None,
) -> list[tuple[str, Any]]:
    """The table top to bottom: ``("heading", title)``, ``("sub", title)``, ``("line", text)`` or
    ``("row", indicator)``. Only indicators the seat sees are listed; a watched one is listed in the
    top section only. A section in ``keep`` (one with a note to say) is listed with no row of its own;
    ``lines`` are lines of words listed under a section's title before its indicators."""
    by_id = {i["id"]: i for i in indicators}
    out: list[tuple[str, Any]] = []
    pinned: set[str] = set()
    watch: list[tuple[str, Any]] = []
    for title, keys in sections:
        shown = [by_id[k] for k in keys if k in by_id]
        said = (lines or {}).get(title) or []
        if shown or said or title in keep:
            watch.append(("sub", title))
            watch += [("line", text) for text in said]
            watch += [("row", i) for i in shown]
            pinned.update(i["id"] for i in shown)
    if watch:
        out += [("heading", WATCH_TITLE), *watch]
    groups: dict[str, list[dict[str, Any]]] = {}
    for ind in indicators:
        if ind["id"] not in pinned:
            groups.setdefault(str(ind.get("group") or ""), []).append(ind)
    for group, inds in groups.items():
        title = GROUP_TITLES.get(group, group.replace("_", " ").capitalize() or "Other")
        out.append(("heading", title.upper()))
        out += [("row", i) for i in inds]
    return out


def objective_lines(model: LiveGame, rb: Rulebook) -> list[str]:
    """Each of the team's secret objectives in its own words, with how the rules judge it and whether it
    holds now (the briefing's words): China's block read "your secret objectives (also China's
    international reputation on drugs, above):" and then the next heading, with no row for "order one
    precursor-control action"; Mexico's listed only a cooldown ("Turns until a US acknowledgement of
    shared responsibility counts again 0") that said nothing of what was asked."""
    team = model.team
    obj = (model.view.get("objectives") or {}).get(team or "") or {}
    out = []
    for o in obj.get("secret") or []:
        state = state_now(model, rb, o)
        close = [] if model.ended else within_a_point(model, rb, str(o.get("id")))
        if close:
            state += f" — ! only just: {', '.join(close)}; a point the wrong way and it fails"
        out.append(f"◦ {o.get('text', '')} — {state}")
    return out


def _pc(m: LiveGame) -> list[tuple[str, Any]]:
    return list((m.view.get("pc") or {}).items())


def marks(ind: dict[str, Any]) -> str:
    out = []
    if ind.get("estimate"):
        out.append("~est")
    if ind.get("lag"):
        out.append(f"lag {ind['lag']}m")
    return " ".join(out)


def flowed(text: str, widths: list[int], first: str = "", rest: str = "") -> list[list[str]]:
    """Words set across a table's columns as one line of text would run across them: each line fills
    the first column, then the next, a word that does not fit going on to the next column (the gap
    between two cells reads as a wider space; a narrow cell a word cannot fit stays empty). Returns
    each column's lines; every column has as many.
    ``first`` and ``rest`` indent the first line and the lines after it."""
    columns: list[list[str]] = [[] for _ in widths]
    words = text.split()
    line = 0
    while words or line == 0:
        for i, w in enumerate(widths):
            lead = (first if line == 0 else rest) if i == 0 else ""
            cell = lead
            while words:
                word = words[0]
                if len(word) > w - len(lead) and cell == lead:
                    if i == 0:  # longer than the widest cell: cut, or it would never be set
                        cell, words[0] = cell + word[: w - len(cell)], word[w - len(cell) :]
                    break  # a narrow cell left empty: the word goes on to the next
                sep = "" if cell == lead else " "
                if len(cell) + len(sep) + len(word) > w:
                    break
                cell += sep + word
                words.pop(0)
            columns[i].append(cell)
        line += 1
        if not words:
            break
    return columns


def row_words(table: DataTable[Any], key: str) -> str:
    """A row's words in reading order, as one line: each line of text across the cells, left to right
    (the inverse of ``flowed``; a name wrapped in its own cell reads the same)."""
    cells = [str(c).split("\n") for c in table.get_row(key)]
    lines = max((len(c) for c in cells), default=0)
    return " ".join(w for i in range(lines) for c in cells if i < len(c) for w in c[i].split())


class DashboardPane(Vertical):
    def __init__(self, model: LiveGame, rb: Rulebook | None = None) -> None:
        super().__init__()
        self.model = model
        self.rb = rb
        self._sections: tuple[str | None, list[tuple[str, list[str]]]] | None = None
        self._width = 0  # the width the columns were last laid out for
        self._drawn = ""  # what the table shows: the same view again redraws nothing

    def compose(self) -> ComposeResult:
        yield Static("", id="scoreline", markup=False)
        yield RowTable(id="indicators", zebra_stripes=True, cursor_type="row")

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._width and self.model.view:
            self.show()

    def sections(self) -> list[tuple[str, list[str]]]:
        """Worked out once per scenario: the rulebook's expressions do not change during a game."""
        scenario = self.model.view.get("scenario", {}).get("id")
        if self.rb is None:
            return []
        if self._sections is None or self._sections[0] != scenario:
            self._sections = (scenario, watch_sections(self.rb, scenario, self.model.team))
        return self._sections[1]

    def score_line(self) -> str:
        """The score line. Before turn 1's results it gives no figure: the estimate is the score as it
        would stand if the game ended now, and "+6.7" before anything was played (the components'
        values at the starting state) read as points already earned. After, it says what it is."""
        m = self.model
        if m.team and not m.ended and m.turn <= 1 and m.phase != "results":
            pc = [f"{render.team_name(None, t)} political capital {render.number(v)}" for t, v in _pc(m)]
            return "   ".join(["score: none yet, first counted at turn 1's results", *pc])
        said = "final score" if m.ended else "score if the game ended now"
        line = render.score_text(m).replace("score estimate", said)
        frozen = self._frozen_months()
        if frozen and not m.ended and m.turn >= (terms.last_turn(m) or m.turn + 1):
            # a student's US read +40.7 here in the last turn and finished on +53.7: the months the model
            # runs after it were explained only on the end screen
            line += (
                f" · after this last turn the model runs {frozen} more months with orders frozen (effects"
                " already under way still land), and the final score counts them"
            )
        if m.ended and any(i.get("estimate") for i in m.view.get("indicators") or []):
            # the end is not the place to leave a reader wondering whether "~est" still means anything
            line += (
                "\nThe game is over: the rows marked ~est stay your team's estimates; the facilitator's"
                " after-action report (--audience facilitator) gives their true values"
            )
        return line

    def _frozen_months(self) -> int:
        """The months the scenario models after its last turn, before the final score (its epilogue)."""
        scenario = (
            self.rb.scenarios.get(str(self.model.view.get("scenario", {}).get("id"))) if self.rb else None
        )
        return int(scenario.model.epilogue_months) if scenario is not None else 0

    def show(self) -> None:
        self.query_one("#scoreline", Static).update(self.score_line())
        table = self.query_one("#indicators", DataTable)
        indicators = self.model.view.get("indicators", [])
        notes: dict[str, str] = {}
        # what the team's red lines are, said beside the rows (rules/teams.yaml): student b20's Canada read
        # US-Canada trust under "red lines" as a mistake, where it is the watch on a tariff war
        team = self.rb.teams.get(str(self.model.team)) if self.rb is not None else None
        if self.rb is not None and team is not None:
            notes["red lines"] = team.red_lines
            notes["your secret objectives"] = secret_notes(self.rb, self.model.view, self.model.team)
        said: dict[str, list[str]] = {}
        if self.rb is not None and self.model.team:
            said["your secret objectives"] = objective_lines(self.model, self.rb)
        rows = layout(indicators, self.sections(), [t for t, note in notes.items() if note], said)
        width = self.content_size.width or self.app.size.width
        wide = width >= 100
        unit_w = min(UNIT_MAX, max((len(str(i.get("unit") or "")) for i in indicators), default=0)) or 4
        trend_w = 12 if wide else 8
        fixed = VALUE_W + unit_w + trend_w + MARK_W + 2 * 5 + 2
        name_w = max(NAME_MIN, width - fixed)
        drawn = repr((width, rows, notes))
        if drawn == self._drawn:  # every frame of a phase change redraws; rebuilding costs ~20 ms
            return
        self._drawn = drawn
        cursor, scroll = table.cursor_row, table.scroll_y
        table.clear(columns=True)
        self._width = width
        for label, w in (
            ("indicator", name_w),
            ("value", VALUE_W),
            ("unit", unit_w),
            ("trend", trend_w),
            ("as seen", MARK_W),
        ):
            table.add_column(label, width=w)
        widths = [name_w, VALUE_W, unit_w, trend_w, MARK_W]
        for kind, item in rows:
            if kind == "row":
                self._add(table, item, name_w, trend_w)
                continue
            # under 100 columns, words across the whole row (the value columns have nothing to say
            # there): at 80 an objective wrapped in the name column's 25 characters, six lines long
            # beside an empty right half (students k23, l24 and m24)
            if kind == "line":
                text, style, indent, key = str(item), "", ("  ", "    "), f"line:{len(table.rows)}"
            else:
                note = notes.get(item) if kind == "sub" else ""
                text = item if kind == "heading" else f"{item} ({note}):" if note else f"{item}:"
                style = "bold reverse" if kind == "heading" else "bold italic"
                indent = ("", "") if kind == "heading" else ("  ", "  ")
                key = f"{kind}:{item}"
            if wide:  # the name column holds a line's words well: the value columns stay clear
                lines = textwrap.wrap(text, name_w, initial_indent=indent[0], subsequent_indent=indent[1])
                cells = [lines or [""], *([""] * max(1, len(lines)) for _ in widths[1:])]
            else:
                cells = flowed(text, widths, *indent)
            table.add_row(
                *(Text("\n".join(c), style=style) for c in cells), key=key, height=max(1, len(cells[0]))
            )
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1), animate=False, scroll=False)
            table.scroll_to(y=scroll, animate=False)

    @staticmethod
    def _add(table: DataTable[Any], ind: dict[str, Any], name_w: int, trend_w: int) -> None:
        """One indicator: its whole name, wrapped under itself if the column is too narrow."""
        name = str(ind.get("name") or ind["id"])
        lines = textwrap.wrap(name, name_w, subsequent_indent=" ", break_on_hyphens=False) or [name]
        value = ind.get("value")
        unit = "" if isinstance(value, bool) else str(ind.get("unit") or "")  # yes/no needs none
        cells = render.cells(
            "\n".join(lines), "", unit, render.sparkline(ind.get("trend", []), trend_w), marks(ind)
        )
        cells[1] = Text(render.amount(value, unit), justify="right")
        table.add_row(*cells, key=str(ind["id"]), height=len(lines))
