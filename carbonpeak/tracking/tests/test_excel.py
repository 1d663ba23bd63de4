"""Excel template download → fill → upload round trip, and each kind of bad file (nothing is stored)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from carbonpeak.tracking import excel
from carbonpeak.tracking.models import AuditEntry, IndicatorReport

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def template(client, period, unit="zhujiajiao"):
    response = client.get(f"/tracking/periods/{period.pk}/units/{unit}/template.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == excel.XLSX_TYPE
    return load_workbook(io.BytesIO(response.content))


def upload(client, period, wb, unit="zhujiajiao", submit=False):
    out = io.BytesIO()
    wb.save(out)
    f = SimpleUploadedFile("filled.xlsx", out.getvalue(), excel.XLSX_TYPE)
    data = {"file": f, **({"submit": "on"} if submit else {})}
    return client.post(f"/tracking/periods/{period.pk}/units/{unit}/upload/", data)


@pytest.fixture
def reporter(client, users):
    client.login(username="jw-reporter", password=PASSWORD)
    return client


def rows_by_code(ws):
    return {ws.cell(r, 1).value: r for r in range(excel.FIRST_ROW, ws.max_row + 1) if ws.cell(r, 1).value}


def test_template_has_chinese_headers_and_the_units_indicators(reporter, period):
    ws = template(reporter, period, "jingwei")[excel.SHEET]
    assert [c.value for c in ws[excel.HEADER_ROW]] == ["指标代码", "指标名称", "单位", "目标值", "目标年份", "本期数值", "说明",
                                                     "牵头单位"]
    assert ws["B2"].value == "区经委" and ws["C2"].value == "jingwei" and ws["B3"].value == "2024Q1"
    # 区经委 is named on tasks 1.1 (PV) and 2.1 (green factories), not 3.1 (chargers)
    assert set(rows_by_code(ws)) == {"pv-capacity-added", "green-factories"}
    row = rows_by_code(ws)["green-factories"]
    assert [ws.cell(row, c).value for c in range(2, 6)] == ["新增绿色工厂", "家", 10, 2025]


def test_round_trip_stores_drafts_then_submits(reporter, period):
    wb = template(reporter, period, "jingwei")
    ws = wb[excel.SHEET]
    rows = rows_by_code(ws)
    ws.cell(rows["green-factories"], excel.COL_VALUE, 3)
    ws.cell(rows["green-factories"], excel.COL_NOTE, "新认定 3 家")
    ws.cell(rows["pv-capacity-added"], excel.COL_VALUE, "1.25")
    response = upload(reporter, period, wb, "jingwei", submit=True)
    assert response.status_code == 302
    stored = {r.indicator.code: r for r in IndicatorReport.objects.all()}
    assert stored["green-factories"].value == 3 and stored["green-factories"].note == "新认定 3 家"
    assert stored["pv-capacity-added"].value == 1.25 and stored["pv-capacity-added"].value_unit == "万千瓦"
    assert {r.status for r in stored.values()} == {"submitted"}
    assert AuditEntry.objects.filter(action="submit").count() == 2
    # the next download carries the stored values
    ws = template(reporter, period, "jingwei")[excel.SHEET]
    assert ws.cell(rows_by_code(ws)["green-factories"], excel.COL_VALUE).value == 3


def bad_cases():
    def bad_number(ws, rows):
        ws.cell(rows["green-factories"], excel.COL_VALUE, "三家")
        return rows["green-factories"], "本期数值"

    def wrong_unit(ws, rows):
        ws.cell(rows["pv-capacity-added"], excel.COL_UNIT, "kW")
        return rows["pv-capacity-added"], "单位"

    def unknown_indicator(ws, rows):
        r = max(rows.values()) + 1
        ws.cell(r, excel.COL_CODE, "no-such-indicator")
        ws.cell(r, excel.COL_UNIT, "个")
        ws.cell(r, excel.COL_VALUE, 5)
        return r, "指标代码"

    def not_my_indicator(ws, rows):
        r = max(rows.values()) + 1
        ws.cell(r, excel.COL_CODE, "chargers")  # 区建管委's
        ws.cell(r, excel.COL_UNIT, "个")
        ws.cell(r, excel.COL_VALUE, 100)
        return r, "指标代码"

    def period_mismatch(ws, rows):
        ws["B3"] = "2023Q4"
        return 3, "报告期"

    def other_unit(ws, rows):
        ws["C2"] = "zhujiajiao"
        return 2, "填报单位"

    def duplicate_row(ws, rows):
        r = max(rows.values()) + 1
        ws.cell(r, excel.COL_CODE, "green-factories")
        ws.cell(r, excel.COL_UNIT, "家")
        ws.cell(r, excel.COL_VALUE, 1)
        return r, "指标代码"

    return [bad_number, wrong_unit, unknown_indicator, not_my_indicator, period_mismatch, other_unit, duplicate_row]


@pytest.mark.parametrize("spoil", bad_cases(), ids=lambda f: f.__name__)
def test_bad_rows_are_reported_and_nothing_is_stored(reporter, period, spoil):
    wb = template(reporter, period, "jingwei")
    ws = wb[excel.SHEET]
    rows = rows_by_code(ws)
    ws.cell(rows["green-factories"], excel.COL_VALUE, 4)  # a good row that must not be stored either
    ws.cell(rows["pv-capacity-added"], excel.COL_VALUE, 1.5)
    bad_row, column = spoil(ws, rows)
    response = upload(reporter, period, wb, "jingwei")
    assert response.status_code == 400
    errors = response.context["result"].errors
    assert (bad_row, column) in {(e.row, e.column) for e in errors}, errors
    assert f'data-row="{bad_row}"' in response.content.decode()
    assert IndicatorReport.objects.count() == 0 and AuditEntry.objects.count() == 0


def test_several_errors_are_all_listed(reporter, period):
    wb = template(reporter, period, "jingwei")
    ws = wb[excel.SHEET]
    rows = rows_by_code(ws)
    ws.cell(rows["green-factories"], excel.COL_VALUE, "n/a")
    ws.cell(rows["pv-capacity-added"], excel.COL_VALUE, 1)
    ws.cell(rows["pv-capacity-added"], excel.COL_UNIT, "MW")
    errors = upload(reporter, period, wb, "jingwei").context["result"].errors
    assert {(e.row, e.column) for e in errors} == {(rows["green-factories"], "本期数值"),
                                                   (rows["pv-capacity-added"], "单位")}


def test_not_an_excel_file_and_a_foreign_workbook(reporter, period):
    fake = SimpleUploadedFile("x.xlsx", b"%PDF-1.4 not excel", excel.XLSX_TYPE)
    response = reporter.post(f"/tracking/periods/{period.pk}/units/jingwei/upload/", {"file": fake})
    [error] = response.context["result"].errors
    assert response.status_code == 400 and error.row is None and "Excel" in error.message
    wb = Workbook()
    wb.active["A1"] = "hello"
    response = upload(reporter, period, wb, "jingwei")
    assert response.status_code == 400 and response.context["result"].errors[0].row is None
    assert IndicatorReport.objects.count() == 0


def test_a_row_that_hits_an_approved_value_rolls_back_the_whole_file(reporter, period, users, units, indicators):
    from carbonpeak.tracking import services
    from carbonpeak.tracking.permissions import actor_for_user

    a = actor_for_user(users["jw-reporter"])
    report = services.save_indicator_report(a, indicator=indicators["pv-capacity-added"], unit=units["jingwei"],
                                            period=period, value=1)
    services.approve(actor_for_user(users["jw-reviewer"]), services.submit(a, report))
    before = AuditEntry.objects.count()
    wb = template(reporter, period, "jingwei")
    ws = wb[excel.SHEET]
    rows = rows_by_code(ws)
    ws.cell(rows["green-factories"], excel.COL_VALUE, 4)
    ws.cell(rows["pv-capacity-added"], excel.COL_VALUE, 2)
    response = upload(reporter, period, wb, "jingwei")
    assert response.status_code == 400
    assert [e.row for e in response.context["result"].errors] == [rows["pv-capacity-added"]]
    assert not IndicatorReport.objects.filter(indicator__code="green-factories").exists()
    assert AuditEntry.objects.count() == before
