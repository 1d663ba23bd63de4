"""Admin base classes, so the admin is no back door around the workflow, the permission layer or the audit log.

- `ReadOnlyAdmin`: records with a workflow (reports, projects, evidence, scenarios with versions) are changed only
  through their pages and API; the admin shows them.
- `AuditedAdmin`: district-wide configuration (GDP, caps, sites, meters) may be edited by the district office here;
  every add, change and delete is written to the one audit log with before/after.
The admin login uses the same throttle as the main login (`tracking.forms.RateLimitedAuthenticationForm`).
"""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction

from carbonpeak.core.audit import audit, snapshot
from carbonpeak.core.permissions import actor_for, can_write_district


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    def _office(self, request) -> bool:
        return can_write_district(actor_for(request))

    def has_add_permission(self, request, *args) -> bool:
        return self._office(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._office(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._office(request) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit(actor_for(request), "update" if change else "create", obj, before, snapshot(obj),
                  comment="admin")

    def delete_model(self, request, obj) -> None:
        with transaction.atomic():
            audit(actor_for(request), "delete", obj, before=snapshot(obj), comment="admin")
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit(actor_for(request), "delete", obj, before=snapshot(obj), comment="admin")
            super().delete_queryset(request, queryset)
