"""One live game on one server instance: its engine, its connections, its clock and its bots.

Every change goes through :meth:`GameRoom.execute`: run the command on the in-memory engine, append
the resulting events to the store at the sequence number this instance last saw, and only then send
them out. If the append loses a race with another instance (``SeqConflict``) the room rolls back to
the last committed event, catches up from the store and tries the command again, so a command that
no longer makes sense after the other instance's change is refused by the engine itself. If the
store is down nothing is sent and the room rolls back: an acknowledged command is always durable.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from precursor.game.commands import (
    Actor,
    Advance,
    CommandError,
    Note,
    Ready,
    SubmitOrders,
)
from precursor.game.engine import Game
from precursor.game.schema import TEAMS
from precursor.game.session import GameFacts, Session, decide, fold, phase_clock, record
from precursor.game.state import PHASES
from precursor.game.views import redact, view

from .stores import EventStore, SeqConflict, StoreError, StoreLost
from .stores.codec import encode_events, encoded

if TYPE_CHECKING:
    from precursor.game.bots import Bot
    from precursor.game.bots.decisions import Decision

log = logging.getLogger("precursor.server")
SYSTEM = Actor(role="system")
#: Seconds between the marks of activity a played game leaves in its record (``precursor games`` lists
#: them and ``purge --older-than`` goes by them): most events carry no time of their own.
ACTIVE_EVERY = 3600.0
#: Events of a game's log a room keeps in memory, the newest; older ones are read from the store when
#: a resume reaches back that far. Nothing else on the server reads old events (views come from the
#: state, a rollback replays the store's log), and holding every one made a long game's memory grow
#: with every message: about 0.3 KB an event as dicts, for as long as the game stays loaded.
LOG_WINDOW = 64


class Host(Protocol):
    """What a room needs of the hub that owns it: the shared store and the server's clock. Named here,
    below the hub, so the room never imports the hub that creates it."""

    @property
    def store(self) -> EventStore: ...

    def clock(self) -> float: ...


class Outbox:
    """A connection's unsent frames, for one reader (its writer task): the part of ``asyncio.Queue``
    the room uses, without the task accounting (``join``/``task_done``) nobody uses, on the hot path
    of every delivery."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: deque[str | None] = deque()
        self._waiter: asyncio.Future[None] | None = None

    def qsize(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        return not self._items

    def put_nowait(self, item: str | None) -> None:
        self._items.append(item)
        w = self._waiter
        if w is not None and not w.done():
            w.set_result(None)

    def get_nowait(self) -> str | None:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.popleft()

    async def get(self) -> str | None:
        await self.wait()
        return self._items.popleft()

    async def wait(self) -> None:
        """Until something is queued."""
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None


@dataclass(eq=False)
class Connection:
    """One websocket. Frames are queued and written by the connection's own task, so one slow client
    never holds up the fan-out to everyone else."""

    audience: str
    role: str
    team: str | None
    seat: str | None
    player_id: str | None
    name: str
    limit: int
    send: Callable[[str], Any]
    close: Callable[[int, str], Any]
    max_bytes: int = 4 * 1024 * 1024
    queue: Outbox = field(default_factory=Outbox)
    closed: bool = False
    delivered: int = 0
    queued_bytes: int = 0
    reason: str = "disconnected by the server; resume from your last event"
    #: the protocol version the client asked for and the server speaks (``protocol=`` on connect): from
    #: 2 on, the events of one command come in one ``events`` frame
    version: int = 1
    #: who the connection commands as, made on its first command (see server.app._actor)
    actor: Actor | None = None

    def push(self, frame: str) -> None:
        if self.closed:
            return
        size = len(frame) if frame.isascii() else _size(frame)
        if len(self.queue._items) >= self.limit or self.queued_bytes + size > self.max_bytes:
            # too far behind: a socket that never reads would otherwise grow the server's memory
            # without bound; drop it, and the client reconnects and resumes from its last event
            self._drop(f"too slow: over {self.max_bytes} bytes or {self.limit} frames unread; resume")
            return
        self.queued_bytes += size
        self.queue.put_nowait(frame)

    def _drop(self, reason: str) -> None:
        """Close at once: the frames still queued are thrown away (the client resumes from its last
        event), so the memory goes now and the close frame is next, not behind them."""
        self.closed = True
        self.reason = reason
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queued_bytes = 0
        self.queue.put_nowait(None)

    def shut(self) -> None:
        if not self.closed:
            self.closed = True
            self.queue.put_nowait(None)

    async def writer(self) -> None:
        # the queue's deque read here, not through a coroutine per frame: this runs once per delivery
        queue = self.queue
        items = queue._items
        loop = asyncio.get_running_loop()
        while True:
            while not items:  # Outbox.wait, inline: a coroutine less per delivery
                queue._waiter = loop.create_future()
                try:
                    await queue._waiter
                finally:
                    queue._waiter = None
            frame = items.popleft()
            if frame is None:
                with contextlib.suppress(Exception):
                    await self.close(1013, self.reason)
                return
            try:
                await self.send(frame)
            finally:
                if not self.closed:
                    self.queued_bytes -= len(frame) if frame.isascii() else _size(frame)


def _size(frame: str) -> int:
    """Bytes of the frame on the wire. The JSON of json.dumps is ASCII, and isascii() is O(1), so the
    fan-out does not encode every frame twice."""
    return len(frame) if frame.isascii() else len(frame.encode("utf-8", "replace"))


class GameRoom:
    def __init__(
        self, hub: Host, game_id: str, game: Game, info: dict[str, Any], window: int = LOG_WINDOW
    ) -> None:
        self.hub = hub
        self.game_id = game_id
        self.game = game
        self.info = info
        self.committed = game.state.seq
        self.session: Session = fold(game.log)
        self.window = window
        # the in-memory game may hold events the store refused, and rebuilding it needs the store's
        # log, which was away: every use of the game rebuilds it first (see _fresh)
        self._stale = False
        self._forget()
        self.lock = asyncio.Lock()
        self.conns: set[Connection] = set()
        self.bots: dict[str, Bot] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._clock_wake = asyncio.Event()
        self._clock_task: asyncio.Task[None] | None = None
        self._tail_task: asyncio.Task[None] | None = None
        self._bots_pending = False
        # whether this instance runs the game's clock and bots: always on a store of its own; with a
        # shared store, while it holds the game's lease (the hub takes and renews it, see lead())
        self.leader = True
        self._active_at = 0.0
        self._views: dict[str, str] = {}  # audience -> encoded view and session at seq _views_at
        self._views_at = -1
        self._facts_of: tuple[Any, GameFacts] | None = None  # see _facts

    # ------------------------------------------------------------------ life cycle

    def start(self, tail: bool) -> None:
        self._clock_task = asyncio.create_task(self._clock(), name=f"clock:{self.game_id}")
        if tail:
            self._tail_task = asyncio.create_task(self._tail(), name=f"tail:{self.game_id}")
        self.schedule_bots()

    async def stop(self) -> None:
        tasks = [t for t in (self._clock_task, self._tail_task, *self._tasks) if t is not None]
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        for c in list(self.conns):
            c.shut()

    @property
    def stale(self) -> bool:
        """Whether the game in memory waits to be rebuilt from the store (see ``_rollback``)."""
        return self._stale

    def lead(self, leader: bool) -> None:
        """The hub took (or lost) the game's lease: the clock and bots start (or stop) here."""
        was, self.leader = self.leader, leader
        if leader and not was:
            self._clock_wake.set()
            self.schedule_bots()

    def idle(self) -> bool:
        """Whether unloading loses nothing: no socket, no command or bot under way, and no phase clock
        counting down here. The hub unloads idle rooms; the store has everything to load them again."""
        if self.conns or self._tasks or self._bots_pending or self.lock.locked():
            return False
        s, st = self.session, self.game.state
        ticking = s.deadline is not None and not s.paused and s.deadline_for == (st.turn, st.phase)
        return st.ended or not (ticking and self.leader)

    def _spawn(self, coro: Any, name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------------ connections

    async def attach(self, conn: Connection, since: int | None) -> None:
        """Welcome the connection with the view at the committed seq, then the events after ``since``.

        Done under the lock, so no event can land between the snapshot and the live stream.
        """
        async with self.lock:
            await self._fresh()
            seq = self.committed
            # read before anything is sent: a store that cannot answer refuses the connection whole
            missed = await self._missed(max(since, 0), seq) if since is not None and since < seq else []
            welcome = {
                "type": "welcome",
                "protocol": conn.version,
                "game_id": self.game_id,
                "seq": seq,
                "since": since,
                "role": conn.role,
                "team": conn.team,
                "seat": conn.seat,
                "player_id": conn.player_id,
            }
            conn.push(json.dumps(welcome, separators=(",", ":"))[:-1] + "," + self._view_body(conn) + "}")
            for lo in range(0, len(missed), REPLAY_BATCH):
                _Frames(self.game.rb, missed[lo : lo + REPLAY_BATCH], None).send(conn)
            conn.delivered = seq
            self.conns.add(conn)
            self._presence()

    async def _missed(self, since: int, seq: int) -> list[dict[str, Any]]:
        """The events after ``since`` up to ``seq`` (the committed one): from memory when the window
        reaches back that far, else from the store, which holds every event."""
        log = self.game.log
        first = seq - len(log)  # memory holds the events after this seq
        if since >= first:
            return log[since - first :]
        return [ev for ev in await self.hub.store.read(self.game_id, since) if ev["seq"] <= seq]

    def _forget(self) -> None:
        """Drop the events older than the window; call when the game is at ``committed`` (the store
        has them all)."""
        log = self.game.log
        extra = len(log) - self.window
        if extra > 0:
            del log[:extra]

    async def snapshot(self, conn: Connection, cid: str | None) -> None:
        """A fresh view, in order with the events (what the view shows is at ``seq``)."""
        async with self.lock:
            await self._fresh()
            head = json.dumps({"type": "view", "id": cid, "seq": self.committed}, separators=(",", ":"))
            conn.push(head[:-1] + "," + self._view_body(conn) + "}")

    def _view_body(self, conn: Connection) -> str:
        """``"view":…,"session":…`` at the committed seq for the connection's audience, encoded once per
        audience and seq: a view is the largest frame the server makes (20 KB and more, and it grows with
        every message of the game), and every observer, or every player of a team, asking at one seq
        gets the same bytes. Kept only while another socket of the same audience is attached: nobody
        else could ask for it, and a game whose audiences have one socket each would otherwise hold
        every audience's view until the next event (in a quiet phase, for minutes; ~0.5 MB per game
        after a thousand messages). Call under the lock (the game is then at ``committed``); the
        session changes only with events, so the seq dates both."""
        audience = conn.audience
        if self._views_at != self.committed:
            self._views.clear()
            self._views_at = self.committed
        body = self._views.get(audience)
        if body is None:
            both = {"view": view(self.game, audience), "session": self.session.as_dict()}
            body = json.dumps(both, separators=(",", ":"))[1:-1]
            if any(c is not conn and c.audience == audience for c in self.conns):
                self._views[audience] = body
        return body

    def detach(self, conn: Connection) -> None:
        if conn in self.conns:
            self.conns.discard(conn)
            self._presence()
            if not self.conns:
                self._release()
        conn.shut()

    def _release(self) -> None:
        """Nobody is watching: let go of what only speeds up serving views (the encoded views and the
        game's view caches, pure functions of the state rebuilt on the next view). A game left loaded
        for its clock or its bots then holds about what its state and log hold, not five or six
        audiences' views on top: several times the game itself."""
        self._views.clear()
        self._views_at = -1
        self.game.view_cache = None

    def _presence(self) -> None:
        """Tell the facilitators who is connected (a status frame, not an event: presence is not part of
        the game and does not belong in its log)."""
        online: dict[str, int] = {}
        for c in self.conns:
            if c.player_id:
                online[c.player_id] = online.get(c.player_id, 0) + 1
        text = json.dumps({"type": "status", "store": "ok", "presence": online}, separators=(",", ":"))
        for c in self.conns:
            if c.role == "facilitator":
                c.push(text)

    def connected(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.conns:
            if c.team:
                out[c.team] = out.get(c.team, 0) + 1
        return out

    def _fanout(self, events: list[dict[str, Any]], bodies: list[str] | None = None) -> None:
        """Send a batch to every connection, each frame made once (see ``_Frames``): a version-1
        connection gets one frame per event it may see, a version-2 one the batch in one frame.
        ``bodies``: the events' JSON as the store was given it, if at hand."""
        if not events or not self.conns:
            return
        made = _Frames(self.game.rb, events, bodies)
        last = events[-1]["seq"]
        for c in self.conns:
            made.send(c)
            c.delivered = last

    def broadcast(self, frame: dict[str, Any]) -> None:
        text = json.dumps(frame, separators=(",", ":"))
        for c in self.conns:
            c.push(text)

    # ------------------------------------------------------------------ the one way to change a game

    async def execute(self, actor: Actor, command: Any) -> int:
        """Run one command (game, session or internal); returns the last seq it produced.

        Raises ``CommandError`` (refused, nothing changed) or ``StoreError`` (not written, nothing
        changed).
        """
        async with self.lock:
            await self._fresh()
            for _attempt in range(5):
                start = self.game.state.seq
                held = len(self.game.log)
                try:
                    self._run(actor, command)
                except CommandError:
                    if self.game.state.seq != start:
                        await self._rollback()
                    raise
                except Exception:
                    await self._rollback()
                    raise
                events = self.game.log[held:]
                if not events:
                    return self.committed
                try:
                    # encoded once: the store keeps these bytes and the fan-out sends them
                    bodies = encode_events(events)
                    with encoded(events, bodies):
                        await self.hub.store.append(self.game_id, start, events)
                except SeqConflict:
                    await self._rollback()
                    await self._catch_up()
                    continue
                except BaseException:  # not written (store down, or an event the store refuses)
                    await self._rollback()
                    raise
                self._committed(events, bodies)
                return self.committed
        raise CommandError("conflict", "the game kept changing under this command; try again")

    def _committed(self, events: list[dict[str, Any]], bodies: list[str] | None = None) -> None:
        self.committed = self.game.state.seq
        phase_moved = controllers_moved = clock_moved = False
        removed: list[str] = []
        to_answer: set[str] = set()
        to_argue: set[str] = set()
        to_refuse: set[str] = set()
        for ev in events:
            t = ev["type"]
            self._bot_work(ev, to_answer, to_argue, to_refuse)
            if t == "session":
                self.session.apply(ev)
                op = ev["op"]
                if op in ("deadline", "pause", "resume"):
                    clock_moved = True
                elif op in ("controller", "settings"):
                    controllers_moved = True
                elif op == "remove":
                    removed.append(ev["player"])
            elif t == "phase" or t == "game_over":
                phase_moved = True
                if t == "game_over":
                    self._spawn(self._mark_ended(), f"ended:{self.game_id}")
        if self._views:
            self._views.clear()  # dated by the seq that just moved on: nobody will ask for them again
        self._fanout(events, bodies)
        self._forget()
        for pid in removed:
            for c in list(self.conns):
                if c.player_id == pid:
                    self.detach(c)
        now = self.hub.clock()
        if now - self._active_at >= ACTIVE_EVERY:
            self._active_at = now
            self._spawn(self._mark_active(now), f"active:{self.game_id}")
        if clock_moved or phase_moved:
            self._clock_wake.set()
        if phase_moved or controllers_moved:
            self.schedule_bots()
        else:
            if to_answer and self.leader:
                self._spawn(self._answer(sorted(to_answer)), f"answer:{self.game_id}")
            if to_argue and self.leader:
                self._spawn(self._argue(sorted(to_argue)), f"argue:{self.game_id}")
            if to_refuse and self.leader:
                self._spawn(self._refuse(sorted(to_refuse)), f"refuse:{self.game_id}")

    def _bot_work(self, ev: dict[str, Any], answer: set[str], argue: set[str], refuse: set[str]) -> None:
        """The bot teams an event gives something to do outside their phase play: a proposal to answer,
        a free action to argue, another seat's orders a bot's seat may refuse."""
        t = ev["type"]
        if t == "proposal":
            p = ev["proposal"]
            answer |= {x for x in p["parties"] if x not in p["accepted"] and self.session.bot(x)}
        elif t == "free_action":
            seen = TEAMS if ev["vis"] == "all" else ev["vis"]
            argue |= {x for x in seen if x != ev["team"] and self.session.bot(x)}
        elif t == "orders_submitted":
            refuse |= {
                tm for tm, seat, _ in self.session.seat_bots() if tm == ev["team"] and seat != ev["seat"]
            }

    async def _rollback(self) -> None:
        """Back to the last committed event: the in-memory game may hold events the store refused.
        Replayed from memory while it holds the whole log, else from the store's log; if the store
        cannot be read now, the game is rebuilt before its next use (nothing is served from it until
        then, so no refused event is ever shown)."""
        log = self.game.log
        if log and log[0]["seq"] == 1:
            self._rebuild(log[: self.committed])
            return
        self._stale = True
        with contextlib.suppress(StoreError):
            await self._fresh()

    async def _fresh(self) -> None:
        """Rebuild a game a rollback could not (call under the lock): the store's log up to the
        committed seq, then what other instances stored since. Raises ``StoreError`` if the store is
        still away."""
        if not self._stale:
            return
        events = await self.hub.store.read(self.game_id)
        self._rebuild([ev for ev in events if ev["seq"] <= self.committed])
        self._stale = False
        later = [ev for ev in events if ev["seq"] > self.committed]
        if later:
            self._apply_remote(later)

    def _rebuild(self, events: list[dict[str, Any]]) -> None:
        self.game = Game.replay(self.game.rb, events)
        self.session = fold(events)
        self._forget()

    async def _catch_up(self) -> None:
        await self._fresh()
        events = await self.hub.store.read(self.game_id, self.committed)
        self._apply_remote(events)

    def _apply_remote(self, events: list[dict[str, Any]]) -> None:
        """Fold events another instance already stored. The one place the server writes into the game's
        log outside ``Game.handle`` and ``session.record``, and why it must: these events were decided
        elsewhere, and replaying the commands here could decide them differently (a clock, a bot's
        turn); folding the stored events keeps every instance's game the store's, in the store's order."""
        fresh = []
        for ev in events:
            if ev["seq"] <= self.game.state.seq:
                continue
            if ev["seq"] != self.game.state.seq + 1:
                raise RuntimeError(
                    f"gap in the log of {self.game_id}: {self.game.state.seq} then {ev['seq']}"
                )
            self.game.emit(ev)
            fresh.append(ev)
        if fresh:
            self._committed(fresh)

    async def _tail(self) -> None:
        """Events other instances append (shared stores): apply and send them in log order."""
        while True:
            try:
                async for batch in self.hub.store.tail(self.game_id, self.committed):
                    async with self.lock:
                        await self._fresh()
                        self._apply_remote(batch)
            except asyncio.CancelledError:
                raise
            except StoreLost:
                return  # nothing will ever land in this game's log again; the hub unloads the room
            except Exception as exc:  # the store tail retries by itself; this is a last resort
                log.warning("tail of %s stopped (%s); restarting", self.game_id, type(exc).__name__)
                await asyncio.sleep(0.5)

    # ------------------------------------------------------------------ commands

    def _run(self, actor: Actor, command: Any) -> None:
        g, s = self.game, self.session
        now = self.hub.clock()
        events = decide(s, self._facts(), actor, command, now)
        if events is not None:  # a session matter: the session's own events, nothing for the engine
            record(g, events, s)
            return
        turn, phase = g.state.turn, g.state.phase
        g.run(actor, command)
        # a phase ends early once every seat in play is ready (nobody ready: no seat to look at)
        while g.state.ready and g.state.phase in PHASES and not g.state.ended and g.all_ready():
            g.run(SYSTEM, Advance())
        if (g.state.turn, g.state.phase) != (turn, phase):
            record(g, phase_clock(s, self._facts(), now), s)

    def _facts(self) -> GameFacts:
        """What the session's rules read of the game, made again only when one of its parts moved (a
        frozen dataclass costs more to build than the rest of a chat message's session check): keyed by
        the state object itself (held here; a rebuilt game has a new one), the values copied out of it,
        and the seats mapping, which the facts share, not copy."""
        g = self.game
        st = g.state
        made = self._facts_of
        if made is not None:
            at, facts = made
            if (
                at is st
                and facts.seats is st.seats
                and facts.turn == st.turn
                and facts.phase == st.phase
                and facts.ended == st.ended
            ):
                return facts
        facts = GameFacts(st.turn, st.phase, st.ended, g.rb.personas, g.sc.model.personas, st.seats)
        self._facts_of = (st, facts)
        return facts

    # ------------------------------------------------------------------ the phase clock

    async def _clock(self) -> None:
        while True:
            self._clock_wake.clear()
            s, g = self.session, self.game
            if g.state.ended:
                return
            timeout: float | None = None
            if (
                self.leader  # with a shared store, only the lease holder's clock ends phases
                and s.deadline is not None
                and not s.paused
                and s.deadline_for == (g.state.turn, g.state.phase)
            ):
                timeout = s.deadline - self.hub.clock()
                if timeout <= 0:
                    await self._expire(s.deadline_for)
                    await asyncio.sleep(0)
                    continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._clock_wake.wait(), timeout)

    async def _expire(self, which: tuple[int, str]) -> None:
        """The deadline passed: apply the missed-orders policy, then end the phase (once, even if two
        instances' clocks fire: the guarded advance refuses the second as stale)."""
        turn, phase = which
        try:
            if phase == "orders" and self.session.missed_orders == "bot":
                await self._missed_orders(turn)
            await self.execute(SYSTEM, Advance(turn=turn, phase=phase))
        except CommandError as exc:
            if exc.code not in ("stale", "game_over"):
                log.warning("deadline of %s: %s", self.game_id, exc.message)
        except StoreError as exc:
            log.warning("deadline of %s not applied: %s", self.game_id, exc)
            await asyncio.sleep(1.0)

    async def _missed_orders(self, turn: int) -> None:
        g = self.game
        for team in TEAMS:
            if self.session.bot(team):
                continue
            missing = [s for s in g.state.seats[team] if f"{team}/{s}" not in g.state.orders]
            if not missing or len(missing) < len(g.state.seats[team]):
                continue  # somebody on the team spoke for it
            persona = g.sc.model.personas.get(team)
            if persona is None:
                continue
            await self._play_bot(team, persona, "orders", ready=False, claim=("missed", turn))

    # ------------------------------------------------------------------ bots

    def schedule_bots(self) -> None:
        if self._bots_pending or self.game.state.ended or not self.leader:
            return
        if not any(self.session.bot(t) for t in TEAMS) and not self.session.seat_bots():
            return
        self._bots_pending = True
        self._spawn(self._run_bots(), f"bots:{self.game_id}")

    async def _run_bots(self) -> None:
        await asyncio.sleep(0)  # let the triggering command's ack go out first
        self._bots_pending = False
        g = self.game
        if g.state.ended or g.state.phase not in PHASES:
            return
        phase = g.state.phase
        for team in TEAMS:
            persona = self.session.bot(team)
            if persona is None:
                continue
            try:
                await self._play_bot(team, persona, phase, ready=True, claim=None)
            except StoreError as exc:
                log.warning("bot %s in %s: store unavailable (%s)", team, self.game_id, exc)
                return
        for held, seat, persona in self.session.seat_bots():
            try:
                await self._play_seat(held, seat, persona, phase)
            except StoreError as exc:
                log.warning("bot %s/%s in %s: store unavailable (%s)", held, seat, self.game_id, exc)
                return
        if not self.conns:
            self._release()  # the bots read their views; a game nobody watches need not keep them

    async def _mark_active(self, now: float) -> None:
        """Read, then write: the stored record may have been archived elsewhere meanwhile. The room's
        own copy goes over the stored one, so a game's end marked at the same moment is kept."""
        self.info = {**self.info, "active": now}
        with contextlib.suppress(StoreError):
            info = await self.hub.store.get_info(self.game_id)
            if not info.get("archived"):
                await self.hub.store.set_info(self.game_id, {**info, **self.info})

    async def _mark_ended(self) -> None:
        """Finished games are not loaded at start-up and are listed from their record alone."""
        st = self.game.state
        self.info = {**self.info, "ended": True, "turn": st.turn, "turns": st.turns, "phase": st.phase}
        self.info["ended_at"] = self.hub.clock()
        with contextlib.suppress(StoreError):
            await self.hub.store.set_info(self.game_id, self.info)

    def _seated_bot(self, team: str) -> tuple[Bot, Actor] | None:
        """The bot in ``team``'s seat (made, or remade for a new persona) and the actor it commands as;
        None if a human holds the seat."""
        persona = self.session.bot(team)
        if persona is None:
            return None
        bot = self.bots.get(team)
        if bot is None or bot.persona_id != persona:
            g = self.game
            bot = _new_bot(g.rb, team, persona, g.state.seed)
            self.bots[team] = bot
        return bot, Actor(role="bot", team=team, name=f"bot:{persona}")  # type: ignore[arg-type]

    async def _answer(self, teams: list[str]) -> None:
        """A proposal reached a bot's seat after the bot played its phase: it answers now, as a human
        would, instead of leaving the proposal to expire."""
        await asyncio.sleep(0)
        g = self.game
        if g.state.phase != "negotiation":
            return
        for team in teams:
            seated = self._seated_bot(team)
            if seated is None:
                continue
            bot, actor = seated
            v = view(self.game, team)
            env = bot.environment(v)  # the bot's own reading of its view, as in its phase play
            for prop in v["proposals"]:
                if prop["status"] != "open" or team not in prop["parties"] or team in prop["accepted"]:
                    continue
                await self._bot_decides(actor, bot.answer(v, env, prop))

    async def _argue(self, teams: list[str]) -> None:
        """A free action was tabled after the bots played the orders phase: the bot seats that see it
        argue over it now, as they would have had it been on the table when they played (under a
        scenario's vote rule, a silent bot would be an abstention it never chose)."""
        from precursor.game.bots.free_actions import answer_free_actions

        await asyncio.sleep(0)
        g = self.game
        if g.state.phase != "orders":
            return
        for team in teams:
            seated = self._seated_bot(team)
            if seated is None:
                continue
            bot, actor = seated
            for d in answer_free_actions(bot, view(self.game, team)):
                await self._bot_decides(actor, d)

    def _seat_bot(self, team: str, seat: str, persona: str) -> tuple[Bot, Actor]:
        """The bot in one seat of a split team (made, or remade for a new persona) and its actor."""
        bot = self.bots.get(f"{team}/{seat}")
        if bot is None or bot.persona_id != persona:
            bot = _new_bot(self.game.rb, team, persona, self.game.state.seed)
            self.bots[f"{team}/{seat}"] = bot
        return bot, Actor(role="bot", team=team, seat=seat, name=f"bot:{persona}")  # type: ignore[arg-type]

    def _seat_view(self, team: str, seat: str) -> dict[str, Any]:
        """The team's view as one seat's bot reads it: of the refusable orders, those its seat carries out."""
        v = view(self.game, team)
        return {**v, "refusable": [r for r in v["refusable"] if r["seat"] == seat]}

    async def _refuse(self, teams: list[str]) -> None:
        """Another seat of a team gave orders after its seat bots played the orders phase: each of them
        refuses one its persona's rules give grounds for, as a person holding the seat could."""
        from precursor.game.bots.refusals import refusals

        await asyncio.sleep(0)
        if self.game.state.phase != "orders":
            return
        for team, seat, persona in self.session.seat_bots():
            if team not in teams:
                continue
            bot, actor = self._seat_bot(team, seat, persona)
            v = self._seat_view(team, seat)
            for d in refusals(bot, v, bot.environment(v)):
                await self._bot_decides(actor, d)

    async def _play_seat(self, team: str, seat: str, persona: str, phase: str) -> None:
        """A bot in one seat of a split team plays that seat only: in the orders phase it refuses what its
        persona would of the orders another seat gave and orders its seat's own levers; it readies its
        seat in every phase. Proposals and statements stay with the team's people."""
        from precursor.game.bots.orders import play_orders
        from precursor.game.bots.refusals import refusals

        g = self.game
        turn = g.state.turn
        try:  # claimed once per seat and phase, as a team's bot claims its turn
            await self.execute(
                SYSTEM,
                {
                    "op": "bot_turn",
                    "team": team,
                    "turn": turn,
                    "phase": f"{phase}@{seat}",
                    "vis": "facilitator",
                },
            )
        except CommandError:
            return
        bot, actor = self._seat_bot(team, seat, persona)
        decisions: list[Decision] = []
        if phase == "orders":
            v = self._seat_view(team, seat)
            env = bot.environment(v)
            decisions = refusals(bot, v, env)
            own = {lv["id"] for lv in v["levers"] if lv["seat"] == seat}
            for d in play_orders(bot, v, env):
                if isinstance(d.command, SubmitOrders):
                    kept = [o for o in d.command.orders if o.lever in own]
                    decisions.append(
                        replace(d, command=d.command.model_copy(update={"orders": kept, "statement": None}))
                    )
        for d in decisions:
            if (g.state.turn, g.state.phase) != (turn, phase):
                return
            await self._bot_decides(actor, d)
        if (g.state.turn, g.state.phase) == (turn, phase):
            with contextlib.suppress(CommandError):
                await self.execute(actor, Ready())

    async def _bot_decides(self, actor: Actor, d: Decision) -> None:
        """A bot's answer outside its phase play: its reason as a note for control, then the command;
        a refusal or a store outage drops it, as a human's late answer would be."""
        with contextlib.suppress(CommandError, StoreError):
            await self.execute(actor, Note(text=d.reason[:1000] or d.decision or "-", decision=d.decision))
            await self.execute(actor, d.command)

    async def _play_bot(
        self, team: str, persona: str, phase: str, *, ready: bool, claim: tuple[str, int] | None
    ) -> None:
        """A bot plays a seat through the same path a human's commands take: ``execute``."""
        g = self.game
        turn = g.state.turn
        key_phase = phase if claim is None else f"{phase}:{claim[0]}"
        if (team, turn, key_phase) in self.session.bot_turns:
            return
        # the claim is an append at the expected seq: of two instances only one plays the seat
        try:
            await self.execute(
                SYSTEM,
                {"op": "bot_turn", "team": team, "turn": turn, "phase": key_phase, "vis": "facilitator"},
            )
        except CommandError:
            return
        if (self.game.state.turn, self.game.state.phase) != (turn, phase):
            return
        bot = self.bots.get(team)
        if bot is None or bot.persona_id != persona:
            bot = _new_bot(g.rb, team, persona, g.state.seed)
            self.bots[team] = bot
        decisions = bot.decide(view(self.game, team)) if phase in ("negotiation", "orders") else []
        actor = Actor(role="bot", team=team, name=f"bot:{persona}")  # type: ignore[arg-type]
        for d in decisions:
            if self.game.state.phase != phase or self.game.state.turn != turn:
                return
            try:
                if not isinstance(d.command, Note):
                    await self.execute(
                        actor, Note(text=d.reason[:1000] or d.decision or "-", decision=d.decision)
                    )
                await self.execute(actor, d.command)
            except CommandError as exc:
                log.info("bot %s refused in %s: %s", team, self.game_id, exc.message)
        if phase == "orders" and not any(isinstance(d.command, SubmitOrders) for d in decisions):
            with contextlib.suppress(CommandError):
                await self.execute(actor, SubmitOrders(orders=[]))
        if ready:
            for seat in list(self.game.state.seats[team]):
                if self.game.state.phase != phase or self.game.state.turn != turn:
                    return
                with contextlib.suppress(CommandError):
                    await self.execute(actor.model_copy(update={"seat": seat}), Ready())


def _new_bot(rb: Any, team: str, persona: str, seed: int) -> Bot:
    """The bots are imported when a game first needs one: the package is a sixth of what the server
    imports, and most servers start with no bot seated anywhere (start to healthy pays for it otherwise)."""
    from precursor.game.bots import Bot

    return Bot(rb, team, persona, seed)


def _event_frame(seq: int, event: dict[str, Any]) -> str:
    return _frame_of(seq, json.dumps(event, separators=(",", ":")))


def _frame_of(seq: int, body: str) -> str:
    """An event frame around the event's JSON (the very text ``json.dumps`` makes of the frame)."""
    return f'{{"type":"event","seq":{seq},"event":{body}}}'


#: Events per ``events`` frame when a version-2 connection resumes far behind: a command makes a few
#: dozen events, a resume after a long absence thousands, and one frame must stay well under the
#: client's size limit.
REPLAY_BATCH = 500


class _Frames:
    """The frames of one batch of events for every audience, each made once.

    An event an audience sees whole (``redact`` returns the event itself) has one frame, built around
    the store's bytes when the batch was just appended, so nothing is encoded twice. A redacted copy is
    encoded once per distinct copy: two audiences whose copies are equal get the same frame. That
    shares no secret: copies of one event are built by the same code from the same dict (keys kept in
    the event's order, values the same objects), so equal copies have the same JSON, and each
    audience gets exactly the text its own redaction would make. (An earlier cache keyed by the id()
    of a redacted copy served a freed copy's frame to the next copy that reused its id: another
    audience's. Copies are compared by value and kept alive here, never by id.)
    """

    def __init__(self, rb: Any, events: list[dict[str, Any]], bodies: list[str] | None) -> None:
        self.rb = rb
        self.events = events
        self.bodies = bodies if bodies is not None and len(bodies) == len(events) else None
        self._whole: list[str | None] = [None] * len(events)  # event index -> frame of the whole event
        self._copies: dict[int, list[tuple[dict[str, Any], str]]] = {}  # index -> (copy, frame)
        self._frames: dict[str, list[str]] = {}
        self._batches: dict[str, str | None] = {}

    def frames(self, audience: str) -> list[str]:
        """The version-1 frames: one per event the audience may see, in order."""
        fs = self._frames.get(audience)
        if fs is None:
            fs = self._frames[audience] = []
            rb, whole = self.rb, self._whole
            for i, ev in enumerate(self.events):
                r = redact(rb, ev, audience)
                if r is ev:
                    f = whole[i]
                    if f is None:
                        f = whole[i] = self._whole_frame(i, ev)
                    fs.append(f)
                elif r is not None:
                    fs.append(self._copy_frame(i, ev, r))
        return fs

    def batch(self, audience: str) -> str | None:
        """The version-2 frame: ``{"type":"events","events":[event frames…]}``, or None if the audience
        sees none of them. The event frames are the version-1 ones, joined, not encoded again."""
        if audience not in self._batches:
            fs = self.frames(audience)
            self._batches[audience] = '{"type":"events","events":[' + ",".join(fs) + "]}" if fs else None
        return self._batches[audience]

    def send(self, conn: Connection) -> None:
        """Queue the batch for one connection in its protocol version: one frame (2), or one per event (1)."""
        if conn.version >= 2:
            batch = self.batch(conn.audience)
            if batch is not None:
                conn.push(batch)
        else:
            for f in self.frames(conn.audience):
                conn.push(f)

    def _whole_frame(self, i: int, ev: dict[str, Any]) -> str:
        body = self.bodies[i] if self.bodies is not None else json.dumps(ev, separators=(",", ":"))
        return _frame_of(ev["seq"], body)

    def _copy_frame(self, i: int, ev: dict[str, Any], r: dict[str, Any]) -> str:
        copies = self._copies.setdefault(i, [])
        for other, f in copies:
            if other == r:
                return f
        f = _event_frame(ev["seq"], r)
        copies.append((r, f))
        return f
