"""Words students stumbled on in session 13: "United States's position", "Decide on US-BIC and
US-COND now" in Canada's briefing, and a "free" action that cost political capital with the form's
head saying nothing of it (and "the facilitator rules on it" after tabling, in solo play)."""

from __future__ import annotations

from test_tui_support import (
    advance_to,
    close_cards,
    modal,
    new_game,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.widgets import Static

from client_tui.white_cell import FreeActionScreen, PositionScreen
from precursor.client import GameClient
from precursor.game.rulebook import default_rulebook


async def test_the_united_states_position_form_reads_as_english(url: str) -> None:
    g, tokens = await new_game(url, teams=("us",))
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(120, 40)) as pilot:
        await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("w")
        form = await modal(pilot, PositionScreen)
        head = " ".join(str(form.query(Static).first().render()).split())
        assert head.startswith("The United States' position before play"), head
        assert "what the United States does" in head and "States's" not in head, head


async def test_an_inject_naming_only_another_teams_levers_says_whose_they_are(url: str) -> None:
    g, tokens = await new_game(url, teams=("ca",), scenario="three-weeks")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "briefing", 3)
    app = seat_app(url, g, tokens["ca"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        await wait_until(
            pilot, lambda: "Year-end appropriations" in static_text(app, "#brief-news"), what="card"
        )
        await close_cards(pilot)
        news = " ".join(static_text(app, "#brief-news").split())
        # the text as written (session 20: it no longer tells the reader to decide on them)
        assert "The decision is the United States' to take this turn: US-BIC sets the funding" in news
        note = (
            "For your team: US-BIC and US-COND are levers of the United States: your team cannot order"
            " them, only ask for them in a proposal"
        )
        assert note in news, news
        assert gs.model.team == "ca"


async def test_the_free_action_form_says_it_costs_capital_in_its_head_and_who_rules_after_tabling(
    url: str,
) -> None:
    rb = default_rulebook()
    personas = dict(rb.scenarios["loose-talk"].model.personas)
    bots = {t: p for t, p in personas.items() if t != "mx"}
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk", bots=bots)
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("f")
        fa = await modal(pilot, FreeActionScreen)
        head = " ".join(str(fa.query(Static).first().render()).split())
        assert head.startswith("Free action — Mexico proposes"), head
        assert "It is not free: each claim costs political capital" in head, head
