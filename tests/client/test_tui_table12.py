"""What students tripped on in a whole game (issue 14, session 12): quitting a game under way, the
orders list at 80x24, the composer's defaults and limits, the proposals table's words and the press."""

from __future__ import annotations

from typing import Any

from test_tui_support import (
    add_clause,
    advance_to,
    close_cards,
    commit_as,
    log_lines,
    modal,
    new_game,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, ListView, RichLog, Select, SelectionList, Static

from client_tui.app import PrecursorApp
from client_tui.composer import ComposerScreen, ProposalScreen
from client_tui.widgets import Confirm
from precursor.client import GameClient

POSITION = {
    "type": "position",
    "goals": "Cut overdose deaths; get Mexico to arrest cartel leaders",
    "red_lines": "No US troops without consent",
    "expectations": "Mexico resists visible US pressure before the midterms",
}
FREE_ACTION = {
    "type": "free_action",
    "title": "Joint targeting cell",
    "description": "CBP and Mexican customs officers share a targeting cell at Nogales",
    "effects": [{"indicator": "trust.us_mx", "direction": "up", "size": "medium"}],
    "argument": "Mexican customs asked for this; a joint cell shares the credit",
}


async def test_ctrl_q_in_a_game_under_way_asks_first_and_says_how_to_come_back(url: str) -> None:
    """A student quit a solo game with ctrl+q by mistake and lost it: nothing asked, nothing said
    the game was saved or how to return to it."""
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(100, 30)) as pilot:
        await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm), what="the question")
        text = str(app.screen.query_one("#confirm-text", Static).render())
        assert "The game is not over" in text, text
        assert f"precursor play {url} --code {tokens['mx']}" in text, text
        await pilot.press("n")  # keep playing: back in the game
        await wait_until(pilot, lambda: not isinstance(app.screen, Confirm))
        assert not app._exit
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm), what="the question again")
        await pilot.press("ctrl+q")  # a second ctrl+q means yes
        await wait_until(pilot, lambda: app._exit, what="the app to quit")
    assert app.return_code == 0


def test_a_solo_game_names_the_store_to_serve_again_or_says_quitting_loses_it() -> None:
    """Solo play stops its own server on quitting: a game in a file comes back with one command (it
    said to serve the store in one terminal and play in another), one kept in memory is gone."""
    line = PrecursorApp("http://x", solo_store="sqlite:///tmp/games.db").come_back("tok", "g1")
    assert "`precursor solo --game g1 --token=tok --store sqlite:///tmp/games.db`" in line, line
    assert "precursor serve" not in line and "precursor play" not in line, line
    assert "loses it" in PrecursorApp("http://x", solo_store="memory://").come_back("tok")


async def test_at_80x24_the_orders_list_has_the_height_and_a_find_field_that_keeps_hidden_ticks(
    url: str,
) -> None:
    """At 80x24 the US's forty-odd levers showed four rows at a time, with no way to look one up: a
    student looking for US-ARMS scrolled blind."""
    g, tokens = await new_game(url, teams=("us",), scenario="three-weeks", seed=5)
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, tokens["us"]) as us,
    ):
        # a filed position and a free action under way: the notes the students had under the list
        await us.send(POSITION)
        await advance_to(fac, "orders")
        await us.send(FREE_ACTION)
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            await wait_until(pilot, lambda: bool(gs.model.view.get("levers")), what="the orders view")
            await close_cards(pilot)
            await pilot.press("5")
            await wait_until(pilot, lambda: "Joint targeting cell" in static_text(app, "#wc-info"))
            await pilot.pause(0.3)
            sl = gs.query_one("#order-list", SelectionList)
            assert sl.content_region.height >= 7, sl.region  # four rows before
            total = sl.option_count
            first = str(sl.get_option_at_index(0).value)
            sl.focus()
            await pilot.press("space")  # tick the first lever, then look another up
            await pilot.press("slash", "a", "r", "m", "s")
            await wait_until(pilot, lambda: sl.option_count < total, what="the list to narrow")
            codes = [gs.rb.levers[str(sl.get_option_at_index(i).value)].code for i in range(sl.option_count)]
            assert codes == ["US-ARMS"], codes
            assert "1 of" in str(sl.border_title) and "1 ticked lever hidden" in str(sl.border_title)
            await pilot.press("down", "space")  # down leaves the field for the list
            await pilot.pause()
            assert set(gs.orders.chosen()) == {first, "us_arms"}  # the hidden tick is kept
            assert "Orders left 2 of 4" in static_text(app, "#order-info")
            await pilot.press("slash", *["backspace"] * 4)
            await wait_until(pilot, lambda: sl.option_count == total, what="the whole list again")
            assert set(sl.selected) == {first, "us_arms"}


async def _composer(pilot: Pilot[Any]) -> ComposerScreen:
    await close_cards(pilot)
    await pilot.press("4", "n")
    cs = await modal(pilot, ComposerScreen)
    assert isinstance(cs, ComposerScreen)
    return cs


async def test_the_composer_offers_one_turn_once_and_starts_each_lever_at_it(url: str) -> None:
    """A once-only summit became "for 2 turns" (the clause before's); "once (this turn)" and "1 turn"
    were both offered, with no difference (the rules read both as one turn)."""
    g, tokens = await new_game(url, teams=("us",), scenario="loose-talk")
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(120, 40)) as pilot:
        await until_online(pilot)
        cs = await _composer(pilot)
        duration = cs.query_one("#c-duration", Select)
        cs.query_one("#c-lever", Select).value = "us_arms"
        await wait_until(pilot, lambda: cs.form.lever is not None and cs.form.lever.id == "us_arms")
        duration.value = 3
        await pilot.press("ctrl+a")
        await wait_until(pilot, lambda: len(cs.clauses) == 1)
        assert cs.clauses[0].duration == 3
        cs.query_one("#c-lever", Select).value = "us_summit"
        await wait_until(pilot, lambda: cs.form.lever is not None and cs.form.lever.id == "us_summit")
        await pilot.pause()
        assert duration.value == 1
        labels = [str(label) for label, _v in duration._options]
        assert not any("once" in label for label in labels) and "this turn only" in labels, labels


async def test_the_composer_offers_only_parties_as_who_commits_and_in_the_framings(url: str) -> None:
    """China was offered as the team that commits, and "China's own initiative" as the framing, with
    China not a party."""
    g, tokens = await new_game(url, teams=("us",), scenario="loose-talk")
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(120, 40)) as pilot:
        await until_online(pilot)
        cs = await _composer(pilot)
        team = cs.query_one("#c-team", Select)
        framing = cs.query_one("#c-framing", Select)
        assert [v for _l, v in team._options] == ["us"]
        assert "china_initiative" not in [v for _l, v in framing._options]
        cs.query_one("#party-mx", Checkbox).value = True
        await wait_until(pilot, lambda: [v for _l, v in team._options] == ["us", "mx"], what="Mexico offered")
        assert "china_initiative" not in [v for _l, v in framing._options]
        cs.query_one("#party-cn", Checkbox).value = True
        await wait_until(pilot, lambda: "china_initiative" in [v for _l, v in framing._options])
        assert [v for _l, v in team._options] == ["us", "mx", "cn"]
        # a party unticked is no longer offered, and the clause being drafted falls back to our team
        await commit_as(pilot, cs, "cn")
        cs.query_one("#party-cn", Checkbox).value = False
        await wait_until(pilot, lambda: "cn" not in [v for _l, v in team._options], what="China gone")
        assert team.value == "us"


async def test_the_turns_proposal_limit_is_said_as_the_composer_opens_and_a_full_turn_opens_none(
    url: str,
) -> None:
    """ "China may table 3 proposals a turn" came only after a fourth proposal had been built."""
    g, tokens = await new_game(url, teams=("us",), scenario="loose-talk")
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        await us.next_frame()
        limit = int(us.view.get("proposal_limit") or 0)
        assert limit >= 2
        for lever in ("us_arms", "us_tech", "us_fact")[: limit - 1]:
            clause = {"actor": "us", "lever": lever}
            await us.send({"type": "propose", "parties": ["us", "mx"], "clauses": [clause]})
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await wait_until(pilot, lambda: len(gs.model.proposals) == limit - 1, what="the proposals")
            await _composer(pilot)
            head = static_text(app, "#c-head")
            assert head.startswith(f"New proposal ({limit} of {limit} this turn) — "), head
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, ComposerScreen))
            await us.send(
                {"type": "propose", "parties": ["us", "mx"], "clauses": [{"actor": "us", "lever": "us_visa"}]}
            )
            await wait_until(pilot, lambda: len(gs.model.proposals) == limit, what="the last proposal")
            await pilot.press("n")
            await wait_until(pilot, lambda: "no new proposal" in static_text(app, "#notice"))
            assert not isinstance(app.screen, ComposerScreen)
            notice = static_text(app, "#notice")
            assert f"may table {limit} proposals a turn and has tabled {limit} this turn" in notice, notice


async def test_the_discard_question_spans_the_composer_and_enter_discards(url: str) -> None:
    """The question sat small in the middle of a busy composer: a student missed it, pressed Esc
    again (keep editing) and thought the composer could not be closed."""
    g, tokens = await new_game(url, teams=("us",), scenario="loose-talk")
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(100, 30)) as pilot:
        await until_online(pilot)
        cs = await _composer(pilot)
        await add_clause(pilot, cs, "us", "us_arms")
        assert len(cs.clauses) == 1
        await pilot.press("escape")
        question = await modal(pilot, Confirm)
        box = question.query_one("Vertical")
        assert box.region.width >= 96, box.region  # across the screen, not a small box in its middle
        said = str(question.query_one("#confirm-text", Static).render())
        assert "Enter or y discards it; Esc or n goes back to the draft" in said, said
        await pilot.press("escape")  # Esc: back to the draft
        await wait_until(pilot, lambda: app.screen is cs, what="back to the draft")
        await pilot.press("escape")
        await modal(pilot, Confirm)
        await pilot.press("enter")  # Enter: what the Esc that asked meant
        await wait_until(pilot, lambda: not isinstance(app.screen, (ComposerScreen, Confirm)))


async def test_the_proposals_table_names_the_levers_and_the_full_view_says_each_turns_cost(url: str) -> None:
    """The table read "MX-HEALTH; US-TF", codes alone; the proposal in full said "0 PC a turn (free
    this turn)" for a three-turn clause whose lever is free only now, and "2 PC a turn" for a clause
    due once."""
    g, tokens = await new_game(url, teams=("us", "mx"), scenario="loose-talk")
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        await us.next_frame()
        clauses = [
            {"actor": "mx", "lever": "mx_health", "duration": 3},
            {"actor": "us", "lever": "us_tf", "duration": 1},
        ]
        await us.send({"type": "propose", "parties": ["us", "mx"], "clauses": clauses})
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("4")
            table = gs.query_one("#prop-table", DataTable)
            await wait_until(pilot, lambda: table.row_count == 1)
            cell = str(table.get_row_at(0)[3])
            health, tf = gs.rb.levers["mx_health"], gs.rb.levers["us_tf"]
            assert cell.startswith(f"{health.code} {health.name[:10]}"), cell
            assert f"; {tf.code} {tf.name[:10]}" in cell, cell
            table.focus()
            await pilot.press("enter")
            screen = await modal(pilot, ProposalScreen)
            lines = [line.strip() for line in screen.text.splitlines()]
            mx_line = next(line for line in lines if line.startswith("costs Mexico"))
            assert mx_line.startswith("costs Mexico 0 PC this turn (free), then 1 PC a turn ·"), mx_line
            us_line = next(line for line in lines if line.startswith("costs United States"))
            assert "a turn" not in us_line.split("·")[0], us_line


async def test_the_press_channel_carries_every_public_statement(url: str) -> None:
    """ "Public press" stayed empty though every team made a public statement each turn: they were only
    in the results tab. Those made before the client connected show too."""
    g, tokens = await new_game(url, teams=("us", "mx"), scenario="loose-talk")
    praise = {"kind": "praise", "target": "mx", "text": "Mexico's port audits are working"}
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, tokens["us"]) as us,
    ):
        await advance_to(fac, "orders")
        await us.send({"type": "submit_orders", "orders": [], "statement": praise})
        await advance_to(fac, "orders", turn=2)  # turn 1's statement is made in its results
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("3")
            press = next(c for c in gs.model.view["channels"] if c.get("kind") == "press")
            lv = gs.query_one("#chan-list", ListView)
            await wait_until(pilot, lambda: press["id"] in gs.channels.channel_ids, what="the channel list")
            lv.index = gs.channels.channel_ids.index(press["id"])
            lv.focus()
            await pilot.press("enter")
            log = gs.query_one("#messages", RichLog)
            said = "T1 United States praises Mexico: “Mexico's port audits are working”"
            await wait_until(pilot, lambda: said in "\n".join(log_lines(log)), what="the earlier statement")
            # and one made while the channel is open comes in as it is made
            again = {**praise, "text": "And the customs cell too"}
            await us.send({"type": "submit_orders", "orders": [], "statement": again})
            await advance_to(fac, "results", turn=2)
            said = "T2 United States praises Mexico: “And the customs cell too”"
            await wait_until(pilot, lambda: said in "\n".join(log_lines(log)), what="the new statement")
