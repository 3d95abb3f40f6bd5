"""The end screen's debrief text, built from a real bot game's final view: it must teach what happened
(objectives with the values that decided them, agreements kept or broken, the red lines approached) and
say how to open the report and the replay."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from test_tui_support import (
    debrief_text,
    new_game,
    screen_text,
    seat_app,
    until_online,
)

from client_tui.model import LiveGame
from client_tui.panes import GameOverScreen
from client_tui.panes.game_over import game_over_text
from precursor.analysis.review import build_report, render_context, replay
from precursor.analysis.runner import play
from precursor.client import GameClient
from precursor.game.bots import BotDriver
from precursor.game.rulebook import Rulebook, default_rulebook
from precursor.game.views import view


def _ended(rb: Rulebook, scenario: str, team: str) -> tuple[Any, LiveGame]:
    """A bot game of ``scenario`` (seed 2) played to the end, and ``team``'s seat holding its final view."""
    personas = dict(rb.scenarios[scenario].model.personas)
    game, _ = play(rb, scenario, 2, None, bots=BotDriver(rb, personas, 2))
    live = LiveGame()
    live.me = {
        "role": "player",
        "team": team,
        "seat": f"{team}.president",
        "player_id": "p1",
        "game_id": "g1",
    }
    live.set_view(view(game, team), game.state.seq)
    return game, live


def test_the_end_screen_shows_deciding_values_agreements_red_lines_and_the_replay() -> None:
    rb = default_rulebook()
    game, live = _ended(rb, "loose-talk", "mx")
    text = game_over_text(live, rb, "g1")
    assert "precursor report g1" in text and "precursor replay g1" in text
    # every secret objective of Mexico, met or missed, and the values its condition read at the end
    secret = [o for o in rb.scenarios["loose-talk"].objectives if o.team == "mx"]
    assert secret and all(o.text in text for o in secret)
    assert "at the end: " in text
    # the agreements this seat can see, with who kept them
    agreements = view(game, "mx")["agreements"]
    assert agreements and all(a["id"] in text for a in agreements)
    assert "kept by every party" in text or "broken by" in text
    # how close the game came to the red lines
    assert "Mexican sovereignty tension peaked at" in text
    assert "The hard red line (unilateral force in Mexico) was" in text


def test_a_kept_or_broken_clause_reads_as_words_not_as_its_rule() -> None:
    from client_tui.panes.results import result_text

    rb = default_rulebook()
    ev = {
        "type": "compliance",
        "rule": "d5.audience_costs",
        "team": "ca",
        "lever": "ca_issl",
        "met": True,
        "agreement": "A2-US-1",
        "reason": "CA played CA-ISSL as agreed",
        "changes": {},
    }
    text = result_text(ev, rb)
    # the team by its name, the lever's name at its first mention (the engine's sentence gave two codes)
    name = rb.levers["ca_issl"].name
    assert text.startswith(f"[clause kept] Canada played CA-ISSL ({name}) as agreed in A2-US-1"), text
    assert "d5." not in text
    broken = result_text({**ev, "met": False, "reason": "CA did not play CA-ISSL"}, rb)
    assert broken.startswith(f"[clause broken] Canada did not play CA-ISSL ({name}) as agreed in A2-US-1")


# ---------------------------------------------------------------------- the end screen, played to the end


def test_values_read_by_their_unit_never_as_fractional_indices() -> None:
    from client_tui.panes.game_over import value_text

    assert value_text(2.0, "index", "Three-month review badges earned") == "2"
    assert value_text(3.0, "index", "Times the hard red line was crossed") == "3"
    assert value_text(3.0, "count", "Chinese lab seizures") == "3"
    assert value_text(2.0, "turns", "Turns the cap lasts") == "2 turns"
    assert value_text(54.25, "index", "Mexican sovereignty tension") == "54.2"
    assert value_text(7.5, "PC", "Mexican political capital") == "7.5 PC"
    assert value_text(True, "index", "Cartels designated") == "yes"


async def test_the_end_screen_agrees_with_the_game_it_ends(url: str) -> None:
    """The tutorial (three turns from April 2023) played to its end while the US looks on: the month
    is June 2023, not the epilogue's end (the status line said "GAME OVER 2023-10-01"); the tension's
    peak counts the turn-1 inject's 50 → 54 (the month-end history alone said 50); each secret
    objective shows what the score gave it, and they add up to the score's line; the scenario is
    named and the game id is labelled beside the commands; no line of text runs under the scrollbar."""
    g, tokens = await new_game(url, teams=("us",))
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(100, 40)) as pilot:
        gs = await until_online(pilot)
        async with GameClient(url, g.game_id, g.facilitator_token) as fac:
            for _ in range(40):
                if gs.model.ended:
                    break
                await fac.send({"type": "advance", "turn": fac.turn, "phase": fac.phase})
                await pilot.pause(0.05)
        # the last turns' inject cards come up over the screen too, before or after the debrief
        text = await debrief_text(pilot, app, pause=0.5)
        debrief = app.screen
        assert isinstance(debrief, GameOverScreen)

        assert "GAME OVER, ended June 2023" in str(gs.query_one("#status").render())
        lines = text.splitlines()
        assert lines[0] == "GAME OVER — Tutorial: First Contact, ended June 2023 (turn 3 of 3)"
        at = next(i for i, line in enumerate(lines) if line.strip().startswith("precursor report"))
        assert f"(game id {g.game_id})" in lines[at - 1] and "after-action report" in lines[at - 1]
        assert not any(line.startswith("Game ") for line in lines)

        seen = [
            float(part["mx.st"])
            for ev in gs.model.log
            for part in (ev.get("before"), ev.get("changes"))
            if isinstance(part, dict) and isinstance(part.get("mx.st"), int | float)
        ]
        assert max(seen) >= 54  # the inject of turn 1
        peak = re.search(r"tension peaked at (\d+)", text)
        assert peak is not None and int(peak.group(1)) == round(max(seen)), (peak, max(seen))

        us_at = text.index("United States — public aim")
        end = re.search(r"\n  \S|\n\n", text[us_at:])
        us = text[us_at : us_at + end.start()] if end else text[us_at:]
        given = [float(x) for x in re.findall(r"✓ met +([+-]\d+\.\d) to the score", us)]
        line = re.search(r"\d\. United States", text)
        assert line is not None
        scored = re.search(r"Secret objectives: [^\n]*= ([+-]\d+\.\d)", text[line.start() :])
        assert scored is not None
        assert round(sum(given), 1) == float(scored.group(1)), (given, scored.group(0))
        assert "pts:" not in text
        assert not re.search(r"at the end: .*\b\d+\.0\b", text)

        scroll = debrief.query_one("#game-over")
        content = scroll.scrollable_content_region
        shown = screen_text(app).splitlines()
        for row in shown[content.y : content.bottom]:
            assert row[content.right - 1] == " ", row  # a blank column before the scrollbar's gutter
        assert max(len(line) for line in debrief._wrapped().split("\n")) < content.width


def test_the_tensions_peak_counts_a_value_an_inject_showed_between_month_ends() -> None:
    """Loose Talk's first inject moves Mexican sovereignty tension 50 → 54, and orders bring it down
    before the month ends: the history in the view peaks at 50, which the debrief used to report."""
    rb = default_rulebook()
    personas = dict(rb.scenarios["loose-talk"].model.personas)
    game, _ = play(rb, "loose-talk", 2, None, bots=BotDriver(rb, personas, 2))
    live = LiveGame()
    live.me = {"role": "player", "team": "mx", "seat": "mx.president", "player_id": "p1", "game_id": "g1"}
    for ev in game.log:
        if ev.get("vis") == "all":  # what every seat is sent
            live.apply(int(ev["seq"]), ev)
    live.set_view(view(game, "mx"), game.state.seq)
    st = next(i for i in live.view["indicators"] if i["id"] == "mx.st")
    assert max([*st["trend"], st["value"]]) == 50  # the month-end history alone
    inject = next(ev for ev in game.log if ev["type"] == "inject" and "mx.st" in (ev.get("changes") or {}))
    assert (inject["before"]["mx.st"], inject["changes"]["mx.st"]) == (50, 54)
    assert "Mexican sovereignty tension peaked at 54" in game_over_text(live, rb, "g1")


def test_the_end_screen_dates_agree_with_the_results_and_say_the_frozen_months_and_the_rate() -> None:
    """A student read "GAME OVER June 2023" beside turn 3's results dated 2023-07-01, after an inject
    that said the game runs three more months with orders frozen, and met "(6 objective points × 0.5)"
    with no word on where the half came from."""
    rb = default_rulebook()
    personas = dict(rb.scenarios["tutorial"].model.personas)
    game, _ = play(rb, "tutorial", 3, None, bots=BotDriver(rb, personas, 3))
    live = LiveGame()
    live.me = {"role": "player", "team": "ca", "seat": "ca.government", "player_id": "p1", "game_id": "g1"}
    live.set_view(view(game, "ca"), game.state.seq)
    lines = game_over_text(live, rb, "g1").splitlines()
    assert lines[1] == "The last turn's results are dated 2023-07-01, the day after June 2023 ended."
    assert lines[2].startswith("Then the model ran 3 more months with orders frozen (July to September 2023)")
    assert "the scores below are those at the end of September 2023" in lines[2]
    rate = [line.strip() for line in lines if line.strip().startswith("(× ")]
    assert rate == [
        "(× 0.75: an objective point met adds 0.75 to the score — the Secret objectives line above"
        " counts each objective point met 0.5, and for Canada that line weighs 1.5)"
    ]
    assert any("objective points × 0.75)" in line for line in lines)


def test_the_end_screens_commands_name_a_solo_games_store_and_run_as_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Students who played `precursor solo --store sqlite:///…` ran the end screen's report command as
    printed and got "no game store at …/games.db": it left out the store the game was saved in (the
    quit message for an unfinished game names it). Both commands, copied from the text, must run."""
    import shlex

    from client_tui.app import PrecursorApp
    from client_tui.panes.game_over import report_store
    from precursor.cli import _read_game, main
    from precursor.game.engine import Game

    rb = default_rulebook()
    store = f"sqlite:///{tmp_path / 'solo.db'}"
    game_id, _ = _finished_bot_game(rb, store)
    game = Game.replay(rb, _read_game(game_id, store))
    live = LiveGame()
    live.me = {"role": "player", "team": "ca", "seat": "ca.pm", "player_id": "p1", "game_id": game_id}
    live.set_view(view(game, "ca"), game.state.seq)
    url = "http://127.0.0.1:9"  # the apps below are never run: only what they know of the store
    app = PrecursorApp(url, solo_store=store, solo_store_default=False)
    text = game_over_text(live, rb, game_id, report_store(app))
    commands = [line.strip() for line in text.splitlines() if line.strip().startswith("precursor ")]
    assert len(commands) == 2 and all(f"--store {store}" in c for c in commands), commands

    monkeypatch.chdir(tmp_path)
    report, replay = (shlex.split(c)[1:] for c in commands)
    assert main(report) == 0 and (tmp_path / f"{game_id}-ca.html").stat().st_size > 10_000
    shown: list[int] = []
    monkeypatch.setattr("client_tui.replay.ReplayApp.run", lambda self: shown.append(len(self.events)))
    assert main(replay) == 0 and shown and shown[0] == len(game.log)

    # the default store is not named; a game kept in memory and a server's store are said as such
    default = PrecursorApp(url, solo_store=store, solo_store_default=True)
    assert "--store" not in game_over_text(live, rb, game_id, report_store(default))
    memory = game_over_text(live, rb, game_id, report_store(PrecursorApp(url, solo_store="memory://")))
    assert "precursor report" not in memory and "kept only in memory" in memory
    served = game_over_text(live, rb, game_id, report_store(PrecursorApp(url)))
    assert f"report {game_id} --audience ca --format html --out {game_id}-ca.html --store STORE" in served
    assert "the game store it was started with" in served


def _finished_bot_game(rb: Rulebook, store: str) -> tuple[str, str]:
    """A tutorial the bots played to the end in ``store``, as a solo game's server saves it: its id and
    the facilitator's token."""
    import asyncio

    from precursor.client import LobbyClient
    from server.embedded import EmbeddedServer

    server = EmbeddedServer(store, rulebook=rb)
    url = server.start()

    async def finished_game() -> tuple[str, str]:
        async with LobbyClient(url) as lobby:
            bots = {t: "default" for t in ("us", "mx", "cn", "ca")}
            g = await lobby.create_game("tutorial", seed=4, bots=bots, name="solo")
            for _ in range(1200):  # the bots play it to the end on their own
                if (await lobby.game(g.game_id)).ended:
                    return g.game_id, g.facilitator_token
                await asyncio.sleep(0.05)
        raise AssertionError("the bots did not finish the tutorial in a minute")

    try:
        return asyncio.run(finished_game())
    finally:
        server.stop()


def test_leaving_a_finished_solo_game_prints_its_report_and_replay_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Quitting a finished game printed nothing: the commands were only on the end screen, copied off it
    by hand. `precursor solo` prints them, with the store, once the client closes on a game that is over
    (here the game is opened again with --game/--token and the client closes at once)."""
    from precursor.cli import main

    rb = default_rulebook()
    store = f"sqlite:///{tmp_path / 'solo.db'}"
    game_id, token = _finished_bot_game(rb, store)
    monkeypatch.setattr("client_tui.app.PrecursorApp.run", lambda self: None)
    # "--token=": a token may begin with "-", and "--token -x…" reads as a missing value (CI failed
    # this test once in 64 runs or so); the end screen prints the same form
    assert main(["solo", "--game", game_id, f"--token={token}", "--store", store]) == 0
    out = capsys.readouterr().out
    assert f"The game {game_id} is over" in out
    assert f"precursor report {game_id} --format html --out {game_id}.html --store {store}" in out
    assert f"precursor replay {game_id} --store {store}" in out
    # a game still under way: the client's own "the game is saved" message is all
    assert main(["solo", "--team", "ca", "--scenario", "tutorial", "--seed", "3", "--store", store]) == 0
    assert "is over" not in capsys.readouterr().out


def test_an_objective_decided_on_a_value_the_team_saw_as_an_estimate_says_so() -> None:
    """Student g19's Mexico read "missed" beside "cooperation 43.1 (estimate)" under an objective of 45 or
    less: the rules judged the true value (47), which the team never saw. The line says so."""
    rb = default_rulebook()
    _game, live = _ended(rb, "three-weeks", "mx")
    lines = game_over_text(live, rb, "g1").splitlines()
    at = next(i for i, line in enumerate(lines) if "at the end: " in line and "(estimate)" in line)
    said = " ".join(lines[at + 1 : at + 3])
    assert "the rules judged the objective on the true value" in said
    # where it sends the reader, the true value is: the facilitator's report, not the team's own
    # (student k23 looked for it in Mexico's and found no line for it)
    assert "the facilitator's report after the game gives it" in said, said
    name = lines[at].split("at the end: ", 1)[1].split(" (estimate)")[0].rsplit(" ", 1)[0]
    events = list(_game.log)
    for audience, has in (("facilitator", True), ("mx", False)):
        ctx = render_context(build_report(rb, events, audience), replay(rb, events))
        values = " ".join(s["values"] for o in ctx["objectives"] for s in o["secret"])
        assert (name in values) is has, (audience, name, values)
