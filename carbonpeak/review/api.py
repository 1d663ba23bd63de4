"""REST API of project review, mounted at /api/review/. The review JSON is `carbonpeak review assess`'s.

Authentication as tracking's API (session with a membership, or a unit's bearer token). The office decides and
may submit for any town; a town's reporter submits for its own town; a unit sees only its own town's proposals;
the leader reads everything. Forbidden writes 403, others' proposals 404, bad input 422 naming each field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Body, Router, Status
from ninja.errors import HttpError

from carbonpeak.core.schema import Schema
from carbonpeak.plan.models import Plan
from carbonpeak.plan.selectors import plan_or_404 as _plan
from carbonpeak.review import access, services
from carbonpeak.review.engine import ProposalError, RulesError
from carbonpeak.review.models import ProjectProposal
from carbonpeak.scenarios.engine import ScenarioError
from carbonpeak.tracking.api import BearerToken, MemberSession

router = Router(tags=["review"], auth=[BearerToken(), MemberSession()])
MAX_DRAWS = 20_000


class DecisionIn(Schema):
    outcome: str
    comment: str = ""



def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "forbidden") from None
    except ProposalError as exc:
        raise HttpError(422, "; ".join(map(str, exc.errors))) from None
    except (RulesError, ScenarioError, ValueError) as exc:
        raise HttpError(422, str(exc)) from None


def _summary(p: ProjectProposal) -> dict[str, Any]:
    return {"id": p.pk, "name": p.name, "town": p.town.name_zh, "recommendation": p.recommendation,
            "decision": p.decision or None, "created_at": p.created_at.isoformat()}


def _visible(request, pk: int, plan: str | None) -> tuple[access.Actor, ProjectProposal]:
    actor = access.actor_for(request)
    obj = access.visible(actor, _plan(request)).filter(pk=pk).first()
    if obj is None:
        raise Http404("no such proposal")
    return actor, obj


@router.post("/proposals", response={201: dict})
def submit(request, payload: dict[str, Any] = Body(...), plan: str | None = None,
           draws: int = services.DEFAULT_DRAWS):
    """Submit a proposal (the YAML schema as JSON) → {"id", ...the review JSON}."""
    if not 1 <= draws <= MAX_DRAWS:
        raise HttpError(422, f"draws: must be in 1..{MAX_DRAWS}")
    obj = _call(services.submit, access.actor_for(request), _plan(request), payload, draws=draws)
    return Status(201, {"id": obj.pk, **obj.result})


@router.get("/proposals")
def proposals(request, plan: str | None = None):
    """The proposals the caller may see, newest first."""
    return [_summary(p) for p in access.visible(access.actor_for(request), _plan(request))]


@router.get("/proposals/{pk}")
def proposal(request, pk: int, plan: str | None = None):
    _, obj = _visible(request, pk, plan)
    return {**_summary(obj), "data": obj.data, "review": obj.result,
            "decisions": [{"outcome": d.outcome, "comment": d.comment, "decided_at": d.decided_at.isoformat()}
                          for d in obj.decisions.all()]}


@router.post("/proposals/{pk}/decision")
def decide(request, pk: int, payload: DecisionIn, plan: str | None = None):
    """Record the office's decision (通过 / 有条件通过 / 不予通过) with a comment; audited."""
    actor, obj = _visible(request, pk, plan)
    _call(services.decide, actor, obj, payload.outcome, payload.comment)
    return _summary(obj)
