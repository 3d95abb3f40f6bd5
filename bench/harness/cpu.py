"""CPU and memory accounting from /proc: of one process, of this one, of the whole machine.

The box the benchmarks run on is shared, so each figure says what else used the CPU meanwhile.
"""

from __future__ import annotations

import os
import resource


def _ticks() -> int:
    return os.sysconf("SC_CLK_TCK")


def _machine_fields() -> list[int]:
    """The first line of /proc/stat: user, nice, system, idle, iowait, irq, softirq, steal (ticks)."""
    with open("/proc/stat") as f:
        return [int(x) for x in f.readline().split()[1:9]]


def box_cpu() -> float:
    """CPU seconds the whole machine has spent busy (user, nice, system, irq, softirq, steal)."""
    v = _machine_fields()
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / _ticks()


def box_user_system() -> float:
    """CPU seconds the whole machine has spent in user, nice and system time; NaN where /proc is not
    readable (the simulation benchmark then leaves the figure out)."""
    try:
        v = _machine_fields()
        return (v[0] + v[1] + v[2]) / _ticks()
    except (OSError, ValueError, IndexError):
        return float("nan")


def self_cpu() -> float:
    """User + system CPU of this process so far."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def self_and_children_cpu() -> float:
    """User + system CPU of this process and its reaped children (worker processes) so far."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def process_cpu(pid: int) -> float:
    """User + system CPU of process ``pid`` so far (from /proc/PID/stat, clock-tick resolution)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _ticks()


def process_memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of process ``pid`` in MB from /proc/PID/status."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                out[key] = int(value.split()[0]) / 1024
    return out["VmRSS"], out["VmHWM"]
