"""The profiling windows of a server run under ``bench/profiled_serve.py``: how the benchmark and the
wrapper agree on signals and file names, and the report of what the files hold."""

from __future__ import annotations

import contextlib
import json
import pstats
import signal
from pathlib import Path

from harness.stats import pct

#: the base path of the window files; the wrapper profiles only when it is set by the benchmark
PROFILE_ENV = "PRECURSOR_BENCH_PROFILE"
#: "0": stall timings only, no cProfile (its overhead roughly doubles the server's CPU per call)
CPROFILE_ENV = "PRECURSOR_BENCH_CPROFILE"
WINDOW_OPEN = signal.SIGUSR1
WINDOW_CLOSE = signal.SIGUSR2


def window_path(base: str, n: int) -> str:
    """The cProfile statistics of the ``n``-th window (from 1)."""
    return f"{base}.{n}"


def stalls_path(window: str | Path) -> str:
    """The window's stall timings (JSON); written last and whole, so its presence means done."""
    return f"{window}.stalls"


def print_profile(paths: list[Path], label: str, top: int = 22) -> None:
    """Where the server's time went in the windows (see bench/profiled_serve.py): the functions with
    the most own time and the project's functions by cumulative time (for coroutines: the time of their
    own steps, not the time they spent suspended), then what held the event loop and for how long."""
    print(f"\n  --- the server during '{label}' ({len(paths)} windows: {paths[0]} ...) ---")
    profiles = [str(p) for p in paths if p.exists()]
    if profiles:
        _print_cprofile(profiles, top)
    gcs: list[tuple[int, float, int, float]] = []
    lag: list[tuple[float, float, float]] = []
    calls: dict[str, list[float]] = {}
    for p in paths:
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(Path(stalls_path(p)).read_text())
            gcs += [(int(g), float(t), int(n), float(c)) for g, t, n, c in data["gc"]]
            lag += [(float(a), float(b), float(c)) for a, b, c in data["lag"]]
            for k, v in data["calls"].items():
                calls.setdefault(k, []).extend(v)
    print("  what held the event loop (wall time of each call or pause; ms):")
    if lag:
        _print_lag(lag)
    for g in (0, 1, 2):
        freed = [n for gg, _, n, _ in gcs if gg == g]
        cpu = [c for gg, _, _, c in gcs if gg == g]
        if freed:
            print(
                f"    gc generation {g}: {len(freed)} collections freed {sum(freed)} objects in cycles "
                f"(max {max(freed)} in one); CPU per collection p50 {pct(cpu, 50) * 1e3:.3f} ms, "
                f"max {max(cpu) * 1e3:.2f} ms"
            )
    rows2 = [(f"gc generation {g}", [t for gg, t, _, _ in gcs if gg == g]) for g in (0, 1, 2)]
    rows2 += sorted(calls.items())
    for name, ts in rows2:
        if ts:
            over = [t for t in ts if t > 0.005]
            print(
                f"    {name:<44} {len(ts):>6} × p50 {pct(ts, 50) * 1e3:6.3f}  p99 {pct(ts, 99) * 1e3:6.2f}  "
                f"max {max(ts) * 1e3:6.1f};  total {sum(ts) * 1e3:7.0f};  {len(over)} over 5 ms "
                f"({sum(over) * 1e3:.0f} ms)"
            )


def _print_cprofile(profiles: list[str], top: int) -> None:
    st = pstats.Stats(*profiles)
    total = max(st.total_tt, 1e-9)  # type: ignore[attr-defined]
    rows = []
    for (file, line, fn), (_cc, nc, tt, ct, _callers) in st.stats.items():  # type: ignore[attr-defined]
        rows.append((tt, ct, nc, f"{_short(file)}:{line}({fn})"))
    print(f"  cProfile: {total:.2f} s of CPU profiled; own time (tottime) top {top}:")
    for tt, _ct, nc, name in sorted(rows, reverse=True)[:top]:
        print(f"    {tt:7.3f} s {tt / total * 100:5.1f}%  {nc:>9} calls  {name}")
    print("  project functions by cumulative time:")
    mine = [r for r in rows if r[3].startswith(("server/", "precursor/"))]
    for _tt, ct, nc, name in sorted(mine, key=lambda r: -r[1])[:top]:
        print(f"    {ct:7.3f} s {ct / total * 100:5.1f}%  {nc:>9} calls  {name}")


def _print_lag(lag: list[tuple[float, float, float]]) -> None:
    late = [x for x, _, _ in lag]
    big = [(x, cpu, wall) for x, cpu, wall in lag if x > 0.005]
    busy = [x for x, cpu, wall in big if cpu > 0.5 * wall]
    print(
        f"    loop lag (a 2 ms sleep woke late by): p50 {pct(late, 50) * 1e3:.2f}, "
        f"p99 {pct(late, 99) * 1e3:.2f}, max {max(late) * 1e3:.1f}; {len(big)} stalls over 5 ms "
        f"({sum(x for x, _, _ in big) * 1e3:.0f} ms): "
        f"{len(busy)} with the loop busy ({sum(busy) * 1e3:.0f} ms), {len(big) - len(busy)} preempted "
        f"(the thread used under half the CPU meanwhile)"
    )


def _short(file: str) -> str:
    for marker in ("/server/", "/precursor/", "/site-packages/", "/lib/python3"):
        if marker in file:
            rest = file.split(marker, 1)[1]
            return rest if marker in ("/site-packages/", "/lib/python3") else marker.strip("/") + "/" + rest
    return file
