"""The Textual client end to end: a whole tutorial game against three live bots, and a server killed
with SIGKILL and restarted under a connected client."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from live_server import ServerProcess, running_server
from test_tui_support import (
    close_cards,
    frames_until,
    game_screen,
    is_event,
    log_lines,
    new_game,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.widgets import Input, RichLog, SelectionList, Static

from precursor.client import GameClient


async def test_one_client_and_three_bots_play_the_tutorial_to_the_end() -> None:
    async with running_server("memory://") as url:
        g, tokens = await new_game(
            url, teams=("us",), bots={"mx": "default", "cn": "default", "ca": "default"}
        )
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(100, 30)) as pilot:
            gs = await until_online(pilot)
            # the game screen's own status line (a window of injects may be over it)
            status = lambda: str(gs.query_one("#status", Static).render())  # noqa: E731
            seen: list[tuple[int, str]] = []
            submitted = 0
            for _ in range(20):
                if "GAME OVER" in status():
                    break
                await close_cards(pilot)  # a new turn's injects come up as cards
                where = (gs.model.turn, gs.model.phase)
                seen.append(where)
                assert f"T{where[0]}/3 {where[1]}" in status()  # the tutorial has three turns
                if where[1] == "orders":
                    await pilot.press("5")
                    sl = gs.query_one("#order-list", SelectionList)
                    await wait_until(pilot, lambda sl=sl: sl.option_count > 0, what="the levers")  # type: ignore[misc]
                    if not sl.selected:  # tick the first lever we can afford, then submit
                        values = [sl.get_option_at_index(i) for i in range(sl.option_count)]
                        first = next(i for i, o in enumerate(values) if not o.disabled)
                        sl.highlighted = first
                        await pilot.press("space")
                    await pilot.press("ctrl+s")
                    await wait_until(
                        pilot, lambda: "SUBMITTED" in str(gs.query_one("#order-info", Static).render())
                    )
                    submitted += 1
                await pilot.press("ctrl+r")
                await wait_until(
                    pilot,
                    lambda w=where: (gs.model.turn, gs.model.phase) != w or "GAME OVER" in status(),  # type: ignore[misc]
                    timeout=20,
                    what=f"the phase after {where}",
                )
            await wait_until(pilot, lambda: "GAME OVER" in status(), timeout=20)
            assert gs.model.ended and submitted == 3
            phases = ("briefing", "negotiation", "orders", "results")
            assert seen == [(t, p) for t in (1, 2, 3) for p in phases]
            # the debrief comes up over the game; Esc goes back to it
            await wait_until(pilot, lambda: type(app.screen).__name__ == "GameOverScreen", what="the debrief")
            await pilot.press("escape")
            await close_cards(pilot)
            await pilot.press("6")
            log = gs.query_one("#result-log", RichLog)
            await wait_until(pilot, lambda: any("GAME OVER" in x for x in log_lines(log)))
            cards = "\n".join(log_lines(log))
            assert [x for x in cards.splitlines() if x.startswith("══ turn")] == [
                "══ turn 1 ══",
                "══ turn 2 ══",
                "══ turn 3 ══",
            ]
            assert cards.count("[orders] turn 2, orders of United States: ") == 1
            assert re.search(r"\[score\] final scores: United States [+-]\d+\.\d, Mexico [+-]\d+\.\d", cards)
            assert cards.rstrip().endswith("══ GAME OVER ══")


async def test_server_killed_and_restarted_under_a_connected_client(tmp_path: Path) -> None:
    """SIGKILL the server under a connected client: the status line says so, the composer keeps its
    text, the client comes back by itself and every message shows exactly once. While the client is
    away, Mexico talks on a second server over the same store, so the client's resume replays events
    its fresh view already holds (the case that used to show messages twice)."""
    store = f"sqlite:///{tmp_path / 'games.db'}"
    server = ServerProcess(store)
    await asyncio.to_thread(server.start)
    try:
        g, tokens = await new_game(server.url, teams=("us", "mx"))
        async with GameClient(server.url, g.game_id, tokens["mx"]) as mx:
            app = seat_app(server.url, g, tokens["us"])
            async with app.run_test(size=(100, 30)) as pilot:
                gs = await until_online(pilot)
                status = lambda: static_text(app, "#status")  # noqa: E731
                await pilot.press("3", "down", "enter")  # the US–MX channel, from the list `3` opens at
                assert gs.model.active_channel == "us_mx"
                composer = gs.query_one("#composer", Input)
                for i in range(3):
                    await mx.send({"type": "message", "channel": "us_mx", "text": f"before {i}"})
                await pilot.press(*"hi", "enter")
                await frames_until(mx, is_event("message", text="hi"))
                log = gs.query_one("#messages", RichLog)
                await wait_until(
                    pilot, lambda: sum("before" in x or ": hi" in x for x in log_lines(log)) == 4
                )

                server.kill()  # SIGKILL: no goodbye frame
                await wait_until(pilot, lambda: "OFFLINE" in status(), what="OFFLINE in the status line")
                assert "○ OFFLINE — reconnecting" in status()
                composer.focus()
                await pilot.press(*"draft")
                composer.value = "draft written while offline"
                await pilot.press("enter")  # refused at once, the text stays
                assert "not sent" in static_text(app, "#notice")
                assert composer.value == "draft written while offline"

                # meanwhile Mexico talks through another server process on the same store
                other = ServerProcess(store)
                await asyncio.to_thread(other.start)
                try:
                    async with GameClient(other.url, g.game_id, tokens["mx"]) as mx2:
                        for i in range(3):
                            await mx2.send({"type": "message", "channel": "us_mx", "text": f"away {i}"})
                finally:
                    await asyncio.to_thread(other.stop)

                assert "OFFLINE" in status() and composer.value == "draft written while offline"
                await asyncio.to_thread(server.start)  # the same port again
                await wait_until(pilot, lambda: "● online" in status(), timeout=20, what="the reconnect")
                assert gs.client is not None and gs.client.reconnects >= 1
                assert composer.value == "draft written while offline"
                await wait_until(pilot, lambda: sum("away" in x for x in log_lines(log)) == 3)

                async with GameClient(server.url, g.game_id, tokens["mx"]) as mx3:
                    await mx3.send({"type": "message", "channel": "us_mx", "text": "after 0"})
                    composer.focus()
                    await pilot.press("enter")  # now it goes
                    await frames_until(mx3, is_event("message", text="draft written while offline"))
                    await wait_until(pilot, lambda: composer.value == "")
                    await wait_until(pilot, lambda: any("draft written" in x for x in log_lines(log)))
                await pilot.pause(0.3)
                lines = [x for x in log_lines(log) if re.match(r"T\d ", x)]
                texts = [x.split(": ", 1)[1] for x in lines]
                assert texts == [
                    *(f"before {i}" for i in range(3)),
                    "hi",
                    *(f"away {i}" for i in range(3)),
                    "after 0",
                    "draft written while offline",
                ], lines
                ids = [m["id"] for m in gs.model.messages["us_mx"]]
                assert len(ids) == len(set(ids)) == 9
                assert game_screen(app) is gs
    finally:
        await asyncio.to_thread(server.stop)
