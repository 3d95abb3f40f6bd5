"""The hot wash: right after the last turn, the facilitator walks the structured debrief with the facts
on the table, in order — what happened (the timeline), why (the chains of causes behind each red line
approached or crossed, as the after-action report computes them), each team's position held against
its record, the rulings and what they did, and the what-ifs worth forking — and exports it.

It reads the whole log (the facilitator's to read) and reuses ``precursor.analysis.review``'s report,
so the screen and the written report never tell two stories.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from precursor.client import ClientError, GameClient

from .model import LiveGame
from .panes.white_cell import team_record
from .white_cell import claim_words, resolution_words

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

SECTIONS = (
    "1. What happened",
    "2. Why: the chains of causes",
    "3. Each team's position against its record",
    "4. The rulings and their effect",
    "5. What-ifs to fork",
)


def _timeline(report: dict[str, Any]) -> list[str]:
    out = []
    for t in report.get("timeline") or []:
        out.append(
            f"- Turn {t['turn']} ({t.get('date') or 'no date'}):"
            f" {t['messages']} messages, {t['proposals']} proposals"
        )
        out += [f"  - {item}" for item in t.get("items") or []]
    return out or ["- nothing happened that the report records"]


def _why(report: dict[str, Any]) -> list[str]:
    out = []
    for r in report.get("red_lines") or []:
        out.append(f"- Turn {r['turn']}: {r['level']} — {r.get('reason', '')}")
        for d in r.get("chain") or []:
            delta = f" ({d['delta']:+g})" if isinstance(d.get("delta"), int | float) else ""
            out.append(f"  - turn {d.get('turn')}: {d.get('what')}{delta}")
        if r.get("rests_on"):
            out.append(f"  - this chain rests on {r['rests_on']}")
    for a in report.get("agreements") or []:
        if a.get("reneged"):
            out.append(
                f"- Agreement {a.get('id')} broken by {', '.join(str(p).upper() for p in a['reneged'])}"
            )
    return out or ["- no red line was approached and no agreement broken"]


def _positions(rb: Rulebook, events: list[dict[str, Any]]) -> list[str]:
    game = LiveGame()
    positions = {str(e.get("team")): e for e in events if e.get("type") == "position"}
    out = []
    for team in rb.teams:
        pos = positions.get(team)
        out.append(f"- {rb.teams[team].name} ({team.upper()})")
        if pos:
            out.append(f"  - goals: {pos.get('goals', '')}")
            out.append(f"  - red lines: {pos.get('red_lines') or '(none written)'}")
            out.append(f"  - expected of the others: {pos.get('expectations') or '(none written)'}")
        else:
            out.append("  - filed no position")
        out += [f"  - record: {line}" for line in team_record(game, rb, team, events)]
    return out


def _rulings(rb: Rulebook, events: list[dict[str, Any]]) -> list[str]:
    tabled = {str(e.get("id")): e for e in events if e.get("type") == "free_action"}
    out = []
    for e in events:
        if e.get("type") == "free_action_resolved":
            fa = tabled.get(str(e.get("free_action")), {})
            changed = (
                "; ".join(claim_words(rb, x, {}) for x in e.get("effects") or []) if e.get("success") else ""
            )
            out.append(
                f"- Turn {e.get('turn')}: {str(e.get('team', '')).upper()}"
                f" '{fa.get('title', e.get('free_action'))}'"
                f" — {resolution_words(rb, e)}" + (f"; {changed}" if changed else "")
            )
            if e.get("ruling_reason"):
                out.append(f"  - the ruling: {e['ruling_reason']}")
        elif e.get("type") == "effect" and str(e.get("rule", "")).startswith("facilitator."):
            out.append(f"- Turn {e.get('turn')}: override — {e.get('reason', '')}")
        elif e.get("type") == "inject" and e.get("template"):
            out.append(f"- Turn {e.get('turn')}: inject '{e.get('title', '')}' written from {e['template']}")
    return out or ["- no ruling, override or written inject: the game ran by its rules"]


def _what_ifs(report: dict[str, Any], events: list[dict[str, Any]], game_id: str) -> list[str]:
    turns: dict[int, str] = {}
    for r in report.get("red_lines") or []:
        turns.setdefault(int(r["turn"]), f"{r['level']}: what if it had gone otherwise?")
    for e in events:
        if e.get("type") == "free_action_resolved" and isinstance(e.get("turn"), int):
            turns.setdefault(
                int(e["turn"]), "a free action was ruled and rolled: replay it with another roll"
            )
    out = []
    for t in sorted(turns):
        out.append(f"- Turn {t}: {turns[t]}")
        out.append(f"  - `precursor fork {game_id} --turn {t}` (add `--seed N` for other rolls)")
    return out or [f"- `precursor fork {game_id} --turn 1` replays the game from its start"]


def hot_wash_markdown(rb: Rulebook, events: list[dict[str, Any]], game_id: str) -> str:
    """The structured debrief as Markdown, its five sections in order."""
    from precursor.analysis.review import build_report

    report = build_report(rb, events)
    g = report["game"]
    parts = [
        f"# Hot wash — {g['title']} (game {game_id}, {g['turns_played']} of {g['turns']} turns)",
        "",
        f"## {SECTIONS[0]}",
        *_timeline(report),
        "",
        f"## {SECTIONS[1]}",
        *_why(report),
        "",
        f"## {SECTIONS[2]}",
        *_positions(rb, events),
        "",
        f"## {SECTIONS[3]}",
        *_rulings(rb, events),
        "",
        f"## {SECTIONS[4]}",
        *_what_ifs(report, events, game_id),
        "",
    ]
    return "\n".join(parts)


def export(rb: Rulebook, events: list[dict[str, Any]], game_id: str, text: str) -> Path:
    """Write the hot wash next to where the console runs: the report's own hot-wash export when the
    installed precursor has one, else this screen's Markdown."""
    path = Path.cwd() / f"hotwash-{game_id}.md"
    try:
        review = importlib.import_module("precursor.analysis.review")
        made = review.hot_wash_markdown(rb, events)
    except (ImportError, AttributeError):
        made = text
    path.write_text(str(made), encoding="utf-8")
    return path


class HotWashScreen(ModalScreen[None]):
    """The hot wash over the game screen: e exports it, Esc goes back."""

    BINDINGS = [Binding("escape,q", "dismiss", "Back"), Binding("e", "export", "Export to a file")]
    DEFAULT_CSS = """
    HotWashScreen { align: center middle; }
    HotWashScreen > VerticalScroll {
        width: 110; max-width: 98%; height: 90%; padding: 0 1; border: thick $accent; background: $surface;
    }
    HotWashScreen #hw-where { height: auto; color: $warning; }
    """

    def __init__(self, rb: Rulebook, url: str, game_id: str, token: str) -> None:
        super().__init__()
        self.rb, self.url, self.game_id, self.token = rb, url, game_id, token
        self.events: list[dict[str, Any]] = []
        self.text = ""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="hot-wash"):
            yield Static("reading the game's log…", id="hw-where", markup=False)
            yield Static("", id="hw-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="hot-wash")
    async def load(self) -> None:
        events: list[dict[str, Any]] = []
        try:
            async with GameClient(self.url, self.game_id, self.token, since=0) as full:
                end = (await full.next_frame())["seq"]
                while len(events) < end:
                    f = await full.next_frame(10)
                    if f["type"] == "event":
                        events.append(f["event"])
        except (ClientError, TimeoutError) as exc:
            self.query_one("#hw-where", Static).update(f"could not read the log: {exc}")
            return
        self.events = events
        self.text = hot_wash_markdown(self.rb, events, self.game_id)
        self.query_one("#hw-text", Static).update(self.text)
        self.query_one("#hw-where", Static).update("e writes this hot wash to a file; Esc goes back")

    def action_export(self) -> None:
        if not self.text:
            return
        try:
            path = export(self.rb, self.events, self.game_id, self.text)
        except OSError as exc:
            self.query_one("#hw-where", Static).update(f"not written: {exc}")
            return
        self.query_one("#hw-where", Static).update(f"written to {path}")
        self.notify(f"hot wash written to {path}")
