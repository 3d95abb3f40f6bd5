"""Write-only values: indicators the rules change but nothing in the game ever reads.

An indicator that some lever, rule, flow formula, statement, module or inject writes, but that no
expression, persona, score or objective reads, is a number a player can move without consequence: an
order that raises it buys nothing, and a dashboard that shows it invites choices that cannot matter.

"Read" here means that a value can change what happens next:

- a name in any compiled expression: a lever's cost, preconditions and effect values, conditions and
  chances; a rule's condition, chance, effects and coded-mechanism parameters; a flow formula or
  constant; a statement's or a module's effects; a score component and the shared bonus and malus; a
  scenario's injects (condition, chance, effects) and secret objectives; a persona's hard rules and
  switches. ``mean.<id>`` reads ``<id>``;
- a persona's utility weight on the indicator (the bots act on it);
- a lookup in the Python that adjudicates and plays (``precursor/game`` outside the views and the
  rulebook compiler): ``env["..."]`` or ``env.get("...")`` with the name written out, or as an f-string
  such as ``f"{team}.pc"``, whose placeholders stand for any one name segment.

Display alone does not count: the views, the dashboard and the batch tools read everything.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from precursor.game.expr import Expr
from precursor.game.rulebook import CEffect, Rulebook

GAME = Path(__file__).resolve().parent.parent / "game"
# Python that shows values rather than acting on them, or that compiles the rule files
_DISPLAY = ("views.py", "bots/fast_view.py", "bots/beliefs.py", "rulebook/", "schema.py", "events.py")


def _names(exprs: Iterable[Expr | None]) -> Iterator[str]:
    for e in exprs:
        if e is not None:
            yield from e.names


def _effect_exprs(effects: Iterable[CEffect]) -> Iterator[Expr | None]:
    for e in effects:
        yield e.value
        yield e.when
        yield e.chance


def written(rb: Rulebook) -> set[str]:
    """Indicators some effect or flow formula of the rulebook or a scenario writes."""
    effects: list[CEffect] = []
    for lv in rb.levers.values():
        effects += lv.effects + lv.lapse
    for r in rb.rules:
        effects += r.effects
    for s in rb.statements.values():
        effects += s.effects
    for m in rb.modules.values():
        effects += m.effects
    for sc in rb.scenarios.values():
        for inj in sc.injects:
            effects += inj.effects
    targets = {e.target for e in effects} | {t for t, _ in rb.flow} | {t for t, _ in rb.flow_constants}
    return targets & set(rb.indicators)


def _rule_exprs(rb: Rulebook) -> Iterator[Expr | None]:
    for lv in rb.levers.values():
        yield lv.cost
        yield from (e for e, _ in lv.preconditions)
        yield from _effect_exprs(lv.effects + lv.lapse)
    for r in rb.rules:
        yield r.when
        yield r.chance
        yield from _effect_exprs(r.effects)
        yield from r.params.values()
    yield from (e for _, e in rb.flow)
    yield from (e for _, e in rb.flow_constants)
    for s in rb.statements.values():
        yield from _effect_exprs(s.effects)
    for m in rb.modules.values():
        yield from _effect_exprs(m.effects)
    for c in rb.scoring:
        yield from c.value.values()
    yield rb.shared_bonus
    yield rb.shared_malus


def _scenario_exprs(rb: Rulebook) -> Iterator[Expr | None]:
    for sc in rb.scenarios.values():
        for inj in sc.injects:
            yield inj.when
            yield inj.chance
            yield from _effect_exprs(inj.effects)
        yield from (o.condition for o in sc.objectives)


def _persona_reads(rb: Rulebook) -> Iterator[str]:
    for p in rb.personas.values():
        yield from p.var_weights
        yield from _names(e for h in p.hard_rules for e in (h.when, h.chance, h.reject_if))
        yield from _names(e for s in p.switches for e in (s.when, s.chance))


def _pattern(node: ast.expr) -> str | None:
    """A looked-up name as a regular expression: a string as itself, an f-string with each placeholder
    standing for one name segment; None for anything else, or a pattern with no fixed text at all."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value)
    if isinstance(node, ast.JoinedStr):
        texts = [v.value if isinstance(v, ast.Constant) else None for v in node.values]
        fixed = "".join(str(t) for t in texts if t is not None)
        parts = ["[a-z0-9_]+" if t is None else re.escape(str(t)) for t in texts]
        return "".join(parts) if "." in fixed or "_" in fixed else None
    return None


def _lookups(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        key: ast.expr | None = None
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            key = node.slice
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and node.args
        ):
            key = node.args[0]
        if key is not None and (pattern := _pattern(key)) is not None:
            yield pattern


def code_reads(indicators: Iterable[str], root: Path = GAME) -> set[str]:
    """Indicators the game's own Python looks up by name (outside the views and the rule compiler)."""
    patterns: set[str] = set()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if any(rel == d or rel.startswith(d) for d in _DISPLAY):
            continue
        patterns.update(_lookups(ast.parse(path.read_text(encoding="utf-8"))))
    compiled = [re.compile(p) for p in patterns]
    return {i for i in indicators if any(c.fullmatch(i) for c in compiled)}


def read(rb: Rulebook, personas: bool = True) -> set[str]:
    """Indicators something in the game reads (see the module's docstring for what counts); without
    ``personas``, what the rules, scores, objectives and coded mechanisms read, the bots apart."""
    names = set(_names(_rule_exprs(rb))) | set(_names(_scenario_exprs(rb)))
    if personas:
        names |= set(_persona_reads(rb))
    names |= {n.removeprefix("mean.") for n in names}
    return (names & set(rb.indicators)) | code_reads(rb.indicators)


def unread(rb: Rulebook) -> list[str]:
    """Indicators written by some effect or formula but read by nothing, sorted."""
    return sorted(written(rb) - read(rb))


def persona_only(rb: Rulebook) -> list[str]:
    """Written indicators that only the personas read: the bots value them, but no rule, score or
    objective does, so a human player moving them gains nothing the game counts."""
    return sorted((written(rb) - read(rb, personas=False)) - set(unread(rb)))
