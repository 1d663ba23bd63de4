"""Write a validated plan file into the registry, idempotently: codes are natural keys, reloads update in place."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import ProtectedError

from carbonpeak.plan.models import (
    Action,
    Indicator,
    PhaseGoal,
    Plan,
    ResponsibleUnit,
    Safeguard,
    Task,
    TaskUnit,
)
from carbonpeak.plan.planfile import PlanFileError, PlanFileErrors, PlanSpec, read_plan_file


@dataclass
class LoadSummary:
    plan: Plan
    created: bool
    counts: dict[str, int]

    def __str__(self) -> str:
        what = "created" if self.created else "updated"
        counts = ", ".join(f"{n} {k}" for k, n in self.counts.items())
        return f"{self.plan.code} {what}: {counts}"


def load_plan_file(path: str) -> LoadSummary:
    """Validate and load a plan file; all or nothing."""
    return load_plan(read_plan_file(path))


@transaction.atomic
def load_plan(spec: PlanSpec) -> LoadSummary:
    plan, created = Plan.objects.update_or_create(
        code=spec.code,
        defaults=dict(
            name_zh=spec.name_zh, name_en=spec.name_en, issuer_zh=spec.issuer_zh, issuer_en=spec.issuer_en,
            document_number=spec.document_number, issued_on=spec.issued_on, district_zh=spec.district_zh,
            district_en=spec.district_en, parent_plan_zh=spec.parent_plan_zh,
            guiding_text_zh=spec.guiding_text_zh, source_file=spec.path, source_text=spec.source_text,
            scenario_base=spec.scenario_base, parent_code=spec.parent, source_sha256=spec.sha256,
        ),
    )
    units = _load_units(plan, spec)
    goals = _load_phase_goals(plan, spec)
    tasks = _load_actions(plan, spec, units)
    _load_safeguards(plan, spec, units)
    _load_indicators(plan, spec, tasks, goals)
    _link_parents(plan, spec)
    counts = {
        "actions": plan.actions.count(),
        "tasks": Task.objects.filter(action__plan=plan).count(),
        "units": plan.units.count(),
        "indicators": plan.indicators.count(),
        "safeguards": plan.safeguards.count(),
    }
    return LoadSummary(plan=plan, created=created, counts=counts)


def _prune(queryset, keep_ids: set[int], spec: PlanSpec, what: str) -> None:
    """Delete registry rows that the file no longer has; refuse if reported data hangs on them."""
    stale = queryset.exclude(pk__in=keep_ids)
    try:
        stale.delete()
    except ProtectedError as exc:
        names = ", ".join(sorted({str(o) for o in exc.protected_objects})[:5])
        raise PlanFileErrors([PlanFileError(
            spec.path, None, what,
            f"cannot remove {what} that the file no longer lists, data refers to them: {names}",
        )]) from exc


def _load_units(plan: Plan, spec: PlanSpec) -> dict[str, ResponsibleUnit]:
    units: dict[str, ResponsibleUnit] = {}
    for position, u in enumerate(spec.units):
        units[u.code], _ = ResponsibleUnit.objects.update_or_create(
            plan=plan, code=u.code,
            defaults=dict(name_zh=u.name_zh, name_en=u.name_en, kind=u.kind, aliases=u.aliases, position=position),
        )
    for u in spec.units:
        units[u.code].members.set([units[m] for m in u.members])
    _prune(plan.units.all(), {u.pk for u in units.values()}, spec, "units")
    return units


def _load_phase_goals(plan: Plan, spec: PlanSpec) -> dict[str, PhaseGoal]:
    goals = {}
    for g in spec.phase_goals:
        goals[g.code], _ = PhaseGoal.objects.update_or_create(
            plan=plan, code=g.code,
            defaults=dict(name_zh=g.name_zh, name_en=g.name_en, start_year=g.start_year, end_year=g.end_year,
                          text_zh=g.text_zh),
        )
    _prune(plan.phase_goals.all(), {g.pk for g in goals.values()}, spec, "phase_goals")
    return goals


def _load_actions(plan: Plan, spec: PlanSpec, units: dict[str, ResponsibleUnit]) -> dict[str, Task]:
    tasks: dict[str, Task] = {}
    actions = []
    for a in spec.actions:
        action, _ = Action.objects.update_or_create(
            plan=plan, number=a.number, defaults=dict(name_zh=a.name_zh, name_en=a.name_en)
        )
        actions.append(action)
        for t in a.tasks:
            task, _ = Task.objects.update_or_create(
                action=action, number=t.number,
                defaults=dict(code=t.code, title_zh=t.title_zh, title_en=t.title_en, summary_en=t.summary_en,
                              text_zh=t.text_zh),
            )
            _link_units(task, [units[c] for c in t.units])
            tasks[t.code] = task
        _prune(action.tasks.all(), {t.pk for t in tasks.values()}, spec, "tasks")
    _prune(plan.actions.all(), {a.pk for a in actions}, spec, "actions")
    return tasks


def _link_units(task: Task, named: list[ResponsibleUnit]) -> None:
    """Link the named units in order (first is lead) and, after them, the members of any named group."""
    TaskUnit.objects.filter(task=task).delete()
    links = [TaskUnit(task=task, unit=u, position=i, is_lead=(i == 0)) for i, u in enumerate(named)]
    linked = {u.pk for u in named}
    for group in (u for u in named if u.kind == ResponsibleUnit.Kind.GROUP):
        for member in group.members.all():
            if member.pk not in linked:
                linked.add(member.pk)
                links.append(TaskUnit(task=task, unit=member, position=len(links), via_group=group))
    TaskUnit.objects.bulk_create(links)


def _load_safeguards(plan: Plan, spec: PlanSpec, units: dict[str, ResponsibleUnit]) -> None:
    keep = set()
    for s in spec.safeguards:
        safeguard, _ = Safeguard.objects.update_or_create(
            plan=plan, number=s.number, defaults=dict(title_zh=s.title_zh, title_en=s.title_en, text_zh=s.text_zh)
        )
        safeguard.units.set([units[c] for c in s.units])
        keep.add(safeguard.pk)
    _prune(plan.safeguards.all(), keep, spec, "safeguards")


def _load_indicators(plan: Plan, spec: PlanSpec, tasks: dict[str, Task], goals: dict[str, PhaseGoal]) -> None:
    keep = set()
    for position, i in enumerate(spec.indicators):
        indicator, _ = Indicator.objects.update_or_create(
            plan=plan, code=i.code,
            defaults=dict(
                role=i.role, parent_code=i.parent_indicator, task=tasks.get(i.task) if i.task else None,
                phase_goal=goals.get(i.phase_goal) if i.phase_goal else None,
                name_zh=i.name_zh, name_en=i.name_en, kind=i.kind, comparator=i.comparator,
                target_value=i.target_value, unit=i.unit, unit_en=i.unit_en, target_year=i.target_year,
                baseline_value=i.baseline_value, baseline_year=i.baseline_year, period=i.period,
                aggregation=i.aggregation, trajectory=i.trajectory, scope_zh=i.scope_zh,
                higher_is_better=i.higher_is_better, source_quote=i.source_quote, note=i.note, position=position,
                source=i.source,
            ),
        )
        keep.add(indicator.pk)
    _prune(plan.indicators.all(), keep, spec, "indicators")


def _link_parents(plan: Plan, spec: PlanSpec) -> None:
    """Link the plan to its parent plan and its issued targets to the parent's, and the plan's already loaded
    districts to it; whichever of city and district is loaded first, the links exist once both are."""
    parent = Plan.objects.filter(code=plan.parent_code).first() if plan.parent_code else None
    Plan.objects.filter(pk=plan.pk).update(parent=parent)
    plan.parent = parent
    if parent is not None:
        targets = {i.code: i for i in parent.indicators.all()}
        unknown = sorted({c for c in plan.indicators.exclude(parent_code="").values_list("parent_code", flat=True)}
                         - set(targets))
        if unknown:
            raise PlanFileErrors([PlanFileError(spec.path, None, "indicators.parent_indicator",
                                                f"no target {', '.join(unknown)} in the parent plan {parent.code}")])
        _link_indicators(plan, targets)
    Plan.objects.filter(parent_code=plan.code).update(parent=plan)
    targets = {i.code: i for i in plan.indicators.all()}
    for district in plan.districts.all():
        _link_indicators(district, targets)


def _link_indicators(plan: Plan, targets: dict[str, Indicator]) -> None:
    for indicator in plan.indicators.exclude(parent_code=""):
        Indicator.objects.filter(pk=indicator.pk).update(parent=targets.get(indicator.parent_code))
