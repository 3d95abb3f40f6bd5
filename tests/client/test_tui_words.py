"""What a student read and could not do in a first game, each on a real server under Pilot: a public
statement of the team's own (the tutorial asks for one) had no control, engine words (seat ids, lever
codes in prose, parameter ids) stood where names exist, and at 80 columns a lever's effect was cut to
a few characters."""

from __future__ import annotations

import re

import pytest
from test_tui_support import (
    advance_to,
    close_cards,
    frames_until,
    is_event,
    modal,
    new_game,
    screen_text,
    seat_app,
    static_text,
    until_online,
    wait_until,
)
from textual.widgets import Button, Input, Label, Select, SelectionList, Static

from client_tui import render
from client_tui.composer import ParamsScreen
from client_tui.model import LiveGame
from client_tui.panes.results import result_text
from client_tui.panes.statement import StatementScreen
from precursor.client import GameClient, LobbyClient
from precursor.game.rulebook import default_rulebook


def _results(app: object) -> str:
    from client_tui.game_screen import GameScreen

    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, GameScreen)
    return "\n".join(screen.results._texts)


# ---------------------------------------------------------------------- 1 a public statement


async def test_a_public_statement_is_drafted_in_the_orders_tab_sent_with_the_orders_and_read_in_results(
    url: str,
) -> None:
    g, tokens = await new_game(url, teams=("mx",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await wait_until(pilot, lambda: bool(gs.model.view.get("levers")), what="the orders view")
            await close_cards(pilot)
            await pilot.press("5")
            await pilot.press("t")
            form = await modal(pilot, StatementScreen)
            # each kind says what it does, from the rules; the teams are offered by name, never our own
            assert "Public praise builds trust with the team praised (trust with the team addressed +2)" in (
                static_text(app, "#statement-effect")
            )
            target = form.query_one("#statement-target", Select)
            assert [label for label, _ in target._options] == ["United States", "China", "Canada"]
            # a threat to no team is not offered; a commitment may be made to all
            form.query_one("#statement-kind", Select).value = "commitment"
            await pilot.pause()
            assert target._options[0] == ("no team in particular", "")
            form.query_one("#statement-kind", Select).value = "praise"
            await pilot.pause()
            target.value = "cn"
            form.query_one("#statement-text", Input).focus()
            await pilot.press(*"We welcome the new listings")
            await wait_until(pilot, lambda: static_text(app, "#statement-check").startswith("ok"))
            assert static_text(app, "#statement-check") == (
                "ok: Mexico praises China: “We welcome the new listings”"
            )
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not isinstance(app.screen, StatementScreen), what="form closed")
            info = static_text(app, "#order-info")
            assert "Public statement, sent with the orders (ctrl+s): Mexico praises China" in info
            # Ready before sending it asks first: the statement would be lost
            assert gs.orders.unsent() is not None and "statement is not sent" in str(gs.orders.unsent())
            await pilot.press("ctrl+s")
            got = await frames_until(fac, is_event("orders_submitted", team="mx"))
            assert got[-1]["event"]["statement"] == {
                "kind": "praise",
                "target": "cn",
                "text": "We welcome the new listings",
            }
            await wait_until(
                pilot, lambda: "Public statement (sent)" in static_text(app, "#order-info"), what="sent"
            )
            assert gs.orders.unsent() is None
            await advance_to(fac, "results")
            await wait_until(
                pilot,
                lambda: (
                    "[statement] Mexico praises China: “We welcome the new listings” — public praise"
                    in _results(app)
                ),
                what="the statement's card",
            )
            await pilot.press("6")
            await wait_until(pilot, lambda: "Mexico praises China" in screen_text(app))


async def test_a_statement_sent_and_then_dropped_is_withdrawn_only_by_submitting_again(url: str) -> None:
    g, tokens = await new_game(url, teams=("ca",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["ca"])
        async with app.run_test(size=(80, 24)) as pilot:
            gs = await until_online(pilot)
            await wait_until(pilot, lambda: bool(gs.model.view.get("levers")), what="the orders view")
            await close_cards(pilot)
            await pilot.press("5")
            await pilot.press("t")
            form = await modal(pilot, StatementScreen)
            form.query_one("#statement-kind", Select).value = "commitment"
            await pilot.pause()
            form.query_one("#statement-target", Select).value = ""  # to no team in particular
            await pilot.pause()
            form.query_one("#statement-text", Input).value = "We will do our part"  # a blank one is refused
            await pilot.pause()
            await pilot.click("#statement-ok")
            await wait_until(pilot, lambda: not isinstance(app.screen, StatementScreen), what="form closed")
            await pilot.press("ctrl+s")
            got = await frames_until(fac, is_event("orders_submitted", team="ca"))
            said = {"kind": "commitment", "target": None, "text": "We will do our part"}
            assert got[-1]["event"]["statement"] == said
            await wait_until(
                pilot, lambda: "(sent): Canada makes a public commitment" in static_text(app, "#order-info")
            )
            # dropped in the form: the one sent still stands, and the tab and Ready say so
            await pilot.press("t")
            await modal(pilot, StatementScreen)
            await pilot.click("#statement-drop")
            await wait_until(pilot, lambda: not isinstance(app.screen, StatementScreen), what="form closed")
            await pilot.pause()
            assert "submit again (ctrl+s) to withdraw it" in static_text(app, "#order-info")
            assert "dropped your public statement" in str(gs.orders.unsent())
            gs.orders.show()  # a redraw (a new view) does not bring the dropped statement back
            assert gs.orders.submission() is not None and gs.orders.submission().statement is None
            await pilot.press("ctrl+s")
            got = await frames_until(fac, is_event("orders_submitted", team="ca"))
            assert got[-1]["event"]["statement"] is None
            await wait_until(pilot, lambda: "Public statement" not in static_text(app, "#order-info"))
            assert gs.orders.unsent() is None


async def test_the_statement_form_offers_only_other_teams_and_names_what_a_kind_moves(url: str) -> None:
    g, tokens = await new_game(url, teams=("us",))
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(80, 24)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("5")
        await pilot.press("t")
        form = await modal(pilot, StatementScreen)
        form.query_one("#statement-kind", Select).value = "threat"
        await pilot.pause()
        target = form.query_one("#statement-target", Select)
        assert "us" not in [v for _, v in target._options] and "" not in [v for _, v in target._options]
        # a threat's effect names what it moves when the US speaks, by name
        effect = static_text(app, "#statement-effect")
        assert "from the US to Mexico: Mexican sovereignty tension +8" in effect
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, StatementScreen), what="form closed")
        assert gs.orders._statement is None  # cancelled: nothing drafted


# ---------------------------------------------------------------------- 2 names, not engine words


async def test_a_seat_is_named_as_the_scenario_names_it_never_by_its_id(url: str) -> None:
    async with LobbyClient(url) as lobby:
        g = await lobby.create_game("loose-talk", seed=3)
        token = (await lobby.join(g.game_id, g.join_codes["ca"], "Ana-ca", "pmo")).token
    app = seat_app(url, g, token)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("5")
        await wait_until(pilot, lambda: "Orders left" in static_text(app, "#order-info"), what="the orders")
        info = static_text(app, "#order-info")
        assert "(your seat: Prime Minister's Office and Global Affairs)" in info
        assert "pmo" not in info


async def test_lever_codes_in_an_injects_prose_come_with_the_levers_name(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("1")

        # turn 1's inject keeps its text as written ("Public counter-blame (MX-BLAME) costs Mexico
        # nothing this turn.") and says under it what its codes are
        def card() -> str:
            return " ".join((static_text(app, "#brief-news") + static_text(app, "#brief-injects")).split())

        await wait_until(pilot, lambda: "(MX-BLAME) costs Mexico nothing" in card(), what="the inject's card")
        assert "Levers named: MX-BLAME — Public counter-blame aimed at US society" in card()
        assert "MX-VOTERS — Call on Mexican-American voters to oppose a US party" in card()


def test_a_rules_prose_and_inputs_name_levers_and_values_not_engine_keys() -> None:
    rb = default_rulebook()
    ev = {
        "type": "effect",
        "rule": "queue",
        "reason": "lagged effects mature: cn_directive, mx_plan_1",
        "changes": {},
        "inputs": [
            {"reason": "lawmakers take note", "source": "mx_plan_1", "target": "us.congress_pressure"}
        ],
    }
    card = result_text(ev, rb)
    assert "mature: CN-DIRECTIVE (Narcotics commission directive reminding firms of existing law), " in card
    assert "MX-PLAN(i) (Federal fentanyl coordinating body)" in card
    assert "delayed effect of an earlier MX-PLAN(i)" in card
    assert "order on Congressional hawk pressure on the White House: lawmakers take note" in card
    assert "mx_plan_1" not in card and "us.congress_pressure" not in card
    force = {
        "type": "effect",
        "rule": "d3.audience",
        "reason": "A1 comes into force (public, framed as shared_responsibility)",
    }
    assert "framed as shared responsibility)" in result_text(force, rb)
    order = {"type": "order_executed", "team": "us", "lever": "us_tariff", "params": {"target": "ca"}}
    assert "(on goods of: Canada, rate in %: 25, tariff: threatened)" in result_text(order, rb)


async def test_the_parameters_form_says_what_each_parameter_sets_and_its_choices_in_words(url: str) -> None:
    g, tokens = await new_game(url, teams=("us",))
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("5")
        sl = gs.query_one("#order-list", SelectionList)
        await wait_until(pilot, lambda: sl.option_count > 5, what="the lever list")
        ids = [str(sl.get_option_at_index(i).value) for i in range(sl.option_count)]
        sl.focus()
        sl.highlighted = ids.index("us_tariff")
        await pilot.press("p")
        form = await modal(pilot, ParamsScreen)
        labels = [str(lb.render()) for lb in form.query(Label)]
        assert "The partner whose goods are hit: Mexico / Canada / China (default Mexico)" in labels
        assert not any(lb.startswith(("target", "mode")) for lb in labels)
        target = form.query(Select).first()
        assert [label for label, _ in target._options] == ["Mexico", "Canada", "China"]
        target.value = "cn"
        await pilot.pause()
        cost = str(form.query_one("#param-cost", Static).render())
        assert "ok: on goods of: China, rate in %: 25, tariff: threatened" in cost


def test_an_agreements_parties_are_named_not_listed_by_id() -> None:
    game = LiveGame(agreements={"A1": {"id": "A1", "parties": ["us", "mx", "ca"], "status": "active"}})
    text = render.agreements_text(game)
    assert "(United States, Mexico and Canada)" in text and "US,MX" not in text


# ---------------------------------------------------------------------- 3 the orders tab at 80 columns


def _row_on_screen(app: object, code: str) -> str:
    return next(line for line in screen_text(app).splitlines() if f" {code} " in line)  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_each_levers_cost_lag_and_plain_effect_can_be_read_at_80_and_120_columns(
    url: str, size: tuple[int, int]
) -> None:
    g, tokens = await new_game(url, teams=("us",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=size) as pilot:
            gs = await until_online(pilot)
            await wait_until(pilot, lambda: bool(gs.model.view.get("levers")), what="the orders view")
            await close_cards(pilot)
            await pilot.press("5")
            sl = gs.query_one("#order-list", SelectionList)
            await wait_until(pilot, lambda: sl.option_count > 5, what="the lever list")
            sl.focus()
            sl.highlighted = [str(sl.get_option_at_index(i).value) for i in range(sl.option_count)].index(
                "us_san_3"
            )
            await pilot.pause(0.3)
            # every row shows its cost and when it acts, whatever the width
            row = _row_on_screen(app, "US-SAN-3")
            assert "1 PC  lag 1m" in row, row
            assert "—  out" in _row_on_screen(app, "US-GUA")
            # the highlighted lever in full under the list: its whole name, cost, lag and what it moves
            detail = " ".join(static_text(app, "#order-detail").split())
            assert detail.startswith(
                "US-SAN-3 — Sanctions on Chinese and third-country precursor suppliers · 1 PC · lag 1 month"
                " · e lists all 4 effects It raises Chinese-origin supply cut by sanctions on suppliers"
                " (after 1m); raises"
            ), detail
            shown = " ".join(screen_text(app).split())
            assert "It raises Chinese-origin supply cut by sanctions on suppliers (after 1m)" in shown
            # a once-per-game lever says so before it is spent (a student learnt it from the refusal)
            sl.highlighted = [str(sl.get_option_at_index(i).value) for i in range(sl.option_count)].index(
                "us_fto"
            )
            await pilot.pause(0.3)
            assert "· once per game" in " ".join(static_text(app, "#order-detail").split())
            sl.highlighted = [str(sl.get_option_at_index(i).value) for i in range(sl.option_count)].index(
                "us_san_3"
            )
            await pilot.pause(0.3)
            # each button is on the screen, the statement's too
            for b in gs.orders.query(Button):
                assert b.region.right <= size[0] and b.region.bottom <= size[1] - 1, (b.id, b.region)
            if size[0] >= 120:  # room beside the row for what it moves
                assert "raises Chinese-origin supply" in row, row


# ---------------------------------------------------------------------- 4 results read as words


def _game_log(scenario: str, seed: int) -> list[dict[str, object]]:
    from precursor.analysis.runner import play
    from precursor.game.bots import BotDriver

    rb = default_rulebook()
    personas = dict(rb.scenarios[scenario].model.personas)
    game, _ = play(rb, scenario, seed, None, bots=BotDriver(rb, personas, seed))
    return list(game.log)


def test_how_an_outcome_was_worked_out_reads_as_sentences_not_the_engines_keys() -> None:
    rb = default_rulebook()
    tension = render.why_card(
        {
            "type": "order_executed",
            "lever": "us_border",
            "code": "US-BORDER",
            "team": "us",
            "name": "Border",
            "changes": {"mx.st": 42},
            "before": {"mx.st": 40},
            "inputs": [{"rule": "a1.tension", "base": 4.0, "multiplier": 0.5, "tension_added": 2}],
        },
        rb,
    )
    assert "Mexican sovereignty tension +2: the act weighs 4, × 0.5 at this moment" in tension
    assert "base" not in tension and "multiplier" not in tension and "bookkeeping" not in tension
    campaign = render.input_lines(
        [{"rule": "a1.tension", "base": 3.0, "multiplier": 0.75, "tension_added": 2}]
    )
    assert campaign[0].startswith("Mexican sovereignty tension +2: the act weighs 3, × 0.75 at this moment")
    review = render.why_card(
        {"type": "effect", "rule": "f3.review", "reason": "r", "changes": {}, "inputs": {"badge": False}}, rb
    )
    assert "no review badge (it needs both deaths and homicides to fall)" in review
    assert "False" not in review and "badge no" not in review
    draw = render.input_lines([{"effect": "trust.us_mx", "p": 0.27, "roll": 0.4378, "hit": False}], rb)
    assert draw == [
        "a 27% chance (it happens on a draw under 27%); the draw was 44%, so it did not happen:"
        " trust between the US and Mexico"
    ]


def test_a_signed_agreement_says_which_who_signed_and_who_does_what_not_the_engines_tallies() -> None:
    rb = default_rulebook()
    # the bots sign their two-party deals first now: read the trilateral one, wherever it falls
    ev = next(
        e
        for e in _game_log("tutorial", 0)
        if e["type"] == "agreement" and set(e["agreement"]["parties"]) == {"us", "mx", "ca"}
    )
    text = result_text(ev, rb)
    aid = ev["agreement"]["id"]
    assert text.startswith(f"[agreement] {aid} signed by United States, Mexico and Canada (public)"), text
    assert "Canada commits to CA-BORDER (" in text and re.search(r"turns \d–\d", text), text
    assert "module: T1, Chemical" in text and "trilateral modules: T1 (Chemical notification" in text
    assert "agreement:" not in text and "has signed" not in text and "agreements " not in text


def test_a_broken_clause_shows_what_it_cost_from_the_old_value_to_the_new() -> None:
    rb = default_rulebook()
    # the first seed of 0..9 whose game has Mexico break a clause (today's bots: seed 0, turn 10)
    ev = next(
        e
        for seed in range(10)
        for e in _game_log("tariffs-and-terror", seed)
        if e["type"] == "compliance" and not e["met"] and e["team"] == "mx" and "did not play" in e["reason"]
    )
    text = result_text(ev, rb)
    assert text.startswith("[clause broken] Mexico did not play"), text
    assert "Trust between the US and Mexico 100.0 → 90.0" in text and "= 90" not in text


def test_a_change_reads_both_sides_at_one_precision_and_a_share_as_a_percentage() -> None:
    rb = default_rulebook()

    def shown(key: str, b: float, a: float) -> list[str]:
        return render.changes_text({"changes": {key: a}, "before": {key: b}}, rb)

    assert shown("us.approval", 44, 43.9) == ["US administration approval on the issue 44.0 → 43.9 %"]
    assert shown("us.approval", 44, 43.96) == []  # the dashboard's tenth does not show it either
    assert shown("us.approval", 44, 44.0) == []
    hawks = shown("us.congress_pressure", 76, 75.9)
    assert hawks == ["Congressional hawk pressure on the White House 76.0 → 75.9"]
    assert shown("cartel.capture_chance", 0.0, 0.096) == ["Monthly chance of a kingpin capture 0.0% → 9.6%"]
    deaths = shown("ca.opioid_deaths", 7345.25, 7301.5)
    assert deaths == ["Canada apparent opioid-toxicity deaths (annualized) 7,345 → 7,302 deaths a year"], (
        deaths
    )


def test_module_ids_read_as_the_rules_write_them_and_team_codes_are_not_doubled() -> None:
    rb = default_rulebook()
    module = render.why_card(
        {
            "type": "effect",
            "rule": "h1.trilateral_modules",
            "reason": "trilateral modules come into force at a North American meeting: t1, t5",
            "changes": {},
        },
        rb,
    )
    assert "at a North American meeting: T1, T5" in module
    orders = render.why_card(
        {"type": "orders_revealed", "turn": 1, "orders": [{"team": "us", "lever": "us_border"}]}, rb
    )
    assert orders == (
        "[orders] turn 1, public orders:\n"
        "    United States: Secure the border between ports of entry (US-BORDER)"
    )


def test_an_order_that_moved_nothing_yet_says_when_its_effects_arrive() -> None:
    rb = default_rulebook()
    ev = {"type": "order_executed", "lever": "ca_demand", "team": "ca", "name": "x", "changes": {}}
    card = result_text(ev, rb)
    assert card.splitlines()[1].strip() == "no immediate effect; it takes effect after 6 months", card
    # US-FACT acts at once when its condition holds, and again three months on: a student read "no
    # immediate effect" under an order its row had called "at once"
    ev = {"type": "order_executed", "lever": "us_fact", "team": "us", "name": "x", "changes": {}}
    card = result_text(ev, rb)
    assert "no immediate effect" not in card, card
    assert "conditions not met" in card and "more may come after 3 months" in card, card


# ---------------------------------------------------------------------- 5 labels a player reads


def test_a_computer_player_is_called_so_and_the_solo_players_default_name_is_not_shown() -> None:
    from client_tui import terms
    from client_tui.panes.channels import message_line

    rb = default_rulebook()
    bot = {"turn": 2, "team": "us", "name": "bot:institutionalist", "text": "A shared problem."}
    assert message_line(bot) == "T2 United States (computer player): A shared problem."
    solo = {"turn": 2, "team": "mx", "name": "solo player", "text": "Agreed."}
    assert message_line(solo) == "T2 Mexico: Agreed."
    assert message_line({"turn": 1, "team": "ca", "name": "Eve", "text": "hi"}) == "T1 Canada (Eve): hi"
    p = {"id": "T1-US-1", "from": "us", "by": "bot:institutionalist", "parties": ["us", "mx"], "clauses": []}
    head = terms.proposal_text(LiveGame(), rb, p).splitlines()[0]
    assert head == "Proposal T1-US-1 from United States (computer player)", head
    mine = terms.proposal_text(LiveGame(), rb, {**p, "from": "mx", "by": "solo player"}).splitlines()[0]
    assert mine == "Proposal T1-US-1 from Mexico", mine


def test_a_levers_effects_read_as_a_sentence() -> None:
    """'It sets Mexico withholds DEA visas; lowers Ceiling on cooperation …' read the orders tab."""
    rb = default_rulebook()
    words = render.effect_words(rb, "mx_deavisa")
    assert words.startswith(
        "means Mexico withholds DEA visas; lowers ceiling on cooperation set by the Mexican presidency"
    ), words
    assert render.effect_words(rb, "us_tri").startswith("means a trilateral meeting is held this turn")
    assert "sets US–Mexico blame or threats (halves each turn) to 0" in render.effect_words(
        rb, "ca_mediate", 4
    )
    # a proper noun or an acronym keeps its capital
    assert "lowers Mexican sovereignty tension" in render.effect_words(rb, "us_tri")


async def test_the_position_form_names_the_team_and_says_what_the_hot_wash_is(url: str) -> None:
    from client_tui.white_cell import PositionScreen

    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("w")
        form = await modal(pilot, PositionScreen)
        head = " ".join(str(form.query(Static).first().render()).split())
        assert head == (
            "Mexico's position before play — the hot wash (the debrief after the last turn) holds it against"
            " what Mexico does"
        ), head
