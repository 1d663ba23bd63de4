"""Read-side and derived figures: overview, site pages, alerts, accounting feed, simulation.

Everything here reads roll-ups (monthly/daily/hourly), never raw readings.
"""
from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from typing import Any, Callable

from functools import lru_cache

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q, Sum

from carbonpeak.accounting.engine.carriers import CARRIERS
from carbonpeak.accounting.engine.factors import get_factor_set
from carbonpeak.accounting.engine.units import factor as unit_factor
from carbonpeak.core import clock
from carbonpeak.monitoring.engine import metrics, simulate as sim
from carbonpeak.monitoring.engine.rollup import DAY, MONTH, TZ_OFFSET_S, bucket_start
from carbonpeak.monitoring.ingest import IngestResult, Pipeline
from carbonpeak.plan.selectors import indicator_for_role
from carbonpeak.monitoring.models import (
    Alert, Anomaly, Meter, MeterSwap, RejectedReading, RollupDaily, RollupHourly, RollupMonthly, Site,
)

LOCAL = dt.timezone(dt.timedelta(seconds=TZ_OFFSET_S))
MAIN_CATEGORIES = ("total", "facility_total")


def local_date(ts: int) -> dt.date:
    return dt.datetime.fromtimestamp(ts, LOCAL).date()


def month_start_ts(year: int, month: int) -> int:
    return int(dt.datetime(year, month, 1, tzinfo=LOCAL).timestamp())


@lru_cache(maxsize=64)
def tce_per_unit(carrier: str, unit: str, factor_set: str | None = None) -> float:
    """Tonnes of standard coal (当量值) per ``unit`` of ``carrier``, from the accounting engine's factor set
    (default: its default set; GB/T 2589-2020 coefficients, cited there) and its unit conversion.
    Raises FactorError / UnitError for a carrier or unit the engine does not know: never a guess."""
    fs = get_factor_set(factor_set)
    per_basis = float(fs.coal_equivalent[fs.index(carrier)])
    return per_basis * unit_factor(unit, CARRIERS[carrier].basis_unit)


def to_tce(carrier: str, unit: str, qty: float) -> float:
    return qty * tce_per_unit(carrier, unit)


def data_now() -> int:
    """'Now' for coverage, YTD and the demo's data: the wall clock, or noon (local) of the platform's today when
    the clock is fixed (core.clock, `CARBONPEAK_TODAY`), so monitoring agrees with the rest of the platform."""
    if getattr(settings, "CARBONPEAK_TODAY", None):
        return int(dt.datetime.combine(clock.today(), dt.time(12), LOCAL).timestamp())
    return int(time.time())


# ---------------------------------------------------------------------------
# per-site monthly energy
# ---------------------------------------------------------------------------
def monthly_by_site(year: int, site_ids: list[int] | None = None) -> dict[int, dict[tuple[str, str], np.ndarray]]:
    """{site_id: {(carrier, unit): 12 monthly totals}} over main (top-level, non-IT) meters."""
    q = RollupMonthly.objects.filter(bucket__gte=month_start_ts(year, 1), bucket__lt=month_start_ts(year + 1, 1),
                                     meter__parent__isnull=True, meter__category__in=MAIN_CATEGORIES)
    if site_ids is not None:
        q = q.filter(meter__site_id__in=site_ids)
    out: dict[int, dict[tuple[str, str], np.ndarray]] = defaultdict(dict)
    for site_id, carrier, unit, bucket, c in q.values_list("meter__site_id", "meter__carrier", "meter__unit",
                                                           "bucket", "consumption"):
        arr = out[site_id].setdefault((carrier, unit), np.zeros(12))
        arr[local_date(bucket).month - 1] += c
    return out


def site_tce(per_carrier: dict[tuple[str, str], np.ndarray]) -> np.ndarray:
    tot = np.zeros(12)
    for (carrier, unit), arr in per_carrier.items():
        tot += to_tce(carrier, unit, 1.0) * arr
    return tot


def first_days(year: int, site_ids: list[int] | None = None) -> dict[int, dt.date]:
    """First local day of ``year`` with main-meter data, per site (when a unit joined monitoring)."""
    q = RollupDaily.objects.filter(bucket__gte=month_start_ts(year, 1), bucket__lt=month_start_ts(year + 1, 1),
                                   meter__parent__isnull=True, meter__category__in=MAIN_CATEGORIES)
    if site_ids is not None:
        q = q.filter(meter__site_id__in=site_ids)
    return {sid: local_date(b) for sid, b in q.values("meter__site_id").annotate(b=Min("bucket"))
            .values_list("meter__site_id", "b")}


def quota_status(site: Site, year: int, today: dt.date, ytd_tce: float, first: dt.date | None) -> tuple[float, str]:
    """(allowance, level): the year-to-date allowance accrues from the first monitored day of the year."""
    since = (first.month, first.day) if first and first.year == year else None
    allowance = metrics.ytd_allowance(site.annual_quota_tce, year, today.month, today.day, since=since)
    return allowance, metrics.quota_level(ytd_tce, allowance)


def pue_monthly(site: Site, year: int) -> tuple[np.ndarray, np.ndarray]:
    fac, it = np.zeros(12), np.zeros(12)
    q = RollupMonthly.objects.filter(meter__site=site, meter__category__in=["facility_total", "it_load"],
                                     bucket__gte=month_start_ts(year, 1), bucket__lt=month_start_ts(year + 1, 1))
    for cat, bucket, c in q.values_list("meter__category", "bucket", "consumption"):
        (fac if cat == "facility_total" else it)[local_date(bucket).month - 1] += c
    return fac, it


# ---------------------------------------------------------------------------
# alerts
# ---------------------------------------------------------------------------
def pue_limit(site: Site) -> float | None:
    """The PUE limit the site's plan sets for its data-centre generation (roles dc_pue_new / dc_pue_existing);
    None if the plan sets none (then no PUE alert)."""
    if not site.dc_generation:
        return None
    plan = site.plan
    indicator = indicator_for_role(plan, f"dc_pue_{site.dc_generation}") if plan is not None else None
    return indicator.target_value if indicator is not None else None


@transaction.atomic
def evaluate_alerts(now: int | None = None) -> int:
    """Recompute PUE, quota, EUI and not-reporting alerts; returns the number of active alerts."""
    now = now or data_now()
    today = local_date(now)
    year = today.year
    raised: list[tuple[int, str, str, str, float, float]] = []
    activate_planned_sites()
    sites = list(Site.objects.filter(status=Site.Status.ACTIVE).select_related("plan"))
    monthly = monthly_by_site(year)
    firsts = first_days(year)
    for s in sites:
        if s.kind == Site.Kind.DATA_CENTRE and s.dc_generation:
            fac, it = pue_monthly(s, year)
            limit = pue_limit(s)
            if limit is None:
                continue
            p = metrics.pue(fac, it)
            for mi in range(12):
                if np.isfinite(p[mi]) and metrics.pue_breach(p[mi], limit):
                    raised.append((s.id, Alert.Kind.PUE, f"{year}-{mi + 1:02d}", Alert.Level.EXCEEDED,
                                   round(float(p[mi]), 3), limit))
            if it.sum() > 0 and metrics.pue_annual(fac, it) > limit:
                raised.append((s.id, Alert.Kind.PUE, str(year), Alert.Level.EXCEEDED,
                               round(metrics.pue_annual(fac, it), 3), limit))
        if s.annual_quota_tce:
            ytd = float(site_tce(monthly.get(s.id, {})).sum())
            allowance, level = quota_status(s, year, today, ytd, firsts.get(s.id))
            if level != "ok":
                raised.append((s.id, Alert.Kind.QUOTA, str(year), level, round(ytd, 2), round(allowance, 2)))
        if s.kind == Site.Kind.PUBLIC_BUILDING and s.floor_area_m2 and s.building_type in metrics.EUI_BENCHMARKS:
            e = eui_trailing(s, now)
            bench = metrics.EUI_BENCHMARKS[s.building_type]
            if e is not None and e > bench.constraint:
                raised.append((s.id, Alert.Kind.EUI, str(year), Alert.Level.EXCEEDED, round(e, 1), bench.constraint))
        if s.kind != Site.Kind.PUBLIC_BUILDING and (s.last_seen_ts is None or now - s.last_seen_ts > 2 * 86400):
            raised.append((s.id, Alert.Kind.SILENT, str(year), Alert.Level.WARNING,
                           float((now - s.last_seen_ts) / 86400) if s.last_seen_ts else -1.0, 2.0))
    keep: list[int] = []
    for site_id, kind, period, level, value, limit in raised:
        a, _ = Alert.objects.update_or_create(site_id=site_id, kind=kind, period=period,
                                              defaults={"level": level, "value": value, "limit": limit,
                                                        "active": True})
        keep.append(a.id)
    Alert.objects.exclude(id__in=keep).update(active=False)
    return len(keep)


def eui_trailing(site: Site, now: int) -> float | None:
    """Annualised EUI (kWh/m²·a) from daily roll-ups of main electricity meters over the last 365 days."""
    start = int(bucket_start(np.array([now - 365 * 86400]), DAY, closing=False)[0])
    agg = RollupDaily.objects.filter(meter__site=site, meter__parent__isnull=True, meter__carrier="electricity",
                                     meter__unit="kWh", meter__category="total", bucket__gte=start)
    days = agg.values("bucket").distinct().count()
    kwh = agg.aggregate(s=Sum("consumption"))["s"]
    if not days or kwh is None:
        return None
    return float(metrics.eui(kwh, site.floor_area_m2, days=days))


# ---------------------------------------------------------------------------
# pages
# ---------------------------------------------------------------------------
def plan_sites(plan=None, status: str = Site.Status.ACTIVE):
    """The plan's monitored sites (`Site.plan`; all plans' if None), or, status="planned", its approved projects'
    sites without meters yet: another district's sites never show."""
    sites = Site.objects.filter(status=status)
    return sites if plan is None else sites.filter(plan=plan)


def activate_planned_sites() -> int:
    """Planned sites whose meters have arrived become active (monitored, alerted); returns how many."""
    return Site.objects.filter(status=Site.Status.PLANNED, pk__in=Meter.objects.values("site_id")).update(
        status=Site.Status.ACTIVE)


def plan_rejects(plan=None, *, unknown_meters: bool = False):
    """Rejected readings of the plan's meters (all if None); with `unknown_meters` also those naming no known meter
    (a reject of no plan: shown to superusers only, so one district never reads another's raw payloads)."""
    if plan is None:
        return RejectedReading.objects.all()
    mine = Q(meter_code__in=Meter.objects.filter(site__plan=plan).values("code"))
    if unknown_meters:
        mine |= ~Q(meter_code__in=Meter.objects.values("code"))
    return RejectedReading.objects.filter(mine)


def _last_seen(kinds: list[str], plan=None) -> np.ndarray:
    return np.array([np.nan if t is None else t for t in
                     plan_sites(plan).filter(kind__in=kinds).values_list("last_seen_ts", flat=True)], dtype=float)


def key_unit_coverage(now: int, plan=None) -> float | None:
    """% of the plan's key energy-consuming units (data centres included) online at `now`; None when there are none."""
    last = _last_seen([Site.Kind.KEY_UNIT, Site.Kind.DATA_CENTRE], plan)
    return metrics.coverage(last, now) if len(last) else None


def pue_by_generation(plan=None) -> dict[str, dict[int, float]]:
    """{generation: {year: annual PUE}} of the plan's data centres (ratio of the summed energies, one query)."""
    q = RollupMonthly.objects.filter(meter__site__in=plan_sites(plan), meter__site__kind=Site.Kind.DATA_CENTRE,
                                     meter__category__in=["facility_total", "it_load"])
    sums: dict[tuple[str, int], dict[str, float]] = defaultdict(lambda: {"facility_total": 0.0, "it_load": 0.0})
    for gen, cat, bucket, c in q.values_list("meter__site__dc_generation", "meter__category", "bucket",
                                             "consumption"):
        sums[(gen, local_date(bucket).year)][cat] += c
    out: dict[str, dict[int, float]] = defaultdict(dict)
    for (gen, year), s in sums.items():
        if s["it_load"] > 0:
            out[gen][year] = metrics.pue_annual(s["facility_total"], s["it_load"])
    return dict(out)


def public_building_eui(now: int, plan=None) -> float | None:
    """The plan's public buildings' EUI (kWh/m²·a): main electricity over the last 365 days per monitored m²."""
    start = int(bucket_start(np.array([now - 365 * 86400]), DAY, closing=False)[0])
    sites = plan_sites(plan).filter(kind=Site.Kind.PUBLIC_BUILDING, floor_area_m2__gt=0)
    agg = RollupDaily.objects.filter(meter__site__in=sites, meter__parent__isnull=True, meter__carrier="electricity",
                                     meter__unit="kWh", meter__category="total", bucket__gte=start)
    kwh = agg.aggregate(s=Sum("consumption"), days=Count("bucket", distinct=True))
    area = sites.filter(pk__in=agg.values("meter__site")).aggregate(a=Sum("floor_area_m2"))["a"]
    if not kwh["days"] or not area:
        return None
    return float(metrics.eui(kwh["s"], area, days=kwh["days"]))


def overview(now: int | None = None, plan=None, unknown_meters: bool = False) -> dict[str, Any]:
    """The monitoring overview of the plan's sites (plan_sites) and rejects (plan_rejects)."""
    now = now or data_now()
    year = local_date(now).year
    scoped = plan_sites(plan)
    key_last = _last_seen([Site.Kind.KEY_UNIT, Site.Kind.DATA_CENTRE], plan)
    pb_last = np.array([np.nan if t is None else t for t in
                        scoped.filter(kind=Site.Kind.PUBLIC_BUILDING).values_list("last_seen_ts", flat=True)],
                       dtype=float)
    sites = {s.id: s for s in scoped.select_related("town")}
    monthly = monthly_by_site(year, list(sites) if plan is not None else None)
    tce = {sid: site_tce(per) for sid, per in monthly.items()}
    top = sorted(((float(v.sum()), sid) for sid, v in tce.items()), reverse=True)[:10]
    district = np.sum(list(tce.values()), axis=0) if tce else np.zeros(12)
    since = now - 7 * 86400
    return {
        "year": year,
        "coverage_key": metrics.coverage(key_last, now),
        "coverage_public": metrics.coverage(pb_last, now),
        "n_key": len(key_last),
        "n_public": len(pb_last),
        "n_sites": len(sites),
        "n_meters": Meter.objects.filter(site__in=scoped).count(),
        "alerts": list(Alert.objects.filter(active=True, site__in=scoped).select_related("site")[:50]),
        "top": [{"site": sites[sid], "tce": t} for t, sid in top if sid in sites],
        "district_monthly_tce": [round(float(x), 2) for x in district],
        "rejects_7d": plan_rejects(plan, unknown_meters=unknown_meters).filter(received_at__gte=dt.datetime.fromtimestamp(since, LOCAL)).count(),
        "anomalies": list(Anomaly.objects.select_related("meter__site").filter(ts__gte=since, meter__site__in=scoped)
                          .order_by("-ts")[:20]),
    }


def site_detail(site: Site, now: int | None = None, days: int = 14) -> dict[str, Any]:
    now = now or data_now()
    last = site.last_seen_ts or now
    year = local_date(last).year
    start = last - days * 86400
    mains = list(site.meters.filter(parent__isnull=True))
    curve: dict[str, list] = {}
    for m in mains:
        h = RollupHourly.rollup([m.id], start=start, end=last + 1)  # nothing is stored after the last reading
        curve[f"{m.code} ({m.get_category_display()}, {m.unit})"] = [
            [b * 1000, round(c, 3)] for b, c in zip(h.bucket.tolist(), h.qty.tolist())]
    sub = (RollupMonthly.objects.filter(meter__site=site, bucket__gte=month_start_ts(year, 1))
           .filter(Q(meter__parent__isnull=False) | Q(meter__category="it_load"))
           .values("meter__category").annotate(total=Sum("consumption")).order_by("-total"))
    labels = dict(Meter.Category.choices)
    breakdown = [{"name": str(labels.get(r["meter__category"], r["meter__category"])), "value": round(r["total"], 1)}
                 for r in sub]
    ctx: dict[str, Any] = {"site": site, "year": year, "curve": curve, "breakdown": breakdown, "meters": mains,
                           "submeters": list(site.meters.filter(parent__isnull=False)),
                           "anomalies": list(Anomaly.objects.filter(meter__site=site).select_related("meter")[:50]),
                           "alerts": list(site.alerts.filter(active=True))}
    per = monthly_by_site(year, [site.id]).get(site.id, {})
    ctx["monthly_tce"] = [round(float(x), 3) for x in site_tce(per)]
    if site.kind == Site.Kind.DATA_CENTRE:
        fac, it = pue_monthly(site, year)
        p = metrics.pue(fac, it)
        ctx["pue_monthly"] = [None if not np.isfinite(x) else round(float(x), 3) for x in p]
        ctx["pue_annual"] = metrics.pue_annual(fac, it) if it.sum() > 0 else None
        ctx["pue_limit"] = pue_limit(site)
    if site.kind == Site.Kind.PUBLIC_BUILDING and site.floor_area_m2:
        kwh = per.get(("electricity", "kWh"), np.zeros(12))
        ctx["eui_monthly"] = [round(float(x) / site.floor_area_m2, 2) for x in kwh]
        ctx["eui_annualised"] = eui_trailing(site, last)
        ctx["benchmark"] = metrics.EUI_BENCHMARKS.get(site.building_type)
    if site.annual_quota_tce:
        ctx["quota_ytd"] = float(sum(ctx["monthly_tce"]))
        ctx["quota_allowance"], ctx["quota_level"] = quota_status(site, year, local_date(last), ctx["quota_ytd"],
                                                                  first_days(year, [site.id]).get(site.id))
    return ctx


# ---------------------------------------------------------------------------
# accounting feed
# ---------------------------------------------------------------------------
def feed_accounting(year: int, plan=None) -> list[dict[str, Any]]:
    """Monthly energy per site as consumption records for the accounting engine.

    Columns follow carbonpeak.accounting.engine.records (entity, sector, carrier, quantity, unit, year, month,
    town, entity_kind) and the records are validated with its own rules. Only `plan`'s sites (all if None).
    """
    out: list[dict[str, Any]] = []
    sites = {s.id: s for s in plan_sites(plan).select_related("town")}
    for sid, per in sorted(monthly_by_site(year, list(sites) if plan is not None else None).items()):
        s = sites[sid]
        for (carrier, unit), arr in sorted(per.items()):
            for mi, q in enumerate(arr):
                if q <= 0:
                    continue
                out.append({"entity": s.code, "sector": s.accounting_sector, "carrier": carrier,
                            "quantity": round(float(q), 3), "unit": unit, "year": year, "month": mi + 1,
                            "town": s.town.code if s.town else "", "entity_kind": s.accounting_entity_kind})
    from carbonpeak.accounting.engine.records import records_from_dicts

    if out:
        records_from_dicts(out, name="monitoring")  # raises RecordsError naming the bad row/field
    return out


# ---------------------------------------------------------------------------
# simulation
# ---------------------------------------------------------------------------
def create_fleet(fleet: sim.Fleet, plan=None, prefix: str = "") -> list[int]:
    """Sites and meters for a simulated fleet; returns the meter ids in fleet order."""
    towns, units = [], []
    if plan is not None:
        towns = list(plan.units.filter(kind__in=["town", "street"]).order_by("position"))
        units = list(plan.units.filter(kind__in=["department", "company"]).order_by("position"))
    site_ids = []
    for i, s in enumerate(fleet.sites):
        obj, _ = Site.objects.update_or_create(code=(prefix + s.code).lower(), defaults={
            "name": s.name, "kind": s.kind, "building_type": s.building_type,
            "floor_area_m2": s.floor_area_m2 or None, "dc_generation": s.dc_generation,
            "it_capacity_kw": s.it_capacity_kw or None, "annual_quota_tce": s.annual_quota_tce or None,
            "town": towns[s.town % len(towns)] if towns else None,
            "responsible_unit": units[i % len(units)] if units else None, "plan": plan})
        site_ids.append(obj.id)
    meter_ids: list[int] = []
    for m in fleet.meters:
        obj, _ = Meter.objects.update_or_create(code=prefix + m.code, defaults={
            "site_id": site_ids[m.site], "carrier": m.carrier, "unit": m.unit, "category": m.category,
            "register_kind": "cumulative" if m.cumulative else "interval",
            "register_max": m.register_max if m.cumulative else 0.0,
            "parent_id": meter_ids[m.parent] if m.parent is not None else None,
            "interval_s": fleet.interval_s, "name": m.code})
        meter_ids.append(obj.id)
    return meter_ids


def simulate(n_sites: int, days: int, *, end_ts: int | None = None, seed: int = 0, plan=None, prefix: str = "",
             faults: bool = True, progress: Callable[[int], None] | None = None,
             fleet: sim.Fleet | None = None, batch_size: int = 200_000) -> IngestResult:
    """Generate and ingest ``days`` of 15-minute data for ``n_sites`` simulated sites, ending at ``end_ts``."""
    fleet = fleet or sim.make_fleet(n_sites, seed=seed)
    end_ts = end_ts or data_now()
    end_ts -= end_ts % fleet.interval_s
    start_ts = end_ts - days * 86400
    sim.plan_faults(fleet, days, faults)  # before the meters are stored: it sets the rollover register's maximum
    with transaction.atomic():
        ids = np.array(create_fleet(fleet, plan, prefix), dtype=np.int64)
    pipe = Pipeline(RejectedReading.Source.SIMULATION, batch_size=batch_size)
    total = IngestResult()
    recorded: set[int] = set()
    for m, t, v in sim.generate(fleet, start_ts, days, faults=faults):
        for f in fleet.faults:
            if f["type"] == "swap" and "old_final" in f and f["meter"] not in recorded:
                MeterSwap.objects.get_or_create(meter_id=int(ids[f["meter"]]), ts=f["ts"], defaults={
                    "old_final": f["old_final"], "new_initial": f["new_initial"], "note": "simulated replacement"})
                recorded.add(f["meter"])
        total.add(pipe.ingest_ids(ids[m], t, v))
        if progress:
            progress(len(t))
    return total
