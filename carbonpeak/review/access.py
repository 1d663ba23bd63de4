"""Who may do what in project review, through tracking's permission layer (the one place these calls are made).

The district office decides and may submit for any town; a town's reporter submits for its own town; a unit
sees only its own town's proposals; the leader sees everything, read-only; anyone without a membership
sees nothing. "Cannot see" is a 404, "can see but may not do" a 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from carbonpeak.plan.models import Plan, ResponsibleUnit
from carbonpeak.tracking.permissions import Actor, Role, actor_for
from carbonpeak.tracking.views import member_required

__all__ = ["Actor", "actor_for", "can_decide", "can_submit", "member_required", "require_member", "require_office",
           "require_submit", "visible"]


def require_member(actor: Actor) -> None:
    if not actor.is_member:
        raise Http404(_("Not found."))


def can_decide(actor: Actor) -> bool:
    """Record decisions: district office users only (never an API token)."""
    return actor.is_admin and actor.token is None


def require_office(actor: Actor) -> None:
    if not can_decide(actor):
        raise PermissionDenied(_("Only the district office may decide on a proposal."))


def can_submit(actor: Actor, town: ResponsibleUnit | None = None) -> bool:
    if actor.is_admin:
        return True
    return actor.role == Role.REPORTER and actor.unit is not None and (town is None or town.pk == actor.unit.pk)


def require_submit(actor: Actor, town: ResponsibleUnit) -> None:
    if not can_submit(actor, town):
        raise PermissionDenied(_("You may submit proposals only for your own town."))


def visible(actor: Actor, plan: Plan) -> QuerySet:
    from carbonpeak.review.models import ProjectProposal

    qs = ProjectProposal.objects.filter(plan=plan).select_related("town")
    if actor.sees_all:
        return qs
    if actor.unit is None or not actor.is_member:
        return qs.none()
    return qs.filter(town=actor.unit)
