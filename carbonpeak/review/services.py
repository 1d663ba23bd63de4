"""Review use cases over the database: the district's context for the engine (plan indicators, accounting
factors, inventory and caps, assessment allocations, the plan scenario), proposals and decisions.

Every figure comes from its own app; the arithmetic is `engine.review`'s (which calls the accounting and
scenario engines).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from carbonpeak.accounting import services as accounting
from carbonpeak.accounting.engine.inventory import METHOD_LABELS
from carbonpeak.assessment import services as assessment
from carbonpeak.core import clock
from carbonpeak.plan.models import Indicator, Plan, ResponsibleUnit
from carbonpeak.review import access
from carbonpeak.review.engine import (
    RULES_DIR, Budget, FieldError, Proposal, ProposalError, Rules, RulesError, load_rules, parse_proposal,
)
from carbonpeak.review.engine import review as engine_review
from carbonpeak.review.models import APPROVED_OUTCOMES, ProjectProposal, ReviewDecision
from carbonpeak.scenarios import services as scenarios
from carbonpeak.tracking.services import audit, snapshot

DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 20220101


def rules_file(plan: Plan) -> Path:
    """The plan's review rules: `review-rules/<code>.yaml` beside its plan file, else in the shipped plans/."""
    here = Path(plan.source_file).resolve().parent if plan.source_file else RULES_DIR.parent
    path = here / "review-rules" / f"{plan.code}.yaml"
    return path if path.is_file() else RULES_DIR / f"{plan.code}.yaml"


def rules(plan: Plan) -> Rules:
    """The plan's review rules; RulesError naming the missing file when the plan has none."""
    path = rules_file(plan)
    if not path.is_file():
        raise RulesError(f"plan {plan.code} has no review rules: add {path}")
    return load_rules(path)


def indicators(plan: Plan, codes: set[str]) -> dict[str, dict[str, Any]]:
    return {i.code: {"target_value": i.target_value, "target_year": i.target_year, "source_quote": i.source_quote}
            for i in Indicator.objects.filter(plan=plan, code__in=codes)}


def town_of(plan: Plan, name: str) -> ResponsibleUnit | None:
    return accounting.town_lookup(plan).get(name.strip().lower())


def parse(plan: Plan, data: Any, file: str = "proposal") -> Proposal:
    """A validated proposal whose town is a town or street of the plan."""
    r = rules(plan)
    p = parse_proposal(data, r.sectors, r.exceptions, file=file)
    if town_of(plan, p.town) is None:
        raise ProposalError([FieldError(file, "town", f"{p.town!r} is not a town or street of plan {plan.code}")])
    return p


def approved(plan: Plan) -> list[ProjectProposal]:
    """The hook: approved proposals (通过, 有条件通过) are committed load in later reviews and the plan scenario."""
    qs = ProjectProposal.objects.filter(plan=plan, decision__in=APPROVED_OUTCOMES).select_related("town")
    return list(qs.order_by("created_at", "pk"))


def approved_loads(projects: list[ProjectProposal]) -> list[dict[str, Any]]:
    return [row for p in projects for row in p.result.get("committed_loads", [])]


def _cap(plan: Plan, method: str) -> tuple[float | None, int | None]:
    """The energy cap of `method` for the first cap year from today on (else the latest), from accounting."""
    caps = {y: c for (y, m), c in accounting.targets(plan)["caps"].items() if m == method}
    if not caps:
        return None, None
    today = clock.today().year
    year = min((y for y in caps if y >= today), default=max(caps))
    return caps[year], year


def _district(plan: Plan, method: str) -> dict[str, Any]:
    """The cap, its year and the energy accounted for control in the latest year (None when unknown)."""
    cap, cap_year = _cap(plan, method)
    out: dict[str, Any] = {"cap": None, "cap_year": cap_year, "energy": 0.0, "year": None, "run": None}
    if cap is None:
        return out | {"note": "headroom: no energy cap recorded in accounting"}
    run = accounting.inventory(plan, method=method)
    rows = run.result["dual_control"]["years"]
    if not rows:
        return out | {"note": "headroom: no energy accounted yet, cap headroom not computed"}
    return out | {"cap": cap, "energy": rows[-1]["dual_control_energy_tce"], "year": rows[-1]["year"], "run": run,
                  "note": f"headroom: cap {cap_year} ({METHOD_LABELS[method]}) less energy accounted in "
                          f"{rows[-1]['year']} less the approved projects"}


def district_headroom(plan: Plan) -> tuple[float | None, int | None]:
    """The cap's headroom before any approved project (cap − accounted energy) and the cap year."""
    d = _district(plan, accounting.assessment_basis(plan).method)
    return (d["cap"] - d["energy"] if d["cap"] is not None else None), d["cap_year"]


def budget(plan: Plan, town: ResponsibleUnit, projects: list[ProjectProposal]) -> Budget:
    """The cap, the accounted energy and the approved projects' use of it; the town's allocated share."""
    method = accounting.assessment_basis(plan).method
    d = _district(plan, method)
    notes = [d["note"]]
    town_energy = 0.0
    if d["run"] is not None:
        view = accounting.year_view(d["run"], d["year"]) or {}
        town_energy = view.get("by_town", {}).get(town.name_zh, {}).get("energy_tce", 0.0)
    alloc = assessment.approved_allocation(plan, assessment.ENERGY_TOTAL, d["cap_year"]) if d["cap_year"] else None
    share = next((r["value"] for r in (alloc.result["allocations"] if alloc else []) if r.get("code") == town.code),
                 None)
    if share is None:
        notes.append(f"town share: no approved allocation of {assessment.ENERGY_TOTAL} for {town.name_zh}")
    used = lambda ps: sum(p.result.get("cap_year_control_tce", 0.0) for p in ps)  # noqa: E731
    return Budget(method=method, cap_tce=d["cap"], cap_year=d["cap_year"], district_energy_tce=d["energy"],
                  district_energy_year=d["year"], approved_tce=used(projects), town_allocated_tce=share,
                  town_energy_tce=town_energy, town_approved_tce=used(p for p in projects if p.town_id == town.pk),
                  notes=tuple(notes))


def assess(plan: Plan, data: Any, file: str = "proposal", draws: int = DEFAULT_DRAWS,
           seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Review a proposal (mapping in the proposal schema) against the plan as it stands, approved projects in."""
    p = parse(plan, data, file)
    r = rules(plan)
    town = town_of(plan, p.town)
    projects = approved(plan)
    cal = scenarios.calibration(plan)
    scenario = scenarios.ensure_defaults(plan)[1].engine_scenario()
    result = engine_review(p, r, indicators(plan, r.indicator_codes()), accounting.engine_factor_set(), scenario,
                           cal.base, budget(plan, town, projects), approved_loads(projects), draws=draws, seed=seed,
                           state=cal.state)
    result["approved_projects"] = [{"id": x.pk, "name": x.name, "cap_year_control_tce":
                                    x.result.get("cap_year_control_tce", 0.0)} for x in projects]
    return result


def submit(actor: access.Actor, plan: Plan, data: Any, draws: int = DEFAULT_DRAWS) -> ProjectProposal:
    """Store a proposal with its review; a unit may submit only for its own town, the office for any."""
    p = parse(plan, data)
    town = town_of(plan, p.town)
    access.require_submit(actor, town)
    result = assess(plan, data, draws=draws)
    with transaction.atomic():
        obj = ProjectProposal.objects.create(plan=plan, town=town, name=p.name, data=p.to_dict(), result=result,
                                             recommendation=result["recommendation"], submitted_by=actor.db_user,
                                             submitted_unit=actor.unit)
        audit(actor, "create", obj, None, snapshot(obj))
    return obj


def decide(actor: access.Actor, proposal: ProjectProposal, outcome: str, comment: str = "") -> ReviewDecision:
    access.require_office(actor)
    if outcome not in dict(ReviewDecision._meta.get_field("outcome").choices):
        raise ValueError(f"outcome: {outcome!r} is not one of 通过, 有条件通过, 不予通过")
    with transaction.atomic():
        before = snapshot(proposal)
        decision = ReviewDecision.objects.create(proposal=proposal, outcome=outcome, comment=comment,
                                                 decided_by=actor.db_user)
        proposal.decision = outcome
        _plan_site(actor, proposal)
        proposal.save(update_fields=["decision", "planned_site"])
        audit(actor, "decide", proposal, before, snapshot(proposal), comment=comment)
    return decision


SITE_KINDS = {"data_centre": "data_centre", "building": "public_building"}
"""Proposal kind → monitoring site kind (industrial and other projects: a key energy-consuming unit)."""


def _plan_site(actor: access.Actor, proposal: ProjectProposal) -> None:
    """An approved project gets a planned monitoring site (no alerts until its meters arrive); a reversed approval
    removes the site while it is still only planned. Audited."""
    from carbonpeak.monitoring.models import Site

    site = proposal.planned_site
    if proposal.is_approved and site is None:
        data = proposal.data
        kind = SITE_KINDS.get(data.get("kind"), Site.Kind.KEY_UNIT)
        site = Site.objects.create(
            code=f"review-{proposal.pk}", name=proposal.name, kind=kind, plan=proposal.plan, town=proposal.town,
            status=Site.Status.PLANNED, floor_area_m2=data.get("floor_area_m2"),
            it_capacity_kw=data.get("it_capacity_kw"),
            dc_generation=Site.Generation.NEW if kind == Site.Kind.DATA_CENTRE else "",
            annual_quota_tce=proposal.result.get("energy_tce"))
        audit(actor, "create", site, None, snapshot(site), comment=f"planned for approved project #{proposal.pk}")
        proposal.planned_site = site
    elif not proposal.is_approved and site is not None and site.status == Site.Status.PLANNED:
        audit(actor, "delete", site, snapshot(site), None, comment=f"approval of project #{proposal.pk} reversed")
        proposal.planned_site = None
        site.delete()


PAGE_DRAWS = 2000
"""Draws of the portfolio page's three projections (none, approved, approved + pending)."""


def waterfall(start: float | None, steps: list[tuple[str, float]]) -> dict[str, Any] | None:
    """Headroom consumed project by project (ECharts waterfall: each bar from the level before to after)."""
    if start is None:
        return None
    rows, level = [], start
    for name, used in steps:
        rows.append({"name": name, "before": level, "after": level - used, "used": used})
        level -= used
    return {"start": start, "steps": rows, "end": level}


def _cumulative(projects: list[ProjectProposal]) -> dict[str, float]:
    """Sum of the projects' effect (percentage points of intensity, tce) in 2025 and 2030."""
    out: dict[str, float] = {}
    for p in projects:
        for row in p.result.get("impact_by_year", []):
            if row["year"] in (2025, 2030):
                out[f"pct_points_{row['year']}"] = out.get(f"pct_points_{row['year']}", 0.0) + row["pct_points"]
                out[f"energy_tce_{row['year']}"] = out.get(f"energy_tce_{row['year']}", 0.0) + row["project_energy_tce"]
    return out


def portfolio(plan: Plan, proposals: list[ProjectProposal], draws: int | None = None) -> dict[str, Any]:
    """Pending and approved proposals, their cumulative effect, and "what if we approve all pending"."""
    from carbonpeak.scenarios.engine import project

    draws = draws or PAGE_DRAWS
    approved_ps = [p for p in proposals if p.is_approved]
    pending = [p for p in proposals if not p.decision]
    cal = scenarios.calibration(plan)
    scenario = scenarios.ensure_defaults(plan)[1].engine_scenario()
    peaks = {}
    for key, ps in (("none", []), ("approved", approved_ps), ("all", approved_ps + pending)):
        proj = project(scenario, cal.base, draws=draws, seed=DEFAULT_SEED, wedges=False, state=cal.state,
                       committed_loads=approved_loads(ps))
        peaks[key] = proj.peak()["p_peak_by"]
    start, cap_year = district_headroom(plan)
    steps = [(p.name, p.result.get("cap_year_control_tce", 0.0)) for p in approved_ps + pending]
    return {"approved": approved_ps, "pending": pending, "p_peak_by_2030": peaks, "draws": draws,
            "cumulative_approved": _cumulative(approved_ps), "cumulative_all": _cumulative(approved_ps + pending),
            "waterfall": waterfall(start, steps), "cap_year": cap_year, "approved_count": len(approved_ps)}


__all__ = ["approved", "approved_loads", "assess", "budget", "decide", "district_headroom",
           "portfolio", "submit", "waterfall"]
