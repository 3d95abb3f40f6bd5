"""Who may create games (the organiser key) and how a facilitator archives or deletes one, against a
real server on 127.0.0.1 with each store."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_server import running_server

from precursor.client import ClientError, GameClient, LobbyClient
from server.stores import UnknownGame, open_store

KEY = "class-7b-organiser"


async def _refused(lobby: LobbyClient, key: str | None) -> ClientError:
    with pytest.raises(ClientError) as err:
        await lobby.create_game("tutorial", organiser_key=key)
    return err.value


async def test_a_loopback_server_lets_anyone_on_the_machine_create_games() -> None:
    async with running_server("memory://") as url, LobbyClient(url) as lobby:
        assert (await lobby.health())["organiser_key_required"] is False
        g = await lobby.create_game("tutorial", seed=1)
        assert [s.game_id for s in await lobby.games()] == [g.game_id]


async def test_a_set_organiser_key_is_required_and_refusals_create_nothing() -> None:
    async with running_server("memory://", organiser_key=KEY) as url, LobbyClient(url) as lobby:
        assert (await lobby.health())["organiser_key_required"] is True
        missing = await _refused(lobby, None)
        assert (missing.code, missing.status) == ("organiser_key_required", 401)
        wrong = await _refused(lobby, KEY + "x")
        assert (wrong.code, wrong.status) == ("organiser_key_required", 403)
        assert "organiser key" in wrong.message
        async with httpx.AsyncClient(base_url=url, trust_env=False) as http:
            r = await http.post("/api/games", json={"scenario": "tutorial"}, headers={"Authorization": KEY})
            assert r.status_code == 401  # not a bearer credential: treated as no key at all
        assert await lobby.games() == []
        g = await lobby.create_game("tutorial", seed=1, organiser_key=KEY)
        assert [s.game_id for s in await lobby.games()] == [g.game_id]
        # joining is untouched: students need only their join code
        joined = await lobby.join(g.game_id, g.join_codes["mx"], "Ana")
        assert joined.team == "mx"


def exposed_server(**settings: Any) -> contextlib.AbstractAsyncContextManager[str]:
    """A server configured for every interface (so it asks for a key) yet bound to loopback only: the
    test never opens a port beyond this machine."""
    return running_server("memory://", host="0.0.0.0", log_level="debug", **settings)


async def test_an_exposed_server_makes_up_a_key_and_prints_it_once_but_never_logs_it(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with exposed_server() as url, LobbyClient(url) as lobby:
        out = capsys.readouterr().out
        lines = [ln for ln in out.splitlines() if "organiser key" in ln]
        assert len(lines) == 1, out
        key = lines[0].rsplit(": ", 1)[1].strip()
        assert len(key) >= 20
        assert (await lobby.health())["organiser_key_required"] is True
        assert (await _refused(lobby, None)).code == "organiser_key_required"
        await lobby.create_game("tutorial", seed=1, organiser_key=key)
    assert key not in capsys.readouterr().out  # once, at start, and not again
    assert not [r for r in caplog.records if key in r.getMessage()]


async def test_the_operator_s_key_wins_on_an_exposed_server_and_is_not_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with exposed_server(organiser_key=KEY) as url, LobbyClient(url) as lobby:
        assert KEY not in capsys.readouterr().out
        assert "organiser key" not in capsys.readouterr().out
        await lobby.create_game("tutorial", seed=1, organiser_key=KEY)


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'games.db'}"
    url: str = request.getfixturevalue("redis_url")
    return url


async def _in_store(url: str, game_id: str) -> tuple[bool, int]:
    """Whether the store still holds the game, and how many events, seen by a second client."""
    if url.startswith("memory"):
        pytest.fail("the memory store cannot be opened from outside its server")
    store = open_store(url)
    await store.open()
    try:
        return True, len(await store.read(game_id))
    except UnknownGame:
        return False, 0
    finally:
        await store.close()


async def test_the_facilitator_archives_then_deletes_a_game(store_url: str) -> None:
    durable = not store_url.startswith("memory")
    async with running_server(store_url) as url, LobbyClient(url) as lobby:
        a = await lobby.create_game("tutorial", seed=1)
        b = await lobby.create_game("tutorial", seed=2)
        assert (await lobby.health())["games_loaded"] == 2
        for token in ("", "not-a-token", b.facilitator_token):
            with pytest.raises(ClientError) as err:
                await lobby.archive_game(a.game_id, token)
            assert (err.value.code, err.value.status) == ("bad_token", 401)
        with pytest.raises(ClientError) as err:
            await lobby.delete_game("gnosuchgame", a.facilitator_token)
        assert err.value.status == 404
        # a player's token is not the facilitator's
        player = await lobby.join(a.game_id, a.join_codes["us"], "Sam")
        with pytest.raises(ClientError):
            await lobby.delete_game(a.game_id, player.token)

        async with GameClient(url, a.game_id, a.facilitator_token, backoff=(0.05, 0.2)) as live:
            removed = await lobby.archive_game(a.game_id, a.facilitator_token)
            assert removed.removed == "archived"
            # the facilitator's console is closed and finds no game to come back to
            async with asyncio.timeout(10):
                async for frame in live.frames():
                    if frame.get("type") == "connection" and frame.get("state") == "closed":
                        break
        assert [g.game_id for g in await lobby.games()] == [b.game_id]
        assert (await lobby.health())["games_loaded"] == 1  # its memory is freed
        with pytest.raises(ClientError) as err:
            await lobby.game(a.game_id)
        assert err.value.code == "unknown_game"
        with pytest.raises(ClientError) as err:
            await lobby.join(a.game_id, a.join_codes["mx"], "Ana")
        assert err.value.code == "unknown_game"
        if durable:
            kept, events = await _in_store(store_url, a.game_id)
            assert kept and events > 0  # the log is kept for review
        assert (await lobby.archive_game(a.game_id, a.facilitator_token)).removed == "archived"

        # an archived game can still be deleted; then it is gone from the store
        assert (await lobby.delete_game(a.game_id, a.facilitator_token)).removed == "deleted"
        with pytest.raises(ClientError) as err:
            await lobby.delete_game(a.game_id, a.facilitator_token)
        assert err.value.status == 404
        # a live game too: unloaded and deleted at once
        assert (await lobby.delete_game(b.game_id, b.facilitator_token)).removed == "deleted"
        assert await lobby.games() == []
        assert (await lobby.health())["games_loaded"] == 0
        if durable:
            assert await _in_store(store_url, a.game_id) == (False, 0)
            assert await _in_store(store_url, b.game_id) == (False, 0)


async def test_an_archived_game_stays_archived_after_a_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'games.db'}"
    async with running_server(url) as base, LobbyClient(base) as lobby:
        a = await lobby.create_game("tutorial", seed=1)
        b = await lobby.create_game("tutorial", seed=2)
        await lobby.archive_game(a.game_id, a.facilitator_token)
    async with running_server(url) as base, LobbyClient(base) as lobby:
        assert [g.game_id for g in await lobby.games()] == [b.game_id]
        await asyncio.sleep(0.2)  # the start-up loader has run
        # neither is loaded: the archived game never, the running one waits idle in the store (its
        # record says it had no clock running when the first server stopped)
        assert (await lobby.health())["games_loaded"] == 0
