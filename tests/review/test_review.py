"""After-action review: lossless export/import, reports per audience, forks, grades."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from precursor.analysis.review import (
    build_report,
    dumps,
    fork_prefix,
    grades,
    loads,
    replay,
    to_html,
    to_markdown,
)
from precursor.analysis.runner import play
from precursor.analysis.simulate import resolve_personas
from precursor.game.bots import BotDriver
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "tutorial_seed3_report.json"


def bot_game(rb: Rulebook, scenario: str, seed: int, until: int | None = None) -> Game:
    personas = resolve_personas(rb, scenario)
    game, _ = play(rb, scenario, seed, None, bots=BotDriver(rb, personas, seed), until_turn=until)
    return game


SCENARIOS = [
    "tutorial",
    "loose-talk",
    "election-season",
    "tariffs-and-terror",
    "three-weeks",
    "red-line",
    "the-record",
]


@pytest.mark.parametrize("scenario", SCENARIOS)
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000))
def test_export_then_import_replays_to_the_same_game(rb: Rulebook, scenario: str, seed: int) -> None:
    game = bot_game(rb, scenario, seed)
    text = dumps(game.log)
    back = loads(text)
    again = replay(rb, back)
    assert again.state.snapshot() == game.state.snapshot()
    assert dumps(again.log) == text


def test_import_and_export_through_a_store_are_lossless(rb: Rulebook, tmp_path: Path) -> None:
    game = bot_game(rb, "tutorial", 11)
    src = tmp_path / "game.jsonl"
    src.write_text(dumps(game.log), encoding="utf-8")
    store = f"sqlite:///{tmp_path / 'games.db'}"
    out = subprocess.run(
        [sys.executable, "-m", "precursor.cli", "import", str(src), "--store", store, "--create-store"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    created = json.loads(out.stdout)
    assert set(created["join_codes"]) == {"us", "mx", "cn", "ca", "observer"}
    # the store keeps the fresh codes only as hashes, as for a game created on the server
    raw = b"".join(f.read_bytes() for f in tmp_path.iterdir() if f.name.startswith("games.db"))
    assert raw and not [c for c in created["join_codes"].values() if c.encode() in raw]
    dst = tmp_path / "back.jsonl"
    cmd = [
        sys.executable,
        "-m",
        "precursor.cli",
        "export",
        created["game_id"],
        "--store",
        store,
        "--out",
        str(dst),
    ]
    subprocess.run(cmd, capture_output=True, text=True, check=True)
    assert dst.read_text(encoding="utf-8") == src.read_text(encoding="utf-8")


def test_a_broken_log_is_refused_with_its_line() -> None:
    with pytest.raises(ValueError, match="line 2"):
        loads('{"type": "game_created", "seq": 1}\n{"type": "phase", "seq": 5}\n')
    with pytest.raises(ValueError, match="line 1: not JSON"):
        loads("{oops\n")


def test_every_scenario_is_covered() -> None:
    from precursor.game.rulebook import default_rulebook

    assert sorted(SCENARIOS) == sorted(default_rulebook().scenarios)


def test_the_tutorial_report_matches_its_golden_structure(rb: Rulebook) -> None:
    game = bot_game(rb, "tutorial", 3)
    rep = build_report(rb, game.log, "facilitator")
    assert rep["game"]["ended"] and rep["game"]["turns_played"] == 3
    assert [t["turn"] for t in rep["timeline"]] == [1, 2, 3]
    assert rep["indicators"] and all(i["series"] for i in rep["indicators"])
    assert set(rep["scores"]) == {"us", "mx", "cn", "ca"}
    assert rep["bot_reasons"] and rep["questions"]
    if not GOLDEN.exists():  # pragma: no cover - first run writes it; commit the file
        GOLDEN.write_text(json.dumps(rep, indent=1, sort_keys=True), encoding="utf-8")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert rep == golden, "the report changed: inspect the diff, then delete the golden file to refresh it"
    (md, files), html = to_markdown(rep, game, "report_files"), to_html(rep, game)
    # charts inline in HTML; beside the Markdown as files it links (renderers do not show data URIs)
    assert "data:image" not in md and len(files) == len(rep["indicators"])
    assert all(f"]({name})" in md for name in files)
    assert html.count("<svg") == len(rep["indicators"]) and "<h2>Debrief questions</h2>" in html


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 1000), audience=st.sampled_from(["us", "mx", "cn", "ca", "public"]))
def test_a_report_holds_nothing_its_audience_could_not_see(rb: Rulebook, seed: int, audience: str) -> None:
    game = bot_game(rb, "loose-talk", seed, until=4)
    text = json.dumps(build_report(rb, game.log, audience))
    st_ = game.state
    for m in st_.messages:
        members = st_.channels[m["channel"]]["members"]
        visible = st_.channels[m["channel"]]["kind"] == "press" or audience in members
        if not visible and len(m["text"]) > 12:
            assert m["text"] not in text, f"{audience} report leaks a message of {m['channel']}"
    for team, obj in game.sc.model.objectives.items():
        if team != audience:
            for o in obj.secret:
                assert o.text not in text, f"{audience} report leaks {team}'s secret objective"
    for e in game.log:
        if e["type"] == "note" and len(e.get("text", "")) > 12:
            assert e["text"] not in text, "bot reasons are for the facilitator only"
    rep = json.loads(text)
    assert rep["game"]["seed"] is None


def test_a_fork_replayed_with_the_same_commands_reproduces_the_game(rb: Rulebook) -> None:
    script: dict[str, Any] = {
        "turns": [
            {"turn": 1, "commands": [{"team": "us", "type": "message", "channel": "us_mx", "text": "talk"}]},
            {
                "turn": 2,
                "commands": [
                    {"team": "us", "type": "propose", "parties": ["us", "mx"],
                     "clauses": [{"actor": "mx", "lever": "mx_plan_1"}]},
                    {"team": "mx", "type": "respond", "proposal": "T2-US-1", "action": "accept"},
                    {"team": "mx", "type": "submit_orders", "orders": [{"lever": "mx_plan_1"}]},
                ],
            },
            {"turn": 3, "commands": [{"team": "cn", "type": "submit_orders",
                                      "orders": [{"lever": "cn_deny"}]}]},
        ]
    }  # fmt: skip
    original, _ = play(rb, "tutorial", 9, script)
    prefix = fork_prefix(original.log, 2)
    forked = replay(rb, prefix)
    assert (forked.state.turn, forked.state.phase) == (2, "briefing")
    again, _ = play(rb, "tutorial", 9, script, game=forked)
    assert dumps(again.log) == dumps(original.log)
    with pytest.raises(ValueError):
        fork_prefix(original.log, 9)


def test_grades_count_what_each_player_did(rb: Rulebook) -> None:
    game = Game.new(rb, "tutorial", 1)
    for name, team in (("Ana", "us"), ("Luz", "mx")):
        join = {"op": "join", "player_id": name, "name": name, "role": "player", "team": team, "seat": None}
        game.emit({"type": "session", **join, "vis": "all"})
    from precursor.game.commands import Actor, Advance, CommandEnvelope, SendMessage

    game.handle(CommandEnvelope(actor=Actor(role="system"), command=Advance()))
    for _ in range(3):
        game.handle(
            CommandEnvelope(
                actor=Actor(team="us", name="Ana"), command=SendMessage(channel="us_mx", text="hi")
            )
        )
    rows = grades(game.log).splitlines()
    assert rows[0].startswith("player,team,messages")
    ana = next(r for r in rows if r.startswith("Ana,"))
    assert ana.split(",")[2] == "3"
    anon = grades(game.log, anonymize=True)
    assert "Ana" not in anon and "Luz" not in anon
    assert anon == grades(game.log, anonymize=True)  # stable pseudonyms


def test_counterfactual_runs_from_a_turn_and_sets_them_beside_the_actual_game(rb: Rulebook) -> None:
    from precursor.analysis.review import counterfactual

    game = bot_game(rb, "loose-talk", 21)
    personas = resolve_personas(rb, "loose-talk")
    result = counterfactual(rb, game.log, 3, 6, 1, personas)
    assert result["runs"] == 6 and len(result["records"]) == 6
    assert result["actual"]["score_us"] == game.state.scores["us"]["total"]
    assert all(r["ended"] for r in result["records"])
    d = result["distribution"]["score_us"]
    assert d["min"] <= d["median"] <= d["max"]
    # the first two turns are shared: every run starts from the same state at turn 3
    again = counterfactual(rb, game.log, 3, 6, 1, personas)
    assert again["records"] == result["records"]  # seeded: the same batch twice is the same batch


def test_compare_reads_games_and_batches(rb: Rulebook, tmp_path: Path) -> None:
    from precursor.analysis.review import compare

    games = [bot_game(rb, "tutorial", s).log for s in (1, 2, 3)]
    result = compare(rb, games, [{"run": 0, "seed": 5, "score_us": 1.0, "hrl": True}])
    assert result["games"] == 4
    assert "run" not in result["distribution"] and "seed" not in result["distribution"]
    assert result["distribution"]["hrl"]["rate"] == 0.25
    assert sum(result["agreements"].values()) == sum(1 for g in games for e in g if e["type"] == "agreement")


def test_the_review_commands_from_the_shell(rb: Rulebook, tmp_path: Path) -> None:
    log = tmp_path / "g.jsonl"
    log.write_text(dumps(bot_game(rb, "tutorial", 2).log), encoding="utf-8")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "precursor.cli", *args], capture_output=True, text=True)

    for fmt in ("html", "md", "json"):
        out = tmp_path / f"r.{fmt}"
        res = cli("report", str(log), "--format", fmt, "--audience", "mx", "--out", str(out))
        assert res.returncode == 0, res.stderr
        assert out.stat().st_size > 1000
    assert json.loads((tmp_path / "r.json").read_text())["game"]["audience"] == "mx"
    res = cli("grades", str(log), "--out", str(tmp_path / "g.csv"), "--anonymize")
    assert res.returncode == 0 and (tmp_path / "g.csv").read_text().startswith("player,team")
    res = cli("simulate", "--from", str(log), "--turn", "2", "--runs", "3", "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["from_turn"] == 2
    res = cli("compare", str(log), str(log), "--json")
    assert json.loads(res.stdout)["games"] == 2


def test_a_red_line_says_how_much_of_its_chain_rests_on_invented_numbers(rb: Rulebook) -> None:
    """A public 'business as usual is over' notice and a strike in turn 1 of Red Line: the breach's chain
    is the notice, the strike, the hard-red-line rule and the one parameter that rule reads (the chance
    of a targeting error), so it rests on three directional links and one invented one."""
    orders = [{"lever": "us_notice", "visibility": "public"}, {"lever": "us_strike"}]
    script = {"turns": [{"turn": 1, "commands": [{"team": "us", "type": "submit_orders", "orders": orders}]}]}
    game, errors = play(rb, "red-line", 1, script, until_turn=1)
    assert not errors
    report = build_report(rb, game.log)
    breach = next(r for r in report["red_lines"] if r["level"].startswith("CROSSED"))
    assert [d["rule"] for d in breach["chain"]] == ["us_notice", "us_strike"]
    links = [
        "rule:a3.hard_red_line",
        "parameter:events.targeting_error_chance",
        "lever:us_notice",
        "lever:us_strike",
    ]
    assert [rb.grounding[k].basis for k in links] == ["direction", "invented", "direction", "direction"]
    assert breach["basis"] == {"quoted": 0, "direction": 3, "outside": 0, "invented": 1, "unstated": 0}
    # in plain words since session 22 (test_report22), naming the invented part since session 23
    said = (
        "How sure the model is of this chain: it rests on 4 parts of the rulebook (rules, levers, events and"
        " the numbers they use). Of these, the sources give only the direction of 3 (how large they are,"
        " the authors estimated) and 1 is made up for the game (chance that a breach of the hard red line"
        " kills civilians by a targeting error)."
    )
    assert breach["rests_on"] == said, breach["rests_on"]
    html, (md, _) = to_html(report, game), to_markdown(report, game)
    assert said in html
    assert "  - " + said in md.splitlines()
