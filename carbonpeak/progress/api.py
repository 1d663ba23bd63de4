"""REST API of progress, mounted at /api/progress/: the values the city issues for open targets.

The indicators' progress itself is served at `/api/tracking/progress[/{code}]` (its long-standing address) from
`carbonpeak.progress.schemas`. Same authentication and error rules as the tracking API: 403 for anyone but the
district office, 404 for an unknown indicator, 422 for a bad value; nothing is stored on a refused call.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.errors import HttpError

from carbonpeak.core.errors import error_text
from carbonpeak.core.schema import Schema
from carbonpeak.progress import services
from carbonpeak.progress.models import IssuedTarget
from carbonpeak.tracking.api import BearerToken, MemberSession, _plan
from carbonpeak.tracking.permissions import actor_for

router = Router(tags=["progress"], auth=[BearerToken(), MemberSession()])


class IssuedTargetIn(Schema):
    indicator: str
    value: float
    document: str
    issued_on: dt.date
    note: str = ""


class IssuedTargetOut(Schema):
    id: int
    indicator: str
    value: float
    document: str
    issued_on: dt.date
    note: str


def _out(issued: IssuedTarget) -> dict:
    return {"id": issued.pk, "indicator": issued.indicator.code, "value": issued.value,
            "document": issued.document, "issued_on": issued.issued_on, "note": issued.note}


@router.get("/issued-targets", response=list[IssuedTargetOut])
def issued_targets(request, plan: str | None = None):
    """Every value the city issued for the plan's open targets, latest first."""
    return [_out(i) for i in IssuedTarget.objects.filter(indicator__plan=_plan(request)).select_related("indicator")]


@router.post("/issued-targets", response={201: IssuedTargetOut})
def issue_target(request, payload: IssuedTargetIn, plan: str | None = None):
    """Record the value the city issued (with its document) for a target the plan leaves open; office only."""
    indicator = get_object_or_404(_plan(request).indicators, code=payload.indicator)
    try:
        issued = services.record_issued(actor_for(request), indicator, payload.value, payload.document,
                                        payload.issued_on, payload.note)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    except ValidationError as exc:
        raise HttpError(422, error_text(exc)) from None
    return 201, _out(issued)
