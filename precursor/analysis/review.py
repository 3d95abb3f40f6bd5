"""After-action review: export and import of event logs, debrief reports, forks and grading.

Everything here reads the event log and asks :mod:`precursor.game.views` what an audience may see, so a
report for Mexico is built only from what Mexico was shown: the events that reached it (redacted as
they reached it) and its own view of the final state. Nothing here talks to a store or a network;
the CLI reads and writes the files and stores.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable
from html import escape
from typing import Any, cast

from precursor.analysis import charts
from precursor.analysis.logs import upcast
from precursor.game.engine import Game
from precursor.game.events import Event, EventFields, GameCreated, LogEvent, typed
from precursor.game.rulebook import Rulebook
from precursor.game.schema import TEAMS
from precursor.game.views import FACILITATOR, events_for, view

AUDIENCES = (FACILITATOR, *TEAMS, "public")
KEY_INDICATORS = (
    "us.od_synth",
    "flow.north",
    "mx.homicides",
    "mx.st",
    "migration.flow",
    "us.approval",
    "mx.approval",
    "trust.us_mx",
    "cn.irritation",
    "multi.pci",
)


# ---------------------------------------------------------------------- export / import


def dumps(events: Iterable[LogEvent]) -> str:
    """JSON lines, keys sorted: the canonical, lossless form of a game."""
    return "".join(
        json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n" for e in events
    )


def loads(text: str) -> list[LogEvent]:
    out: list[LogEvent] = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            ev = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"line {i}: not JSON ({exc})") from None
        if not isinstance(ev, dict) or "type" not in ev or "seq" not in ev:
            raise ValueError(f"line {i}: an event is an object with 'type' and 'seq'")
        if ev["seq"] != len(out) + 1:
            raise ValueError(f"line {i}: expected seq {len(out) + 1}, found {ev['seq']}")
        out.append(ev)
    if not out or out[0]["type"] != "game_created":
        raise ValueError("the log must start with a game_created event")
    return upcast(out)


def replay(rb: Rulebook, events: list[LogEvent]) -> Game:
    return Game.replay(rb, [dict(e) for e in events])


# ---------------------------------------------------------------------- fork


def fork_prefix(events: list[LogEvent], turn: int) -> list[LogEvent]:
    """The log up to the start of turn ``turn``: through its briefing, before its negotiation begins."""
    for i, ev in enumerate(map(typed, events)):
        if ev["type"] == "phase" and ev["turn"] == turn and ev["phase"] == "negotiation":
            return [dict(e) for e in events[:i]]
    raise ValueError(f"the game never reached the negotiation of turn {turn}")


def reseed(events: list[LogEvent], seed: int) -> list[LogEvent]:
    """A fork whose future rolls differ: the created event's seed is what later rolls derive from."""
    out = [dict(e) for e in events]
    out[0] = {**out[0], "seed": seed}
    return out


# ---------------------------------------------------------------------- the debrief


def build_report(rb: Rulebook, events: list[LogEvent], audience: str = FACILITATOR) -> dict[str, Any]:
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {', '.join(AUDIENCES)}")
    game = replay(rb, events)
    seen = events_for(game, audience)
    final = view(game, audience)
    sc = game.sc.model
    return {
        "game": {
            "scenario": sc.id,
            "title": sc.title,
            "summary": sc.summary,
            "seed": game.state.seed if audience == FACILITATOR else None,
            "turns": game.state.turns,
            "turns_played": game.state.turn,
            "ended": game.state.ended,
            "audience": audience,
            "events": len(seen),
        },
        "timeline": _timeline(seen, rb),
        "indicators": _indicators(final),
        "agreements": _agreements(final, seen),
        "red_lines": _red_lines(seen),
        "scores": final.get("scores", {}),
        "objectives": final.get("objectives", {}),
        "bot_reasons": [
            {"turn": e["turn"], "team": e["team"], "decision": e["decision"], "text": e["text"]}
            for e in map(typed, seen)
            if e["type"] == "note" and e["decision"] not in ("", None, "message")
        ][:200],
        "questions": _questions(seen, final, audience),
    }


def _timeline_item(e: Event, rb: Rulebook) -> str | None:
    """The line an event adds to its turn in the timeline, or None."""
    if e["type"] == "inject":
        return f"Inject: {e['title']} — {e['text']}"
    if e["type"] == "order_executed":
        lv = rb.levers.get(e["lever"])
        name = f"{lv.code} {lv.name}" if lv is not None else e["lever"]
        return f"{e['team'].upper()} {name}"
    if e["type"] == "order_failed":
        return f"{e['team'].upper()} order failed: {e['reason'] or e['lever']}"
    if e["type"] == "agreement":
        parties = ", ".join(t.upper() for t in e["agreement"]["parties"])
        return f"Agreement signed by {parties} ({e['agreement']['id']})"
    if e["type"] == "statement":
        return f"{e['team'].upper()} statement: {e['reason']}"
    if e["type"] in ("election", "compliance"):
        return e["reason"]
    return None


def _timeline(seen: list[LogEvent], rb: Rulebook) -> list[dict[str, Any]]:
    turns: dict[int, dict[str, Any]] = {}
    for e in map(typed, seen):
        t = e.get("turn")
        if not isinstance(t, int) or t < 1:
            continue
        entry = turns.setdefault(t, {"turn": t, "date": "", "items": [], "messages": 0, "proposals": 0})
        if e["type"] == "phase" and e["phase"] == "briefing":
            entry["date"] = e.get("date", "")
        elif e["type"] == "message":
            entry["messages"] += 1
        elif e["type"] == "proposal":
            entry["proposals"] += 1
        elif e["type"] == "effect" and e["rule"].startswith(("a3.", "a2.", "facilitator.")):
            entry["items"].append(f"{e['rule']}: {e['reason']}")
        item = _timeline_item(e, rb)
        if item is not None:
            entry["items"].append(item)
    return [turns[t] for t in sorted(turns)]


def _indicators(final: dict[str, Any]) -> list[dict[str, Any]]:
    by_id = {i["id"]: i for i in final.get("indicators", [])}
    out = []
    for iid in KEY_INDICATORS:
        ind = by_id.get(iid)
        if ind is None:
            continue
        out.append(
            {
                "id": iid,
                "name": ind.get("name", iid),
                "unit": ind.get("unit", ""),
                "series": list(ind.get("trend", [])),
                "estimate": bool(ind.get("estimate")),
                "lag": ind.get("lag", 0),
            }
        )
    return out


def _agreements(final: dict[str, Any], seen: list[LogEvent]) -> list[dict[str, Any]]:
    out = []
    for a in final.get("agreements", []):
        record = [c for c in map(typed, seen) if c["type"] == "compliance" and c["agreement"] == a["id"]]
        out.append(
            {
                "id": a["id"],
                "parties": a["parties"],
                "signed_turn": a.get("signed_turn"),
                "ends_turn": a.get("ends_turn"),
                "status": a.get("status"),
                "clauses": [
                    f"{c['actor'].upper()} {c['lever']} {c.get('params') or ''}".strip() for c in a["clauses"]
                ],
                "kept": sum(1 for c in record if c["met"]),
                "broken": sum(1 for c in record if c["met"] is False),
                "record": [
                    {"turn": c["turn"], "team": c["team"], "met": c["met"], "why": c["reason"]}
                    for c in record
                ],
            }
        )
    return out


def _red_lines(seen: list[LogEvent]) -> list[dict[str, Any]]:
    """Each band reached or line crossed, with the events that drove tension up in the turns before."""
    out: list[dict[str, Any]] = []
    drivers: list[dict[str, Any]] = []
    for ev in seen:
        e = cast(EventFields, ev)  # what raised tension, whatever the type of event that did
        ch = e.get("changes") or {}
        before = e.get("before") or {}
        rule = str(e.get("rule", ""))
        if "mx.st" in ch and isinstance(before.get("mx.st"), int | float) and ch["mx.st"] > before["mx.st"]:
            drivers.append(
                {
                    "turn": e.get("turn"),
                    "what": e.get("reason") or e.get("name") or rule,
                    "rule": rule or e.get("lever"),
                    "delta": round(ch["mx.st"] - before["mx.st"], 2),
                }
            )
        elif "mx.st" in (e.get("unreported") or []):
            drivers.append(
                {"turn": e.get("turn"), "what": e.get("reason") or rule, "rule": rule, "delta": None}
            )
        level = {"a2.defensive": "approached (defensive band)", "a2.crisis": "approached (crisis band)"}.get(
            rule
        )
        if rule == "a3.hard_red_line":
            level = "CROSSED: the hard red line"
        elif rule.startswith("cs") and typed(ev)["type"] == "effect":
            level = f"China's sensitivity: {rule}"
        if level and not any(r["level"] == level and r["turn"] == e.get("turn") for r in out):
            t = e.get("turn") or 0
            chain = [d for d in drivers if isinstance(d["turn"], int) and t - 2 <= d["turn"] <= t][-8:]
            out.append({"turn": t, "level": level, "reason": e.get("reason", ""), "chain": chain})
    return out


def _questions(seen: list[LogEvent], final: dict[str, Any], audience: str) -> list[str]:
    qs = []
    kinds = {e["type"] for e in map(typed, seen)}
    rules = {str(cast(EventFields, e).get("rule", "")) for e in seen}
    if "a3.hard_red_line" in rules:
        qs.append(
            "The hard red line was crossed. Which earlier choice made it likely; who could have stopped it?"
        )
    elif "a2.crisis" in rules or "a2.defensive" in rules:
        qs.append(
            "Sovereignty tension reached a band where Mexico limited cooperation. What raised it? Worth it?"
        )
    if "agreement" in kinds:
        broken = [e for e in map(typed, seen) if e["type"] == "compliance" and e["met"] is False]
        qs.append(
            "An agreement was broken. What did the party that broke it gain, and what did it cost them later?"
            if broken
            else "Every agreement was kept. What made the commitments credible?"
        )
    else:
        qs.append("No agreement was signed. What stood in the way of a deal both sides could accept?")
    if "election" in kinds:
        qs.append("An election fell inside the game. How did the calendar change what each team could offer?")
    if "inject" in kinds:
        qs.append("Which inject changed the game most, and how did your team adapt?")
    scores = final.get("scores", {})
    if scores:
        best = max((t for t in scores if scores[t]), key=lambda t: scores[t].get("total", 0), default=None)
        if best:
            qs.append(f"{best.upper()} scored highest. Which of its moves mattered most?")
    if audience in TEAMS:
        qs.append(
            "What did your team not know during the game that you know now? Would it have changed your play?"
        )
    qs.append("If you played again from turn 1, what is the one thing you would do differently?")
    return qs


# ---------------------------------------------------------------------- renderers


def to_markdown(report: dict[str, Any]) -> str:
    g = report["game"]
    done = " · finished" if g["ended"] else ""
    played = f"{g['turns_played']} of {g['turns']} turns{done}"
    head = f"*Audience: {g['audience']} · scenario `{g['scenario']}` · {played}*"
    lines = [f"# Debrief: {g['title']}", "", head, "", g["summary"], ""]
    lines += ["## Timeline", ""]
    for t in report["timeline"]:
        lines.append(
            f"### Turn {t['turn']} ({t['date']}) — {t['messages']} messages, {t['proposals']} proposals"
        )
        lines += [f"- {item}" for item in t["items"][:40]] or ["- (nothing reported)"]
        lines.append("")
    lines += ["## Indicators", ""]
    for ind in report["indicators"]:
        svg = charts.line_chart(ind["name"], {ind["id"]: ind["series"]}, ind["unit"])
        note = " (estimated)" if ind["estimate"] else ""
        lines += [f"![{ind['name']}{note}]({charts.data_uri(svg)})", ""]
    lines += ["## Agreements", ""]
    for a in report["agreements"] or []:
        lines.append(
            f"- **{a['id']}** ({', '.join(p.upper() for p in a['parties'])}, turn {a['signed_turn']}): "
            f"{'; '.join(a['clauses'])} — kept {a['kept']}, broken {a['broken']}"
        )
    if not report["agreements"]:
        lines.append("- none")
    lines += ["", "## Red lines", ""]
    for r in report["red_lines"] or []:
        lines.append(f"- Turn {r['turn']}: **{r['level']}** — {r['reason']}")
        for d in r["chain"]:
            delta = "" if d["delta"] is None else f" (+{d['delta']})"
            lines.append(f"  - T{d['turn']}: {d['what']}{delta}")
    if not report["red_lines"]:
        lines.append("- none approached")
    lines += ["", "## Scores", ""]
    for team, s in report["scores"].items():
        if not s:
            continue
        comps = ", ".join(
            f"{c.get('name', k)} {c.get('points', 0):+.1f}" for k, c in (s.get("components") or {}).items()
        )
        lines.append(f"- **{team.upper()} {s.get('total', 0):+.1f}** — {comps}")
    if report["bot_reasons"]:
        lines += ["", "## Why the bots did what they did", ""]
        lines += [
            f"- T{b['turn']} {str(b['team']).upper()} {b['decision']}: {b['text']}"
            for b in report["bot_reasons"][:60]
        ]
    lines += ["", "## Debrief questions", ""]
    lines += [f"{i}. {q}" for i, q in enumerate(report["questions"], 1)]
    return "\n".join(lines) + "\n"


def to_html(report: dict[str, Any]) -> str:
    g = report["game"]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Debrief: {escape(g['title'])}</title>",
        "<style>body{font-family:sans-serif;max-width:60rem;margin:auto;padding:1rem}"
        "figure{display:inline-block;margin:.3rem}li{margin:.15rem 0}</style></head><body>",
        f"<h1>Debrief: {escape(g['title'])}</h1>",
        f"<p><em>Audience: {escape(g['audience'])} · scenario {escape(g['scenario'])} · "
        f"{g['turns_played']} of {g['turns']} turns</em></p><p>{escape(g['summary'])}</p>",
        "<h2>Timeline</h2>",
    ]
    for t in report["timeline"]:
        parts.append(f"<h3>Turn {t['turn']} ({escape(t['date'])})</h3><ul>")
        parts += [f"<li>{escape(i)}</li>" for i in t["items"][:40]]
        parts.append("</ul>")
    parts.append("<h2>Indicators</h2>")
    for ind in report["indicators"]:
        parts.append(
            f"<figure>{charts.line_chart(ind['name'], {ind['id']: ind['series']}, ind['unit'])}</figure>"
        )
    parts.append("<h2>Agreements</h2><ul>")
    for a in report["agreements"]:
        who, what = escape(", ".join(a["parties"])), escape("; ".join(a["clauses"]))
        parts.append(
            f"<li><b>{escape(a['id'])}</b> ({who}): {what} — kept {a['kept']}, broken {a['broken']}</li>"
        )
    parts.append("</ul><h2>Red lines</h2><ul>")
    for r in report["red_lines"]:
        chain = "".join(f"<li>T{d['turn']}: {escape(str(d['what']))}</li>" for d in r["chain"])
        parts.append(
            f"<li>Turn {r['turn']}: <b>{escape(r['level'])}</b> — {escape(r['reason'])}<ul>{chain}</ul></li>"
        )
    parts.append("</ul><h2>Scores</h2><ul>")
    for team, s in report["scores"].items():
        if s:
            parts.append(f"<li><b>{team.upper()}</b> {s.get('total', 0):+.1f}</li>")
    parts.append("</ul>")
    if report["bot_reasons"]:
        parts.append("<h2>Why the bots did what they did</h2><ul>")
        parts += [
            f"<li>T{b['turn']} {escape(str(b['team']))}: {escape(str(b['text']))}</li>"
            for b in report["bot_reasons"][:60]
        ]
        parts.append("</ul>")
    parts.append("<h2>Debrief questions</h2><ol>")
    parts += [f"<li>{escape(q)}</li>" for q in report["questions"]]
    parts.append("</ol></body></html>")
    return "\n".join(parts)


# ---------------------------------------------------------------------- grading


def pseudonym(name: str, salt: str) -> str:
    return "player-" + hashlib.sha256(f"{salt}:{name}".encode()).hexdigest()[:8]


def grades(events: list[LogEvent], anonymize: bool = False) -> str:
    """One CSV row per player: what each contributed, from the log's own record of who did what."""
    players: dict[str, dict[str, Any]] = {}
    salt = str(cast(GameCreated, events[0])["seed"]) + str(len(events))

    def row(name: str, team: str | None) -> dict[str, Any]:
        key = f"{team}:{name}"
        if key not in players:
            players[key] = {
                "player": pseudonym(name, salt) if anonymize else name,
                "team": team or "",
                "messages": 0,
                "proposals_drafted": 0,
                "proposals_signed": 0,
                "orders_submitted": 0,
                "orders_phases": 0,
                "deadlines_met": 0,
                "agreements_honoured": 0,
                "agreements_broken": 0,
            }
        return players[key]

    for e in map(typed, events):
        if e["type"] == "session" and e["op"] == "join" and e["role"] == "player":
            row(e["name"], e["team"])
    by_team: dict[str, list[dict[str, Any]]] = {}
    for r in players.values():
        by_team.setdefault(r["team"], []).append(r)
    signed: set[str] = set()
    met: set[tuple[Any, Any, Any]] = set()  # (player, team, turn): orders in before the phase ended
    orders_phases = 0
    for e in map(typed, events):
        if e["type"] == "message" and e["name"] and not e["name"].startswith("bot:"):
            row(e["name"], e["team"])["messages"] += 1
        elif (
            e["type"] == "proposal"
            and e["proposal"].get("by")
            and not str(e["proposal"]["by"]).startswith("bot:")
        ):
            row(e["proposal"]["by"], e["proposal"]["from"])["proposals_drafted"] += 1
        elif e["type"] == "agreement":
            signed.add(e["agreement"]["proposal"])
        elif e["type"] == "orders_submitted" and e["by"] and not e["by"].startswith("bot:"):
            r = row(e["by"], e["team"])
            r["orders_submitted"] += 1
            met.add((e["by"], e["team"], e["turn"]))
        elif e["type"] == "phase" and e["phase"] == "orders":
            orders_phases += 1
    for e in map(typed, events):
        if e["type"] == "proposal" and e["proposal"]["id"] in signed and e["proposal"].get("by"):
            key = f"{e['proposal']['from']}:{e['proposal']['by']}"
            if key in players:
                players[key]["proposals_signed"] += 1
        elif e["type"] == "compliance":
            for r in by_team.get(e["team"], []):
                r["agreements_honoured" if e["met"] else "agreements_broken"] += 1
    for name, team, _turn in met:
        players[f"{team}:{name}"]["deadlines_met"] += 1  # late orders are refused, so submitted = on time
    for r in players.values():
        r["orders_phases"] = orders_phases
    buf = io.StringIO()
    fields = [
        "player",
        "team",
        "messages",
        "proposals_drafted",
        "proposals_signed",
        "orders_submitted",
        "orders_phases",
        "deadlines_met",
        "agreements_honoured",
        "agreements_broken",
    ]
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    for r in sorted(players.values(), key=lambda r: (r["team"], r["player"])):
        w.writerow(r)
    return buf.getvalue()


# ---------------------------------------------------------------------- counterfactuals and comparisons


def outcome(game: Game) -> dict[str, Any]:
    """A finished game reduced to the numbers a comparison needs (true values: this is analysis)."""
    env, scores = game.state.env, game.state.scores
    out: dict[str, Any] = {f"score_{t}": float(scores[t]["total"]) if t in scores else None for t in TEAMS}
    out.update(
        {
            "od_synth": float(env["us.od_synth"]),
            "mx_st": float(env["mx.st"]),
            "hrl": float(env["flag.hrl_count"]) > 0,
            "agreements": sum(1 for e in game.log if e["type"] == "agreement"),
            "ended": game.state.ended,
        }
    )
    return out


def counterfactual(
    rb: Rulebook, events: list[LogEvent], turn: int, runs: int, seed: int, personas: dict[str, str]
) -> dict[str, Any]:
    """Bots play the game on from the start of ``turn``, ``runs`` times with fresh rolls, and the spread
    of outcomes is set beside what actually happened ("had the US not struck in turn 4 …")."""
    from precursor.analysis.runner import play
    from precursor.analysis.simulate import run_seed
    from precursor.game.bots import BotDriver

    prefix = fork_prefix(events, turn)
    scenario = cast(GameCreated, prefix[0])["scenario"]
    results = []
    for r in range(runs):
        s = run_seed(seed, r) & 0x7FFFFFFF
        game = replay(rb, reseed(prefix, s))
        game, _ = play(rb, scenario, s, None, bots=BotDriver(rb, personas, s), game=game)
        results.append(outcome(game))
    actual_game = replay(rb, events)
    return {
        "scenario": scenario,
        "from_turn": turn,
        "runs": runs,
        "actual": outcome(actual_game) if actual_game.state.ended else None,
        "distribution": distribution(results),
        "records": results,
    }


_NOT_OUTCOMES = frozenset({"run", "seed", "scenario", "refused", "turns", "modules"})


def distribution(records: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per numeric field: mean and quartiles; per boolean: the rate."""
    out: dict[str, dict[str, float]] = {}
    if not records:
        return out
    keys: dict[str, None] = {}
    for r in records:
        keys.update(dict.fromkeys(k for k in r if k not in _NOT_OUTCOMES and not k.startswith("persona_")))
    for key in keys:
        vals = [r[key] for r in records if r.get(key) is not None]
        if not vals:
            continue
        if all(isinstance(v, bool) for v in vals):
            out[key] = {"rate": round(sum(vals) / len(vals), 4)}
        elif all(isinstance(v, int | float) for v in vals):
            xs = sorted(float(v) for v in vals)
            n = len(xs)
            out[key] = {
                "mean": round(sum(xs) / n, 4),
                "p25": xs[n // 4],
                "median": xs[n // 2],
                "p75": xs[min(n - 1, (3 * n) // 4)],
                "min": xs[0],
                "max": xs[-1],
            }
    return out


def compare(
    rb: Rulebook, games: list[list[LogEvent]] | None = None, records: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Several games of one scenario (classroom tables, or a batch of bot runs) side by side."""
    rows: list[dict[str, Any]] = list(records or [])
    agreements: dict[str, int] = {}
    divergence: list[dict[str, Any]] = []
    firsts: list[list[str]] = []
    for events in games or []:
        game = replay(rb, events)
        rows.append(outcome(game))
        log = [typed(e) for e in game.log]
        for e in log:
            if e["type"] == "agreement":
                key = (
                    "+".join(sorted(e["agreement"]["parties"]))
                    + ": "
                    + ", ".join(sorted({c["lever"] for c in e["agreement"]["clauses"]}))
                )
                agreements[key] = agreements.get(key, 0) + 1
        firsts.append(
            [f"T{e['turn']} {e['team']} {e['lever']}" for e in log if e["type"] == "order_executed"]
        )
    if len(firsts) >= 2:
        # where play diverged: the first executed order at which the games stop agreeing
        n = min(len(f) for f in firsts)
        at = next((i for i in range(n) if len({f[i] for f in firsts}) > 1), None)
        if at is not None:
            divergence.append({"index": at, "orders": sorted({f[at] for f in firsts})})
    return {
        "games": len(rows),
        "distribution": distribution(rows),
        "agreements": dict(sorted(agreements.items(), key=lambda kv: -kv[1])),
        "divergence": divergence,
    }
