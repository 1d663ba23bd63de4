"""Small server-side SVG charts for print pages and PDFs (no browser draws them there): a line chart of (x, y)
series and a horizontal bar chart. Pure Python; returns SVG markup safe to put in a template."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = 'font-family="Noto Sans CJK SC, sans-serif" font-size="11"'


@dataclass
class Series:
    name: str
    points: list[tuple[float, float]]
    colour: str = "#1b7f5a"
    dashed: bool = False


def _ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    if hi <= lo:
        return [lo]
    step = (hi - lo) / n
    return [lo + i * step for i in range(n + 1)]


def _label(v: float) -> str:
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.3g}"


def line(series: list[Series], width: int = 520, height: int = 220, unit: str = "") -> SafeString:
    """Lines over a shared x axis (years or decimal years), with y ticks, x ticks at whole years and a legend."""
    points = [p for s in series for p in s.points if p[1] is not None]
    if not points:
        return mark_safe("")
    left, right, top, bottom = 48, 12, 24, 28
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    pad = (max(ys) - min(ys)) * 0.1 or abs(max(ys)) * 0.1 or 1
    y0, y1 = min(ys) - pad, max(ys) + pad
    sx = lambda x: left + (x - x0) / (x1 - x0) * (width - left - right)  # noqa: E731
    sy = lambda y: height - bottom - (y - y0) / (y1 - y0) * (height - top - bottom)  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="svgchart" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" {FONT}>']
    for v in _ticks(y0, y1):
        y = sy(v)
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dde3e0"/>'
                   f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#37474f">{_label(v)}</text>')
    step = max(1, round((x1 - x0) / 6))
    for year in range(int(x0) + (1 if x0 > int(x0) else 0), int(x1) + 1, step):
        out.append(f'<text x="{sx(year):.1f}" y="{height - 10}" text-anchor="middle" fill="#37474f">{year}</text>')
    for s in series:
        pts = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in s.points if y is not None)
        dash = ' stroke-dasharray="5 4"' if s.dashed else ""
        out.append(f'<polyline fill="none" stroke="{s.colour}" stroke-width="2"{dash} points="{pts}"/>')
        if len(s.points) == 1:
            x, y = s.points[0]
            out.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="4" fill="{s.colour}"/>')
    x = left
    for s in series:
        out.append(f'<rect x="{x}" y="6" width="12" height="3" fill="{s.colour}"/>'
                   f'<text x="{x + 16}" y="11" fill="#263238">{escape(s.name)}</text>')
        x += 24 + 11 * len(s.name)
    if unit:
        out.append(f'<text x="{width - right}" y="11" text-anchor="end" fill="#37474f">{escape(unit)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))


def bars(labels: list[str], values: list[float], colours: list[str], width: int = 520,
         bar: int = 18) -> SafeString:
    """Horizontal bars, one per label, each with its value written at its end."""
    if not labels:
        return mark_safe("")
    left, right = 150, 48
    height = len(labels) * (bar + 6) + 8
    top = max(max(values), 1e-9)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="svgchart" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" {FONT}>']
    for i, (label, value, colour) in enumerate(zip(labels, values, colours)):
        y = 4 + i * (bar + 6)
        w = max(0.0, value) / top * (width - left - right)
        out.append(f'<text x="{left - 6}" y="{y + bar * 0.7:.1f}" text-anchor="end" fill="#263238">'
                   f'{escape(label)}</text><rect x="{left}" y="{y}" width="{w:.1f}" height="{bar}" fill="{colour}"/>'
                   f'<text x="{left + w + 4:.1f}" y="{y + bar * 0.7:.1f}" fill="#263238">{_label(value)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))
