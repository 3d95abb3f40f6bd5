"""What bots ask partners for, and what they say with it (session 14).

Students playing against the bots found Mexico asking China to "deny and deflect" (an act that serves
only China's face), Canada asking China at working level for a step China's own public rule leaves to
leaders, and Mexico telling China and Canada "You stop the guns and treat your addicts", words meant for
the United States. Each test plays default bot games or asks a real bot in a real game.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from precursor.analysis.runner import play
from precursor.game.bots import Bot, BotDriver
from precursor.game.bots.utility import weigh
from precursor.game.engine import Game
from precursor.game.rulebook import default_rulebook

RB = default_rulebook()


@cache
def _default_game(scenario: str, seed: int) -> Game:
    personas = dict(RB.scenarios[scenario].model.personas)
    game, refused = play(RB, scenario, seed, None, bots=BotDriver(RB, personas, seed))
    assert game.state.ended and not refused, (scenario, refused)
    return game


def _bot_proposals(game: Game) -> list[dict[str, Any]]:
    """The proposals bots tabled of their own accord (not counter-proposals), with the persona in ``by``."""
    return [
        e["proposal"]
        for e in game.log
        if e["type"] == "proposal"
        and str(e["proposal"].get("by", "")).startswith("bot:")
        and not e["proposal"].get("counter_to")
    ]


def _open_exchanges(game: Game) -> list[dict[str, Any]]:
    """The bots' open exchanges: their proposals to a partner none of the persona's packages names (a
    package's clauses are the persona's as written, not picked by what the bot values)."""
    out = []
    for p in _bot_proposals(game):
        model = RB.personas[p["by"].removeprefix("bot:")].model
        covered = {t for pk in [model.package, *model.packages] if pk is not None for t in pk.partner}
        if not set(p["parties"]) - {p["from"]} & covered:
            out.append(p)
    return out


def test_a_bot_asks_a_partner_only_for_an_act_whose_effects_it_weighs() -> None:
    """Mexico's sovereigntist asked China for CN-DENY (deny and deflect) in every default game: its liking
    for blaming, a taste for doing so itself, was counted as the worth of China's denial, which changes
    nothing Mexico weighs. In default games of every scenario, each act a bot asks of a partner is one
    whose effects its persona weighs."""
    asked_deny, asks = [], 0
    for scenario in sorted(RB.scenarios):
        for p in _open_exchanges(_default_game(scenario, 0)):
            bot = Bot(RB, p["from"], p["by"].removeprefix("bot:"), 0)
            for c in p["clauses"]:
                lever = RB.levers[c["lever"]]
                if c["actor"] == p["from"]:
                    continue
                assert weigh(bot, lever).any_effect, (scenario, p["id"], p["by"], lever.code)
                asks += 1
                if lever.code == "CN-DENY":
                    asked_deny.append((scenario, p["id"]))
    assert not asked_deny, asked_deny
    assert asks > 20  # bots still ask partners for things


def _stated_rules(team: str) -> list[str]:
    """The words of the hard rules a team's personas state when they decline (``message``)."""
    return [r.message for p in RB.personas.values() if p.team == team for r in p.hard_rules if r.message]


def test_a_bot_does_not_ask_for_what_the_partners_stated_rules_refuse() -> None:
    """Canada's trilateralist asked China at working level for CN-PEN every third turn, and China's
    deny-and-deflect declined each time: "Steps of this kind are for leaders to agree when they meet".
    Once a partner's own proposals have shown who it is, a bot's open exchange is never declined by one
    of that partner's stated rules, in default games of every scenario."""
    declined, asked = [], 0
    for scenario in sorted(RB.scenarios):
        game = _default_game(scenario, 0)
        shown: dict[tuple[str, str], int] = {}  # (asker, partner) -> seq of the first proposal it saw
        for e in game.log:
            if e["type"] == "proposal" and str(e["proposal"].get("by", "")).startswith("bot:"):
                for t in ("us", "mx", "cn", "ca"):
                    if e["vis"] == "all" or t in e["vis"]:
                        shown.setdefault((t, e["proposal"]["from"]), e["seq"])
        seq = {e["proposal"]["id"]: e["seq"] for e in game.log if e["type"] == "proposal"}
        for p in _open_exchanges(game):
            for partner in set(p["parties"]) - {p["from"]}:
                if shown.get((p["from"], partner), seq[p["id"]]) >= seq[p["id"]]:
                    continue  # the partner had shown nothing of itself yet
                asked += 1
                reason = str(game.state.proposals[p["id"]].get("reasons", {}).get(partner, ""))
                if any(m in reason for m in _stated_rules(partner)):
                    declined.append((scenario, p["id"], reason))
    assert not declined, declined
    assert asked > 20


def _meant_for() -> dict[str, set[str]]:
    """Every voice line meant for some teams only, and those teams."""
    return {text: set(to) for p in RB.personas.values() for text, to in p.model.voice.to.items()}


def _said(game: Game) -> list[tuple[str, set[str], str]]:
    """What bots said in a game, to whom: proposal notes (to the other parties), messages (to the other
    team of the channel) and statements (to their target)."""
    out = []
    for e in game.log:
        if e["type"] == "proposal" and str(e["proposal"].get("by", "")).startswith("bot:"):
            p = e["proposal"]
            out.append((p["id"], set(p["parties"]) - {p["from"]}, str(p.get("note") or "")))
        elif e["type"] == "message" and str(e.get("name", "")).startswith("bot:"):
            members = set(game.state.channels[e["channel"]]["members"])
            out.append((e["id"], members - {e["team"]}, e["text"]))
        elif e["type"] == "statement" and e.get("target"):
            out.append((f"statement T{e['turn']} {e['team']}", {e["target"]}, e["text"]))
    return out


def test_every_line_a_bot_says_is_meant_for_whom_it_is_said_to() -> None:
    """Mexico's sovereigntist told China and Canada "You stop the guns and treat your addicts" (meant for
    the United States), and Canada asked China to "build this into the USMCA". A line meant for some teams
    says so (``to`` in the persona's voice), and in default games of every scenario no bot says one to
    anyone else."""
    meant = _meant_for()
    assert (
        "We will keep migration under control and set up the plan. You stop the guns and treat your addicts."
        in meant
    )
    assert meant["Let's build this into the USMCA, one module at a time."] == {"us", "mx"}
    wrong, addressed = [], 0
    for scenario in sorted(RB.scenarios):
        for seed in (0, 1):
            for what, to, text in _said(_default_game(scenario, seed)):
                for line, teams in meant.items():
                    if line in text:
                        addressed += 1
                        if not to <= teams:
                            wrong.append((scenario, seed, what, sorted(to), line))
    assert not wrong, wrong[:5]
    assert addressed > 50  # lines meant for some teams are still said to them


def test_a_bot_never_asks_again_for_a_partners_one_off_act_a_past_deal_held() -> None:
    """The US asked China, in every turn of The Record, for the chemical scheduling listing (CN-SCHED, a
    one-off act) China had carried out under their deal of turn 1; the clause bound China to nothing
    ("costs China nothing, done already"), and a China that signed everything scored 35 points above its
    best persona (``precursor probe``). A bot's view counts only its own levers, so a partner's one-off
    act a deal of the bot's held in a past turn now counts as done: no bot proposal asks for it again."""
    repeats = []
    for scenario in sorted(RB.scenarios):
        for seed in (0, 1):
            game = _default_game(scenario, seed)
            held: dict[str, set[tuple[str, str]]] = {}  # team -> (actor, lever) of its signed deals' one-offs
            for e in game.log:
                if e["type"] == "agreement":
                    a = e["agreement"]
                    for c in a["clauses"]:
                        if RB.levers[c["lever"]].once:
                            for t in a["parties"]:
                                if t != c["actor"]:
                                    held.setdefault(t, set()).add((c["actor"], c["lever"]))
                elif e["type"] == "proposal" and str(e["proposal"].get("by", "")).startswith("bot:"):
                    p = e["proposal"]
                    for c in p["clauses"]:
                        if c["actor"] != p["from"] and (c["actor"], c["lever"]) in held.get(p["from"], set()):
                            repeats.append((scenario, seed, p["id"], c["lever"]))
    assert not repeats, repeats[:5]
