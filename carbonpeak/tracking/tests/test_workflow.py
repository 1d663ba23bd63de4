"""The review workflow through the service layer: draft → submitted → approved / returned, corrections, audit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from carbonpeak.tracking import services
from carbonpeak.tracking.models import AuditEntry, ImmutableRecordError, IndicatorReport, ReviewStatus, TaskReport
from carbonpeak.tracking.permissions import actor_for_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def actors(users):
    return {name: actor_for_user(user, ip="10.0.0.7") for name, user in users.items()}


def draft(actors, units, period, indicators, value=1.2):
    return services.save_indicator_report(actors["zjj-reporter"], indicator=indicators["pv-capacity-added"],
                                          unit=units["zhujiajiao"], period=period, value=value)


def test_full_cycle_with_return_and_audit(actors, units, period, indicators, users):
    report = draft(actors, units, period, indicators)
    assert report.status == ReviewStatus.DRAFT and report.value_unit == "万千瓦"
    report = draft(actors, units, period, indicators, value=1.3)  # editing the draft keeps one row
    assert IndicatorReport.objects.count() == 1 and report.value == 1.3
    report = services.submit(actors["zjj-reporter"], report)
    assert report.status == ReviewStatus.SUBMITTED and report.submitted_by == users["zjj-reporter"]
    with pytest.raises(services.WorkflowError):
        draft(actors, units, period, indicators, value=9)  # submitted: awaits review
    with pytest.raises(ValidationError):
        services.return_for_revision(actors["zjj-reviewer"], report, "  ")  # a reason is required
    report = services.return_for_revision(actors["zjj-reviewer"], report, "请核对数据来源")
    assert report.status == ReviewStatus.RETURNED and report.review_comment == "请核对数据来源"
    report = draft(actors, units, period, indicators, value=1.25)
    report = services.submit(actors["zjj-reporter"], report)
    report = services.approve(actors["zjj-reviewer"], report, "ok")
    assert report.status == ReviewStatus.APPROVED and report.reviewed_by == users["zjj-reviewer"]

    trail = list(report.audit_entries())
    assert [e.action for e in trail] == ["create", "edit", "submit", "return", "edit", "submit", "approve"]
    assert trail[1].before == {"value": 1.2} and trail[1].after == {"value": 1.3}
    assert trail[3].actor == users["zjj-reviewer"] and trail[3].comment == "请核对数据来源"
    assert all(e.ip == "10.0.0.7" for e in trail)
    assert trail[-1].after["status"] == "approved"


def test_reporter_cannot_approve_and_reviewer_cannot_report(actors, units, period, indicators):
    report = services.submit(actors["zjj-reporter"], draft(actors, units, period, indicators))
    with pytest.raises(PermissionDenied):
        services.approve(actors["zjj-reporter"], report)
    with pytest.raises(PermissionDenied):
        services.approve(actors["jw-reviewer"], report)  # another unit's reviewer
    with pytest.raises(PermissionDenied):
        services.approve(actors["leader"], report)
    with pytest.raises(PermissionDenied):
        services.save_indicator_report(actors["zjj-reviewer"], indicator=report.indicator, unit=units["zhujiajiao"],
                                       period=period, value=1)
    services.approve(actors["office"], report)  # the district office reviews everything


def test_reporter_only_for_own_unit_and_owned_indicators(actors, units, period, indicators):
    with pytest.raises(PermissionDenied):
        services.save_indicator_report(actors["zjj-reporter"], indicator=indicators["pv-capacity-added"],
                                       unit=units["jingwei"], period=period, value=1)
    with pytest.raises(PermissionDenied):  # chargers belong to 区建管委's task
        services.save_indicator_report(actors["zjj-reporter"], indicator=indicators["chargers"],
                                       unit=units["zhujiajiao"], period=period, value=1)
    assert IndicatorReport.objects.count() == 0


def test_wrong_unit_is_rejected(actors, units, period, indicators):
    with pytest.raises(ValidationError) as info:
        services.save_indicator_report(actors["zjj-reporter"], indicator=indicators["pv-capacity-added"],
                                       unit=units["zhujiajiao"], period=period, value=12000, value_unit="kW")
    assert "万千瓦" in str(info.value)
    assert IndicatorReport.objects.count() == 0


def test_approved_is_immutable_and_correction_is_a_new_revision(actors, units, period, indicators):
    report = services.submit(actors["zjj-reporter"], draft(actors, units, period, indicators, value=1.0))
    report = services.approve(actors["zjj-reviewer"], report)
    with pytest.raises(services.WorkflowError):
        draft(actors, units, period, indicators, value=2.0)
    with pytest.raises(services.WorkflowError):
        services.submit(actors["zjj-reporter"], report)
    report.value = 5
    with pytest.raises(ImmutableRecordError):
        report.save()
    with pytest.raises(ImmutableRecordError):
        IndicatorReport.objects.get(pk=report.pk).delete()

    with pytest.raises(PermissionDenied):
        services.correct(actors["jw-reporter"], IndicatorReport.objects.get(pk=report.pk), value=2.0)
    fix = services.correct(actors["zjj-reporter"], IndicatorReport.objects.get(pk=report.pk), value=2.0)
    assert (fix.revision, fix.supersedes_id, fix.status, fix.value) == (2, report.pk, "draft", 2.0)
    with pytest.raises(services.WorkflowError):
        services.correct(actors["zjj-reporter"], IndicatorReport.objects.get(pk=report.pk), value=3.0)
    # until the correction is approved, the approved value stays in force
    assert list(IndicatorReport.objects.effective().values_list("value", flat=True)) == [1.0]
    fix = draft(actors, units, period, indicators, value=2.5)  # editing the correction draft
    assert fix.revision == 2 and fix.value == 2.5
    services.approve(actors["zjj-reviewer"], services.submit(actors["zjj-reporter"], fix))
    assert list(IndicatorReport.objects.effective().values_list("value", flat=True)) == [2.5]
    assert IndicatorReport.objects.get(pk=report.pk).value == 1.0
    correction_audit = AuditEntry.objects.get(action="correct")
    assert correction_audit.object_id == fix.pk and correction_audit.before["value"] == 1.0


def test_approve_requires_submitted(actors, units, period, indicators):
    report = draft(actors, units, period, indicators)
    with pytest.raises(services.WorkflowError):
        services.approve(actors["zjj-reviewer"], report)
    assert not AuditEntry.objects.filter(action="approve").exists()


def test_task_report_cycle(actors, units, period, small_plan):
    task = small_plan.actions.get(number=1).tasks.get(number=1)
    report = services.save_task_report(actors["zjj-reporter"], task=task, unit=units["zhujiajiao"], period=period,
                                       narrative="完成屋顶光伏备案 3 个", progress_status="in_progress",
                                       percent_complete=40)
    with pytest.raises(ValidationError):
        services.save_task_report(actors["zjj-reporter"], task=task, unit=units["zhujiajiao"], period=period,
                                  percent_complete=140)
    report = services.approve(actors["zjj-reviewer"], services.submit(actors["zjj-reporter"], report))
    assert TaskReport.objects.get(pk=report.pk).percent_complete == 40
    assert [e.action for e in report.audit_entries()] == ["create", "submit", "approve"]


def test_audit_entries_are_append_only(actors, units, period, indicators):
    draft(actors, units, period, indicators)
    entry = AuditEntry.objects.get()
    entry.comment = "changed"
    with pytest.raises(ImmutableRecordError):
        entry.save()
    with pytest.raises(ImmutableRecordError):
        entry.delete()


def test_project_workflow(actors, units, small_plan, indicators):
    fields = {"kind": "pv", "name": "朱家角镇屋顶光伏一期", "responsible_unit": units["zhujiajiao"],
              "town": units["zhujiajiao"], "quantity": 850, "quantity_unit": "", "indicator":
              indicators["pv-capacity-added"]}
    project = services.save_project(actors["zjj-reporter"], small_plan, fields)
    assert project.quantity_unit == "kW" and project.status == "draft"
    with pytest.raises(PermissionDenied):
        services.save_project(actors["jw-reporter"], small_plan, {**fields, "quantity": 1}, project)
    project = services.approve(actors["zjj-reviewer"], services.submit(actors["zjj-reporter"], project))
    with pytest.raises(services.WorkflowError):
        services.save_project(actors["zjj-reporter"], small_plan, {**fields, "quantity": 900}, project)
    with pytest.raises(ValidationError):
        services.save_project(actors["zjj-reporter"], small_plan, {**fields, "town": units["jingwei"]})
    assert [e.action for e in project.audit_entries()] == ["create", "submit", "approve"]
