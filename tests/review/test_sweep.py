"""Sweeps and the Dask executor, on a real local Dask cluster of two worker processes.

One cluster serves the module (it takes seconds to start); the CLI reaches it with ``--scheduler``, as a
user's command reaches a remote one. Every wait is bounded: each test has an alarm, the killed sweep a
deadline, and the subprocess a timeout, so a stuck cluster fails the test instead of hanging the run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from precursor.analysis.executor import DaskExecutor, ExecutorError, RuleSource, rulebook_for
from precursor.analysis.simulate import run_one
from precursor.analysis.sweep import HOLD_ENV, load_spec, plan, read_rows
from precursor.cli import main
from precursor.game.paths import rules_dir

pytestmark = pytest.mark.subprocess

ROOT = Path(__file__).resolve().parents[2]
TEST_SECONDS = 240  # per test: far above a normal run (a few seconds to tens), far below a hung CI job

SUPPLY = "((100 - flow.precursor) + (100 - flow.northbound)) / 2 / 2"


@pytest.fixture(autouse=True)
def _deadline() -> Iterator[None]:
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"test still running after {TEST_SECONDS} s")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(TEST_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A LocalCluster of two worker processes; yields its scheduler's address."""
    with DaskExecutor(workers=2) as ex:
        yield ex.address


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tutorial x 2 persona mixes x 6 seeds x 2 rule variants (the shipped scoring, and one whose supply
    component counts double) = 24 games, in chunks of 2."""
    folder = tmp_path_factory.mktemp("spec")
    scoring = (rules_dir() / "scoring.yaml").read_text(encoding="utf-8")
    assert SUPPLY in scoring
    (folder / "variant").mkdir()
    (folder / "variant" / "scoring.yaml").write_text(
        scoring.replace(SUPPLY, SUPPLY.removesuffix(" / 2")), encoding="utf-8"
    )
    path = folder / "sweep.yaml"
    path.write_text(
        "scenarios: [tutorial]\n"
        "personas:\n  - {}\n  - {us: hawk, mx: cooperative}\n"
        "rules:\n  - []\n  - [variant/scoring.yaml]\n"
        "seeds: {start: 3, count: 6}\n"
        "chunk: 2\n",
        encoding="utf-8",
    )
    return path


def _key(r: dict[str, Any]) -> tuple[Any, ...]:
    return (r["rules"], r["scenario"], r["personas"], r["seed"])


@pytest.fixture(scope="module")
def expected(spec: Path) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The same games played one after another in this process, without any executor."""
    the_plan = plan(load_spec(spec), spec)
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for g in the_plan.games:
        rb = the_plan.rulebooks[g.variant.source]
        rec = run_one(rb, g.scenario, g.seed, dict(g.personas))
        row = {
            "game": g.game,
            "rules": json.dumps(list(g.variant.paths)),
            "rules_fingerprint": g.variant.source.identity,
            "personas": json.dumps(dict(g.personas), sort_keys=True),
            **rec,
        }
        out[_key(row)] = row
    return out


def _sweep(spec: Path, out: Path, cluster: str) -> list[str]:
    return ["sweep", str(spec), "--scheduler", cluster, "--out", str(out), "--json"]


def test_a_sweep_on_dask_equals_the_single_process_games_row_for_row(
    spec: Path, cluster: str, expected: dict[tuple[Any, ...], dict[str, Any]], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    out = tmp_path / "ds"
    assert main(_sweep(spec, out, cluster)) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["planned"], result["skipped"], result["played"], result["parts"]) == (24, 0, 24, 12)
    rows = read_rows(out)
    assert len(rows) == 24 and len({r["game"] for r in rows}) == 24
    assert {_key(r): r for r in rows} == expected
    # the variant's rules reached the workers: same games, other US scores
    by_variant = {(r["personas"], r["seed"], r["rules"]): r["score_us"] for r in rows}
    assert any(
        by_variant[(p, s, "[]")] != by_variant[(p, s, '["variant/scoring.yaml"]')] for p, s, _ in by_variant
    )
    # a second run finds every game done and plays none
    assert main(_sweep(spec, out, cluster)) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["skipped"], again["played"], again["parts"]) == (24, 0, 0)
    assert len(read_rows(out)) == 24


def _final_scores(events: Path) -> dict[str, float]:
    for line in reversed(events.read_text(encoding="utf-8").splitlines()):
        ev = json.loads(line)
        if ev.get("final") and "scores" in ev:
            return {t: float(v["total"]) for t, v in ev["scores"].items() if not t.startswith("_")}
    raise AssertionError("no final scores in the log")


def test_a_row_replays_with_precursor_run(
    spec: Path,
    expected: dict[tuple[Any, ...], dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The row's scenario, personas, rules (relative to the spec) and seed, given to `precursor run`."""
    row = next(r for r in expected.values() if r["rules"] != "[]" and "hawk" in r["personas"])
    monkeypatch.chdir(spec.parent)
    rules = [a for p in json.loads(row["rules"]) for a in ("--rules", p)]
    personas = ",".join(f"{t}={p}" for t, p in json.loads(row["personas"]).items())
    events = tmp_path / "game.jsonl"
    args = ["run", "--scenario", row["scenario"], "--seed", str(row["seed"]), "--personas", personas]
    assert main([*args, *rules, "--out", str(events)]) == 0
    scores = _final_scores(events)
    assert scores == {t: row[f"score_{t}"] for t in ("us", "mx", "cn", "ca")}


def test_a_killed_sweep_resumes_and_holds_every_game_once(
    spec: Path, cluster: str, expected: dict[tuple[Any, ...], dict[str, Any]], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    out = tmp_path / "ds"
    env = {**os.environ, HOLD_ENV: "3", "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "precursor.cli", *_sweep(spec, out, cluster)]
    # its own session: the kill reaches the sweep and anything it started, nothing else
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(list(out.glob("part-*.parquet"))) < 3:
            assert proc.poll() is None, "the sweep ended before it was killed"
            assert time.monotonic() < deadline, "no part files after 120 s"
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert len(list(out.glob("part-*.parquet"))) == 3
    assert len(read_rows(out)) == 6
    (out / ".part-cut-short.parquet.tmp").write_bytes(b"PAR1 half a file")  # a write the kill cut short

    assert main(_sweep(spec, out, cluster)) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["skipped"], result["played"]) == (6, 18)
    rows = read_rows(out)
    assert len(rows) == 24 and len({r["game"] for r in rows}) == 24
    assert {_key(r): r for r in rows} == expected
    assert not list(out.glob(".*.tmp"))


def test_simulate_on_dask_prints_what_the_process_pool_prints(cluster: str, tmp_path: Path) -> None:
    outputs = []
    for name, how in (("pool", ["--workers", "2"]), ("dask", ["--scheduler", cluster])):
        records = tmp_path / f"{name}.jsonl"
        args = ["simulate", "--scenario", "tutorial", "--runs", "10", "--seed", "4", "--json"]
        assert main([*args, *how, "--out", str(records)]) == 0
        outputs.append(records.read_bytes())
    assert outputs[0] == outputs[1]
    assert len(outputs[0].splitlines()) == 10


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "scenarios: [tutorial]\nseeds: [1]\npersonas: [{xx: hawk}]\n",
            "sweep.yaml: personas.0.xx: Input should be ",
        ),
        ("scenarios: [tutorial]\n", "sweep.yaml: seeds: Field required"),
        (
            "scenarios: [tutorial]\nseeds: {start: 1, count: 0}\n",
            "sweep.yaml: seeds.count: Input should be greater than or equal to 1",
        ),
        ("scenarios: [nowhere]\nseeds: [1]\n", "sweep.yaml: scenarios.0: unknown scenario 'nowhere'"),
        ("scenarios: [tutorial]\nseeds: [1]\npersonas: [{us: dove}]\n", "sweep.yaml: personas.0: no persona"),
        (
            "scenarios: [tutorial]\nseeds: [1]\nrules: [[none.yaml]]\n",
            "sweep.yaml: rules.0.0: none.yaml: no such",
        ),
        ("scenarios: [tutorial]\nseeds: [1]\nwhat: 1\n", "sweep.yaml: what: Extra inputs are not permitted"),
        ("scenarios: [tutorial\n", "sweep.yaml: line 2: not valid YAML"),
    ],
)
def test_a_bad_spec_is_one_line_naming_the_file_and_field(
    text: str,
    expected: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("sweep.yaml").write_text(text, encoding="utf-8")
    assert main(["sweep", "sweep.yaml", "--out", "ds"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and expected in err, err
    assert not Path("ds").exists()  # nothing started


def test_a_worker_with_other_rules_refuses_to_play() -> None:
    with pytest.raises(ExecutorError, match="other rules than the caller"):
        rulebook_for(RuleSource(identity="0123456789abcdef"))


def test_the_documented_example_spec_plans_its_games() -> None:
    path = ROOT / "docs" / "sweep-example.yaml"
    the_plan = plan(load_spec(path), path)
    assert len(the_plan.games) == 2 * 3 * 20
    assert len({g.game for g in the_plan.games}) == len(the_plan.games)


def test_a_scheduler_that_does_not_answer_is_exit_3(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as s:  # a loopback port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = ["simulate", "--scenario", "tutorial", "--runs", "2", "--json"]
    assert main([*args, "--scheduler", f"tcp://127.0.0.1:{port}"]) == 3
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "cannot reach the Dask scheduler" in err, err


CALIBRATE = "calibrate --params flow.migration_border_effect --trials 2 --runs 2 --seed 7"
SENSITIVITY = (
    "sensitivity --scenario tutorial --params china.reciprocity_window_turns,flow.deaths_exponent "
    "--runs 2 --samples 2 --seed 3"
)


# calibrate: two trials of two games of the-record (22 turns) each, on one parameter; sensitivity: one at
# a time and a small Sobol design (2 x (2 + 2) parameter sets) of tutorial games
@pytest.mark.parametrize(
    "command", [CALIBRATE.split(), SENSITIVITY.split()], ids=["calibrate", "sensitivity"]
)
def test_a_fit_on_dask_prints_what_the_process_pool_prints(
    command: list[str], cluster: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """calibrate and sensitivity play on the executor chosen as simulate's is: the same JSON (and, for
    calibrate, the same override file) from two pool workers and from the two workers of the cluster."""
    printed, files = [], []
    for name, how in (("pool", ["--workers", "2"]), ("dask", ["--scheduler", cluster])):
        out = ["--out", str(tmp_path / f"{name}.yaml")] if command[0] == "calibrate" else []
        rc = main([*command, *how, *out, "--json"])
        captured = capsys.readouterr()
        assert rc in (0, 1), captured.err  # calibrate exits 1 when the fit worsens the holdout
        printed.append(json.loads(captured.out))
        if out:
            files.append((tmp_path / f"{name}.yaml").read_text(encoding="utf-8"))
    assert printed[0] == printed[1]
    assert files[:1] == files[1:]


def test_a_local_cluster_starts_while_another_holds_port_8787() -> None:
    """Two clusters on one machine (the suite's two workers, or a user's own cluster) both served the
    scheduler's HTTP routes on 8787: the second warned, and under warnings-as-errors failed to start."""
    import socket

    with socket.socket() as held:
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            held.bind(("127.0.0.1", 8787))
        except OSError:
            pass  # another cluster holds it already: the case this test is about
        else:
            held.listen()
        with DaskExecutor(workers=1) as ex:
            assert ex.address.startswith("tcp://127.0.0.1:")
