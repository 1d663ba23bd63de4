"""Distributions, paths and scenario validation (no database)."""

import numpy as np
import pytest

from carbonpeak.scenarios.engine import Scenario, ScenarioError, baseline_scenario, plan_scenario, sample, sample_path
from carbonpeak.scenarios.engine.distributions import central, path_central

YEARS = np.arange(2021, 2027)


def test_fixed_and_number_are_constant():
    assert np.array_equal(sample(0.05, 4, 1, "x"), np.full(4, 0.05))
    assert np.array_equal(sample({"dist": "fixed", "value": 2}, 3, 1, "x"), np.full(3, 2.0))


@pytest.mark.parametrize("spec", [
    {"dist": "normal", "mean": 1.0, "sd": 0.5},
    {"dist": "uniform", "low": 0.0, "high": 2.0},
    {"dist": "triangular", "low": 0.0, "mode": 0.5, "high": 2.0},
])
def test_same_seed_same_draws_other_seed_other_draws(spec):
    a, b, c = sample(spec, 1000, 7, "p"), sample(spec, 1000, 7, "p"), sample(spec, 1000, 8, "p")
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    # each parameter has its own stream: another name, other draws
    assert not np.array_equal(a, sample(spec, 1000, 7, "q"))


def test_moments_and_clip():
    x = sample({"dist": "normal", "mean": 1.0, "sd": 0.5}, 200_000, 1, "n")
    assert abs(x.mean() - 1.0) < 0.01 and abs(x.std() - 0.5) < 0.01
    t = sample({"dist": "triangular", "low": 0.0, "mode": 0.3, "high": 0.9}, 200_000, 1, "t")
    assert abs(t.mean() - 0.4) < 0.005  # (low + mode + high) / 3
    c = sample({"dist": "normal", "mean": 0.0, "sd": 1.0, "min": -0.5, "max": 0.5}, 10_000, 1, "c")
    assert c.min() == -0.5 and c.max() == 0.5
    assert central({"dist": "triangular", "low": 0, "mode": 0.3, "high": 0.9}) == 0.3


def test_linear_path_hand_computed():
    out = sample_path({"2022": 1.0, "2024": 3.0}, YEARS, 2, 0, "p")
    # flat before the first point, linear between, flat after the last
    assert np.allclose(out[0], [1.0, 1.0, 2.0, 3.0, 3.0, 3.0])


def test_step_path_and_anchor():
    step = sample_path({"interp": "step", "points": {"2020": 5.0, "2023": 7.0}}, YEARS, 1, 0, "s")
    assert step[0].tolist() == [5.0, 5.0, 7.0, 7.0, 7.0, 7.0]
    # anchored linear path starts from the base-year value and runs to the later points
    anch = sample_path({"2025": 0.6}, YEARS, 1, 0, "a", anchor=0.2)
    assert np.allclose(anch[0], [0.2, 0.3, 0.4, 0.5, 0.6, 0.6])
    assert path_central({"2023": {"dist": "normal", "mean": 2.0, "sd": 1.0}}, YEARS, anchor=0.0)[2] == 2.0


@pytest.mark.parametrize("goal, anchor, expected", [
    # base 2021; 2021's target 0.5 applies from 2022, then linear to 0.8 in 2024
    ("up", 0.2, [0.2, 0.5, 0.65, 0.8, 0.8, 0.8]),  # due target above the state: a floor from the next year
    ("up", 0.55, [0.55, 0.55, 0.675, 0.8, 0.8, 0.8]),  # state already beyond it: kept, never lowered
    ("down", 0.2, [0.2, 0.2, 0.5, 0.8, 0.8, 0.8]),  # a ceiling the state already meets
    ("", 0.2, [0.2, 0.5, 0.65, 0.8, 0.8, 0.8]),  # no direction: the target is the state
    ("observed", 0.2, [0.2, 0.4, 0.6, 0.8, 0.8, 0.8]),  # an assumed path: the observed base year replaces it
])
def test_target_due_at_or_before_the_base_year_is_applied_not_dropped(goal, anchor, expected):
    notes = []
    out = sample_path({"2019": 9.0, "2021": 0.5, "2024": 0.8}, YEARS, 1, 0, "a", anchor=anchor, goal=goal, notes=notes)
    assert np.allclose(out[0], expected)
    assert len(notes) == 1 and notes[0].startswith("a: ")
    assert ("a: points up to 2021" in notes[0]) if goal == "observed" else ("target for 2021" in notes[0]
                                                                              and "from 2022" in notes[0])


def test_ar1_variation_has_the_configured_sd_and_autocorrelation_and_no_base_year_change():
    years = np.arange(2021, 2061)
    spec = {"points": {"2021": 0.05, "2060": 0.01}, "ar1": {"sd": 0.01, "rho": 0.6}}
    out = sample_path(spec, years, 20_000, 3, "g", anchor=0.05)
    dev = out - sample_path({"2021": 0.05, "2060": 0.01}, years, 1, 0, "trend")[0]
    assert np.all(dev[:, 0] == 0)
    assert dev[:, 1:].std() == pytest.approx(0.01, rel=0.02)
    lag1 = np.corrcoef(dev[:, 1:-1].ravel(), dev[:, 2:].ravel())[0, 1]
    assert lag1 == pytest.approx(0.6, abs=0.02)
    with pytest.raises(ScenarioError, match=r"drivers.gdp_growth.ar1.rho"):
        Scenario(name="x", drivers={"gdp_growth": {"points": {"2022": 0.05}, "ar1": {"sd": 0.01, "rho": 1.0}}})


@pytest.mark.parametrize("spec", [
    {"dist": "uniform", "low": 0.0, "high": 2.0},
    {"dist": "triangular", "low": 0.0, "mode": 0.5, "high": 2.0},
])
def test_latent_quantiles_follow_the_marginal(spec):
    """Sampling from standard-normal latents (how correlated drivers are drawn) keeps the distribution."""
    z = np.random.default_rng(0).standard_normal(200_000)
    x = sample(spec, len(z), 0, "p", z=z)
    mean = (spec["low"] + spec.get("mode", 0) + spec["high"]) / (3 if "mode" in spec else 2)
    assert x.mean() == pytest.approx(mean, abs=0.01) and x.min() >= 0.0 and x.max() <= 2.0
    assert np.all(np.diff(x[np.argsort(z)]) >= 0)  # monotone in z: a copula, not a reshuffle


@pytest.mark.parametrize("pairs, fragment", [
    ({"gdp_growth~nope": 0.5}, "two different driver names"),
    ({"gdp_growth~intensity_shock": 1.5}, "number in -1..1"),
    ({"gdp_growth~ev_new_share_trend": 0.3}, "correlate a spec with a spec or sectors"),
    ({"electrification~ev_new_share_trend": 0.3}, "correlate a spec with a spec or sectors"),
])
def test_bad_correlations_are_named(pairs, fragment):
    with pytest.raises(ScenarioError, match=fragment):
        Scenario(name="x", drivers={"correlations": pairs})


@pytest.mark.parametrize("spec, fragment", [
    ({"dist": "lognormal", "mean": 1}, "field 'dist'"),
    ({"dist": "normal", "mean": 1}, "needs field 'sd'"),
    ({"dist": "triangular", "low": 1, "mode": 0, "high": 2}, "low <= mode <= high"),
    ("abc", "expected a number"),
])
def test_bad_specs_name_parameter_and_field(spec, fragment):
    with pytest.raises(ScenarioError, match=fragment) as err:
        Scenario(name="x", drivers={"grid_factor_change": spec})
    assert "drivers.grid_factor_change" in str(err.value)


def test_scenario_json_round_trip_and_errors():
    plan = plan_scenario()
    again = Scenario.from_dict(plan.to_dict())
    assert again.to_dict() == plan.to_dict()
    assert set(plan.enabled_levers()) >= {"pv", "ev", "dc_pue", "green_travel"}
    assert baseline_scenario().enabled_levers() == []
    with pytest.raises(ScenarioError, match="unknown lever"):
        Scenario(name="x", levers={"wind": {}})
    with pytest.raises(ScenarioError, match="levers.pv: unknown field"):
        Scenario(name="x", levers={"pv": {"mw": 3}})
    with pytest.raises(ScenarioError, match="levers.pv.additions_mw.2022"):
        Scenario(name="x", levers={"pv": {"additions_mw": {"2022": "lots"}}})
    with pytest.raises(ScenarioError, match="horizon"):
        Scenario(name="x", horizon=2070)


def test_plan_targets_enter_levers():
    sc = plan_scenario({"pv_mw_2021_2025": 294.0, "dc_pue_new": 1.25, "green_travel_2025": 0.8})
    assert sc.levers["pv"]["additions_mw"]["points"]["2021"] == pytest.approx(58.8)
    assert sc.levers["dc_pue"]["pue_new"] == {"2022": 1.25}
    assert sc.levers["green_travel"]["share"]["2025"] == 0.8
    assert sc.levers["green_travel"]["share"]["2035"] == 0.85  # absent target keeps the default
    with pytest.raises(ScenarioError, match="unknown key"):
        plan_scenario({"wind_mw": 3})
