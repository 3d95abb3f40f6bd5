"""Keys, focus and figures on the game screen's tabs, as students playing a whole game met them: a
lever that cannot be ordered ticked with space and then left out without a word, a budget line gone
negative after a submission the server took, PageDown that did nothing until Tab, a channel that
could not be picked by keyboard, an end screen whose dates disagreed with the results. Each runs the
real app under Pilot against a live server on 127.0.0.1."""

from __future__ import annotations

from test_tui_support import (
    advance_to,
    close_cards,
    game_screen,
    modal,
    new_game,
    screen_text,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.widgets import Button, Input, ListView, SelectionList

from client_tui.game_screen import GameScreen
from client_tui.panes import GameOverScreen
from precursor.client import GameClient


async def test_space_on_a_lever_that_is_out_says_why_and_ticks_nothing(url: str) -> None:
    g, tokens = await new_game(url, teams=("ca",))
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, tokens["ca"]) as ca,
    ):
        await advance_to(fac, "orders")
        await ca.send({"type": "submit_orders", "orders": [{"lever": "ca_border"}]})
        await advance_to(fac, "orders", 2)
        app = seat_app(url, g, tokens["ca"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            await wait_until(pilot, lambda: bool(gs.model.view.get("levers")), what="the orders view")
            await close_cards(pilot)
            await pilot.press("5")
            sl = gs.query_one("#order-list", SelectionList)
            out = next(i for i, r in enumerate(gs.orders.rows()) if r["id"] == "ca_border")
            for _ in range(out):
                await pilot.press("down")
            assert sl.highlighted == out
            await pilot.press("space")
            await wait_until(pilot, lambda: "not ticked" in static_text(app, "#notice"), what="the refusal")
            notice = static_text(app, "#notice")
            assert "CA-BORDER cannot be ordered now: CA-BORDER can be played once per game" in notice
            assert sl.selected == []


async def test_after_a_submission_the_results_phase_shows_what_went_in_not_a_negative_budget(
    url: str,
) -> None:
    g, tokens = await new_game(url, teams=("us",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(100, 40)) as pilot:
            gs = await until_online(pilot)
            await wait_until(pilot, lambda: bool(gs.model.view.get("levers")), what="the orders view")
            await close_cards(pilot)
            await pilot.press("5")
            sl = gs.query_one("#order-list", SelectionList)
            for lid in ("us_fto", "us_notice", "us_intercept", "us_san_2"):
                sl.select(lid)
            await pilot.pause()
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: "SUBMITTED" in static_text(app, "#order-info"))
            await advance_to(fac, "results")
            await wait_until(
                pilot, lambda: gs.model.phase == "results" and gs.model.view.get("phase") == "results"
            )
            await pilot.pause(0.3)
            info = static_text(app, "#order-info")
            assert "this turn's orders went in: US-FTO" in info, info
            assert "left -" not in info and "over budget" not in info and "Orders left" not in info
            # the next orders phase brings the new turn's figures back
            await advance_to(fac, "orders", 2)
            await wait_until(pilot, lambda: gs.model.view.get("phase") == "orders", what="turn 2's orders")
            await close_cards(pilot)
            await wait_until(pilot, lambda: "Orders left 4 of 4" in static_text(app, "#order-info"))


async def test_the_last_turns_results_phase_promises_no_next_turn(url: str) -> None:
    """A student read "the next turn's orders … show when its orders phase begins" after the last
    turn's orders, when no turn was left."""
    g, tokens = await new_game(url, teams=("us",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders", 3)  # the tutorial's last turn
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(100, 40)) as pilot:
            gs = await until_online(pilot)
            await wait_until(pilot, lambda: bool(gs.model.view.get("levers")), what="the orders view")
            await close_cards(pilot)
            await pilot.press("5")
            gs.query_one("#order-list", SelectionList).select("us_fto")
            await pilot.pause()
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: "SUBMITTED" in static_text(app, "#order-info"))
            await advance_to(fac, "results", 3)
            await wait_until(pilot, lambda: gs.model.view.get("phase") == "results", what="the results")
            await pilot.pause(0.3)
            info = static_text(app, "#order-info")
            assert "this was the last turn: no more orders" in info, info
            assert "next turn" not in info, info


async def test_orders_left_never_goes_below_nothing(url: str) -> None:
    g, tokens = await new_game(url, teams=("us",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(100, 40)) as pilot:
            gs = await until_online(pilot)
            await wait_until(pilot, lambda: bool(gs.model.view.get("levers")), what="the orders view")
            await close_cards(pilot)
            await pilot.press("5")
            sl = gs.query_one("#order-list", SelectionList)
            for lid in ("us_san_1", "us_visa", "us_ind", "us_fact", "us_travel"):
                sl.select(lid)
            await pilot.pause()
            info = static_text(app, "#order-info")
            assert "Orders left 0 of 4" in info and "! 5 ticked" in info, info


async def test_ctrl_s_after_the_game_is_over_only_says_so(url: str) -> None:
    g, tokens = await new_game(url, teams=("us",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        for turn in (1, 2, 3):
            await advance_to(fac, "results", turn)
        await fac.send({"type": "advance", "turn": fac.turn, "phase": fac.phase})
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(100, 40)) as pilot:
            await modal(pilot, GameOverScreen)  # the debrief comes up by itself
            await pilot.press("escape")
            gs = game_screen(app)
            await pilot.press("5")
            gs.query_one("#order-list", SelectionList).select("us_visa")
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: "game is over" in static_text(app, "#notice"), what="the notice")
            assert "orders go in during" not in static_text(app, "#notice")


async def test_at_80x24_every_warning_above_the_orders_list_is_on_screen(url: str) -> None:
    g, tokens = await new_game(url, teams=("us",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            await wait_until(pilot, lambda: bool(gs.model.view.get("levers")), what="the orders view")
            await close_cards(pilot)
            await pilot.press("5")
            sl = gs.query_one("#order-list", SelectionList)
            levers = ("us_fto", "us_notice", "us_intercept", "us_san_2")
            for lid in levers:
                sl.select(lid)
            await pilot.pause(0.3)
            shown = screen_text(app)
            for lid in levers:  # each adds to Mexican sovereignty tension, and each says so
                code = gs.rb.levers[lid].code
                assert f"! {code}: adds about" in shown, shown
            assert sl.content_region.height >= 3  # the list keeps three rows
            for b in gs.orders.query(Button):
                assert b.region.bottom <= 23, (b.id, b.region)


async def test_page_keys_scroll_the_briefing_and_the_results_with_the_focus_on_the_tab_bar(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            await advance_to(fac, "results", 2)  # the results come to a seat that is online
            await wait_until(pilot, lambda: gs.model.phase == "results" and gs.model.turn == 2)
            await close_cards(pilot)
            gs.action_leave_field()  # the tab bar, where the screen opens
            await pilot.pause()
            brief = gs.briefing
            assert brief.max_scroll_y > 0 and brief.scroll_y == 0
            await pilot.press("pagedown")
            await wait_until(pilot, lambda: brief.scroll_y > 0, what="the briefing to scroll a page")
            await pilot.press("end")
            await wait_until(pilot, lambda: brief.scroll_y == brief.max_scroll_y, what="its end")
            await pilot.press("home")
            await wait_until(pilot, lambda: brief.scroll_y == 0, what="its start")

            # the results tab opens where the latest turn begins, its heading on the top row
            await pilot.press("6")
            log = gs.results

            def top_line() -> str:
                return log.lines[int(log.scroll_y)].text if log.lines else ""

            await wait_until(
                pilot, lambda: top_line().startswith("══ turn 2 ══"), what="turn 2's heading on the top row"
            )
            assert log.scroll_y < log.max_scroll_y  # not the bottom of the log
            gs.action_leave_field()
            await pilot.pause()
            await pilot.press("home")
            await wait_until(pilot, lambda: log.scroll_y == 0, what="the results' start")
            await pilot.press("pagedown")
            await wait_until(pilot, lambda: log.scroll_y > 0, what="the results to scroll a page")


async def test_a_channel_picked_with_shift_tab_down_and_enter_gets_the_message(url: str) -> None:
    g, tokens = await new_game(url, teams=("cn",))
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(80, 24)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("3", "enter")  # the tab opens at the channel list: Enter goes to its box
        composer = gs.query_one("#composer", Input)
        await wait_until(pilot, lambda: gs.focused is composer, what="the composer")
        await pilot.press("shift+tab")  # back from the composer: the channel list
        chans = gs.query_one("#chan-list", ListView)
        assert gs.focused is chans, gs.focused
        await pilot.press("tab")  # the log is still reached from the list, to scroll it by keys
        assert gs.focused is gs.query_one("#messages")
        await pilot.press("shift+tab")
        assert gs.focused is chans
        await pilot.press("down")
        assert gs.channels.channel_ids[chans.index or 0] == "us_cn"
        await pilot.press("enter")
        await wait_until(pilot, lambda: gs.model.active_channel == "us_cn", what="the US–CN channel")
        assert gs.focused is composer
        await pilot.press(*"a working group")
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: any(m.get("text") == "a working group" for m in gs.model.messages.get("us_cn", [])),
            what="the message in the US–CN channel",
        )
        assert not any(m.get("text") == "a working group" for m in gs.model.messages.get("team.cn", []))


async def test_w_after_turn_1_says_why_no_position_form_opens(url: str) -> None:
    g, tokens = await new_game(url, teams=("cn",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        app = seat_app(url, g, tokens["cn"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            await advance_to(fac, "negotiation", 2)
            await wait_until(pilot, lambda: gs.model.turn == 2, what="turn 2")
            await close_cards(pilot)
            await pilot.press("3")
            await pilot.press("escape")  # out of the composer: letters are keys again
            await pilot.press("w")
            await wait_until(pilot, lambda: "positions are filed in turn 1" in static_text(app, "#notice"))
            assert isinstance(app.screen, GameScreen), app.screen_stack


async def test_at_80_columns_the_lag_column_of_the_orders_list_is_whole_once_the_list_scrolls(
    url: str,
) -> None:
    g, tokens = await new_game(url, teams=("ca",))
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, tokens["ca"]) as ca,
    ):
        await advance_to(fac, "orders")
        await ca.send({"type": "submit_orders", "orders": [{"lever": "ca_border"}]})
        await advance_to(fac, "results")  # turn 2 offers last turn's orders: a line more above the list
        app = seat_app(url, g, tokens["ca"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("5")  # drawn from the rulebook while the results are read
            await pilot.pause(0.3)
            await advance_to(fac, "orders", 2)
            await wait_until(pilot, lambda: gs.model.view.get("phase") == "orders", what="turn 2's orders")
            await close_cards(pilot)
            await pilot.press("5")
            await pilot.pause(0.5)
            sl = gs.query_one("#order-list", SelectionList)
            assert sl.max_scroll_y > 0  # more levers than rows: the list has its scrollbar
            rows = [line for line in screen_text(app).splitlines() if "CA-" in line and "▐" in line]
            assert rows and not any("lag …" in r or "at o…" in r for r in rows), rows
            assert any("at once" in r for r in rows), rows
