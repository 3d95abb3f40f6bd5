"""The ``precursor`` command. Subcommands import what they need lazily, so ``--help`` stays instant.

Exit codes, the same for every command (README, "Commands"): 0 ok, 1 problems found (validate,
check-cases, run --strict), 2 a usage or input error, 3 a store or server that cannot be reached.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_CODES_HELP = "exit codes: 0 ok, 1 problems found, 2 usage or input error, 3 store or server unreachable"


class CliError(Exception):
    """An expected failure: ``main`` prints it as one line on stderr and exits with ``code``."""

    code = EXIT_USAGE


class InputError(CliError):
    """A bad argument, or a file, game or log that is missing or malformed."""

    code = EXIT_USAGE


class Unreachable(CliError):
    """A store or server that cannot be reached, or a store database that does not exist."""

    code = EXIT_UNREACHABLE


# The optional extras (pyproject.toml) by the packages they bring, as imported. An analyst's install has
# only the core: a command that needs an extra says which one to install instead of failing on an import.
EXTRA_PACKAGES = {
    "server": ("fastapi", "fastapi_offline", "uvicorn", "redis", "pydantic_settings", "platformdirs"),
    "client": ("websockets", "httpx"),
    "tui": ("textual", "textual_serve", "websockets", "httpx"),
    "sweep": ("dask", "pyarrow"),
    "fit": ("optuna", "SALib"),
}
EXTRA_PACKAGES["play"] = EXTRA_PACKAGES["server"] + EXTRA_PACKAGES["tui"]
# the commands that cannot start without an extra; the review commands need the server extra only for a
# game in a store (a .jsonl log is read by the core), which the import of the store itself reveals
COMMAND_EXTRAS = {
    "serve": "server",
    "play": "tui",
    "web": "tui",
    "replay": "tui",
    "bot": "client",
    "solo": "play",
    "sweep": "sweep",
    "calibrate": "fit",
    "sensitivity": "fit",
}


# A command's start-up, its imports and its rulebook, allocates a few hundred thousand objects that live
# as long as the process and leaves hardly any garbage: the collector's passes meanwhile only walk them, a
# tenth of a report's start-up (bench/bench_startup.py). So the collector runs rarely until the rulebook is
# in place (_rulebook), or the command is over. The long-running commands, those of the extras, keep its
# usual pace throughout.
STARTUP_GC_THRESHOLD = (100_000, 50, 100)
_gc_saved: list[tuple[int, int, int]] = []


def _startup_begins() -> None:
    import gc

    _gc_saved.append(gc.get_threshold())
    gc.set_threshold(*STARTUP_GC_THRESHOLD)


def _startup_over() -> None:
    import gc

    while _gc_saved:  # the threshold found before the first _startup_begins
        gc.set_threshold(*_gc_saved.pop())


def _missing_extra(command: str | None, missing: str | None = None) -> str | None:
    """The extra a command lacks: the one it declares if any of its packages cannot be found, or, given
    the name of a module that failed to import, the extra that brings it (None: not an extra's)."""
    if missing is not None:
        top = missing.partition(".")[0]
        declared = COMMAND_EXTRAS.get(command or "")
        if declared is not None and top in EXTRA_PACKAGES[declared]:
            return declared
        return next((extra for extra, tops in EXTRA_PACKAGES.items() if top in tops), None)
    extra = COMMAND_EXTRAS.get(command or "")
    if extra is None:
        return None
    import importlib.util

    for top in EXTRA_PACKAGES[extra]:
        try:
            if importlib.util.find_spec(top) is None:
                return extra
        except (ImportError, ValueError):  # a finder that refuses the package, or a broken one
            return extra
    return None


def _needs_extra(command: str | None, extra: str) -> int:
    print(
        f"error: precursor {command} needs the {extra} extra: pip install 'precursor-wargame[{extra}]'",
        file=sys.stderr,
    )
    return EXIT_USAGE


def _as_cli_error(exc: BaseException) -> CliError | None:
    """The lower layers' expected failures as CLI errors; None for anything else, which is a bug and
    keeps its traceback. Classes are looked up only in modules already imported: an exception cannot
    come from a module that was never loaded, and importing one here would slow every command down."""
    if isinstance(exc, CliError):
        return exc
    stores = sys.modules.get("server.stores.base")
    if stores is not None and isinstance(exc, stores.UnknownGame):
        return InputError(str(exc))
    if stores is not None and isinstance(exc, stores.StoreError):
        return Unreachable(str(exc))
    httpx = sys.modules.get("httpx")
    if httpx is not None and isinstance(exc, httpx.TransportError):
        return Unreachable(f"cannot reach the server: {exc}")
    if isinstance(exc, ConnectionError | TimeoutError):
        return Unreachable(f"cannot reach the server: {exc}")
    if isinstance(exc, OSError) and exc.filename is not None:
        return InputError(f"{exc.filename}: {exc.strerror or exc}")
    commands = sys.modules.get("precursor.game.commands")
    if commands is not None and isinstance(exc, commands.CommandError):
        return InputError(_command_error_text(exc))
    for module, name in (
        ("precursor.analysis.logs", "LogError"),
        ("precursor.analysis.logs", "RulesMismatch"),
        ("precursor.analysis.batch", "SimulationError"),
        ("precursor.analysis.backtest", "BacktestError"),
        ("precursor.analysis.calibrate", "CalibrationError"),
    ):
        found = sys.modules.get(module)
        if found is not None and isinstance(exc, getattr(found, name)):
            return InputError(str(exc))
    return None


def _command_error_text(exc: Any) -> str:
    """The engine's refusal, as met by a command replaying a log or a script: a log of a scenario this
    rulebook lacks is the one the user can fix, by saying where its file is."""
    if exc.code == "unknown_scenario":
        where = "put its file on PRECURSOR_SCENARIOS_PATH"
        return f"{exc.message}: to read a game of a scenario of your own, {where}"
    return f"{exc.message} ({exc.code})"


RULES_HELP = (
    "a rule file or folder laid over the shipped rules (repeatable; env PRECURSOR_RULES_PATH, "
    "several joined like PATH)"
)
SCENARIOS_HELP = (
    "a scenario file or folder, played beside the shipped scenarios (repeatable; env "
    "PRECURSOR_SCENARIOS_PATH, several joined like PATH)"
)


def _user_paths(args: argparse.Namespace | None) -> tuple[list[Path], list[Path]]:
    """The user's rule and scenario paths: the options where given, else the environment (which every
    command honours, so a report or replay of a game of one's own scenario finds it too)."""
    import os

    def pick(option: str, env: str) -> list[Path]:
        given = getattr(args, option, None)
        # several in one variable are joined like PATH (':', or ';' on Windows)
        joined = [] if given else os.environ.get(env, "").split(os.pathsep)
        paths = [Path(p) for p in given or joined if p.strip()]
        for p in paths:
            if not p.exists():
                raise InputError(f"{p}: no such file or folder (from --{option} or {env})")
        return paths

    return pick("rules", "PRECURSOR_RULES_PATH"), pick("scenarios", "PRECURSOR_SCENARIOS_PATH")


def _cache_folder() -> Path | None:
    """Where the parsed rule files are kept between commands (precursor/game/rulebook/cache.py):
    ``PRECURSOR_CACHE_DIR``, else ``$XDG_CACHE_HOME/precursor``, else ``~/.cache/precursor``; None
    with ``PRECURSOR_NO_CACHE=1``, or without a home folder."""
    import os

    if os.environ.get("PRECURSOR_NO_CACHE", "") not in ("", "0"):
        return None
    explicit = os.environ.get("PRECURSOR_CACHE_DIR", "")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and Path(xdg).is_absolute():  # the XDG rule: a relative path is to be ignored
        return Path(xdg) / "precursor"
    try:
        return Path.home() / ".cache" / "precursor"
    except RuntimeError:  # no home folder to be found
        return None


def _rulebook(args: argparse.Namespace | None = None) -> Any:
    """The shipped rulebook with the user's rules and scenarios over it; problems in them are listed
    one a line, like validate's, and exit 1."""
    from precursor.game.loader import RulebookError
    from precursor.game.rulebook import cache, overlay

    cache.use(_cache_folder())

    rules, scenarios = _user_paths(args)
    try:
        return overlay(rules, scenarios)
    except RulebookError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s)", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        _startup_over()


def _add_executor_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--executor",
        choices=["pool", "dask"],
        help="where the games run: a process pool here (the default), or Dask (docs/sweeps.md)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="the scheduler of a running Dask cluster, e.g. tcp://10.0.0.5:8786 (implies --executor dask)",
    )


def _need_sweep_extra(what: str, modules: tuple[str, ...] = ("distributed", "pyarrow")) -> None:
    """Dask and pyarrow are an optional extra: say how to get them rather than fail on an import."""
    import importlib.util

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError(f"{what} needs {', '.join(missing)}: pip install 'precursor-wargame[sweep]'")


@contextlib.contextmanager
def _executor(args: argparse.Namespace) -> Iterator[None]:
    """The batch tools inside the block play on the executor the options chose; results are the same
    on every executor. Dask (and its cluster) is started only when asked for."""
    choice = args.executor or ("dask" if args.scheduler else "pool")
    if choice == "pool":
        if args.scheduler:
            raise InputError("--scheduler is the address of a Dask cluster: drop --executor pool")
        yield
        return
    _need_sweep_extra("--executor dask", ("distributed",))
    from precursor.analysis.executor import DaskExecutor, using

    rules, scenarios = _user_paths(args)
    with _started(DaskExecutor(args.scheduler, args.workers, rules, scenarios)) as ex, using(ex):
        yield


@contextlib.contextmanager
def _started(ex: Any) -> Iterator[Any]:
    """A Dask executor, started for the block; a scheduler that does not answer is exit 3."""
    try:
        ex.start()
    except ConnectionError as exc:
        raise Unreachable(str(exc)) from None
    try:
        yield ex
    finally:
        ex.close()


def _add_rule_paths(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rules", action="append", metavar="PATH", help=RULES_HELP)
    p.add_argument("--scenarios", action="append", metavar="PATH", help=SCENARIOS_HELP)


def cmd_validate(args: argparse.Namespace) -> int:
    import time

    from precursor.game.loader import RulebookError
    from precursor.game.rulebook import load

    for p in args.paths:
        if not Path(p).exists():
            raise InputError(f"{p}: no such file or folder")
    rules, scenarios = _user_paths(args)
    t0 = time.perf_counter()
    try:
        if rules or scenarios:  # checked as they will be played: beside the shipped scenarios
            rb = load([*map(Path, args.paths), *rules, *scenarios], add_scenarios=True)
        else:
            rb = load([Path(p) for p in args.paths] if args.paths else None)
    except RulebookError as exc:
        for p in exc.problems:
            print(p)
        print(f"{len(exc.problems)} problem(s) found", file=sys.stderr)
        return 1
    ms = (time.perf_counter() - t0) * 1000
    per_team = {t: sum(1 for lv in rb.levers.values() if lv.team == t) for t in ("us", "mx", "cn", "ca")}
    teams = ", ".join(f"{t} {n}" for t, n in per_team.items())
    print(
        f"ok: {len(rb.files)} files, {len(rb.levers)} levers ({teams}), {len(rb.indicators)} indicators, "
        f"{len(rb.rules)} rules, {len(rb.scenarios)} scenarios"
        + (f", {len(rb.overrides)} override(s) applied" if rb.overrides else "")
        + f" in {ms:.0f} ms"
    )
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from pydantic import TypeAdapter

    from precursor.game import schema as S

    if args.kind == "rules":
        model: Any = TypeAdapter(
            S.SourcesFile
            | S.TeamsFile
            | S.IndicatorsFile
            | S.LeversFile
            | S.InjectTemplatesFile
            | S.WhiteCellFile
            | S.RulesFile
            | S.FlowFile
            | S.StatementsFile
            | S.ModulesFile
            | S.ScoringFile
            | S.PersonasFile
            | S.OverridesFile
            | S.ParametersFile
        )
        out = model.json_schema()
        out["title"] = "Precursor rule file"
    elif args.kind == "scenario":
        out = S.ScenarioFile.model_json_schema()
        out["title"] = "Precursor scenario file"
    elif args.kind == "cases":
        from precursor.analysis.cases import CasesFile

        out = CasesFile.model_json_schema()
    elif args.kind == "protocol":
        from precursor.protocol import protocol_schema

        out = protocol_schema()
        out["title"] = "Precursor wire protocol"
    elif args.kind == "events":
        from precursor.game.events import json_schema

        out = json_schema()
        out["title"] = "Precursor event"
    else:
        from pydantic import TypeAdapter as TA

        from precursor.game.commands import Command

        out = TA(Command).json_schema()
        out["title"] = "Precursor command"
    out["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    print(json.dumps(out, indent=2))
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    rb = _rulebook(args)
    rows = [
        {
            "id": s.model.id,
            "title": s.model.title,
            "turns": s.model.turns,
            "months_per_turn": s.model.months_per_turn,
            "start": s.model.start,
            "teams": ["us", "mx", "cn", "ca"],
            "mostly_ext": s.model.mostly_ext,
        }
        for s in sorted(rb.scenarios.values(), key=lambda s: s.model.start)
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    t = Table(title="scenarios")
    # ids are what users type: never wrapped or cut, whatever the terminal's width
    t.add_column("id", no_wrap=True, min_width=max(len(r["id"]) for r in rows))
    t.add_column("title", ratio=1)
    t.add_column("turns", no_wrap=True)
    t.add_column("start", no_wrap=True)
    t.add_column("teams")
    for r in rows:
        t.add_row(
            r["id"], r["title"], f"{r['turns']} × {r['months_per_turn']} mo", r["start"], " ".join(r["teams"])
        )
    Console().print(t)
    return 0


def _rules_unread(rb: Any, as_json: bool) -> int:
    """Write-only indicators (precursor/analysis/unread.py): moved by the rules, read by nothing."""
    from precursor.analysis.unread import persona_only, unread

    found, bots_only = unread(rb), persona_only(rb)
    if as_json:
        print(json.dumps({"unread": found, "persona_only": bots_only}, indent=2))
        return 0
    for iid in found:
        print(f"{iid}\t{rb.indicators[iid].name}")
    print(f"{len(found)} indicator(s) written by the rules and read by nothing (display does not count)")
    if bots_only:
        print(f"read only by persona weights or hard rules: {', '.join(bots_only)}")
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    rb = _rulebook(args)
    if args.basis:
        return _rules_basis(rb, args.json)
    if args.unread:
        return _rules_unread(rb, args.json)
    levers = [
        {
            "id": lv.id,
            "code": lv.code,
            "name": lv.name,
            "team": lv.team,
            "seat": lv.seat,
            "cost": lv.cost.text,
            "lag": lv.lag,
            "step": lv.step,
            "visibility": lv.visibility,
            "params": [
                {
                    "id": p.id,
                    "type": p.type,
                    "min": p.min,
                    "max": p.max,
                    "default": p.default,
                    "choices": list(p.choices),
                }
                for p in lv.params.values()
            ],
            "preconditions": [m for _, m in lv.preconditions],
            "tags": sorted(lv.tags),
            "sources": list(lv.sources),
            "ext": lv.ext.model_dump() if lv.ext else None,
        }
        for lv in rb.levers.values()
    ]
    data = {
        "levers": levers,
        "indicators": [i.model_dump() for i in rb.indicators.values()],
        "rules": [
            {
                "id": r.id,
                "family": r.family,
                "name": r.name,
                "kind": r.kind,
                "step": r.step,
                "reason": r.reason,
                "sources": list(r.sources),
            }
            for r in rb.rules
        ],
        "sources": [s.model_dump() for s in rb.sources.values()],
        "personas": [
            {"id": p.id, "team": p.team, "name": p.name, "description": " ".join(p.model.description.split())}
            for p in rb.personas.values()
        ],
    }
    if args.json:
        print(json.dumps(data, indent=2, default=str))
        return 0
    from rich.console import Console
    from rich.table import Table

    t = Table("id", "team", "seat", "cost", "lag", "name")
    for lv in levers:
        t.add_row(lv["id"], lv["team"], lv["seat"], str(lv["cost"]), str(lv["lag"]), lv["name"])
    c = Console()
    c.print(t)
    c.print(_personas_table(data["personas"]))
    c.print(
        f"{len(levers)} levers, {len(data['rules'])} rules, {len(data['indicators'])} indicators, "
        f"{len(data['personas'])} personas"
    )
    return 0


def _rules_basis(rb: Any, as_json: bool) -> int:
    """How grounded the rulebook's numbers are, family by family (docs/rules-format.md, "Basis")."""
    from precursor.game.rulebook.grounding import BASES, basis_counts

    families = basis_counts(rb.grounding)
    if as_json:
        entries = [
            {
                "family": g.family,
                "group": g.group,
                "id": g.id,
                "basis": g.basis or None,
                "confidence": g.confidence,
                "locator": g.locator,
                "parameters": sorted(g.reads),
            }
            for g in rb.grounding.values()
        ]
        print(json.dumps({"families": families, "entries": entries}, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    c = Console()
    for fam in families:
        columns = (*BASES, *(("unstated",) if fam["all"]["unstated"] else ()), "total")
        t = Table(title=fam["title"], title_justify="left")
        t.add_column("group", no_wrap=True)
        for col in columns:
            t.add_column(col, justify="right", min_width=len(col))
        rows = fam["groups"]
        for row in rows:
            t.add_row(str(row["group"]), *(str(row[col] or "") for col in columns))
        if len(rows) > 1:
            t.add_row("all", *(str(fam["all"][col] or "") for col in columns), style="bold")
        c.print(t)
    return 0


def _personas_table(personas: list[dict[str, Any]]) -> Any:
    """One line per persona. A description opens with what the persona is modelled on and goes on with
    how it plays; the table shows the second part, which is what choosing one is about."""
    from rich.table import Table

    t = Table(title="bot personas (--personas team=id)", expand=True)
    t.add_column("id", no_wrap=True, min_width=max(len(p["id"]) for p in personas))
    t.add_column("team", no_wrap=True, min_width=4)
    t.add_column("plays", no_wrap=True, overflow="ellipsis", ratio=1)
    for p in personas:
        sentences = [x for x in p["description"].split(". ") if x]
        t.add_row(p["id"], p["team"], (sentences[1] if len(sentences) > 1 else sentences[0]).rstrip("."))
    return t


def cmd_run(args: argparse.Namespace) -> int:
    from precursor.analysis.runner import load_script, play
    from precursor.game.words import signed

    if args.scenario and args.scenario_arg and args.scenario != args.scenario_arg:
        raise InputError(f"two scenarios given: {args.scenario_arg} and --scenario {args.scenario}")
    args.scenario = args.scenario or args.scenario_arg
    if not args.scenario:
        raise InputError("give --scenario (precursor scenarios lists them)")
    rb = _rulebook(args)
    if args.scenario not in rb.scenarios:
        raise InputError(f"unknown scenario '{args.scenario}'; try: {', '.join(sorted(rb.scenarios))}")
    script = _script(Path(args.script), load_script) if args.script else None
    bots = None
    if args.personas is not None:
        from precursor.game.bots import BotDriver

        personas = dict(rb.scenarios[args.scenario].model.personas)
        for item in filter(None, args.personas.split(",")):
            team, _, persona = item.partition("=")
            if team not in personas or persona not in rb.personas or rb.personas[persona].team != team:
                raise InputError(f"bad --personas entry '{item}': use team=persona, e.g. us=hawk")
            personas[team] = persona
        scripted = {c.get("team") for t in (script or {}).get("turns", []) for c in t.get("commands", [])}
        personas = {t: p for t, p in personas.items() if t not in scripted}
        bots = BotDriver(rb, personas, args.seed)
    game, errors = play(rb, args.scenario, args.seed, script, bots=bots)
    for e in errors:
        print(f"turn {e.turn}, command {e.index + 1}: refused: {e.code}: {e.message}", file=sys.stderr)
    out = Path(args.out)
    out.write_text(game.events_jsonl(), encoding="utf-8")
    final = game.state.scores
    summary = ", ".join(f"{t} {signed(final[t]['total'])}" for t in ("us", "mx", "cn", "ca") if t in final)
    print(f"{args.scenario} seed {args.seed}: {len(game.log)} events -> {out}; final scores: {summary}")
    return 1 if errors and args.strict else 0


def _script(path: Path, load_script: Any) -> dict[str, Any]:
    """A run script, checked for its shape before the game starts: a list of turns, each a mapping with
    a list of commands (the commands themselves are checked, and refused one by one, as they are played)."""
    import yaml

    try:
        script: dict[str, Any] = load_script(path)
    except (ValueError, yaml.YAMLError) as exc:
        text = str(exc)
        raise InputError(text if text.startswith(str(path)) else f"{path}: {text}") from None
    turns = script.get("turns", [])
    if not isinstance(turns, list) or not all(
        isinstance(t, dict) and isinstance(t.get("commands", []), list) for t in turns
    ):
        raise InputError(f"{path}: 'turns' is a list of {{turn: N, commands: [...]}}")
    return script


def cmd_check_cases(args: argparse.Namespace) -> int:
    from precursor.analysis.cases import load_cases, run_case

    if not Path(args.dir).exists():
        raise InputError(f"{args.dir}: no such file or folder")
    rb = _rulebook(args)
    cases, problems = load_cases(Path(args.dir))
    for p in problems:
        print(p)
    passed = failed = 0
    for file, case in cases:
        res = run_case(rb, case, file)
        if res.passed:
            passed += 1
            if args.verbose:
                print(f"PASS {case.id} ({case.rule})")
        else:
            failed += 1
            print(f"FAIL {case.id} ({case.rule}) in {file}")
            for f in res.failures:
                print(f"    {f}")
    failed += len(problems)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def _positive(text: str) -> int:
    """argparse type for counts (runs, workers): a clear message, and exit 2, for zero or less."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


def _progress_bar(enabled: bool, label: str) -> Any:
    """A rich progress bar on stderr, or a no-op when the output must stay machine-readable.

    Refreshed by the callback, not by rich's own timer thread: the process pool forks its workers
    after the bar has started, and forking while another thread holds a lock can hang the child.
    """
    import contextlib

    if not enabled:
        return contextlib.nullcontext(None)
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("games"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        auto_refresh=False,
    )


def _progress_callback(bar: Any) -> Any:
    if bar is None:
        return None
    task = bar.add_task("games", total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)
        bar.refresh()

    return update


def _fmt(value: Any, big: bool = False, signed: bool = True) -> str:
    if value is None:
        return "–"
    if big:
        return f"{value:,.0f}"
    return f"{value:+.2f}" if signed else f"{value:,.2f}"


def _print_summary(summary: dict[str, Any], records: list[dict[str, Any]], console: Any) -> None:
    from rich.table import Table

    from precursor.analysis.simulate import INDICATORS, terminal_chart

    personas = summary.get("personas") or {}
    title = f"{summary['scenario']}: {summary['runs']} bot-vs-bot games"
    scores = Table("team", "persona", "mean", "p10", "median", "p90", title=title + ", final scores")
    for team, st in summary["scores"].items():
        scores.add_row(team, personas.get(team, ""), *(_fmt(st[k]) for k in ("mean", "p10", "median", "p90")))
    console.print(scores)
    ind = Table("indicator at the end", "mean", "p10", "median", "p90", title="key indicators")
    for key, label in INDICATORS.items():
        st = summary["indicators"][key]
        big = key in ("od_synth", "od_total", "mx_homicides")
        signed = key == "out_od_us"  # a score component; the rest are levels
        ind.add_row(label, *(_fmt(st[k], big, signed) for k in ("mean", "p10", "median", "p90")))
    console.print(ind)
    rates = Table("outcome", "value", title="per game")
    rates.add_row("hard red line crossed", f"{summary['hrl_rate'] * 100:.1f} % of games")
    rates.add_row("agreements signed", f"{summary['agreements_signed_mean']:.2f} per game")
    rates.add_row("agreements honoured by every party", f"{summary['agreements_honoured_mean']:.2f} per game")
    rates.add_row(
        "≥ 1 trilateral module in force at the end", f"{summary['trilateral_share'] * 100:.1f} % of games"
    )
    rates.add_row("review badges", f"{summary['review_badges_mean']:.2f} per game")
    rates.add_row("refused bot commands", str(summary["refused_total"]))
    console.print(rates)
    import shutil

    width = max(60, min(120, shutil.get_terminal_size((100, 30)).columns))
    chart = terminal_chart(records, width=width, height=26, color=console.is_terminal)
    console.print("final score distribution per team (games per score bin)")
    sys.stdout.write(chart + "\n")


def cmd_simulate(args: argparse.Namespace) -> int:
    from precursor.analysis.simulate import (
        parse_personas,
        resolve_personas,
        save_chart,
        simulate,
        summarize,
    )

    rb = _rulebook(args)
    if args.from_game:
        return _simulate_from(args, rb)
    if not args.scenario:
        raise InputError("give --scenario (or --from GAME --turn N)")
    personas = resolve_personas(rb, args.scenario, parse_personas(args.personas) if args.personas else None)
    if args.plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise InputError("--plot needs matplotlib: pip install 'precursor-wargame[plots]'") from None
    label = f"{args.scenario} ({args.workers} worker{'s' if args.workers > 1 else ''})"
    with _executor(args), _progress_bar(not args.json, label) as bar:
        records = simulate(
            args.scenario,
            args.runs,
            args.seed,
            personas,
            workers=args.workers,
            progress=_progress_callback(bar),
            rb=rb,
        )
    summary = summarize(records)
    if args.out:
        Path(args.out).write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    if args.plot:
        save_chart(records, args.plot, f"{args.scenario}: {args.runs} games, seed {args.seed}")
    if summary["refused_total"]:
        print(
            f"warning: {summary['refused_total']} bot command(s) were refused; the bots have a bug",
            file=sys.stderr,
        )
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    from rich.console import Console

    console = Console()
    _print_summary(summary, records, console)
    if args.out:
        console.print(f"{len(records)} records -> {args.out}")
    if args.plot:
        console.print(f"chart -> {args.plot}")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    """A grid of games on Dask (or the process pool), streamed to Parquet parts; resumable."""
    _need_sweep_extra("precursor sweep")
    from precursor.analysis.sweep import load_spec, plan, read_rows, run_sweep

    spec_path = Path(args.spec)
    the_plan = plan(load_spec(spec_path), spec_path)
    out = Path(args.out) if args.out else Path(f"{spec_path.stem}.sweep")
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: not a folder (--out is the sweep's Parquet dataset folder)")
    from precursor.analysis import executor as ex

    if args.executor == "pool" and args.scheduler:
        raise InputError("--scheduler is the address of a Dask cluster: drop --executor pool")
    chosen: Any = (
        ex.PoolExecutor(args.workers)
        if args.executor == "pool"
        else ex.DaskExecutor(args.scheduler, args.workers)
    )
    label = f"sweep ({args.scheduler or f'{args.workers} worker(s)'})"
    with contextlib.ExitStack() as stack:
        if isinstance(chosen, ex.DaskExecutor):
            stack.enter_context(_started(chosen))
        bar = stack.enter_context(_progress_bar(not args.json, label))
        result = run_sweep(the_plan, out, chosen, _progress_callback(bar))
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
        return EXIT_OK
    _print_sweep(result, read_rows(out))
    return EXIT_OK


def _print_sweep(result: Any, rows: list[dict[str, Any]]) -> None:
    """Mean scores per cell of the grid (rules, scenario, personas) over every game in the folder."""
    import statistics

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from precursor.game.schema import TEAMS

    cells: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in rows:
        cells.setdefault((r["rules"], r["scenario"], r["personas"]), []).append(r)
    t = Table("rules", "scenario", "personas", "games", *(f"{x} mean" for x in TEAMS), "HRL", title="sweep")
    for (rules, sc, personas), rs in cells.items():
        means = [
            statistics.fmean(v)
            if (v := [r[f"score_{x}"] for r in rs if r[f"score_{x}"] is not None])
            else None
            for x in TEAMS
        ]
        mix = ",".join(f"{k}={v}" for k, v in json.loads(personas).items())
        hrl = f"{sum(1 for r in rs if r['hrl']) / len(rs) * 100:.0f} %"
        shown = escape(", ".join(json.loads(rules)) or "shipped")
        t.add_row(shown, sc, escape(mix), str(len(rs)), *(_fmt(m) for m in means), hrl)
    c = Console()
    c.print(t)
    d = result.as_dict()
    c.print(
        f"{d['planned']} games planned, {d['skipped']} already done, {d['played']} played in {d['seconds']} s"
        f" ({d['parts']} part files) -> {escape(d['out'])}"
    )


def cmd_balance(args: argparse.Namespace) -> int:
    from precursor.analysis.simulate import balance

    rb = _rulebook(args)
    with _progress_bar(
        not args.json, f"balance ({args.workers} worker{'s' if args.workers > 1 else ''})"
    ) as bar:
        report = balance(args.runs, args.workers, args.seed, progress=_progress_callback(bar), rb=rb)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    from rich.console import Console

    c = Console()
    _print_balance_checks(c, report, args.seed)
    _print_persona_spreads(c, report)
    _print_lever_use(c, report)
    return 0


def _shown_check(r: dict[str, Any]) -> str:
    if r["value"] is None:
        return "–"
    if r["unit"] == "share":
        return f"{r['value'] * 100:.1f} %"
    return f"{r['value']:+.2f}" if r["check"] != "tension_band" else f"{r['value']:.1f}"


def _print_balance_checks(c: Any, report: dict[str, Any], seed: int) -> None:
    from rich.markup import escape
    from rich.table import Table

    results = report["checks"]
    t = Table(
        "scenario",
        "check",
        "measured",
        "target",
        "",
        title=(
            f"balance targets (docs/design.md): {report['runs']} games per scenario and persona set, "
            f"seed {seed}"
        ),
    )
    for r in results:
        mark = "n/a" if r["passed"] is None else "[green]pass[/]" if r["passed"] else "[red]off[/]"
        t.add_row(r["scenario"], r["label"], _shown_check(r), r["target"], mark)
    c.print(t)
    for r in results:
        if r["passed"] is None:
            c.print(f"n/a: {r['scenario']}, {r['check']}: {escape(r['note'])}")
    refused = sum(
        r["refused"] for r in {(r["scenario"], tuple(r["personas"].items())): r for r in results}.values()
    )
    if refused:
        c.print(f"[red]warning: {refused} bot command(s) were refused; the bots have a bug[/]")
    failed = sum(1 for r in results if r["passed"] is False)
    skipped = sum(1 for r in results if r["passed"] is None)
    c.print(
        f"{len(results) - failed - skipped} on target, {failed} off target, {skipped} n/a "
        "(a report: the exit code stays 0)"
    )


def _print_persona_spreads(c: Any, report: dict[str, Any]) -> None:
    from rich.table import Table

    t = Table(
        "scenario",
        "team",
        "own personas (mean score)",
        "own spread",
        "largest other spread",
        "",
        title="persona spreads: a team's mean score across its own personas, and across one other team's",
    )
    for r in report["spreads"]:
        own = ", ".join(f"{p} {_fmt(v)}" for p, v in r["own"].items())
        other = f"{_fmt(r['other_spread'], signed=False)} ({r['other_team']})" if r["other_team"] else "–"
        mark = "[red]own < other[/]" if r["flag"] else ""
        t.add_row(r["scenario"], r["team"], own, _fmt(r["own_spread"], signed=False), other, mark)
    c.print(t)
    flagged = sum(1 for r in report["spreads"] if r["flag"])
    c.print(
        f"{flagged} of {len(report['spreads'])} rows: another team's persona moves the team's score more "
        "than its own choice of persona does"
    )


def _print_lever_use(c: Any, report: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from precursor.analysis.simulate import RARE_SHARE

    t = Table(
        "lever",
        "ordered in",
        "most by (persona, scenario)",
        "",
        title="lever use: share of all the bot games above in which the lever was ordered at least once",
    )
    for r in sorted(report["levers"], key=lambda r: (r["share"], r["code"])):
        best = r["best"]
        where = f"{best['persona']}, {best['scenario']} ({best['share'] * 100:.0f} %)" if best else "never"
        mark = "[red]rare[/]" if r["flag"] else ("rare: " + escape(r["rare"])[:60]) if r["rare"] else ""
        t.add_row(r["code"], f"{r['share'] * 100:.1f} %", where, mark)
    c.print(t)
    flagged = [r["code"] for r in report["levers"] if r["flag"]]
    c.print(
        f"{len(flagged)} lever(s) that no persona orders in {RARE_SHARE * 100:.0f} % of its games in any "
        "scenario, with no 'rare:' reason" + (f": {', '.join(flagged)}" if flagged else "")
    )


def cmd_serve(args: argparse.Namespace) -> int:
    from server.run import serve  # the CLI is the one place that wires the packages together

    overrides = {
        k: v
        for k, v in {
            "host": args.host,
            "port": args.port,
            "store": args.store,
            "log_level": args.log_level,
            "require_durable": args.require_durable,
        }.items()
        if v is not None
    }
    # the user's own files load here, so that a problem in them is listed like validate's before serving;
    # the shipped rules alone load in the server once it answers (start to healthy, bench_frames.py)
    rules, scenarios = _user_paths(args)
    return serve(overrides, rulebook=_rulebook(args) if rules or scenarios else lambda: _rulebook(args))


def cmd_play(args: argparse.Namespace) -> int:
    from client_tui.app import PrecursorApp

    # the client reads inject cards and lever names from its own rulebook: the server's scenarios, if
    # they are the user's, must be loaded here too (else the shipped rulebook loads lazily, in a thread)
    rb = _rulebook(args) if any(_user_paths(args)) else None
    PrecursorApp(args.url, code=args.code, name=args.name, mono=args.mono, rulebook=rb).run()
    return 0


def cmd_bot(args: argparse.Namespace) -> int:
    import asyncio

    from precursor.client import ClientError, ConnectionLost
    from precursor.client.live_bot import play_live

    rb = _rulebook(args)
    if args.persona not in rb.personas:
        raise InputError(f"no persona '{args.persona}'; try: {', '.join(sorted(rb.personas))}")
    try:
        counts = asyncio.run(play_live(rb, args.url, args.game, args.code, args.persona, log=print))
    except ConnectionLost as exc:
        raise Unreachable(f"lost the server: {exc.message}") from None
    except (ClientError, ValueError) as exc:
        raise InputError(str(exc)) from None
    print(f"game over: {counts['sent']} commands sent, {counts['refused']} refused")
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from client_tui.replay import ReplayApp

    rb = _rulebook(args)
    events = _read_game(args.game, args.store)
    _note_rules(rb, events)
    ReplayApp(rb, events, args.audience).run()
    return 0


def cmd_solo(args: argparse.Namespace) -> int:
    """One command: an embedded server with the default store, bots in the other seats, the client.
    With ``--game`` and ``--token`` it opens a solo game left earlier, from the same store: a student
    who quit had to start a server in one terminal and ``precursor play`` in another."""
    import asyncio

    from precursor.analysis.simulate import parse_personas, resolve_personas
    from precursor.client import LobbyClient
    from server.embedded import EmbeddedServer

    if bool(args.game) != bool(args.token):
        raise InputError(
            "--game and --token go together: the command printed when you left the game has both"
        )
    rb = _rulebook(args)
    personas = resolve_personas(rb, args.scenario, parse_personas(args.personas or ""))
    bots = {t: p for t, p in personas.items() if t != args.team}
    server = EmbeddedServer(args.store, rulebook=rb)
    url = server.start()

    async def setup() -> tuple[str, str]:
        if args.game:
            await _solo_check_seat(url, args.game, args.token)
            return args.game, args.token
        async with LobbyClient(url) as lobby:
            g = await lobby.create_game(args.scenario, seed=args.seed, bots=bots, name="solo")
            j = await lobby.join(g.game_id, g.join_codes[args.team], args.name)
        return g.game_id, j.token

    try:
        game_id, token = asyncio.run(setup())
        store = server.settings.store
        from server.settings import default_store_url

        default = store == default_store_url()
        if args.no_ui:
            from client_tui.app import solo_resume_command

            again = "back in" if args.game else "game"
            print(f"precursor solo: {again} game {game_id} on {url} (store {store.split(':', 1)[0]})")
            print(f"to come back to it: {solo_resume_command(game_id, token, None if default else store)}")
            return 0
        from client_tui.app import PrecursorApp

        PrecursorApp(
            url,
            game_id=game_id,
            token=token,
            mono=args.mono,
            rulebook=rb,
            solo_store=store,
            solo_store_default=default,
        ).run()
        # a game resumed by its token is the seat's, whose team this command was not told
        _say_how_to_review(url, game_id, "" if default else store, None if args.game else args.team)
    finally:
        server.stop()
    return 0


def _say_how_to_review(url: str, game_id: str, store: str, team: str | None = None) -> None:
    """After a finished solo game, the end screen's report and replay commands again in the shell:
    quitting printed nothing, and students copied the commands off the screen by hand. For the team
    played, as the end screen gives them (``--audience``): the two differed, and student h22 could not
    tell which to run."""
    import asyncio

    from client_tui.panes.game_over import report_commands
    from precursor.client import ClientError, LobbyClient

    async def over() -> bool:
        async with LobbyClient(url) as lobby:
            return (await lobby.game(game_id)).ended

    try:
        ended = asyncio.run(over())
    except (ClientError, OSError):  # nothing to add to what the client said on leaving
        return
    if ended:
        print(f"The game {game_id} is over. Its report and replay, as commands to run in a shell:")
        print("\n".join(report_commands(game_id, store, team or "facilitator")))


async def _solo_check_seat(url: str, game_id: str, token: str) -> None:
    """The seat's token opens the game in this store, or a plain error says why not."""
    from precursor.client import ClientError, GameClient

    probe = GameClient(url, game_id, token, backoff=(0.2, 1.0))
    try:
        await probe.start(timeout=10)
    except ClientError as exc:
        if exc.code in ("bad_token", "unknown_game"):
            raise InputError(
                f"no game {game_id} with that token in this store (a solo game is resumed from the"
                " store it was played in: give the same --store)"
            ) from None
        raise InputError(f"cannot open game {game_id}: {exc.message}") from None
    finally:
        await probe.close()


def cmd_web(args: argparse.Namespace) -> int:
    """The same client in a browser, through textual-serve (each browser tab runs `precursor play`)."""
    import shlex

    import httpx
    from textual_serve.server import Server

    # each browser tab would otherwise open on a lobby that says only "ConnectError": check first
    try:
        httpx.get(f"{args.url.rstrip('/')}/api/health", timeout=5, trust_env=False)
    except httpx.HTTPError:
        raise Unreachable(
            f"the server at {args.url} cannot be reached: start one with `precursor serve`"
            " (or play alone against bots with `precursor solo`)"
        ) from None
    command = f"{shlex.quote(sys.executable)} -m precursor.cli play {shlex.quote(args.url)}"
    if args.mono:
        command += " --mono"
    Server(command, host=args.host, port=args.port, title="Precursor").serve()
    return 0


def _default_store(url: str | None) -> str:
    if url:
        return url
    from server.settings import ServerSettings

    return ServerSettings().store


def _open_store(url: str | None, *, create: bool | None = None) -> Any:
    """The store a URL names (the server's default without one), not yet connected.

    A SQLite URL naming no file is refused unless ``create`` (None: the command offers no
    ``--create-store``): SQLite would make an empty database, so a mistyped path, or a machine that never
    ran ``precursor serve``, would look like "unknown game" and leave a stray file behind."""
    from server.stores import open_store, sqlite_path

    url = _default_store(url)
    try:
        store = open_store(url)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if url.lower().startswith("sqlite:") and not create:
        path = Path(sqlite_path(url))
        if not path.is_file():
            if create is False:
                raise Unreachable(f"no game store at {path}: pass --create-store to make one")
            raise Unreachable(
                f"no game store at {path}: give --store URL, or a .jsonl file "
                "(precursor serve and solo create their store)"
            )
    return store


def _note_rules(rb: Any, events: list[dict[str, Any]]) -> None:
    """Reading a game played under other rules is fine (events carry their values); say so, once."""
    from precursor.analysis.logs import rules_mismatch

    why = rules_mismatch(rb, events)
    if why is not None:
        print(f"note: {why}", file=sys.stderr)


def _replayable(rb: Any, events: list[dict[str, Any]], args: argparse.Namespace) -> bool:
    """For fork and counterfactual runs: False (after one line on stderr) unless the game was played
    under the loaded rules or the user asked to play it on under them anyway."""
    from precursor.analysis.logs import RulesMismatch, check_replayable

    try:
        why = check_replayable(rb, events, args.rerun_under_current_rules)
    except RulesMismatch as exc:
        print(f"error: {exc}", file=sys.stderr)
        return False
    if why is not None:
        print(f"note: {why}; playing it on under the loaded rules as asked", file=sys.stderr)
    return True


def _read_game(ref: str, store: str | None) -> list[dict[str, Any]]:
    """A game by file (``*.jsonl``) or by id in a store (the server's default store unless given), in
    today's log format (precursor/analysis/logs.py)."""
    from pathlib import Path

    from precursor.analysis.review import dumps, loads

    path = Path(ref)
    if path.suffix == ".jsonl" or path.exists():
        try:
            return loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"{ref}: {exc}") from None
    import asyncio

    st = _open_store(store)

    async def read() -> list[dict[str, Any]]:
        await st.open()
        try:
            found: list[dict[str, Any]] = await st.read(ref)
            return found
        finally:
            await st.close()

    events = asyncio.run(read())
    try:
        return loads(dumps(events))  # the same checks as a file
    except ValueError as exc:
        raise InputError(f"game {ref}: {exc}") from None


def _write_game(
    events: list[dict[str, Any]], store: str | None, name: str, *, create: bool
) -> dict[str, Any]:
    """Store a log as a new game with fresh credentials (import and fork)."""
    import asyncio
    import time

    from server.hub import store_new_game

    st = _open_store(store, create=create)

    async def write() -> dict[str, Any]:
        await st.open()
        try:
            info = {
                "scenario": events[0]["scenario"],
                "name": name,
                "created": time.time(),
                "seed": events[0]["seed"],
            }
            gid, fac, codes = await store_new_game(st, info, events)
            return {"game_id": gid, "facilitator_token": fac, "join_codes": codes}
        finally:
            await st.close()

    return asyncio.run(write())


def _simulate_from(args: argparse.Namespace, rb: Any) -> int:
    from precursor.analysis.review import counterfactual
    from precursor.analysis.simulate import parse_personas, resolve_personas

    if not args.turn:
        raise InputError("--from needs --turn N")
    events = _read_game(args.from_game, args.store)
    if not _replayable(rb, events, args):
        return EXIT_USAGE
    personas = resolve_personas(rb, events[0]["scenario"], parse_personas(args.personas or ""))
    try:
        result = counterfactual(rb, events, args.turn, args.runs, args.seed, personas)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if args.out:
        Path(args.out).write_text("".join(json.dumps(r) + "\n" for r in result["records"]), encoding="utf-8")
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k != "records"}, indent=2))
        return 0
    from rich.console import Console

    _print_distribution(
        Console(),
        result["distribution"],
        f"{result['scenario']}: {result['runs']} bot runs from turn {args.turn}, beside what happened",
        result["actual"] or {},
    )
    return 0


def _cell(key: str, value: Any) -> str:
    """A figure of a batch table: yes/no for flags, thousands separated for counts in the thousands,
    a sign for scores (which can be negative and are read against zero)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, int | float):
        return "–" if value is None else str(value)
    return _fmt(value, big=abs(value) >= 1000, signed=key.startswith("score_"))


def _print_distribution(
    console: Any, dist: dict[str, dict[str, float]], title: str, actual: dict[str, Any] | None = None
) -> None:
    """Outcomes of several games in the table style of `simulate`: mean, p10, median, p90 (from
    simulate.quantile), then the yes/no outcomes as a share of games; with ``actual``, a column for the
    game that was really played."""
    from rich.table import Table

    from precursor.analysis.simulate import outcome_label

    lead = ["outcome", *(["actual"] if actual is not None else [])]
    nums = Table(*lead, "mean", "p10", "median", "p90", title=title)
    rates = Table(*lead, "share of games", title="per game")
    for key, d in dist.items():
        shown = [outcome_label(key), *([_cell(key, actual.get(key))] if actual is not None else [])]
        if "rate" in d:
            rates.add_row(*shown, f"{d['rate'] * 100:.1f} %")
        else:
            nums.add_row(*shown, *(_cell(key, d[k]) for k in ("mean", "p10", "median", "p90")))
    console.print(nums)
    if rates.row_count:
        console.print(rates)


def cmd_compare(args: argparse.Namespace) -> int:
    from precursor.analysis.review import compare

    rb = _rulebook(args)
    games: list[list[dict[str, Any]]] = []
    records: list[dict[str, Any]] = []
    for ref in args.games:
        p = Path(ref)
        if p.suffix == ".jsonl" and p.exists():
            first = p.open(encoding="utf-8").readline()
            if '"type"' not in first:  # a batch of simulate records, one per line
                records += _records(p)
                continue
        games.append(_read_game(ref, args.store))
        _note_rules(rb, games[-1])
    result = compare(rb, games, records)
    text = json.dumps(result, indent=2)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    if args.json:
        print(text)
        return 0
    _print_comparison(rb, result)
    if args.out:
        print(f"comparison (JSON) written to {args.out}")
    return 0


def _print_comparison(rb: Any, result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    _print_distribution(console, result["distribution"], f"{result['games']} games side by side")
    if result["agreements"]:
        table = Table("parties", "levers", "games", title="agreements reached")
        for key, n in result["agreements"].items():
            parties, _, levers = key.partition(": ")
            codes = [rb.levers[x].code if x in rb.levers else x for x in levers.split(", ") if x]
            table.add_row(", ".join(p.upper() for p in parties.split("+")), ", ".join(codes), str(n))
        console.print(table)
    else:
        console.print("no agreement was reached in any game")
    for d in result["divergence"]:
        console.print(f"play diverged at executed order {d['index'] + 1}: " + "; ".join(d["orders"]))


def _records(path: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rec = json.loads(line)
            except ValueError as exc:
                raise InputError(f"{path}: line {i}: not JSON ({exc})") from None
            if not isinstance(rec, dict):
                raise InputError(f"{path}: line {i}: a run record is a JSON object")
            out.append(rec)
    return out


def cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from precursor.analysis.review import dumps

    events = _read_game(args.game, args.store)
    _note_rules(_rulebook(args), events)
    Path(args.out).write_text(dumps(events), encoding="utf-8")
    print(f"{len(events)} events written to {args.out}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from precursor.analysis.review import loads, replay

    path = Path(args.file)
    try:
        events = loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: {exc}") from None
    rb = _rulebook(args)
    _note_rules(rb, events)
    try:
        replay(rb, events)  # refuse a log the engine cannot fold before storing it
    except ValueError as exc:
        raise InputError(f"{path}: the engine cannot replay it: {exc}") from None
    created = _write_game(events, args.store, f"imported from {path.name}", create=args.create_store)
    print(json.dumps(created, indent=2))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from precursor.analysis.review import (
        CHART_DIR_SUFFIX,
        TemplateProblem,
        build_report,
        replay,
        to_html,
        to_markdown,
    )

    rb = _rulebook(args)
    events = _read_game(args.game, args.store)
    _note_rules(rb, events)
    rep = build_report(rb, events, args.audience)
    out = Path(args.out) if args.out else None
    files: dict[str, str] = {}
    try:
        if args.hot_wash and args.format == "json":
            raise InputError("--hot-wash writes html or md, not json")
        if args.hot_wash:  # the structured debrief (docs/facilitation.md)
            from precursor.analysis.hotwash import to_hot_wash

            text = to_hot_wash(rep, replay(rb, events), args.format, args.game, args.templates)
        elif args.format == "json":
            text = json.dumps(rep, indent=2)
        elif args.format == "html":
            text = to_html(rep, replay(rb, events), args.templates)
        else:
            # charts go to a folder named after the report, linked relative to it (report.md, report_files/)
            chart_dir = None if out is None else out.stem + CHART_DIR_SUFFIX
            text, files = to_markdown(rep, replay(rb, events), chart_dir, args.templates)
    except TemplateProblem as exc:
        raise InputError(str(exc)) from None
    if out is None:
        sys.stdout.write(text)
        return 0
    out.write_text(text, encoding="utf-8")
    for rel, svg in files.items():
        (out.parent / rel).parent.mkdir(parents=True, exist_ok=True)
        (out.parent / rel).write_text(svg, encoding="utf-8")
    where = f" ({len(files)} charts in {out.parent / (out.stem + CHART_DIR_SUFFIX)})" if files else ""
    print(f"report written to {out}{where}")
    return 0


def cmd_fork(args: argparse.Namespace) -> int:
    from precursor.analysis.review import fork_prefix, replay, reseed

    rb = _rulebook(args)
    events = _read_game(args.game, args.store)
    if not _replayable(rb, events, args):
        return 2
    try:
        events = fork_prefix(events, args.turn)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if args.seed is not None:
        events = reseed(events, args.seed)
    replay(rb, events)
    name = f"fork of {args.game} at turn {args.turn}"
    created = _write_game(events, args.store, name, create=args.create_store)
    print(json.dumps(created, indent=2))
    return 0


def cmd_grades(args: argparse.Namespace) -> int:
    from pathlib import Path

    from precursor.analysis.review import grades

    events = _read_game(args.game, args.store)
    _note_rules(_rulebook(args), events)
    text = grades(events, anonymize=args.anonymize)
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"{len(text.splitlines()) - 1} players written to {args.out}")
    return 0


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Every option's help shows its default, except where there is none worth showing (no value, or a
    flag's False): ``(default: None)`` reads as noise."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or isinstance(action.default, bool):
            return action.help
        return super()._get_help_string(action)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and a pointer to ``--help``) instead of the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"error: {message} (see '{self.prog} --help')\n")


STORE_HELP = "event store URL (default: the server's SQLite store in your data directory)"
GAME_HELP = "game id in the store, or a .jsonl file"
CREATE_HELP = "make the SQLite database --store names if it does not exist (otherwise refused)"
AUDIENCES = ["facilitator", "us", "mx", "cn", "ca", "public"]


def _add_analysis_commands(sub: Any) -> None:
    """The commands that check and explore the rules and play headless games."""
    v = _command(sub, "validate", "check rule and scenario files (default: the shipped ones)", cmd_validate)
    _add_rule_paths(v)
    v.add_argument(
        "paths", nargs="*", help="files or folders; built-in files they do not replace are loaded too"
    )

    s = _command(
        sub, "schema", "print JSON Schema for rule files, scenarios, cases, commands, events or the protocol",
        cmd_schema,
    )  # fmt: skip
    kinds = ["rules", "scenario", "cases", "commands", "events", "protocol"]
    s.add_argument("kind", choices=kinds, help="what to describe")

    sc = _command(sub, "scenarios", "list scenarios", cmd_scenarios)
    _add_rule_paths(sc)
    sc.add_argument("--json", action="store_true", help="print JSON instead of a table")

    r = _command(sub, "rules", "show the loaded rulebook", cmd_rules)
    _add_rule_paths(r)
    r.add_argument("--json", action="store_true", help="print JSON instead of tables")
    r.add_argument(
        "--basis",
        action="store_true",
        help="count each family's entries by basis: quoted, direction, outside, invented",
    )
    r.add_argument(
        "--unread",
        action="store_true",
        help="list the indicators the rules write but nothing reads (no rule, score, objective or persona)",
    )

    run = _command(sub, "run", "play a game headlessly from a script and write its event log", cmd_run)
    # the positional is the old spelling, kept so existing scripts keep working
    _add_rule_paths(run)
    run.add_argument("scenario_arg", nargs="?", metavar="SCENARIO", help=argparse.SUPPRESS)
    run.add_argument("--scenario", help="scenario id (precursor scenarios lists them)")
    run.add_argument("--seed", type=int, default=1, help="the game's seed: same seed and script, same game")
    run.add_argument("--script", help="YAML or JSON script of commands per turn")
    run.add_argument("--out", required=True, help="events file (JSON lines)")
    run.add_argument("--strict", action="store_true", help="exit 1 if any scripted command was refused")
    run.add_argument(
        "--personas",
        nargs="?",
        const="",
        default=None,
        help="bots play every team the script leaves alone (scenario personas; override with us=hawk,...)",
    )
    run.add_argument("--bots", dest="personas", nargs="?", const="", default=None, help=argparse.SUPPRESS)

    cc = _command(sub, "check-cases", "run adjudication conformance cases", cmd_check_cases)
    cc.add_argument("dir", help="folder of case files (*.yaml)")
    cc.add_argument("-v", "--verbose", action="store_true", help="list passing cases too")

    sim = _command(
        sub, "simulate", "play many bot-vs-bot games of a scenario and summarize them", cmd_simulate
    )
    _add_rule_paths(sim)
    sim.add_argument("--scenario", help="scenario id (precursor scenarios lists them)")
    sim.add_argument(
        "--from", dest="from_game", help="a game (id or .jsonl): play it on from --turn with bots"
    )
    sim.add_argument("--turn", type=_positive, help="with --from: the turn to fork at")
    sim.add_argument("--store", help=f"with --from: {STORE_HELP}")
    sim.add_argument(
        "--rerun-under-current-rules",
        action="store_true",
        help="with --from: play on a game played under other (or unrecorded) rules, under the loaded ones",
    )
    sim.add_argument("--runs", type=_positive, default=100, help="games to play")
    sim.add_argument("--seed", type=int, default=1, help="batch seed; run seeds derive from it and the index")
    sim.add_argument(
        "--personas", help="override the scenario's personas, e.g. us=hawk,mx=sovereigntist (others default)"
    )
    sim.add_argument("--workers", type=_positive, default=1, help="processes (results do not depend on it)")
    sim.add_argument("--out", help="write one JSON line per run to this file")
    sim.add_argument("--json", action="store_true", help="print only the summary, as JSON")
    sim.add_argument("--plot", metavar="FILE.png", help="also write the score chart as a PNG (matplotlib)")
    _add_executor_options(sim)

    sw = _command(
        sub,
        "sweep",
        "play a grid of scenarios, personas, rule variants and seeds on Dask, into Parquet (docs/sweeps.md)",
        cmd_sweep,
    )
    sw.add_argument("spec", help="the sweep's YAML file (docs/sweeps.md; example: docs/sweep-example.yaml)")
    sw.add_argument("--out", metavar="DIR", help="the Parquet dataset folder (default: SPEC-NAME.sweep)")
    sw.add_argument("--workers", type=_positive, default=2, help="worker processes of the local cluster")
    sw.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="the scheduler of a running Dask cluster instead of a local one",
    )
    sw.add_argument(
        "--executor", choices=["dask", "pool"], default="dask", help="Dask, or the plain process pool here"
    )
    sw.add_argument("--json", action="store_true", help="print the run's figures as JSON")

    bal = _command(
        sub, "balance", "measure the balance targets (docs/design.md) for every scenario", cmd_balance
    )
    _add_rule_paths(bal)
    bal.add_argument("--runs", type=_positive, default=200, help="games per scenario and persona set")
    bal.add_argument("--workers", type=_positive, default=2, help="processes (results do not depend on it)")
    bal.add_argument("--seed", type=int, default=1, help="batch seed")
    bal.add_argument("--json", action="store_true", help="print JSON instead of a table")

    pr = _command(
        sub,
        "probe",
        "play simple scripted strategies for a team against the persona bots: does a cheap trick win?",
        cmd_probe,
    )
    _add_rule_paths(pr)
    pr.add_argument("--scenario", help="scenario id (default: every scenario)")
    pr.add_argument("--team", choices=["us", "mx", "cn", "ca"], help="team to probe (default: every team)")
    pr.add_argument("--runs", type=_positive, default=50, help="games per strategy and per persona")
    pr.add_argument("--search-runs", type=_positive, help="games per candidate in the best-fixed search")
    pr.add_argument("--seed", type=int, default=1, help="batch seed; the same seeds for every strategy")
    pr.add_argument("--workers", type=_positive, default=2, help="processes (results do not depend on it)")
    pr.add_argument("--json", action="store_true", help="print JSON instead of tables")
    _add_executor_options(pr)

    bt = _command(
        sub,
        "backtest",
        "play the-record scenario and hold the model against recorded history (docs/backtest.md)",
        cmd_backtest,
    )
    _add_rule_paths(bt)
    bt.add_argument("--runs", type=_positive, default=100, help="bot games of the-record")
    bt.add_argument("--seed", type=int, default=1, help="batch seed")
    bt.add_argument("--workers", type=_positive, default=2, help="processes (results do not depend on it)")
    bt.add_argument("--json", action="store_true", help="print JSON instead of a table")
    bt.add_argument("--html", metavar="FILE", help="also write a page with a chart per series (matplotlib)")
    _add_executor_options(bt)

    _add_fit_commands(sub)

    co = _command(sub, "completion", "print a shell completion script (bash or zsh)", cmd_completion)
    co.add_argument(
        "shell",
        choices=["bash", "zsh"],
        help='bash: eval "$(precursor completion bash)" in ~/.bashrc; zsh: save it as _precursor on $fpath',
    )


def cmd_probe(args: argparse.Namespace) -> int:
    """Each strategy's mean score beside the team's best persona on the same seeds (docs/balance.md)."""
    from precursor.analysis.probe import probe
    from precursor.game.schema import TEAMS

    rb = _rulebook(args)
    if args.scenario is not None and args.scenario not in rb.scenarios:
        raise InputError(f"unknown scenario '{args.scenario}'; try: {', '.join(sorted(rb.scenarios))}")
    scenarios = [args.scenario] if args.scenario else sorted(rb.scenarios)
    teams = [args.team] if args.team else list(TEAMS)
    results = []
    with _executor(args), _progress_bar(not args.json, "probe (scenario x team)") as bar:
        update = _progress_callback(bar)
        for sid in scenarios:
            for team in teams:
                results.append(probe(rb, sid, team, args.runs, args.seed, args.workers, args.search_runs))
                if update is not None:
                    update(len(results), len(scenarios) * len(teams))
    if args.json:
        print(json.dumps([r.as_dict() for r in results], indent=2))
        return EXIT_OK
    _print_probe(results)
    return EXIT_OK


def _print_probe(results: list[Any]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    c = Console()
    for r in results:
        pid, best = r.best_persona
        t = Table(
            "strategy",
            "mean score",
            "margin",
            title=f"{r.scenario} — {r.team}: {r.runs} games each; best persona {pid} {best:+.2f}",
        )
        for name, mean in sorted(r.personas.items()):
            t.add_row(f"persona {escape(name)}", f"{mean:+.2f}", f"{mean - best:+.2f}")
        margins = r.margins()
        for name, mean in r.strategies.items():
            shown = escape(name if name != "best_fixed" else f"best fixed ({', '.join(r.best_fixed)})")
            style = "[red]" if margins[name] > 5 else ""
            t.add_row(shown, f"{mean:+.2f}", f"{style}{margins[name]:+.2f}")
        if r.repeat:
            lever = max(r.repeat, key=lambda k: (r.repeat[k], k))
            style = "[red]" if margins["repeat_best"] > 5 else ""
            t.add_row(f"repeat {escape(lever)} (best of {len(r.repeat)} levers)", f"{r.repeat[lever]:+.2f}",
                      f"{style}{margins['repeat_best']:+.2f}")  # fmt: skip
        c.print(t)
    wins = [(r.scenario, r.team, k, v) for r in results for k, v in r.margins().items() if v > 5]
    c.print(f"{len(wins)} strategy/team pair(s) beat the best persona by more than 5 points")


def cmd_backtest(args: argparse.Namespace) -> int:
    """The-record played by bots, each mapped series against the record (docs/backtest.md)."""
    from precursor.analysis.backtest import backtest, html_page, load_record

    if args.html:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise InputError("--html needs matplotlib: pip install 'precursor-wargame[plots]'") from None
    record = load_record()  # before the games: a broken record fails at once
    rb = _rulebook(args)
    label = f"the-record ({args.workers} worker{'s' if args.workers > 1 else ''})"
    with _executor(args), _progress_bar(not args.json, label) as bar:
        result = backtest(args.runs, args.seed, args.workers, _progress_callback(bar), rb, record)
    if args.html:
        Path(args.html).write_text(html_page(result), encoding="utf-8")
    if args.json:
        print(json.dumps(result, indent=2))
        return EXIT_OK
    _print_backtest(result)
    if args.html:
        print(f"charts -> {args.html}")
    return EXIT_OK


def _print_backtest(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Column, Table

    def pct(v: float | None) -> str:
        return "–" if v is None else f"{v:+.1f}%"

    t = Table(
        "indicator / record series",
        *(
            Column(h, no_wrap=True, justify="right")
            for h in ("agree", "Δ record", "Δ model", "rel. err", "in band")
        ),
        title=f"the-record: {result['runs']} bot games, seed {result['seed']}",
    )
    for r in result["series"]:
        ch = r["change"]
        err = "–" if ch["rel_error"] is None else f"{ch['rel_error']:+.2f}"
        t.add_row(
            f"{escape(r['indicator'])}\n[dim]{escape(r['series'])}[/]",
            f"{r['direction_agree']}/{r['direction_total']}",
            pct(ch["record_pct"]),
            pct(ch["model_pct"]),
            err,
            f"{r['in_band']}/{r['band_total']}",
        )
    c = Console()
    c.print(t)
    c.print(
        "agree: quarter-to-quarter (or year-to-year) directions of the model's median that agree with the "
        "record; Δ: change from the first to the last period; rel. err: (Δ model − Δ record) / |Δ record|; "
        "in band: recorded values inside the model's p10–p90"
    )


# ---------------------------------------------------------------------- calibrate and sensitivity


def _add_fit_commands(sub: Any) -> None:
    """Fitting named parameters to the record, and measuring which of them move the outcomes."""
    ca = _command(
        sub,
        "calibrate",
        "fit named parameters to the 2023 record, hold out 2024, write an override file (docs/backtest.md)",
        cmd_calibrate,
    )
    _add_rule_paths(ca)
    ca.add_argument(
        "--params", help="parameter ids, comma-separated (default: every invented or direction one)"
    )
    ca.add_argument(
        "--trials", type=_positive, default=30, help="parameter sets tried (the first is the start)"
    )
    ca.add_argument(
        "--runs", type=_positive, default=4, help="games of the-record per trial, on the same seeds"
    )
    ca.add_argument(
        "--seed", type=int, default=1, help="seeds the sampler and the games: same seed, same fit"
    )
    ca.add_argument("--workers", type=_positive, default=2, help="processes (results do not depend on it)")
    ca.add_argument("--out", required=True, metavar="FILE.yaml", help="the override file of fitted values")
    ca.add_argument("--json", action="store_true", help="print JSON instead of a table")
    _add_executor_options(ca)

    se = _command(
        sub,
        "sensitivity",
        "which named parameters move a scenario's outcomes: one at a time and Sobol (docs/backtest.md)",
        cmd_sensitivity,
    )
    _add_rule_paths(se)
    se.add_argument("--scenario", required=True, help="scenario id (precursor scenarios lists them)")
    se.add_argument(
        "--params", help="parameter ids, comma-separated (default: every invented or direction one)"
    )
    se.add_argument("--runs", type=_positive, default=10, help="games per end of each range (one at a time)")
    se.add_argument(
        "--samples", type=int, default=8, help="Sobol base samples (a power of two; 0 skips Sobol)"
    )
    se.add_argument("--sobol-runs", type=_positive, default=1, help="games averaged per Sobol parameter set")
    se.add_argument("--seed", type=int, default=1, help="batch seed; the same seeds for every parameter set")
    se.add_argument("--workers", type=_positive, default=2, help="processes (results do not depend on it)")
    se.add_argument("--top", type=_positive, default=8, help="parameters shown per output in the table")
    se.add_argument("--json", action="store_true", help="print JSON instead of tables")
    _add_executor_options(se)


def _fit_setup(args: argparse.Namespace) -> tuple[Any, Any, list[str]]:
    """The user's rulebook, the base variants are laid over, and the chosen parameters."""
    from precursor.analysis.calibrate import choose_params, rules_base

    for lib in ("optuna", "SALib"):
        try:
            __import__(lib)
        except ImportError:
            raise InputError(f"this command needs {lib}: pip install 'precursor-wargame[fit]'") from None
    rb = _rulebook(args)
    ids = [p.strip() for p in (args.params or "").split(",") if p.strip()]
    params = choose_params(rb, ids or None)
    if not params:
        raise InputError("no parameters to vary: name some with --params")
    rules, scenarios = _user_paths(args)
    return rb, rules_base([*rules, *scenarios], params), params


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Fit, write the override file, and say plainly when the fit does not hold on 2024 (exit 1)."""
    import datetime

    import yaml

    from precursor.analysis import calibrate as C
    from precursor.analysis.backtest import load_record

    record = load_record()
    rb, base, params = _fit_setup(args)
    label = f"calibrate ({len(params)} parameter{'s' if len(params) > 1 else ''})"
    with _executor(args), _progress_bar(not args.json, label) as bar:
        result = C.calibrate(
            rb, base, params, args.trials, args.runs, args.seed, args.workers, record, _progress_callback(bar)
        )
    rules, scenarios = _user_paths(args)
    on = "shipped rules" + "".join(f" + {p}" for p in [*rules, *scenarios])
    when = datetime.date.today().isoformat()
    doc = C.fitted_overrides(result, when, on)
    Path(args.out).write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100), "utf-8")
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print_calibration(result, args.out)
    return EXIT_PROBLEMS if result["holdout_worse"] else EXIT_OK


def _print_calibration(result: dict[str, Any], out: str) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Column, Table

    def e(v: float | None) -> str:
        return "–" if v is None else f"{v:.5f}"

    c = Console()
    t = Table(
        "parameter", "basis", Column("range", no_wrap=True), Column("before", justify="right"),
        Column("after", justify="right"),
        title=f"calibrate: {result['trials']} trials x {result['runs']} games of {result['scenario']}, "
        f"seed {result['seed']} (best: trial {result['best_trial']})",
    )  # fmt: skip
    for p in result["params"]:
        t.add_row(escape(p["id"]), p["basis"], f"[{p['range'][0]:g}, {p['range'][1]:g}]", f"{p['before']:g}",
                  f"{p['after']:g}")  # fmt: skip
    c.print(t)
    s = Table(
        "record series",
        *(Column(h, justify="right") for h in ("2023 before", "2023 after", "2024 before", "2024 after")),
        title="squared relative error of the model median, mean over the year's recorded points",
    )
    for name, row in result["series"].items():
        b, a = row["before"], row["after"] or {}
        s.add_row(
            escape(name), e(b["in_sample"]), e(a.get("in_sample")), e(b["holdout"]), e(a.get("holdout"))
        )
    ins, hold = result["in_sample"], result["holdout"]
    s.add_row(
        "[b]all series (objective)", e(ins["before"]), e(ins["after"]), e(hold["before"]), e(hold["after"])
    )
    c.print(s)
    if result["holdout_worse"]:
        c.print(
            f"[red]The fit is not good: the 2024 holdout error rose from {e(hold['before'])} to "
            f"{e(hold['after'])}. {escape(out)} is written but says 'holdout worse: do not use'.[/]"
        )
    else:
        c.print(
            f"holdout not worse ({e(hold['before'])} -> {e(hold['after'])}); fitted values -> {escape(out)}"
        )


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Per output, the parameters that move it most, each with its basis (docs/backtest.md)."""
    from precursor.analysis.sensitivity import sensitivity

    if args.samples < 0:
        raise InputError("--samples must be 0 (no Sobol) or more")
    rb, base, params = _fit_setup(args)
    if args.scenario not in rb.scenarios:
        raise InputError(f"unknown scenario '{args.scenario}'; try: {', '.join(sorted(rb.scenarios))}")
    with _executor(args), _progress_bar(not args.json, f"sensitivity {args.scenario}") as bar:
        result = sensitivity(
            rb, base, args.scenario, params, args.runs, args.samples, args.sobol_runs, args.seed,
            args.workers, _progress_callback(bar),
        )  # fmt: skip
    if args.json:
        print(json.dumps(result, indent=2))
        return EXIT_OK
    _print_sensitivity(result, args.top)
    return EXIT_OK


def _print_sensitivity(result: dict[str, Any], top: int) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Column, Table

    from precursor.analysis.sensitivity import invented_share

    def f(v: float | None, digits: int = 2) -> str:
        return "–" if v is None else f"{v:+.{digits}f}" if digits else f"{v:.2f}"

    c = Console()
    sob = (
        f", Sobol {result['sobol_samples']} base samples ({result['sobol_sets']} sets)"
        if result["sobol_sets"]
        else ""
    )
    head = f"one at a time {result['oat_runs']} games per end{sob}, seed {result['seed']}"
    c.print(f"[b]{escape(result['scenario'])}[/]: {head}")
    for out in result["outputs"]:
        cols = (Column(h, justify="right") for h in ("at low", "at high", "effect", "S1", "ST"))
        t = Table("#", "parameter", "basis", *cols, title=f"{out['label']} (baseline {out['baseline']:g})")
        for r in out["params"][:top]:
            style = "[yellow]" if r["basis"] == "invented" else ""
            t.add_row(str(r["rank"]), escape(r["id"]), f"{style}{r['basis']}", f(r["low"]), f(r["high"]),
                      f(r["effect"]), f(r["S1"], 0), f(r["ST"], 0))  # fmt: skip
        c.print(t)
        inv, moving = invented_share(out, top)
        c.print(f"  of the top {top}, {moving} move it; {inv} of those rest on invented numbers")
    c.print(
        "effect: mean at the high end of the range minus mean at the low end, others at their values, same "
        "seeds; S1/ST: Sobol first-order and total indices (wide intervals with few samples: see --json)"
    )


def cmd_completion(args: argparse.Namespace) -> int:
    """The shell's completion script, generated from the parser itself, so it never falls behind."""
    import shtab

    sys.stdout.write(shtab.complete(build_parser(), shell=args.shell))
    return EXIT_OK


def _add_live_commands(sub: Any) -> None:
    """The server, the clients and the live bot."""
    srv = _command(sub, "serve", "run the game server (REST + websockets)", cmd_serve)
    _add_rule_paths(srv)
    srv.add_argument(
        "--host",
        help="interface (default 127.0.0.1; env PRECURSOR_HOST); off loopback, creating games needs the "
        "organiser key (env PRECURSOR_ORGANISER_KEY, or one printed at start)",
    )
    srv.add_argument("--port", type=int, help="port (default 8765; 0 = any free port; env PRECURSOR_PORT)")
    srv.add_argument(
        "--store", help="sqlite:///path (default: in the user data dir), redis://host:port/db or memory://"
    )
    srv.add_argument("--log-level", help="debug, info, warning (env PRECURSOR_LOG_LEVEL)")
    srv.add_argument(
        "--require-durable",
        action="store_true",
        default=None,
        help="refuse to start (exit 3) on a store that loses games when it restarts, e.g. Redis with "
        "neither appendonly nor save (env PRECURSOR_REQUIRE_DURABLE)",
    )

    pl = _command(sub, "play", "open the terminal client (lobby: create or join a game)", cmd_play)
    _add_rule_paths(pl)
    pl.add_argument("url", nargs="?", default="http://127.0.0.1:8765", help="the game server")
    pl.add_argument(
        "--code",
        help="join code (fills the lobby's field), or a facilitator token (opens that game's console)",
    )
    pl.add_argument("--name", help="your name")
    pl.add_argument("--mono", action="store_true", help="monochrome theme (NO_COLOR is honoured too)")

    bt = _command(sub, "bot", "play a seat of a live game with a scripted bot, over the network", cmd_bot)
    bt.add_argument("game", help="game id")
    bt.add_argument("--code", required=True, help="the team's join code")
    bt.add_argument("--persona", required=True, help="a persona of that team (precursor rules lists them)")
    bt.add_argument("--url", default="http://127.0.0.1:8765", help="the game server")

    so = _command(sub, "solo", "play one team against bots: embedded server, nothing else to start", cmd_solo)
    _add_rule_paths(so)
    so.add_argument("--team", default="mx", choices=["us", "mx", "cn", "ca"], help="the team you play")
    so.add_argument("--scenario", default="loose-talk", help="scenario id (precursor scenarios lists them)")
    so.add_argument("--personas", help="bot personas for the other teams, e.g. us=hawk,cn=deny_and_deflect")
    so.add_argument("--persona", dest="personas", help=argparse.SUPPRESS)  # the old spelling
    so.add_argument("--seed", type=int, default=None, help="the game's seed (default: a random one)")
    so.add_argument("--name", default="solo player", help="your name in the game")
    so.add_argument("--store", help="event store URL (default: SQLite in the user data directory)")
    so.add_argument("--mono", action="store_true", help="monochrome theme (NO_COLOR is honoured too)")
    so.add_argument("--no-ui", action="store_true", help="set the game up and exit (for scripts and checks)")
    so.add_argument("--game", help="resume this solo game (with --token; printed when you leave a game)")
    so.add_argument("--token", help="your seat's token in the game to resume")

    wb = _command(sub, "web", "serve the client to browsers (textual-serve) on 127.0.0.1", cmd_web)
    wb.add_argument("url", nargs="?", default="http://127.0.0.1:8765", help="the game server the client uses")
    wb.add_argument("--host", default="127.0.0.1", help="interface the browser connects to")
    wb.add_argument("--port", type=int, default=8000, help="port the browser connects to")
    wb.add_argument("--mono", action="store_true", help="monochrome theme (NO_COLOR is honoured too)")


def _add_review_commands(sub: Any) -> None:
    """The after-action review: saved games in and out of stores, reports, forks, grades."""
    rpl = _command(
        sub, "replay", "step through a game turn by turn, as each team saw it or truly was", cmd_replay
    )
    rpl.add_argument("game", help=GAME_HELP)
    rpl.add_argument("--store", help=STORE_HELP)
    rpl.add_argument("--audience", choices=AUDIENCES, default="facilitator", help="whose view to show")

    ex = _command(sub, "export", "write a game's event log as JSON lines (lossless)", cmd_export)
    ex.add_argument("game", help=GAME_HELP)
    ex.add_argument("--store", help=STORE_HELP)
    ex.add_argument("--out", required=True, help="the file to write")

    im = _command(sub, "import", "store an exported log as a new game (new join codes)", cmd_import)
    im.add_argument("file", help="an exported .jsonl log")
    im.add_argument("--store", help=STORE_HELP)
    im.add_argument("--create-store", action="store_true", help=CREATE_HELP)

    rp = _command(
        sub, "report", "the debrief of a game: timeline, charts, agreements, red lines, scores", cmd_report
    )
    rp.add_argument("game", help=GAME_HELP)
    rp.add_argument("--store", help=STORE_HELP)
    rp.add_argument("--format", choices=["html", "md", "json"], default="md", help="output format")
    rp.add_argument("--audience", choices=AUDIENCES, default="facilitator", help="whose view to report")
    rp.add_argument(
        "--out", help="file (default: standard output); Markdown writes its charts to FILE_files/ beside it"
    )
    rp.add_argument(
        "--hot-wash",
        action="store_true",
        help="the hot wash instead: what happened, why, positions against the record, rulings, what-ifs",
    )
    rp.add_argument(
        "--templates",
        metavar="DIR",
        help="a folder of your own report.html.j2 / report.md.j2 to use instead of the shipped ones",
    )

    fk = _command(sub, "fork", "start a new game from the state at the start of turn N", cmd_fork)
    fk.add_argument("game", help=GAME_HELP)
    fk.add_argument("--turn", type=_positive, required=True, help="the turn whose start the new game takes")
    fk.add_argument("--seed", type=int, help="reseed future rolls (default: the original seed)")
    fk.add_argument("--store", help=STORE_HELP)
    fk.add_argument("--create-store", action="store_true", help=CREATE_HELP)
    fk.add_argument(
        "--rerun-under-current-rules",
        action="store_true",
        help="fork a game played under other rules (or unrecorded ones): it goes on under the loaded rules",
    )

    cm = _command(
        sub, "compare", "compare several games of one scenario, or a batch of simulate runs", cmd_compare
    )
    cm.add_argument(
        "games", nargs="+", help="game ids, .jsonl game logs, or a runs.jsonl from simulate --out"
    )
    cm.add_argument("--store", help=STORE_HELP)
    cm.add_argument("--out", help="write the comparison (JSON) here too")
    cm.add_argument("--json", action="store_true", help="print the comparison as JSON instead of tables")

    gr = _command(
        sub, "grades", "one CSV row per player: messages, proposals, orders, agreements", cmd_grades
    )
    gr.add_argument("game", help=GAME_HELP)
    gr.add_argument("--store", help=STORE_HELP)
    gr.add_argument("--out", required=True, help="the CSV file to write")
    gr.add_argument("--anonymize", action="store_true", help="stable pseudonyms instead of names")


# ---------------------------------------------------------------------- precursor games (operators)


def cmd_games(args: argparse.Namespace) -> int:
    """List, archive or purge the games of a store directly, with or without a server running on it."""
    import asyncio

    from server import admin

    url = _default_store(args.store)
    if url.lower().startswith("sqlite:"):
        from server.stores import sqlite_path

        try:
            path = Path(sqlite_path(url))
        except ValueError as exc:
            raise InputError(str(exc)) from None
        if not path.is_file():  # opening it would create an empty one, and list nothing
            # exit 3, as for every command that reads a store that is not there (report, fork, export)
            raise Unreachable(f"no game store at {path}: check --store (precursor serve creates it)")
    older = None
    if args.action == "purge":
        if args.older_than is None:
            raise InputError("purge needs --older-than AGE, e.g. --older-than 30d")
        try:
            older = admin.parse_age(args.older_than)
        except ValueError as exc:
            raise InputError(str(exc)) from None
    elif args.action == "archive" and not args.game:
        raise InputError("archive needs one or more game ids")
    store = _open_store(url)

    async def run() -> int:
        await store.open()
        try:
            if args.action == "list":
                _print_games([r.as_dict() for r in await admin.game_rows(store)], args.json)
            elif args.action == "archive":
                done = await admin.archive_games(store, args.game)
                for gid in args.game:
                    print(f"{gid}: {'archived' if gid in done else 'already archived'}")
            else:
                rows = await admin.purge_games(
                    store, older or 0.0, finished_only=args.finished_only, dry_run=args.dry_run
                )
                verb = "would delete" if args.dry_run else "deleted"
                for r in rows:
                    print(f"{verb} {r.game_id} ({r.scenario}, {r.status}, last activity {_when(r.active)})")
                print(f"{len(rows)} game{'s' * (len(rows) != 1)} {verb.replace('would delete', 'to delete')}")
            return EXIT_OK
        finally:
            await store.close()

    return asyncio.run(run())


def _when(t: float) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(t, datetime.UTC).strftime("%Y-%m-%d %H:%M") if t else "-"


def _print_games(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = [("game", "scenario", "created (UTC)", "last activity", "status", "events")]
    table += [
        (r["game_id"], r["scenario"], _when(r["created"]), _when(r["active"]), r["status"], str(r["events"]))
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _add_games_command(sub: Any) -> None:
    gm = _command(sub, "games", "list, archive or purge the games of a store (for operators)", cmd_games)
    gm.add_argument("action", choices=["list", "archive", "purge"], help="what to do")
    gm.add_argument("game", nargs="*", help="archive: the game ids")
    gm.add_argument(
        "--store",
        help="the store, as serve takes it: sqlite:///path, redis://host:port/db (default: "
        "the server's SQLite store in your data directory)",
    )
    gm.add_argument("--json", action="store_true", help="list: JSON instead of a table")
    gm.add_argument("--older-than", metavar="AGE", help="purge: games with no activity for AGE (30d, 12h)")
    gm.add_argument(
        "--finished-only",
        action="store_true",
        help="purge: only games no longer running (finished, archived)",
    )
    gm.add_argument(
        "--dry-run", action="store_true", help="purge: print what would be deleted, delete nothing"
    )


def _command(sub: Any, name: str, text: str, fn: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        name, help=text, description=text, formatter_class=_HelpFormatter
    )
    p.set_defaults(fn=fn)
    return p


def build_parser() -> argparse.ArgumentParser:
    from precursor import __version__

    p = _Parser(
        prog="precursor",
        description="Precursor: a negotiation wargame about fentanyl.",
        epilog=EXIT_CODES_HELP,
        formatter_class=_HelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="cmd", title="commands", metavar="COMMAND")
    _add_analysis_commands(sub)
    _add_live_commands(sub)
    _add_review_commands(sub)
    _add_games_command(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.cmd is None:
        parser.print_help()
        return EXIT_OK
    extra = _missing_extra(args.cmd)
    if extra is not None:
        return _needs_extra(args.cmd, extra)
    if args.cmd not in COMMAND_EXTRAS:
        _startup_begins()
    try:
        rc: int = args.fn(args)
    except KeyboardInterrupt:
        return 130  # the shell's convention for SIGINT
    except ModuleNotFoundError as exc:
        extra = _missing_extra(args.cmd, exc.name)
        if extra is None:
            raise
        return _needs_extra(args.cmd, extra)
    except Exception as exc:
        error = _as_cli_error(exc)
        if error is None:
            raise
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        return error.code
    finally:
        _startup_over()
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
