"""Shared fixtures: the shipped rulebook is loaded once per session (it is immutable after load).

``PRECURSOR_TEST_INSTALLED=1`` runs the suite against the installed package instead of this checkout's
sources: CI sets it, so the tests check the build a user gets from ``pip install .`` (the engine and the
bots compiled with mypyc, see setup.py), not only its pure-Python sources.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if os.environ.get("PRECURSOR_TEST_INSTALLED", "") not in ("", "0"):
    # `python -m pytest` puts the checkout first on the path; without it, imports find site-packages
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT]

import pytest  # noqa: E402

from precursor.game.rulebook import Rulebook, default_rulebook  # noqa: E402


@pytest.fixture(scope="session")
def rb() -> Rulebook:
    return default_rulebook()


# ---------------------------------------------------------------- a real redis-server (see redis_server.py)

from collections.abc import Iterator  # noqa: E402

from redis_server import MISSING_REASON, RedisServer, redis_available, require_redis  # noqa: E402


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One server for the whole run (it takes about a second to start); tests may stop and restart it."""
    if not redis_available():
        if require_redis():
            pytest.fail(MISSING_REASON + " (PRECURSOR_REQUIRE_REDIS is set)")
        pytest.skip(MISSING_REASON)
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The server's URL with every key deleted, so each test starts from an empty Redis."""
    import redis

    if not redis_server.running:  # an earlier test stopped it and failed before restarting it
        redis_server.start()
    client = redis.Redis.from_url(redis_server.url)
    try:
        client.flushall()
    finally:
        client.close()
    return redis_server.url
