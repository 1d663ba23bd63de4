"""Values the city issues for targets the plan leaves open: office only, audited, tracked from then on."""

from __future__ import annotations

import pytest

from carbonpeak.plan.models import Indicator
from carbonpeak.progress import services as progress
from carbonpeak.progress.models import IssuedTarget
from carbonpeak.tracking.models import AuditEntry, IndicatorReport, ReviewStatus
from carbonpeak.tracking.services import ensure_periods
from carbonpeak.tracking.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

FORM = {"value": "25", "document": "沪发改环资〔2023〕1号", "issued_on": "2023-03-01"}
REFUSED = ["leader", "zjj-reporter", "zjj-reviewer", "jw-reporter", "jw-reviewer"]


@pytest.fixture
def open_target(small_plan):
    """A plan-wide target whose number the city issues (the 2030 non-fossil share: "increase", no value)."""
    return Indicator.objects.create(plan=small_plan, code="non-fossil-2030", name_zh="非化石能源消费比重",
                                    comparator="increase", unit="%", target_year=2030, baseline_value=10,
                                    baseline_year=2020, source_quote="确保完成市下达指标", position=99)


def _state():
    return IssuedTarget.objects.count(), AuditEntry.objects.count()


def test_the_office_records_an_issued_value_and_the_target_is_tracked_against_it(client, small_plan, units,
                                                                                 users, open_target):
    periods = {p.code: p for p in ensure_periods(small_plan, 2023, 2023, quarterly=False)}
    IndicatorReport.objects.create(indicator=open_target, unit=units["fgw"], period=periods["2023"], value=12,
                                   value_unit="%", status=ReviewStatus.APPROVED)
    before = progress.evaluate_indicator(open_target)
    assert before.spec.target is None and before.status == "on_track"  # qualitative: 12 ≥ the 2020 value 10
    client.login(username="office", password=PASSWORD)
    page = client.get("/progress/indicators/non-fossil-2030/").content.decode()
    assert 'id="issued-target"' in page and 'name="document"' in page
    response = client.post("/progress/indicators/non-fossil-2030/issued/", FORM)
    assert response.status_code == 302 and response["Location"] == "/progress/indicators/non-fossil-2030/"
    issued = IssuedTarget.objects.get()
    assert (issued.value, issued.document, issued.created_by.username) == (25.0, FORM["document"], "office")
    entry = AuditEntry.objects.get(object_type="progress.issuedtarget", object_id=issued.pk)
    assert entry.action == "issue_target" and entry.after["value"] == 25.0 and entry.actor_name == "office"
    after = progress.evaluate_indicator(open_target)
    # ≥ 25% by 2030 from 10% in 2020: 14.5% expected at the end of 2023, 12 is 2.5 behind (band 1.5).
    assert (after.spec.comparator, after.spec.target) == (">=", 25.0)
    assert after.evaluation.expected_now == pytest.approx(14.5) and after.status == "off_track"
    api = client.get("/api/tracking/progress/non-fossil-2030").json()
    assert api["target_value"] == 25.0 and api["issued"]["document"] == FORM["document"]
    assert api["status"] == "off_track"
    listed = client.get("/api/progress/issued-targets").json()
    assert [(i["indicator"], i["value"]) for i in listed] == [("non-fossil-2030", 25.0)]


@pytest.mark.parametrize("username", ["anonymous", "nobody", *REFUSED])
def test_only_the_office_may_record_one_and_a_refusal_changes_nothing(client, users, open_target, username):
    if username != "anonymous":
        client.login(username=username, password=PASSWORD)
    before = _state()
    page = client.post("/progress/indicators/non-fossil-2030/issued/", FORM)
    api = client.post("/api/progress/issued-targets", {**FORM, "indicator": "non-fossil-2030"},
                      content_type="application/json")
    if username == "anonymous":
        assert page.status_code == 302 and "/accounts/login/" in page["Location"]
        assert api.status_code == 401
    else:
        assert page.status_code == 403
        assert api.status_code in (401, 403)  # no membership: not an API member at all
    assert _state() == before


def test_bad_input_is_a_clear_4xx_and_nothing_is_stored(client, users, open_target):
    client.login(username="office", password=PASSWORD)
    before = _state()
    fixed = client.post("/api/progress/issued-targets", {**FORM, "indicator": "pv-capacity-added"},
                        content_type="application/json")
    assert fixed.status_code == 422 and "pv-capacity-added" in fixed.json()["detail"]
    no_doc = client.post("/api/progress/issued-targets", {**FORM, "indicator": "non-fossil-2030", "document": " "},
                         content_type="application/json")
    assert no_doc.status_code == 422 and "document" in no_doc.json()["detail"]
    # longer than the column (a server error on PostgreSQL), or an infinite value (the API's schemas refuse it)
    too_long = client.post("/api/progress/issued-targets", {**FORM, "indicator": "non-fossil-2030",
                                                             "document": "文" * 301}, content_type="application/json")
    assert too_long.status_code == 422 and too_long.json()["detail"] == "document（下达文件）：最多 300 个字符。"
    infinite = client.post("/api/progress/issued-targets", {**FORM, "indicator": "non-fossil-2030", "value": "Infinity"},
                           content_type="application/json")
    assert infinite.status_code == 422 and infinite.json()["detail"][0]["loc"] == ["body", "payload", "value"]
    unknown = client.post("/api/progress/issued-targets", {**FORM, "indicator": "nope"},
                          content_type="application/json")
    assert unknown.status_code == 404
    page = client.post("/progress/indicators/pv-capacity-added/issued/", FORM)
    assert page.status_code == 400 and "pv-capacity-added" in page.content.decode()
    bad_value = client.post("/progress/indicators/non-fossil-2030/issued/", {**FORM, "value": "lots"})
    assert bad_value.status_code == 400
    assert _state() == before
    created = client.post("/api/progress/issued-targets", {**FORM, "indicator": "non-fossil-2030"},
                          content_type="application/json")
    assert created.status_code == 201 and created.json()["value"] == 25.0


def test_the_progress_pages_are_read_only_for_everyone(client, users, open_target):
    assert client.get("/progress/").status_code == 200  # the report, like the dashboard
    page = client.get("/progress/indicators/non-fossil-2030/").content.decode()
    assert 'name="document"' not in page  # only the office sees the form
    client.login(username="leader", password=PASSWORD)
    assert 'name="document"' not in client.get("/progress/indicators/non-fossil-2030/").content.decode()
    assert client.get("/api/progress/issued-targets").status_code == 200
