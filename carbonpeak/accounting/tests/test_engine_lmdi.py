"""Additive LMDI-I: effects sum exactly to the change, hand-computed cases, zero values."""

import math

import numpy as np
import pytest

from carbonpeak.accounting.engine.lmdi import LmdiError, lmdi_additive, lmdi_from_tables, logmean


def test_logmean():
    assert logmean(2.0, 2.0) == 2.0
    assert logmean(math.e, 1.0) == pytest.approx(math.e - 1)
    assert logmean(1.0 + 1e-13, 1.0) == pytest.approx(1.0, rel=1e-12)  # stable near a = b
    assert logmean(3.0, 7.0) == pytest.approx(logmean(7.0, 3.0))


def test_one_sector_by_hand():
    # GDP 100 -> 120, energy 50 -> 54, CO2 100 -> 99
    r = lmdi_additive(["ind"], [100], [120], [50], [54], [100], [99])
    L = (99 - 100) / math.log(99 / 100)
    assert r.effects["activity"][0] == pytest.approx(L * math.log(1.2))
    assert r.effects["structure"][0] == pytest.approx(0.0, abs=1e-12)  # one sector: share stays 1
    assert r.effects["intensity"][0] == pytest.approx(L * math.log((54 / 120) / (50 / 100)))
    assert r.effects["carbon_intensity"][0] == pytest.approx(L * math.log((99 / 54) / (100 / 50)))
    assert sum(r.totals().values()) == pytest.approx(-1.0, rel=1e-12)


def test_two_sectors_structure_effect_by_hand():
    # pure structural shift: GDP moves from a carbon-heavy to a light sector, intensities constant
    r = lmdi_additive(["heavy", "light"], [50, 50], [40, 60], [100, 10], [80, 12], [200, 10], [160, 12])
    t = r.totals()
    assert t["activity"] == pytest.approx(0.0, abs=1e-12)
    assert t["intensity"] == pytest.approx(0.0, abs=1e-12)
    assert t["carbon_intensity"] == pytest.approx(0.0, abs=1e-12)
    assert t["structure"] == pytest.approx(-38.0, rel=1e-12)  # 172 - 210
    assert r.effects["structure"][0] == pytest.approx(-40.0)
    assert r.effects["structure"][1] == pytest.approx(2.0)


@pytest.mark.parametrize("seed", range(20))
def test_effects_sum_exactly_random(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 9))
    q0, q1 = rng.uniform(1, 1e6, n), rng.uniform(1, 1e6, n)
    e0, e1 = rng.uniform(1, 1e5, n), rng.uniform(1, 1e5, n)
    c0, c1 = e0 * rng.uniform(0.5, 3, n), e1 * rng.uniform(0.5, 3, n)
    r = lmdi_additive([f"s{i}" for i in range(n)], q0, q1, e0, e1, c0, c1)
    total = c1.sum() - c0.sum()
    assert abs(sum(r.totals().values()) - total) <= 1e-9 * max(abs(total), 1e-300)
    per_sector = sum(r.effects.values())
    np.testing.assert_allclose(per_sector, c1 - c0, rtol=1e-9, atol=1e-9 * np.abs(c1 - c0).max())


def test_identical_years_give_zero_effects():
    r = lmdi_additive(["a", "b"], [1, 2], [1, 2], [3, 4], [3, 4], [5, 6], [5, 6])
    assert all(v == 0 for v in r.totals().values())


def test_zero_values_analytical_limits():
    sectors = ["old", "new_no_gdp_before", "new_energy", "went_green", "absent", "steady"]
    q0 = [100, 0, 50, 40, 0, 30]
    q1 = [100, 20, 50, 40, 0, 33]
    e0 = [10, 0, 0, 5, 0, 3]
    e1 = [0, 2, 4, 5, 0, 3]
    c0 = [25, 0, 0, 10, 0, 6]
    c1 = [0, 5, 8, 0, 0, 6]
    r = lmdi_additive(sectors, q0, q1, e0, e1, c0, c1)
    eff = {k: dict(zip(sectors, v)) for k, v in r.effects.items()}
    # 'old' lost all energy but kept its GDP: I goes to zero -> whole -25 is the intensity effect
    assert eff["intensity"]["old"] == -25 and eff["structure"]["old"] == 0 and eff["activity"]["old"] == 0
    # 'new_no_gdp_before' had no value added: its share was zero -> whole +5 is structure
    assert eff["structure"]["new_no_gdp_before"] == 5 and eff["carbon_intensity"]["new_no_gdp_before"] == 0
    # 'new_energy' had GDP but no energy: +8 is intensity
    assert eff["intensity"]["new_energy"] == 8
    # 'went_green' kept energy, CO2 went to zero (all non-fossil): -10 is carbon intensity
    assert eff["carbon_intensity"]["went_green"] == -10
    assert all(eff[k]["absent"] == 0 for k in eff)
    total = sum(c1) - sum(c0)
    assert sum(r.totals().values()) == pytest.approx(total, rel=1e-12)
    np.testing.assert_allclose(sum(r.effects.values()), np.array(c1, float) - np.array(c0, float), atol=1e-12)


def test_small_delta_substitution_converges_to_analytical_limit():
    """Ang & Liu (2007): replacing the zero by δ → 0 tends to the limit used."""
    exact = lmdi_additive(["a", "b"], [50, 50], [50, 50], [10, 0], [10, 4], [20, 0], [20, 8])
    d = 1e-200
    approx = lmdi_additive(["a", "b"], [50, 50], [50, 50], [10, d], [10, 4], [20, d], [20, 8])
    assert approx.effects["intensity"][1] == pytest.approx(exact.effects["intensity"][1], rel=0.02)
    assert exact.effects["intensity"][1] == 8


def test_errors():
    with pytest.raises(LmdiError, match="without value added"):
        lmdi_additive(["res"], [0], [0], [5], [5], [10], [10])
    with pytest.raises(LmdiError, match="without energy"):
        lmdi_additive(["x"], [1], [1], [0], [1], [1], [1])
    with pytest.raises(LmdiError, match="non-negative"):
        lmdi_additive(["x"], [1], [1], [-1], [1], [1], [1])
    with pytest.raises(LmdiError, match="one value per sector"):
        lmdi_additive(["x", "y"], [1], [1], [1], [1], [1], [1])


def test_from_inventory_tables_and_dict():
    table = {2020: {"industry": {"energy_tce": 100.0, "co2_t": 250.0}, "transport": {"energy_tce": 20.0, "co2_t": 60.0}},
             2021: {"industry": {"energy_tce": 95.0, "co2_t": 230.0}, "transport": {"energy_tce": 22.0, "co2_t": 66.0}}}
    gdp = {2020: {"industry": 500.0, "transport": 100.0}, 2021: {"industry": 520.0, "transport": 110.0}}
    r = lmdi_from_tables(2020, 2021, table, gdp)
    d = r.to_dict()
    assert d["total_change_t"] == pytest.approx(-14.0)
    assert sum(d["effects_t"].values()) == pytest.approx(-14.0, rel=1e-12)
    assert d["waterfall"][0] == {"name": "start", "value": 310.0} and d["waterfall"][-1]["value"] == 296.0
    assert d["by_sector"]["transport"]["change_t"] == pytest.approx(6.0)
    with pytest.raises(LmdiError, match="no sector GDP for 2022"):
        lmdi_from_tables(2020, 2022, table, gdp)


def test_sector_without_value_added_is_kept_separate():
    table = {2020: {"industry": {"energy_tce": 100.0, "co2_t": 250.0}, "residential": {"energy_tce": 30.0, "co2_t": 50.0}},
             2021: {"industry": {"energy_tce": 95.0, "co2_t": 230.0}, "residential": {"energy_tce": 33.0, "co2_t": 56.0}}}
    gdp = {2020: {"industry": 500.0}, 2021: {"industry": 520.0}}
    r = lmdi_from_tables(2020, 2021, table, gdp)
    d = r.to_dict()
    assert d["separate_t"] == {"residential": pytest.approx(6.0)}
    assert d["total_change_t"] == pytest.approx(-14.0)
    assert sum(d["effects_t"].values()) + 6.0 == pytest.approx(-14.0, rel=1e-12)
    w = d["waterfall"]
    assert w[0]["value"] == 300.0 and w[-1]["value"] == 286.0
    assert w[0]["value"] + sum(x["value"] for x in w[1:-1]) == pytest.approx(w[-1]["value"], rel=1e-12)
