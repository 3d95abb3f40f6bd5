"""The values the results pane settles on are the dashboard's exact ones (session 17).

After a turn's cards the results pane lists values that moved by changes not shown to the team
(``ResultsPane.settle``), from the dashboard's values that are true now. The view marks an intelligence
estimate ``estimate``; the client read a key ``est`` that no view has, so every noisy estimate counted as
exact, and its noise was listed as values "moved for reasons not shown to you"."""

from __future__ import annotations

from client_tui.game_screen import _exact_values


def test_an_estimate_or_a_lagged_value_is_not_taken_for_an_exact_one() -> None:
    view = {
        "indicators": [
            {"id": "mx.coop", "value": 30.98, "estimate": True, "lag": 0},
            {"id": "us.od_synth", "value": 70000.0, "estimate": False, "lag": 4},
            {"id": "trust.us_mx", "value": 41.0, "estimate": False, "lag": 0},
            {"id": "flag.tri_meeting", "value": True, "estimate": False, "lag": 0},
        ]
    }
    assert _exact_values(view) == {"trust.us_mx": 41.0, "flag.tri_meeting": True}
