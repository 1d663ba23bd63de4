"""The one trajectory engine (no database)."""

import pytest
from pytest import approx

from carbonpeak.plan.engine import trajectory as tr


def test_linear_geometric_and_step():
    start, end = (2020.0, 1.0), (2025.0, 0.86)
    assert tr.expected("linear", start, end, 2023) == approx(1 - 0.14 * 3 / 5)
    assert tr.expected("geometric", start, end, 2023) == approx(0.86 ** 0.6)
    assert tr.expected("step", start, end, 2021) == 0.86
    for shape in ("linear", "geometric"):
        assert tr.expected(shape, start, end, 2019) == 1.0  # before the start: the starting value
        assert tr.expected(shape, start, end, 2030) == 0.86  # after the target year: the target holds


def test_reduction_path_in_percent():
    assert tr.reduction_path("geometric", 2020, 2025, 14.0, 2023) == approx(8.652, abs=1e-3)
    assert tr.reduction_path("linear", 2020, 2025, 14.0, 2023) == approx(8.4)
    assert tr.reduction_path("step", 2020, 2025, 14.0, 2021) == 14.0


def test_bad_input_is_an_error():
    with pytest.raises(ValueError, match="unknown trajectory"):
        tr.expected("cubic", (2020, 1), (2025, 2), 2022)
    with pytest.raises(ValueError, match="positive"):
        tr.expected("geometric", (2020, 0.0), (2025, 2.0), 2022)


def test_time_convention():
    assert tr.period_t(2026, quarter=3) == 2025.75
    assert tr.period_t(2023) == 2023.0
