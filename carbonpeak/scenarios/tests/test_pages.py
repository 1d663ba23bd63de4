"""Server-rendered pages: list/comparison, editor (HTMX save), dashboard card."""

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string

from carbonpeak.scenarios import demo
from carbonpeak.scenarios.models import Scenario
from carbonpeak.scenarios.summary import peak_probability

pytestmark = pytest.mark.django_db


def test_index_lists_and_compares(client, qingpu_plan):
    html = client.get("/scenarios/").content.decode()
    assert 'data-slug="baseline"' in html and 'data-slug="plan"' in html and 'id="chart-compare"' in html
    assert 'id="compare-data"' in html


def test_editor_shows_peak_and_levers(client, qingpu_plan):
    html = client.get("/scenarios/plan/").content.decode()
    assert 'id="peak-year"' in html and 'name="lever-pv-additions_mw"' in html and 'id="result-data"' in html
    assert "disabled" in html  # anonymous users cannot edit


def test_htmx_save_creates_a_version_and_reruns(client, qingpu_plan):
    user = get_user_model().objects.create_superuser("editor", password="pw-123456")  # the district office
    client.force_login(user)
    client.get("/scenarios/plan/")
    sc = Scenario.objects.get(plan=qingpu_plan, slug="plan")
    form = {"horizon": "2035", "lever-grid-enabled": "on", "lever-grid-factor": "2025:0.39, 2030:0.34, 2035:0.3"}
    for lever in sc.parameters["levers"]:
        if sc.parameters["levers"][lever]["enabled"]:
            form[f"lever-{lever}-enabled"] = "on"
    r = client.post("/scenarios/plan/levers/", form, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'id="peak-year"' in r.content.decode()
    sc.refresh_from_db()
    assert sc.version == 2 and sc.parameters["levers"]["grid"]["enabled"]
    assert sc.parameters["levers"]["grid"]["factor"] == {"2025": 0.39, "2030": 0.34, "2035": 0.3}
    bad = client.post("/scenarios/plan/levers/", {"lever-ev-new_share": "2025:half"}, HTTP_HX_REQUEST="true")
    assert 'id="lever-error"' in bad.content.decode() and "levers.ev.new_share.2025" in bad.content.decode()
    sc.refresh_from_db()
    assert sc.version == 2


def test_anonymous_cannot_save(client, qingpu_plan):
    r = client.post("/scenarios/plan/levers/", {})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_demo_and_dashboard_card(client, qingpu_plan):
    demo.load_demo(qingpu_plan)
    demo.load_demo(qingpu_plan)  # idempotent
    slugs = list(Scenario.objects.filter(plan=qingpu_plan).values_list("slug", flat=True).order_by("id"))
    assert slugs == ["baseline", "plan", demo.CUSTOM_SLUG]
    peak = peak_probability(qingpu_plan)
    assert peak["scenario"] == "方案情景" and 0 <= peak["p_peak_by"] <= 1 and peak["by"] == 2030
    html = render_to_string("scenarios/_peak_card.html", {"peak": peak})
    assert 'id="peak-card"' in html and f'{round(peak["p_peak_by"] * 100)}%' in html
    assert client.get("/").status_code == 200  # the district dashboard (tracking's panel) calls peak_probability
