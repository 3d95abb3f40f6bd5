"""Small SVG line charts for reports: no plotting library needed, and the output is text that embeds in
HTML and stands alone as a file beside a Markdown report. Deterministic, so reports stay comparable.

The y-axis follows one rule (``axis_range``, documented in docs/review.md) so that a chart never makes a
small change look large: a bounded scale is drawn whole, a count or level starts at zero, and only a
series that crosses zero is zoomed, never to less than a minimum span.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 420, 250
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 50, 50
FONT = 'font-family="Helvetica, Arial, sans-serif"'

# what each kind of timeline marker looks like: colour and the letter drawn above the plot
MARKER_STYLE: dict[str, tuple[str, str]] = {
    "inject": ("#6d4fc2", "I"),
    "agreement": ("#1f7a3f", "A"),
    "red_line": ("#c0392b", "R"),
}


@dataclass(frozen=True, slots=True)
class XTick:
    """A labelled position on the time axis: the month index, the turn line and the date line."""

    month: int
    turn: str
    date: str


@dataclass(frozen=True, slots=True)
class Marker:
    month: int
    kind: str  # a key of MARKER_STYLE
    label: str


@dataclass(slots=True)
class Chart:
    """One indicator over time, as the report's charts draw it."""

    title: str
    unit: str
    values: Sequence[float]
    months: Sequence[int]  # the month index of each value
    ticks: Sequence[XTick] = ()
    markers: Sequence[Marker] = ()
    bounds: tuple[float | None, float | None] = (None, None)  # the scale the rulebook declares
    estimate: bool = False
    note: str = ""


def nice_step(span: float) -> float:
    """A tick step of 1, 2, 2.5 or 5 times a power of ten giving four to five intervals over ``span``."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / 5
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw - 1e-12:
            return float(m * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def min_span(unit: str, magnitude: float) -> float:
    """The smallest y-range a chart may show: 10 points on an index or a percentage, else a tenth of the
    series' magnitude (and at least 1), so noise in the last digit never fills the chart."""
    if unit in ("index", "%", "points"):
        return 10.0
    return max(1.0, magnitude / 10)


def axis_range(
    values: Sequence[float], unit: str = "", bounds: tuple[float | None, float | None] = (None, None)
) -> tuple[float, float, float]:
    """(low, high, tick step) of the y-axis.

    1. A scale the rulebook bounds at both ends (an index 0–100, a percentage) is drawn whole.
    2. Otherwise a series that never goes below zero (a count or a level) is drawn from zero.
    3. A series with negative values is drawn over its own range, a tenth added on each side, but never less
       than ``min_span``, centred on the data.
    """
    lo_b, hi_b = bounds
    if lo_b is not None and hi_b is not None and hi_b > lo_b:
        lo, hi = float(lo_b), float(hi_b)
        return lo, hi, nice_step(hi - lo)
    finite = [float(v) for v in values if math.isfinite(v)]
    if not finite:
        return 0.0, 1.0, 0.25
    lo, hi = min(finite), max(finite)
    magnitude = max(abs(lo), abs(hi))
    if lo >= 0:
        top = max(hi, min_span(unit, magnitude))
        step = nice_step(top)
        return 0.0, math.ceil(top / step - 1e-9) * step, step
    span = max((hi - lo) * 1.2, min_span(unit, magnitude))
    mid = (hi + lo) / 2
    step = nice_step(span)
    low = math.floor((mid - span / 2) / step + 1e-9) * step
    high = math.ceil((mid + span / 2) / step - 1e-9) * step
    return low, high, step


def fmt_value(v: float) -> str:
    """A tick or value label: thousands as k, millions as M, small numbers with one decimal if needed."""
    a = abs(v)
    if a >= 1_000_000:
        return f"{v / 1_000_000:.3g}M"
    if a >= 10_000:
        return f"{v / 1000:.3g}k"
    if a >= 100 or float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:.1f}"


def _wrap(text: str, width: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    if line:
        lines.append(line)
    return lines[:2]


def line_chart(chart: Chart) -> str:
    """The chart as a standalone SVG document (it declares its namespace, so it opens as a file)."""
    title_lines = _wrap(chart.title, 58)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(chart.title)}">',
        f"<title>{escape(chart.title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
    ]
    for i, line in enumerate(title_lines):
        out.append(
            f'<text x="8" y="{15 + 14 * i}" font-size="12.5" font-weight="bold" {FONT}>{escape(line)}</text>'
        )
    w, h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    pts = [(m, float(v)) for m, v in zip(chart.months, chart.values, strict=False) if math.isfinite(v)]
    if not pts:
        out.append(f'<text x="{LEFT}" y="{TOP + h / 2}" font-size="11" {FONT}>no data</text></svg>')
        return "".join(out)
    lo, hi, step = axis_range([v for _, v in pts], chart.unit, chart.bounds)
    months = [m for m, _ in pts] + [t.month for t in chart.ticks]
    m0, m1 = min(months), max(months)
    if m1 == m0:
        m1 = m0 + 1

    def x(m: float) -> float:
        return round(LEFT + w * (m - m0) / (m1 - m0), 1)

    def y(v: float) -> float:
        return round(TOP + h - (v - lo) / (hi - lo) * h, 1)

    out += _y_axis(lo, hi, step, y, w)
    out += _x_axis(chart.ticks, x, h)
    out += _markers(chart.markers, m0, m1, x, h)
    path = " ".join(f"{x(m)},{y(v)}" for m, v in pts)
    dash = ' stroke-dasharray="5,3"' if chart.estimate else ""
    out.append(f'<polyline fill="none" stroke="#1d4e89" stroke-width="2"{dash} points="{path}"/>')
    fill = "white" if chart.estimate else "#1d4e89"
    out += [f'<circle cx="{x(m)}" cy="{y(v)}" r="2.6" fill="{fill}" stroke="#1d4e89"/>' for m, v in pts]
    last_m, last_v = pts[-1]
    out.append(
        f'<text x="{min(x(last_m), LEFT + w) - 2}" y="{y(last_v) - 6}" font-size="10.5" text-anchor="end" '
        f'fill="#1d4e89" {FONT}>{escape(fmt_value(last_v))}</text>'
    )
    sub = " · ".join(p for p in (chart.unit, chart.note) if p)
    if sub:  # the unit and how far to trust the line, under the title
        ny = 15 + 14 * len(title_lines)
        out.append(f'<text x="8" y="{ny}" font-size="10" fill="#555" {FONT}>{escape(sub)}</text>')
    out.append("</svg>")
    return "".join(out)


def _y_axis(lo: float, hi: float, step: float, y: Callable[[float], float], w: float) -> list[str]:
    out = []
    n = round((hi - lo) / step)
    for k in range(n + 1):
        v = lo + k * step
        yy = y(v)
        out.append(f'<line x1="{LEFT}" y1="{yy}" x2="{LEFT + w}" y2="{yy}" stroke="#e3e3e3"/>')
        out.append(
            f'<text x="{LEFT - 5}" y="{yy + 3.5}" font-size="10" text-anchor="end" fill="#444" {FONT}>'
            f"{escape(fmt_value(v))}</text>"
        )
    out.append(f'<line x1="{LEFT}" y1="{y(lo)}" x2="{LEFT}" y2="{y(hi)}" stroke="#888"/>')
    return out


def _x_axis(ticks: Sequence[XTick], x: Callable[[float], float], h: float) -> list[str]:
    base = TOP + h
    out = [f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#888"/>']
    # labels thin out so that neighbours never overlap (about 34 px per label)
    last = -1e9
    for t in ticks:
        xx = x(t.month)
        out.append(f'<line x1="{xx}" y1="{base}" x2="{xx}" y2="{base + 4}" stroke="#888"/>')
        if xx - last < 26:
            continue
        last = xx
        anchor = "end" if xx > WIDTH - RIGHT - 12 else "middle"
        lx = min(xx + 4, WIDTH - 2) if anchor == "end" else xx
        out.append(
            f'<text x="{lx}" y="{base + 15}" font-size="10" text-anchor="{anchor}" fill="#333" {FONT}>'
            f"{escape(t.turn)}</text>"
        )
        for i, part in enumerate(t.date.split(" ")[:2]):
            out.append(
                f'<text x="{lx}" y="{base + 26 + 10 * i}" font-size="8.5" text-anchor="{anchor}" '
                f'fill="#777" {FONT}>{escape(part)}</text>'
            )
    return out


def _markers(markers: Sequence[Marker], m0: int, m1: int, x: Callable[[float], float], h: float) -> list[str]:
    """One faint line per month with events, in the colour of the gravest, and the letters of every kind
    side by side above the plot (hover for what each was): enough to see when, without hiding the line."""
    by_month: dict[int, list[Marker]] = {}
    for mk in markers:
        if m0 <= mk.month <= m1:
            by_month.setdefault(mk.month, []).append(mk)
    order = list(MARKER_STYLE)
    out = []
    for month, mks in sorted(by_month.items()):
        kinds = sorted({mk.kind for mk in mks}, key=lambda k: order.index(k) if k in order else len(order))
        colour = MARKER_STYLE.get(kinds[-1], ("#555", "?"))[0]
        xx = x(month)
        label = escape("; ".join(mk.label for mk in mks))
        out.append(
            f'<g><title>{label}</title><line x1="{xx}" y1="{TOP - 2}" x2="{xx}" y2="{TOP + h}" '
            f'stroke="{colour}" stroke-width="1" stroke-dasharray="2,3" opacity="0.55"/>'
        )
        start = xx - 3.5 * (len(kinds) - 1)
        for i, kind in enumerate(kinds):
            c, letter = MARKER_STYLE.get(kind, ("#555", "?"))
            out.append(
                f'<text x="{round(start + 7 * i, 1)}" y="{TOP - 5}" font-size="9" font-weight="bold" '
                f'text-anchor="middle" fill="{c}" {FONT}>{letter}</text>'
            )
        out.append("</g>")
    return out
