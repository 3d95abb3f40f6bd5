"""The words and numbers of the results log, the why cards and the orders detail, as students read them
in s10: a parameter's value in the engine's words ("kind social"), jargon where plain words exist, one
change told twice, a chance nobody was told of before ordering, and a free action's price told three
ways."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from client_tui import render, terms
from client_tui.panes.results import result_text
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
    assert f"({words})" in terms.clause_words(rb, clause)
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
