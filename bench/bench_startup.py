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

Each process's CPU time (user + system, from the kernel) is printed beside its wall time: on a shared
box other processes lengthen the wall time, not the CPU time, which is close to what the same process
takes on an idle machine. The children import the package the benchmark imports (checked): run it
with the compiled install's Python to time that build; this checkout's pure sources are then timed
too, in the same run (which_build.py). Run: ``python bench/bench_startup.py [--rounds 15]``.
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

import which_build
from harness.stats import pct

import precursor

# what pip's console script runs: the same imports, the same main()
LAUNCH = "import sys; from precursor.__main__ import main; sys.argv[0] = 'precursor'; sys.exit(main())"
HELP_GOAL_MS = 60.0  # over the floor
REPORT_GOAL_MS = 800.0  # in all


def child_env() -> dict[str, str]:
    """The environment the children run in: ``PYTHONPATH`` made absolute, since they run elsewhere."""
    env = dict(os.environ)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(str(Path(p).resolve()) for p in paths)
    env["NO_COLOR"] = "1"
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


def cases(work: Path) -> dict[str, list[str]]:
    py = sys.executable
    log = str(work / "game.jsonl")
    return {
        "python -c pass": [py, "-c", "pass"],
        "precursor --help": [py, "-c", LAUNCH, "--help"],
        "precursor --version": [py, "-c", LAUNCH, "--version"],
        "precursor report (16 turns, md)": [py, "-c", LAUNCH, "report", log, "--out", str(work / "r.md")],
        "precursor report (16 turns, html)": [
            *[py, "-c", LAUNCH, "report", log, "--format", "html", "--out", str(work / "r.html")]
        ],
    }


def measure(rounds: int) -> dict[str, dict[str, list[float]]]:
    with tempfile.TemporaryDirectory(prefix="precursor-startup-") as tmp:
        work = Path(tmp)
        env = child_env()
        env["PRECURSOR_SCENARIOS_PATH"] = str(stretched_scenario(work).parent)
        where = subprocess.run(
            [sys.executable, "-c", "import precursor; print(precursor.__file__)"],
            env=env, cwd=work, capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert Path(where.stdout.strip()) == Path(precursor.__file__).resolve(), where.stdout
        log = work / "game.jsonl"
        run([sys.executable, "-c", LAUNCH, "run", "--scenario", "long-tariffs", "--seed", "5", "--personas",
             "--out", str(log)], env, work)  # fmt: skip
        turns = max(json.loads(line).get("turn") or 0 for line in log.read_text().splitlines())
        assert turns == 16, turns
        argvs = cases(work)
        times: dict[str, dict[str, list[float]]] = {name: {"wall": [], "cpu": []} for name in argvs}
        for argv in argvs.values():  # once each, untimed: the files and .pyc caches are warm for all
            run(argv, env, work)
        for _ in range(rounds):
            for name, argv in argvs.items():
                wall, cpu = run(argv, env, work)
                times[name]["wall"].append(wall)
                times[name]["cpu"].append(cpu)
    return times


STATS = {"median": statistics.median, "p90": lambda v: pct(v, 90)}


def figures(times: dict[str, dict[str, list[float]]]) -> dict[str, dict[str, float]]:
    """Per case: median_wall, p90_wall, median_cpu, p90_cpu."""
    return {
        name: {f"{stat}_{kind}": f(v) for kind, v in by_kind.items() for stat, f in STATS.items()}
        for name, by_kind in times.items()
    }


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
    return out


def table(fig: dict[str, dict[str, float]], pure: dict[str, dict[str, float]] | None) -> None:
    cols = [f"{stat}_{kind}" for kind in ("wall", "cpu") for stat in STATS]
    head = "".join(f"{c.replace('_', ' '):>12}" for c in cols)
    print(f"{'(ms)':36}{head}" + (f"{'pure: median wall':>19}{'cpu':>6}" if pure else ""))
    for name, f in fig.items():
        line = f"{name:36}" + "".join(f"{f[c]:12.0f}" for c in cols)
        if pure:
            line += f"{pure[name]['median_wall']:19.0f}{pure[name]['median_cpu']:6.0f}"
        print(line)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15, help="timed runs of each case")
    ap.add_argument("--json", action="store_true", help="print only the figures, as one JSON line")
    args = ap.parse_args()
    if not args.json:
        print(f"package under test: {which_build.describe()}")
        print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    fig = figures(measure(args.rounds))
    if args.json:
        print(json.dumps(fig))
        return
    compiled = which_build.is_compiled()
    pure = which_build.run_pure(Path(__file__), [f"--rounds={args.rounds}"]) if compiled else None
    table(fig, pure)
    print(f"({args.rounds} runs of each, in turns; load average after: {os.getloadavg()[0]:.2f})")
    for (text, met_wall), (_, met_cpu) in zip(goals(fig, "wall"), goals(fig, "cpu"), strict=True):
        verdict = "met" if met_wall else ("met in CPU time only" if met_cpu else "NOT MET")
        print(f"{verdict:21} {text} (wall)")


if __name__ == "__main__":
    main()
