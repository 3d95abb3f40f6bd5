"""The dashboard tab against a real server: what a team's objectives read sits on top, the rest is
grouped by theme, and names take the width there is (wrapped, never cut)."""

from __future__ import annotations

from typing import Any

from test_tui_support import close_cards, new_game, screen_text, seat_app, until_online, wait_until
from textual.widgets import DataTable

from client_tui.game_screen import GameScreen
from client_tui.panes.dashboard import row_words
from precursor.game.rulebook import Rulebook


def _keys(table: DataTable[Any]) -> list[str]:
    return [str(r.key.value) for r in table.ordered_rows]


def _name(table: DataTable[Any], key: str) -> str:
    """The name cell as one line again (a wrapped name continues on an indented line; a heading's or a
    line's words run across the row's cells)."""
    if key.startswith(("sub:", "line:", "heading:")):
        return row_words(table, key)
    return " ".join(str(table.get_cell(key, table.ordered_columns[0].key)).split())


async def _dashboard(pilot: Any) -> tuple[GameScreen, DataTable[Any]]:
    gs = await until_online(pilot)
    await close_cards(pilot)
    await pilot.press("2")
    table = gs.query_one("#indicators", DataTable)
    await wait_until(pilot, lambda: table.row_count > 50, what="the indicators")
    await pilot.pause()
    return gs, table


async def test_mexico_sees_what_its_objectives_read_on_top_and_the_rest_by_theme(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs, table = await _dashboard(pilot)
        keys = _keys(table)
        assert keys[0] == "heading:YOUR OBJECTIVES WATCH"
        first_theme = next(i for i, k in enumerate(keys) if k.startswith("heading:") and i > 0)
        watched = keys[:first_theme]
        # the red line, the score's own components and the secret objectives' values, in that order
        for key in ("mx.st", "flag.hrl", "mx.homicides", "mx.territory", "mx.approval", "us.od_synth"):
            assert key in watched, key
        assert "trust.mx_cn" in watched  # b_mx3: China's trust, measured against its start
        assert watched.index("sub:red lines") < watched.index("mx.st") < watched.index("sub:your score")
        assert watched.index("sub:your secret objectives") < watched.index("trust.mx_cn")
        # every indicator the seat sees is listed once, and the rest under the heading of its theme
        seen = [i["id"] for i in gs.model.view["indicators"]]
        rows = [k for k in keys if ":" not in k or k in seen]
        assert sorted(rows) == sorted(seen) and len(rows) == len(set(rows))
        from client_tui.panes.dashboard import GROUP_TITLES

        groups = {i["id"]: i["group"] for i in gs.model.view["indicators"]}
        heading = ""
        for k in keys[first_theme:]:
            if k.startswith("heading:"):
                heading = k
            else:
                assert heading == "heading:" + GROUP_TITLES[groups[k]].upper(), (k, heading)
        assert {"heading:HEALTH", "heading:SUPPLY CHAIN", "heading:SOVEREIGNTY"} <= set(keys)
        # the width is used: the name column is far wider than the old 46 characters, names are whole
        assert table.ordered_columns[0].width > 60
        text = screen_text(app)
        assert "US synthetic-opioid overdose deaths (annualized)" in text
        top = "\n".join(text.splitlines()[:14])
        assert "Mexican sovereignty tension" in top and "YOUR OBJECTIVES WATCH" in top


async def test_at_80_columns_names_wrap_whole_and_the_watch_is_on_the_first_screen(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        gs, table = await _dashboard(pilot)
        text = screen_text(app)
        assert "YOUR OBJECTIVES WATCH" in text and "Mexican sovereignty tension" in text
        narrow = table.ordered_columns[0].width
        for ind in gs.model.view["indicators"]:
            assert _name(table, ind["id"]) == " ".join(ind["name"].split()), ind["id"]
        longest = max(gs.model.view["indicators"], key=lambda i: len(i["name"]))
        assert next(r for r in table.ordered_rows if r.key.value == longest["id"]).height >= 2
        # a wider terminal lays the columns out again
        await pilot.resize_terminal(120, 40)
        await wait_until(pilot, lambda: table.ordered_columns[0].width > narrow + 30, what="wider names")


def test_every_team_watches_its_red_lines_and_what_its_score_reads(rb: Rulebook) -> None:
    from client_tui.panes.dashboard import RED_LINES, watch_sections

    for team in ("us", "mx", "cn", "ca"):
        parts = dict(watch_sections(rb, "loose-talk", team))
        assert parts["red lines"] == list(RED_LINES[team])
        assert all(k in rb.indicators for keys in parts.values() for k in keys)
        every = [k for keys in parts.values() for k in keys]
        assert len(every) == len(set(every))  # each value once, in the first part that names it
    assert "cn.reputation" in dict(watch_sections(rb, "loose-talk", "cn"))["your score"]
    assert "trust.us_ca" in dict(watch_sections(rb, "loose-talk", "ca"))["red lines"]
    assert "flow.northbound" in dict(watch_sections(rb, "loose-talk", "us"))["your score"]
    # the facilitator watches every team's red lines
    [(title, keys)] = watch_sections(rb, "loose-talk", None)
    assert title == "red lines" and {"mx.st", "cn.irritation", "trust.us_ca"} <= set(keys)


# ---------------------------------------------------------------------- help and the channel list


def _help_lines(app: Any) -> list[str]:
    """The help window's text as laid out at the width the screen gives it (all of it: the window
    scrolls at 24 rows)."""
    from textual.widgets import Static

    static = app.screen.query_one("#help Static", Static)
    width = static.content_region.width
    assert 0 < width <= 80
    lines = app.console.render_lines(static.content, app.console.options.update_width(width), pad=False)
    return [line for line in ("".join(seg.text for seg in ln).rstrip() for ln in lines) if line]


async def test_help_fits_80_columns_and_offers_the_console_keys_to_the_facilitator_only(url: str) -> None:
    from client_tui.help import HelpScreen

    g, tokens = await new_game(url, teams=("mx",))
    for token, facilitator in ((tokens["mx"], False), (g.facilitator_token, True)):
        app = seat_app(url, g, token)
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("f1")
            await wait_until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
            await pilot.pause()
            lines = _help_lines(app)
            text = "\n".join(lines)
            assert "ctrl+r" in text and "ctrl+g" in text and "~est" in text
            # the orders list's find key (a student found it only in the field's placeholder)
            assert any(line.startswith("  /  ") and "find a lever" in line for line in lines), text
            titles = {
                "Precursor — keys",
                "Everywhere",
                "Lobby",
                "Game",
                "Replay (precursor replay GAME)",
                "Marks",
            }
            for line in lines:  # a title, or a key and its words: never words wrapped back to the edge
                assert line.strip() in titles or line.startswith("  "), line
            assert ("F8" in text) is facilitator and ("ctrl+y" in text) is facilitator
            await pilot.press("escape")
            palette = [c.title for c in app.get_system_commands(gs)]
            assert ("Go to Facilitator control" in palette) is facilitator


async def test_the_channel_list_shows_whole_names(url: str) -> None:
    g, tokens = await new_game(url, teams=("us", "mx"))
    from precursor.client import GameClient

    async with GameClient(url, g.game_id, tokens["mx"]) as mx:
        await mx.next_frame()
        name = "Working group on precursor chemicals"
        await mx.send({"type": "open_channel", "members": ["us", "mx"], "name": name})
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("3")
            await wait_until(pilot, lambda: len(gs.channels.channel_ids) >= 8, what="the channels")
            await pilot.pause()
            text = screen_text(app)
            assert "United States (team)" in text
            labels = [" ".join(str(lbl.render()).split()) for lbl in gs.query("#chan-list Label")]
            assert any(lbl.endswith(name) for lbl in labels), labels
            # the long name wraps under itself in the list, never cut
            assert "Working group on" in text and "chemicals" in text


# counters the engine keeps: whole numbers of times, badges, turns, months, never "0.0 index"
COUNTERS = {
    "flag.hrl_count": "count",
    "flag.review_badges": "count",
    "flag.overton_high_turns": "turns",
    "flag.humanitarian_turns": "turns",
    "flag.honeymoon_mx": "months",
}


async def test_counters_read_as_whole_numbers_with_their_unit(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs, table = await _dashboard(pilot)
        shown = {i["id"] for i in gs.model.view["indicators"]}
        assert set(COUNTERS) <= shown
        columns = [c.key for c in table.ordered_columns]
        for key, unit in COUNTERS.items():
            value, unit_cell = (str(table.get_cell(key, columns[i])) for i in (1, 2))
            assert unit_cell == unit, (key, unit_cell)
            assert value.isdigit(), (key, value)  # "0", "4": never "0.0"


def test_the_end_screen_reads_a_counter_in_its_unit(rb: Rulebook) -> None:
    from client_tui.panes.game_over import value_text

    for key, unit in COUNTERS.items():
        assert rb.indicators[key].unit == unit, key
    assert value_text(3.0, "turns", rb.indicators["flag.overton_high_turns"].name) == "3 turns"
    assert value_text(1.0, "months", rb.indicators["flag.honeymoon_mx"].name) == "1 month"
    assert value_text(2.0, "count", rb.indicators["flag.review_badges"].name) == "2"


async def test_the_watch_says_what_the_red_lines_are_and_what_the_objectives_read_elsewhere(url: str) -> None:
    """Student b20's Canada read US-Canada trust under "red lines" as a slip (it was also a secret
    objective) and found no row for its module objective. Each red-line heading says what the lines are;
    the secret objectives' heading names a value already shown above and the modules in force."""
    g, tokens = await new_game(url, teams=("ca",))
    app = seat_app(url, g, tokens["ca"])
    async with app.run_test(size=(120, 40)) as pilot:
        _gs, table = await _dashboard(pilot)
        keys = _keys(table)
        red = _name(table, "sub:red lines")
        assert red.startswith("red lines (no tariff war with the United States (their trust)"), red
        assert keys.index("sub:red lines") < keys.index("trust.us_ca") < keys.index("sub:your score")
        secret = _name(table, "sub:your secret objectives")
        assert secret == (
            "your secret objectives (also Trust between the US and Canada, above;"
            " trilateral modules in force: none):"
        ), secret
