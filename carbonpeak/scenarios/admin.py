"""Admin: scenarios are read-only here; they change through the editor and the API (versioned, checked, audited)."""

from django.contrib import admin

from carbonpeak.core.admin import ReadOnlyAdmin
from carbonpeak.scenarios.models import Scenario, ScenarioRun, ScenarioVersion


class VersionInline(admin.TabularInline):
    model = ScenarioVersion
    extra = 0
    readonly_fields = ("version", "parameters", "created_by", "created_at")
    can_delete = False


@admin.register(Scenario)
class ScenarioAdmin(ReadOnlyAdmin):
    list_display = ("name", "slug", "plan", "kind", "version", "parent", "updated_at")
    list_filter = ("plan", "kind")
    search_fields = ("name", "slug")
    readonly_fields = ("version",)
    inlines = [VersionInline]


@admin.register(ScenarioVersion)
class ScenarioVersionAdmin(ReadOnlyAdmin):
    list_display = ("scenario", "version", "created_by", "created_at")
    list_filter = ("scenario__plan",)


@admin.register(ScenarioRun)
class ScenarioRunAdmin(ReadOnlyAdmin):
    list_display = ("scenario", "version", "draws", "seed", "base_year", "base_source", "p_peak_by", "peak_year_p50",
                    "elapsed_s", "created_at")
    list_filter = ("base_source",)
