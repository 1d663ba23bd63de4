"""Review pages: portfolio (`/review/`), proposal form, result page with the headroom waterfall and the
before/after peak-year histogram. Who sees what is `access`'s; the figures are `services`'."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carbonpeak.review import access, services
from carbonpeak.review.engine import FieldError, ProposalError, RulesError, proposal_xlsx
from carbonpeak.review.forms import ProposalForm
from carbonpeak.review.models import Outcome, ProjectProposal
from carbonpeak.scenarios.engine import ScenarioError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 5 * 2**20
TEMPLATE_EXAMPLE = {"kind": "industrial", "start_year": 2027, "ramp_up_years": 1, "ultra_low_energy": False,
                    "energy": [{"carrier": "electricity", "quantity": 100, "unit": "万kWh"}]}
"""What the downloaded template shows filled in (the rest is left for the unit)."""


def _towns(actor: access.Actor, plan) -> list[str]:
    """The towns the actor may submit for."""
    if actor.is_admin:
        return [u.name_zh for u in plan.units.filter(kind__in=["town", "street"]).order_by("name_zh")]
    return [actor.unit.name_zh] if access.can_submit(actor) else []


def _proposal(request, pk: int) -> ProjectProposal:
    obj = access.visible(request.actor, request.plan).filter(pk=pk).first()
    if obj is None:
        raise Http404(_("No such proposal."))
    return obj


@access.member_required
def index(request):
    proposals = list(access.visible(request.actor, request.plan))
    portfolio = services.portfolio(request.plan, proposals)
    return render(request, "review/index.html", {
        "portfolio": portfolio, "proposals": proposals, "chart": {"waterfall": portfolio["waterfall"]},
        "can_submit": access.can_submit(request.actor)})


@access.member_required
def new(request):
    """The proposal form, or (a POST with `xlsx`) a filled Excel template: one schema, the same validation."""
    if not access.can_submit(request.actor):
        raise PermissionDenied(_("You may not submit proposals."))
    try:
        rules = services.rules(request.plan)
    except RulesError as exc:  # a plan without review rules: say so instead of a form that cannot be checked
        return render(request, "review/new.html", {"form": None, "errors": [str(exc)]}, status=200)
    upload = request.FILES.get("xlsx")
    form = ProposalForm(None if upload else request.POST or None, rules=rules,
                        towns=_towns(request.actor, request.plan))
    errors: list[str] = []
    where: dict[str, str] = {}
    try:
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise ProposalError([FieldError(upload.name, "(file)", f"larger than {MAX_UPLOAD_BYTES // 2**20} MB")])
            data, where = proposal_xlsx.read(upload.read(), upload.name)
        else:
            data = form.proposal() if request.method == "POST" and form.is_valid() else None
        if data is not None:
            obj = services.submit(request.actor, request.plan, data, draws=services.PAGE_DRAWS)
            return redirect("review:detail", pk=obj.pk)
    except ProposalError as exc:
        errors = [str(e) for e in proposal_xlsx.located(exc, where).errors]
    except (RulesError, ScenarioError) as exc:
        errors = [str(exc)]
    status = 422 if request.method == "POST" else 200
    return render(request, "review/new.html", {"form": form, "errors": errors}, status=status)


@access.member_required
def template_xlsx(request):
    """The Excel template of a proposal (filled with an example), for the units that may submit one."""
    if not access.can_submit(request.actor):
        raise PermissionDenied(_("You may not submit proposals."))
    response = HttpResponse(proposal_xlsx.template(TEMPLATE_EXAMPLE), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="proposal-template.xlsx"'
    return response


@access.member_required
def detail(request, pk: int):
    obj = _proposal(request, pk)
    r = obj.result
    steps = [(p["name"], p["cap_year_control_tce"]) for p in r.get("approved_projects", [])]
    start = r["headroom_tce_before"] + sum(s for _n, s in steps) if r["headroom_tce_before"] is not None else None
    chart = {"waterfall": services.waterfall(start, steps + [(obj.name, r["cap_year_control_tce"])]),
             "before": r["histogram_before"], "after": r["histogram_after"]}
    return render(request, "review/detail.html", {
        "proposal": obj, "r": r, "chart": chart, "decisions": obj.decisions.all(),
        "can_decide": access.can_decide(request.actor), "outcomes": Outcome.choices})


@require_POST
@access.member_required
def decide(request, pk: int):
    obj = _proposal(request, pk)
    access.require_office(request.actor)
    try:
        services.decide(request.actor, obj, request.POST.get("outcome", ""), request.POST.get("comment", ""))
        messages.success(request, _("Decision recorded."))
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect("review:detail", pk=obj.pk)
