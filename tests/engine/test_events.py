"""The event vocabulary (precursor/game/events.py) against the code and the docs that use it.

The TypedDicts are only as good as their agreement with the emit sites, the fold and the docs, none of
which import them at run time: these tests play games and read the docs to keep the four the same.
"""

from __future__ import annotations

import copy
import json
import textwrap
from functools import cache
from pathlib import Path
from typing import Any, get_type_hints

import pytest
from mypy import api as mypy_api
from pydantic import TypeAdapter

from client_tui.model import LiveGame
from precursor.analysis.runner import play
from precursor.game import events, state, views
from precursor.game.bots import BotDriver
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook, default_rulebook
from precursor.game.schema import TEAMS

ROOT = Path(__file__).resolve().parents[2]
AUDIENCES = (views.FACILITATOR, *TEAMS, views.PUBLIC)


@cache
def rulebook() -> Rulebook:
    return default_rulebook()


@cache
def bot_games() -> list[Game]:
    """One bot game of every scenario with its own personas (the busy scripted games run in
    same_games.sh; these are the games a client sees)."""
    rb = rulebook()
    out = []
    for sid, sc in sorted(rb.scenarios.items()):
        game, _ = play(rb, sid, 0, None, bots=BotDriver(rb, dict(sc.model.personas), 0))
        out.append(game)
    return out


def by_key() -> dict[str, type]:
    return {events.key_of(td): td for td in events.members()}


def key(ev: dict[str, Any]) -> str:
    return f"session:{ev['op']}" if ev["type"] == "session" else str(ev["type"])


# ---------------------------------------------------------------------- the vocabulary is complete


def test_event_types_are_the_union_and_the_fold() -> None:
    keys = [events.key_of(td) for td in events.members()]
    assert len(keys) == len(set(keys)), "two TypedDicts for one type"
    types = tuple(dict.fromkeys(k.split(":")[0] for k in keys))
    assert types == events.EVENT_TYPES
    assert tuple(k.split(":")[1] for k in keys if k.startswith("session:")) == events.SESSION_OPS
    assert set(events.EVENT_TYPES) == {"game_created", *state._HANDLERS}
    assert set(events.ORIGIN) == set(keys)


def test_logged_events_have_the_fields_of_their_type() -> None:
    """Every event of a bot game of every scenario: no field its TypedDict lacks, every required field
    present, each value of its declared type."""
    kinds = by_key()
    adapters = {k: TypeAdapter(td) for k, td in kinds.items()}
    seen: set[str] = set()
    for game in bot_games():
        for ev in game.log:
            k = key(ev)
            td = kinds[k]
            declared = set(td.__annotations__)
            assert set(ev) <= declared, (k, set(ev) - declared)
            assert td.__required_keys__ <= set(ev), (k, td.__required_keys__ - set(ev))  # type: ignore[attr-defined]
            adapters[k].validate_python(ev, strict=False)
            seen.add(k)
    # the rare types (custom channels, ready, tokens, badges, sessions) are covered by the server and
    # engine tests; the common ones must all occur here, or the check above proves nothing
    assert {"game_created", "phase", "effect", "order_executed", "message", "proposal", "agreement"} <= seen


def test_json_schema_lists_every_type() -> None:
    schema = events.json_schema()
    assert len(schema["anyOf"]) == len(events.members())
    consts = {
        d["properties"]["type"]["const"]
        for d in schema["$defs"].values()
        if "type" in d.get("properties", {})
    }
    assert consts == set(events.EVENT_TYPES)


def test_cli_prints_the_events_schema(capsys: pytest.CaptureFixture[str]) -> None:
    from precursor.cli import main

    assert main(["schema", "events"]) in (0, None)
    out = json.loads(capsys.readouterr().out)
    assert out["title"] == "Precursor event"
    assert len(out["anyOf"]) == len(events.members())


def test_docs_table_is_the_module() -> None:
    text = (ROOT / "docs" / "engine.md").read_text(encoding="utf-8")
    section = text.split("\n## Events\n", 1)[1].split("\n## ", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("|")) + "\n"
    assert table == events.markdown_table(), (
        "docs/engine.md's Events table differs from precursor/game/events.py; "
        "paste `python -c 'from precursor.game.events import markdown_table; print(markdown_table())'`"
    )


def test_mypy_catches_a_misspelt_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        textwrap.dedent(
            """\
            from precursor.game.events import MessageEvent


            def channel(ev: MessageEvent) -> str:
                return ev["channel"]


            def misspelt(ev: MessageEvent) -> str:
                return ev["chanel"]


            def built() -> MessageEvent:
                return {"type": "message", "seq": 1, "vis": "all", "id": "m1", "chanel": "all", "team": "us",
                        "seat": None, "name": "n", "text": "t", "turn": 1}
            """
        )
    )
    monkeypatch.setenv("MYPYPATH", str(ROOT))
    out, err, status = mypy_api.run(
        ["--strict", "--no-incremental", "--follow-imports=silent", "--no-error-summary", str(snippet)]
    )
    lines = sorted({line.split(":")[1] for line in out.splitlines() if ": error:" in line})
    assert status == 1, out + err
    assert lines == ["13", "9"], out  # the misspelt read and the misspelt literal, nothing else
    assert '"chanel"' in out


def test_mypy_catches_a_misspelt_field_in_a_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader in the review's style (precursor/analysis/review.py): loose events from the log, cast
    once by ``typed`` and narrowed by ``type`` (and ``op``); a misspelt field is an error at each read."""
    snippet = tmp_path / "reader.py"
    snippet.write_text(
        textwrap.dedent(
            """\
            from precursor.game.events import LogEvent, typed


            def kept(seen: list[LogEvent]) -> list[str]:
                return [e["agreement"] for e in map(typed, seen) if e["type"] == "compliance" and e["met"]]


            def broken(seen: list[LogEvent]) -> int:
                return sum(1 for e in map(typed, seen) if e["type"] == "compliance" and e["mett"] is False)


            def players(seen: list[LogEvent]) -> list[str]:
                out = []
                for e in map(typed, seen):
                    if e["type"] == "session" and e["op"] == "join":
                        out.append(e["player"])
                return out


            def briefing(seen: list[LogEvent]) -> str:
                for e in map(typed, seen):
                    if e["type"] == "phase" and e["phase"] == "briefing":
                        return e["date"]
                return ""
            """
        )
    )
    monkeypatch.setenv("MYPYPATH", str(ROOT))
    out, err, status = mypy_api.run(
        ["--strict", "--no-incremental", "--follow-imports=silent", "--no-error-summary", str(snippet)]
    )
    lines = sorted({line.split(":")[1] for line in out.splitlines() if ": error:" in line})
    assert status == 1, out + err
    # "mett" on a compliance event; "player" on a join (its field is player_id; remove has player)
    assert lines == ["16", "9"], out
    assert '"mett"' in out and '"player"' in out


def test_shared_fields_agree_with_every_type() -> None:
    """``EventFields`` reads any event through fields several types share: each must be a field of
    some type and have the same type in every type that has it, or a read through it would lie."""
    shared = get_type_hints(events.EventFields)
    for name, hint in shared.items():
        having = {
            events.key_of(td): get_type_hints(td)[name]
            for td in events.members()
            if name in get_type_hints(td)
        }
        assert having, f"{name}: no event type has it"
        assert all(h == hint for h in having.values()), (name, hint, having)


def test_every_type_with_changes_declares_unreported() -> None:
    """``views.redact`` names, for a team, what it removed from ``changes`` of any event type."""
    for td in events.members():
        hints = get_type_hints(td)
        assert ("changes" in hints) == ("unreported" in hints), events.key_of(td)


# ---------------------------------------------------------------------- the client's fold


def _copy(ev: dict[str, Any]) -> dict[str, Any]:
    """What the wire does to an event: each receiver gets its own copy."""
    return copy.deepcopy(ev)


def _compare(model: LiveGame, st: state.GameState, where: str) -> None:
    assert model.turn == st.turn, where
    assert model.ended == st.ended, where
    if not st.ended:  # the engine's state says "ended"; the client keeps the last phase it was told
        assert model.phase == st.phase, where
    assert model.ready == st.ready, where
    assert model.proposals == st.proposals, where
    assert model.agreements.keys() == st.agreements.keys(), where
    for aid, a in model.agreements.items():
        engine = {k: v for k, v in st.agreements[aid].items() if k != "record"}  # compliance, engine only
        assert a == engine, (where, aid)
    held = {m["id"]: m for msgs in model.messages.values() for m in msgs}
    assert held.keys() == {m["id"] for m in st.messages}, where
    for m in st.messages:
        assert {k: held[m["id"]].get(k) for k in m} == m, (where, m["id"])
    orders = {k: {"orders": o["orders"], "statement": o.get("statement")} for k, o in model.orders.items()}
    assert orders == st.orders, where
    assert {c["id"] for c in model.view.get("channels", [])} <= st.channels.keys(), where


@pytest.mark.parametrize("audience", AUDIENCES)
def test_client_fold_agrees_with_the_engine_fold(audience: str) -> None:
    """The client folds the events an audience receives (client_tui/model.py) from the view it got on
    connect; the engine's fold (state.apply) of the same events from the same start must hold the same
    turn, phase, readiness, proposals, agreements, messages and orders, checked at every phase."""
    rb = rulebook()
    for game in bot_games():
        start = 2  # game_created and the first briefing: what a client's first view stands on
        at_start = Game.replay(rb, [_copy(e) for e in game.log[:start]])
        model = LiveGame()
        model.set_view(json.loads(json.dumps(views.view(at_start, audience))), start)
        st = state.GameState()
        for ev in game.log[:start]:
            state.apply(st, _copy(ev))
        for ev in views.events_for(game, audience, since=start):
            state.apply(st, _copy(ev))
            assert model.apply(ev["seq"], _copy(ev))
            if ev["type"] in ("phase", "game_over"):
                _compare(model, st, f"{game.state.scenario} {audience} seq {ev['seq']}")
        _compare(model, st, f"{game.state.scenario} {audience} end")
