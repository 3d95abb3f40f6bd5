"""The end of the game as a debrief: each team's score and where it came from, the objectives met and
missed, and how to open the full report of this game."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from .dashboard import _indicator_keys

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from ..model import LiveGame


def final_scores(game: LiveGame) -> dict[str, Any]:
    """The final scores: the score event's (every team's, once the game is over), else the view's."""
    for ev in reversed(game.results):
        if ev.get("type") == "score" and isinstance(ev.get("scores"), dict):
            return dict(ev["scores"])
    return dict(game.view.get("scores") or {})


def _signed(v: Any) -> str:
    """+1.5, -0.8, and +0.0 for a value that rounds to nothing (never -0.0)."""
    x = round(float(v or 0), 1)
    return f"{x + 0.0:+.1f}"


def _team_name(rb: Rulebook, team: str) -> str:
    return rb.teams[team].name if team in rb.teams else team.upper()


def _score_lines(game: LiveGame, rb: Rulebook) -> list[str]:
    scores = {t: s for t, s in final_scores(game).items() if isinstance(s, dict) and "total" in s}
    if not scores:
        return ["  (no final score was shown to you)"]
    lines = []
    ranked = sorted(scores.items(), key=lambda kv: -float(kv[1]["total"]))
    for place, (team, sc) in enumerate(ranked, 1):
        mine = "  ← your team" if team == game.team else ""
        lines.append(f"  {place}. {_team_name(rb, team)} ({team.upper()}) {_signed(sc['total'])}{mine}")
        for comp in (sc.get("components") or {}).values():
            lines.append(
                f"       {comp.get('name', '?')}: {_signed(comp.get('value'))}"
                f" × {float(comp.get('weight', 0)):g} = {_signed(comp.get('points'))}"
            )
        extra = [(k, float(sc.get(k) or 0)) for k in ("shared", "badges")]
        for k, v in extra:
            if v:
                lines.append(
                    f"       {'shared bonus or penalty' if k == 'shared' else 'badges'}: {_signed(v)}"
                )
    return lines


def _shown(game: LiveGame) -> dict[str, dict[str, Any]]:
    """The indicators this seat's last view shows, by id."""
    return {str(i["id"]): i for i in game.view.get("indicators") or [] if isinstance(i, dict) and "id" in i}


def _value(rb: Rulebook, ind: dict[str, Any]) -> str:
    key = str(ind["id"])
    meta = rb.indicators.get(key)
    name = meta.name if meta is not None else key
    v = ind.get("value")
    if isinstance(v, bool):
        text = "yes" if v else "no"
    elif isinstance(v, int | float):
        text = f"{float(v):,.1f}".rstrip("0").rstrip(".")
    else:
        text = str(v)
    note = (
        " (estimate)"
        if ind.get("estimate")
        else (f" (reported {ind['lag']} months late)" if ind.get("lag") else "")
    )
    return f"{name} {text}{note}"


def _deciding(game: LiveGame, rb: Rulebook, objective_id: str) -> str:
    """The values an objective's condition reads, as this seat last saw them: what decided it."""
    sc = rb.scenarios.get(str((game.view.get("scenario") or {}).get("id") or ""))
    obj = next((o for o in (sc.objectives if sc is not None else []) if o.id == objective_id), None)
    if obj is None or obj.condition is None:
        return ""
    shown = _shown(game)
    keys = _indicator_keys(rb, obj.condition.names)
    return "; ".join(_value(rb, shown[k]) for k in keys if k in shown)


def _objective_lines(game: LiveGame, rb: Rulebook) -> list[str]:
    lines = []
    for team, obj in (game.view.get("objectives") or {}).items():
        lines.append(f"  {_team_name(rb, team)} — public aim: {obj.get('public', '')}")
        secret = obj.get("secret")
        if secret is None:
            lines.append("       (its secret objectives are not shown to you)")
            continue
        for o in secret:
            mark = "✓ met   " if o.get("met") else "✗ missed"
            lines.append(f"       {mark} {float(o.get('points', 0)):g} pts: {o.get('text', '')}")
            decided = _deciding(game, rb, str(o.get("id", "")))
            if decided:
                lines.append(f"                 at the end: {decided}")
    return lines


def _agreement_lines(game: LiveGame, rb: Rulebook) -> list[str]:
    """Every agreement this seat knows of, kept or broken, by whom."""
    lines = []
    for aid, a in sorted(game.agreements.items()):
        parties = ", ".join(p.upper() for p in a.get("parties") or [])
        reneged = [p.upper() for p in a.get("reneged") or []]
        status = str(a.get("status", ""))
        if reneged:
            verdict = "broken by " + ", ".join(reneged)
        elif status == "completed":
            verdict = "kept by every party"
        else:
            verdict = f"{status}, kept so far"
        lines.append(f"  {aid} ({parties}): {verdict}")
    return lines or ["  (no agreement was signed that you can see)"]


# the bands of rule A2 and the hard red line (rules/sovereignty.yaml), as a player reads them
_TENSION_BANDS = ((80, "the crisis band (80 or more)"), (60, "the defensive band (60 to 79)"))


def _red_line_lines(game: LiveGame, rb: Rulebook) -> list[str]:
    """How close the game came to the red lines, from what this seat saw."""
    shown = _shown(game)
    lines = []
    st = shown.get("mx.st")
    if st is not None:
        trend = [float(x) for x in st.get("trend") or [] if isinstance(x, int | float)]
        peak = max([*trend, float(st.get("value") or 0)])
        band = next(
            (words for floor, words in _TENSION_BANDS if peak >= floor), "below the defensive band (60)"
        )
        lines.append(f"  Mexican sovereignty tension peaked at {peak:.0f} (of the months shown): {band}")
    crossed = shown.get("flag.hrl_count")
    if crossed is not None:
        n = int(float(crossed.get("value") or 0))
        lines.append(
            f"  The hard red line (unilateral force in Mexico) was crossed {n} time(s)"
            if n
            else "  The hard red line (unilateral force in Mexico) was not crossed"
        )
    return lines or ["  (no red-line indicator is shown to you)"]


def game_over_text(game: LiveGame, rb: Rulebook, game_id: str) -> str:
    sc = game.view.get("scenario") or {}
    lines = [
        f"GAME OVER — {sc.get('title', '')}, after turn {game.turn}",
        "",
        f"Game {game_id}. The full debrief (timeline, charts, agreements, red lines), and the replay:",
        f"  precursor report {game_id} --format html --out {game_id}.html",
        f"  precursor replay {game_id}",
        "",
        "Scores (each component's value × its weight for the team = points)",
        *_score_lines(game, rb),
        "",
        "Objectives",
        *_objective_lines(game, rb),
        "",
        "Agreements",
        *_agreement_lines(game, rb),
        "",
        "Red lines",
        *_red_line_lines(game, rb),
    ]
    return "\n".join(lines)


class GameOverScreen(ModalScreen[None]):
    """The debrief over the game screen; Esc shows the game behind it again."""

    BINDINGS = [Binding("escape,q", "dismiss", "Back to the game")]
    DEFAULT_CSS = """
    GameOverScreen { align: center middle; }
    GameOverScreen > VerticalScroll {
        width: 100; max-width: 98%; height: 90%; padding: 1 2; border: thick $accent; background: $surface;
    }
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="game-over"):
            yield Static(self._wrapped(), id="game-over-text", markup=False)
        yield Footer()

    def set_text(self, text: str) -> None:
        self.text = text
        self.query_one("#game-over-text", Static).update(self._wrapped())

    def on_resize(self) -> None:
        self.query_one("#game-over-text", Static).update(self._wrapped())

    def _wrapped(self) -> str:
        """Each long line wrapped under its own text (a hanging indent), so that at 80 columns a score
        component's figures stay under its name rather than back at the margin."""
        width = max(30, min(100, int(self.app.size.width * 0.98)) - 8)  # border, padding, scrollbar
        out = []
        for line in self.text.split("\n"):
            lead = line[: len(line) - len(line.lstrip())]
            out.append(
                textwrap.fill(line, width, subsequent_indent=lead + "  ", break_on_hyphens=False)
                if len(line) > width
                else line
            )
        return "\n".join(out)
