"""REST API of the scenarios, mounted at /api/scenarios/. Reading and running are open (an anonymous run stores
nothing); creating and editing follow `carbonpeak.scenarios.permissions` and are audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.errors import HttpError
from ninja.security import django_auth

from carbonpeak.core.errors import error_text
from carbonpeak.core.permissions import actor_for
from carbonpeak.core.schema import Schema
from carbonpeak.plan.models import Plan
from carbonpeak.plan.selectors import plan_or_404
from carbonpeak.scenarios import engine, services
from carbonpeak.scenarios.permissions import copy_as, run_as, update_as
from carbonpeak.scenarios.models import Scenario

try:  # django-ninja >= 1.5
    from ninja import Status
except ImportError:  # pragma: no cover
    def Status(code: int, body: Any) -> tuple[int, Any]:  # noqa: N802
        return code, body

router = Router(tags=["scenarios"])
ANONYMOUS_MAX_DRAWS = 5000


class ScenarioOut(Schema):
    slug: str
    name: str
    kind: str
    version: int
    parent: str | None
    description: str
    horizon: int
    enabled_levers: list[str]


class ScenarioDetail(ScenarioOut):
    parameters: dict[str, Any]
    versions: list[int]


class CreateIn(Schema):
    name: str
    copy_from: str = "plan"
    description: str | None = None
    levers: dict[str, Any] | None = None
    drivers: dict[str, Any] | None = None
    horizon: int | None = None


class UpdateIn(Schema):
    levers: dict[str, Any] | None = None
    drivers: dict[str, Any] | None = None
    horizon: int | None = None


class RunIn(Schema):
    draws: int = services.DEFAULT_DRAWS
    seed: int = services.DEFAULT_SEED


def _plan(request) -> Plan:
    """The request's plan (`/p/<code>/` or `?plan=`; current_plan): 404 when none is loaded."""
    plan = plan_or_404(request)
    services.ensure_defaults(plan)
    return plan


def _out(sc: Scenario) -> dict[str, Any]:
    return {"slug": sc.slug, "name": sc.name, "kind": sc.kind, "version": sc.version,
            "parent": sc.parent.slug if sc.parent else None, "description": sc.description, "horizon": sc.horizon,
            "enabled_levers": [k for k in engine.LEVER_KEYS if sc.parameters["levers"][k]["enabled"]]}


def _detail(sc: Scenario) -> dict[str, Any]:
    return {**_out(sc), "parameters": sc.parameters,
            "versions": list(sc.versions.values_list("version", flat=True))}


@router.get("/", response=list[ScenarioOut])
def list_scenarios(request, plan: str | None = None):
    return [_out(sc) for sc in Scenario.objects.filter(plan=_plan(request)).select_related("parent").order_by("id")]


@router.get("/schema")
def lever_schema(request):
    """Levers and drivers the engine knows: keys, labels, units, parameter kinds and plan defaults."""
    return {
        "levers": [{"key": s.key, "label": s.label, "help": s.help, "plan_enabled": s.plan_enabled,
                    "params": [{"key": p.key, "kind": p.kind, "unit": p.unit, "label": p.label, "interp": p.interp}
                               for p in s.params], "plan": dict(s.plan)} for s in engine.LEVERS],
        "drivers": [{"key": p.key, "kind": p.kind, "unit": p.unit, "label": p.label} for p in engine.DRIVER_PARAMS],
        "distributions": {"fixed": ["value"], "normal": ["mean", "sd"], "uniform": ["low", "high"],
                          "triangular": ["low", "mode", "high"]},
    }


@router.get("/backtest")
def backtest(request, draws: int = 1000, seed: int = services.DEFAULT_SEED, plan: str | None = None):
    """Back-test from an earlier inventory year against later actuals (MAPE, P10-P90 coverage)."""
    if not 1 <= draws <= services.MAX_DRAWS:
        raise HttpError(422, f"draws must be in 1..{services.MAX_DRAWS}")
    if not request.user.is_authenticated and draws > ANONYMOUS_MAX_DRAWS:
        raise HttpError(403, f"anonymous back-tests are limited to {ANONYMOUS_MAX_DRAWS} draws; log in for more")
    return services.backtest(draws, seed, _plan(request))


@router.get("/progress")
def progress(request, plan: str | None = None):
    """Progress tracking (the page `/scenarios/progress/`, same figures): the plan scenario re-forecast from
    each of the last accounting years, observed years as fact, and how P(peak by 2030) and the median peak year
    moved since the forecast a year earlier. 409 when the accounting inventory cannot serve as a base."""
    found = _plan(request)
    services.ensure_defaults(found)
    scenario = services.plan_scenario(found)
    try:
        return {"plan": found.code, "scenario": scenario.slug, **services.progress(found, scenario)}
    except services.BaseUnavailable as exc:
        raise HttpError(409, str(exc)) from exc


@router.get("/{slug}", response=ScenarioDetail)
def get_scenario(request, slug: str, plan: str | None = None):
    return _detail(get_object_or_404(Scenario, plan=_plan(request), slug=slug))


@router.post("/", response={201: ScenarioDetail}, auth=django_auth)
def create_scenario(request, payload: CreateIn, plan: str | None = None):
    """Copy `copy_from` (default: the plan scenario) under a new name, then apply the changes given."""
    the_plan = _plan(request)
    source = services.find(the_plan, payload.copy_from)
    if source is None:
        raise HttpError(404, f"no scenario {payload.copy_from!r} to copy")
    actor = actor_for(request)
    try:
        with transaction.atomic():
            sc = copy_as(actor, source, payload.name)
            if payload.levers or payload.drivers or payload.horizon or payload.description is not None:
                update_as(actor, sc, payload.levers, payload.drivers, payload.horizon, payload.description)
    except (engine.ScenarioError, ValidationError) as exc:
        raise HttpError(422, error_text(exc)) from exc
    return Status(201, _detail(sc))


@router.patch("/{slug}/levers", response=ScenarioDetail, auth=django_auth)
def update_levers(request, slug: str, payload: UpdateIn, plan: str | None = None):
    """Merge lever (and driver, horizon) changes; each change is a new version."""
    sc = get_object_or_404(Scenario, plan=_plan(request), slug=slug)
    try:
        update_as(actor_for(request), sc, payload.levers, payload.drivers, payload.horizon)
    except (engine.ScenarioError, ValidationError) as exc:
        raise HttpError(422, error_text(exc)) from exc
    return _detail(Scenario.objects.get(pk=sc.pk))


@router.post("/{slug}/run")
def run_scenario(request, slug: str, payload: RunIn, plan: str | None = None):
    sc = get_object_or_404(Scenario, plan=_plan(request), slug=slug)
    if not request.user.is_authenticated and payload.draws > ANONYMOUS_MAX_DRAWS:
        raise HttpError(403, f"anonymous runs are limited to {ANONYMOUS_MAX_DRAWS} draws; log in for more")
    try:
        run = run_as(actor_for(request), sc, payload.draws, payload.seed)
    except engine.ScenarioError as exc:
        raise HttpError(422, str(exc)) from exc
    return {**run.result, "elapsed_s": run.elapsed_s, "cached_run_id": run.pk}
