"""Roll approved projects up into a cumulative plan indicator (e.g. PV installations → 万千瓦 added in 2021–2025).

Pure Python, no Django. Quantities are converted to the indicator's unit through `UNITS` (a dimension and a
factor to the dimension's base unit); an unknown unit or a unit of another dimension is an error naming the
project and the unit — never a silent guess. Count nouns (个, 座, 台, 辆, 处 ...) are all plain counts and convert
1:1 into each other.

A project counts for the indicator if it was commissioned (has a commissioning date) within the indicator's
period, inclusive of both years. The roll-up also gives the running total at every year end of the period (and
at the `as_of` date when the period is still open), in the time convention of `carbonpeak.plan.engine.trajectory` (integer Y = end
of year Y), so a cumulative indicator can be evaluated from projects alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from carbonpeak.plan.engine.trajectory import date_t

# unit → (dimension, factor to the base unit of the dimension)
UNITS: dict[str, tuple[str, float]] = {
    # power, base kW
    "w": ("power", 1e-3), "kw": ("power", 1.0), "kwp": ("power", 1.0), "千瓦": ("power", 1.0),
    "mw": ("power", 1e3), "mwp": ("power", 1e3), "兆瓦": ("power", 1e3), "gw": ("power", 1e6),
    "万千瓦": ("power", 1e4), "万kw": ("power", 1e4),
    # area, base m²
    "m2": ("area", 1.0), "m²": ("area", 1.0), "平方米": ("area", 1.0), "㎡": ("area", 1.0),
    "万平方米": ("area", 1e4), "万m2": ("area", 1e4), "万m²": ("area", 1e4), "万㎡": ("area", 1e4),
    "公顷": ("area", 1e4), "ha": ("area", 1e4), "亩": ("area", 10000 / 15), "km2": ("area", 1e6),
    "km²": ("area", 1e6), "平方公里": ("area", 1e6), "平方千米": ("area", 1e6),
    # length, base m
    "m": ("length", 1.0), "米": ("length", 1.0), "km": ("length", 1e3), "公里": ("length", 1e3),
    "千米": ("length", 1e3),
    # energy, base kWh
    "kwh": ("energy", 1.0), "千瓦时": ("energy", 1.0), "度": ("energy", 1.0), "mwh": ("energy", 1e3),
    "万千瓦时": ("energy", 1e4), "万kwh": ("energy", 1e4), "gwh": ("energy", 1e6), "亿千瓦时": ("energy", 1e8),
    # counts, base 1
    **{noun: ("count", 1.0) for noun in ("个", "座", "台", "辆", "处", "家", "条", "根", "套", "栋", "项", "艘",
                                         "只", "pcs", "unit", "units", "item", "items", "station",
                                         "stations")},
}


class UnitError(ValueError):
    """A unit that is unknown or of another dimension than the indicator's."""


def normalize_unit(unit: str) -> str:
    return unit.strip().lower().replace(" ", "").replace("^2", "2")


def convert(quantity: float, unit: str, to_unit: str) -> float:
    """`quantity` in `unit` expressed in `to_unit` (e.g. 2500 kW → 0.25 万千瓦)."""
    src, dst = UNITS.get(normalize_unit(unit)), UNITS.get(normalize_unit(to_unit))
    if src is None:
        raise UnitError(f"unknown unit {unit!r}; known: {', '.join(sorted(UNITS))}")
    if dst is None:
        raise UnitError(f"unknown unit {to_unit!r}; known: {', '.join(sorted(UNITS))}")
    if src[0] != dst[0]:
        raise UnitError(f"cannot convert {unit!r} ({src[0]}) into {to_unit!r} ({dst[0]})")
    return quantity * src[1] / dst[1]


@dataclass(frozen=True)
class ProjectQty:
    """One approved project's contribution: an id (for lists and errors), a quantity and a commissioning date."""

    id: object
    quantity: float
    unit: str
    commissioned_on: dt.date | None


@dataclass
class Contribution:
    id: object
    quantity: float  # in the indicator's unit
    commissioned_on: dt.date


@dataclass
class Rollup:
    unit: str
    total: float = 0.0
    contributions: list[Contribution] = field(default_factory=list)
    excluded: list[tuple[object, str]] = field(default_factory=list)  # (id, reason)
    history: list[tuple[float, float]] = field(default_factory=list)  # running total at each year end (t, total)


def rollup(projects: Iterable[ProjectQty], unit: str, period: tuple[int, int],
           as_of: dt.date | None = None) -> Rollup:
    """Sum the projects commissioned within `period` (inclusive years, up to `as_of`) in `unit`."""
    start, end = period
    result = Rollup(unit=unit)
    for p in projects:
        if p.commissioned_on is None:
            result.excluded.append((p.id, "not commissioned"))
            continue
        if not start <= p.commissioned_on.year <= end:
            result.excluded.append((p.id, f"commissioned {p.commissioned_on.isoformat()}, outside {start}-{end}"))
            continue
        if as_of is not None and p.commissioned_on > as_of:
            result.excluded.append((p.id, f"commissioned after {as_of.isoformat()}"))
            continue
        try:
            qty = convert(float(p.quantity), p.unit, unit)
        except UnitError as exc:
            raise UnitError(f"project {p.id}: {exc}") from exc
        result.contributions.append(Contribution(p.id, qty, p.commissioned_on))
    result.contributions.sort(key=lambda c: (c.commissioned_on, str(c.id)))
    result.total = sum(c.quantity for c in result.contributions)

    last_year = end if as_of is None else min(end, as_of.year)
    points: list[tuple[float, float]] = []
    for year in range(start, last_year + 1):
        year_end = dt.date(year, 12, 31)
        if as_of is not None and year_end > as_of:
            points.append((round(date_t(as_of), 6),
                           sum(c.quantity for c in result.contributions if c.commissioned_on <= as_of)))
            break
        points.append((float(year), sum(c.quantity for c in result.contributions if c.commissioned_on <= year_end)))
    result.history = points
    return result
