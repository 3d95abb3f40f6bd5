"""Shared fixtures: the shipped rulebook is loaded once per session (it is immutable after load).

The tests are grouped by area: ``engine/`` (rules, engine, views, bots, conformance), ``server/``,
``client/`` (the Textual client), ``review/`` (reports, simulation), ``package/`` (CLI, build,
architecture); ``support/`` holds the helpers they share (a real redis-server, a live server, the game
fingerprint). Markers, set here from what each test uses, let a run pick or skip the slow kinds:
``redis`` (a real redis-server), ``subprocess`` (child processes), ``snapshot`` (SVG snapshots), e.g.
``pytest -m "not redis and not subprocess"``.

``PRECURSOR_TEST_INSTALLED=1`` runs the suite against the installed package instead of this checkout's
sources: CI sets it, so the tests check the build a user gets from ``pip install .`` (the engine and the
bots compiled with mypyc, see setup.py), not only its pure-Python sources.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent / "support"))

if os.environ.get("PRECURSOR_TEST_INSTALLED", "") not in ("", "0"):
    # `python -m pytest` puts the checkout first on the path; without it, imports find site-packages
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT]

import inspect  # noqa: E402

import pytest  # noqa: E402

from precursor.game.rulebook import Rulebook, default_rulebook  # noqa: E402


@pytest.fixture(scope="session")
def rb() -> Rulebook:
    return default_rulebook()


# ---------------------------------------------------------------- one worker per core (pytest-xdist)

from collections.abc import Iterator  # noqa: E402


@pytest.fixture(autouse=True)
def _alone_when_timed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """The workers share the machine, so a test that judges time (marked ``alone``) takes a lock every
    other test holds shared: it starts once the other workers' tests have ended, and none starts until it
    has. A p99 round trip held against an idle server's means nothing while another worker plays a game."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    try:
        import fcntl
    except ImportError:  # no flock (Windows): the timed tests run beside the others
        worker = None
    if not worker:
        yield
        return
    path = tmp_path_factory.getbasetemp().parent / "alone.lock"  # one folder for all the run's workers
    exclusive = request.node.get_closest_marker("alone") is not None
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


PLAY_THROUGH = "test_students_play_the_scenario_to_the_end_as_every_team"


def _in_order(items: list[pytest.Item]) -> None:
    """The order the workers take the tests in: the ``alone`` tests first, then the play-through's games,
    the longest first, then the rest. A timed test waits for every test running elsewhere to end: queued
    behind the games it held its worker idle for the length of The Record (~10 min), where at the start
    it waits for a short test. Each game is minutes of one worker's time, and one started last keeps its
    worker busy long after the rest is done; started first, the other workers take the short tests
    around them."""
    alone = [i for i in items if i.get_closest_marker("alone") is not None]
    games = [i for i in items if getattr(i, "originalname", "") == PLAY_THROUGH]
    if games:
        module = games[0].module  # type: ignore[attr-defined]

        def weight(item: pytest.Item) -> int:
            game = item.callspec.params["game"]  # type: ignore[attr-defined]
            return int(module.game_turns(game)) * (1 if game == "solo" else len(module.TEAMS))

        games.sort(key=weight, reverse=True)
    first = alone + games
    chosen = set(map(id, first))
    items[:] = first + [i for i in items if id(i) not in chosen]


# ---------------------------------------------------------------- a real redis-server (see redis_server.py)

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


@pytest.fixture(params=["sqlite", "redis"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each durable store in turn: a SQLite file, then the test Redis (a module may define its own)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'games.db'}"
    else:
        yield request.getfixturevalue("redis_url")


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


# ---------------------------------------------------------------- markers from what a test uses

_SPAWNS = ("subprocess.", "Popen", "ProcessPoolExecutor", "ServerProcess(", "--workers")


def _source(func: object) -> str:
    try:
        return inspect.getsource(func)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return ""


def _spawning_helpers(module: object) -> set[str]:
    """Names of the module's own functions that start a child process, directly or through another."""
    funcs = {
        n: _source(f) for n, f in vars(module).items() if inspect.isfunction(f) and not n.startswith("test")
    }
    found = {n for n, src in funcs.items() if any(s in src for s in _SPAWNS)}
    while True:
        more = {n for n, src in funcs.items() if n not in found and any(f"{h}(" in src for h in found)}
        if not more:
            return found
        found |= more


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test by what it needs, reading its fixtures and its own source, so a new test is
    marked without anyone remembering to."""
    helpers: dict[str, set[str]] = {}
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & {"redis_server", "redis_url"} or "redis" in item.name:
            item.add_marker(pytest.mark.redis)
        if "snap_compare" in names:
            item.add_marker(pytest.mark.snapshot)
        module = getattr(item, "module", None)
        if module is not None and module.__name__ not in helpers:
            helpers[module.__name__] = _spawning_helpers(module)
        spawners = helpers.get(module.__name__, set()) if module is not None else set()
        info = getattr(item, "_fixtureinfo", None)
        funcs = [getattr(item, "function", None)]
        if info is not None:
            funcs += [d.func for defs in info.name2fixturedefs.values() for d in defs]
        sources = [_source(f) for f in funcs if f is not None]
        if any(any(s in src for s in _SPAWNS) or any(f"{h}(" in src for h in spawners) for src in sources):
            item.add_marker(pytest.mark.subprocess)
    _in_order(items)
