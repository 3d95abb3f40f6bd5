"""What a student tripped on playing a whole solo game as the United States at 80x24, each on a real
server: once the team had filed its position and tabled a free action, the orders tab had no row left
for the lever list and the white cell's buttons fell off the bottom of the screen; a lever's row was cut
right after its cost, so why a lever could not be ordered (and what it moves) was never on screen; and
an agreement that ran its course read "honoured: ['us', 'mx']"."""

from __future__ import annotations

from test_tui_support import (
    advance_to,
    close_cards,
    new_game,
    screen_text,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.widgets import Button, DataTable, SelectionList

from client_tui import render
from precursor.client import GameClient

FREE_ACTION = {
    "type": "free_action",
    "title": "Joint targeting cell",
    "description": "CBP and Mexican customs officers share a targeting cell at Nogales",
    "effects": [{"indicator": "trust.us_mx", "direction": "up", "size": "medium"}],
    "argument": "Mexican customs asked for this; a joint cell shares the credit",
}
POSITION = {
    "type": "position",
    "goals": "Cut overdose deaths; get Mexico to arrest cartel leaders",
    "red_lines": "No US troops without consent",
    "expectations": "Mexico resists visible US pressure before the midterms",
}


async def test_at_80x24_the_orders_tab_keeps_its_lever_list_and_buttons_and_says_why_a_lever_is_out(
    url: str,
) -> None:
    g, tokens = await new_game(url, teams=("us",), scenario="three-weeks", seed=5)
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, tokens["us"]) as us,
    ):
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
            # rows of the list on screen (its border takes two), and every button inside the screen
            assert sl.content_region.height >= 3, sl.region
            for b in gs.orders.query(Button):
                assert b.region.bottom <= 23, (b.id, b.region)  # the footer has the last row
            # the free action's state comes before the position, within the lines it is held to
            assert static_text(app, "#wc-info").startswith("Our free action: Joint targeting cell")

            # an unavailable lever's row is cut right after its cost at 80 columns: the arrows stop
            # on it, and the line under the list says why it is out
            rows = gs.orders.rows()
            out = next(i for i, r in enumerate(rows) if not r.get("available"))
            sl.focus()
            sl.highlighted = 0
            for _ in range(out):
                await pilot.press("down")
            await pilot.pause()
            assert sl.highlighted == out
            detail = static_text(app, "#order-detail")
            assert detail.startswith(f"{rows[out]['code']} — {rows[out]['name']} · cannot be ordered now: ")
            assert str(rows[out]["why_not"]) in detail
            await pilot.press("space")  # and it still cannot be ticked
            assert rows[out]["id"] not in sl.selected
            # a lever that can be ordered: the line under the list has it in full, cost and all
            ok = next(i for i, r in enumerate(rows) if r.get("available") and r.get("cost") is not None)
            sl.highlighted = ok
            await pilot.pause()
            detail = static_text(app, "#order-detail")
            assert detail.startswith(f"{rows[ok]['code']} — {rows[ok]['name']} · {rows[ok]['cost']:g} PC")


def test_an_agreement_run_its_course_names_who_honoured_it_in_words() -> None:
    # the results tab's card for the event the engine sends when an agreement's last turn is past
    ev = {"type": "agreement_update", "agreement": "A1-MX-1"}
    done = render.why_card({**ev, "update": {"status": "completed", "honoured": ["us", "mx"]}})
    assert done == "[agreement] A1-MX-1: now completed, honoured by United States and Mexico"
    nobody = render.why_card({**ev, "update": {"status": "completed", "honoured": []}})
    assert nobody == "[agreement] A1-MX-1: now completed, honoured by no party"


async def test_at_80x24_the_turn_1_notice_keeps_the_ask_for_a_position_beside_seven_injects(url: str) -> None:
    g, tokens = await new_game(url, teams=("us",), scenario="three-weeks", seed=5)
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(80, 24)) as pilot:
        await until_online(pilot)
        await wait_until(pilot, lambda: "press w" in static_text(app, "#notice"))
        await pilot.pause()
        shown = " ".join(screen_text(app).split())  # the notice as the terminal shows it, three lines
        assert "file your team's position: press w" in shown
        assert "and 5 more — their cards are in the briefing tab (1)" in shown


async def test_at_80x24_a_redrawn_orders_list_keeps_the_highlighted_lever_on_screen(url: str) -> None:
    """A student at 80x24 ticked a lever far down the list; the list was redrawn (a view arrived) and its
    viewport went back to the top while the highlight stayed below it, so Down seemed to do nothing."""
    g, tokens = await new_game(url, teams=("us",), scenario="three-weeks", seed=5)
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            await wait_until(pilot, lambda: bool(gs.model.view.get("levers")), what="the orders view")
            await close_cards(pilot)
            await pilot.press("5")
            await pilot.pause(0.3)
            sl = gs.query_one("#order-list", SelectionList)
            rows = gs.orders.rows()
            far = max(i for i, r in enumerate(rows) if r.get("available"))
            assert far > sl.scrollable_content_region.height, (far, sl.region)
            sl.focus()
            sl.highlighted = 0
            for _ in range(far):
                await pilot.press("down")
            await pilot.press("space")
            await pilot.pause()

            def on_screen() -> bool:
                """The highlighted lever's row is among the list's rows the terminal shows."""
                region = sl.content_region
                lines = screen_text(app).splitlines()[region.y : region.bottom]
                return sl.highlighted == far and any(str(rows[far]["code"]) in line for line in lines)

            assert on_screen(), (sl.highlighted, far, sl.scroll_offset.y)
            gs.orders.show()  # what a view arriving from the server does
            await pilot.pause(0.3)
            assert on_screen(), (sl.highlighted, far, sl.scroll_offset.y)


async def test_at_80x24_the_proposals_table_keeps_rows_however_many_agreements_are_in_force(url: str) -> None:
    """A student at 80x24 in the tutorial's third turn saw the proposals table shrink to its header: the
    agreements line under it (a sentence per agreement) had taken the pane, and proposals could only be
    opened blind."""
    g, tokens = await new_game(url, teams=("mx",), seed=5)
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("4")
        for i in range(1, 9):  # eight agreements in force, as a class that signs everything reaches
            gs.model.agreements[f"A{i}-MX-1"] = {
                "id": f"A{i}-MX-1",
                "parties": ["us", "mx", "ca"],
                "status": "active",
                "signed_turn": 1,
                "ends_turn": 3,
            }
        gs.proposals.show()
        await pilot.pause(0.3)
        table = gs.query_one("#prop-table", DataTable)
        assert table.content_region.height >= 4, table.region  # the header and at least three rows
        assert "A8-MX-1" in static_text(app, "#agreements")  # every agreement is still there to read


async def test_a_long_proposal_read_in_full_scrolls_from_its_buttons_at_80x24() -> None:
    """A student at 80x24 opened an eight-clause proposal: the window had a scrollbar, but PageDown,
    Down and End did nothing (the focus sits on a button), so what Mexico was asked never showed."""
    from textual.app import App
    from textual.containers import VerticalScroll

    from client_tui.composer import ProposalScreen

    text = "Proposal T1-US-1 from United States\n" + "\n".join(
        f"{i}. Mexico commits to MX-PLAN({i}) for 2 turns" for i in range(1, 41)
    )

    class One(App[None]):
        def on_mount(self) -> None:
            self.push_screen(ProposalScreen(text))

    app = One()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        body = app.screen.query_one("#proposal-body", VerticalScroll)
        assert isinstance(app.focused, Button) and body.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("home", "down")
        await pilot.pause()
        assert body.scroll_y == 1
