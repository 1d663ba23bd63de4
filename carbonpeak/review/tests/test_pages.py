"""Pages as anonymous, no membership, office, leader, and the reporter and reviewer of 白鹤镇 (A) against
练塘镇's (B) proposals; refused calls leave the database unchanged."""

from __future__ import annotations

import pytest

from carbonpeak.review import services
from carbonpeak.review.models import ProjectProposal

from .conftest import DRAWS, proposal, review_state as _state, walk_roles

pytestmark = pytest.mark.django_db

FORM = {"name": "白鹤镇办公楼", "town": "白鹤镇", "sector": "office", "kind": "building", "start_year": "2027",
        "ramp_up_years": "1", "added_value_10k_yuan": "30000", "energy_0_carrier": "electricity",
        "energy_0_quantity": "2000000", "energy_0_unit": "kWh", "own_pv_kwh": "100000"}


@pytest.fixture(autouse=True)
def page_draws(monkeypatch):
    monkeypatch.setattr(services, "PAGE_DRAWS", DRAWS)


#              anon nobody office leader a-rep a-rev b-rep b-rev
MEMBERS =     (302, 403, 200, 200, 200, 200, 200, 200)
SUBMITTERS =  (302, 403, 200, 403, 200, 403, 200, 403)
SUBMIT_A =    (302, 403, 302, 403, 302, 403, 422, 403)
DETAIL_A =    (302, 403, 200, 200, 200, 200, 404, 404)
DECIDE_A =    (302, 403, 302, 403, 403, 403, 404, 404)
ENDPOINTS = [
    ("GET", "/review/", None, MEMBERS),
    ("GET", "/review/new/", None, SUBMITTERS),
    ("GET", "/review/template.xlsx", None, SUBMITTERS),
    ("POST", "/review/new/", FORM, SUBMIT_A),
    ("GET", "/review/{a}/", None, DETAIL_A),
    ("POST", "/review/{a}/decide/", {"outcome": "有条件通过", "comment": "PUE 降至1.3"}, DECIDE_A),
]


@pytest.mark.parametrize("method,url,body,expected", ENDPOINTS, ids=[f"{m} {u}" for m, u, _b, _e in ENDPOINTS])
def test_every_page_for_every_role(client, users, world, method, url, body, expected):
    walk_roles(client, users, url.format(a=world["a"].pk), expected, refused=(403, 404, 422),
               send=lambda c, u: c.get(u) if method == "GET" else c.post(u, body))


def test_form_submission_shows_the_result(client, users, world):
    client.force_login(users["a-reporter"])
    r = client.post("/review/new/", FORM, follow=True)
    page = r.content.decode()
    assert r.status_code == 200 and "白鹤镇办公楼" in page and 'id="checks"' in page
    assert 'id="review-histogram"' in page and "review/charts.js" in page
    created = ProjectProposal.objects.get(name="白鹤镇办公楼")
    assert created.town.name_zh == "白鹤镇" and created.result["recommendation"] in ("通过", "有条件通过")


def test_form_errors_are_per_field_and_store_nothing(client, users, world):
    client.force_login(users["office"])
    before = _state()
    r = client.post("/review/new/", FORM | {"kind": "data_centre"})
    page = r.content.decode()
    assert r.status_code == 422 and "it_capacity_kw: required" in page and "design_pue: required" in page
    assert _state() == before


def test_portfolio_lists_visible_proposals_and_what_if(client, users, world, actors):
    services.decide(actors["office"], world["a"], "通过")
    client.force_login(users["leader"])
    page = client.get("/review/").content.decode()
    assert "白鹤镇新厂房" in page and "练塘镇新厂房" in page and 'id="portfolio-effect"' in page
    client.force_login(users["b-reviewer"])
    page = client.get("/review/").content.decode()
    assert "练塘镇新厂房" in page and "白鹤镇新厂房" not in page


def test_portfolio_figures_use_the_reviews_draws(world, actors, qingpu_plan):
    a = world["a"]
    services.decide(actors["office"], a, "通过")
    result = services.portfolio(qingpu_plan, [a, world["b"]], draws=DRAWS)
    assert result["p_peak_by_2030"]["approved"] == a.result["p_peak_by_2030_after"]
    assert result["p_peak_by_2030"]["none"] == a.result["p_peak_by_2030_before"]
    assert result["p_peak_by_2030"]["all"] <= result["p_peak_by_2030"]["approved"]
    assert result["cumulative_all"]["energy_tce_2030"] == pytest.approx(
        2 * result["cumulative_approved"]["energy_tce_2030"])
    assert result["waterfall"] is None  # no energy cap recorded


def test_waterfall_steps():
    w = services.waterfall(100.0, [("a", 30.0), ("b", 80.0)])
    assert [(s["before"], s["after"]) for s in w["steps"]] == [(100.0, 70.0), (70.0, -10.0)] and w["end"] == -10.0


XLSX_PROPOSAL = {"name": "白鹤镇标准厂房", "town": "白鹤镇", "sector": "electronics", "kind": "industrial",
                 "start_year": 2027, "added_value_10k_yuan": 5000, "ultra_low_energy": False,
                 "energy": [{"carrier": "electricity", "quantity": 100, "unit": "万kWh"}]}


def _upload(client, data: bytes, name: str = "proposal.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/review/new/", {"xlsx": SimpleUploadedFile(name, data)})


def test_excel_template_round_trip_is_the_yaml_schema(client, users, world):
    """The downloaded template, filled in, gives the same stored proposal as the same mapping through the schema;
    another town's reporter is refused with nothing written."""
    from openpyxl import load_workbook

    from carbonpeak.review.engine import proposal_xlsx

    client.force_login(users["a-reporter"])
    blank = load_workbook(__import__("io").BytesIO(client.get("/review/template.xlsx").content))
    assert blank.sheetnames == ["项目", "能源"] and blank["项目"]["A2"].value == "name"
    filled = proposal_xlsx.template(XLSX_PROPOSAL)
    client.force_login(users["b-reporter"])
    before = _state()
    assert _upload(client, filled).status_code == 403 and _state() == before
    client.force_login(users["a-reporter"])
    r = _upload(client, filled)
    assert r.status_code == 302, r.content[:500]
    stored = ProjectProposal.objects.get(name="白鹤镇标准厂房")
    assert stored.data == services.parse(stored.plan, XLSX_PROPOSAL).to_dict()


def _saved(wb) -> bytes:
    """The workbook as an uploader's Excel saves it (formulas kept)."""
    import io

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_excel_errors_name_sheet_and_cell_refuse_formulas_and_store_nothing(client, users, world):
    import io

    from openpyxl import load_workbook

    from carbonpeak.review.engine import proposal_xlsx

    client.force_login(users["a-reporter"])
    wb = load_workbook(io.BytesIO(proposal_xlsx.template(dict(XLSX_PROPOSAL, energy=[
        {"carrier": "electricity", "quantity": 100, "unit": "万kWh"},
        {"carrier": "diesel", "quantity": 5, "unit": "万kWh"}]))))
    fields = {row[0].value: row[1] for row in wb["项目"].iter_rows(min_row=2)}
    fields["start_year"].value = "明年"
    before = _state()
    r = _upload(client, _saved(wb))
    page = r.content.decode()
    assert r.status_code == 422 and _state() == before
    assert "项目!B6: start_year" in page and "能源!row 3: energy[1].unit" in page
    fields["start_year"].value = "=2020+7"  # a formula is data we refuse, never evaluated
    r = _upload(client, _saved(wb))
    assert r.status_code == 422 and "a formula is not accepted" in r.content.decode() and _state() == before
    assert _upload(client, b"not a workbook").status_code == 422 and _state() == before
