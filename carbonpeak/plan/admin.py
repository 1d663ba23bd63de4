from django.contrib import admin

from carbonpeak.plan.models import Action, Indicator, PhaseGoal, Plan, ResponsibleUnit, Safeguard, Task, TaskUnit


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "document_number", "issued_on", "loaded_at")


@admin.register(PhaseGoal)
class PhaseGoalAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "start_year", "end_year", "plan")


@admin.register(ResponsibleUnit)
class ResponsibleUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "kind", "plan")
    list_filter = ("plan", "kind")
    search_fields = ("code", "name_zh", "name_en")
    filter_horizontal = ("members",)


class TaskInline(admin.TabularInline):
    model = Task
    fields = ("number", "code", "title_zh", "title_en")
    extra = 0


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ("number", "name_zh", "name_en", "plan")
    list_filter = ("plan",)
    inlines = [TaskInline]


class TaskUnitInline(admin.TabularInline):
    model = TaskUnit
    fk_name = "task"
    extra = 0


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("code", "title_zh", "title_en", "action")
    list_filter = ("action__plan", "action")
    search_fields = ("code", "title_zh", "title_en", "text_zh")
    inlines = [TaskUnitInline]


@admin.register(Safeguard)
class SafeguardAdmin(admin.ModelAdmin):
    list_display = ("number", "title_zh", "plan")
    filter_horizontal = ("units",)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "comparator", "target_value", "unit", "target_year", "task")
    list_filter = ("plan", "kind", "aggregation", "target_year")
    search_fields = ("code", "name_zh", "name_en", "source_quote")
