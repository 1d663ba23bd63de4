"""Energy carriers and sectors: the fixed vocabulary every record is checked against.

A carrier's *dimension* says which units it may be measured in (see `units`); a factor set
supplies the numbers (standard coal coefficient, CO2 factor) for each carrier.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Carrier:
    code: str
    name_zh: str
    name_en: str
    dimension: str  # mass | volume | heat | electricity
    basis_unit: str  # the unit factor values are expressed per
    fossil: bool  # counts as fossil energy (non-fossil share)
    coal: bool = False  # counts in the zero-coal check
    scope: int = 1  # 1: combustion on site; 2: purchased electricity/heat; 0: no emissions accounted
    renewable: bool = False  # renewable electricity (发改运行〔2022〕1258号: new consumption deducted from control)


CARRIERS: dict[str, Carrier] = {
    c.code: c
    for c in [
        Carrier("raw_coal", "原煤", "Raw coal", "mass", "t", True, coal=True),
        Carrier("coke", "焦炭", "Coke", "mass", "t", True, coal=True),
        Carrier("crude_oil", "原油", "Crude oil", "mass", "t", True),
        Carrier("gasoline", "汽油", "Gasoline", "mass", "t", True),
        Carrier("kerosene", "煤油", "Kerosene", "mass", "t", True),
        Carrier("diesel", "柴油", "Diesel", "mass", "t", True),
        Carrier("fuel_oil", "燃料油", "Fuel oil", "mass", "t", True),
        Carrier("lpg", "液化石油气", "Liquefied petroleum gas", "mass", "t", True),
        Carrier("natural_gas", "天然气", "Natural gas", "volume", "m3", True),
        Carrier("lng", "液化天然气", "Liquefied natural gas (LNG)", "mass", "t", True),
        Carrier("hydrogen", "氢气", "Hydrogen", "mass", "t", True),
        Carrier("biomass", "生物质燃料（按热值）", "Biomass fuel (by heat content)", "heat", "GJ", False),
        Carrier("heat", "热力", "Purchased heat", "heat", "GJ", True, scope=2),
        Carrier("electricity", "电力（电网）", "Grid electricity", "electricity", "kWh", True, scope=2),
        Carrier("green_electricity", "外购绿电（绿电交易）", "Purchased green electricity", "electricity", "kWh", False,
                scope=2, renewable=True),
        Carrier("pv_electricity", "光伏发电（自发自用）", "Local PV electricity", "electricity", "kWh", False, scope=0,
                renewable=True),
        Carrier("wind_electricity", "风电（自发自用）", "Local wind electricity", "electricity", "kWh", False, scope=0,
                renewable=True),
    ]
}
"""Grid electricity is fossil except for the grid's non-fossil share, a cited figure by year of the factor set
(`electricity.grid_non_fossil_share_by_year`): the non-fossil share counts that part of purchased grid power
plus local renewables, traded green electricity and biomass. Hydrogen is counted as fossil (most of it is made
from fossil fuels; hydrogen made from the district's own renewables is already counted as that electricity);
its use emits no CO2. Biomass combustion CO2 is biogenic and not counted (省级温室气体清单编制指南)."""

SECTORS: dict[str, tuple[str, str]] = {
    "industry": ("工业", "Industry"),
    "construction": ("建筑业", "Construction"),
    "buildings": ("公共及商业建筑", "Public and commercial buildings"),
    "transport": ("交通运输", "Transport"),
    "agriculture": ("农业", "Agriculture"),
    "residential": ("居民生活", "Residential"),
}


def carrier_codes() -> list[str]:
    return list(CARRIERS)


def sector_codes() -> list[str]:
    return list(SECTORS)
