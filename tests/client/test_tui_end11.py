"""The end of a game as a student meets it (issue 14): the position filed before play held against the
team's record on the end screen, figures that multiply to what is printed, dates and objectives that
agree, and what a seat taken mid-game sees of the turns before it."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from test_tui_support import advance_to, close_cards, new_game, seat_app, until_online, wait_until

from client_tui.model import LiveGame
from client_tui.panes.game_over import game_over_text
from precursor.analysis.runner import play
from precursor.client import GameClient
from precursor.game.bots import BotDriver
from precursor.game.commands import Actor, CommandEnvelope, FilePosition
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook, default_rulebook
from precursor.game.views import events_for, view

GOALS = "Cut overdose deaths without a fight with Mexico"


def _ended(rb: Rulebook, scenario: str, seed: int, file_for: tuple[str, ...] = ()) -> Game:
    """A bot game played to its end, the teams in ``file_for`` having filed a position before play."""
    g = Game.new(rb, scenario, seed)
    for team in file_for:
        cmd = FilePosition(goals=f"{GOALS} ({team})", red_lines="No strikes", expectations="")
        g.handle(CommandEnvelope(actor=Actor(team=team), command=cmd))
    personas = dict(rb.scenarios[scenario].model.personas)
    game, _ = play(rb, scenario, seed, None, bots=BotDriver(rb, personas, seed), game=g)
    return game


def _seat(game: Game, team: str, role: str = "player") -> LiveGame:
    """What a seat of ``team`` holds at the end: every event it was sent, then the final view."""
    live = LiveGame()
    live.me = {"role": role, "team": team, "seat": f"{team}.x", "player_id": "p1", "game_id": "g1"}
    for ev in events_for(game, team):
        live.apply(int(ev["seq"]), dict(ev))
    live.set_view(view(game, team), game.state.seq)
    return live


def _facilitator(game: Game) -> LiveGame:
    """The facilitator's console at the end: the final view of everything."""
    fac = LiveGame()
    fac.me = {"role": "facilitator", "team": None, "seat": None, "player_id": "f", "game_id": "g1"}
    fac.set_view(view(game, "facilitator"), game.state.seq)
    return fac


def _section(text: str, head: str) -> str:
    start = text.index(head)
    end = text.find("\n\n", start)
    return text[start : end if end >= 0 else len(text)]


def test_the_end_screen_holds_the_filed_position_against_what_the_team_did() -> None:
    """The position form says the debrief holds the position against what the team does; the end
    screen never showed it. Now it shows the team's own position, the orders it gave (by name, with
    the turns) and its agreements; the other teams' positions stay theirs."""
    rb = default_rulebook()
    game = _ended(rb, "tutorial", 12, file_for=("us", "mx"))
    live = _seat(game, "us")
    part = _section(game_over_text(live, rb, "g1"), "Positions filed before play")
    assert f"goals: {GOALS} (us)" in part and "red lines: No strikes" in part, part
    assert "expected of the others: none stated" in part
    assert "(mx)" not in part  # Mexico's position is Mexico's
    did = next(line for line in part.splitlines() if "did — orders:" in line)
    played = {ev["lever"] for ev in game.log if ev["type"] == "order_executed" and ev["team"] == "us"}
    assert played and all(rb.levers[lv].name in did for lv in played), did
    assert "turn 1" in did or "turns 1" in did
    agreed = [a["id"] for a in view(game, "us")["agreements"] if "us" in a["parties"]]
    line = next(line for line in part.splitlines() if "did — agreements:" in line)
    assert all(aid in line for aid in agreed) and "kept" in line, line
    assert "The other teams' positions are theirs" in part


def test_a_team_that_filed_nothing_is_told_so_and_the_facilitator_sees_every_position() -> None:
    rb = default_rulebook()
    game = _ended(rb, "tutorial", 12, file_for=("mx",))
    us = _section(game_over_text(_seat(game, "us"), rb, "g1"), "Positions filed before play")
    assert "United States filed no position before play" in us
    fac = _facilitator(game)
    for ev in game.log:
        fac.apply(int(ev["seq"]), dict(ev))
    part = _section(game_over_text(fac, rb, "g1"), "Positions filed before play")
    assert f"{GOALS} (mx)" in part and "theirs" not in part


def test_the_report_commands_say_who_they_are_for() -> None:
    """A player is offered the game as the team saw it (student b20 opened the facilitator's report,
    with every team's secret objectives and the bots' reasons); the facilitator, the whole record."""
    rb = default_rulebook()
    game = _ended(rb, "tutorial", 12)
    lines = game_over_text(_seat(game, "ca"), rb, "g1").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("precursor report"))
    assert lines[at - 1].startswith("Your after-action report (the game as your team saw it"), lines[at - 1]
    assert lines[at].split() == [
        "precursor",
        "report",
        "g1",
        "--audience",
        "ca",
        "--format",
        "html",
        "--out",
        "g1-ca.html",
    ]
    assert lines[at + 1].strip() == "precursor replay g1 --audience ca", lines[at + 1]
    assert "The facilitator's report (--audience facilitator)" in lines[at + 2]
    fac = _facilitator(game)
    lines = game_over_text(fac, rb, "g1").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("precursor report"))
    assert lines[at - 1].startswith("For the facilitator: the full after-action report"), lines[at - 1]
    assert lines[at].split() == ["precursor", "report", "g1", "--format", "html", "--out", "g1.html"]


def test_the_hot_wash_sets_the_position_beside_the_record_in_names() -> None:
    """The report's hot wash (ctrl+g's facilitator screen, ``precursor report --hot-wash``) read a
    partner as "with MX, CA": players know the teams by name."""
    from precursor.analysis.hotwash import to_hot_wash
    from precursor.analysis.review import build_report, replay

    rb = default_rulebook()
    game = _ended(rb, "tutorial", 12, file_for=("us",))
    events = [dict(ev) for ev in game.log]
    md = to_hot_wash(build_report(rb, events), replay(rb, events), "md", "g1")
    part = md[md.index("## 3. Positions and the record") : md.index("## 4.")]
    assert f"{GOALS} (us)" in part and "orders executed: T1: " in part
    line = next(line for line in part.splitlines() if "agreements signed:" in line)
    # Canada's trilateral deal (A1-CA-1 before session 17's bots, which sign it a turn later)
    assert re.search(r"T\d: A\d-CA-1 with Mexico, Canada", line), line


# ---------------------------------------------------------------------- item 2: the end screen's sums


def _products(text: str) -> list[tuple[str, str, str, str]]:
    return re.findall(r"\n {7}([^\n:]+): ([+-]\d+\.\d+) × (\d+(?:\.\d+)?) = ([+-]\d+\.\d)", text)


def _by_hand(value: str, weight: str) -> str:
    r = (Decimal(value) * Decimal(weight)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{r:+.1f}" if r else "+0.0"


def test_each_score_row_multiplies_out_to_the_points_it_prints() -> None:
    """ "Sovereignty +4.8 × 2 = +9.7": a student multiplies and gets 9.6. Every row's figures now give
    its points, rounded to the tenth the row prints."""
    rb = default_rulebook()
    rows = []
    for scenario, seed in (("tutorial", 12), ("tutorial", 14), ("loose-talk", 11)):
        text = game_over_text(_seat(_ended(rb, scenario, seed), "us"), rb, "g1")
        rows += _products(text)
    assert len(rows) > 40
    # multiplied as by hand: the printed figures exactly, the product rounded half up
    wrong = [r for r in rows if _by_hand(r[1], r[2]) != r[3]]
    assert not wrong, wrong


def _with_sovereignty(live: LiveGame, value: float, crossed: int) -> LiveGame:
    """The seat's final view with Mexico's sovereignty component and the red-line count set: the
    floor of -10 is reached by a breach or by a mean tension of 80 or more, and a bot game seldom
    gives either."""
    scores = live.view["scores"]
    comp = scores["mx"]["components"]["sovereignty"]
    comp.update(value=value, points=value * comp["weight"])
    for ind in live.view["indicators"]:
        if ind["id"] == "flag.hrl_count":
            ind["value"] = crossed
    live.results = [ev for ev in live.results if ev.get("type") != "score"]
    return live


def test_the_sovereignty_row_says_which_breach_scored_minus_ten() -> None:
    """Mexico's "Sovereignty (mean tension; any breach scores -10): -10.0" sat beside "the hard red
    line was not crossed": the row now says the floor came from a mean tension of 80 or more."""
    rb = default_rulebook()
    game = _ended(rb, "tutorial", 12)
    live = _with_sovereignty(_seat(game, "mx"), -10.0, 0)
    text = game_over_text(live, rb, "g1")
    row = next(line for line in text.splitlines() if line.strip().startswith("Sovereignty"))
    assert "no breach: a mean tension of 80 or more scores the floor, -10" in row, row
    assert "The hard red line (unilateral force in Mexico) was not crossed" in text
    live = _with_sovereignty(_seat(game, "mx"), -10.0, 1)
    row = next(line for line in game_over_text(live, rb, "g1").splitlines() if "Sovereignty" in line)
    assert "the hard red line was crossed (1 time(s)): that breach scores -10" in row, row
    live = _with_sovereignty(_seat(game, "mx"), 5.0, 0)
    row = next(line for line in game_over_text(live, rb, "g1").splitlines() if "Sovereignty" in line)
    assert row.endswith("no breach; mean tension 35"), row


def test_the_secret_objectives_are_told_in_one_way_from_briefing_to_score() -> None:
    """ "6 objective points × 0.75 = +4.5", "+5.0 × 1.5 = +7.5" and a briefing's "secret, 8 pts" beside
    an end screen's "+4.0": the score line now says how many objective points were met and at what
    rate, and the words name no team with a possessive ("United States's weight")."""
    rb = default_rulebook()
    game = _ended(rb, "tutorial", 14)
    text = game_over_text(_seat(game, "ca"), rb, "g1")
    at = text.index("Canada +")
    line = next(x for x in text[at:].splitlines() if x.strip().startswith("Secret objectives:"))
    met = sum(
        o["points"] for o in view(game, "ca")["objectives"]["ca"]["secret"] if o["met"]
    )  # objective points met
    assert line.endswith(f"— {met:g} objective points met × 0.5"), line
    assert "'s weight" not in text
    assert "for Canada that line weighs 1.5" in text


# ---------------------------------------------------------------------- item 3: objectives in play


async def test_the_briefing_says_on_track_not_met_for_an_objective_judged_at_the_end(url: str) -> None:
    """After turn 1 of 6 a student read "no AUMF passes either chamber — met": the objective is judged
    when the game ends. The briefing tab now says "on track", and each objective's points with what
    they add to the score, as the end screen counts them ("secret, 8 pts" sat above "+4.0")."""
    g, tokens = await new_game(url, teams=("us",))
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        async with GameClient(url, g.game_id, g.facilitator_token) as fac:
            await advance_to(fac, "briefing", 2)
        await wait_until(pilot, lambda: gs.model.turn == 2 and "met" in gs.briefing._brief, what="turn 2")
        await close_cards(pilot)
        text = gs.briefing._brief
        secret = gs.model.view["objectives"]["us"]["secret"]
        judged = [o for o in secret if o["check"] == "every_turn" and o["met"]]
        assert judged, secret
        for o in secret:
            line = next(x for x in text.splitlines() if o["text"] in x)
            assert f"secret, {o['points']:g} objective points ({o['points'] * 0.5:+.1f} to the score" in line
        for o in judged:
            line = next(x for x in text.splitlines() if o["text"] in x)
            assert line.endswith("held at the end of every turn so far: judged when the game ends*"), line
        assert "pts" not in text


async def test_a_seat_taken_mid_game_sees_the_turns_so_far_in_its_results_tab(url: str) -> None:
    """A seat taken in turn 2 found an empty results tab: the welcome's view carried the figures, and
    only events after it reached the tab. It now shows turn 1's outcomes that its team may see, in log
    order, before anything that came after it connected."""
    from test_tui_support import log_lines

    g, tokens = await new_game(url, teams=("us",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "negotiation", 2)
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("6")
        await wait_until(pilot, lambda: any("turn 1" in x for x in log_lines(gs.results)), what="turn 1")
        lines = log_lines(gs.results)
        assert lines[0].startswith("══ turn 1"), lines[:3]
        assert any(x.startswith("[order]") or x.startswith("[inject]") for x in lines), lines[:20]


async def test_the_score_estimate_says_when_it_first_moves(url: str) -> None:
    """A student read "+0.0" through turn 1 as a broken estimate, and in s13 "+6.7" as points earned with
    nothing played: before turn 1's results the line gives no figure and says when it is first counted;
    once they are in, it says what the figure is (the score if the game ended now)."""
    from test_tui_support import static_text

    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("2")
        await wait_until(pilot, lambda: "political capital" in static_text(app, "#scoreline"))
        before = static_text(app, "#scoreline")
        # no figure before anything is counted: "+6.7" at turn 1 read as points already earned
        assert "first counted at turn 1's results" in before and "estimate" not in before, before
        async with GameClient(url, g.game_id, g.facilitator_token) as fac:
            await advance_to(fac, "results", 1)
        await wait_until(
            pilot, lambda: gs.model.phase == "results" and "turn 1's" not in gs.dashboard.score_line()
        )
        await pilot.pause(0.3)
        line = static_text(app, "#scoreline")
        assert "turn 1's results" not in line and "score if the game ended now" in line, line
