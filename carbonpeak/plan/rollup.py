"""A city plan's districts side by side: energy, CO2, energy-intensity progress and target status, ranked.

Figures come from each district's own accounting inventory and progress tracking (one source of truth each);
a district without them shows "no data", never another's figure.
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
    on_track: bool | None = None
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
    row = DistrictRow(plan=plan)
    _accounting(plan, row)
    _tracking(plan, row)
    return row


def _accounting(plan: Plan, row: DistrictRow) -> None:
    from carbonpeak.accounting import services as accounting

    if not accounting.years_with_records(plan):
        return
    dual = accounting.inventory(plan).result["dual_control"]
    latest = dual["years"][-1]
    summary = dual["summary"]
    row.year, row.energy_tce, row.co2_t = latest["year"], latest["energy_tce"], latest["co2_t"]
    pct = lambda x: None if x is None else 100.0 * x  # noqa: E731
    row.achieved_pct, row.target_pct = pct(summary.get("achieved_reduction")), pct(summary.get("target_reduction"))
    row.on_track = summary.get("on_track")


def _tracking(plan: Plan, row: DistrictRow) -> None:
    from carbonpeak.progress import services as progress
    from carbonpeak.progress.engine.progress import ON_TRACK

    counts = progress.status_counts(progress.evaluate_plan(plan))
    row.targets = sum(counts.values())
    row.targets_on_track = counts[ON_TRACK]
