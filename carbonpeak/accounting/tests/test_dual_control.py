"""Dual control as national policy defines it, against figures computed by hand.

Coefficients are typed here from their documents, never read from the factor file:
GB/T 2589-2020 附录A: natural gas 1.2143 kgce/m3, diesel 1.4571 kgce/kg, electricity 当量值 0.1229 kgce/kWh;
等价值 electricity: 2020 national coal-fired 供电煤耗 305.5 gce/kWh (the only year in the data: later years reuse it);
CO2: natural gas 389.31 GJ/10^4 m3 x 15.3 tC/TJ x 99%, diesel 42.652 GJ/t x 20.2 tC/TJ x 98% (x 44/12);
Shanghai grid 0.42 tCO2/MWh (沪环气〔2022〕34号), green power 0 (沪环气候〔2023〕89号).
"""

import json
from io import StringIO

import pandas as pd
import pytest
from django.core.management import call_command

from carbonpeak.accounting import services
from carbonpeak.accounting.engine.factors import get_factor_set
from carbonpeak.accounting.engine.inventory import (
    InventoryError, compute_inventory, constant_price_gdp, control_energy, dual_control,
)
from carbonpeak.accounting.engine.records import RecordsError, parse_records
from carbonpeak.accounting.models import (
    AssessmentBasis, CarbonCap, EnergyCap, GdpDeflator, GdpRecord,
)
from carbonpeak.plan.models import Indicator
from carbonpeak.progress import services as progress

C = 44 / 12
GAS_TCE_PER_M3 = 1.2143e-3
DIESEL_TCE_PER_T = 1.4571
EL_EQ = 0.1229e-3  # tce/kWh 当量值
EL_EQUAL = 305.5e-6  # tce/kWh 等价值 (2020 供电煤耗)
GAS_CO2_PER_M3 = 389.31e-3 / 1e4 * 15.3 * 0.99 * C
DIESEL_CO2_PER_T = 42.652e-3 * 20.2 * 0.98 * C
GRID_CO2_PER_KWH = 0.42e-3

CASE = """entity,sector,carrier,quantity,unit,year,use
Chem,industry,natural_gas,100,万m3,2020,
Chem,industry,natural_gas,40,万m3,2020,feedstock
Chem,industry,electricity,2000,万kWh,2020,
Chem,industry,pv_electricity,100,万kWh,2020,
Chem,industry,natural_gas,100,万m3,2023,
Chem,industry,natural_gas,60,万m3,2023,原料
Chem,industry,electricity,1800,万kWh,2023,
Chem,industry,pv_electricity,250,万kWh,2023,
Chem,industry,wind_electricity,50,万kWh,2023,
Chem,industry,green_electricity,100,万kWh,2023,
Fleet,transport,diesel,300,t,2023,energy
"""


def _hand() -> dict:
    """The case by hand: per year and method, all energy, feedstock, renewables, deduction, control energy, CO2."""
    out = {}
    for method, el in (("当量值", EL_EQ), ("等价值", EL_EQUAL)):
        y20 = {"energy": 140e4 * GAS_TCE_PER_M3 + 2100e4 * el, "feedstock": 40e4 * GAS_TCE_PER_M3,
               "renewable": 100e4 * el, "deduction": 0.0}
        ren23 = 250e4 + 50e4 + 100e4  # PV + wind + green power, kWh
        y23 = {"energy": 160e4 * GAS_TCE_PER_M3 + (1800e4 + ren23) * el + 300 * DIESEL_TCE_PER_T,
               "feedstock": 60e4 * GAS_TCE_PER_M3, "renewable": ren23 * el,
               "deduction": (ren23 - 100e4) * el}  # beyond the 2020 base of 100 万kWh
        for y in (y20, y23):
            y["control"] = y["energy"] - y["feedstock"] - y["deduction"]
        out[method] = {2020: y20, 2023: y23}
    co2 = {2020: 100e4 * GAS_CO2_PER_M3 + 2000e4 * GRID_CO2_PER_KWH,  # feedstock gas is not burnt
           2023: 100e4 * GAS_CO2_PER_M3 + 1800e4 * GRID_CO2_PER_KWH + 300 * DIESEL_CO2_PER_T}
    return {"methods": out, "co2": co2}


def test_compute_cli_hand_computed_case(tmp_path):
    path = tmp_path / "case.csv"
    path.write_text(CASE, encoding="utf-8")
    out = StringIO()
    call_command("accounting", "compute", "--input", str(path), "--format", "json", stdout=out)
    d = json.loads(out.getvalue())
    hand = _hand()
    assert d["co2_t"] == pytest.approx(sum(hand["co2"].values()), rel=1e-12)
    assert d["feedstock_tce"] == pytest.approx(100e4 * GAS_TCE_PER_M3, rel=1e-12)
    for label, years in hand["methods"].items():
        m = d["methods"][label]
        assert m["method"] == {"当量值": "equivalent", "等价值": "reporting"}[label]
        for key, hand_key in (("energy_tce", "energy"), ("feedstock_tce", "feedstock"),
                              ("renewable_tce", "renewable"), ("renewable_deduction_tce", "deduction"),
                              ("dual_control_energy_tce", "control")):
            assert m[key] == pytest.approx(sum(y[hand_key] for y in years.values()), rel=1e-12), (label, key)
            for year, y in years.items():
                assert m["by_year"][str(year)][key] == pytest.approx(y[hand_key], rel=1e-12), (label, year, key)
        assert m["co2_t"] == pytest.approx(d["co2_t"])
        assert any("803号" in r for r in m["rules"]) and any("1258号" in r and "扣除" in r for r in m["rules"])
    assert d["methods"]["当量值"]["energy_tce"] == pytest.approx(d["energy_tce"])
    assert d["methods"]["等价值"]["energy_tce"] == pytest.approx(d["energy_tce_reporting"])
    for label, suffix in (("当量值", ""), ("等价值", "_reporting")):  # the same sums as top-level keys
        assert d[f"dual_control_energy_tce{suffix}"] == pytest.approx(
            sum(y["control"] for y in hand["methods"][label].values()), rel=1e-12)
        assert d[f"renewable_deduction_tce{suffix}"] == d["methods"][label]["renewable_deduction_tce"]
    assert d["rules"] == d["methods"]["当量值"]["rules"]
    assert any("2023 reuse 2020" in w and "供电煤耗" in w for w in d["warnings"])  # 等价值 of 2023 is 2020's


def test_feedstock_is_out_of_control_and_not_burnt():
    df = parse_records("entity,sector,carrier,quantity,unit,year,use\nA,industry,diesel,10,t,2022,feedstock\n"
                       "A,industry,diesel,10,t,2022,\n")
    inv = compute_inventory(df, get_factor_set("sh-2022"))
    assert inv.totals["energy_tce"] == pytest.approx(20 * DIESEL_TCE_PER_T)  # all energy, shown
    assert inv.totals["feedstock_tce"] == pytest.approx(10 * DIESEL_TCE_PER_T)  # separately
    assert inv.totals["co2_t"] == pytest.approx(10 * DIESEL_CO2_PER_T)
    row = control_energy(inv.by_year, "equivalent")[2022]
    assert row["dual_control_energy_tce"] == pytest.approx(10 * DIESEL_TCE_PER_T)
    with pytest.raises(RecordsError) as exc:
        parse_records("entity,sector,carrier,quantity,unit,year,use\nA,industry,electricity,1,kWh,2022,feedstock\n"
                      "A,industry,diesel,1,t,2022,fuel-ish\n", "u.csv")
    assert [str(e) for e in exc.value.errors] == [
        "u.csv:2: use: feedstock use applies to fuels only, not 'electricity'",
        "u.csv:3: use: unknown use 'fuel-ish'; accepted: energy, feedstock"]


def test_feedstock_use_column_in_excel(tmp_path):
    path = tmp_path / "records.xlsx"
    pd.DataFrame({"entity": ["A", "A"], "sector": ["industry"] * 2, "carrier": ["lng", "lng"], "quantity": [2, 3],
                  "unit": ["t", "t"], "year": [2022, 2022], "use": ["feedstock", None]}).to_excel(path, index=False)
    inv = compute_inventory(parse_records(path), get_factor_set("sh-2022"))
    assert inv.totals["feedstock_tce"] == pytest.approx(2 * 1.7572)  # GB/T 2589-2020 LNG 1.7572 kgce/kg
    assert inv.totals["energy_tce"] == pytest.approx(5 * 1.7572)


def test_renewable_deduction_without_a_2020_base():
    df = parse_records("entity,sector,carrier,quantity,unit,year\nA,industry,pv_electricity,100,万kWh,2022\n"
                       "A,industry,pv_electricity,300,万kWh,2023\n")
    inv = compute_inventory(df, get_factor_set("sh-2022"))
    rows = control_energy(inv.by_year, "reporting")
    for y, kwh in ((2022, 100e4), (2023, 300e4)):
        assert rows[y]["renewable_deduction_tce"] == 0.0
        assert rows[y]["renewable_tce"] == pytest.approx(kwh * EL_EQUAL)  # shown separately
        assert rows[y]["dual_control_energy_tce"] == pytest.approx(kwh * EL_EQUAL)
        assert rows[y]["renewable_base_kwh"] is None
        assert any("无扣除基数" in r and "no deduction base" in r for r in rows[y]["rules"])


def test_renewable_deduction_never_negative_and_per_year():
    df = parse_records("entity,sector,carrier,quantity,unit,year\nA,industry,pv_electricity,100,万kWh,2020\n"
                       "A,industry,pv_electricity,80,万kWh,2021\nA,industry,pv_electricity,130,万kWh,2022\n")
    rows = control_energy(compute_inventory(df, get_factor_set("sh-2022")).by_year, "equivalent")
    assert rows[2021]["renewable_deduction_tce"] == 0.0  # below the base: nothing deducted, nothing added
    assert rows[2022]["renewable_deduction_kwh"] == pytest.approx(30e4)
    assert rows[2022]["dual_control_energy_tce"] == pytest.approx(100e4 * EL_EQ)


def test_new_renewables_leave_the_total_and_the_intensity():
    """1258号 as issue #10 reads it: the deduction applies to the total and to the intensity (docs/dual-control.md)."""
    df = parse_records("entity,sector,carrier,quantity,unit,year,use\nA,industry,pv_electricity,100,万kWh,2020,\n"
                       "A,industry,pv_electricity,130,万kWh,2022,\nA,industry,diesel,10,t,2022,feedstock\n"
                       "A,industry,diesel,10,t,2020,\nA,industry,diesel,10,t,2022,\n")
    by_year = compute_inventory(df, get_factor_set("sh-2022")).by_year
    out = dual_control(by_year, {2020: 100.0, 2022: 100.0}, method="equivalent", energy_cap_tce=1e9)
    row = {r["year"]: r for r in out["years"]}[2022]
    counted = 130e4 * EL_EQ + 10 * DIESEL_TCE_PER_T - 30e4 * EL_EQ  # all but feedstock, less the new 30万kWh
    assert row["dual_control_energy_tce"] == pytest.approx(counted)
    assert row["energy_intensity_tce_per_10k_yuan"] == pytest.approx(counted / 100.0)
    assert row["cap_headroom_tce"] == pytest.approx(1e9 - counted)


def test_non_fossil_share_counts_grid_non_fossil_part():
    df = parse_records("entity,sector,carrier,quantity,unit,year\nA,industry,electricity,1000,万kWh,2022\n"
                       "A,industry,pv_electricity,100,万kWh,2022\nA,industry,natural_gas,50,万m3,2022\n")
    grid_share = (0.14 - 0.015) * 1.25e8 / EL_EQUAL / 1560e8  # Shanghai 2020 plan targets, derived by hand
    eq_total = 1100e4 * EL_EQ + 50e4 * GAS_TCE_PER_M3
    sh = compute_inventory(df, get_factor_set("sh-2022"))
    assert sh.totals["non_fossil_share"] == pytest.approx((100e4 + grid_share * 1000e4) * EL_EQ / eq_total, rel=2e-3)
    mee = compute_inventory(df, get_factor_set("cn-mee-2024"))  # no grid share declared: grid counted fossil
    assert mee.totals["non_fossil_share"] == pytest.approx(100e4 * EL_EQ / eq_total)


def _by_year(energy: dict[int, float], co2: dict[int, float]) -> dict:
    return {y: {"energy_tce": e, "energy_tce_reporting": 2 * e, "co2_t": co2[y], "coal_tce": 0.0,
                "non_fossil_tce": 0.0, "non_fossil_tce_reporting": 0.0} for y, e in energy.items()}


def test_cap_compared_only_in_its_own_method():
    by_year = _by_year({2020: 100.0, 2022: 100.0}, {2020: 200.0, 2022: 190.0})
    gdp = {2020: 10.0, 2022: 11.0}
    same = dual_control(by_year, gdp, energy_cap_tce={2022: 110.0}, cap_method={2022: "equivalent"})
    assert same["years"][1]["within_cap"] is True and same["years"][1]["cap_headroom_tce"] == pytest.approx(10.0)
    other = dual_control(by_year, gdp, method="reporting", energy_cap_tce={2022: 110.0},
                         cap_method={2022: "equivalent"})
    row = other["years"][1]
    assert row["within_cap"] is None and row["energy_cap_tce"] is None and row["energy_cap_declared_in"] == "当量值"
    assert other["summary"]["within_cap"] is None


@pytest.mark.django_db
def test_inventory_reporting_method_does_not_compare_an_equivalent_cap(qingpu_plan):
    """The bug: `targets()` dropped EnergyCap.method, so `inventory --method reporting` was over every cap."""
    services.import_records(qingpu_plan, "entity,sector,carrier,quantity,unit,year\n"
                                         "A,industry,electricity,1000,万kWh,2021\n", "c.csv")
    EnergyCap.objects.create(plan=qingpu_plan, year=2021, cap_tce=1500.0, method="equivalent")
    out = StringIO()
    call_command("accounting", "inventory", "--method", "reporting", stdout=out)
    row = json.loads(out.getvalue())["dual_control"]["years"][0]
    assert row["energy_tce"] == pytest.approx(1000e4 * EL_EQUAL)  # 3055 tce: over 1500 if it were compared
    assert row["within_cap"] is None and row["energy_cap_declared_in"] == "当量值"
    out = StringIO()
    call_command("accounting", "inventory", "--method", "equivalent", stdout=out)
    row = json.loads(out.getvalue())["dual_control"]["years"][0]
    assert row["within_cap"] is True and row["cap_headroom_tce"] == pytest.approx(1500 - 1000e4 * EL_EQ)
    EnergyCap.objects.create(plan=qingpu_plan, year=2021, cap_tce=3000.0, method="reporting")
    row = services.inventory(qingpu_plan, method="reporting").result["dual_control"]["years"][0]
    assert row["within_cap"] is False and row["energy_cap_declared_in"] == "等价值"


def test_gdp_price_base_converted_or_refused():
    values = {2020: (100.0, 2020), 2023: (130.0, 2023)}
    with pytest.raises(InventoryError, match="2023 is at 2023 prices.*constant 2020 prices"):
        constant_price_gdp(values, 2020)
    with pytest.raises(InventoryError, match="deflator"):
        constant_price_gdp(values, 2020, {2020: 100.0})
    # 2023 prices are 8% above 2020's: 130 at 2023 prices = 130 / 1.08 at 2020 prices
    assert constant_price_gdp(values, 2020, {2020: 100.0, 2023: 108.0}) == {2020: 100.0, 2023: pytest.approx(130 / 1.08)}


@pytest.mark.django_db
def test_gdp_in_another_price_base_on_the_database(qingpu_plan):
    services.import_records(qingpu_plan, "entity,sector,carrier,quantity,unit,year\nA,industry,diesel,10,t,2020\n"
                                         "A,industry,diesel,10,t,2023\n", "g.csv")
    GdpRecord.objects.create(plan=qingpu_plan, year=2020, value_10k_yuan=100.0, price_base_year=2020)
    GdpRecord.objects.create(plan=qingpu_plan, year=2023, value_10k_yuan=130.0, price_base_year=2023)
    with pytest.raises(InventoryError, match="2023 prices"):
        services.inventory(qingpu_plan)
    GdpDeflator.objects.create(plan=qingpu_plan, year=2020, index_value=100.0)
    GdpDeflator.objects.create(plan=qingpu_plan, year=2023, index_value=108.0)
    rows = {r["year"]: r for r in services.inventory(qingpu_plan).result["dual_control"]["years"]}
    assert rows[2023]["gdp_10k_yuan"] == pytest.approx(130 / 1.08)
    assert rows[2023]["energy_intensity_tce_per_10k_yuan"] == pytest.approx(10 * DIESEL_TCE_PER_T / (130 / 1.08))


def test_carbon_dual_control_targets_and_status():
    by_year = _by_year({2020: 100.0, 2023: 100.0, 2025: 100.0}, {2020: 200.0, 2023: 190.0, 2025: 150.0})
    gdp = {2020: 10.0, 2023: 11.0, 2025: 12.0}
    out = dual_control(by_year, gdp, co2_reduction=0.18, co2_target_year=2025, co2_cap_t={2023: 185.0, 2025: 160.0})
    rows = {r["year"]: r for r in out["years"]}
    # 2023: 190/11 = 17.27 t per 10^4 yuan against 20 x 0.82^(3/5) = 17.64 allowed
    assert rows[2023]["co2_intensity_t_per_10k_yuan"] == pytest.approx(190 / 11)
    assert rows[2023]["trajectory_co2_intensity"] == pytest.approx(20 * 0.82 ** 0.6)
    assert rows[2023]["within_co2_cap"] is False
    assert rows[2025]["within_co2_cap"] is True  # 12.5 <= 16.4
    s = out["summary"]
    assert s["co2_target_reduction"] == 0.18 and s["target_co2_intensity"] == pytest.approx(20 * 0.82)
    assert s["co2_achieved_reduction"] == pytest.approx(1 - 12.5 / 20)
    assert s["within_co2_cap"] is False
    assert dual_control(by_year, gdp)["summary"]["target_co2_intensity"] is None


@pytest.mark.django_db
def test_plan_declares_carbon_targets_and_method(qingpu_plan):
    services.import_records(qingpu_plan, "entity,sector,carrier,quantity,unit,year\nA,industry,diesel,10,t,2020\n"
                                         "A,industry,diesel,9,t,2023\n", "t.csv")
    GdpRecord.objects.create(plan=qingpu_plan, year=2020, value_10k_yuan=100.0)
    GdpRecord.objects.create(plan=qingpu_plan, year=2023, value_10k_yuan=100.0)
    Indicator.objects.filter(plan=qingpu_plan, code="carbon-intensity-gdp-2025").update(target_value=18)
    CarbonCap.objects.create(plan=qingpu_plan, year=2023, cap_t=20.0)
    AssessmentBasis.objects.create(plan=qingpu_plan, method="equivalent")
    run = services.inventory(qingpu_plan)
    assert run.method == "equivalent" and run.result["method_label"] == "当量值"
    s = run.result["dual_control"]["summary"]
    assert s["co2_target_reduction"] == pytest.approx(0.18) and s["co2_target_year"] == 2025
    assert s["co2_achieved_reduction"] == pytest.approx(0.1)  # 9 t of diesel vs 10 at the same GDP
    # 2023 is due at -11.2% (0.82^(3/5) = 0.8878 of 2020's intensity): -10% is 1.2 points behind, within the
    # tolerance band of 1.8 (10% of the 18-point distance): at risk, by the progress app's one rule
    co2 = progress.evaluate_plan(qingpu_plan, codes=("carbon-intensity-gdp-2025",))[0]
    assert co2.evaluation.latest_value == pytest.approx(10.0) and co2.status == "at_risk"
    assert s["within_co2_cap"] is False  # 9 t of diesel emit ~27.9 t > 20
