"""Allocation, scoring, freezing and the CLI over a real database."""

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command

from carbonpeak.accounting.models import EnergyRecord
from carbonpeak.assessment import services
from carbonpeak.assessment.engine.allocation import AllocationError
from carbonpeak.assessment.models import Allocation, FrozenError, UnitSeries
from carbonpeak.tracking.models import AuditEntry

from .conftest import ELECTRICITY, GDP, TCE_PER_10K_KWH

pytestmark = pytest.mark.django_db


def cli(*args) -> dict:
    out = StringIO()
    call_command("assessment", "--plan", "tiny", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("method", ["equal", "proportional", "weighted"])
def test_cli_allocate_energy_total_reconciles(data, units, method):
    for code, f in {"aa": 1.0, "bb": 1.2, "cc": 0.8}.items():
        for series in ("industry-structure", "efficiency-level", "development-stage"):
            UnitSeries.objects.create(plan=data, code=series, year=2024, unit=units[code], value=f)
    out = cli("allocate", "energy-consumption-total", "--year", "2024", "--method", method, "--format", "json")
    assert {"indicator", "year", "method", "total", "allocations", "reconciles"} <= set(out)
    assert out["total"] == 5000.0 and out["reconciles"] is True
    values = [a["value"] for a in out["allocations"]]
    assert round(sum(values), 1) == 5000.0
    assert [a["unit"] for a in out["allocations"]] == ["甲镇", "乙镇", "丙街道"]
    if method == "equal":
        assert values == [1666.7, 1666.7, 1666.6]
    if method == "proportional":  # base-year energy 1:2:1
        assert values == [1250.0, 2500.0, 1250.0]
    if method == "weighted":  # 1x1.0 : 2x1.2 : 1x0.8
        assert values == pytest.approx([5000 / 4.2, 5000 * 2.4 / 4.2, 5000 * 0.8 / 4.2], abs=0.05)


def test_intensity_allocation_reproduces_the_district_intensity(data):
    out = services.allocate(data, "energy-intensity-gdp", 2024, "equal")
    e0 = np.array([ELECTRICITY[c][2020] for c in ("aa", "bb", "cc")]) * TCE_PER_10K_KWH
    g0 = np.array([GDP[c][2020] for c in ("aa", "bb", "cc")])
    g = np.array([GDP[c][2024] for c in ("aa", "bb", "cc")])
    target = np.array([a["value"] for a in out["allocations"]])
    assert out["reconciles"]
    assert (target * g).sum() / g.sum() == pytest.approx(0.86 * e0.sum() / g0.sum(), rel=1e-6)
    assert "GDP-weighted" in out["reconciliation"]


def test_bad_allocation_input_is_a_clear_error(data):
    with pytest.raises(AllocationError, match="no indicator 'nope'"):
        services.allocate(data, "nope", 2024, "equal")
    with pytest.raises(AllocationError, match="states no figure to allocate for 2030"):
        services.allocate(data, "energy-consumption-total", 2030, "equal")
    with pytest.raises(AllocationError, match="factor series 'industry-structure'"):
        services.allocate(data, "energy-consumption-total", 2024, "weighted")


def test_save_and_approve_allocation_versions_and_audits(data, actors):
    a1 = services.save_allocation(actors["office"], data, "pv-capacity-added", 2025, "equal")
    a2 = services.save_allocation(actors["office"], data, "pv-capacity-added", 2025, "proportional")
    assert (a1.version, a2.version) == (1, 2) and a2.shares.count() == 3
    assert round(sum(a2.shares.values_list("value", flat=True)), 1) == 29.4
    services.approve_allocation(actors["office"], a2)
    with pytest.raises(FrozenError):
        services.approve_allocation(actors["office"], a2)
    a2.refresh_from_db()
    with pytest.raises(FrozenError):
        a2.save()
    assert AuditEntry.objects.filter(object_type="assessment.allocation", object_id=a2.pk,
                                     action="approve").exists()
    from django.core.exceptions import PermissionDenied
    with pytest.raises(PermissionDenied):
        services.save_allocation(actors["leader"], data, "pv-capacity-added", 2025, "equal")


def _items(row):
    return {i["code"]: i for i in row["items"]}


def test_run_scores_target_completion_from_the_data(data, actors):
    services.approve_allocation(actors["office"], services.save_allocation(
        actors["office"], data, "energy-consumption-total", 2024, "proportional"))
    out = cli("run", "--year", "2024", "--format", "json")
    rows = {r["unit"]: r for r in out["units"]}
    assert out["year"] == 2024 and set(rows) == {"甲镇", "乙镇", "丙街道"}
    # 甲镇: intensity 10 → 8 tce-ish per GDP: -20% vs required 14% x 4/5 = 11.2% → full 30 points
    assert _items(rows["甲镇"])["energy-intensity"]["points"] == 30
    # 乙镇: intensity 2000/200 → 2300/220 rises: completion 0 and veto 能耗强度不降反升
    assert _items(rows["乙镇"])["energy-intensity"]["points"] == 0
    assert [v["code"] for v in rows["乙镇"]["veto"]] == ["intensity-rising"]
    assert rows["乙镇"]["grade"] == "failed" and rows["乙镇"]["rank"] == 3
    # energy total: 乙镇 used 2300 x 1.229 = 2826.7 tce against a share of 2500 → 88% → 0 points (zero at 90%)
    assert _items(rows["乙镇"])["energy-total"]["points"] == 0
    assert _items(rows["甲镇"])["energy-total"]["points"] == 20  # 1229 tce under its 1250 share
    # 丙街道: intensity 10 → 950/120 = -20.8% → full; share 1250 vs 1167.6 tce → full
    assert _items(rows["丙街道"])["energy-intensity"]["points"] == 30
    assert "能耗强度较基年" in _items(rows["丙街道"])["energy-intensity"]["evidence"]


def test_task_timeliness_quality_and_indicator_veto(data, actors, units, periods, plan):
    from carbonpeak.tracking import services as tracking

    task11, task12 = [t for t in plan.actions.get(number=1).tasks.order_by("number")]
    aa = units["aa"]
    rep, rev = actors["aa-reporter"], actors["aa-reviewer"]
    # 甲镇 reports task 1.1 in progress (approved) for Q1; task 1.2 delayed; a two-high-one-low value of 1
    r = tracking.submit(rep, tracking.save_task_report(rep, task=task11, unit=aa, period=periods[0], narrative="ok",
                                                       progress_status="in_progress"))
    tracking.return_for_revision(rev, r, "补充佐证")
    tracking.approve(rev, tracking.submit(rep, r))
    tracking.approve(rev, tracking.submit(rep, tracking.save_task_report(
        rep, task=task12, unit=aa, period=periods[0], narrative="x", progress_status="delayed")))
    ind = plan.indicators.get(code="two-high-one-low-projects-new")
    tracking.approve(rev, tracking.submit(rep, tracking.save_indicator_report(
        rep, indicator=ind, unit=aa, period=periods[0], value=1)))
    rows = {r["unit"]: r for r in services.run(plan, 2024)["units"]}
    items = _items(rows["甲镇"])
    assert items["task-progress"]["value"] == 0.5 and items["task-progress"]["points"] == 10
    # owed per quarter: the two quantitative indicators of its tasks (it leads no task): 8 over 2024's quarters;
    # Q1's value was submitted today, long after its due date, the rest never: all 8 late
    assert items["timeliness"]["value"] == 0 and items["timeliness"]["points"] == 0
    assert "应报 8 项，逾期或未报 8 项" in items["timeliness"]["evidence"]
    assert items["data-quality"]["value"] == 1 and items["data-quality"]["points"] == 4
    assert "two-high-one-low" in [v["code"] for v in rows["甲镇"]["veto"]]
    assert rows["甲镇"]["grade"] == "failed"


def test_approval_freezes_the_results(data, actors, units, plan):
    office = actors["office"]
    services.add_adjustment(office, plan, 2024, units["cc"], -3, "通报：数据迟报已核实")
    before = services.run(plan, 2024)
    cc = next(r for r in before["units"] if r["code"] == "cc")
    assert cc["adjustment"] == -3 and cc["adjustments"][0]["reason"].startswith("通报")
    services.set_reward_pool(office, plan, 2024, 1000.01)
    frozen = services.approve_assessment(office, plan, 2024).snapshot
    assert frozen["frozen"] is True
    # the data changes after approval: 丙街道 doubles its energy
    EnergyRecord.objects.filter(plan=plan, town=units["cc"], year=2024).update(quantity=1900.0)
    after = services.run(plan, 2024)
    assert after["units"] == frozen["units"]
    assert services.compute(plan, 2024)["units"] != frozen["units"]  # the live data did change
    with pytest.raises(FrozenError):
        services.add_adjustment(office, plan, 2024, units["cc"], 1, "late")
    assert services.reward(plan, 2024)["pool_fen"] == 100001


def test_reward_splits_exactly_among_qualifying_units(data, actors, plan):
    services.set_reward_pool(actors["office"], plan, 2024, 123456.78)
    out = services.reward(plan, 2024)
    qualifying = [u for u in out["units"] if u["qualifies"]]
    assert sum(u["fen"] for u in out["units"]) == (12345678 if qualifying else 0)
    assert all(u["fen"] == 0 for u in out["units"] if not u["qualifies"])


def test_barometer_has_the_figures_behind_each_colour(data, plan):
    rows = {r["code"]: r for r in services.barometer(plan, 2024)}
    assert rows["bb"]["colour"] == "red" and rows["aa"]["colour"] == "green"
    assert rows["bb"]["intensity_change"] == pytest.approx(2300 / 220 / 10 - 1, abs=1e-4)


def test_import_key_units_and_series_all_or_nothing(plan, units, tmp_path):
    from django.core.exceptions import ValidationError

    from carbonpeak.assessment import imports
    from carbonpeak.assessment.models import KeyEnergyUnit

    good = tmp_path / "k.csv"
    good.write_text("code,name_zh,town,industry\nK1,某厂,甲镇,化工\nK2,某园,乙镇,\n", encoding="utf-8")
    assert imports.import_key_units(plan, good) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name_zh,town\nK3,某司,甲镇\nK4,某店,火星镇\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"bad.csv, row 3, town: '火星镇'"):
        imports.import_key_units(plan, bad)
    assert KeyEnergyUnit.objects.filter(plan=plan).count() == 2  # nothing of the bad file stored
    binary = tmp_path / "binary.csv"
    binary.write_bytes("code,name_zh,town\nK5,某司,甲镇\nK6,某\x00,甲镇\n".encode())
    with pytest.raises(ValidationError, match=r"binary.csv, row 3: contains a NUL character"):
        imports.import_key_units(plan, binary)
    binary.write_bytes("code,name_zh,town\nK5,某司,甲镇\n".encode() + "某店".encode("gb18030"))
    with pytest.raises(ValidationError, match=r"binary.csv, row 3: not UTF-8 text"):
        imports.import_key_units(plan, binary)
    assert KeyEnergyUnit.objects.filter(plan=plan).count() == 2
    s = tmp_path / "s.csv"
    s.write_text("series,year,unit,value\nenergy,2020,K1,100\nenergy,2020,K2,300\n", encoding="utf-8")
    assert imports.import_series(plan, s) == 2
    out = services.allocate(plan, "pv-capacity-added", 2025, "proportional", Allocation.Target.KEY_UNITS,
                            {"base": "energy"})
    assert out["reconciles"] and round(sum(a["value"] for a in out["allocations"]), 1) == 29.4
    assert [a["value"] for a in out["allocations"]] == pytest.approx([7.35, 22.05], abs=0.051)
    assert [a["town"] for a in out["allocations"]] == ["甲镇", "乙镇"]


def test_key_units_take_monitored_energy_and_deviations_are_flagged(qingpu_plan):
    from carbonpeak.assessment import demo
    from carbonpeak.assessment.models import KeyEnergyUnit
    from carbonpeak.monitoring.services import data_now, local_date, simulate

    simulate(6, 3, plan=qingpu_plan, prefix="as-")
    year = local_date(data_now()).year
    demo._key_units(qingpu_plan)
    keys = list(KeyEnergyUnit.objects.filter(plan=qingpu_plan).order_by("code"))
    assert keys and all(k.site_id and k.town for k in keys)
    monitored = services.energy(qingpu_plan, year, keys)
    assert np.isfinite(monitored).all() and (monitored > 0).all()
    UnitSeries.objects.create(plan=qingpu_plan, code="energy", year=year, key_unit=keys[0], value=monitored[0] * 1.04)
    if len(keys) > 1:
        UnitSeries.objects.create(plan=qingpu_plan, code="energy", year=year, key_unit=keys[1],
                                  value=monitored[1] * 1.2)
    rows = {r["code"]: r for r in services.key_unit_reconciliation(qingpu_plan, year)}
    assert rows[keys[0].code]["flagged"] is False and rows[keys[0].code]["deviation"] == pytest.approx(0.04)
    if len(keys) > 1:
        assert rows[keys[1].code]["flagged"] is True
    out = cli_qingpu("allocate", "pv-capacity-added", "--year", str(year), "--method", "proportional", "--to",
                     "key_units", "--base-year", str(year), "--format", "json")
    assert out["reconciles"] and round(sum(a["value"] for a in out["allocations"]), 1) == 29.4
    assert out["allocations"][0]["town"] == keys[0].town.name_zh


def cli_qingpu(*args) -> dict:
    out = StringIO()
    call_command("assessment", "--plan", "qingpu-2022", *args, stdout=out)
    return json.loads(out.getvalue())


def test_sheet_notice_and_excel_compare_with_last_years_approved_assessment(data, actors, plan, users, client):
    """Score, grade and rank change per unit against the frozen assessment of the year before; without one, the
    sheet says there is nothing to compare with (a draft would move with the data)."""
    from io import BytesIO

    from openpyxl import load_workbook

    from carbonpeak.assessment.models import Assessment, Status

    from .conftest import PASSWORD

    now = services.run(plan, 2024)["units"]
    rows, compared = services.with_previous(plan, 2024, now)
    assert not compared and all(r["previous"] is None for r in rows)
    client.login(username="office", password=PASSWORD)
    assert 'id="no-previous"' in client.get("/assessment/2024/").content.decode()
    # last year's frozen result: the first unit was last and 12.5 points lower, one grade below; the last unit was
    # not assessed
    first, *middle, last = now
    grades = [g.code for g in services.load_rubric(plan).grades]
    lower = grades[min(grades.index(first["grade"]) + 1, len(grades) - 1)]
    past = [dict(first, score=first["score"] - 12.5, rank=len(now) - 1, grade=lower, grade_zh="上年等次"),
            *[dict(r, rank=r["rank"] - 1) for r in middle]]
    Assessment.objects.create(plan=plan, year=2023, status=Status.APPROVED, snapshot={"units": past})
    rows, compared = services.with_previous(plan, 2024, now)
    assert compared and rows[-1]["previous"] is None
    p = rows[0]["previous"]
    assert p["score_change"] == 12.5 and p["rank_change"] == len(now) - 1 - first["rank"]
    assert p["grade_change"] == (1 if lower != first["grade"] else 0) and p["grade_zh"] == "上年等次"
    assert all(r["previous"]["rank_change"] == -1 and r["previous"]["score_change"] == 0 for r in rows[1:-1])
    html = client.get("/assessment/2024/").content.decode()
    assert 'id="no-previous"' not in html and 'data-score-change="12.5"' in html
    notice = client.get("/assessment/2024/notice/").content.decode()
    assert "较上年" in notice and "+12.5分" in notice and "上年未考核" in notice
    sheet = load_workbook(BytesIO(client.get("/assessment/2024/notice.xlsx").content)).active
    header, *table = list(sheet.iter_rows(values_only=True))
    assert header[7:] == ("2023年得分", "2023年等次", "2023年排名", "得分变化", "排名变化")
    assert table[0][7:] == (first["score"] - 12.5, "上年等次", len(now) - 1, 12.5, len(now) - 1 - first["rank"])
    assert table[-1][7:] == (None,) * 5
