"""What bots table once the first turn is over, and what they say when they decline.

Students found the negotiation phase empty after the first turn (a United States that spends its capital
on orders tabled nothing more), the same declined proposal tabled turn after turn, and a module tabled
after it was in force. Each test sets the situation up in a real game and asks a real bot.
"""

from __future__ import annotations

from typing import Any

from rulebooks import clauses_only

from precursor.game.bots import Bot, fast_view
from precursor.game.commands import Actor, Advance, Clause, CommandEnvelope, Propose, Respond
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook, default_rulebook

RB = default_rulebook()
CLAUSES = clauses_only(RB)  # the signature's own score aside: the clauses alone decide
SYSTEM = Actor(role="system")
STUDENT = {t: Actor(role="player", team=t, name="student") for t in ("us", "mx", "cn", "ca")}


def _negotiation(scenario: str, seed: int, start: dict[str, Any] | None = None) -> Game:
    """A game in its first negotiation phase, with starting values changed as a scenario would."""
    game = Game.new(RB, scenario, seed)
    if start:
        game.effect("setup.start", "the starting position is adjusted", dict(start), (), vis="all")
    game.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))
    return game


def _view(game: Game, team: str, persona: str) -> dict[str, Any]:
    """What the bot is handed in play: its team's view cut to what the persona reads."""
    cache = fast_view.DashboardCache(reads=fast_view.persona_reads(RB, persona))
    v = fast_view.bot_view(game, team, None, cache)
    v["phase"] = game.state.phase
    return v


def _tabled(game: Game, bot: Bot) -> list[Propose]:
    """The proposals the bot tables in this negotiation phase, handed to the game as it would be."""
    out = []
    for d in bot.decide(_view(game, bot.team, bot.persona_id)):
        if isinstance(d.command, Propose) and d.command.counter_to is None:
            game.handle(
                CommandEnvelope(actor=Actor(role="bot", team=bot.team, name="bot"), command=d.command)
            )
            out.append(d.command)
    return out


def _next_negotiation(game: Game) -> None:
    turn = game.state.turn
    while not (game.state.turn == turn + 1 and game.state.phase == "negotiation"):
        game.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))


def _terms(p: Propose) -> set[tuple[str, str]]:
    return {(c.actor, c.lever) for c in p.clauses}


def test_a_declined_package_is_not_tabled_again_unchanged() -> None:
    """Mexico put MX-ME and the plan to the United States in each of five turns of Three Weeks, always
    declined because of MX-ME. Declined, the same terms are not tabled again, whatever the reason given
    (or none); a counter-proposal answers them as well."""
    for reason in (
        "The United States declines: the deal includes MX-ME (Set the level of migration enforcement, "
        "enforcement level: 60) by Mexico, which works against the United States.",
        "",
    ):
        game = _negotiation("three-weeks", 3)
        mx = Bot(RB, "mx", "sovereigntist", 3)
        first = [p for p in _tabled(game, mx) if p.parties == ["us", "mx"]]
        assert len(first) == 1 and ("mx", "mx_me") in _terms(first[0])
        pid = next(k for k, p in game.state.proposals.items() if p["parties"] == ["us", "mx"])
        no = Respond(proposal=pid, action="reject", reason=reason)
        game.handle(CommandEnvelope(actor=STUDENT["us"], command=no))
        _next_negotiation(game)
        again = [p for p in _tabled(game, mx) if p.parties == ["us", "mx"]]
        assert not [p for p in again if _terms(p) == _terms(first[0])], reason
    game = _negotiation("three-weeks", 3)
    mx = Bot(RB, "mx", "sovereigntist", 3)
    _next_negotiation(game)
    assert [p for p in _tabled(game, mx) if _terms(p) == _terms(first[0])], (
        "an answer, not the turn, stops it"
    )


def test_no_bot_tables_a_module_already_in_force() -> None:
    """Canada tabled the chemical-notification module (T1) every turn after it had come into force: the
    module and the US clause that backs it are left out, and with nothing asked of the others the
    package is not tabled at all."""
    game = _negotiation("three-weeks", 3, {"module.t1": True})
    assert game.state.env["module.t1"]
    ca = Bot(RB, "ca", "trilateralist", 3)
    tabled = _tabled(game, ca)
    assert not [p for p in tabled if "t1" in p.modules], [p.modules for p in tabled]
    assert not [c for p in tabled for c in p.clauses if c.params.get("module") == "t1"]


def test_a_us_short_of_capital_tables_the_part_of_its_package_it_can_pay_for() -> None:
    """The institutionalist spends its capital on orders, and from the third turn of Election Season it
    could not pay for its whole package and tabled nothing: a student playing Mexico had nothing to
    answer for the rest of the game. It now tables what it can pay for, its dearest clauses left out."""
    game = _negotiation("election-season", 21, {"us.pc": 4.0})
    us = Bot(RB, "us", "institutionalist", 21)
    to_mx = [p for p in _tabled(game, us) if p.parties == ["us", "mx"]]
    assert len(to_mx) == 1
    ours = [c for c in to_mx[0].clauses if c.actor == "us"]
    theirs = [c for c in to_mx[0].clauses if c.actor == "mx"]
    assert ours and theirs
    whole = {(c.actor, c.lever) for c in RB.personas["institutionalist"].model.package.clauses}
    assert _terms(to_mx[0]) < whole


def _answer(game: Game, team: str, persona: str, pid: str, rb: Rulebook = RB) -> tuple[str, str]:
    """The bot's decision on one proposal, and the sentence the proposer reads."""
    bot = Bot(rb, team, persona, 7)
    v = _view(game, team, persona)
    prop = next(p for p in v["proposals"] if p["id"] == pid)
    d = bot.answer(v, bot.environment(v), prop)
    return d.decision, str(getattr(d.command, "reason", "") or getattr(d.command, "note", ""))


def _offer(
    game: Game, team: str, parties: list[str], clauses: list[tuple[str, str, dict[str, Any]]], **kw: Any
) -> str:
    turn = game.state.turn
    cmd = Propose(
        parties=parties,  # type: ignore[arg-type]
        clauses=[
            Clause(actor=a, lever=lv, params=p, start_turn=turn, duration=2)  # type: ignore[arg-type]
            for a, lv, p in clauses
        ],
        expires_turn=turn + 1,
        **kw,
    )
    game.handle(CommandEnvelope(actor=STUDENT[team], command=cmd))
    return list(game.state.proposals)[-1]


def test_a_decline_a_hard_rule_decides_says_why() -> None:
    """ "The United States declines: the deal asks the United States for US-ARMS (Disrupt southbound
    weapons and cash)." stopped at the lever: the rule that decided it had no words of its own. Every
    rule that rejects a deal now says why, and the sentence goes on past the lever."""
    for pid, p in RB.personas.items():
        for rule in p.hard_rules:
            assert rule.reject_if is None or rule.message, (
                f"{pid}: {rule.id} rejects deals without saying why"
            )
    game = _negotiation("red-line", 7)
    pid = _offer(
        game,
        "mx",
        ["us", "mx"],
        [("mx", "mx_plan_1", {}), ("us", "us_arms", {})],
        framing="shared_responsibility",
    )
    decision, said = _answer(game, "us", "hawk", pid)
    assert decision == "reject"
    assert said.startswith("The United States declines: the deal asks the United States for US-ARMS (")
    assert not said.endswith("cash)."), said
    assert "what kills Americans crosses north" in said


def test_a_decline_of_a_deal_that_offers_nothing_names_what_it_asks() -> None:
    """A student's US-ARMS for a trilateral module, with nothing from Mexico, was declined as "the deal's
    terms do not give it enough": the decline now names the ask and that nothing comes back for it."""
    game = _negotiation("loose-talk", 1)
    pid = _offer(game, "mx", ["us", "mx", "ca"], [("us", "us_arms", {})], modules=["t4"])
    bot = Bot(CLAUSES, "us", "institutionalist", 7)
    bot.countered.add(game.state.turn)  # its counter of the turn is made: it answers
    v = _view(game, "us", "institutionalist")
    d = bot.answer(v, bot.environment(v), next(p for p in v["proposals"] if p["id"] == pid))
    decision, said = d.decision, str(getattr(d.command, "reason", ""))
    assert decision == "reject"
    assert "do not give it enough" not in said, said
    assert "US-ARMS (" in said and "offering nothing" in said, said


def test_a_us_hawk_prices_chinas_controls_as_the_deaths_they_avert() -> None:
    """Every Chinese offer that asked anything of the United States was declined in Red Line: the hawk
    weighed China's controls at a third of what it weighs the US deaths they avert (0.05 a 5 points
    against 0.3 a 1,000 deaths, where the institutionalist has 0.15 against 0.35). Priced alike, a
    three-turn enforcement campaign and know-your-customer rules for a working group clear its bar once
    relations are no longer at their worst (trust 30); a single turn of enforcement for a US programme
    step still does not, and neither does the campaign at Red Line's opening trust of 20. Weighed on its
    clauses, as the hawk weighs every deal (it counts nothing for the signature, rules/personas.yaml)."""
    campaign: list[tuple[str, str, dict[str, Any], int]] = [
        ("cn", "cn_enforce", {}, 3),
        ("cn", "cn_kyc", {}, 3),
        ("us", "us_cn_track", {"kind": "working_group"}, 1),
    ]
    small: list[tuple[str, str, dict[str, Any], int]] = [
        ("cn", "cn_enforce", {}, 1),
        ("us", "us_demand", {"levels": 1}, 1),
    ]
    for trust, clauses, wanted in (
        (30.0, campaign, "accept"),
        (30.0, small, "reject"),
        (20.0, campaign, "reject"),
    ):
        game = _negotiation("red-line", 23, {"trust.us_cn": trust})
        turn = game.state.turn
        cmd = Propose(
            parties=["us", "cn"],
            clauses=[
                Clause(actor=a, lever=lv, params=p, start_turn=turn, duration=d)  # type: ignore[arg-type]
                for a, lv, p, d in clauses
            ],
            visibility="public",
            framing="reciprocal",
            expires_turn=turn + 1,
        )
        game.handle(CommandEnvelope(actor=STUDENT["cn"], command=cmd))
        decision, said = _answer(game, "us", "hawk", list(game.state.proposals)[-1])
        assert decision == wanted, (trust, [c[1] for c in clauses], said)
