"""A city plan's districts side by side: energy, CO2, energy-intensity progress and target status, ranked.

Energy and CO2 come from each district's own accounting inventory; the energy-intensity target's value and
status, and the count of targets on track, from its `progress` evaluation (the one source of every target's
figure); a district without them shows "no data", never another's figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from carbonpeak.plan.models import Plan


@dataclass
class DistrictRow:
    plan: Plan
    year: int | None = None
    energy_tce: float | None = None
    co2_t: float | None = None
    achieved_pct: float | None = None  # energy per unit GDP, reduction vs the district's base year (%)
    target_pct: float | None = None  # the district's own energy_intensity target (%)
    status: str = ""  # the energy-intensity target's progress status ("" when the plan has no such target)
    status_label: str = ""
    targets_on_track: int = 0
    targets: int = 0
    rank: int | None = None

    @property
    def score(self) -> float | None:
        """Share of the district's own intensity target achieved: what districts are ranked by."""
        if self.achieved_pct is None or not self.target_pct:
            return None
        return self.achieved_pct / self.target_pct


def district_rows(city: Plan) -> list[DistrictRow]:
    """The city plan's districts, best first; districts without the figures to rank come last, unranked."""
    rows = [_row(district) for district in city.districts.order_by("code")]
    ranked = sorted((r for r in rows if r.score is not None), key=lambda r: -r.score)
    for rank, row in enumerate(ranked, 1):
        row.rank = rank
    return ranked + [r for r in rows if r.score is None]


def _row(plan: Plan) -> DistrictRow:
    from carbonpeak.accounting import services as accounting
    from carbonpeak.plan.selectors import indicator_for_role
    from carbonpeak.progress import services as progress
    from carbonpeak.progress.engine.progress import ON_TRACK

    row = DistrictRow(plan=plan)
    results = progress.evaluate_plan(plan)
    counts = progress.status_counts(results)
    row.targets, row.targets_on_track = sum(counts.values()), counts[ON_TRACK]
    if not accounting.years_with_records(plan):
        return row
    latest = accounting.inventory(plan).result["dual_control"]["years"][-1]
    row.year, row.energy_tce, row.co2_t = latest["year"], latest["energy_tce"], latest["co2_t"]
    intensity = indicator_for_role(plan, "energy_intensity")
    result = progress.by_code(results).get(intensity.code) if intensity else None
    if result is not None:
        row.achieved_pct, row.target_pct = result.evaluation.latest_value, result.spec.target
        row.status, row.status_label = result.status, result.status_label
    return row
