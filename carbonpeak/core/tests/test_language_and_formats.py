"""Chinese by default, English on request, grouped numbers; the dashboard and health check."""

import pytest


@pytest.mark.django_db
def test_chinese_by_default_even_for_english_browsers(client, qingpu_plan):
    html = client.get(f"/plan/{qingpu_plan.code}/tasks/1.1/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "责任单位" in html and "Responsible units" not in html


def test_grouped_numbers_in_chinese():
    from django.template import Context, Template
    from django.utils import translation

    with translation.override("zh-hans"):
        assert Template('{{ v|floatformat:"0g" }}').render(Context({"v": 4715980.3})) == "4,715,980"


@pytest.mark.django_db
def test_dashboard_without_a_plan_says_how_to_load_one(client):
    html = client.get("/").content.decode()
    assert "carbonpeak plan load" in html


@pytest.mark.django_db
def test_dashboard_shows_the_plan_panel(client, qingpu_plan):
    html = client.get("/").content.decode()
    assert 'id="plan-panel"' in html and qingpu_plan.name_zh in html


@pytest.mark.django_db
def test_healthz_names_the_database(client):
    from django.db import connection

    assert client.get("/healthz").json() == {"status": "ok", "database": connection.vendor}


@pytest.mark.django_db
def test_not_found_page_is_the_platform_page(client):
    response = client.get("/plan/no-such-plan/")
    assert response.status_code == 404 and "返回总览" in response.content.decode()


@pytest.mark.django_db
def test_language_switch_names_each_language_in_itself(client):
    html = client.get("/").content.decode()
    assert 'data-lang="en">English<' in html and 'data-lang="zh-hans">简体中文<' in html


@pytest.mark.django_db
def test_api_docs_load_no_script_from_the_internet(client):
    html = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
