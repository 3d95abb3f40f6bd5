"""The names rulebook expressions may read, by where the expression stands (a lever, an on_act rule,
a scenario), so a misspelt or out-of-place name is caught at load time rather than mid-game."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from precursor.game import schema as S
from precursor.game.expr import Symbols, Type

WINDOWS = ("us_campaign", "mx_campaign", "ca_campaign", "us_lame_duck", "mx_transition", "cn_political")
CLOCK = ("turn", "turns", "month", "month_index", "months_per_turn")


def base_symbols(
    indicators: Mapping[str, S.Indicator], lever_ids: Iterable[str], extra: Mapping[str, Type] | None = None
) -> dict[str, Type]:
    names: dict[str, Type] = {i: ind.type for i, ind in indicators.items()}
    for c in CLOCK:
        names[c] = "num"
    for lid in lever_ids:
        names[f"played.{lid}"] = "bool"
        names[f"streak.{lid}"] = "num"
        names[f"count.{lid}"] = "num"
    for w in WINDOWS:
        names[f"window.{w}"] = "bool"
    for m in ("t1", "t2", "t3", "t4", "t5"):
        names[f"module.{m}"] = "bool"
    for t in (*S.TEAMS, "total", "trilateral"):
        names[f"agreements.{t}"] = "num"
    for t in S.TEAMS:
        names[f"reneged.{t}"] = "num"
        names[f"secret.{t}"] = "num"
        names[f"agr.{t}"] = "num"
        names[f"badges.{t}"] = "num"
    if extra:
        names.update(extra)
    return names


def with_history(
    names: Mapping[str, Type],
    indicators: Mapping[str, S.Indicator],
    constants: Mapping[str, int | float] | None = None,
) -> Symbols:
    """``names`` plus every indicator's starting value and every numeric one's running mean, and the
    named parameters (``par.<id>``) when given."""
    start: dict[str, Type] = {f"start.{i}": ind.type for i, ind in indicators.items()}
    mean: dict[str, Type] = {f"mean.{i}": "num" for i, ind in indicators.items() if ind.type == "num"}
    return Symbols(names={**names, **start, **mean}, constants=dict(constants or {}))


def parameter_constants(parameters: Mapping[str, S.Parameter]) -> dict[str, int | float]:
    """What ``par.<id>`` stands for in expressions."""
    return {f"par.{pid}": p.value for pid, p in parameters.items()}


def lever_symbols(base: Symbols, params: list[S.Param]) -> Symbols:
    names: dict[str, Type] = dict(base.names)
    names["act.public"] = "bool"
    for p in params:
        names[f"param.{p.id}"] = "bool" if p.type == "bool" else "str" if p.type == "choice" else "num"
    return Symbols(names=names, constants=base.constants)


def act_symbols(base: Symbols) -> Symbols:
    names: dict[str, Type] = dict(base.names)
    names["act.public"] = "bool"
    names["act.military"] = "bool"
    names["act.cost"] = "num"
    names["act.sovereignty"] = "num"
    return Symbols(names=names, constants=base.constants)
