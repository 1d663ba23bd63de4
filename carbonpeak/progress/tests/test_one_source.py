"""One value and one status per indicator, wherever it is shown (Qingpu demo, real database).

Walks every surface that shows a target: the dashboard cards and counts, the progress report (HTML), its Excel
export, the API summary and each indicator's API, and checks them against each other and against figures derived
independently of the dashboard (the accounting summary, the scenario summary).
"""

from __future__ import annotations

import html as htmllib
import re
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from carbonpeak.accounting import services as accounting
from carbonpeak.progress import services as progress
from carbonpeak.scenarios import summary as scenarios_summary
from carbonpeak.tracking.models import Membership
from carbonpeak.tracking.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<tr data-code="(?P<code>[^"]+)" data-status="(?P<status>[^"]+)">.*?'
                 r'<td class="num" data-value="(?P<value>[^"]*)">', re.S)
CARD = re.compile(r'id="target-(?P<code>[^"]+)" data-code="[^"]+" data-status="(?P<status>[^"]+)" '
                  r'data-value="(?P<value>[^"]*)"')
ACCOUNTING_STATUS = re.compile(r'id="(?:on-track|dc-co2-status)" data-code="([^"]+)" data-status="([^"]+)" '
                               r'data-value="([^"]*)"')


def _num(text: str) -> float | None:
    return None if text in ("", "None") else float(text)


@pytest.fixture
def qingpu_demo(qingpu_plan, django_user_model):
    """The Qingpu plan with every app's demo data (`carbonpeak demo`) and a leader to read the API."""
    call_command("demo", stdout=StringIO())
    leader = django_user_model.objects.create_user("walk-leader", password=PASSWORD)
    Membership.objects.create(user=leader, unit=qingpu_plan.units.first(), role=Membership.Role.LEADER)
    return qingpu_plan


def test_every_surface_shows_one_value_and_one_status_per_indicator(client, qingpu_demo):
    plan = qingpu_demo
    results = progress.by_code(progress.evaluate_plan(plan))
    client.login(username="walk-leader", password=PASSWORD)

    api = {row["code"]: row for row in client.get("/api/tracking/progress").json()["indicators"]}
    assert set(api) == set(results)
    report = client.get("/progress/report/").content.decode()
    rows = {m["code"]: m for m in ROW.finditer(report)}
    assert set(rows) == set(results)
    home = client.get("/").content.decode()
    cards = {m["code"]: m for m in CARD.finditer(home)}
    assert {"energy-intensity-gdp", "non-fossil-energy-share-2025", "carbon-peak-year"} <= set(cards)
    wb = load_workbook(BytesIO(client.get("/progress/report.xlsx").content))
    by_name = {(r.indicator.name_zh, r.indicator.target_year): code for code, r in results.items()}
    excel = {by_name[r[0], r[4]]: r for r in wb.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert set(excel) == set(results)

    for code, r in results.items():
        status, value = r.status, r.evaluation.latest_value
        assert api[code]["status"] == rows[code]["status"] == status, code
        assert excel[code][5] == r.status_label, code
        assert api[code]["value"] == pytest.approx(value) if value is not None else api[code]["value"] is None
        assert _num(rows[code]["value"]) == pytest.approx(value) if value is not None else rows[code]["value"] == ""
        assert excel[code][6] == (pytest.approx(value, rel=1e-3) if value is not None else None), code
        if code in cards:
            assert cards[code]["status"] == status, code
            assert _num(cards[code]["value"]) == (pytest.approx(value) if value is not None else None), code
        if r.computed:
            one = client.get(f"/api/tracking/progress/{code}").json()
            assert (one["status"], one["value"], one["source"]) == (status, value, r.indicator.source), code

    # The dashboard's counts are the report's.
    counts = progress.status_counts(list(results.values()))
    for s, n in counts.items():
        assert f'id="count-{s}" data-status="{s}" data-count="{n}"' in home

    # The figures themselves, derived without the progress app: accounting's own summary and the scenario run.
    summary = accounting.inventory(plan).result["dual_control"]["summary"]
    intensity = results["energy-intensity-gdp"]
    assert intensity.evaluation.latest_value == pytest.approx(100 * summary["achieved_reduction"])
    assert intensity.series_source == "accounting.energy_intensity_change"
    latest = accounting.inventory(plan).result["dual_control"]["years"][-1]
    assert results["non-fossil-energy-share-2025"].evaluation.latest_value == pytest.approx(
        100 * latest["non_fossil_share"])
    peak = scenarios_summary.peak_probability(plan)
    card = re.search(r'id="peak-probability" data-probability="([^"]+)" data-status="([^"]+)"', home)
    assert float(card[1]) == pytest.approx(peak["p_peak_by"]) and peak["by"] == 2030
    expected = "on_track" if peak["p_peak_by"] >= 0.5 else "at_risk" if peak["p_peak_by"] >= 0.25 else "off_track"
    assert card[2] == results["carbon-peak-year"].status == expected
    # The accounting pages (every inventory year, and /accounting/ itself) show the intensity targets' status as
    # the progress app gives it at that year's end: the latest year's is the dashboard's.
    assert client.get("/accounting/").url.endswith(f"/accounting/inventory/{latest['year']}/")
    for row in accounting.inventory(plan).result["dual_control"]["years"]:
        page = client.get(f"/accounting/inventory/{row['year']}/").content.decode()
        shown = {m[1]: m for m in ACCOUNTING_STATUS.finditer(page)}
        assert set(shown) == {"energy-intensity-gdp", "carbon-intensity-gdp-2025"}, row["year"]
        for code, m in shown.items():
            ev = progress.as_at(results[code], row["year"])
            assert m[2] == ev.status and _num(m[3]) == (pytest.approx(ev.latest_value) if ev.latest_value is not None
                                                        else None), (code, row["year"])
            if row["year"] == latest["year"]:
                assert (m[2], _num(m[3])) == (results[code].status, results[code].evaluation.latest_value), code
    # A unit's reported non-fossil share is shown beside the computed one, flagged, never as its status.
    flagged = [d for d in results["non-fossil-energy-share-2025"].differences if d["flagged"]]
    assert flagged and 'data-reported="' in htmllib.unescape(home)
