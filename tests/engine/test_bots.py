"""Scripted bots: legal play, persona hard rules, view-only decisions, and reasons kept from other teams."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from precursor.analysis.runner import play
from precursor.game import bots
from precursor.game.bots import (
    BOT_VIEW_KEYS,
    HISTORY_KEY,
    Bot,
    BotDriver,
    decisions,
    env_from_view,
    fast_view,
    orders,
)
from precursor.game.commands import CommandError, Order
from precursor.game.engine import Game
from precursor.game.rulebook import default_rulebook
from precursor.game.views import indicators_for, levers_for, redact, view

RB = default_rulebook()
TEAMS = ("us", "mx", "cn", "ca")
SCENARIOS = sorted(RB.scenarios)
BY_TEAM = {t: sorted(p for p, c in RB.personas.items() if c.team == t) for t in TEAMS}


def _bot_game(
    scenario: str, seed: int, personas: dict[str, str], until: int | None = None
) -> tuple[Game, list[Any]]:
    return play(RB, scenario, seed, None, bots=BotDriver(RB, personas, seed), until_turn=until)


def test_nine_personalities_exist() -> None:
    wanted = {
        "us": {"hawk", "institutionalist", "transactional"},
        "mx": {"sovereigntist", "cooperative"},
        "cn": {"deny_and_deflect", "reputation_conscious"},
        "ca": {"trilateralist", "border_first"},
    }
    for team, ids in wanted.items():
        assert ids <= set(BY_TEAM[team]), team
    for p in RB.personas.values():
        m = p.model
        assert m.weights and m.hard_rules and m.package is not None and m.reservation >= 0
        assert all(r.reason for r in p.hard_rules)


@pytest.mark.skipif(
    not orders.__file__ or not orders.__file__.endswith(".py"),
    reason="patches orders._Picks.take, which a build compiled with mypyc (setup.py) does not look up: "
    "the pure sources are checked here, and the compiled build plays the same games "
    "(tests/package/test_compiled.py)",
)
def test_a_cost_the_utility_search_found_is_the_one_legal_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The orders phase takes its best orders with the cost ``_best`` worked out, without asking
    ``legal`` again: in bot games of every scenario, that cost is always what ``legal`` gives."""
    taken = orders._Picks.take
    checked: list[float] = []

    def take(
        self: Any, lid: str, params: dict[str, Any], vis: str | None, why: str, known: float | None = None
    ) -> bool:
        if known is not None:
            lever = RB.levers[lid]
            public = (vis if lever.visibility == "choice" else lever.visibility) == "public"
            assert orders.legal(self.bot, self.view, self.env, lever, params, public) == known, lid
            checked.append(known)
        return taken(self, lid, params, vis, why, known)

    monkeypatch.setattr(orders._Picks, "take", take)
    for scenario in SCENARIOS:
        _bot_game(scenario, 3, dict(RB.scenarios[scenario].model.personas))
    assert len(checked) > 100


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scenario=st.sampled_from(SCENARIOS),
    seed=st.integers(0, 2**31),
    picks=st.tuples(*(st.sampled_from(BY_TEAM[t]) for t in TEAMS)),
)
def test_bots_never_issue_an_illegal_command(scenario: str, seed: int, picks: tuple[str, ...]) -> None:
    personas = dict(zip(TEAMS, picks, strict=True))
    game, refused = _bot_game(scenario, seed, personas)
    assert refused == [], [(r.turn, r.code, r.message) for r in refused]
    assert game.state.ended
    assert any(e["type"] == "order_executed" for e in game.log)


def test_every_bot_decision_has_a_reason_kept_from_the_teams() -> None:
    game, _ = _bot_game("loose-talk", 11, dict(RB.scenarios["loose-talk"].model.personas))
    notes = [e for e in game.log if e["type"] == "note"]
    acts = [e for e in game.log if e["type"] in ("orders_submitted", "proposal", "proposal_response")]
    assert notes and len(notes) >= len(acts)
    for n in notes:
        assert n["text"].strip() and n["vis"] == "facilitator"
        for aud in (*TEAMS, "public"):
            assert redact(RB, n, aud) is None
    assert all(redact(RB, n, "facilitator") is n for n in notes)


def test_same_seed_same_game() -> None:
    personas = {"us": "hawk", "mx": "sovereigntist", "cn": "deny_and_deflect", "ca": "trilateralist"}
    a, _ = _bot_game("election-season", 5, personas)
    b, _ = _bot_game("election-season", 5, personas)
    assert a.events_jsonl() == b.events_jsonl()


def test_decisions_ignore_what_the_team_cannot_see() -> None:
    personas = dict(RB.scenarios["loose-talk"].model.personas)
    game, _ = _bot_game("loose-talk", 3, personas, until=2)
    # move on to the next turn's orders phase, then snapshot what each bot would do
    driver = BotDriver(RB, personas, 3)
    for team in TEAMS:
        before = view(game, team)
        before["phase"] = "orders"
        bot = copy.deepcopy(driver.bots[team])
        decided = [(type(d.command).__name__, d.command.model_dump(), d.reason) for d in bot.decide(before)]
        # change things this team cannot see: the hidden crossing share, street supply, the true current
        # overdose figure (reported four months late), and another team's political capital
        other = next(t for t in TEAMS if t != team)
        hidden = {"hidden.sigma": 0.51, "flow.street": 333.0, "us.od_synth": 1.0, f"{other}.pc": 0.0}
        if team == "us":
            hidden.pop("us.od_synth")
        game.effect("test.hidden", "changes outside the team's view", hidden, ())
        after = view(game, team)
        after["phase"] = "orders"
        bot2 = copy.deepcopy(driver.bots[team])
        again = [(type(d.command).__name__, d.command.model_dump(), d.reason) for d in bot2.decide(after)]
        assert again == decided, team


def test_bot_reads_a_view_not_the_game() -> None:
    # the bot API takes a view dict; it holds no reference to a game or its state
    bot = Bot(RB, "us", "institutionalist", 1)
    # its fields, not vars(): a bot compiled with mypyc has no instance __dict__
    assert not any(isinstance(getattr(bot, f.name), Game) for f in dataclasses.fields(bot))


def _strikes(game: Game) -> int:
    return sum(
        1 for e in game.log if e["type"] == "order_executed" and e["lever"] in ("us_strike", "us_cyber")
    )


def test_an_institutionalist_never_strikes_even_with_the_gate_open() -> None:
    # Red Line opens the strike gate (Overton 70, an AUMF through one chamber) from the first turn
    base = dict(RB.scenarios["red-line"].model.personas)
    g0 = Game.new(RB, "red-line", 0)
    while g0.state.phase != "orders":
        g0.advance()
    strike = next(e for e in view(g0, "us")["levers"] if e["id"] == "us_strike")
    assert strike["available"], strike["why_not"]
    for seed in range(40):
        game, refused = _bot_game("red-line", seed, {**base, "us": "institutionalist"})
        assert not refused
        assert _strikes(game) == 0
        assert not game.state.env["flag.hrl"]


def _goading_script() -> dict[str, Any]:
    """A US seat that publicly threatens Mexico every turn of Loose Talk and orders nothing else."""
    threat = {"kind": "threat", "target": "mx", "text": "Act, or we will."}
    return {
        "turns": [
            {
                "turn": t,
                "commands": [{"team": "us", "type": "submit_orders", "orders": [], "statement": threat}],
            }
            for t in range(1, 7)
        ]
    }


def test_a_sovereigntist_answers_public_goading_with_blame() -> None:
    goad = _goading_script()
    # no Canadian bot: both Canadian personas mediate every turn, which clears the finger-pointing the
    # sovereigntist answers before Mexico decides (so with one, only blame's own payoff was tested)
    others = {"mx": "sovereigntist", "cn": "deny_and_deflect"}
    answered = chances = 0
    for seed in range(12):
        game, refused = play(RB, "loose-talk", seed, goad, bots=BotDriver(RB, others, seed))
        assert not refused
        for turn in range(2, 7):  # from the turn after the first public threat
            chances += 1
            blamed = any(
                (
                    e["type"] == "order_executed"
                    and e["team"] == "mx"
                    and e["lever"] == "mx_blame"
                    and e["turn"] == turn
                )
                or (
                    e["type"] == "statement"
                    and e["team"] == "mx"
                    and e["kind"] == "blame"
                    and e["turn"] == turn
                )
                for e in game.log
            )
            answered += blamed
    # the persona answers a public threat with counter-blame at p = 0.7, and with a blame statement at p = 0.5
    assert answered / chances >= 0.7, (answered, chances)


def test_a_cooperative_mexico_does_not_answer_goading_with_blame() -> None:
    goad = _goading_script()
    others = {"mx": "cooperative", "cn": "deny_and_deflect", "ca": "trilateralist"}
    game, _ = play(RB, "loose-talk", 1, goad, bots=BotDriver(RB, others, 1))
    assert not any(e["type"] == "order_executed" and e["lever"] == "mx_blame" for e in game.log)


# ------------------------------------------------------------- what makes bots cheap must not change them


def _decisions(bot: Bot, v: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    return [(type(d.command).__name__, d.command.model_dump(), d.reason) for d in bot.decide(v)]


class _Watched:
    """A ``BotDriver`` that hands a check, for every bot team before each phase's decisions, the bot view
    built with the caches the driver itself holds, and the previous view it lends from. By composition,
    not a subclass or a patched module function: a build compiled with mypyc (setup.py) allows neither to
    reach inside it, and CI tests that build."""

    def __init__(
        self,
        personas: dict[str, str],
        seed: int,
        check: Callable[[Game, str, Bot, dict[str, Any], dict[str, Any] | None, str], None],
    ) -> None:
        self.inner = BotDriver(RB, personas, seed)
        self.check = check

    def __call__(self, game: Game, phase: str) -> Iterator[Any]:
        for team, bot in self.inner.bots.items():
            kept = self.inner._views.get(team)
            dash = self.inner._dashboards.get(team)
            last = kept[1] if kept is not None and kept[0] is game else None
            v = bots.bot_view(game, team, last, dash[1] if dash is not None and dash[0] is game else None)
            self.check(game, team, bot, v, last, phase)
        yield from self.inner(game, phase)


def test_a_bot_view_is_the_team_view_cut_to_what_bots_read() -> None:
    lent = []
    lags = fast_view._lag_names(RB)
    assert {"us.od_synth", "us.seizures"} <= lags  # US-FACT's effects read them through lag()
    read = bots.read_names(RB)
    assert {"mx.coop", "trust.us_ca", "us.overton"} <= read
    assert "us.od_synth" in read and "flow.k_lab" not in read  # a model constant no bot expression reads
    names = [k for k in env_from_view(RB, view(Game.new(RB, "tutorial", 1), "us")) if k != HISTORY_KEY]

    def compared(persona: str) -> list[str]:
        """The names to compare: all but the indicators the bot's persona (and those it may switch to)
        never reads, which its dashboard leaves out (``fast_view.persona_reads``)."""
        unread = set(RB.indicators) - fast_view.persona_reads(RB, persona)
        return [k for k in names if k.removeprefix("trend.") not in unread]

    def checked(
        game: Game, team: str, _bot: Bot, v: dict[str, Any], last: dict[str, Any] | None, _phase: str
    ) -> None:
        full = view(game, team)
        assert set(BOT_VIEW_KEYS) <= set(full)
        assert {k: v[k] for k in BOT_VIEW_KEYS} == {k: full[k] for k in BOT_VIEW_KEYS}
        # the bot dashboard gives the environment the full dashboard gives for every indicator a bot may
        # read (and its trend), and the series lag() reads
        lean = Bot(RB, team, personas[team], 1).environment(dict(v))
        whole = env_from_view(RB, full)
        assert lean.keys() == whole.keys()
        same = compared(personas[team])
        assert {k: lean[k] for k in same} == {k: whole[k] for k in same}
        seen = {k for k in whole[HISTORY_KEY] if k in lags and k in same}
        assert {k: lean[HISTORY_KEY][k] for k in seen} == {k: whole[HISTORY_KEY][k] for k in seen}
        lent.append(last is not None and v["counts"] is last["counts"])

    personas: dict[str, str] = {}
    for scenario in SCENARIOS:
        personas = {**RB.scenarios[scenario].model.personas, "us": "hawk"}
        game, refused = play(RB, scenario, 7, None, bots=_Watched(personas, 7, checked))
        assert not refused and game.state.ended
        # and checking (which fills the driver's dashboard caches early) changed nothing
        plain, _ = _bot_game(scenario, 7, personas)
        assert plain.events_jsonl() == game.events_jsonl()
    # the orders phase borrows the negotiation phase's values when none has changed, and only then
    assert any(lent) and not all(lent)


class _Reads(dict[str, Any]):
    """An environment that notes every name read from it (pure Python: a compiled caller's ``get`` may
    bypass it, which could only make this check weaker, never fail it)."""

    def __init__(self, env: dict[str, Any], into: set[str]) -> None:
        super().__init__(env)
        self.into = into

    def __getitem__(self, key: str) -> Any:
        self.into.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.into.add(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.into.add(str(key))
        return super().__contains__(key)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_bot_reads_no_indicator_its_cut_dashboard_leaves_out(scenario: str) -> None:
    """Bot dashboards hold only what their persona can read (``fast_view.persona_reads``): every
    indicator a bot reads while deciding, on its whole environment (built from the full view, so
    nothing is hidden from it), in games of every scenario with three sets of personas, is in it."""
    from precursor.game.bots.bargaining import negotiate
    from precursor.game.bots.orders import play_orders

    sets = [
        dict(RB.scenarios[scenario].model.personas),
        {"us": "hawk", "mx": "sovereigntist", "cn": "reputation_conscious", "ca": "border_first"},
        {"us": "transactional", "mx": "cooperative", "cn": "deny_and_deflect", "ca": "trilateralist"},
    ]
    outside: dict[str, set[str]] = {}

    def checker(personas: dict[str, str]) -> Callable[..., None]:
        def check(game: Game, team: str, bot: Bot, _v: Any, _last: Any, phase: str) -> None:
            full = view(game, team)
            full["phase"] = phase
            probe = copy.deepcopy(bot)
            read: set[str] = set()
            env = _Reads(env_from_view(RB, full), read)
            if phase == "negotiation":
                negotiate(probe, full, env)
            elif phase == "orders":
                play_orders(probe, full, env)
            shown = {k.removeprefix("trend.") for k in read} & set(RB.indicators)
            allowed = fast_view.persona_reads(RB, personas[team])
            outside.setdefault(personas[team], set()).update(shown - allowed)

        return check

    for personas in sets:
        for seed in (1, 2):
            game, refused = play(RB, scenario, seed, None, bots=_Watched(personas, seed, checker(personas)))
            assert not refused and game.state.ended
    assert all(not names for names in outside.values()), outside


def _afresh(
    game: Game, team: str, bot: Bot, v: dict[str, Any], _last: dict[str, Any] | None, phase: str
) -> None:
    """Before each decision, the bot decides with the environment it kept; a copy of it that forgot that
    environment decides on a copy of the view, and another on the full view (``views.view``). All three
    must agree."""
    v["phase"] = phase
    fresh = copy.deepcopy(bot)
    fresh.forget()
    expected = _decisions(fresh, copy.deepcopy(v))
    # the full view (views.view, its whole dashboard) gives the same decisions
    full = view(game, team)
    full["phase"] = phase
    fresh = copy.deepcopy(bot)
    fresh.forget()
    assert _decisions(fresh, full) == expected, (team, game.state.turn, phase)
    # the same kept environment (updated in place, as the real decision will again), its own state
    probe = copy.copy(bot)
    probe.history, probe.tabled = list(bot.history), set(bot.tabled)
    probe.countered = set(bot.countered)
    assert _decisions(probe, v) == expected, (team, game.state.turn, phase)


@pytest.mark.parametrize("scenario", ["election-season", "tariffs-and-terror"])
def test_a_bot_decides_as_if_it_built_its_environment_afresh(scenario: str) -> None:
    personas = dict(RB.scenarios[scenario].model.personas)
    checked = []

    def check(*args: Any) -> None:
        _afresh(*args)
        checked.append(args[1])

    game, refused = play(RB, scenario, 4, None, bots=_Watched(personas, 4, check))
    assert not refused and game.state.ended
    assert len(checked) == 2 * len(personas) * game.state.turns
    # and checking changed nothing: the game is the one the plain driver plays
    plain, _ = play(RB, scenario, 4, None, bots=BotDriver(RB, personas, 4))
    assert plain.events_jsonl() == game.events_jsonl()


def test_other_parameters_are_checked_by_the_bot_when_the_defaults_are_not_available() -> None:
    # Loose Talk starts with a force bill before Congress: the orders screen shows US-AUMF (default stage:
    # introduce) as unavailable, yet passing the bill is legal once the Overton window is at 60
    game, _ = play(RB, "loose-talk", 1, None, until_turn=0, start={"us.overton": 62})
    while game.state.phase != "orders":
        game.advance()
    v = bots.bot_view(game, "us")
    entry = next(e for e in v["levers"] if e["id"] == "us_aumf")
    assert not entry["available"] and "already before Congress" in entry["why_not"]
    bot = Bot(RB, "us", "hawk", 1)
    env = bot.environment(v)
    aumf = RB.levers["us_aumf"]
    assert orders.legal(bot, v, env, aumf, {"stage": "introduce"}, True) is None
    assert orders.legal(bot, v, env, aumf, {"stage": "pass_chamber"}, True) == 2.0
    assert orders.legal(bot, v, env, aumf, {"stage": "enact"}, True) is None  # no chamber has passed it yet
    # and the engine agrees with the bot
    seat = game.player_seat_of_lever(aumf)
    passing = Order(lever="us_aumf", params={"stage": "pass_chamber"})
    assert game.validate_order("us", seat, passing)["cost"] == 2
    for stage in ("introduce", "enact"):
        with pytest.raises(CommandError):
            game.validate_order("us", seat, Order(lever="us_aumf", params={"stage": stage}))


def test_a_hawk_strikes_only_from_its_ladder_and_in_a_minority_of_games() -> None:
    personas = {**RB.scenarios["red-line"].model.personas, "us": "hawk"}
    struck = 0
    for seed in range(60):
        game, refused = _bot_game("red-line", seed, personas)
        assert not refused
        strikes = [e for e in game.log if e["type"] == "order_executed" and e["lever"] == "us_strike"]
        assert len(strikes) <= 1  # once
        if strikes:
            struck += 1
            notes = [e["text"] for e in game.log if e["type"] == "note" and e["team"] == "us"]
            assert any("US-STRIKE: hawk.ladder_strike" in text for text in notes)
            assert game.state.env["flag.fto"]  # the ladder came first
    # balance targets (docs/design.md): a breach in 5-15 % of hawk games (a looser band here: 60 games)
    assert 1 <= struck <= 15, struck


def test_a_hawk_crosses_in_loose_talk_too() -> None:
    # Loose Talk has no force on the table at the start: the hawk used to wait for an Overton index of 70
    # that Mexico's repeated weapons protests kept out of reach, and never crossed (0 of 40 games)
    personas = {**RB.scenarios["loose-talk"].model.personas, "us": "hawk"}
    struck = 0
    for seed in range(60):
        game, refused = _bot_game("loose-talk", seed, personas)
        assert not refused
        struck += any(e["type"] == "order_executed" and e["lever"] == "us_strike" for e in game.log)
    assert 1 <= struck <= 15, struck


def test_a_per_game_chance_is_one_draw_for_the_whole_game() -> None:
    rule = next(r for r in RB.personas["hawk"].hard_rules if r.id == "hawk.ladder_strike")
    assert rule.per_game and rule.chance is not None
    env = {"mx.coop": 30.0}  # a chance of (75 - 30) / 400
    games = turns = 0
    for seed in range(400):
        bot = Bot(RB, "us", "hawk", seed)
        views = [{"turn": t, "phase": "orders"} for t in range(1, 23)]
        draws = [bot.holds(None, rule.chance, env, v, rule.id, True) for v in views]
        assert len(set(draws)) == 1  # the same answer every turn of a 22-turn game
        games += draws[0]
        turns += any(bot.holds(None, rule.chance, env, v, rule.id) for v in views)
    assert 0.07 < games / 400 < 0.16, games  # about 11 % of games, whatever the game's length
    assert turns / 400 > 0.8, turns  # drawn each turn, the same chance comes up in most 22-turn games


def test_a_transactional_us_works_cases_with_a_delivering_mexico() -> None:
    # Tariffs and Terror: the transactional US used to file unconsulted indictments every turn (+6 tension
    # each), keeping Mexico's mean tension near 75, above the scenario's band of 45-65
    from precursor.analysis.simulate import resolve_personas, run_one

    band = RB.scenarios["tariffs-and-terror"].model.tension_band
    assert band is not None
    personas = resolve_personas(RB, "tariffs-and-terror")
    means = [run_one(RB, "tariffs-and-terror", seed, personas)["mean_mx_st"] for seed in range(20)]
    assert band.low <= sum(means) / len(means) <= band.high, sum(means) / len(means)
    game, _ = _bot_game("tariffs-and-terror", 1, personas)
    modes = {
        e["params"]["mode"] for e in game.log if e["type"] == "order_executed" and e["lever"] == "us_ind"
    }
    assert "joint" in modes


def test_canadas_personas_play_different_games_in_calm_scenarios() -> None:
    # border-first used to hand over to the trilateralist in turn 1 wherever the trade risk starts under 30,
    # so the two Canadian personas played identical games in six scenarios
    from precursor.analysis.simulate import resolve_personas

    def canada(pid: str) -> tuple[set[str], list[str]]:
        game, refused = _bot_game("loose-talk", 3, resolve_personas(RB, "loose-talk", {"ca": pid}))
        assert not refused
        ordered = {e["code"] for e in game.log if e["type"] == "order_executed" and e["team"] == "ca"}
        switches = [e["text"] for e in game.log if e["type"] == "note" and e["text"].startswith("persona ")]
        return ordered, switches

    border, border_switches = canada("border_first")
    trilateral, _ = canada("trilateralist")
    assert not [t for t in border_switches if t.startswith("persona border_first")], border_switches
    assert "CA-USMCA-ENF" in border and "CA-USMCA-ENF" not in trilateral
    assert border != trilateral


def test_commands_bots_build_quickly_are_what_model_construct_builds() -> None:
    from precursor.game.commands import Actor, CommandEnvelope, Note, SubmitOrders

    actor = Actor.model_construct(role="bot", team="us", seat=None, name="bot:hawk")
    note = Note.model_construct(text="why", decision="orders")
    cases: list[tuple[Any, dict[str, Any]]] = [
        (Note, {"text": "why", "decision": "orders"}),
        (CommandEnvelope, {"actor": actor, "command": note}),
        (Order, {"lever": "us_border", "params": {"level": 2}, "visibility": "public"}),
        (SubmitOrders, {"orders": [Order.model_construct(lever="us_border")], "statement": None}),
    ]
    for cls, values in cases:
        slow, fast = cls.model_construct(**values), decisions.make(cls, **values)
        assert fast == slow and type(fast) is cls
        assert list(vars(fast)) == list(vars(slow))  # same field order
        assert fast.model_fields_set == slow.model_fields_set
        assert fast.model_dump() == slow.model_dump()
    with pytest.raises(TypeError, match="default factory"):
        decisions.make(SubmitOrders, statement=None)  # orders has a default factory: never left out


# ------------------------------------------------------------- switching triggers


def _switches(game: Game, team: str) -> list[str]:
    return [
        e["text"].split(":")[0]
        for e in game.log
        if e["type"] == "note" and e.get("decision") == "switch" and e["team"] == team
    ]


def test_every_persona_can_switch_to_another_of_its_team() -> None:
    for pid, p in RB.personas.items():
        assert p.switches, pid
        for sw in p.switches:
            assert sw.to != pid and RB.personas[sw.to].team == p.team and sw.reason


def test_an_institutionalist_hands_over_to_a_new_administration() -> None:
    personas = {**RB.scenarios["loose-talk"].model.personas, "us": "institutionalist"}
    # an election lost during the game: the flag is set after the game's start, outside a lame-duck window
    game, _ = play(
        RB,
        "loose-talk",
        3,
        None,
        bots=BotDriver(RB, personas, 3),
        until_turn=1,
        start={"flag.us_new_admin": True},
    )
    assert _switches(game, "us") == ["persona institutionalist -> transactional"]
    calm, _ = play(RB, "loose-talk", 3, None, bots=BotDriver(RB, personas, 3), until_turn=2)
    assert _switches(calm, "us") == []
    # an administration already in office when the scenario starts is not a change of government
    tariffs = {**RB.scenarios["tariffs-and-terror"].model.personas, "us": "institutionalist"}
    game, _ = play(RB, "tariffs-and-terror", 3, None, bots=BotDriver(RB, tariffs, 3), until_turn=3)
    assert _switches(game, "us") == []


def test_a_reputation_conscious_china_pushed_hard_falls_back_on_denial() -> None:
    personas = {**RB.scenarios["tariffs-and-terror"].model.personas, "cn": "reputation_conscious"}
    switched = 0
    for seed in range(10):
        game, _ = _bot_game("tariffs-and-terror", seed, personas)
        moves = _switches(game, "cn")
        assert moves in ([], ["persona reputation_conscious -> deny_and_deflect"])
        if moves:
            switched += 1
            turn = next(e["turn"] for e in game.log if e["type"] == "note" and e.get("decision") == "switch")
            ends = [e for e in game.log if e["type"] == "turn_end" and e["turn"] == turn - 1]
            assert not ends or ends[0]["values"]["cn.irritation"] >= 80  # what China saw when it turned
    assert switched >= 5


def test_bots_counter_proposals_they_would_otherwise_reject() -> None:
    """Counters come from near misses; since bots count a signature's own score (session 17) they sign
    most deals in Election Season outright and counter there no more, so the games are The Record's and
    Tariffs and Terror's, where distrust keeps deals near the bar."""
    counters = signed = asked = 0
    for scenario, seed in [(s, n) for s in ("the-record", "tariffs-and-terror") for n in range(4)]:
        personas = dict(RB.scenarios[scenario].model.personas)
        game, refused = _bot_game(scenario, seed, personas)
        assert refused == []
        notes = {
            (e["team"], e["turn"]): e["text"]
            for e in game.log
            if e["type"] == "note" and e["decision"] == "counter"
        }
        for e in game.log:
            if e["type"] != "proposal" or not e["proposal"]["counter_to"]:
                continue
            counters += 1
            new = e["proposal"]
            old = game.state.proposals[new["counter_to"]]
            assert new["from"] in old["parties"] and new["from"] != old["from"]
            assert old["status"] in ("countered", "signed", "rejected", "withdrawn", "expired")
            # a counter changes the deal: its terms, or who checks them
            assert new["clauses"] != old["clauses"] or new["verification"] != old["verification"]
            # the reason names the original and says the counter clears the threshold an acceptance needs
            reason = notes[(new["from"], new["turn"])]
            assert reason.startswith(f"counters {old['id']}:") and ">= threshold" in reason
            signed += game.state.proposals[new["id"]]["status"] == "signed"
            note = str(new.get("note"))
            if new["verification"] == "joint" and old["verification"] == "self":
                # student h22 read "with compliance checked by both sides" and no reason (session 22)
                asked += 1
                assert "under the 60 it takes a word at)" in note, note
            if new["clauses"] != old["clauses"]:  # a clause dropped or asked for: the sentence says why
                assert "; as tabled, it was not enough for " in note and note.endswith(" to sign."), note
    assert counters >= 8 and signed >= 1 and asked >= 1, (counters, signed, asked)


@pytest.mark.parametrize(
    ("scenario", "seed", "personas"),
    [
        ("loose-talk", 1, None),
        (
            "election-season",
            2,
            {"us": "hawk", "mx": "sovereigntist", "cn": "deny_and_deflect", "ca": "border_first"},
        ),
        ("tariffs-and-terror", 3, None),
    ],
)
def test_kept_views_equal_views_built_afresh_after_every_event(
    scenario: str, seed: int, personas: dict[str, str] | None
) -> None:
    """The views a game keeps between calls (bot dashboards caught up from the changes since, orders
    screens whose entries are kept while their inputs are, the teams' dashboards) must be what a view
    built from nothing gives, after every event of bot games: two replays of the same log, one keeping
    its caches from event to event, the other starting each check with none."""
    played, refused = _bot_game(scenario, seed, personas or dict(RB.scenarios[scenario].model.personas))
    assert not refused and played.state.ended
    events = [dict(ev) for ev in played.log]
    kept, fresh = Game(RB, scenario), Game(RB, scenario)
    dashboards = {t: fast_view.DashboardCache() for t in TEAMS}
    for ev in events:
        kept.emit(dict(ev))
        fresh.emit(dict(ev))
        fresh.view_cache = None  # nothing kept: every part of the view is built from the state
        for team in TEAMS:
            where = (team, ev["seq"], ev["type"])
            got = fast_view.bot_dashboard(kept, team, dashboards[team])
            assert got == fast_view.bot_dashboard(fresh, team, fast_view.DashboardCache()), where
            assert levers_for(kept, team) == levers_for(fresh, team), where
            assert indicators_for(kept, team) == indicators_for(fresh, team), where


# Every lever has a use (docs/balance.md, "Lever use"): each persona rule added for a lever no persona
# used to order is seen to order it, in the scenario where that persona meets the rule's situation.
LEVER_HOMES = [
    ("red-line", {"us": "institutionalist"}, "us_tech"),
    ("red-line", {"us": "institutionalist"}, "us_domnet"),
    ("red-line", {"us": "institutionalist"}, "us_opcom"),
    ("tariffs-and-terror", {"us": "institutionalist"}, "us_poe"),  # s13: red-line capital goes to deals
    ("red-line", {"us": "institutionalist"}, "us_sched"),
    ("the-record", {"us": "institutionalist"}, "us_cond"),
    ("tariffs-and-terror", {"us": "institutionalist"}, "us_asset"),
    ("tariffs-and-terror", {"us": "institutionalist"}, "us_cn_track"),
    ("tariffs-and-terror", {"us": "institutionalist"}, "us_concur"),
    ("the-record", {"us": "transactional"}, "us_visa"),
    ("tariffs-and-terror", {"mx": "cooperative"}, "mx_arrest"),
    ("the-record", {"mx": "cooperative"}, "mx_prosecute"),
    # s17: bots that sign more deals have fewer orders free; Mexico's consent and the trainers it allows
    # now come where the hawk meets a cooperative Mexico in Election Season
    ("election-season", {"us": "hawk", "mx": "cooperative"}, "us_sft"),
    ("loose-talk", {"mx": "cooperative"}, "mx_health"),  # s14: unused since s13
    ("loose-talk", {}, "us_summit"),  # s14: the default institutionalist, unused since s13
]


@pytest.mark.parametrize(("scenario", "over", "lever"), LEVER_HOMES)
def test_a_persona_orders_each_formerly_unused_lever(scenario: str, over: dict[str, str], lever: str) -> None:
    from precursor.analysis.simulate import levers_ordered, resolve_personas

    personas = resolve_personas(RB, scenario, over)
    seen = 0
    for seed in range(8):
        game, _ = play(RB, scenario, seed, None, bots=bots.BotDriver(RB, personas, seed))
        seen += lever in levers_ordered(game.log).split(",")
    assert seen >= 1, f"{lever} never ordered in 8 games of {scenario} with {personas}"


def test_a_bot_rejection_gives_its_reason_without_a_random_voice_line() -> None:
    """The proposer reads why, from the deal's terms (and a deciding rule's own words), not a line picked
    at random from the persona's voice: a student read "No foreign troops on Mexican soil" as Mexico's
    reason for declining a US-China deal."""
    voice = {line for p in RB.personas.values() for line in p.model.voice.reject}
    rejections: list[str] = []
    for scenario in ("loose-talk", "tutorial", "three-weeks"):
        personas = dict(RB.scenarios[scenario].model.personas)
        for seed in (1, 2):
            game, _ = _bot_game(scenario, seed, personas)
            rejections += [
                e["reason"]
                for e in game.log
                if e["type"] == "proposal_response" and e["action"] == "reject" and e.get("reason")
            ]
    assert len(rejections) >= 5, rejections
    assert all(" declines: " in r for r in rejections)
    with_voice = [r for r in rejections if any(line in r for line in voice)]
    assert not with_voice, with_voice[:3]


def test_the_transactional_us_signs_canadas_trilateral_module_in_tariffs_and_terror() -> None:
    """Session 13 made the transactional US answer Canada's turn-1 package in turn 1, and it declined the
    module every time (US-USMCA-T for two turns was more than two chemical notices): the trilateral track was
    dead in the one scenario whose US trades deliverables for pauses. Canada now puts its border package on
    the table with the module, as it did for the 2025 pause; most games should end with the module in force.
    """
    from precursor.analysis.simulate import simulate

    recs = simulate("tariffs-and-terror", 8, 1, {"ca": "trilateralist"}, rb=RB)
    assert sum(1 for r in recs if r["trilateral"]) >= 4, [r["trilateral"] for r in recs]
