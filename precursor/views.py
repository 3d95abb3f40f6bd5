"""What each audience may see: the one place that decides it.

Audiences are a team id (``us``, ``mx``, ``cn``, ``ca``), ``public`` (observers and the press) and
``facilitator`` (everything). The server, the reports and the bots all ask this module; nothing else
filters events or state. Teams see indicators through fog: a reporting lag in months and a relative
noise, fixed per team and month so that asking twice never reveals more than asking once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .rng import roll
from .schema import TEAMS

if TYPE_CHECKING:
    from .engine import Game
    from .rulebook import Rulebook

FACILITATOR = "facilitator"
PUBLIC = "public"
Audience = str

_PER_LEVER = ("played.", "streak.", "count.")


def can_see(ev: dict[str, Any], audience: Audience) -> bool:
    """Whether an event may reach this audience at all."""
    if audience == FACILITATOR:
        return True
    vis = ev.get("vis", FACILITATOR)
    if vis == "all":
        return True
    if vis == FACILITATOR:
        return False
    return audience in vis


def key_visible(rb: Rulebook, key: str, audience: Audience) -> bool:
    """Whether a team may read the *true, current* value of a state key."""
    if audience == FACILITATOR:
        return True
    ind = rb.indicators.get(key)
    if ind is None:
        if key.startswith(_PER_LEVER):
            lid = key.split(".", 1)[1]
            lever = rb.levers.get(lid)
            return lever is not None and lever.team == audience
        if key.startswith(("secret.", "agr.", "badges.")):
            return key.endswith("." + audience)
        return True  # windows, modules, agreement counts, injects: public facts
    if ind.owner == audience:
        return True
    fog = ind.fog_by_team.get(audience, ind.fog) if audience in TEAMS else ind.fog
    if fog.hidden or not ind.public:
        return False
    return fog.lag == 0 and fog.noise == 0


def redact(rb: Rulebook, ev: dict[str, Any], audience: Audience) -> dict[str, Any] | None:
    """The event as this audience may see it, or None. True values of fogged indicators are removed."""
    if not can_see(ev, audience):
        return None
    if audience == FACILITATOR:
        return ev
    out = ev
    for field in ("changes", "before"):
        ch = ev.get(field)
        if ch:
            hidden = [k for k in ch if not key_visible(rb, k, audience)]
            if hidden:
                if out is ev:
                    out = dict(ev)
                out[field] = {k: v for k, v in ch.items() if k not in hidden}
                if field == "changes":
                    shown = [k for k in hidden if _nameable(rb, k, audience)]
                    if shown:
                        out["unreported"] = sorted(shown)
    if ev.get("type") == "month":
        out = dict(out)
        out["values"] = {k: v for k, v in ev["values"].items() if key_visible(rb, k, audience)}
    if ev.get("type") == "orders_submitted" and audience not in (ev.get("team"),):
        return None
    return out


def _nameable(rb: Rulebook, key: str, audience: Audience) -> bool:
    """A fogged indicator may be named as affected (without its value); a hidden one may not."""
    ind = rb.indicators.get(key)
    if ind is None:
        return False
    fog = ind.fog_by_team.get(audience, ind.fog) if audience in TEAMS else ind.fog
    return ind.public and not fog.hidden


def _noise(game: Game, audience: Audience, key: str, idx: int, noise: float) -> float:
    """One reported month's noise factor: a pure function of the seed, cached (views are rebuilt often)."""
    ck = (audience, key, idx)
    f = game.fog_cache.get(ck)
    if f is None:
        f = 1 + noise * (2 * roll(game.state.seed, f"fog:{audience}:{key}:{idx}") - 1)
        game.fog_cache[ck] = f
    return f


def displayed(game: Game, key: str, audience: Audience) -> dict[str, Any] | None:
    """An indicator as the audience sees it now: value, whether it is an estimate, and its lag."""
    rb, st = game.rb, game.state
    ind = rb.indicators[key]
    if ind.type == "bool":
        if audience != FACILITATOR and (not ind.public and ind.owner != audience):
            return None
        return {"id": key, "value": st.env[key], "estimate": False, "lag": 0}
    if audience == FACILITATOR or ind.owner == audience:
        return {
            "id": key,
            "value": st.env[key],
            "estimate": False,
            "lag": 0,
            "trend": st.history.get(key, [])[-12:],
        }
    fog = ind.fog_by_team.get(audience, ind.fog) if audience in TEAMS else ind.fog
    if fog.hidden or not ind.public:
        return None
    hist = st.history.get(key, [st.env[key]])
    series: list[float] = []
    # the displayed series: each month's value as reported `lag` months later, with that month's noise
    for idx in range(max(0, len(hist) - 12 - fog.lag), len(hist) - fog.lag):
        v = hist[idx]
        if fog.noise:
            v = round(v * _noise(game, audience, key, idx, fog.noise), 4)
        series.append(v)
    if not series:
        v0 = hist[0]
        if fog.noise:
            v0 = round(v0 * _noise(game, audience, key, 0, fog.noise), 4)
        series = [v0]
    return {
        "id": key,
        "value": series[-1],
        "estimate": fog.noise > 0,
        "lag": fog.lag,
        "trend": series,
    }


def indicators_for(game: Game, audience: Audience) -> list[dict[str, Any]]:
    out = []
    for key, ind in game.rb.indicators.items():
        if key.startswith("flag.") and audience != FACILITATOR and ind.type == "num" and not ind.public:
            continue
        d = displayed(game, key, audience)
        if d is None:
            continue
        d.update({"name": ind.name, "unit": ind.unit, "group": ind.group})
        out.append(d)
    return out


def view(game: Game, audience: Audience) -> dict[str, Any]:
    """The whole state as an audience may see it: what a client renders on connect."""
    st, _rb, sc = game.state, game.rb, game.sc.model
    team = audience if audience in TEAMS else None
    fac = audience == FACILITATOR
    chans = [
        c for c in st.channels.values() if fac or c["kind"] == "press" or (team and team in c["members"])
    ]
    chan_ids = {c["id"] for c in chans}
    msgs = [m for m in st.messages if m["channel"] in chan_ids]
    props = [
        p
        for p in st.proposals.values()
        if fac or p["visibility"] == "public" or (team and team in p["parties"])
    ]
    agrs = [
        a
        for a in st.agreements.values()
        if fac or a["visibility"] == "public" or (team and team in a["parties"])
    ]
    tokens = [t for t in st.tokens.values() if fac or t.get("visibility") == "public" or team in ("mx", "us")]
    orders = {k: v for k, v in st.orders.items() if fac or (team and k.startswith(team + "/"))}
    objectives: dict[str, Any] = {}
    for t, obj in sc.objectives.items():
        entry: dict[str, Any] = {"public": obj.public}
        if fac or t == team:
            entry["secret"] = [
                {
                    "id": o.id,
                    "text": o.text,
                    "points": o.points,
                    "check": o.check,
                    "met": st.objectives.get(o.id, {}).get("met"),
                }
                for o in obj.secret
            ]
        objectives[t] = entry
    scores: dict[str, Any] = {}
    # the final score is an event; while the game runs, the estimate is computed from the state on demand
    current = st.scores if st.scores else (running_estimate(game) if st.turn > 0 else {})
    final = bool(current.get("_meta", {}).get("final"))
    for t in TEAMS:
        if current and (fac or final or t == team):
            scores[t] = current.get(t)
    from .engine import add_months

    indicators = indicators_for(game, audience)
    return {
        "audience": audience,
        "scenario": {
            "id": sc.id,
            "title": sc.title,
            "summary": sc.summary,
            "turns": sc.turns,
            "months_per_turn": sc.months_per_turn,
            "start": sc.start,
        },
        "turn": st.turn,
        "phase": st.phase,
        "date": add_months(st.start, st.month_index).isoformat() if st.start else "",
        "seats": st.seats,
        "ready": st.ready,
        "pc": {t: st.env[f"{t}.pc"] for t in TEAMS if fac or t == team},
        "indicators": indicators,
        "channels": chans,
        "messages": msgs[-500:],
        "proposals": props,
        "agreements": agrs,
        "tokens": tokens,
        "orders": orders,
        "objectives": objectives,
        "scores": scores,
        "free_levers": st.free_levers,
        "windows": {k.split(".", 1)[1]: v for k, v in st.env.items() if k.startswith("window.")},
        "modules": {m: bool(st.env[f"module.{m}"]) for m in ("t1", "t2", "t3", "t4", "t5")},
        "start": {
            i["id"]: game.state.env[f"start.{i['id']}"] for i in indicators if not i.get("estimate") or fac
        },
        "levers": levers_for(game, team) if team else [],
        "counts": (
            {
                lid: {
                    "count": st.env[f"count.{lid}"],
                    "streak": st.env[f"streak.{lid}"],
                    "played": st.env[f"played.{lid}"],
                }
                for lid, lv in game.rb.levers.items()
                if lv.team == team
            }
            if team
            else {}
        ),
        "order_limit": sc.order_limit,
        "ended": st.ended,
    }


def levers_for(game: Game, team: str) -> list[dict[str, Any]]:
    """A team's levers as its orders screen shows them: cost and whether each can be ordered now.

    Availability is the engine's own check with default parameters, so a team learns no more than a
    player who tries the order would. Outside the orders phase it says whether it would be legal then.
    """
    from .commands import CommandError, Order

    out = []
    for lid, lv in game.rb.levers.items():
        if lv.team != team:
            continue
        entry: dict[str, Any] = {
            "id": lid,
            "code": lv.code,
            "name": lv.name,
            "seat": game.player_seat_of_lever(lv),
        }
        try:
            o = game.validate_order(team, entry["seat"], Order(lever=lid))
            entry.update(available=True, cost=o["cost"], why_not="")
        except CommandError as exc:
            entry.update(available=False, cost=None, why_not=exc.message)
        out.append(entry)
    return out


def running_estimate(game: Game) -> dict[str, Any]:
    from .scoring import scores

    return scores(game, final=False)


def events_for(game: Game, audience: Audience, since: int = 0) -> list[dict[str, Any]]:
    out = []
    for ev in game.log:
        if ev["seq"] <= since:
            continue
        r = redact(game.rb, ev, audience)
        if r is not None:
            out.append(r)
    return out
