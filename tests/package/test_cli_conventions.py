"""The command line behaves as people expect from a Unix tool: ``--version``, help with every default,
one line on stderr and a documented exit code for every expected failure (README, "Commands")."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from precursor import __version__
from precursor.cli import build_parser
from server.stores.sqlite import SqliteStore

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "precursor.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_version_prints_the_package_version() -> None:
    out = cli("--version")
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"precursor {__version__}\n"


def test_bare_precursor_prints_the_full_command_list() -> None:
    out = cli()
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("usage: precursor")
    assert "error" not in out.stderr
    for name in _subparsers(build_parser()):
        assert f"    {name} " in out.stdout or f"    {name}\n" in out.stdout, name


def test_every_option_has_help_and_shows_its_default() -> None:
    for name, sub in _subparsers(build_parser()).items():
        text = sub.format_help()
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:
                continue
            label = f"{name} {'/'.join(action.option_strings) or action.dest}"
            assert action.help, f"{label} has no help text"
            default = action.default
            if default is None or isinstance(default, bool) or default == argparse.SUPPRESS:
                continue
            assert "%(default)s" in action.help or f"default: {default}" in " ".join(text.split()), (
                f"{label}: its default {default!r} is not in the help"
            )


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A good log, a broken one, a store holding no game, and paths that do not exist."""
    d = tmp_path_factory.mktemp("inputs")
    log = d / "game.jsonl"
    made = cli("run", "tutorial", "--seed", "3", "--out", str(log))
    assert made.returncode == 0, made.stderr
    (d / "broken.jsonl").write_text('{"type": "game_created", "seq": 1}\n{oops\n', encoding="utf-8")
    (d / "broken.yaml").write_text("cases: [\n", encoding="utf-8")
    (d / "cases").mkdir()
    (d / "script.yaml").write_text("turns: 3\n", encoding="utf-8")

    async def empty_store() -> None:
        st = SqliteStore(d / "games.db")
        await st.open()
        await st.close()

    asyncio.run(empty_store())
    return {
        "dir": str(d),
        "log": str(log),
        "broken": str(d / "broken.jsonl"),
        "store": f"sqlite:///{d / 'games.db'}",
        "missing": str(d / "missing.jsonl"),
        "nodir": str(d / "no" / "such" / "dir"),
        "script": str(d / "script.yaml"),
    }


# (command line with {placeholders} from `inputs`, the exit code README documents for it)
BAD_INPUT = [
    ("report {missing}", 2),
    ("report {broken}", 2),
    ("report NO-SUCH-GAME --store {store}", 2),
    ("report NO-SUCH-GAME --store redis://127.0.0.1:1/0", 3),
    ("report NO-SUCH-GAME --store bogus://x", 2),
    ("report {log} --out {nodir}/r.md", 2),
    ("fork {log} --turn 99 --store {store}", 2),
    ("fork NO-SUCH-GAME --turn 2 --store {store}", 2),
    ("export NO-SUCH-GAME --store {store} --out {dir}/x.jsonl", 2),
    ("export {broken} --out {dir}/x.jsonl", 2),
    ("import {missing} --store {store}", 2),
    ("import {broken} --store {store}", 2),
    ("grades {broken} --out {dir}/g.csv", 2),
    ("grades NO-SUCH-GAME --store {store} --out {dir}/g.csv", 2),
    ("compare {log} {missing}", 2),
    ("compare {log} {broken}", 2),
    ("simulate --from {log} --turn 99 --runs 2", 2),
    ("simulate --from {missing} --turn 2 --runs 2", 2),
    ("simulate --scenario no-such-scenario --runs 2", 2),
    ("simulate --scenario tutorial --runs 2 --personas us:hawk", 2),
    ("run no-such-scenario --out {dir}/x.jsonl", 2),
    ("run tutorial --script {missing} --out {dir}/x.jsonl", 2),
    ("run tutorial --script {script} --out {dir}/x.jsonl", 2),
    ("run tutorial --bots us=dove --out {dir}/x.jsonl", 2),
    ("validate {nodir}", 2),
    ("validate {dir}/broken.yaml", 1),
    ("check-cases {nodir}", 2),
    ("schema nothing", 2),
    ("solo --scenario no-such-scenario --no-ui", 2),
    ("solo --persona us=dove --no-ui", 2),
    ("bot G --code X --persona hawk --url http://127.0.0.1:1", 3),
    ("no-such-command", 2),
]


@pytest.mark.subprocess
@pytest.mark.parametrize(("line", "code"), BAD_INPUT, ids=[line for line, _ in BAD_INPUT])
def test_an_expected_failure_is_one_line_and_a_documented_code(
    inputs: dict[str, str], tmp_path: Path, line: str, code: int
) -> None:
    out = cli(*line.format(**inputs).split(), env={"XDG_DATA_HOME": str(tmp_path)})
    assert "Traceback" not in out.stderr, out.stderr
    assert out.returncode == code, out.stderr
    assert len(out.stderr.splitlines()) == 1, out.stderr
    assert out.stderr.startswith("error: " if code != 1 else "1 problem(s) found"), out.stderr


@pytest.mark.subprocess
@pytest.mark.parametrize(
    "line",
    [
        "report NO-SUCH-GAME",
        "report NO-SUCH-GAME --store sqlite:///{dir}/typo.db",
        "export NO-SUCH-GAME --out {dir}/x.jsonl --store sqlite:///{dir}/typo.db",
        "grades NO-SUCH-GAME --out {dir}/g.csv",
        "compare NO-SUCH-GAME",
        "simulate --from NO-SUCH-GAME --turn 2",
        "import {log} --store sqlite:///{dir}/typo.db",
        "fork {log} --turn 2 --store sqlite:///{dir}/typo.db",
    ],
)
def test_a_store_url_naming_no_database_is_refused_not_created(
    inputs: dict[str, str], tmp_path: Path, line: str
) -> None:
    data = tmp_path / "data"
    out = cli(*line.format(dir=tmp_path, log=inputs["log"]).split(), env={"XDG_DATA_HOME": str(data)})
    assert out.returncode == 3, out.stderr
    assert len(out.stderr.splitlines()) == 1 and out.stderr.startswith("error: "), out.stderr
    assert not (tmp_path / "typo.db").exists()
    assert not (data / "precursor" / "games.db").exists()


def test_scenarios_never_cut_an_id_at_80_columns() -> None:
    out = cli("scenarios", env={"COLUMNS": "80"})
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), out.stdout
    ids = [r["id"] for r in json.loads(cli("scenarios", "--json").stdout)]
    assert "tariffs-and-terror" in ids
    for sid in ids:
        assert any(line.startswith(f"│ {sid} ") for line in lines), f"{sid} is wrapped or cut:\n{out.stdout}"


def test_rules_lists_the_personas_one_line_each() -> None:
    data = json.loads(cli("rules", "--json").stdout)
    personas = {p["id"]: p for p in data["personas"]}
    assert {"hawk", "sovereigntist", "deny_and_deflect", "trilateralist"} <= set(personas)
    assert all(p["team"] in ("us", "mx", "cn", "ca") and p["description"] for p in personas.values())
    out = cli("rules", env={"COLUMNS": "80"})
    assert out.returncode == 0, out.stderr
    for pid, p in personas.items():
        rows = [line for line in out.stdout.splitlines() if line.startswith(f"│ {pid} ")]
        assert len(rows) == 1 and f"│ {p['team']}   │" in rows[0], (pid, out.stdout[-2000:])


def test_one_spelling_per_concept_with_the_old_ones_hidden(tmp_path: Path) -> None:
    subs = _subparsers(build_parser())
    for name, sub in subs.items():
        shown = {o for a in sub._actions if a.help != argparse.SUPPRESS for o in a.option_strings}
        assert "--bots" not in shown, name
        if name != "bot":  # the live bot plays one seat: one persona, not a team=persona list
            assert "--persona" not in shown, name
    for name in ("run", "simulate", "solo"):
        assert "--scenario" in subs[name].format_help() and "--personas" in subs[name].format_help(), name
    parse = build_parser().parse_args
    assert parse(["solo", "--personas", "us=hawk"]).personas == "us=hawk"
    assert parse(["solo", "--persona", "us=hawk"]).personas == "us=hawk"
    assert parse(["run", "--scenario", "tutorial", "--out", "x", "--personas"]).personas == ""
    assert parse(["run", "tutorial", "--out", "x", "--bots", "us=hawk"]).personas == "us=hawk"
    logs = {}
    for how in (["tutorial", "--bots", "us=hawk"], ["--scenario", "tutorial", "--personas", "us=hawk"]):
        out_file = tmp_path / f"{len(logs)}.jsonl"
        out = cli("run", *how, "--seed", "5", "--out", str(out_file))
        assert out.returncode == 0, out.stderr
        logs[tuple(how)] = out_file.read_bytes()
    assert len(set(logs.values())) == 1
    both = cli("run", "tutorial", "--scenario", "loose-talk", "--out", str(tmp_path / "x.jsonl"))
    assert both.returncode == 2 and both.stderr.startswith("error: ") and len(both.stderr.splitlines()) == 1


def test_the_readme_documents_every_command_and_exit_code() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = readme.split("## Commands", 1)[1].split("\n## ", 1)[0]
    for name in _subparsers(build_parser()):
        assert f"`precursor {name}" in commands, name
    for code in range(4):
        assert f"\n| {code} | " in commands, code
    quick = readme.split("## Quick start", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    lines = quick.strip().splitlines()
    assert len(lines) == 2, lines
    solo = lines[0].split("&& precursor ", 1)[1].split()
    assert build_parser().parse_args(solo).cmd == "solo"


def _complete(script: str, *words: str) -> list[str]:
    """What bash offers after ``precursor WORDS...`` (the last word being typed), with the script loaded."""
    line = " ".join(["precursor", *words])
    driver = (
        'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; '
        'COMP_POINT=${#COMP_LINE}; _shtab_precursor; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    out = subprocess.run(
        ["bash", "-c", driver, "bash", script, "precursor", *words],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 0, (line, out.stderr)
    return out.stdout.split()


@pytest.mark.subprocess
def test_shell_completion_offers_commands_and_options_but_not_hidden_aliases(tmp_path: Path) -> None:
    bash = cli("completion", "bash")
    assert bash.returncode == 0, bash.stderr
    script = tmp_path / "precursor.bash"
    script.write_text(bash.stdout, encoding="utf-8")
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    assert "scenarios" in _complete(str(script), "sce")
    offered = _complete(str(script), "run", "--")
    assert {"--scenario", "--personas", "--seed", "--out"} <= set(offered)
    assert "--bots" not in offered
    zsh = cli("completion", "zsh")
    assert zsh.returncode == 0 and zsh.stdout.startswith("#compdef precursor"), zsh.stderr


def _closed_port() -> int:
    """A loopback port nothing listens on (bound for a moment, then let go)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.subprocess
def test_web_without_a_server_says_how_to_start_one_and_exits_3() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    out = subprocess.run(
        [sys.executable, "-m", "precursor.cli", "web", url, "--port", str(_closed_port())],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,  # before the check, textual-serve started anyway and ran until killed
    )
    assert out.returncode == 3, out.stderr
    assert len(out.stderr.splitlines()) == 1 and out.stderr.startswith("error: "), out.stderr
    assert f"the server at {url} cannot be reached" in out.stderr
    assert "precursor serve" in out.stderr and "precursor solo" in out.stderr
    assert "ConnectError" not in out.stderr


@pytest.mark.subprocess
@pytest.mark.parametrize("presses", [1, 2], ids=["ctrl-c", "ctrl-c-twice"])
def test_ctrl_c_stops_serve_with_one_line_and_no_traceback(presses: int) -> None:
    """With a player connected, as in class; a second Ctrl+C during the shutdown (force quit) printed
    the lifespan's cancellation and the KeyboardInterrupt as two tracebacks."""
    from precursor.client import GameClient, LobbyClient

    serve = ["serve", "--host", "127.0.0.1", "--port", "0", "--store", "memory://"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "precursor.cli", *serve],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "serving on http://" in line, line
        url = line.split("serving on ", 1)[1].split()[0]

        async def seated_then_interrupted() -> None:
            async with LobbyClient(url) as lobby:
                g = await lobby.create_game("tutorial", seed=1)
                token = (await lobby.join(g.game_id, g.join_codes["mx"], "Ana")).token
            async with GameClient(url, g.game_id, token) as seat:
                await seat.next_frame()
                for _ in range(presses):
                    proc.send_signal(signal.SIGINT)
                    await asyncio.sleep(0.03)
                await asyncio.to_thread(proc.wait, 20)

        asyncio.run(seated_then_interrupted())
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert "Traceback" not in err and "ERROR" not in err, err
    assert proc.returncode in (0, 130), err
    assert err.rstrip().splitlines()[-1] == "precursor: server stopped", err
