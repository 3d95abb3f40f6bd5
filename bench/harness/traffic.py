"""Chat load: messages sent at a steady rate round-robin over a target's senders, each delivery timed,
and the report of a target's windows (latency, losses, the servers' and the load generator's CPU)."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from harness.children import Child
from harness.cpu import box_cpu, self_cpu
from harness.peers import Peer
from harness.stats import MS, lat_line, pct


class Traffic:
    """Chat messages of one target at one rate (all its windows pooled): who sent what when, who got
    it when."""

    def __init__(self) -> None:
        self.sent: dict[int, int] = {}  # message number -> send time (ns), measured messages only
        self.got: Counter[int] = Counter()
        self.lat: list[int] = []  # the measured recipients
        self.lat_local: list[int] = []  # the Redis benchmark's senders (same instance)

    def on_message(self, peer: Peer, ev: dict[str, Any], now: int) -> None:
        text = ev.get("text") or ""
        if not text.startswith("bench "):
            return
        _, mid_s, sent_s = text.split(" ", 2)
        mid = int(mid_s)
        if mid not in self.sent:
            return  # a warm-up message
        self.got[mid] += 1
        (self.lat_local if peer.role == "sender" else self.lat).append(now - int(sent_s))

    def missing(self, expect: int) -> tuple[int, int]:
        lost = sum(max(0, expect - self.got[m]) for m in self.sent)
        dup = sum(max(0, self.got[m] - expect) for m in self.sent)
        return lost, dup


@dataclass
class Window:
    """What the measurement windows cost: wall time, the servers' CPU, the load generator's CPU."""

    seconds: float = 0.0
    server_cpu: float = 0.0
    loadgen_cpu: float = 0.0
    box_cpu: float = 0.0  # every process on the machine, from /proc/stat
    p99s: list[float] = field(default_factory=list)  # each window's own p99 (ms): how steady it was


MESSAGE_IDS = itertools.count()  # unique over the whole run, so a late message can never be miscounted


@dataclass(eq=False)
class Target:
    """One server set-up under chat load: its processes, its connected clients, who sends, how many
    deliveries each message should make, and the traffic and cost of its windows per rate."""

    name: str
    servers: list[Child]
    peers: list[Peer]
    senders: list[Peer]
    expect: int
    traffic: dict[float, Traffic] = field(default_factory=dict)
    window: dict[float, Window] = field(default_factory=dict)
    current: Traffic | None = None

    def listen(self) -> None:
        for p in self.peers:
            p.on_message = self.on_message

    def on_message(self, peer: Peer, ev: dict[str, Any], now: int) -> None:
        if self.current is not None:
            self.current.on_message(peer, ev, now)


async def drive(target: Target, rate: float, warmup: float, duration: float, label: str) -> None:
    """One window: chat at ``rate`` messages per second round-robin over the target's senders
    (``warmup`` seconds first, not counted), wait until the measured messages have all arrived (or
    5 s), and add the window's wall time and CPU to the target's figures for this rate."""
    traffic = target.current = target.traffic.setdefault(rate, Traffic())
    win = target.window.setdefault(rate, Window())
    n_warm, n_total = int(rate * warmup), int(rate * (warmup + duration))
    senders = target.senders
    start = time.monotonic()
    t_open, me0, box0 = start, self_cpu(), box_cpu()
    cpu0 = [s.cpu_seconds() for s in target.servers]
    seen0 = len(traffic.lat)
    for i in range(n_total):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if i == n_warm:
            t_open, me0, box0 = time.monotonic(), self_cpu(), box_cpu()
            cpu0 = [s.cpu_seconds() for s in target.servers]
            seen0 = len(traffic.lat)
            for s in target.servers:
                s.profile_on()
        peer = senders[i % len(senders)]
        mid = next(MESSAGE_IDS)
        now = time.monotonic_ns()
        if i >= n_warm:
            traffic.sent[mid] = now
        await peer.ws.send(
            f'{{"type":"command","id":"m{mid}","command":{{"type":"message","channel":"all",'
            f'"text":"bench {mid} {now}"}}}}'
        )
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline and traffic.missing(target.expect)[0]:
        await asyncio.sleep(0.01)
    win.seconds += time.monotonic() - t_open
    win.server_cpu += sum(s.cpu_seconds() for s in target.servers) - sum(cpu0)
    win.loadgen_cpu += self_cpu() - me0
    win.box_cpu += box_cpu() - box0
    win.p99s.append(pct(traffic.lat[seen0:], 99) / MS)
    for s in target.servers:
        await s.profile_off(label)
    target.current = None


async def interleave(targets: list[Target], args: argparse.Namespace, rates: list[float], label: str) -> None:
    """Measure every target at every rate in ``args.rounds`` short windows each, taking turns (the order
    rotates every round): on a shared, noisy machine a burst of someone else's load then hits every
    target alike instead of spoiling one of them."""
    per = args.duration / args.rounds
    for rate in rates:
        for r in range(args.rounds):
            order = targets[r % len(targets) :] + targets[: r % len(targets)]
            for t in order:
                await drive(t, rate, args.warmup, per, f"{label}-{rate:g}")


def report_traffic(label: str, target: Target, rate: float) -> dict[str, Any]:
    traffic, win, peers = target.traffic[rate], target.window[rate], target.peers
    lost, dup = traffic.missing(target.expect)
    deliveries = len(traffic.lat) + len(traffic.lat_local)
    errors: Counter[str] = Counter()
    for p in peers:
        errors.update(p.errors)
    closed = sum(1 for p in peers if p.task.done())
    per_delivery = win.server_cpu / deliveries * 1e6 if deliveries else float("nan")
    n = len(target.servers)
    print(f"  {label}")
    print(f"    latency       {lat_line(traffic.lat)}")
    if traffic.lat_local:
        print(f"    same-instance {lat_line(traffic.lat_local)}")
    print(
        f"    {len(traffic.sent)} messages, {deliveries} deliveries in {win.seconds:.1f} s = "
        f"{deliveries / win.seconds:,.0f} deliveries/s; lost {lost}, duplicated {dup}, "
        f"error frames {dict(errors) or 0}, connections dropped {closed}"
    )
    other = max(0.0, win.box_cpu - win.server_cpu - win.loadgen_cpu)
    print(
        f"    server CPU {win.server_cpu / win.seconds * 100:5.1f}% of a core ({n} process"
        f"{'es' if n > 1 else ''}), {per_delivery:.1f} µs per delivery; load generator "
        f"{win.loadgen_cpu / win.seconds * 100:5.1f}%; everything else on the box "
        f"{other / win.seconds * 100:5.1f}%"
    )
    if len(win.p99s) > 1:
        print(f"    p99 of each window: {' / '.join(f'{x:.2f}' for x in win.p99s)} ms")
    return {
        "p50_ms": pct(traffic.lat, 50) / MS,
        "p90_ms": pct(traffic.lat, 90) / MS,
        "p99_ms": pct(traffic.lat, 99) / MS,
        "max_ms": max(traffic.lat, default=0) / MS,
        "local_p50_ms": pct(traffic.lat_local, 50) / MS if traffic.lat_local else None,
        "local_p99_ms": pct(traffic.lat_local, 99) / MS if traffic.lat_local else None,
        "messages": len(traffic.sent),
        "deliveries": deliveries,
        "deliveries_per_s": deliveries / win.seconds,
        "lost": lost,
        "duplicated": dup,
        "errors": dict(errors),
        "dropped": closed,
        "server_cpu_pct": win.server_cpu / win.seconds * 100,
        "server_us_per_delivery": per_delivery,
        "loadgen_cpu_pct": win.loadgen_cpu / win.seconds * 100,
        "other_cpu_pct": other / win.seconds * 100,
        "window_p99_ms": win.p99s,
    }
