"""The server's games: creating, loading, joining and authenticating, over one event store.

Rooms are loaded lazily from the store on first use, so a restarted server (or a second instance
sharing Redis) picks every game up where its log ends, timers included. They are unloaded again once
idle (no socket, no clock counting down, no bot at work), so memory follows the games being played,
not every game the server has served. With a shared store each game's clock and bots run on the one
instance holding its lease; the others serve its sockets from the log they tail.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from precursor.game.commands import CommandError, TeamId
from precursor.protocol import CreateGame, GameCreated, GameSummary, Joined, JoinGame, ScenarioSummary

from . import auth
from .stores import EventStore, StoreError, UnknownGame

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

    from .room import GameRoom

# The engine, the views and the rulebook are imported where a game needs them, not here: /api/health
# answers from the store alone, and these imports and the rulebook's load were most of the start-up
# (bench/bench_frames.py, "start to healthy"). Hub.warm() loads them in a worker thread once serving.

log = logging.getLogger("precursor.server")


def _teams() -> tuple[TeamId, ...]:
    from precursor.game.schema import TEAMS

    return TEAMS


async def store_new_game(
    store: EventStore, info: dict[str, Any], events: list[dict[str, Any]]
) -> tuple[str, str, dict[str, str]]:
    """A new game in the store with fresh credentials: (game id, facilitator token, join codes).

    The one place credentials are written, for games made here and for imported or forked logs (the
    CLI): the codes are shown once, in the answer, and the store keeps only their hashes, with an index
    of each team's current code so that rotating one retires the old.
    """
    game_id = auth.new_game_id()
    fac = auth.new_token()
    codes = {t: auth.new_join_code() for t in (*_teams(), "observer")}
    await store.create_game(game_id, info)
    await store.put_credential(game_id, auth.key_of(fac, "token"), {"role": "facilitator"})
    for who, code in codes.items():
        await store.put_credential(game_id, auth.key_of(code, "code"), {"join": who})
    await store.put_credential(
        game_id, auth.CODE_INDEX, {who: auth.key_of(code, "code") for who, code in codes.items()}
    )
    await store.append(game_id, 0, events)
    return game_id, fac, codes


class Hub:
    def __init__(
        self,
        rb: Rulebook | Callable[[], Rulebook],
        store: EventStore,
        clock: Callable[[], float] = time.time,
        *,
        max_players_per_team: int = 12,
        max_observers: int = 50,
        idle_evict: float = 300.0,
        finished_evict: float = 10.0,
        lease_ttl: float = 5.0,
        instance: str | None = None,
        log_window: int = 64,  # room.LOG_WINDOW (the room, and the engine with it, load on first use)
    ) -> None:
        # a rulebook, or how to load one: loaded on first use, or ahead of it by warm()
        self._rulebook: Rulebook | None = None if callable(rb) else rb
        self._load: Callable[[], Rulebook] | None = rb if callable(rb) else None
        self._rulebook_lock = threading.Lock()
        self._loading: asyncio.Future[Rulebook] | None = None
        self.max_players_per_team = max_players_per_team
        self.max_observers = max_observers
        self.store = store
        self.clock = clock
        self.rooms: dict[str, GameRoom] = {}
        # one lock per game being loaded or unloaded, dropped once nobody holds or awaits it
        self._locks: dict[str, asyncio.Lock] = {}
        self._lock_users: dict[str, int] = {}
        self.idle_evict = idle_evict
        self.finished_evict = finished_evict
        self.lease_ttl = lease_ttl
        self.log_window = log_window
        # the lease holder's name in the store: unique per process, readable in a Redis key
        self.instance = instance or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._idle: dict[str, tuple[float, int]] = {}  # game -> (monotonic time first seen idle, seq then)
        self._sweeper: asyncio.Task[None] | None = None
        self._leaser: asyncio.Task[None] | None = None
        self.store_ok = True
        self.lost: str | None = None  # why the store no longer holds our games (sticky: see check_lost)
        self._monitor: asyncio.Task[None] | None = None
        self._loader: asyncio.Task[None] | None = None
        self.shared = store.url.startswith(("redis://", "rediss://", "unix://"))

    @property
    def rb(self) -> Rulebook:
        """The rulebook, loaded here and now if it is not yet (async code awaits ``rulebook()``)."""
        rb = self._rulebook
        return rb if rb is not None else self._load_rulebook()

    def _load_rulebook(self) -> Rulebook:
        """The game modules are imported alongside, so the first game does not pay for them either.
        Safe from a worker thread: whoever comes second waits for the first load."""
        with self._rulebook_lock:
            if self._rulebook is None:
                assert self._load is not None
                self._rulebook = self._load()
                from . import room  # noqa: F401  (the engine, the views and the session come with it)
            return self._rulebook

    async def rulebook(self) -> Rulebook:
        """The rulebook, loaded in a worker thread while the event loop answers everything else; every
        caller meanwhile awaits the same load (after a failed one, the next caller tries again)."""
        if self._rulebook is not None:
            return self._rulebook
        if self._loading is None or (self._loading.done() and self._loading.exception() is not None):
            self._loading = asyncio.ensure_future(self._load_in_thread())
        return await asyncio.shield(self._loading)

    async def _load_in_thread(self) -> Rulebook:
        # the loop hands the GIL to the loading thread and waits for it back a switch interval later
        # (5 ms): a request answered meanwhile would wait that long at each step; shorter while loading
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, 0.0005))
        try:
            return await asyncio.to_thread(self._load_rulebook)
        finally:
            sys.setswitchinterval(interval)

    async def warm(self) -> None:
        """Load the rulebook ahead of the first game that needs it; a failure is logged, and the first
        request that needs the rulebook tries again and gets the error."""
        try:
            await self.rulebook()
        except Exception:
            log.exception("loading the rulebook failed")

    async def start(self) -> None:
        await self.store.open()
        level, why = await self.store.durability()
        if level != "durable":
            # the memory store is chosen for throw-away games; any other store losing games is a surprise
            (log.info if level == "none" and self.store.url.startswith("memory") else log.warning)(
                "store durability: %s (%s)", level, why
            )
        self._monitor = asyncio.create_task(self._watch_store(), name="store-monitor")
        self._loader = asyncio.create_task(self._load_running(), name="load-games")
        self._sweeper = asyncio.create_task(self._sweep(), name="evict-idle")
        if self.shared:
            self._leaser = asyncio.create_task(self._hold_leases(), name="leases")

    async def _load_running(self) -> None:
        """Load every game at start-up (in the background, so the server is ready at once): their
        phase clocks and bots must run even if nobody reconnects."""
        try:
            ids = await self.store.list_games()
        except Exception as exc:
            log.warning("could not list games at start-up: %s", exc)
            return
        for gid in ids:
            try:
                info = await self.store.get_info(gid)
                if info.get("ended") or info.get("archived"):
                    continue
                snap = await self._fresh_snapshot(gid, info)
                if snap is not None and not snap.get("clock"):
                    continue  # unloaded idle, and nothing happened since: it waits for its players
                await self.room(gid)
            except Exception as exc:
                log.warning("game %s not loaded: %s", gid, exc)
            await asyncio.sleep(0)

    async def close(self) -> None:
        for task in (self._monitor, self._loader, self._sweeper, self._leaser):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        for gid, room in list(self.rooms.items()):
            await room.stop()
            if self.lost is None:
                await self._snapshot(gid, room)  # the next start loads only the games that need it
                await self._release(gid, room)  # another instance takes over at once, not after the TTL
        self.rooms.clear()
        await self.store.close()

    # ------------------------------------------------------------------ idle games leave memory

    @contextlib.asynccontextmanager
    async def _game_lock(self, game_id: str) -> AsyncIterator[None]:
        """Loading and unloading one game never interleave; the lock goes once nobody wants it, so
        the locks do not pile up with every game ever loaded."""
        lock = self._locks.setdefault(game_id, asyncio.Lock())
        self._lock_users[game_id] = self._lock_users.get(game_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._lock_users[game_id] -= 1
            if not self._lock_users[game_id]:
                del self._lock_users[game_id], self._locks[game_id]

    async def _sweep(self) -> None:
        every = max(0.05, min(1.0, self.idle_evict / 4, self.finished_evict / 4))
        while True:
            await asyncio.sleep(every)
            try:
                await self.evict_idle()
            except Exception as exc:  # one bad game must not stop the sweeping of every other
                log.warning("evicting idle games: %s", exc)

    async def evict_idle(self) -> int:
        """Unload every room idle for long enough (finished ones sooner); returns how many went."""
        now = time.monotonic()
        gone = 0
        for gid, room in list(self.rooms.items()):
            if not room.idle():
                self._idle.pop(gid, None)
                continue
            since, seq = self._idle.get(gid, (now, room.committed))
            if seq != room.committed:  # events from another instance: that is activity too
                since, seq = now, room.committed
            self._idle[gid] = (since, seq)
            limit = self.finished_evict if room.game.state.ended else self.idle_evict
            if now - since >= limit and await self._evict(gid, room):
                gone += 1
        return gone

    async def _evict(self, game_id: str, room: GameRoom) -> bool:
        async with self._game_lock(game_id):
            if self.rooms.get(game_id) is not room or not room.idle():
                return False
            del self.rooms[game_id]
            self._idle.pop(game_id, None)
        await room.stop()
        await self._snapshot(game_id, room)
        await self._release(game_id, room)
        log.debug("game %s unloaded (idle)", game_id)
        return True

    async def _snapshot(self, game_id: str, room: GameRoom) -> None:
        """What listing the game needs, kept in its record as it was unloaded: the list of games then
        does not load every game, and the next start loads only games whose clock was running. Marked
        with the seq it describes, so a snapshot the log has moved past is never believed. None from a
        room still holding a command the store refused: its state is not the log's."""
        if room.stale:
            return
        st, s = room.game.state, room.session
        ticking = s.deadline is not None and not s.paused and s.deadline_for == (st.turn, st.phase)
        snap = {
            "seq": room.committed,
            "turn": st.turn,
            "turns": st.turns,
            "phase": st.phase,
            "ended": st.ended,
            "bots": {t: p for t, p in s.controllers.items() if p},
            "clock": ticking and not st.ended,
        }
        with contextlib.suppress(StoreError):
            info = await self.store.get_info(game_id)
            if not info.get("archived"):  # read, then write: archived elsewhere meanwhile stays archived
                await self.store.set_info(game_id, {**info, "snapshot": snap})

    async def _fresh_snapshot(self, game_id: str, info: dict[str, Any]) -> dict[str, Any] | None:
        snap = info.get("snapshot")
        if not isinstance(snap, dict) or snap.get("seq") != await self.store.last_seq(game_id):
            return None
        return snap

    # ------------------------------------------------------------------ leases (shared stores)

    async def _take_lease(self, game_id: str) -> bool:
        if not self.shared:
            return True
        try:
            return await self.store.lease(game_id, self.instance, self.lease_ttl)
        except StoreError:
            return False  # the store is away; the next renewal round tries again

    async def _release(self, game_id: str, room: GameRoom) -> None:
        if self.shared and room.leader:
            with contextlib.suppress(StoreError):
                await self.store.release(game_id, self.instance)

    async def _hold_leases(self) -> None:
        """Renew the leases held, take those free for loaded games, and adopt games whose holder died,
        every third of the lease's life: a dead holder's games move within about one lease."""
        while True:
            await asyncio.sleep(self.lease_ttl / 3)
            try:
                await self._renew_round()
            except Exception as exc:
                log.warning("lease round: %s", exc)

    async def _renew_round(self) -> None:
        for gid, room in list(self.rooms.items()):
            try:
                held = await self.store.lease(gid, self.instance, self.lease_ttl)
            except StoreError:
                continue  # unreachable: nothing can be written anyway; the lease decides when it is back
            if self.rooms.get(gid) is room:
                room.lead(held)
            elif held:  # unloaded meanwhile
                with contextlib.suppress(StoreError):
                    await self.store.release(gid, self.instance)
        try:
            orphans = await self.store.orphans()
        except StoreError:
            return
        for gid in orphans:
            if gid in self.rooms:
                continue
            try:
                room = await self.room(gid)
            except StoreError:  # deleted or archived meanwhile: nothing to run
                with contextlib.suppress(StoreError):
                    await self.store.release(gid, self.instance)
                continue
            if room.leader:
                log.info("game %s taken over (its server stopped renewing its lease)", gid)
            else:
                await self._evict(gid, room)  # another instance was quicker; nobody here needs it

    async def _watch_store(self) -> None:
        """Tell every connection when the store goes away and when it is back (commands are refused
        with ``store_unavailable`` meanwhile; the store reconnects by itself)."""
        while True:
            await asyncio.sleep(0.5)
            try:
                ok = await asyncio.wait_for(self.store.ping(), 2.0)
            except Exception:
                ok = False
            if ok:
                await self.check_lost()
            if ok != self.store_ok:
                self.store_ok = ok
                msg = (
                    "the event store is back"
                    if ok
                    else "the event store is unreachable; commands are refused"
                )
                log.warning(msg)
                for room in self.rooms.values():
                    room.broadcast({"type": "status", "store": "ok" if ok else "unavailable", "message": msg})

    async def check_lost(self) -> str | None:
        """Whether the store lost our data (Redis restarted empty, or was flushed); the first time it
        is seen, every game is told with a ``store_lost`` error and unloaded: their rooms hold state the
        store no longer has, and writing on would build new games on the ruins of the old."""
        if self.lost is not None:
            return self.lost
        try:
            why = await asyncio.wait_for(self.store.lost(), 2.0)
        except Exception:
            return None  # unreachable is not lost: the outage report covers it
        if why is None:
            return None
        self.lost = why
        log.error("store lost: %s", why)
        for gid, room in list(self.rooms.items()):
            room.broadcast({"type": "error", "id": None, "code": "store_lost", "message": why})
            for conn in room.conns:
                conn.reason = "store_lost: the event store lost this game; see /api/health"
            await self._unload(gid)
        return why

    # ------------------------------------------------------------------ scenarios and games

    def scenarios(self) -> list[ScenarioSummary]:
        out = []
        for sid, sc in sorted(self.rb.scenarios.items()):
            m = sc.model
            out.append(
                ScenarioSummary(
                    id=sid,
                    title=m.title,
                    summary=m.summary,
                    turns=m.turns,
                    months_per_turn=m.months_per_turn,
                    start=m.start,
                    seats={t: [s.id for s in m.seats.get(t, [])] for t in _teams()},
                )
            )
        return out

    async def create(self, req: CreateGame) -> GameCreated:
        await self.rulebook()
        from precursor.game.engine import Game
        from precursor.game.session import opening, record

        from .room import GameRoom

        if req.scenario not in self.rb.scenarios:
            raise CommandError("unknown_scenario", f"unknown scenario '{req.scenario}'")
        sc = self.rb.scenarios[req.scenario].model
        bots: dict[str, str] = {}
        for team, pid in req.bots.items():
            pid = sc.personas.get(team, "") if pid == "default" else pid
            p = self.rb.personas.get(pid)
            if p is None or p.team != team:
                choices = sorted(x.id for x in self.rb.personas.values() if x.team == team)
                raise CommandError(
                    "unknown_persona", f"no persona '{pid}' for {team}; try {', '.join(choices)}"
                )
            bots[team] = pid
        seed = req.seed if req.seed is not None else secrets.randbelow(2**31)
        game = Game.new(
            self.rb, req.scenario, seed, seats_in_play={str(t): list(v) for t, v in req.seats.items()} or None
        )
        now = self.clock()
        record(game, opening(req.name, req.deadlines, req.press, req.missed_orders, bots, now))
        info = {"scenario": req.scenario, "name": req.name, "created": now, "seed": seed}
        game_id, fac, codes = await store_new_game(self.store, info, game.log)
        room = GameRoom(self, game_id, game, info, self.log_window)
        room.leader = await self._take_lease(game_id)
        self.rooms[game_id] = room
        room.start(self.shared)
        log.info("game %s created (%s, seed %d)", game_id, req.scenario, seed)
        return GameCreated(game_id=game_id, facilitator_token=fac, join_codes=codes)

    async def room(self, game_id: str) -> GameRoom:
        self._idle.pop(game_id, None)  # in use: the idle clock starts again
        room = self.rooms.get(game_id)
        if room is not None:
            return room
        async with self._game_lock(game_id):
            room = self.rooms.get(game_id)
            if room is not None:
                return room
            info = await self.store.get_info(game_id)
            if info.get("archived"):
                raise UnknownGame(f"game {game_id} is archived")
            events = await self.store.read(game_id)
            if not events:
                raise UnknownGame(f"game {game_id} has no events")
            rb = await self.rulebook()
            from precursor.game.engine import Game

            from .room import GameRoom

            game = Game.replay(rb, events)
            room = GameRoom(self, game_id, game, info, self.log_window)
            room.leader = await self._take_lease(game_id)
            self.rooms[game_id] = room
            room.start(self.shared)
            return room

    async def summaries(self) -> list[GameSummary]:
        out = []
        for gid in await self.store.list_games():
            with contextlib.suppress(UnknownGame):  # archived (or deleted meanwhile): not listed
                out.append(await self.summary(gid))
        return out

    async def summary(self, game_id: str) -> GameSummary:
        if game_id not in self.rooms:
            info = await self.store.get_info(game_id)
            if info.get("archived"):
                raise UnknownGame(f"game {game_id} is archived")
            if info.get("ended"):  # no need to load a finished game to list it
                return GameSummary(
                    game_id=game_id,
                    name=info.get("name", ""),
                    scenario=info.get("scenario", ""),
                    created=info.get("created", 0.0),
                    turn=info.get("turn", 0),
                    turns=info.get("turns", 0),
                    phase=info.get("phase", ""),
                    ended=True,
                )
            snap = await self._fresh_snapshot(game_id, info)
            if snap is not None:  # unloaded, and unchanged since: listed without loading it
                return GameSummary(
                    game_id=game_id,
                    name=info.get("name", ""),
                    scenario=info.get("scenario", ""),
                    created=info.get("created", 0.0),
                    turn=snap.get("turn", 0),
                    turns=snap.get("turns", 0),
                    phase=snap.get("phase", ""),
                    ended=bool(snap.get("ended")),
                    bots=snap.get("bots") or {},
                )
        room = await self.room(game_id)
        st = room.game.state
        return GameSummary(
            game_id=game_id,
            name=room.info.get("name", ""),
            scenario=st.scenario,
            created=room.info.get("created", 0.0),
            turn=st.turn,
            turns=st.turns,
            phase=st.phase,
            ended=st.ended,
            bots={t: p for t, p in room.session.controllers.items() if p},
            players=room.connected(),
        )

    # ------------------------------------------------------------------ seats and tokens

    async def join(self, game_id: str, req: JoinGame) -> Joined:
        room = await self.room(game_id)
        key = auth.key_of(req.join_code, "code")
        rec = await self.store.get_credential(game_id, key)
        index = await self.store.get_credential(game_id, auth.CODE_INDEX) or {}
        if rec is None or "join" not in rec or index.get(rec["join"], key) != key:
            raise CommandError("bad_code", "that join code is not valid for this game")
        who = rec["join"]
        self._check_room_for(room, who)
        token = auth.new_token()
        pid = auth.new_player_id()
        if who == "observer":
            team, seat, role = None, None, "observer"
        else:
            team, role = who, "player"
            seats = room.game.state.seats[team]
            seat = req.seat or seats[0]
            if seat not in seats:
                raise CommandError(
                    "bad_seat", f"team {team} plays the seats {', '.join(seats)}, not '{seat}'"
                )
        record = {"role": role, "team": team, "seat": seat, "player_id": pid, "name": req.name}
        await self.store.put_credential(game_id, auth.key_of(token, "token"), record)
        from .room import SYSTEM

        await room.execute(
            SYSTEM,
            {"op": "join", "player_id": pid, "name": req.name, "role": role, "team": team, "seat": seat},
        )
        return Joined(token=token, team=team, seat=seat, role=role, player_id=pid)  # type: ignore[arg-type]

    def _check_room_for(self, room: GameRoom, who: str) -> None:
        """A join code is shared, so it could seat any number of people: seats are capped per team and
        observers per game. Removed players free their place."""
        role = "observer" if who == "observer" else "player"
        most = self.max_observers if role == "observer" else self.max_players_per_team
        seated = sum(
            1
            for p in room.session.players.values()
            if not p.removed and p.role == role and (role == "observer" or p.team == who)
        )
        if seated >= most:
            where = "this game's observers" if role == "observer" else f"team {who}"
            raise CommandError("too_many_players", f"{where} already has {most} players seated")

    async def rotate_code(self, game_id: str, who: str) -> str:
        """A new join code for a team (or the observers); the old one stops joining at once. The new
        code is returned once and kept only as a hash."""
        if who not in (*_teams(), "observer"):
            raise CommandError("bad_request", f"no join code for '{who[:20]}'; expected a team or 'observer'")
        await self.room(game_id)  # an unknown game is refused before anything is written
        code = auth.new_join_code()
        key = auth.key_of(code, "code")
        index = await self.store.get_credential(game_id, auth.CODE_INDEX) or {}
        old = index.get(who)
        await self.store.put_credential(game_id, key, {"join": who})
        await self.store.put_credential(game_id, auth.CODE_INDEX, {**index, who: key})
        if old is not None and old != key:
            await self.store.put_credential(game_id, old, {"revoked": who})
        log.info("game %s: the join code of %s was rotated", game_id, who)
        return code

    # ------------------------------------------------------------------ archiving and deleting

    async def owns(self, game_id: str, token: str) -> bool:
        """Whether ``token`` is the game's facilitator token, without loading the game (an archived
        game cannot be loaded, yet its facilitator may still delete it)."""
        if not token or len(token) > 200:
            return False
        rec = await self.store.get_credential(game_id, auth.key_of(token, "token"))
        return rec is not None and rec.get("role") == "facilitator"

    async def _unload(self, game_id: str) -> None:
        room = self.rooms.pop(game_id, None)
        self._idle.pop(game_id, None)
        if room is not None:
            await room.stop()  # its clocks and bots stop; its connections close and find no game
            await self._release(game_id, room)

    async def archive(self, game_id: str) -> None:
        """The game leaves the list and this server's memory; its log and record stay in the store
        (``precursor export`` still reads them). Idempotent."""
        room = self.rooms.get(game_id)
        info = await self.store.get_info(game_id)
        if room is not None:
            st = room.game.state
            info = {**room.info, "turn": st.turn, "turns": st.turns, "phase": st.phase, "ended": st.ended}
        await self.store.set_info(game_id, {**info, "archived": True, "archived_at": self.clock()})
        await self._unload(game_id)
        log.info("game %s archived", game_id)

    async def delete(self, game_id: str) -> None:
        """The game, its log and its credentials are gone from the store. The store first: unloaded
        first, a request arriving in between could load the game again from the store."""
        try:
            await self.store.delete_game(game_id)
        finally:
            await self._unload(game_id)
        log.info("game %s deleted", game_id)

    async def facilitator(self, game_id: str, token: str) -> bool:
        rec = await self.authenticate(game_id, token)
        return rec is not None and rec.get("role") == "facilitator"

    async def authenticate(self, game_id: str, token: str) -> dict[str, Any] | None:
        if not token or len(token) > 200:
            return None
        key = auth.key_of(token, "token")
        rec = await self.store.get_credential(game_id, key)
        if rec is None or "role" not in rec:
            return None
        room = await self.room(game_id)
        pid = rec.get("player_id")
        if pid is not None:
            p = room.session.players.get(pid)
            if p is None or p.removed:
                return None
        return rec
