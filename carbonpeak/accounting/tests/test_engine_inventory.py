"""Hand-computed accounting for every carrier, breakdowns, dual control."""

import numpy as np
import pandas as pd
import pytest

from carbonpeak.accounting.engine.factors import get_factor_set
from carbonpeak.accounting.engine.inventory import (
    InventoryError, account, compute_inventory, dual_control, trajectory,
)
from carbonpeak.accounting.engine.records import parse_records

C = 44 / 12
# carrier, quantity, unit -> (tce 当量值, tCO2 scope 1) computed by hand from the cited parameters
FUELS = [
    ("raw_coal", 100, "t", 100 * 0.7143, 100 * 20.908e-3 * 26.37 * 0.94 * C),
    ("coke", 50000, "kg", 50 * 0.9714, 50 * 28.435e-3 * 29.5 * 0.93 * C),
    ("crude_oil", 2, "万t", 20000 * 1.4286, 20000 * 41.816e-3 * 20.1 * 0.98 * C),
    ("gasoline", 10, "t", 10 * 1.4714, 10 * 43.070e-3 * 18.9 * 0.98 * C),
    ("kerosene", 10, "t", 10 * 1.4714, 10 * 43.070e-3 * 19.5 * 0.98 * C),
    ("diesel", 1000, "kg", 1 * 1.4571, 1 * 42.652e-3 * 20.2 * 0.98 * C),
    ("fuel_oil", 3, "t", 3 * 1.4286, 3 * 41.816e-3 * 21.1 * 0.98 * C),
    ("lpg", 5, "吨", 5 * 1.7143, 5 * 50.179e-3 * 17.2 * 0.98 * C),
    ("natural_gas", 10, "万m3", 100000 * 1.2143e-3, 100000 * 389.31e-3 / 1e4 * 15.3 * 0.99 * C),
    ("natural_gas", 0.001, "亿m3", 100000 * 1.2143e-3, 100000 * 389.31e-3 / 1e4 * 15.3 * 0.99 * C),
    ("diesel", 1.4571, "tce", 1.4571, 42.652e-3 * 20.2 * 0.98 * C),  # 1 t of diesel entered as tce
    # LNG: standard coal at 51498 kJ/kg (GB/T 2589-2020), CO2 at 44.2 GJ/t x 17.2 tC/TJ x 98% (NDRC 2015 defaults)
    ("lng", 10, "t", 10 * 1.7572, 10 * 44.2e-3 * 17.2 * 0.98 * C),  # 1.7572 = 51498 / 29307.6 to 4 places
    ("hydrogen", 2, "t", 2 * 4.0945, 0.0),  # 4.0945 = 120 MJ/kg / 29.3076 MJ/kgce to 4 places; no carbon
    ("biomass", 500, "GJ", 500 * 0.03412, 0.0),  # by heat content (1/29.3076); biogenic CO2 not counted
]
NON_FOSSIL = {"biomass"}


def one(carrier, qty, unit, year=2022, sector="industry"):
    return parse_records(f"entity,sector,carrier,quantity,unit,year\nE,{sector},{carrier},{qty},{unit},{year}\n")


@pytest.mark.parametrize("carrier,qty,unit,tce,co2", FUELS)
@pytest.mark.parametrize("code", ["sh-2022", "cn-mee-2024"])
def test_fuel_by_hand(code, carrier, qty, unit, tce, co2):
    inv = compute_inventory(one(carrier, qty, unit), get_factor_set(code))
    assert inv.totals["energy_tce"] == pytest.approx(tce, rel=1e-9)
    assert inv.totals["energy_tce_reporting"] == pytest.approx(tce, rel=1e-9)  # fuels: both methods agree
    assert inv.totals["co2_scope1_t"] == pytest.approx(co2, rel=1e-9)
    assert inv.totals["co2_scope2_t"] == 0
    assert inv.totals["co2_t"] == pytest.approx(co2, rel=1e-9)
    assert inv.factor_set == code
    coal = carrier in ("raw_coal", "coke")
    assert inv.totals["coal_tce"] == (pytest.approx(tce) if coal else 0)
    assert inv.totals["non_fossil_share"] == (1 if carrier in NON_FOSSIL else 0)


@pytest.mark.parametrize("code,year,heat_t,grid_t,grid_non_fossil", [
    ("sh-2022", 2022, 1000 * 0.06, 100000 * 0.42e-3, (0.14 - 0.015) * 1.25e8 / 305.5e-6 / 1560e8),  # = 0.328
    ("cn-mee-2024", 2022, 1000 * 0.11, 100000 * 0.5366e-3, 0),  # no grid non-fossil share in the set
    ("cn-mee-2024", 2021, 1000 * 0.11, 100000 * 0.5568e-3, 0),
    ("cn-mee-2024", 2023, 1000 * 0.11, 100000 * 0.5306e-3, 0),
    ("cn-ets-2022", 2022, 1000 * 0.11, 100000 * 0.5703e-3, 0),
])
def test_heat_and_electricity_by_hand(code, year, heat_t, grid_t, grid_non_fossil):
    fs = get_factor_set(code)
    heat = compute_inventory(one("heat", 1000, "GJ", year), fs)
    assert heat.totals["energy_tce"] == pytest.approx(1000 * 0.03412)
    assert heat.totals["co2_scope2_t"] == pytest.approx(heat_t) and heat.totals["co2_scope1_t"] == 0
    heat_mj = compute_inventory(one("heat", 1e6, "MJ", year), fs)
    assert heat_mj.totals["co2_t"] == pytest.approx(heat_t)
    el = compute_inventory(one("electricity", 100, "MWh", year), fs)
    assert el.totals["energy_tce"] == pytest.approx(100000 * 0.1229e-3)  # 12.29 tce (当量值)
    assert el.totals["energy_tce_reporting"] == pytest.approx(100000 * 0.3055e-3)  # 等价值
    assert el.totals["co2_scope2_t"] == pytest.approx(grid_t)
    assert el.totals["non_fossil_share"] == pytest.approx(grid_non_fossil, abs=5e-4)
    for carrier in ("pv_electricity", "green_electricity", "wind_electricity"):
        nf = compute_inventory(one(carrier, 10, "万kWh", year), fs)
        assert nf.totals["energy_tce"] == pytest.approx(12.29)
        assert nf.totals["co2_t"] == 0
        assert nf.totals["non_fossil_share"] == 1.0
        assert nf.totals["non_fossil_share_reporting"] == 1.0


def test_mixed_inventory_breakdowns_and_shares():
    csv = """entity,sector,carrier,quantity,unit,year,town,month
Plant A,industry,natural_gas,10,万m3,2022,赵巷镇,
Plant A,industry,electricity,100,万kWh,2022,赵巷镇,
Bus Co,transport,diesel,50,t,2022,,
Mall,buildings,pv_electricity,1000,MWh,2022,徐泾镇,
Mall,buildings,heat,500,GJ,2022,徐泾镇,1
Mall,buildings,heat,500,GJ,2022,徐泾镇,2
"""
    inv = compute_inventory(parse_records(csv), get_factor_set("sh-2022"))
    gas_t = 100000 * 389.31e-3 / 1e4 * 15.3 * 0.99 * C
    diesel_t = 50 * 42.652e-3 * 20.2 * 0.98 * C
    assert inv.by_carrier["natural_gas"]["energy_tce"] == pytest.approx(121.43)
    assert inv.by_carrier["electricity"]["co2_t"] == pytest.approx(420.0)
    assert inv.by_carrier["heat"]["co2_t"] == pytest.approx(60.0)
    assert inv.by_carrier["heat"]["quantity"] == pytest.approx(1000.0)
    assert inv.by_sector["industry"]["co2_t"] == pytest.approx(gas_t + 420.0)
    assert inv.by_sector["transport"]["co2_t"] == pytest.approx(diesel_t)
    assert inv.by_sector["buildings"]["energy_tce"] == pytest.approx(122.9 + 34.12)
    assert inv.by_town["赵巷镇"]["co2_t"] == pytest.approx(gas_t + 420.0)
    assert inv.by_town["徐泾镇"]["co2_t"] == pytest.approx(60.0)
    assert inv.by_town["(none)"]["energy_tce"] == pytest.approx(50 * 1.4571)
    total_e = 121.43 + 122.9 + 50 * 1.4571 + 122.9 + 34.12
    assert inv.totals["energy_tce"] == pytest.approx(total_e)
    assert inv.totals["co2_t"] == pytest.approx(gas_t + 420 + diesel_t + 60)
    grid_nf = 0.328  # Shanghai grid non-fossil share (derived from the 十三五 plan's 2020 targets, see the data)
    assert inv.totals["non_fossil_share"] == pytest.approx((122.9 + grid_nf * 122.9) / total_e)
    rep = total_e - 2 * 122.9 + 2 * 305.5
    assert inv.totals["energy_tce_reporting"] == pytest.approx(rep)
    assert inv.totals["non_fossil_share_reporting"] == pytest.approx((305.5 + grid_nf * 305.5) / rep)
    assert inv.by_year[2022]["co2_t"] == pytest.approx(inv.totals["co2_t"])
    assert inv.by_year_sector[2022]["industry"]["energy_tce"] == pytest.approx(121.43 + 122.9)
    assert sum(v["co2_t"] for v in inv.by_sector.values()) == pytest.approx(inv.totals["co2_t"])
    d = inv.to_dict()
    assert d["factor_set"] == "sh-2022" and d["by_year"]["2022"]["energy_tce"] == pytest.approx(total_e)


def test_grid_year_fallback_is_reported():
    inv = compute_inventory(one("electricity", 1, "MWh", 2020), get_factor_set("cn-mee-2024"))
    assert inv.grid_factor_year_used == {2020: 2021}
    assert any("2020 (used 2021)" in w for w in inv.warnings)


def test_year_outside_factor_set_validity_is_an_error():
    with pytest.raises(ValueError, match="valid 2022-2025"):
        compute_inventory(one("diesel", 1, "t", 2021), get_factor_set("cn-ets-2022"))


def test_account_rejects_unvalidated_wrong_unit():
    df = pd.DataFrame({"carrier": ["electricity"], "unit": ["t"], "quantity": [1.0], "year": [2022],
                       "sector": ["industry"], "entity": ["x"]})
    with pytest.raises(ValueError, match="'t'.*electricity"):
        account(df, get_factor_set())
    df = pd.DataFrame({"carrier": ["coal"], "unit": ["t"], "quantity": [1.0], "year": [2022]})
    with pytest.raises(InventoryError, match="unknown carrier 'coal'"):
        account(df, get_factor_set())


def test_vectorised_equals_scalar_sum():
    rng = np.random.default_rng(1)
    n = 5000
    fs = get_factor_set("cn-mee-2024")
    carriers = np.array(["diesel", "natural_gas", "electricity", "heat", "pv_electricity"])
    units = {"diesel": "t", "natural_gas": "m3", "electricity": "kWh", "heat": "GJ", "pv_electricity": "kWh"}
    c = carriers[rng.integers(0, 5, n)]
    df = pd.DataFrame({"carrier": c, "unit": [units[x] for x in c], "quantity": rng.random(n) * 1000,
                       "year": rng.integers(2020, 2024, n), "sector": "industry", "entity": "x", "town": ""})
    acc = account(df, fs)
    # typed from the cited documents, not read from the factor set the code uses (t CO2 per basis unit)
    direct = {"diesel": 42.652e-3 * 20.2 * 0.98 * C, "natural_gas": 389.31e-3 / 1e4 * 15.3 * 0.99 * C}
    grid = {2020: 0.5568e-3, 2021: 0.5568e-3, 2022: 0.5366e-3, 2023: 0.5306e-3}  # MEE/NBS; 2020 uses 2021's
    expected = 0.0
    for carrier, q, y in zip(df.carrier, df.quantity, df.year):
        expected += q * {"electricity": grid[int(y)], "heat": 0.11}.get(carrier, direct.get(carrier, 0.0))
    assert acc.co2_t.sum() == pytest.approx(expected, rel=1e-12)


def test_dual_control_progress_cap_and_coal():
    by_year = {
        2020: {"energy_tce": 1000.0, "energy_tce_reporting": 1100.0, "co2_t": 2000.0, "coal_tce": 0.0,
               "non_fossil_tce": 10.0, "non_fossil_tce_reporting": 20.0},
        2023: {"energy_tce": 1000.0, "energy_tce_reporting": 1100.0, "co2_t": 1900.0, "coal_tce": 0.0,
               "non_fossil_tce": 50.0, "non_fossil_tce_reporting": 90.0},
        2025: {"energy_tce": 1050.0, "energy_tce_reporting": 1150.0, "co2_t": 1900.0, "coal_tce": 5.0,
               "non_fossil_tce": 60.0, "non_fossil_tce_reporting": 100.0},
    }
    gdp = {2020: 100.0, 2023: 108.0, 2025: 125.0}
    out = dual_control(by_year, gdp, energy_cap_tce=1040.0, factor_set="sh-2022")
    rows = {r["year"]: r for r in out["years"]}
    assert rows[2020]["energy_intensity_tce_per_10k_yuan"] == 10.0
    assert rows[2023]["energy_intensity_tce_per_10k_yuan"] == pytest.approx(1000 / 108)
    assert rows[2023]["trajectory_energy_intensity"] == pytest.approx(10 * 0.86 ** 0.6)
    assert rows[2025]["energy_intensity_tce_per_10k_yuan"] == pytest.approx(8.4)
    assert rows[2025]["trajectory_energy_intensity"] == pytest.approx(8.6)
    assert rows[2025]["energy_intensity_change_vs_base"] == pytest.approx(-0.16)
    assert rows[2025]["co2_intensity_t_per_10k_yuan"] == pytest.approx(15.2)
    assert rows[2025]["within_cap"] is False and rows[2025]["cap_headroom_tce"] == pytest.approx(-10)
    assert rows[2025]["zero_coal"] is False and rows[2020]["zero_coal"] is True
    assert rows[2025]["non_fossil_share"] == pytest.approx(60 / 1050)
    s = out["summary"]
    assert s["target_energy_intensity"] == pytest.approx(8.6)
    assert s["achieved_reduction"] == pytest.approx(0.16) and "on_track" not in s  # progress's to say
    assert s["zero_coal"] is False and s["within_cap"] is False and s["factor_set"] == "sh-2022"
    rep = dual_control(by_year, gdp, method="reporting")
    assert rep["years"][0]["energy_intensity_tce_per_10k_yuan"] == 11.0
    no_gdp = dual_control(by_year, {2020: 100.0})
    assert no_gdp["years"][1]["energy_intensity_tce_per_10k_yuan"] is None  # never interpolated
    with pytest.raises(InventoryError, match="method"):
        dual_control(by_year, gdp, method="guess")
    assert trajectory(10, 2020, 2025, 0.14, 2025) == pytest.approx(8.6)


def test_breakdowns_agree_on_cube_and_direct_paths():
    """Many towns make the (year, sector, carrier, town) cube too big: the direct grouping gives the same sums."""
    rng = np.random.default_rng(3)
    n = 30000
    carriers = np.array(["diesel", "electricity", "heat"])
    units = {"diesel": "t", "electricity": "kWh", "heat": "GJ"}
    c = carriers[rng.integers(0, 3, n)]
    base = pd.DataFrame({"carrier": c, "unit": [units[x] for x in c], "quantity": rng.random(n) * 100,
                         "year": rng.integers(2020, 2023, n), "sector": np.array(["industry", "transport"])[rng.integers(0, 2, n)],
                         "entity": "x"})
    fs = get_factor_set("cn-mee-2024")
    few = compute_inventory(base.assign(town=np.array(["A", "B"])[rng.integers(0, 2, n)]), fs)
    many = compute_inventory(base.assign(town=[f"T{i}" for i in range(n)]), fs)
    assert len(many.by_town) == n
    for a, b in ((few.by_carrier, many.by_carrier), (few.by_sector, many.by_sector), (few.by_year, many.by_year)):
        for k in a:
            assert a[k]["co2_t"] == pytest.approx(b[k]["co2_t"], rel=1e-12)
    for y in few.by_year_sector:
        for s in few.by_year_sector[y]:
            assert few.by_year_sector[y][s]["energy_tce"] == pytest.approx(many.by_year_sector[y][s]["energy_tce"], rel=1e-12)
    assert sum(r["co2_t"] for r in many.by_town.values()) == pytest.approx(many.totals["co2_t"], rel=1e-12)
