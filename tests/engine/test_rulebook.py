"""The shipped rulebook: content requirements, and that broken files are reported precisely."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from precursor.game.bots.signing import BOT_PARAMETERS
from precursor.game.loader import RulebookError
from precursor.game.rulebook import Rulebook, load

ROOT = Path(__file__).resolve().parents[2]
PROBLEM = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<field>[^:]+): (?P<msg>.+)$")


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "precursor.cli", *args], cwd=cwd, capture_output=True, text=True
    )


def test_lever_counts_per_team(rb: Rulebook) -> None:
    per = {t: sum(1 for lv in rb.levers.values() if lv.team == t) for t in ("us", "mx", "cn", "ca")}
    assert sum(per.values()) >= 45
    assert per["us"] >= 18 and per["mx"] >= 12 and per["cn"] >= 7 and per["ca"] >= 6, per


def test_every_entry_is_sourced(rb: Rulebook) -> None:
    for lv in rb.levers.values():
        assert lv.sources or lv.ext is not None, lv.id
        assert all(s in rb.sources for s in lv.sources), lv.id
    for r in rb.rules:
        assert r.sources or r.family in ("elections",), r.id
    for ind in rb.indicators.values():
        assert ind.sources or ind.ext is not None, ind.id


def test_levers_have_the_required_parts(rb: Rulebook) -> None:
    for lv in rb.levers.values():
        assert lv.seat in rb.seats and rb.seat_team[lv.seat] == lv.team
        assert lv.visibility in ("public", "private", "choice")
        assert lv.effects or lv.tags, f"{lv.id} has neither effects nor an engine mechanism"


def test_required_indicators_exist(rb: Rulebook) -> None:
    required = [
        "us.od_synth",
        "us.od_total",
        "flow.precursor",
        "flow.northbound",
        "us.seizures",
        "cartel.fin",
        "mx.territory",
        "mx.homicides",
        "migrant_flow",
        "mx.me",
        "trade.us_mx",
        "mx.st",
        "us.overton",
        "cn.irritation",
        "cn.reputation",
        "ml",
        *(f"{t}.{k}" for t in ("us", "mx", "cn", "ca") for k in ("approval", "pc", "econ_cost")),
        *(f"trust.{p}" for p in ("us_mx", "us_cn", "us_ca", "mx_cn", "mx_ca", "cn_ca")),
    ]
    missing = [k for k in required if k not in rb.indicators]
    assert not missing
    fogged = [
        k
        for k in ("us.od_synth", "flow.precursor", "mx.homicides")
        if rb.indicators[k].fog.lag or rb.indicators[k].fog.noise
    ]
    assert len(fogged) == 3


def test_rule_families_are_all_present(rb: Rulebook) -> None:
    families = {r.family for r in rb.rules}
    assert {
        "sovereignty",
        "immigration",
        "elections",
        "diplomacy",
        "lag",
        "economy",
        "usmca",
        "china",
    } <= families
    for needed in ("a3.hard_red_line", "a4.consent_tokens", "c1.windows", "d3.leaks", "f3.review"):
        assert needed in rb.mechanisms


def test_scenarios_required(rb: Rulebook) -> None:
    for sid in ("tutorial", "loose-talk", "election-season", "tariffs-and-terror"):
        assert sid in rb.scenarios, sid
    assert rb.scenarios["tutorial"].model.turns == 3
    assert rb.scenarios["tariffs-and-terror"].model.mostly_ext
    for sc in rb.scenarios.values():
        m = sc.model
        if m.id in ("tutorial", "loose-talk", "election-season", "tariffs-and-terror"):
            assert m.calendar, m.id
        assert any(i.turn is not None for i in sc.injects), m.id
        assert any(i.when is not None for i in sc.injects), f"{m.id} has no conditional inject"
        for t in ("us", "mx", "cn", "ca"):
            assert m.objectives[t].public and m.objectives[t].secret, (m.id, t)
            assert 1 <= len(m.seats[t]) <= 4


def test_validate_cli_accepts_shipped_files() -> None:
    out = cli("validate")
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("ok:")


def _broken(tmp_path: Path, src: str, old: str, new: str) -> Path:
    text = (ROOT / src).read_text()
    assert old in text, f"fixture text not found in {src}: {old!r}"
    dst = tmp_path / Path(src).name
    dst.write_text(text.replace(old, new, 1))
    return dst


def _problems(path: Path) -> list[re.Match[str]]:
    out = cli("validate", str(path))
    assert out.returncode == 1, out.stdout + out.stderr
    matches = [PROBLEM.match(line) for line in out.stdout.splitlines()]
    assert matches and all(matches), out.stdout
    return [m for m in matches if m]


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        ("id: tutorial", "id: tutorial\n  colour: red", "colour", "unknown field"),
        ("months_per_turn: 1", "months_per_turn: 9", "months_per_turn", "less than or equal"),
    ],
)
def test_schema_errors_name_file_line_and_field(
    tmp_path: Path, old: str, new: str, field: str, words: str
) -> None:
    path = _broken(tmp_path, "scenarios/tutorial.yaml", old, new)
    probs = _problems(path)
    hit = [m for m in probs if field in m["field"] and words in m["msg"]]
    assert hit, [m.group(0) for m in probs]
    line = int(hit[0]["line"])
    assert field.split(".")[-1] in path.read_text().splitlines()[line - 1]


def test_unknown_name_in_expression(tmp_path: Path) -> None:
    text = (ROOT / "rules/sovereignty.yaml").read_text()
    path = tmp_path / "sovereignty.yaml"
    path.write_text(text.replace('when: "mx.st >= par.sov.defensive_threshold"', 'when: "mx.stt >= 60"', 1))
    probs = _problems(path)
    m = [p for p in probs if "mx.stt" in p["msg"]]
    assert m and "did you mean 'mx.st'" in m[0]["msg"] and m[0]["field"].endswith("when")
    assert "mx.stt" in path.read_text().splitlines()[int(m[0]["line"]) - 1]


def test_bad_expression_syntax(tmp_path: Path) -> None:
    text = (ROOT / "rules/sovereignty.yaml").read_text()
    path = tmp_path / "sovereignty.yaml"
    path.write_text(text.replace('when: "mx.st >= par.sov.defensive_threshold"', 'when: "mx.st >= (60"', 1))
    probs = _problems(path)
    assert any("bad expression" in p["msg"] for p in probs)


def test_missing_source_and_unknown_lever(tmp_path: Path) -> None:
    lever_file = (ROOT / "rules/levers/ca.yaml").read_text()
    first_sources = re.search(r"\n(\s+)sources: \[[^\]]*\]", lever_file)
    assert first_sources
    path = tmp_path / "ca.yaml"
    path.write_text(lever_file.replace(first_sources.group(0), "", 1))
    probs = _problems(path)
    assert any("needs 'sources'" in p["msg"] for p in probs), [p.group(0) for p in probs]


def test_unknown_lever_in_scenario(tmp_path: Path) -> None:
    text = (ROOT / "scenarios/loose-talk.yaml").read_text()
    m = re.search(r"free_levers: \[(\w+)", text)
    assert m
    path = tmp_path / "loose-talk.yaml"
    path.write_text(text.replace(m.group(0), m.group(0).replace(m.group(1), "us_teleport"), 1))
    probs = _problems(path)
    assert any("unknown lever 'us_teleport'" in p["msg"] for p in probs)


def test_out_of_range_starting_value_and_duplicate_id(tmp_path: Path) -> None:
    text = (ROOT / "scenarios/tutorial.yaml").read_text()
    path = tmp_path / "tutorial.yaml"
    path.write_text(text.replace("starting_values:", "starting_values:\n    mx.goading_tokens: 9", 1))
    probs = _problems(path)
    assert any("outside the range" in p["msg"] and "mx.goading_tokens" in p["field"] for p in probs)

    ind = (ROOT / "rules/indicators.yaml").read_text()
    path2 = tmp_path / "indicators.yaml"
    path2.write_text(ind.replace("- id: us.od_total", "- id: us.od_synth", 1))
    probs = _problems(path2)
    assert any("duplicate indicator id 'us.od_synth'" in p["msg"] for p in probs)


def test_load_raises_with_every_problem(tmp_path: Path) -> None:
    text = (ROOT / "scenarios/tutorial.yaml").read_text()
    path = tmp_path / "tutorial.yaml"
    path.write_text(text.replace("starting_values:", "starting_values:\n    nope.a: 1\n    nope.b: 2", 1))
    with pytest.raises(RulebookError) as exc:
        load([path])
    assert sum("unknown indicator" in p.message for p in exc.value.problems) == 2


def test_schema_commands_print_json_schema() -> None:
    for kind in ("rules", "scenario"):
        out = cli("schema", kind)
        assert out.returncode == 0
        data = json.loads(out.stdout)
        assert data["$schema"].startswith("https://json-schema.org/")
        assert "$defs" in data
    sc = json.loads(cli("schema", "scenario").stdout)
    assert "Scenario" in sc["$defs"] and sc["$defs"]["Scenario"].get("additionalProperties") is False


def test_every_loaded_rulebook_has_its_own_cache_key() -> None:
    """Derived data (bot templates, dashboard plans, start environments) is cached per rulebook under
    ``serial``; unlike id(), a serial is never handed to a later rulebook, so caches cannot mix them."""
    from precursor.game.rulebook import load

    serials = set()
    for _ in range(3):
        rb = load()
        serials.add(rb.serial)
        del rb  # a freed rulebook's id may be reused by the next; its serial is not
    assert len(serials) == 3


# ---------------------------------------------------------------- named parameters and basis


def _problem_at(path: Path, words: str, field: str) -> re.Match[str]:
    """The one problem about ``field`` whose message holds ``words``, checked to point at a line of the
    entry it names (the line holding ``id:`` or the field)."""
    probs = _problems(path)
    hit = [p for p in probs if words in p["msg"] and field in p["field"]]
    assert hit, [p.group(0) for p in probs]
    assert hit[0]["file"].endswith(path.name) and int(hit[0]["line"]) > 1
    return hit[0]


def test_a_lever_without_basis_is_refused_with_file_and_line(tmp_path: Path) -> None:
    text = (ROOT / "rules/levers/ca.yaml").read_text()
    path = tmp_path / "ca.yaml"
    path.write_text(text.replace("  basis: direction\n", "", 1))
    hit = _problem_at(path, "required field is missing", "basis")
    lines = path.read_text().splitlines()
    line = int(hit["line"])
    assert lines[line - 1].startswith("- id: ca_") or "id:" in lines[line - 1], lines[line - 1]


def test_a_wrong_basis_is_refused(tmp_path: Path) -> None:
    path = _broken(tmp_path, "rules/sovereignty.yaml", "    basis: direction\n", "    basis: guessed\n")
    _problem_at(path, "'quoted', 'direction', 'outside' or 'invented'", "basis")


def test_design_flag_is_gone(tmp_path: Path) -> None:
    path = _broken(tmp_path, "rules/sovereignty.yaml", "    basis: direction\n", "    design: true\n")
    probs = _problems(path)
    assert any("design" in p["field"] for p in probs), [p.group(0) for p in probs]


def test_quoted_without_locator_is_refused(tmp_path: Path) -> None:
    text = (ROOT / "rules/indicators.yaml").read_text()
    m = re.search(r"\n  locator: \"[^\"]*\"", text)
    assert m
    path = tmp_path / "indicators.yaml"
    path.write_text(text.replace(m.group(0), "", 1))
    hit = _problem_at(path, "basis 'quoted' needs 'locator'", "indicators")
    assert "id:" in path.read_text().splitlines()[int(hit["line"]) - 1]


def test_outside_without_confidence_is_refused(tmp_path: Path) -> None:
    text = (ROOT / "rules/levers/ca.yaml").read_text()
    path = tmp_path / "ca.yaml"
    path.write_text(text.replace("  basis: outside\n  confidence: high\n", "  basis: outside\n", 1))
    _problem_at(path, "needs 'confidence", "levers")


def test_unknown_parameter_is_refused_with_file_line_and_field(tmp_path: Path) -> None:
    path = _broken(
        tmp_path,
        "rules/sovereignty.yaml",
        'when: "mx.st >= par.sov.defensive_threshold"',
        'when: "mx.st >= par.sov.defensive_treshold"',
    )
    hit = _problem_at(path, "unknown name 'par.sov.defensive_treshold'", "when")
    assert "did you mean 'par.sov.defensive_threshold'" in hit["msg"]
    assert "par.sov.defensive_treshold" in path.read_text().splitlines()[int(hit["line"]) - 1]


def test_a_parameter_outside_its_range_is_refused(tmp_path: Path) -> None:
    text = (ROOT / "rules/parameters.yaml").read_text()
    old = "  - id: sov.crisis_threshold\n    value: 80\n"
    assert old in text
    path = tmp_path / "parameters.yaml"
    path.write_text(text.replace(old, "  - id: sov.crisis_threshold\n    value: 99\n", 1))
    hit = _problem_at(path, "value 99 is outside its range [65.0, 95.0]", "sov.crisis_threshold")
    assert "sov.crisis_threshold" in path.read_text().splitlines()[int(hit["line"]) - 1]


def test_a_parameter_needs_a_range_unless_quoted(tmp_path: Path) -> None:
    path = _broken(tmp_path, "rules/parameters.yaml", "    range: [65, 95]\n", "")
    _problem_at(path, "needs 'range: [lo, hi]'", "sov.crisis_threshold")


def test_parameters_are_compiled_in_as_their_numbers(tmp_path: Path, rb: Rulebook) -> None:
    """A changed parameter changes what the rule reads, and the expression records which it used."""
    defensive = next(r for r in rb.rules if r.id == "a2.defensive")
    assert defensive.when is not None and defensive.when.params == {"par.sov.defensive_threshold"}
    assert "par.sov.defensive_threshold" not in defensive.when.names  # nothing to read from the state
    assert defensive.when({"mx.st": 60}) is True and defensive.when({"mx.st": 59}) is False
    path = _broken(
        tmp_path,
        "rules/parameters.yaml",
        "  - id: sov.defensive_threshold\n    value: 60\n",
        "  - id: sov.defensive_threshold\n    value: 70\n",
    )
    other = load([path])
    moved = next(r for r in other.rules if r.id == "a2.defensive")
    assert moved.when is not None and moved.when({"mx.st": 60}) is False and moved.when({"mx.st": 70}) is True
    assert other.parameters["sov.defensive_threshold"].value == 70


def test_shipped_parameters_are_many_named_and_bounded(rb: Rulebook) -> None:
    assert 20 <= len(rb.parameters) <= 60
    for p in rb.parameters.values():
        assert p.basis == "quoted" or p.range is not None, p.id
    used = set()
    for r in rb.rules:
        for e in (
            r.when,
            r.chance,
            *r.params.values(),
            *(x for ce in r.effects for x in (ce.value, ce.chance)),
        ):
            if e is not None:
                used |= e.params
    for _, e in rb.flow:
        used |= e.params
    used |= {f"par.{pid}" for pid in BOT_PARAMETERS}  # read by the bots' code, not by an expression
    assert {f"par.{pid}" for pid in rb.parameters} == used  # every parameter is read somewhere


def test_schema_carries_basis() -> None:
    data = json.loads(cli("schema", "rules").stdout)
    lever = data["$defs"]["Lever"]
    assert "basis" in lever["required"]
    assert set(json.dumps(lever["properties"]["basis"])) >= set()  # present
    assert "quoted" in json.dumps(lever["properties"]["basis"])
    assert "Parameter" in data["$defs"]


def test_rules_basis_counts_every_family(rb: Rulebook) -> None:
    out = cli("rules", "--basis", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    fams = {f["family"]: f for f in data["families"]}
    assert {
        "lever",
        "rule",
        "indicator",
        "flow",
        "statement",
        "module",
        "scoring",
        "persona",
        "parameter",
    } <= set(fams)
    assert fams["lever"]["all"]["total"] == len(rb.levers)
    assert fams["rule"]["all"]["total"] == len(rb.rules)
    assert fams["indicator"]["all"]["total"] == len(rb.indicators)
    assert fams["parameter"]["all"]["total"] == len(rb.parameters)
    for f in data["families"]:
        whole = f["all"]
        assert (
            sum(whole[b] for b in ("quoted", "direction", "outside", "invented", "unstated"))
            == whole["total"]
        )
        assert sum(g["total"] for g in f["groups"]) == whole["total"]
        if f["family"] != "inject":
            assert whole["unstated"] == 0, f["family"]  # every rule-file entry states its basis
    by_team = {g["group"]: g["total"] for g in fams["lever"]["groups"]}
    assert by_team == {
        t: sum(1 for lv in rb.levers.values() if lv.team == t) for t in ("ca", "cn", "mx", "us")
    }
    quoted = [e for e in data["entries"] if e["basis"] == "quoted"]
    assert quoted and all(e["locator"] for e in quoted)
    assert all(e["confidence"] for e in data["entries"] if e["basis"] == "outside")

    text = cli("rules", "--basis")
    assert text.returncode == 0
    for title in (
        "levers by team",
        "rules by file/family",
        "indicators by group",
        "named parameters by prefix",
    ):
        assert title in text.stdout
    plain = cli("rules")
    assert "levers by team" not in plain.stdout and "quoted" not in plain.stdout


# ------------------------------------------------------- write-only values (precursor/analysis/unread.py)

# Indicators the rules move but nothing reads, today. The list may only shrink: when a mechanic starts
# reading one, take it out here (test_the_write_only_indicators_are_pinned fails until then).
UNREAD_TODAY = [
    "cartel.net",
    "cartel.smuggling_rev",
    "flag.fto_bill",
    "mx.intl_standing",
    "us.od_total",
    "us.wait_index",
]


@pytest.mark.xfail(strict=True, reason=f"written by the rules but read by nothing: {', '.join(UNREAD_TODAY)}")
def test_no_indicator_is_written_but_never_read(rb: Rulebook) -> None:
    from precursor.analysis.unread import unread

    assert unread(rb) == []


def test_the_write_only_indicators_are_pinned(rb: Rulebook) -> None:
    from precursor.analysis.unread import unread, written

    assert set(UNREAD_TODAY) <= written(rb)
    assert unread(rb) == UNREAD_TODAY


def test_coded_lookups_count_as_reads_and_stores_do_not(tmp_path: Path) -> None:
    from precursor.analysis.unread import code_reads

    (tmp_path / "mech.py").write_text(
        "def f(env, team):\n"
        "    env['a.stored'] = 1\n"
        "    x = env[f'{team}.pc'] + env.get('b.got', 0)\n"
        "    return env[f'flag.finger_{team}']\n"
    )
    (tmp_path / "views.py").write_text("def v(env):\n    return env['c.shown']\n")
    names = ["a.stored", "us.pc", "b.got", "flag.finger_mx_cn", "c.shown", "cartel.pc.x"]
    assert code_reads(names, tmp_path) == {"us.pc", "b.got", "flag.finger_mx_cn"}


def test_an_indicator_only_the_personas_read_is_read_but_listed_apart(rb: Rulebook) -> None:
    from precursor.analysis.unread import persona_only, read, written

    only = persona_only(rb)
    assert "mx.tourism" in only  # moved by US-TRAVEL, weighed by a Mexican persona, scored by nothing
    for iid in only:
        assert iid in written(rb) and iid in read(rb) and iid not in read(rb, personas=False)


def test_cli_rules_unread_prints_the_list(capsys: pytest.CaptureFixture[str]) -> None:
    from precursor.cli import main

    assert main(["rules", "--unread", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unread"] == UNREAD_TODAY
    assert main(["rules", "--unread"]) == 0
    out = capsys.readouterr().out
    assert all(iid in out for iid in UNREAD_TODAY) and f"{len(UNREAD_TODAY)} indicator(s)" in out


def test_mx_me_and_mx_port_say_what_their_parameters_do(rb: Rulebook) -> None:
    """A student set migration enforcement to 70 after reading that "above 60 costs political capital",
    and paid nothing; MX-PORT said "at least doubles" over a range that starts at a fifth more. The text
    now matches the cost formula and the range."""
    me = rb.levers["mx_me"]
    costs = {level: me.cost.fn({"param.level": level}) for level in (60, 70, 80, 100)}
    assert costs == {60: 0, 70: 0, 80: 1, 100: 2}
    assert "(80 costs 1, 100 costs 2)" in " ".join(me.description.split())
    port = rb.levers["mx_port"]
    rng = port.params["intensity"]
    assert (rng.min, rng.max) == (120, 300)
    assert "from a fifth more to three times the usual rate" in " ".join(port.description.split())
