"""Property tests: random commands from every seat never break the engine's guarantees."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from precursor.analysis.runner import parse_command
from precursor.game.commands import Actor, Advance, CommandEnvelope, CommandError
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook, default_rulebook

RB = default_rulebook()
TEAMS = ["us", "mx", "cn", "ca"]
LEVERS = sorted(RB.levers)
CHANNELS = ["team.us", "us_mx", "us_cn", "na", "all", "press", "nowhere"]


def _params(lever_id: str, draw: Any) -> dict[str, Any]:
    lv = RB.levers.get(lever_id)
    out: dict[str, Any] = {}
    if lv is None:
        return out
    for p in lv.params.values():
        if draw(st.booleans()):
            continue
        if p.type == "choice":
            out[p.id] = draw(st.sampled_from([*p.choices, "bogus"]))
        elif p.type == "bool":
            out[p.id] = draw(st.booleans())
        else:
            lo = -5 if p.min is None else p.min - 5
            hi = 400 if p.max is None else p.max + 5
            out[p.id] = draw(st.integers(int(lo), int(hi)))
    return out


@st.composite
def raw_command(draw: Any) -> dict[str, Any]:
    team = draw(st.sampled_from(TEAMS))
    kind = draw(st.sampled_from(["submit_orders", "message", "propose", "respond", "ready"]))
    if kind == "submit_orders":
        levers = draw(st.lists(st.sampled_from([*LEVERS, "xx_fake"]), max_size=5, unique=True))
        orders = [{"lever": lid, "params": _params(lid, draw)} for lid in levers]
        cmd: dict[str, Any] = {"type": kind, "orders": orders}
        if draw(st.booleans()):
            cmd["statement"] = {
                "kind": draw(st.sampled_from(["praise", "blame", "threat", "commitment", "acknowledge"])),
                "target": draw(st.sampled_from(TEAMS)),
            }
    elif kind == "message":
        cmd = {"type": kind, "channel": draw(st.sampled_from(CHANNELS)), "text": "hello"}
    elif kind == "propose":
        parties = draw(st.lists(st.sampled_from(TEAMS), min_size=1, max_size=4, unique=True))
        clauses = []
        for _ in range(draw(st.integers(0, 3))):
            actor = draw(st.sampled_from(TEAMS))
            lid = draw(st.sampled_from(LEVERS))
            clauses.append({"actor": actor, "lever": lid, "params": _params(lid, draw)})
        cmd = {
            "type": kind,
            "parties": parties,
            "clauses": clauses,
            "visibility": draw(st.sampled_from(["public", "private"])),
            "framing": draw(st.sampled_from(["none", "multilateral"])),
        }
    elif kind == "respond":
        cmd = {
            "type": kind,
            "proposal": f"T{draw(st.integers(1, 3))}-{draw(st.sampled_from(TEAMS)).upper()}-1",
            "action": draw(st.sampled_from(["accept", "reject", "withdraw"])),
        }
    else:
        cmd = {"type": "ready"}
    cmd["team"] = team
    return cmd


SYSTEM = CommandEnvelope(actor=Actor(role="system"), command=Advance())


def _play(seed: int, steps: list[tuple[int, dict[str, Any]]]) -> tuple[Game, int]:
    g = Game.new(RB, "tutorial", seed)
    refused = 0
    for advance_first, raw in steps:
        for _ in range(advance_first):
            if not g.state.ended:
                g.handle(SYSTEM)
        if g.state.ended:
            break
        before, n = g.state.snapshot(), len(g.log)
        try:
            g.handle(parse_command(raw))
        except CommandError as exc:
            refused += 1
            assert exc.code and exc.message
            assert len(g.log) == n and g.state.snapshot() == before, f"refused {exc.code} but state changed"
    while not g.state.ended:
        g.handle(SYSTEM)
    return g, refused


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), steps=st.lists(st.tuples(st.integers(0, 2), raw_command()), max_size=25))
def test_random_commands_keep_the_fold_and_determinism(
    seed: int, steps: list[tuple[int, dict[str, Any]]]
) -> None:
    g, _ = _play(seed, steps)
    again, _ = _play(seed, steps)
    assert g.events_jsonl() == again.events_jsonl()
    replayed = Game.replay(RB, [json.loads(line) for line in g.events_jsonl().splitlines()])
    assert replayed.state.snapshot() == g.state.snapshot()
    for team in TEAMS:
        assert 0 <= g.state.env[f"{team}.pc"] <= 20
    assert g.log[-1]["type"] == "game_over"


def test_rulebook_fixture_is_the_shared_one(rb: Rulebook) -> None:
    assert rb is RB
