"""Proposals and orders without typing an id (Mexico, loose-talk, a real server under Pilot): the
composer builds a proposal from lists and checks it with the server's own function, a proposal opens
in full with its costs and whether it can be kept, accepting one that cannot be kept asks first, and
an order's parameters are set in a form and submitted."""

from __future__ import annotations

from typing import Any

import pytest
from test_tui_support import (
    advance_to,
    close_cards,
    commit_as,
    drain,
    frames_until,
    is_event,
    log_lines,
    modal,
    new_game,
    open_proposals,
    propose,
    screen_text,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, DataTable, Input, OptionList, RichLog, Select, SelectionList

from client_tui.composer import ComposerScreen, ParamsScreen, ProposalScreen
from client_tui.widgets import Confirm
from precursor.client import GameClient
from precursor.client.connection import CommandRefused

CS2 = (
    "clause 1: a Chinese commitment needs a framing: choose how China frames it (China's own initiative,"
    " a multilateral effort, reciprocal steps or a US demand met)"
)
# the composer lists the framings its list offers: "a US demand met" only while the US is a party
CS2_OFFERED = CS2.replace(", reciprocal steps or a US demand met)", " or reciprocal steps)")


async def _open_composer(pilot: Pilot[Any]) -> ComposerScreen:
    await close_cards(pilot)
    await pilot.press("4", "n")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ComposerScreen), what="the composer")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ComposerScreen)
    return screen


async def _clause(pilot: Pilot[Any], cs: ComposerScreen, team: str, lever: str, **params: str) -> None:
    """Pick a clause from the lists (what a click in each list does) and type its numbers."""
    await commit_as(pilot, cs, team)
    options = [v for _label, v in cs.query_one("#c-lever", Select)._options]
    assert lever in options and all(cs.rb.levers[str(v)].team == team for v in options if v != Select.NULL)
    cs.query_one("#c-lever", Select).value = lever
    await wait_until(pilot, lambda: cs.form.lever is not None and cs.form.lever.id == lever)
    await pilot.pause()
    for pid, value in params.items():
        field = cs.form._fields[pid]
        if isinstance(field, Select):  # a choice starts unpicked: the student picks it
            field.value = value
            continue
        assert isinstance(field, Input)
        field.value = value
        field.focus()  # ctrl+a adds the clause even from a text field (which takes ctrl+a itself)
    await pilot.press("ctrl+a")


async def test_a_proposal_of_two_clauses_is_composed_from_lists_and_reaches_the_other_party(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx", "us"), scenario="loose-talk")
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        await us.next_frame()
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            await until_online(pilot)
            cs = await _open_composer(pilot)
            assert static_text(app, "#c-check") == (
                "! a proposal needs at least two different parties: tick another team"
            )
            await _clause(pilot, cs, "mx", "mx_presence", level="2")
            # a value out of its range is refused in the server's words, and not added
            await _clause(pilot, cs, "us", "us_san_1", packages="7")
            # the lever and what its parameter sets, never the dotted key ``US-SAN-1.packages``
            assert (
                "US-SAN-1: designation packages announced this turn (1 PC each) must be from 1 to 3, not 7"
            ) in static_text(app, "#c-check")
            assert len(cs.clauses) == 1
            field = cs.form._fields["packages"]
            assert isinstance(field, Input)
            field.value = "2"
            # session 21: Enter in a parameter's field moves on (it added clauses unmeant); ctrl+a adds
            await pilot.press("ctrl+a")
            assert cs.query_one("#party-us", Checkbox).value  # the committed team became a party
            check = static_text(app, "#c-check")
            # Loose Talk's start: trust 27, so a self-verified deal says what a bot will ask (session 24)
            assert check == (
                "ok: the server will take it (2 clause(s)) — but trust with the United States is 27"
                " (under 60, a bot may ask for checks by both sides)"
            ), check
            text = screen_text(app)
            assert "Mexico commits to MX-PRESENCE — Sustained campaign to restore state presence" in text
            assert "(deployment size: at least 2), for 1 turn · 3 PC" in text  # due once: no "a turn"
            assert "for 1 turn · 3 PC a turn" not in text
            assert "United States commits to US-SAN-1 — Kingpin and material-support sanctions" in text
            cs.query_one("#c-note", Input).value = "Both of us move this month."
            await pilot.press("ctrl+s")
            got = await frames_until(us, is_event("proposal"))
            p = got[-1]["event"]["proposal"]
            assert p["parties"] == ["us", "mx"] and p["note"] == "Both of us move this month."
            assert [(c["actor"], c["lever"], c["params"]) for c in p["clauses"]] == [
                ("mx", "mx_presence", {"level": 2}),
                ("us", "us_san_1", {"packages": 2}),
            ]
            await wait_until(pilot, lambda: not isinstance(app.screen, ComposerScreen), what="it to close")
            assert "proposal tabled" in static_text(app, "#notice")
            table = app.screen.query_one("#prop-table", DataTable)
            await wait_until(pilot, lambda: table.row_count == 1)
            assert str(table.get_row_at(0)[3]) == (
                "MX-PRESENCE Sustained campaign to… (deployment size: at least 2); US-SAN-1 Kingpin and…"
                " (designation packages: at least 2)"
            )


async def test_a_chinese_clause_without_framing_is_refused_with_the_servers_reason_before_sending(
    url: str,
) -> None:
    """The check is the server's, in words: a student read `bad_proposal: ... one of china_initiative,
    multilateral, ... (rule CS2)` and did not know what to do."""
    g, tokens = await new_game(url, teams=("mx", "cn"), scenario="loose-talk")
    async with GameClient(url, g.game_id, tokens["cn"]) as cn:
        await cn.next_frame()
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            await until_online(pilot)
            cs = await _open_composer(pilot)
            await _clause(pilot, cs, "cn", "cn_kyc")
            assert static_text(app, "#c-check") == f"! {CS2_OFFERED}"
            # the framing list now offers only the framings the rules accept for a Chinese commitment
            # ("a US demand met" only once the United States is a party)
            framing = cs.query_one("#c-framing", Select)
            offered = [v for _label, v in framing._options if v != Select.NULL]
            assert offered == ["china_initiative", "multilateral", "reciprocal"]
            await pilot.press("ctrl+s")
            assert static_text(app, "#c-check") == f"! not sent — {CS2_OFFERED}"
            # and the server refuses with the same words
            with pytest.raises(CommandRefused) as refused:
                await cn.send({**cs.draft().model_dump(), "parties": ["mx", "cn"]})
            assert (refused.value.code, refused.value.message) == ("bad_proposal", CS2)
            assert isinstance(app.screen, ComposerScreen)
            assert not any(is_event("proposal")(f) for f in await drain(cn, 0.3))
            framing.value = "reciprocal"
            await pilot.pause()
            assert static_text(app, "#c-check").startswith("ok:")
            await pilot.press("ctrl+s")
            got = await frames_until(cn, is_event("proposal"))
            p = got[-1]["event"]["proposal"]
            assert p["framing"] == "reciprocal" and p["clauses"][0]["lever"] == "cn_kyc"


async def test_enter_opens_a_proposal_in_full_and_accepting_a_clause_that_cannot_be_kept_asks_first(
    url: str,
) -> None:
    g, tokens = await new_game(url, teams=("mx", "us"), scenario="loose-talk")
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, tokens["us"]) as us,
        GameClient(url, g.game_id, tokens["mx"]) as mx,
    ):
        await mx.next_frame()
        await us.next_frame()
        await advance_to(fac, "orders")
        await mx.send({"type": "submit_orders", "orders": [{"lever": "mx_plan_1"}]})
        await advance_to(fac, "negotiation", 2)  # MX-PLAN(i) is spent: once per game
        clauses = [
            {"actor": "mx", "lever": "mx_plan_1", "duration": 2},
            {"actor": "mx", "lever": "mx_presence", "params": {"level": 2}, "condition": "mx.st < 60"},
            {"actor": "us", "lever": "us_san_1", "params": {"packages": 2}},
            # enforcement may move 20 points a turn: 60 to 90 cannot be ordered
            {"actor": "mx", "lever": "mx_me", "params": {"level": 90}},
        ]
        pid = await propose(us, ["us", "mx"], clauses)
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            _gs, table = await open_proposals(pilot)
            # the whole clause list, the condition as text (never markup), not cut short
            assert str(table.get_row_at(0)[3]) == (
                "MX-PLAN(i) Federal fentanyl…; MX-PRESENCE Sustained campaign to… (deployment size: at least"
                " 2) [if Mexican sovereignty tension below 60]; US-SAN-1 Kingpin and… (designation packages:"
                " at least 2); MX-ME Set the level of… (enforcement level: at least 90)"
            )
            # each lever by code and short name (the condition further on is read in full on Enter)
            assert "MX-PLAN(i) Federal fentanyl…; MX-PRESENCE Sustained" in screen_text(app)
            table.focus()
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ProposalScreen), what="the full text")
            text = app.screen.text  # type: ignore[attr-defined]
            assert f"Proposal {pid} from United States" in text
            assert (
                "1. Mexico commits to MX-PLAN(i) — Federal fentanyl coordinating body, once from turn 2"
                " (a once-per-game act: done once, it keeps the whole clause)"
            ) in text
            # played in turn 1, once per game: the engine counts the clause as kept
            assert (
                "costs Mexico nothing (done already) · ✓ kept already: MX-PLAN(i) can be played"
                " once per game and Mexico has played it already: the rules count the clause as kept"
            ) in text
            assert (
                "(deployment size: at least 2), for 1 turn from turn 2 [if Mexican sovereignty tension below"
                " 60]"
            ) in text
            assert "costs Mexico 3 PC · ✓ can keep it:" in text  # due one turn: no "a turn"
            # another team's clause is read on the values this team sees (US-SAN-1 asks for none)
            assert "costs United States 2 PC · ✓ can keep it: US-SAN-1 can be ordered" in text
            # the deal's total for Mexico counts nothing for the clause kept already (MX-PRESENCE 3, MX-ME 1)
            total = next(line for line in text.splitlines() if line.startswith("Cost in political capital"))
            assert "Mexico 4 PC" in total, total
            assert (
                "costs Mexico 1 PC · ✗ CANNOT keep it: MX-ME: migration enforcement can move"
                " by at most 20 points in one turn"
            ) in text
            assert (
                "for a turn every clause is due (this turn's free levers at 0):"
                " United States 2 PC · Mexico 4 PC"
            ) in text
            # a counter opened from here and left does not stick to the next proposal
            await pilot.press("c")
            await wait_until(pilot, lambda: isinstance(app.screen, ComposerScreen))
            assert app.screen.counter_to == pid  # type: ignore[attr-defined]
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, ComposerScreen))
            await pilot.press("n")
            await wait_until(pilot, lambda: isinstance(app.screen, ComposerScreen))
            assert app.screen.counter_to is None  # type: ignore[attr-defined]
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, ComposerScreen))
            # accept asks first; n sends nothing
            table.focus()
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ProposalScreen))
            await pilot.press("a")
            await wait_until(pilot, lambda: isinstance(app.screen, Confirm), what="the question")
            question = screen_text(app)
            assert "commits your team to something it cannot keep now" in question
            assert "clause 4: MX-ME: migration enforcement can move by at most 20" in question
            assert "clause 1" not in question
            await pilot.press("n")
            await wait_until(pilot, lambda: not isinstance(app.screen, Confirm))
            assert not any(is_event("proposal_response")(f) for f in await drain(us, 0.3))
            # the Accept button asks too, and y accepts
            await pilot.click("#accept")
            await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
            await pilot.press("y")
            got = await frames_until(us, is_event("proposal_response", proposal=pid))
            assert got[-1]["event"]["action"] == "accept"


async def test_an_order_with_a_parameter_set_in_the_form_is_submitted_and_logged(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("5")
            sl = gs.query_one("#order-list", SelectionList)
            ids = lambda: [str(sl.get_option_at_index(i).value) for i in range(sl.option_count)]  # noqa: E731
            await wait_until(pilot, lambda: "mx_presence" in ids() and gs.model.phase == "orders")
            sl.highlighted = ids().index("mx_presence")
            await pilot.press("p")
            await wait_until(pilot, lambda: isinstance(app.screen, ParamsScreen), what="the form")
            await pilot.pause()
            assert "ok: deployment size: 1 · costs 2 PC · Mexico has 10 PC" in static_text(app, "#param-cost")
            field = app.screen.query_one("#order-params Input", Input)
            field.value = "5"
            await pilot.pause()
            assert (
                "MX-PRESENCE: size of the deployment (1 = one region, 3 = several) must be from 1 to 3, not 5"
            ) in static_text(app, "#param-cost")
            field.value = "3"
            await pilot.pause()
            assert "ok: deployment size: 3 · costs 4 PC" in static_text(app, "#param-cost")
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not isinstance(app.screen, ParamsScreen))
            assert list(sl.selected) == ["mx_presence"]  # setting the parameters ticks the lever
            prompt = str(sl.get_option_at_index(sl.highlighted or 0).prompt)
            assert "deployment size: 3" in prompt and "4 PC" in prompt
            assert "selected 4 PC" in static_text(app, "#order-info")
            await pilot.press("ctrl+s")
            got = await frames_until(fac, is_event("orders_submitted", team="mx"))
            assert got[-1]["event"]["orders"][0]["params"] == {"level": 3}
            await fac.send({"type": "advance", "turn": 1, "phase": "orders"})  # adjudicate
            await pilot.press("6")
            log = gs.query_one("#result-log", RichLog)
            await wait_until(
                pilot,
                lambda: any(
                    "Mexico Sustained campaign" in x and "(deployment size: 3)" in x for x in log_lines(log)
                ),
                what="the order in the log with its parameter",
            )


async def test_a_clause_carries_a_condition_picked_from_the_dashboard_values(url: str) -> None:
    """Conditions were the one part of a clause the composer could not write (a counter kept its
    original's): now an indicator the team can see, a comparison and a number, read back in words."""
    g, tokens = await new_game(url, teams=("mx", "us"), scenario="loose-talk")
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        await us.next_frame()
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            await until_online(pilot)
            cs = await _open_composer(pilot)
            watchable = [v for _label, v in cs.query_one("#c-if", Select)._options]
            assert "mx.st" in watchable and "hidden.sigma" not in watchable  # only what the team sees
            cs.query_one("#c-if", Select).value = "mx.st"
            cs.query_one("#c-if-op", Select).value = "<"
            cs.query_one("#c-if-value", Input).value = "sixty"
            await _clause(pilot, cs, "us", "us_arms")
            assert "the condition needs a number, not 'sixty'" in static_text(app, "#c-check")
            assert cs.clauses == []
            cs.query_one("#c-if-value", Input).value = "60"
            await pilot.press("ctrl+a")
            assert [c.condition for c in cs.clauses] == ["mx.st < 60"]
            shown = cs.query_one("#c-clauses", OptionList)
            text = " ".join(str(shown.get_option_at_index(i).prompt) for i in range(shown.option_count))
            assert "[if Mexican sovereignty tension below 60]" in " ".join(text.split()), text
            await pilot.press("ctrl+s")
            got = await frames_until(us, is_event("proposal"))
            clauses = got[-1]["event"]["proposal"]["clauses"]
            assert [(c["lever"], c["condition"]) for c in clauses] == [("us_arms", "mx.st < 60")]


async def test_a_yes_no_value_is_a_condition_held_or_not_never_a_number(url: str) -> None:
    """A student picked "A new US administration is in office", was asked for a number, gave "below
    0", and the server refused the proposal with the parser's "'<=' needs num operands, got bool"."""
    g, tokens = await new_game(url, teams=("mx", "us"), scenario="loose-talk")
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        await us.next_frame()
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            cs = await _open_composer(pilot)
            watchable = [v for _label, v in cs.query_one("#c-if", Select)._options]
            flag = next(v for v in watchable if v in gs.rb.indicators and gs.rb.indicators[v].type == "bool")
            cs.query_one("#c-if", Select).value = flag
            await pilot.pause()
            ops = [v for _label, v in cs.query_one("#c-if-op", Select)._options]
            assert ops == ["yes", "no"] and cs.query_one("#c-if-value", Input).disabled
            cs.query_one("#c-if-op", Select).value = "no"
            await _clause(pilot, cs, "us", "us_arms")
            await pilot.press("ctrl+a")
            assert [c.condition for c in cs.clauses] == [f"not {flag}"]
            shown = cs.query_one("#c-clauses", OptionList)
            text = " ".join(str(shown.get_option_at_index(i).prompt) for i in range(shown.option_count))
            assert f"[if {gs.rb.indicators[flag].name} (no)]" in " ".join(text.split()), text
            await pilot.press("ctrl+s")
            got = await frames_until(us, is_event("proposal"))
            assert [c["condition"] for c in got[-1]["event"]["proposal"]["clauses"]] == [f"not {flag}"]
            # a number value gets the comparisons back
            cs2 = await _open_composer(pilot)
            cs2.query_one("#c-if", Select).value = flag
            await pilot.pause()
            cs2.query_one("#c-if", Select).value = "mx.st"
            await pilot.pause()
            assert [v for _label, v in cs2.query_one("#c-if-op", Select)._options] == ["<", "<=", ">=", ">"]
            assert not cs2.query_one("#c-if-value", Input).disabled


async def test_a_chinese_clause_presented_one_way_frames_the_deal_the_same_way(url: str) -> None:
    """A student set CN-ENFORCE's "presented as" and was still told the commitment needed a framing,
    from a list below the fold at 120x40: the deal now starts from the clause's own framing."""
    g, tokens = await new_game(url, teams=("cn", "us"))
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        await us.next_frame()
        app = seat_app(url, g, tokens["cn"])
        async with app.run_test(size=(120, 40)) as pilot:
            await until_online(pilot)
            cs = await _open_composer(pilot)
            cs.query_one("#party-us", Checkbox).value = True
            await _clause(pilot, cs, "cn", "cn_enforce", framing="own_initiative")
            await pilot.press("ctrl+a")
            await pilot.pause()
            assert [c.lever for c in cs.clauses] == ["cn_enforce"]
            assert dict(cs.clauses[0].params).get("framing") == "own_initiative"
            assert cs.query_one("#c-framing", Select).value == "china_initiative"
            await pilot.press("ctrl+s")
            got = await frames_until(us, is_event("proposal"))
            assert got[-1]["event"]["proposal"]["framing"] == "china_initiative"


async def test_a_counter_re_offering_a_once_only_lever_already_played_is_flagged_and_not_sent(
    url: str,
) -> None:
    """A counter carries the original's clauses; one on MX-PLAN(i), played in turn 1 and once per game,
    went to the server, which took it though it binds Mexico to nothing (found in a student's game)."""
    g, tokens = await new_game(url, teams=("mx", "us"), scenario="loose-talk")
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, tokens["us"]) as us,
        GameClient(url, g.game_id, tokens["mx"]) as mx,
    ):
        await mx.next_frame()
        await us.next_frame()
        await advance_to(fac, "orders")
        await mx.send({"type": "submit_orders", "orders": [{"lever": "mx_plan_1"}]})
        await advance_to(fac, "negotiation", 2)
        clauses = [{"actor": "mx", "lever": "mx_plan_1"}, {"actor": "us", "lever": "us_arms"}]
        await us.send({"type": "propose", "parties": ["us", "mx"], "clauses": clauses})
        await frames_until(us, is_event("proposal"))
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("4")
            table = gs.query_one("#prop-table", DataTable)
            await wait_until(pilot, lambda: table.row_count == 1)
            table.focus()
            await pilot.press("enter")
            await modal(pilot, ProposalScreen)
            await pilot.press("c")
            cs = await modal(pilot, ComposerScreen)
            spent = (
                "! clause 1: MX-PLAN(i) can be played once per game and Mexico has played it already, so"
                " the clause promises nothing: highlight it and press Delete"
            )
            assert static_text(app, "#c-check") == spent
            await pilot.press("ctrl+s")
            assert static_text(app, "#c-check") == spent.replace("! ", "! not sent — ", 1)
            assert not any(is_event("proposal")(f) for f in await drain(us, 0.3))
            cs.query_one("#c-clauses", OptionList).focus()
            cs.query_one("#c-clauses", OptionList).highlighted = 0
            await pilot.press("delete")
            await pilot.pause()
            assert static_text(app, "#c-check").startswith("ok:")
            await pilot.press("ctrl+s")
            # a counter asks first (it closes the original): y sends it
            await wait_until(pilot, lambda: isinstance(app.screen, Confirm), what="the counter's question")
            await pilot.press("y")
            got = await frames_until(us, is_event("proposal"))
            assert [c["lever"] for c in got[-1]["event"]["proposal"]["clauses"]] == ["us_arms"]


async def test_answering_a_proposal_between_other_teams_is_not_sent(url: str) -> None:
    """A public US–Mexico proposal shows in China's table with Accept, Reject and Counter; pressing a
    sent the answer for the server to refuse (`unknown_proposal`), found in a student's tmux game. The
    answers the server would refuse are not offered at all: no button, no key, for another pair's
    proposal or a withdrawn one; the proposal addressed to China has them."""
    g, tokens = await new_game(url, teams=("us", "cn"), scenario="loose-talk")
    async with (
        GameClient(url, g.game_id, g.facilitator_token) as fac,
        GameClient(url, g.game_id, tokens["us"]) as us,
    ):
        await us.next_frame()
        await advance_to(fac, "negotiation")
        clauses = [{"actor": "us", "lever": "us_arms"}, {"actor": "mx", "lever": "mx_plan_1"}]
        await us.send(
            {"type": "propose", "parties": ["us", "mx"], "clauses": clauses, "visibility": "public"}
        )
        pid = (await frames_until(us, is_event("proposal")))[-1]["event"]["proposal"]["id"]
        to_cn = {"type": "propose", "parties": ["us", "cn"], "clauses": [{"actor": "us", "lever": "us_arms"}]}
        await us.send(to_cn)
        gone = (await frames_until(us, is_event("proposal")))[-1]["event"]["proposal"]["id"]
        await us.send({"type": "respond", "proposal": gone, "action": "withdraw"})
        await frames_until(us, is_event("proposal_response", proposal=gone))
        await us.send(to_cn)
        live = (await frames_until(us, is_event("proposal")))[-1]["event"]["proposal"]["id"]
        app = seat_app(url, g, tokens["cn"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("4")
            table = gs.query_one("#prop-table", DataTable)
            await wait_until(pilot, lambda: table.row_count == 3, what="the three proposals")
            table.focus()

            def shown() -> set[str]:
                pane = gs.query_one("#prop-table", DataTable).parent
                assert pane is not None
                return {str(b.id) for b in pane.query(Button) if b.display and b.id != "propose"}

            for row, want in ((pid, set()), (gone, set()), (live, {"accept", "reject", "counter"})):
                table.move_cursor(row=table.get_row_index(row))
                await wait_until(pilot, lambda want=want: shown() == want, what=f"the answers to {row}")
            for row in (pid, gone):
                table.move_cursor(row=table.get_row_index(row))
                await pilot.press("enter")
                screen = await modal(pilot, ProposalScreen)
                assert [str(b.id) for b in screen.query(Button)] == ["close"]
                await pilot.press("a", "r", "c")
                assert app.screen is screen  # none of the keys answers it
                await pilot.press("escape")
                await wait_until(pilot, lambda: not isinstance(app.screen, ProposalScreen))
            assert not any(is_event("proposal_response")(f) for f in await drain(us, 0.3))
            assert "not sent" not in static_text(app, "#notice")
            table.move_cursor(row=table.get_row_index(live))
            await pilot.press("enter")
            screen = await modal(pilot, ProposalScreen)
            assert [str(b.id) for b in screen.query(Button)] == ["accept", "reject", "counter", "close"]
            await pilot.press("r")
            got = await frames_until(us, is_event("proposal_response", proposal=live))
            assert got[-1]["event"]["action"] == "reject"


def test_the_client_offers_an_answer_exactly_when_the_server_takes_it() -> None:
    """One check for both: the message the server refuses with comes from ``answer_refusal``, word for
    word as before, and the client's offer reads the same function."""
    from precursor.game.negotiation import answer_refusal

    p = {"id": "T1-US-1", "parties": ["us", "mx"], "status": "open", "from": "us", "accepted": ["us"]}
    assert answer_refusal(p, "T1-US-1", "cn", "negotiation", "accept") == (
        "unknown_proposal",
        "no proposal 'T1-US-1' addressed to team cn",
    )
    assert answer_refusal(p, "T1-US-1", "mx", "orders", "accept") == (
        "wrong_phase",
        "proposals are answered before orders",
    )
    assert answer_refusal(p, "T1-US-1", "mx", "negotiation", "withdraw") == (
        "forbidden",
        "only the proposer can withdraw a proposal",
    )
    assert answer_refusal(p, "T1-US-1", "us", "negotiation", "accept") == (
        "already_accepted",
        "team us has already accepted T1-US-1",
    )
    assert answer_refusal({**p, "status": "withdrawn"}, "T1-US-1", "mx", "negotiation", "reject") == (
        "proposal_closed",
        "proposal T1-US-1 is withdrawn",
    )
    assert answer_refusal(p, "T1-US-1", "mx", "briefing", "accept") is None


async def test_trilateral_modules_are_picked_by_name_and_tabled(url: str) -> None:
    """The tutorial asks for a trilateral module and Canada's objective needs T1 and T2 in force, yet
    the composer had no way to table one: now each module is a box with its name and what it does."""
    g, tokens = await new_game(url, teams=("ca", "us"), scenario="loose-talk")
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        await us.next_frame()
        app = seat_app(url, g, tokens["ca"])
        async with app.run_test(size=(120, 40)) as pilot:
            await until_online(pilot)
            cs = await _open_composer(pilot)
            text = " ".join(screen_text(app).split())
            assert "T1 — Chemical notification" in text, text
            assert "harmonized chemical-import notification halves diversion" in text
            assert "United States, Mexico and Canada must all be parties" in text
            cs.query_one("#module-t1", Checkbox).value = True
            await pilot.pause()
            # a module makes the three North American teams parties, as a clause makes its team one
            assert cs.query_one("#party-us", Checkbox).value and cs.query_one("#party-mx", Checkbox).value
            cs.query_one("#module-t2", Checkbox).value = True
            await pilot.pause()
            cs.query_one("#party-mx", Checkbox).value = False
            await pilot.pause()
            assert static_text(app, "#c-check") == (
                "! trilateral modules need the United States, Mexico and Canada as parties"
            )
            cs.query_one("#party-mx", Checkbox).value = True
            await pilot.pause()
            between = "between United States, Mexico and Canada"
            assert (
                static_text(app, "#c-check")
                == f"ok: the server will take it (0 clause(s), 2 module(s); {between})"
            )
            await pilot.press("ctrl+s")
            p = (await frames_until(us, is_event("proposal")))[-1]["event"]["proposal"]
            assert p["modules"] == ["t1", "t2"] and p["parties"] == ["us", "mx", "ca"]
            await wait_until(pilot, lambda: not isinstance(app.screen, ComposerScreen), what="it to close")
            table = app.screen.query_one("#prop-table", DataTable)
            await wait_until(pilot, lambda: table.row_count == 1)
            assert str(table.get_row_at(0)[3]) == "module T1; module T2"
            table.focus()
            await pilot.press("enter")
            screen = await modal(pilot, ProposalScreen)
            assert " T2 — Law-enforcement parity: identical cooperation agreements" in screen.text


async def test_esc_on_a_drafted_proposal_asks_before_discarding_it(url: str) -> None:
    """One Esc threw away a proposal of several clauses; an empty composer still closes at once."""
    g, tokens = await new_game(url, teams=("mx", "us"), scenario="loose-talk")
    async with GameClient(url, g.game_id, tokens["us"]) as us:
        await us.next_frame()
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            await until_online(pilot)
            await _open_composer(pilot)
            await pilot.press("escape")  # nothing drafted: no question
            await wait_until(pilot, lambda: not isinstance(app.screen, (ComposerScreen, Confirm)))
            await pilot.press("n")
            cs = await modal(pilot, ComposerScreen)
            await _clause(pilot, cs, "mx", "mx_presence", level="2")
            assert len(cs.clauses) == 1
            await pilot.press("escape")
            await modal(pilot, Confirm)
            assert "Discard this draft proposal?" in screen_text(app)
            await pilot.press("n")  # keep editing: the draft is as it was
            await wait_until(pilot, lambda: app.screen is cs, what="back to the draft")
            assert len(cs.clauses) == 1
            await pilot.press("escape")
            await modal(pilot, Confirm)
            await pilot.press("y")
            await wait_until(pilot, lambda: not isinstance(app.screen, (ComposerScreen, Confirm)))
            assert not any(is_event("proposal")(f) for f in await drain(us, 0.3))


async def test_at_80x24_the_composer_keeps_its_head_and_the_answers_are_not_cut(url: str) -> None:
    """Found at 80x24: the composer's head scrolled away with the form, the answers box held four lines
    and cut the third reason, and the table's parties read `us,cn`."""
    g, tokens = await new_game(url, teams=("mx", "us", "cn"), scenario="loose-talk")
    async with GameClient(url, g.game_id, tokens["cn"]) as cn, GameClient(url, g.game_id, tokens["us"]) as us:
        for i in range(3):
            clauses = [{"actor": "us", "lever": "us_arms"}]
            await us.send(
                {"type": "propose", "parties": ["us", "cn"], "visibility": "public", "clauses": clauses}
            )
            pid = (await frames_until(us, is_event("proposal")))[-1]["event"]["proposal"]["id"]
            reason = f"China turns down {pid} as reason {i} says, at a length that wraps on a small screen."
            await cn.send({"type": "respond", "proposal": pid, "action": "reject", "reason": reason})
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await pilot.press("4")
            table = gs.query_one("#prop-table", DataTable)
            await wait_until(pilot, lambda: table.row_count == 3)
            assert [str(c) for c in table.get_row_at(0)[1:3]] == ["United States → China", "rejected"]
            await pilot.pause()
            text = " ".join(screen_text(app).split())
            for i in range(3):
                assert (
                    f"China turns down T1-US-{i + 1} as reason {i} says, at a length that wraps on a" in text
                )
            cs = await _open_composer(pilot)
            cs.query_one("#c-note", Input).focus()  # the last field: the form scrolls down to it
            await pilot.press("ctrl+s")
            await pilot.pause()
            shown = screen_text(app)
            assert "New proposal (1 of 3 this turn) — Mexico is a party; tick the others" in shown, shown
            assert "not sent — a proposal needs at least two different parties" in shown
            assert "Send proposal (ctrl+s)" in shown


async def test_a_clause_that_needs_mexicos_consent_says_which_and_what_to_add(url: str) -> None:
    """The consent refusal named no clause and read as a rule; it now says which clause and what to add."""
    g, tokens = await new_game(url, teams=("us", "mx"), scenario="loose-talk")
    async with GameClient(url, g.game_id, tokens["mx"]) as mx:
        await mx.next_frame()
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(120, 40)) as pilot:
            await until_online(pilot)
            cs = await _open_composer(pilot)
            await _clause(pilot, cs, "mx", "mx_presence")
            await _clause(pilot, cs, "us", "us_sft", activity="training")
            assert static_text(app, "#c-check") == (
                "! clause 2: US-SFT places US personnel in Mexico, which needs Mexico's consent: add a"
                " Mexican MX-CONSENT clause (no consent token is active now)"
            )
            await _clause(pilot, cs, "mx", "mx_consent", activity="training")
            assert static_text(app, "#c-check").startswith("ok:")
