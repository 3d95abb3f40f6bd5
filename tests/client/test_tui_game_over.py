"""The end screen's debrief text, built from a real bot game's final view: it must teach what happened
(objectives with the values that decided them, agreements kept or broken, the red lines approached) and
say how to open the report and the replay."""

from __future__ import annotations

from client_tui.model import LiveGame
from client_tui.panes.game_over import game_over_text
from precursor.analysis.runner import play
from precursor.game.bots import BotDriver
from precursor.game.rulebook import default_rulebook
from precursor.game.views import view


def test_the_end_screen_shows_deciding_values_agreements_red_lines_and_the_replay() -> None:
    rb = default_rulebook()
    personas = dict(rb.scenarios["loose-talk"].model.personas)
    game, _ = play(rb, "loose-talk", 2, None, bots=BotDriver(rb, personas, 2))
    live = LiveGame()
    live.me = {"role": "player", "team": "mx", "seat": "mx.president", "player_id": "p1", "game_id": "g1"}
    live.set_view(view(game, "mx"), game.state.seq)
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
        "reason": "CA played CA-ISSL as agreed",
        "changes": {},
    }
    text = result_text(ev, rb)
    assert text.startswith("[clause kept] CA played CA-ISSL as agreed") and "d5." not in text
    broken = result_text({**ev, "met": False, "reason": "CA did not play CA-ISSL"}, rb)
    assert broken.startswith("[clause broken] ")
