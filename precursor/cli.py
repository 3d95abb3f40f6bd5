"""The ``precursor`` command. Subcommands import what they need lazily, so ``--help`` stays instant."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def _rulebook(paths: list[str] | None = None) -> Any:
    from .loader import RulebookError
    from .rulebook import load

    try:
        return load([Path(p) for p in paths] if paths else None)
    except RulebookError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s)", file=sys.stderr)
        raise SystemExit(1) from None


def cmd_validate(args: argparse.Namespace) -> int:
    import time

    from .loader import RulebookError
    from .rulebook import load

    t0 = time.perf_counter()
    try:
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
        f"{len(rb.rules)} rules, {len(rb.scenarios)} scenarios in {ms:.0f} ms"
    )
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from pydantic import TypeAdapter

    from . import schema as S

    if args.kind == "rules":
        model: Any = TypeAdapter(
            S.SourcesFile
            | S.TeamsFile
            | S.IndicatorsFile
            | S.LeversFile
            | S.RulesFile
            | S.FlowFile
            | S.StatementsFile
            | S.ModulesFile
            | S.ScoringFile
        )
        out = model.json_schema()
        out["title"] = "Precursor rule file"
    elif args.kind == "scenario":
        out = S.ScenarioFile.model_json_schema()
        out["title"] = "Precursor scenario file"
    elif args.kind == "cases":
        from .cases import CasesFile

        out = CasesFile.model_json_schema()
    else:
        from pydantic import TypeAdapter as TA

        from .commands import Command

        out = TA(Command).json_schema()
        out["title"] = "Precursor command"
    out["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    print(json.dumps(out, indent=2))
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    rb = _rulebook()
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

    t = Table("id", "title", "turns", "start", "teams")
    for r in rows:
        t.add_row(
            r["id"], r["title"], f"{r['turns']} × {r['months_per_turn']} mo", r["start"], " ".join(r["teams"])
        )
    Console().print(t)
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    rb = _rulebook()
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
    c.print(f"{len(levers)} levers, {len(data['rules'])} rules, {len(data['indicators'])} indicators")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from .runner import load_script, play

    rb = _rulebook()
    if args.scenario not in rb.scenarios:
        print(f"unknown scenario '{args.scenario}'; try: {', '.join(sorted(rb.scenarios))}", file=sys.stderr)
        return 2
    script = load_script(Path(args.script)) if args.script else None
    game, errors = play(rb, args.scenario, args.seed, script)
    for e in errors:
        print(f"turn {e.turn}, command {e.index + 1}: refused: {e.code}: {e.message}", file=sys.stderr)
    out = Path(args.out)
    out.write_text(game.events_jsonl(), encoding="utf-8")
    final = game.state.scores
    summary = ", ".join(f"{t} {final[t]['total']:+.1f}" for t in ("us", "mx", "cn", "ca") if t in final)
    print(f"{args.scenario} seed {args.seed}: {len(game.log)} events -> {out}; final scores: {summary}")
    return 1 if errors and args.strict else 0


def cmd_check_cases(args: argparse.Namespace) -> int:
    from .cases import load_cases, run_case

    rb = _rulebook()
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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="precursor", description="Precursor: a negotiation wargame about fentanyl."
    )
    sub = p.add_subparsers(dest="cmd", required=True)

    v = sub.add_parser("validate", help="check rule and scenario files (default: the shipped ones)")
    v.add_argument(
        "paths", nargs="*", help="files or folders; built-in files they do not replace are loaded too"
    )
    v.set_defaults(fn=cmd_validate)

    s = sub.add_parser("schema", help="print JSON Schema for rule files, scenarios, cases or commands")
    s.add_argument("kind", choices=["rules", "scenario", "cases", "commands"])
    s.set_defaults(fn=cmd_schema)

    sc = sub.add_parser("scenarios", help="list scenarios")
    sc.add_argument("--json", action="store_true")
    sc.set_defaults(fn=cmd_scenarios)

    r = sub.add_parser("rules", help="show the loaded rulebook")
    r.add_argument("--json", action="store_true")
    r.set_defaults(fn=cmd_rules)

    run = sub.add_parser("run", help="play a game headlessly from a script and write its event log")
    run.add_argument("scenario")
    run.add_argument("--seed", type=int, default=1)
    run.add_argument("--script", help="YAML or JSON script of commands per turn")
    run.add_argument("--out", required=True, help="events file (JSON lines)")
    run.add_argument("--strict", action="store_true", help="exit 1 if any scripted command was refused")
    run.set_defaults(fn=cmd_run)

    cc = sub.add_parser("check-cases", help="run adjudication conformance cases")
    cc.add_argument("dir")
    cc.add_argument("-v", "--verbose", action="store_true")
    cc.set_defaults(fn=cmd_check_cases)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    rc: int = args.fn(args)
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
