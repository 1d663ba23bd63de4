"""Progress pages, the dashboard panel, the Excel export and the demo data (real database)."""

import datetime as dt
from io import BytesIO

import pytest
from openpyxl import load_workbook

from carbonpeak.progress import dashboard
from carbonpeak.progress import services as progress
from carbonpeak.tracking.demo import load_demo
from carbonpeak.tracking.models import IndicatorReport, Project, ReviewStatus

pytestmark = pytest.mark.django_db


def _pv(plan, units, indicators):
    pv = indicators["pv-capacity-added"]
    for kw, day in ((20000, dt.date(2021, 5, 1)), (35000, dt.date(2023, 7, 1))):
        Project.objects.create(plan=plan, kind="pv", name=f"光伏 {kw}kW", town=units["zhujiajiao"],
                               responsible_unit=units["zhujiajiao"], quantity=kw, quantity_unit="kW",
                               commissioned_on=day, indicator=pv, status=ReviewStatus.APPROVED)


def test_indicator_page_lists_contributing_projects_and_the_rule(client, small_plan, units, indicators):
    _pv(small_plan, units, indicators)
    html = client.get("/progress/indicators/pv-capacity-added/").content.decode()
    assert 'id="contributing-projects" data-count="2"' in html
    assert "光伏 20000kW" in html and 'id="rollup-total">5.5<' in html  # 2 + 3.5 万千瓦
    assert 'data-status="missed"' in html  # 5.5 of 29.4 万千瓦 due by 2025; the clock says 2026-11-25
    assert 'id="status-rule"' in html and "29.4" in html
    assert client.get("/progress/indicators/nope/").status_code == 404
    # The old address (tracking) redirects, query string kept.
    old = client.get("/tracking/indicators/pv-capacity-added/?plan=small")
    assert old.status_code == 301 and old["Location"] == "/progress/indicators/pv-capacity-added/?plan=small"


def test_report_page_and_excel(client, small_plan, units, indicators):
    _pv(small_plan, units, indicators)
    html = client.get("/progress/report/").content.decode()
    assert "@media print" in html and 'data-code="pv-capacity-added" data-status="missed"' in html
    assert client.get("/tracking/report/")["Location"] == "/progress/report/"
    response = client.get("/progress/report.xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    wb = load_workbook(BytesIO(response.content))
    assert len(wb.sheetnames) == 4
    targets = wb.worksheets[1]
    rows = list(targets.iter_rows(values_only=True))
    assert rows[0][:3] == ("目标名称", "任务", "牵头单位")  # Chinese headers, the lead unit beside the task
    assert [(r[0], r[2]) for r in rows[1:]] == [("新增光伏装机", "区发改委"), ("新增绿色工厂", "区经委"),
                                                ("新建充电桩", "区建管委")]
    projects = list(wb.worksheets[3].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[7]) for r in projects] == [("新增光伏装机", "区发改委", 2), ("新增光伏装机", "区发改委", 3.5)]


def test_dashboard_panel_exposes_counts(rf, small_plan, units, indicators):
    _pv(small_plan, units, indicators)
    html = dashboard.panel(rf.get("/"), small_plan)
    assert 'data-total="3" data-ontrack="0" data-atrisk="0" data-offtrack="0" data-missed="1" data-nodata="2"' in html
    assert 'id="off-track-list" data-count="1"' in html and 'data-code="pv-capacity-added"' in html


def test_demo_is_idempotent_and_leaves_some_targets_off_track(qingpu_plan):
    load_demo(qingpu_plan)
    reports, projects = IndicatorReport.objects.count(), Project.objects.count()
    load_demo(qingpu_plan)
    assert (IndicatorReport.objects.count(), Project.objects.count()) == (reports, projects)
    results = {r.indicator.code: r for r in progress.evaluate_plan(qingpu_plan)}
    quantitative = [r for r in results.values() if r.indicator.kind == "quantitative"]
    assert all(r.status != "no_data" for r in quantitative if r.source in ("reported", "projects"))
    # The clock says 2026-11-25: 2025 targets whose 2025 value misses them are missed, not merely off track.
    for code in ("green-transport-share-2025", "building-renewable-substitution-2025", "pv-capacity-added"):
        assert results[code].status == "missed", code
    pv = results["pv-capacity-added"]
    assert pv.source == "projects" and len(pv.projects) >= 10 and pv.rollup.total < 29.4
    assert len({p.town_id for p in pv.projects}) >= 5
    counts = progress.status_counts(list(results.values()))
    assert counts["on_track"] > counts["at_risk"] > 0 and counts["missed"] >= 3
