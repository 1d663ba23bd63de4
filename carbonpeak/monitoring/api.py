"""REST API of online energy monitoring, mounted at /api/monitoring/.

Gateways post readings for their own sites; every read is enterprise-level data (per-site consumption, meters,
rejects with raw payloads) and needs a logged-in member.
"""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.security import HttpBearer

from carbonpeak.core.permissions import actor_for, require_enterprise_read
from carbonpeak.core.schema import Schema
from carbonpeak.monitoring import services
from carbonpeak.monitoring.ingest import Pipeline
from carbonpeak.monitoring.models import Gateway, Meter, Site
from carbonpeak.plan.selectors import current_plan

router = Router(tags=["monitoring"])


def _member(request: HttpRequest) -> None:
    require_enterprise_read(actor_for(request))
MAX_BATCH = 50_000


class GatewayAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Gateway | None:
        gw = Gateway.authenticate(token)
        if gw is not None:
            Gateway.objects.filter(pk=gw.pk).update(last_seen_at=timezone.now())
        return gw


class ReadingIn(Schema):
    meter: Any = None
    ts: Any = None
    value: Any = None


class BatchIn(Schema):
    readings: list[dict[str, Any]]


class IngestOut(Schema):
    received: int
    inserted: int
    duplicates: int
    rejected: int
    flagged: int
    reasons: dict[str, int]


class SiteOut(Schema):
    code: str
    name: str
    kind: str
    town: str | None
    responsible_unit: str | None
    floor_area_m2: float | None
    building_type: str
    dc_generation: str
    it_capacity_kw: float | None
    annual_quota_tce: float | None
    last_seen_ts: int | None


class MeterOut(Schema):
    code: str
    site: str
    carrier: str
    register_kind: str
    unit: str
    category: str
    parent: str | None
    last_ts: int | None


class RejectOut(Schema):
    received_at: str
    source: str
    ref: str
    meter_code: str
    raw: str
    reason: str


@router.post("/readings", response=IngestOut, auth=GatewayAuth())
def post_readings(request: HttpRequest, batch: BatchIn):
    """A batch of readings `{"readings": [{"meter", "ts", "value"}, ...]}` from an authenticated gateway.

    Duplicates of stored (meter, ts) are ignored; bad records are kept as rejects with a reason.
    """
    if len(batch.readings) > MAX_BATCH:
        raise HttpError(413, f"at most {MAX_BATCH} readings per request")
    gw: Gateway = request.auth
    r = Pipeline("api", allowed_site_ids=gw.allowed_site_ids(), refusal=gw.refusal()).ingest_records(
        batch.readings, ref=f"gw:{gw.name}")
    return r.as_dict()


def _site_out(s: Site) -> dict:
    return {"code": s.code, "name": s.name, "kind": s.kind, "town": s.town.code if s.town else None,
            "responsible_unit": s.responsible_unit.code if s.responsible_unit else None,
            "floor_area_m2": s.floor_area_m2, "building_type": s.building_type, "dc_generation": s.dc_generation,
            "it_capacity_kw": s.it_capacity_kw, "annual_quota_tce": s.annual_quota_tce,
            "last_seen_ts": s.last_seen_ts}


@router.get("/sites", response=list[SiteOut])
def sites(request: HttpRequest, kind: str | None = None):
    _member(request)
    q = services.plan_sites(current_plan(request)).select_related("town", "responsible_unit")
    if kind:
        q = q.filter(kind=kind)
    return [_site_out(s) for s in q]


@router.get("/sites/{code}", response=dict[str, Any])
def site(request: HttpRequest, code: str):
    _member(request)
    s = get_object_or_404(services.plan_sites(current_plan(request)).select_related("plan", "town", "responsible_unit"),
                          code=code)
    d = services.site_detail(s)
    return _site_out(s) | {k: d[k] for k in ("monthly_tce", "breakdown", "pue_monthly", "pue_annual", "pue_limit",
                                             "eui_monthly", "eui_annualised", "quota_allowance", "quota_ytd",
                                             "quota_level") if k in d}


@router.get("/meters", response=list[MeterOut])
def meters(request: HttpRequest, site: str | None = None):
    _member(request)
    q = Meter.objects.filter(site__in=services.plan_sites(current_plan(request))).select_related("site", "parent")
    if site:
        q = q.filter(site__code=site)
    return [{"code": m.code, "site": m.site.code, "carrier": m.carrier, "register_kind": m.register_kind,
             "unit": m.unit, "category": m.category, "parent": m.parent.code if m.parent else None,
             "last_ts": m.last_ts} for m in q]


@router.get("/rejects", response=list[RejectOut])
def rejects(request: HttpRequest, limit: int = Query(100, ge=1, le=1000)):
    _member(request)
    return [{"received_at": r.received_at.isoformat(), "source": r.source, "ref": r.ref,
             "meter_code": r.meter_code, "raw": r.raw, "reason": r.reason}
            for r in services.plan_rejects(current_plan(request), unknown_meters=request.user.is_superuser)[:limit]]


@router.get("/overview", response=dict[str, Any])
def overview(request: HttpRequest):
    _member(request)
    o = services.overview(plan=current_plan(request), unknown_meters=request.user.is_superuser)
    return {
        "year": o["year"], "coverage_key_units_pct": o["coverage_key"], "coverage_public_buildings_pct":
        o["coverage_public"], "sites": o["n_sites"], "meters": o["n_meters"], "rejects_7d": o["rejects_7d"],
        "district_monthly_tce": o["district_monthly_tce"],
        "top_consumers": [{"site": t["site"].code, "tce": round(t["tce"], 3)} for t in o["top"]],
        "alerts": [{"site": a.site.code, "kind": a.kind, "period": a.period, "level": a.level, "value": a.value,
                    "limit": a.limit, "limit_indicative": bool(a.indicative_limit_source)} for a in o["alerts"]],
    }


@router.get("/accounting-feed", response=list[dict[str, Any]])
def accounting_feed(request: HttpRequest, year: int = Query(..., ge=1900, le=2100)):
    """Monthly energy per site, as consumption records for the accounting engine."""
    _member(request)
    return services.feed_accounting(year, current_plan(request))
