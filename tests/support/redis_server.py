"""A real ``redis-server`` for tests, reachable only through a unix socket in a temporary directory.

No TCP port means no collision with another test run or a developer's own Redis. The server can be
stopped and started again on the same socket and directory: with ``--appendonly yes`` and
``--appendfsync always`` the data comes back, even after a SIGKILL, which is what the outage and
crash-safety tests rely on.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

EXECUTABLE = "redis-server"
#: Why redis tests are skipped on a machine without the server (CI installs it, so they run there).
MISSING_REASON = (
    "redis-server is not installed (apt-get install redis-server); the Redis store tests need a real server"
)
# sun_path is 108 bytes on Linux; pytest's temporary directories can get close to that
_MAX_SOCKET_PATH = 100


def redis_available() -> bool:
    return shutil.which(EXECUTABLE) is not None


class RedisServer:
    """One ``redis-server`` process; ``start()``/``stop()``/``restart()`` keep its socket and data."""

    def __init__(self, directory: Path, *, appendonly: bool = True) -> None:
        self.dir = Path(directory)
        self.appendonly = appendonly  # False: a Redis that loses everything on restart (durability checks)
        sock = self.dir / "redis.sock"
        if len(str(sock)) > _MAX_SOCKET_PATH:
            sock = Path(tempfile.mkdtemp(prefix="redis-")) / "redis.sock"
        self.socket_path = sock
        self.log_path = self.dir / "redis.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}?db=0"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 10.0) -> None:
        if self.running:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        # a socket file left by a killed server would make the readiness check below pass too early
        self.socket_path.unlink(missing_ok=True)
        exe = shutil.which(EXECUTABLE)
        if exe is None:
            raise RuntimeError(MISSING_REASON)
        args = [
            exe,
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--save", "",
            "--appendonly", "yes" if self.appendonly else "no",
            # every write on disk before it is acknowledged: the crash tests kill -9 the server and
            # expect every acknowledged write back; with the default (fsync once a second) a loaded
            # machine lost the last second, an earlier FLUSHALL included (seen once in a full run)
            "--appendfsync", "always",
            "--dir", str(self.dir),
            "--logfile", str(self.log_path),
            "--daemonize", "no",
        ]  # fmt: skip
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode}: {self._log_tail()}")
            if time.monotonic() > deadline:
                self.stop(kill=True)
                raise RuntimeError(f"redis-server did not answer within {timeout} s: {self._log_tail()}")
            time.sleep(0.01)

    def _answers(self) -> bool:
        """PONG, not just a socket: while Redis replays its AOF it accepts connections but answers LOADING."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(1.0)
                s.connect(str(self.socket_path))
                s.sendall(b"PING\r\n")
                return s.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self, *, kill: bool = False, timeout: float = 10.0) -> None:
        """SIGTERM lets Redis flush its AOF and remove the socket; ``kill=True`` is a crash (SIGKILL)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            if kill:
                proc.kill()
            else:
                proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def restart(self, *, kill: bool = False) -> None:
        self.stop(kill=kill)
        self.start()

    def _log_tail(self) -> str:
        try:
            return " | ".join(self.log_path.read_text(errors="replace").splitlines()[-5:])
        except OSError:
            return "(no log)"

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def require_redis() -> bool:
    """Whether a missing server must fail the run instead of skipping (set in CI, where it is installed)."""
    return os.environ.get("PRECURSOR_REQUIRE_REDIS", "") not in ("", "0")
