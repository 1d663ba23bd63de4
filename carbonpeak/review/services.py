"""Review use cases over the database: the district's context for the engine (plan indicators, accounting
factors, inventory and caps, assessment allocations, the plan scenario), proposals and decisions.

Every figure comes from its own app; the arithmetic is `engine.review`'s (which calls the accounting and
scenario engines).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from carbonpeak.accounting import services as accounting
from carbonpeak.accounting.engine.inventory import METHOD_LABELS
from carbonpeak.assessment import services as assessment
from carbonpeak.core import clock
from carbonpeak.plan.models import Indicator, Plan, ResponsibleUnit
from carbonpeak.review import access
from carbonpeak.review.engine import Budget, FieldError, Proposal, ProposalError, Rules, load_rules, parse_proposal
from carbonpeak.review.engine import review as engine_review
from carbonpeak.review.models import ProjectProposal, ReviewDecision
from carbonpeak.scenarios import services as scenarios
from carbonpeak.tracking.services import audit, snapshot

DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 20220101


def rules() -> Rules:
    return load_rules()


def indicators(plan: Plan, codes: set[str]) -> dict[str, dict[str, Any]]:
    return {i.code: {"target_value": i.target_value, "target_year": i.target_year, "source_quote": i.source_quote}
            for i in Indicator.objects.filter(plan=plan, code__in=codes)}


def town_of(plan: Plan, name: str) -> ResponsibleUnit | None:
    return accounting.town_lookup(plan).get(name.strip().lower())


def parse(plan: Plan, data: Any, file: str = "proposal") -> Proposal:
    """A validated proposal whose town is a town or street of the plan."""
    r = rules()
    p = parse_proposal(data, r.sectors, r.exceptions, file=file)
    if town_of(plan, p.town) is None:
        raise ProposalError([FieldError(file, "town", f"{p.town!r} is not a town or street of plan {plan.code}")])
    return p


def approved(plan: Plan, exclude: ProjectProposal | None = None) -> list[ProjectProposal]:
    """The hook: approved proposals (通过, 有条件通过) are committed load in later reviews and the plan scenario."""
    qs = ProjectProposal.objects.filter(plan=plan, decision__in=["通过", "有条件通过"]).select_related("town")
    if exclude is not None and exclude.pk:
        qs = qs.exclude(pk=exclude.pk)
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


def budget(plan: Plan, town: ResponsibleUnit, projects: list[ProjectProposal]) -> Budget:
    """The cap, the accounted energy and the approved projects' use of it; the town's allocated share."""
    method = accounting.assessment_basis(plan).method
    cap, cap_year = _cap(plan, method)
    notes: list[str] = []
    energy = year = None
    town_energy = 0.0
    if cap is not None:
        run = accounting.inventory(plan, method=method)
        rows = run.result["dual_control"]["years"]
        if rows:
            energy, year = rows[-1]["dual_control_energy_tce"], rows[-1]["year"]
            view = accounting.year_view(run, year) or {}
            town_energy = view.get("by_town", {}).get(town.name_zh, {}).get("energy_tce", 0.0)
            notes.append(f"headroom: cap {cap_year} ({METHOD_LABELS[method]}) less energy accounted in {year} "
                         f"less {len(projects)} approved project(s)")
        else:
            cap = None
            notes.append("headroom: no energy accounted yet, cap headroom not computed")
    else:
        notes.append("headroom: no energy cap recorded in accounting")
    alloc = assessment.approved_allocation(plan, assessment.ENERGY_TOTAL, cap_year) if cap_year else None
    share = next((r["value"] for r in (alloc.result["allocations"] if alloc else []) if r.get("code") == town.code),
                 None)
    if share is None:
        notes.append(f"town share: no approved allocation of {assessment.ENERGY_TOTAL} for {town.name_zh}")
    return Budget(method=method, cap_tce=cap, cap_year=cap_year, district_energy_tce=energy or 0.0,
                  district_energy_year=year,
                  approved_tce=sum(p.result.get("cap_year_control_tce", 0.0) for p in projects),
                  town_allocated_tce=share, town_energy_tce=town_energy,
                  town_approved_tce=sum(p.result.get("cap_year_control_tce", 0.0) for p in projects if p.town_id == town.pk),
                  notes=tuple(notes))


def assess(plan: Plan, data: Any, file: str = "proposal", draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED,
           exclude: ProjectProposal | None = None) -> dict[str, Any]:
    """Review a proposal (mapping in the proposal schema) against the plan as it stands, approved projects in."""
    p = parse(plan, data, file)
    r = rules()
    town = town_of(plan, p.town)
    projects = approved(plan, exclude)
    cal = scenarios.calibration(plan)
    scenario = scenarios.ensure_defaults(plan)[1].engine_scenario()
    from carbonpeak.accounting.services import engine_factor_set

    result = engine_review(p, r, indicators(plan, r.indicator_codes()), engine_factor_set(), scenario, cal.base,
                           budget(plan, town, projects), approved_loads(projects), draws=draws, seed=seed,
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
        proposal.save(update_fields=["decision"])
        audit(actor, "decide", proposal, before, snapshot(proposal), comment=comment)
    return decision


__all__ = ["PermissionDenied", "approved", "approved_loads", "assess", "budget", "decide", "submit"]
