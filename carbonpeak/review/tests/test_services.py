"""The review's figures from the database: accounting's cap and accounted energy, approved projects."""

from __future__ import annotations

import pytest

from carbonpeak.accounting.models import EnergyCap, EnergyRecord
from carbonpeak.review import services

from .conftest import DRAWS

pytestmark = pytest.mark.django_db
REPORTING_KGCE_PER_KWH = 0.3055  # 电力（等价值）, the plan's default assessment method


def proposal(**over) -> dict:
    return {"name": "白鹤镇厂房", "town": "白鹤镇", "sector": "electronics", "kind": "industrial", "start_year": 2026,
            "added_value_10k_yuan": 5000, "energy": [{"carrier": "electricity", "quantity": 100, "unit": "万kWh"}]} | over


@pytest.fixture
def accounted(qingpu_plan):
    town = qingpu_plan.units.get(code="baihe")
    EnergyRecord.objects.create(plan=qingpu_plan, entity_name="全镇", sector="industry", carrier="electricity",
                                quantity=1000, unit="万kWh", year=2025, town=town)
    EnergyCap.objects.create(plan=qingpu_plan, year=2026, cap_tce=10_000.0, method="reporting")
    EnergyCap.objects.create(plan=qingpu_plan, year=2026, cap_tce=1.0, method="equivalent")  # other method: ignored
    return qingpu_plan


def test_headroom_from_the_cap_accounted_energy_and_approved_projects(accounted, actors):
    project = 1_000_000 * REPORTING_KGCE_PER_KWH / 1000
    before = 10_000.0 - 10_000_000 * REPORTING_KGCE_PER_KWH / 1000
    r = services.assess(accounted, proposal(), draws=DRAWS)
    assert r["method"] == "等价值" and r["cap_year"] == 2026
    assert r["headroom_tce_before"] == pytest.approx(before)
    assert r["headroom_tce_after"] == pytest.approx(before - project)
    first = services.submit(actors["office"], accounted, proposal(name="先批项目"), draws=DRAWS)
    services.decide(actors["office"], first, "有条件通过", "限期整改")
    r = services.assess(accounted, proposal(), draws=DRAWS)
    assert r["headroom_tce_before"] == pytest.approx(before - project)
    assert r["town_headroom_tce_before"] is None and any("town share" in n for n in r["notes"])
    services.decide(actors["office"], first, "不予通过", "复议")
    assert services.assess(accounted, proposal(), draws=DRAWS)["headroom_tce_before"] == pytest.approx(before)


def test_a_project_over_the_cap_is_rejected(accounted):
    r = services.assess(accounted, proposal(energy=[{"carrier": "electricity", "quantity": 3000, "unit": "万kWh"}]),
                        draws=DRAWS)
    cap = next(c for c in r["checks"] if c["rule"] == "district_cap")
    assert cap["passed"] is False and r["recommendation"] == "不予通过"


def test_approving_a_project_moves_the_plan_scenario_by_its_load(accounted, actors, client):
    """An approved proposal is committed load of the plan scenario (not the baseline): its mean energy moves by
    exactly the project's load in each year, and the scenario page lists it as a labelled assumption."""
    from carbonpeak.scenarios import services as scenarios

    baseline, plan_sc = scenarios.ensure_defaults(accounted)
    before, base_before = (scenarios.run(sc, draws=DRAWS).result for sc in (plan_sc, baseline))
    project = services.submit(actors["office"], accounted, proposal(name="新建厂房", start_year=2027), draws=DRAWS)
    assert scenarios.run(plan_sc, draws=DRAWS).result == before  # pending: not committed
    services.decide(actors["office"], project, "通过")
    after = scenarios.run(plan_sc, draws=DRAWS).result
    loads = services.approved_loads([project])
    assert loads and {row["year"] for row in loads} == {2027}
    for sector, series in after["energy_by_sector"].items():
        for year, new, old in zip(after["years"], series, before["energy_by_sector"][sector]):
            added = sum(r["energy_tce"] for r in loads if r["sector"] == sector and r["year"] <= year
                        and year <= r.get("until", year))
            assert new - old == pytest.approx(added, abs=1e-6 * max(abs(old), 1.0)), (sector, year)
    assert sum(after["bands"]["co2"]["p50"]) > sum(before["bands"]["co2"]["p50"])
    assert scenarios.run(baseline, draws=DRAWS).result["energy_by_sector"] == base_before["energy_by_sector"]
    label = next(a for a in after["assumptions"] if a["path"] == "committed_loads")
    assert "新建厂房" in label["source"] and "1 approved project" in label["label"]
    scenarios.run(plan_sc)  # the page's run (default draws), stored
    html = client.get("/scenarios/plan/").content.decode()
    assert "新建厂房" in html.split('id="assumptions"')[1].split("</table>")[0]


def test_an_approved_project_becomes_a_planned_monitoring_site_without_alerts_until_meters_arrive(
        accounted, actors, users, client):
    from carbonpeak.monitoring import services as monitoring
    from carbonpeak.monitoring.models import Alert, Meter, Site
    from carbonpeak.tracking.models import AuditEntry

    project = services.submit(actors["office"], accounted, proposal(name="白鹤镇新厂房"), draws=DRAWS)
    services.decide(actors["office"], project, "有条件通过", "限期整改")
    project.refresh_from_db()
    site = project.planned_site
    assert site.status == Site.Status.PLANNED and site.kind == Site.Kind.KEY_UNIT and site.town == project.town
    assert site.name == "白鹤镇新厂房" and site.annual_quota_tce == pytest.approx(project.result["energy_tce"])
    assert AuditEntry.objects.filter(object_type="monitoring.site", object_id=site.pk, action="create").exists()
    monitoring.evaluate_alerts()
    assert not Alert.objects.filter(site=site).exists()  # a key unit never seen online would be "silent"
    assert site not in monitoring.plan_sites(accounted) and site in monitoring.plan_sites(accounted, "planned")
    client.force_login(users["leader"])
    page = client.get("/monitoring/").content.decode()
    assert f'<tr data-code="{site.code}" data-status="planned">' in page
    Meter.objects.create(site=site, code="review-meter", carrier="electricity", unit="kWh", category="total")
    monitoring.evaluate_alerts()
    site.refresh_from_db()
    assert site.status == Site.Status.ACTIVE and Alert.objects.filter(site=site, kind=Alert.Kind.SILENT).exists()
    # a reversed approval removes a site only while it is still planned
    other = services.submit(actors["office"], accounted, proposal(name="白鹤镇二期"), draws=DRAWS)
    services.decide(actors["office"], other, "通过")
    other.refresh_from_db()
    planned = other.planned_site.pk
    services.decide(actors["office"], other, "不予通过", "复议")
    other.refresh_from_db()
    assert other.planned_site is None and not Site.objects.filter(pk=planned).exists()
    services.decide(actors["office"], project, "不予通过", "复议")
    assert Site.objects.filter(pk=site.pk).exists()  # metered: it stays
