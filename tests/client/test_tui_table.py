"""The facilitator at the table: getting back in with the token, the join codes in the console, the
new-game form read without colour, results in words, and injects that wait for a student's typing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from test_tui_support import (
    advance_to,
    close_cards,
    log_lines,
    new_game,
    screen_text,
    static_text,
    until_online,
    wait_until,
)
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, RichLog, Select

from client_tui.app import PrecursorApp
from client_tui.game_screen import GameScreen
from client_tui.lobby import CodesScreen, CreateGameScreen, LobbyScreen
from client_tui.panes import InjectCards
from client_tui.widgets import Confirm
from precursor.client import ClientError, GameClient, LobbyClient


async def settled(pilot: Pilot[Any]) -> GameScreen:
    """Online, and done reading the log's earlier injects (a test that quits while that worker still
    runs tears the screen down under it)."""
    gs = await until_online(pilot)
    await wait_until(
        pilot,
        lambda: not any(w.group == "history" and not w.is_finished for w in gs.workers),
        what="the history to be read",
    )
    return gs


# ---------------------------------------------------------------------- 1 getting back in


async def test_the_facilitator_token_on_the_command_line_opens_the_console(url: str) -> None:
    """play --code TOKEN: the lobby finds the token's game and opens it as the facilitator."""
    await new_game(url, teams=())  # another game, listed first or not: the token finds its own
    g, _ = await new_game(url, teams=("mx",))
    app = PrecursorApp(url, code=g.facilitator_token)
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await settled(pilot)
        assert gs.game_id == g.game_id and gs.model.role == "facilitator"
        assert "facilitator │ T1/3 briefing" in static_text(app, "#status")


async def test_the_token_typed_in_the_lobby_rejoins_and_a_wrong_one_is_refused(url: str) -> None:
    g, _ = await new_game(url, teams=())
    await new_game(url, teams=())
    app = PrecursorApp(url)
    async with app.run_test(size=(80, 24)) as pilot:
        lobby = app.screen
        assert isinstance(lobby, LobbyScreen)
        await wait_until(pilot, lambda: lobby.query_one("#games", DataTable).row_count == 2)
        field = lobby.query_one("#code", Input)
        field.focus()
        await pilot.press(*"not-a-token-at-all")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "nor the token of a game" in static_text(app, "#lobby-status"))
        assert isinstance(app.screen, LobbyScreen)
        field.value = g.facilitator_token
        await pilot.press("enter")
        gs = await settled(pilot)
        assert gs.game_id == g.game_id and gs.model.role == "facilitator"


async def test_the_codes_window_shows_the_token_and_how_to_get_back_in(url: str) -> None:
    async with LobbyClient(url) as lobby:
        g = await lobby.create_game("tutorial", seed=3)
    app = PrecursorApp(url)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(CodesScreen(g.model_dump(), url))
        await wait_until(pilot, lambda: g.game_id in static_text(app, "#codes-text"))
        text = static_text(app, "#codes-text")
        assert g.facilitator_token in text
        assert f"precursor play {url} --code {g.facilitator_token}" in text
        assert "lobby's code field" in text


# ---------------------------------------------------------------------- 2 the join codes in the console


async def test_the_console_shows_the_codes_and_a_new_code_stops_the_old_one(url: str) -> None:
    app = PrecursorApp(url)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateGameScreen), what="the form")
        form = app.screen
        await wait_until(pilot, lambda: form.query_one("#scenario", Select).value != Select.BLANK)
        form.query_one("#scenario", Select).value = "tutorial"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, CodesScreen), what="the join codes")
        created = app.screen.created  # type: ignore[attr-defined]
        old = created["join_codes"]["mx"]
        await pilot.press("f")
        gs = await settled(pilot)
        await pilot.press("7")
        codes = lambda: static_text(app, "#f-codes")  # noqa: E731
        await wait_until(pilot, lambda: old in codes(), what="the codes in the console")
        assert created["join_codes"]["observer"] in codes() and created["facilitator_token"] in codes()
        gs.query_one("#f-code-who", Select).value = "mx"
        gs.query_one("#f-rotate", Button).press()
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm), what="the question")
        await pilot.press("y")
        await wait_until(pilot, lambda: old not in codes(), what="the new code")
        new = re.search(r"MX\s+(\w{4}-\w{4}-\w{4})", codes())
        assert new is not None
        assert f"new MX join code: {new.group(1)}" in static_text(app, "#notice")
        async with LobbyClient(url) as lobby:
            with pytest.raises(ClientError) as refused:
                await lobby.join(created["game_id"], old, "Late Luis")
            assert refused.value.code == "bad_code"
            await lobby.join(created["game_id"], new.group(1), "Luis")


async def test_the_console_offers_only_the_chosen_team_s_personas(url: str) -> None:
    g, _ = await new_game(url, teams=())
    app = PrecursorApp(url, game_id=g.game_id, token=g.facilitator_token)
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await settled(pilot)
        await pilot.press("7")
        gs.query_one("#f-team", Select).value = "mx"
        persona = gs.query_one("#f-persona", Select)
        await pilot.pause()
        offered = [str(v) for _, v in persona._options if isinstance(v, str)]
        assert sorted(offered) == ["cooperative", "sovereigntist"]


# ---------------------------------------------------------------------- 3 the new-game form in words


async def test_the_form_says_human_or_which_bot_in_words_and_offers_each_team_its_own_personas(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = PrecursorApp(url)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.no_color
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateGameScreen), what="the form")
        form = app.screen
        mx = form.query_one("#bot-mx", Select)
        offered = lambda: [str(v) for _, v in mx._options]  # noqa: E731
        await wait_until(pilot, lambda: "sovereigntist" in offered(), what="Mexico's personas")
        assert offered() == ["human", "cooperative", "sovereigntist"]  # Mexico's two, none of the others'
        form.query_one("#scenario", Select).value = "tutorial"
        text = screen_text(app)
        for team in ("US", "MX", "CN", "CA"):
            assert f"{team}: human" in text, team
        # by keys: open Mexico's list, go down to the second persona, take it
        mx.focus()
        await pilot.press("enter", "down", "down", "enter")
        await wait_until(pilot, lambda: "MX: bot — sovereigntist" in screen_text(app), what="the choice")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, CodesScreen), what="the join codes")
        game_id = app.screen.created["game_id"]  # type: ignore[attr-defined]
    async with LobbyClient(url) as lobby:
        assert (await lobby.game(game_id)).bots == {"mx": "sovereigntist"}


# ---------------------------------------------------------------------- 4 results in words, injects wait


async def test_results_read_as_words_with_hanging_indents_and_no_blank_lines_at_80_columns(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk", bots={"us": "default"})
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        app = PrecursorApp(url, game_id=g.game_id, token=tokens["mx"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await settled(pilot)
            await advance_to(fac, "briefing", 3)  # two turns adjudicated, turn 2's and 3's injects out
            await close_cards(pilot)
            await pilot.press("6")
            log = gs.query_one("#result-log", RichLog)
            await wait_until(pilot, lambda: "══ turn 3 ══" in log_lines(log), what="turn 3's results")
            await pilot.pause(0.3)
            lines = log_lines(log)
            text = "\n".join(lines)
            # no rule id or lever id where the rulebook has a name
            ids = [r.id for r in gs.rb.rules] + [lv for lv in gs.rb.levers if "_" in lv]
            assert [i for i in ids if re.search(rf"(?<![\w.]){re.escape(i)}(?![\w])", text)] == []
            assert "[rule] " in text and "[order] United States " in text and "[inject] turn 2" in text
            assert "[effect]" not in text and "[order_executed]" not in text
            # every card's first line starts at the margin; everything else is indented, wrapped lines too
            assert "" not in lines, "an empty line in the results"
            starts = ("[", "══", "──")
            assert all(line.startswith(starts) or line.startswith("  ") for line in lines), [
                line for line in lines if not (line.startswith(starts) or line.startswith("  "))
            ]
            assert any(len(line) >= 70 for line in lines)  # there were lines to wrap at this width


async def test_an_inject_waits_while_the_student_types_and_opens_when_the_field_is_left(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        app = PrecursorApp(url, game_id=g.game_id, token=tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await settled(pilot)
            await pilot.press("3", "enter")  # the tab opens at the channel list: Enter goes to its box
            composer = gs.query_one("#composer", Input)
            await wait_until(pilot, lambda: gs.focused is composer, what="the composer's focus")
            await pilot.press(*"we will")
            custom = {"title": "Storm", "text": "A storm closes the ports."}
            await fac.send({"type": "release_inject", "custom": custom})
            await wait_until(pilot, lambda: "open when you leave" in static_text(app, "#notice"))
            await pilot.pause(0.2)
            assert not isinstance(app.screen, InjectCards)  # nothing popped over the typing
            await pilot.press(*" agree")
            assert composer.value == "we will agree"  # every key went to the message
            assert "A storm closes the ports." in static_text(app, "#brief-news")
            await pilot.press("escape")  # out of the field: now the card comes up
            await wait_until(pilot, lambda: isinstance(app.screen, InjectCards), what="the card")
            assert "A storm closes the ports." in "\n".join(app.screen.texts)  # type: ignore[attr-defined]
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, InjectCards))
            assert composer.value == "we will agree"
