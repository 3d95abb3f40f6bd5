"""Facilitator commands in the engine (guarded advance, overrides with a visible note, injects) and the
session's rules the server applies around it (pause, clock, controllers, the gates)."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from precursor.game.commands import (
    Actor,
    Advance,
    CommandEnvelope,
    CommandError,
    CustomInject,
    Override,
    Ready,
    ReleaseInject,
    SendMessage,
)
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook
from precursor.game.session import (
    SESSION_COMMANDS,
    GameFacts,
    Session,
    decide,
    fold,
    opening,
    phase_clock,
    record,
)
from precursor.game.views import key_visible, redact
from precursor.protocol import SESSION_TYPES, Extend, Pause, RemovePlayer, Resume, SetController

FAC = Actor(role="facilitator")
SYSTEM = Actor(role="system")


def fac(cmd: object) -> CommandEnvelope:
    return CommandEnvelope(actor=FAC, command=cmd)  # type: ignore[arg-type]


def test_guarded_advance_refuses_a_stale_phase(rb: Rulebook) -> None:
    g = Game.new(rb, "loose-talk", 1)
    assert g.state.phase == "briefing"
    g.handle(fac(Advance(turn=1, phase="briefing")))
    assert g.state.phase == "negotiation"
    seq = g.state.seq
    with pytest.raises(CommandError) as err:
        g.handle(fac(Advance(turn=1, phase="briefing")))  # the same click again
    assert err.value.code == "stale"
    assert g.state.seq == seq and g.state.phase == "negotiation"


def test_players_cannot_override_or_release(rb: Rulebook) -> None:
    g = Game.new(rb, "loose-talk", 1)
    seq = g.state.seq
    for cmd in (
        Override(key="us.approval", value=50, note="x"),
        ReleaseInject(inject="b_deck_media_spike"),
    ):
        with pytest.raises(CommandError) as err:
            g.handle(CommandEnvelope(actor=Actor(team="us"), command=cmd))
        assert err.value.code == "forbidden"
    assert g.state.seq == seq


def test_override_sets_the_value_and_every_team_sees_the_note(rb: Rulebook) -> None:
    g = Game.new(rb, "loose-talk", 1)
    hidden = next(k for k in rb.indicators if not key_visible(rb, k, "mx") and rb.indicators[k].type == "num")
    _, lo, hi = rb.bounds[hidden]
    target = lo if lo > float("-inf") else 1.0
    (ev,) = g.handle(fac(Override(key=hidden, value=target, note="sensitivity run")))
    assert g.state.env[hidden] == target
    seen = redact(rb, ev, "mx")
    assert seen is not None and "sensitivity run" in seen["reason"]
    assert hidden not in seen["changes"]  # the note is public, the true value is not
    with pytest.raises(CommandError) as err:
        g.handle(fac(Override(key=hidden, value=hi + 1 if hi < float("inf") else lo - 1, note="x")))
    assert err.value.code == "out_of_range"
    with pytest.raises(ValidationError):  # not a number a game can hold: refused before the engine
        Override(key=hidden, value=float("inf"), note="x")
    with pytest.raises(CommandError) as err:
        g.handle(fac(Override(key="no.such", value=1, note="x")))
    assert err.value.code == "unknown_indicator"


def test_deck_inject_fires_once_and_custom_injects_are_numbered(rb: Rulebook) -> None:
    g = Game.new(rb, "loose-talk", 1)
    before = g.state.env["us.overton"]
    (ev,) = g.handle(fac(ReleaseInject(inject="b_deck_media_spike")))
    assert ev["type"] == "inject" and g.state.env["us.overton"] > before
    with pytest.raises(CommandError) as err:
        g.handle(fac(ReleaseInject(inject="b_deck_media_spike")))
    assert err.value.code == "already_released"
    with pytest.raises(CommandError) as err:
        g.handle(fac(ReleaseInject(inject="nope")))
    assert err.value.code == "unknown_inject"
    custom = CustomInject(title="Port strike", text="Dockworkers walk out.", changes={"us.approval": 40})
    (c1,) = g.handle(fac(ReleaseInject(custom=custom)))
    (c2,) = g.handle(fac(ReleaseInject(custom=custom.model_copy(update={"audience": ["us", "mx"]}))))
    assert (c1["id"], c2["id"]) == ("custom.1", "custom.2")
    assert g.state.env["us.approval"] == 40
    assert redact(rb, c2, "cn") is None and redact(rb, c2, "mx") is not None
    replayed = Game.replay(rb, [dict(e) for e in g.log])
    assert replayed.state.snapshot() == g.state.snapshot()


# ---------------------------------------------------------------- the session's rules, without a server


def _facts(g: Game) -> GameFacts:
    st = g.state
    return GameFacts(st.turn, st.phase, st.ended, g.rb.personas, g.sc.model.personas)


def _session_game(rb: Rulebook) -> tuple[Game, Session]:
    """A game whose session has settings, a clock, a player and a bot: every field ``as_dict`` shows."""
    g = Game.new(rb, "loose-talk", 1)
    s = Session()
    record(
        g,
        opening("class 3", {"briefing": 30, "orders": 60}, "on", "bot", {"cn": "deny_and_deflect"}, 100.0),
        s,
    )
    join = {
        "op": "join",
        "player_id": "p1",
        "name": "ann",
        "role": "player",
        "team": "us",
        "seat": "president",
    }
    record(g, decide(s, _facts(g), SYSTEM, join, 101.0) or [], s)
    return g, s


def test_session_round_trips_through_as_dict(rb: Rulebook) -> None:
    g, s = _session_game(rb)
    record(g, decide(s, _facts(g), FAC, Pause(), 110.0) or [], s)
    record(g, decide(s, _facts(g), FAC, RemovePlayer(player="p1"), 111.0) or [], s)
    assert s.paused and s.remaining == 20.0 and s.players["p1"].removed and s.deadline_for == (1, "briefing")
    for d in (s.as_dict(), json.loads(json.dumps(s.as_dict()))):  # as sent to a client, too
        back = Session.from_dict(d)
        assert back.as_dict() == s.as_dict()
        assert back == Session(**{**s.__dict__, "bot_turns": set()})  # claimed bot turns are not sent
    assert Session.from_dict(Session().as_dict()) == Session()


def test_decide_refuses_with_the_server_codes_and_changes_nothing(rb: Rulebook) -> None:
    g, s = _session_game(rb)
    player = Actor(role="player", team="us", seat="president")
    refused = [
        (player, Pause(), "forbidden"),
        (FAC, Resume(), "not_paused"),
        (FAC, SetController(team="mx", persona="nope"), "unknown_persona"),
        (FAC, SetController(team="mx", persona="deny_and_deflect"), "unknown_persona"),  # another team's
        (FAC, RemovePlayer(player="nobody"), "unknown_player"),
        (Actor(role="player", team="cn"), Ready(), "bot_seat"),
    ]
    before = s.as_dict()
    for actor, cmd, code in refused:
        with pytest.raises(CommandError) as err:
            decide(s, _facts(g), actor, cmd, 120.0)
        assert err.value.code == code, cmd
    assert decide(s, _facts(g), player, Ready(), 120.0) is None  # the engine's to decide
    assert (
        decide(s, _facts(g), Actor(role="player", team="cn"), SendMessage(channel="press", text="x"), 120.0)
        is None
    )
    assert s.as_dict() == before

    record(g, decide(s, _facts(g), FAC, Pause(), 120.0) or [], s)
    with pytest.raises(CommandError) as err:
        decide(s, _facts(g), FAC, Pause(), 121.0)
    assert err.value.code == "already_paused"
    with pytest.raises(CommandError) as err:
        decide(s, _facts(g), player, Ready(), 121.0)
    assert err.value.code == "paused"
    s.press = "off"
    with pytest.raises(CommandError) as err:
        decide(s, _facts(g), Actor(role="bot", team="mx"), Ready(), 121.0)
    assert err.value.code == "paused"
    s.paused = False
    with pytest.raises(CommandError) as err:
        decide(s, _facts(g), player, SendMessage(channel="press", text="x"), 121.0)
    assert err.value.code == "press_off"


def test_decide_extends_and_resumes_on_the_clock_it_is_given(rb: Rulebook) -> None:
    g, s = _session_game(rb)
    assert s.deadline == 130.0
    (ext,) = decide(s, _facts(g), FAC, Extend(seconds=15), 140.0) or []
    assert (ext["op"], ext["at"], ext["extended"]) == ("deadline", 155.0, 15)  # past: from now
    record(g, [ext], s)
    record(g, decide(s, _facts(g), FAC, Pause(), 150.0) or [], s)
    assert s.remaining == 5.0
    record(g, decide(s, _facts(g), FAC, Extend(seconds=10), 160.0) or [], s)
    assert (s.deadline, s.remaining) == (None, 15.0)
    (res,) = decide(s, _facts(g), FAC, Resume(), 200.0) or []
    assert res["at"] == 215.0
    (ctl,) = decide(s, _facts(g), FAC, SetController(team="mx", persona="default"), 200.0) or []
    assert ctl["persona"] == g.sc.model.personas["mx"]


def test_phase_clock_starts_holds_or_clears_the_deadline(rb: Rulebook) -> None:
    g, s = _session_game(rb)
    g.handle(fac(Advance()))
    assert g.state.phase == "negotiation"
    (clear,) = phase_clock(s, _facts(g), 140.0)  # no deadline for negotiation: the briefing's goes
    assert (clear["phase"], clear["at"]) == ("negotiation", None) and "remaining" not in clear
    record(g, [clear], s)
    assert phase_clock(s, _facts(g), 141.0) == []  # nothing to clear
    g.handle(fac(Advance()))
    record(g, decide(s, _facts(g), FAC, Pause(), 150.0) or [], s)
    (held,) = phase_clock(s, _facts(g), 150.0)
    assert (held["phase"], held["at"], held["remaining"]) == ("orders", None, 60.0)
    s.paused = False
    assert phase_clock(s, _facts(g), 150.0)[0]["at"] == 210.0


def test_record_puts_session_events_in_the_games_one_log(rb: Rulebook) -> None:
    g, s = _session_game(rb)
    n = len(g.log)
    record(g, decide(s, _facts(g), FAC, Pause(), 110.0) or [])
    ev = g.log[-1]
    assert len(g.log) == n + 1 and ev["seq"] == g.state.seq and ev["type"] == "session"
    assert fold(g.log).as_dict() == {**s.as_dict(), "paused": True, "remaining": 20.0}
    assert Game.replay(rb, g.log).state.seq == g.state.seq  # the engine folds them as no-ops


def test_the_session_knows_every_session_command_of_the_protocol() -> None:
    assert SESSION_COMMANDS == SESSION_TYPES
