"""Numbers for people: the one rounding every page (the `num` template filter) and every Excel export uses.

Whole numbers stay whole (2028, 12000); below 1000 a value keeps 4 significant digits, from 1000 up one decimal.
So float noise never reaches a reader (-0.4000000000000004 → -0.4, 23.400000000000002 → 23.4).
"""

from __future__ import annotations

import math


def rounded(value: float | int | None) -> float | int | None:
    """The value as people should read it, still a number (an Excel cell keeps it numeric); None stays None."""
    if value is None or isinstance(value, bool) or not math.isfinite(value):
        return value
    if abs(value - round(value)) < 1e-9 and abs(value) < 1e15:
        return int(round(value))
    if abs(value) >= 1000:
        return round(value, 1)
    return float(f"{value:.4g}")


def for_people(value: float | int | None) -> str:
    """`rounded` as text for a page; None → —."""
    if value is None:
        return "—"
    number = rounded(value)
    if isinstance(number, int):
        return str(number)
    return f"{number:.1f}" if abs(number) >= 1000 else f"{number:.4g}"
