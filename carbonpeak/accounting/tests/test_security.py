"""Accounting access and hostile input: every route as anonymous, leader, unit A's reporter/reviewer against unit
B's data, a department's reporter and the district office; a refused call changes nothing in the database."""

import io
import zipfile

import pytest

from carbonpeak.accounting.engine.records import MAX_COLUMNS, MAX_REPORTED_ERRORS
from carbonpeak.accounting.models import EnergyRecord, FactorSet, GdpRecord
from carbonpeak.tracking.models import AuditEntry

HEADER = "entity,sector,carrier,quantity,unit,year,town\n"
ROW_A = "Mill A,industry,diesel,5,t,2022,朱家角镇\n"
ROW_B = "Mill B,industry,diesel,7,t,2022,练塘镇\n"
JSON = "application/json"


@pytest.fixture
def records(members, qingpu_plan):
    """One record of town A and one of town B, stored by the office."""
    from carbonpeak.accounting import services

    services.import_records(qingpu_plan, HEADER + ROW_A + ROW_B, "seed.csv")
    return {r.town.code: r for r in EnergyRecord.objects.select_related("town")}


def _refused(client, db_state, method, url, expected, **kw):
    before = db_state()
    r = getattr(client, method)(url, **kw)
    assert r.status_code == expected, (method, url, r.status_code, r.content[:300])
    assert db_state() == before, f"{method} {url} changed the database"
    return r


@pytest.mark.django_db
def test_inline_csv_is_never_opened_as_a_path(client, tmp_path, qingpu_plan, members):
    secret = tmp_path / "secret.csv"
    secret.write_text(HEADER + "TOP-SECRET-CELL,industry,nonsense,1,t,2022,\n", encoding="utf-8")
    for url in ("/api/accounting/compute", "/api/accounting/records"):
        client.force_login(members["office"])
        for path in (str(secret), str(tmp_path / "missing.csv"), "/etc/passwd"):
            r = client.post(url, {"csv": path}, content_type=JSON)
            assert r.status_code == 422, (url, path, r.content)
            assert b"TOP-SECRET-CELL" not in r.content and b"root:" not in r.content
            assert r.json()["errors"][0]["field"] in ("entity", "sector", "file", "quantity", "carrier", "unit", "year")
    assert EnergyRecord.objects.count() == 0


@pytest.mark.django_db
def test_write_routes_role_matrix(client, as_user, db_state, members, records, qingpu_plan):
    rec_a, rec_b = records["zhujiajiao"], records["liantang"]
    gdp = [{"year": 2022, "value_10k_yuan": 1.0e7}]
    fs = {"code": "mine", **FactorSet.objects.get(code="sh-2022").data}
    fs["code"] = "mine"
    for who, status in ((None, 401), ("leader", 403), ("reviewer-a", 403), ("dept-reporter", 403),
                        ("nobody", 403), ("reporter-a", 403)):
        c = as_user(members.get(who))
        _refused(c, db_state, "put", "/api/accounting/gdp", status, data=gdp, content_type=JSON)
        _refused(c, db_state, "post", "/api/accounting/factor-sets", status, data=fs, content_type=JSON)
        _refused(c, db_state, "delete", f"/api/accounting/records/{rec_b.id}", status)
        if who != "reporter-a":
            _refused(c, db_state, "delete", f"/api/accounting/records/{rec_a.id}", status)
            _refused(c, db_state, "post", "/api/accounting/records", status, data={"csv": HEADER + ROW_A},
                     content_type=JSON)
    # unit A's reporter: its own town's records only (a row of town B refuses the whole file)
    c = as_user(members["reporter-a"])
    r = _refused(c, db_state, "post", "/api/accounting/records", 422, data={"csv": HEADER + ROW_A + ROW_B},
                 content_type=JSON)
    assert r.json()["errors"] == [{"file": "api.csv", "row": 3, "field": "town",
                                   "message": "you may only import records of 朱家角镇"}]
    r = c.post("/api/accounting/records", {"csv": HEADER + ROW_A}, content_type=JSON)
    assert r.status_code == 200 and EnergyRecord.objects.filter(town__code="zhujiajiao").count() == 2
    assert c.delete(f"/api/accounting/records/{rec_a.id}").status_code == 200
    assert not EnergyRecord.objects.filter(pk=rec_a.pk).exists()
    # the office writes district-wide data; every write is in the audit log with who and before/after
    c = as_user(members["office"])
    assert c.put("/api/accounting/gdp", gdp, content_type=JSON).status_code == 200
    assert c.put("/api/accounting/gdp", [{"year": 2022, "value_10k_yuan": 2.0e7}], content_type=JSON).status_code == 200
    assert GdpRecord.objects.get(plan=qingpu_plan, year=2022, sector="").value_10k_yuan == 2.0e7
    assert c.post("/api/accounting/factor-sets", fs, content_type=JSON).status_code == 200
    assert c.delete(f"/api/accounting/records/{rec_b.id}").status_code == 200
    log = list(AuditEntry.objects.values_list("actor_name", "action", "object_type", "before", "after"))
    assert ("reporter-a", "delete", "accounting.energyrecord") in [e[:3] for e in log]
    assert ("office", "update", "accounting.gdprecord", {"value_10k_yuan": 1.0e7}, {"value_10k_yuan": 2.0e7}) in log
    assert ("office", "create", "accounting.factorset") in [e[:3] for e in log]
    assert sum(1 for e in log if e[1] == "import") == 1


@pytest.mark.django_db
def test_upload_page_role_matrix(client, as_user, db_state, members, qingpu_plan):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload(text):
        return {"file": SimpleUploadedFile("e.csv", text.encode())}

    assert client.get("/accounting/upload/").status_code == 302  # to the login page
    for who in ("leader", "reviewer-a", "dept-reporter", "nobody"):
        c = as_user(members[who])
        _refused(c, db_state, "get", "/accounting/upload/", 403)
        _refused(c, db_state, "post", "/accounting/upload/", 403, data=upload(HEADER + ROW_A))
    c = as_user(members["reporter-b"])
    r = _refused(c, db_state, "post", "/accounting/upload/", 200, data=upload(HEADER + ROW_A))
    assert "you may only import records of 练塘镇" in r.content.decode() and EnergyRecord.objects.count() == 0
    assert c.post("/accounting/upload/", upload(HEADER + ROW_B)).status_code == 302
    assert list(EnergyRecord.objects.values_list("town__code", flat=True)) == ["liantang"]


@pytest.mark.django_db
def test_per_entity_records_need_a_login(client, as_user, members, records):
    assert client.get("/api/accounting/records").status_code == 401
    for who in ("leader", "reviewer-a", "reporter-b"):
        assert as_user(members[who]).get("/api/accounting/records").status_code == 200
    assert client.logout() is None and client.get("/api/accounting/gdp").status_code == 200  # aggregate: public


def _xlsx_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (65 * 2**20))
    return buf.getvalue()


@pytest.mark.django_db
def test_bad_files_and_parameters_answer_4xx(client, as_user, db_state, members, records):
    c = as_user(members["office"])
    for query in ("offset=-1", "limit=-1", "limit=0", "year=0", "year=99999"):
        assert c.get(f"/api/accounting/records?{query}").status_code == 422, query
    for year in (0, 99999):
        assert c.get(f"/api/accounting/inventory/{year}").status_code == 422
    _refused(c, db_state, "put", "/api/accounting/gdp", 422, data=[{"year": -276, "value_10k_yuan": 1}],
             content_type=JSON)
    bad_csvs = {
        "not utf-8": (HEADER + "Mühle,industry,diesel,5,t,2022,\n").encode("latin-1"),
        "ragged": (HEADER + ROW_A + "X,industry,diesel,5,t,2022,朱家角镇,extra,cells\n").encode(),
        "zip, not xlsx": b"PK\x03\x04" + b"\x00" * 100,
        "xlsx that unpacks to 65 MB": _xlsx_bomb(),
        "too many columns": (",".join(f"c{i}" for i in range(MAX_COLUMNS + 5)) + "\n").encode(),
    }
    from django.core.files.uploadedfile import SimpleUploadedFile

    for what, data in bad_csvs.items():
        r = _refused(c, db_state, "post", "/accounting/upload/", 200,
                     data={"file": SimpleUploadedFile("bad.csv", data)})
        assert 'id="row-errors"' in r.content.decode(), what
        if what in ("ragged", "too many columns"):
            r = _refused(c, db_state, "post", "/api/accounting/records", 422, data={"csv": data.decode()},
                         content_type=JSON)
            assert r.json()["errors"], what
    r = _refused(c, db_state, "post", "/api/accounting/records", 400, data=b'{"csv": "M\xfchle"}', content_type=JSON)


@pytest.mark.django_db
def test_many_bad_rows_report_the_first_ones_and_a_count(client, as_user, db_state, members):
    c = as_user(members["office"])
    n = MAX_REPORTED_ERRORS * 20
    text = HEADER + "Mill,industry,coal-ish,1,t,2022,\n" * n
    r = _refused(c, db_state, "post", "/api/accounting/records", 422, data={"csv": text}, content_type=JSON)
    body = r.json()
    assert body["total"] == n and len(body["errors"]) == MAX_REPORTED_ERRORS
    assert len(r.content) < 100_000
