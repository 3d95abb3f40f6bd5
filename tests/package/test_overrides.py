"""Override files (docs/rules-format.md, "Override files"): one value changed, or one inject added,
without copying the file that holds it; every check of the rulebook still runs on the result, and a
problem in what an override put there is reported at the override's own line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from precursor.game.loader import Doc, RulebookError, read_yaml_text
from precursor.game.rulebook import default_rulebook, load, overlay
from precursor.game.rulebook.context import Ctx
from precursor.game.rulebook.overrides import apply_overrides

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "overrides.yaml"

INJECT = """\
  - add_inject:
      scenario: tutorial
      inject:
        id: dock_strike
        title: Dockworkers strike
        text: Inspections pause at Manzanillo.
        turn: 2
        effects: [{target: mx.port_inspect, op: add, value: -10}]
        ext: {note: invented, confidence: low}
"""


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # problems name the files as given, relative to where the user is
    monkeypatch.chdir(tmp_path)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(*paths: Path) -> list[str]:
    with pytest.raises(RulebookError) as err:
        overlay(list(paths))
    return [str(p) for p in err.value.problems]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "precursor.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


def events(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ---------------------------------------------------------------- applying


def test_set_changes_the_named_values_and_every_shipped_file_stays(tmp_path: Path) -> None:
    shipped = default_rulebook()
    ov = write(
        tmp_path,
        "o.yaml",
        "overrides:\n"
        "  - set: levers/us_san_1/cost\n    value: 3\n"
        "  - set: levers/us_san_1/effects/1/value\n    value: '12 * param.packages'\n"
        "  - set: indicators/mx.st/default\n    value: 57\n"
        "  - set: scenarios/loose-talk/starting_values/mx.st\n    value: 66\n"
        "  - set: scoring/shared_points\n    value: 7\n"
        "  - set: teams/us/seats/us.wh/name\n    value: The President\n",
    )
    rb = overlay([ov])
    assert rb.levers["us_san_1"].cost.text == "3"
    assert rb.levers["us_san_1"].effects[1].value.text == "12 * param.packages"
    assert rb.indicators["mx.st"].default == 57
    assert rb.scenarios["loose-talk"].model.starting_values["mx.st"] == 66
    assert rb.shared_points == 7
    assert rb.seats["us.wh"].name == "The President"
    assert len(rb.overrides) == 6 and rb.overrides[0].endswith("o.yaml:2: set levers/us_san_1/cost")
    # an override replaces no file: every shipped file is still there, and nothing else changed
    assert set(shipped.files) < set(rb.files)
    assert (len(rb.levers), len(rb.rules), len(rb.scenarios)) == (
        len(shipped.levers),
        len(shipped.rules),
        len(shipped.scenarios),
    )
    assert rb.levers["us_san_2"].cost.text == shipped.levers["us_san_2"].cost.text
    # the fingerprint of the rules says they are not the shipped ones
    assert rb.fingerprint != shipped.fingerprint
    assert rb.scenarios["loose-talk"].fingerprint != shipped.scenarios["loose-talk"].fingerprint
    assert rb.scenarios["tutorial"].fingerprint == shipped.scenarios["tutorial"].fingerprint


def test_add_inject_adds_to_the_scenario(tmp_path: Path) -> None:
    rb = overlay([write(tmp_path, "o.yaml", "overrides:\n" + INJECT)])
    injects = {i.id: i for i in rb.scenarios["tutorial"].injects}
    assert injects["dock_strike"].turn == 2
    assert len(injects) == len(default_rulebook().scenarios["tutorial"].injects) + 1


def test_files_apply_in_the_order_given(tmp_path: Path) -> None:
    adds = write(tmp_path, "a.yaml", "overrides:\n" + INJECT)
    moves = write(
        tmp_path, "b.yaml", "overrides:\n  - set: scenarios/tutorial/injects/dock_strike/turn\n    value: 3\n"
    )
    rb = overlay([adds, moves])
    assert {i.id: i.turn for i in rb.scenarios["tutorial"].injects}["dock_strike"] == 3
    # the other way round, the inject is not there yet when the second file looks for it
    assert problems(moves, adds) == [
        "b.yaml:2: overrides[0].set: 'scenarios/tutorial/injects' has no item 'dock_strike'"
    ]


def test_an_override_file_in_a_folder_and_beside_a_scenario(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    write(folder, "o.yaml", "overrides:\n  - set: scenarios/tutorial/turns\n    value: 4\n")
    rb = overlay(rules=[folder])
    assert rb.scenarios["tutorial"].model.turns == 4
    assert len(rb.scenarios) == len(default_rulebook().scenarios)


def test_the_example_in_the_format_docs_applies(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "rules-format.md").read_text(encoding="utf-8")
    section = text[text.index("## Override files") :]
    block = section[section.index("```yaml\n") + 8 :]
    rb = overlay([write(tmp_path, "doc.yaml", block[: block.index("```")])])
    assert len(rb.overrides) == 6
    assert rb.seats["us.treasury"].name == "Department of the Treasury"


def test_validate_of_the_file_alone_keeps_the_shipped_scenarios() -> None:
    rb = load([EXAMPLE])
    assert set(default_rulebook().scenarios) == set(rb.scenarios)
    assert len(rb.overrides) == 4


# ---------------------------------------------------------------- problems, at the override's line


def test_unknown_addresses_say_which_part_and_suggest(tmp_path: Path) -> None:
    ov = write(
        tmp_path,
        "o.yaml",
        "overrides:\n"
        "  - set: levers/us_san_11/cost\n    value: 3\n"  # 2
        "  - set: leverz/us_san_1/cost\n    value: 3\n"  # 4
        "  - set: levers/us_san_1/costt/x\n    value: 3\n"  # 6
        "  - set: levers/us_san_1/effects/9/value\n    value: 1\n"  # 8
        "  - set: scenarios/tutorail/turns\n    value: 4\n"  # 10
        "  - add_inject:\n      scenario: loose-talks\n"  # 12
        "      inject: {id: x, title: t, text: t, turn: 1, ext: {note: n, confidence: low}}\n",
    )
    found = problems(ov)
    assert found == [
        "o.yaml:2: overrides[0].set: no 'us_san_11' in levers (did you mean 'us_san_1'?)",
        "o.yaml:4: overrides[1].set: unknown kind 'leverz' in the address (did you mean 'levers'?) (known: "
        "flow, indicators, inject_templates, levers, modules, parameters, personas, rules, scenarios, "
        "scoring, sources, statements, teams, white_cell)",
        "o.yaml:6: overrides[2].set: 'levers/us_san_1' has no 'costt' (did you mean 'cost'?)",
        "o.yaml:8: overrides[3].set: 'levers/us_san_1/effects' has 4 items: no item 9",
        "o.yaml:10: overrides[4].set: unknown scenario 'tutorail' (did you mean 'tutorial'?)",
        "o.yaml:13: overrides[5].add_inject.scenario: unknown scenario 'loose-talks' "
        "(did you mean 'loose-talk'?)",
    ]


def test_wrong_types_and_values_are_reported_at_the_override(tmp_path: Path) -> None:
    ov = write(
        tmp_path,
        "o.yaml",
        "overrides:\n"
        "  - set: levers/us_san_1/effects\n    value: 3\n"  # 2
        "  - set: levers/us_san_1/lag\n    value: two\n"  # 4
        "  - set: indicators/mx.st/default\n    value: 140\n"  # 6
        "  - set: scenarios/tutorial/starting_values/mx.st\n    value: 140\n"  # 8
        "  - set: scenarios/tutorial/starting_values/mx.sst\n    value: 40\n"  # 10
        "  - set: levers/us_tf/once\n    value: 3\n",  # 12
    )
    found = problems(ov)
    mine = [p for p in found if p.startswith("o.yaml:")]
    assert mine == [
        "o.yaml:3: overrides[0].value: type mismatch: 'levers/us_san_1/effects' is a list, "
        "the override gives a number",
        "o.yaml:4: levers[us_san_1].lag: Input should be a valid integer, unable to parse string as an "
        "integer (overriding rules/levers/us.yaml)",
        "o.yaml:7: overrides[2].value: default 140 is outside the bounds [0, 100] of indicator 'mx.st'",
        "o.yaml:8: scenario.starting_values.mx.st: value 140.0 is outside the range [0.0, 100.0] of 'mx.st' "
        "(overriding scenarios/tutorial.yaml)",
        "o.yaml:10: scenario.starting_values.mx.sst: unknown indicator 'mx.sst' (did you mean 'mx.st'?) "
        "(overriding scenarios/tutorial.yaml)",
        "o.yaml:13: overrides[5].value: type mismatch: 'levers/us_tf/once' is true/false, the override gives "
        "a number",
    ]
    # the refused default is not blamed on the shipped indicators file
    assert not any(p.startswith("rules/indicators.yaml") for p in found)


def test_an_added_inject_is_checked_like_a_scenarios_own(tmp_path: Path) -> None:
    bad = INJECT.replace("id: dock_strike", "id: tut_briefing").replace("mx.port_inspect", "mx.port_inspekt")
    found = problems(write(tmp_path, "o.yaml", "overrides:\n" + bad))
    assert (
        "o.yaml:5: scenario.injects[tut_briefing].id: duplicate inject id 'tut_briefing' "
        "(overriding scenarios/tutorial.yaml)" in found
    )
    assert any(p.startswith("o.yaml:9: scenario.injects[tut_briefing].effects[0].target:") for p in found), (
        found
    )


def test_two_overrides_of_one_address_name_both_lines(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", "overrides:\n  - set: levers/us_san_1/cost\n    value: 3\n")
    second = write(
        tmp_path, "b.yaml", "description: x\noverrides:\n  - set: levers/us_san_1\n    value: {}\n"
    )
    assert problems(first, second) == [
        "b.yaml:3: overrides[0].set: 'levers/us_san_1' is also set at a.yaml:2"
    ]
    again = write(tmp_path, "c.yaml", "overrides:\n" + "  - set: levers/us_san_1/cost\n    value: 3\n" * 2)
    assert problems(again) == ["c.yaml:4: overrides[1].set: 'levers/us_san_1/cost' is also set at c.yaml:2"]


def test_a_malformed_override_file_is_located(tmp_path: Path) -> None:
    ov = write(
        tmp_path,
        "o.yaml",
        "overrides:\n  - set: levers/us_san_1/cost\n  - bogus: 1\n  - set: nothing\n    value: 1\n",
    )
    assert problems(ov) == [
        "o.yaml:2: overrides[0].value: required field is missing",
        "o.yaml:3: overrides[1]: an override is a 'set' (with 'value') or an 'add_inject'",
        "o.yaml:4: overrides[2].set: String should match pattern '^[^/\\s]+(/[^/\\s]+)+$'",
    ]


def test_a_value_outside_an_entrys_range_is_refused() -> None:
    """Any kind whose entries carry a ``range`` beside their ``value`` is bounded by it."""
    params = read_yaml_text("parameters:\n  - id: cut\n    value: 0.5\n    range: [0, 1]\n", "p.yaml")
    ov = read_yaml_text(
        "overrides:\n"
        "  - set: parameters/cut/value\n    value: 1.5\n"
        "  - set: parameters/cut/value\n    value: 0.25\n",
        "o.yaml",
    )
    ctx = Ctx()
    kinds: dict[str, list[Doc]] = {"parameters": [params], "overrides": [ov]}
    applied = apply_overrides(ctx, kinds)
    assert [str(p) for p in ctx.problems] == [
        "o.yaml:3: overrides[0].value: value 1.5 is outside the range [0.0, 1.0] of 'cut'"
    ]
    assert applied == ["o.yaml:4: set parameters/cut/value"]
    assert params.data["parameters"][0]["value"] == 0.25


# ---------------------------------------------------------------- the commands


@pytest.fixture()
def override(tmp_path: Path) -> Path:
    return write(
        tmp_path,
        "my-overrides.yaml",
        "overrides:\n"
        "  - set: scenarios/tutorial/starting_values/mx.st\n    value: 64\n"
        "  - set: scenarios/tutorial/turns\n    value: 4\n"
        "  - set: levers/us_san_1/cost\n    value: '2 * param.packages'\n" + INJECT,
    )


@pytest.mark.subprocess
def test_run_validate_and_simulate_play_under_the_override(tmp_path: Path, override: Path) -> None:
    ok = cli("validate", "--rules", override.name, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "4 override(s) applied" in ok.stdout and ", 7 scenarios" in ok.stdout

    order = "{team: us, type: submit_orders, orders: [{lever: us_san_1, params: {packages: 2}}]}"
    script = write(tmp_path, "s.yaml", f"turns:\n  - turn: 1\n    commands:\n      - {order}\n")
    logs = {}
    for name, extra in (("mine", ["--rules", override.name]), ("shipped", [])):
        out = cli("run", *extra, "--scenario", "tutorial", "--script", script.name, "--strict",
                  "--out", f"{name}.jsonl", cwd=tmp_path)  # fmt: skip
        assert out.returncode == 0, out.stderr
        logs[name] = events(tmp_path / f"{name}.jsonl")
    mine, shipped = logs["mine"], logs["shipped"]
    assert mine[0]["env"]["mx.st"] == 64 and shipped[0]["env"]["mx.st"] == 50  # type: ignore[index]
    cost = [e["cost"] for e in mine if e["type"] == "order_executed" and e["lever"] == "us_san_1"]
    assert cost == [4.0]
    assert [e["cost"] for e in shipped if e["type"] == "order_executed" and e["lever"] == "us_san_1"] == [2.0]
    assert [e["turn"] for e in mine if e["type"] == "inject" and e["id"] == "dock_strike"] == [2]
    assert not any(e["type"] == "inject" and e["id"] == "dock_strike" for e in shipped)
    assert sum(e["type"] == "turn_end" for e in mine) == sum(e["type"] == "turn_end" for e in shipped) + 1
    assert mine[0]["provenance"]["rules"] != shipped[0]["provenance"]["rules"]  # type: ignore[index]

    sim = cli("simulate", "--rules", override.name, "--scenario", "tutorial", "--runs", "2", "--workers", "2",
              "--json", cwd=tmp_path)  # fmt: skip
    assert sim.returncode == 0, sim.stderr
    assert json.loads(sim.stdout)["turns"] == [4]


@pytest.mark.subprocess
def test_the_environment_and_solo_take_it_too(tmp_path: Path, override: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "precursor.cli", "validate"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PRECURSOR_RULES_PATH": str(override)},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "4 override(s) applied" in out.stdout
    solo = cli("solo", "--rules", override.name, "--scenario", "tutorial", "--store", "memory://", "--no-ui",
               cwd=tmp_path)  # fmt: skip
    assert solo.returncode == 0, solo.stderr
    assert solo.stdout.startswith("precursor solo: game ")


@pytest.mark.subprocess
def test_a_bad_override_exits_1_with_its_line(tmp_path: Path) -> None:
    write(tmp_path, "o.yaml", "overrides:\n  - set: levers/us_san_1/cots\n    value: 3\n")
    for args in (
        ["validate", "--rules", "o.yaml"],
        ["run", "--rules", "o.yaml", "--scenario", "tutorial", "--out", "g.jsonl"],
    ):
        out = cli(*args, cwd=tmp_path)
        assert out.returncode == 1
        text = out.stdout + out.stderr
        assert (
            "o.yaml:2: overrides[0].set: 'levers/us_san_1' has no field 'cots' (did you mean 'cost'?)" in text
        )
        assert "Traceback" not in text
