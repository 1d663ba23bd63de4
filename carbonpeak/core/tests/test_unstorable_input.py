"""What no field takes is refused before any view sees it: a NUL character (U+0000) anywhere in a request
(PostgreSQL can neither store nor compare text holding one, so `?plan=%00` alone was a server error on every page
and API route there) and a number in a JSON body that is not finite (NaN, Infinity, 1e400: they passed range checks
and PostgreSQL's JSON refuses them). Pages answer 400 naming the place, API routes 422 with ninja's `detail[].loc`;
nothing is stored."""
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client, members):
    client.force_login(members["office"])
    return client


@pytest.mark.parametrize("url, place", [
    ("/?plan=%00", "查询参数 plan"),
    ("/progress/?plan=qingpu-2022&year=20%0025", "查询参数 year"),
    ("/tracking/projects/?status=%00", "查询参数 status"),
    ("/assessment/energy-use-reports/?status=a%00", "查询参数 status"),
    ("/plan/qingpu-2022/units/fg%00w/", "路径"),
])
def test_a_page_asked_with_a_nul_character_answers_400_naming_the_place(office, url, place):
    response = office.get(url)
    assert response.status_code == 400
    assert response.content.decode() == f"请求的 {place} 含有空字符（U+0000），任何字段都不接受该字符。"


def test_the_message_is_in_english_for_the_english_interface(office):
    office.cookies["django_language"] = "en"
    response = office.get("/accounting/inventory/2023/?factor_set=%00")
    assert response.status_code == 400
    assert response.content.decode() == ("The request's query parameter factor_set contains a NUL character "
                                         "(U+0000), which no field accepts.")


@pytest.mark.parametrize("url, loc", [
    ("/api/tracking/periods?plan=%00", ["query", "plan"]),
    ("/api/monitoring/sites?plan=qingpu-2022&x%00=1", ["query", "x\x00"]),
    ("/api/plan/plans/qingpu%00", ["path"]),
])
def test_an_api_read_with_a_nul_character_answers_422_with_its_location(office, url, loc):
    response = office.get(url)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_a_nul_character_in_a_cookie_is_refused_before_the_session_is_looked_up(client, members):
    # Django's cookie parser turns the octal escape \000 of a quoted cookie value into a NUL character
    response = client.get("/", HTTP_COOKIE='sessionid="\\000abcdefgh"')
    assert response.status_code == 400 and "Cookie sessionid" in response.content.decode()


def test_a_form_with_a_nul_character_stores_nothing(client, members, db_state):
    client.force_login(members["reporter-a"])
    before = db_state()
    response = client.post("/tracking/projects/new/", {"kind": "pv", "name": "光伏\x00", "quantity": "1"})
    assert response.status_code == 400 and "表单字段 name" in response.content.decode()
    assert db_state() == before


def test_a_json_body_with_a_nul_character_stores_nothing(office, db_state):
    before = db_state()
    response = office.post("/api/scenarios/?plan=qingpu-2022", {"name": "a\x00b", "slug": "nul"},
                           content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]
    assert db_state() == before


def test_a_gateway_batch_with_a_nul_character_is_refused_whole_and_names_the_reading(client, members, db_state):
    out = StringIO()
    call_command("meters", "gateway", "nul-gateway", "--all-sites", stdout=out)
    token = out.getvalue().split("token ", 1)[1].split()[0]
    readings = [{"meter": "PB-E", "ts": 1_764_000_000, "value": 1.0},
                {"meter": "PB\x00E", "ts": 1_764_000_900, "value": 1.0}]
    before = db_state()
    response = client.post("/api/monitoring/readings", {"readings": readings}, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "readings", 1, "meter"]
    assert db_state() == before


def test_a_json_body_that_only_looks_like_one_is_let_through(office):
    """An escaped backslash before `u0000` is text, not a NUL: the route decides (here: a plain 201)."""
    response = office.post("/api/scenarios/?plan=qingpu-2022", {"name": "a\\u0000b", "slug": "literal"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "a\\u0000b"



@pytest.mark.parametrize("value, loc", [
    ("NaN", ["body", "value"]),
    ("-Infinity", ["body", "value"]),
    ("1e400", ["body", "value"]),
    ('"Infinity"', ["body", "payload", "value"]),  # a string read into a float field: the schema refuses it
])
def test_a_number_that_is_not_finite_is_refused_and_stores_nothing(office, db_state, value, loc):
    """An indicator report of `Infinity` was stored on SQLite and a server error on PostgreSQL (its audit entry's
    JSON); NaN passes every range check."""
    before = db_state()
    body = f'{{"period": "2024", "indicator": "pv-capacity-added", "unit": "zhujiajiao", "value": {value}}}'
    response = office.post("/api/tracking/indicator-reports?plan=qingpu-2022", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert db_state() == before


def test_a_non_finite_number_deep_in_a_scenario_lever_is_named_by_its_path(office, db_state):
    before = db_state()
    response = office.patch("/api/scenarios/plan/levers?plan=qingpu-2022",
                            '{"levers": {"ev": {"new_share": {"2025": NaN}}}}', content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"] == [{"type": "not_finite", "loc": ["body", "levers", "ev", "new_share", "2025"],
                                          "msg": "is not a finite number (NaN, Infinity or beyond ±1.8e308), "
                                                 "which no field accepts"}]
    assert db_state() == before
