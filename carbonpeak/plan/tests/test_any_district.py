"""Any district, not only the first: no district in code, demo data and pages of a second plan beside Qingpu's.

The second plan is a partial one (main goals only, tests/data/partial-district.yaml): its demo step and every main
page must run and show nothing of Qingpu (names, towns, document number, figures).
"""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from carbonpeak.plan.loader import load_plan_file
from carbonpeak.plan.planfile import find_plan_file
from carbonpeak.tracking.users import DEMO_PASSWORD
from conftest import EXAMPLE_PLAN

PACKAGE = Path(__file__).resolve().parents[2]
PARTIAL_PLAN = Path(__file__).parent / "data" / "partial-district.yaml"
DISTRICT_IN_CODE = re.compile(r"qingpu|青浦", re.IGNORECASE)
QINGPU_MARKS = ["青浦", "qingpu", "Qingpu", "朱家角", "练塘", "西虹桥", "青府发", "29.4万千瓦", "294 MW", "夏阳街道"]
MAIN_PAGES = ["/", "/plan/", "/tracking/", "/accounting/", "/monitoring/", "/scenarios/"]


def test_no_district_is_named_in_code():
    """Plans are data: a district's name belongs in plans/, tests and demo fixtures, not in the code."""
    found = []
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix not in {".py", ".html"} or "tests" in path.relative_to(PACKAGE).parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if DISTRICT_IN_CODE.search(line):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}")
    assert not found, "district named in code:\n" + "\n".join(found)


def test_up_finds_the_plan_file_by_code():
    assert find_plan_file("qingpu-2022").name == "qingpu-2022.yaml"
    assert find_plan_file("example-2024") == EXAMPLE_PLAN
    assert find_plan_file("no-such-plan") is None


@pytest.fixture
def partial_beside_qingpu(qingpu_plan, settings):
    plan = load_plan_file(str(PARTIAL_PLAN)).plan
    settings.CARBONPEAK_PLAN_CODE = plan.code
    return plan


@pytest.mark.django_db
def test_demo_and_pages_of_a_partial_plan_beside_qingpu_show_nothing_of_qingpu(partial_beside_qingpu, qingpu_plan,
                                                                                client):
    from carbonpeak.accounting.demo import load_demo as accounting_demo
    from carbonpeak.monitoring.demo import load_demo as monitoring_demo

    accounting_demo(qingpu_plan)  # Qingpu's own energy records and monitored sites are there too
    monitoring_demo(qingpu_plan)
    plan = partial_beside_qingpu
    call_command("demo", "--plan", plan.code)
    assert client.login(username=f"{plan.code}-office", password=DEMO_PASSWORD)
    for url in [*MAIN_PAGES, f"/plan/{plan.code}/"]:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert plan.district_zh in html or url != "/", url
        leaked = [mark for mark in QINGPU_MARKS if mark in html]
        assert not leaked, f"{url} shows {leaked}"


@pytest.mark.django_db
def test_the_example_plan_gets_demo_data_from_its_own_units(qingpu_plan, example_plan, settings):
    from carbonpeak.accounting.models import EnergyRecord
    from carbonpeak.tracking.models import IndicatorReport, Project

    settings.CARBONPEAK_PLAN_CODE = example_plan.code
    call_command("demo", "--plan", example_plan.code)
    towns = {name.split("·")[0] for name in EnergyRecord.objects.filter(plan=example_plan)
             .values_list("entity_name", flat=True)}
    assert towns == {"东湖镇", "西山镇", "南塘街道"}
    assert IndicatorReport.objects.filter(indicator__plan=example_plan).exists()
    assert not Project.objects.filter(plan=example_plan).exists()  # no fixture: no invented named projects
    assert not IndicatorReport.objects.filter(indicator__plan=qingpu_plan).exists()  # the other plan untouched


@pytest.mark.django_db
def test_scenarios_use_each_plans_own_base_data_and_targets(qingpu_plan, example_plan, settings, client):
    from carbonpeak.scenarios import services

    base, source, _notes = services.get_base(example_plan)
    assert (source, base.year) == ("plan", 2022)
    settings.CARBONPEAK_PLAN_CODE = example_plan.code
    assert client.get("/scenarios/").status_code == 200
    html = client.get("/scenarios/plan/").content.decode()
    assert "新建数据中心 PUE 不高于 1.25" in html and "29.4万千瓦" not in html and "青府发" not in html


@pytest.mark.django_db
def test_a_plan_without_base_data_has_no_projection_not_a_borrowed_one(partial_beside_qingpu, client):
    from carbonpeak.scenarios import services
    from carbonpeak.scenarios.summary import peak_probability

    with pytest.raises(services.NoBaseData, match="scenario_base"):
        services.get_base(partial_beside_qingpu)
    assert peak_probability(partial_beside_qingpu) is None
    html = client.get("/scenarios/").content.decode()
    assert 'id="no-base-data"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("city_first", [True, False], ids=["city-first", "districts-first"])
def test_city_plan_links_issued_targets_and_rolls_up_its_districts(city_first, client):
    from carbonpeak.accounting.demo import load_demo as accounting_demo
    from carbonpeak.plan.models import Plan
    from conftest import QINGPU_PLAN

    city_file = QINGPU_PLAN.parent / "shanghai-2022.yaml"
    files = [city_file, QINGPU_PLAN, PARTIAL_PLAN] if city_first else [QINGPU_PLAN, PARTIAL_PLAN, city_file]
    for path in files:
        load_plan_file(str(path))
    city, qingpu = Plan.objects.get(code="shanghai-2022"), Plan.objects.get(code="qingpu-2022")
    assert set(city.districts.values_list("code", flat=True)) == {"qingpu-2022", "beitang-2023"}
    issued = qingpu.indicators.get(code="carbon-intensity-gdp-2030")
    assert issued.parent == city.indicators.get(code="carbon-intensity-gdp-2030")
    assert issued.parent.target_value == 70 and issued.parent.baseline_year == 2005
    html = client.get(issued.get_absolute_url()).content.decode()
    assert "上海市碳达峰实施方案" in html and issued.parent.get_absolute_url() in html
    accounting_demo(qingpu)
    html = client.get(f"/plan/{city.code}/districts/").content.decode()
    rows = re.findall(r'<tr data-plan="([^"]+)"><td>([^<]*)</td>', html)
    assert rows == [("qingpu-2022", "1"), ("beitang-2023", "—")]  # a district without data is listed, unranked
    assert "暂无数据" in html or "no data" in html
    # The intensity figure and status are the district's progress evaluation (one source), not accounting's own.
    from carbonpeak.progress import services as progress

    intensity = progress.by_code(progress.evaluate_plan(qingpu))["energy-intensity-gdp"]
    row = html.split('<tr data-plan="qingpu-2022">')[1].split("</tr>")[0]
    shown = re.search(r'data-status="([^"]+)" data-value="([^"]+)"', row)
    assert shown[1] == intensity.status and float(shown[2]) == intensity.evaluation.latest_value


def test_a_parent_target_needs_a_parent_plan(tmp_path):
    from carbonpeak.plan.planfile import PlanFileErrors, read_plan_file

    text = PARTIAL_PLAN.read_text(encoding="utf-8").replace("  parent: shanghai-2022\n", "").replace(
        "    role: peak_year\n", "    role: peak_year\n    parent_indicator: carbon-peak-year\n")
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanFileErrors) as info:
        read_plan_file(path)
    assert [e.field for e in info.value.errors] == ["indicators[1] (peak).parent_indicator"]
