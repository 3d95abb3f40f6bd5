"""What a student tripped on playing Loose Talk through the white cell, each on a real server: the
forms said "ok: the server will take it" above a blank required field, and a filled form lost the
names of its fields with their placeholders; the indicator list wrapped each name with its family;
a free action that worked on a value the team sees only as an estimate read as if it had moved nothing
but the capital; and the team could not read what the others argued about its free action (under a
vote, how they voted). The facilitator's r (and i), which the console's heading offers, did nothing
after 7 put the focus on the phase clock."""

from __future__ import annotations

from test_tui_support import (
    advance_to,
    check_line,
    close_cards,
    frames_until,
    is_event,
    log_lines,
    modal,
    new_game,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.widgets import Input, RichLog, Select

from client_tui.white_cell import FreeActionScreen, PositionScreen, RulingScreen
from precursor.client import GameClient

ARMS = "arms_flow"  # on Mexico's menu, and fogged for Mexico: its value comes as an estimate


async def test_the_position_form_checks_the_goals_as_typed_and_keeps_its_fields_named(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        await until_online(pilot)
        await wait_until(pilot, lambda: "press w" in static_text(app, "#notice"))
        await close_cards(pilot)
        await pilot.press("w")
        pos = await modal(pilot, PositionScreen)
        # nothing typed yet: the line says what the server would refuse, not "ok"
        assert "! write your goals" in check_line(pos)
        pos.query_one("#pos-goals", Input).value = "Keep US forces out"
        await pilot.pause()
        assert "ok: the server will take it" in check_line(pos)
        # typed in, a field still says what it is for
        names = [pos.query_one(w, Input).border_title for w in ("#pos-goals", "#pos-red", "#pos-expect")]
        assert names == ["goals", "red lines", "what we expect of the others"]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, PositionScreen))


async def test_a_free_action_on_an_estimated_value_reads_as_moved_and_the_arguments_about_it_are_shown(
    url: str,
) -> None:
    g, tokens = await new_game(url, teams=("mx", "us"), scenario="loose-talk")
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, tokens["us"]) as us,
    ):
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await wait_until(pilot, lambda: gs.model.view.get("phase") == "orders")
            await close_cards(pilot)
            await pilot.press("5")
            await pilot.press("f")
            fa = await modal(pilot, FreeActionScreen)
            ind = fa.query_one("#fx-ind-0", Select)
            # each indicator by its name alone, on one line of the list
            labels = {v: str(label) for label, v in ind._options}
            assert labels[ARMS] == "Southbound arms and cash flow (index)"
            assert not any(" — " in x for x in labels.values())
            ind.value = ARMS
            fa.query_one("#fx-dir-0", Select).value = "down"
            fa.query_one("#fa-title", Input).value = "Gun-shop audit"
            fa.query_one("#fa-desc", Input).value = "Mexico funds audits of border gun shops"
            await pilot.pause()
            # the claim is complete but the argument is blank: the line says so before ctrl+s
            assert "! still to write: an argument" in check_line(fa)
            assert "ok: the server will take it" not in check_line(fa)
            fa.query_one("#fa-arg", Input).value = "The ATF already traces these guns"
            await pilot.pause()
            assert "ok: the server will take it" in check_line(fa)
            assert fa.query_one("#fa-arg", Input).border_title == "argument"
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not isinstance(app.screen, FreeActionScreen))
            fid = (await frames_until(fac, is_event("free_action", team="mx")))[-1]["event"]["id"]

            # the US argues against it: Mexico reads who argued, which way, and what
            await us.send(
                {
                    "type": "counter_argument",
                    "free_action": fid,
                    "stance": "against",
                    "text": "ATF is understaffed",
                }
            )
            await wait_until(
                pilot, lambda: "US argues against: ATF is understaffed" in static_text(app, "#wc-info")
            )

            await fac.send(
                {"type": "rule_free_action", "free_action": fid, "band": "very_likely", "reason": "plausible"}
            )
            await fac.send({"type": "advance", "turn": 1, "phase": "orders"})
            res = (await frames_until(fac, is_event("free_action_resolved", free_action=fid)))[-1]["event"]
            assert res["success"] and ARMS in res["changes"]  # seed 11 rolls under 90%
            await pilot.press("6")
            log = gs.query_one("#result-log", RichLog)
            await wait_until(pilot, lambda: any("[free action] Mexico" in x for x in log_lines(log)))
            text = " ".join(x.strip() for x in log_lines(log))
            assert "it worked" in text
            assert "also moved (not reported to you exactly): Southbound arms and cash flow (index)" in text


async def test_r_in_the_control_tab_opens_the_ruling_and_it_can_be_completed_at_80x24(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk")
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, tokens["mx"]) as mx,
    ):
        await advance_to(fac, "orders")
        await mx.send(
            {
                "type": "free_action",
                "title": "Joint port audit",
                "description": "Navy and CBP audit Manzanillo manifests",
                "effects": [{"indicator": "trust.us_mx", "direction": "up", "size": "small"}],
                "argument": "Both services already share manifests",
            }
        )
        fid = (await frames_until(fac, is_event("free_action", team="mx")))[-1]["event"]["id"]
        app = seat_app(url, g, g.facilitator_token)
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            # 7 then r, as the console's heading says: no widget to focus first
            await pilot.press("7")
            await wait_until(pilot, lambda: str(gs.query_one("#wc-queue", Select).value) == fid)
            await pilot.press("r")
            ruling = await modal(pilot, RulingScreen)
            ruling.query_one("#ru-band", Select).value = "likely"
            await pilot.press("ctrl+s")  # too early: no reason yet
            await wait_until(pilot, lambda: "! write the reason" in check_line(ruling))
            ruling.query_one("#ru-reason", Input).value = "the services already work together"
            await wait_until(pilot, lambda: "! write the reason" not in check_line(ruling))  # not stale
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not isinstance(app.screen, RulingScreen))
            got = (await frames_until(fac, is_event("free_action_ruling", free_action=fid)))[-1]["event"]
            assert got["band"] == "likely"


async def test_the_budget_line_holds_a_tabled_free_actions_cost_and_ctrl_e_advances(url: str) -> None:
    """A tabled free action keeps its cost until resolved and the engine counts it against later orders:
    the orders line left it out, so a student could tick orders the server then refused over budget.
    And the console's phase clock had no key: ctrl+e ends the phase shown."""
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await wait_until(pilot, lambda: gs.model.view.get("phase") == "orders")
            await close_cards(pilot)
            await pilot.press("5")
            pc = float(gs.model.view["pc"]["mx"])
            await wait_until(pilot, lambda: f"left {pc:g}" in static_text(app, "#order-info"))
            await pilot.press("f")
            fa = await modal(pilot, FreeActionScreen)
            fa.query_one("#fx-ind-0", Select).value = ARMS
            fa.query_one("#fx-dir-0", Select).value = "down"
            fa.query_one("#fa-title", Input).value = "Gun-shop audit"
            fa.query_one("#fa-desc", Input).value = "Mexico funds audits of border gun shops"
            fa.query_one("#fa-arg", Input).value = "The ATF already traces these guns"
            await pilot.pause()
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not isinstance(app.screen, FreeActionScreen))
            tabled = (await frames_until(fac, is_event("free_action", team="mx")))[-1]["event"]
            held = float(tabled["cost"])
            await wait_until(
                pilot,
                lambda: (
                    f"free actions {held:g} PC" in static_text(app, "#order-info")
                    and f"left {pc - held:g}" in static_text(app, "#order-info")
                ),
            )
        console = seat_app(url, g, g.facilitator_token)
        async with console.run_test(size=(80, 24)) as pilot:
            await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("7")
            await pilot.pause()
            await pilot.press("ctrl+e")
            ev = (await frames_until(fac, is_event("phase", phase="results")))[-1]["event"]
            assert ev["turn"] == 1
