"""Demo data: a plausible suburban district's energy inventory 2020–2025 (synthetic, not official statistics).

Orders of magnitude of an outer Shanghai district: GDP about 1,150–1,400 亿元 (10^4-yuan values below, constant
2020 prices, with the 2022 dip), total energy about 4.4–4.8 million tce, no coal at all, local PV growing.
Energy per unit GDP falls about 11% by 2025 (short of a −14% target). The energy is split over the plan's own
towns and streets: by the shares of its demo fixture (`accounting.town_weights`, carbonpeak.plan.demodata), else
by seeded shares; entities are named after the plan's district.
"""

from __future__ import annotations

import numpy as np
from django.db import transaction

from carbonpeak.accounting.models import EnergyCap, EnergyRecord, GdpRecord, ImportBatch
from carbonpeak.accounting.services import get_factor_set
from carbonpeak.plan.demodata import demo_fixture
from carbonpeak.plan.models import ResponsibleUnit

YEARS = list(range(2020, 2026))
GDP_GROWTH = {2021: 0.070, 2022: -0.020, 2023: 0.055, 2024: 0.045, 2025: 0.045}
GDP_2020 = 11_500_000.0  # 10^4 yuan = 1,150 亿元
SECTOR_GDP_SHARE = {"industry": 0.36, "construction": 0.04, "buildings": 0.53, "transport": 0.06, "agriculture": 0.01}
ENERGY_2020_TCE = 4_400_000.0  # 当量值
# energy intensity index vs 2020 (2025: -11%, short of -14%)
INTENSITY_INDEX = {2020: 1.0, 2021: 0.975, 2022: 0.985, 2023: 0.94, 2024: 0.915, 2025: 0.89}
SECTOR_ENERGY_SHARE = {"industry": 0.53, "buildings": 0.21, "transport": 0.14, "residential": 0.09,
                       "construction": 0.02, "agriculture": 0.01}
# carrier shares of a sector's energy (当量值), 2020 and 2025; interpolated in between
CARRIER_MIX = {
    "industry": ({"electricity": 0.56, "natural_gas": 0.33, "heat": 0.05, "diesel": 0.03, "fuel_oil": 0.02,
                  "pv_electricity": 0.01},
                 {"electricity": 0.58, "natural_gas": 0.28, "heat": 0.05, "diesel": 0.02, "fuel_oil": 0.0,
                  "pv_electricity": 0.04, "green_electricity": 0.03}),
    "buildings": ({"electricity": 0.70, "natural_gas": 0.24, "heat": 0.04, "pv_electricity": 0.02},
                  {"electricity": 0.70, "natural_gas": 0.19, "heat": 0.04, "pv_electricity": 0.05,
                   "green_electricity": 0.02}),
    "transport": ({"diesel": 0.46, "gasoline": 0.38, "electricity": 0.08, "natural_gas": 0.05, "lpg": 0.03},
                  {"diesel": 0.38, "gasoline": 0.34, "electricity": 0.20, "natural_gas": 0.06, "lpg": 0.02}),
    "residential": ({"electricity": 0.55, "natural_gas": 0.36, "lpg": 0.09},
                    {"electricity": 0.60, "natural_gas": 0.34, "lpg": 0.05, "pv_electricity": 0.01}),
    "construction": ({"diesel": 0.60, "electricity": 0.40}, {"diesel": 0.50, "electricity": 0.50}),
    "agriculture": ({"diesel": 0.50, "electricity": 0.47, "pv_electricity": 0.03},
                    {"diesel": 0.40, "electricity": 0.50, "pv_electricity": 0.10}),
}
# input unit per carrier and tce per input unit (当量值, GB/T 2589-2020)
UNIT = {"electricity": ("万kWh", 1.229), "green_electricity": ("万kWh", 1.229), "pv_electricity": ("MWh", 0.1229),
        "natural_gas": ("万m3", 12.143), "heat": ("GJ", 0.03412), "diesel": ("t", 1.4571),
        "gasoline": ("t", 1.4714), "fuel_oil": ("t", 1.4286), "lpg": ("t", 1.7143)}
CAP_TCE = {"equivalent": 4_750_000.0, "reporting": 8_600_000.0}
"""The demo's energy caps, one per method (当量值, 等价值): a cap is compared only with energy of its own method."""


def gdp_by_year() -> dict[int, float]:
    out = {2020: GDP_2020}
    for y in YEARS[1:]:
        out[y] = out[y - 1] * (1 + GDP_GROWTH[y])
    return out


def town_weights(plan, towns: list[str], rng: np.random.Generator) -> dict[str, float]:
    """Each town's share of the energy: the fixture's for the plan's towns, else seeded; {"": 1} without towns."""
    fixed = demo_fixture(plan, "accounting").get("town_weights") or {}
    weights = {t: float(w) for t, w in fixed.items() if t in towns}
    if not weights and towns:
        weights = {t: float(w) for t, w in zip(towns, rng.uniform(0.5, 1.5, len(towns)))}
    return weights or {"": 1.0}


def load_demo(plan) -> None:
    """Replace the plan's demo energy records, GDP series and caps (idempotent)."""
    get_factor_set()  # the shipped factor sets exist
    towns = {u.name_zh: u for u in ResponsibleUnit.objects.filter(plan=plan, kind__in=["town", "street"])}
    rng = np.random.default_rng(2022)
    weights = town_weights(plan, list(towns), rng)
    total_w = sum(weights.values())
    gdp = gdp_by_year()
    with transaction.atomic():
        EnergyRecord.objects.filter(plan=plan, batch__filename="demo").delete()
        ImportBatch.objects.filter(plan=plan, filename="demo").delete()
        GdpRecord.objects.filter(plan=plan).delete()
        EnergyCap.objects.filter(plan=plan).delete()
        batch = ImportBatch.objects.create(plan=plan, filename="demo", source=EnergyRecord.Source.API)
        records = []
        for y in YEARS:
            GdpRecord.objects.create(plan=plan, year=y, value_10k_yuan=round(gdp[y], 1), price_base_year=2020,
                                     source="demo (synthetic)")
            for s, share in SECTOR_GDP_SHARE.items():
                drift = {"industry": -0.004, "buildings": 0.005, "transport": -0.0005}.get(s, 0.0) * (y - 2020)
                GdpRecord.objects.create(plan=plan, year=y, sector=s, value_10k_yuan=round(gdp[y] * (share + drift), 1),
                                         price_base_year=2020, source="demo (synthetic)")
            energy = ENERGY_2020_TCE * (gdp[y] / GDP_2020) * INTENSITY_INDEX[y]
            f = (y - 2020) / 5
            for sector, s_share in SECTOR_ENERGY_SHARE.items():
                mix0, mix1 = CARRIER_MIX[sector]
                for carrier in sorted(set(mix0) | set(mix1)):
                    c_share = mix0.get(carrier, 0.0) * (1 - f) + mix1.get(carrier, 0.0) * f
                    if c_share <= 0:
                        continue
                    unit, tce_per_unit = UNIT[carrier]
                    for town, w in weights.items():
                        noise = 1 + rng.normal(0, 0.03)
                        tce = energy * s_share * c_share * (w / total_w) * noise
                        records.append(EnergyRecord(
                            plan=plan, entity_name=f"{town or plan.district_zh}·{sector}", entity_kind=EnergyRecord.EntityKind.TOWN,
                            sector=sector, carrier=carrier, quantity=round(tce / tce_per_unit, 2), unit=unit, year=y,
                            town=towns.get(town), source=EnergyRecord.Source.API, batch=batch))
        batch.rows = len(records)
        batch.save(update_fields=["rows"])
        EnergyRecord.objects.bulk_create(records, batch_size=2000)
        for y in YEARS[1:]:
            for method, cap in CAP_TCE.items():
                EnergyCap.objects.create(plan=plan, year=y, cap_tce=cap, method=method, source="demo (synthetic)")
