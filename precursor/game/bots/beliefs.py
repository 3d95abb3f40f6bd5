"""What a bot believes: its team's view read into an expression environment, kept from view to view.

A bot knows only what its team's view shows: displayed values (lagged and noisy where the team sees
them so), the scenario's public starting values, and the rulebook's neutral defaults for whatever the
team cannot see. Reading a whole view afresh every phase would cost more than deciding, so a bot keeps
its environment and reads again only the dashboard entries that changed (``Beliefs``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from precursor.game.bots.fast_view import VALUE_PARTS, Shown
from precursor.game.expr import HISTORY_KEY
from precursor.game.rulebook import Rulebook


def exact(rb: Rulebook, name: str, team: str) -> bool:
    """Whether the team's view gives a name's true current value (so the bot's checks match the engine's)."""
    ind = rb.indicators.get(name)
    if ind is not None:
        if ind.owner == team:
            return True
        fog = ind.fog_by_team.get(team, ind.fog)  # type: ignore[call-overload]
        return ind.public and not fog.hidden and fog.lag == 0 and fog.noise == 0
    if name.startswith(("played.", "streak.", "count.")):
        lv = rb.levers.get(name.split(".", 1)[1])
        return lv is not None and lv.team == team
    return name.startswith(("param.", "act.", "window.", "module.")) or name in (
        "turn",
        "turns",
        "month",
        "month_index",
        "months_per_turn",
    )


_TEMPLATES: dict[int, dict[str, Any]] = {}


def _template(rb: Rulebook) -> dict[str, Any]:
    """The names every bot environment has, with neutral values; copied, then filled from a view."""
    tpl = _TEMPLATES.get(rb.serial)
    if tpl is None:
        from precursor.game.engine import static_names

        tpl = dict(static_names(rb))  # lever counters, windows, modules, tallies: as at a game's start
        for iid, ind in rb.indicators.items():
            tpl[iid] = ind.default
            tpl[f"start.{iid}"] = ind.default
            tpl[f"mean.{iid}"] = ind.default
            tpl[f"trend.{iid}"] = 0.0
        _TEMPLATES[rb.serial] = tpl
    return tpl


_NAMES: dict[int, dict[str, tuple[str, str, str]]] = {}


def _names(rb: Rulebook) -> dict[str, tuple[str, str, str]]:
    names = _NAMES.get(rb.serial)
    if names is None:
        names = {iid: (f"trend.{iid}", f"start.{iid}", f"mean.{iid}") for iid in rb.indicators}
        _NAMES[rb.serial] = names
    return names


def env_from_view(rb: Rulebook, view: dict[str, Any]) -> dict[str, Any]:
    """An expression environment built only from a view: displayed values, the scenario's public
    starting values, and the rulebook's defaults for whatever the team cannot see."""
    env = _start_env(rb, view.get("start", {}))
    hist: dict[str, list[float]] = {}
    env[HISTORY_KEY] = hist
    names = _names(rb)
    for item in view["indicators"]:
        _show(env, hist, names, item)
    _overlay(rb, env, view)
    return env


def _start_env(rb: Rulebook, start: dict[str, Any]) -> dict[str, Any]:
    """The neutral environment with the scenario's public starting values laid over it."""
    env: dict[str, Any] = dict(_template(rb))
    names = _names(rb)
    for iid, v in start.items():
        _, start_k, mean_k = names[iid]
        env[iid] = v
        env[start_k] = v
        env[mean_k] = v
    return env


def _show(
    env: dict[str, Any],
    hist: dict[str, list[float]],
    names: dict[str, tuple[str, str, str]],
    item: dict[str, Any],
) -> None:
    """One dashboard entry into the environment: its value, its series (for ``lag``) and its trend."""
    iid = item["id"]
    env[iid] = item["value"]
    series = item.get("trend") or [item["value"]]
    hist[iid] = series  # read-only: lag() indexes it
    if len(series) >= 4 and series[-4]:
        env[names[iid][0]] = (series[-1] - series[-4]) / abs(series[-4]) * 100


def _overlay(rb: Rulebook, env: dict[str, Any], view: dict[str, Any]) -> None:
    """The parts of a view that change without the dashboard changing: clock, windows, counts, capital."""
    sc = view["scenario"]
    env.update(
        {
            "turn": view["turn"],
            "turns": sc["turns"],
            "months_per_turn": sc["months_per_turn"],
            "month": int(view["date"][5:7]) if view.get("date") else 1,
            "month_index": (view["turn"] - 1) * sc["months_per_turn"],
        }
    )
    for k, v in view.get("windows", {}).items():
        env[f"window.{k}"] = v
    for k, v in view.get("modules", {}).items():
        env[f"module.{k}"] = v
    count_keys = _COUNT_KEYS
    for lid, c in view.get("counts", {}).items():
        keys = count_keys.get(lid)
        if keys is None:
            keys = count_keys[lid] = (f"played.{lid}", f"streak.{lid}", f"count.{lid}")
        env[keys[0]] = c["played"]
        env[keys[1]] = c["streak"]
        env[keys[2]] = c["count"]
    for t, v in view.get("pc", {}).items():
        env[f"{t}.pc"] = v
    _partners_done(rb, env, view)


def _partners_done(rb: Rulebook, env: dict[str, Any], view: dict[str, Any]) -> None:
    """Another team's one-off acts the team knows are behind it: the view counts only the team's own
    levers, so a one-off act a partner promised in a deal whose turn for it is over counts as done
    (``count.<lever>`` 1). Without it the US asked China, every turn of The Record, for the schedule
    listing China had carried out in turn 1, and a China that signed everything scored 35 points above
    its best persona for a promise that bound it to nothing."""
    turn, levers = view["turn"], rb.levers
    for a in view.get("agreements", ()):
        if a.get("status") not in ("signed", "active", "completed"):
            continue
        for c in a.get("clauses", ()):
            lever = levers.get(c["lever"])
            if lever is not None and lever.once and int(c["start_turn"]) < turn:
                key = f"count.{c['lever']}"
                env[key] = max(env.get(key, 0), 1)


_COUNT_KEYS: dict[str, tuple[str, str, str]] = {}  # lever id -> its played., streak. and count. names


@dataclass
class Beliefs:
    """The environment as of the last view, with the dashboard entries and starting values it was built
    from, and the view parts last laid over it (clock, capital, windows, modules, lever counts): bot
    views share them while no value changes (``fast_view.bot_view``), and then there is nothing to lay
    over again."""

    env: dict[str, Any] | None = None
    shown: list[dict[str, Any]] | dict[str, Shown] | None = None
    start: dict[str, Any] | None = None
    overlaid: tuple[Any, ...] | None = None

    def read(self, rb: Rulebook, view: dict[str, Any]) -> dict[str, Any]:
        """The view as an expression environment, kept from one view to the next.

        Views share dashboard entries that have not changed (``views.indicators_for``, ``bot_dashboard``),
        so only the entries that are new objects are read again. The environment is the bot's own: a
        decision that adds names to it (``param.*``, ``act.public``, ``prop.*``) takes them out again
        before it returns.
        """
        env = self.env
        start: dict[str, Any] = view.get("start", {})
        dash: dict[str, Shown] | None = view.get("dashboard")
        shown = view["indicators"] if dash is None else dash
        kept = self.shown
        if env is None or kept is None or start is not self.start or type(kept) is not type(shown):
            env = _build(rb, view, start, dash)
        elif shown is not kept:
            if dash is not None:
                assert isinstance(kept, dict)
                _read_dashboard(rb, env, dash, kept)
                _overlay(rb, env, view)
            elif not _read_indicators(rb, env, view["indicators"], kept):
                env = _build(rb, view, start, dash)
            else:
                _overlay(rb, env, view)
        else:
            laid = self.overlaid
            if laid is None or any(view.get(k) is not x for k, x in zip(VALUE_PARTS, laid, strict=True)):
                _overlay(rb, env, view)  # the same dashboard, but another clock or other values
        self.env, self.shown, self.start = env, shown, start
        self.overlaid = tuple(view.get(k) for k in VALUE_PARTS)
        return env

    def forget(self) -> None:
        """Drop the environment kept from earlier views (the next view builds it afresh)."""
        self.env = self.shown = self.start = self.overlaid = None


def _build(
    rb: Rulebook, view: dict[str, Any], start: dict[str, Any], dash: dict[str, Shown] | None
) -> dict[str, Any]:
    if dash is None:
        return env_from_view(rb, view)
    env = _start_env(rb, start)
    env[HISTORY_KEY] = {}
    _read_dashboard(rb, env, dash, {})
    _overlay(rb, env, view)
    return env


def _read_dashboard(
    rb: Rulebook, env: dict[str, Any], dash: dict[str, Shown], kept: dict[str, Shown]
) -> None:
    """Bot-dashboard entries into the environment (those that are not the same objects as before)."""
    hist: dict[str, list[Any]] = env[HISTORY_KEY]
    names = _names(rb)
    tpl = _template(rb)
    for key, entry in dash.items():
        if kept.get(key) is entry:
            continue
        value, trend, series = entry
        env[key] = value
        trend_k = names[key][0]
        env[trend_k] = tpl[trend_k] if trend is None else trend
        if series is not None:
            hist[key] = series


def _read_indicators(rb: Rulebook, env: dict[str, Any], items: list[dict[str, Any]], kept: Any) -> bool:
    """Full-dashboard entries into the environment; False when the layout differs (build afresh)."""
    if len(items) != len(kept):
        return False
    hist: dict[str, list[float]] = env[HISTORY_KEY]
    names = _names(rb)
    tpl = _template(rb)
    for item, old in zip(items, kept, strict=True):
        if item is old:
            continue
        iid = item["id"]
        if iid != old["id"]:
            return False
        trend_k = names[iid][0]
        value = env[iid] = item["value"]
        series = hist[iid] = item.get("trend") or [value]
        if len(series) >= 4 and series[-4]:
            env[trend_k] = (series[-1] - series[-4]) / abs(series[-4]) * 100
        else:
            env[trend_k] = tpl[trend_k]
    return True
