"""Plan pages and API over the loaded Qingpu plan."""

import pytest

from carbonpeak.plan.models import Task

pytestmark = pytest.mark.django_db


def test_overview_page_lists_actions_and_counts(client, qingpu_plan):
    response = client.get(f"/plan/{qingpu_plan.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "能源低碳转型行动" in html and "绿色低碳区域行动" in html
    assert 'id="count-tasks">35<' in html


def test_plan_index_redirects_to_default_plan(client, qingpu_plan):
    response = client.get("/plan/")
    assert response.status_code == 302 and response["Location"] == f"/plan/{qingpu_plan.code}/"


def test_task_page_shows_text_lead_units_and_targets(client, qingpu_plan):
    html = client.get(f"/plan/{qingpu_plan.code}/tasks/1.1/").content.decode()
    assert "大力发展非化石能源" in html
    assert "29.4" in html and "万千瓦" in html
    assert 'id="lead-unit">区发改委<' in html
    assert "区供电公司" in html


def test_unit_page_lists_responsibilities_including_group_membership(client, qingpu_plan):
    html = client.get(f"/plan/{qingpu_plan.code}/units/").content.decode()
    assert "朱家角镇" in html
    unit = qingpu_plan.units.get(name_zh="朱家角镇")
    html = client.get(unit.get_absolute_url()).content.decode()
    # 朱家角镇 answers for every task that names 各镇、街道 (e.g. 1.1 and 8.1).
    assert "1.1 大力发展非化石能源" in html and "8.1" in html


def test_english_switch(client, qingpu_plan):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/plan/{qingpu_plan.code}/tasks/1.1/").content.decode()
    assert "Responsible units" in html
    assert qingpu_plan.actions.get(number=1).name_en in html
    pv = qingpu_plan.indicators.get(code="pv-capacity-added")
    assert f"≥ 29.4 {pv.unit_en}" in html and "≥ 29.4 万千瓦" not in html


def test_indicator_page(client, qingpu_plan):
    indicator = qingpu_plan.indicators.get(code="pv-capacity-added")
    html = client.get(indicator.get_absolute_url()).content.decode()
    assert indicator.source_quote in html and "2025" in html


def test_api_lists_and_filters(client, qingpu_plan):
    code = qingpu_plan.code
    assert [p["code"] for p in client.get("/api/plan/plans").json()] == [code]
    tasks = client.get(f"/api/plan/plans/{code}/tasks", {"action": 1}).json()
    assert [t["code"] for t in tasks] == ["1.1", "1.2", "1.3"]
    task = client.get(f"/api/plan/plans/{code}/tasks/2.4").json()
    assert task["lead_unit"] == qingpu_plan.units.get(name_zh="区经委").code
    pue = client.get(f"/api/plan/plans/{code}/indicators/dc-pue-new").json()
    assert (pue["comparator"], pue["target_value"]) == ("<=", 1.3)
    assert client.get(f"/api/plan/plans/{code}/indicators/nope").status_code == 404
    unit = qingpu_plan.units.get(name_zh="区建管委")
    mine = client.get(f"/api/plan/plans/{code}/units/{unit.code}").json()
    assert {"4.1", "4.2", "5.1"} <= set(mine["lead_tasks"])
    assert len(mine["tasks"]) == Task.objects.filter(unit_links__unit=unit).count()


def test_api_export_matches_cli_shape(client, qingpu_plan):
    data = client.get(f"/api/plan/plans/{qingpu_plan.code}/export").json()
    assert len(data["tasks"]) == 35 and len(data["actions"]) == 10
    assert len(data["indicators"]) == qingpu_plan.indicators.count()


def test_openapi_docs(client):
    assert client.get("/api/docs").status_code == 200
    schema = client.get("/api/openapi.json").json()
    assert any(p.startswith("/api/plan/plans") for p in schema["paths"])


def test_admin_lists_indicators(admin_client, qingpu_plan):
    response = admin_client.get("/admin/plan/indicator/")
    assert response.status_code == 200 and "pv-capacity-added" in response.content.decode()



def test_indicator_page_links_its_progress(client, qingpu_plan):
    html = client.get(qingpu_plan.indicators.get(code="pv-capacity-added").get_absolute_url()).content.decode()
    assert f'href="/progress/indicators/pv-capacity-added/?plan={qingpu_plan.code}"' in html
    assert client.get(f"/progress/indicators/pv-capacity-added/?plan={qingpu_plan.code}").status_code == 200


# --- plan-independent: every page and the export of each shipped plan ------------------------------------------

@pytest.fixture(params=["qingpu", "example"])
def any_plan(request):
    return request.getfixturevalue(f"{request.param}_plan")


def test_every_page_of_any_plan_renders_its_own_content(client, any_plan):
    pages = [any_plan.get_absolute_url(), f"/plan/{any_plan.code}/units/", f"/plan/{any_plan.code}/indicators/"]
    pages += [a.get_absolute_url() for a in any_plan.actions.all()]
    pages += [t.get_absolute_url() for t in Task.objects.filter(action__plan=any_plan)]
    pages += [u.get_absolute_url() for u in any_plan.units.all()]
    pages += [i.get_absolute_url() for i in any_plan.indicators.all()]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    html = client.get(f"/plan/{any_plan.code}/indicators/").content.decode()
    assert all(i.name_zh in html for i in any_plan.indicators.all())


def test_api_export_of_any_plan_reads_as_its_file(client, any_plan):
    from carbonpeak.plan.planfile import read_plan_file

    spec = read_plan_file(any_plan.source_file)
    data = client.get(f"/api/plan/plans/{any_plan.code}/export").json()
    assert [(i["code"], i["role"], i["target_value"]) for i in data["indicators"]] == [
        (i.code, i.role, i.target_value) for i in spec.indicators]
    assert len(data["tasks"]) == sum(len(a.tasks) for a in spec.actions)
