"""A new student's game (Mexico, loose-talk) under Pilot against a real server: the defects a first game
ran into, each checked where the student meets it."""

from __future__ import annotations

import re

from test_tui_support import (
    advance_to,
    close_cards,
    drain,
    frames_until,
    is_event,
    log_lines,
    new_game,
    screen_text,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.widgets import RichLog, SelectionList, Static
from textual.widgets.selection_list import Selection

from client_tui.panes import GameOverScreen, InjectCards
from client_tui.widgets import Confirm
from precursor.client import GameClient, LobbyClient


def _ids(sl: SelectionList[str]) -> list[str]:
    return [str(sl.get_option_at_index(i).value) for i in range(sl.option_count)]


def _option(sl: SelectionList[str], lever: str) -> Selection[str]:
    return sl.get_option_at_index(_ids(sl).index(lever))


# ---------------------------------------------------------------------- 1 orders across turns


async def test_a_once_only_lever_played_last_turn_is_offered_not_kept_and_never_submitted(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await pilot.press("5")
            sl = gs.query_one("#order-list", SelectionList)
            await wait_until(pilot, lambda: "mx_plan_1" in _ids(sl), what="the lever list")
            for lever in ("mx_plan_1", "mx_port"):
                sl.highlighted = _ids(sl).index(lever)
                await pilot.press("space")
            await pilot.press("ctrl+s")
            await frames_until(fac, is_event("orders_submitted", team="mx"))
            await advance_to(fac, "orders", 2)  # MX-PLAN(i) is now spent: once per game
            await wait_until(
                pilot,
                lambda: gs.model.turn == 2 and _option(sl, "mx_plan_1").disabled,
                what="turn 2's levers",
            )
            await close_cards(pilot)  # turn 2's injects
            # last turn's ticks are not kept: the spent lever is not ticked, and ctrl+s submits nothing
            assert list(sl.selected) == []
            info = static_text(app, "#order-info")
            assert "Last turn's orders: MX-PLAN(i), MX-PORT" in info and "press l" in info
            await drain(fac, 0.1)
            await pilot.press("ctrl+s")
            got = await frames_until(fac, is_event("orders_submitted", team="mx"))
            assert got[-1]["event"]["orders"] == []
            assert "refused" not in static_text(app, "#notice")
            # l ticks again those still available, and says which are not
            sl.focus()
            await pilot.press("l")
            assert list(sl.selected) == ["mx_port"]
            assert "MX-PLAN(i)" in static_text(app, "#notice") and "once" in static_text(app, "#notice")
            # a disabled lever can never be submitted, even if something ticked it behind the list's back
            sl.select("mx_plan_1")
            await pilot.pause()
            command = gs.orders.submission()
            assert command is not None and [o.lever for o in command.orders] == ["mx_port"]
            await pilot.press("ctrl+s")
            got = await frames_until(fac, is_event("orders_submitted", team="mx"))
            assert [o["lever"] for o in got[-1]["event"]["orders"]] == ["mx_port"]


# ---------------------------------------------------------------------- 2 text from others is data


async def test_names_messages_and_labels_with_brackets_are_shown_as_typed_never_as_markup(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",))
    async with LobbyClient(url) as lobby:
        cn_token = (await lobby.join(g.game_id, g.join_codes["cn"], "[bold red]Eve")).token
    async with GameClient(url, g.game_id, cn_token) as cn:
        await cn.next_frame()
        await cn.send({"type": "open_channel", "members": ["cn", "mx"], "name": "[/]x"})
        await cn.send({"type": "message", "channel": "ch.mx_cn", "text": "[bold red]alarm[/]"})
        clause = {"actor": "mx", "lever": "mx_plan_1", "condition": "mx.st < 60"}
        await cn.send({"type": "propose", "parties": ["cn", "mx"], "clauses": [clause]})
        await frames_until(cn, is_event("proposal"))
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await pilot.press("3")
            await wait_until(pilot, lambda: "[/]x" in screen_text(app), what="the channel's name as typed")
            gs.model.open_channel("ch.mx_cn")
            gs.channels.show(full=True)
            await wait_until(pilot, lambda: "China ([bold red]Eve): [bold red]alarm[/]" in screen_text(app))
            await pilot.press("f5")  # the proposals tab (the composer has the focus: digits would type)
            # a clause's condition is text in the table, never markup
            # (cut to the clauses column's width: the status "to answer · 1/2 accepted" takes its room)
            cond = "MX-PLAN(i) Federal fentanyl… [if Mexican sovereignty tension"
            await wait_until(pilot, lambda: cond in screen_text(app))
            gs.notice("refused — unknown_lever: unknown lever '[b]x[/b]'")
            await pilot.pause()
            assert "unknown lever '[b]x[/b]'" in screen_text(app)
        # the facilitator's list of players shows the name as typed
        app = seat_app(url, g, g.facilitator_token)
        async with app.run_test(size=(120, 40)) as pilot:
            await until_online(pilot)
            await pilot.press("7")
            await wait_until(pilot, lambda: "[bold red]Eve" in screen_text(app), what="the player's name")


# ---------------------------------------------------------------------- 3 limits before refusals


async def test_orders_over_the_budget_are_not_sent(url: str) -> None:
    """The orders line said '! over budget' and ctrl+s sent the orders anyway, for the server to refuse
    them (`over_budget`): a refusal the client could see coming (a student's tmux game as Canada)."""
    g, tokens = await new_game(url, teams=("us",), scenario="loose-talk")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("5")
            sl = gs.query_one("#order-list", SelectionList)
            info = lambda: static_text(app, "#order-info")  # noqa: E731
            await wait_until(pilot, lambda: gs.model.phase == "orders" and "us_poe" in _ids(sl))
            await wait_until(pilot, lambda: "plan here" not in info() and "checking" not in info())
            # 12 PC: the three dearest levers (4 + 3 + 3) and port inspections at 300 (3 PC, set as the
            # parameters form sets it) come to 13
            gs.orders._params["us_poe"] = {"intensity": 300}
            for lever in ("us_intercept", "us_tariff", "us_fto", "us_poe"):
                sl.highlighted = _ids(sl).index(lever)
                await pilot.press("space")
            await wait_until(pilot, lambda: "! over budget" in info(), what="the warning")
            await pilot.press("ctrl+s")
            await wait_until(
                pilot, lambda: "not sent — these orders cost 13 PC" in static_text(app, "#notice")
            )
            # one tick fewer fits, and goes in: the first orders the server saw are these three
            sl.highlighted = _ids(sl).index("us_intercept")
            await pilot.press("space", "ctrl+s")
            got = (await frames_until(fac, is_event("orders_submitted", team="us")))[-1]["event"]
            assert sorted(o["lever"] for o in got["orders"]) == ["us_fto", "us_poe", "us_tariff"]


async def test_limits_show_in_every_phase_and_ready_asks_before_losing_orders(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "negotiation")
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await pilot.press("5")
            sl = gs.query_one("#order-list", SelectionList)
            info = lambda: static_text(app, "#order-info")  # noqa: E731
            # negotiation: the levers, their costs and the limits are there to plan with
            await wait_until(pilot, lambda: "mx_port" in _ids(sl), what="the levers in negotiation")
            assert "Orders left 4 of 4 (your seat: President) · Budget 10.0 PC" in info()
            assert "2 PC" in str(_option(sl, "mx_port").prompt)
            assert "orders go in during the orders phase" in info()
            await advance_to(fac, "orders")
            # the levers as the server checked them (until then space on a lever says it is checking)
            await wait_until(
                pilot, lambda: gs.model.view.get("phase") == "orders" and "checking" not in info()
            )
            # a fifth tick is flagged on screen and not sent
            for lever in ("mx_plan_1", "mx_plan_2", "mx_plan_3", "mx_port", "mx_trace"):
                sl.highlighted = _ids(sl).index(lever)
                await pilot.press("space")
            await wait_until(pilot, lambda: "! 5 ticked: your seat may give 4 orders a turn" in info())
            assert "Orders left 0 of 4" in info()  # never below nothing: the line under says by how many
            await pilot.press("ctrl+s")
            assert "not sent — 5 orders ticked" in static_text(app, "#notice")
            # ready after that asks first; "n" goes back without marking ready
            await pilot.press("ctrl+r")
            await wait_until(pilot, lambda: isinstance(app.screen, Confirm), what="the question")
            assert "Your last submission was refused; no orders are in." in screen_text(app)
            await pilot.press("n")
            await wait_until(pilot, lambda: not isinstance(app.screen, Confirm))
            assert not gs.model.ready.get("mx/president")
            # four go in; a tick added afterwards makes ready ask again, and y marks ready
            sl.highlighted = _ids(sl).index("mx_trace")
            await pilot.press("space", "ctrl+s")
            await frames_until(fac, is_event("orders_submitted", team="mx"))
            await wait_until(pilot, lambda: "SUBMITTED" in info())
            sl.highlighted = _ids(sl).index("mx_prosecute")
            await pilot.press("space", "ctrl+r")
            await wait_until(pilot, lambda: isinstance(app.screen, Confirm), what="the question")
            assert "are not what you submitted" in screen_text(app)
            await pilot.press("y")
            await frames_until(fac, is_event("ready", seat_key="mx/president"))


# ---------------------------------------------------------------------- 4 injects as cards


async def test_injects_arrive_as_cards_with_text_changes_by_name_and_sources(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            # turn 1's injects came with the game, before Mexico joined: named in a notice, cards on top
            # of the briefing tab (the tab the screen opens on)
            await wait_until(pilot, lambda: "this turn's injects:" in static_text(app, "#notice"))
            assert "Bombing talk on Capitol Hill" in static_text(app, "#notice")
            news = static_text(app, "#brief-news")
            assert "This turn's injects (5)" in news
            assert "Several Republican legislators muse in public about bombing cartel labs" in news
            assert "Mexican sovereignty tension" in news and "mx.st" not in news
            assert "“Fentanyl Follies: Loose Talk in Washington and Mexico City”" in news
            assert "Free this turn: MX-BLAME" in news
            assert "Bombing talk on Capitol Hill" in screen_text(app)
            # a facilitator's own inject comes up as a card over the screen at once
            custom = {"title": "Storm", "text": "A storm closes the ports.", "changes": {"mx.st": 70}}
            await fac.send({"type": "release_inject", "custom": custom})
            await wait_until(pilot, lambda: isinstance(app.screen, InjectCards), what="the card")
            card = "\n".join(app.screen.texts)  # type: ignore[attr-defined]
            assert "A storm closes the ports." in card and "written by the facilitator" in card
            assert "Mexican sovereignty tension" in card and "→ 70" in card
            assert "inject: Storm" in str(gs.query_one("#notice", Static).render())  # under the card
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, InjectCards))
            assert "A storm closes the ports." in static_text(app, "#brief-news")
            # turn 2's timed injects come up as cards when the turn starts
            await advance_to(fac, "briefing", 2)
            await wait_until(pilot, lambda: isinstance(app.screen, InjectCards), what="turn 2's cards")
            await pilot.pause(0.2)
            card = "\n".join(app.screen.texts)  # type: ignore[attr-defined]
            assert "INJECT · turn 2 ·" in card
            await pilot.press("enter")
            await wait_until(pilot, lambda: not isinstance(app.screen, InjectCards))
            assert "Storm" in static_text(app, "#brief-injects")  # now among the earlier ones


# ---------------------------------------------------------------------- 5 results in names


async def test_results_name_indicators_and_leave_out_no_op_changes_and_empty_lines(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx", "us"), scenario="loose-talk")
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, tokens["us"]) as us,
        GameClient(url, g.game_id, tokens["mx"]) as mx,
    ):
        await us.next_frame()
        await mx.next_frame()
        clause = {"actor": "mx", "lever": "mx_trace"}
        await us.send({"type": "propose", "parties": ["us", "mx"], "clauses": [clause]})
        got = await frames_until(mx, is_event("proposal"))
        await mx.send({"type": "respond", "proposal": got[-1]["event"]["proposal"]["id"], "action": "accept"})
        await frames_until(mx, is_event("agreement"))
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await pilot.press("5")
            sl = gs.query_one("#order-list", SelectionList)
            await wait_until(pilot, lambda: "mx_trace" in _ids(sl) and gs.model.phase == "orders")
            sl.highlighted = _ids(sl).index("mx_trace")
            await pilot.press("space", "ctrl+s")
            await frames_until(fac, is_event("orders_submitted", team="mx"))
            await fac.send({"type": "advance", "turn": 1, "phase": "orders"})  # adjudicate
            await pilot.press("6")
            log = gs.query_one("#result-log", RichLog)
            await wait_until(pilot, lambda: "Mexican sovereignty tension" in "\n".join(log_lines(log)))
            await pilot.pause(0.3)
            text = "\n".join(log_lines(log))
            assert any(ev["type"] == "agreement_update" for ev in gs.model.results)
            assert "agreement_update" not in text and "[agreement] " in text
            assert "Mexican sovereignty tension" in text
            # no state key where a name exists, no change that shows no difference
            keys = [k for k in gs.rb.indicators if re.search(rf"(^|\s){re.escape(k)} ", text)]
            assert keys == [], keys
            same = re.findall(r"(?:^|\s)(-?[\d.,k]+) → (-?[\d.,k]+)(?=;|$| …)", text, re.M)
            assert same and all(a != b for a, b in same), same
            assert not [line for line in text.splitlines() if re.fullmatch(r"\[\w+\] [\w.]+:\s*", line)]


# ---------------------------------------------------------------------- 6 the end teaches


async def test_the_game_over_screen_shows_scores_with_components_objectives_and_the_report(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            for _ in range(3 * 4):  # the tutorial's three turns, phase by phase
                await fac.send({"type": "advance", "turn": fac.turn, "phase": fac.phase})
            await wait_until(pilot, lambda: isinstance(app.screen, GameOverScreen), what="the debrief")
            text = app.screen.text  # type: ignore[attr-defined]
            for team in ("United States", "Mexico", "China", "Canada"):
                assert re.search(rf"\d\. {team} [+-]\d+\.\d", text), team
            assert "← your team" in text
            names = [c.name for c in gs.rb.scoring]
            assert sum(f"{n}: " in text for n in names) >= 8  # the components, by name
            secret = gs.model.view["objectives"]["mx"]["secret"]
            assert secret and all(o["text"] in text for o in secret)
            assert text.count("✓ met") + text.count("✗ missed") == len(secret)
            assert f"(game id {g.game_id})" in text  # labelled, beside the commands
            assert f"precursor report {g.game_id} --audience mx --format html" in text
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, GameOverScreen))
            await close_cards(pilot)
            await pilot.press("ctrl+g")  # and back again
            await wait_until(pilot, lambda: isinstance(app.screen, GameOverScreen))


# ---------------------------------------------------------------------- found while playing


async def test_space_ticks_the_first_lever_as_soon_as_the_orders_tab_opens(url: str) -> None:
    """Played by hand: 5, space, ctrl+s submitted nothing (no lever was highlighted yet)."""
    g, tokens = await new_game(url, teams=("mx",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            await pilot.press("5")
            sl = gs.query_one("#order-list", SelectionList)
            await wait_until(pilot, lambda: sl.option_count > 10 and gs.model.phase == "orders")
            await pilot.press("space")
            assert list(sl.selected) == [_ids(sl)[0]]


async def test_the_ready_notice_goes_when_the_phase_it_was_given_in_ends(url: str) -> None:
    """ "ready — waiting for the others" stayed on screen into every later phase, all game long."""
    g, tokens = await new_game(url, teams=("mx",), scenario="tutorial")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "negotiation")
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("ctrl+r")
            await wait_until(pilot, lambda: "waiting for the others" in static_text(app, "#notice"))
            await advance_to(fac, "orders")
            await wait_until(pilot, lambda: gs.model.phase == "orders", what="the orders phase")
            await wait_until(pilot, lambda: "waiting for the others" not in static_text(app, "#notice"))


async def test_the_last_seat_to_be_ready_is_not_told_to_wait(url: str) -> None:
    """Played by hand: the last seat to press Ready saw "waiting for the others" through the next phase
    (the phase had already moved on when the notice was written)."""
    g, tokens = await new_game(url, scenario="tutorial")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "negotiation")
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            others = ("us", "cn", "ca")
            for t in others:
                async with GameClient(url, g.game_id, tokens[t]) as c:
                    await c.send({"type": "ready"})
            shown = lambda: static_text(app, "#status")  # noqa: E731
            # only this seat left: the row says so (session 15), where it listed US✓ MX· CN✓ CA✓
            await wait_until(pilot, lambda: "ready all but you (^r)" in shown(), what="others")
            await pilot.press("ctrl+r")
            await wait_until(pilot, lambda: gs.model.phase == "orders", what="the orders phase")
            await pilot.pause(0.3)
            assert "waiting for the others" not in static_text(app, "#notice")
