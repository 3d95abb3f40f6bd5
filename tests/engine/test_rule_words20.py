"""A precondition's message may show a value the acting team sees exactly (session 20).

A student playing Mexico under the cap set after a migrant-detention tragedy read "enforcement cannot go
above the cap set this turn": he never learnt the cap and had to guess, and in the next turn "this turn"
was wrong. The rules now write ``{flag.humanitarian_cap|the cap}`` in the message; the loader refuses a
value the lever's team does not see exactly, with the file, line and field of the message. The refusals
themselves are checked by the conformance cases (``mx-me-humanitarian-cap``,
``b6-humanitarian-tragedy-caps-enforcement``: the refusal says 50, and 70 in the turn after the tragedy).
"""

from __future__ import annotations

from pathlib import Path

from test_rulebook import _broken, _problem_at

from precursor.analysis.runner import SYSTEM
from precursor.game.commands import Advance, CommandEnvelope
from precursor.game.engine import Game
from precursor.game.promises import clause_outlook
from precursor.game.rulebook import Rulebook, precondition_words
from precursor.game.views import levers_for

INTEL = 'message: "intelligence sharing needs Mexican cooperation of at least 40"'


def test_a_message_may_not_show_a_value_the_levers_team_does_not_see_exactly(tmp_path: Path) -> None:
    """The United States sees Mexico's cooperation only as an estimate: US-INTEL's refusal may not say
    where it stands, or the message would tell the team what its dashboard does not."""
    shown = 'message: "intelligence sharing needs Mexican cooperation of at least 40 (it is {mx.coop|lower})"'
    path = _broken(tmp_path, "rules/levers/us.yaml", INTEL, shown)
    hit = _problem_at(path, "reads mx.coop: a message may show only values team 'us' sees exactly", "message")
    assert "{mx.coop|lower}" in path.read_text().splitlines()[int(hit["line"]) - 1]


def test_a_value_in_a_message_needs_its_words_and_a_known_name(tmp_path: Path) -> None:
    path = _broken(tmp_path, "rules/levers/us.yaml", INTEL, INTEL.replace("40", "{mx.coop_cap|}"))
    _problem_at(path, "needs words after '|'", "message")
    path = _broken(tmp_path, "rules/levers/us.yaml", INTEL, INTEL.replace("40", "{mx.coopp|the bar}"))
    _problem_at(path, "mx.coopp", "message")
    path = _broken(tmp_path, "rules/levers/us.yaml", INTEL, INTEL.replace("40", "{40"))
    _problem_at(path, "written {expression|words}", "message")


def _loose_talk_orders(rb: Rulebook) -> Game:
    """Loose Talk opens under the cap set after the Juarez fire (50), with enforcement at 60."""
    game = Game.new(rb, "loose-talk", 1)
    for _ in range(2):
        game.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))
    assert game.state.phase == "orders" and game.state.env["flag.humanitarian_cap"] == 50
    return game


CAPPED = "enforcement cannot go above 50 (the cap set after the tragedy) while the cap lasts"


def test_the_orders_screen_and_a_promises_check_show_the_cap(rb: Rulebook) -> None:
    """MX-ME at its default (60) is out in the orders phase; the view's reason, and the check of a clause
    promising 65 on Mexico's exact values, both name the cap."""
    game = _loose_talk_orders(rb)
    row = next(r for r in levers_for(game, "mx") if r["id"] == "mx_me")
    assert not row["available"] and row["why_not"].endswith(CAPPED), row
    clause = {"actor": "mx", "lever": "mx_me", "params": {"level": 65}, "start_turn": 1, "duration": 1}
    read = ("mx.me", "flag.humanitarian_cap", "flag.hrl", "flag.hrl_cleared")
    values = {k: game.state.env[k] for k in read}
    seen = clause_outlook(rb, clause, values, turn=1)
    assert seen.keep is False and seen.why.endswith(CAPPED), seen.why


def test_without_the_value_the_message_reads_its_words(rb: Rulebook) -> None:
    """Code that reads the rules' messages alone (a client checking on its own) reads the placeholder's
    words, and so does a caller that does not hold the value: never a brace, never a guess."""
    lever = rb.levers["mx_me"]
    plain = lever.preconditions[1][1]
    assert "{" not in plain and "enforcement cannot go above the cap (the cap set after the tragedy)" in plain
    assert precondition_words(lever, 1, {}) == plain
    assert precondition_words(lever, 1, {"flag.humanitarian_cap": 62.5}).endswith(
        "cannot go above 62.5 (the cap set after the tragedy) while the cap lasts"
    )
    assert precondition_words(lever, 0, {"mx.me": 60}) == lever.preconditions[0][1]  # plain words stay
