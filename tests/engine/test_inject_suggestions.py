"""The white cell's inject suggestions: real games brought into a situation (by the facilitator's
overrides or by played turns) call for the template written for it, a calm game calls for none of
them, the ranking is stable, and a broken template file is refused with its file, line and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from precursor.game.commands import (
    Actor,
    Advance,
    Clause,
    CommandEnvelope,
    CustomInject,
    Order,
    Override,
    Propose,
    ReleaseInject,
    Respond,
    SubmitOrders,
)
from precursor.game.engine import Game
from precursor.game.loader import RulebookError
from precursor.game.rulebook import Rulebook, load
from precursor.game.white_cell.suggest import Suggestion, suggest

ROOT = Path(__file__).resolve().parents[2]
FAC = Actor(role="facilitator")
SYSTEM = Actor(role="system")


def fac(cmd: Any) -> CommandEnvelope:
    return CommandEnvelope(actor=FAC, command=cmd)


def team(t: str, cmd: Any) -> CommandEnvelope:
    return CommandEnvelope(actor=Actor(team=t), command=cmd)


def adv(g: Game) -> None:
    g.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))


def to_phase(g: Game, phase: str) -> None:
    while g.state.phase != phase:
        adv(g)


def ranked(g: Game) -> list[Suggestion]:
    return suggest(g.rb, g.state.env, g.log, g.state.turn)


def ids(g: Game) -> list[str]:
    return [s.template for s in ranked(g)]


def override(g: Game, key: str, value: float | bool) -> None:
    g.handle(fac(Override(key=key, value=value, note=f"test: {key} set by control")))


def test_a_calm_opening_calls_for_no_inject(rb: Rulebook) -> None:
    g = Game.new(rb, "loose-talk", 1)
    assert ranked(g) == []


@pytest.mark.parametrize(
    ("template", "key", "value", "reason"),
    [
        ("sovereignty_protest", "mx.st", 72, "sovereignty tension is at 65 or more"),
        ("china_face", "cn.face", 44, "face on the file is at 50 or below"),
        ("trade_war", "tariff.mx", 25, "a tariff of 10% or more is in force"),
        ("migration_surge", "migrant_flow", 140, "20% or more above the start"),
        ("overdose_surge", "us.od_synth", 80000, "5% or more above where the game began"),
        ("overdose_fall", "us.od_synth", 60000, "5% or more below where the game began"),
        ("cartel_violence", "mx.homicides", 36000, "10% or more above the start"),
    ],
)
def test_an_override_brings_on_the_template_written_for_it(
    rb: Rulebook, template: str, key: str, value: float, reason: str
) -> None:
    g = Game.new(rb, "loose-talk", 1)
    assert template not in ids(g)
    override(g, key, value)
    hit = next(s for s in ranked(g) if s.template == template)
    assert hit.score > 0 and any(reason in b for b in hit.because), hit.because
    assert not hit.released and hit.sources and hit.basis


def test_placeholders_are_filled_from_the_true_state(rb: Rulebook) -> None:
    g = Game.new(rb, "loose-talk", 1)
    override(g, "us.od_synth", 80000)
    hit = next(s for s in ranked(g) if s.template == "overdose_surge")
    assert "80,000 a year" in hit.text and "{" not in hit.text
    # the suggested changes are values a custom inject can carry: current value plus the amount, in range
    assert hit.changes["us.approval"] == g.state.env["us.approval"] - 2
    assert hit.changes["us.congress_pressure"] == min(100, g.state.env["us.congress_pressure"] + 5)


def test_a_strike_across_the_red_line_calls_for_its_aftermath(rb: Rulebook) -> None:
    g = Game.new(rb, "red-line", 1)
    assert "strike_aftermath" not in ids(g)
    override(g, "us.overton", 75)  # a strike needs an Overton index of 70 or an enacted AUMF
    to_phase(g, "orders")
    g.handle(team("us", SubmitOrders(orders=[Order(lever="us_strike", visibility="public")])))
    adv(g)  # the orders are adjudicated
    assert any(e.get("rule") == "a3.hard_red_line" for e in g.log)
    top = ranked(g)[0]
    assert top.template == "strike_aftermath"
    assert any("hard red line was crossed" in b for b in top.because)
    assert any("strike inside Mexico" in b for b in top.because)


def test_reneging_on_a_signed_deal_calls_for_the_collapse_inject(rb: Rulebook) -> None:
    g = Game.new(rb, "loose-talk", 1)
    adv(g)
    clauses = [Clause(actor="us", lever="us_arms"), Clause(actor="mx", lever="mx_trace")]
    g.handle(team("us", Propose(parties=["us", "mx"], visibility="public", clauses=clauses)))
    g.handle(team("mx", Respond(proposal="T1-US-1", action="accept")))
    assert "agreement_collapse" not in ids(g)
    adv(g)
    g.handle(team("us", SubmitOrders(orders=[Order(lever="us_arms")])))  # Mexico plays nothing: it reneges
    adv(g)
    hit = next(s for s in ranked(g) if s.template == "agreement_collapse")
    assert hit.because[0].startswith("at least one agreement clause was broken")
    assert "1 clause(s) broken" in hit.text


def test_turns_without_a_deal_call_for_a_summit(rb: Rulebook) -> None:
    g = Game.new(rb, "loose-talk", 1)
    while g.state.turn < 4:
        adv(g)
    hit = next(s for s in ranked(g) if s.template == "stalled_talks")
    assert "3 turn(s)" in hit.text and hit.changes == {"flag.summit_window": True}


def test_a_campaign_window_weeks_away_calls_for_the_election_inject(rb: Rulebook) -> None:
    g = Game.new(rb, "election-season", 1)  # October 2023: Mexico's campaign window opens in January
    hit = next(s for s in ranked(g) if s.template == "election_approaching")
    assert "a campaign window opens within four months" in hit.because[0]
    assert "in about 3 month(s)" in hit.text


def test_ranking_is_by_score_then_id_and_a_released_template_goes_last(rb: Rulebook) -> None:
    g = Game.new(rb, "loose-talk", 1)
    override(g, "mx.st", 72)  # sovereignty_protest: 3 + 3
    override(g, "cn.face", 44)  # china_face: 3 + 3 (64 -> 44 is more than eight points lost)
    override(g, "tariff.mx", 25)  # trade_war: 3 + 2
    first = ranked(g)
    assert [(s.template, s.score) for s in first] == [
        ("china_face", 6.0),
        ("sovereignty_protest", 6.0),
        ("trade_war", 5.0),
    ]
    again = ranked(g)
    assert again == first  # pure: asking twice gives the same list
    prot = first[1]
    custom = CustomInject(
        template=prot.template, title=prot.title, text=prot.text, changes=dict(prot.changes)
    )
    (ev,) = g.handle(fac(ReleaseInject(custom=custom)))
    assert ev["template"] == "sovereignty_protest"
    after = ranked(g)
    assert [s.template for s in after][-1] == "sovereignty_protest" and after[-1].released
    assert not any(s.released for s in after[:-1])


def _write(tmp_path: Path, old: str, new: str) -> Path:
    text = (ROOT / "rules/inject_templates.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "inject_templates.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _problem(path: Path, field: str) -> tuple[int, str]:
    with pytest.raises(RulebookError) as err:
        load([path])
    hits = [p for p in err.value.problems if p.file.endswith("inject_templates.yaml") and field in p.field]
    assert hits, [str(p) for p in err.value.problems]
    return hits[0].line, hits[0].message


def test_a_bad_trigger_expression_names_file_line_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, 'when: "cn.face <= 50"', 'when: "cn.fase <= 50"')
    line, msg = _problem(path, "[china_face].trigger[0].when")
    assert "cn.fase" in path.read_text().splitlines()[line - 1]
    assert "bad expression" in msg and "did you mean 'cn.face'" in msg


def test_a_change_larger_than_the_indicator_range_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "changes: {cn.irritation: 5,", "changes: {cn.irritation: 150,")
    line, msg = _problem(path, "[china_face].changes.cn.irritation")
    assert "cn.irritation: 150" in path.read_text().splitlines()[line - 1]
    assert "larger than the range [0, 100]" in msg


def test_an_unknown_placeholder_and_indicator_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "stands at {cn.face}", "stands at {cn.faec}")
    _, msg = _problem(path, "[china_face].text")
    assert "unknown placeholder '{cn.faec}'" in msg
    path = _write(tmp_path, "changes: {cn.irritation: 5,", "changes: {cn.irritaton: 5,")
    _, msg = _problem(path, "[china_face].changes.cn.irritaton")
    assert "unknown indicator" in msg
