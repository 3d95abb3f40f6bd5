"""How bots bargain: what a deal is worth to them, what they tell the proposer, and what they ask for.

Students found that China could land no deal (its own commitments were given as the reason to decline),
that a decline named a clause that helped the bot, and that bots asked for or tabled clauses nobody
could keep. Each test sets up the situation in a real game and asks a real bot.
"""

from __future__ import annotations

from typing import Any

from rulebooks import clauses_only

from precursor.analysis.runner import play
from precursor.game.bots import Bot, BotDriver, fast_view
from precursor.game.commands import Actor, Advance, Clause, CommandEnvelope, Propose
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook, default_rulebook

RB = default_rulebook()
CLAUSES = clauses_only(RB)
SYSTEM = Actor(role="system")


def _negotiation(scenario: str, seed: int, start: dict[str, Any] | None = None) -> Game:
    """A game in its first negotiation phase, with starting values changed as a scenario would."""
    game = Game.new(RB, scenario, seed)
    if start:
        game.effect("setup.start", "the starting position is adjusted", dict(start), (), vis="all")
    game.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))
    return game


def _propose(
    game: Game,
    team: str,
    parties: list[str],
    clauses: list[tuple[str, str, dict[str, Any], int]],
    framing: str,
) -> str:
    turn = game.state.turn
    cmd = Propose(
        parties=parties,  # type: ignore[arg-type]
        clauses=[
            Clause(actor=a, lever=lv, params=p, start_turn=turn, duration=d)  # type: ignore[arg-type]
            for a, lv, p, d in clauses
        ],
        visibility="public",
        framing=framing,  # type: ignore[arg-type]
        expires_turn=turn + 1,
    )
    game.handle(CommandEnvelope(actor=Actor(role="player", team=team, name="student"), command=cmd))
    return list(game.state.proposals)[-1]


def _view(game: Game, team: str, persona: str) -> dict[str, Any]:
    """What the bot is handed in play: its team's view cut to what the persona reads."""
    cache = fast_view.DashboardCache(reads=fast_view.persona_reads(RB, persona))
    v = fast_view.bot_view(game, team, None, cache)
    v["phase"] = game.state.phase
    return v


def _answer(game: Game, team: str, persona: str, pid: str, rb: Rulebook = RB) -> tuple[str, str, str]:
    """The bot's decision on one proposal: its kind, its logged reason, and what the proposer reads;
    ``rb`` is the rulebook the bot weighs it by (``clauses_only``: the signature aside)."""
    bot = Bot(rb, team, persona, 7)
    v = _view(game, team, persona)
    env = bot.environment(v)
    prop = next(p for p in v["proposals"] if p["id"] == pid)
    d = bot.answer(v, env, prop)
    said = getattr(d.command, "reason", "") or getattr(d.command, "note", "")
    return d.decision, d.reason, said


def test_a_us_institutionalist_takes_a_chinese_enforcement_campaign_for_a_working_group() -> None:
    """Red Line opens with the US and China at 20 trust. Three turns of China's enforcement campaign for a
    US working group is the bargain the institutionalist's own rules offer at a summit; weighed as one
    turn of the campaign, and with China's partner charged for China's caution, it was refused."""
    game = _negotiation("red-line", 7)
    pid = _propose(
        game,
        "cn",
        ["us", "cn"],
        [("cn", "cn_enforce", {}, 3), ("us", "us_cn_track", {"kind": "working_group"}, 1)],
        "china_initiative",
    )
    decision, reason, _ = _answer(game, "us", "institutionalist", pid)
    assert decision == "accept", reason
    # a hawk still declines (it counts nothing for a signature, rules/personas.yaml), and says it is what
    # the deal asks of the US, not China's campaign
    decision, _, said = _answer(game, "us", "hawk", pid)
    assert decision == "reject"
    assert "US-CN-TRACK" in said and "CN-ENFORCE" not in said, said


def test_a_gift_is_signed_unless_a_rule_of_the_persona_stands_against_it() -> None:
    """China alone commits to its enforcement campaign (a student's offer to Mexico, public, framed as a
    multilateral effort). Signing binds the other side to nothing, so distrust, which prices the chance
    that China does not deliver, has nothing to charge: every Mexican and US persona signs. Declined, it
    read "not enough for Mexico to sign", and China landed no deal in a whole game."""
    game = _negotiation("red-line", 7)
    pid = _propose(game, "cn", ["mx", "cn"], [("cn", "cn_enforce", {}, 1)], "multilateral")
    for persona in ("sovereigntist", "cooperative"):
        decision, reason, _ = _answer(game, "mx", persona, pid)
        assert decision == "accept", reason
    pid = _propose(game, "cn", ["us", "cn"], [("cn", "cn_enforce", {}, 1)], "multilateral")
    for persona in ("hawk", "institutionalist", "transactional"):
        decision, reason, _ = _answer(game, "us", persona, pid)
        assert decision == "accept", reason
    # a gift the persona has a stated reason to refuse: the sovereigntist signs nothing framed as meeting
    # US demands, and says it is the framing, not China's campaign
    pid = _propose(game, "cn", ["mx", "cn"], [("cn", "cn_directive", {}, 1)], "us_demand_met")
    decision, _, said = _answer(game, "mx", "sovereigntist", pid)
    assert decision == "reject"
    assert "framed as meeting US demands" in said and "the deal includes CN-DIRECTIVE" not in said, said


def test_a_lever_free_this_turn_costs_the_team_nothing_in_a_deal() -> None:
    """Red Line opens with the US demand programme free this turn. China's chemical checks for one level of
    it: the transactional US said the deal asked the US for US-DEMAND "more than what the deal offers in
    return", while the student's orders screen showed it at 0 PC. Free, the clause costs the US nothing,
    so a decline can only say China's offer is not enough; the same clause due next turn, when it is paid
    for, is still weighed at its price and named."""
    game = _negotiation("red-line", 7)
    assert "us_demand" in game.state.free_levers
    deal = [("cn", "cn_kyc", {"precursors": 13}, 1), ("us", "us_demand", {"levels": 1}, 1)]
    pid = _propose(game, "cn", ["us", "cn"], deal, "reciprocal")
    _, reason, said = _answer(game, "us", "transactional", pid, CLAUSES)
    assert "for US-DEMAND" not in said and "what the deal offers (CN-KYC" in said, (reason, said)
    pid = _propose_later(game, "cn", ["us", "cn"], deal, "reciprocal")
    decision, _, said = _answer(game, "us", "transactional", pid, CLAUSES)
    assert decision == "reject" and "asks the United States for US-DEMAND" in said, said


def _propose_later(
    game: Game,
    team: str,
    parties: list[str],
    clauses: list[tuple[str, str, dict[str, Any], int]],
    framing: str,
) -> str:
    """A proposal whose clauses start next turn."""
    turn = game.state.turn
    cmd = Propose(
        parties=parties,  # type: ignore[arg-type]
        clauses=[
            Clause(actor=a, lever=lv, params=p, start_turn=turn + 1, duration=d)  # type: ignore[arg-type]
            for a, lv, p, d in clauses
        ],
        visibility="public",
        framing=framing,  # type: ignore[arg-type]
        expires_turn=turn + 1,
    )
    game.handle(CommandEnvelope(actor=Actor(role="player", team=team, name="student"), command=cmd))
    return list(game.state.proposals)[-1]


def test_a_decline_names_the_clause_that_costs_the_bot() -> None:
    """Mexico's migration enforcement (a small step up from 75) for US action on weapons, with the US
    distrusting Mexico: the US says no, and the reason is not Mexico's clause, which the US wants, though
    it weighs least of the two (the student's "the deal includes MX-ME by Mexico")."""
    game = _negotiation("red-line", 7, {"trust.us_mx": 10, "mx.me": 75})
    pid = _propose(
        game, "mx", ["us", "mx"], [("mx", "mx_me", {"level": 80}, 1), ("us", "us_arms", {}, 1)], "none"
    )
    decision, _, said = _answer(game, "us", "institutionalist", pid, CLAUSES)
    assert decision == "reject"
    assert "includes MX-ME" not in said, said
    assert "MX-ME" in said and "not enough" in said, said
    # a US-only offer to Mexico binds Mexico to nothing: Mexico signs it, it does not decline it as a
    # condition it objects to
    pid = _propose(game, "us", ["us", "mx"], [("us", "us_tri", {}, 1)], "none")
    decision, reason, _ = _answer(game, "mx", "sovereigntist", pid)
    assert decision == "accept", reason


def test_mexico_does_not_ask_for_a_demand_programme_at_its_top() -> None:
    """With the US demand programme at its highest level, Mexico neither tables US-DEMAND in its package
    nor tells the US that the deal lacks it: the US could never keep it."""
    game = _negotiation("red-line", 7, {"us.demand_level": 3, "trust.us_mx": 60})
    bot = Bot(RB, "mx", "sovereigntist", 7)
    v = _view(game, "mx", "sovereigntist")
    tabled = [d.command for d in bot.decide(v) if isinstance(d.command, Propose)]
    assert tabled, "Mexico tables its package"
    assert all(c.lever != "us_demand" for p in tabled for c in p.clauses), tabled
    pid = _propose(game, "us", ["us", "mx"], [("mx", "mx_plan_1", {}, 1), ("us", "us_tri", {}, 1)], "none")
    decision, _, said = _answer(game, "mx", "sovereigntist", pid, CLAUSES)
    assert decision != "accept"
    assert "US-DEMAND" not in said, said


def test_a_clause_is_kept_in_every_turn_it_is_due_as_the_composer_checks_it() -> None:
    """With the US demand programme one level from its top, one more level is possible this turn and not
    the next: two turns of US-DEMAND break in the second. The composer warns a student of that
    (``promises.clause_outlook``); Mexico's bot, which checked only this turn, still asked the US for it
    in its two-turn package, and an answer that weighs the deal counts it as a clause the US cannot keep."""
    game = _negotiation("red-line", 7, {"us.demand_level": 2, "trust.us_mx": 60})
    bot = Bot(RB, "mx", "sovereigntist", 7)
    decided = bot.decide(_view(game, "mx", "sovereigntist"))
    tabled = [d.command for d in decided if isinstance(d.command, Propose)]
    assert tabled, "Mexico tables its package"
    assert all(c.lever != "us_demand" for p in tabled for c in p.clauses), tabled
    pid = _propose(
        game, "mx", ["us", "mx"], [("mx", "mx_plan_1", {}, 1), ("us", "us_demand", {"levels": 1}, 2)], "none"
    )
    decision, reason, said = _answer(game, "us", "institutionalist", pid)
    assert decision != "accept" or "will not be kept" in reason, reason
    assert "in turn 2" in said or "in turn 2" in reason, (reason, said)


def _once_played_before(game: Game) -> list[tuple[str, str, int]]:
    """Bot proposals that put on the table a one-off act its own team had already carried out."""
    played: dict[tuple[str, str], int] = {}
    bad: list[tuple[str, str, int]] = []
    for e in game.log:
        if e["type"] == "order_executed" and RB.levers[e["lever"]].once:
            played.setdefault((e["team"], e["lever"]), e["turn"])
        if e["type"] == "proposal":
            p = e["proposal"]
            for c in p["clauses"]:
                turn = played.get((p["from"], c["lever"]))
                if c["actor"] == p["from"] and turn is not None and turn < p["turn"]:
                    bad.append((p["id"], c["lever"], turn))
    return bad


def test_bots_do_not_table_one_off_acts_they_have_carried_out() -> None:
    """Canada re-tabled CA-ISSL and CA-ATTEST turn after turn once it had played them: a promise of
    nothing, shown to a student as a clause it could not keep."""
    bad: list[tuple[str, str, int]] = []
    for scenario in ("loose-talk", "the-record", "tariffs-and-terror"):
        personas = dict(RB.scenarios[scenario].model.personas)
        for seed in (1, 2):
            game, _ = play(RB, scenario, seed, None, bots=BotDriver(RB, personas, seed))
            bad += _once_played_before(game)
    assert not bad, bad[:5]


def test_a_us_bot_puts_a_deal_to_china_it_trusts_enough() -> None:
    """No US persona had China as a partner, so no bot ever put a deal to China and a student playing China
    had nothing to answer all game. The institutionalist now also tables the November 2023 bargain to a
    China it trusts at 30 or more (Election Season opens at 30): China's class-wide scheduling, framed as
    its own initiative, for a standing working group. A reputation-conscious China takes it up (it
    counters, asking a little more); at 20 trust
    (Red Line) it offers the same, shaped for a partner it distrusts (session 13: it offered nothing)."""
    game = _negotiation("election-season", 7)
    bot = Bot(RB, "us", "institutionalist", 7)
    decided = bot.decide(_view(game, "us", "institutionalist"))
    to_china = [d.command for d in decided if isinstance(d.command, Propose) and "cn" in d.command.parties]
    assert len(to_china) == 1, [d.reason for d in decided]
    offer = to_china[0]
    assert offer.parties == ["us", "cn"] and offer.framing == "china_initiative"
    assert {(c.actor, c.lever) for c in offer.clauses} == {("cn", "cn_sched"), ("us", "us_cn_track")}
    game.handle(CommandEnvelope(actor=Actor(role="bot", team="us", name="bot"), command=offer))
    pid = list(game.state.proposals)[-1]
    decision, reason, _ = _answer(game, "cn", "reputation_conscious", pid)
    assert decision in ("accept", "counter"), reason
    # at 20 trust (Red Line) the US no longer offers nothing: the same bargain, one turn, verified jointly
    game = _negotiation("red-line", 7)
    decided = Bot(RB, "us", "institutionalist", 7).decide(_view(game, "us", "institutionalist"))
    shaped = [d.command for d in decided if isinstance(d.command, Propose) and "cn" in d.command.parties]
    assert len(shaped) == 1 and shaped[0].verification == "joint", shaped
    assert {c.duration for c in shaped[0].clauses} == {1}
