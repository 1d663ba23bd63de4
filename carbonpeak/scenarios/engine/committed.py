"""Committed loads: demand of approved projects (project review) added to a projection.

A load row is ``{"sector", "carrier", "energy_tce", "year"}`` with optional ``"until"``: `energy_tce` a
year from `year` to `until` (inclusive; default the horizon), e.g. a new plant's annual consumption from
its commissioning year on. Rows dated at or before the base year are already in the inventory: they are
skipped and listed in the notes. The loads are the same in every draw, so with the same seed the
difference between a projection with and without them has no sampling noise (common random numbers):
a project with zero energy changes nothing, bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from .base import BaseYear
from .distributions import ScenarioError


def _field(row: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in row:
        raise ScenarioError(f"{where}: missing field {key!r}")
    return row[key]


def committed_array(base: BaseYear, years: np.ndarray, loads: Iterable[Mapping[str, Any]]
                    ) -> tuple[np.ndarray, list[str]]:
    """(S, C, T) tce of committed loads over `years` (column 0, the base year, always 0) and notes."""
    out = np.zeros((len(base.sectors), len(base.carriers), len(years)))
    notes: list[str] = []
    first, last = int(years[0]), int(years[-1])
    for i, row in enumerate(loads):
        where = f"committed_loads[{i}]"
        if not isinstance(row, Mapping):
            raise ScenarioError(f"{where}: expected an object with sector, carrier, energy_tce, year")
        sector, carrier = _field(row, "sector", where), _field(row, "carrier", where)
        s, c = base.index(sector=str(sector)), base.index(carrier=str(carrier))
        if s is None:
            raise ScenarioError(f"{where}.sector: {sector!r} is not a sector of the base year {list(base.sectors)}")
        if c is None:
            raise ScenarioError(f"{where}.carrier: {carrier!r} is not a carrier of the base year {list(base.carriers)}")
        energy = _field(row, "energy_tce", where)
        if isinstance(energy, bool) or not isinstance(energy, (int, float)) or not np.isfinite(energy) or energy < 0:
            raise ScenarioError(f"{where}.energy_tce: expected a number >= 0, got {energy!r}")
        start, until = _field(row, "year", where), row.get("until", last)
        for key, value in (("year", start), ("until", until)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ScenarioError(f"{where}.{key}: expected a year, got {value!r}")
        if start <= first:
            notes.append(f"{where}: starts in {start}, at or before the base year {first} (already in the "
                         "inventory); not added")
            continue
        out[s, c, (years >= start) & (years <= until)] += float(energy)
    return out, notes
