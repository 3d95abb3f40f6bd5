"""Facilitator commands in the engine: guarded advance, overrides with a visible note, injects."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from precursor.game.commands import (
    Actor,
    Advance,
    CommandEnvelope,
    CommandError,
    CustomInject,
    Override,
    ReleaseInject,
)
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook
from precursor.game.views import key_visible, redact

FAC = Actor(role="facilitator")


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
