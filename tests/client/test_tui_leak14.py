"""A leaked private deal is not a broken promise (issue 14, session 14). When a private agreement leaks,
its parties receive the whole deal again in an ``agreement_update`` (session 13), including its record of
who reneged — an empty list. The results tab read any ``reneged`` field as news and printed "a party broke
a promise in it" while the proposals tab, the end screen and the report said the deal was kept (a student,
Tariffs and Terror, A4-MX-1 and A8-MX-1)."""

from __future__ import annotations

from client_tui.panes.results import result_text
from precursor.analysis.runner import play
from precursor.game.bots import BotDriver
from precursor.game.rulebook import Rulebook
from precursor.game.views import events_for


def test_a_leaked_deal_nobody_broke_is_not_read_as_a_broken_promise(rb: Rulebook) -> None:
    leaks = 0
    for scenario in ("the-record", "election-season"):
        for seed in range(6):
            personas = dict(rb.scenarios[scenario].model.personas)
            game, _ = play(rb, scenario, seed, None, bots=BotDriver(rb, personas, seed))
            for team in ("us", "mx", "cn", "ca"):
                agreements = {}
                for ev in events_for(game, team):
                    if ev["type"] == "agreement":
                        agreements[ev["agreement"]["id"]] = ev["agreement"]
                    update = ev.get("update") or {}
                    if ev["type"] != "agreement_update" or "reneged" not in update:
                        continue
                    text = result_text(ev, rb, agreements=agreements)
                    if update["reneged"]:
                        assert "broke a promise" in text, text
                    else:
                        leaks += 1
                        assert "broke a promise" not in text, (scenario, seed, team, text)
    assert leaks, "no leaked deal in these games: the test checks nothing"
