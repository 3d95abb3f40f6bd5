"""Percentiles and the lines the benchmarks print them in."""

from __future__ import annotations

MS = 1e6  # nanoseconds per millisecond


def pct(values: list[int] | list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of an unsorted list; NaN when empty."""
    if not values:
        return float("nan")
    s = sorted(values)
    return float(s[min(len(s) - 1, max(0, round(q / 100 * len(s) + 0.5) - 1))])


def at_fraction(values: list[float], fraction: float) -> float:
    """The value at index ``int(n × fraction)`` of the sorted values, no interpolation: the quick
    percentile some benchmarks have always printed (kept, so their figures compare with older runs)."""
    return sorted(values)[int(len(values) * fraction)]


def lat_line(ns: list[int]) -> str:
    """p50, p90, p99 and max of latencies given in nanoseconds, in milliseconds."""
    return (
        f"p50 {pct(ns, 50) / MS:6.2f} ms  p90 {pct(ns, 90) / MS:6.2f}  p99 {pct(ns, 99) / MS:6.2f}  "
        f"max {max(ns, default=0) / MS:6.1f}  (n={len(ns)})"
    )


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b > 0 else "n/a"
