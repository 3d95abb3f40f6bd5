"""Words students met in session 20: an objective in the program's words ("counts only if the engine
records it in the shared-responsibility cooldown flag") met beside a value at the end that could not show
why; inject cards that gave another team's orders as if to the reader; and an end screen whose
Agreements read "+10.0 × w" for three teams with no word that 10 is a cap, nor on what any component's
value is made of."""

from __future__ import annotations

import re

from test_tui_support import (
    advance_to,
    close_cards,
    debrief_text,
    end_screen_drawn,
    new_game,
    play_to_the_end,
    seat_app,
    static_text,
    until_online,
    wait_until,
)

from client_tui.model import LiveGame
from client_tui.panes.game_over import game_over_text
from precursor.analysis.runner import play
from precursor.client import GameClient
from precursor.game.bots import BotDriver
from precursor.game.rulebook import default_rulebook
from precursor.game.views import view

_PROGRAM_WORDS = re.compile(r"\b(engine|flags?|cooldowns?)\b|\b(?:flag|mx|count)\.[a-z_]+", re.IGNORECASE)


async def test_mexicos_acknowledgement_objective_reads_in_plain_words_and_says_what_met_it(url: str) -> None:
    """Loose Talk, Mexico: the US acknowledges shared responsibility to Mexico in turn 1. The end screen
    read the objective "counts only if the engine records it in the shared-responsibility cooldown flag"
    and "at the end: Turns until a US acknowledgement of shared responsibility counts again 0 turns" beside
    "met". It must say the objective in the game's words, how it is judged, and the statement that met
    it; and every one of Mexico's score components must say what it is made of and its range."""
    rb = default_rulebook()
    g, tokens = await new_game(url, teams=("us", "mx"), scenario="loose-talk")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        async with (
            GameClient(url, g.game_id, tokens["us"]) as us,
            GameClient(url, g.game_id, g.facilitator_token) as fac,
        ):
            await advance_to(fac, "orders")
            said = {"kind": "acknowledge", "target": "mx", "text": "Our guns and our demand feed this."}
            await us.send({"type": "submit_orders", "orders": [], "statement": said})
            await play_to_the_end(fac, pilot, lambda: gs.model.ended)
        text = await debrief_text(pilot, app)

    objectives = text[text.index("\nObjectives\n") : text.index("\nAgreements\n")]
    assert not _PROGRAM_WORDS.search(objectives), _PROGRAM_WORDS.search(objectives)
    lines = objectives.splitlines()
    at = next(i for i, line in enumerate(lines) if "(US-ARMS)" in line)
    assert lines[at].lstrip().startswith("✓ met"), lines[at]
    assert "a US seat makes a public statement to Mexico acknowledging shared responsibility" in lines[at]
    below = " ".join(line.strip() for line in lines[at + 1 : at + 4])
    assert "judged at the end of every turn, and met for good the first turn it held" in below, below
    assert (
        "seen during play: the United States' public statement to Mexico (acknowledge shared"
        " responsibility), turn 1" in below
    ), below
    # the trust objective compares with the start, and says the start
    assert re.search(r"at the end: Trust between Mexico and China [\d.]+ \(40 at the start\)", objectives)

    # the score: the cap said once at the head, and each of Mexico's components explained below its row
    assert "a value counts at most 10 and at least -10" in text
    scores = text[text.index("\nScores") : text.index("\nObjectives\n")].splitlines()
    head = next(i for i, line in enumerate(scores) if line.startswith("  ") and "Mexico" in line[:14])
    rows = [c for c in rb.scoring if c.weights.get("mx")]
    for comp in rows:
        at = next(i for i in range(head, len(scores)) if scores[i].strip().startswith(f"{comp.name}:"))
        want = f"made of: {comp.explain['mx']}; held between -10 and +10"
        assert scores[at + 1].strip() == want, scores[at + 1]


async def test_the_agreements_held_at_the_cap_say_so_at_80_columns() -> None:
    """The bots of Loose Talk (seed 2) fill the agreements component for the US, Mexico and Canada, as
    the students' did: each of those rows says it is held at the cap, with the points that would have
    given more where the client can work it out, and every component a team is scored on says what
    it is made of, at the first row that shows it (Mexico's own rows, all of them)."""
    rb = default_rulebook()
    personas = dict(rb.scenarios["loose-talk"].model.personas)
    game, _ = play(rb, "loose-talk", 2, None, bots=BotDriver(rb, personas, 2))
    live = LiveGame()
    live.me = {"role": "player", "team": "mx", "seat": "mx.president", "player_id": "p1", "game_id": "g1"}
    live.set_view(view(game, "mx"), game.state.seq)
    capped = [t for t in ("us", "mx", "ca") if game.state.scores[t]["components"]["agr"]["value"] == 10]
    assert capped == ["us", "mx", "ca"]
    text = game_over_text(live, rb, "g1")
    shown = " ".join((await end_screen_drawn(text)).split())
    scores = shown[shown.index("Scores (") : shown.index("Objectives ")]
    assert "a value counts at most 10 and at least -10" in scores
    rows = re.findall(
        r"Agreements: \+10\.0 × [\d.]+ = \+[\d.]+ — ([\d.]+) agreement points([^:]*)held at the cap", scores
    )
    assert len(rows) == 3, scores
    assert sum(" would give +" in between for _, between in rows) == 2, (
        rows
    )  # Canada's ×1.5 is not worked out
    for comp in rb.scoring:
        for team, said in comp.explain.items():
            assert f"{said}; held between -10 and +10" in scores, (comp.id, team)


async def test_the_appropriations_card_does_not_tell_mexico_to_decide_on_us_levers(url: str) -> None:
    """Three Weeks, turn 3, played as Mexico: the card ended "Decide on US-BIC and US-COND now.", and the
    client's next line said Mexico cannot order them."""
    g, tokens = await new_game(url, teams=("mx",), scenario="three-weeks")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "briefing", 3)
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        await until_online(pilot)
        await wait_until(
            pilot, lambda: "Year-end appropriations" in static_text(app, "#brief-news"), what="card"
        )
        await close_cards(pilot)
        news = " ".join(static_text(app, "#brief-news").split())
    assert "Decide on" not in news, news
    assert "The decision is the United States' to take this turn: US-BIC sets the funding" in news, news
    assert "US-BIC and US-COND are levers of the United States: your team cannot order them" in news


async def test_the_tutorials_table_card_offers_china_a_deal_it_can_make(url: str) -> None:
    """Tutorial, turn 2, played as China: the card suggested trilateral module T1 or a swap of migration
    enforcement for action on southbound guns, neither open to China. China's card names a bargain of
    its own, and the North American card is not China's."""
    g, tokens = await new_game(url, teams=("cn",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "briefing", 2)
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(120, 40)) as pilot:
        await until_online(pilot)
        await wait_until(pilot, lambda: "Ottawa" in static_text(app, "#brief-news"), what="card")
        await close_cards(pilot)
        news = " ".join(static_text(app, "#brief-news").split())
    assert "module T1" not in news and "southbound guns" not in news, news
    card = news[news.index("INJECT · turn 2 · Ottawa") :]
    card = card[: card.index("INJECT", 1)] if "INJECT" in card[1:] else card
    assert "China is not at that table, but it can table a structured proposal of its own" in card, card
    assert "(CN-ENFORCE) in return for a US counternarcotics concession to Beijing (US-CN-TRACK)" in card
    assert "your team cannot order" not in card  # the card names a lever of China's
