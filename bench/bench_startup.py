"""Start-up: whole ``precursor`` processes, beside bare ``python -c pass`` timed in the same run.

What a user waits for is the whole process: the interpreter, the imports, the command, the exit. Each
case is a fresh process, started the way the ``precursor`` console script starts it; the cases take
turns, round after round, so a busy neighbour on a shared box slows them all alike. Cases:

- ``python -c pass``: the floor every command pays (the interpreter and its site packages);
- ``precursor --help`` and ``precursor --version``: goal, within 60 ms of the floor (median);
- ``precursor report`` of a finished 16-turn game, Markdown and HTML: goal, under 0.8 s in all
  (median, start-up included). No shipped scenario runs 16 turns (the-record's 22 cannot be cut short:
  its injects are timed to its last months), so, as in bench_review.py, tariffs-and-terror is stretched
  to 16 one-month turns, played once by the bots with ``precursor run``, and reported with the copy on
  ``PRECURSOR_SCENARIOS_PATH``.

- ``precursor simulate --runs 1 --json`` (tutorial) and ``precursor balance --runs 1 --workers 1
  --json``: goal, a fixed cost under 0.3 s before the first game. The fixed cost is the whole process
  less the same games played again in a warm process (timed by a child of the same build), so it holds
  the start-up, the imports, the rulebook and what the first game loads that later ones reuse.
- ``precursor report`` with ``PRECURSOR_NO_CACHE=1``: what a report costs before its rule files are in
  the cache (precursor/game/rulebook/cache.py); the other cases run with a warm cache of their own.

The children write and reuse their bytecode (in a folder of the run's own, ``PYTHONPYCACHEPREFIX``), as
an installed package does, whatever ``PYTHONDONTWRITEBYTECODE`` says here.

Each process's CPU time (user + system, from the kernel) is printed beside its wall time: on a shared
box other processes lengthen the wall time, not the CPU time, which is close to what the same process
takes on an idle machine. The children import the package the benchmark imports (checked): run it
with the compiled install's Python to time that build; this checkout's pure sources are then timed
too, in the same run (which_build.py). ``--baseline DIR`` times another copy of the sources (a folder
holding ``precursor/``, e.g. ``git archive integ | tar -x -C DIR``) in the same rounds, case by case.
Run: ``python bench/bench_startup.py [--rounds 15] [--baseline DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import which_build
from harness.stats import pct

import precursor

# what pip's console script runs: the same imports, the same main()
LAUNCH = "import sys; from precursor.__main__ import main; sys.argv[0] = 'precursor'; sys.exit(main())"
HELP_GOAL_MS = 60.0  # over the floor
REPORT_GOAL_MS = 800.0  # in all
FIXED_GOAL_MS = 300.0  # before the first game
SIM_SCENARIO = "tutorial"
FIXED = {  # case -> the in-process games it is reduced by
    "precursor simulate --runs 1 (json)": "simulate",
    "precursor balance --runs 1 (json)": "balance",
}
# one build's games timed in a warm process: once untimed (what a first game loads), then the median
GAMES = f"""
import json, statistics, sys, time
from precursor.analysis.simulate import balance, simulate
from precursor.game.rulebook import default_rulebook
rb = default_rulebook()
games = {{"simulate": lambda: simulate({SIM_SCENARIO!r}, 1, 1, rb=rb),
         "balance": lambda: balance(1, 1, 1, rb=rb)}}
out = {{}}
for name, play in games.items():
    play()
    wall, cpu = [], []
    for _ in range(int(sys.argv[1])):
        w, c = time.perf_counter(), time.process_time()
        play()
        wall.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    out[name] = {{"wall": statistics.median(wall), "cpu": statistics.median(cpu)}}
print(json.dumps(out))
"""


def child_env(work: Path) -> dict[str, str]:
    """The environment the children run in: ``PYTHONPATH`` made absolute, since they run elsewhere;
    bytecode written and reused, as in an install; a rule file cache of the run's own."""
    env = dict(os.environ)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(str(Path(p).resolve()) for p in paths)
    env["NO_COLOR"] = "1"
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env["PRECURSOR_CACHE_DIR"] = str(work / "cache")
    env.pop("PRECURSOR_NO_CACHE", None)
    return env


def stretched_scenario(folder: Path) -> Path:
    """tariffs-and-terror as 16 one-month turns, under its own id, in ``folder``."""
    src = Path(precursor.__file__).resolve().parent / "data" / "scenarios" / "tariffs-and-terror.yaml"
    if not src.exists():  # running from a source checkout
        src = which_build.ROOT / "scenarios" / "tariffs-and-terror.yaml"
    text = src.read_text(encoding="utf-8").replace("id: tariffs-and-terror", "id: long-tariffs", 1)
    text = re.sub(r"(?m)^  turns: \d+", "  turns: 16", text, count=1)
    text = re.sub(r"(?m)^  months_per_turn: \d+", "  months_per_turn: 1", text, count=1)
    path = folder / "long-tariffs.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """One whole process, which must succeed: its wall time and its CPU time, in milliseconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    wall = (time.perf_counter() - t0) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[2:]) or argv}: exit {done.returncode}\n{done.stderr[-2000:]}")
    return wall, cpu


NO_CACHE = {"PRECURSOR_NO_CACHE": "1"}


def cases(work: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    """Each case's command line and what it adds to the environment."""
    py = sys.executable
    log = str(work / "game.jsonl")
    md = [py, "-c", LAUNCH, "report", log, "--out", str(work / "r.md")]
    return {
        "python -c pass": ([py, "-c", "pass"], {}),
        "precursor --help": ([py, "-c", LAUNCH, "--help"], {}),
        "precursor --version": ([py, "-c", LAUNCH, "--version"], {}),
        "precursor report (16 turns, md)": (md, {}),
        "precursor report (16 turns, html)": (
            [py, "-c", LAUNCH, "report", log, "--format", "html", "--out", str(work / "r.html")],
            {},
        ),
        "precursor report (md, cache off)": (md, NO_CACHE),
        "precursor simulate --runs 1 (json)": (
            [py, "-c", LAUNCH, "simulate", "--scenario", SIM_SCENARIO, "--runs", "1", "--json"],
            {},
        ),
        "precursor balance --runs 1 (json)": (
            [py, "-c", LAUNCH, "balance", "--runs", "1", "--workers", "1", "--json"],
            {},
        ),
    }


Times = dict[str, dict[str, list[float]]]


def build_env(env: dict[str, str], sources: Path | None, work: Path) -> dict[str, str]:
    """The children's environment for one build: ``sources`` (a folder holding precursor/) first on
    the path, or the package this benchmark imports (checked)."""
    if sources is not None:
        env = {**env, "PYTHONPATH": os.pathsep.join([str(sources.resolve()), env.get("PYTHONPATH", "")])}
    where = subprocess.run(
        [sys.executable, "-c", "import precursor; print(precursor.__file__)"],
        env=env, cwd=work, capture_output=True, text=True, check=True,
    )  # fmt: skip
    expected = (sources.resolve() / "precursor" / "__init__.py") if sources else Path(precursor.__file__)
    assert Path(where.stdout.strip()).resolve() == expected.resolve(), where.stdout
    return env


def games(env: dict[str, str], work: Path, repeats: int) -> dict[str, dict[str, float]]:
    """The games the fixed-cost cases play, timed in one warm process of the build: median ms."""
    done = subprocess.run(
        [sys.executable, "-c", GAMES, str(repeats)], env=env, cwd=work, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"timing the games: exit {done.returncode}\n{done.stderr[-2000:]}")
    result: dict[str, dict[str, float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(rounds: int, baseline: Path | None) -> tuple[dict[str, Times], dict[str, dict[str, Any]]]:
    """Per build ("this", and "baseline" if given): each case's wall and CPU times, and its games."""
    with tempfile.TemporaryDirectory(prefix="precursor-startup-") as tmp:
        work = Path(tmp)
        base_env = child_env(work)
        base_env["PRECURSOR_SCENARIOS_PATH"] = str(stretched_scenario(work).parent)
        envs = {"this": build_env(base_env, None, work)}
        if baseline is not None:
            envs["baseline"] = build_env(base_env, baseline, work)
        log = work / "game.jsonl"
        run([sys.executable, "-c", LAUNCH, "run", "--scenario", "long-tariffs", "--seed", "5", "--personas",
             "--out", str(log)], envs["this"], work)  # fmt: skip
        turns = max(json.loads(line).get("turn") or 0 for line in log.read_text().splitlines())
        assert turns == 16, turns
        argvs = cases(work)
        times = {b: {name: {"wall": [], "cpu": []} for name in argvs} for b in envs}
        for env in envs.values():  # once each, untimed: the files, bytecode and rule caches are warm
            for argv, extra in argvs.values():
                run(argv, {**env, **extra}, work)
        for _ in range(rounds):
            for name, (argv, extra) in argvs.items():
                for b, env in envs.items():
                    wall, cpu = run(argv, {**env, **extra}, work)
                    times[b][name]["wall"].append(wall)
                    times[b][name]["cpu"].append(cpu)
        played = {b: games(env, work, max(3, rounds // 3)) for b, env in envs.items()}
    return times, played


STATS = {"median": statistics.median, "p90": lambda v: pct(v, 90)}


def figures(times: Times, played: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Per case: median_wall, p90_wall, median_cpu, p90_cpu; and per fixed-cost case, a row of its
    fixed cost: the medians less the games' in-process medians."""
    fig = {
        name: {f"{stat}_{kind}": f(v) for kind, v in by_kind.items() for stat, f in STATS.items()}
        for name, by_kind in times.items()
    }
    for name, game in FIXED.items():
        fig[f"{name}: fixed cost"] = {
            f"{stat}_{kind}": fig[name][f"{stat}_{kind}"] - played[game][kind]
            for kind in ("wall", "cpu")
            for stat in STATS
        }
        fig[f"{name}: the games in-process"] = {
            f"{stat}_{kind}": played[game][kind] for kind in ("wall", "cpu") for stat in STATS
        }
    return fig


def goals(fig: dict[str, dict[str, float]], kind: str) -> list[tuple[str, bool]]:
    """Each goal, held against the medians of one kind of time (wall or cpu)."""
    floor = fig["python -c pass"][f"median_{kind}"]
    out = []
    for name in ("precursor --help", "precursor --version"):
        over = fig[name][f"median_{kind}"] - floor
        out.append((f"{name}: {over:+.0f} ms over bare Python (goal: within {HELP_GOAL_MS:.0f})",
                    over <= HELP_GOAL_MS))  # fmt: skip
    for name in ("precursor report (16 turns, md)", "precursor report (16 turns, html)"):
        ms = fig[name][f"median_{kind}"]
        out.append((f"{name}: {ms:.0f} ms in all (goal: under {REPORT_GOAL_MS:.0f})", ms < REPORT_GOAL_MS))
    for name in FIXED:
        ms = fig[f"{name}: fixed cost"][f"median_{kind}"]
        out.append((f"{name}: {ms:.0f} ms before the games (goal: under {FIXED_GOAL_MS:.0f})",
                    ms < FIXED_GOAL_MS))  # fmt: skip
    return out


def table(figs: dict[str, dict[str, dict[str, float]]], pure: dict[str, dict[str, float]] | None) -> None:
    """One row per case: this build's medians and p90s, then the baseline's and the pure sources'
    medians where they were timed."""
    cols = [f"{stat}_{kind}" for kind in ("wall", "cpu") for stat in STATS]
    others = {b: f for b, f in figs.items() if b != "this"}
    if pure:
        others["pure"] = pure
    head = "".join(f"{c.replace('_', ' '):>12}" for c in cols)
    head += "".join(f"{b + ': wall':>18}{'cpu':>6}" for b in others)
    print(f"{'(ms)':52}{head}")
    for name, f in figs["this"].items():
        line = f"{name:52}" + "".join(f"{f[c]:12.0f}" for c in cols)
        line += "".join(
            f"{o[name]['median_wall']:18.0f}{o[name]['median_cpu']:6.0f}" for o in others.values()
        )
        print(line)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15, help="timed runs of each case")
    ap.add_argument("--baseline", type=Path, help="another copy of the sources (a folder holding precursor/)")
    ap.add_argument("--json", action="store_true", help="print only the figures, as one JSON line")
    args = ap.parse_args()
    if not args.json:
        print(f"package under test: {which_build.describe()}")
        print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    times, played = measure(args.rounds, args.baseline)
    figs = {b: figures(t, played[b]) for b, t in times.items()}
    if args.json:
        print(json.dumps(figs["this"]))
        return
    compiled = which_build.is_compiled()
    pure = which_build.run_pure(Path(__file__), [f"--rounds={args.rounds}"]) if compiled else None
    table(figs, pure)
    print(f"({args.rounds} runs of each, in turns; load average after: {os.getloadavg()[0]:.2f})")
    for b, fig in figs.items():
        for (text, met_wall), (_, met_cpu) in zip(goals(fig, "wall"), goals(fig, "cpu"), strict=True):
            verdict = "met" if met_wall else ("met in CPU time only" if met_cpu else "NOT MET")
            print(f"{b:9} {verdict:21} {text} (wall)")


if __name__ == "__main__":
    main()
