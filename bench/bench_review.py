"""Debrief speed: a report for a finished 16-turn game, and `compare` over 1,000 bot runs.

No shipped scenario runs 16 turns (the longest, tariffs-and-terror, runs 10 of two months), so the
benchmark loads a copy of it stretched to 16 one-month turns beside the shipped rulebook.

Baseline in the same run: replaying the same log (the floor every report pays, since a report is
built from the replayed game). Goals: a report in under 2 s; compare over 1,000 runs in under 10 s.

    python bench/bench_review.py [--runs 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from precursor.analysis.review import build_report, compare, replay, to_html, to_markdown
from precursor.analysis.runner import play
from precursor.analysis.simulate import resolve_personas, simulate
from precursor.game.bots import BotDriver
from precursor.game.rulebook import Rulebook, default_rulebook, load


def long_rulebook() -> Rulebook:
    src = Path(load.__code__.co_filename).resolve().parent / "data" / "scenarios" / "tariffs-and-terror.yaml"
    if not src.exists():  # running from a source checkout
        src = Path(__file__).resolve().parent.parent / "scenarios" / "tariffs-and-terror.yaml"
    text = src.read_text(encoding="utf-8")
    text = text.replace("id: tariffs-and-terror", "id: long-tariffs", 1)
    text = re.sub(r"(?m)^  turns: \d+", "  turns: 16", text, count=1)
    text = re.sub(r"(?m)^  months_per_turn: \d+", "  months_per_turn: 1", text, count=1)
    tmp = Path(tempfile.mkdtemp()) / "long-tariffs.yaml"
    tmp.write_text(text, encoding="utf-8")
    return load([tmp])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    rb = long_rulebook()
    long_personas = resolve_personas(rb, "long-tariffs")
    game, _ = play(rb, "long-tariffs", 5, None, bots=BotDriver(rb, long_personas, 5))
    log = game.log
    assert game.state.ended and game.state.turns == 16
    print(f"game: tariffs-and-terror stretched to {game.state.turns} turns, {len(log)} events")
    shipped = default_rulebook()  # the batch: the shipped loose-talk
    personas = resolve_personas(shipped, "loose-talk")

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
    game = replay(rb, log)  # the renderers read names, dates and objective conditions from the game
    html = timed(lambda: to_html(report, game))
    md = timed(lambda: to_markdown(report, game, "report_files"))
    print(f"replay (baseline)        {base:8.1f} ms")
    print(f"report, facilitator      {rep:8.1f} ms  ({rep / base:.1f}x replay)")
    print(f"report, audience mx      {team:8.1f} ms")
    print(f"render html / md         {html:8.1f} / {md:.1f} ms   (goal: whole report < 2000 ms)")
    t0 = time.perf_counter()
    records = simulate("loose-talk", args.runs, 1, personas, workers=2, rb=shipped)
    sim = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = compare(shipped, [], records)
    cmp_ms = (time.perf_counter() - t0) * 1000
    print(f"simulate {args.runs} runs        {sim:8.1f} s  (to make the batch; not part of compare)")
    print(f"compare {result['games']} runs         {cmp_ms:8.1f} ms  (goal: < 10 s)")


if __name__ == "__main__":
    main()
