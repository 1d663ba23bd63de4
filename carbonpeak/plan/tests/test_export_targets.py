"""`carbonpeak plan export` carries every quantified target with the value, unit and year the plan states.

The expected figures below were read off the plan text (plans/sources/qingpu-carbon-peak-plan-2022.md), not off
the plan file: each row names a clause of the plan, and the exported indicator quoting that clause must carry the
same numbers.
"""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command

from conftest import QINGPU_PLAN, SEED_TEXT

# (clause of the plan, comparator, target value, unit, target year, period or None)
FROM_PLAN_TEXT = [
    ("单位生产总值能源消耗较2020年目标下降14%", "reduce-by", 14, "%", 2025, None),
    ("累计新增光伏装机容量29.4万千瓦", ">=", 29.4, "万千瓦", 2025, "2021-2025"),
    ("力争新建加氢站9座", ">=", 9, "座", 2025, None),
    ("新建数据中心能源利用效率（PUE）不高于1.3", "<=", 1.3, "PUE", None, None),
    ("力争能源效率（PUE）不高于1.4", "<=", 1.4, "PUE", None, None),
    ("累计落实超低能耗建筑示范项目不少于20万平方米", ">=", 20, "万平方米", 2025, "2021-2025"),
    ("全区新建居住建筑执行超低能耗建筑标准的比例达到50%", ">=", 50, "%", 2030, None),
    ("累计完成既有公共建筑节能改造面积超过200万平方米", ">", 200, "万平方米", 2030, "2021-2030"),
    ("城镇建筑可再生能源替代率达到10%", ">=", 10, "%", 2025, None),
    ("进一步提升到15%", ">=", 15, "%", 2030, None),
    ("新建公共、专用充电桩1600个", ">=", 1600, "个", 2025, "2021-2025"),
    ("绿色交通出行分担率达到75%", ">=", 75, "%", 2025, None),
    ("到2035年，达到85%", ">=", 85, "%", 2035, None),
    ("小客车纯电动车辆占比力争超过40%", ">", 40, "%", 2035, None),
    ("新增10家绿色工厂", ">=", 10, "家", 2025, None),
    ("一般工业固体废物综合利用率达到95%以上", ">=", 95, "%", 2025, None),
    ("生活垃圾回收利用率达到45%", ">=", 45, "%", 2025, None),
    ("农作物秸秆综合利用率稳定在98%以上", ">=", 98, "%", 2025, None),
    ("绿色农产品认证率达到30%以上", ">=", 30, "%", 2025, None),
    ("新增绿道45公里", ">=", 45, "公里", 2025, None),
    ("新增立体绿网5.1万平方米", ">=", 5.1, "万平方米", 2025, None),
    ("陆域森林覆盖率达到19%以上", ">=", 19, "%", 2025, None),
    ("打造乡村公园10座", ">=", 10, "座", None, None),
    ("全域50%以上建成生态清洁小流域", ">=", 50, "%", 2025, None),
]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("**", ""))


_EXPORT: dict = {}


@pytest.fixture
def exported(db) -> dict:
    """The CLI export of the Qingpu plan; computed once per session (each test's transaction is rolled back)."""
    if not _EXPORT:
        from carbonpeak.plan.loader import load_plan_file

        load_plan_file(str(QINGPU_PLAN))
        out = StringIO()
        call_command("plan", "export", "--format", "json", stdout=out)
        _EXPORT.update(json.loads(out.getvalue()))
    return _EXPORT


def find(indicators: list[dict], clause: str, value: float) -> dict:
    quoting = [i for i in indicators if squash(clause) in squash(i["source_quote"])]
    assert quoting, f"no exported indicator quotes {clause!r}"
    matching = [i for i in quoting if i["target_value"] == pytest.approx(value)]
    assert matching, f"indicators quoting {clause!r} have values {[i['target_value'] for i in quoting]}, not {value}"
    return matching[0]


@pytest.mark.parametrize("clause,comparator,value,unit,year,period", FROM_PLAN_TEXT, ids=[r[0][:12] for r in FROM_PLAN_TEXT])
def test_target_exported_as_the_plan_states(exported, clause, comparator, value, unit, year, period):
    indicator = find(exported["indicators"], clause, value)
    assert indicator["comparator"] == comparator
    assert indicator["unit"] == unit
    if year is not None:
        assert indicator["target_year"] == year
    if period is not None:
        assert indicator["period"] == period and indicator["aggregation"] == "cumulative"


def test_every_quote_is_in_the_plan_text(exported):
    if not SEED_TEXT.exists():
        pytest.skip(f"plan text not found at {SEED_TEXT}")
    text = squash(SEED_TEXT.read_text(encoding="utf-8"))
    missing = [i["code"] for i in exported["indicators"] if squash(i["source_quote"]) not in text]
    assert not missing


def test_qualitative_commitments_are_indicators(exported):
    by_code = {i["code"]: i for i in exported["indicators"]}
    peak = by_code["carbon-peak-year"]
    assert (peak["comparator"], peak["target_value"], peak["unit"]) == ("<=", 2030, "年")
    coal = by_code["coal-consumption"]
    assert (coal["comparator"], coal["target_value"]) == ("=", 0)
    assert any(i["kind"] == "qualitative" and "市下达" in i["source_quote"] for i in exported["indicators"])


def test_every_indicator_has_year_unit_and_task_or_goal(exported):
    for indicator in exported["indicators"]:
        assert indicator["target_year"] >= 2021, indicator["code"]
        assert indicator["task"] or indicator["phase_goal"], indicator["code"]
        if indicator["kind"] == "quantitative":
            assert indicator["unit"], indicator["code"]
    task_codes = {t["code"] for t in exported["tasks"]}
    assert len(task_codes) == 35
