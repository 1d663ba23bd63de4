"""Pure projection engine (numpy only, no Django): Kaya/LEAP-style sector model with explicit plan
levers, vectorised Monte Carlo, peak statistics, wedges and back-test."""

from .backtest import backtest
from .base import BaseYear, load_base, load_history
from .committed import committed_array
from .distributions import ScenarioError, sample, sample_path
from .progress import vintage_summary, with_observed
from .projection import PEAK_BY, Projection, committed_effect, peak_stats, project, project_pair
from .scenario import (ASSUMPTIONS, BASE_STATE, DRIVER_PARAMS, LEVER_BY_KEY, LEVER_KEYS, LEVERS, PLAN_TARGETS,
                       Scenario, baseline_scenario, plan_scenario)

__all__ = [
    "ASSUMPTIONS", "BASE_STATE", "BaseYear", "DRIVER_PARAMS", "LEVERS", "LEVER_BY_KEY", "LEVER_KEYS", "PEAK_BY",
    "PLAN_TARGETS", "Projection", "Scenario", "ScenarioError", "backtest", "baseline_scenario", "committed_array",
    "committed_effect", "load_base", "load_history", "peak_stats", "plan_scenario", "project", "project_pair", "sample",
    "sample_path", "vintage_summary", "with_observed",
]
