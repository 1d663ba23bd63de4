"""Calibration, Kaya identity, reproducibility, wedges, peak detection and back-test (no database)."""

import numpy as np
import pytest

from carbonpeak.scenarios.engine import BaseYear, backtest, baseline_scenario, load_base, peak_stats, plan_scenario, project


@pytest.fixture(scope="module")
def base():
    return load_base()


@pytest.fixture(scope="module")
def plan_run(base):
    return project(plan_scenario(), base, draws=400, seed=11)


def test_base_year_reproduced_exactly_for_every_draw(base, plan_run):
    for arr, expected in ((plan_run.energy, base.energy), (plan_run.co2, base.co2)):
        for d in range(plan_run.draws):
            assert np.array_equal(arr[d, :, :, 0], expected)
    assert np.all(plan_run.gdp[:, 0] == base.gdp)


def test_base_year_from_inventory_records_round_trip(base):
    """An inventory given as long-form records (what the accounting engine yields) is the base."""
    rows = [{"sector": s, "carrier": c, "energy_tce": base.energy[i, j], "co2_t": base.co2[i, j]}
            for i, s in enumerate(base.sectors) for j, c in enumerate(base.carriers) if base.energy[i, j]]
    again = BaseYear.from_records(base.year, base.gdp, base.population, rows,
                                  va_share=dict(zip(base.sectors, base.va_share)),
                                  activity=dict(zip(base.sectors, base.activity)))
    p = project(baseline_scenario(), again, draws=5, seed=1, wedges=False)
    assert p.total_co2[0, 0] == pytest.approx(base.total_co2, rel=1e-12)
    assert p.total_energy[0, 0] == pytest.approx(base.total_energy, rel=1e-12)


def test_split_sector_keeps_totals(base):
    merged = BaseYear.from_dict(base.to_dict())
    split = merged.split_sector("industry", "chemicals", {"natural_gas": 100000.0}, va_share=0.05)
    assert split.energy.sum() == pytest.approx(merged.energy.sum())
    assert split.co2.sum() == pytest.approx(merged.co2.sum())


def test_kaya_identity_holds_per_sector_and_in_total(plan_run):
    gdp = plan_run.gdp * 1e4  # 万元
    # total: CO2 = GDP x (E/GDP) x (CO2/E)
    assert np.allclose(plan_run.total_co2, gdp * plan_run.energy_intensity * plan_run.carbon_per_energy, rtol=1e-12)
    # per sector: CO2_s = GDP x (E_s/GDP) x (CO2_s/E_s)
    e_s, c_s = plan_run.energy.sum(axis=2), plan_run.co2.sum(axis=2)  # (D,S,T)
    kaya = gdp[:, None, :] * (e_s / gdp[:, None, :]) * np.divide(c_s, e_s, out=np.zeros_like(c_s), where=e_s > 0)
    assert np.allclose(c_s, kaya, rtol=1e-12)
    # and the sum over sectors and carriers is the total
    assert np.allclose(c_s.sum(axis=1), plan_run.total_co2, rtol=1e-12)


def test_same_seed_identical_other_seed_different(base):
    sc = plan_scenario()
    a, b = (project(sc, base, draws=200, seed=5) for _ in range(2))
    c = project(sc, base, draws=200, seed=6)
    assert np.array_equal(a.co2, b.co2) and a.to_dict() == b.to_dict()
    assert not np.array_equal(a.co2, c.co2)


def test_chunk_size_never_changes_results(base):
    sc = plan_scenario()
    one = project(sc, base, draws=37, seed=3, chunk=1)  # the per-draw loop of the benchmark
    block = project(sc, base, draws=37, seed=3, chunk=16)
    assert np.allclose(one.co2, block.co2, rtol=1e-13, atol=0)
    assert one.wedges["wedges"].keys() == block.wedges["wedges"].keys()


def test_common_random_numbers_across_scenarios(base):
    """Same driver specs and seed give the same draws in another scenario (the gap has no sampling noise)."""
    a = project(baseline_scenario(), base, draws=100, seed=9, wedges=False)
    b = project(plan_scenario(), base, draws=100, seed=9, wedges=False)
    assert np.array_equal(a.gdp, b.gdp)


def test_wedges_sum_exactly_to_the_gap(base, plan_run):
    w = plan_run.wedges
    assert w["order"] == [k for k in ("green_travel", "ev", "hydrogen_buses", "retrofit", "ule_new_build", "dc_pue",
                                      "pv") if k in w["wedges"]]
    total = np.sum([w["wedges"][k] for k in w["order"]], axis=0)
    assert np.allclose(total, w["gap"], rtol=1e-12, atol=1e-6)
    # the reference is the no-measures counterfactual on the same draws: the baseline scenario's mean
    counterfactual = project(baseline_scenario(), base, draws=400, seed=11, wedges=False)
    assert np.allclose(w["reference_co2"], counterfactual.total_co2.mean(axis=0), rtol=1e-12)
    assert np.allclose(w["scenario_co2"], plan_run.total_co2.mean(axis=0), rtol=1e-12)
    assert all(v == 0 for v in np.array(w["gap"])[:1])  # nothing differs in the base year
    assert all(np.array(w["wedges"]["pv"])[1:] > 0)


def test_wedges_with_a_separate_baseline_include_drivers(base):
    faster = plan_scenario().copy("fast", drivers={"gdp_growth": 0.07})
    p = project(faster, base, draws=100, seed=2, baseline=baseline_scenario())
    w = p.wedges
    assert w["order"][0] == "drivers" and w["reference"] == "baseline"
    assert np.allclose(np.sum(list(w["wedges"].values()), axis=0), w["gap"], atol=1e-6)
    assert w["wedges"]["drivers"][-1] < 0  # faster growth adds emissions


YEARS = np.arange(2021, 2036)


def series(*values):
    return np.array([values], dtype=float)


def test_peak_monotonic_rising_is_not_a_peak():
    s = peak_stats(series(*range(15)), YEARS)
    assert s["peak_year"][0] == 2035 and not s["peaked"][0] and s["p_peak_by"] == 0.0
    assert s["peak_year_quantiles"]["p50"] is None and s["histogram"]["not_peaked"] == 1


def test_peak_declining_from_base_year():
    s = peak_stats(series(*range(15, 0, -1)), YEARS)
    assert s["peak_year"][0] == 2021 and s["peaked"][0] and s["p_peak_by"] == 1.0


@pytest.mark.parametrize("peak, counted", [(2029, True), (2030, True), (2031, False)])
def test_peak_in_2030_counts_2031_does_not(peak, counted):
    x = [-(abs(y - peak)) for y in YEARS]
    s = peak_stats(series(*x), YEARS)
    assert s["peak_year"][0] == peak and bool(s["p_peak_by"]) is counted


def test_plateau_equal_to_peak_is_not_a_confirmed_peak():
    x = [1, 2, 3, 5, 4, 5] + [4] * 9
    s = peak_stats(series(*x), YEARS)
    assert s["peak_year"][0] == 2024 and not s["peaked"][0]


def test_rebound_above_an_early_peak_moves_the_peak():
    x = [1, 2, 3, 4, 5, 6, 4, 4, 4, 4, 4, 4, 4, 7, 6]  # 2026 local peak, 2034 higher
    s = peak_stats(series(*x), YEARS)
    assert s["peak_year"][0] == 2034 and s["peaked"][0] and s["p_peak_by"] == 0.0


def test_peak_probability_and_histogram_over_draws():
    rising, early = list(range(15)), [-(abs(y - 2026)) for y in YEARS]
    s = peak_stats(np.array([rising, early, early, early], dtype=float), YEARS)
    assert s["p_peak_by"] == 0.75
    assert s["histogram"]["counts"][YEARS.tolist().index(2026)] == 3 and s["histogram"]["not_peaked"] == 1
    assert s["peak_year_quantiles"]["p50"] == 2026


def test_plan_peaks_earlier_than_baseline(base, plan_run):
    b = project(baseline_scenario(), base, draws=400, seed=11, wedges=False)
    assert plan_run.peak()["p_peak_by"] > b.peak()["p_peak_by"]
    assert (plan_run.total_co2[:, -1] < b.total_co2[:, -1]).all()


def test_to_dict_is_json_ready(plan_run):
    import json

    d = json.loads(json.dumps(plan_run.to_dict()))
    assert d["years"][0] == 2021 and len(d["bands"]["co2"]["p50"]) == len(d["years"])
    assert sum(d["histogram"]["counts"]) + d["histogram"]["not_peaked"] == plan_run.draws
    by_2030 = sum(n for y, n in zip(d["histogram"]["years"], d["histogram"]["counts"]) if y <= 2030)
    assert d["peak"]["p_peak_by"] == by_2030 / plan_run.draws


def test_backtest_mape_and_band_coverage_against_hand_made_actuals():
    """Actuals built from the projection's median: equal (error 0, inside the band), 10x (error -90 %, above
    P90) and 1/10 (error +900 %, below P10). MAPE = (0 + 90 + 900 + 0 + 0) / 5 = 198 %, 3 of 5 inside."""
    b = load_base()
    sc = plan_scenario()
    p = project(sc, b, years=2026, draws=300, seed=1, wedges=False)
    med = np.median(p.total_co2, axis=0)
    scale = {2022: 1.0, 2023: 10.0, 2024: 0.1, 2025: 1.0, 2026: 1.0}
    actuals = {y: {"co2_t": float(med[y - 2021] * k)} for y, k in scale.items()}
    out = backtest(sc, b, actuals, draws=300, seed=1)["co2_t"]
    assert out["years"] == [2022, 2023, 2024, 2025, 2026]
    assert out["error_pct"] == pytest.approx([0.0, -90.0, 900.0, 0.0, 0.0], abs=1e-9)
    assert out["mape_pct"] == pytest.approx(198.0)
    assert out["inside_p10_p90"] == 3


def test_backtest_is_zero_when_actuals_are_the_model():
    b = load_base()
    sc = baseline_scenario().copy(drivers={"gdp_growth": 0.05, "intensity_change": {"*": -0.02},
                                           "structure_drift": {"*": 0.0}, "electrification": {"*": 0.0}})
    p = project(sc, b, years=2026, draws=50, seed=1, wedges=False)
    actuals = {int(y): {"co2_t": float(np.median(p.total_co2[:, i]))} for i, y in enumerate(p.years) if i}
    assert backtest(sc, b, actuals, draws=50, seed=1)["co2_t"]["mape_pct"] == pytest.approx(0.0, abs=1e-9)
