"""Child processes on loopback: free ports, ``precursor serve`` started and stopped, descriptor limits.

Standard library only: ``tests/support/live_server.py`` imports this module through ``sys.path``, and
the tests must not need anything beyond their own extras.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: the line ``precursor serve`` prints once it listens (server/run.py), with the bound address
SERVING = re.compile(r"serving on (http://\S+)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def raise_nofile() -> None:
    """A thousand sockets need a thousand descriptors: lift the soft limit to the hard one (a default
    1024 is too few for 1,000 clients, or for the server side of them)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def serve_args(port: int, store: str, log_level: str = "warning") -> list[str]:
    """The ``precursor`` arguments of a server on ``port`` with ``store``."""
    return ["serve", "--port", str(port), "--store", store, "--log-level", log_level]


def stop_process(proc: subprocess.Popen[bytes] | subprocess.Popen[str], grace: float = 10.0) -> None:
    """SIGTERM, and SIGKILL if it has not gone within ``grace`` seconds (a clean shutdown flushes the
    store; a hung one must not hang the caller)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


class ServerProcess:
    """``precursor serve`` as a child process whose output is a pipe: started once it prints that it
    serves, so it can be killed with SIGKILL and started again on the same port. ``port=0`` lets the
    server pick its port; the address is then the one it announces."""

    def __init__(
        self,
        store: str = "memory://",
        port: int | None = None,
        env: dict[str, str] | None = None,
        log_level: str = "warning",
    ) -> None:
        self.store = store
        self.log_level = log_level
        self.port = free_port() if port is None else port
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[str] | None = None
        self.announced = ""

    @property
    def url(self) -> str:
        return self.announced or f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "precursor.cli", *serve_args(self.port, self.store, self.log_level)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=self.env,
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            m = SERVING.search(line)
            if m:
                if self.port == 0:
                    self.announced = m.group(1).rstrip("/")
                return
        self.stop()
        raise RuntimeError("the server process did not start")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            if self.proc.stdout:
                self.proc.stdout.close()
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            if self.proc.stdout:
                self.proc.stdout.close()
            self.proc = None
