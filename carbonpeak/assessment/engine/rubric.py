"""The assessment rubric (考核评分细则) as validated plain data, read from the plan's rubric file.

A rubric has weighted items adding up to 100 points, each scored from one measure by one method; veto items
(一票否决); grade thresholds; the rule naming units for 通报批评 / 约谈; and the 以奖代拨 reward rule.

Scoring methods (`Item.method`):

* ``completion`` — target completion ratio c (achieved / required; 1 = exactly met): points = weight x
  clip((c − zero_at) / (full_at − zero_at), 0, 1).
* ``share`` — a share s in [0, 1] (tasks on schedule, reports on time, reports accepted first time):
  points = weight x clip((s − zero_at) / (full_at − zero_at), 0, 1) (defaults: 0 and 1, i.e. weight x s).
* ``deduction`` — a count n (late reports, returned reports, flagged deviations): points = max(0, weight − per x n).

A measure that is missing for a unit (NaN: no data) scores 0 points and says so in the evidence.
Vetoes: ``measure op threshold`` (e.g. ``energy_intensity_completion < 1``) → the unit gets `veto_grade`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

METHODS = ("completion", "share", "deduction")
OPERATORS = ("<", "<=", ">", ">=")
REWARD_RULES = ("equal", "score", "score_above_threshold")


class RubricError(ValueError):
    """The rubric data is invalid; the message names the field (e.g. ``items[2].weight``)."""


@dataclass(frozen=True)
class Item:
    code: str
    name_zh: str
    name_en: str
    weight: float
    measure: str
    method: str
    full_at: float = 1.0
    zero_at: float = 0.0
    per: float = 0.0


@dataclass(frozen=True)
class Veto:
    code: str
    name_zh: str
    name_en: str
    measure: str
    op: str
    threshold: float


@dataclass(frozen=True)
class Grade:
    code: str
    name_zh: str
    name_en: str
    min_score: float


@dataclass(frozen=True)
class Rubric:
    code: str
    name_zh: str
    items: tuple[Item, ...]
    vetoes: tuple[Veto, ...]
    grades: tuple[Grade, ...]  # highest threshold first
    veto_grade: str
    criticise_grades: tuple[str, ...]  # 通报批评
    interview_grades: tuple[str, ...]  # 约谈 (vetoed units are always named for 约谈)
    reward_grades: tuple[str, ...]
    reward_rule: str
    reward_threshold: float = 0.0
    source: str = ""
    measures: tuple[str, ...] = field(default=())
    assessed_kinds: tuple[str, ...] = ("town", "street")
    base_year: int = 2020
    allocation: dict = field(default_factory=dict)

    def grade(self, code: str) -> Grade:
        return next(g for g in self.grades if g.code == code)


def _get(data: dict, key: str, where: str, kind=str, default: Any = ...):
    if key not in data or data[key] is None:
        if default is ...:
            raise RubricError(f"{where}.{key}: required")
        return default
    value = data[key]
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise RubricError(f"{where}.{key}: expected {kind.__name__}, got {value!r}") from None


def _item(d: dict, where: str) -> Item:
    method = _get(d, "method", where)
    if method not in METHODS:
        raise RubricError(f"{where}.method: {method!r} is not one of {', '.join(METHODS)}")
    item = Item(code=_get(d, "code", where), name_zh=_get(d, "name_zh", where), name_en=_get(d, "name_en", where,
                default=""), weight=_get(d, "weight", where, float), measure=_get(d, "measure", where), method=method,
                full_at=_get(d, "full_at", where, float, 1.0), zero_at=_get(d, "zero_at", where, float, 0.0),
                per=_get(d, "per", where, float, 0.0))
    if item.weight <= 0:
        raise RubricError(f"{where}.weight: must be > 0")
    if method != "deduction" and item.full_at <= item.zero_at:
        raise RubricError(f"{where}.full_at: must be greater than zero_at ({item.zero_at:g})")
    if method == "deduction" and item.per <= 0:
        raise RubricError(f"{where}.per: a deduction item needs the points taken off per count (> 0)")
    return item


def _veto(d: dict, where: str) -> Veto:
    op = _get(d, "op", where)
    if op not in OPERATORS:
        raise RubricError(f"{where}.op: {op!r} is not one of {', '.join(OPERATORS)}")
    return Veto(code=_get(d, "code", where), name_zh=_get(d, "name_zh", where),
                name_en=_get(d, "name_en", where, default=""), measure=_get(d, "measure", where), op=op,
                threshold=_get(d, "threshold", where, float))


def _codes(values: Any, where: str, known: set[str]) -> tuple[str, ...]:
    values = tuple(values or ())
    for v in values:
        if v not in known:
            raise RubricError(f"{where}: unknown grade {v!r}; grades: {', '.join(sorted(known))}")
    return values


def parse_rubric(data: dict, source: str = "rubric") -> Rubric:
    """Validate rubric data (as read from YAML); errors name the source and the field."""
    if not isinstance(data, dict):
        raise RubricError(f"{source}: expected a mapping with items, vetoes, grades")
    try:
        items = tuple(_item(d, f"items[{i}]") for i, d in enumerate(data.get("items") or []))
        vetoes = tuple(_veto(d, f"vetoes[{i}]") for i, d in enumerate(data.get("vetoes") or []))
        grades = tuple(sorted((Grade(_get(d, "code", f"grades[{i}]"), _get(d, "name_zh", f"grades[{i}]"),
                                     _get(d, "name_en", f"grades[{i}]", default=""),
                                     _get(d, "min_score", f"grades[{i}]", float))
                               for i, d in enumerate(data.get("grades") or [])), key=lambda g: -g.min_score))
        if not items:
            raise RubricError("items: at least one item is required")
        total = sum(i.weight for i in items)
        if abs(total - 100.0) > 1e-9:
            raise RubricError(f"items: the weights must add up to 100, they add up to {total:g}")
        if len({i.code for i in items}) != len(items):
            raise RubricError("items: item codes must be unique")
        if not grades or grades[-1].min_score > 0:
            raise RubricError("grades: the lowest grade must start at min_score 0")
        known = {g.code for g in grades}
        notice = data.get("notice") or {}
        reward = data.get("reward") or {}
        rule = _get(reward, "rule", "reward", default="score")
        if rule not in REWARD_RULES:
            raise RubricError(f"reward.rule: {rule!r} is not one of {', '.join(REWARD_RULES)}")
        veto_grade = _get(data, "veto_grade", "rubric", default=grades[-1].code)
        _codes([veto_grade], "veto_grade", known)
        return Rubric(
            code=_get(data, "code", "rubric"), name_zh=_get(data, "name_zh", "rubric"), items=items, vetoes=vetoes,
            grades=grades, veto_grade=veto_grade,
            criticise_grades=_codes(notice.get("criticise_grades"), "notice.criticise_grades", known),
            interview_grades=_codes(notice.get("interview_grades"), "notice.interview_grades", known),
            reward_grades=_codes(reward.get("grades"), "reward.grades", known), reward_rule=rule,
            reward_threshold=_get(reward, "threshold", "reward", float, 0.0), source=source,
            measures=tuple(sorted({i.measure for i in items} | {v.measure for v in vetoes})),
            assessed_kinds=tuple(data.get("assessed_kinds") or ("town", "street")),
            base_year=_get(data, "base_year", "rubric", int, 2020), allocation=dict(data.get("allocation") or {}))
    except RubricError as exc:
        raise RubricError(f"{source}: {exc}") from None
