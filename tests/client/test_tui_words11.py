"""The words and numbers of the results log, the why cards and the orders detail, as students read them
in s10: a parameter's value in the engine's words ("kind social"), jargon where plain words exist, one
change told twice, a chance nobody was told of before ordering, and a free action's price told three
ways."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError
from test_tui_support import (
    check_line,
    close_cards,
    modal,
    new_game,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.widgets import Input, Select, SelectionList

from client_tui import render, terms
from client_tui.panes.results import result_text
from client_tui.white_cell import FreeActionScreen
from precursor.game import schema as S
from precursor.game.rulebook import default_rulebook

# ---------------------------------------------------------------------- 1 parameter values in words


def test_every_choice_a_player_can_set_has_words_of_its_own() -> None:
    """A choice the rules do not word (and that is not a team or a module, which have names) would reach
    a student as the engine's key: "rank kingpin", "action withhold"."""
    rb = default_rulebook()
    unworded = []
    for lv in rb.levers.values():
        for p in lv.params.values():
            if not p.label:
                unworded.append(f"{lv.code} {p.id} (no label)")
            named = set(p.choices) <= set(render.TEAM_NAMES) or set(p.choices) <= set(rb.modules)
            if p.type != "choice" or named:
                continue
            unworded += [f"{lv.code} {p.id}={c}" for c in p.choices if c not in p.choice_labels]
    assert not unworded, unworded


def test_an_orders_parameters_read_label_colon_value_in_the_results_proposals_and_orders() -> None:
    rb = default_rulebook()
    params = {"steps": 1, "kind": "social"}
    words = render.params_words(rb, "us_bic", params)
    assert words == "$100M steps: 1, spent on: social programmes"
    order = {"type": "order_executed", "team": "us", "lever": "us_bic", "params": params}
    assert f"(US-BIC) ({words})" in result_text(order, rb)
    assert f"({words})" in render.why_card(order, rb)
    clause = {"actor": "us", "lever": "us_bic", "params": params, "duration": 1}
    # a clause is kept by any value at least as strong as asked: its words say so
    assert "($100M steps: at least 1, spent on: social programmes)" in terms.clause_words(rb, clause)
    assert render.params_words(rb, "us_bic", params, promise=True) == (
        "$100M steps: at least 1, spent on: social programmes"
    )
    tariff = {"target": "cn", "rate": 10, "mode": "impose"}
    assert "rate in %: at most 10" in render.params_words(rb, "us_tariff", tariff, promise=True)
    arrest = render.params_words(rb, "mx_arrest", {"rank": "kingpin"})
    assert arrest == "target: a top leader"
    framing = render.params_words(rb, "cn_enforce", {"framing": "us_demand"})
    assert framing == "presented as: meeting a US demand"
    assert render.params_words(rb, "mx_deavisa", {}) == "DEA visas: withheld"
    # the form's choices are the same words
    assert terms.param_range(rb.levers["us_ind"], "mode", rb) == "alone, without Mexico / jointly with Mexico"


def test_a_choice_label_for_a_value_that_is_not_a_choice_is_refused_at_load() -> None:
    with pytest.raises(ValidationError, match="not among the choices"):
        S.Param(id="kind", type="choice", choices=["hard", "social"], choice_labels={"sofical": "social"})


# ---------------------------------------------------------------------- 2 and 5 the free action's words


RESOLVED = {
    "type": "free_action_resolved",
    "free_action": "fa.4.cn",
    "turn": 4,
    "team": "cn",
    "rule": "white_cell",
    "reason": (
        'China\'s free action "Quiet hotline" succeeds: ruled very likely by the white cell, a 90% chance;'
        ' the roll was 35 in 100. Argued: "our customs already share lists" Ruling: white cell score'
        " +1.50: Trust between the US and China up (small): within the team's means (CN-DIRECTIVE);"
        " 0 against, 0 for; names no mechanic"
    ),
    "changes": {"trust.us_cn": 21.0},
    "before": {"trust.us_cn": 20.0},
    "ruled_by": "white_cell",
    "band": "very_likely",
    "probability": 0.9,
    "roll": 0.35,
    "success": True,
    "cost": 1.0,
    "effects": [],
    "ruling_reason": (
        "white cell score +1.50: Trust between the US and China up (small): within the team's means"
        " (CN-DIRECTIVE); 0 against, 0 for; names no mechanic"
    ),
}


def test_a_free_actions_outcome_says_who_ruled_the_draw_against_the_chance_and_the_ruling_in_words() -> None:
    rb = default_rulebook()
    card = result_text(RESOLVED, rb, {"fa.4.cn": {"title": "Quiet hotline"}})
    assert "ruled very likely by the computer adjudicator" in card
    assert "it works on a draw under 90 in 100, and the draw was 35" in card
    assert "it worked; it cost 1 PC" in card
    assert "argued: our customs already share lists" in card
    assert "the computer adjudicator's score +1.5 (the higher, the likelier the band)" in card
    assert "teams arguing against 0, for 0" in card
    assert "the argument names no lever or indicator" in card
    for jargon in ("white cell", "rolled", "names no mechanic", "white_cell"):
        assert jargon not in card, jargon


async def test_the_free_action_form_prices_each_size_before_a_claim_and_says_the_computer_rules_in_solo_play(
    url: str,
) -> None:
    """A student in solo play read "costs 0 PC" (nothing claimed yet) and "the facilitator rules on it",
    then paid 1 PC and met no facilitator."""
    rb = default_rulebook()
    personas = dict(rb.scenarios["loose-talk"].model.personas)
    bots = {t: p for t, p in personas.items() if t != "cn"}
    g, tokens = await new_game(url, teams=("cn",), scenario="loose-talk", bots=bots)
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(120, 40)) as pilot:
        await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("f")
        fa = await modal(pilot, FreeActionScreen)
        await pilot.pause()
        check = check_line(fa)
        assert "each claim costs 1 PC small, 1.5 PC medium, 2 PC large, charged when it is ruled" in check
        assert "costs 0 PC" not in check
        assert "Ruled by the other teams' vote" in check and "facilitator" not in check
        fa.query_one("#fa-vis", Select).value = "private"
        await pilot.pause()
        assert "Ruled by the computer adjudicator" in check_line(fa)
        assert "facilitator" not in str(fa.query_one("#fa-arg", Input).placeholder)


def test_names_a_student_reads_carry_no_engine_jargon_and_alike_things_read_alike() -> None:
    """Found in s10: "Goading tokens", "consent tokens", an AUMF legend with the value glued after it,
    "blame or threats" for two pairs and "blame, threats" for the third, "the gate is open"."""
    rb = default_rulebook()
    names = {k: ind.name for k, ind in rb.indicators.items()}
    assert not [n for n in names.values() if "token" in n.lower() or "goading" in n.lower()]
    # nor the texts students read: Election Season's injects, objectives and debrief spoke of "goading
    # tokens" the dashboard never shows (found in s12)
    for sc in rb.scenarios.values():
        model = sc.model
        said = [i.text for i in model.injects] + [str(q) for q in model.debrief]
        said += [o.text for t in model.objectives.values() for o in t.secret] if model.objectives else []
        assert not [t for t in said if "goading" in t.lower()], sc.model.id
    aumf = names["flag.aumf"]
    assert "AUMF" in aumf and not aumf.rstrip().endswith("enacted") and "0 none" not in aumf
    blame = {k: v for k, v in names.items() if k.startswith("flag.finger_")}
    assert len(blame) >= 3
    assert {v.split(" ", 1)[1] for v in blame.values()} == {"blame or threats (halves each turn)"}
    decision = next(i for i in rb.scenarios["red-line"].model.injects if i.id == "e_decision_point")
    assert "gate" not in decision.text and all("gate" not in str(e.reason) for e in decision.effects)
    assert "gate" not in rb.levers["us_aumf"].description


# ---------------------------------------------------------------------- 3 numbers that agree


def test_an_indicator_reads_at_one_precision_in_every_card_the_dashboards() -> None:
    """Seen in one log: "Congressional hawk pressure 91 → 93" and "90.0 → 90.5", "US administration
    approval 44.00 → 44.04" beside a dashboard showing 44.0."""
    rb = default_rulebook()

    def shown(key: str, b: float, a: float) -> list[str]:
        return render.changes_text({"changes": {key: a}, "before": {key: b}}, rb)

    hawks = rb.indicators["us.congress_pressure"].name
    assert shown("us.congress_pressure", 91, 93) == [f"{hawks} 91.0 → 93.0"]
    assert shown("us.congress_pressure", 90, 90.5) == [f"{hawks} 90.0 → 90.5"]
    assert shown("us.approval", 44, 44.04) == []
    assert shown("mx.pc", 10, 8) == [f"{rb.indicators['mx.pc'].name} 10 → 8 PC"]


def _results_log(scenario: str, seed: int, team: str) -> list[str]:
    """The results tab's cards for one team over a whole bot game, as the tab builds them."""
    from client_tui.panes.results import ResultsLog
    from precursor.analysis.runner import play
    from precursor.game.bots import BotDriver
    from precursor.game.views import redact

    rb = default_rulebook()
    personas = dict(rb.scenarios[scenario].model.personas)
    game, _ = play(rb, scenario, seed, None, bots=BotDriver(rb, personas, seed))
    log = ResultsLog(rb)
    for seq, ev in enumerate(game.log, 1):
        seen = redact(rb, ev, team)
        if seen is not None:
            log.add(seq, seen)
    cards: list[str] = []
    for line in log._texts:  # a card's lines after its head are set in
        if line.startswith(" ") and cards:
            cards[-1] += "\n" + line
        else:
            cards.append(line)
    return cards


def test_one_log_tells_a_change_once_and_says_what_moved_a_value_between_two_cards() -> None:
    """Loose Talk, seed 3, as Canada sees it: US-ARMS took hawk pressure 88 → 90, a lagged effect Canada
    is not shown took it back to 88, and the hearings rule 88 → 90: the log read "88 → 90" twice. When a
    value moved within a turn between two cards by changes the team is not shown, the second card says
    where the first left it and where it stood (the bots of session 17 play this game differently, so
    the check reads the whole game rather than one turn's figures)."""
    cards = _results_log("loose-talk", 3, "ca")
    told = re.compile(
        r"Congressional hawk pressure on the White House ([\d.]+) → ([\d.]+)"
        r"(?: \(it was ([\d.]+) after the change above; changes not shown to you took it to ([\d.]+)\))?"
    )
    seen = [m for c in cards for m in told.finditer(c)]
    noted = [i for i, m in enumerate(seen) if m.group(3)]
    assert noted, [m.group(0) for m in seen]
    for i in noted:  # the note starts where the card before left the value and ends where this one starts
        assert i > 0 and seen[i - 1].group(2) == seen[i].group(3) and seen[i].group(4) == seen[i].group(1)
    # the turn's opening card: the windows, and what the new turn clears said as such
    opening = [c for c in cards if c.startswith("[rule] Campaign, transition and lame-duck windows")]
    assert opening and all(
        "held this turn yes → no" not in c and "this turn 15 → 0" not in c for c in opening
    )
    assert any("cleared for the new turn: A trilateral meeting is held this turn" in c for c in opening)
    # a once-per-game act carried out in an earlier turn is not played again "as agreed"
    kept = [c for c in cards if c.startswith("[clause kept] Canada") and "CA-ISSL" in c]
    earlier = [i for i, c in enumerate(kept) if "carried out CA-ISSL" in c and "in an earlier turn" in c]
    assert earlier, kept
    # Canada plays it in turn 1 under every agreement that asks for it then (the bots now sign two):
    # each of those reads "played" once, and none after the turn it was played
    played = [i for i, c in enumerate(kept) if "played CA-ISSL" in c]
    assert played and played == list(range(len(played))) and played[-1] < earlier[0], kept
    heads = [kept[i].split("\n")[0] for i in played]
    assert len(set(heads)) == len(heads), kept  # no agreement's clause played twice


# ---------------------------------------------------------------------- 4 a chance said before ordering


async def test_the_orders_detail_says_a_levers_chance_before_it_is_ordered(url: str) -> None:
    """MX-ARREST's line said "It changes cartel leadership cohesion (after 1m)"; the raid that fails one
    time in four where the state is thin on the ground came out only in the results."""
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("5")
        sl = gs.query_one("#order-list", SelectionList)
        await wait_until(pilot, lambda: sl.option_count > 5, what="the lever list")
        ids = [str(sl.get_option_at_index(i).value) for i in range(sl.option_count)]
        sl.focus()
        sl.highlighted = ids.index("mx_arrest")
        await pilot.pause()
        detail = static_text(app, "#order-detail")
        assert "By chance: a 25% chance, when state presence in hotspot regions is below 40," in detail
        assert "raises cartel leadership cohesion" in detail.split("By chance:")[1]


def test_a_draw_that_decides_several_effects_is_told_once() -> None:
    rb = default_rulebook()
    draw = {"p": 0.25, "roll": 0.48, "hit": False}
    ev = {
        "type": "order_executed",
        "team": "mx",
        "lever": "mx_arrest",
        "params": {"rank": "kingpin"},
        "changes": {},
        "inputs": [{"effect": k, **draw} for k in ("cartel.lead", "mx.approval", "trust.us_mx")],
    }
    card = result_text(ev, rb)
    assert card.count("25% chance") == 1, card
    assert (
        "how: a 25% chance (it happens on a draw under 25%); the draw was 48%, so it did not happen:"
        " cartel leadership cohesion, Mexican president's approval and trust between the US and Mexico"
    ) in card
