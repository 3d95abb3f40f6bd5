"""The strategy probe: simple scripted strategies for one team, played against the persona bots.

A game is judged by what a determined player can do to it. If a strategy that needs no policy reasoning
(do nothing, pull one lever every turn, farm empty agreements, accept everything) beats the team's best
persona bot, the rules reward a cheap trick; if doing nothing scores as well as the personas, the team's
choices do not matter. The probe plays each strategy for one team while the other teams are played by
their scenario's default personas, on the same seeds as the team's own personas, and reports the mean
score and the margin over the best persona.

Strategies:

- ``nothing``: the team gives no orders, tables nothing and answers nothing;
- ``repeat:LEVER``: the lever every turn it can be afforded, with its default parameters (one strategy
  per lever of the team; the table shows the best of them);
- ``farm``: every turn a public one-turn agreement with the partner the team trusts most, whose only
  clauses are the team's own cheapest available levers, which it then orders;
- ``accept_all`` / ``reject_all``: the team's default persona, except that it accepts (rejects) every
  proposal put to it;
- ``best_fixed``: the fixed order set found by a greedy search (seeded, deterministic): start from the
  best single lever and add the lever that most raises the mean score on a few search seeds, up to the
  seat's order limit, while it helps; then played on every seed.

Determinism: a run's seed derives from the batch seed and the run index as in ``simulate``, so the
personas and every strategy meet the same dice, and the results do not depend on ``workers``.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from precursor.analysis.batch import SimulationError
from precursor.analysis.pool import map_games
from precursor.analysis.runner import play
from precursor.analysis.simulate import resolve_personas, run_seed
from precursor.game.bots import BotDriver
from precursor.game.commands import (
    Actor,
    Clause,
    CommandEnvelope,
    Framing,
    Order,
    Propose,
    Respond,
    SubmitOrders,
)
from precursor.game.engine import Game
from precursor.game.rulebook import CLever, Rulebook
from precursor.game.schema import TEAMS
from precursor.game.teams import pair

# (strategy name, levers it orders) — levers are used by repeat and best_fixed only
Strategy = tuple[str, tuple[str, ...]]
# a job: (scenario, probed team, strategy, personas of every team as sorted pairs, batch seed, run index)
Job = tuple[str, str, Strategy, tuple[tuple[str, str], ...], int, int]

SIMPLE = ("nothing", "farm", "accept_all", "reject_all")


# ---------------------------------------------------------------------- a strategy as a player


def _available(game: Game, lever: CLever) -> float | None:
    cost, _ = game.default_order_status(lever)
    return cost


def _affordable(game: Game, team: str, levers: Sequence[str], limit: int) -> list[str]:
    """The levers that can be ordered now with default parameters, within the team's capital and the
    seat's order limit, in the order given."""
    pc = float(game.state.env.get(f"{team}.pc", 0.0))
    out: list[str] = []
    spent = 0.0
    for lid in levers:
        cost = _available(game, game.rb.levers[lid])
        if cost is None or spent + cost > pc or len(out) >= limit:
            continue
        out.append(lid)
        spent += cost
    return out


def cheapest_levers(game: Game, team: str, n: int) -> list[str]:
    """The team's ``n`` cheapest levers available now (ties by id: deterministic)."""
    costs = [
        (cost, lid)
        for lid, lever in sorted(game.rb.levers.items())
        if lever.team == team and (cost := _available(game, lever)) is not None
    ]
    return [lid for _, lid in sorted(costs)[:n]]


class ProbeDriver:
    """Plays ``team`` by ``strategy`` and every other team with its persona bot, through the runner's
    bots hook (the same hook the persona bots use)."""

    def __init__(
        self, rb: Rulebook, team: str, strategy: Strategy, personas: dict[str, str], seed: int
    ) -> None:
        self.rb, self.team = rb, team
        self.name, self.levers = strategy
        # accept_all and reject_all keep the team's persona for everything but its answers
        keep = self.name in ("accept_all", "reject_all")
        others = {t: p for t, p in personas.items() if keep or t != team}
        self.bots = BotDriver(rb, others, seed)
        self.actor = Actor.model_validate({"role": "bot", "team": team, "name": f"probe:{self.name}"})
        self._tabled: dict[int, list[str]] = {}

    def __call__(self, game: Game, phase: str) -> Iterator[CommandEnvelope]:
        for env in self.bots(game, phase):
            answers = self.name in ("accept_all", "reject_all")
            if answers and env.actor.team == self.team and isinstance(env.command, Respond):
                continue  # the strategy answers instead
            yield env
        yield from (CommandEnvelope(actor=self.actor, command=c) for c in self._commands(game, phase))

    def _commands(self, game: Game, phase: str) -> list[Any]:
        if self.name in ("accept_all", "reject_all"):
            return self._answers(game) if phase == "negotiation" else []
        if self.name == "farm":
            return self._farm(game, phase)
        if self.name == "nothing" or phase != "orders":
            return []
        chosen = _affordable(game, self.team, self.levers, game.seat_limit(self.team, self._seat(game)))
        return [SubmitOrders(orders=[Order(lever=lid) for lid in chosen])] if chosen else []

    def _seat(self, game: Game) -> str:
        return game.player_seat_of_lever(next(lv for lv in self.rb.levers.values() if lv.team == self.team))

    def _answers(self, game: Game) -> list[Any]:
        action: Literal["accept", "reject"] = "accept" if self.name == "accept_all" else "reject"
        out: list[Any] = []
        for pid, p in sorted(game.state.proposals.items()):
            if p.get("status") != "open" or self.team not in p.get("parties", ()):
                continue
            if self.team == p.get("from") or self.team in p.get("accepted", []):
                continue
            out.append(Respond(proposal=pid, action=action))
        return out

    def _farm(self, game: Game, phase: str) -> list[Any]:
        turn = game.state.turn
        if phase == "negotiation":
            levers = cheapest_levers(game, self.team, 3)
            if not levers:
                return []
            env = game.state.env
            partners = [t for t in TEAMS if t != self.team]
            partner = max(partners, key=lambda t: (float(env.get(f"trust.{pair(self.team, t)}", 0)), t))
            self._tabled[turn] = levers
            framing: Framing = "china_initiative" if self.team == "cn" else "none"
            clauses = [Clause(actor=self.team, lever=lid, duration=1) for lid in levers]  # type: ignore[arg-type]
            return [
                Propose(
                    parties=sorted({self.team, partner}, key=TEAMS.index),  # type: ignore[arg-type]
                    clauses=clauses,
                    visibility="public",
                    framing=framing,
                )
            ]
        if phase == "orders":
            limit = game.seat_limit(self.team, self._seat(game))
            chosen = _affordable(game, self.team, self._tabled.get(turn, []), limit)
            return [SubmitOrders(orders=[Order(lever=lid) for lid in chosen])] if chosen else []
        return []


# ---------------------------------------------------------------------- playing jobs


def _score(rb: Rulebook, job: Job) -> float:
    scenario, team, strategy, personas, seed, index = job
    s = run_seed(seed, index) & 0x7FFFFFFF
    p = dict(personas)
    bots: Callable[[Game, str], Iterator[CommandEnvelope]] = (
        BotDriver(rb, p, s) if strategy[0] == "persona" else ProbeDriver(rb, team, strategy, p, s)
    )
    game, _ = play(rb, scenario, s, None, bots=bots)
    return float(game.state.scores[team]["total"])


def play_jobs(rb: Rulebook, jobs: list[Job], workers: int) -> list[float]:
    """Each job's score for the probed team, in job order; the same whatever ``workers`` is."""
    return map_games(rb, _score, jobs, workers)


# ---------------------------------------------------------------------- the probe


@dataclass
class ProbeResult:
    scenario: str
    team: str
    runs: int
    personas: dict[str, float]  # the team's own personas, others at the scenario's defaults
    strategies: dict[str, float]
    repeat: dict[str, float]  # repeat:LEVER for every lever of the team
    best_fixed: list[str]

    @property
    def best_persona(self) -> tuple[str, float]:
        pid = max(self.personas, key=lambda k: (self.personas[k], k))
        return pid, self.personas[pid]

    def margins(self) -> dict[str, float]:
        """Each strategy's mean minus the best persona's (the best repeat included as ``repeat_best``)."""
        _, best = self.best_persona
        rows = dict(self.strategies)
        if self.repeat:
            rows["repeat_best"] = max(self.repeat.values())
        return {k: round(v - best, 2) for k, v in rows.items()}

    def as_dict(self) -> dict[str, Any]:
        pid, best = self.best_persona
        lever = max(self.repeat, key=lambda k: (self.repeat[k], k)) if self.repeat else None
        return {
            "scenario": self.scenario,
            "team": self.team,
            "runs": self.runs,
            "personas": self.personas,
            "best_persona": {"id": pid, "mean": best},
            "strategies": self.strategies,
            "repeat": self.repeat,
            "repeat_best": {"lever": lever, "mean": self.repeat.get(lever or "")},
            "best_fixed": self.best_fixed,
            "margins": self.margins(),
        }


def _mean(xs: Sequence[float]) -> float:
    return round(statistics.fmean(xs), 2)


Spec = tuple[str, Strategy, dict[str, str]]  # (row name, strategy, personas of every team)


def _means(
    rb: Rulebook, scenario: str, team: str, specs: list[Spec], seed: int, runs: int, workers: int
) -> dict[str, float]:
    jobs: list[Job] = [
        (scenario, team, strategy, tuple(sorted(p.items())), seed, i)
        for _, strategy, p in specs
        for i in range(runs)
    ]
    scores = play_jobs(rb, jobs, workers)
    return {key: _mean(scores[k * runs : (k + 1) * runs]) for k, (key, _, _) in enumerate(specs)}


def _order_limit(rb: Rulebook, scenario: str, team: str) -> int:
    """Orders the team's one seat may give a turn (the runner plays one seat per team)."""
    game = Game.new(rb, scenario, 0)
    head = next(lv for lv in rb.levers.values() if lv.team == team)
    return game.seat_limit(team, game.player_seat_of_lever(head))


def _team_levers(rb: Rulebook, team: str) -> list[str]:
    return sorted(lid for lid, lv in rb.levers.items() if lv.team == team)


def _greedy(
    rb: Rulebook, scenario: str, team: str, defaults: dict[str, str], singles: dict[str, float], seed: int,
    runs: int, workers: int, limit: int,
) -> list[str]:  # fmt: skip
    """Start from the best single lever; add the lever that most raises the mean, while it helps."""
    chosen = [max(singles, key=lambda k: (singles[k], k))]
    best = singles[chosen[0]]
    while len(chosen) < limit:
        rest = [lid for lid in _team_levers(rb, team) if lid not in chosen]
        specs = [(lid, ("best_fixed", (*chosen, lid)), defaults) for lid in rest]
        means = _means(rb, scenario, team, specs, seed, runs, workers)
        lid = max(means, key=lambda k: (means[k], k))
        if means[lid] <= best:
            break
        chosen.append(lid)
        best = means[lid]
    return chosen


def probe(
    rb: Rulebook,
    scenario: str,
    team: str,
    runs: int,
    seed: int = 1,
    workers: int = 1,
    search_runs: int | None = None,
) -> ProbeResult:
    """Every strategy and every persona of ``team`` on the same ``runs`` seeds (others at defaults)."""
    if scenario not in rb.scenarios:
        raise SimulationError(f"unknown scenario '{scenario}'; try: {', '.join(sorted(rb.scenarios))}")
    if team not in TEAMS:
        raise SimulationError(f"unknown team '{team}'; one of {', '.join(TEAMS)}")
    if runs < 1:
        raise SimulationError("runs must be at least 1")
    defaults = resolve_personas(rb, scenario, None)
    own = sorted(pid for pid, p in rb.personas.items() if p.team == team)
    specs: list[Spec] = [(pid, ("persona", ()), {**defaults, team: pid}) for pid in own]
    specs += [(name, (name, ()), defaults) for name in SIMPLE]
    specs += [(f"repeat:{lid}", ("repeat", (lid,)), defaults) for lid in _team_levers(rb, team)]
    means = _means(rb, scenario, team, specs, seed, runs, workers)
    repeat = {k.split(":", 1)[1]: v for k, v in means.items() if k.startswith("repeat:")}
    # the search reads fewer seeds; its result is then played on all of them
    n = search_runs or min(runs, 10)
    singles = repeat
    if n != runs:
        rep = [s for s in specs if s[0].startswith("repeat:")]
        singles = {
            k.split(":", 1)[1]: v for k, v in _means(rb, scenario, team, rep, seed, n, workers).items()
        }
    fixed = _greedy(rb, scenario, team, defaults, singles, seed, n, workers, _order_limit(rb, scenario, team))
    spec: list[tuple[str, Strategy, dict[str, str]]] = [
        ("best_fixed", ("best_fixed", tuple(fixed)), defaults)
    ]
    fixed_mean = _means(rb, scenario, team, spec, seed, runs, workers)
    strategies = {name: means[name] for name in SIMPLE}
    strategies["best_fixed"] = fixed_mean["best_fixed"]
    return ProbeResult(
        scenario=scenario,
        team=team,
        runs=runs,
        personas={pid: means[pid] for pid in own},
        strategies=strategies,
        repeat=repeat,
        best_fixed=fixed,
    )
