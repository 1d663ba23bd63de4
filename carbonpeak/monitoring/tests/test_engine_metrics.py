import numpy as np
import pytest

from carbonpeak.monitoring.engine import metrics as m


def test_eui_and_rating():
    assert m.eui(1_100_000, 10_000) == 110.0
    assert m.eui(55_000, 10_000, days=182.5) == 11.0
    assert m.eui_rating(85, "office") == "guide"
    assert m.eui_rating(110, "office") == "ok"
    assert m.eui_rating(111, "office") == "over"
    with pytest.raises(ValueError):
        m.eui(1, 0)


def test_pue_monthly_annual_and_limits():
    fac = np.array([130.0, 150.0, 0.0])
    it = np.array([100.0, 100.0, 0.0])
    p = m.pue(fac, it)
    assert p[:2].tolist() == [1.3, 1.5] and np.isnan(p[2])
    assert m.pue_annual(fac, it) == 1.4
    assert m.pue_breach(p[:2], 1.3).tolist() == [False, True]
    assert m.pue_breach(1.4, 1.4) == False  # noqa: E712  (limit is inclusive)


def test_coverage():
    now = 1_000_000
    assert m.coverage(np.array([now - 10, now - 3 * 86400, np.nan, now]), now) == 50.0
    assert m.coverage(np.array([]), now) == 0.0


def test_quota_allowance_and_levels():
    assert m.ytd_allowance(365.0, 2023, 12, 31) == 365.0
    assert m.ytd_allowance(366.0, 2024, 2, 1) == 32.0
    prof = np.array([2] + [1] * 11, dtype=float)  # January counts double
    assert m.ytd_allowance(130.0, 2023, 1, 31, prof) == pytest.approx(130 * 2 / 13)
    assert m.ytd_allowance(130.0, 2023, 2, 14, prof) == pytest.approx(130 * (2 + 0.5) / 13)
    assert m.quota_level(79.9, 100) == "ok"
    assert m.quota_level(80, 100) == "warning"
    assert m.quota_level(100, 100) == "exceeded"
    with pytest.raises(ValueError):
        m.ytd_allowance(1, 2023, 1, 1, np.ones(11))


def test_quota_allowance_accrues_from_the_first_monitored_day():
    # joined monitoring on 1 March (non-leap year): allowance for March + April = 61 of 365 days
    assert m.ytd_allowance(365.0, 2023, 4, 30, since=(3, 1)) == pytest.approx(61.0)
    assert m.ytd_allowance(365.0, 2023, 4, 30, since=(1, 1)) == pytest.approx(120.0)
    assert m.ytd_allowance(365.0, 2023, 3, 10, since=(3, 5)) == pytest.approx(6.0)


def test_eui_benchmarks_say_they_are_indicative():
    assert all(b.source.startswith("indicative") for b in m.EUI_BENCHMARKS.values())
