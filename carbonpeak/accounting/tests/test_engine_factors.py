"""The factor table against the values of the documents it cites (see data/factors-cn-2024.yaml)."""

import numpy as np
import pytest
import yaml

from carbonpeak.accounting.engine.carriers import CARRIERS
from carbonpeak.accounting.engine.factors import (
    DEFAULT_FILE, FactorError, FactorSet, builtin_factor_sets, get_factor_set,
)

# GB/T 2589-2020 附录A 表A.1 (kgce per kg / m3 / MJ / kWh)
GBT_2589 = {"raw_coal": 0.7143, "coke": 0.9714, "crude_oil": 1.4286, "gasoline": 1.4714, "kerosene": 1.4714,
            "diesel": 1.4571, "fuel_oil": 1.4286, "lpg": 1.7143, "natural_gas": 1.2143, "heat": 0.03412,
            "electricity": 0.1229, "lng": 1.7572}
# 各种能源折标准煤及碳排放参考系数 (NCV from 综合能耗计算通则, carbon content and oxidation from
# 省级温室气体清单编制指南): kgCO2 per kg or m3.
PUBLISHED_CO2 = {"raw_coal": 1.9003, "coke": 2.8604, "crude_oil": 3.0202, "fuel_oil": 3.1705, "gasoline": 2.9251,
                 "kerosene": 3.0179, "diesel": 3.0959, "lpg": 3.1013, "natural_gas": 2.1622}
# NCV in kJ/kg (kJ/m3 for natural gas)
NCV = {"raw_coal": 20908, "coke": 28435, "crude_oil": 41816, "fuel_oil": 41816, "gasoline": 43070,
       "kerosene": 43070, "diesel": 42652, "lpg": 50179}
PER_KG_TO_PER_BASIS = {"natural_gas": 1e-3, "electricity": 1e-3, "heat": 1.0}  # kgce/m3 -> tce/m3 ...


@pytest.fixture(params=list(builtin_factor_sets()))
def fs(request) -> FactorSet:
    return builtin_factor_sets()[request.param]


def test_builtin_sets_and_default():
    assert set(builtin_factor_sets()) == {"cn-mee-2024", "cn-ets-2022", "sh-2022"}
    assert get_factor_set().code == "sh-2022"
    with pytest.raises(FactorError, match="unknown factor set 'nope'"):
        get_factor_set("nope")


def test_standard_coal_coefficients_gbt2589(fs):
    for carrier, kgce in GBT_2589.items():
        got = fs.coal_equivalent[fs.index(carrier)]
        assert got == pytest.approx(kgce * PER_KG_TO_PER_BASIS.get(carrier, 1.0), rel=1e-12), carrier
    for carrier in ("pv_electricity", "green_electricity"):
        assert fs.coal_equivalent[fs.index(carrier)] == pytest.approx(0.1229e-3)


def test_coal_coefficients_consistent_with_ncv():
    # 1 kgce = 7000 kcal; the standard's fuel NCVs are kcal x 4.1816 kJ/kcal.
    for carrier, ncv in NCV.items():
        assert GBT_2589[carrier] == pytest.approx(round(ncv / 4.1816 / 7000, 4), abs=1e-12), carrier
    # electricity 860 kcal/kWh and heat at 1 kgce = 29307.6 kJ
    assert GBT_2589["electricity"] == round(860 / 7000, 4)  # 1 kWh = 860 kcal
    assert GBT_2589["heat"] == round(1000 / 29307.6, 5)


def test_co2_factors_derived_match_published_table(fs):
    for carrier, kg in PUBLISHED_CO2.items():
        got = fs.co2_direct[fs.index(carrier)]
        per = 1e-3 if carrier == "natural_gas" else 1.0  # tCO2/m3 vs tCO2/t == kgCO2/kg
        assert got == pytest.approx(kg * per, abs=0.00006 * per), carrier


def test_co2_derivation_by_hand():
    fs = get_factor_set("cn-mee-2024")
    # raw coal: 20.908 GJ/t x 26.37 tC/TJ x 0.94 x 44/12
    assert fs.co2_direct[fs.index("raw_coal")] == pytest.approx(20.908e-3 * 26.37 * 0.94 * 44 / 12, rel=1e-12)
    # natural gas per m3: 389.31 GJ/10^4 m3 x 15.3 tC/TJ x 0.99 x 44/12
    assert fs.co2_direct[fs.index("natural_gas")] == pytest.approx(389.31e-3 / 1e4 * 15.3 * 0.99 * 44 / 12, rel=1e-12)


def test_grid_factors_by_year():
    mee = get_factor_set("cn-mee-2024")
    assert mee.grid_factor(2021) == (pytest.approx(0.5568e-3), 2021)
    assert mee.grid_factor(2022) == (pytest.approx(0.5366e-3), 2022)
    assert mee.grid_factor(2023) == (pytest.approx(0.5306e-3), 2023)
    assert mee.grid_factor(2025) == (pytest.approx(0.5306e-3), 2023)  # latest published not after
    assert mee.grid_factor(2020) == (pytest.approx(0.5568e-3), 2021)  # before the first: the first, reported
    assert get_factor_set("cn-ets-2022").grid_factor(2022)[0] == pytest.approx(0.5703e-3)
    sh = get_factor_set("sh-2022")
    assert sh.grid_factor(2020)[0] == pytest.approx(4.2 / 1e4)  # 4.2 tCO2/10^4 kWh
    assert sh.heat_co2 == pytest.approx(0.06)
    assert mee.heat_co2 == pytest.approx(0.11)
    assert sh.green_co2 == 0.0


def test_every_factor_cited():
    doc = yaml.safe_load(open(DEFAULT_FILE, encoding="utf-8"))
    for s in doc["factor_sets"]:
        for carrier, f in s["carriers"].items():
            keys = ("ncv", "carbon_content", "oxidation") if "ncv" in f else ("co2",)
            for key in ("coal_equivalent", *keys):
                assert f[key]["citation"].strip(), (s["code"], carrier, key)
        assert s["heat"]["co2"]["citation"] and s["heat"]["coal_equivalent"]["citation"]
        assert s["electricity"]["grid_co2_by_year"]["citation"]
        assert s["electricity"]["coal_equivalent"]["citation"]
        assert s["source"] and s["valid_from_year"] <= s["valid_to_year"]


def test_all_carriers_have_factors(fs):
    assert fs.carriers == tuple(CARRIERS)
    assert (fs.coal_equivalent > 0).all()
    assert fs.co2_direct[fs.index("pv_electricity")] == 0


def test_user_factor_set_and_errors():
    base = builtin_factor_sets()["sh-2022"].raw
    mine = {**base, "code": "my-set", "electricity": {**base["electricity"],
            "grid_co2_by_year": {"values": {"2020": 0.5}, "unit": "tCO2/MWh", "citation": "mine"}}}
    fs = FactorSet.from_dict(mine)
    assert fs.code == "my-set" and fs.grid_factor(2024)[0] == pytest.approx(0.5e-3)
    # a direct CO2 factor instead of NCV x carbon content x oxidation
    d = {**mine, "carriers": {**mine["carriers"], "diesel": {
        "coal_equivalent": {"value": 1.4571, "unit": "kgce/kg"}, "co2": {"value": 3.1, "unit": "kgCO2/kg"}}}}
    assert FactorSet.from_dict(d).co2_direct[fs.index("diesel")] == pytest.approx(3.1)
    broken = {**mine, "carriers": {k: v for k, v in mine["carriers"].items() if k != "lpg"}}
    with pytest.raises(FactorError, match="no factors for lpg"):
        FactorSet.from_dict(broken)
    bad_unit = {**mine, "carriers": {**mine["carriers"], "diesel": {
        "coal_equivalent": {"value": 1.4571, "unit": "kgce/kWh"}, "co2": {"value": 3.1, "unit": "kgCO2/kg"}}}}
    with pytest.raises(FactorError, match="kWh"):
        FactorSet.from_dict(bad_unit)
    with pytest.raises(FactorError, match="valid 2020-2030"):
        fs.check_years([2019, 2020])


def test_year_tables_shape():
    fs = get_factor_set("cn-mee-2024")
    t = fs.year_tables(np.array([2020, 2022]))
    assert t["co2_scope2"].shape == (len(fs.carriers), 2)
    assert t["grid_factor_year_used"] == {2020: 2021, 2022: 2022}
    assert t["co2_scope2"][fs.index("heat"), 0] == pytest.approx(0.11)
    assert t["tce_reporting"][fs.index("electricity"), 1] == pytest.approx(0.3055e-3)


# 等价值 of electricity: national average 供电煤耗 by year, g/kWh, as confirmed in a public copy of the source
# (2020: NDRC/NEA 全国煤电机组改造升级实施方案, 2021-11). Later years were not found and are not in the data.
SUPPLY_COAL_RATE_G_PER_KWH = {2020: 305.5}


def test_reporting_coal_rate_by_year_against_source(fs):
    assert set(fs.reporting_coal_by_year) == set(SUPPLY_COAL_RATE_G_PER_KWH)
    for year, g in SUPPLY_COAL_RATE_G_PER_KWH.items():
        assert fs.reporting_coal(year) == (pytest.approx(g * 1e-6), year)  # tce/kWh
    assert fs.reporting_coal(2023) == (pytest.approx(305.5e-6), 2020)  # the latest confirmed year, reported
    # the only copy of the figure seen is a news report of the document: secondary, never "verified"; the
    # statistic (供电煤耗 of coal-fired units, not 发电煤耗) and its year are stated next to it
    assert fs.statuses["electricity.reporting_coal"] == "secondary"
    assert "供电煤耗" in fs.reporting_coal_statistic and "2020" in fs.reporting_coal_statistic
    assert fs.summary()["reporting_coal_status"] == "secondary"


def _entries(node, path=()):
    """Every mapping in the factor file that carries a citation, with where it is."""
    if isinstance(node, dict):
        if "citation" in node:
            yield path, node
        for k, v in node.items():
            yield from _entries(v, (*path, str(k)))


def test_no_factor_claims_verification_it_lacks():
    """A value only seen in a report or reproduction is `secondary` and never `verified: true`; the values this
    session could not confirm at all (LNG's and hydrogen's standard coal, biomass CO2 rule) say so."""
    raw = yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))
    entries = list(_entries(raw))
    assert not [p for p, e in entries if e.get("verified") is True]
    for p, e in entries:
        if "report" in str(e.get("checked", "")) or "reproduced" in str(e.get("checked", "")):
            assert e.get("secondary") is True, p
    fs = get_factor_set("sh-2022")
    summary = {r["carrier"]: r for r in fs.summary()["carriers"]}
    assert summary["lng"]["status_coal"] == "unverified" and summary["hydrogen"]["status_coal"] == "unverified"
    assert summary["lng"]["status_co2"] == "secondary" and summary["diesel"]["status_co2"] == "secondary"
    assert fs.summary()["grid_non_fossil_share_status"] == "secondary"


def test_natural_gas_and_lng_state_their_two_heat_contents():
    fs = get_factor_set("sh-2022")
    notes = {r["carrier"]: r["note"] for r in fs.summary()["carriers"]}
    assert "35544" in notes["natural_gas"] and "38931" in notes["natural_gas"]
    assert "GB/T 2589" in notes["natural_gas"] and "1722" in notes["natural_gas"]
    assert "51498" in notes["lng"] and "44.2" in notes["lng"]
