"""``precursor games list|archive|purge``: an operator's housekeeping on a real store (SQLite, Redis).

The games are made by the server's own code (``Hub.create``, with a clock set forty days back for the
old ones), and the command runs as a user runs it, in a child process.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from precursor.game.commands import Actor
from precursor.game.rulebook import Rulebook
from precursor.protocol import CreateGame, Pause
from server.hub import Hub
from server.stores import open_store

ROOT = Path(__file__).resolve().parents[2]
DAY = 86400.0


def games(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "precursor.cli", "games", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def listed(store: str) -> dict[str, dict[str, object]]:
    out = games("list", "--store", store, "--json")
    assert out.returncode == 0, out.stderr
    return {r["game_id"]: r for r in json.loads(out.stdout)}


async def _make(rb: Rulebook, url: str, clock: float, played: float | None = None) -> str:
    """A game created at ``clock``; with ``played``, the facilitator pauses it then: an event that
    records no time of its own, so only the server's mark of activity in the record can date it."""
    now = [clock]
    store = open_store(url)
    hub = Hub(rb, store, clock=lambda: now[0])
    await store.open()
    try:
        created = await hub.create(CreateGame(scenario="tutorial", name="class"))
        if played is not None:
            now[0] = played
            room = await hub.room(created.game_id)
            await room.execute(Actor(role="facilitator", name="fac"), Pause())
            await asyncio.sleep(0.2)  # the mark is written by a task of its own
    finally:
        await hub.close()
    return created.game_id


async def _finish(url: str, game_id: str, when: float) -> None:
    store = open_store(url)
    await store.open()
    try:
        info = await store.get_info(game_id)
        await store.set_info(game_id, {**info, "ended": True, "ended_at": when})  # as the server marks it
    finally:
        await store.close()


async def test_list_archive_and_purge(rb: Rulebook, store_url: str) -> None:
    now = time.time()
    old_running = await _make(rb, store_url, now - 40 * DAY)
    old_finished = await _make(rb, store_url, now - 40 * DAY)
    await _finish(store_url, old_finished, now - 39 * DAY)
    fresh = await _make(rb, store_url, now)
    old_but_played = await _make(rb, store_url, now - 40 * DAY, played=now - DAY)

    rows = listed(store_url)
    assert set(rows) == {old_running, old_finished, fresh, old_but_played}
    assert [rows[g]["status"] for g in (old_running, old_finished, fresh)] == [
        "running",
        "finished",
        "running",
    ]
    for row in rows.values():
        assert row["scenario"] == "tutorial" and isinstance(row["events"], int) and row["events"] > 0
    assert now - float(rows[old_finished]["active"]) == pytest.approx(39 * DAY, abs=60)
    assert now - float(rows[fresh]["active"]) < 60
    assert now - float(rows[old_but_played]["active"]) == pytest.approx(DAY, abs=60)
    table = games("list", "--store", store_url).stdout
    assert "last activity" in table and fresh in table

    out = games("archive", fresh, "--store", store_url)
    assert out.returncode == 0 and f"{fresh}: archived" in out.stdout, out.stderr
    assert listed(store_url)[fresh]["status"] == "archived"

    out = games("purge", "--older-than", "30d", "--finished-only", "--dry-run", "--store", store_url)
    assert out.returncode == 0, out.stderr
    assert f"would delete {old_finished}" in out.stdout and old_running not in out.stdout
    assert len(listed(store_url)) == 4, "a dry run deleted something"

    out = games("purge", "--older-than", "30d", "--finished-only", "--store", store_url)
    assert f"deleted {old_finished}" in out.stdout and "1 game deleted" in out.stdout, out.stdout
    assert set(listed(store_url)) == {old_running, fresh, old_but_played}

    out = games("purge", "--older-than", "30d", "--store", store_url)
    assert f"deleted {old_running}" in out.stdout and fresh not in out.stdout, out.stdout
    # created 40 days ago but played yesterday stays; so does the archived one played just now
    assert set(listed(store_url)) == {fresh, old_but_played}


def test_a_missing_sqlite_store_is_refused_and_not_created(tmp_path: Path) -> None:
    db = tmp_path / "nowhere" / "games.db"
    out = games("list", "--store", f"sqlite:///{db}")
    assert out.returncode == 3, out  # the store is not there: as report, fork and export say it
    assert len(out.stderr.strip().splitlines()) == 1 and "no game store" in out.stderr
    assert not db.exists() and not db.parent.exists()


def test_an_unreachable_redis_exits_3(tmp_path: Path) -> None:
    out = games("list", "--store", f"unix://{tmp_path / 'no-redis.sock'}?db=0")
    assert out.returncode == 3, out
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), lines


async def test_usage_errors_exit_2(rb: Rulebook, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'games.db'}"
    gid = await _make(rb, url, time.time())
    for args in (["purge"], ["purge", "--older-than", "soon"], ["archive"], ["archive", gid, "g-nope"]):
        out = games(*args, "--store", url)
        assert out.returncode == 2, (args, out)
        assert len(out.stderr.strip().splitlines()) == 1, (args, out.stderr)
    assert listed(url)[gid]["status"] == "running", "a refused archive archived something"
