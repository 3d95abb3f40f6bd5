"""A deal signed after its first promise fell due (session 13): students accepted, in turn 5, a bot's
offer whose one clause was due in turn 4. The engine signed it, never checked turn 4, called it
"honoured" and paid its approval; headless bot games did the same to every proposal a team received after
it had played the negotiation phase (it was answered a turn late), which the server's bot seats never do."""

from __future__ import annotations

import pytest
from test_bots_bargaining import _view  # the view a bot is handed, cut to what it reads

from precursor.analysis.runner import play
from precursor.game.bots import Bot, BotDriver
from precursor.game.commands import Actor, Advance, Clause, CommandEnvelope, CommandError, Propose, Respond
from precursor.game.engine import Game
from precursor.game.rulebook import default_rulebook

RB = default_rulebook()
SYSTEM = Actor(role="system")


def _advance(game: Game) -> None:
    game.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))


def test_a_proposal_whose_first_turn_is_over_lapses_and_cannot_be_signed() -> None:
    game = Game.new(RB, "three-weeks", 3)
    _advance(game)  # negotiation, turn 1
    turn = game.state.turn
    offer = Propose(
        parties=["mx", "ca"],
        clauses=[
            Clause(actor="ca", lever="ca_tri", start_turn=turn, duration=1),
            Clause(actor="mx", lever="mx_deleg", start_turn=turn, duration=1),
        ],
        visibility="public",
        expires_turn=turn + 1,  # a proposer may leave it open, as bots do
    )
    game.handle(CommandEnvelope(actor=Actor(role="player", team="mx", name="a"), command=offer))
    pid = list(game.state.proposals)[-1]
    while game.state.turn == turn:
        _advance(game)
    while game.state.phase != "negotiation":
        _advance(game)
    assert game.state.proposals[pid]["status"] == "expired"
    closed = [e for e in game.log if e["type"] == "proposal_closed" and e["proposal"] == pid]
    assert closed and closed[-1]["status"] == "expired"
    accept = Respond(proposal=pid, action="accept")
    with pytest.raises(CommandError, match="expired"):
        game.handle(CommandEnvelope(actor=Actor(role="player", team="ca", name="b"), command=accept))
    assert not any(a["proposal"] == pid for a in game.state.agreements.values())


def test_headless_bot_games_sign_every_deal_before_its_first_turn_is_due() -> None:
    signed_late = []
    agreements = 0
    for sid in ("three-weeks", "tariffs-and-terror"):
        sc = RB.scenarios[sid]
        for seed in range(3):
            game, _ = play(RB, sid, seed, None, bots=BotDriver(RB, dict(sc.model.personas), seed))
            for a in game.state.agreements.values():
                agreements += 1
                first = min(int(c["start_turn"]) for c in a["clauses"])
                if first < int(a["signed_turn"]):
                    signed_late.append((sid, seed, a["id"]))
    assert agreements > 0
    assert signed_late == []


def _offers(game: Game) -> list[tuple[str, str, Propose]]:
    """The open exchanges the default bots table in this negotiation phase: (bot, persona, offer)."""
    out = []
    personas = dict(RB.scenarios[game.state.scenario].model.personas)
    for team, persona in personas.items():
        bot = Bot(RB, team, persona, 0)
        v = _view(game, team, persona)
        for d in bot.decide(v):
            if isinstance(d.command, Propose) and d.reason.startswith("offers "):
                out.append((team, persona, d.command))
    return out


def test_a_bot_signs_the_exchange_it_offered_when_the_partner_puts_it_back() -> None:
    """Students put to a bot the exchange it had offered them and read that it was "more than what the
    deal offers" (its offer charged neither its reservation nor distrust; its answer charged both)."""
    tried = 0
    for sid in ("red-line", "three-weeks", "loose-talk", "election-season"):
        for seed in range(3):
            game = Game.new(RB, sid, seed)
            _advance(game)
            for team, persona, offer in _offers(game):
                partner = next(t for t in offer.parties if t != team)
                bot_actor = Actor(role="bot", team=team, name=f"bot:{persona}")
                game.handle(CommandEnvelope(actor=bot_actor, command=offer))  # the bot tables it
                student = Actor(role="player", team=partner, name="s")
                game.handle(CommandEnvelope(actor=student, command=offer))  # and is offered it back
                pid = list(game.state.proposals)[-1]
                bot = Bot(RB, team, persona, seed)
                v = _view(game, team, persona)
                prop = next(p for p in v["proposals"] if p["id"] == pid)
                d = bot.answer(v, bot.environment(v), prop)
                tried += 1
                assert d.decision == "accept", (sid, seed, team, d.reason)
    assert tried >= 5
