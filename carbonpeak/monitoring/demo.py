"""Demo data: a dozen monitored sites with 60 days of 15-minute data and a realistic mix of alerts.

Calibrated on the simulated data itself (so it holds whatever the date the demo is loaded):
one data centre above its PUE limit, one key unit at >= 80 % of its year-to-date energy allowance, one at
>= 100 %, two public buildings above the EUI constraint value of their type, the others below it, and the
handful of anomalies (gaps, spikes, a rollover, a meter replacement) the simulator injects.
"""
from __future__ import annotations

from carbonpeak.monitoring.engine import metrics
from carbonpeak.monitoring.engine.simulate import make_fleet
from carbonpeak.monitoring.models import Site
from carbonpeak.plan.demodata import demo_fixture
from carbonpeak.monitoring.services import (
    data_now, eui_trailing, evaluate_alerts, first_days, local_date, monthly_by_site, simulate, site_tce,
)

# share of the year-to-date allowance used, per key unit in fleet order (the rest: comfortably below 80 %)
QUOTA_USE = [1.08, 0.88]
OTHER_QUOTA_USE = 0.65
# EUI as a share of the type's constraint value, per public building in fleet order
EUI_SHARE = [1.18, 0.82, 0.74, 1.12, 0.9, 0.68]


def demo_prefix(plan) -> str:
    """Site and meter codes of a plan's demo fleet start with this (codes are unique across plans)."""
    return f"demo-{plan.code[:40]}-"


def load_demo(plan) -> None:
    prefix = demo_prefix(plan)
    if Site.objects.filter(code__startswith=prefix).exists():
        return
    fleet = make_fleet(12, seed=2022)
    name = demo_fixture(plan, "monitoring").get("data_centre_name") or f"{plan.district_zh}数据中心 (demo)"
    for s in fleet.sites:
        if s.kind == "data_centre":  # an existing data centre, running at PUE 1.47
            s.dc_generation = "existing"
            s.name = name
    for m in fleet.meters:
        if m.category == "facility_total":
            m.pue = (1.47, 0.06)
    now = data_now()
    simulate(len(fleet.sites), 60, plan=plan, prefix=prefix, fleet=fleet, end_ts=now)
    calibrate(now, prefix)
    evaluate_alerts(now)


def calibrate(now: int, prefix: str) -> None:
    """Set quotas and floor areas of the demo sites (codes starting with `prefix`) from their simulated consumption."""
    today = local_date(now)
    year = today.year
    sites = list(Site.objects.filter(code__startswith=prefix).order_by("code"))
    monthly = monthly_by_site(year, [s.id for s in sites])
    firsts = first_days(year, [s.id for s in sites])
    key_units = [s for s in sites if s.kind == Site.Kind.KEY_UNIT]
    for s in sites:
        if s.kind == Site.Kind.PUBLIC_BUILDING or s.id not in monthly:
            continue
        ytd = float(site_tce(monthly[s.id]).sum())
        first = firsts.get(s.id)
        since = (first.month, first.day) if first else None
        per_unit_quota = metrics.ytd_allowance(1.0, year, today.month, today.day, since=since)
        i = key_units.index(s) if s in key_units else len(QUOTA_USE)
        use = QUOTA_USE[i] if i < len(QUOTA_USE) else OTHER_QUOTA_USE
        s.annual_quota_tce = round(ytd / (use * per_unit_quota), 1)
        s.save(update_fields=["annual_quota_tce"])
    buildings = [s for s in sites if s.kind == Site.Kind.PUBLIC_BUILDING and s.building_type in metrics.EUI_BENCHMARKS]
    for i, s in enumerate(buildings):
        e = eui_trailing(s, now)
        if not e:
            continue
        target = metrics.EUI_BENCHMARKS[s.building_type].constraint * EUI_SHARE[i % len(EUI_SHARE)]
        s.floor_area_m2 = round(s.floor_area_m2 * e / target)
        s.save(update_fields=["floor_area_m2"])
