"""Compiling ``rules/inject_templates.yaml``: the white cell's library of injects that answer the players.

A template's trigger terms are expressions over the true state, plus a few names read from the log
(``SITUATION``), which the suggestion ranker (``precursor.game.white_cell.suggest``) computes; they are
checked here, like every other expression, so a typo fails the load and not a facilitator mid-session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from precursor.game import schema as S
from precursor.game.expr import Expr, Symbols, Type
from precursor.game.loader import Doc
from precursor.game.rulebook.context import Ctx, Known, check_sources, suggest

# Names a trigger may read beyond the state's values, each computed from the log and the scenario's
# calendar at the moment of asking (99 stands for "never" or "not in this game").
SITUATION: dict[str, str] = {
    "months_to_election": "months until the next election on the scenario's calendar (0: this month)",
    "months_to_campaign": "months until the next campaign window opens (0: one is open now)",
    "recent.broken_clauses": "agreement clauses found broken in this turn and the one before",
    "recent.leaks": "private agreements that leaked in this turn and the one before",
    "recent.red_line": "1 if the hard red line was crossed in this turn or the one before, else 0",
    "recent.strikes": "US unilateral strikes executed in this turn and the one before",
    "turns_without_agreement": "turns since the last agreement was signed (since the start if none)",
    "released": "1 if this template was already released as a custom inject, else 0",
}
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_.]*)\}")


@dataclass(frozen=True, slots=True)
class CTrigger:
    when: Expr
    weight: float
    because: str
    text: str  # the expression as written, shown beside the reason


@dataclass(frozen=True, slots=True)
class CInjectTemplate:
    id: str
    title: str
    text: str
    triggers: tuple[CTrigger, ...]
    # amounts to add to numeric indicators, or flags to set; the facilitator edits before releasing
    changes: dict[str, float | bool]
    audience: tuple[str, ...]
    sources: tuple[str, ...]
    basis: str
    file: str


def template_symbols(known: Known) -> Symbols:
    names: dict[str, Type] = {**known.base.names, **dict.fromkeys(SITUATION, "num")}
    return Symbols(names=names, constants=known.base.constants)


def compile_inject_templates(
    ctx: Ctx, tf: tuple[Doc, S.InjectTemplatesFile] | None, known: Known
) -> list[CInjectTemplate]:
    """Every template in file order; without the file the white cell simply has none to suggest."""
    if tf is None:
        return []
    doc, f = tf
    syms = template_symbols(known)
    out: list[CInjectTemplate] = []
    seen: set[str] = set()
    for i, t in enumerate(f.inject_templates):
        p = ("inject_templates", i)
        check_sources(ctx, doc, p, t, known.sources)
        if t.id in seen:
            ctx.add(doc, (*p, "id"), f"duplicate inject template id '{t.id}'")
        seen.add(t.id)
        for key in ("title", "text"):
            for name in PLACEHOLDER.findall(getattr(t, key)):
                if syms.lookup(name) is None:
                    ctx.add(doc, (*p, key), f"unknown placeholder '{{{name}}}'{syms.suggest(name)}")
        triggers = []
        for j, term in enumerate(t.trigger):
            e = ctx.expr(doc, (*p, "trigger", j, "when"), term.when, syms, "bool")
            if e is not None:
                triggers.append(CTrigger(e, term.weight, term.because, str(term.when)))
        _check_changes(ctx, doc, p, t.changes, known.indicators)
        aud = tuple(S.TEAMS) if t.audience == "all" else tuple(t.audience)
        out.append(
            CInjectTemplate(
                t.id,
                t.title,
                t.text,
                tuple(triggers),
                dict(t.changes),
                aud,
                tuple(t.sources),
                t.basis,
                doc.file,
            )
        )
    return out


def _check_changes(
    ctx: Ctx,
    doc: Doc,
    p: tuple[str | int, ...],
    changes: dict[str, float | bool],
    inds: dict[str, S.Indicator],
) -> None:
    """A suggested change must name an indicator, match its type, and fit inside its range: an amount
    larger than the whole scale could only ever be clipped, so it is a mistake in the file."""
    for key, v in changes.items():
        kp = (*p, "changes", key)
        ind = inds.get(key)
        if ind is None:
            ctx.add(doc, kp, f"unknown indicator '{key}'{suggest(key, inds)}")
        elif ind.type == "bool":
            if not isinstance(v, bool):
                ctx.add(doc, kp, f"'{key}' is a flag: the change must be true or false")
        elif isinstance(v, bool):
            ctx.add(doc, kp, f"'{key}' is a number: the change is an amount to add")
        elif ind.min is not None and ind.max is not None and abs(v) > ind.max - ind.min:
            ctx.add(doc, kp, f"change {v:+g} is larger than the range [{ind.min:g}, {ind.max:g}] of '{key}'")
