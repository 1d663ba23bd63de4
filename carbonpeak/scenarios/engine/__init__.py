"""Pure projection engine (numpy only, no Django): Kaya/LEAP-style sector model with explicit plan
levers, vectorised Monte Carlo, peak statistics, wedges and back-test."""

from .backtest import backtest
from .base import BaseYear, load_base, load_history
from .distributions import ScenarioError, sample, sample_path
from .projection import PEAK_BY, Projection, peak_stats, project
from .scenario import (DRIVER_PARAMS, LEVER_BY_KEY, LEVER_KEYS, LEVERS, PLAN_TARGETS, Scenario, baseline_scenario,
                       plan_scenario)

__all__ = [
    "BaseYear", "DRIVER_PARAMS", "LEVERS", "LEVER_BY_KEY", "LEVER_KEYS", "PEAK_BY", "PLAN_TARGETS", "Projection",
    "Scenario", "ScenarioError", "backtest", "baseline_scenario", "load_base", "load_history", "peak_stats",
    "plan_scenario", "project", "sample", "sample_path",
]
