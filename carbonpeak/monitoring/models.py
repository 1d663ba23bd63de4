"""Online energy monitoring: sites, meters, readings, roll-ups, gateways, alerts.

Timestamps of readings and buckets are int64 epoch seconds (UTC): compact, fast to
index and to hand to the numpy engine. Buckets are local (Asia/Shanghai) hours, days
and months; the bucket value is the epoch second of the local bucket start.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import numpy as np

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from carbonpeak.monitoring.engine import metrics
from carbonpeak.monitoring.engine.registers import flag_names


def epoch_to_dt(ts: int | None) -> dt.datetime | None:
    return None if ts is None else dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc)


def site_plan_id(town_id: int | None, unit_id: int | None) -> int | None:
    """The plan a site without an explicit plan belongs to: its town's or unit's, else the default plan."""
    from carbonpeak.plan.models import ResponsibleUnit
    from carbonpeak.plan.selectors import default_plan

    unit_id = town_id or unit_id
    if unit_id is not None:
        return ResponsibleUnit.objects.filter(pk=unit_id).values_list("plan_id", flat=True).first()
    default = default_plan()
    return default.pk if default is not None else None


class Site(models.Model):
    class Kind(models.TextChoices):
        KEY_UNIT = "key_unit", _("Key energy-consuming unit")
        PUBLIC_BUILDING = "public_building", _("Public building")
        DATA_CENTRE = "data_centre", _("Data centre")

    class BuildingType(models.TextChoices):
        OFFICE = "office", _("Office")
        GOVERNMENT_OFFICE = "government_office", _("Government office")
        HOTEL = "hotel", _("Hotel")
        MALL = "mall", _("Shopping mall")
        HOSPITAL = "hospital", _("Hospital")
        SCHOOL = "school", _("School")

    class Generation(models.TextChoices):
        # the PUE limit of each generation is the plan's (roles dc_pue_new / dc_pue_existing, services.pue_limit)
        NEW = "new", _("New data centre")
        EXISTING = "existing", _("Existing data centre")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PLANNED = "planned", _("Planned (approved project, no meters yet)")

    code = models.SlugField(max_length=64, unique=True)
    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="monitoring_sites",
                             help_text="the plan (district) the site belongs to: its town's or unit's plan by default")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    town = models.ForeignKey("plan.ResponsibleUnit", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="monitoring_sites_in_town", verbose_name=_("town or street"),
                             limit_choices_to={"kind__in": ["town", "street"]})
    responsible_unit = models.ForeignKey("plan.ResponsibleUnit", on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="monitoring_sites", verbose_name=_("responsible unit"))
    sector = models.CharField(_("sector"), max_length=32, blank=True,
                              help_text=_("accounting sector; derived from the kind when blank"))
    floor_area_m2 = models.FloatField(_("floor area (m²)"), null=True, blank=True)
    building_type = models.CharField(_("building type"), max_length=20, choices=BuildingType.choices, blank=True)
    dc_generation = models.CharField(_("data-centre generation"), max_length=10, choices=Generation.choices,
                                     blank=True)
    it_capacity_kw = models.FloatField(_("IT capacity (kW)"), null=True, blank=True)
    annual_quota_tce = models.FloatField(_("annual energy quota (tce)"), null=True, blank=True)
    last_seen_ts = models.BigIntegerField(null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE,
                              help_text=_("planned: an approved project's site, without alerts until its meters "
                                          "arrive"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("monitored site")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.plan_id is None:
            self.plan_id = site_plan_id(self.town_id, self.responsible_unit_id)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("monitoring:site", args=[self.code])

    @property
    def accounting_sector(self) -> str:
        """A sector of the accounting engine (carbonpeak.accounting.engine.carriers.SECTORS).

        Data centres go to "buildings" (公共及商业建筑): they are tertiary-sector services (信息传输、软件和信息
        技术服务业) and the engine has no information/communications sector; "industry" would count them as
        工业 energy. Override per site with ``sector``.
        """
        if self.sector:
            return self.sector
        return {"key_unit": "industry", "public_building": "buildings",
                "data_centre": "buildings"}[self.kind]

    @property
    def accounting_entity_kind(self) -> str:
        """entity_kind of the accounting records: data centres are key energy-consuming units."""
        return "building" if self.kind == self.Kind.PUBLIC_BUILDING else "key_enterprise"

    @property
    def last_seen(self) -> dt.datetime | None:
        return epoch_to_dt(self.last_seen_ts)


class Meter(models.Model):
    class Carrier(models.TextChoices):
        ELECTRICITY = "electricity", _("Electricity")
        NATURAL_GAS = "natural_gas", _("Natural gas")
        HEAT = "heat", _("Heat")
        DIESEL = "diesel", _("Diesel")

    class RegisterKind(models.TextChoices):
        CUMULATIVE = "cumulative", _("Cumulative register")
        INTERVAL = "interval", _("Interval consumption")

    class Category(models.TextChoices):
        TOTAL = "total", _("Total")
        LIGHTING_SOCKET = "lighting_socket", _("Lighting and sockets")
        HVAC = "hvac", _("HVAC")
        POWER = "power", _("Power")
        SPECIAL = "special", _("Special")
        FACILITY_TOTAL = "facility_total", _("Facility total")
        IT_LOAD = "it_load", _("IT load")

    UNITS = {"electricity": ["kWh", "MWh"], "natural_gas": ["m3"], "heat": ["GJ"], "diesel": ["t"]}

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="meters")
    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    carrier = models.CharField(_("carrier"), max_length=16, choices=Carrier.choices)
    register_kind = models.CharField(_("register"), max_length=12, choices=RegisterKind.choices,
                                     default=RegisterKind.CUMULATIVE)
    unit = models.CharField(_("unit"), max_length=8)
    category = models.CharField(_("sub-item"), max_length=20, choices=Category.choices, default=Category.TOTAL)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    interval_s = models.PositiveIntegerField(_("reading interval (s)"), default=900)
    register_max = models.FloatField(_("register maximum"), default=99999999.0,
                                     help_text=_("the register rolls over to 0 after this value; 0 = never"))
    max_per_interval = models.FloatField(_("physical maximum per interval"), null=True, blank=True)
    active = models.BooleanField(default=True)
    last_ts = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["site", "code"]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.unit not in self.UNITS.get(self.carrier, []):
            raise ValidationError({"unit": _("unit %(unit)s is not valid for %(carrier)s")
                                   % {"unit": self.unit, "carrier": self.carrier}})

    @property
    def cumulative(self) -> bool:
        return self.register_kind == self.RegisterKind.CUMULATIVE


class MeterSwap(models.Model):
    """Meter replacement: readings at or after ``ts`` come from the new register."""

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="swaps")
    ts = models.BigIntegerField()
    old_final = models.FloatField(_("old meter final reading"))
    new_initial = models.FloatField(_("new meter initial reading"))
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["meter", "ts"]
        constraints = [models.UniqueConstraint(fields=["meter", "ts"], name="mon_uniq_swap")]


class MeterReading(models.Model):
    """One register reading. The primary key is (meter, ts): one B-tree, no surrogate id.

    On SQLite the table is WITHOUT ROWID; on PostgreSQL it is range-partitioned by month on ``ts``
    (partitions are created on demand by the ingest, see ``carbonpeak.monitoring.partitions``).
    """

    pk = models.CompositePrimaryKey("meter_id", "ts")
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, db_index=False, related_name="+")
    ts = models.BigIntegerField()
    value = models.FloatField()

    @property
    def at(self) -> dt.datetime:
        return epoch_to_dt(self.ts)


class RollupBase(models.Model):
    """Consumption per meter and local day/month; primary key (meter, bucket), WITHOUT ROWID on SQLite."""

    pk = models.CompositePrimaryKey("meter_id", "bucket")
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, db_index=False, related_name="+")
    bucket = models.BigIntegerField()
    consumption = models.FloatField(default=0.0)
    flagged_consumption = models.FloatField(default=0.0)
    n = models.IntegerField(default=0)
    n_flagged = models.IntegerField(default=0)

    class Meta:
        abstract = True


class RollupHourly(models.Model):
    """Hourly consumption of one meter for one local day: the day's 24 hours packed in one row.

    One row per meter per day instead of one per hour: the ingest writes ~1/96 of its readings here instead
    of 1/4 (15-minute data). ``hours`` is ``engine.rollup.pack_days`` bytes (valid consumption and interval
    count per hour, plus flagged consumption and count when the day has any); read it with ``rollup()``.
    Primary key (day, meter): a batch's new days go to the end of the B-tree instead of into one page per
    meter; reads name their days (``day IN (...)``). WITHOUT ROWID on SQLite.
    """

    pk = models.CompositePrimaryKey("day", "meter_id")
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, db_index=False, related_name="+")
    day = models.BigIntegerField()
    hours = models.BinaryField()

    @classmethod
    def rollup(cls, meter_ids: list[int], start: int | None = None, end: int | None = None):
        """The hourly roll-up rows (``engine.rollup.Rollup``) of ``meter_ids`` with bucket in [start, end)."""
        from carbonpeak.monitoring.engine import rollup as ru

        q = cls.objects.filter(meter_id__in=list(meter_ids))
        if start is not None and end is not None:  # the days by name: index seeks on (day, meter)
            q = q.filter(day__in=ru.days_between(start, end))
        elif start is not None:
            q = q.filter(day__gt=start - 86400)
        elif end is not None:
            q = q.filter(day__lt=end)
        rows = list(q.order_by("meter_id", "day").values_list("meter_id", "day", "hours"))
        r = ru.unpack_days([x[0] for x in rows], [x[1] for x in rows], [bytes(x[2]) for x in rows]).to_rollup()
        keep = np.ones(len(r), dtype=bool)
        if start is not None:
            keep &= r.bucket >= start
        if end is not None:
            keep &= r.bucket < end
        if keep.all():
            return r
        return ru.Rollup(r.meter[keep], r.bucket[keep], r.qty[keep], r.flagged_qty[keep], r.n[keep],
                         r.n_flagged[keep])


class RollupDaily(RollupBase):
    pass


class RollupMonthly(RollupBase):
    class Meta:
        indexes = [models.Index(fields=["bucket"], name="mon_monthly_bucket")]


class Anomaly(models.Model):
    """A flagged interval (negative delta, spike, gap...) ending at ``ts``."""

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, db_index=False, related_name="anomalies")
    ts = models.BigIntegerField()
    flags = models.PositiveSmallIntegerField()
    quantity = models.FloatField()
    excluded = models.BooleanField(default=True)

    class Meta:
        ordering = ["-ts"]
        constraints = [models.UniqueConstraint(fields=["meter", "ts"], name="mon_uniq_anomaly")]
        verbose_name_plural = "anomalies"

    @property
    def reasons(self) -> list[str]:
        return flag_names(self.flags)

    @property
    def at(self) -> dt.datetime:
        return epoch_to_dt(self.ts)


class Gateway(models.Model):
    """A data gateway posting readings with a bearer token. It belongs to a plan (the site's or unit's when scoped
    to one) and writes only that plan's sites: one site, one responsible unit's sites, or every site of its plan."""

    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(max_length=8, editable=False)
    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="monitoring_gateways",
                             help_text="the plan whose sites the gateway writes (its site's or unit's plan when set)")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="gateways")
    responsible_unit = models.ForeignKey("plan.ResponsibleUnit", on_delete=models.CASCADE, null=True, blank=True,
                                         related_name="monitoring_gateways")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"

    def save(self, *args, **kwargs):
        if self.site_id is not None:
            self.plan_id = self.site.plan_id
        elif self.responsible_unit_id is not None:
            self.plan_id = self.responsible_unit.plan_id
        super().save(*args, **kwargs)

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, name: str, *, plan=None, site: Site | None = None,
              responsible_unit=None) -> tuple["Gateway", str]:
        """Create a gateway and return it with its clear token (shown once, stored hashed). A site or unit gives
        the plan; without either, the gateway writes every site of `plan`."""
        token = "cpg_" + secrets.token_urlsafe(32)
        gw = cls.objects.create(name=name, token_hash=cls.hash_token(token), token_prefix=token[:8],
                                plan=plan, site=site, responsible_unit=responsible_unit)
        return gw, token

    @classmethod
    def authenticate(cls, token: str) -> "Gateway | None":
        return cls.objects.filter(token_hash=cls.hash_token(token), active=True).first()

    def allowed_site_ids(self) -> set[int]:
        """Site ids this gateway may write: its site, its unit's sites, else its plan's sites (none without a plan)."""
        if self.site_id:
            return {self.site_id}
        sites = (Site.objects.filter(responsible_unit_id=self.responsible_unit_id) if self.responsible_unit_id
                 else Site.objects.filter(plan_id=self.plan_id) if self.plan_id else Site.objects.none())
        return set(sites.values_list("id", flat=True))

    def refusal(self) -> str:
        """The reason a reading for a meter outside `allowed_site_ids()` is rejected."""
        if self.site_id or self.responsible_unit_id:
            return "gateway is not allowed to write this meter"
        return f"meter belongs to a site outside the gateway's plan ({self.plan.code if self.plan else 'none'})"


class RejectedReading(models.Model):
    class Source(models.TextChoices):
        API = "api", _("HTTP API")
        MQTT = "mqtt", _("MQTT")
        CSV = "csv", _("CSV import")
        SIMULATION = "sim", _("Simulation")

    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    ref = models.CharField(_("reference"), max_length=200, blank=True, help_text=_("file:line, topic or gateway"))
    meter_code = models.CharField(max_length=64, blank=True)
    raw = models.TextField()
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        ordering = ["-received_at", "-id"]


class Alert(models.Model):
    class Kind(models.TextChoices):
        PUE = "pue", _("PUE above limit")
        QUOTA = "quota", _("Energy quota")
        EUI = "eui", _("EUI above constraint value")
        SILENT = "silent", _("Not reporting")

    class Level(models.TextChoices):
        WARNING = "warning", _("Warning")
        EXCEEDED = "exceeded", _("Exceeded")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    period = models.CharField(max_length=10, help_text="YYYY or YYYY-MM")
    level = models.CharField(max_length=10, choices=Level.choices)
    value = models.FloatField()
    limit = models.FloatField()
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-level", "kind", "site"]
        constraints = [models.UniqueConstraint(fields=["site", "kind", "period"], name="mon_uniq_alert")]

    def __str__(self) -> str:
        return f"{self.site} {self.kind} {self.period} {self.level}"

    @property
    def indicative_limit_source(self) -> str:
        """For an EUI alert whose limit is an unverified benchmark value: where that value was meant to come from
        (pages mark the limit "indicative"); "" for limits that are the plan's or the unit's own figures."""
        bench = metrics.EUI_BENCHMARKS.get(self.site.building_type) if self.kind == self.Kind.EUI else None
        return bench.source if bench and bench.indicative else ""
