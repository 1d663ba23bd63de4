"""Demo data for tracking: users, reporting periods, approved history for every quantitative target, projects.

Called by `carbonpeak demo` (idempotent: existing reports and projects are kept, missing ones are added).
Values are realistic for a district like Qingpu and deterministic (seeded per indicator code). Most targets
progress about as planned; some are deliberately behind so the dashboard has something to say:
green travel share, building renewable substitution, PV additions (from projects), existing data centres' PUE,
energy intensity and public building retrofits.

History: annual values from the 2020 baseline to the last full year, plus the quarters of the current year that
have ended, for targets still open; targets due by last year stop at their target year. Reports are the lead
unit's (the plan's district-wide goals are reported by the district office, 区发改委). Cumulative targets with
projects (PV, hydrogen stations, charging piles, greenways...) are computed from approved projects instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from importlib import import_module
from importlib.util import find_spec

from django.db import transaction
from django.utils import timezone

from carbonpeak.plan.models import Indicator, Plan, ResponsibleUnit, TaskUnit
from carbonpeak.plan.engine.trajectory import period_t
from carbonpeak.tracking.models import IndicatorReport, Project, ReportingPeriod, ReviewStatus
from carbonpeak.core import clock

FIRST_YEAR = 2020
COUNT_UNITS = {"个", "座", "家", "条", "处", "台", "辆"}

# Hand-written histories: annual values from 2020, then the current year's quarters (see module docstring).
SERIES: dict[str, tuple[list[float], list[float]]] = {
    "green-transport-share-2025": ([64.0, 65.2, 63.1, 66.0, 67.1, 68.0], []),
    "green-transport-share-2035": ([64.0, 65.2, 63.1, 66.0, 67.1, 68.0], [68.2, 68.5, 68.9, 69.1]),
    "building-renewable-substitution-2025": ([3.2, 3.9, 4.6, 5.3, 6.0, 6.6], []),
    "building-renewable-substitution-2030": ([3.2, 3.9, 4.6, 5.3, 6.0, 6.6], [6.8, 7.0, 7.2, 7.4]),
    "energy-intensity-gdp": ([0.0, 3.1, 5.0, 8.2, 10.9, 13.6], []),
    "dc-pue-new": ([1.40, 1.38, 1.35, 1.32, 1.30, 1.28], []),
    "dc-pue-existing": ([1.65, 1.61, 1.56, 1.50, 1.46, 1.42], []),
    "forest-coverage-rate": ([17.1, 17.5, 17.9, 18.3, 18.7, 19.1], []),
    "household-waste-recycling-rate": ([38.0, 39.5, 41.0, 42.3, 43.6, 45.2], []),
    "new-private-car-bev-share": ([22.0, 30.0, 38.0, 44.0, 49.0, 53.0], []),
    "passenger-car-bev-share-2035": ([2.1, 3.0, 4.6, 6.5, 8.9, 11.5], [12.3, 13.0, 13.8, 14.5]),
    "new-residential-ultra-low-energy-share": ([0.0, 0.0, 5.0, 12.0, 20.0, 28.0], [30.0, 32.0, 33.0, 34.0]),
    "carbon-peak-year": ([2029, 2029, 2028, 2028, 2028, 2028], [2028, 2028, 2028, 2028]),
    "coal-consumption": ([0.0, 0.0, 0.0, 0.0, 0.0, 0.0], []),
    "non-fossil-energy-share-2025": ([12.5, 13.4, 14.0, 15.1, 16.0, 16.9], []),
    "non-fossil-energy-share-2030": ([12.5, 13.4, 14.0, 15.1, 16.0, 16.9], [17.1, 17.3, 17.5, 17.6]),
    "carbon-intensity-gdp-2025": ([0.0, 3.5, 6.2, 9.8, 13.1, 16.4], []),
    "oil-consumption": ([38.5, 39.2, 36.1, 37.8, 37.2, 36.9], []),
    "industrial-solid-waste-intensity": ([0.052, 0.051, 0.053, 0.051, 0.050, 0.050], []),
    "park-green-space-per-capita": ([9.2, 9.5, 9.7, 10.0, 10.3, 10.6], []),
    "wetland-area": ([8650, 8655, 8662, 8670, 8681, 8690], []),
    "water-surface-area": ([10900, 10904, 10911, 10915, 10922, 10930], []),
    "carbon-intensity-gdp-2030": ([0.0, 3.5, 6.2, 9.8, 13.1, 16.4], [16.9, 17.3, 17.8, 18.1]),
}

# Projects per indicator code: (kind, unit, [(name, town code or "", quantity, commissioning date)]).
PV = [
    ("朱家角镇渔光互补光伏一期", "zhujiajiao", 12000, "2021-06-28"),
    ("练塘镇农光互补光伏", "liantang", 15000, "2021-11-30"),
    ("青浦工业园区厂房屋顶光伏（第一批）", "xianghuaqiao", 9800, "2021-12-20"),
    ("赵巷镇光伏小镇屋顶分布式光伏", "zhaoxiang", 8600, "2022-05-31"),
    ("金泽镇水乡客厅光伏示范", "jinze", 6400, "2022-09-30"),
    ("华新镇物流园屋顶光伏", "huaxin", 11200, "2022-12-15"),
    ("徐泾镇公共机构屋顶光伏", "xujing", 3200, "2023-03-31"),
    ("白鹤镇草莓大棚农光互补", "baihe", 7800, "2023-06-30"),
    ("朱家角镇光伏小镇整镇推进", "zhujiajiao", 14500, "2023-09-28"),
    ("重固镇工业厂房屋顶光伏", "chonggu", 5600, "2023-12-22"),
    ("青浦工业园区厂房屋顶光伏（第二批）", "xianghuaqiao", 13800, "2024-04-30"),
    ("练塘镇渔光互补光伏二期", "liantang", 18000, "2024-08-30"),
    ("盈浦街道学校屋顶光伏", "yingpu", 1900, "2024-10-31"),
    ("夏阳街道新城公建屋顶光伏", "xiayang", 4200, "2024-12-20"),
    ("西岑科创中心建筑光伏一体化", "jinze", 9500, "2025-03-31"),
    ("赵巷镇商业综合体屋顶光伏", "zhaoxiang", 3800, "2025-06-30"),
    ("华新镇冷链园区屋顶光伏", "huaxin", 8900, "2025-09-30"),
    ("白鹤镇渔光互补光伏", "baihe", 16500, "2025-12-18"),
    ("朱家角镇公共机构屋顶光伏（十五五）", "zhujiajiao", 2600, "2026-05-30"),
]
PROJECTS: dict[str, tuple[str, str, list[tuple[str, str, float, str]]]] = {
    "pv-capacity-added": ("pv", "kW", PV),
    "hydrogen-stations-new": ("hydrogen_station", "座", [
        ("华新镇油氢合建站", "huaxin", 1, "2021-09-30"), ("白鹤镇加氢站", "baihe", 1, "2022-06-30"),
        ("青浦工业园区加氢站", "xianghuaqiao", 1, "2022-12-28"), ("徐泾镇油氢合建站", "xujing", 1, "2023-07-31"),
        ("赵巷镇加氢/充电合建站", "zhaoxiang", 1, "2023-11-30"), ("重固镇物流加氢站", "chonggu", 1, "2024-05-31"),
        ("朱家角镇公交加氢站", "zhujiajiao", 1, "2024-10-31"), ("练塘镇加氢站", "liantang", 1, "2025-06-30"),
        ("夏阳街道新城加氢站", "xiayang", 1, "2025-11-28"),
    ]),
    "charging-piles-new": ("charging_pile", "个", [
        ("朱家角镇公共充电桩", "zhujiajiao", 120, "2021-08-31"), ("徐泾镇国家会展中心充电桩", "xujing", 260, "2021-12-31"),
        ("赵巷镇奥特莱斯充电站", "zhaoxiang", 150, "2022-06-30"), ("华新镇物流园专用充电桩", "huaxin", 180, "2022-11-30"),
        ("夏阳街道新城公共充电桩", "xiayang", 210, "2023-05-31"), ("盈浦街道小区共享充电桩", "yingpu", 140, "2023-10-31"),
        ("香花桥街道公交场站充电桩", "xianghuaqiao", 160, "2024-03-31"), ("白鹤镇专用充电桩", "baihe", 90, "2024-09-30"),
        ("重固镇公共充电桩", "chonggu", 110, "2025-03-31"), ("金泽镇水乡客厅充电站", "jinze", 130, "2025-07-31"),
        ("练塘镇公共充电桩", "liantang", 95, "2025-11-30"),
    ]),
    "greenways-new": ("greenway", "km", [
        ("环淀山湖绿色走廊（一期）", "zhujiajiao", 8.5, "2021-10-31"), ("上达河滨水绿道", "xiayang", 4.2, "2022-04-30"),
        ("青西郊野公园绿道", "jinze", 7.8, "2022-10-31"), ("大莲湖绿道", "liantang", 5.1, "2023-05-31"),
        ("淀浦河绿道", "yingpu", 3.6, "2023-11-30"), ("重固镇界生态绿道", "chonggu", 4.4, "2024-06-30"),
        ("赵巷镇崧泽绿道", "zhaoxiang", 3.9, "2025-04-30"), ("环淀山湖绿色走廊（二期）", "zhujiajiao", 4.0, "2025-10-31"),
    ]),
    "rural-parks-new": ("rural_park", "个", [
        (f"{town}乡村公园", code, 1, day) for town, code, day in [
            ("朱家角镇张马村", "zhujiajiao", "2021-09-30"), ("练塘镇东庄村", "liantang", "2022-05-31"),
            ("金泽镇蔡浜村", "jinze", "2022-10-31"), ("白鹤镇塘湾村", "baihe", "2023-04-30"),
            ("重固镇章堰村", "chonggu", "2023-09-30"), ("华新镇淮海村", "huaxin", "2024-04-30"),
            ("赵巷镇中步村", "zhaoxiang", "2024-09-30"), ("徐泾镇前明村", "xujing", "2025-03-31"),
            ("朱家角镇林家村", "zhujiajiao", "2025-06-30"), ("练塘镇徐练村", "liantang", "2025-10-31"),
        ]
    ]),
    "green-factories-new": ("green_factory", "家", [
        (f"绿色工厂：{name}", code, 1, day) for name, code, day in [
            ("金发科技", "baihe", "2021-12-31"), ("熊猫机械", "xianghuaqiao", "2021-12-31"),
            ("康恒环境", "xujing", "2022-12-31"), ("园区电子企业A", "xianghuaqiao", "2022-12-31"),
            ("华新物流装备企业", "huaxin", "2023-12-31"), ("赵巷新材料企业", "zhaoxiang", "2023-12-31"),
            ("白鹤汽车零部件企业", "baihe", "2024-12-31"), ("重固生物医药企业", "chonggu", "2024-12-31"),
            ("练塘食品企业", "liantang", "2025-12-31"), ("青浦工业园区装备企业", "xianghuaqiao", "2025-12-31"),
            ("朱家角纺织企业", "zhujiajiao", "2025-12-31"),
        ]
    ]),
    "ultra-low-energy-building-demo-area": ("ultra_low_energy_building", "m²", [
        ("青浦新城中央商务区超低能耗办公楼", "xiayang", 42000, "2022-12-30"),
        ("新城保障房超低能耗示范项目", "yingpu", 58000, "2023-10-31"),
        ("西岑科创中心超低能耗研发楼", "jinze", 65000, "2024-11-30"),
        ("上达城市公园配套超低能耗建筑", "xiayang", 38000, "2025-09-30"),
        ("青浦新城TOD超低能耗综合体", "xiayang", 31000, "2025-12-20"),
    ]),
    "public-building-retrofit-area": ("public_building_retrofit", "m²", [
        (f"{name}节能改造", code, qty, day) for name, code, qty, day in [
            ("区行政中心", "xiayang", 85000, "2021-10-31"), ("青浦区中心医院", "yingpu", 120000, "2022-06-30"),
            ("国家会展中心（一期）", "xujing", 260000, "2022-12-31"), ("青浦新城学校群", "xiayang", 95000, "2023-08-31"),
            ("朱家角古镇商业设施", "zhujiajiao", 70000, "2023-12-31"), ("赵巷商业综合体", "zhaoxiang", 140000, "2024-06-30"),
            ("青浦体育文化中心", "yingpu", 60000, "2024-12-31"), ("徐泾镇商务楼宇", "xujing", 110000, "2025-06-30"),
            ("华新镇公共服务中心", "huaxin", 45000, "2025-12-31"), ("国家会展中心（二期）", "xujing", 150000, "2026-06-30"),
        ]
    ]),
}


def _rng(code: str) -> random.Random:
    return random.Random(int(hashlib.sha256(f"carbonpeak-demo:{code}".encode()).hexdigest()[:12], 16))


def _generic(indicator: Indicator, times: list[float]) -> list[float] | None:
    """A plausible history for an indicator without a hand-written one: steady progress with a little noise."""
    rng = _rng(indicator.code)
    target, comparator, unit = indicator.target_value, indicator.comparator, indicator.unit
    T = float(indicator.target_year)
    if indicator.aggregation == Indicator.Aggregation.CUMULATIVE:
        start_year, end_year = indicator.period_years or (FIRST_YEAR + 1, indicator.target_year)
        if target is None:
            return None
        if comparator == "=" and target == 0:
            return [0.0 for _t in times]
        pace = rng.uniform(0.95, 1.15)
        t0 = start_year - 1
        values = [max(0.0, target * min(1.15, pace * (t - t0) / (end_year - t0))) for t in times]
        return [float(round(v)) if unit in COUNT_UNITS else round(v, 2) for v in values]

    if target is None:
        if comparator == "increase":
            start = 40.0 if unit == "%" else 10.0
            return [round(start * (1 + 0.03 * (t - FIRST_YEAR)) + rng.uniform(-0.2, 0.2), 2) for t in times]
        if comparator == "maintain":
            start = 100.0 if unit != "%" else 90.0
            good = -1 if not indicator.higher_is_better else 1
            return [round(start * (1 + good * 0.002 * (t - FIRST_YEAR)), 2) for t in times]
        if comparator == "reduce-by":
            return [round(3.0 * (t - FIRST_YEAR), 2) for t in times]
        return None  # "complete the city's quota": no number to make up

    if comparator == "reduce-by":
        start = 0.0
    elif indicator.baseline_value is not None:
        start = indicator.baseline_value
    elif comparator in ("<=", "<"):
        start = target * 1.3
    elif comparator == "=":
        start = 0.0 if target == 0 else (80.0 if unit == "%" and target == 100 else target * 0.8)
        if target == 0:
            start = round(target + rng.uniform(1, 3), 1)
    elif unit == "%":
        start = target * 0.85
    else:
        start = target * 0.3
    pace = rng.uniform(0.97, 1.12)
    values = []
    for t in times:
        share = min(1.0 if comparator == "=" else 1.05, pace * (t - FIRST_YEAR) / (T - FIRST_YEAR))
        value = start + (target - start) * share
        if FIRST_YEAR < t and share < 1:
            value += rng.gauss(0, 0.01 * abs(target - start))
        if unit == "%":
            value = min(100.0, max(0.0, value))
        values.append(value)
    digits = 3 if abs(target) < 10 else 2
    return [round(v, digits) for v in values]


def _periods(plan: Plan, today: dt.date) -> dict[str, ReportingPeriod]:
    if find_spec("carbonpeak.tracking.services"):
        from carbonpeak.tracking.services import ensure_periods

        made = ensure_periods(plan, FIRST_YEAR, today.year - 1, quarterly=False)
        made += ensure_periods(plan, today.year, today.year, quarterly=True)
    else:  # pragma: no cover - the services module ships with tracking
        made = []
    return {p.code: p for p in made}


def _history_slots(indicator: Indicator, today: dt.date) -> list[tuple[str, float]]:
    """(period code, t) for which the demo reports a value of this indicator."""
    last_full = today.year - 1
    quarters_done = (today.month - 1) // 3
    if indicator.aggregation == Indicator.Aggregation.CUMULATIVE and indicator.period_years:
        first, end = indicator.period_years
    else:
        first, end = FIRST_YEAR, indicator.target_year
    slots = [(str(y), period_t(y)) for y in range(first, min(end, last_full) + 1)]
    if end > last_full:
        slots += [(f"{today.year}Q{q}", period_t(today.year, quarter=q)) for q in range(1, quarters_done + 1)]
    return slots


def _reporting_unit(plan: Plan, indicator: Indicator, leads: dict[int, int], office: ResponsibleUnit) -> int:
    return leads.get(indicator.task_id, office.pk) if indicator.task_id else office.pk


def _load_reports(plan: Plan, periods: dict[str, ReportingPeriod], today: dt.date, users: dict) -> int:
    leads = dict(TaskUnit.objects.filter(task__action__plan=plan, is_lead=True).values_list("task_id", "unit_id"))
    office = (plan.units.filter(name_zh="区发改委").first()
              or plan.units.filter(kind=ResponsibleUnit.Kind.DEPARTMENT).order_by("position").first())
    existing = set(IndicatorReport.objects.filter(indicator__plan=plan)
                   .values_list("indicator_id", "unit_id", "period_id"))
    reviewer = users.get("office")
    with_projects = set(PROJECTS)
    new = []
    for indicator in plan.indicators.order_by("position"):
        if indicator.code in with_projects and indicator.aggregation == Indicator.Aggregation.CUMULATIVE:
            continue
        slots = [(code, t) for code, t in _history_slots(indicator, today) if code in periods]
        if indicator.code in SERIES:
            annual, quarterly = SERIES[indicator.code]
            by_code = {str(FIRST_YEAR + i): v for i, v in enumerate(annual)}
            by_code.update({f"{today.year}Q{i + 1}": v for i, v in enumerate(quarterly)})
            values = [by_code.get(code) for code, _t in slots]
        else:
            values = _generic(indicator, [t for _c, t in slots])
        if values is None:
            continue
        unit_id = _reporting_unit(plan, indicator, leads, office)
        for (code, _t), value in zip(slots, values, strict=True):
            period = periods[code]
            if value is None or (indicator.pk, unit_id, period.pk) in existing:
                continue
            at = timezone.make_aware(dt.datetime.combine(min(period.due_date, today), dt.time(10, 0)))
            new.append(IndicatorReport(
                indicator=indicator, unit_id=unit_id, period=period, value=float(value),
                value_unit=indicator.unit, status=ReviewStatus.APPROVED, note="demo",
                created_at=at, submitted_at=at, reviewed_at=at, reviewed_by=reviewer,
                review_comment="demo data",
            ))
    IndicatorReport.objects.bulk_create(new, batch_size=500)
    return len(new)


def _load_projects(plan: Plan, users: dict) -> int:
    units = {u.code: u for u in plan.units.all()}
    indicators = {i.code: i for i in plan.indicators.filter(code__in=list(PROJECTS))}
    existing = set(Project.objects.filter(plan=plan).values_list("name", flat=True))
    reviewer = users.get("office")
    fallback_lead = dict(TaskUnit.objects.filter(task__action__plan=plan, is_lead=True)
                         .values_list("task_id", "unit_id"))
    made = 0
    for code, (kind, qty_unit, rows) in PROJECTS.items():
        indicator = indicators.get(code)
        if indicator is None:
            continue
        for name, town_code, quantity, day in rows:
            if name in existing:
                continue
            town = units.get(town_code)
            responsible = town or units.get("fgw")
            if responsible is None:
                responsible_id = fallback_lead.get(indicator.task_id)
                if responsible_id is None:
                    continue
                responsible = plan.units.get(pk=responsible_id)
            commissioned = dt.date.fromisoformat(day)
            at = timezone.make_aware(dt.datetime.combine(commissioned + dt.timedelta(days=20), dt.time(10, 0)))
            Project.objects.create(
                plan=plan, kind=kind, name=name, town=town, responsible_unit=responsible, quantity=quantity,
                quantity_unit=qty_unit, commissioned_on=commissioned, indicator=indicator,
                status=ReviewStatus.APPROVED, note="demo", created_at=at, submitted_at=at, reviewed_at=at,
                reviewed_by=reviewer, review_comment="demo data",
            )
            made += 1
    return made


def load_demo(plan: Plan) -> None:
    today = clock.today()
    with transaction.atomic():
        users = {}
        if find_spec("carbonpeak.tracking.users"):
            ensure = getattr(import_module("carbonpeak.tracking.users"), "ensure_demo_users", None)
            if ensure is not None:
                users = ensure(plan) or {}
        periods = _periods(plan, today)
        _load_reports(plan, periods, today, users)
        _load_projects(plan, users)
