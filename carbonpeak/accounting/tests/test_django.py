"""Accounting on the database: CLI, atomic imports, API, pages, demo data."""

import json
import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from carbonpeak.accounting import services
from carbonpeak.accounting.demo import load_demo
from carbonpeak.accounting.models import EmissionFactor, EnergyRecord, FactorSet, GdpRecord, InventoryRun
from carbonpeak.plan.models import Indicator

C = 44 / 12
CSV = """entity,sector,carrier,quantity,unit,year
Plant A,industry,natural_gas,10,万m3,2022
Plant A,industry,electricity,100,万kWh,2022
Bus Co,transport,diesel,50,t,2022
Mall,buildings,heat,500,GJ,2022
Farm,agriculture,pv_electricity,1000,MWh,2022
"""
GAS_T = 100000 * 389.31e-3 / 1e4 * 15.3 * 0.99 * C
DIESEL_T = 50 * 42.652e-3 * 20.2 * 0.98 * C
ENERGY = 121.43 + 122.9 + 50 * 1.4571 + 500 * 0.03412 + 122.9


@pytest.fixture
def user(db):
    return User.objects.create_superuser("acc", password="pw-accounting-1")  # acts as the district office


def test_cli_compute_json_exact_totals(tmp_path):
    path = tmp_path / "energy.csv"
    path.write_text(CSV, encoding="utf-8")
    out = StringIO()
    call_command("accounting", "compute", "--input", str(path), "--format", "json", stdout=out)
    d = json.loads(out.getvalue())
    assert d["factor_set"] == "sh-2022"
    assert d["energy_tce"] == pytest.approx(ENERGY, rel=1e-12)
    assert d["co2_t"] == pytest.approx(GAS_T + 420.0 + DIESEL_T + 30.0, rel=1e-12)
    assert d["by_carrier"]["electricity"]["co2_t"] == pytest.approx(420.0)
    assert d["by_sector"]["agriculture"]["co2_t"] == 0.0 and d["by_sector"]["agriculture"]["energy_tce"] == pytest.approx(122.9)
    assert d["non_fossil_share"] == pytest.approx((122.9 + 0.328 * 122.9) / ENERGY)  # PV + grid's non-fossil part
    assert set(d["methods"]) == {"当量值", "等价值"}
    assert d["methods"]["当量值"]["dual_control_energy_tce"] == pytest.approx(ENERGY)  # no feedstock, no 2020 base
    assert "无扣除基数" in " ".join(d["methods"]["当量值"]["rules"])
    out = StringIO()
    call_command("accounting", "compute", "--input", str(path), "--format", "json", "--factor-set", "cn-mee-2024",
                 stdout=out)
    d = json.loads(out.getvalue())
    assert d["co2_t"] == pytest.approx(GAS_T + 1e6 * 0.5366e-3 + DIESEL_T + 500 * 0.11, rel=1e-12)
    out = StringIO()
    call_command("accounting", "compute", "--input", str(path), "--format", "table", stdout=out)
    assert "energy_tce" in out.getvalue() and "natural_gas" in out.getvalue()


def test_cli_compute_bad_file_lists_rows(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(CSV + "X,industry,coal,1,t,2022\nY,industry,diesel,-3,t,2022\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("accounting", "compute", "--input", str(path))
    msg = str(exc.value)
    assert "bad.csv:7: carrier: unknown carrier 'coal'" in msg and "bad.csv:8: quantity: negative" in msg


@pytest.mark.django_db
def test_cli_compute_unknown_factor_set(tmp_path):
    with pytest.raises(CommandError, match="unknown factor set 'nope'"):
        call_command("accounting", "compute", "--input", str(_good(tmp_path)), "--factor-set", "nope")


def _good(tmp_path):
    p = tmp_path / "good.csv"
    p.write_text(CSV, encoding="utf-8")
    return p


@pytest.mark.django_db
def test_factor_sets_loaded_by_migration_and_command():
    assert set(FactorSet.objects.values_list("code", flat=True)) >= {"sh-2022", "cn-mee-2024", "cn-ets-2022"}
    sh = FactorSet.objects.get(code="sh-2022")
    grid = EmissionFactor.objects.get(factor_set=sh, carrier="electricity", kind="co2_scope2")
    assert grid.value == pytest.approx(0.42) and "沪环气〔2022〕34号" in grid.citation
    out = StringIO()
    call_command("accounting", "factors", "load", stdout=out)
    assert "loaded 3 factor set(s)" in out.getvalue()
    assert EmissionFactor.objects.filter(factor_set=sh, kind="standard_coal", carrier="raw_coal").get().value == 0.7143


@pytest.mark.django_db
def test_import_is_atomic_and_reports_rows(qingpu_plan, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV + "X,industry,diesel,abc,t,2022\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad.csv:7: quantity: not a number: 'abc'"):
        call_command("accounting", "import", str(bad))
    assert EnergyRecord.objects.count() == 0  # nothing of the good rows either
    town_bad = CSV.replace("year\n", "year,town\n", 1).replace("万m3,2022\n", "万m3,2022,不存在镇\n", 1)
    with pytest.raises(services.RecordsError) as exc:
        services.import_records(qingpu_plan, town_bad, "towns.csv")
    assert exc.value.errors[0].field == "town" and exc.value.errors[0].row == 2
    assert EnergyRecord.objects.count() == 0
    good = _good(tmp_path)
    out = StringIO()
    call_command("accounting", "import", str(good), stdout=out)
    assert "imported 5 record(s)" in out.getvalue()
    assert EnergyRecord.objects.filter(plan=qingpu_plan).count() == 5
    withtown = CSV.replace("year\n", "year,town\n", 1).replace("万m3,2022\n", "万m3,2022,赵巷镇\n", 1)
    services.import_records(qingpu_plan, withtown, "t.csv")
    assert EnergyRecord.objects.filter(town__name_zh="赵巷镇").count() == 1


@pytest.mark.django_db
def test_inventory_records_factor_set_and_caches(qingpu_plan):
    services.import_records(qingpu_plan, CSV, "a.csv")
    GdpRecord.objects.create(plan=qingpu_plan, year=2022, value_10k_yuan=1000.0)
    assert services.inventory(qingpu_plan).method == "reporting"  # the default assessment method: 等价值
    run = services.inventory(qingpu_plan, method="equivalent")
    assert run.factor_set.code == "sh-2022" and run.result["factor_set"] == "sh-2022"
    assert run.energy_tce == pytest.approx(ENERGY)
    row = run.result["dual_control"]["years"][0]
    assert row["energy_intensity_tce_per_10k_yuan"] == pytest.approx(ENERGY / 1000.0)
    assert services.inventory(qingpu_plan, method="equivalent").id == run.id  # unchanged inputs: same run
    run2 = services.inventory(qingpu_plan, "cn-mee-2024", method="equivalent")
    assert run2.id != run.id and run2.factor_set.code == "cn-mee-2024"
    EnergyRecord.objects.filter(carrier="diesel").update(quantity=100)
    assert services.inventory(qingpu_plan, method="equivalent").id != run.id
    assert InventoryRun.objects.count() == 4


@pytest.mark.django_db
def test_api_compute_records_inventory_lmdi(client, qingpu_plan, user):
    r = client.post("/api/accounting/compute", {"csv": CSV}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["energy_tce"] == pytest.approx(ENERGY) and r.json()["factor_set"] == "sh-2022"
    r = client.post("/api/accounting/compute", {"records": [
        {"entity": "A", "sector": "industry", "carrier": "diesel", "quantity": 1, "unit": "t", "year": 2022}],
        "factor_set": "cn-mee-2024"}, content_type="application/json")
    assert r.json()["co2_t"] == pytest.approx(42.652e-3 * 20.2 * 0.98 * C)
    r = client.post("/api/accounting/compute", {"csv": CSV + "Z,industry,diesel,ten,t,2022\n"},
                    content_type="application/json")
    assert r.status_code == 422
    assert r.json()["errors"] == [{"file": "csv", "row": 7, "field": "quantity", "message": "not a number: 'ten'"}]
    # writes need a login
    r = client.post("/api/accounting/records", {"csv": CSV}, content_type="application/json")
    assert r.status_code == 401
    client.force_login(user)
    r = client.post("/api/accounting/records", {"csv": CSV + "Z,industry,lignite,1,t,2022\n"},
                    content_type="application/json")
    assert r.status_code == 422 and EnergyRecord.objects.count() == 0
    r = client.post("/api/accounting/records", {"csv": CSV}, content_type="application/json")
    assert r.status_code == 200 and r.json()["created"] == 5
    next_year = CSV.replace("2022", "2023").replace("50,t", "40,t")
    client.post("/api/accounting/records", {"csv": next_year}, content_type="application/json")
    r = client.put("/api/accounting/gdp", [
        {"year": 2022, "value_10k_yuan": 2000}, {"year": 2023, "value_10k_yuan": 2100},
        {"year": 2022, "sector": "industry", "value_10k_yuan": 800}, {"year": 2023, "sector": "industry", "value_10k_yuan": 820},
        {"year": 2022, "sector": "transport", "value_10k_yuan": 100}, {"year": 2023, "sector": "transport", "value_10k_yuan": 110},
        {"year": 2022, "sector": "buildings", "value_10k_yuan": 1000}, {"year": 2023, "sector": "buildings", "value_10k_yuan": 1070},
        {"year": 2022, "sector": "agriculture", "value_10k_yuan": 100}, {"year": 2023, "sector": "agriculture", "value_10k_yuan": 100},
    ], content_type="application/json")
    assert r.status_code == 200, r.content
    records = client.get("/api/accounting/records?year=2022").json()
    assert len(records) == 5 and {x["carrier"] for x in records} >= {"diesel", "heat"}
    inv = client.get("/api/accounting/inventory/2022?method=equivalent").json()
    assert inv["factor_set"] == "sh-2022"
    assert inv["totals"]["energy_tce"] == pytest.approx(ENERGY)
    assert inv["by_sector"]["transport"]["co2_t"] == pytest.approx(DIESEL_T)
    assert inv["dual_control"]["energy_intensity_tce_per_10k_yuan"] == pytest.approx(ENERGY / 2000)
    assert client.get("/api/accounting/inventory/1999").status_code == 404
    lm = client.get("/api/accounting/lmdi?from=2022&to=2023").json()
    assert lm["total_change_t"] == pytest.approx(-10 * 42.652e-3 * 20.2 * 0.98 * C)
    assert sum(lm["effects_t"].values()) + sum(lm["separate_t"].values()) == pytest.approx(lm["total_change_t"], rel=1e-9)
    assert client.get("/api/accounting/lmdi?from=2022").status_code == 422
    rid = records[0]["id"]
    assert client.delete(f"/api/accounting/records/{rid}").status_code == 200
    assert EnergyRecord.objects.filter(id=rid).count() == 0


@pytest.mark.django_db
def test_api_factor_sets_user_added(client, user):
    sets = client.get("/api/accounting/factor-sets").json()
    assert {s["code"] for s in sets} >= {"sh-2022", "cn-mee-2024"}
    s = client.get("/api/accounting/factor-sets/cn-mee-2024").json()
    assert s["grid_co2_t_per_mwh"]["2022"] == pytest.approx(0.5366)
    mine = dict(FactorSet.objects.get(code="sh-2022").data, code="my-district")
    mine["electricity"] = dict(mine["electricity"], grid_co2_by_year={"values": {"2020": 0.5}, "unit": "tCO2/MWh"})
    client.force_login(user)
    r = client.post("/api/accounting/factor-sets", mine, content_type="application/json")
    assert r.status_code == 200, r.content
    assert EmissionFactor.objects.get(factor_set__code="my-district", carrier="electricity", kind="co2_scope2").value == 0.5
    r = client.post("/api/accounting/compute", {"csv": CSV, "factor_set": "my-district"}, content_type="application/json")
    assert r.json()["by_carrier"]["electricity"]["co2_t"] == pytest.approx(500.0)
    assert r.json()["factor_set"] == "my-district"
    assert client.post("/api/accounting/factor-sets", dict(mine, code="sh-2022"), content_type="application/json").status_code == 409
    broken = {k: v for k, v in mine.items() if k != "heat"}
    assert client.post("/api/accounting/factor-sets", dict(broken, code="x"), content_type="application/json").status_code == 422


@pytest.mark.django_db
def test_demo_inventory_pages(client, qingpu_plan, user):
    load_demo(qingpu_plan)
    load_demo(qingpu_plan)  # idempotent
    run = services.inventory(qingpu_plan)
    years = [r["year"] for r in run.result["dual_control"]["years"]]
    assert years == [2020, 2021, 2022, 2023, 2024, 2025]
    s = run.result["dual_control"]["summary"]
    assert s["zero_coal"] is True and s["within_cap"] is True
    assert 0.08 < s["achieved_reduction"] < 0.14  # visible, slightly off the -14% track
    rows = {r["year"]: r for r in run.result["dual_control"]["years"]}
    assert rows[2020]["method_label"] == "等价值" and 7.0e6 < rows[2020]["energy_tce"] < 9.0e6  # electricity ~2.5x
    equivalent = {r["year"]: r for r in services.inventory(qingpu_plan, method="equivalent").result["dual_control"]["years"]}
    assert 4.0e6 < equivalent[2020]["energy_tce"] < 5.0e6
    assert 1.1e7 < rows[2020]["gdp_10k_yuan"] < 1.45e7 and 1.2e7 < rows[2025]["gdp_10k_yuan"] < 1.45e7
    assert rows[2025]["non_fossil_share"] > rows[2020]["non_fossil_share"]
    assert len(run.result["by_town"]) == 11
    r = client.get("/accounting/")
    assert r.status_code == 302 and r["Location"].endswith("/accounting/inventory/2025/")
    html = client.get("/accounting/inventory/2025/").content.decode()
    for marker in ('id="chart-sector"', 'id="chart-carrier"', 'id="chart-town"', 'id="chart-trend"', 'id="chart-lmdi"',
                   'id="energy-tce"', 'id="factor-set" data-code="sh-2022">上海市缺省值', "accounting-chart"):
        assert marker in html, marker
    assert "2025 年能源与碳排放清单" in html and "分能源品种" in html  # zh-hans is the default language
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Energy and carbon inventory 2025" in client.get("/accounting/inventory/2025/").content.decode()
    html = client.get("/accounting/inventory/2025/?factor_set=cn-mee-2024&method=reporting").content.decode()
    assert 'id="factor-set" data-code="cn-mee-2024">' in html
    assert "2020" in client.get("/accounting/inventory/2020/").content.decode()
    chain = services.lmdi_chain(qingpu_plan)
    assert len(chain) == 5
    for step in chain:
        assert sum(step["effects_t"].values()) + sum(step["separate_t"].values()) == pytest.approx(step["total_change_t"], rel=1e-9)
    html = client.get("/accounting/factors/").content.decode()
    assert "GB/T 2589-2020" in html and "0.7143" in html
    lng = html.split('id="factor-sh-2022-lng"')[1].split("</tr>")[0]
    assert "unverified" in lng and "secondary source" in lng and "51498" in lng  # (English: set above)
    gas = html.split('id="factor-sh-2022-natural_gas"')[1].split("</tr>")[0]
    assert "35544" in gas and "38931" in gas  # the two heat contents, stated next to the factor
    assert "供电煤耗" in html and "0.328" in html
    home = client.get("/").content.decode()
    assert 'id="accounting-panel"' in home and 'id="acc-trend"' in home and "acc-trend-data" in home
    # The intensity target's card is the progress panel's (one value, one status): about 11% lower by 2025 (等价值,
    # the plan's assessment method), short of the −14% due that year, so the target is missed.
    assert 'id="target-energy-intensity-gdp" data-code="energy-intensity-gdp" data-status="missed" data-value="11.' in home


@pytest.mark.django_db
def test_inventory_page_shows_dual_control_by_method(client, qingpu_plan):
    """The page names the method of every figure and the rules applied, from the same run the API gives."""
    load_demo(qingpu_plan)
    html = client.get("/accounting/inventory/2025/").content.decode()
    api = client.get("/api/accounting/inventory/2025").json()["dual_control"]
    assert api["method_label"] == "等价值" and 'id="method-label">等价值<' in html
    assert 'id="assessment-method">等价值<' in html
    assert f'{api["dual_control_energy_tce"]:,.0f}' in html.split('id="dc-control-energy"')[1][:80]
    assert "发改运行〔2022〕1258号" in html and "发改环资〔2022〕803号" in html
    assert "未设定碳排放强度目标" in html.split('id="dc-co2-intensity"')[1][:200]  # no figure yet
    Indicator.objects.filter(plan=qingpu_plan, code="carbon-intensity-gdp-2025").update(target_value=18)
    html = client.get("/accounting/inventory/2025/").content.decode()
    status = re.search(r'id="dc-co2-status" data-code="carbon-intensity-gdp-2025" data-status="([a-z_]+)"', html)[1]
    assert status in ("on_track", "missed")  # 2025 is the target year: decided, by the progress app's rule
    equivalent = client.get("/accounting/inventory/2025/?method=equivalent").content.decode()
    assert 'id="method-label">当量值<' in equivalent and 'id="assessment-method">等价值<' in equivalent
    GdpRecord.objects.filter(plan=qingpu_plan, year=2024, sector="").update(price_base_year=2024)
    r = client.get("/accounting/inventory/2025/")
    assert r.status_code == 422 and "2024 prices" in r.content.decode()
    assert client.get("/api/accounting/inventory").status_code == 422


@pytest.mark.django_db
def test_upload_page_row_errors_and_success(client, qingpu_plan, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert client.get("/accounting/upload/").status_code == 302  # login first
    client.force_login(user)
    bad = SimpleUploadedFile("bad.csv", (CSV + "Q,industry,diesel,5,gallons,2022\n").encode())
    html = client.post("/accounting/upload/", {"file": bad}).content.decode()
    assert 'id="row-errors"' in html and "gallons" in html and ">7<" in html
    assert EnergyRecord.objects.count() == 0
    good = SimpleUploadedFile("good.csv", CSV.encode())
    r = client.post("/accounting/upload/", {"file": good})
    assert r.status_code == 302 and EnergyRecord.objects.count() == 5
