"""Fixtures for tracking tests: a small plan with the units the demo users belong to, users per role, periods.

The plan is written here (not the Qingpu plan file) so these tests stand alone; names follow the Qingpu plan:
区发改委 is the district office, 朱家角镇 a town reached through the group 各镇、街道, 区经委 and 区建管委 departments.
"""

from __future__ import annotations

import datetime as dt

import pytest

from carbonpeak.core.tests.members import make_members
from carbonpeak.tracking.models import Membership, ReportingPeriod

SMALL_PLAN = """\
schema_version: 1
plan:
  code: small
  name_zh: 小区碳达峰实施方案
  issuer_zh: 小区人民政府
  district_zh: 小区
units:
  - {code: fgw, name_zh: 区发改委, kind: department}
  - {code: jingwei, name_zh: 区经委, kind: department}
  - {code: jianguanwei, name_zh: 区建管委, kind: department}
  - {code: zhujiajiao, name_zh: 朱家角镇, kind: town}
  - {code: liantang, name_zh: 练塘镇, kind: town}
  - {code: towns, name_zh: 各镇、街道, kind: group, members: [zhujiajiao, liantang]}
actions:
  - number: 1
    name_zh: 能源低碳转型行动
    tasks:
      - number: 1
        title_zh: 大力发展非化石能源
        units: [区发改委, 区经委, 各镇、街道]
  - number: 2
    name_zh: 工业领域碳达峰行动
    tasks:
      - number: 1
        title_zh: 推动产业绿色低碳发展
        units: [区经委]
  - number: 3
    name_zh: 城乡建设碳达峰行动
    tasks:
      - number: 1
        title_zh: 推进交通基础设施
        units: [区建管委]
indicators:
  - code: pv-capacity-added
    task: "1.1"
    name_zh: 新增光伏装机
    comparator: ">="
    target_value: 29.4
    unit: 万千瓦
    target_year: 2025
    period: 2021-2025
    aggregation: cumulative
    source_quote: 新增光伏装机29.4万千瓦
  - code: green-factories
    task: "2.1"
    name_zh: 新增绿色工厂
    comparator: ">="
    target_value: 10
    unit: 家
    target_year: 2025
    period: 2021-2025
    aggregation: cumulative
    source_quote: 新增10家绿色工厂
  - code: chargers
    task: "3.1"
    name_zh: 新建充电桩
    comparator: ">="
    target_value: 1600
    unit: 个
    target_year: 2025
    period: 2021-2025
    aggregation: cumulative
    source_quote: 新建公共、专用充电桩1600个
"""

PASSWORD = "carbonpeak-test-pw"

# username → (unit code, role)
ROLE_USERS = {
    "office": ("fgw", Membership.Role.ADMIN),
    "leader": ("fgw", Membership.Role.LEADER),
    "zjj-reporter": ("zhujiajiao", Membership.Role.REPORTER),
    "zjj-reviewer": ("zhujiajiao", Membership.Role.REVIEWER),
    "jw-reporter": ("jingwei", Membership.Role.REPORTER),
    "jw-reviewer": ("jingwei", Membership.Role.REVIEWER),
    "jgw-reporter": ("jianguanwei", Membership.Role.REPORTER),
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded evidence goes to a per-test directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def clear_cache():
    """Login lockout counters live in the cache; every test starts clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def small_plan(db, tmp_path):
    from carbonpeak.plan.loader import load_plan_file

    path = tmp_path / "small.yaml"
    path.write_text(SMALL_PLAN, encoding="utf-8")
    return load_plan_file(str(path)).plan


@pytest.fixture
def units(small_plan):
    return {u.code: u for u in small_plan.units.all()}


@pytest.fixture
def users(small_plan):
    """One user per role (see ROLE_USERS), plus `nobody`: logged in but without a membership."""
    return make_members(small_plan, ROLE_USERS, PASSWORD)


@pytest.fixture
def period(small_plan):
    start, end = ReportingPeriod.bounds("quarterly", 2024, 1)
    return ReportingPeriod.objects.create(plan=small_plan, kind="quarterly", year=2024, quarter=1, start=start,
                                          end=end, due_date=end + dt.timedelta(days=15))


@pytest.fixture
def annual_period(small_plan):
    start, end = ReportingPeriod.bounds("annual", 2024)
    return ReportingPeriod.objects.create(plan=small_plan, kind="annual", year=2024, start=start, end=end,
                                          due_date=dt.date(2025, 1, 31))


@pytest.fixture
def indicators(small_plan):
    return {i.code: i for i in small_plan.indicators.all()}


PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world(users, units, indicators, period, annual_period, small_plan):
    """Records of 朱家角镇 (zjj) and 区经委 (jw) in every workflow state, for access tests.

    - zjj_ind: 朱家角镇's PV value for 2024Q1, submitted; jw_ind: 区经委's green-factory value, submitted
    - zjj_task: 朱家角镇's task 1.1 report, draft, with one evidence file; jw_task likewise for 区经委's task 2.1
    - zjj_approved: 朱家角镇's PV value for the 2023 annual period, approved
    - zjj_project (draft), zjj_project_sub (submitted), jw_project (submitted)
    - zjj_token, jw_token: API tokens (raw values in zjj_raw / jw_raw)
    """
    from django.core.files.uploadedfile import SimpleUploadedFile

    from carbonpeak.tracking import services
    from carbonpeak.tracking.permissions import actor_for_user

    a = {name: actor_for_user(u) for name, u in users.items()}
    zjj, jw = units["zhujiajiao"], units["jingwei"]
    task11 = small_plan.actions.get(number=1).tasks.get(number=1)
    task21 = small_plan.actions.get(number=2).tasks.get(number=1)
    start, end = ReportingPeriod.bounds("annual", 2023)
    p2023 = ReportingPeriod.objects.create(plan=small_plan, kind="annual", year=2023, start=start, end=end,
                                           due_date=dt.date(2024, 1, 31))
    w = {"period": period, "annual": annual_period, "p2023": p2023, "task11": task11, "task21": task21}
    w["zjj_ind"] = services.submit(a["zjj-reporter"], services.save_indicator_report(
        a["zjj-reporter"], indicator=indicators["pv-capacity-added"], unit=zjj, period=period, value=1.1))
    w["jw_ind"] = services.submit(a["jw-reporter"], services.save_indicator_report(
        a["jw-reporter"], indicator=indicators["green-factories"], unit=jw, period=period, value=2))
    w["zjj_task"] = services.save_task_report(a["zjj-reporter"], task=task11, unit=zjj, period=period,
                                              narrative="推进中")
    w["jw_task"] = services.save_task_report(a["jw-reporter"], task=task21, unit=jw, period=period, narrative="x")
    w["zjj_evidence"] = services.add_evidence(a["zjj-reporter"], w["zjj_task"],
                                              SimpleUploadedFile("photo.png", PNG_BYTES, "image/png"))
    w["jw_evidence"] = services.add_evidence(a["jw-reporter"], w["jw_task"],
                                             SimpleUploadedFile("photo.png", PNG_BYTES, "image/png"))
    approved = services.submit(a["zjj-reporter"], services.save_indicator_report(
        a["zjj-reporter"], indicator=indicators["pv-capacity-added"], unit=zjj, period=p2023, value=0.8))
    w["zjj_approved"] = services.approve(a["zjj-reviewer"], approved)
    project = {"kind": "pv", "name": "朱家角屋顶光伏", "responsible_unit": zjj, "town": zjj, "quantity": 500,
               "indicator": indicators["pv-capacity-added"]}
    w["zjj_project"] = services.save_project(a["zjj-reporter"], small_plan, project)
    w["zjj_project_sub"] = services.submit(a["zjj-reporter"], services.save_project(
        a["zjj-reporter"], small_plan, {**project, "name": "朱家角农光互补"}))
    w["jw_project"] = services.submit(a["jw-reporter"], services.save_project(
        a["jw-reporter"], small_plan, {"kind": "green_factory", "name": "某绿色工厂", "responsible_unit": jw,
                                       "quantity": 1, "indicator": indicators["green-factories"]}))
    w["zjj_token"], w["zjj_raw"] = services.create_token(a["office"], zjj, "zjj scada")
    w["jw_token"], w["jw_raw"] = services.create_token(a["office"], jw, "jw erp")
    return w
