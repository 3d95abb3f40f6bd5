"""Small SVG line charts for reports: no plotting library needed, and the output is text that
embeds in HTML and (as a data URI) in Markdown. Deterministic, so golden reports stay comparable.
"""

from __future__ import annotations

import base64
from html import escape

WIDTH, HEIGHT, PAD = 480, 180, 36


def line_chart(
    title: str, series: dict[str, list[float]], unit: str = "", markers: list[int] | None = None
) -> str:
    """One chart, one or more named series over the same x (months or turns)."""
    points = [v for vs in series.values() for v in vs]
    n = max((len(vs) for vs in series.values()), default=0)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{PAD}" y="14" font-size="12" font-family="sans-serif">{escape(title)}</text>',
    ]
    if not points or n < 1:
        out.append(f'<text x="{PAD}" y="60" font-size="11" font-family="sans-serif">no data</text></svg>')
        return "".join(out)
    lo, hi = min(points), max(points)
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    w, h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD

    def xy(i: int, v: float) -> tuple[float, float]:
        x = PAD + (w * i / (n - 1) if n > 1 else w / 2)
        y = PAD + h - (v - lo) / (hi - lo) * h
        return round(x, 1), round(y, 1)

    out.append(f'<line x1="{PAD}" y1="{PAD + h}" x2="{PAD + w}" y2="{PAD + h}" stroke="#888"/>')
    out.append(f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{PAD + h}" stroke="#888"/>')
    for v, y in ((hi, PAD), (lo, PAD + h)):
        out.append(f'<text x="2" y="{y + 4}" font-size="9" font-family="sans-serif">{_fmt(v)}</text>')
    if unit:
        out.append(f'<text x="{PAD + w}" y="{PAD - 4}" font-size="9" text-anchor="end">{escape(unit)}</text>')
    for m in markers or []:
        if 0 <= m < n:
            x, _ = xy(m, lo)
            out.append(
                f'<line x1="{x}" y1="{PAD}" x2="{x}" y2="{PAD + h}" stroke="#bbb" stroke-dasharray="2,3"/>'
            )
    dashes = ["", "6,3", "2,2", "8,2,2,2"]
    for k, (name, vs) in enumerate(series.items()):
        if not vs:
            continue
        path = " ".join(f"{x},{y}" for x, y in (xy(i, v) for i, v in enumerate(vs)))
        dash = f' stroke-dasharray="{dashes[k % 4]}"' if dashes[k % 4] else ""
        out.append(f'<polyline fill="none" stroke="black" stroke-width="1.5"{dash} points="{path}"/>')
        lx, ly = PAD + 4 + 110 * k, HEIGHT - 8
        out.append(f'<text x="{lx}" y="{ly}" font-size="9" font-family="sans-serif">{escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _fmt(v: float) -> str:
    a = abs(v)
    if a >= 10_000:
        return f"{v / 1000:.0f}k"
    if a >= 100:
        return f"{v:.0f}"
    return f"{v:.1f}"
