"""Free actions resolved: after the order steps, before the months (docs/engine.md, "Free actions").

Each free action of the turn, in team order (us, mx, cn, ca) and then by id, gets a band: the
facilitator's ruling if there is one, else the scenario's fallback (``vote`` or ``white_cell``). The band's
probability is rolled with the game's counter-based generator, keyed by the seed and the free action's id,
so the roll is the same however the log is folded. Success applies the (possibly reduced) effects through
the same bounded arithmetic as every rule; the cost is charged either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from precursor.game.core import GameCore, rnd
from precursor.game.rng import roll
from precursor.game.rulebook.model import CWhiteCell
from precursor.game.schema import BANDS, TEAMS

RULE = "white_cell.free_action"
#: how much of the argument a resolution's rationale quotes
QUOTE = 160


def resolve_free_actions(g: GameCore) -> None:
    st = g.state
    if not st.free_actions:
        return
    wc = g.rb.white_cell
    rank = {t: i for i, t in enumerate(TEAMS)}
    due = [fa for fa in st.free_actions.values() if fa["turn"] == st.turn and fa["resolved"] is None]
    if wc is None or not due:
        return
    for fa in sorted(due, key=lambda f: (rank[f["team"]], f["id"])):
        _resolve(g, wc, fa)


def _band(g: GameCore, wc: CWhiteCell, fa: dict[str, Any]) -> tuple[str, str, list[dict[str, Any]], str]:
    """(band, ruled_by, effects, ruling reason)."""
    ruling = fa["ruling"]
    if ruling is not None:
        return ruling["band"], "facilitator", ruling["effects"], ruling["reason"]
    if g.sc.model.white_cell.fallback == "vote" and fa["visibility"] == "public":
        band, why = vote(g, fa)
        return band, "vote", fa["effects"], why
    # a private free action cannot be put to teams that may not see it: they would all abstain, and
    # every private act would sit at even odds; the bot white cell rules it instead
    band, why = white_cell_band(g, wc, fa)
    return band, "white_cell", fa["effects"], why


def _names(g: GameCore, teams: Sequence[str]) -> str:
    return ", ".join(g.rb.teams[t].name for t in teams) or "none"


def vote(g: GameCore, fa: dict[str, Any]) -> tuple[str, str]:
    """From even, one band up for each other team arguing for, one down for each against; the silent
    abstain."""
    fors = sorted(c["team"] for c in fa["counter"] if c["stance"] == "for")
    against = sorted(c["team"] for c in fa["counter"] if c["stance"] == "against")
    i = min(len(BANDS) - 1, max(0, BANDS.index("even") + len(fors) - len(against)))
    silent = sorted(t for t in TEAMS if t != fa["team"] and t not in fors and t not in against)
    parts = [f"for: {_names(g, fors)}", f"against: {_names(g, against)}"]
    if silent:
        parts.append(f"abstaining: {_names(g, silent)}")
    return BANDS[i], "the other teams' vote, one band up or down from even odds per vote (" + "; ".join(
        parts
    ) + ")"


def capable(g: GameCore, team: str, indicator: str, direction: str) -> str | None:
    """The code of one of ``team``'s levers that, ordered now with its default parameters, moves
    ``indicator`` in ``direction``; None if none does. What the team can plausibly bring to bear."""
    env = g.state.env
    for lever in g.rb.levers.values():
        if lever.team != team:
            continue
        for ce in lever.effects:
            if ce.target != indicator:
                continue
            params = {k: p.default for k, p in lever.params.items()}
            ctx = g.lever_ctx(lever, params, lever.visibility != "private")
            try:
                v = ce.value.fn(ctx)
            except (ArithmeticError, KeyError, TypeError, ValueError):
                v = None
            finally:
                g.clear_ctx(ctx, params)
            if v is None or isinstance(v, bool):
                continue
            old = float(env[indicator])
            delta = {
                "add": v,
                "mul": old * (v - 1),
                "set": v - old,
                "min": min(v - old, 0),
                "max": max(v - old, 0),
            }
            d = float(delta.get(ce.op, 0.0))
            if (d > 0 and direction == "up") or (d < 0 and direction == "down"):
                return lever.code
    return None


def _mentions(g: GameCore, fa: dict[str, Any]) -> list[str]:
    """The mechanics the argument names: any lever's code or name, a claimed indicator's id or name."""
    text = fa["argument"].lower()
    names: list[str] = []
    for lever in g.rb.levers.values():
        for n in (lever.code, lever.name):
            if len(n) >= 3 and n.lower() in text and n not in names:
                names.append(n)
    for e in fa["effects"]:
        ind = g.rb.indicators[e["indicator"]]
        for n in (ind.id, ind.name):
            if n.lower() in text and n not in names:
                names.append(n)
    return names


def white_cell_band(g: GameCore, wc: CWhiteCell, fa: dict[str, Any]) -> tuple[str, str]:
    """The bot white cell's band: the score of docs/engine.md, "Free actions", against the thresholds."""
    w = wc.bot
    terms: list[float] = []
    why: list[str] = []
    for e in fa["effects"]:
        code = capable(g, fa["team"], e["indicator"], e["direction"])
        size = float(getattr(w.size, e["size"]))
        terms.append((w.capability if code else w.no_capability) + size)
        name = g.rb.indicators[e["indicator"]].name
        why.append(
            f"{name} {e['direction']} ({e['size']}): "
            + (f"within the team's means ({code})" if code else "no lever of the team moves it so")
        )
    fors = sum(1 for c in fa["counter"] if c["stance"] == "for")
    against = sum(1 for c in fa["counter"] if c["stance"] == "against")
    named = _mentions(g, fa)
    naming = min(w.mention_cap, w.mention * len(named))
    score = sum(terms) / len(terms) + w.against * against + w.for_ * fors + naming
    band = BANDS[sum(1 for t in w.thresholds if score >= t)]
    why.append(f"{against} against, {fors} for")
    why.append(f"names {', '.join(named[:4])}" if named else "names no mechanic")
    return band, f"white cell score {score:+.2f}: " + "; ".join(why)


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE else text[: QUOTE - 1].rstrip() + "…"


def _resolve(g: GameCore, wc: CWhiteCell, fa: dict[str, Any]) -> None:
    st = g.state
    band, ruled_by, effects, ruling_reason = _band(g, wc, fa)
    p = wc.bands[band]
    r = roll(st.seed, f"free_action:{fa['id']}")
    success = r < p
    team = fa["team"]
    pending: dict[str, Any] = {}
    pc = f"{team}.pc"
    pending[pc] = g.new_value(pc, "add", -float(fa["cost"]), pending)
    applied = effects if success else []
    for e in applied:
        sign = 1.0 if e["direction"] == "up" else -1.0
        pending[e["indicator"]] = g.new_value(e["indicator"], "add", sign * float(e["amount"]), pending)
    env = st.env
    changes = {k: v for k, v in pending.items() if env.get(k) != v}
    outcome = "succeeds" if success else "fails"
    by = {"facilitator": "control", "vote": "the other teams' vote", "white_cell": "the white cell"}[ruled_by]
    reason = (
        f'{g.rb.teams[team].name}\'s free action "{fa["title"]}" {outcome}: ruled {band.replace("_", " ")} '
        f"by {by}, a {p:.0%} chance; the roll was {r * 100:.0f} in 100. "
        f'Argued: "{_quote(fa["argument"])}" Ruling: {ruling_reason}'
    )
    g.emit(
        {
            "type": "free_action_resolved",
            "free_action": fa["id"],
            "turn": st.turn,
            "team": team,
            "rule": RULE,
            "reason": reason,
            "changes": changes,
            "before": {k: env.get(k) for k in changes},
            "sources": [],
            "ruled_by": ruled_by,
            "band": band,
            "probability": p,
            "roll": rnd(r),
            "success": success,
            "cost": fa["cost"],
            "effects": [dict(e) for e in applied],
            "ruling_reason": ruling_reason,
            "vis": "all",
        }
    )
