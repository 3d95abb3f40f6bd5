"""Sweeps: many bot games over a grid (or a sample) of scenarios, persona mixes, rule variants and seeds.

A sweep is described by a YAML file (docs/sweeps.md), checked with pydantic before any game starts. The
games run in chunks on an executor (precursor/analysis/executor.py; Dask by default) and every finished
chunk becomes one Parquet part file in the output folder, written under a temporary name and renamed, so a
part is either whole or absent. A sweep that stops (a crash, Ctrl-C, a killed job) is resumed by running
it again: the games already in the folder are skipped and only the rest are played. A game is known by
its ``game`` key, a hash of what decides it (the rules' identity, the scenario, the personas, the seed), so
each game lands in the folder once however often the sweep is started.

Every row replays alone: ``precursor run --scenario S --seed N --personas us=...,mx=... [--rules P ...]``
with the row's values plays the same game (same scores).
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from precursor.analysis.batch import Progress, SimulationError
from precursor.analysis.executor import GameExecutor, RuleSource
from precursor.analysis.pool import chunk_size
from precursor.analysis.simulate import Record, resolve_personas, run_one
from precursor.game.provenance import fingerprint
from precursor.game.schema import TEAMS

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

Team = Literal["us", "mx", "cn", "ca"]
PART_PREFIX = "part-"
# Test hook: after this many part files the sweep stops playing and waits to be killed, so a test can
# interrupt it at a known point (tests/review/test_sweep.py). Unset in normal use.
HOLD_ENV = "PRECURSOR_SWEEP_HOLD_AFTER"


class SweepError(SimulationError):
    """A sweep that cannot start: a bad spec (with its file and field), or an output folder that is not
    a sweep's."""


# ---------------------------------------------------------------------- the spec


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SeedRange(_Strict):
    """``count`` consecutive game seeds from ``start``."""

    start: int = Field(default=1, ge=0, lt=2**53)
    count: int = Field(ge=1, le=1_000_000)


class Sample(_Strict):
    """``games`` games drawn from the grid without replacement, the same ones for the same ``seed``."""

    games: int = Field(ge=1)
    seed: int = 0


def _as_written() -> list[dict[Team, str]]:
    return [{}]


def _shipped() -> list[list[str]]:
    return [[]]


class SweepSpec(_Strict):
    """A sweep: the grid is every combination of the lists below."""

    scenarios: list[str] = Field(min_length=1)
    # each mix lays personas over the scenario's own (partial: {us: hawk} keeps the others); {} = as written
    personas: list[dict[Team, str]] = Field(default_factory=_as_written, min_length=1)
    # each variant is the rule (or override) files laid over the shipped rules, as --rules does; [] = shipped
    rules: list[list[str]] = Field(default_factory=_shipped, min_length=1)
    seeds: list[int] | SeedRange
    sample: Sample | None = None
    chunk: int | None = Field(default=None, ge=1, le=1000)  # games per task; by default from the grid size

    def seed_list(self) -> list[int]:
        if isinstance(self.seeds, SeedRange):
            return list(range(self.seeds.start, self.seeds.start + self.seeds.count))
        return list(self.seeds)


def _union_tag(part: int | str) -> bool:
    """Pydantic's names for a union member or a dict key ('list[int]', 'SeedRange', '[key]'): not a
    place in the user's file. The spec's own field names are lower-case words."""
    return isinstance(part, str) and ("[" in part or part[:1].isupper())


def load_spec(path: Path) -> SweepSpec:
    """The spec in ``path``, or a SweepError naming the file and the field that is wrong."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SweepError(f"{path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise SweepError(f"{path}: {where}not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise SweepError(f"{path}: a sweep spec is a mapping with scenarios, personas, rules and seeds")
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        # the deepest error is the one about the user's input: a union reports a miss for every
        # member, and the member the input was meant for fails furthest in
        first = max(exc.errors(), key=lambda e: len(e["loc"]))
        loc = ".".join(str(p) for p in first["loc"] if not _union_tag(p)) or "(top)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise SweepError(f"{path}: {loc}: {first['msg']}{more}") from None
    seeds = spec.seed_list()
    bad = next((i for i, s in enumerate(seeds) if not 0 <= s < 2**53), None)
    if bad is not None:
        raise SweepError(f"{path}: seeds.{bad}: a seed is between 0 and 2**53 - 1, not {seeds[bad]}")
    if len(set(seeds)) != len(seeds):
        raise SweepError(f"{path}: seeds: a seed is listed twice (each game would be played once anyway)")
    return spec


# ---------------------------------------------------------------------- the plan


@dataclass(frozen=True, slots=True)
class Variant:
    """One rules variant: the files as the spec names them, and how a worker loads them."""

    index: int
    paths: tuple[str, ...]  # as written in the spec, relative to it
    source: RuleSource


@dataclass(frozen=True, slots=True)
class GameJob:
    """One game of the sweep, everything a worker needs to play it and to write its row."""

    game: str
    variant: Variant
    scenario: str
    personas: tuple[tuple[str, str], ...]  # every team's persona, scenario defaults included
    seed: int


@dataclass
class Plan:
    spec: SweepSpec
    games: list[GameJob]
    rulebooks: dict[RuleSource, Rulebook] = field(default_factory=dict)


def _variant(spec_path: Path, i: int, paths: list[str]) -> tuple[Variant, Rulebook]:
    from precursor.game.loader import RulebookError
    from precursor.game.rulebook import overlay

    files = [(spec_path.parent / p) for p in paths]
    for j, f in enumerate(files):
        if not f.exists():
            raise SweepError(f"{spec_path}: rules.{i}.{j}: {paths[j]}: no such file or folder")
    try:
        rb = overlay(files)
    except RulebookError as exc:
        first = exc.problems[0]
        more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
        raise SweepError(f"{spec_path}: rules.{i}: {first}{more}") from None
    return Variant(i, tuple(paths), RuleSource.of(rb, files)), rb


def game_key(rules_identity: str, scenario: str, personas: Sequence[tuple[str, str]], seed: int) -> str:
    """What decides a game, hashed: equal keys, equal games (the rows' ``game`` column)."""
    return fingerprint([rules_identity, scenario, sorted(personas), seed])


def plan(spec: SweepSpec, spec_path: Path) -> Plan:
    """Every game of the sweep, in grid order (rules, scenario, personas, seed), checked against the
    rulebooks: an unknown scenario or persona fails here, before a cluster starts."""
    variants = [_variant(spec_path, i, paths) for i, paths in enumerate(spec.rules)]
    mixes: list[tuple[Variant, str, tuple[tuple[str, str], ...]]] = []
    for variant, rb in variants:
        for j, sc in enumerate(spec.scenarios):
            if sc not in rb.scenarios:
                raise SweepError(
                    f"{spec_path}: scenarios.{j}: unknown scenario '{sc}'"
                    f"{f' under rules.{variant.index}' if variant.paths else ''};"
                    f" try: {', '.join(sorted(rb.scenarios))}"
                )
            for k, mix in enumerate(spec.personas):
                try:
                    chosen = resolve_personas(rb, sc, {str(t): p for t, p in mix.items()})
                except SimulationError as exc:
                    raise SweepError(f"{spec_path}: personas.{k}: {exc}") from None
                mixes.append((variant, sc, tuple(chosen.items())))
    games = [
        GameJob(game_key(v.source.identity, sc, p, seed), v, sc, p, seed)
        for v, sc, p in mixes
        for seed in spec.seed_list()
    ]
    if spec.sample is not None:
        if spec.sample.games > len(games):
            raise SweepError(
                f"{spec_path}: sample.games: {spec.sample.games} is more than the grid's {len(games)} games"
            )
        picked = sorted(random.Random(spec.sample.seed).sample(range(len(games)), spec.sample.games))
        games = [games[i] for i in picked]
    unique = {g.game: g for g in games}  # two mixes that resolve alike are one game
    return Plan(spec, list(unique.values()), {v.source: rb for v, rb in variants})


# ---------------------------------------------------------------------- one row


def play_row(rb: Rulebook, job: GameJob) -> Record:
    """A worker's task body for one game: its ``simulate`` record with the sweep's columns in front."""
    rec = run_one(rb, job.scenario, job.seed, dict(job.personas))
    return {
        "game": job.game,
        "rules": json.dumps(list(job.variant.paths)),
        "rules_fingerprint": job.variant.source.identity,
        "personas": json.dumps(dict(job.personas), sort_keys=True),
        **rec,
    }


def _schema() -> Any:
    """Every part has these columns and types, so the parts read as one table (Parquet dataset)."""
    import pyarrow as pa

    f8, i8, s, b = pa.float64(), pa.int64(), pa.string(), pa.bool_()
    cols: list[tuple[str, Any]] = [
        ("game", s), ("rules", s), ("rules_fingerprint", s), ("personas", s),
        ("seed", i8), ("scenario", s),
        *((f"persona_{t}", s) for t in TEAMS),
        *((f"score_{t}", f8) for t in TEAMS),
        ("out_od_us", f8), ("od_synth", f8), ("od_total", f8), ("mx_homicides", f8), ("migrant_flow", f8),
        *((f"econ_cost_{t}", f8) for t in TEAMS),
        ("trade_cost", f8), ("mx_st", f8), ("mean_mx_st", f8), ("hrl", b), ("hrl_count", i8),
        ("agreements_signed", i8), ("agreements_honoured", i8), ("modules", s), ("modules_in_force", i8),
        ("trilateral", b), ("review_badges", i8), ("badge_points", f8), ("refused", i8), ("turns", i8),
    ]  # fmt: skip
    return pa.schema(cols)


# ---------------------------------------------------------------------- the output folder


def _parts(out: Path) -> list[Path]:
    return sorted(out.glob(f"{PART_PREFIX}*.parquet"))


def finished_games(out: Path) -> set[str]:
    """The games already in the folder's parts. Leftover temporary files (a write cut short) are removed:
    their games were never counted, so they are played again."""
    import pyarrow.parquet as pq

    for tmp in out.glob(f".{PART_PREFIX}*.tmp"):
        tmp.unlink(missing_ok=True)
    done: set[str] = set()
    for part in _parts(out):
        try:
            games = pq.read_table(part, columns=["game"]).column("game").to_pylist()
        except Exception as exc:  # pyarrow raises its own errors (ArrowInvalid, OSError) for a bad file
            raise SweepError(f"{part}: not a sweep part file ({exc}); move it out of the folder") from None
        done.update(str(g) for g in games)
    return done


def write_part(out: Path, rows: list[Record]) -> Path:
    """One finished chunk as a part file: written under a temporary name, flushed, then renamed, so a
    reader (or a resumed sweep) never sees half a part."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    name = f"{PART_PREFIX}{uuid.uuid4().hex}.parquet"
    tmp = out / f".{name}.tmp"
    pq.write_table(pa.Table.from_pylist(rows, schema=_schema()), tmp)
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    final = out / name
    os.replace(tmp, final)
    return final


def read_rows(out: Path) -> list[Record]:
    """Every row of a sweep's folder, in a stable order (rules, scenario, personas, seed)."""
    import pyarrow.parquet as pq

    rows: list[Record] = []
    for part in _parts(out):
        rows.extend(pq.read_table(part, schema=_schema()).to_pylist())
    return sorted(
        rows, key=lambda r: (r["rules"], r["rules_fingerprint"], r["scenario"], r["personas"], r["seed"])
    )


# ---------------------------------------------------------------------- running


@dataclass
class SweepResult:
    out: Path
    planned: int
    skipped: int  # already in the folder when the sweep started
    played: int
    parts: int  # part files written by this run
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "planned": self.planned,
            "skipped": self.skipped,
            "played": self.played,
            "parts": self.parts,
            "seconds": round(self.seconds, 3),
            "games_per_second": round(self.played / self.seconds, 3) if self.seconds > 0 else None,
        }


def _chunks(todo: list[GameJob], size: int) -> list[tuple[RuleSource, list[GameJob]]]:
    """Consecutive games of one rules variant per chunk (a worker keeps one rulebook per variant)."""
    out: list[tuple[RuleSource, list[GameJob]]] = []
    for g in todo:
        if out and out[-1][0] == g.variant.source and len(out[-1][1]) < size:
            out[-1][1].append(g)
        else:
            out.append((g.variant.source, [g]))
    return out


def run_sweep(
    the_plan: Plan,
    out: Path,
    executor: GameExecutor,
    progress: Progress | None = None,
    on_part: Callable[[Path], None] | None = None,
) -> SweepResult:
    """Play the plan's games that ``out`` does not hold yet, writing a part per finished chunk."""
    start = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    done = finished_games(out)
    todo = [g for g in the_plan.games if g.game not in done]
    skipped = len(the_plan.games) - len(todo)
    size = the_plan.spec.chunk or chunk_size(len(todo), executor.workers)
    chunks = _chunks(todo, size)
    hold = int(os.environ.get(HOLD_ENV, "0") or 0)
    played = parts = 0
    if progress is not None:
        progress(skipped, len(the_plan.games))
    for _, rows in _finished(executor, chunks, the_plan):
        path = write_part(out, rows)
        parts += 1
        played += len(rows)
        if on_part is not None:
            on_part(path)
        if progress is not None:
            progress(skipped + played, len(the_plan.games))
        if hold and parts >= hold:
            while True:  # the test hook: wait here to be killed
                time.sleep(1)
    return SweepResult(out, len(the_plan.games), skipped, played, parts, time.perf_counter() - start)


def _finished(
    executor: GameExecutor, chunks: list[tuple[RuleSource, list[GameJob]]], the_plan: Plan
) -> Iterator[tuple[int, list[Record]]]:
    if not chunks:
        return iter(())
    return executor.run(play_row, chunks, the_plan.rulebooks)
