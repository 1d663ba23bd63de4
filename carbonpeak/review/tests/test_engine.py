"""The review engine without a database: arithmetic by hand with GB/T 2589 coefficients, every check, the
recommendation, the scenario pair (a zero-energy project changes nothing), field errors."""

from __future__ import annotations

import pytest

from carbonpeak.accounting.engine.factors import builtin_factor_sets
from carbonpeak.review.engine import (
    APPROVE, CONDITIONAL, REJECT, Budget, ProposalError, account_proposal, load_proposal, load_rules,
    parse_proposal, review,
)
from carbonpeak.review.engine.rules import EXAMPLES_DIR, RULES_DIR
from carbonpeak.scenarios import engine as se

# GB/T 2589-2020 附录A (typed here, not read from the factor file)
ELECTRICITY_KGCE_PER_KWH = 0.1229  # 电力（当量值）
ELECTRICITY_2020_KGCE_PER_KWH = 0.3055  # 电力（等价值）: 2020 coal-fired 供电煤耗, the sh-2022 set's rate
DIESEL_KGCE_PER_KG = 1.4571
NATURAL_GAS_KGCE_PER_M3 = 1.2143
SHANGHAI_GRID_T_PER_MWH = 0.42  # 沪环气〔2022〕34号
DIESEL_T_CO2_PER_T = 42652e-6 * 20.2 * 0.98 * 44 / 12  # NCV TJ/t x tC/TJ x oxidation x 44/12

INDICATORS = {"dc-pue-new": {"target_value": 1.3, "target_year": 2025},
              "two-high-one-low-projects-new": {"target_value": 0, "target_year": 2025},
              "new-city-ultra-low-energy-standard-2025": {"target_value": 100, "target_year": 2025}}
DRAWS = 300


@pytest.fixture(scope="module")
def rules():
    return load_rules(RULES_DIR / "qingpu-2022.yaml")


@pytest.fixture(scope="module")
def fs():
    return builtin_factor_sets()["sh-2022"]


@pytest.fixture(scope="module")
def base():
    return se.load_base()


def proposal(rules, **over):
    data = {"name": "测试项目", "town": "白鹤镇", "sector": "electronics", "kind": "industrial", "start_year": 2026,
            "added_value_10k_yuan": 1000,
            "energy": [{"carrier": "electricity", "quantity": 1_000_000, "unit": "kWh"},
                       {"carrier": "diesel", "quantity": 100, "unit": "t"}],
            "own_renewables": [{"carrier": "pv_electricity", "quantity": 100, "unit": "MWh"}],
            "feedstock": [{"carrier": "natural_gas", "quantity": 1, "unit": "万m3"}]} | over
    return parse_proposal({k: v for k, v in data.items() if v is not None}, rules.sectors, rules.exceptions)


def run(p, rules, fs, base, budget=Budget(), indicators=INDICATORS, **kw):
    return review(p, rules, indicators, fs, se.plan_scenario(), base, budget, draws=DRAWS, seed=7, **kw)


def check(result, rule):
    return next(c for c in result["checks"] if c["rule"] == rule)


def test_energy_and_co2_by_hand(rules, fs):
    acc = account_proposal(proposal(rules), rules, fs, [2026])[2026]
    electricity = 1_000_000 * ELECTRICITY_KGCE_PER_KWH / 1000
    diesel = 100 * DIESEL_KGCE_PER_KG
    pv = 100_000 * ELECTRICITY_KGCE_PER_KWH / 1000
    feedstock = 10_000 * NATURAL_GAS_KGCE_PER_M3 / 1000
    assert acc["energy_tce"] == pytest.approx(electricity + diesel + pv + feedstock)
    # dual control: feedstock out, the project's renewable electricity is all new (none in 2020): deducted
    assert acc["control_tce"]["当量值"] == pytest.approx(electricity + diesel)
    assert acc["control_tce"]["等价值"] == pytest.approx(1_000_000 * ELECTRICITY_2020_KGCE_PER_KWH / 1000 + diesel)
    # feedstock is not burnt, PV has no emissions
    assert acc["co2_t"] == pytest.approx(1000 * SHANGHAI_GRID_T_PER_MWH + 100 * DIESEL_T_CO2_PER_T)


def test_ramp_up_and_intensity(rules, fs, base):
    p = proposal(rules, ramp_up_years=4, start_year=2027)
    r = run(p, rules, fs, base)
    control = 1_000_000 * ELECTRICITY_KGCE_PER_KWH / 1000 + 100 * DIESEL_KGCE_PER_KG
    assert r["full_operation_year"] == 2030
    assert r["intensity_tce_per_10k_yuan"] == pytest.approx(control / 1000)
    by_year = {row["year"]: row for row in r["impact_by_year"]}
    assert by_year[2025]["project_energy_tce"] == 0 and by_year[2025]["pct_points"] == 0
    assert by_year[2027]["project_energy_tce"] == pytest.approx(control / 4)
    row = by_year[2030]
    gdp = row["district_energy_tce"] / row["intensity_before"]
    after = (row["district_energy_tce"] + control) / (gdp + 1000)
    assert row["intensity_after"] == pytest.approx(after)
    assert row["pct_points"] == pytest.approx((after - row["intensity_before"]) / r["district_intensity_tce_per_10k_yuan"] * 100)
    assert r["intensity_impact_pct_points"] == row["pct_points"]  # 2030: the first assessment year it runs in
    assert [ld["energy_tce"] for ld in r["committed_loads"] if ld["carrier"] == "electricity"] == \
        pytest.approx([1_000_000 * ELECTRICITY_KGCE_PER_KWH / 1000 * k / 4 for k in (1, 2, 3, 4)])


def test_zero_energy_project_changes_nothing(rules, fs, base):
    p = proposal(rules, energy=[], own_renewables=[], feedstock=[])
    r = run(p, rules, fs, base)
    assert r["energy_tce"] == 0 and r["committed_loads"] == []
    assert r["p_peak_by_2030_after"] == r["p_peak_by_2030_before"]
    assert r["peak_year_p50_after"] == r["peak_year_p50_before"]
    assert r["histogram_after"] == r["histogram_before"]
    assert all(row["co2_after_t"] == row["co2_before_t"] for row in r["impact_by_year"])


def test_a_large_project_moves_the_peak_probability(rules, fs, base):
    big = proposal(rules, energy=[{"carrier": "electricity", "quantity": 3, "unit": "亿kWh"}], start_year=2029)
    r = run(big, rules, fs, base)
    assert r["p_peak_by_2030_after"] < r["p_peak_by_2030_before"]
    assert all(row["co2_after_t"] > row["co2_before_t"] for row in r["impact_by_year"] if row["year"] >= 2029)


def test_data_centre_pue_limit_from_the_indicator(rules, fs, base):
    dc = proposal(rules, kind="data_centre", sector="data_centre", it_capacity_kw=1000, design_pue=1.35)
    c = check(run(dc, rules, fs, base), "data_centre_pue")
    assert c["passed"] is False and "1.3" in c["detail"] and "PUE" in c["source"]
    looser = INDICATORS | {"dc-pue-new": {"target_value": 1.4, "target_year": 2025}}
    assert check(run(dc, rules, fs, base, indicators=looser), "data_centre_pue")["passed"] is True
    ok = proposal(rules, kind="data_centre", sector="data_centre", it_capacity_kw=1000, design_pue=1.3)
    assert check(run(ok, rules, fs, base), "data_centre_pue")["passed"] is True
    assert check(run(proposal(rules), rules, fs, base), "data_centre_pue")["applicable"] is False


def test_two_high_one_low(rules, fs, base):
    r = run(proposal(rules, sector="steel"), rules, fs, base)
    assert check(r, "two_high_one_low")["passed"] is False
    assert r["recommendation"] == REJECT and "三.2" in check(r, "two_high_one_low")["source"]
    r = run(proposal(rules, sector="steel", exception="environmental_upgrade"), rules, fs, base)
    assert check(r, "two_high_one_low")["passed"] is True


def test_added_value_intensity_threshold(rules, fs, base):
    r = run(proposal(rules, added_value_10k_yuan=100), rules, fs, base)  # 2.69 tce/万元
    assert check(r, "added_value_intensity")["passed"] is False and r["recommendation"] == CONDITIONAL
    r = run(proposal(rules, added_value_10k_yuan=100_000), rules, fs, base)
    assert check(r, "added_value_intensity")["passed"] is True and r["recommendation"] == APPROVE
    assert r["intensity_threshold_tce_per_10k_yuan"] == r["district_intensity_tce_per_10k_yuan"]
    r = run(proposal(rules, added_value_10k_yuan=0), rules, fs, base)
    assert check(r, "added_value_intensity")["passed"] is False


def test_ultra_low_energy_in_the_new_city(rules, fs, base):
    office = dict(kind="building", sector="office", town="盈浦街道", added_value_10k_yuan=100_000)
    assert check(run(proposal(rules, **office), rules, fs, base), "ultra_low_energy")["passed"] is False
    assert check(run(proposal(rules, **office, ultra_low_energy=True), rules, fs, base),
                 "ultra_low_energy")["passed"] is True
    outside = check(run(proposal(rules, **office | {"town": "练塘镇"}), rules, fs, base), "ultra_low_energy")
    assert outside["passed"] is True and outside["applicable"] is False
    early = check(run(proposal(rules, **office | {"start_year": 2024}), rules, fs, base), "ultra_low_energy")
    assert early["applicable"] is False


def test_headroom_of_the_cap_and_the_town_share(rules, fs, base):
    p = proposal(rules, added_value_10k_yuan=100_000)
    control = 1_000_000 * ELECTRICITY_KGCE_PER_KWH / 1000 + 100 * DIESEL_KGCE_PER_KG
    b = Budget(cap_tce=1000.0, cap_year=2026, district_energy_tce=600.0, approved_tce=100.0,
               town_allocated_tce=500.0, town_energy_tce=200.0, town_approved_tce=50.0)
    r = run(p, rules, fs, base, budget=b)
    assert r["headroom_tce_before"] == pytest.approx(300.0)
    assert r["headroom_tce_after"] == pytest.approx(300.0 - control)
    assert r["town_headroom_tce_after"] == pytest.approx(250.0 - control)
    assert check(r, "district_cap")["passed"] is True
    tight = Budget(cap_tce=800.0, cap_year=2026, district_energy_tce=600.0, approved_tce=100.0)
    r = run(p, rules, fs, base, budget=tight)
    assert check(r, "district_cap")["passed"] is False and r["recommendation"] == REJECT
    assert run(p, rules, fs, base)["headroom_tce_before"] is None  # no cap: said, not invented


def test_field_errors_name_file_and_field(rules):
    with pytest.raises(ProposalError) as exc:
        parse_proposal({"name": "x", "kind": "data_centre", "sector": "nope", "start_year": "2026",
                        "energy": [{"carrier": "electricity", "quantity": -1, "unit": "t"}], "colour": 1},
                       rules.sectors, rules.exceptions, file="p.yaml")
    fields = {e.field for e in exc.value.errors}
    assert {"town", "sector", "start_year", "added_value_10k_yuan", "it_capacity_kw", "design_pue",
            "energy[0].quantity", "colour"} <= fields
    assert all(e.file == "p.yaml" for e in exc.value.errors)
    with pytest.raises(ProposalError) as exc:
        parse_proposal({"name": "x", "town": "t", "sector": "office", "kind": "building", "start_year": 2026,
                        "added_value_10k_yuan": 1, "energy": [{"carrier": "electricity", "quantity": 1, "unit": "t"}]},
                       rules.sectors, rules.exceptions)
    assert [e.field for e in exc.value.errors] == ["energy[0].unit"]


@pytest.mark.parametrize("name,expected", [("data-centre-pue-1.35.yaml", CONDITIONAL),
                                           ("two-high-one-low-plant.yaml", REJECT),
                                           ("office-ultra-low-energy.yaml", APPROVE)])
def test_shipped_examples(rules, fs, base, name, expected):
    p = load_proposal(EXAMPLES_DIR / name, rules.sectors, rules.exceptions)
    assert run(p, rules, fs, base)["recommendation"] == expected
