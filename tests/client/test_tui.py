"""The Textual client under Pilot against a real server on loopback: each screen's main interaction."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from live_server import running_server
from test_tui_support import (
    advance_to,
    drain,
    frames_until,
    game_screen,
    is_event,
    log_lines,
    new_game,
    screen_text,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.binding import Binding
from textual.widgets import Button, DataTable, Input, ListView, RichLog, Select, SelectionList, Static

from client_tui import render
from client_tui.app import PrecursorApp
from client_tui.game_screen import GameScreen
from client_tui.help import HelpScreen
from client_tui.lobby import CodesScreen, CreateGameScreen, LobbyScreen
from client_tui.white_cell import PositionScreen
from precursor.client import GameClient

CODE = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")


# ---------------------------------------------------------------------- lobby


async def test_lobby_lists_scenarios_and_games_and_creates_a_game(url: str) -> None:
    existing, _ = await new_game(url, teams=())
    app = PrecursorApp(url)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.screen.query_one("#games", DataTable).row_count == 1)
        lobby = app.screen
        assert isinstance(lobby, LobbyScreen)
        scenarios = lobby.query_one("#scenarios", DataTable)
        ids = {str(k.value) for k in scenarios.rows}
        assert {"tutorial", "loose-talk"} <= ids
        games = lobby.query_one("#games", DataTable)
        assert [str(c) for c in games.get_row(existing.game_id)[:4]] == [
            existing.game_id,
            "tutorial",
            "1/3",
            "briefing",
        ]
        assert f"{len(ids)} scenarios, 1 game" in static_text(app, "#lobby-status")  # one game: singular

        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateGameScreen), what="the form")
        form = app.screen
        await wait_until(pilot, lambda: form.query_one("#scenario", Select).value == "election-season")
        form.query_one("#scenario", Select).value = "tutorial"
        form.query_one("#seed", Input).focus()
        await pilot.press(*"42")
        await pilot.press("ctrl+s")  # the form's keyboard "Create"
        await wait_until(pilot, lambda: isinstance(app.screen, CodesScreen), what="the join codes")
        codes = static_text(app, "#codes-text")
        assert len(CODE.findall(codes)) == 5  # us, mx, cn, ca, observer
        for who in ("US", "MX", "CN", "CA", "OBSERVER"):
            assert re.search(rf"{who}\s+{CODE.pattern}", codes), who
        created = app.screen.created  # type: ignore[attr-defined]
        assert created["facilitator_token"] in codes
        # the lobby behind the modal reloaded and lists the new game too
        await wait_until(pilot, lambda: lobby.query_one("#games", DataTable).row_count == 2)

        await pilot.press("f")  # open the facilitator console
        gs = await until_online(pilot)
        assert gs.game_id == created["game_id"] and gs.model.role == "facilitator"
        assert gs.model.view["audience"] == "facilitator"
        assert "facilitator │ T1/3 briefing" in static_text(app, "#status")
        await pilot.press("7")
        await wait_until(pilot, lambda: gs.query_one("#tabs").active == "control")  # type: ignore[attr-defined]
        assert "Phase clock" in screen_text(app)


async def test_joining_from_the_lobby_with_a_code_opens_that_teams_screen(url: str) -> None:
    g, _ = await new_game(url, teams=())
    app = PrecursorApp(url, name="Luz")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.screen.query_one("#games", DataTable).row_count == 1)
        await pilot.press(*"nope-nope-nope", "enter")
        await wait_until(pilot, lambda: "bad_code" in static_text(app, "#lobby-status"))
        assert isinstance(app.screen, LobbyScreen)
        app.screen.query_one("#code", Input).value = ""
        await pilot.press(*g.join_codes["mx"].lower(), "enter")  # forgiving format, Enter joins
        gs = await until_online(pilot)
        assert (gs.model.team, gs.model.role, gs.game_id) == ("mx", "player", g.game_id)
        assert static_text(app, "#status").startswith(" MX │ T1/3 briefing")
        # a player has no control tab
        await pilot.press("7")
        await pilot.pause()
        assert gs.query_one("#tabs").active == "briefing"  # type: ignore[attr-defined]
        players = {p.name: p.team for p in gs.model.session.players.values()}
        assert players.get("Luz") == "mx"


async def test_a_join_code_finds_its_game_without_selecting_it(url: str) -> None:
    await new_game(url, teams=())
    second, _ = await new_game(url, teams=())  # listed second: the first row stays selected
    app = PrecursorApp(url, name="Ana")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.screen.query_one("#games", DataTable).row_count == 2)
        await pilot.press(*second.join_codes["ca"], "enter")
        gs = await until_online(pilot)
        assert (gs.game_id, gs.model.team) == (second.game_id, "ca")


# ---------------------------------------------------------------------- channels


async def test_channel_send_reaches_members_only_and_unread_counts_show(url: str) -> None:
    g, tokens = await new_game(url)
    async with (
        GameClient(url, g.game_id, tokens["mx"]) as mx,
        GameClient(url, g.game_id, tokens["cn"]) as cn,
    ):
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(100, 30)) as pilot:
            gs = await until_online(pilot)
            await pilot.press("3")
            chan_list = gs.query_one("#chan-list", ListView)
            assert gs.focused is chan_list  # the tab opens at the list: a tab key typed on stays one
            # the field says how to reach the list (a student in tmux pressed Down in the field, in vain)
            assert "shift+tab: the channel list" in gs.query_one("#composer", Input).placeholder
            # pick the US–MX channel from the list by keys
            await pilot.press("down", "enter")
            assert gs.model.active_channel == "us_mx"
            assert gs.focused is gs.query_one("#composer", Input)
            await pilot.press(*"Talk about precursors?", "enter")
            got = await frames_until(mx, is_event("message", text="Talk about precursors?"))
            assert got[-1]["event"]["channel"] == "us_mx"
            await wait_until(pilot, lambda: gs.query_one("#composer", Input).value == "")
            await wait_until(
                pilot,
                lambda: any(
                    "Talk about precursors?" in x for x in log_lines(gs.query_one("#messages", RichLog))
                ),
            )
            # China is not a member of us_mx: it never receives the line
            texts = [f["event"].get("text") for f in await drain(cn, 0.3) if f["type"] == "event"]
            assert "Talk about precursors?" not in texts

            # Mexico answers in the plenary and in us_mx: the plenary counts one unread
            await mx.send({"type": "message", "channel": "all", "text": "Hello all"})
            await mx.send({"type": "message", "channel": "us_mx", "text": "Yes, let's."})
            await wait_until(pilot, lambda: gs.model.unread.get("all") == 1)
            labels = [str(item.query_one("Label").render()) for item in chan_list.children]
            assert any(lbl.strip().startswith("Plenary") and lbl.endswith("(1)") for lbl in labels), labels
            assert any("▶ US–MX" in lbl and "(" not in lbl for lbl in labels), labels
            await wait_until(
                pilot,
                lambda: any(
                    "Mexico (Ana-mx): Yes, let's." in x for x in log_lines(gs.query_one("#messages", RichLog))
                ),
            )
            # opening the plenary shows its message and clears the count
            chan_list.focus()
            chan_list.index = 5
            await pilot.press("enter")
            await wait_until(pilot, lambda: gs.model.active_channel == "all")
            assert gs.model.unread["all"] == 0
            await wait_until(pilot, lambda: "Plenary (" not in screen_text(app))
            lines = log_lines(gs.query_one("#messages", RichLog))
            assert any("Mexico (Ana-mx): Hello all" in x for x in lines) and not any(
                "Yes, let's" in x for x in lines
            )


# ---------------------------------------------------------------------- proposals


# composed from lists and checked with the server's own function: tests/client/test_tui_composer.py


# ---------------------------------------------------------------------- orders


async def test_orders_tick_levers_see_budget_and_red_line_and_submit(url: str) -> None:
    g, tokens = await new_game(url, teams=("us",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        await drain(fac, 0.1)
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await pilot.press("5")
            sl = gs.query_one("#order-list", SelectionList)
            await wait_until(pilot, lambda: sl.option_count > 10, what="the lever list")
            assert gs.focused is sl
            info = lambda: static_text(app, "#order-info")  # noqa: E731
            assert "Budget 12.0 PC · selected 0 PC · left 12" in info()
            ids = [sl.get_option_at_index(i).value for i in range(sl.option_count)]
            # tick US-SAN-1 (1 PC) with the keyboard
            sl.highlighted = ids.index("us_san_1")
            await pilot.press("space")
            assert "Budget 12.0 PC · selected 1 PC · left 11" in info()
            assert "!" not in info()
            # a military lever: the red-line warning shows, as render.order_warnings words it
            sl.highlighted = ids.index("us_cyber")
            await pilot.press("space")
            assert "Budget 12.0 PC · selected 3 PC · left 9" in info()
            (warning,) = render.order_warnings(gs.model, gs.rb, ["us_cyber"])
            assert "CROSSES THE HARD RED LINE" in warning and warning in info()
            assert "CROSSES THE HARD RED LINE" in screen_text(app)
            # an unavailable lever cannot be ticked
            sl.highlighted = ids.index("us_strike")
            await pilot.press("space")
            assert sorted(sl.selected) == ["us_cyber", "us_san_1"]
            # untick the military lever, submit with ctrl+s
            sl.highlighted = ids.index("us_cyber")
            await pilot.press("space")
            assert "RED LINE" not in info()
            await pilot.press("ctrl+s")
            got = await frames_until(fac, is_event("orders_submitted", team="us"))
            assert [o["lever"] for o in got[-1]["event"]["orders"]] == ["us_san_1"]
            await wait_until(pilot, lambda: "SUBMITTED" in info())
            assert "orders submitted: US-SAN-1" in static_text(app, "#notice")


# ---------------------------------------------------------------------- results


async def test_results_tab_shows_why_cards_after_adjudication(url: str) -> None:
    g, tokens = await new_game(url, teams=("us",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await pilot.press("5")
            sl = gs.query_one("#order-list", SelectionList)
            await wait_until(pilot, lambda: sl.option_count > 10)
            sl.highlighted = [sl.get_option_at_index(i).value for i in range(sl.option_count)].index(
                "us_san_1"
            )
            await pilot.press("space", "ctrl+s")
            await frames_until(fac, is_event("orders_submitted", team="us"))
            await fac.send({"type": "advance", "turn": 1, "phase": "orders"})  # adjudicate
            await pilot.press("6")
            log = gs.query_one("#result-log", RichLog)
            await wait_until(
                pilot, lambda: any("[rule] Political-capital income" in x for x in log_lines(log))
            )
            text = "\n".join(log_lines(log))
            assert "[orders] turn 1, orders of United States: Kingpin and material-support sanctions" in text
            assert (
                "[order] United States Kingpin and material-support sanctions on traffickers (US-SAN-1)"
                in text
            )
            # a rule by its name, with its plain-language reason
            assert re.search(r"\[rule\] [A-Z][\w ,'-]+: .+", text)
            assert re.search(r"    .+ [\d.,k-]+ → [\d.,k-]+", text)  # numbers before → after, by name
            assert gs.model.phase == "results"


# ---------------------------------------------------------------------- facilitator console


async def test_facilitator_pauses_advances_and_releases_an_inject(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",), deadlines={"negotiation": 600})
    async with GameClient(url, g.game_id, tokens["mx"]) as mx:
        app = seat_app(url, g, g.facilitator_token)
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            status = lambda: static_text(app, "#status")  # noqa: E731
            await pilot.press("7")
            await pilot.click("#f-advance")
            await wait_until(pilot, lambda: "T1/3 negotiation" in status())
            await wait_until(pilot, lambda: re.search(r"\d+:\d\d left", status()))
            await pilot.click("#f-pause")
            await wait_until(pilot, lambda: "PAUSED" in status())
            await frames_until(mx, is_event("session", op="pause"))
            await pilot.click("#f-resume")
            await wait_until(pilot, lambda: "PAUSED" not in status())
            # a deck inject from the select, released to the players
            sel = gs.query_one("#f-inject", Select)
            await wait_until(pilot, lambda: len(sel._options) > 1)
            sel.value = "tut_deck_media"
            await pilot.click("#f-release")
            got = await frames_until(mx, is_event("inject", id="tut_deck_media"))
            assert got[-1]["event"]["title"] == "A news spike"
            # a custom one, typed in
            gs.query_one("#f-title", Input).value = "Storm"
            gs.query_one("#f-text", Input).value = "A storm closes the ports."
            await pilot.click("#f-custom")
            got = await frames_until(mx, is_event("inject", title="Storm"))
            await pilot.click("#f-advance")
            await wait_until(pilot, lambda: "T1/3 orders" in status())
            assert gs.model.phase == "orders"


# ---------------------------------------------------------------------- help


async def test_help_opens_with_f1_and_lists_the_keys(url: str) -> None:
    g, tokens = await new_game(url, teams=("ca",))
    app = seat_app(url, g, tokens["ca"])
    async with app.run_test(size=(100, 40)) as pilot:
        await until_online(pilot)
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = screen_text(app)
        for key in ("F1", "ctrl+p", "ctrl+n", "ctrl+j", "ctrl+r", "ctrl+s", "1 or F2", "Esc", "space"):
            assert key in text, key
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, GameScreen))
        # from inside a text field F1 still works
        await pilot.press("3", "enter")  # the channel list, then its message box
        assert isinstance(game_screen(app).focused, Input)
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert isinstance(app.screen.query_one("#help").parent, HelpScreen)
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, GameScreen))
        assert isinstance(app.screen.query(Button).first(), Button)


def _key_words(keys: str) -> str:
    """ "1,f2" as F1 shows it: "1 or F2"."""
    names = {"question_mark": "?", "escape": "Esc", "enter": "Enter", "delete": "Delete"}
    names |= {"pagedown": "PageDown", "pageup": "PageUp", "home": "Home", "end": "End"}
    return " or ".join(names.get(k, k.upper() if re.fullmatch(r"f\d+", k) else k) for k in keys.split(","))


def _bindings(gs: GameScreen) -> list[tuple[Any, Binding]]:
    """Every binding of the game screen and of the client's widgets in it (Textual's own left out)."""
    nodes = [gs, *gs.query("*")]
    found: dict[tuple[str, str], tuple[Any, Binding]] = {}
    for node in nodes:
        for cls in type(node).__mro__:
            if not cls.__module__.startswith("client_tui"):
                continue
            for b in cls.__dict__.get("BINDINGS", []):
                assert isinstance(b, Binding)
                if b.action != "command_palette":  # the palette itself: listed under "Everywhere"
                    found.setdefault((b.key, b.description), (node, b))
    return list(found.values())


async def _keys_in_help_and_palette(url: str, game: Any, token: str, facilitator: bool) -> None:
    app = seat_app(url, game, token)
    async with app.run_test(size=(120, 66)) as pilot:
        gs = await until_online(pilot)
        palette = {c.title: c for c in app.get_system_commands(gs)}
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        # all of F1, laid out at its width: the window scrolls, and the keys outgrew one 66-row screen
        # (Home and End of the dashboard's table pushed the control tab's last keys below it)
        static = app.screen.query_one("#help Static", Static)
        options = app.console.options.update_width(static.content_region.width)
        rendered = app.console.render_lines(static.content, options, pad=False)
        lines = [" ".join("".join(seg.text for seg in line).split()) for line in rendered]
        bindings = _bindings(gs)
        assert {"f", "k", "w", "l", "p", "n", "ctrl+s", "ctrl+r"} <= {b.key for _, b in bindings}
        for node, b in bindings:
            what = " ".join(str(b.tooltip or b.description).split())[:30]
            owner = type(node).__name__
            fac_only = "(facilitator only)" in str(b.tooltip) or "Control" in owner or "WhiteCell" in owner
            in_help = any(_key_words(b.key) in line and what in line for line in lines)
            title = f"Go to {b.description}" if b.action.startswith("tab(") else b.description
            assert in_help is (facilitator or not fac_only), (b, facilitator)
            assert (title in palette) is (facilitator or not fac_only), (title, sorted(palette))
        if not facilitator:  # a command runs its key's action: the position form comes up
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, GameScreen))
            app.call_later(palette["File our position"].callback)
            await wait_until(pilot, lambda: isinstance(app.screen, PositionScreen), what="the form")


async def test_every_key_of_the_game_screen_is_in_f1_and_in_the_command_palette(url: str) -> None:
    """w, f and k were bound and listed nowhere: F1 and the palette are now made from the bindings. A
    player is offered neither the facilitator's keys nor their commands."""
    g, tokens = await new_game(url, teams=("mx",))
    await _keys_in_help_and_palette(url, g, g.facilitator_token, True)
    await _keys_in_help_and_palette(url, g, tokens["mx"], False)


# ---------------------------------------------------------------------- long and hostile messages


async def test_long_messages_wrap_to_the_log_and_control_codes_never_reach_the_terminal(url: str) -> None:
    g, tokens = await new_game(url, teams=("us", "mx"))
    async with GameClient(url, g.game_id, tokens["mx"]) as mx:
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            await pilot.press("3", "down", "enter")  # US–MX, from the list `3` opens at
            assert gs.model.active_channel == "us_mx"
            long = " ".join(f"word{i:03d}" for i in range(40))  # 319 characters
            await mx.send({"type": "message", "channel": "us_mx", "text": long})
            await mx.send(
                {"type": "message", "channel": "us_mx", "text": "red \x1b[31mALERT\x1b[0m\ttab \x07bell"}
            )
            log = gs.query_one("#messages", RichLog)
            await wait_until(pilot, lambda: any("bell" in x for x in log_lines(log)))
            width = log.scrollable_content_region.width
            assert 20 < width < 60  # the log beside the channel list at 80 columns
            assert all(strip.cell_length <= width for strip in log.lines)
            assert log.max_scroll_x == 0  # nothing to scroll sideways: it all wraps
            text = "\n".join(log_lines(log))
            assert "word000" in text and "word039" in text and len(log_lines(log)) >= 8
            # the ESC and BEL bytes are gone (the server strips them now; the client would too), and the tab
            # is spaces: how many depends on the column it stood at, which the stripped bytes used to shift
            assert re.search(r"red \[31mALERT\[0m +tab bell", text), text
            for strip in log.lines:
                assert not any(ch in seg.text for seg in strip for ch in "\x1b\x07\t")
            # a wider terminal re-wraps what is there
            await pilot.resize_terminal(120, 30)
            await wait_until(pilot, lambda: log.scrollable_content_region.width > width)
            await pilot.pause()
            wide = log.scrollable_content_region.width
            assert all(strip.cell_length <= wide for strip in log.lines)
            assert max(strip.cell_length for strip in log.lines) > width  # lines use the new width


# ---------------------------------------------------------------------- fresh views in order


async def test_events_right_after_a_phase_change_are_not_lost_to_the_fresh_view() -> None:
    """Every phase change makes the screen ask for a fresh view. Events that arrive while it is on
    its way (here: Mexico ready at once, then a proposal, in each new phase) must still show."""
    async with running_server("memory://", rate_per_second=1000, rate_burst=1000) as url:
        g, tokens = await new_game(url, teams=("us", "mx"))
        async with (
            GameClient(url, g.game_id, tokens["mx"]) as mx,
            GameClient(url, g.game_id, g.facilitator_token) as fac,
        ):
            app = seat_app(url, g, tokens["us"])
            async with app.run_test(size=(100, 30)) as pilot:
                gs = await until_online(pilot)
                assert gs.client is not None
                # a busy client: whatever fetches a view outside the event stream gets it late
                fetch = gs.client.refresh

                async def late_refresh(**kw: Any) -> dict[str, Any]:
                    view = await fetch(**kw)
                    await asyncio.sleep(0.4)
                    return view

                gs.client.refresh = late_refresh  # type: ignore[method-assign]
                proposals = 0
                for phase in ("briefing", "negotiation"):
                    await fac.send({"type": "advance", "turn": 1, "phase": phase})
                    await frames_until(mx, is_event("phase"))
                    await asyncio.sleep(0.1)  # the screen has asked for its view by now
                    await mx.send({"type": "ready"})
                    if fac.phase == "negotiation":
                        clause = {"actor": "mx", "lever": "mx_plan_1", "params": {}}
                        await mx.send({"type": "propose", "parties": ["mx", "us"], "clauses": [clause]})
                        proposals += 1
                    await pilot.pause(0.3)
                    await wait_until(pilot, lambda: "MX✓" in static_text(app, "#status"), what="MX ready")
                    assert len(gs.model.proposals) == proposals
                assert gs.model.phase == "orders"
