"""An election's line in the results says what was at stake: a student read "US midterm elections: the
incumbent party loses office" as the president leaving, when a midterm decides the House."""

from __future__ import annotations

import json

from precursor.analysis.runner import play
from precursor.game.bots import BotDriver
from precursor.game.rulebook import default_rulebook


def test_a_midterm_says_the_house_and_a_presidential_election_says_office() -> None:
    rb = default_rulebook()
    reasons: dict[str, str] = {}
    for sid in ("three-weeks", "election-season"):
        personas = dict(rb.scenarios[sid].model.personas)
        game, _ = play(rb, sid, 0, None, bots=BotDriver(rb, personas, 0))
        for line in game.events_jsonl().splitlines():
            ev = json.loads(line)
            if ev.get("type") == "election":
                reasons[str(ev["kind"])] = str(ev["reason"])
    assert reasons["us_midterm"].endswith(("holds the House", "loses the House")), reasons
    # what follows the semicolon is the day the winner takes office (the vote and the handover are apart)
    assert reasons["us_presidential"].split(";")[0].endswith(("holds office", "loses office")), reasons
