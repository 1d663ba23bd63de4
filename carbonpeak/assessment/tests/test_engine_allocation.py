"""Allocation engine: every method reconciles exactly, including after rounding; intensity targets reproduce
the district intensity as a GDP-weighted mean."""

import numpy as np
import pytest

from carbonpeak.assessment.engine.allocation import (
    AllocationError, allocate_intensity, allocate_total, largest_remainder,
)
from carbonpeak.assessment.engine.reward import split_reward

UNITS = ["a", "b", "c"]


def test_largest_remainder_gives_leftover_steps_to_largest_fractions():
    steps = largest_remainder(np.array([1 / 3, 1 / 3, 1 / 3]) * 10, 10, 0)
    assert steps.tolist() == [4, 3, 3]  # tie: earliest unit gets the extra step
    steps = largest_remainder(np.array([2.6, 3.3, 4.1]), 10, 0)
    assert steps.tolist() == [3, 3, 4]


def test_equal_split_of_an_indivisible_total_is_exact_at_two_decimals():
    alloc = allocate_total(UNITS, 100.0, "equal", decimals=2)
    assert alloc.values.tolist() == [33.34, 33.33, 33.33]
    assert alloc.reconciles and int(alloc.steps.sum()) == 10000


@pytest.mark.parametrize("decimals", [0, 1, 3])
def test_proportional_reconciles_at_every_precision(decimals):
    rng = np.random.default_rng(7)
    base = rng.uniform(1, 1000, 50)
    units = [f"u{i}" for i in range(50)]
    alloc = allocate_total(units, 4_712_345.678, "proportional", decimals, base=base)
    assert int(alloc.steps.sum()) == round(4_712_345.678 * 10 ** decimals)
    naive = np.round(base / base.sum() * 4_712_345.678, decimals)
    assert np.abs(alloc.values - naive).max() <= 10.0 ** -decimals + 1e-9  # never more than one step from naive


def test_weighted_multiplies_base_by_composite_factor():
    factors = np.array([[1.0, 1.2], [1.0, 0.8], [2.0, 1.0]])
    alloc = allocate_total(UNITS, 1000, "weighted", 0, base=np.array([1.0, 1.0, 1.0]), factors=factors,
                           factor_weights=np.array([0.5, 0.5]))
    coef = np.array([1.1, 0.9, 1.5])
    assert alloc.values.tolist() == np.round(coef / coef.sum() * 1000).tolist()
    assert alloc.reconciles


def test_manual_shares_are_rescaled_and_said_so():
    alloc = allocate_total(UNITS, 29.4, "manual", 1, manual=np.array([0.5, 0.3, 0.3]))
    assert alloc.reconciles and round(alloc.values.sum(), 1) == 29.4
    assert "rescaled" in alloc.notes[0]


def test_bad_inputs_name_the_unit_and_field():
    with pytest.raises(AllocationError, match="unit 'b': base must be a number >= 0"):
        allocate_total(UNITS, 10, "proportional", base=np.array([1.0, -1.0, 2.0]))
    with pytest.raises(AllocationError, match="needs a base series"):
        allocate_total(UNITS, 10, "proportional")
    with pytest.raises(AllocationError, match="add up to 1"):
        allocate_total(UNITS, 10, "weighted", base=np.ones(3), factors=np.ones((3, 2)), factor_weights=[0.5, 0.6])
    with pytest.raises(AllocationError, match="unknown method"):
        allocate_total(UNITS, 10, "lottery")


@pytest.mark.parametrize("method", ["equal", "proportional", "weighted", "manual"])
def test_intensity_targets_reproduce_the_district_intensity(method):
    energy = np.array([100.0, 300.0, 50.0])
    gdp = np.array([200.0, 300.0, 400.0])
    target_gdp = gdp * np.array([1.3, 1.1, 1.5])  # uneven growth: plain equal rates would not reconcile
    kwargs = {"proportional": {"base": energy / gdp},
              "weighted": {"base": np.ones(3), "factors": np.array([[1.2], [1.0], [0.7]]), "factor_weights": [1.0]},
              "manual": {"manual": np.array([0.2, 0.15, 0.1])}}.get(method, {})
    alloc = allocate_intensity(UNITS, 0.14, energy, gdp, method, target_gdp=target_gdp, **kwargs)
    district_target = 0.86 * energy.sum() / gdp.sum()
    weighted = (alloc.target_intensity * target_gdp).sum() / target_gdp.sum()
    assert weighted == pytest.approx(district_target, rel=1e-12)
    assert alloc.reconciles
    assert "GDP-weighted" in alloc.to_dict()["reconciliation"]


def test_equal_rate_with_even_growth_gives_every_unit_the_district_rate():
    energy, gdp = np.array([100.0, 300.0]), np.array([200.0, 300.0])
    alloc = allocate_intensity(["a", "b"], 0.14, energy, gdp, "equal", target_gdp=gdp * 1.2)
    assert alloc.unit_rates == pytest.approx([0.14, 0.14])


def test_intensity_needs_gdp():
    with pytest.raises(AllocationError, match="unit 'b': base-year GDP must be > 0"):
        allocate_intensity(["a", "b"], 0.14, np.ones(2), np.array([1.0, 0.0]), "equal")


def test_reward_split_is_exact_to_the_fen():
    fen = split_reward(1_000_000_01, np.array([96.0, 91.0, 60.0, 88.5]), np.array([True, True, False, True]),
                       "score")
    assert int(fen.sum()) == 1_000_000_01 and fen[2] == 0
    assert fen[0] > fen[1] > fen[3]
    equal = split_reward(100, np.zeros(3), np.ones(3, dtype=bool), "equal")
    assert equal.tolist() == [34, 33, 33]
    above = split_reward(1000, np.array([95.0, 90.0]), np.ones(2, dtype=bool), "score_above_threshold", 85)
    assert above.tolist() == [667, 333]
