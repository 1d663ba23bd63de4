"""The sector model on small hand-computed cases (no database).

Every expected number below is worked out by hand in the comment next to it.
"""

import numpy as np
import pytest

from carbonpeak.scenarios.engine import BaseYear, Scenario, project

# every driver fixed, nothing moves unless a test says so
FIXED = {
    "gdp_growth": 0.0, "population_growth": 0.0, "structure_drift": {"*": 0.0}, "intensity_change": {"*": 0.0},
    "electrification": {"*": 0.0}, "electrification_ratio": 0.5, "grid_factor_change": 0.0, "hydrogen_ef": 1.0,
    "car_fuel_share": 0.5, "ev_stock_share_base": 0.0, "ev_new_share_base": 0.0, "ev_energy_ratio": 0.3,
    "fleet_turnover": 0.1, "green_share_base": 0.5, "transit_energy_ratio": 0.2, "pue_base": 1.5,
    "pue_new_baseline": 1.5, "intensity_shock": 0.0, "ev_new_share_trend": 0.0,
}


def base(rows, va=None, activity=None, tce_per_mwh=0.1):
    """rows: (sector, carrier, energy tce, CO2 t)."""
    return BaseYear.from_records(
        2021, gdp=1000.0, population=1e6,
        records=[{"sector": s, "carrier": c, "energy_tce": e, "co2_t": q} for s, c, e, q in rows],
        va_share=va or {}, activity=activity or {}, tce_per_mwh=tce_per_mwh,
        default_factors={"electricity": 4.0})


def scenario(drivers=None, levers=None, horizon=2025):
    return Scenario(name="t", drivers={**FIXED, **(drivers or {})}, levers=levers or {}, horizon=horizon)


def cell(proj, kind, sector, carrier, year):
    b = proj.base
    arr = proj.energy if kind == "energy" else proj.co2
    return arr[:, b.sectors.index(sector), b.carriers.index(carrier), year - b.year]


TWO = [("industry", "natural_gas", 100.0, 200.0), ("industry", "electricity", 200.0, 800.0),
       ("residential", "natural_gas", 50.0, 100.0), ("residential", "electricity", 50.0, 200.0)]
TWO_VA = {"industry": 0.5}


def test_activity_intensity_and_grid_hand_computed():
    b = base(TWO, TWO_VA)
    sc = scenario({"gdp_growth": 0.1, "intensity_change": {"industry": -0.1, "*": 0.0}, "grid_factor_change": -0.5})
    p = project(sc, b, draws=3, seed=1, wedges=False)
    # industry: E0 x 1.1^2 x 0.9^2 = E0 x 0.9801; residential (population, flat) unchanged
    assert cell(p, "energy", "industry", "natural_gas", 2023) == pytest.approx(98.01)
    assert cell(p, "energy", "industry", "electricity", 2023) == pytest.approx(196.02)
    assert cell(p, "energy", "residential", "electricity", 2023) == pytest.approx(50.0)
    # CO2 2023: 98.01x2 + 196.02x4x0.25 + 50x2 + 50x4x0.25 = 542.04
    assert p.total_co2[:, 2] == pytest.approx(542.04)
    assert p.gdp[0, 2] == pytest.approx(1210.0)


def test_structure_drift_is_renormalised():
    b = base([("a", "natural_gas", 100.0, 200.0), ("b", "natural_gas", 100.0, 200.0)], {"a": 0.4, "b": 0.4})
    p = project(scenario({"structure_drift": {"a": 0.1, "*": 0.0}}), b, draws=1, wedges=False)
    # raw shares 0.44 and 0.40 rescaled to their base total 0.8: a = 0.44 x 0.8 / 0.84
    assert cell(p, "energy", "a", "natural_gas", 2022) == pytest.approx(100 * 0.44 * 0.8 / 0.84 / 0.4)
    assert cell(p, "energy", "b", "natural_gas", 2022) == pytest.approx(100 * 0.40 * 0.8 / 0.84 / 0.4)


def test_baseline_electrification():
    b = base(TWO, TWO_VA)
    p = project(scenario({"electrification": {"industry": 0.1, "*": 0.0}}), b, draws=1, wedges=False)
    # year 1: 10% of the gas moves, at 0.5 tce of electricity per tce of gas
    assert cell(p, "energy", "industry", "natural_gas", 2022) == pytest.approx(90.0)
    assert cell(p, "energy", "industry", "electricity", 2022) == pytest.approx(205.0)
    # year 2: 1 - 0.9^2 = 19% moved
    assert cell(p, "energy", "industry", "natural_gas", 2023) == pytest.approx(81.0)


def test_pv_displaces_grid_electricity():
    b = base(TWO, TWO_VA)
    levers = {"pv": {"enabled": True, "additions_mw": {"interp": "step", "points": {"2022": 0.1}},
                     "yield_hours": 1000}}
    off, on = (project(scenario(levers=lv), b, draws=1, wedges=False) for lv in ({}, levers))
    # 0.1 MW/yr x 1000 h = 100 MWh/yr x 0.1 tce/MWh = 10 tce per year of additions, cumulative
    pv = on.energy[0, :, b.carriers.index("pv_electricity"), :].sum(axis=0)
    assert pv[1:3] == pytest.approx([10.0, 20.0])
    assert np.allclose(on.total_energy, off.total_energy)  # consumption unchanged, supply changed
    # displaced grid electricity at 4 tCO2/tce
    assert (off.total_co2 - on.total_co2)[0, 1:3] == pytest.approx([40.0, 80.0])


def test_retrofit_spreads_saving_over_the_mix():
    b = base(TWO, TWO_VA)
    levers = {"retrofit": {"enabled": True, "area_m2": {"interp": "step", "points": {"2022": 1000}},
                           "eui_kgce_m2": 10, "saving_rate": 0.5, "sector": "industry"}}
    p = project(scenario(levers=levers), b, draws=1, wedges=False)
    # 1000 m2 x 10 kgce x 0.5 = 5 tce/yr, cumulative; split 1:2 gas:electricity
    assert cell(p, "energy", "industry", "natural_gas", 2023) == pytest.approx(100 - 10 / 3)
    assert cell(p, "energy", "industry", "electricity", 2023) == pytest.approx(200 - 20 / 3)
    # CO2 2022: 5/3 x 2 + 10/3 x 4 = 50/3 less than 1200 (base total CO2 1300 with residential)
    assert p.total_co2[0, 1] == pytest.approx(1300 - 50 / 3)


def test_ultra_low_energy_new_build():
    b = base(TWO, TWO_VA)
    levers = {"ule_new_build": {"enabled": True, "share_residential": {"2022": 0.5}, "share_public": 0.0,
                                "new_area_residential_m2": {"interp": "step", "points": {"2022": 1000}},
                                "eui_residential_kgce_m2": 10, "saving_rate": 0.4}}
    p = project(scenario(levers=levers), b, draws=1, wedges=False)
    # 1000 m2 x 0.5 ULE x 10 kgce x 0.4 = 2 tce/yr cumulative, split 1:1 in residential
    res = p.energy[0, b.sectors.index("residential")].sum(axis=0)
    assert res[1:3] == pytest.approx([98.0, 96.0])


CARS = [("transport", "gasoline", 100.0, 200.0), ("transport", "electricity", 10.0, 40.0),
        ("transport", "diesel", 100.0, 210.0)]


def test_ev_stock_turnover():
    b = base(CARS)
    p = project(scenario(levers={"ev": {"enabled": True, "new_share": {"2022": 0.5}}}), b, draws=1, wedges=False)
    # car service q0 = 0.5 x 100 / (1 - 0) = 50; fleet share e = 0.05 (2022), 0.095 (2023)
    assert p.indicators["ev_fleet_share"][0, 1:3] == pytest.approx([0.05, 0.095])
    assert cell(p, "energy", "transport", "gasoline", 2022) == pytest.approx(100 - 2.5)
    assert cell(p, "energy", "transport", "electricity", 2022) == pytest.approx(10 + 50 * 0.3 * 0.05)
    assert cell(p, "energy", "transport", "gasoline", 2023) == pytest.approx(100 - 4.75)


def test_green_travel_share():
    b = base(CARS)
    p = project(scenario(levers={"green_travel": {"enabled": True, "share": {"2022": 0.6}}}), b, draws=1,
                wedges=False)
    # car trips x (1-0.6)/(1-0.5) = 0.8: petrol 50 x -0.2 = -10; transit 50 x 0.2 x 0.2 = +2
    assert cell(p, "energy", "transport", "gasoline", 2022) == pytest.approx(90.0)
    assert cell(p, "energy", "transport", "electricity", 2022) == pytest.approx(12.0)


def test_hydrogen_buses():
    b = base(CARS)
    levers = {"hydrogen_buses": {"enabled": True, "buses": {"2022": 2}, "diesel_tce_per_bus": 10, "h2_ratio": 0.5}}
    off, on = (project(scenario(levers=lv), b, draws=1, wedges=False) for lv in ({}, levers))
    # 2 buses x 10 tce diesel out, 10 tce hydrogen in at 1 tCO2/tce: 2 x 10 x 2.1 - 10 x 1 = 32 t less
    assert cell(on, "energy", "transport", "hydrogen", 2022) == pytest.approx(10.0)
    assert (off.total_co2 - on.total_co2)[0, 1] == pytest.approx(32.0)


def test_data_centre_pue_vintages():
    b = base([("data_centres", "electricity", 100.0, 400.0)], {"data_centres": 0.1})
    levers = {"dc_pue": {"enabled": True, "pue_new": {"2022": 1.2}, "pue_existing": {"2022": 1.5}}}
    drv = {"gdp_growth": 0.1}
    off = project(scenario(drv), b, draws=1, wedges=False)
    on = project(scenario(drv, levers), b, draws=1, wedges=False)
    # IT load 100/1.5 grows 10%/yr; new IT at PUE 1.2: 2022: 66.67x1.5 + 6.67x1.2 = 108
    assert cell(on, "energy", "data_centres", "electricity", 2022) == pytest.approx(108.0)
    # 2023: 66.67 x (1.5 + 0.21 x 1.2) = 116.8; without the lever 100 x 1.21
    assert cell(on, "energy", "data_centres", "electricity", 2023) == pytest.approx(116.8)
    assert cell(off, "energy", "data_centres", "electricity", 2023) == pytest.approx(121.0)


def test_lever_on_missing_sector_is_a_note_not_a_guess():
    b = base(TWO, TWO_VA)
    p = project(scenario(levers={"dc_pue": {"enabled": True}}), b, draws=1, wedges=False)
    assert any("data_centres" in n for n in p.notes)
