"""Admin: records and factor sets are read-only here (the API and upload page check who may write them and
audit it); GDP and energy caps, which have no page, may be edited by the district office, audited."""

from django.contrib import admin

from carbonpeak.core.admin import AuditedAdmin, ReadOnlyAdmin

from carbonpeak.accounting.models import (
    AssessmentBasis, CarbonCap, EmissionFactor, EnergyCap, EnergyRecord, FactorSet, GdpDeflator, GdpRecord,
    ImportBatch, InventoryRun,
)


class EmissionFactorInline(admin.TabularInline):
    model = EmissionFactor
    extra = 0
    can_delete = False
    readonly_fields = ["carrier", "kind", "year", "value", "unit", "citation"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FactorSet)
class FactorSetAdmin(ReadOnlyAdmin):
    """Factor sets are added through POST /api/accounting/factor-sets (the office's); the table below is derived."""

    list_display = ["code", "name_zh", "version", "valid_from_year", "valid_to_year", "builtin"]
    search_fields = ["code", "name_zh", "name_en"]
    readonly_fields = ["valid_from_year", "valid_to_year", "builtin", "created_at", "updated_at"]
    inlines = [EmissionFactorInline]


@admin.register(EmissionFactor)
class EmissionFactorAdmin(ReadOnlyAdmin):
    list_display = ["factor_set", "carrier", "kind", "year", "value", "unit"]
    list_filter = ["factor_set", "kind", "carrier"]
    search_fields = ["citation"]


@admin.register(EnergyRecord)
class EnergyRecordAdmin(ReadOnlyAdmin):
    list_display = ["entity_name", "entity_kind", "sector", "carrier", "quantity", "unit", "year", "month", "town",
                    "use", "source"]
    list_filter = ["plan", "year", "sector", "carrier", "use", "source", "entity_kind"]
    search_fields = ["entity_name"]
    raw_id_fields = ["batch"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["filename", "plan", "source", "rows", "created_by", "created_at"]


@admin.register(GdpRecord)
class GdpRecordAdmin(AuditedAdmin):
    list_display = ["plan", "year", "sector", "value_10k_yuan", "price_base_year"]
    list_filter = ["plan", "sector"]


@admin.register(EnergyCap)
class EnergyCapAdmin(AuditedAdmin):
    list_display = ["plan", "year", "cap_tce", "method"]


@admin.register(CarbonCap)
class CarbonCapAdmin(admin.ModelAdmin):
    list_display = ["plan", "year", "cap_t", "source"]


@admin.register(GdpDeflator)
class GdpDeflatorAdmin(admin.ModelAdmin):
    list_display = ["plan", "year", "index_value", "source"]


@admin.register(AssessmentBasis)
class AssessmentBasisAdmin(admin.ModelAdmin):
    list_display = ["plan", "method", "gdp_price_base_year", "source"]


@admin.register(InventoryRun)
class InventoryRunAdmin(ReadOnlyAdmin):
    list_display = ["plan", "factor_set", "factor_set_version", "method", "record_count", "energy_tce", "co2_t",
                    "computed_at"]
    readonly_fields = [f.name for f in InventoryRun._meta.fields]
