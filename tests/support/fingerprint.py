"""Print a hash of event logs and final states of many games: bot games of every scenario with several
persona sets, and busy scripted games (bench/bench_engine.py's script). Run as a script, so that the
caller chooses which ``precursor`` it imports (an installed compiled build, or a copy of the pure
sources); ``tests/test_compiled.py`` compares the two.

Also prints where ``precursor.game.engine`` was loaded from, and a hash of the package's ``.py`` sources, so
the caller can tell which build ran and whether it is this checkout's code.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[2] / "bench"))  # after the precursor under test

from bench_engine import busy_script, parsed

import precursor.game.engine
from precursor.analysis.runner import play
from precursor.game.bots import BotDriver
from precursor.game.rulebook import default_rulebook

PERSONA_SETS = [
    {"us": "hawk", "mx": "sovereigntist", "cn": "reputation_conscious", "ca": "border_first"},
    {"us": "transactional", "mx": "cooperative", "cn": "deny_and_deflect", "ca": "trilateralist"},
]


def sources_hash() -> str:
    pkg = Path(precursor.game.engine.__file__).parent.parent  # precursor/
    h = hashlib.sha256()
    for f in sorted(f for f in pkg.rglob("*.py") if "data" not in f.relative_to(pkg).parts):
        h.update(str(f.relative_to(pkg)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def main(seeds: int) -> None:
    rb = default_rulebook()
    out: dict[str, str] = {}
    for sid, sc in sorted(rb.scenarios.items()):
        h = hashlib.sha256()
        for personas in [dict(sc.model.personas), *PERSONA_SETS]:
            for seed in range(seeds):
                game, _ = play(rb, sid, seed, None, bots=BotDriver(rb, personas, seed))
                h.update(game.events_jsonl().encode())
                h.update(game.state.snapshot().encode())
        for seed in range(seeds):
            game, _ = play(rb, sid, seed, parsed(busy_script(sc.model.turns)))
            h.update(game.events_jsonl().encode())
            h.update(game.state.snapshot().encode())
        out[sid] = h.hexdigest()
    engine_file = precursor.game.engine.__file__
    print(json.dumps({"engine": engine_file, "sources": sources_hash(), "games": out}))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
