"""The hot wash: the structured debrief right after play, in the order practice runs it — what
happened, why, each team's position against its record, control's rulings and their effect, and the
what-ifs worth forking. It orders what the after-action report (``review``) already holds.
"""

from __future__ import annotations

from typing import Any

from precursor.analysis.review import SOVEREIGNTY_ITEM, render, render_context
from precursor.game.engine import Game

HOT_WASH = {"html": "hotwash.html.j2", "md": "hotwash.md.j2"}


def turning_points(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Turns worth replaying differently, each with why: a band or red line first reached, a clause
    broken, a ruling, override or custom inject."""
    why: dict[int, list[str]] = {}
    levels: set[str] = set()
    for r in report["red_lines"]:
        if r["level"] not in levels:  # the first time a band or line was reached, not each turn it held
            levels.add(r["level"])
            why.setdefault(r["turn"], []).append(r["level"])
    for a in report["agreements"]:
        for c in a["record"]:
            if c["met"] is False:
                why.setdefault(c["turn"], []).append(f"{str(c['team']).upper()} broke a clause of {a['id']}")
    for d in report.get("rulings", []):
        if d["kind"] != "note":
            why.setdefault(d["turn"], []).append(d["title"])
    return [{"turn": t, "why": sorted(set(why[t]))} for t in sorted(why) if t >= 1]


#: The hot wash's five sections, in the order practice runs them; both templates and the client's screen
#: read them from here.
SECTIONS = (
    "1. What happened",
    "2. Why",
    "3. Positions and the record",
    "4. Control's rulings and their effect",
    "5. What if? Turning points to fork",
)


def hot_wash_context(report: dict[str, Any], game: Game, game_ref: str) -> dict[str, Any]:
    ctx = render_context(report, game)
    ctx["sections"] = SECTIONS
    ctx["game_ref"] = game_ref
    ctx["what_ifs"] = [
        {**tp, "command": f"precursor fork {game_ref} --turn {tp['turn']}"}
        for tp in turning_points(report)
        if tp["turn"] <= game.state.turn
    ]
    ctx["key_events"] = [
        {"label": t["label"], "items": [i for i in t["items"] if _key(i)]} for t in ctx["timeline"]
    ]
    return ctx


def _key(item: str) -> bool:
    """Timeline lines a hot wash walks through: not every executed order, but what changed the game."""
    return item.startswith(("Inject:", "Agreement", "Control adjusted", SOVEREIGNTY_ITEM, "Free action")) or (
        "election" in item.lower()
    )


def to_hot_wash(
    report: dict[str, Any], game: Game, fmt: str, game_ref: str, templates: str | None = None
) -> str:
    from markupsafe import Markup

    ctx = hot_wash_context(report, game, game_ref)
    for c in ctx["charts"]:
        c["svg"] = Markup(c["svg"]) if fmt == "html" else c["svg"]
    return render(HOT_WASH[fmt], ctx, templates)
