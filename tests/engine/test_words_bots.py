"""A bot's reply names a lever's parameters as a person reads them: a student read "kind working_group"
in Canada's refusal, an engine key where a word exists; then "kind working group" where the client
says "concession: a working group" (the rules' parameter label and choice words)."""

from __future__ import annotations

from precursor.game.bots.bargaining import _lever_words
from precursor.game.bots.character import Character
from precursor.game.rulebook import default_rulebook


def _bot(team: str = "ca") -> Character:
    rb = default_rulebook()
    persona = next(p for p, per in rb.personas.items() if per.team == team)
    return Character(rb, team, persona, 1)


def test_a_choice_reads_without_underscores_a_team_by_name_a_module_as_written_and_a_flag_as_yes() -> None:
    bot = _bot()
    assert _lever_words(bot, "us_cn_track", {"kind": "working_group"}) == (
        "US-CN-TRACK (A counternarcotics concession to Beijing, concession: a working group)"
    )
    assert "on goods of: Mexico" in _lever_words(bot, "us_tariff", {"target": "mx", "rate": 25.0})
    # a clause's number reads as the promise the client shows: any stronger value also keeps it
    assert "rate in %: at most 25" in _lever_words(bot, "us_tariff", {"target": "mx", "rate": 25.0})
    # the one wording of the game (session 23): a tariff at 0 % is lifted, as the clause in the client says
    lifted = _lever_words(bot, "us_tariff", {"target": "cn", "rate": 0.0, "mode": "impose"})
    assert "lifted" in lifted and "imposed" not in lifted, lifted
    assert "module: T1, Chemical notification" in _lever_words(bot, "us_usmca_t", {"module": "t1"})
    assert _lever_words(bot, "us_visa", {"blocking": True}).endswith(": yes)")
    assert "most US personnel: at least 50" in _lever_words(bot, "mx_consent", {"max_personnel": 50})
    assert "intelligence sharing" in _lever_words(bot, "mx_consent", {"activity": "intel_sharing"})
    assert "_" not in _lever_words(bot, "mx_consent", {"activity": "intel_sharing", "duration_turns": 2})
