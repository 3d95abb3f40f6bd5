"""The replay viewer: turn by turn, switching between each team's view and the true state."""

from __future__ import annotations

import asyncio

from live_server import running_server
from textual.widgets import DataTable, Static

from client_tui.app import PrecursorApp
from client_tui.replay import ReplayApp, ReplayScreen, turn_ends
from client_tui.widgets import WrapLog
from precursor.analysis.runner import play
from precursor.analysis.simulate import resolve_personas
from precursor.client import LobbyClient
from precursor.game.bots import BotDriver
from precursor.game.rulebook import Rulebook
from precursor.game.views import indicators_for


def _text(log: WrapLog) -> str:
    return "\n".join(str(line.text) for line in log.lines)


async def test_replay_steps_through_turns_and_switches_audience(rb: Rulebook) -> None:
    personas = resolve_personas(rb, "loose-talk")
    game, _ = play(rb, "loose-talk", 7, None, bots=BotDriver(rb, personas, 7))
    log = game.log
    ends = turn_ends(log)
    assert list(ends) == list(range(1, game.state.turns + 1)) and ends[game.state.turns] == len(log)
    app = ReplayApp(rb, log)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        status = screen.query_one("#replay-status", Static)
        assert "turn 1 of 6" in str(status.render()) and "true state" in str(status.render())
        await pilot.press("right", "right")
        assert screen.turn == 3 and "turn 3 of 6" in str(status.render())
        table = screen.query_one("#replay-indicators", DataTable)
        true_rows = table.row_count
        await pilot.press("m")  # as Mexico saw it
        assert screen.audience == "mx" and "as mx saw it" in str(status.render())
        shown = screen.game_at(3)
        # the table is Mexico's dashboard of that turn: exactly the indicators Mexico was shown
        assert table.row_count == len(indicators_for(shown, "mx")) <= true_rows
        mx_text = _text(screen.query_one("#replay-log", WrapLog))
        await pilot.press("f")
        fac_text = _text(screen.query_one("#replay-log", WrapLog))
        assert len(fac_text) >= len(mx_text)
        # bots' reasons reach the facilitator's replay only
        notes = [e["text"] for e in log[ends[2] : ends[3]] if e["type"] == "note" and len(e["text"]) > 15]
        assert notes and notes[0][:15] not in mx_text
        await pilot.press("left", "left", "left")
        assert screen.turn == 1


async def test_the_facilitator_replays_a_running_game_from_the_console() -> None:
    async with running_server("memory://") as url:
        async with LobbyClient(url) as lobby:
            g = await lobby.create_game(
                "tutorial", seed=2, bots={t: "default" for t in ("us", "mx", "cn", "ca")}
            )
            for _ in range(100):  # the bots play on their own; wait for a couple of turns
                if (await lobby.game(g.game_id)).turn >= 2:
                    break
                await asyncio.sleep(0.05)
        app = PrecursorApp(url, game_id=g.game_id, token=g.facilitator_token)
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(50):
                await pilot.pause(0.05)
                if type(app.screen).__name__ == "GameScreen" and app.screen.model.role == "facilitator":  # type: ignore[attr-defined]
                    break
            await pilot.pause(0.2)
            if type(app.screen).__name__ == "GameOverScreen":  # the bots may have finished already
                await pilot.press("escape")
                await pilot.pause(0.1)
            await pilot.press("ctrl+y")
            for _ in range(60):
                await pilot.pause(0.05)
                if isinstance(app.screen, ReplayScreen):
                    break
            assert isinstance(app.screen, ReplayScreen)
            assert app.screen.events[0]["type"] == "game_created" and len(app.screen.ends) >= 2
            await pilot.press("escape")
            await pilot.pause(0.1)
            assert type(app.screen).__name__ == "GameScreen"


async def test_esc_closes_the_replay_viewer_run_on_its_own(rb: Rulebook) -> None:
    """`precursor replay` is the replay screen alone: Esc ("esc Close" in its footer) popped that
    screen and left Textual's blank default one, which no key but ctrl+q left (three reports of a
    freeze). Esc must end the program."""
    game, _ = play(rb, "tutorial", 3, None, bots=BotDriver(rb, resolve_personas(rb, "tutorial"), 3))
    app = ReplayApp(rb, game.log)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReplayScreen)
        await pilot.press("right", "escape")
        await pilot.pause()
        # before the fix: return_code None and the blank default screen on top
        assert app.return_code == 0, f"Esc left {type(app.screen).__name__} up and the program running"
