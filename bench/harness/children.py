"""Measured servers: a child process timed from ``Popen`` to its first answer, its CPU and memory read
from /proc, its profiling windows opened and closed by signal; ``precursor serve`` and the bare
FastAPI baseline (bench/bare_broadcast.py) started that way."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from harness import cpu
from harness.processes import ROOT, free_port, raise_nofile, serve_args, stop_process
from harness.profiles import (
    CPROFILE_ENV,
    PROFILE_ENV,
    WINDOW_CLOSE,
    WINDOW_OPEN,
    print_profile,
    stalls_path,
    window_path,
)

BENCH = ROOT / "bench"
CPROFILE = ["1"]  # "0" with --stalls: the profiling wrapper records stalls only, no cProfile


class Child:
    """One server process: started with ``Popen`` (descriptor limit raised), its output in a log file,
    readiness by polling an HTTP path, CPU and memory read from /proc, stopped with SIGTERM then SIGKILL."""

    def __init__(
        self, name: str, argv: list[str], port: int, log_dir: Path, env: dict[str, str] | None = None
    ):
        self.name, self.argv, self.port = name, argv, port
        self.log_path = log_dir / f"{name}-{port}.log"
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.ready_cpu = 0.0  # CPU seconds the process had used when it first answered
        self.profile: str | None = self.env.get(PROFILE_ENV)
        self.windows = 0
        self.profiles: dict[str, list[Path]] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> None:
        self.log = self.log_path.open("wb")
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self.env,
            preexec_fn=raise_nofile,
        )

    async def wait_ready(self, path: str, timeout: float = 60.0) -> float:
        """Seconds from Popen to the first 200 on ``path``. Until the port accepts, it is probed with a
        bare ``connect`` every 2 ms (a refused loopback connect costs microseconds; a failing HTTP client
        call costs far more, and on 2 cores that CPU would be taken from the server being timed)."""
        deadline = time.perf_counter() + timeout
        async with httpx.AsyncClient(base_url=self.url, trust_env=False, timeout=5.0) as http:
            while time.perf_counter() < deadline:
                if self.proc is not None and self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: {self.log_tail()}")
                with socket.socket() as probe:
                    listening = probe.connect_ex(("127.0.0.1", self.port)) == 0
                if listening:
                    with contextlib.suppress(httpx.TransportError):
                        r = await http.get(path)
                        if r.status_code == 200:
                            self.ready_cpu = self.cpu_seconds()
                            return time.perf_counter() - self.started_at
                await asyncio.sleep(0.002)
        raise RuntimeError(f"{self.name} not ready after {timeout} s: {self.log_tail()}")

    def cpu_seconds(self) -> float:
        return cpu.process_cpu(self.pid)

    def memory_mb(self) -> tuple[float, float]:
        """(VmRSS, VmHWM) in MB."""
        return cpu.process_memory_mb(self.pid)

    def profile_on(self) -> None:
        if self.profile:
            os.kill(self.pid, WINDOW_OPEN)

    async def profile_off(self, label: str) -> None:
        """Close the window's profile; it is kept under ``label`` for :meth:`print_profiles`."""
        if not self.profile:
            return
        self.windows += 1
        os.kill(self.pid, WINDOW_CLOSE)
        path = Path(window_path(self.profile, self.windows))
        stalls = Path(stalls_path(path))
        for _ in range(500):
            if stalls.exists():
                break
            await asyncio.sleep(0.02)
        if stalls.exists():
            self.profiles.setdefault(label, []).append(path)

    def print_profiles(self) -> None:
        for label, paths in self.profiles.items():
            print_profile(paths, f"{self.name} {label}")

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        stop_process(proc, grace=15)
        self.log.close()
        # anything the server logged at warning level or above during a benchmark is worth seeing
        lines = self.log_path.read_text(errors="replace").splitlines()
        bad = [x for x in lines if any(w in x for w in (" WARNING ", " ERROR ", "Traceback", "Exception"))]
        if bad:
            print(
                f"  ! {self.name} logged {len(bad)} warning/error lines ({self.log_path}); "
                f"first: {bad[0][:200]}"
            )


async def start_all(stack: contextlib.AsyncExitStack, children: list[Child], path: str) -> None:
    """Start the children, each stopped when ``stack`` closes, and wait until every one answers 200 on
    ``path``."""
    for child in children:
        stack.callback(child.stop)
    for child in children:
        child.start()
    await asyncio.gather(*(child.wait_ready(path) for child in children))


def precursor_argv(port: int, store: str) -> list[str]:
    """``precursor serve`` (the installed script next to this interpreter, as a user would run it)."""
    script = Path(sys.executable).parent / "precursor"
    base = [str(script)] if script.exists() else [sys.executable, "-m", "precursor.cli"]
    return [*base, *serve_args(port, store)]


def precursor_server(store: str, log_dir: Path, profile_dir: Path | None, label: str) -> Child:
    port = free_port()
    # the load generator is one address seating 1,000 players: the server's abuse limits are lifted
    lifted = {f"PRECURSOR_{k}": "1000000" for k in ("JOIN_BURST", "CREATE_BURST", "MAX_PLAYERS_PER_TEAM")}
    if profile_dir is None:
        return Child("precursor", precursor_argv(port, store), port, log_dir, lifted)
    argv = [sys.executable, str(BENCH / "profiled_serve.py"), *serve_args(port, store)]
    env = {**lifted, PROFILE_ENV: str(profile_dir / label), CPROFILE_ENV: CPROFILE[0]}
    return Child("precursor", argv, port, log_dir, env)


def bare_server(log_dir: Path, redis_url: str | None = None) -> Child:
    port = free_port()
    argv = [sys.executable, str(BENCH / "bare_broadcast.py"), "--port", str(port)]
    if redis_url:
        argv += ["--redis", redis_url]
    return Child("bare", argv, port, log_dir)
