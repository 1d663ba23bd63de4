"""Accounting data: factor sets, energy consumption records, GDP, energy caps and inventory runs.

The numbers are computed by the pure engine (`carbonpeak.accounting.engine`); these models store its
inputs and every computed result with the factor set it used.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from carbonpeak.accounting.engine import factors as engine_factors
from carbonpeak.accounting.engine.carriers import CARRIERS, SECTORS
from carbonpeak.core.i18n import Bilingual

CARRIER_CHOICES = [(c.code, f"{c.name_zh} / {c.name_en}") for c in CARRIERS.values()]
SECTOR_CHOICES = [(code, f"{zh} / {en}") for code, (zh, en) in SECTORS.items()]


class FactorSet(Bilingual, models.Model):
    """A versioned set of standard-coal coefficients and CO2 factors (schema of data/factors-*.yaml)."""

    code = models.SlugField(max_length=64, unique=True)
    name_zh = models.CharField(max_length=200, blank=True)
    name_en = models.CharField(max_length=200, blank=True)
    version = models.CharField(max_length=32, blank=True)
    valid_from_year = models.PositiveSmallIntegerField()
    valid_to_year = models.PositiveSmallIntegerField()
    source = models.TextField(blank=True)
    data = models.JSONField(help_text=_("The full factor set, same schema as data/factors-cn-2024.yaml"))
    builtin = models.BooleanField(default=False, help_text=_("Loaded from the data file shipped with Carbonpeak"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("factor set")

    def __str__(self) -> str:
        return f"{self.code} ({self.version})"

    def engine(self) -> engine_factors.FactorSet:
        return engine_factors.FactorSet.from_dict({**self.data, "code": self.code})

    def clean(self) -> None:
        try:
            fs = self.engine()
        except (engine_factors.FactorError, TypeError, ValueError, KeyError, AttributeError) as exc:
            raise ValidationError({"data": str(exc)}) from exc
        self.valid_from_year, self.valid_to_year = fs.valid_from_year, fs.valid_to_year

    def save(self, *args, **kwargs) -> None:
        fs = self.engine()  # refuse to store a set the engine cannot use
        self.valid_from_year, self.valid_to_year = fs.valid_from_year, fs.valid_to_year
        self.name_zh = self.name_zh or fs.name_zh
        self.name_en = self.name_en or fs.name_en
        self.version = self.version or fs.version
        self.source = self.source or fs.source
        super().save(*args, **kwargs)
        self.sync_factors(fs)

    def sync_factors(self, fs: engine_factors.FactorSet | None = None) -> None:
        """Rewrite the EmissionFactor rows (a browsable table of this set) from the set's data."""
        fs = fs or self.engine()
        rows = []
        summary = fs.summary()
        for r in summary["carriers"]:
            rows.append(EmissionFactor(factor_set=self, carrier=r["carrier"], kind=EmissionFactor.Kind.STANDARD_COAL,
                                       value=r["tce_per_unit"], unit=f"tce/{r['basis_unit']}",
                                       citation=r["citation_coal"]))
            if r["co2_scope1_t_per_unit"]:
                rows.append(EmissionFactor(factor_set=self, carrier=r["carrier"], kind=EmissionFactor.Kind.CO2_SCOPE1,
                                           value=r["co2_scope1_t_per_unit"], unit=f"tCO2/{r['basis_unit']}",
                                           citation=r["citation_co2"]))
        for year, v in summary["grid_co2_t_per_mwh"].items():
            rows.append(EmissionFactor(factor_set=self, carrier="electricity", kind=EmissionFactor.Kind.CO2_SCOPE2,
                                       year=year, value=v, unit="tCO2/MWh",
                                       citation=fs.citations.get("electricity.grid_co2", "")))
        for year, v in summary["reporting_kgce_per_kwh"].items():
            rows.append(EmissionFactor(factor_set=self, carrier="electricity", kind=EmissionFactor.Kind.REPORTING_COAL,
                                       year=year or None, value=v, unit="kgce/kWh",
                                       citation=fs.citations.get("electricity.reporting_coal", "")))
        rows.append(EmissionFactor(factor_set=self, carrier="heat", kind=EmissionFactor.Kind.CO2_SCOPE2,
                                   value=summary["heat_co2_t_per_gj"], unit="tCO2/GJ",
                                   citation=fs.citations.get("heat.co2", "")))
        rows.append(EmissionFactor(factor_set=self, carrier="green_electricity", kind=EmissionFactor.Kind.CO2_SCOPE2,
                                   value=summary["green_co2_t_per_mwh"], unit="tCO2/MWh",
                                   citation=fs.citations.get("green_electricity.co2", "")))
        self.factors.all().delete()
        EmissionFactor.objects.bulk_create(rows)


class EmissionFactor(models.Model):
    """One number of a factor set, in the carrier's basis unit, with its citation (derived from `FactorSet.data`)."""

    class Kind(models.TextChoices):
        STANDARD_COAL = "standard_coal", _("Standard coal coefficient (equivalent value)")
        REPORTING_COAL = "reporting_coal", _("Electricity standard coal (equal value, for reporting)")
        CO2_SCOPE1 = "co2_scope1", _("CO2, fuel combustion (scope 1)")
        CO2_SCOPE2 = "co2_scope2", _("CO2, purchased electricity or heat (scope 2)")

    factor_set = models.ForeignKey(FactorSet, on_delete=models.CASCADE, related_name="factors")
    carrier = models.CharField(max_length=32, choices=CARRIER_CHOICES)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    value = models.FloatField()
    unit = models.CharField(max_length=32)
    citation = models.TextField(blank=True)

    class Meta:
        ordering = ["factor_set", "kind", "carrier", "year"]
        verbose_name = _("emission factor")

    def __str__(self) -> str:
        return f"{self.factor_set.code} {self.carrier} {self.kind} {self.value:g} {self.unit}"


class ImportBatch(models.Model):
    """One uploaded file or API submission of energy records (imports are all-or-nothing)."""

    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, related_name="energy_imports")
    filename = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=16, default="excel")
    rows = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import batch")

    def __str__(self) -> str:
        return f"{self.filename or self.source} ({self.rows})"


class EnergyRecord(models.Model):
    """Energy consumed by an entity, of one carrier, in a year or a month of it."""

    class EntityKind(models.TextChoices):
        KEY_ENTERPRISE = "key_enterprise", _("Key energy-using enterprise")
        BUILDING = "building", _("Building")
        TOWN = "town", _("Town or street total")
        SECTOR = "sector", _("Sector total")
        OTHER = "other", _("Other")

    class Use(models.TextChoices):
        ENERGY = "energy", _("Energy use")
        FEEDSTOCK = "feedstock", _("Feedstock (原料用能)")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Manual entry")
        EXCEL = "excel", _("Excel/CSV upload")
        API = "api", _("API")
        MONITORING = "monitoring", _("Monitoring")

    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, related_name="energy_records")
    entity_name = models.CharField(max_length=200)
    entity_kind = models.CharField(max_length=20, choices=EntityKind.choices, default=EntityKind.OTHER)
    sector = models.CharField(max_length=20, choices=SECTOR_CHOICES)
    carrier = models.CharField(max_length=32, choices=CARRIER_CHOICES)
    quantity = models.FloatField()
    unit = models.CharField(max_length=16, help_text=_("Canonical unit code, e.g. t, 万m3, 万kWh, GJ"))
    year = models.PositiveSmallIntegerField(db_index=True)
    month = models.PositiveSmallIntegerField(null=True, blank=True)
    town = models.ForeignKey(
        "plan.ResponsibleUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="energy_records",
        limit_choices_to={"kind__in": ["town", "street"]},
    )
    use = models.CharField(max_length=16, choices=Use.choices, default=Use.ENERGY,
                           help_text=_("Feedstock (原料用能) is kept out of energy consumption control"))
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, null=True, blank=True, related_name="records")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "year", "month", "sector", "entity_name", "carrier"]
        verbose_name = _("energy record")
        indexes = [models.Index(fields=["plan", "year"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="energy_quantity_non_negative"),
            models.CheckConstraint(condition=models.Q(month__isnull=True) | models.Q(month__gte=1, month__lte=12),
                                   name="energy_month_1_12"),
        ]

    def __str__(self) -> str:
        period = f"{self.year}-{self.month:02d}" if self.month else str(self.year)
        return f"{self.entity_name} {self.carrier} {self.quantity:g} {self.unit} {period}"

    def clean(self) -> None:
        from carbonpeak.accounting.engine.records import RecordsError, records_from_dicts

        try:
            records_from_dicts([{"entity": self.entity_name, "sector": self.sector, "carrier": self.carrier,
                                 "quantity": self.quantity, "unit": self.unit, "year": self.year,
                                 "month": self.month, "use": self.use}])
        except RecordsError as exc:
            raise ValidationError({e.field if e.field != "entity" else "entity_name": e.message
                                   for e in exc.errors}) from exc
        if self.town_id and self.town.plan_id != self.plan_id:
            raise ValidationError({"town": _("The town belongs to another plan.")})


class GdpRecord(models.Model):
    """GDP (or a sector's value added) in 10^4 yuan at constant prices of `price_base_year`."""

    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, related_name="gdp_records")
    year = models.PositiveSmallIntegerField()
    sector = models.CharField(max_length=20, choices=SECTOR_CHOICES, blank=True,
                              help_text=_("Empty for the district total; a sector's value added for LMDI"))
    value_10k_yuan = models.FloatField()
    price_base_year = models.PositiveSmallIntegerField(default=2020)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "year", "sector"]
        verbose_name = _("GDP record")
        constraints = [
            models.UniqueConstraint(fields=["plan", "year", "sector"], name="uniq_gdp_plan_year_sector"),
            models.CheckConstraint(condition=models.Q(value_10k_yuan__gt=0), name="gdp_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.sector or 'total'} {self.value_10k_yuan:g}"


METHOD_CHOICES = [("equivalent", _("Equivalent value (当量值)")), ("reporting", _("Equal value (等价值)"))]


class AssessmentBasis(models.Model):
    """How a plan's dual control is assessed: the energy method and the GDP price base (one row per plan).

    Without a row the defaults hold: 等价值 (regional energy consumption statistics convert electricity at the
    thermal power coal rate) and GDP at constant 2020 prices (the plan's base year).
    """

    plan = models.OneToOneField("plan.Plan", on_delete=models.CASCADE, related_name="assessment_basis")
    method = models.CharField(max_length=16, choices=METHOD_CHOICES, default="reporting")
    gdp_price_base_year = models.PositiveSmallIntegerField(default=2020)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("assessment basis")

    def __str__(self) -> str:
        return f"{self.plan_id} {self.method} GDP@{self.gdp_price_base_year}"


class GdpDeflator(models.Model):
    """A GDP price index by year, to bring GDP of another price base to the plan's constant prices."""

    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, related_name="gdp_deflators")
    year = models.PositiveSmallIntegerField()
    index_value = models.FloatField()
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "year"]
        verbose_name = _("GDP deflator")
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="uniq_gdp_deflator_year"),
            models.CheckConstraint(condition=models.Q(index_value__gt=0), name="gdp_deflator_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.index_value:g}"


class CarbonCap(models.Model):
    """The district's CO2 total cap (碳排放总量控制, 国办发〔2024〕39号) for a year, in t CO2."""

    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, related_name="carbon_caps")
    year = models.PositiveSmallIntegerField()
    cap_t = models.FloatField()
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "year"]
        verbose_name = _("CO2 cap")
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="uniq_carbon_cap_year")]

    def __str__(self) -> str:
        return f"{self.year} ≤ {self.cap_t:g} tCO2"


class EnergyCap(models.Model):
    """The district's total-energy cap (能耗总量控制) for a year, in tce by the given method: it is compared only
    with energy of that method."""

    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, related_name="energy_caps")
    year = models.PositiveSmallIntegerField()
    cap_tce = models.FloatField()
    method = models.CharField(max_length=16, default="equivalent", choices=METHOD_CHOICES)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "year"]
        verbose_name = _("energy cap")
        constraints = [models.UniqueConstraint(fields=["plan", "year", "method"], name="uniq_energy_cap_year_method")]

    def __str__(self) -> str:
        return f"{self.year} ≤ {self.cap_tce:g} tce ({self.method})"


class InventoryRun(models.Model):
    """A computed inventory: totals, breakdowns and dual-control figures, with the factor set they used."""

    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, related_name="inventory_runs")
    factor_set = models.ForeignKey(FactorSet, on_delete=models.PROTECT, related_name="runs")
    factor_set_version = models.CharField(max_length=32, blank=True)
    method = models.CharField(max_length=16, default="equivalent")
    fingerprint = models.CharField(max_length=64, db_index=True)
    record_count = models.PositiveIntegerField()
    energy_tce = models.FloatField()
    co2_t = models.FloatField()
    result = models.JSONField()
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-computed_at"]
        verbose_name = _("inventory run")

    def __str__(self) -> str:
        return f"{self.plan.code} {self.factor_set.code} {self.computed_at:%Y-%m-%d %H:%M}"
