"""The words of the results log and the end screen as students read them in s11: a clause broken by a
weaker order read as a lever never played, bare lever codes, a draw that looked equal to its chance, an
end screen missing orders the log showed."""

from __future__ import annotations

from typing import Any

from test_tui_support import advance_to, close_cards, new_game, seat_app, until_online

from client_tui import render
from client_tui.model import LiveGame
from client_tui.panes.game_over import game_over_text
from client_tui.panes.results import result_text
from precursor.analysis.review import clause_text
from precursor.client import GameClient
from precursor.game.commands import (
    Actor,
    Advance,
    Clause,
    CommandEnvelope,
    Order,
    Propose,
    Respond,
    SubmitOrders,
)
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook, default_rulebook

SYSTEM = Actor(role="system")


def _adv(g: Game) -> None:
    g.handle(CommandEnvelope(actor=SYSTEM, command=Advance()))


def _as(team: str, cmd: Any) -> CommandEnvelope:
    return CommandEnvelope(actor=Actor(team=team), command=cmd)


def _compliance(rb: Rulebook, mx_orders: list[Order]) -> dict[str, Any]:
    """The engine's verdict on Mexico's clause for MX-ME at 70, after Mexico ordered ``mx_orders``."""
    g = Game.new(rb, "election-season", 1)
    _adv(g)
    clause = Clause(actor="mx", lever="mx_me", params={"level": 70})
    g.handle(_as("mx", Propose(parties=["us", "mx"], visibility="public", clauses=[clause])))
    g.handle(_as("us", Respond(proposal="T1-MX-1", action="accept")))
    while g.state.phase != "orders":
        _adv(g)
    g.handle(_as("mx", SubmitOrders(orders=mx_orders)))
    _adv(g)
    return next(e for e in g.log if e["type"] == "compliance")


# ---------------------------------------------------------------------- 1 a clause broken by a weaker order


def test_a_clause_broken_by_a_weaker_order_reads_as_played_short_in_the_results() -> None:
    """A student played MX-ME at 60 under a clause for 70 and read "Mexico did not play MX-ME": the card
    says the order was played, at which level, and what was agreed."""
    rb = default_rulebook()
    short = result_text(_compliance(rb, [Order(lever="mx_me", params={"level": 60})]), rb)
    head = short.split("\n")[0]
    assert head == (
        "[clause broken] Mexico played MX-ME (Set the level of migration enforcement) at enforcement"
        " level 60, short of the 70 agreed in A1-MX-1"
    )
    missing = result_text(_compliance(rb, []), rb).split("\n")[0]
    assert missing == (
        "[clause broken] Mexico did not play MX-ME (Set the level of migration enforcement)"
        " as agreed in A1-MX-1, and what it sets does not stand where the deal asks"
    )


# ---------------------------------------------------------------------- 3 a turn's orders by name


def test_a_turns_orders_read_by_name_and_code_a_line_per_team() -> None:
    """Students read "[orders] turn 1, public orders: US-DEMAND, US-IND, MX-ME, …": a list of codes. Each
    order now reads by its lever's name with the code beside it, everyone's public orders a line per
    team, as the order cards below them do."""
    from precursor.analysis.runner import play
    from precursor.game.bots import BotDriver

    rb = default_rulebook()
    # a game whose first turn has public orders from all four teams: Three Weeks, seed 24, no longer
    # shows any of Mexico's turn-1 orders in the public list; Loose Talk, seed 0, shows all four
    personas = dict(rb.scenarios["loose-talk"].model.personas)
    game, _ = play(rb, "loose-talk", 0, None, bots=BotDriver(rb, personas, 0), until_turn=1)
    public = next(e for e in game.log if e["type"] == "orders_revealed" and e["team"] is None)
    lines = result_text(public, rb).split("\n")
    assert lines[0] == "[orders] turn 1, public orders:"
    teams = [line.strip().split(":")[0] for line in lines[1:]]
    assert teams == ["United States", "Mexico", "China", "Canada"], lines
    for o in public["orders"]:
        lv = rb.levers[o["lever"]]
        assert f"{lv.name} ({lv.code})" in lines[1 + teams.index(rb.teams[lv.team].name)], lines
    own = next(e for e in game.log if e["type"] == "orders_revealed" and e["team"] == "ca")
    text = result_text(own, rb)
    names = [f"{rb.levers[o['lever']].name} ({rb.levers[o['lever']].code})" for o in own["orders"]]
    assert text == "[orders] turn 1, orders of Canada: " + "; ".join(names)
    empty = {"type": "orders_revealed", "turn": 2, "team": None, "orders": []}
    assert result_text(empty, rb) == "[orders] turn 2, public orders: none"


# ---------------------------------------------------------------------- 4 a draw against its chance


def test_a_draw_close_to_its_chance_reads_apart_from_it() -> None:
    """Students read "how: a 33% chance; the draw was 33%, so it happened": both rounded to the same
    figure. Each gets the decimals it takes to read apart (here a capture drawn at 15.79 against 16.38,
    Tutorial seed 10 with its own computer players: both read "16%" rounded)."""
    from precursor.analysis.runner import play
    from precursor.game.bots import BotDriver

    rb = default_rulebook()
    personas = dict(rb.scenarios["tutorial"].model.personas)
    game, _ = play(rb, "tutorial", 10, None, bots=BotDriver(rb, personas, 10))
    capture = next(
        e
        for e in game.log
        if e["type"] == "effect" and e.get("rule") == "e1.capture" and e["turn"] == 3 and e.get("inputs")
    )
    assert capture["inputs"][0]["roll"] == 0.1579 and capture["inputs"][0]["p"] == 0.1638
    card = result_text(capture, rb)
    assert "a 16.4% chance; the draw was 15.8%, so it happened" in card, card
    assert render.chance_and_draw(0.08, 0.077) == ("8%", "7.7%")  # apart already: as before
    assert render.chance_and_draw(0.5, 0.4996) == ("50.00%", "49.96%")
    assert render.chance_and_draw(0.25, 0.25) == ("25%", "exactly 25%")  # not under it: no


# ---------------------------------------------------------------------- 5 the end screen's record


def _canada_game(rb: Rulebook) -> Game:
    """Three Weeks, seed 24, as a student played it: Canada backs the USMCA as an enforcement tool in
    turn 3 and tables a free action in turn 4; the computer players hold the other seats."""
    from precursor.analysis.runner import play
    from precursor.game.bots import BotDriver

    drv = BotDriver(rb, dict(rb.scenarios["three-weeks"].model.personas), 24)

    def others(game: Game, phase: str) -> Any:
        return (env for env in drv(game, phase) if env.actor.team != "ca")

    def orders(*levers: str) -> dict[str, Any]:
        return {"team": "ca", "type": "submit_orders", "orders": [{"lever": x} for x in levers]}

    free = {
        "team": "ca",
        "type": "free_action",
        "title": "Fentanyl summit in Ottawa",
        "description": "Ministers of the three countries meet in Ottawa.",
        "effects": [{"indicator": "trust.us_ca", "direction": "up", "size": "small"}],
        "argument": "A summit builds Trust between the US and Canada.",
    }
    position = {"team": "ca", "type": "position", "goals": "A North American front on chemicals"}
    script = {
        "turns": [
            {"turn": 1, "commands": [position, orders("ca_demand", "ca_lea", "ca_tri")]},
            {"turn": 3, "commands": [orders("ca_demand", "ca_tri", "ca_usmca_enf")]},
            {"turn": 4, "commands": [free]},
        ]
    }
    game, errors = play(rb, "three-weeks", 24, script, bots=others)
    assert not errors, errors
    return game


def test_the_end_screen_keeps_the_orders_and_free_action_a_reconnect_replayed() -> None:
    """A student's end screen listed Canada's orders without CA-USMCA-ENF (turn 3), which the results
    log showed, and without the free action that worked. The results tab draws every event; the end
    screen reads the model's log, which dropped the events a reconnect replayed (the new view covers
    them). The log now keeps them, and the record names the free actions too."""
    from precursor.game.views import events_for, view

    rb = default_rulebook()
    game = _canada_game(rb)
    events = [dict(e) for e in events_for(game, "ca")]
    first = next(i for i, e in enumerate(events) if e["type"] == "phase" and e.get("turn") == 3)
    live = LiveGame()
    me = {"role": "player", "team": "ca", "seat": "ca.gac", "player_id": "p1", "game_id": "g1"}
    start = view(Game.new(rb, "three-weeks", 24), "ca")  # the seat joins before play
    live.welcome({**me, "type": "welcome", "view": start, "seq": 0})
    for ev in events[:first]:
        live.apply(int(ev["seq"]), ev)
    # the connection drops in turn 3; the seat comes back at the end, and the server replays the rest
    live.welcome({**me, "type": "welcome", "view": view(game, "ca"), "seq": game.state.seq})
    for ev in events[first:]:
        assert not live.apply(int(ev["seq"]), ev)  # covered by the view: drawn in the results only
    text = game_over_text(live, rb, "g1")
    did = next(line for line in text.splitlines() if "did — orders" in line)
    usmca = "Back the USMCA as an enforcement tool against illicit chemical trade (CA-USMCA-ENF), turn 3"
    assert usmca in did, did
    assert "Convene a trilateral meeting" in did and "turns 1, 3" in did, did
    free = next(line for line in text.splitlines() if "did — free actions" in line)
    assert free.strip() == "did — free actions: Fentanyl summit in Ottawa, turn 4: it worked", free
    assert len(live.log) == len(events)  # each event once


# ---------------------------------------------------------------------- 7 parameters by their labels


async def test_the_orders_sent_notice_and_the_review_name_parameters_by_their_labels(url: str) -> None:
    """The notice after submitting said "orders submitted: MX-ME (level 60)" and the review's clauses
    "US-SUMMIT … (partner: cn)": the engine's ids. Both read the rules' labels, as the orders tab does."""
    g, tokens = await new_game(url, teams=("mx",), scenario="election-season")
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["mx"])
        async with app.run_test(size=(120, 40)) as pilot:
            gs = await until_online(pilot)
            await close_cards(pilot)
            await gs._submit_orders(SubmitOrders(orders=[Order(lever="mx_me", params={"level": 60})]))
            assert gs._notice_text == "orders submitted: MX-ME (enforcement level: 60)"
    rb = default_rulebook()
    summit = clause_text(rb, {"actor": "us", "lever": "us_summit", "params": {"partner": "cn"}})
    assert summit == "US: US-SUMMIT Leader summit (with: China)", summit
    arrest = clause_text(rb, {"actor": "mx", "lever": "mx_arrest", "params": {"rank": "kingpin"}})
    assert "(target: " in arrest and "rank" not in arrest, arrest
