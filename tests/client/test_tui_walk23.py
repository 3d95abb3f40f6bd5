"""Session 23's evidence walk of issue 14 (/work/tools/s23/issue14_walk.md) found requirements whose
behaviour was right but that no test asserted: results cards that name injects and sources by title
(rows D3a, D3b, D7c, 5c), a conditional inject reaching a student as a card (4c), and the chain of
causes told in order within an order's card (5f). These tests assert them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from test_tui_support import (
    advance_to,
    close_cards,
    new_game,
    notices,
    results_after_orders,
    seat_app,
    static_text,
    until_online,
    wait_until,
)

from client_tui import render
from client_tui.model import RESULT_TYPES
from client_tui.panes import InjectCards
from client_tui.panes.results import result_text
from precursor.analysis.runner import play
from precursor.client import GameClient
from precursor.game.bots import BotDriver
from precursor.game.rulebook import Rulebook
from precursor.game.views import redact

TEAMS = ("us", "mx", "cn", "ca")
FILE_NAME = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
# a card's first line: "[order] …", "[rule] …", "[delayed effect] …", or a turn's heading
HEAD = re.compile(r"\[[a-z][a-z ]*\] |══ turn ")


def _word(ident: str) -> re.Pattern[str]:
    """An id as a word of its own (not part of a longer id or a dotted name)."""
    return re.compile(rf"(?<![\w.]){re.escape(ident)}(?![\w])")


def _bot_game_cards(rb: Rulebook, scenario: str) -> list[tuple[str, dict[str, Any], str]]:
    """Every results card of a bot game (seed 1) as each team reads it: (team, the event as redacted for
    the team, the card). An inject's card is also its briefing card (the pop-up's text), appended."""
    game, _ = play(rb, scenario, 1, None, bots=BotDriver(rb, dict(rb.scenarios[scenario].model.personas), 1))
    cards = []
    for team in TEAMS:
        for ev in game.log:
            seen = redact(rb, ev, team)
            if seen is None or seen["type"] not in RESULT_TYPES:
                continue
            card = result_text(seen, rb)
            if seen["type"] == "inject":
                card += "\n" + render.inject_card(seen, rb, reader=team)
            cards.append((team, seen, card))
    return cards


@pytest.mark.parametrize("scenario", ["tutorial", "loose-talk", "red-line", "tariffs-and-terror"])
def test_results_cards_name_injects_and_sources_by_title_never_by_id_or_file(
    rb: Rulebook, scenario: str
) -> None:
    """Issue 14, "Results speak in keys" / "Injects are invisible" and requirement 5 (walk rows D3a, D3b,
    D7c, 5c): results showed `[inject] b_letter_to_xi: A letter to Beijing` and sources as
    `001_a160c7083f94d363.txt`. Over every card of a whole bot game, for each team: no source file name,
    no inject card with its inject's id (nor any card with any of the scenario's inject ids), an inject
    card opens with its title, and every source an event cites is named by its title from
    rules/sources.yaml."""
    cards = _bot_game_cards(rb, scenario)
    inject_ids = [_word(inj.id) for inj in rb.scenarios[scenario].injects]
    injects = [(team, ev, card) for team, ev, card in cards if ev["type"] == "inject"]
    cited = [(team, ev, card) for team, ev, card in cards if ev.get("sources")]
    # the game is long enough to test the claim: injects and many cited sources, for each team
    assert {team for team, _, _ in injects} == set(TEAMS), scenario
    assert len(cited) > 100, len(cited)
    files = [card for _, _, card in cards if FILE_NAME.search(card)]
    assert files == [], files[:3]
    for team, ev, card in injects:
        assert not _word(str(ev["id"])).search(card), (team, card)
        assert card.startswith(f"[inject] turn {ev['turn']} · {ev['title']}"), (team, card)
    with_id = [(p.pattern, card) for _, _, card in cards for p in inject_ids if p.search(card)]
    assert with_id == [], with_id[:3]
    for team, ev, card in cited:
        for f in ev["sources"]:
            assert f in rb.sources, f  # a source the rulebook describes, so it has a title
            assert f"“{rb.sources[f].title}”" in card, (team, f, card)


async def test_the_results_tab_names_sources_by_title_and_injects_by_title(url: str, rb: Rulebook) -> None:
    """Issue 14 requirement 5 (walk rows D3b, D7c, 5c) in the real client: the walk found the sources'
    titles asserted only in the briefing's news. The results tab of a student's Mexico, after a turn
    with an order and the tutorial's injects, names each source of the order and of the injects by its
    title from rules/sources.yaml, and shows no file name and no inject id."""
    text = await results_after_orders(
        url, "mx", {1: {"mx": [{"lever": "mx_port"}]}}, ("results", 1), "MX-PORT", scenario="tutorial"
    )
    assert not FILE_NAME.search(text), text
    fired = [inj for inj in rb.scenarios["tutorial"].injects if inj.turn == 1 and inj.when is None]
    assert fired, "the tutorial has turn-1 injects"
    for inj in fired:
        assert f"[inject] turn 1 · {inj.title}" in text, (inj.id, text)
        for f in inj.sources:
            assert f"“{rb.sources[f].title}”" in text, (inj.id, f)
    assert not [inj.id for inj in rb.scenarios["tutorial"].injects if _word(inj.id).search(text)], text
    card = _card(text, "[order] Mexico ")
    assert "(MX-PORT)" in card, card
    titles = [f"“{rb.sources[f].title}”" for f in rb.levers["mx_port"].sources]
    assert titles and all(t in card for t in titles), (titles, card)


def _card(text: str, head: str, start: int = 0) -> str:
    """The card that opens with ``head`` (found from ``start``), up to the next card's head."""
    at = text.index(head, start)
    nxt = HEAD.search(text, at + len(head))
    return text[at : nxt.start() if nxt else None]


# ------------------------------------------------------------------ 4c: a conditional inject


async def _order_the_letter(fac: GameClient, seat: GameClient) -> None:
    """Mexico orders MX-XI (its letter to Xi) in turn 1: count.mx_xi > 0 then holds."""
    await advance_to(fac, "orders")
    await seat.send({"type": "submit_orders", "orders": [{"lever": "mx_xi"}]})
    await advance_to(fac, "results")


async def _raise_the_tension(fac: GameClient, seat: GameClient) -> None:
    """The facilitator sets Mexico's sovereignty tension to 90 at turn 1's results (after its months):
    mx.st >= 75 then holds when turn 2 starts."""
    await advance_to(fac, "results")
    await fac.send({"type": "override", "key": "mx.st", "value": 90, "note": "a crisis for the test"})


@pytest.mark.parametrize(
    ("scenario", "inject", "set_up"),
    [
        ("loose-talk", "b_xi_must_answer", _order_the_letter),  # when: count.mx_xi > 0
        ("red-line", "e_back_to_channels", _raise_the_tension),  # when: mx.st >= 75 and not flag.hrl
    ],
)
async def test_a_conditional_inject_reaches_the_student_as_a_card_with_its_text(
    url: str, rb: Rulebook, scenario: str, inject: str, set_up: Any
) -> None:
    """Issue 14 requirement 4 (walk row 4c): "every inject (scenario, timed, conditional, facilitator's
    custom) appears when released as a notice and a card with its title, its text, what changed and its
    source titles; the briefing keeps a list of them". No test triggered a conditional inject. Here its
    condition is brought about in turn 1 (by Mexico's order, or by the facilitator's override), and when
    turn 2 starts the inject fires; Mexico's client, open all along, shows it in a pop-up card with its
    title, its whole text and its sources' titles, names it in the notice, and keeps it in the briefing's
    news. Before the condition held, the briefing had no word of it."""
    inj = next(i for i in rb.scenarios[scenario].injects if i.id == inject)
    assert inj.when is not None and inj.turn is None and not inj.deck  # a conditional inject, no other kind
    title, words = inj.title, " ".join(inj.text.split())
    sources = [f"“{rb.sources[f].title}”" for f in inj.sources]
    g, tokens = await new_game(url, teams=("mx",), scenario=scenario)
    fac = GameClient(url, g.game_id, g.facilitator_token)
    seat = GameClient(url, g.game_id, tokens["mx"])
    async with fac, seat:
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            said = notices(gs)  # every notice, in order: the line keeps only the last
            await set_up(fac, seat)
            await pilot.pause(0.2)
            assert title not in static_text(app, "#brief-news")  # not fired in turn 1
            assert not any(ev.get("id") == inject for ev in gs.model.injects)
            await fac.send({"type": "advance", "turn": 1, "phase": "results"})  # turn 2 starts
            await wait_until(
                pilot,
                lambda: isinstance(app.screen, InjectCards) and any(title in t for t in app.screen.texts),
                what=f"the card of {inject}",
            )
            assert isinstance(app.screen, InjectCards)
            card = next(t for t in app.screen.texts if title in t)
            flat = " ".join(card.split())
            assert f"INJECT · turn 2 · {title}" in flat, flat
            assert words in flat, flat
            assert "What changed:" in flat, flat
            assert all(s in flat for s in sources), (sources, flat)
            assert inject not in flat, flat
            assert [n for n in said if n.startswith(f"inject: {title}")], said
            # the notice that comes with it (last turn's orders, after MX-XI) joins it, not replaces it
            await pilot.pause(0.5)  # what comes with the inject (last turn's orders) has come by now
            assert gs._notice_text.startswith(f"inject: {title}"), (gs._notice_text, said)
            await pilot.press("escape")
            await wait_until(
                pilot, lambda: not isinstance(app.screen, InjectCards), what="the cards to close"
            )
            news = " ".join(static_text(app, "#brief-news").split())
            assert title in news and words in news, news
            assert all(s in news for s in sources), (sources, news)
            # the server's own event: it fired in turn 2, when its condition held
            fired = [ev for ev in gs.model.injects if ev.get("id") == inject]
            assert [ev["turn"] for ev in fired] == [2], fired


# ------------------------------------------------------------------ 5f: the chain of causes


async def test_an_orders_card_tells_its_effects_then_the_rule_then_its_sources_and_a_lag_names_its_order(
    url: str, rb: Rulebook
) -> None:
    """Issue 14 requirement 5, "group the chain of causes (order → rule → effect)" (walk row 5f, MISSING).
    The United States lowers its travel advisory (US-TRAVEL) and orders US-SAN-1 (lag one month) in
    turn 1 of the tutorial; the US's results tab, within US-TRAVEL's one card and before the next card's
    head: the order's head, the values it moved, the "how:" line of the sovereignty-tension rule that
    shaped them (rule A1), then its sources by title. US-SAN-1's card says what it schedules ("later:");
    in turn 2 the "[delayed effect]" line names US-SAN-1 and the turn it was ordered in, with those same
    effects."""
    travel = {"lever": "us_travel", "params": {"direction": "lower"}}
    text = await results_after_orders(
        url, "us", {1: {"us": [travel, {"lever": "us_san_1"}]}}, ("results", 2), "[delayed effect]"
    )
    one = text[text.index("══ turn 1 ══") : text.index("══ turn 2 ══")]
    two = text[text.index("══ turn 2 ══") :]
    # US-TRAVEL: order → what it moved → the rule that shaped it → its sources, all in the one card
    card = _card(one, "[order] United States Travel advisories and pharmacy warnings (US-TRAVEL)")
    assert card.startswith(
        "[order] United States Travel advisories and pharmacy warnings (US-TRAVEL) (advisory: lowered) "
    ), card
    moved = [
        re.search(rf"{name} [\d.]+ → [\d.]+", card)
        for name in ("Mexican president's approval", "Trust between the US and Mexico")
    ]
    assert all(moved), card
    how = card.find("how: Mexican sovereignty tension +2")
    sources = card.find("sources: ")
    assert 0 < max(m.start() for m in moved if m) < how < sources, card
    assert "lowering an advisory adds no tension" in card[how:sources], card  # the rule's reason, in it
    docs = [rb.sources[f] for f in rb.levers["us_travel"].sources]
    assert docs and all(sources < card.find(f"“{d.title}”") for d in docs), card
    assert card.rstrip().endswith(f"“{docs[-1].title}” ({docs[-1].date})"), card  # the sources end it
    # US-SAN-1: what it schedules on its card, then the delayed effect naming its order in turn 2
    san = _card(one, "[order] United States Kingpin and material-support sanctions on traffickers (US-SAN-1)")
    later = san[san.index("later: ") + len("later: ") : san.index(" sources: ")]
    first = later.split(" (after 1 month)")[0]
    assert first.startswith("raises bite of financial sanctions on cartel finance"), later
    assert san.index("later: ") < san.index("sources: "), san
    assert "[delayed effect]" not in one, one
    landed = _card(two, "[delayed effect] ")
    assert landed.startswith("[delayed effect] US-SAN-1, ordered in turn 1, takes effect: "), landed
    assert first in landed, (first, landed)
    assert "(after 7 months)" not in landed and "lowers monthly chance" not in landed, landed
