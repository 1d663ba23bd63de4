"""What a user sees on /monitoring/, a site page and /monitoring/rejects/, what the gateway API and the `meters`
commands answer: on crafted readings whose figures are worked out by hand below, never from the code under test.

The platform's today is 2026-11-25 (conftest `_fixed_clock`), so monitoring's "now" is 2026-11-25 12:00 +08:00.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command

from carbonpeak.monitoring.ingest import Pipeline
from carbonpeak.monitoring.models import Alert, Anomaly, Gateway, Meter, MeterReading, RejectedReading, Site

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=CST)
Q = dt.timedelta(minutes=15)

# Coal equivalents (当量值) typed from GB/T 2589-2020 附录A 表A.1: electricity 0.1229 kgce/kWh; natural gas
# 1.2143 kgce/m3 (the point value 气田天然气 of the standard's 1.1000-1.3300 range).
KGCE_PER_KWH = 0.1229
KGCE_PER_M3_GAS = 1.2143
INDICATIVE_ZH = "参考值"  # the zh-hans label of a benchmark that could not be verified


def every_quarter_hour(first: dt.datetime, last: dt.datetime) -> list[int]:
    out, t = [], first
    while t <= last:
        out.append(int(t.timestamp()))
        t += Q
    return out


def at(day: str, hhmm: str = "00:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hhmm}:00+08:00")


# Readings (interval meters: each value is the consumption of the 15 minutes ending at its time):
#   key unit A: electricity 10 kWh from 11-01 00:15 to 11-25 12:00 = 24 days x 96 + 48 = 2352 readings = 23520 kWh
#               natural gas 5 m3 from 10-10 00:15 to 10-11 00:00 = 96 readings = 480 m3 (October)
#   public building B (office, 1000 m2): electricity 20 kWh over the same 2352 quarters = 47040 kWh
#   data centre C (existing): facility 15 kWh, IT 10 kWh from 11-01 00:15 to 11-20 00:00 = 19 x 96 = 1824 readings
A_KWH, A_M3 = 2352 * 10, 96 * 5
B_KWH = 2352 * 20
C_FAC_KWH, C_IT_KWH = 1824 * 15, 1824 * 10
A_QUOTA_TCE = 20.0


def tce(kwh: float = 0.0, m3: float = 0.0) -> float:
    return (kwh * KGCE_PER_KWH + m3 * KGCE_PER_M3_GAS) / 1000


def ingest(code: str, stamps: list[int], value: float) -> None:
    r = Pipeline("api").ingest_columns([code] * len(stamps), stamps, [value] * len(stamps))
    assert (r.inserted, r.rejected) == (len(stamps), 0)


def make_site(code: str, **kw) -> Site:
    return Site.objects.create(code=code, name=kw.pop("name", code.upper()), **kw)


def make_meter(site: Site, code: str, carrier: str = "electricity", unit: str = "kWh", category: str = "total"):
    return Meter.objects.create(site=site, code=code, carrier=carrier, unit=unit, category=category,
                                register_kind="interval")


@pytest.fixture
def world(qingpu_plan):
    """Three sites of the loaded plan (its PUE limits apply: existing data centres ≤ 1.4)."""
    a = make_site("ku-a", name="Key unit A", kind="key_unit", annual_quota_tce=A_QUOTA_TCE)
    b = make_site("pb-b", name="Office B", kind="public_building", building_type="office", floor_area_m2=1000)
    c = make_site("dc-c", name="Data centre C", kind="data_centre", dc_generation="existing", it_capacity_kw=500)
    make_meter(a, "KA-E")
    make_meter(a, "KA-G", carrier="natural_gas", unit="m3")
    make_meter(b, "PB-E")
    make_meter(c, "DC-FAC", category="facility_total")
    make_meter(c, "DC-IT", category="it_load")
    november = every_quarter_hour(at("2026-11-01", "00:15"), NOW)
    ingest("KA-E", november, 10)
    ingest("KA-G", every_quarter_hour(at("2026-10-10", "00:15"), at("2026-10-11")), 5)
    ingest("PB-E", november, 20)
    dc = every_quarter_hour(at("2026-11-01", "00:15"), at("2026-11-20"))
    ingest("DC-FAC", dc, 15)
    ingest("DC-IT", dc, 10)
    out = StringIO()
    call_command("meters", "alerts", stdout=out)
    return {"a": a, "b": b, "c": c, "alerts_output": out.getvalue()}


def element_text(html: str, element_id: str) -> str:
    m = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:div|span|td)>', html, re.S)
    assert m, f"no element #{element_id}"
    return unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip()


def json_script(html: str, element_id: str):
    m = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert m, f"no json_script #{element_id}"
    return json.loads(m.group(1))


def table_rows(html: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table id="{table_id}">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [[unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


# --- the clock ----------------------------------------------------------------------------------------------------

def test_monitoring_now_is_noon_of_the_platform_today(clock):
    from carbonpeak.monitoring.services import data_now

    assert data_now() == int(NOW.timestamp())
    clock("2027-01-15")
    assert data_now() == int(dt.datetime(2027, 1, 15, 12, tzinfo=CST).timestamp())


# --- `meters alerts` and the overview page ---------------------------------------------------------------------

def expected_alerts() -> dict[tuple[str, str, str], tuple[str, float, float]]:
    """(site, kind, period) -> (level, value, limit), worked out by hand from the readings above."""
    a_ytd = tce(kwh=A_KWH, m3=A_M3)  # 2.890608 + 0.582864 = 3.473472 tce
    # A's first monitored day is 10-10: the allowance accrues over 10-10 .. 11-25 = 22 + 25 = 47 days of 365
    a_allowance = A_QUOTA_TCE * 47 / 365  # 2.5753 tce: A used 135 % of it
    b_eui = B_KWH / 1000 * 365 / 25  # 25 days with data (11-01 .. 11-25), annualised: 686.784 kWh/m2·a
    c_silent_days = (NOW - at("2026-11-20")).total_seconds() / 86400  # 5.5 days since the last reading
    return {
        ("ku-a", "quota", "2026"): ("exceeded", round(a_ytd, 2), round(a_allowance, 2)),
        ("pb-b", "eui", "2026"): ("exceeded", round(b_eui, 1), 110.0),  # office constraint (indicative)
        ("dc-c", "pue", "2026-11"): ("exceeded", 1.5, 1.4),  # 15/10 above the existing-centre limit 1.4
        ("dc-c", "pue", "2026"): ("exceeded", 1.5, 1.4),
        ("dc-c", "silent", "2026"): ("warning", c_silent_days, 2.0),
    }


def test_meters_alerts_command_raises_the_alerts_worked_out_by_hand(world):
    expected = expected_alerts()
    assert world["alerts_output"].strip() == f"{len(expected)} active alerts"
    stored = {(a.site.code, a.kind, a.period): (a.level, a.value, a.limit)
              for a in Alert.objects.filter(active=True).select_related("site")}
    assert stored.keys() == expected.keys()
    for key, (level, value, limit) in expected.items():
        assert stored[key][0] == level, key
        assert stored[key][1:] == pytest.approx((value, limit)), key


def test_overview_page_shows_coverage_alerts_and_consumers_computed_by_hand(world, admin_client):
    html = admin_client.get("/monitoring/").content.decode()
    # key units: A reports, C last reported 5.5 days ago (more than 2 days): 1 of 2
    assert element_text(html, "coverage-key") == "50.0%"
    assert element_text(html, "coverage-public") == "100.0%"
    assert element_text(html, "alert-count") == "5"
    rows = {(r[0], r[2]): r for r in table_rows(html, "alerts")}
    assert set(rows) == {("Key unit A", "2026"), ("Office B", "2026"), ("Data centre C", "2026-11"),
                         ("Data centre C", "2026")}
    quota = rows[("Key unit A", "2026")]
    assert (quota[4], quota[5]) == ("3.47", "2.58")
    eui = rows[("Office B", "2026")]
    assert eui[4] == "686.8" and eui[5].startswith("110.0") and INDICATIVE_ZH in eui[5]
    assert INDICATIVE_ZH not in quota[5]  # a quota is the unit's own figure, not a benchmark
    top = json_script(html, "top-data")
    assert top == [{"name": "Office B", "tce": round(tce(kwh=B_KWH), 2)},  # 5.78
                   {"name": "Key unit A", "tce": round(tce(kwh=A_KWH, m3=A_M3), 2)},  # 3.47
                   {"name": "Data centre C", "tce": round(tce(kwh=C_FAC_KWH), 2)}]  # 3.36: IT load is inside
    monthly = json_script(html, "monthly-data")
    october, november = tce(m3=A_M3), tce(kwh=A_KWH + B_KWH + C_FAC_KWH)
    assert monthly == [0.0] * 9 + [round(october, 2), round(november, 2), 0.0]  # [.., 0.58, 12.03, 0.0]


def test_site_pages_show_pue_eui_and_quota_computed_by_hand(world, admin_client):
    dc = admin_client.get("/monitoring/sites/dc-c/").content.decode()
    assert element_text(dc, "pue-annual") == "1.500"  # 27360 kWh facility / 18240 kWh IT
    trend = json_script(dc, "trend-data")
    assert trend["values"] == [None] * 10 + [1.5, None] and trend["limit"] == 1.4

    office = admin_client.get("/monitoring/sites/pb-b/").content.decode()
    assert element_text(office, "eui") == "686.8"
    assert json_script(office, "trend-data")["values"] == [0.0] * 10 + [B_KWH / 1000, 0.0]  # 47.04 kWh/m2
    benchmark = re.sub(r"<[^>]+>", "", re.search(r'id="eui-benchmark">(.*?)</div>', office, re.S).group(1))
    assert "110.0" in benchmark and "90.0" in benchmark and INDICATIVE_ZH in benchmark
    assert INDICATIVE_ZH in re.search(r'<ul class="messages">(.*?)</ul>', office, re.S).group(1)

    key_unit = admin_client.get("/monitoring/sites/ku-a/").content.decode()
    assert element_text(key_unit, "quota") == "3.5 / 2.6"  # 3.473 tce used of a 2.575 tce allowance
    curves = json_script(key_unit, "curve-data")  # hourly load curves of the last 14 days, one per main meter
    electricity = next(points for name, points in curves.items() if name.startswith("KA-E "))
    assert sum(v for _, v in electricity) == pytest.approx(14 * 96 * 10)  # 11-11 12:00 .. 11-25 12:00


def test_unknown_site_is_404(world, admin_client):
    assert admin_client.get("/monitoring/sites/no-such-site/").status_code == 404


# --- the gateway API, `meters gateway` and the rejects page ----------------------------------------------------

def issue_token(*args: str) -> str:
    out = StringIO()
    call_command("meters", "gateway", *args, stdout=out)
    m = re.search(r"token (cpg_\S+) \(shown once", out.getvalue())
    assert m, out.getvalue()
    return m.group(1)


def post(client, token: str, readings: list[dict]):
    return client.post("/api/monitoring/readings", {"readings": readings}, content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}")


def test_gateway_token_posts_readings_and_bad_rows_reach_the_rejects_page(world, client, admin_client):
    token = issue_token("pb-b-gateway", "--site", "pb-b")
    gateway = Gateway.objects.get(name="pb-b-gateway")
    assert gateway.site == world["b"] and token not in gateway.token_hash  # stored hashed
    base = NOW + Q
    readings = [{"meter": "PB-E", "ts": (base + k * Q).isoformat(), "value": 4.0} for k in range(4)]
    bad = [{"meter": "NO-SUCH", "ts": base.isoformat(), "value": 1.0},
           {"meter": "PB-E", "ts": "not a time", "value": 1.0},
           {"meter": "KA-E", "ts": base.isoformat(), "value": 1.0}]  # another site's meter: out of this gateway
    response = post(client, token, readings + bad)
    assert response.status_code == 200
    body = response.json()
    assert (body["received"], body["inserted"], body["rejected"]) == (7, 4, 3)
    assert MeterReading.objects.filter(meter__code="PB-E").count() == 2352 + 4
    assert not MeterReading.objects.filter(meter__code="KA-E", ts=int(base.timestamp())).exists()
    stored_rejects = list(RejectedReading.objects.values_list("meter_code", flat=True))
    assert sorted(stored_rejects) == ["KA-E", "NO-SUCH", "PB-E"]

    again = post(client, token, readings)  # a resend changes nothing
    assert (again.json()["inserted"], again.json()["duplicates"]) == (0, 4)

    page = admin_client.get("/monitoring/rejects/").content.decode()
    rows = table_rows(page, "rejects")
    assert sorted(r[3] for r in rows) == ["KA-E", "NO-SUCH", "PB-E"]
    # each reject names the gateway and its row in the posted batch (0-based)
    assert {r[3]: r[2] for r in rows} == {"NO-SUCH": "gw:pb-b-gateway#4", "PB-E": "gw:pb-b-gateway#5",
                                          "KA-E": "gw:pb-b-gateway#6"}
    reasons = {r[3]: r[4] for r in rows}
    assert reasons["NO-SUCH"] == "unknown meter"
    overview = admin_client.get("/monitoring/").content.decode()
    assert re.search(r'<a href="/monitoring/rejects/">3</a>', overview)


def test_wrong_missing_or_revoked_token_is_401_and_stores_nothing(world, client):
    token = issue_token("any-gateway", "--all-sites")
    reading = [{"meter": "PB-E", "ts": (NOW + Q).isoformat(), "value": 1.0}]
    before = (MeterReading.objects.count(), RejectedReading.objects.count())
    assert post(client, "cpg_wrong", reading).status_code == 401
    assert client.post("/api/monitoring/readings", {"readings": reading},
                       content_type="application/json").status_code == 401
    Gateway.objects.filter(name="any-gateway").update(active=False)
    assert post(client, token, reading).status_code == 401
    assert (MeterReading.objects.count(), RejectedReading.objects.count()) == before


def test_gateway_command_refuses_an_unknown_site(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no site 'nowhere'"):
        call_command("meters", "gateway", "x", "--site", "nowhere", stdout=StringIO())
    assert not Gateway.objects.exists()


def test_rejects_page_when_there_are_none(db, admin_client):
    page = admin_client.get("/monitoring/rejects/").content.decode()
    assert table_rows(page, "rejects") == [["无被拒读数。"]]


# --- `meters simulate` --------------------------------------------------------------------------------------------

def test_meters_simulate_reports_what_it_stored(db):
    out = StringIO()
    call_command("meters", "simulate", "--sites", "3", "--days", "1", "--seed", "5", "--prefix", "t-", stdout=out)
    m = re.fullmatch(r"(\d+) sites, (\d+) meters: (\d+) readings stored, (\d+) flagged intervals, (\d+) active alerts",
                     out.getvalue().strip())
    assert m, out.getvalue()
    sites, meters, stored, _flagged, alerts = map(int, m.groups())
    assert sites == 3 == Site.objects.filter(code__startswith="t-").count()
    assert meters == Meter.objects.filter(site__code__startswith="t-").count()
    assert stored == MeterReading.objects.count()
    assert alerts == Alert.objects.filter(active=True).count()
    last = max(Site.objects.values_list("last_seen_ts", flat=True))
    assert last <= int(NOW.timestamp()) and int(NOW.timestamp()) - last < 900  # data up to monitoring's now


# --- the accounting feed ----------------------------------------------------------------------------------------

def test_accounting_feed_is_the_monthly_readings_and_imports_as_hand_converted_tce(world, qingpu_plan):
    from carbonpeak.accounting.models import EnergyRecord
    from carbonpeak.accounting.services import inventory
    from carbonpeak.monitoring.services import feed_accounting

    def row(site: str, sector: str, kind: str, carrier: str, qty: float, unit: str, month: int) -> dict:
        return {"entity": site, "sector": sector, "carrier": carrier, "quantity": qty, "unit": unit, "year": 2026,
                "month": month, "town": "", "entity_kind": kind}

    # the readings above, summed by hand per site, carrier and month; C's IT load is inside its facility total
    assert feed_accounting(2026) == [
        row("ku-a", "industry", "key_enterprise", "electricity", A_KWH, "kWh", 11),
        row("ku-a", "industry", "key_enterprise", "natural_gas", A_M3, "m3", 10),
        row("pb-b", "buildings", "building", "electricity", B_KWH, "kWh", 11),
        row("dc-c", "buildings", "key_enterprise", "electricity", C_FAC_KWH, "kWh", 11),
    ]
    assert feed_accounting(2025) == []

    call_command("accounting", "import-monitoring", "--year", "2026", stdout=StringIO())
    stored = EnergyRecord.objects.filter(plan=qingpu_plan, source=EnergyRecord.Source.MONITORING, year=2026)
    assert sorted(stored.values_list("entity_name", "carrier", "month", "quantity")) == sorted([
        ("dc-c", "electricity", 11, C_FAC_KWH), ("ku-a", "electricity", 11, A_KWH), ("ku-a", "natural_gas", 10, A_M3),
        ("pb-b", "electricity", 11, B_KWH)])
    # 98,880 kWh x 0.1229 kgce/kWh + 480 m3 x 1.2143 kgce/m3 = 12.6172 tce
    assert inventory(qingpu_plan).result["energy_tce"] == pytest.approx(tce(kwh=A_KWH + B_KWH + C_FAC_KWH, m3=A_M3))


# --- query counts ---------------------------------------------------------------------------------------------

# Per request, logged in (a few of them are the session, the user and the data version; the first page also reads the
# request's plan, the user's access and unread notifications, which later pages of the same data version reuse): the
# same whatever the number of sites, meters, alerts, anomalies and rejects. A page that starts loading something per row fails here.
QUERIES = {"/monitoring/": 17, "/monitoring/sites/dc-c/": 14, "/monitoring/sites/ku-a/": 13,
           "/monitoring/sites/pb-b/": 13, "/monitoring/rejects/": 5}


def add_key_units(n: int) -> None:
    """n more key units with two meters each, a spike (anomaly), a quota alert each, and a reject per unit."""
    for k in range(n):
        s = make_site(f"ku-x{k}", name=f"Key unit X{k}", kind="key_unit", annual_quota_tce=1.0)
        make_meter(s, f"X{k}-E")
        make_meter(s, f"X{k}-G", carrier="natural_gas", unit="m3")
        stamps = every_quarter_hour(at("2026-11-24", "00:15"), NOW)
        values = [10.0] * len(stamps)
        values[40] = 900.0
        Pipeline("api").ingest_columns([f"X{k}-E"] * len(stamps), stamps, values)
        ingest(f"X{k}-G", stamps, 1)
    Pipeline("api").ingest_records([{"meter": f"NOPE-{k}", "ts": 1_700_000_000, "value": 1} for k in range(n)],
                                   ref="test")
    call_command("meters", "alerts", stdout=StringIO())


@pytest.mark.parametrize("more_sites", [1, 6])
def test_monitoring_pages_query_counts_do_not_grow_with_the_data(world, admin_client, django_assert_num_queries,
                                                                 more_sites):
    add_key_units(more_sites)
    assert Alert.objects.filter(active=True).count() == 5 + more_sites
    assert Anomaly.objects.filter(meter__code__startswith="X").count() == more_sites
    for url, n in QUERIES.items():
        with django_assert_num_queries(n):
            assert admin_client.get(url).status_code == 200, url


def test_overview_api_marks_the_indicative_eui_limit(world, admin_client):
    alerts = admin_client.get("/api/monitoring/overview").json()["alerts"]
    flagged = {(a["site"], a["kind"], a["period"]): a["limit_indicative"] for a in alerts}
    assert flagged == {key: key[1] == "eui" for key in expected_alerts()}
