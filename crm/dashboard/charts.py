"""Charts as geometry for server-rendered SVG (no JavaScript, no inline styles).

Each builder returns a :class:`Chart` of rectangles, lines and texts; the template macro
``dashboard/_charts.html`` draws it with CSS classes, and the same numbers are in the page's
tables, so the chart reads on screen, in print and without scripts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from crm.core.i18n import label as vocabulary
from crm.core.money import format_yi

WIDTH = 640


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    css: str
    tip: str = ""


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    css: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    css: str = "chart-text"
    anchor: str = "start"


@dataclass
class Chart:
    title: str
    height: float
    width: float = WIDTH
    rects: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)


@dataclass(frozen=True)
class TierBar:
    label: str
    required: int
    achieved: int
    forecast: float
    at_risk: bool
    surplus: int = 0


def _r(value: float) -> float:
    return round(value, 1)


def tier_chart(title: str, tiers: Sequence[TierBar], labels: dict[str, str]) -> Chart:
    """One bar per tier: achieved (solid) and weighted forecast (light) against the slots
    required, surplus beyond the required mark; numbers written beside each bar."""
    left, bar_w, row_h = 0, 470, 52
    chart = Chart(title, height=max(row_h * len(tiers), row_h) + 4)
    for index, tier in enumerate(tiers):
        top = index * row_h
        scale = max(tier.required + tier.surplus, tier.achieved, 1)
        unit = bar_w / scale
        y = top + 20
        chart.texts.append(Text(left, top + 14, vocabulary(tier.label), "chart-label"))
        chart.rects.append(Rect(left, y, _r(tier.required * unit), 20, "chart-slot"))
        done = min(tier.achieved, tier.required)
        forecast = min(max(tier.forecast, tier.achieved), tier.required)
        if forecast > done:
            chart.rects.append(
                Rect(
                    _r(left + done * unit),
                    y,
                    _r((forecast - done) * unit),
                    20,
                    "chart-forecast",
                    labels["forecast"],
                )
            )
        if done:
            chart.rects.append(Rect(left, y, _r(done * unit), 20, "chart-done", labels["done"]))
        if tier.surplus:
            chart.rects.append(
                Rect(
                    _r(left + tier.required * unit),
                    y,
                    _r(tier.surplus * unit),
                    20,
                    "chart-surplus",
                    labels["surplus"],
                )
            )
        if tier.required <= 20:
            for slot in range(1, scale):
                x = _r(left + slot * unit)
                chart.lines.append(Line(x, y, x, y + 20, "chart-tick"))
        mark = _r(left + tier.required * unit)
        chart.lines.append(Line(mark, y - 4, mark, y + 24, "chart-mark"))
        css = "chart-value chart-risk" if tier.at_risk else "chart-value"
        text = f"{tier.achieved} / {tier.required}" + (f" +{tier.surplus}" if tier.surplus else "")
        chart.texts.append(Text(left + bar_w + 10, y + 15, text, css))
    return chart


def funnel_chart(title: str, rows: Sequence[tuple[str, int, int]]) -> Chart:
    """The pipeline funnel: a centred bar per stage, width by count, with count and 亿元."""
    label_w, bar_w, row_h = 64, 380, 26
    chart = Chart(title, height=max(row_h * len(rows), row_h) + 2)
    most = max((count for _label, count, _wan in rows), default=0) or 1
    for index, (label, count, wan) in enumerate(rows):
        y = index * row_h + 3
        width = bar_w * count / most if count else 0
        x = label_w + (bar_w - width) / 2
        chart.texts.append(Text(label_w - 8, y + 15, label, "chart-label", "end"))
        if count:
            chart.rects.append(Rect(_r(x), y, _r(max(width, 2)), 20, "chart-stage"))
        chart.texts.append(
            Text(label_w + bar_w + 10, y + 15, f"{count} · {format_yi(wan)}", "chart-value")
        )
    return chart


def ratio_chart(title: str, rows: Sequence[tuple[str, Decimal | None, bool]]) -> Chart:
    """Horizontal bars of a ratio per row (1 = 100 %, capped at 120 %), e.g. attainment by
    zone or progress of the goal list; ``True`` marks a row at risk."""
    label_w, bar_w, row_h = 230, 320, 24
    chart = Chart(title, height=max(row_h * len(rows), row_h) + 2)
    full = bar_w / Decimal("1.2")
    for index, (label, ratio, risk) in enumerate(rows):
        y = index * row_h + 3
        short = label if len(label) <= 16 else label[:15] + "…"
        chart.texts.append(Text(label_w - 8, y + 14, short, "chart-label", "end"))
        chart.rects.append(Rect(label_w, y, _r(float(full)), 18, "chart-slot"))
        if ratio is not None and ratio > 0:
            width = float(min(ratio, Decimal("1.2")) * full)
            css = "chart-risk-bar" if risk else "chart-done"
            chart.rects.append(Rect(label_w, y, _r(width), 18, css))
        mark = _r(label_w + float(full))
        chart.lines.append(Line(mark, y - 2, mark, y + 20, "chart-mark"))
        text = "—" if ratio is None else f"{ratio * 100:.1f}%"
        chart.texts.append(Text(label_w + bar_w + 10, y + 14, text, "chart-value"))
    return chart
