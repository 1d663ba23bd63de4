"""Annual assessment scoring: rubric items → points per unit, vetoes, grade, rank. Vectorised over units.

`score(rubric, units, measures)` takes one array per measure (one value per unit, NaN = no data) and returns
a `ScoreSheet`: the points of every item for every unit (units x items), the total (0–100, after office
adjustments), the vetoes that hit, the grade and the rank. Ranking: vetoed units rank after all others, then by
score, highest first; equal scores share a rank and the next rank skips (1, 2, 2, 4: "competition" ranking).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rubric import Item, Rubric, RubricError

_OPS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}


def item_points(item: Item, values: np.ndarray) -> np.ndarray:
    """Points of one rubric item for every unit (0 where the measure is missing)."""
    v = np.asarray(values, dtype=np.float64)
    if item.method == "deduction":
        pts = np.maximum(0.0, item.weight - item.per * v)
    else:
        pts = item.weight * np.clip((v - item.zero_at) / (item.full_at - item.zero_at), 0.0, 1.0)
    return np.where(np.isnan(v), 0.0, pts)


def competition_rank(score: np.ndarray, vetoed: np.ndarray) -> np.ndarray:
    """1-based ranks: vetoed units last, then by score descending; ties share the lower rank number."""
    key_veto = vetoed.astype(np.int64)
    key_score = -np.round(score, 6)
    order = np.lexsort((key_score, key_veto))
    sorted_veto, sorted_score = key_veto[order], key_score[order]
    new_group = np.ones(len(order), dtype=bool)
    new_group[1:] = (sorted_veto[1:] != sorted_veto[:-1]) | (sorted_score[1:] != sorted_score[:-1])
    positions = np.arange(1, len(order) + 1)
    group_start = np.maximum.accumulate(np.where(new_group, positions, 0))
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = group_start
    return ranks


@dataclass
class ScoreSheet:
    rubric: Rubric
    units: list[str]
    measures: dict[str, np.ndarray]
    points: np.ndarray  # units x items
    adjustment: np.ndarray
    score: np.ndarray
    vetoed_by: np.ndarray  # units x vetoes, bool
    grade: np.ndarray  # grade code per unit (object array)
    rank: np.ndarray

    def unit_dict(self, i: int, details: dict[str, list[str]] | None = None) -> dict:
        """One unit's result: score, grade, rank, the vetoes that hit and every item's points and evidence."""
        r = self.rubric
        details = details or {}
        items = []
        for j, item in enumerate(r.items):
            value = float(self.measures[item.measure][i])
            items.append({
                "code": item.code, "name_zh": item.name_zh, "name_en": item.name_en, "weight": item.weight,
                "method": item.method, "measure": item.measure, "value": None if np.isnan(value) else value,
                "points": round(float(self.points[i, j]), 2),
                "evidence": evidence(item, value, (details.get(item.measure) or [""] * len(self.units))[i]),
            })
        vetoes = [{"code": v.code, "name_zh": v.name_zh, "measure": v.measure,
                   "value": float(self.measures[v.measure][i]), "rule": f"{v.measure} {v.op} {v.threshold:g}"}
                  for k, v in enumerate(r.vetoes) if self.vetoed_by[i, k]]
        grade = r.grade(self.grade[i])
        return {"unit": self.units[i], "score": round(float(self.score[i]), 2), "grade": grade.code,
                "grade_zh": grade.name_zh, "rank": int(self.rank[i]), "veto": vetoes,
                "adjustment": round(float(self.adjustment[i]), 2), "items": items}

    def to_units(self, details: dict[str, list[str]] | None = None) -> list[dict]:
        """Every unit's result, in rank order (ties in the order given)."""
        order = np.argsort(self.rank, kind="stable")
        return [self.unit_dict(int(i), details) for i in order]


def evidence(item: Item, value: float, detail: str = "") -> str:
    """The sentence behind an item's points (Chinese, as in a 考核评分表)."""
    if np.isnan(value):
        text = "无数据，得 0 分"
    elif item.method == "completion":
        text = f"完成率 {value:.1%}（{item.zero_at:.0%} 及以下得 0 分，{item.full_at:.0%} 及以上得满分）"
    elif item.method == "share":
        text = f"比例 {value:.1%}（满分 {item.weight:g} 分按比例计）"
    else:
        text = f"{value:g} 次，每次扣 {item.per:g} 分"
    return f"{text}；{detail}" if detail else text


def score(rubric: Rubric, units: list[str], measures: dict[str, np.ndarray],
          adjustment: np.ndarray | None = None) -> ScoreSheet:
    """Score every unit under `rubric`; `measures` maps each measure the rubric names to one value per unit."""
    n = len(units)
    missing = [m for m in rubric.measures if m not in measures]
    if missing:
        raise RubricError(f"no data for measure(s) {', '.join(missing)} named by rubric {rubric.code!r}")
    arrays = {m: np.asarray(measures[m], dtype=np.float64).reshape(n) for m in rubric.measures}
    points = np.column_stack([item_points(it, arrays[it.measure]) for it in rubric.items])
    adjustment = np.zeros(n) if adjustment is None else np.asarray(adjustment, dtype=np.float64)
    total = np.clip(points.sum(axis=1) + adjustment, 0.0, 100.0)
    if rubric.vetoes:
        vetoed_by = np.column_stack([_OPS[v.op](np.nan_to_num(arrays[v.measure], nan=np.inf if v.op[0] == "<"
                                                              else -np.inf), v.threshold) for v in rubric.vetoes])
    else:
        vetoed_by = np.zeros((n, 0), dtype=bool)
    vetoed = vetoed_by.any(axis=1)
    thresholds = np.array([g.min_score for g in rubric.grades])  # descending
    codes = np.array([g.code for g in rubric.grades], dtype=object)
    idx = (np.round(total, 6)[:, None] < thresholds[None, :]).sum(axis=1)  # grades whose threshold is not met
    grade = np.where(vetoed, rubric.veto_grade, codes[np.minimum(idx, len(codes) - 1)])
    return ScoreSheet(rubric, list(units), arrays, points, adjustment, total, vetoed_by, grade,
                      competition_rank(total, vetoed))


def year_over_year(current: list[dict], previous: list[dict], grade_order: list[str]) -> dict[str, dict | None]:
    """Per unit code, how its result moved since the previous year's: that year's score, grade and rank and the
    changes (score points; rank places, positive = moved up; grade +1 better / 0 same / −1 worse, by
    `grade_order`, best first). None for a unit the previous year did not assess."""
    before = {r["code"]: r for r in previous}
    level = {code: i for i, code in enumerate(grade_order)}
    out: dict[str, dict | None] = {}
    for r in current:
        p = before.get(r["code"])
        if p is None:
            out[r["code"]] = None
            continue
        step = level.get(p["grade"], 0) - level.get(r["grade"], 0)
        out[r["code"]] = {"score": p["score"], "grade": p["grade"], "grade_zh": p["grade_zh"], "rank": p["rank"],
                          "score_change": round(r["score"] - p["score"], 2), "rank_change": p["rank"] - r["rank"],
                          "grade_change": (step > 0) - (step < 0)}
    return out
