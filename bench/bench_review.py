"""Debrief speed: a report for the longest finished game the scenarios allow (tariffs-and-terror: 10 turns
of two months; no shipped scenario has 16 turns), and `compare` over 1,000 bot runs.

Baseline in the same run: replaying the same log (the floor every report pays, since a report is
built from the replayed game). Goals: a report in under 2 s; compare over 1,000 runs in under 10 s.

    python bench/bench_review.py [--runs 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

from precursor.bots import BotDriver
from precursor.review import build_report, compare, replay, to_html, to_markdown
from precursor.rulebook import default_rulebook
from precursor.runner import play
from precursor.simulate import resolve_personas, simulate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    rb = default_rulebook()
    long_personas = resolve_personas(rb, "tariffs-and-terror")
    game, _ = play(rb, "tariffs-and-terror", 5, None, bots=BotDriver(rb, long_personas, 5))
    log = game.log
    print(f"game: tariffs-and-terror, {game.state.turns} turns, {len(log)} events")
    personas = resolve_personas(rb, "loose-talk")

    def timed(fn: object) -> float:
        ts = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            fn()  # type: ignore[operator]
            ts.append(time.perf_counter() - t0)
        return statistics.median(ts) * 1000

    base = timed(lambda: replay(rb, log))
    rep = timed(lambda: build_report(rb, log, "facilitator"))
    team = timed(lambda: build_report(rb, log, "mx"))
    report = build_report(rb, log, "facilitator")
    html = timed(lambda: to_html(report))
    md = timed(lambda: to_markdown(report))
    print(f"replay (baseline)        {base:8.1f} ms")
    print(f"report, facilitator      {rep:8.1f} ms  ({rep / base:.1f}x replay)")
    print(f"report, audience mx      {team:8.1f} ms")
    print(f"render html / md         {html:8.1f} / {md:.1f} ms   (goal: whole report < 2000 ms)")
    t0 = time.perf_counter()
    records = simulate("loose-talk", args.runs, 1, personas, workers=2, rb=rb)
    sim = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = compare(rb, [], records)
    cmp_ms = (time.perf_counter() - t0) * 1000
    print(f"simulate {args.runs} runs        {sim:8.1f} s  (to make the batch; not part of compare)")
    print(f"compare {result['games']} runs         {cmp_ms:8.1f} ms  (goal: < 10 s)")


if __name__ == "__main__":
    main()
