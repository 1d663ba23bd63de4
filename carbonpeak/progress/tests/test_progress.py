"""Progress of a plan from approved reports and project roll-ups (real database)."""

import datetime as dt

import pytest

from carbonpeak.progress import services as progress
from carbonpeak.progress.engine import progress as engine
from carbonpeak.tracking.models import IndicatorReport, Project, ReviewStatus
from carbonpeak.tracking.services import ensure_periods

pytestmark = pytest.mark.django_db
APPROVED = ReviewStatus.APPROVED
AS_OF = dt.date(2026, 11, 25)


def _project(plan, indicator, unit, qty, qty_unit, day, status=APPROVED, name=None):
    return Project.objects.create(plan=plan, kind="pv", name=name or f"PV {qty}{qty_unit} {day}", town=unit,
                                  responsible_unit=unit, quantity=qty, quantity_unit=qty_unit,
                                  commissioned_on=day, indicator=indicator, status=status)


def _report(indicator, unit, period, value, status=APPROVED):
    return IndicatorReport.objects.create(indicator=indicator, unit=unit, period=period, value=value,
                                          value_unit=indicator.unit, status=status)


def _by_code(results):
    return {r.indicator.code: r for r in results}


def test_pv_rolls_up_from_approved_projects_in_the_period(small_plan, units, indicators):
    pv, town = indicators["pv-capacity-added"], units["zhujiajiao"]
    _project(small_plan, pv, town, 20000, "kW", dt.date(2021, 5, 1))  # 2 万千瓦
    _project(small_plan, pv, town, 30000, "kW", dt.date(2022, 8, 1))  # 3
    _project(small_plan, pv, units["liantang"], 45000, "kW", dt.date(2023, 12, 1))  # 4.5
    _project(small_plan, pv, town, 99000, "kW", dt.date(2023, 6, 1), status=ReviewStatus.SUBMITTED)  # not approved
    _project(small_plan, pv, town, 10000, "kW", dt.date(2026, 3, 1))  # after the period
    result = _by_code(progress.evaluate_plan(small_plan, as_of=AS_OF))["pv-capacity-added"]
    assert result.source == "projects"
    assert result.rollup.total == pytest.approx(9.5)
    assert len(result.projects) == 3 and all(p.status == APPROVED for p in result.projects)
    ev = result.evaluation
    assert ev.history == [(2021.0, pytest.approx(2.0)), (2022.0, pytest.approx(5.0)), (2023.0, pytest.approx(9.5)),
                          (2024.0, pytest.approx(9.5)), (2025.0, pytest.approx(9.5))]
    assert ev.latest_value == pytest.approx(9.5) and ev.status == engine.MISSED  # 29.4 was due by 2025
    assert "29.4" in result.rule


def test_reports_use_the_lead_unit_else_the_sum_for_cumulative(small_plan, units, indicators):
    periods = {p.code: p for p in ensure_periods(small_plan, 2021, 2024, quarterly=False)}
    factories = indicators["green-factories"]  # task 2.1, lead 区经委 (jingwei)
    _report(factories, units["jingwei"], periods["2021"], 2)
    _report(factories, units["jingwei"], periods["2022"], 4)
    _report(factories, units["jingwei"], periods["2023"], 6, status=ReviewStatus.SUBMITTED)  # not approved yet
    chargers = indicators["chargers"]  # task 3.1, lead 区建管委; towns are not linked, but sums still apply
    _report(chargers, units["zhujiajiao"], periods["2023"], 300)
    _report(chargers, units["liantang"], periods["2023"], 400)
    results = _by_code(progress.evaluate_plan(small_plan, as_of=AS_OF))
    assert results["green-factories"].evaluation.history == [(2021.0, 2.0), (2022.0, 4.0)]
    assert results["green-factories"].status == engine.ON_TRACK  # 4 meets 10·2/5 = 4 at the end of 2022
    assert results["chargers"].evaluation.latest_value == 700.0
    assert results["chargers"].status == engine.OFF_TRACK  # 700 vs 960 expected, forecast 700·5/3 = 1167 < 1600


def test_counts_by_action_and_unit_and_off_track_list(small_plan, units, indicators):
    periods = {p.code: p for p in ensure_periods(small_plan, 2021, 2023, quarterly=False)}
    _report(indicators["chargers"], units["jianguanwei"], periods["2023"], 100)
    results = progress.evaluate_plan(small_plan, as_of=AS_OF)
    assert progress.status_counts(results) == {"on_track": 0, "at_risk": 0, "off_track": 1, "missed": 0,
                                                   "no_data": 2}
    by_action = {g.key: g.counts for g in progress.counts_by_action(small_plan, results)}
    assert by_action["3"]["off_track"] == 1 and by_action["1"]["no_data"] == 1
    by_unit = {g.key: g.counts for g in progress.counts_by_unit(small_plan, results)}
    assert by_unit["jianguanwei"]["off_track"] == 1
    assert by_unit["zhujiajiao"]["no_data"] == 1  # linked to 1.1 through the group 各镇、街道
    leads = {g.key for g in progress.counts_by_unit(small_plan, results, lead_only=True)}
    assert "zhujiajiao" not in leads and "fgw" in leads
    assert [r.indicator.code for r in progress.off_track(results)] == ["chargers"]


def test_corrections_replace_the_approved_value(small_plan, units, indicators):
    periods = {p.code: p for p in ensure_periods(small_plan, 2023, 2023, quarterly=False)}
    chargers = indicators["chargers"]
    first = _report(chargers, units["jianguanwei"], periods["2023"], 100)
    IndicatorReport.objects.create(indicator=chargers, unit=units["jianguanwei"], period=periods["2023"], value=1200,
                                   value_unit=chargers.unit, status=APPROVED, revision=2, supersedes=first)
    result = _by_code(progress.evaluate_plan(small_plan, as_of=AS_OF))["chargers"]
    assert result.evaluation.history == [(2023.0, 1200.0)]
    assert result.status == engine.ON_TRACK  # 1200 ≥ 1600·3/5 = 960


def test_progress_api_reports_status_rule_and_contributing_projects(client, small_plan, units, indicators, users):
    from carbonpeak.tracking.tests.conftest import PASSWORD

    pv = indicators["pv-capacity-added"]
    first = _project(small_plan, pv, units["zhujiajiao"], 20000, "kW", dt.date(2021, 5, 1))
    client.login(username="leader", password=PASSWORD)
    summary = client.get("/api/tracking/progress").json()
    assert sum(summary["counts"].values()) == small_plan.indicators.count()
    rows = {row["code"]: row for row in summary["indicators"]}
    assert rows["pv-capacity-added"]["source"] == "projects"
    assert rows["pv-capacity-added"]["projects"] == [first.pk]
    assert rows["pv-capacity-added"]["latest_value"] == pytest.approx(2.0)
    assert rows["chargers"]["status"] == "no_data" and rows["chargers"]["rule"]
    one = client.get("/api/tracking/progress/pv-capacity-added").json()
    assert one["status"] == rows["pv-capacity-added"]["status"] and one["rule"]
    assert client.get("/api/tracking/progress/nope").status_code == 404
