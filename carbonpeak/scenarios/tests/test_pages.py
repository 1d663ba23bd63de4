"""Server-rendered pages: list/comparison, editor (HTMX save), dashboard card."""

import pytest
from django.contrib.auth import get_user_model

from carbonpeak.scenarios import demo
from carbonpeak.scenarios.models import Scenario, ScenarioRun
from carbonpeak.scenarios.summary import peak_probability

pytestmark = pytest.mark.django_db


def test_index_lists_and_compares(client, qingpu_plan):
    html = client.get("/scenarios/").content.decode()
    assert 'data-slug="baseline"' in html and 'data-slug="plan"' in html and 'id="chart-compare"' in html
    assert 'id="compare-data"' in html


def test_editor_shows_peak_and_levers(client, qingpu_plan):
    html = client.get("/scenarios/plan/").content.decode()
    assert 'id="peak-year"' in html and 'name="lever-pv-additions_mw-0-year"' in html and 'id="result-data"' in html
    assert "disabled" in html  # anonymous users cannot edit
    # the tornado, the labelled assumptions with their sources, and every fallback in the notes
    assert 'id="chart-tornado"' in html and "levers.pv.additions_mw.2026" in html and "沪环气〔2022〕34号" in html
    assert "基准年数据中心整体PUE：2021 年无观测值，采用 1.55" in html  # the notes in the reader's language
    english = client.get("/scenarios/plan/", HTTP_COOKIE="django_language=en").content.decode()
    assert "Data-centre fleet PUE, base year: no observed value for 2021; 1.55 is used" in english


def test_htmx_save_creates_a_version_and_reruns(client, qingpu_plan):
    user = get_user_model().objects.create_superuser("editor", password="pw-123456")  # the district office
    client.force_login(user)
    client.get("/scenarios/plan/")
    sc = Scenario.objects.get(plan=qingpu_plan, slug="plan")
    form = {"horizon": "2035", "lever-grid-enabled": "on"}
    for i, (year, value) in enumerate([("2025", "0.39"), ("2030", "0.34"), ("2035", "0.3")]):
        form |= {f"lever-grid-factor-{i}-year": year, f"lever-grid-factor-{i}-value": value}
    for lever in sc.parameters["levers"]:
        if sc.parameters["levers"][lever]["enabled"]:
            form[f"lever-{lever}-enabled"] = "on"
    r = client.post("/scenarios/plan/levers/", form, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'id="peak-year"' in r.content.decode()
    sc.refresh_from_db()
    assert sc.version == 2 and sc.parameters["levers"]["grid"]["enabled"]
    assert sc.parameters["levers"]["grid"]["factor"] == {"2025": 0.39, "2030": 0.34, "2035": 0.3}
    bad = client.post("/scenarios/plan/levers/", {"lever-ev-new_share-0-year": "2025", "lever-ev-new_share-0-value":
                      "half", "lever-pv-yield_hours-low": "9000"}, HTTP_HX_REQUEST="true")
    html = bad.content.decode()
    assert 'id="lever-error"' in html
    # each message beside its own field, naming it; the value as typed stays in the form
    assert 'id="f-lever-ev-new_share-0-value-error"' in html and "half" in html
    assert 'id="f-lever-pv-yield_hours-low-error"' in html and "9000" in html and "8760" in html
    sc.refresh_from_db()
    assert sc.version == 2
    assert client.post("/scenarios/plan/levers/", {"lever-ev-new_share-0-year": "20x5"}).status_code == 422


def test_anonymous_cannot_save(client, qingpu_plan):
    r = client.post("/scenarios/plan/levers/", {})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_demo_and_dashboard_figure(client, qingpu_plan):
    demo.load_demo(qingpu_plan)
    demo.load_demo(qingpu_plan)  # idempotent
    slugs = list(Scenario.objects.filter(plan=qingpu_plan).values_list("slug", flat=True).order_by("id"))
    assert slugs == ["baseline", "plan", demo.CUSTOM_SLUG]
    peak = peak_probability(qingpu_plan)
    # the dashboard's figure is the stored plan run's P(peak by 2030): its peaked draws up to 2030
    stored = ScenarioRun.objects.get(scenario__slug="plan", draws=peak["draws"]).result["histogram"]
    by_2030 = sum(n for y, n in zip(stored["years"], stored["counts"]) if y <= 2030)
    assert peak["scenario"] == "方案情景" and peak["by"] == 2030 and peak["p_peak_by"] == by_2030 / peak["draws"]
    assert peak["p_peak_by"] != ScenarioRun.objects.get(scenario__slug="plan", draws=peak["draws"]).result[
        "peak"]["p_peaked_within_horizon"]
    home = client.get("/")
    assert home.status_code == 200 and 'id="peak-probability"' in home.content.decode()


def _queries(client, url: str) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


INDEX_QUERIES = 17
"""Queries of `/scenarios/` once its runs are stored, whatever the number of scenarios: the plan, the
standard scenarios, the scenario list, the calibration (energy records, observed-state indicators and
reports, monitored data-centre PUE, the PV-capacity indicator and its progress evaluation: six; approved review
projects: one), one read of the stored runs, and the names of the factor sets and indicators the notes mention."""


def test_index_query_count_is_constant_in_the_number_of_scenarios(client, qingpu_plan):
    from carbonpeak.scenarios import services

    client.get("/scenarios/")  # creates the standard scenarios and stores their runs
    warm_two = _queries(client, "/scenarios/")
    plan_sc = Scenario.objects.get(plan=qingpu_plan, slug="plan")
    for i in range(4):
        services.copy_scenario(plan_sc, f"copy {i}")
    cold_six = _queries(client, "/scenarios/")  # the four new runs are computed and stored in one insert
    warm_six = _queries(client, "/scenarios/")
    assert len(warm_two) == len(warm_six) == INDEX_QUERIES
    assert len([q for q in cold_six if q.startswith("INSERT")]) == 1


@pytest.mark.parametrize("role", [None, "leader", "reporter", "reviewer"])
def test_progress_page_is_read_only_for_every_role(client, qingpu_plan, role):
    """The progress page reads; whoever asks (anonymous, the read-only leader, a unit's reporter or reviewer),
    it writes nothing."""
    from carbonpeak.plan.models import ResponsibleUnit
    from carbonpeak.scenarios import services
    from carbonpeak.scenarios.models import ScenarioVersion
    from carbonpeak.tracking.services import set_membership

    services.ensure_defaults(qingpu_plan)
    if role is not None:
        user = get_user_model().objects.create_user(f"u-{role}", password="pw-123456")
        set_membership(user, ResponsibleUnit.objects.get(plan=qingpu_plan, code="zhujiajiao"), role)
        client.force_login(user)
    counts = [m.objects.count() for m in (Scenario, ScenarioVersion, ScenarioRun)]
    r = client.get("/scenarios/progress/")
    assert r.status_code == 200 and 'id="no-history"' in r.content.decode()
    assert [m.objects.count() for m in (Scenario, ScenarioVersion, ScenarioRun)] == counts


def test_lever_fields_are_numbers_with_their_unit_and_range(client, qingpu_plan):
    import re

    html = client.get("/scenarios/plan/").content.decode()
    hours = re.search(r'<input type="number" id="f-lever-pv-yield_hours-mode"[^>]*>', html).group(0)
    assert 'min="0"' in hours and 'max="8760"' in hours and 'step="1"' in hours
    share = re.search(r'<input type="number" id="f-lever-ev-new_share-0-value"[^>]*>', html).group(0)
    assert 'max="1"' in share and 'step="0.01"' in share and 'value="0.5"' in share
    assert "小时/年" in html and "{&quot;dist&quot;" not in html and '"dist"' not in html  # units in Chinese, no JSON
    assert '<option value="transport" selected>交通运输</option>' in html
