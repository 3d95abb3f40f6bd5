"""Free actions in the engine: the menu, the refusals no conformance case can reach, replay, and the
white-cell rule file's errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from precursor.analysis.runner import parse_command, play
from precursor.game.commands import CommandError
from precursor.game.engine import Game
from precursor.game.loader import RulebookError
from precursor.game.rulebook import Rulebook, load
from precursor.game.white_cell.menu import menu

ROOT = Path(__file__).resolve().parents[2]

TABLE = {
    "team": "us",
    "type": "free_action",
    "title": "Back channel",
    "description": "A quiet envoy",
    "effects": [{"indicator": "trust.us_mx", "direction": "up", "size": "medium"}],
    "argument": "An envoy builds Trust between the US and Mexico.",
}


# turn 1 of the exchange both the replay and the event-type tests play: a position, a public free
# action and an argument against it
OPENING = [
    {"team": "mx", "type": "position", "goals": "Keep sovereignty"},
    {**TABLE, "visibility": "public"},
    {"team": "mx", "type": "counter_argument", "free_action": "fa.1.us", "text": "No."},
]


def test_menu_offers_only_what_the_team_sees(rb: Rulebook) -> None:
    us = {m.indicator for m in menu(rb, "us")}
    cn = {m.indicator for m in menu(rb, "cn")}
    assert "cn.face" in cn and "cn.face" not in us  # China's face is China's own, unpublished value
    assert not any(rb.indicators[i].fog.hidden for i in us | cn)
    assert "trust.us_mx" in us and "flow.precursor" not in us  # recomputed monthly: not claimable
    item = next(m for m in menu(rb, "us") if m.indicator == "trust.us_mx")
    assert item.family == "trust" and item.amounts["small"] <= item.amounts["medium"] <= item.amounts["large"]


def test_free_action_only_in_the_orders_phase(rb: Rulebook) -> None:
    g = Game.new(rb, "tutorial", 2)
    g.advance()  # negotiation
    with pytest.raises(CommandError) as exc:
        g.handle(parse_command(TABLE))
    assert exc.value.code == "wrong_phase"
    g.advance()  # orders
    g.handle(parse_command(TABLE))
    assert g.log[-1]["type"] == "free_action" and g.log[-1]["id"] == "fa.1.us"


def test_free_action_reserves_capital_against_later_orders(rb: Rulebook) -> None:
    g = Game.new(rb, "tutorial", 2)
    g.effect("setup.start", "test", {"us.pc": 2.0}, (), vis="all")
    g.advance()
    g.advance()
    small = {**TABLE, "effects": [{"indicator": "trust.us_mx", "direction": "up", "size": "small"}]}
    g.handle(parse_command(small))  # 1 of the US's 2 reserved
    lever = next(lv for lv in rb.levers.values() if lv.team == "us" and g.default_order_status(lv)[0] == 2.0)
    cmd = parse_command({"team": "us", "type": "submit_orders", "orders": [{"lever": lever.id}]})
    with pytest.raises(CommandError) as exc:
        g.handle(cmd)
    assert exc.value.code == "over_budget" and "free actions 1" in exc.value.message


def test_the_whole_exchange_replays_byte_for_byte(rb: Rulebook) -> None:
    script = {
        "turns": [
            {
                "turn": 1,
                "commands": [
                    *OPENING,
                    {
                        "team": "cn",
                        "type": "free_action",
                        "title": "Pledge",
                        "description": "x",
                        "effects": [{"indicator": "cn.face", "direction": "up"}],
                        "argument": "x",
                    },
                    {
                        "role": "facilitator",
                        "type": "rule_free_action",
                        "free_action": "fa.1.cn",
                        "band": "unlikely",
                        "reason": "Words are cheap.",
                    },
                ],
            },
            {"turn": 2, "commands": [{**TABLE, "visibility": "private"}]},
        ]
    }
    game, errors = play(rb, "loose-talk", 5, script, until_turn=2)
    assert not errors, errors
    assert sum(1 for e in game.log if e["type"] == "free_action_resolved") == 3
    again = Game.replay(rb, [dict(e) for e in game.log])
    assert again.events_jsonl() == game.events_jsonl()
    assert again.state.snapshot() == game.state.snapshot()
    assert again.state.free_actions == game.state.free_actions and "fa.2.us" in again.state.free_actions


def test_a_game_without_free_actions_snapshots_as_before(rb: Rulebook) -> None:
    game, _ = play(rb, "tutorial", 1, None, until_turn=1)
    assert '"free_actions"' not in game.state.snapshot() and '"positions"' not in game.state.snapshot()


def _problems(tmp_path: Path, *swaps: tuple[str, str]) -> tuple[list[str], list[tuple[str, int, str]]]:
    text = (ROOT / "rules" / "white_cell.yaml").read_text(encoding="utf-8")
    for old, new in swaps:
        assert old in text
        text = text.replace(old, new)
    bad = tmp_path / "white_cell.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(RulebookError) as exc:
        load([bad])
    assert all(p.file.endswith("white_cell.yaml") for p in exc.value.problems), exc.value.problems
    return text.splitlines(), [(p.field, p.line, p.message) for p in exc.value.problems]


def test_white_cell_file_errors_name_file_line_and_field(tmp_path: Path) -> None:
    lines, got = _problems(
        tmp_path,
        ("indicators: [cn.ctrl, ml, mx.port_control]", "indicators: [cn.ctrl, ml, flow.precursor]"),
        ("      indicators: [mx.st, mx.coop]", "      indicators: [mx.st, mx.cop]"),
    )
    recomputed = next(i for i, ln in enumerate(lines, 1) if "flow.precursor" in ln)
    assert any("recomputed" in m and ln == recomputed and "indicators" in f for f, ln, m in got), got
    assert any("did you mean 'mx.coop'" in m for _, _, m in got), got
    lines, got = _problems(
        tmp_path, ("{small: 0.02, medium: 0.04, large: 0.06}", "{small: 0.2, medium: 0.04, large: 0.06}")
    )
    shrink = next(i for i, ln in enumerate(lines, 1) if "small: 0.2," in ln)
    assert got == [
        ("white_cell.families[migration].amounts", shrink, "sizes must not shrink: small <= medium <= large")
    ]


def test_bots_answer_a_free_action_from_their_persona(rb: Rulebook) -> None:
    """A public US free action that would raise Mexico's sovereignty tension is argued over by the bots
    whose personas weigh it, each once, in their own voice; under Loose Talk their stances are the vote."""
    from precursor.game.bots import BotDriver

    sc = rb.scenarios["loose-talk"].model
    personas = {t: p for t, p in sc.personas.items() if t != "us"}
    claim = {
        **TABLE,
        "effects": [{"indicator": "mx.st", "direction": "up", "size": "large"}],
        "visibility": "public",
    }
    script = {"turns": [{"turn": 1, "commands": [claim]}]}
    game, errors = play(rb, "loose-talk", 4, script, until_turn=1, bots=BotDriver(rb, personas, 4))
    assert not [e for e in errors if not e.command.get("bot")], errors
    counters = [e for e in game.log if e["type"] == "counter_argument"]
    assert counters, "no bot argued"
    assert len({c["team"] for c in counters}) == len(counters) and "us" not in {c["team"] for c in counters}
    mx = next(c for c in counters if c["team"] == "mx")
    assert mx["stance"] == "against" and "sovereignty tension up" in mx["text"]
    voice = rb.personas[personas["mx"]].model.voice
    assert any(mx["text"].startswith(line) for line in voice.reject + voice.open)
    resolved = next(e for e in game.log if e["type"] == "free_action_resolved")
    assert resolved["ruled_by"] == "vote" and "against: " in resolved["ruling_reason"]


def test_white_cell_events_have_the_fields_of_their_type(rb: Rulebook) -> None:
    from pydantic import TypeAdapter

    from precursor.game import events

    kinds = {events.key_of(td): td for td in events.members()}
    script = {
        "turns": [
            {
                "turn": 1,
                "commands": [
                    *OPENING,
                    {
                        "role": "facilitator",
                        "type": "rule_free_action",
                        "free_action": "fa.1.us",
                        "band": "likely",
                        "reason": "Envoys work.",
                    },
                ],
            }
        ]
    }
    game, errors = play(rb, "tutorial", 2, script, until_turn=1)
    assert not errors, errors
    seen = set()
    for ev in game.log:
        if ev["type"] in (
            "free_action",
            "counter_argument",
            "free_action_ruling",
            "free_action_resolved",
            "position",
        ):
            td = kinds[ev["type"]]
            assert set(ev) <= set(td.__annotations__) and td.__required_keys__ <= set(ev), ev["type"]
            TypeAdapter(td).validate_python(ev, strict=False)
            seen.add(ev["type"])
    assert len(seen) == 5
