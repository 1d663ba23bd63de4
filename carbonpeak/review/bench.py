"""Benchmark figure of project review, collected by `carbonpeak bench`.

`review_full_budget_ratio`: 1 s over the time of one full review (accounting of the proposal, the scenario
pair with and without it on the same 10,000 draws, checks) of the shipped data-centre example against the
shipped base year and plan scenario (> 1 means inside the one-second budget); with `quick`, 1,000 draws and
the time scaled to 10,000 draws. The pair is `scenarios.engine.project_pair`: parameters sampled and the reference
computed once for both (about a quarter less than two projections).
"""

from __future__ import annotations

import timeit

from carbonpeak.accounting.engine.factors import builtin_factor_sets
from carbonpeak.scenarios.engine import load_base, plan_scenario

from .engine import Budget, load_proposal, load_rules, review
from .engine.rules import EXAMPLES_DIR, RULES_DIR

FULL_DRAWS = 10_000
INDICATORS = {"dc-pue-new": {"target_value": 1.3, "target_year": 2025},
              "two-high-one-low-projects-new": {"target_value": 0, "target_year": 2025},
              "new-city-ultra-low-energy-standard-2025": {"target_value": 100, "target_year": 2025}}
"""The shipped plan's figures of the indicators the checks read (the bench runs without a database)."""
SHIPPED_RULES = sorted(RULES_DIR.glob("*.yaml"))[0]
"""The shipped plan's rules file (the one whose figures INDICATORS are)."""


def figures(quick: bool) -> dict[str, float]:
    rules, base, scenario = load_rules(SHIPPED_RULES), load_base(), plan_scenario()
    proposal = load_proposal(EXAMPLES_DIR / "data-centre-pue-1.35.yaml", rules.sectors, rules.exceptions)
    fs = builtin_factor_sets()["sh-2022"]
    draws = 1_000 if quick else FULL_DRAWS
    run = lambda: review(proposal, rules, INDICATORS, fs, scenario, base, Budget(), draws=draws, seed=2022)  # noqa: E731
    run()  # warm up
    seconds = min(timeit.repeat(run, number=1, repeat=2))
    return {"review_full_budget_ratio": 1.0 / (seconds * FULL_DRAWS / draws)}
