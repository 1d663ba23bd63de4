"""Quantity units, per dimension, with explicit conversion tables.

Every unit belongs to exactly one dimension; conversion only happens within a dimension and to a
unit the table knows. Anything else raises `UnitError`, naming the unit and what is accepted:
a wrong or unknown unit is never guessed.

Dimensions and their base units:

| dimension   | base  | units |
|-------------|-------|-------|
| mass        | t     | g, kg, t, 万t (10^4 t) |
| volume      | m3    | m3, 万m3 (10^4 m3), 亿m3 (10^8 m3) |
| heat        | GJ    | kJ, MJ, GJ, TJ, 万GJ |
| electricity | kWh   | kWh, 万kWh, MWh, GWh, 亿kWh |
| tce         | tce   | kgce, tce, 万tce |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np


class UnitError(ValueError):
    """An unknown unit, or a unit of the wrong dimension."""

    def __init__(self, unit: str, accepted: Iterable[str], what: str = "") -> None:
        self.unit = unit
        self.accepted = list(accepted)
        ctx = f" for {what}" if what else ""
        super().__init__(f"unknown or wrong unit {unit!r}{ctx}; accepted: {', '.join(self.accepted)}")


@dataclass(frozen=True)
class Unit:
    code: str
    dimension: str
    to_base: float  # multiply a quantity in this unit by to_base to get the dimension's base unit


BASE_UNITS: dict[str, str] = {"mass": "t", "volume": "m3", "heat": "GJ", "electricity": "kWh", "tce": "tce"}

UNITS: dict[str, Unit] = {
    u.code: u
    for u in [
        Unit("g", "mass", 1e-6),
        Unit("kg", "mass", 1e-3),
        Unit("t", "mass", 1.0),
        Unit("万t", "mass", 1e4),
        Unit("m3", "volume", 1.0),
        Unit("万m3", "volume", 1e4),
        Unit("亿m3", "volume", 1e8),
        Unit("kJ", "heat", 1e-6),
        Unit("MJ", "heat", 1e-3),
        Unit("GJ", "heat", 1.0),
        Unit("TJ", "heat", 1e3),
        Unit("万GJ", "heat", 1e4),
        Unit("kWh", "electricity", 1.0),
        Unit("万kWh", "electricity", 1e4),
        Unit("MWh", "electricity", 1e3),
        Unit("GWh", "electricity", 1e6),
        Unit("亿kWh", "electricity", 1e8),
        Unit("kgce", "tce", 1e-3),
        Unit("tce", "tce", 1.0),
        Unit("万tce", "tce", 1e4),
    ]
}

# Spellings accepted on input, after `_normalise` (lower case, no spaces, ³→3, ×10^4 → 万).
_ALIASES: dict[str, str] = {
    "g": "g", "克": "g",
    "kg": "kg", "千克": "kg", "公斤": "kg",
    "t": "t", "tonne": "t", "tonnes": "t", "吨": "t",
    "万t": "万t", "万吨": "万t", "10^4t": "万t",
    "m3": "m3", "nm3": "m3", "立方米": "m3", "标准立方米": "m3", "标方": "m3",
    "万m3": "万m3", "万nm3": "万m3", "万立方米": "万m3", "10^4m3": "万m3", "10^4nm3": "万m3",
    "亿m3": "亿m3", "亿立方米": "亿m3", "10^8m3": "亿m3",
    "kj": "kJ", "千焦": "kJ",
    "mj": "MJ", "兆焦": "MJ",
    "gj": "GJ", "吉焦": "GJ",
    "tj": "TJ", "太焦": "TJ",
    "万gj": "万GJ", "万吉焦": "万GJ", "10^4gj": "万GJ",
    "kwh": "kWh", "度": "kWh", "千瓦时": "kWh",
    "万kwh": "万kWh", "万度": "万kWh", "万千瓦时": "万kWh", "10^4kwh": "万kWh",
    "mwh": "MWh", "兆瓦时": "MWh",
    "gwh": "GWh", "吉瓦时": "GWh",
    "亿kwh": "亿kWh", "亿度": "亿kWh", "亿千瓦时": "亿kWh", "10^8kwh": "亿kWh",
    "kgce": "kgce", "千克标准煤": "kgce", "千克标煤": "kgce",
    "tce": "tce", "吨标准煤": "tce", "吨标煤": "tce",
    "万tce": "万tce", "万吨标准煤": "万tce", "万吨标煤": "万tce", "10^4tce": "万tce",
}


def chinese_name(unit: str) -> str:
    """A unit's Chinese name, as the importer also accepts it (tce → 吨标准煤, kWh → 千瓦时); the symbol if none."""
    names = [a for a, u in _ALIASES.items()
             if u == unit and not any(ch.isascii() and (ch.isalnum() or ch == "^") for ch in a)]
    return max(names, key=len, default=unit)


def _normalise(text: str) -> str:
    s = str(text).strip().replace(" ", "").replace("\u3000", "").replace("³", "3").lower()
    return s.replace("×10⁴", "10^4").replace("x10^4", "10^4").replace("×10^4", "10^4").replace("1e4", "10^4")


def accepted_units(dimension: str | None = None) -> list[str]:
    return [u.code for u in UNITS.values() if dimension is None or u.dimension == dimension]


def parse_unit(text: str, dimension: str | Iterable[str] | None = None, what: str = "") -> Unit:
    """The `Unit` for an input spelling; `UnitError` if unknown or not of `dimension`."""
    dims = None if dimension is None else ({dimension} if isinstance(dimension, str) else set(dimension))
    accepted = [u.code for u in UNITS.values() if dims is None or u.dimension in dims]
    code = _ALIASES.get(_normalise(text)) if text is not None else None
    if code is None:
        raise UnitError(str(text), accepted, what)
    unit = UNITS[code]
    if dims is not None and unit.dimension not in dims:
        raise UnitError(str(text), accepted, what)
    return unit


def normalise_units(values: Iterable[str]) -> np.ndarray:
    """Canonical unit codes for an array of spellings; unknown spellings become '' (callers report them)."""
    arr = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=object)
    uniq, inv = np.unique(arr.astype(str), return_inverse=True)
    mapped = np.array([_ALIASES.get(_normalise(u), "") for u in uniq], dtype=object)
    return mapped[inv]


def factor(from_unit: str, to_unit: str) -> float:
    """Multiplier taking a quantity in `from_unit` to `to_unit` (same dimension only)."""
    src = parse_unit(from_unit)
    dst = parse_unit(to_unit)
    if src.dimension != dst.dimension:
        raise UnitError(str(from_unit), accepted_units(dst.dimension), f"conversion to {dst.code}")
    return src.to_base / dst.to_base


def convert(values: np.ndarray | float, from_unit: str, to_unit: str) -> np.ndarray | float:
    """Convert a scalar or an array from one unit to another of the same dimension."""
    f = factor(from_unit, to_unit)
    if np.isscalar(values):
        return float(values) * f
    return np.asarray(values, dtype=float) * f
