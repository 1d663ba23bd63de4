"""Admin: every tracking model is visible; approved records and audit entries are read-only here too."""

from django.contrib import admin

from carbonpeak.tracking.models import (
    ApiToken, AuditEntry, Evidence, IndicatorReport, Membership, Project, ReportingPeriod, ReviewStatus, TaskReport,
)


class ImmutableWhenApproved(admin.ModelAdmin):
    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status == ReviewStatus.APPROVED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status == ReviewStatus.APPROVED:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "role")
    list_filter = ("role", "unit__plan")
    search_fields = ("user__username", "unit__name_zh")
    raw_id_fields = ("user",)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ("plan", "kind", "year", "quarter", "start", "end", "due_date")
    list_filter = ("plan", "kind", "year")


@admin.register(IndicatorReport)
class IndicatorReportAdmin(ImmutableWhenApproved):
    list_display = ("indicator", "unit", "period", "value", "value_unit", "status", "revision", "submitted_at")
    list_filter = ("status", "period", "unit")
    search_fields = ("indicator__code", "indicator__name_zh", "unit__name_zh")
    raw_id_fields = ("supersedes",)


@admin.register(TaskReport)
class TaskReportAdmin(ImmutableWhenApproved):
    list_display = ("task", "unit", "period", "progress_status", "percent_complete", "status", "revision")
    list_filter = ("status", "progress_status", "period", "unit")
    search_fields = ("task__code", "unit__name_zh", "narrative")
    raw_id_fields = ("supersedes",)


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ("original_name", "task_report", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = ("file", "original_name", "size", "content_type", "sha256", "uploaded_by", "uploaded_at")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_name", "action", "object_type", "object_id", "object_repr", "ip")
    list_filter = ("action", "object_type")
    search_fields = ("actor_name", "object_repr")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "unit", "read_only", "created_by", "created_at", "last_used_at", "revoked_at")
    list_filter = ("unit",)
    readonly_fields = ("token_hash", "prefix", "created_at", "last_used_at")


@admin.register(Project)
class ProjectAdmin(ImmutableWhenApproved):
    list_display = ("name", "kind", "quantity", "quantity_unit", "town", "responsible_unit", "commissioned_on",
                    "indicator", "status")
    list_filter = ("plan", "kind", "status", "town")
    search_fields = ("name",)
    raw_id_fields = ("supersedes",)
