"""The game server on a real uvicorn on loopback: lobby, roles, facilitator operations, phases, bad input."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from live_server import drain, frames_until, is_event, running_server
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from precursor.client import ClientError, CommandRefused, GameClient, LobbyClient


@pytest.fixture
async def url() -> AsyncIterator[str]:
    async with running_server("memory://") as u:
        yield u


until = frames_until
event_of = is_event


async def new_game(url: str, **opts: Any) -> tuple[Any, dict[str, str]]:
    """A game with one player token per team (joined as 'Ana-us' etc.) unless a bot holds the team."""
    async with LobbyClient(url) as lobby:
        g = await lobby.create_game(opts.pop("scenario", "tutorial"), **opts)
        tokens = {}
        for team in ("us", "mx", "cn", "ca"):
            if team in opts.get("bots", {}):
                continue
            j = await lobby.join(g.game_id, g.join_codes[team], f"Ana-{team}")
            tokens[team] = j.token
    return g, tokens


# ---------------------------------------------------------------------- REST


async def test_lobby_rest(url: str) -> None:
    async with LobbyClient(url) as lobby:
        h = await lobby.health()
        assert h["status"] == "ok" and h["store"] == "memory" and h["protocol"] == 2
        ids = {s.id for s in await lobby.scenarios()}
        assert {"tutorial", "loose-talk"} <= ids
        g = await lobby.create_game("tutorial", seed=7)
        assert set(g.join_codes) == {"us", "mx", "cn", "ca", "observer"}
        assert len(g.facilitator_token) >= 22  # 128+ bits of urlsafe base64
        assert len({*g.join_codes.values(), g.facilitator_token}) == 6
        games = await lobby.games()
        assert [x.game_id for x in games] == [g.game_id]
        one = await lobby.game(g.game_id)
        assert (one.scenario, one.turn, one.phase) == ("tutorial", 1, "briefing")
        j = await lobby.join(
            g.game_id, g.join_codes["mx"].lower().replace("-", ""), "Luz"
        )  # forgiving format
        assert (j.team, j.role) == ("mx", "player") and j.token != g.facilitator_token
        with pytest.raises(ClientError) as err:
            await lobby.join(g.game_id, "AAAA-BBBB-CCCC", "Eve")
        assert (err.value.code, err.value.status) == ("bad_code", 403)
        with pytest.raises(ClientError) as err:
            await lobby.join(g.game_id, g.join_codes["us"], "Eve", seat="no-such-seat")
        assert err.value.code == "bad_seat"
        with pytest.raises(ClientError) as err:
            await lobby.game("gnope")
        assert err.value.status == 404
        with pytest.raises(ClientError) as err:
            await lobby.create_game("no-such-scenario")
        assert err.value.status == 404
        with pytest.raises(ClientError) as err:
            await lobby.create_game("tutorial", bots={"us": "sovereigntist"})  # a Mexican persona
        assert err.value.code == "unknown_persona"
    async with httpx.AsyncClient(base_url=url, trust_env=False) as http:
        r = await http.post("/api/games", json={"scenario": "tutorial", "bogus": 1})
        assert r.status_code == 422  # unknown fields are refused, not ignored
        r = await http.get("/openapi.json")
        assert "/api/games/{game_id}/join" in r.json()["paths"]


# ---------------------------------------------------------------------- websocket basics


async def test_welcome_ack_and_typed_errors_keep_the_connection(url: str) -> None:
    g, tokens = await new_game(url)
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        w = await us.next_frame()
        assert w["type"] == "welcome" and w["protocol"] == 2 and w["team"] == "us"
        assert w["view"]["audience"] == "us" and w["view"]["phase"] == "briefing"
        seq = await us.send({"type": "message", "channel": "team.us", "text": "hello team"})
        assert seq == us.seq  # the event arrived before the ack
        for raw, code in [
            ("{not json", "bad_json"),
            ("[1, 2]", "bad_frame"),
            ('{"type": "launch"}', "unknown_type"),
            (
                '{"type": "command", "id": "x1", "command": {"type": "message", "channel": "team.us"}}',
                "bad_command",
            ),
            ('{"type": "command", "id": "x2", "command": {"type": "fly"}}', "bad_command"),
            ('{"type": "command", "command": {"type": "ready"}}', "bad_frame"),
            ("x" * 70_000, "too_large"),
        ]:
            await us.send_raw(raw)
            frame = (await until(us, lambda f: f["type"] == "error"))[-1]
            assert frame["code"] == code, raw[:60]
        with pytest.raises(CommandRefused) as err:
            await us.send({"type": "message", "channel": "team.mx", "text": "spying"})
        assert err.value.code == "not_member" or "member" in err.value.message
        with pytest.raises(CommandRefused) as err:
            await us.send({"type": "advance"})
        assert err.value.code == "forbidden"
        # still connected and the game still runs
        assert await us.send({"type": "ready"}) > seq


async def test_bad_token_and_unknown_game_are_refused(url: str) -> None:
    g, _ = await new_game(url)
    ws_base = url.replace("http", "ws")
    for path, code in [(f"/ws/games/{g.game_id}?token=nope", 4401), ("/ws/games/gnope?token=x", 4404)]:
        async with connect(ws_base + path, proxy=None) as ws:
            frame = json.loads(await ws.recv())
            assert frame["type"] == "error"
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 5)
            assert ws.close_code == code


async def test_rate_limit_answers_then_recovers(url: str) -> None:
    g, tokens = await new_game(url)
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        await us.next_frame()
        for _ in range(100):
            await us.send_raw('{"type": "ping"}')
        frames = await drain(us, 0.5)
        kinds = [f["type"] for f in frames]
        assert "rate_limited" in [f.get("code") for f in frames] and "pong" in kinds
        await asyncio.sleep(1.0)  # the bucket refills
        assert await us.send({"type": "message", "channel": "team.us", "text": "still here"}) > 0


# ---------------------------------------------------------------------- roles and what they see


async def test_channels_reach_only_their_members(url: str) -> None:
    g, tokens = await new_game(url)
    async with LobbyClient(url) as lobby:
        us2 = await lobby.join(g.game_id, g.join_codes["us"], "Ben-us")
        obs = await lobby.join(g.game_id, g.join_codes["observer"], "Press")
    clients = {
        "us": GameClient(url, g.game_id, tokens["us"]),
        "us2": GameClient(url, g.game_id, us2.token),
        "mx": GameClient(url, g.game_id, tokens["mx"]),
        "obs": GameClient(url, g.game_id, obs.token),
        "fac": GameClient(url, g.game_id, g.facilitator_token),
    }
    for c in clients.values():
        await c.start()
        await c.next_frame()
    try:
        assert clients["obs"].welcome["role"] == "observer" and clients["obs"].view["audience"] == "public"
        assert clients["fac"].view["audience"] == "facilitator"
        await clients["us"].send({"type": "message", "channel": "team.us", "text": "our secret"})
        await clients["mx"].send({"type": "message", "channel": "press", "text": "statement to the press"})
        got = {k: await drain(c) for k, c in clients.items()}
        texts = {k: [f["event"].get("text") for f in v if f["type"] == "event"] for k, v in got.items()}
        assert "our secret" in texts["us2"] and "our secret" in texts["fac"]
        assert "our secret" not in texts["mx"] and "our secret" not in texts["obs"]
        assert all("statement to the press" in t for t in texts.values())
        with pytest.raises(CommandRefused) as err:
            await clients["obs"].send({"type": "message", "channel": "press", "text": "hi"})
        assert err.value.code == "forbidden"
        with pytest.raises(CommandRefused) as err:
            await clients["us"].send({"type": "pause"})
        assert err.value.code == "forbidden"
    finally:
        for c in clients.values():
            await c.close()


# ---------------------------------------------------------------------- phases and the facilitator


async def test_ready_flags_end_a_phase_and_facilitator_runs_the_session(url: str) -> None:
    g, tokens = await new_game(url, deadlines={"negotiation": 600})
    cs = {t: GameClient(url, g.game_id, tok) for t, tok in tokens.items()}
    fac = GameClient(url, g.game_id, g.facilitator_token)
    for c in [*cs.values(), fac]:
        await c.start()
        await c.next_frame()
    try:
        for c in cs.values():
            await c.send({"type": "ready"})
        frames = await until(fac, event_of("phase", phase="negotiation"))
        assert sum(1 for f in frames if event_of("ready")(f)) == 4
        (dl,) = [f for f in await until(fac, event_of("session", op="deadline"))][-1:]
        deadline = dl["event"]["at"]
        await fac.send({"type": "pause"})
        with pytest.raises(CommandRefused) as err:
            await cs["us"].send({"type": "ready"})
        assert err.value.code == "paused"
        await fac.send({"type": "extend", "seconds": 60})
        await fac.send({"type": "resume"})
        await drain(fac)
        assert fac.seq is not None
        resumed = [e for e in (await _log(url, g)) if e.get("op") == "resume"][-1]
        assert resumed["at"] >= deadline + 59  # the paused time and the extension both count
        await fac.send({"type": "override", "key": "us.approval", "value": 55, "note": "poll correction"})
        frames = await until(cs["mx"], event_of("effect", rule="facilitator.override"))
        assert "poll correction" in frames[-1]["event"]["reason"]
        await fac.send(
            {"type": "release_inject", "custom": {"title": "Storm", "text": "A storm closes ports."}}
        )
        await until(cs["ca"], event_of("inject", id="custom.1"))
        await fac.send({"type": "advance", "turn": 1, "phase": "negotiation"})
        await until(cs["us"], event_of("phase", phase="orders"))
        with pytest.raises(CommandRefused) as err:
            await fac.send({"type": "advance", "turn": 1, "phase": "negotiation"})
        assert err.value.code == "stale"
    finally:
        for c in [*cs.values(), fac]:
            await c.close()


async def _log(url: str, g: Any) -> list[dict[str, Any]]:
    """The facilitator's full event log (a fresh connection from seq 0)."""
    async with GameClient(url, g.game_id, g.facilitator_token, since=0) as fac:
        frames = await drain(fac, 0.3)
    return [f["event"] for f in frames if f["type"] == "event"]


async def test_deadline_ends_the_phase_and_a_bot_plays_missed_orders(url: str) -> None:
    g, tokens = await new_game(url, deadlines={"orders": 1}, missed_orders="bot")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await fac.next_frame()
        await fac.send({"type": "advance", "turn": 1, "phase": "briefing"})
        await fac.send({"type": "advance", "turn": 1, "phase": "negotiation"})
        async with GameClient(url, g.game_id, tokens["us"]) as us:
            await us.next_frame()
            await us.send({"type": "submit_orders", "orders": []})
        frames = await until(fac, event_of("phase", phase="results"), timeout=15)
        submitted = [f["event"] for f in frames if event_of("orders_submitted")(f)]
        teams = {e["team"] for e in submitted}
        assert teams == {"us", "mx", "cn", "ca"}  # three by the missed-orders bot, one by the player
        notes = [f["event"] for f in frames if event_of("note")(f)]
        assert {n["team"] for n in notes} >= {"mx", "cn", "ca"} and all(n["role"] == "bot" for n in notes)


async def test_remove_player_revokes_the_token(url: str) -> None:
    g, tokens = await new_game(url)
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        w = await fac.next_frame()
        players = {p["name"]: p["player_id"] for p in w["session"]["players"]}
        async with GameClient(url, g.game_id, tokens["cn"]) as cn:
            await cn.next_frame()
            await fac.send({"type": "remove_player", "player": players["Ana-cn"]})
            frames = await until(cn, lambda f: f["type"] == "connection", timeout=10)
            assert frames[-1]["state"] in ("lost", "closed")
        with pytest.raises(ClientError) as err:
            async with GameClient(url, g.game_id, tokens["cn"]) as again:
                await again.next_frame()
        assert err.value.code in ("bad_token", "timeout")
        with pytest.raises(CommandRefused):
            await fac.send({"type": "remove_player", "player": players["Ana-cn"]})


async def test_resume_since_gives_exactly_the_missed_events(url: str) -> None:
    g, tokens = await new_game(url)
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        await us.next_frame()
        await us.send({"type": "message", "channel": "team.us", "text": "before"})
        await drain(us)
        last = us.seq
    assert last is not None
    async with GameClient(url, g.game_id, tokens["mx"]) as mx:
        await mx.next_frame()
        for i in range(5):
            await mx.send({"type": "message", "channel": "us_mx", "text": f"missed {i}"})
            await mx.send({"type": "message", "channel": "team.mx", "text": f"private {i}"})
    async with GameClient(url, g.game_id, tokens["us"], since=last) as us:
        w = await us.next_frame()
        assert w["since"] == last
        frames = await drain(us)
    seqs = [f["seq"] for f in frames if f["type"] == "event"]
    texts = [f["event"].get("text") for f in frames if f["type"] == "event"]
    assert texts == [f"missed {i}" for i in range(5)]  # none of mx's private lines, nothing twice
    assert seqs == sorted(set(seqs)) and seqs[0] > last


async def test_a_human_plays_the_tutorial_to_the_end_against_three_live_bots(url: str) -> None:
    g, tokens = await new_game(url, bots={"mx": "default", "cn": "default", "ca": "default"})
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        await us.next_frame()
        turns = set()
        for _ in range(100):
            if us.ended:
                break
            turns.add(us.turn)
            if us.phase == "orders":
                await us.send({"type": "submit_orders", "orders": []})
            where = (us.turn, us.phase)
            await us.send({"type": "ready"})  # the bots are ready already: the phase ends
            await until(us, lambda f, w=where: (us.turn, us.phase) != w or us.ended, timeout=20)
        assert us.ended and turns == {1, 2, 3}


async def test_a_bot_answers_a_proposal_made_after_it_played_its_phase(url: str) -> None:
    g, tokens = await new_game(url, bots={"mx": "default", "cn": "default", "ca": "default"})
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        await us.next_frame()
        await us.send({"type": "ready"})
        await until(us, event_of("phase", phase="negotiation"))
        await drain(us, 0.5)  # the bots have played their negotiation
        await us.send(
            {"type": "propose", "parties": ["us", "mx"], "clauses": [{"actor": "mx", "lever": "mx_plan_1"}]}
        )
        frames = await until(us, event_of("proposal_response", team="mx"), timeout=10)
        answer = frames[-1]["event"]
        assert answer["action"] in ("accept", "reject") and answer["by"].startswith("bot:")


async def test_the_facilitator_swaps_a_seat_between_bot_and_human_mid_phase(url: str) -> None:
    g, tokens = await new_game(url)
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, tokens["mx"]) as mx,
    ):
        await fac.next_frame()
        await mx.next_frame()
        await fac.send({"type": "advance", "turn": 1, "phase": "briefing"})
        await fac.send({"type": "set_controller", "team": "cn", "persona": "default"})
        # the bot takes China's seat at once, in the middle of the negotiation: it plays and is ready
        frames = await until(fac, event_of("ready", team="cn"), timeout=10)
        assert any(event_of("session", op="bot_turn", team="cn", phase="negotiation")(f) for f in frames)
        # while a bot holds the seat, China's human players may talk but not act
        async with GameClient(url, g.game_id, tokens["cn"]) as cn:
            await cn.next_frame()
            with pytest.raises(CommandRefused) as err:
                await cn.send({"type": "ready"})
            assert err.value.code == "bot_seat"
            await cn.send({"type": "message", "channel": "team.cn", "text": "watching the bot"})
            await fac.send({"type": "set_controller", "team": "cn", "persona": None})
            await cn.send({"type": "ready", "ready": False})  # the seat is human again
        await fac.send({"type": "advance", "turn": 1, "phase": "negotiation"})
        await until(fac, event_of("phase", phase="orders"))
        await asyncio.sleep(0.5)
        frames = await drain(fac, 0.5)
        assert not any(event_of("orders_submitted", team="cn")(f) for f in frames), "the bot kept playing"
        with pytest.raises(CommandRefused) as err:
            await fac.send({"type": "set_controller", "team": "us", "persona": "sovereigntist"})
        assert err.value.code == "unknown_persona"


async def test_a_requested_view_arrives_in_order_with_the_events(url: str) -> None:
    g, tokens = await new_game(url)
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        await us.next_frame()
        seq = await us.send({"type": "message", "channel": "team.us", "text": "first"})
        await us.request_view()
        frames = await until(us, lambda f: f["type"] == "view")
        view_frame = frames[-1]
        assert view_frame["seq"] == seq  # the view covers exactly the events before it in the stream
        assert [m["text"] for m in view_frame["view"]["messages"]] == ["first"]
        assert [f["seq"] for f in frames if f["type"] == "event"] == [seq]


async def test_with_the_hold_policy_a_silent_seat_orders_nothing(url: str) -> None:
    g, _tokens = await new_game(url, deadlines={"orders": 1}, missed_orders="hold")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await fac.next_frame()
        await fac.send({"type": "advance", "turn": 1, "phase": "briefing"})
        await fac.send({"type": "advance", "turn": 1, "phase": "negotiation"})
        frames = await until(fac, event_of("phase", phase="results"), timeout=15)
        assert not any(event_of("orders_submitted")(f) for f in frames)
        assert not any(event_of("session", op="bot_turn")(f) for f in frames)


def test_settings_come_from_precursor_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    from server.settings import ServerSettings

    monkeypatch.setenv("PRECURSOR_PORT", "9123")
    monkeypatch.setenv("PRECURSOR_STORE", "memory://")
    monkeypatch.setenv("PRECURSOR_RATE_PER_SECOND", "5")
    s = ServerSettings()
    assert (s.host, s.port, s.store, s.rate_per_second) == ("127.0.0.1", 9123, "memory://", 5.0)
    assert ServerSettings(port=1).port == 1  # a flag wins over the environment
    monkeypatch.delenv("PRECURSOR_STORE")
    assert ServerSettings().store.startswith("sqlite:///") and ServerSettings().store.endswith("games.db")


async def test_a_bot_plays_a_seat_over_the_network_through_the_client_library(url: str) -> None:
    from precursor.client.live_bot import play_live
    from precursor.game.rulebook import default_rulebook

    async with LobbyClient(url) as lobby:
        g = await lobby.create_game("tutorial", bots={"us": "default", "cn": "default", "ca": "default"})
    counts = await asyncio.wait_for(
        play_live(default_rulebook(), url, g.game_id, g.join_codes["mx"], "sovereigntist"), 60
    )
    assert counts["sent"] >= 3  # at least its orders each turn
    async with GameClient(url, g.game_id, g.facilitator_token, since=0) as fac:
        w = await fac.next_frame()
        assert w["view"]["ended"]
        events = [
            f["event"] for f in [await fac.next_frame() for _ in range(w["seq"])] if f["type"] == "event"
        ]
    mine = [e for e in events if e["type"] == "orders_submitted" and e["team"] == "mx"]
    assert len(mine) == 3 and all(e["by"] == "bot:sovereigntist" for e in mine)


async def test_the_facilitator_sees_who_is_connected(url: str) -> None:
    g, tokens = await new_game(url)
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        w = await fac.next_frame()
        ids = {p["name"]: p["player_id"] for p in w["session"]["players"]}
        async with GameClient(url, g.game_id, tokens["mx"]) as mx:
            await mx.next_frame()
            frames = await until(
                fac, lambda f: f["type"] == "status" and ids["Ana-mx"] in f.get("presence", {})
            )
            assert frames[-1]["presence"][ids["Ana-mx"]] == 1
            await mx.send({"type": "message", "channel": "team.mx", "text": "here"})
        frames = await until(
            fac, lambda f: f["type"] == "status" and ids["Ana-mx"] not in f.get("presence", {})
        )
        assert frames[-1]["type"] == "status"
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        await us.next_frame()
        assert not any(f.get("presence") for f in await drain(us, 0.3))  # players are not told


async def test_connections_to_a_server_on_loopback_socket_have_tcp_nodelay() -> None:
    """On asyncio's own loop (used where uvloop is not installed, and by the tests' in-loop server), a
    server listening on ``loopback_socket()`` gets TCP_NODELAY on its connections. On a plain
    ``socket.socket()`` it did not, and each response's body waited ~40 ms for the delayed ACK."""
    import socket

    from server.run import loopback_socket

    def plain() -> socket.socket:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        return sock

    for make, want in ((loopback_socket, 1), (plain, 0)):  # the old way too: the check can fail
        seen: list[int] = []

        def on_connect(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: list[int] = seen
        ) -> None:
            so = writer.get_extra_info("socket")
            seen.append(so.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        sock = make()
        server = await asyncio.start_server(on_connect, sock=sock)
        async with server:
            _, w = await asyncio.open_connection(*sock.getsockname()[:2])
            for _ in range(200):
                if seen:
                    break
                await asyncio.sleep(0.005)
            w.close()
        assert seen == [want], make.__name__
