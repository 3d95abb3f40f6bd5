"""What students met in session 24, each on a real server and the real client."""

from __future__ import annotations

import textwrap

from test_tui_support import (
    add_clause,
    advance_to,
    china_bot_at_negotiation,
    china_bot_tabled,
    close_cards,
    modal,
    new_game,
    open_composer,
    open_orders,
    seat_app,
    static_text,
    team_model,
    until_online,
    wait_until,
)
from textual import events
from textual.widgets import Checkbox, Input, Select

from client_tui.composer import ComposerScreen
from client_tui.model import LiveGame
from client_tui.panes.briefing import BriefingPane
from client_tui.panes.dashboard import flowed
from client_tui.panes.game_over import game_over_text
from client_tui.panes.statement import StatementScreen
from client_tui.terms import check_draft, proposal_text, word_not_enough
from client_tui.white_cell import PositionScreen
from precursor.analysis.runner import play
from precursor.client import GameClient
from precursor.game.bots import BotDriver
from precursor.game.commands import Clause, Propose
from precursor.game.rulebook import default_rulebook
from precursor.game.views import view


async def test_keys_that_reach_a_field_before_its_focus_are_kept(url: str) -> None:
    """Student j23 typed "US hosts a summit; Mexico tightens ports" right after Tab and filed "ightens
    ports": in a terminal burst the first keys reached the next field before its focus event, which
    then selected them all, and the next key replaced them (seen again in tmux: red lines "rikes")."""
    g, tokens = await new_game(url, teams=("mx",), scenario="loose-talk")
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        await until_online(pilot)
        await wait_until(pilot, lambda: "press w" in static_text(app, "#notice"))
        await close_cards(pilot)
        await pilot.press("w")
        pos = await modal(pilot, PositionScreen)
        red = pos.query_one("#pos-red", Input)
        text = "No US strikes"
        for ch in text[:5]:  # the keys the terminal delivered before the focus moved
            red.post_message(events.Key("space" if ch == " " else ch, ch))
        await pilot.pause(0.1)
        red.focus()
        await pilot.pause(0.1)
        for ch in text[5:]:
            red.post_message(events.Key("space" if ch == " " else ch, ch))
        await pilot.pause(0.3)
        assert red.value == text, red.value
        # a field tabbed into with nothing typed in between still selects what it holds, so typing
        # replaces an old answer as before
        goals = pos.query_one("#pos-goals", Input)
        goals.value = "old goals"
        goals.focus()
        await pilot.pause()
        await pilot.press("n", "e", "w")
        assert goals.value == "new", goals.value


def test_the_end_screen_says_a_score_read_the_true_figure_the_dashboard_shows_late() -> None:
    """Student k23's US public health was +7.6, "+1 for each 2 % fewer deaths", while the dashboard still
    showed the deaths at the start (they are reported four months late) and the report's chart a smaller
    fall: no screen gave the figure the score read. The row says what it read, and where the component
    reads that figure alone, about what it was."""
    rb = default_rulebook()
    personas = dict(rb.scenarios["tutorial"].model.personas)
    game, _ = play(rb, "tutorial", 2, None, bots=BotDriver(rb, personas, 2))
    true = float(game.state.env["us.od_synth"])
    assert true < 0.95 * float(game.state.env["start.us.od_synth"])  # a fall the dashboard does not show yet
    texts = {}
    for team in ("us", "ca"):
        live = LiveGame()
        live.me = {"role": "player", "team": team, "seat": f"{team}.president", "player_id": "p1"}
        live.set_view(view(game, team), game.state.seq)
        texts[team] = game_over_text(live, rb, "g1")
    line = next(x for x in texts["us"].splitlines() if "read on: US synthetic-opioid overdose deaths" in x)
    assert "as reported, 4 months late" in line, line
    about = float(line.split("about ", 1)[1].split(" deaths/yr")[0].replace(",", ""))
    assert abs(about - true) < 0.01 * true, (about, true)
    # Canada's component also reads its own deaths: the figure cannot be worked back, only named
    rows = texts["ca"].splitlines()
    own = next(i for i, x in enumerate(rows) if "← your team" in x)
    ca = [x for x in rows[own:] if "read on: US synthetic-opioid overdose deaths" in x]
    assert ca and "about" not in ca[0] and "the true figure when the scores were taken" in ca[0], ca


async def test_a_sovereignty_accord_is_composed_from_a_box_while_a_breach_stands(url: str) -> None:
    """Student l24's Canada needed a Sovereignty Accord to clear a breach (Red Line): the levers had no
    "accord", the palette no "declar", and the composer no field for it, so no human could make one.
    While a breach stands the composer offers the box, checks it with the server's rules (public, the
    US and Mexico, a US concession, old enough), and the proposal says what it is."""
    g, tokens = await new_game(url, teams=("mx", "us"), scenario="red-line")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            cs = await open_composer(pilot)
            assert not cs.query("#c-accord")  # no breach: no accord to make
            cs.query_one("#c-lever-find", Input).value = "accord"
            await pilot.pause()
            assert "a Sovereignty Accord is a kind of deal, not a lever" in str(
                cs.query_one("#c-lever", Select).prompt
            )
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, ComposerScreen))
            for key, value in (("flag.hrl", True), ("flag.hrl_months", 3)):
                await fac.send(
                    {"type": "override", "key": key, "value": value, "note": "a breach, for the test"}
                )
            await advance_to(fac, "negotiation")  # the seat's view is fetched again at a phase
            gs = app.screen
            await pilot.press("n")
            cs = await modal(pilot, ComposerScreen)
            cs.query_one("#c-accord", Checkbox).value = True
            await add_clause(pilot, cs, "us", "us_arms")
            assert "a Sovereignty Accord clears the breach in public" in static_text(app, "#c-check"), (
                static_text(app, "#c-check")
            )
            cs.query_one("#c-vis", Select).value = "public"
            await pilot.pause()
            assert cs.check() is None and "ok: the server will take it" in static_text(app, "#c-check"), (
                static_text(app, "#c-check")
            )
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not isinstance(app.screen, ComposerScreen), what="sent")
            await wait_until(
                pilot,
                lambda: any(p.get("sovereignty_accord") for p in gs.model.proposals.values()),
                what="the accord tabled",
            )
            p = next(p for p in gs.model.proposals.values() if p.get("sovereignty_accord"))
            assert "A Sovereignty Accord: signed, it clears the breach" in proposal_text(gs.model, gs.rb, p)


def test_an_accord_too_soon_after_the_breach_is_refused_in_the_composer_as_the_server_would() -> None:
    """The client reads the breach's age off the view and asks the server's own check."""
    rb = default_rulebook()
    cmd = Propose(
        parties=["us", "mx"],
        clauses=[Clause(actor="us", lever="us_arms")],
        visibility="public",
        sovereignty_accord=True,
    )
    young = team_model(rb, "mx", "red-line", **{"flag.hrl": True, "flag.hrl_months": 1.0})
    why = check_draft(young, rb, cmd)
    assert why is not None and "3 months after it, and it is 1 month old" in why, why
    assert (
        check_draft(team_model(rb, "mx", "red-line", **{"flag.hrl": True, "flag.hrl_months": 3.0}), rb, cmd)
        is None
    )
    none = check_draft(team_model(rb, "mx", "red-line"), rb, cmd)
    assert none is not None and "no breach stands uncleared" in none, none


def test_the_shared_penalty_on_the_end_screen_says_what_it_is_for_once() -> None:
    """Student l24's Red Line ended with "shared bonus or penalty: -5.0" under all four teams, and no
    line said why, where every component has its "made of"."""
    rb = default_rulebook()
    personas = dict(rb.scenarios["tutorial"].model.personas)
    game, _ = play(rb, "tutorial", 2, None, bots=BotDriver(rb, personas, 2))
    live = LiveGame()
    live.me = {"role": "player", "team": "ca", "seat": "ca.president", "player_id": "p1"}
    live.set_view(view(game, "ca"), game.state.seq)
    for sc in live.view["scores"].values():  # as a game whose breach stood uncleared would end
        if isinstance(sc, dict) and "total" in sc:
            sc["shared"], sc["total"] = -5.0, round(float(sc["total"]) - 5.0, 2)
    text = game_over_text(live, rb, "g1")
    assert text.count("shared bonus or penalty: -5.0") == 4, text
    said = " ".join(rb.shared_malus_words.split())
    assert said and text.count(f"made of: {said}") == 1, text
    assert "breach of the hard red line stands uncleared" in said


def test_a_self_verified_draft_to_a_distrustful_party_says_a_bot_will_ask_for_checks() -> None:
    """Student m24's US sent self-verified deals to Mexico at trust 27 after the composer said "ok", and
    Mexico countered only to ask for compliance checked by both sides."""
    rb = default_rulebook()
    clauses = [
        Clause(actor="us", lever="us_arms", duration=1),
        Clause(actor="mx", lever="mx_deleg", duration=1),
    ]
    low = team_model(rb, "us", "loose-talk", **{"trust.us_mx": 27.0})
    said = word_not_enough(low, rb, Propose(parties=["us", "mx"], clauses=clauses))
    assert said == ["trust with Mexico is 27 (under 60, a bot may ask for checks by both sides)"], said
    assert not word_not_enough(low, rb, Propose(parties=["us", "mx"], clauses=clauses, verification="joint"))
    high = team_model(rb, "us", "loose-talk", **{"trust.us_mx": 75.0})
    assert not word_not_enough(high, rb, Propose(parties=["us", "mx"], clauses=clauses))


async def test_an_inject_that_makes_another_teams_lever_free_says_what_its_bot_has_said_of_asking(
    url: str,
) -> None:
    """Loose Talk's "Embarrassment in Beijing" made CN-PEN free and told student m24's US it could ask
    for it in a proposal; China's bot declines such steps outside a summit, which the card did not say."""
    g, tokens = await china_bot_at_negotiation(url)
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        gs = await until_online(pilot)
        await wait_until(pilot, lambda: china_bot_tabled(gs.model), what="a proposal of China's bot")
        pane = gs.query_one(BriefingPane)
        said = pane._stated_lines({"free_levers": ["cn_pen", "mx_xi"]})
        assert len(said) == 1 and said[0].startswith(
            "Asking for CN-PEN: China has said it declines this: “Steps"
        ), said
        assert "A leader summit is open this turn: no" in said[0], said


async def test_words_typed_on_the_statement_kind_list_go_to_the_statement(url: str) -> None:
    """Student l24 pressed t and typed a sentence at once: the focus starts on the kind list, whose first
    space opened the list, and the words went nowhere ("! a public statement needs words")."""
    from textual import events

    g, tokens = await new_game(url, teams=("us",))
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(120, 40)) as pilot:
        await open_orders(pilot)
        await pilot.press("t")
        ss = await modal(pilot, StatementScreen)
        kind = ss.query_one("#statement-kind", Select)
        assert app.focused is kind
        for ch in "We will work":  # one burst, as a terminal delivers it
            kind.post_message(events.Key("space" if ch == " " else ch, ch))
        await pilot.pause(0.3)
        assert ss.query_one("#statement-text", Input).value == "We will work"
        assert not kind.expanded and ss.query_one("#statement-kind", Select).value == "praise"
        # a space alone on the list still opens it, as everywhere else
        kind.focus()
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert kind.expanded


def test_a_dashboard_heading_runs_across_the_row_and_keeps_every_word_in_order() -> None:
    """At 80 columns an objective was set in the name column's 25 characters, six lines beside an empty
    right half (students k23, l24 and m24); its words now run across the row's cells."""
    text = (
        "The US owns part of the problem in public: it orders a shared-responsibility action on"
        " southbound arms (US-ARMS) or on demand (US-DEMAND), or a US seat makes a public statement"
    )
    widths = [25, 8, 12, 8, 11]
    cells = flowed(text, widths, "  ", "    ")
    assert len({len(c) for c in cells}) == 1  # every column has as many lines
    assert all(len(line) <= w for c, w in zip(cells, widths, strict=True) for line in c)
    read = [w for i in range(len(cells[0])) for c in cells for w in c[i].split()]
    assert read == text.split()
    narrow = textwrap.wrap(text, 25)
    assert len(cells[0]) <= len(narrow) // 2 + 1, (len(cells[0]), len(narrow))
