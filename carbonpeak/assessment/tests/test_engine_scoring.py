"""Scoring engine: every rubric method from crafted data, vetoes, grades, ties in the ranking, barometer."""

import numpy as np
import pytest

from carbonpeak.assessment.engine.barometer import barometer
from carbonpeak.assessment.engine.rubric import RubricError, parse_rubric
from carbonpeak.assessment.engine.scoring import competition_rank, score

RUBRIC = {
    "code": "t", "name_zh": "测试细则",
    "items": [
        {"code": "ei", "name_zh": "能耗强度", "weight": 40, "measure": "ei", "method": "completion",
         "zero_at": 0.5, "full_at": 1.0},
        {"code": "tasks", "name_zh": "任务进度", "weight": 30, "measure": "tasks", "method": "share"},
        {"code": "late", "name_zh": "报送及时性", "weight": 20, "measure": "late", "method": "deduction", "per": 5},
        {"code": "dq", "name_zh": "数据质量", "weight": 10, "measure": "dq", "method": "share", "zero_at": 0.5},
    ],
    "vetoes": [{"code": "two-high", "name_zh": "两高一低项目", "measure": "two_high", "op": ">", "threshold": 0}],
    "grades": [{"code": "exceeded", "name_zh": "超额完成", "min_score": 95},
               {"code": "completed", "name_zh": "完成", "min_score": 85},
               {"code": "basic", "name_zh": "基本完成", "min_score": 70},
               {"code": "failed", "name_zh": "未完成", "min_score": 0}],
    "notice": {"criticise_grades": ["failed"], "interview_grades": ["failed"]},
    "reward": {"rule": "score", "grades": ["exceeded", "completed"]},
}


def test_each_item_method_scores_as_documented():
    r = parse_rubric(RUBRIC)
    m = {"ei": np.array([1.2, 0.75, 0.4, np.nan]), "tasks": np.array([1.0, 0.5, 0.0, 1.0]),
         "late": np.array([0, 1, 5, 0]), "dq": np.array([1.0, 0.75, 0.2, 1.0]), "two_high": np.zeros(4)}
    sheet = score(r, ["a", "b", "c", "d"], m)
    assert sheet.points.tolist() == [[40, 30, 20, 10], [20, 15, 15, 5], [0, 0, 0, 0], [0, 30, 20, 10]]
    assert sheet.score.tolist() == [100, 55, 0, 60]
    d = sheet.unit_dict(3)
    assert d["items"][0]["value"] is None and d["items"][0]["evidence"].startswith("无数据")
    assert "完成率 75.0%" in sheet.unit_dict(1)["items"][0]["evidence"]


def test_grades_follow_thresholds_and_veto_forces_the_lowest():
    r = parse_rubric(RUBRIC)
    m = {"ei": np.array([1.0, 1.0, 1.0, 1.0]), "tasks": np.array([1.0, 0.9, 0.5, 1.0]),
         "late": np.zeros(4), "dq": np.ones(4), "two_high": np.array([0, 0, 0, 1])}
    sheet = score(r, ["a", "b", "c", "d"], m)
    assert sheet.score.tolist() == [100, 97, 85, 100]
    assert sheet.grade.tolist() == ["exceeded", "exceeded", "completed", "failed"]
    assert sheet.rank.tolist() == [1, 2, 3, 4]  # the vetoed unit ranks last despite 100 points
    d = sheet.unit_dict(3)
    assert d["veto"][0]["code"] == "two-high" and d["grade_zh"] == "未完成"


def test_adjustment_moves_score_and_grade_within_0_100():
    r = parse_rubric(RUBRIC)
    m = {"ei": np.ones(2), "tasks": np.array([0.5, 1.0]), "late": np.zeros(2), "dq": np.ones(2),
         "two_high": np.zeros(2)}
    sheet = score(r, ["a", "b"], m, adjustment=np.array([3.0, 5.0]))
    assert sheet.score.tolist() == [88.0, 100.0]
    assert sheet.grade.tolist() == ["completed", "exceeded"]


def test_ties_share_a_rank():
    ranks = competition_rank(np.array([90.0, 95.0, 90.0, 80.0, 95.0]), np.zeros(5, dtype=bool))
    assert ranks.tolist() == [3, 1, 3, 5, 1]


def test_rubric_errors_name_the_field():
    bad = dict(RUBRIC, items=[dict(RUBRIC["items"][0], weight=50)] + RUBRIC["items"][1:])
    with pytest.raises(RubricError, match="weights must add up to 100, they add up to 110"):
        parse_rubric(bad, "plans/rubrics/x.yaml")
    bad = dict(RUBRIC, items=[dict(RUBRIC["items"][0], method="vibes")] + RUBRIC["items"][1:])
    with pytest.raises(RubricError, match=r"x.yaml: items\[0\].method: 'vibes'"):
        parse_rubric(bad, "x.yaml")
    with pytest.raises(RubricError, match="no data for measure"):
        score(parse_rubric(RUBRIC), ["a"], {"ei": np.ones(1)})


def test_barometer_colours_and_figures():
    b = barometer(["up", "over", "slow", "fine", "none"],
                  base_intensity=np.array([1.0, 1.0, 1.0, 1.0, np.nan]),
                  intensity=np.array([1.02, 0.90, 0.95, 0.88, np.nan]),
                  target_rate=np.full(5, 0.14), schedule=0.8,
                  energy=np.array([10.0, 120.0, 50.0, 50.0, 0.0]), annual_share=np.array([100.0] * 5),
                  year_elapsed=1.0)
    out = b.to_list()
    assert [r["colour"] for r in out] == ["red", "red", "amber", "green", "grey"]
    assert "未下降" in out[0]["reasons"][0] and "超过分解额度" in out[1]["reasons"][0]
    assert out[2]["expected_change"] == pytest.approx(-0.112)
