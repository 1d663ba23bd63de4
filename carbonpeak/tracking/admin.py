"""Admin: every tracking model is visible; reports, projects, evidence and the audit log are read-only here (they
change through the workflow's pages and API only). The admin login is throttled like the main one."""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm

from carbonpeak.core.admin import AuditedAdmin, ReadOnlyAdmin
from carbonpeak.tracking.forms import RateLimitedAuthenticationForm

from carbonpeak.tracking.models import (
    ApiToken, AuditEntry, Evidence, IndicatorReport, Membership, Notification, Project, ReportingPeriod, ReviewPolicy, TaskReport,
)


class RateLimitedAdminAuthenticationForm(RateLimitedAuthenticationForm, AdminAuthenticationForm):
    """The admin's login form (staff only) with the main login's lockout: one throttle for every login form."""


admin.site.login_form = RateLimitedAdminAuthenticationForm


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("user", "unit", "role")
    list_filter = ("role", "unit__plan")
    search_fields = ("user__username", "unit__name_zh")
    raw_id_fields = ("user",)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(AuditedAdmin):
    list_display = ("plan", "kind", "year", "quarter", "start", "end", "due_date", "closed_at")
    list_filter = ("plan", "kind", "year")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("sent_at", "kind", "channel", "recipient", "unit", "period", "status")
    list_filter = ("kind", "channel", "status")


@admin.register(IndicatorReport)
class IndicatorReportAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "unit", "period", "value", "value_unit", "status", "revision", "submitted_at")
    list_filter = ("status", "period", "unit")
    search_fields = ("indicator__code", "indicator__name_zh", "unit__name_zh")
    raw_id_fields = ("supersedes",)


@admin.register(TaskReport)
class TaskReportAdmin(ReadOnlyAdmin):
    list_display = ("task", "unit", "period", "progress_status", "percent_complete", "status", "revision")
    list_filter = ("status", "progress_status", "period", "unit")
    search_fields = ("task__code", "unit__name_zh", "narrative")
    raw_id_fields = ("supersedes",)


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "task_report", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = ("file", "original_name", "size", "content_type", "sha256", "uploaded_by", "uploaded_at")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_name", "action", "object_type", "object_id", "object_repr", "ip")
    list_filter = ("action", "object_type")
    search_fields = ("actor_name", "object_repr")


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ("name", "prefix", "unit", "read_only", "created_by", "created_at", "last_used_at", "revoked_at")
    list_filter = ("unit",)
    readonly_fields = ("token_hash", "prefix", "created_at", "last_used_at")


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "quantity", "quantity_unit", "town", "responsible_unit", "commissioned_on",
                    "indicator", "status")
    list_filter = ("plan", "kind", "status", "town")
    search_fields = ("name",)
    raw_id_fields = ("supersedes",)


@admin.register(ReviewPolicy)
class ReviewPolicyAdmin(AuditedAdmin):
    list_display = ("plan", "four_eyes")
