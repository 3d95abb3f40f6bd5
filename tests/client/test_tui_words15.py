"""Words students read wrong in session 14: "turns 7–7 … never come" and "turn 7 counts as kept" on a
final-turn deal; "[not shown to you]" followed by the values; agreements listed A1, A10, A2; the help's
free actions "argued before the facilitator" in a solo game; a bot's "the United States's part"."""

from __future__ import annotations

from typing import Any

from test_tui_support import close_cards, log_lines, new_game, screen_text, seat_app, until_online

from client_tui import terms
from client_tui.help import help_text
from client_tui.model import LiveGame
from client_tui.panes.game_over import _agreement_lines
from precursor.analysis.runner import play
from precursor.game.bots import BotDriver
from precursor.game.engine import Game
from precursor.game.rulebook import default_rulebook
from precursor.game.views import view

RB = default_rulebook()


def _model(scenario: str = "loose-talk", team: str = "us") -> LiveGame:
    game = Game.new(RB, scenario, 1)
    model = LiveGame()
    model.me = {"role": "player", "team": team, "seat": "president", "player_id": "p1", "game_id": "g1"}
    model.set_view(view(game, team), game.state.seq)
    return model


def test_a_final_turn_clause_says_plainly_what_never_comes() -> None:
    model = _model()  # Loose Talk: six turns
    two = {"actor": "us", "lever": "us_arms", "params": {}, "start_turn": 6, "duration": 2}
    assert terms.past_the_end(model, two, RB) == "the game ends after turn 6, so turn 7 of it never comes"
    three = {**two, "duration": 3}
    assert terms.past_the_end(model, three, RB) == "the game ends after turn 6, so turns 7–8 of it never come"
    once = {"actor": "cn", "lever": "cn_sched", "params": {}, "start_turn": 6, "duration": 2}
    assert terms.past_the_end(model, once, RB) is None  # one act keeps it, whatever its length
    words = terms.clause_words(RB, once)
    assert "turn 7" not in words, words
    assert words.endswith("once from turn 6 (a once-per-game act: done once, it keeps the whole clause)"), (
        words
    )


def test_agreements_are_listed_in_number_order() -> None:
    model = _model()
    for aid in ("A1-US-1", "A10-MX-1", "A2-CN-1", "A9-US-2"):
        model.agreements[aid] = {"id": aid, "parties": ["us", "mx"], "status": "active", "clauses": []}
    ids = [line.split()[0] for line in _agreement_lines(model, RB)]
    assert ids == ["A1-US-1", "A2-CN-1", "A9-US-2", "A10-MX-1"], ids


def test_the_help_says_who_rules_a_free_action() -> None:
    from rich.console import Console

    console = Console(width=160, record=True)
    console.print(help_text(facilitator=False))
    text = " ".join(console.export_text().split())
    assert "argued before the facilitator" not in text
    assert "a facilitator or a team vote rules it" in text, text


def test_a_bots_decline_names_the_united_states_part_with_its_possessive() -> None:
    said: list[str] = []
    personas: dict[str, Any] = dict(RB.scenarios["red-line"].model.personas)
    game, _ = play(RB, "red-line", 0, None, bots=BotDriver(RB, personas, 0))
    for e in game.log:
        if e["type"] == "proposal_response" and "part for one turn only" in str(e.get("reason")):
            said.append(str(e["reason"]))
    assert said
    assert not [s for s in said if "States's" in s], said
    assert any("the United States' part for one turn only" in s for s in said), said


async def test_values_moved_out_of_sight_are_not_labelled_not_shown(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        gs.results._seen = {"trust.us_cn": 10.0}
        gs.results.settle({"trust.us_cn": 11.0})
        await pilot.press("6")
        await pilot.pause(0.3)
        text = " ".join(" ".join(log_lines(gs.results)).split())
        assert "[not shown to you]" not in text
        assert (
            "[other changes] after the lines above, these values moved for reasons not shown to you" in text
        ), text


async def test_the_replay_dates_a_turn_by_its_month_and_keeps_its_panes_apart_at_80_columns() -> None:
    """Loose Talk's turn 1 is March 2023; the replay said 2023-04-01 (the view at the turn's end), and at
    80 columns the dashboard's text ran into the log's ("United States politicalend of the last turn")."""
    from textual.widgets import Static

    from client_tui.replay import ReplayApp, ReplayScreen

    personas = dict(RB.scenarios["loose-talk"].model.personas)
    game, _ = play(RB, "loose-talk", 7, None, bots=BotDriver(RB, personas, 7))
    app = ReplayApp(RB, game.log)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        status = str(screen.query_one("#replay-status", Static).render())
        assert "turn 1 of 6 (2023-03-01)" in status, status
        await pilot.press("right")
        status = str(screen.query_one("#replay-status", Static).render())
        assert "turn 2 of 6 (2023-04-01)" in status, status
        log = screen.query_one("#replay-log")
        dash = screen.query_one("#replay-dash")
        assert log.region.x > dash.region.right - 1 and log.styles.border_left[0] != "", (
            log.styles.border_left
        )
        rows = screen_text(app).splitlines()[1:-1]
        assert all(row[log.region.x] == "▏" for row in rows if len(row) > log.region.x), rows[:3]
