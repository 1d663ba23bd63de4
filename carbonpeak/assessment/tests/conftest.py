"""A small plan with three towns and the district office, energy records and GDP by town, users per role.

Written here (not the Qingpu file) so the expected figures can be worked out by hand: energy is electricity in
万kWh at 1.229 tce/万kWh (当量值); GDP in 10^4 yuan.
"""

from __future__ import annotations

import datetime as dt

import pytest

from carbonpeak.accounting.models import EnergyCap, EnergyRecord
from carbonpeak.assessment.models import UnitSeries
from carbonpeak.core.tests.members import make_members
from carbonpeak.tracking.models import Membership, ReportingPeriod

PLAN = """\
schema_version: 1
plan:
  code: tiny
  name_zh: 小区碳达峰实施方案
  issuer_zh: 小区人民政府
  district_zh: 小区
units:
  - {code: fgw, name_zh: 区发改委, kind: department}
  - {code: aa, name_zh: 甲镇, kind: town}
  - {code: bb, name_zh: 乙镇, kind: town}
  - {code: cc, name_zh: 丙街道, kind: street}
  - {code: towns, name_zh: 各镇、街道, kind: group, members: [aa, bb, cc]}
actions:
  - number: 1
    name_zh: 能源低碳转型行动
    tasks:
      - number: 1
        title_zh: 大力发展非化石能源
        units: [各镇、街道]
      - number: 2
        title_zh: 坚决遏制两高一低项目
        units: [各镇、街道, 区发改委]
indicators:
  - code: energy-intensity-gdp
    role: energy_intensity
    name_zh: 单位生产总值能源消耗
    comparator: reduce-by
    target_value: 14
    unit: "%"
    target_year: 2025
    baseline_year: 2020
    higher_is_better: false
    source_quote: 单位生产总值能源消耗较 2020 年目标下降 14%
  - code: energy-consumption-total
    role: energy_total
    task: "1.1"
    kind: qualitative
    name_zh: 能源消费总量
    comparator: "<="
    unit: 万吨标准煤
    target_year: 2025
    source_quote: 合理分解能源消费强度和总量双控目标
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
  - code: two-high-one-low-projects-new
    task: "1.2"
    name_zh: 新建、扩建两高一低项目
    comparator: "="
    target_value: 0
    unit: 个
    target_year: 2025
    source_quote: 坚决遏制两高一低项目
"""

PASSWORD = "carbonpeak-test-pw"
ROLE_USERS = {
    "office": ("fgw", Membership.Role.ADMIN),
    "leader": ("fgw", Membership.Role.LEADER),
    "aa-reporter": ("aa", Membership.Role.REPORTER),
    "aa-reviewer": ("aa", Membership.Role.REVIEWER),
    "bb-reporter": ("bb", Membership.Role.REPORTER),
    "bb-reviewer": ("bb", Membership.Role.REVIEWER),
}
# 万kWh of electricity per town and year, GDP per town and year
ELECTRICITY = {"aa": {2020: 1000.0, 2024: 1000.0}, "bb": {2020: 2000.0, 2024: 2300.0},
               "cc": {2020: 1000.0, 2024: 950.0}}
GDP = {"aa": {2020: 100.0, 2024: 125.0}, "bb": {2020: 200.0, 2024: 220.0}, "cc": {2020: 100.0, 2024: 120.0}}
TCE_PER_10K_KWH = 1.229


@pytest.fixture
def plan(db, tmp_path):
    from carbonpeak.plan.loader import load_plan_file

    path = tmp_path / "tiny.yaml"
    path.write_text(PLAN, encoding="utf-8")
    return load_plan_file(str(path)).plan


@pytest.fixture
def units(plan):
    return {u.code: u for u in plan.units.all()}


@pytest.fixture
def data(plan, units):
    """Energy records, GDP series and the 2024 energy cap."""
    for code, years in ELECTRICITY.items():
        for year, q in years.items():
            EnergyRecord.objects.create(plan=plan, entity_name=f"{code}-all", sector="industry", carrier="electricity",
                                        quantity=q, unit="万kWh", year=year, town=units[code])
    for code, years in GDP.items():
        for year, v in years.items():
            UnitSeries.objects.create(plan=plan, code="gdp", year=year, unit=units[code], value=v)
    EnergyCap.objects.create(plan=plan, year=2024, cap_tce=5000.0)
    return plan


@pytest.fixture
def users(plan):
    return make_members(plan, ROLE_USERS, PASSWORD)



@pytest.fixture
def periods(plan):
    """The four quarters of 2024 (due 15 days after each quarter)."""
    out = []
    for q in range(1, 5):
        start, end = ReportingPeriod.bounds("quarterly", 2024, q)
        out.append(ReportingPeriod.objects.create(plan=plan, kind="quarterly", year=2024, quarter=q, start=start,
                                                  end=end, due_date=end + dt.timedelta(days=15)))
    return out


@pytest.fixture
def key_unit(plan, units):
    """Key unit K1 in town aa, with the plan's annual reporting period 2024 (for 能源利用状况报告)."""
    import datetime as dt

    from carbonpeak.assessment.models import KeyEnergyUnit
    from carbonpeak.tracking.models import ReportingPeriod

    start, end = ReportingPeriod.bounds("annual", 2024)
    ReportingPeriod.objects.create(plan=plan, kind="annual", year=2024, start=start, end=end,
                                   due_date=end + dt.timedelta(days=60))
    return KeyEnergyUnit.objects.create(plan=plan, code="K1", name_zh="甲镇重点企业", town=units["aa"])
