"""能源利用状况报告 through tracking's review workflow: drafted and submitted by the key unit's town, approved by its
reviewer (four-eyes), audited; the approved energy feeds the assessment; every role on every route."""

import json

import pytest

from carbonpeak.assessment import energy_reports, services
from carbonpeak.assessment.models import EnergyUseReport, KeyEnergyUnit, UnitSeries
from carbonpeak.tracking.models import AuditEntry, ReviewPolicy

from .conftest import TCE_PER_10K_KWH

pytestmark = pytest.mark.django_db
JSON = "application/json"
BODY = {"key_unit": "K1", "year": 2024, "energy": [{"carrier": "electricity", "quantity": 100, "unit": "万kWh"},
                                                   {"carrier": "natural_gas", "quantity": 10, "unit": "万m3"}],
        "output_value_10k_yuan": 5000, "product": "芯片", "unit_product_consumption": 0.12,
        "unit_product_consumption_unit": "tce/万片", "savings_measures": "空压机变频改造"}


def _state():
    return (list(EnergyUseReport.objects.values_list("pk", "status", "revision", "energy_tce")),
            AuditEntry.objects.count())


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type=JSON)


def test_drafted_submitted_and_approved_by_the_town_four_eyes_and_feeding_the_assessment(client, users, key_unit,
                                                                                         plan):
    UnitSeries.objects.create(plan=plan, code="energy", year=2024, key_unit=key_unit, value=1.0)
    assert services.energy(plan, 2024, [key_unit])[0] == 1.0  # the uploaded series until a report is approved
    client.force_login(users["aa-reporter"])
    draft = _post(client, "/api/assessment/energy-use-reports", BODY)
    assert draft.status_code == 200, draft.content
    r = draft.json()
    gas_tce = 10e4 * 1.2143e-3  # GB/T 2589-2020 natural gas 1.2143 kgce/m3 (当量值)
    assert r["status"] == "draft" and r["energy_tce"] == pytest.approx(100 * TCE_PER_10K_KWH + gas_tce, rel=1e-3)
    assert r["savings_measures"] == "空压机变频改造" and r["town"] == "aa"
    assert _post(client, f"/api/assessment/energy-use-reports/{r['id']}/submit", {}).json()["status"] == "submitted"
    assert services.energy(plan, 2024, [key_unit])[0] == 1.0  # submitted is not approved
    client.force_login(users["aa-reviewer"])
    assert _post(client, f"/api/assessment/energy-use-reports/{r['id']}/return", {}).status_code == 422  # no reason
    done = _post(client, f"/api/assessment/energy-use-reports/{r['id']}/approve", {"comment": "核实"})
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert services.energy(plan, 2024, [key_unit])[0] == pytest.approx(r["energy_tce"])
    assert _post(client, f"/api/assessment/energy-use-reports/{r['id']}/approve", {}).status_code == 409
    actions = list(AuditEntry.objects.filter(object_type="assessment.energyusereport").values_list("actor_name",
                                                                                                   "action"))
    assert actions == [("aa-reporter", "create"), ("aa-reporter", "submit"), ("aa-reviewer", "approve")]
    # four-eyes: the office may review, but never its own submission
    ReviewPolicy.objects.update_or_create(plan=plan, defaults={"four_eyes": True})
    client.force_login(users["office"])
    second = _post(client, "/api/assessment/energy-use-reports", dict(BODY, key_unit="K2")).status_code
    assert second == 422  # no such key unit
    k2 = KeyEnergyUnit.objects.create(plan=plan, code="K2", name_zh="甲镇二厂", town=key_unit.town)
    own = _post(client, "/api/assessment/energy-use-reports", dict(BODY, key_unit=k2.code)).json()
    _post(client, f"/api/assessment/energy-use-reports/{own['id']}/submit", {})
    before = _state()
    assert _post(client, f"/api/assessment/energy-use-reports/{own['id']}/approve", {}).status_code == 403
    assert _state() == before


def test_bad_energy_names_the_row_and_writes_nothing(client, users, key_unit):
    client.force_login(users["aa-reporter"])
    before = _state()
    r = _post(client, "/api/assessment/energy-use-reports",
              dict(BODY, energy=[{"carrier": "unobtainium", "quantity": 1, "unit": "t"}]))
    assert r.status_code == 422 and "energy" in r.json()["detail"] and "unobtainium" in r.json()["detail"]
    assert _post(client, "/api/assessment/energy-use-reports", dict(BODY, energy=[])).status_code == 422
    assert _post(client, "/api/assessment/energy-use-reports", dict(BODY, year=2023)).status_code == 422
    assert _state() == before


@pytest.mark.parametrize("who,create,steps,listed", [
    (None, 401, 401, None), ("nobody", 401, 401, None), ("leader", 403, 403, 1), ("bb-reporter", 403, 404, 0),
    ("bb-reviewer", 403, 404, 0), ("aa-reviewer", 403, 200, 1)])
def test_every_role_on_every_route(client, users, key_unit, who, create, steps, listed):
    """Refused calls leave the database unchanged; a unit sees only its own town's key units' reports."""
    client.force_login(users["aa-reporter"])
    report = _post(client, "/api/assessment/energy-use-reports", BODY).json()
    _post(client, f"/api/assessment/energy-use-reports/{report['id']}/submit", {})
    client.logout()
    if who:
        client.force_login(users[who])
    listing = client.get("/api/assessment/energy-use-reports?year=2024")
    assert listing.status_code == (200 if listed is not None else 401)
    if listed is not None:
        assert len(listing.json()) == listed
    before = _state()
    step = _post(client, f"/api/assessment/energy-use-reports/{report['id']}/approve", {})
    assert step.status_code == steps, (who, step.content)
    if steps != 200:
        assert _state() == before
    before = _state()
    created = _post(client, "/api/assessment/energy-use-reports", dict(BODY, output_value_10k_yuan=1))
    assert created.status_code == create and _state() == before  # only the town's reporters (and the office) draft
