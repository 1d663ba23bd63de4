"""What a user (or an API token) may see and do in tracking, on the shared layer `carbonpeak.core.permissions`.

Roles (`Membership.Role`):
- admin (district office, 区发改委 carbon-peak office): sees everything, may report for any unit, reviews all.
- leader: sees everything, changes nothing.
- reporter: sees and edits only its own unit's reports and projects, for the indicators and tasks the unit
  answers for (linked to the task directly or through a group such as 各镇、街道).
- reviewer: sees its own unit's records and approves / returns its unit's submissions.
An API token acts as a reporter of its unit (or read-only when `read_only`). Superusers act as admins.

Views and the API turn "cannot see" into 404 — never 403 — so ids outside one's scope cannot be probed;
"can see but may not do" is 403.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from carbonpeak.core.permissions import (  # noqa: F401 - re-exported: the actor is shared by every app
    READ_ONLY_TOKEN, Actor, Role, actor_for, actor_for_token, actor_for_user, can_write_unit, client_ip,
)
from carbonpeak.plan import selectors
from carbonpeak.plan.models import Indicator, Plan, ResponsibleUnit, Task
from carbonpeak.tracking.models import (
    ApiToken, Evidence, IndicatorReport, Project, ReviewPolicy, ReviewStatus, TaskReport,
)


# --- what one may see -----------------------------------------------------------------------------------------

def visible_units(actor: Actor, plan: Plan) -> QuerySet[ResponsibleUnit]:
    units = plan.units.exclude(kind=ResponsibleUnit.Kind.GROUP)
    if actor.sees_all:
        return units
    if actor.unit is None:
        return units.none()
    return units.filter(pk=actor.unit.pk)


def unit_indicators(unit: ResponsibleUnit) -> QuerySet[Indicator]:
    """The indicators a unit reports: those of the tasks it is linked to, directly or via a group."""
    return selectors.unit_indicators(unit)


def unit_tasks(unit: ResponsibleUnit) -> QuerySet[Task]:
    return selectors.unit_tasks(unit)


def owns_indicator(unit: ResponsibleUnit, indicator: Indicator) -> bool:
    return unit_indicators(unit).filter(pk=indicator.pk).exists()


def owns_task(unit: ResponsibleUnit, task: Task) -> bool:
    return unit_tasks(unit).filter(pk=task.pk).exists()


def _plan_scoped(actor: Actor, queryset: QuerySet, field: str) -> QuerySet:
    """Office and leader see everything of their plan only (`Actor.plan`; all for an actor bound to none)."""
    return queryset if actor.plan is None else queryset.filter(**{field: actor.plan})


def _unit_scoped(actor: Actor, queryset: QuerySet, field: str = "unit") -> QuerySet:
    if actor.sees_all:
        return _plan_scoped(actor, queryset, f"{field}__plan")
    if actor.unit is None:
        return queryset.none()
    return queryset.filter(**{field: actor.unit})


def indicator_reports(actor: Actor) -> QuerySet[IndicatorReport]:
    qs = IndicatorReport.objects.select_related("indicator", "unit", "period", "submitted_by", "reviewed_by")
    return _unit_scoped(actor, qs)


def task_reports(actor: Actor) -> QuerySet[TaskReport]:
    qs = TaskReport.objects.select_related("task__action", "unit", "period", "submitted_by", "reviewed_by")
    return _unit_scoped(actor, qs)


def projects(actor: Actor) -> QuerySet[Project]:
    qs = Project.objects.select_related("town", "responsible_unit", "indicator", "plan")
    if actor.sees_all:
        return _plan_scoped(actor, qs, "plan")
    if actor.unit is None:
        return qs.none()
    return qs.filter(Q(responsible_unit=actor.unit) | Q(town=actor.unit))


def evidence(actor: Actor) -> QuerySet[Evidence]:
    return Evidence.objects.filter(task_report__in=task_reports(actor)).select_related("task_report")


def tokens(actor: Actor) -> QuerySet[ApiToken]:
    qs = ApiToken.objects.select_related("unit", "created_by")
    if actor.token is not None:
        return qs.none()
    if actor.is_admin:
        return _plan_scoped(actor, qs, "unit__plan")
    if actor.role == Role.REVIEWER and actor.unit is not None:
        return qs.filter(unit=actor.unit)
    return qs.none()


def get_or_404(queryset: QuerySet, **lookup):
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404("not found")
    return obj


# --- what one may do ------------------------------------------------------------------------------------------

def can_report(actor: Actor, unit: ResponsibleUnit) -> bool:
    """May create / edit drafts and submit them for `unit`."""
    return can_write_unit(actor, unit)


def can_edit(actor: Actor, record) -> bool:
    return record.is_editable and can_report(actor, _record_unit(record))


def can_review(actor: Actor, record) -> bool:
    """Approve or return: the unit's reviewers and district admins, never tokens, only submitted records, and
    (four-eyes review, the plan's `ReviewPolicy`) never one's own submission."""
    if actor.token is not None or record.status != ReviewStatus.SUBMITTED:
        return False
    if _own_submission(actor, record) and ReviewPolicy.four_eyes_for(_record_plan_id(record)):
        return False
    if actor.role == Role.ADMIN:
        return actor.in_plan(_record_plan_id(record))
    return actor.role == Role.REVIEWER and actor.unit is not None and actor.unit.pk == _record_unit(record).pk


def _own_submission(actor: Actor, record) -> bool:
    return actor.user is not None and record.submitted_by_id is not None and record.submitted_by_id == actor.user.pk


def can_withdraw(actor: Actor, record) -> bool:
    """Take back a submission not yet reviewed: whoever may report for the record's unit."""
    return record.status == ReviewStatus.SUBMITTED and can_report(actor, _record_unit(record))


def can_correct(actor: Actor, record) -> bool:
    """Start a new revision of an approved record that nothing supersedes yet."""
    if record.status != ReviewStatus.APPROVED or not can_report(actor, _record_unit(record)):
        return False
    return not type(record).objects.filter(supersedes=record).exists()


def can_manage_tokens(actor: Actor, unit: ResponsibleUnit | None = None) -> bool:
    if actor.token is not None:
        return False
    if actor.is_admin:
        return unit is None or actor.in_plan(unit.plan_id)
    return actor.role == Role.REVIEWER and (unit is None or (actor.unit is not None and actor.unit.pk == unit.pk))


def _record_unit(record) -> ResponsibleUnit:
    return record.responsible_unit if isinstance(record, Project) else record.unit


def _record_plan_id(record) -> int:
    return record.plan_id if isinstance(record, Project) else record.period.plan_id
