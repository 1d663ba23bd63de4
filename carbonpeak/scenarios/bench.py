"""Benchmark figures of the scenarios app, collected by `carbonpeak bench`.

`scenario_mc_vs_loop_speedup`: the plan scenario's Monte Carlo projection (sectors x carriers x years)
for the same draws and seed, run vectorised over draws (blocks of `CHUNK` draws) versus a per-draw Python
loop (the same model code called one draw at a time); the results are checked identical before the
ratio is reported. `scenario_mc_budget_ratio` is 1 s over the vectorised time for 10,000 draws (> 1 means
inside the one-second budget); with `quick`, fewer draws and the ratio is scaled to 10,000 draws.
"""

from __future__ import annotations

import time

import numpy as np

from .engine import load_base, plan_scenario, project

FULL_DRAWS = 10_000


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def figures(quick: bool) -> dict[str, float]:
    base, sc = load_base(), plan_scenario()
    draws = 1_000 if quick else FULL_DRAWS
    project(sc, base, draws=64, seed=0, wedges=False)  # warm up imports and caches
    t_vec, vec = _best(lambda: project(sc, base, draws=draws, seed=2022, wedges=False), 3)
    t_loop, loop = _best(lambda: project(sc, base, draws=draws, seed=2022, wedges=False, chunk=1), 1)
    if not np.allclose(vec.cells_co2, loop.cells_co2, rtol=1e-12, atol=0):
        raise AssertionError("vectorised and per-draw projections differ")
    return {
        "scenario_mc_vs_loop_speedup": t_loop / t_vec,
        "scenario_mc_budget_ratio": 1.0 / (t_vec * FULL_DRAWS / draws),
    }


if __name__ == "__main__":  # pragma: no cover
    import json
    import sys

    print(json.dumps(figures("--quick" in sys.argv), indent=2))
