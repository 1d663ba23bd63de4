"""Progress engine and project roll-ups, against hand-computed cases (no database)."""

import datetime as dt

import pytest

from carbonpeak.progress.engine import progress as p
from carbonpeak.progress.engine.rollup import ProjectQty, UnitError, convert, rollup

approx = pytest.approx


def test_time_convention():
    assert p.period_t(2023) == 2023.0
    assert p.period_t(2026, quarter=3) == 2025.75
    assert p.period_t(2026, quarter=4) == 2026.0
    assert p.date_t(dt.date(2025, 12, 31)) == 2025.0
    assert p.date_t(dt.date(2024, 7, 1)) == approx(2023 + 183 / 366)


def test_level_linear_off_track_with_least_squares_forecast():
    # Green travel share ≥ 75% by 2025 from 70% in 2020.
    spec = p.Spec(">=", 75.0, 2025, baseline=70.0, baseline_year=2020)
    ev = p.evaluate(spec, [(2020, 70.0), (2021, 70.5), (2022, 71.0), (2023, 71.2)])
    assert p.expected(spec, 2023, ev.start) == approx(73.0)  # 70 + 5·3/5
    assert ev.latest_value == 71.2 and ev.expected_now == approx(73.0)
    assert ev.gap_to_trajectory == approx(-1.8) and ev.gap_to_target == approx(-3.8)
    assert ev.band == approx(0.5)  # 10% of 75 − 70
    # Least squares: slope Sxy/Sxx = 2.05/5 = 0.41 around (2021.5, 70.675) → 70.675 + 0.41·3.5 = 72.11.
    assert ev.forecast == approx(72.11)
    assert ev.status == p.OFF_TRACK
    assert "75" in ev.rule and "2025" in ev.rule and "0.5" in ev.rule


def test_level_within_band_is_at_risk_and_on_trajectory_is_on_track():
    spec = p.Spec(">=", 75.0, 2025, baseline=70.0, baseline_year=2020)
    assert p.evaluate(spec, [(2020, 70.0), (2023, 72.6)]).status == p.AT_RISK  # 0.4 behind 73, band 0.5
    assert p.evaluate(spec, [(2020, 70.0), (2023, 73.0)]).status == p.ON_TRACK
    # Quarter 2 of 2024 ends at 2023.5: expected 70 + 5·3.5/5 = 73.5.
    ev = p.evaluate(spec, [(2020, 70.0), (p.period_t(2024, quarter=2), 73.6)])
    assert ev.expected_now == approx(73.5) and ev.status == p.ON_TRACK


def test_step_pue_at_risk_because_the_forecast_meets_the_target():
    # PUE ≤ 1.3 holds from the start; no baseline in the plan → the band is 10% of (1.45 − 1.3).
    spec = p.Spec("<=", 1.3, 2025, trajectory="step", higher_is_better=False)
    ev = p.evaluate(spec, [(2022, 1.45), (2023, 1.38), (2024, 1.32)])
    assert ev.expected_now == 1.3 and ev.shortfall == approx(0.02) and ev.band == approx(0.015)
    assert ev.forecast == approx(1.38333333 - 0.065 * 2)  # slope −0.065 through the mean (2023, 1.3833)
    assert ev.forecast_meets_target and ev.status == p.AT_RISK
    assert p.evaluate(spec, [(2022, 1.45), (2024, 1.29)]).status == p.ON_TRACK
    assert p.evaluate(spec, [(2022, 1.30), (2024, 1.50)]).status == p.OFF_TRACK


def test_reduce_by_values_are_percent_reductions():
    # Energy use per unit of GDP −14% vs 2020 by 2025.
    spec = p.Spec("reduce-by", 14.0, 2025, baseline_year=2020, higher_is_better=False)
    assert spec.direction == 1  # more reduction is better, whatever the flag says
    ev = p.evaluate(spec, [(2021, 3.0), (2022, 5.5), (2023, 8.6)])
    assert ev.start == (2020.0, 0.0) and ev.expected_now == approx(8.4)  # 14·3/5
    assert ev.gap_to_trajectory == approx(0.2) and ev.status == p.ON_TRACK
    assert p.reduction_percent(0.43, 0.5) == approx(14.0)
    assert p.evaluate(spec, [(2023, 5.0)]).status == p.OFF_TRACK  # 3.4 behind, band 1.4, forecast 5/3·5 = 8.33


def test_cumulative_pv_pace_extrapolation():
    # +29.4 万千瓦 PV in 2021–2025: the running total starts from 0 at the end of 2020.
    spec = p.Spec(">=", 29.4, 2025, aggregation="cumulative", period=(2021, 2025))
    ev = p.evaluate(spec, [(2021, 4.0), (2022, 9.0), (2023, 14.0)])
    assert ev.start == (2020.0, 0.0) and ev.expected_now == approx(17.64)  # 29.4·3/5
    assert ev.band == approx(2.94)
    assert ev.forecast == approx(14.0 * 5 / 3)  # average pace 14/3 a year for 5 years
    assert ev.status == p.OFF_TRACK
    assert p.evaluate(spec, [(2021, 4.0), (2023, 15.0)]).status == p.AT_RISK  # 2.64 behind, band 2.94
    mid = p.evaluate(spec, [(2021, 6.0), (2024.5, 22.0)])
    assert mid.expected_now == approx(26.46) and mid.forecast == approx(22 * 5 / 4.5)
    # Values outside the period are ignored; reaching the target by the end of the period is on track.
    done = p.evaluate(spec, [(2025, 30.0), (2026, 45.0)])
    assert done.latest_value == 30.0 and done.status == p.ON_TRACK and done.forecast == 30.0


def test_cumulative_count_target():
    # 9 hydrogen stations by 2025 (counts), 5 built by the end of 2024: expected 9·4/5 = 7.2, band 0.9.
    spec = p.Spec(">=", 9, 2025, aggregation="cumulative", period=(2021, 2025))
    ev = p.evaluate(spec, [(2022, 2), (2024, 5)])
    assert ev.expected_now == approx(7.2) and ev.forecast == approx(6.25)
    assert ev.status == p.OFF_TRACK


def test_equals_zero_coal():
    spec = p.Spec("=", 0.0, 2025, baseline=0.0, baseline_year=2020, higher_is_better=False)
    ev = p.evaluate(spec, [(2021, 0.0), (2022, 0.0)])
    assert ev.status == p.ON_TRACK and ev.band == 0
    ev = p.evaluate(spec, [(2021, 0.0), (2022, 0.3)])
    assert ev.forecast == approx(1.2) and ev.status == p.OFF_TRACK
    # 100% harmless treatment kept at 100%
    keep = p.Spec("=", 100.0, 2025, baseline=100.0, baseline_year=2020)
    assert p.evaluate(keep, [(2021, 100.0), (2023, 100.0)]).status == p.ON_TRACK
    assert p.evaluate(keep, [(2021, 100.0), (2023, 99.5)]).status == p.AT_RISK  # band 1% of 100
    # Online monitoring = 100% from 80% in 2020: approached from below, being ahead of the line is on track.
    reach = p.Spec("=", 100.0, 2025)
    ev = p.evaluate(reach, [(2020, 80.0), (2022, 95.0)])
    assert ev.expected_now == approx(88.0) and ev.status == p.ON_TRACK
    # The target year is over: 1 short (within the band of 2) or 3 short, the target was missed either way.
    assert p.evaluate(reach, [(2020, 80.0), (2025, 99.0)]).status == p.MISSED
    assert p.evaluate(reach, [(2020, 80.0), (2025, 97.0)]).status == p.MISSED
    assert p.evaluate(reach, [(2020, 80.0), (2024, 99.0)]).status == p.ON_TRACK  # 96 expected in 2024


def test_after_the_target_year_the_target_itself_counts():
    spec = p.Spec(">=", 75.0, 2025, baseline=70.0, baseline_year=2020)
    missed = p.evaluate(spec, [(2025, 74.8), (2026, 74.8)])  # 0.2 short, inside the band 0.5, but the year is over
    assert missed.status == p.MISSED and missed.reason_key == "missed"
    assert p.evaluate(spec, [(2024, 74.8)]).status == p.ON_TRACK  # a year before: 74 expected
    assert p.evaluate(spec, [(2025, 76.0)]).status == p.ON_TRACK
    strict = p.Spec(">", 75.0, 2025, baseline=70.0, baseline_year=2020)
    assert p.evaluate(strict, [(2025, 75.0)]).status == p.MISSED
    assert p.evaluate(spec, [(2025, 74.8)]).forecast == 74.8  # an actual target-year value is the forecast


def test_no_baseline_uses_the_first_value_and_as_of_filters():
    spec = p.Spec(">=", 19.0, 2025)  # forest coverage ≥ 19%
    ev = p.evaluate(spec, [(2020, 17.0), (2022, 17.8), (2024, 18.6)], as_of=2022)
    assert ev.start == (2020.0, 17.0) and ev.latest_value == 17.8
    assert ev.expected_now == approx(17.8)  # 17 + 2·2/5
    assert ev.status == p.ON_TRACK


def test_single_value_without_baseline_has_no_trend_yet():
    spec = p.Spec(">=", 19.0, 2025)
    ev = p.evaluate(spec, [(2022, 17.0)])
    assert ev.status == p.AT_RISK and ev.reason_key == "single"
    assert p.evaluate(spec, [(2022, 19.5)]).status == p.ON_TRACK
    assert p.evaluate(spec, [(2026, 17.0)]).status == p.MISSED  # the target year is over: the target counts


def test_no_data():
    spec = p.Spec(">=", 75.0, 2025, baseline=70.0, baseline_year=2020)
    ev = p.evaluate(spec, [])
    assert ev.status == p.NO_DATA and ev.forecast is None and ev.latest_value is None and ev.rule


def test_qualitative():
    spec = p.Spec("increase", None, 2030)
    assert p.evaluate(spec, []).status == p.NO_DATA
    assert p.evaluate(spec, [(2023, 18.0)]).status == p.AT_RISK
    assert p.evaluate(spec, [(2020, 18.0), (2023, 19.5)]).status == p.ON_TRACK
    assert p.evaluate(spec, [(2020, 18.0), (2023, 18.0)]).status == p.AT_RISK
    assert p.evaluate(spec, [(2020, 18.0), (2023, 15.0)]).status == p.OFF_TRACK
    keep = p.Spec("maintain", None, 2025, baseline=98.0, baseline_year=2020)
    assert p.evaluate(keep, [(2023, 98.0)]).status == p.ON_TRACK
    assert p.evaluate(keep, [(2023, 97.0)]).status == p.AT_RISK


def test_bad_history_is_an_error():
    with pytest.raises(ValueError):
        p.evaluate(p.Spec(">=", 1.0, 2025), [(2021, float("nan"))])


def test_unit_conversion():
    assert convert(2500, "kW", "万千瓦") == approx(0.25)
    assert convert(3, "MW", "万千瓦") == approx(0.3)
    assert convert(15, "亩", "万平方米") == approx(1.0)
    assert convert(2.5, "公里", "km") == approx(2.5) and convert(800, "米", "公里") == approx(0.8)
    assert convert(1, "座", "个") == 1
    with pytest.raises(UnitError, match="unknown unit 'furlong'"):
        convert(1, "furlong", "km")
    with pytest.raises(UnitError, match="cannot convert"):
        convert(1, "平方米", "万千瓦")


def _pv():
    return [
        ProjectQty("a", 2500, "kW", dt.date(2021, 6, 30)),
        ProjectQty("b", 3, "MW", dt.date(2022, 3, 1)),
        ProjectQty("c", 1.2, "万千瓦", dt.date(2023, 12, 31)),
        ProjectQty("old", 500, "kW", dt.date(2020, 12, 31)),
        ProjectQty("planned", 800, "kW", None),
        ProjectQty("late", 1, "MW", dt.date(2026, 1, 5)),
    ]


def test_rollup_within_period_with_history():
    r = rollup(_pv(), "万千瓦", (2021, 2025))
    assert r.total == approx(1.75)  # 0.25 + 0.3 + 1.2
    assert [c.id for c in r.contributions] == ["a", "b", "c"]
    assert {i for i, _reason in r.excluded} == {"old", "planned", "late"}
    assert r.history == [(2021.0, approx(0.25)), (2022.0, approx(0.55)), (2023.0, approx(1.75)),
                         (2024.0, approx(1.75)), (2025.0, approx(1.75))]


def test_rollup_as_of_an_open_period():
    r = rollup(_pv(), "万千瓦", (2021, 2025), as_of=dt.date(2023, 6, 30))
    assert r.total == approx(0.55)
    assert r.history[-1] == (approx(p.date_t(dt.date(2023, 6, 30))), approx(0.55))
    assert len(r.history) == 3


def test_rollup_unit_error_names_the_project():
    with pytest.raises(UnitError, match="project x"):
        rollup([ProjectQty("x", 1, "m²", dt.date(2022, 1, 1))], "万千瓦", (2021, 2025))


def test_rollup_feeds_the_cumulative_evaluation():
    r = rollup(_pv(), "万千瓦", (2021, 2025))
    spec = p.Spec(">=", 29.4, 2025, aggregation="cumulative", period=(2021, 2025))
    ev = p.evaluate(spec, r.history)
    assert ev.latest_value == approx(1.75) and ev.status == p.MISSED  # the period 2021-2025 is over
    ev = p.evaluate(spec, r.history, as_of=2023)
    assert ev.status == p.OFF_TRACK


def test_geometric_reduce_by_matches_the_accounting_path():
    """−14% 2020→2025 at a constant rate expects 1 − 0.86^(3/5) = 8.65% in 2023 (linear: 8.4%)."""
    geo = p.Spec("reduce-by", 14.0, 2025, baseline_year=2020, trajectory="geometric")
    lin = p.Spec("reduce-by", 14.0, 2025, baseline_year=2020)
    start = p.start_point(geo)
    assert p.expected(geo, 2023, start) == approx((1 - 0.86 ** 0.6) * 100) == approx(8.652, abs=1e-3)
    assert p.expected(lin, 2023, start) == approx(8.4)
    # 8.5% achieved in 2023: on the linear path, 0.15 points behind the geometric one (band 1.4: at risk).
    assert p.evaluate(lin, [(2023, 8.5)]).status == p.ON_TRACK
    assert p.evaluate(geo, [(2023, 8.5)]).status == p.AT_RISK


def test_geometric_level_and_step_paths():
    # PUE 1.6 (2020) to 1.3 (2025) at a constant rate; a step target holds from the start.
    geo = p.Spec("<=", 1.3, 2025, baseline=1.6, baseline_year=2020, trajectory="geometric")
    assert p.expected(geo, 2022.5, p.start_point(geo)) == approx(1.6 * (1.3 / 1.6) ** 0.5)
    step = p.Spec("<=", 1.3, 2025, baseline=1.6, baseline_year=2020, trajectory="step")
    assert p.expected(step, 2021, p.start_point(step)) == 1.3
    assert p.evaluate(step, [(2022, 1.35)]).status != p.ON_TRACK
    assert p.evaluate(step, [(2022, 1.29)]).status == p.ON_TRACK


def test_peak_year_status_comes_from_the_probability():
    spec = p.Spec("<=", 2030.0, 2030)
    assert p.evaluate_peak(spec, 0.62, 2030, [(2026.9, 2028.0)]).status == p.ON_TRACK
    at_risk = p.evaluate_peak(spec, 0.335, 2030, [(2026.9, 2031.0)])
    assert at_risk.status == p.AT_RISK and at_risk.latest_value == 2031.0 and at_risk.probability == 0.335
    assert p.evaluate_peak(spec, 0.2, 2030, [(2026.9, 2033.0)]).status == p.OFF_TRACK
    with pytest.raises(ValueError):
        p.evaluate_peak(spec, 0.5, 2035, [])
