"""What a bot's decline asks for must be terms the proposer can table (session 24): student m24's US
offered US-SFT with Mexico's consent (MX-CONSENT), and Mexico answered that it "would sign it without
MX-CONSENT" — a deal the server refuses, since US personnel in Mexico need that consent. The student's
game state was not reproduced here; the guard (``bargaining._sendable``, the server's own check run on
each change a decline may name) is tested directly, and every demand named over a range of declines is
checked to be tableable."""

from __future__ import annotations

import re

from test_bots13 import CLAUSES, CODES, Terms, _answer, _negotiation, _propose

from precursor.game.bots import Bot
from precursor.game.bots.bargaining import _sendable
from precursor.game.commands import Clause, CommandError, Propose
from precursor.game.engine import Game
from precursor.game.negotiation import breach_age, check_proposal
from precursor.game.rulebook import default_rulebook

RB = default_rulebook()
SFT: Terms = [
    ("mx", "mx_plan_5", {}, 2),
    ("us", "us_sft", {"personnel": 12, "activity": "training"}, 2),
    ("mx", "mx_consent", {"activity": "training", "max_personnel": 12, "duration_turns": 3}, 1),
]


def _tableable(game: Game, terms: Terms) -> str | None:
    cmd = Propose(
        parties=["us", "mx"],
        clauses=[
            Clause(actor=a, lever=lv, params=p, start_turn=game.state.turn, duration=d)
            for a, lv, p, d in terms
        ],  # type: ignore[arg-type]
        framing="shared_responsibility",
    )
    try:
        check_proposal(
            RB,
            cmd,
            "us",
            turn=game.state.turn,
            phase="negotiation",
            tabled=0,
            limit=9,
            consent_token=lambda: False,
            breach=lambda: breach_age(RB, game.state.env),
        )
    except CommandError as exc:
        return exc.message
    return None


def test_terms_without_the_consent_us_personnel_need_are_not_sendable() -> None:
    game = _negotiation("loose-talk")
    pid = _propose(game, "us", ["us", "mx"], SFT, "shared_responsibility", "self")
    prop = game.state.proposals[pid]
    bot = Bot(RB, "mx", "sovereigntist", 7)
    view = {"turn": game.state.turn, "tokens": []}
    assert _sendable(bot, view, game.state.env, prop)
    without = {**prop, "clauses": [c for c in prop["clauses"] if c["lever"] != "mx_consent"]}
    assert not _sendable(bot, view, game.state.env, without)


def test_every_change_a_decline_names_gives_terms_the_server_tables() -> None:
    named = []
    for scenario in ("loose-talk", "tutorial", "three-weeks"):
        for seed in range(3):
            for persona in ("sovereigntist", "cooperative"):
                game = _negotiation(scenario, seed)
                pid = _propose(game, "us", ["us", "mx"], SFT, "shared_responsibility", "self")
                _decision, said, _ = _answer(game, "mx", persona, pid, CLAUSES)
                if " would sign it " not in said:
                    continue
                named.append(said)
                demand = said.split(" would sign it ", 1)[1]
                dropped = {CODES[c] for c in re.findall(r"without ([A-Z][A-Z0-9()\-]*) \(", demand)}
                refused = _tableable(game, [t for t in SFT if t[1] not in dropped])
                assert refused is None, (scenario, seed, persona, said, refused)
    assert named, "no decline named a change: nothing was checked"
