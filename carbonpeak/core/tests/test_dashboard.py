"""The dashboard's first screen, its wall-screen mode and its PDF, on the Qingpu demo (`carbonpeak demo`): every
figure is its app's own (progress, scenarios, assessment's barometer, monitoring's alerts, tracking's reports),
the same on all three surfaces; the office and leaders see the units behind and the alerts, anonymous visitors only
the aggregate progress; the PDFs (dashboard, progress report, assessment notice) are real PDFs with the Chinese
headings, the page's figures and the fonts embedded."""

from __future__ import annotations

import html as htmllib
import re
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from carbonpeak.assessment import services as assessment
from carbonpeak.monitoring.models import Alert
from carbonpeak.plan.models import TaskUnit
from carbonpeak.progress import services as progress
from carbonpeak.scenarios import summary as scenarios_summary
from carbonpeak.tracking.models import TaskReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(qingpu_plan, members):
    call_command("demo", stdout=StringIO())
    return qingpu_plan


def _attr(page: str, element_id: str, name: str) -> str:
    tag = re.search(r'<[^>]*\bid="%s"[^>]*>' % re.escape(element_id), page)[0]
    return htmllib.unescape(re.search(r'\b%s="([^"]*)"' % name, tag)[1])


def _pdf(response) -> tuple[str, set[tuple[str, bool]]]:
    """The PDF's text and its fonts (name, embedded)."""
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(BytesIO(response.content))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts")
            descriptor = (descendant[0].get_object() if descendant else font)["/FontDescriptor"].get_object()
            fonts.add((str(font["/BaseFont"]), any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))))
    return "\n".join(page.extract_text() for page in reader.pages), fonts


def _cjk_embedded(fonts: set[tuple[str, bool]]) -> None:
    assert fonts and all(embedded for _name, embedded in fonts), fonts
    assert any("CJK" in name for name, _e in fonts), fonts


def test_the_first_screen_shows_each_apps_own_figures_and_links_to_their_pages(client, demo, members):
    plan = demo
    client.force_login(members["leader"])
    home = client.get("/").content.decode()
    results = progress.evaluate_plan(plan)
    assert 'id="headline-failed"' not in home

    peak = scenarios_summary.peak_probability(plan)
    assert float(_attr(home, "peak-probability", "data-probability")) == pytest.approx(peak["p_peak_by"])
    status = progress.by_code(results)["carbon-peak-year"].status
    assert _attr(home, "peak-probability", "data-status") == status
    verdict = {"on_track": "likely", "at_risk": "uncertain"}.get(status, "unlikely")
    assert _attr(home, "peak-probability", "data-verdict") == verdict and f"verdict-{verdict}" in home
    assert _attr(home, "peak-probability", "href") == peak["url"]  # the scenario the figure comes from

    for role in ("energy_intensity", "co2_intensity"):
        r = min((r for r in results if r.indicator.role == role), key=lambda r: r.indicator.target_year)
        tile = f"intensity-{r.indicator.code}"
        assert float(_attr(home, tile, "data-value")) == pytest.approx(r.evaluation.latest_value)
        assert _attr(home, tile, "data-status") == r.status and _attr(home, tile, "href") == r.indicator_url

    off = progress.off_track(results)
    assert int(_attr(home, "headline-off-track", "data-count")) == len(off) > 0
    leads = dict(TaskUnit.objects.filter(task__action__plan=plan, is_lead=True).values_list("task_id", "unit__name_zh"))
    block = home[home.index('id="headline-off-track"'):home.index('id="headline-units-behind"')]
    for r in off[:5]:
        assert f'href="{r.indicator_url}"' in block
        if r.indicator.task_id:
            assert leads[r.indicator.task_id] in block

    behind = [r for r in assessment.barometer(plan, 2024) if r["colour"] in ("red", "amber")]
    assert int(_attr(home, "headline-units-behind", "data-count")) == len(behind) > 0
    first = re.search(r'id="headline-units-behind".*?<li data-code="([^"]+)" data-colour="([^"]+)"', home, re.S)
    assert first[2] == "red" or "red" not in {r["colour"] for r in behind}  # red units first
    assert 'href="/assessment/2024/barometer/"' in home

    active = Alert.objects.filter(active=True)
    assert int(_attr(home, "headline-alerts", "data-exceeded")) == active.filter(level="exceeded").count()
    assert int(_attr(home, "headline-alerts", "data-warning")) == active.filter(level="warning").count()
    assert _attr(home, "headline-alerts", "href") == "/monitoring/"

    period = TaskReport.objects.effective().order_by("-period__end", "period__start").first().period  # a year first
    delayed = TaskReport.objects.effective().filter(period=period, progress_status="delayed").count()
    assert f'data-status="delayed" data-count="{delayed}"' in home and period.label in home
    assert _attr(home, "headline-tasks", "href") == "/tracking/"


def test_anonymous_visitors_see_the_verdict_and_progress_but_not_units_or_alerts(client, demo):
    for url in ("/", "/cockpit/"):
        page = client.get(url).content.decode()
        assert 'id="peak-probability"' in page and 'id="headline-off-track"' in page, url
        assert 'id="headline-units-behind"' not in page and 'id="headline-alerts"' not in page, url


def test_the_wall_screen_has_the_same_figures_dark_without_navigation_and_reloads(client, demo, members):
    client.force_login(members["leader"])
    home, wall = client.get("/").content.decode(), client.get("/cockpit/").content.decode()
    assert '<body class="cockpit">' in wall and "<nav" not in wall
    assert re.search(r'<meta http-equiv="refresh" content="\d+">', wall)
    for element, name in (("peak-probability", "data-probability"), ("headline-off-track", "data-count"),
                          ("headline-units-behind", "data-count"), ("headline-alerts", "data-exceeded")):
        assert _attr(wall, element, name) == _attr(home, element, name), element
    assert "echarts" not in wall


def test_the_dashboard_pdf_has_the_figures_and_the_chinese_fonts_embedded(client, demo, members):
    client.force_login(members["leader"])
    home = client.get("/").content.decode()
    text, fonts = _pdf(client.get("/dashboard.pdf"))
    _cjk_embedded(fonts)
    assert "碳达峰工作总览" in text and "青浦区" in text
    percent = re.search(r'id="peak-probability".*?<b id="verdict-p">([^<]+)</b>', home, re.S)[1]
    assert percent in text
    assert f"{_attr(home, 'headline-off-track', 'data-count')}" in text
    for tile in re.findall(r'id="(intensity-[^"]+)"', home):
        value = re.search(r'id="%s".*?<span class="tile-value">([^<]+)<' % tile, home, re.S)[1].strip()
        assert value in text, tile
    assert text.count("实际值") == len(re.findall(r'id="intensity-', home))  # each intensity's chart, drawn server-side


def test_the_progress_report_pdf_has_the_reports_figures(client, demo, members):
    text, fonts = _pdf(client.get("/progress/report.pdf"))
    _cjk_embedded(fonts)
    assert "碳达峰进展报告" in text
    counts = progress.status_counts(progress.evaluate_plan(demo))
    labels = progress.status_labels()
    for status, n in counts.items():
        assert re.search(rf"\b{n}\s*\n?\s*{labels[status]}", text), (status, n)


def test_the_assessment_notice_pdf_has_the_ranking(client, demo, members):
    client.force_login(members["office"])
    text, fonts = _pdf(client.get("/assessment/2024/notice.pdf"))
    _cjk_embedded(fonts)
    assert "关于2024年度" in text and "考核结果的通报" in text
    for row in assessment.notice(demo, 2024)["units"]:
        assert row["unit"] in text and str(row["score"]) in text, row["unit"]


def test_echarts_is_loaded_only_by_pages_that_draw_charts(client, qingpu_plan):
    script = "/static/core/echarts.min.js"
    assert script not in client.get(f"/plan/{qingpu_plan.code}/").content.decode()
    assert script not in client.get("/progress/report/").content.decode()  # its chart is server-side SVG
    assert script in client.get("/progress/indicators/carbon-peak-year/").content.decode()
    assert script in client.get("/").content.decode()


def test_a_figure_that_cannot_be_computed_is_named_and_the_others_still_show(client, qingpu_plan, members):
    from carbonpeak.accounting import demo as accounting_demo
    from carbonpeak.accounting.models import EnergyRecord

    accounting_demo.load_demo(qingpu_plan)
    # a record the accounting engine cannot account (stored behind the importer's back): the barometer fails
    EnergyRecord.objects.create(plan=qingpu_plan, entity_name="broken", sector="industry", carrier="unobtainium",
                                quantity=1.0, unit="t", year=2025, town=qingpu_plan.units.get(code="zhujiajiao"))
    client.force_login(members["office"])
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "assessment" in re.search(r'id="headline-failed">([^<]*)<', page)[1]
    assert 'id="peak-probability"' in page and 'id="headline-off-track"' in page

    from carbonpeak.core import memo

    before = memo.computed["count"]
    assert 'id="headline-failed"' in client.get("/").content.decode()
    assert memo.computed["count"] > before  # a page with a failed figure is not reused: it is tried again
    EnergyRecord.objects.filter(entity_name="broken").delete()
    assert 'id="headline-failed"' not in client.get("/").content.decode()


def _nonces(response) -> tuple[str, set[str]]:
    """The CSP header's nonce and the nonces the page's inline tags carry."""
    header = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])[1]
    return header, set(re.findall(r'nonce="([^"]+)"', response.content.decode()))


def test_the_dashboard_is_rendered_once_per_viewer_and_each_response_carries_its_own_nonce(client, demo, members):
    """The content is reused for the same kind of viewer until the data changes; its inline scripts still run
    under each response's own Content-Security-Policy nonce."""
    from carbonpeak.core import memo

    client.force_login(members["office"])
    first = client.get("/")
    before = memo.computed["count"]
    second = client.get("/")
    assert memo.computed["count"] == before  # nothing computed or rendered again
    (nonce1, used1), (nonce2, used2) = _nonces(first), _nonces(second)
    assert used1 == {nonce1} and used2 == {nonce2} and nonce1 != nonce2
    main = [r.content.decode().split("<main", 1)[1].replace(n, "N") for r, n in ((first, nonce1), (second, nonce2))]
    assert main[0] == main[1]


def test_a_viewer_never_gets_the_dashboard_rendered_for_another(client, demo, members):
    """Office first, then a town's reporter, another town's reporter, a visitor, and the office in English: each
    sees what their own role and unit show, not the office's cached page."""
    from carbonpeak.assessment import services as assessment_services

    client.force_login(members["office"])
    office = client.get("/").content.decode()
    assert 'id="headline-units-behind"' in office and 'id="headline-alerts"' in office

    pages = {}
    for name in ("reporter-a", "reporter-b"):
        client.force_login(members[name])
        pages[name] = client.get("/").content.decode()
        assert 'id="headline-units-behind"' not in pages[name] and 'id="headline-alerts"' not in pages[name]
    for name, other in (("reporter-a", "reporter-b"), ("reporter-b", "reporter-a")):
        unit = members[name].memberships.get().unit
        if assessment_services.unit_targets(unit):
            panel = pages[name][pages[name].index('id="assessment-panel"'):]
            assert unit.name_zh in panel and members[other].memberships.get().unit.name_zh not in panel
    client.logout()
    anonymous = client.get("/").content.decode()
    assert 'id="headline-units-behind"' not in anonymous and 'id="assessment-panel"' not in anonymous

    client.force_login(members["office"])
    client.cookies["django_language"] = "en"
    english = client.get("/").content.decode()
    assert "Carbon peak dashboard" in english and "碳达峰工作总览" not in english
    prefixed = client.get(f"/p/{demo.code}/").content.decode()
    assert f'href="/p/{demo.code}/cockpit/"' in prefixed and 'href="/cockpit/"' not in prefixed
