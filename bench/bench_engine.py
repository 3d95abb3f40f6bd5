"""Engine benchmark: rulebook load time, and a whole busy game of the longest scenario.

"Busy" means every team gives its full allowance of four orders every turn, one of them a public
statement-bearing submission, and tables a proposal that its counterpart accepts. The baseline in the
same run is the same game with no commands at all, so the figure for commands is separated from the
cost of the monthly model. When the package under test is the compiled build (``pip install .``, see
setup.py), the same figures for this checkout's pure-Python sources follow, timed in the same run. Run:
``python bench/bench_engine.py [--games N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import which_build
from harness.stats import at_fraction

from precursor.analysis.runner import parse_command, play
from precursor.game.engine import Game
from precursor.game.rulebook import default_rulebook, load

# four levers per team that are legal every turn with the PC they earn (cheap, no once-only, no gates)
ORDERS = {
    "us": [
        {"lever": "us_arms"},
        {"lever": "us_fact"},
        {"lever": "us_hearing"},
        {"lever": "us_travel", "params": {"direction": "lower"}},
    ],
    "mx": [{"lever": "mx_arms"}, {"lever": "mx_blame"}, {"lever": "mx_xi"}, {"lever": "mx_trace"}],
    "cn": [
        {"lever": "cn_deny"},
        {"lever": "cn_narrative"},
        {"lever": "cn_pen"},
        {"lever": "cn_reply_mx", "params": {"answer": "deny"}},
    ],
    "ca": [{"lever": "ca_tri"}, {"lever": "ca_demand", "params": {"level": 1}}],
}
# Canada has few repeatable levers: its one-off levers fill the allowance in the first turns
CA_ONCE = [["ca_lea", "ca_issl"], ["ca_attest", "ca_usmca_enf"], ["ca_border"]]


def orders_for(team: str, turn: int) -> list[dict[str, Any]]:
    orders = list(ORDERS[team])
    if team == "ca" and turn <= len(CA_ONCE):
        orders += [{"lever": lid} for lid in CA_ONCE[turn - 1]]
    if team == "cn" and turn == 1:  # nothing to answer before Mexico has written
        orders[3] = {"lever": "cn_directive"}
    return orders


PARTNER = {"us": "mx", "mx": "us", "cn": "us", "ca": "us"}
CLAUSE = {"us": "us_arms", "mx": "mx_trace", "cn": "cn_pen", "ca": "ca_tri"}


def busy_script(turns: int) -> dict[str, Any]:
    out = []
    for t in range(1, turns + 1):
        cmds: list[dict[str, Any]] = []
        for team in ORDERS:
            p = PARTNER[team]
            cmds.append({"team": team, "type": "message", "channel": "all", "text": f"turn {t} from {team}"})
            cmds.append(
                {
                    "team": team,
                    "type": "propose",
                    "parties": [team, p],
                    "framing": "multilateral" if "cn" in (team, p) else "none",
                    "clauses": [{"actor": team, "lever": CLAUSE[team]}],
                }
            )
        for team in ORDERS:
            p = PARTNER[team]
            cmds.append(
                {"team": p, "type": "respond", "proposal": f"T{t}-{team.upper()}-1", "action": "accept"}
            )
        for team in ORDERS:
            cmds.append(
                {
                    "team": team,
                    "type": "submit_orders",
                    "orders": orders_for(team, t),
                    "statement": {"kind": "praise", "target": PARTNER[team], "text": "Good work, partner."},
                }
            )
        out.append({"turn": t, "commands": cmds})
    return {"turns": out}


def parsed(script: dict[str, Any]) -> dict[str, Any]:
    return {
        "turns": [
            {"turn": t["turn"], "commands": [parse_command(c) for c in t["commands"]]}
            for t in script["turns"]
        ]
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--games", type=int, default=200)
    ap.add_argument("--scenario", default=None, help="default: the scenario with the most turns")
    ap.add_argument("--json", action="store_true", help="print only the medians, as one JSON line")
    args = ap.parse_args()
    say = (lambda *_: None) if args.json else print

    say(f"package under test: {which_build.describe()}")
    loads = []
    for _ in range(7):
        t0 = time.perf_counter()
        load()
        loads.append(time.perf_counter() - t0)
    figures = {"load_ms": statistics.median(loads) * 1000}
    say(
        f"rulebook + scenarios load and validate: median {figures['load_ms']:.0f} ms "
        f"(min {min(loads) * 1000:.0f} ms, 7 runs)"
    )

    rb = default_rulebook()
    sid = args.scenario or max(rb.scenarios.values(), key=lambda s: s.model.turns).model.id
    turns = rb.scenarios[sid].model.turns
    script = busy_script(turns)
    # commands are parsed once, as a server parses each frame once; the timing covers the engine only
    script = parsed(script)
    game, errors = play(rb, sid, 0, script)
    executed = sum(1 for e in game.log if e["type"] == "order_executed")
    say(
        f"scenario {sid}: {turns} turns; busy script: {executed} orders executed, "
        f"{sum(1 for e in game.log if e['type'] == 'agreement')} agreements, {len(game.log)} events, "
        f"{len(errors)} commands refused"
    )
    runs = (("empty_ms", "empty script (baseline)", None), ("busy_ms", "busy script", script))
    for key, label, scr in runs:
        times = []
        for seed in range(args.games):
            t0 = time.perf_counter()
            play(rb, sid, seed, scr)
            times.append(time.perf_counter() - t0)
        times.sort()
        figures[key] = statistics.median(times) * 1000
        say(
            f"  {label:<24} per game: median {figures[key]:.2f} ms, "
            f"p90 {at_fraction(times, 0.9) * 1000:.2f} ms over {args.games} games"
        )
    if args.json:
        print(json.dumps(figures))
        return
    if which_build.is_compiled():
        # a compiled class cannot be patched to time its phase changes; the pure sources can, below
        pure = which_build.run_pure(Path(__file__), ["--games", str(args.games), "--scenario", sid])
        print(
            f"same run, this checkout's pure-Python sources: load {pure['load_ms']:.0f} ms, "
            f"empty script {pure['empty_ms']:.2f} ms, busy script {pure['busy_ms']:.2f} ms per game "
            f"(compiled/pure: ×{figures['busy_ms'] / pure['busy_ms']:.2f} on the busy game)"
        )
        return
    _turn_resolution(rb, sid, script, args.games)


def _turn_resolution(rb: Any, sid: str, script: dict[str, Any], games: int) -> None:
    """The same busy games, counting only the engine's phase changes (turn resolution, epilogue,
    scoring), not the handling of the 160 negotiation and order commands that precede them."""
    spent = [0.0]
    original = Game.advance

    def timed(self: Game) -> None:
        t0 = time.perf_counter()
        original(self)
        spent[0] += time.perf_counter() - t0

    Game.advance = timed  # type: ignore[method-assign]
    try:
        for seed in range(games):
            play(rb, sid, seed, script)
    finally:
        Game.advance = original  # type: ignore[method-assign]
    print(f"  {'of which turn resolution':<24} per game: mean {spent[0] / games * 1000:.2f} ms")


if __name__ == "__main__":
    main()
