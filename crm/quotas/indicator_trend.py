"""A trend as a small server-drawn SVG line (no script: it reads on a phone, in print and
without JavaScript), with the goal as a dashed line when it is within reach of the values."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

WIDTH, HEIGHT, PAD = 120, 32, 3


@dataclass
class Spark:
    points: str = ""  # the polyline's "x,y x,y …"
    dots: list[tuple[float, float, str]] = field(default_factory=list)  # x, y, tooltip
    goal_y: float | None = None
    width: int = WIDTH
    height: int = HEIGHT


def sparkline(values: list[Any], target: Any = None, unit: str = "") -> Spark | None:
    """``values``: (period, value) oldest first; None for fewer than two."""
    if len(values) < 2:
        return None
    numbers = [Decimal(v) for _p, v in values]
    low, high = min(numbers), max(numbers)
    goal = Decimal(target) if target is not None else None
    if goal is not None and low / 2 <= goal <= high * 2 + 1:
        low, high = min(low, goal), max(high, goal)
    span = (high - low) or Decimal(1)
    step = (WIDTH - 2 * PAD) / (len(numbers) - 1)

    def y(value: Decimal) -> float:
        return round(float(HEIGHT - PAD - (value - low) / span * (HEIGHT - 2 * PAD)), 1)

    spark = Spark()
    coords = []
    for index, ((period, _v), number) in enumerate(zip(values, numbers, strict=True)):
        x = round(PAD + index * step, 1)
        coords.append(f"{x},{y(number)}")
        spark.dots.append((x, y(number), f"{period} {number.normalize():f} {unit}".rstrip()))
    spark.points = " ".join(coords)
    if goal is not None and low <= goal <= high:
        spark.goal_y = y(goal)
    return spark
