"""The 能源利用状况报告 page (/assessment/energy-use-reports/): the town's reporter drafts and submits, its reviewer
approves, through the API's services; anonymous, the read-only leader, another town's reporter and reviewer are
refused with the database unchanged, and see only what is theirs."""

import pytest

from carbonpeak.assessment.models import EnergyUseReport
from carbonpeak.tracking.models import AuditEntry

pytestmark = pytest.mark.django_db
PAGE = "/assessment/energy-use-reports/"
FORM = {"key_unit": "K1", "year": "2024", "energy_0_carrier": "electricity", "energy_0_quantity": "100",
        "energy_0_unit": "万kWh", "product": "芯片", "savings_measures": "空压机变频改造"}


def _draft_and_submit(client, users) -> EnergyUseReport:
    client.force_login(users["aa-reporter"])
    assert client.post(PAGE, FORM).status_code == 302
    report = EnergyUseReport.objects.get()
    assert client.post(f"{PAGE}{report.pk}/submit/").status_code == 302
    client.logout()
    report.refresh_from_db()
    return report


def test_the_town_drafts_edits_submits_and_its_reviewer_approves_on_the_page(client, users, key_unit):
    client.force_login(users["aa-reporter"])
    page = client.get(PAGE).content.decode()
    assert 'id="report-form"' in page and "甲镇重点企业" in page
    assert client.post(PAGE, FORM).status_code == 302
    report = EnergyUseReport.objects.get()
    assert report.status == "draft" and report.energy == [{"carrier": "electricity", "quantity": 100.0,
                                                           "unit": "万kWh"}]
    edit = client.get(f"{PAGE}?edit={report.pk}").content.decode()
    assert 'value="100.0"' in edit and "空压机变频改造" in edit
    assert client.post(PAGE, dict(FORM, energy_0_quantity="200")).status_code == 302
    report.refresh_from_db()
    assert report.energy[0]["quantity"] == 200.0 and EnergyUseReport.objects.count() == 1
    client.post(f"{PAGE}{report.pk}/submit/")
    client.force_login(users["aa-reviewer"])
    listing = client.get(f"{PAGE}?year=2024&status=submitted&town=aa").content.decode()
    assert f'id="report-{report.pk}"' in listing and "/approve/" in listing
    client.post(f"{PAGE}{report.pk}/approve/", {"comment": "核实"})
    report.refresh_from_db()
    assert report.status == "approved"
    assert list(AuditEntry.objects.filter(object_type="assessment.energyusereport").values_list(
        "actor_name", "action")) == [("aa-reporter", "create"), ("aa-reporter", "edit"), ("aa-reporter", "submit"),
                                     ("aa-reviewer", "approve")]


def test_bad_energy_is_a_422_naming_it_and_writes_nothing(client, users, key_unit, db_state):
    client.force_login(users["aa-reporter"])
    before = db_state()
    response = client.post(PAGE, dict(FORM, energy_0_quantity="", energy_0_carrier=""))
    assert response.status_code == 422 and "energy" in response.content.decode()
    response = client.post(PAGE, dict(FORM, year="2023"))
    assert response.status_code == 422 and "2023" in response.content.decode()
    assert client.post(PAGE, dict(FORM, energy_0_quantity="lots")).status_code == 422
    assert db_state() == before


@pytest.mark.parametrize("who, listed", [(None, None), ("leader", True), ("bb-reporter", False),
                                         ("bb-reviewer", False)])
def test_refused_callers_change_nothing_and_see_only_their_own(client, users, key_unit, db_state, who, listed):
    report = _draft_and_submit(client, users)
    if who:
        client.force_login(users[who])
    page = client.get(PAGE)
    if listed is None:
        assert page.status_code == 302 and "/login" in page["Location"]
    else:
        assert page.status_code == 200
        assert (f'id="report-{report.pk}"' in page.content.decode()) is listed
        assert 'id="report-form"' not in page.content.decode()  # none of them drafts for K1
    before = db_state()
    for step in ("approve", "return", "submit"):
        response = client.post(f"{PAGE}{report.pk}/{step}/", {"comment": "x"})
        assert response.status_code in ((302,) if who is None else (302, 403, 404)), (who, step)
        if who is None:
            assert "/login" in response["Location"]
    response = client.post(PAGE, dict(FORM, energy_0_quantity="1"))
    assert response.status_code == (302 if who is None else 403)
    assert db_state() == before
    report.refresh_from_db()
    assert report.status == "submitted"
