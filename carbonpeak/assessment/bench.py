"""Benchmark figures of the assessment app, collected by `carbonpeak bench`.

`assessment_allocate_score_vs_loop_speedup`: one allocation (weighted factors, largest-remainder rounding) and one
scoring run (the shipped default rubric: items, vetoes, grades, ranking) over 1,000 key energy-consuming units
and 11 towns, vectorised (the engine) versus a per-unit Python loop doing the same arithmetic; the results are
checked identical before the ratio is reported.
"""

from __future__ import annotations

import math
import timeit

import numpy as np

from .engine.allocation import allocate_total
from .engine.rubric import Rubric, parse_rubric
from .engine.scoring import score


def _loop_allocate(total: float, base: list[float], factors: list[list[float]], weights: list[float],
                   decimals: int) -> list[int]:
    coef = [b * sum(f * w for f, w in zip(row, weights)) for b, row in zip(base, factors)]
    steps_total = int(round(total * 10 ** decimals))
    s = sum(coef)
    scaled = [c * steps_total / s for c in coef]
    steps = [math.floor(x) for x in scaled]
    left = steps_total - sum(steps)
    for i in sorted(range(len(scaled)), key=lambda i: -(scaled[i] - steps[i]))[:left]:
        steps[i] += 1
    return steps


def _loop_score(rubric: Rubric, measures: dict[str, np.ndarray]) -> tuple[list[float], list[str], list[int]]:
    n = len(next(iter(measures.values())))
    scores, vetoed, grades = [], [], []
    for i in range(n):
        total = 0.0
        for it in rubric.items:
            v = float(measures[it.measure][i])
            if math.isnan(v):
                continue
            if it.method == "deduction":
                total += max(0.0, it.weight - it.per * v)
            else:
                total += it.weight * min(1.0, max(0.0, (v - it.zero_at) / (it.full_at - it.zero_at)))
        total = min(100.0, max(0.0, total))
        ops = {"<": float.__lt__, "<=": float.__le__, ">": float.__gt__, ">=": float.__ge__}
        hit = any(not math.isnan(float(measures[v.measure][i])) and ops[v.op](float(measures[v.measure][i]),
                                                                               v.threshold) for v in rubric.vetoes)
        grade = next(g.code for g in rubric.grades if round(total, 6) >= g.min_score)
        scores.append(total)
        vetoed.append(hit)
        grades.append(rubric.veto_grade if hit else grade)
    keys = [(int(v), -round(s, 6)) for v, s in zip(vetoed, scores)]
    ranks = [0] * n
    previous, rank = None, 0
    for position, i in enumerate(sorted(range(n), key=keys.__getitem__), start=1):
        if keys[i] != previous:
            previous, rank = keys[i], position
        ranks[i] = rank
    return scores, grades, ranks


def _data(n: int, rubric: Rubric) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.default_rng(11)
    base = rng.lognormal(8, 1.2, n)
    factors = rng.uniform(0.7, 1.3, (n, 3))
    measures = {m: rng.uniform(0.4, 1.2, n) for m in rubric.measures}
    for v in rubric.vetoes:
        measures[v.measure] = (rng.uniform(0, 1, n) < 0.02).astype(float) * (v.threshold + 1)
    return base, factors, measures


def figures(quick: bool) -> dict[str, float]:
    import yaml

    from .rubrics import DEFAULT_RUBRIC

    rubric = parse_rubric(yaml.safe_load(DEFAULT_RUBRIC.read_text(encoding="utf-8"))["rubric"], str(DEFAULT_RUBRIC))
    n = 1_011  # 1,000 key units + 11 towns
    units = [f"u{i}" for i in range(n)]
    base, factors, measures = _data(n, rubric)
    weights = np.array([0.4, 0.35, 0.25])

    def vectorised():
        alloc = allocate_total(units, 4_712_345.6, "weighted", 1, base=base, factors=factors, factor_weights=weights)
        sheet = score(rubric, units, measures)
        return alloc.steps.tolist(), sheet

    def loop():
        return (_loop_allocate(4_712_345.6, base.tolist(), factors.tolist(), weights.tolist(), 1),
                _loop_score(rubric, measures))

    steps, sheet = vectorised()
    loop_steps, (scores, grades, ranks) = loop()
    t_vec = min(timeit.repeat(vectorised, number=1, repeat=5 if quick else 20))
    t_loop = min(timeit.repeat(loop, number=1, repeat=1 if quick else 3))
    if steps != loop_steps or not np.allclose(sheet.score, scores, rtol=0, atol=1e-9) \
            or sheet.grade.tolist() != grades or sheet.rank.tolist() != ranks:
        raise AssertionError("vectorised and per-unit allocation/scoring differ")
    return {"assessment_allocate_score_vs_loop_speedup": t_loop / t_vec}


if __name__ == "__main__":  # pragma: no cover
    import json
    import sys

    print(json.dumps(figures("--quick" in sys.argv), indent=2))
