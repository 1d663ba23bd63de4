"""Driver dynamics, due plan targets, base-year states, committed loads, progress tracking and the tornado
(no database)."""

import numpy as np
import pytest

from carbonpeak.scenarios.engine import (BaseYear, ScenarioError, baseline_scenario, committed_effect, load_base,
                                         plan_scenario, project, with_observed)
from carbonpeak.scenarios.engine.model import Context, sample_parameters
from carbonpeak.scenarios.engine.sensitivity import tornado


@pytest.fixture(scope="module")
def base():
    return load_base()


@pytest.fixture(scope="module")
def base_2025(base):
    """The shipped base relabelled 2025 (the demo's accounting base year): plan targets dated 2025 are due."""
    data = base.to_dict()
    data["year"] = 2025
    return BaseYear.from_dict(data)


def params(sc, b, draws=4000, seed=5, horizon=2060):
    ctx = Context(base=b, years=np.arange(b.year, horizon + 1), scenario=sc)
    return sample_parameters(ctx, draws, seed)


@pytest.mark.parametrize("which", ["base", "base_2025"])
def test_peak_years_spread_no_break_year_holds_a_majority(request, which):
    """The old step paths put every turn on a period boundary (2025: 245, 2030: 425, all else 0)."""
    hist = project(plan_scenario(), request.getfixturevalue(which), draws=2000, seed=2022, wedges=False
                   ).peak()["histogram"]
    counts = np.array(hist["counts"])
    peaked = counts.sum()
    assert peaked > 200
    top = int(np.argmax(counts))
    assert counts[top] < peaked / 2
    for i, n in enumerate(counts[:-1]):  # every year holding 10 % of the peaks has a non-empty neighbour
        if n > peaked / 10:
            assert (counts[i - 1] if i else 0) + counts[i + 1] > 0
    assert np.count_nonzero(counts) >= len(counts) - 2  # peaks in (nearly) every year, not only at breaks


def test_smooth_drivers_have_no_step_at_the_old_period_boundaries(base):
    """With the AR(1) variation off, GDP growth changes by the same amount every year inside a segment:
    the year-to-year change at 2026 and 2031 (the old step boundaries) is no bigger than its neighbours'."""
    sc = baseline_scenario().to_dict()
    sc["drivers"]["gdp_growth"]["ar1"]["sd"] = 0.0
    g = params(baseline_scenario().copy(drivers=sc["drivers"]), base)["drivers.gdp_growth"]
    years = list(range(2021, 2061))
    step = np.abs(np.diff(g, axis=1)).mean(axis=0)  # step[i]: change from years[i] to years[i+1]
    for boundary in (2026, 2031, 2036):
        i = years.index(boundary) - 1
        assert step[i] <= 1.0001 * max(step[i - 1], step[i + 1])
        assert step[i] < 0.004  # the old step path jumped by ~0.014 on average here
    # and the AR(1) variation is year to year: no two draws share a path
    g_ar = params(baseline_scenario(), base)["drivers.gdp_growth"]
    assert np.abs(np.diff(g_ar[:, 3:], axis=1)).mean() > 0.005


def test_configured_correlations_are_present_in_the_draws(base):
    sc = baseline_scenario().to_dict()["drivers"]
    sc["gdp_growth"]["points"] = {"2022": 0.05}  # a fixed trend: the deviation is the AR(1) part
    p = params(baseline_scenario().copy(drivers=sc), base)
    dev, shock = p["drivers.gdp_growth"][:, 1:] - 0.05, p["drivers.intensity_shock"][:, 1:]
    assert np.corrcoef(dev.ravel(), shock.ravel())[0, 1] == pytest.approx(-0.5, abs=0.03)

    def ranks(x):
        return np.argsort(np.argsort(x))
    ev, elec = p["drivers.ev_new_share_trend"], p["drivers.electrification"][:, base.sectors.index("industry")]
    spearman = np.corrcoef(ranks(ev), ranks(elec))[0, 1]
    assert spearman == pytest.approx(6 / np.pi * np.arcsin(0.5 / 2), abs=0.03)  # Gaussian copula, rho 0.5
    # switching a correlation off removes it
    off = params(baseline_scenario().copy(drivers={**sc, "correlations": {"ev_new_share_trend~electrification": 0.0,
                                                                          "gdp_growth~intensity_shock": 0.0}}), base)
    assert abs(np.corrcoef(off["drivers.gdp_growth"][:, 1:].ravel(), off["drivers.intensity_shock"][:, 1:].ravel()
                           )[0, 1]) < 0.03


def test_due_targets_with_a_2025_base_give_ev_and_pue_wedges(base_2025):
    p = project(plan_scenario(), base_2025, draws=300, seed=3)
    w = p.wedges["wedges"]
    assert all(np.array(w["ev"])[2:] > 0) and all(np.array(w["dc_pue"])[1:] > 0)
    assert w["ev"][0] == 0 and w["dc_pue"][0] == 0
    notes = "\n".join(p.notes)
    assert "levers.ev.new_share: target for 2025 is at or before the base year 2025; applied as a floor" in notes
    assert "levers.dc_pue.pue_existing: target for 2025" in notes and "applied as a ceiling from 2026" in notes
    # the plan's 2025 EV target (0.5) is the floor of the new-car share from 2026 on
    # fleet PUE falls from the base state towards 1.4 at once: the existing fleet is at 1.4 from 2026
    assert p.indicators["dc_fleet_pue"][:, 1].max() <= 1.4 + 1e-12


def test_observed_base_state_replaces_the_default_and_fallbacks_are_listed(base_2025):
    state = {"ev_new_share_base": (0.45, "approved report 2025"), "pue_base": (1.35, "monitoring 2025")}
    p = project(plan_scenario(), base_2025, draws=200, seed=3, state=state)
    notes = "\n".join(p.notes)
    assert "drivers.ev_new_share_base = 0.45 in 2025: approved report 2025" in notes
    assert "drivers.green_share_base: no observed value for 2025; fallback 0.7" in notes
    assert p.indicators["dc_fleet_pue"][:, 0].tolist() == [1.35] * 200
    # PUE already below the plan's 1.4 ceiling: the ceiling does not raise it, the PUE wedge of existing DCs is ~0
    assert p.indicators["dc_fleet_pue"][:, 1].max() <= 1.35 + 1e-12
    # the base year is still the inventory, bit for bit, for every draw
    for d in range(p.draws):
        assert np.array_equal(p.energy[d, :, :, 0], base_2025.energy)
        assert np.array_equal(p.co2[d, :, :, 0], base_2025.co2)
    with pytest.raises(ScenarioError, match="unknown base-year state"):
        project(plan_scenario(), base_2025, draws=2, state={"pv_mw": (1.0, "x")})


def test_committed_loads_zero_project_changes_nothing_and_a_load_adds_exactly_its_co2(base):
    sc = plan_scenario()
    zero = [{"sector": "industry", "carrier": "natural_gas", "energy_tce": 0.0, "year": 2024}]
    out = committed_effect(sc, base, zero, draws=300, seed=8)
    assert out["co2_added_mean"] == [0.0] * len(out["years"])
    assert out["p_peak_by"]["with"] == out["p_peak_by"]["without"]
    a = project(sc, base, draws=300, seed=8, wedges=False)
    load = [{"sector": "industry", "carrier": "natural_gas", "energy_tce": 1000.0, "year": 2024, "until": 2030}]
    b = project(sc, base, draws=300, seed=8, wedges=False, committed_loads=load)
    s, c = base.sectors.index("industry"), base.carriers.index("natural_gas")
    factor = base.co2[s, c] / base.energy[s, c]  # the inventory's implied natural-gas factor of industry
    diff = b.total_co2 - a.total_co2
    years = a.years.tolist()
    for y in years:
        expected = 1000.0 * factor if 2024 <= y <= 2030 else 0.0
        assert diff[:, years.index(y)] == pytest.approx(np.full(300, expected), rel=1e-9, abs=1e-6)
    early = project(sc, base, draws=5, seed=8, committed_loads=[{**load[0], "year": 2021}])
    assert any("starts in 2021, at or before the base year 2021" in n for n in early.notes)


@pytest.mark.parametrize("row, fragment", [
    ({"sector": "mars", "carrier": "natural_gas", "energy_tce": 1.0, "year": 2024}, r"committed_loads\[0\].sector"),
    ({"sector": "industry", "carrier": "plasma", "energy_tce": 1.0, "year": 2024}, r"committed_loads\[0\].carrier"),
    ({"sector": "industry", "carrier": "natural_gas", "energy_tce": -1.0, "year": 2024}, "energy_tce"),
    ({"sector": "industry", "carrier": "natural_gas", "energy_tce": 1.0}, "missing field 'year'"),
])
def test_bad_committed_loads_are_named(base, row, fragment):
    with pytest.raises(ScenarioError, match=fragment):
        project(plan_scenario(), base, draws=2, committed_loads=[row])


def test_progress_tracking_reproduces_observed_years_exactly(base_2025):
    observed = {2021: 3.1e6, 2022: 2.9e6, 2023: 3.05e6, 2024: 3.2e6}
    proj = project(plan_scenario(), base_2025, draws=300, seed=4, wedges=False)
    out = with_observed(proj, observed)
    assert out["years"][:5].tolist() == [2021, 2022, 2023, 2024, 2025]
    for i, y in enumerate(observed):
        assert np.all(out["total_co2"][:, i] == observed[y])
    assert np.all(out["total_co2"][:, 4] == proj.total_co2[:, 0])  # the base year: the inventory
    # an observed year above every forecast year is the peak, already reached
    high = with_observed(proj, {**observed, 2022: 1e9})
    assert high["peak"]["p_peak_by"] == 1.0 and set(high["peak"]["peak_year"].tolist()) == {2022}
    with pytest.raises(ScenarioError, match="yearly up to 2024"):
        with_observed(proj, {2021: 1.0, 2023: 1.0})


def test_tornado_ranks_the_input_that_decides_the_outcome_first():
    rng = np.random.default_rng(1)
    decisive, noise = rng.normal(size=1000), rng.normal(size=1000)
    hit = decisive > 0
    rows = tornado({"noise": noise, "decisive": decisive}, hit)
    assert rows[0]["input"] == "decisive" and rows[0]["low"] == 0.0 and rows[0]["high"] == 1.0
    assert rows[1]["swing"] < 0.15


def test_sensitivity_and_assumptions_in_the_run(base):
    d = project(plan_scenario(), base, draws=500, seed=2, wedges=False).to_dict()
    names = [r["input"] for r in d["sensitivity"]["inputs"]]
    assert len(names) == 10 and "drivers.gdp_growth" in names
    assert not any(n.startswith("levers.grid.") for n in names)  # the grid lever is off in the plan scenario
    assert [a["path"] for a in d["assumptions"]][0] == "levers.pv.additions_mw.2026"


def test_project_pair_is_exactly_the_two_projections(base):
    """Sampling the parameters and the reference once for both committed-load variants changes no number."""
    from carbonpeak.scenarios.engine import project_pair

    sc = plan_scenario()
    first = [{"sector": "industry", "carrier": "natural_gas", "energy_tce": 500.0, "year": 2024}]
    second = first + [{"sector": "industry", "carrier": "electricity", "energy_tce": 2000.0, "year": 2026}]
    pair = project_pair(sc, base, first, second, draws=300, seed=8, chunk=128)
    for got, loads in zip(pair, (first, second)):
        alone = project(sc, base, draws=300, seed=8, wedges=False, chunk=128, committed_loads=loads)
        assert np.array_equal(got.cells_energy, alone.cells_energy) and np.array_equal(got.cells_co2, alone.cells_co2)
        assert np.array_equal(got.gdp, alone.gdp) and got.notes == alone.notes
        assert all(np.array_equal(got.indicators[k], v) for k, v in alone.indicators.items())
        assert got.to_dict() == alone.to_dict()
