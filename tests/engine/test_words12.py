"""Engine texts a player reads (session 12): a clause broken by a weaker order says what was played."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from precursor.game.commands import (
    Actor,
    Advance,
    Clause,
    CommandEnvelope,
    Order,
    Propose,
    Respond,
    SubmitOrders,
)
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook

SYSTEM = Actor(role="system")


def _adv(g: Game) -> None:
    g.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))


def _as(team: str, cmd: Any) -> CommandEnvelope:
    return CommandEnvelope(actor=Actor(team=team), command=cmd)


def _me_deal(rb: Rulebook, mx_orders: list[Order]) -> list[dict[str, Any]]:
    """Mexico promises MX-ME at 70 this turn, then plays ``mx_orders``: the compliance events."""
    g = Game.new(rb, "election-season", 1)
    _adv(g)
    clause = Clause(actor="mx", lever="mx_me", params={"level": 70})
    g.handle(_as("mx", Propose(parties=["us", "mx"], visibility="public", clauses=[clause])))
    g.handle(_as("us", Respond(proposal="T1-MX-1", action="accept")))
    while g.state.phase != "orders":
        _adv(g)
    g.handle(_as("mx", SubmitOrders(orders=mx_orders)))
    _adv(g)
    return [e for e in g.log if e["type"] == "compliance"]


def test_a_clause_broken_by_a_weaker_order_says_what_was_played(rb: Rulebook) -> None:
    """A student played MX-ME at 60 under a clause for 70 and read "Mexico did not play MX-ME as
    agreed": the reason names the level played and the level agreed, in the rules' label."""
    (ev,) = _me_deal(rb, [Order(lever="mx_me", params={"level": 60})])
    assert not ev["met"]
    assert ev["reason"] == "MX played MX-ME at enforcement level 60, short of the 70 agreed in A1-MX-1"


def test_a_clause_whose_lever_was_not_played_still_says_so(rb: Rulebook) -> None:
    (ev,) = _me_deal(rb, [])
    assert not ev["met"]
    # enforcement stands at 60 under a clause for 70: no order, and no level that keeps it
    assert ev["reason"] == (
        "MX did not play MX-ME as agreed in A1-MX-1, and what it sets does not stand where the deal asks"
    )
    (kept,) = _me_deal(rb, [Order(lever="mx_me", params={"level": 70})])
    assert kept["met"] and kept["reason"] == "MX played MX-ME as agreed"


# the texts a player reads: a lever's or indicator's description, an effect's reason, a card's text...
READ = {"description", "reason", "text", "name", "title", "message", "label", "summary", "body"}
# ...never a rule's code ("rule E3", "(A1)", "rule a1.floor") or a rules file ("rules/modules.yaml")
CODE = re.compile(
    r"\brules? [A-Z]{1,2}[0-9]+|\((?:rules? )?[A-Z]{1,2}[0-9]+(?: and [A-Z]{1,2}[0-9]+)?\)"
    r"|\brules? [a-z]+[0-9]*\.[a-z_]+|rules/|\.ya?ml\b"
)


def _coded(node: Any, where: str, out: list[str]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str) and k in READ and CODE.search(v):
                out.append(f"{where}.{k}: {v[:120]}")
            _coded(v, f"{where}.{k}", out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _coded(v, f"{where}[{i}]", out)


def test_no_text_a_player_reads_names_a_rule_code_or_a_rules_file(rb: Rulebook) -> None:
    """Students read "(rule H1, rules/modules.yaml)" in US-USMCA-T's description and "rule E3" in a
    capture's reason: the codes and paths are the designers' shorthand, kept in YAML comments and notes.
    Every file the rulebook loads, scenarios included, is read as loaded."""
    root = Path(__file__).resolve().parents[2]
    assert any(f.startswith("scenarios/") for f in rb.files)
    coded: list[str] = []
    for f in rb.files:
        _coded(yaml.safe_load((root / f).read_text(encoding="utf-8")), f, coded)
    assert not coded, "\n".join(coded)
    assert "G7 leader" in (root / "scenarios/the-record.yaml").read_text()  # the group of seven is no code


def test_a_proposal_that_repeats_a_clause_is_refused_and_logs_nothing(rb: Rulebook) -> None:
    """A student's results showed "[clause kept] … CA-ATTEST … in A1-CA-1" twice in a row: the
    composer let the same clause be added twice, and the engine signed it, so every turn judged it
    twice. A repeated clause binds nothing more: the proposal is refused, saying which."""
    import pytest

    from precursor.game.commands import CommandError

    g = Game.new(rb, "three-weeks", 24)
    _adv(g)
    attest = Clause(actor="ca", lever="ca_attest", duration=3)
    n = len(g.log)
    with pytest.raises(CommandError) as exc:
        g.handle(_as("ca", Propose(parties=["ca", "us", "mx"], clauses=[attest, attest])))
    assert exc.value.code == "bad_proposal"
    assert exc.value.message == "clause 2 repeats clause 1 (CA-ATTEST): remove one"
    assert len(g.log) == n
    # the same lever in other turns, or at another level, is a clause of its own
    later = Clause(actor="ca", lever="ca_attest", start_turn=4, duration=1)
    g.handle(_as("ca", Propose(parties=["ca", "us", "mx"], clauses=[attest, later])))
    assert g.log[-1]["type"] == "proposal"
