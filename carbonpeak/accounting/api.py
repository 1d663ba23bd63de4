"""REST API of energy and CO2 accounting, mounted at /api/accounting/.

Aggregate reads are open; per-entity records need a login. Writes go through `carbonpeak.core.permissions`:
GDP and factor sets are the district office's, records the office's or a town reporter's own town's; every
write is audited. Bad records answer 422 with the first row-level errors and their count:
{"detail": "...", "total": N, "errors": [{"file", "row", "field", "message"}]}. Inline CSV is text, never a path.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from ninja import Body, Field, Path, Query, Router
from ninja.errors import HttpError
from ninja.security import django_auth

from carbonpeak.accounting import services
from carbonpeak.accounting.engine.factors import FactorError, FactorSet as EngineFactorSet
from carbonpeak.accounting.engine.inventory import InventoryError, by_method, compute_inventory
from carbonpeak.accounting.engine.lmdi import LmdiError
from carbonpeak.accounting.engine.records import RecordsError, parse_records, records_from_dicts
from carbonpeak.accounting.engine.units import UnitError
from carbonpeak.accounting.models import EnergyRecord, FactorSet, GdpRecord
from carbonpeak.accounting.permissions import import_as, town_scope
from carbonpeak.core import permissions
from carbonpeak.core.audit import audit, snapshot
from carbonpeak.core.schema import Schema
from carbonpeak.plan.selectors import plan_or_404 as _plan

router = Router(tags=["accounting"])


class RecordIn(Schema):
    entity: str
    sector: str
    carrier: str
    quantity: float | str
    unit: str
    year: int | str
    month: int | str | None = None
    town: str | None = None
    entity_kind: str | None = None
    use: str | None = None


class ComputeIn(Schema):
    csv: str | None = None
    records: list[RecordIn] | None = None
    factor_set: str | None = None


class RecordOut(Schema):
    id: int
    entity: str
    entity_kind: str
    sector: str
    carrier: str
    quantity: float
    unit: str
    year: int
    month: int | None
    town: str | None
    use: str
    source: str


YEARS = {"ge": 1900, "le": 2100}


class GdpIn(Schema):
    year: int = Field(..., **YEARS)
    value_10k_yuan: float
    sector: str = ""
    price_base_year: int = Field(2020, **YEARS)
    source: str = ""


def _records_error(exc: RecordsError) -> JsonResponse:
    return JsonResponse({"detail": f"{exc.total} bad row(s)", "total": exc.total,
                         "errors": [e.as_dict() for e in exc.errors]}, status=422, json_dumps_params={"ensure_ascii": False})


def _frame(payload: ComputeIn):
    if payload.csv is not None and payload.records is not None:
        raise HttpError(422, "give either csv or records, not both")
    if payload.csv is not None:
        return parse_records(payload.csv.encode("utf-8"), "csv")  # content, never a file name
    if payload.records is not None:
        return records_from_dicts([r.dict() for r in payload.records], "records")
    raise HttpError(422, "give csv (text with header entity,sector,carrier,quantity,unit,year) or records")


@router.post("/compute")
def compute(request, payload: ComputeIn) -> dict[str, Any]:
    """Account records given inline (CSV text or JSON records); nothing is stored."""
    try:
        df = _frame(payload)
        fs = services.engine_factor_set(payload.factor_set)
        inv = compute_inventory(df, fs)
        return inv.to_dict() | {"methods": by_method(inv.by_year)}
    except RecordsError as exc:
        return _records_error(exc)
    except (FactorError, UnitError, ValueError) as exc:
        raise HttpError(422, str(exc)) from exc


@router.get("/records", response=list[RecordOut])
def list_records(request, plan: str | None = None, year: int | None = Query(None, **YEARS),
                 sector: str | None = None, carrier: str | None = None, limit: int = Query(500, ge=1, le=5000),
                 offset: int = Query(0, ge=0)):
    """Per-entity records (a login is needed)."""
    permissions.require_enterprise_read(permissions.actor_for(request))
    qs = EnergyRecord.objects.filter(plan=_plan(request)).select_related("town")
    if year is not None:
        qs = qs.filter(year=year)
    if sector:
        qs = qs.filter(sector=sector)
    if carrier:
        qs = qs.filter(carrier=carrier)
    return [RecordOut(id=r.id, entity=r.entity_name, entity_kind=r.entity_kind, sector=r.sector, carrier=r.carrier,
                      quantity=r.quantity, unit=r.unit, year=r.year, month=r.month,
                      town=r.town.name_zh if r.town else None, use=r.use, source=r.source)
            for r in qs[offset:offset + limit]]


@router.post("/records", auth=django_auth)
def create_records(request, payload: ComputeIn, plan: str | None = None) -> dict[str, Any]:
    """Store records (CSV text or JSON list): all of them, or none with every row error."""
    p = _plan(request)
    actor = permissions.actor_for(request)
    town_scope(actor)
    try:
        if payload.csv is not None and payload.records is None:
            batch = import_as(actor, p, payload.csv.encode("utf-8"), "api.csv", EnergyRecord.Source.API)
        elif payload.records is not None and payload.csv is None:
            import pandas as pd

            items = [r.dict() for r in payload.records]
            cols = ["entity", "sector", "carrier", "quantity", "unit", "year", "month", "town", "entity_kind", "use"]
            frame = pd.DataFrame([{c: "" if it.get(c) is None else str(it.get(c)) for c in cols} for it in items],
                                 columns=cols, dtype=object)
            batch = import_as(actor, p, frame, "api", EnergyRecord.Source.API)
        else:
            raise HttpError(422, "give either csv or records")
    except RecordsError as exc:
        return _records_error(exc)
    return {"batch": batch.id, "created": batch.rows, "plan": p.code}


@router.delete("/records/{record_id}", auth=django_auth)
def delete_record(request, record_id: int) -> dict[str, Any]:
    actor = permissions.actor_for(request)
    permissions.require_enterprise_read(actor)
    rec = get_object_or_404(EnergyRecord, id=record_id, plan=_plan(request))
    permissions.require_unit_write(actor, rec.town)
    with transaction.atomic():
        before = snapshot(rec)
        rec.delete()
        audit(actor, "delete", rec, before=before, object_id=record_id)
    return {"deleted": record_id}


@router.get("/gdp")
def list_gdp(request, plan: str | None = None) -> list[dict[str, Any]]:
    return list(GdpRecord.objects.filter(plan=_plan(request)).values("year", "sector", "value_10k_yuan",
                                                                   "price_base_year", "source"))


@router.put("/gdp", auth=django_auth)
def put_gdp(request, payload: list[GdpIn], plan: str | None = None) -> dict[str, Any]:
    """Create or replace GDP values (10^4 yuan at constant prices; sector '' = district total): the office's."""
    actor = permissions.actor_for(request)
    permissions.require_district_write(actor)
    p = _plan(request)
    from carbonpeak.accounting.engine.carriers import SECTORS

    bad = [g.sector for g in payload if g.sector and g.sector not in SECTORS]
    if bad or any(g.value_10k_yuan <= 0 for g in payload):
        raise HttpError(422, f"GDP must be positive and sectors one of {', '.join(SECTORS)}; got {bad or 'non-positive value'}")
    with transaction.atomic():
        for g in payload:
            old = GdpRecord.objects.filter(plan=p, year=g.year, sector=g.sector).first()
            obj, _ = GdpRecord.objects.update_or_create(plan=p, year=g.year, sector=g.sector, defaults={
                "value_10k_yuan": g.value_10k_yuan, "price_base_year": g.price_base_year, "source": g.source})
            audit(actor, "update" if old else "create", obj, before=snapshot(old) if old else None,
                  after=snapshot(obj))
    return {"saved": len(payload)}


@router.get("/inventory")
def inventory_all(request, plan: str | None = None, factor_set: str | None = None,
                  method: str | None = None) -> dict[str, Any]:
    """Every year: totals, breakdowns and dual control (intensity, -14% trajectory, caps, coal, CO2 targets).

    `method`: equivalent (当量值) or reporting (等价值); default: the plan's assessment method."""
    try:
        run = services.inventory(_plan(request), factor_set, method)
    except (FactorError, ValueError) as exc:
        raise HttpError(422, str(exc)) from exc
    return {"run": run.id, "computed_at": run.computed_at.isoformat(), **run.result}


@router.get("/inventory/{year}")
def inventory_year(request, year: int = Path(..., **YEARS), plan: str | None = None, factor_set: str | None = None,
                   method: str | None = None) -> dict[str, Any]:
    p = _plan(request)
    try:
        run = services.inventory(p, factor_set, method)
    except (FactorError, ValueError) as exc:
        raise HttpError(422, str(exc)) from exc
    view = services.year_view(run, year)
    if view is None:
        raise HttpError(404, f"no energy records for {year}")
    return {"run": run.id, **view}


@router.get("/lmdi")
def lmdi(request, from_: int = Query(..., alias="from", **YEARS), to: int = Query(..., **YEARS), plan: str | None = None,
         factor_set: str | None = None) -> dict[str, Any]:
    """LMDI (additive, Ang) of the CO2 change between ?from=YEAR&to=YEAR, by sector."""
    y0, y1 = from_, to
    try:
        return services.lmdi(_plan(request), y0, y1, factor_set)
    except (LmdiError, FactorError, InventoryError) as exc:
        raise HttpError(422, str(exc)) from exc


@router.get("/factor-sets")
def factor_sets(request) -> list[dict[str, Any]]:
    services.get_factor_set()  # shipped sets present
    return [{"code": f.code, "name_zh": f.name_zh, "name_en": f.name_en, "version": f.version,
             "valid_from_year": f.valid_from_year, "valid_to_year": f.valid_to_year, "builtin": f.builtin}
            for f in FactorSet.objects.all()]


@router.get("/factor-sets/{code}")
def factor_set(request, code: str) -> dict[str, Any]:
    try:
        return services.get_factor_set(code).engine().summary()
    except FactorError as exc:
        raise HttpError(404, str(exc)) from exc


@router.post("/factor-sets", auth=django_auth)
def add_factor_set(request, payload: dict[str, Any] = Body(...)) -> dict[str, Any]:
    """Add (or replace a user-added) factor set: JSON of the data file's schema, one set (the office's)."""
    actor = permissions.actor_for(request)
    permissions.require_district_write(actor)
    code = str(payload.get("code", ""))
    try:
        fs = EngineFactorSet.from_dict(payload)
    except (FactorError, KeyError, TypeError, ValueError) as exc:
        raise HttpError(422, f"invalid factor set: {exc}") from exc
    existing = FactorSet.objects.filter(code=code).first()
    if existing and existing.builtin:
        raise HttpError(409, f"{code!r} is a shipped factor set; add yours under another code")
    with transaction.atomic():
        obj, _ = FactorSet.objects.update_or_create(code=code, defaults={
            "data": payload, "name_zh": fs.name_zh, "name_en": fs.name_en, "version": fs.version,
            "source": fs.source, "valid_from_year": fs.valid_from_year, "valid_to_year": fs.valid_to_year,
            "builtin": False})
        audit(actor, "update" if existing else "create", obj, before=snapshot(existing) if existing else None,
              after=snapshot(obj))
    return {"code": obj.code, "version": obj.version}
