"""Admin: sites, meters, swaps and gateways are district configuration, edited by the district office and audited;
readings' by-products (anomalies, rejects, alerts) are read-only."""

from django.contrib import admin

from carbonpeak.core.admin import AuditedAdmin, ReadOnlyAdmin
from carbonpeak.monitoring import models as m


@admin.register(m.Site)
class SiteAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind", "town", "responsible_unit", "building_type", "dc_generation"]
    list_filter = ["kind", "building_type", "dc_generation"]
    search_fields = ["code", "name"]


@admin.register(m.Meter)
class MeterAdmin(AuditedAdmin):
    list_display = ["code", "site", "carrier", "register_kind", "unit", "category", "parent", "active"]
    list_filter = ["carrier", "register_kind", "category", "active"]
    search_fields = ["code", "site__name"]
    raw_id_fields = ["site", "parent"]


@admin.register(m.MeterSwap)
class MeterSwapAdmin(AuditedAdmin):
    list_display = ["meter", "ts", "old_final", "new_initial", "note"]
    raw_id_fields = ["meter"]


# MeterReading and the roll-ups (RollupHourly/Daily/Monthly) are keyed by (meter, ts|day|bucket) composite primary
# keys, which the Django 5.2 admin cannot register; they are read through the monitoring pages and the API.


@admin.register(m.Anomaly)
class AnomalyAdmin(ReadOnlyAdmin):
    list_display = ["meter", "ts", "flags", "quantity", "excluded"]
    raw_id_fields = ["meter"]


@admin.register(m.Gateway)
class GatewayAdmin(AuditedAdmin):
    list_display = ["name", "token_prefix", "plan", "site", "responsible_unit", "active", "last_seen_at"]
    readonly_fields = ["token_prefix", "created_at", "last_seen_at"]


@admin.register(m.RejectedReading)
class RejectedReadingAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "source", "ref", "meter_code", "reason"]
    list_filter = ["source", "reason"]


@admin.register(m.Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["site", "kind", "period", "level", "value", "limit", "active"]
    list_filter = ["kind", "level", "active"]
