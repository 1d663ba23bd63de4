"""The one trajectory engine: the value a target expects at a date, for every app that draws a path to a target.

Pure Python, no Django. Used by `carbonpeak.progress` (indicator status) and `carbonpeak.accounting` (the energy
intensity path of dual control), so both draw the same path for the same indicator.

**Time** is a fractional year where the integer ``Y`` means the *end* of calendar year ``Y`` (31 December): an
annual value for 2023 sits at ``t = 2023``, the 2nd quarter of 2026 ends at ``t = 2025.5``, a 2020 baseline at
``t = 2020``. `period_t` and `date_t` convert.

**Shapes** (the plan file's ``trajectory`` key, per indicator):

* ``linear`` — a straight line from the start ``(t0, v0)`` to the target ``(t1, v1)``, holding the target after.
* ``geometric`` — a constant rate: ``v0 · (v1/v0)^((t − t0)/(t1 − t0))``, the path of a rate such as an intensity
  falling 14% over five years (the same share each year, not the same amount). Values must be positive.
* ``step`` — the target holds from the start ("2022年起", e.g. new data centres PUE ≤ 1.3 from 2022 on).

Before the start a path expects its starting value (``step``: the target).
"""

from __future__ import annotations

import datetime as dt

LINEAR, GEOMETRIC, STEP = "linear", "geometric", "step"
SHAPES = (LINEAR, GEOMETRIC, STEP)


def period_t(year: int, quarter: int | None = None, month: int | None = None) -> float:
    """End of a reporting period as a fractional year: annual Y → Y, quarter q of Y → Y − 1 + q/4."""
    if quarter is not None:
        if not 1 <= quarter <= 4:
            raise ValueError(f"quarter must be 1..4, got {quarter}")
        return year - 1 + quarter / 4
    if month is not None:
        if not 1 <= month <= 12:
            raise ValueError(f"month must be 1..12, got {month}")
        return year - 1 + month / 12
    return float(year)


def date_t(day: dt.date) -> float:
    """A date as a fractional year: 31 Dec of Y → Y, 1 Jan of Y → just after Y − 1."""
    days = (dt.date(day.year, 12, 31) - dt.date(day.year - 1, 12, 31)).days
    return day.year - 1 + day.timetuple().tm_yday / days


def expected(shape: str, start: tuple[float, float], end: tuple[float, float], t: float) -> float:
    """The value the path from `start` (t0, v0) to `end` (t1, v1) expects at time `t`."""
    if shape not in SHAPES:
        raise ValueError(f"unknown trajectory {shape!r}; use one of {', '.join(SHAPES)}")
    (t0, v0), (t1, v1) = start, end
    if shape == STEP or t >= t1 or t1 <= t0:
        return v1
    if t <= t0:
        return v0
    share = (t - t0) / (t1 - t0)
    if shape == LINEAR:
        return v0 + (v1 - v0) * share
    if v0 <= 0 or v1 <= 0:
        raise ValueError(f"a geometric trajectory needs positive values, got {v0:g} → {v1:g}")
    return v0 * (v1 / v0) ** share


def reduction_path(shape: str, base_year: float, target_year: float, reduction: float, t: float) -> float:
    """Percent reduction versus the base year expected at `t`, for a target "reduce by `reduction` %".

    Geometric reduces the underlying level by the same share each year: 14% over 2020→2025 expects
    (1 − 0.86^(3/5))·100 = 8.65% in 2023 (linear: 8.4%).
    """
    if shape == GEOMETRIC:
        level = expected(GEOMETRIC, (base_year, 1.0), (target_year, 1.0 - reduction / 100.0), t)
        return (1.0 - level) * 100.0
    return expected(shape, (base_year, 0.0), (target_year, reduction), t)
