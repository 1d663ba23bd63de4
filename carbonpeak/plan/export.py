"""The plan registry as one JSON-ready document (CLI `carbonpeak plan export`, API `/api/plan/plans/{code}/export`)."""

from __future__ import annotations

from typing import Any

from carbonpeak.plan.models import Indicator, Plan, ResponsibleUnit, Task

INDICATOR_FIELDS = [
    "code", "role", "name_zh", "name_en", "kind", "comparator", "target_value", "unit", "unit_en", "target_year",
    "baseline_value", "baseline_year", "period", "aggregation", "trajectory", "scope_zh", "higher_is_better",
    "source_quote", "note", "source",
]


def plan_dict(plan: Plan) -> dict[str, Any]:
    return {
        "code": plan.code, "name_zh": plan.name_zh, "name_en": plan.name_en, "issuer_zh": plan.issuer_zh,
        "issuer_en": plan.issuer_en, "document_number": plan.document_number,
        "issued_on": plan.issued_on.isoformat() if plan.issued_on else None,
        "district_zh": plan.district_zh, "district_en": plan.district_en, "parent_plan_zh": plan.parent_plan_zh,
        "parent": plan.parent_code,
    }


def unit_dict(unit: ResponsibleUnit) -> dict[str, Any]:
    return {
        "code": unit.code, "name_zh": unit.name_zh, "name_en": unit.name_en, "kind": unit.kind,
        "aliases": unit.aliases, "members": [m.code for m in unit.members.all()],
    }


def task_dict(task: Task) -> dict[str, Any]:
    links = list(task.unit_links.all())
    named = [link for link in links if link.via_group_id is None]
    return {
        "code": task.code, "action": task.action.number, "number": task.number, "title_zh": task.title_zh,
        "title_en": task.title_en, "summary_en": task.summary_en, "text_zh": task.text_zh,
        "lead_unit": named[0].unit.code if named else None,
        "units": [link.unit.code for link in named],
        "all_units": [link.unit.code for link in links if link.unit.kind != ResponsibleUnit.Kind.GROUP],
    }


def indicator_dict(indicator: Indicator) -> dict[str, Any]:
    data = {f: getattr(indicator, f) for f in INDICATOR_FIELDS}
    data["task"] = indicator.task.code if indicator.task_id else None
    data["phase_goal"] = indicator.phase_goal.code if indicator.phase_goal_id else None
    data["parent_indicator"] = indicator.parent_code
    return data


def export_plan(plan: Plan) -> dict[str, Any]:
    tasks = (Task.objects.filter(action__plan=plan).select_related("action")
             .prefetch_related("unit_links__unit").order_by("action__number", "number"))
    indicators = plan.indicators.select_related("task", "phase_goal")
    return {
        "plan": plan_dict(plan),
        "phase_goals": [
            {"code": g.code, "name_zh": g.name_zh, "name_en": g.name_en, "start_year": g.start_year,
             "end_year": g.end_year, "text_zh": g.text_zh}
            for g in plan.phase_goals.all()
        ],
        "actions": [
            {"number": a.number, "name_zh": a.name_zh, "name_en": a.name_en,
             "tasks": [t.code for t in a.tasks.all()]}
            for a in plan.actions.prefetch_related("tasks")
        ],
        "tasks": [task_dict(t) for t in tasks],
        "units": [unit_dict(u) for u in plan.units.prefetch_related("members")],
        "safeguards": [
            {"number": s.number, "title_zh": s.title_zh, "title_en": s.title_en,
             "units": [u.code for u in s.units.all()]}
            for s in plan.safeguards.prefetch_related("units")
        ],
        "indicators": [indicator_dict(i) for i in indicators],
    }
