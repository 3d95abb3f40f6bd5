"""A bot does not sign a clause that cannot be carried out in the turn it falls due (session 20).

A student played Canada in Loose Talk (seed 7): Canada mediated in turn 2, which closed the US-Mexico
dispute, and in turn 3 tabled a trilateral deal with CA-MEDIATE for that same turn. The United States and
Mexico signed it; in the orders phase Canada could not order CA-MEDIATE ("there is no open US-Mexico
dispute to mediate"), and the clause was counted broken. Each test plays the real game with bots to that
point, tables the deal through the engine's commands and lets the bots answer through their driver.
"""

from __future__ import annotations

from typing import Any

from precursor.analysis.runner import SYSTEM, play
from precursor.analysis.simulate import resolve_personas
from precursor.game.bots import BotDriver
from precursor.game.commands import Actor, Advance, Clause, CommandEnvelope, Propose
from precursor.game.engine import Game
from precursor.game.rulebook import default_rulebook

RB = default_rulebook()
STUDENT = Actor(role="player", team="ca", name="student")
NO_DISPUTE = "there is no open US-Mexico dispute to mediate"


def _turn_three(mediate_in_turn_two: bool = True) -> tuple[Game, BotDriver]:
    """Loose Talk, seed 7, Canada at a student's seat and the other teams bots, in turn 3's negotiation;
    Canada mediated in turn 2 (the dispute is closed) unless told otherwise."""
    personas = resolve_personas(RB, "loose-talk")
    del personas["ca"]
    driver = BotDriver(RB, personas, 7)
    orders = [{"team": "ca", "type": "submit_orders", "orders": [{"lever": "ca_mediate"}]}]
    script = {"turns": [{"turn": 2, "commands": orders}]} if mediate_in_turn_two else None
    game, errors = play(RB, "loose-talk", 7, script, until_turn=2, bots=driver)
    assert not errors, errors
    for _ in range(2):  # results -> briefing -> negotiation
        game.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))
    assert (game.state.turn, game.state.phase) == (3, "negotiation")
    return game, driver


def _table(
    game: Game,
    parties: list[str],
    clauses: list[tuple[str, str, dict[str, Any]]],
    start: int = 3,
    condition: str | None = None,
) -> str:
    """Canada tables the deal, each clause for one turn from ``start``."""
    cmd = Propose(
        parties=parties,  # type: ignore[arg-type]
        clauses=[
            Clause(actor=a, lever=lv, params=p, start_turn=start, duration=1, condition=condition)  # type: ignore[arg-type]
            for a, lv, p in clauses
        ],
        visibility="public",
        framing="shared_responsibility",
        expires_turn=game.state.turn + 1,
    )
    game.handle(CommandEnvelope(actor=STUDENT, command=cmd))
    return list(game.state.proposals)[-1]


def _answers(game: Game, driver: BotDriver, pid: str) -> dict[str, tuple[str, str]]:
    """The bots play the negotiation phase; each team's answer to the proposal (action, reason)."""
    return _all_answers(game, driver)[pid]


def _all_answers(game: Game, driver: BotDriver) -> dict[str, dict[str, tuple[str, str]]]:
    """The bots play the negotiation phase; each proposal's answers, by team (action, reason)."""
    start = len(game.log)
    for envelope in driver(game, "negotiation"):
        game.handle(envelope)
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for e in game.log[start:]:
        if e["type"] == "proposal_response":
            out.setdefault(e["proposal"], {})[e["team"]] = (e["action"], e.get("reason") or "")
    return out


def test_the_student_game_the_dispute_closed_and_the_bots_decline_ca_mediate_with_the_reason() -> None:
    game, driver = _turn_three()
    assert not game.default_order_status(RB.levers["ca_mediate"])[0]  # the engine refuses it now
    deal = [("ca", "ca_mediate", {}), ("us", "us_arms", {}), ("mx", "mx_me", {"level": 60})]
    pid = _table(game, ["us", "mx", "ca"], deal)
    answers = _answers(game, driver, pid)
    said = f"The United States declines: Canada could not carry out CA-MEDIATE this turn: {NO_DISPUTE}."
    assert answers["us"] == ("reject", said), answers
    assert game.state.proposals[pid]["status"] == "rejected"
    assert not any(a["proposal"] == pid for a in game.state.agreements.values())


def test_mexico_declines_canadas_mediation_offered_alone_when_there_is_nothing_to_mediate() -> None:
    """A gift (nothing asked of Mexico) is signed for its agreement points; not one that breaks at once."""
    game, driver = _turn_three()
    pid = _table(game, ["mx", "ca"], [("ca", "ca_mediate", {})])
    said = f"Mexico declines: Canada could not carry out CA-MEDIATE this turn: {NO_DISPUTE}."
    assert _answers(game, driver, pid)["mx"] == ("reject", said)


def test_a_bot_declines_its_own_clause_that_it_could_not_order_this_turn() -> None:
    game, driver = _turn_three()
    assert not game.state.env["flag.task_force"]
    pid = _table(game, ["us", "ca"], [("ca", "ca_border", {}), ("us", "us_gua", {})])
    action, reason = _answers(game, driver, pid)["us"]
    assert (action, reason) == (
        "reject",
        "The United States declines: it could not carry out US-GUA this turn: the OFAC-State task force"
        " (US-TF) must be set up first.",
    )


def test_what_binds_later_or_not_now_is_not_declined_on_that_ground() -> None:
    """The same mediation due next turn (the dispute may open again), or on a condition that does not
    hold now, is not a clause broken at once; and with the dispute open, it can be carried out."""
    game, driver = _turn_three()
    later = _table(game, ["mx", "ca"], [("ca", "ca_mediate", {})], start=4)
    when = _table(game, ["us", "ca"], [("ca", "ca_mediate", {})], condition="flag.finger_us_mx > 0")
    answers = _all_answers(game, driver)
    assert answers[later]["mx"][0] == "accept" and answers[when]["us"][0] == "accept", answers
    game, driver = _turn_three(mediate_in_turn_two=False)
    assert game.default_order_status(RB.levers["ca_mediate"])[0] is not None  # the dispute is open
    pid = _table(game, ["us", "mx", "ca"], [("ca", "ca_mediate", {})])
    answers = _answers(game, driver, pid)
    assert not any("could not carry out" in r for _, r in answers.values()), answers
