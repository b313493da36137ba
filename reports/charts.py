"""Inline SVG charts (no library, no network): the five-dimension radar, sparklines, distribution bars.

Every function returns markup as :class:`markupsafe.Markup`; numbers are formatted here and every label
goes through :func:`markupsafe.escape`, so data can never inject markup into a page.
"""
from __future__ import annotations

import math
from typing import Sequence

from markupsafe import Markup, escape


def _num(value: float) -> str:
    return f"{value:.1f}"


def _polygon(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in points)


def radar(labels: Sequence[str], values: Sequence[float | None], reference: Sequence[float | None],
          reference_label: str = "同类型平均", size: int = 320) -> Markup:
    """A radar of 0–100 scores (one axis per label) with a dashed reference polygon (e.g. the type average).

    A missing value is drawn at the centre and labelled “无数据”; the chart's <title> lists every value.
    """
    centre, radius = size / 2, size / 2 - 56
    count = len(labels)
    values, reference = _floats(values), _floats(reference)

    def point(i: int, value: float | None, scale: float = 1.0) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / count
        r = radius * scale * max(0.0, min(100.0, value or 0.0)) / 100
        return centre + r * math.cos(angle), centre + r * math.sin(angle)

    parts = [f'<svg class="radar" viewBox="0 0 {size} {size}" width="{size}" height="{size}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(_radar_title(labels, values, reference, reference_label))}</title>']
    for ring in (20, 40, 60, 80, 100):
        parts.append(f'<polygon class="grid" points="{_polygon([point(i, ring) for i in range(count)])}"/>')
    for i in range(count):
        x, y = point(i, 100)
        parts.append(f'<line class="axis" x1="{_num(centre)}" y1="{_num(centre)}" x2="{_num(x)}" y2="{_num(y)}"/>')
    parts.append(f'<polygon class="reference" points="{_polygon([point(i, v) for i, v in enumerate(reference)])}"/>')
    parts.append(f'<polygon class="subject" points="{_polygon([point(i, v) for i, v in enumerate(values)])}"/>')
    for i, value in enumerate(values):
        x, y = point(i, value)
        parts.append(f'<circle class="subject-dot" cx="{_num(x)}" cy="{_num(y)}" r="3"/>')
    for i, label in enumerate(labels):
        x, y = point(i, 100, 1.18)
        anchor = "middle" if abs(x - centre) < 8 else ("start" if x > centre else "end")
        shown = "无数据" if values[i] is None else _num(values[i])
        parts.append(f'<text class="label" x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}">{escape(label)}'
                     f'<tspan class="value" x="{_num(x)}" dy="1.2em">{shown}</tspan></text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _floats(values: Sequence) -> list[float | None]:
    """Plain floats (marts may hand over DECIMAL values), missing stays None."""
    return [None if v is None else float(v) for v in values]


def _radar_title(labels, values, reference, reference_label) -> str:
    shown = lambda v: "无数据" if v is None else _num(v)  # noqa: E731
    return "；".join(f"{label} {shown(v)}（{reference_label} {shown(r)}）"
                    for label, v, r in zip(labels, values, reference))


def sparkline(values: Sequence[float | None], target: float | None = None, status: str = "none",
              width: int = 120, height: int = 28) -> Markup:
    """A trend line over periods (gaps where a period has no value), the target dashed, the last point marked."""
    values = _floats(values)
    target = None if target is None else float(target)
    present = [v for v in values if v is not None]
    if not present:
        return Markup(f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
                      'role="img"><title>无数据</title></svg>')
    scale_values = present + ([target] if target is not None else [])
    low, high = min(scale_values), max(scale_values)
    span = (high - low) or abs(high) or 1.0
    pad = 3
    step = (width - 2 * pad) / max(1, len(values) - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return pad + i * step, height - pad - (v - low) / span * (height - 2 * pad)

    segments, current = [], []
    for i, v in enumerate(values):
        if v is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(xy(i, v))
    if current:
        segments.append(current)
    parts = [f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'><title>{escape(" → ".join("—" if v is None else _num(v) for v in values))}</title>']
    if target is not None:
        _, ty = xy(0, target)
        parts.append(f'<line class="target" x1="{pad}" y1="{_num(ty)}" x2="{width - pad}" y2="{_num(ty)}"/>')
    for segment in segments:
        if len(segment) > 1:
            parts.append(f'<polyline points="{_polygon(segment)}"/>')
    last = max(i for i, v in enumerate(values) if v is not None)
    x, y = xy(last, values[last])
    parts.append(f'<circle class="st-{escape(status)}" cx="{_num(x)}" cy="{_num(y)}" r="2.5"/></svg>')
    return Markup("".join(parts))


def bars(counts: Sequence[tuple[str, int]], css_classes: Sequence[str] = (), width: int = 360,
         bar_height: int = 22) -> Markup:
    """Horizontal bars with labels and counts (a distribution)."""
    top = max([count for _, count in counts] + [1])
    label_width, gap = 96, 6
    height = len(counts) * (bar_height + gap)
    parts = [f'<svg class="bars" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape("；".join(f"{l} {c}" for l, c in counts))}</title>']
    for i, (label, count) in enumerate(counts):
        y = i * (bar_height + gap)
        length = (width - label_width - 48) * count / top
        css = css_classes[i] if i < len(css_classes) else ""
        parts.append(f'<text x="{label_width - 6}" y="{y + bar_height * 0.7:.0f}" text-anchor="end">{escape(label)}</text>'
                     f'<rect class="{escape(css)}" x="{label_width}" y="{y}" width="{_num(length)}" height="{bar_height}"/>'
                     f'<text x="{_num(label_width + length + 4)}" y="{y + bar_height * 0.7:.0f}">{count}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
