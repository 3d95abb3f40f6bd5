"""Why the SQLite store's chat latency has a tail, and what removes it: the WAL auto-checkpoint.

``SqliteStore.append`` runs on the event loop (each append is well under a millisecond). But every
~1,000 WAL pages SQLite's automatic checkpoint runs inside one of those ``COMMIT``s: it copies the WAL
into the database and fsyncs, which takes tens of milliseconds here, and the whole server (every game,
every socket) waits for it. ``bench_server.py --profile DIR --stalls`` shows it in the live server
(``SqliteStore.append``: p50 0.13 ms, max ~30 ms, a dozen calls over 5 ms per 10 s at 400 appends/s).

This script replays the same statements as ``SqliteStore.append`` (same pragmas, schema, 250 games,
400 appends a second) outside the server, twice per mode, and prints how long each append held the
caller:

* ``auto``: SQLite's default, what the server does today;
* ``thread``: ``PRAGMA wal_autocheckpoint=0`` on the appending connection, and a
  ``PRAGMA wal_checkpoint(PASSIVE)`` once a second from a second connection in a worker thread (the
  change this benchmark suggests for ``server/stores/sqlite.py``: the append path then never fsyncs).

Run: ``python bench/sqlite_stalls.py [--appends 4000]`` (about 45 s).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

from harness.stats import at_fraction

SCHEMA = """
CREATE TABLE games (id TEXT PRIMARY KEY, info JSON NOT NULL, created REAL NOT NULL);
CREATE TABLE events (game_id TEXT NOT NULL, seq INTEGER NOT NULL, body JSON NOT NULL,
                     PRIMARY KEY (game_id, seq)) WITHOUT ROWID;
"""
BODY = json.dumps(
    {"type": "message", "id": "m12", "channel": "all", "team": "us", "seat": "government", "name": "us1",
     "text": "bench 123 4567890123", "turn": 1, "vis": ["us", "mx", "cn", "ca"], "seq": 0},
    separators=(",", ":"),
)  # fmt: skip


def run(mode: str, appends: int, rate: float) -> list[float]:
    """Append ``appends`` message events round-robin over 250 games; the seconds each append took."""
    with tempfile.TemporaryDirectory(prefix="sqlite-stalls-") as tmp:
        path = Path(tmp) / "games.db"
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(SCHEMA)
        games = [f"g{i:04d}" for i in range(250)]
        seqs = dict.fromkeys(games, 40)
        for g in games:  # a game's opening events, so the file has a realistic size
            db.execute("INSERT INTO games VALUES (?, '{}', 0)", (g,))
            db.executemany("INSERT INTO events VALUES (?, ?, ?)", [(g, s, BODY * 3) for s in range(1, 41)])
        stop = threading.Event()
        checkpointer: threading.Thread | None = None
        if mode == "thread":
            db.execute("PRAGMA wal_autocheckpoint=0")

            def checkpoints() -> None:
                other = sqlite3.connect(path, isolation_level=None)
                while not stop.wait(1.0):
                    other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                other.close()

            checkpointer = threading.Thread(target=checkpoints, daemon=True)
            checkpointer.start()
        took = []
        start = time.perf_counter()
        for i in range(appends):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            g = games[i % len(games)]
            t0 = time.perf_counter()
            db.execute("BEGIN IMMEDIATE")  # the statements of SqliteStore.append, in its order
            db.execute("SELECT 1 FROM games WHERE id = ?", (g,)).fetchall()
            db.execute("SELECT coalesce(max(seq), 0) FROM events WHERE game_id = ?", (g,)).fetchall()
            seqs[g] += 1
            db.executemany("INSERT INTO events (game_id, seq, body) VALUES (?, ?, ?)", [(g, seqs[g], BODY)])
            db.execute("COMMIT")
            took.append(time.perf_counter() - t0)
        stop.set()
        if checkpointer is not None:
            checkpointer.join()
        db.close()
        return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--appends", type=int, default=4000)
    ap.add_argument("--rate", type=float, default=400.0, help="appends per second (the fan-out benchmark's)")
    args = ap.parse_args()
    print(f"{args.appends} appends at {args.rate:g}/s over 250 games, WAL, synchronous=NORMAL:")
    for mode in ("auto", "thread", "auto", "thread"):
        took = sorted(run(mode, args.appends, args.rate))
        over = [t for t in took if t > 0.005]
        print(
            f"  {mode:<7} p50 {at_fraction(took, 0.5) * 1e3:6.3f} ms  "
            f"p99 {at_fraction(took, 0.99) * 1e3:6.2f} ms  "
            f"max {took[-1] * 1e3:6.1f} ms;  {len(over)} appends over 5 ms ({sum(over) * 1e3:.0f} ms in all)"
        )


if __name__ == "__main__":
    main()
