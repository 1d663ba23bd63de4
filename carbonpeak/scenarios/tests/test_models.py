"""Scenario versioning, defaults from the plan registry, copies, and calibration on the accounting inventory."""

import json

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from carbonpeak.scenarios import engine, services
from carbonpeak.scenarios.models import Scenario, ScenarioRun, ScenarioVersion

pytestmark = pytest.mark.django_db


def test_every_save_is_a_new_version_with_a_snapshot(qingpu_plan):
    baseline, plan = services.ensure_defaults(qingpu_plan)
    assert (baseline.version, plan.version) == (1, 1)
    services.update_parameters(plan, levers={"pv": {"additions_mw": {"interp": "step", "points": {"2022": 100}}}})
    services.update_parameters(plan, levers={"grid": {"enabled": True}})
    plan.refresh_from_db()
    assert plan.version == 3
    snaps = {v.version: v.parameters for v in plan.versions.all()}
    assert sorted(snaps) == [1, 2, 3]
    assert snaps[1]["levers"]["pv"]["additions_mw"]["points"] == {"2021": pytest.approx(58.8),
                                                                  "2026": engine.scenario.PV_AFTER_PLAN}
    assert snaps[2]["levers"]["pv"]["additions_mw"]["points"] == {"2022": 100}
    assert snaps[2]["levers"]["grid"]["enabled"] is False and snaps[3]["levers"]["grid"]["enabled"] is True


def test_invalid_parameters_are_rejected_without_a_version(qingpu_plan):
    _, plan = services.ensure_defaults(qingpu_plan)
    plan.parameters = {**plan.parameters, "levers": {**plan.parameters["levers"], "ev": {"new_share": "half"}}}
    with pytest.raises(ValidationError, match="levers.ev.new_share"):
        plan.save()
    assert ScenarioVersion.objects.filter(scenario=plan).count() == 1
    assert Scenario.objects.get(pk=plan.pk).version == 1


def test_defaults_are_idempotent_and_plan_levers_come_from_indicators(qingpu_plan):
    first = services.ensure_defaults(qingpu_plan)
    again = services.ensure_defaults(qingpu_plan)
    assert [s.pk for s in first] == [s.pk for s in again]
    targets, notes = services.plan_targets(qingpu_plan)
    # 29.4 万千瓦 in 2021-2025 -> 294 MW; percentages -> shares; 200 万m2 -> 2e6 m2
    assert targets["pv_mw_2021_2025"] == pytest.approx(294.0)
    assert targets["dc_pue_new"] == 1.3 and targets["dc_pue_existing"] == 1.4
    assert targets["ev_new_share"] == pytest.approx(0.5)
    assert targets["green_travel_2025"] == pytest.approx(0.75) and targets["green_travel_2035"] == pytest.approx(0.85)
    assert targets["retrofit_m2_2021_2030"] == pytest.approx(2e6)
    plan = first[1]
    assert plan.kind == Scenario.Kind.PLAN
    assert plan.parameters["levers"]["dc_pue"]["pue_new"] == {"2022": 1.3}
    assert first[0].parameters["levers"]["pv"]["enabled"] is False


def test_another_districts_plan_falls_back_gracefully(example_plan):
    targets, notes = services.plan_targets(example_plan)
    missing = set(services.INDICATOR_TARGETS) - set(targets)
    assert all(any(key in n for n in notes) for key in missing)
    _, plan = services.ensure_defaults(example_plan)
    assert plan.engine_scenario().enabled_levers()  # still a usable plan scenario


def test_targets_come_from_the_indicator_roles_of_any_plan(example_plan):
    targets, _notes = services.plan_targets(example_plan)
    assert targets["pv_mw_2021_2025"] == pytest.approx(50.0)  # 5 万千瓦
    assert targets["dc_pue_new"] == 1.25 and targets["dc_pue_existing"] == 1.5
    assert targets["green_travel_2025"] == pytest.approx(0.60) and "green_travel_2035" not in targets
    assert targets["retrofit_m2_2021_2030"] == pytest.approx(2e5)


def test_copy_is_custom_with_parent_and_own_history(qingpu_plan):
    _, plan = services.ensure_defaults(qingpu_plan)
    copy = services.copy_scenario(plan, "Faster PV")
    assert copy.kind == Scenario.Kind.CUSTOM and copy.parent == plan and copy.slug == "faster-pv"
    assert copy.version == 1 and copy.parameters == plan.parameters
    assert services.copy_scenario(plan, "Faster PV").slug == "faster-pv-2"


def test_runs_are_cached_per_version(qingpu_plan):
    _, plan = services.ensure_defaults(qingpu_plan)
    r1 = services.run(plan, draws=200, seed=1)
    assert services.run(plan, draws=200, seed=1).pk == r1.pk
    services.update_parameters(plan, levers={"grid": {"enabled": True}})
    r2 = services.run(plan, draws=200, seed=1)
    assert r2.pk != r1.pk and r2.version == 2
    assert r2.p_peak_by > r1.p_peak_by  # a cleaner grid makes an early peak more likely
    assert ScenarioRun.objects.filter(scenario=plan).count() == 2


def test_base_year_is_the_accounting_inventory(qingpu_plan):
    """With energy records and GDP in the accounting app, the projection's base year is that inventory."""
    from carbonpeak.accounting import services as acc
    from carbonpeak.accounting.models import EnergyRecord, GdpRecord

    rows = [("industry", "electricity", 40000.0, "万kWh"), ("industry", "natural_gas", 3000.0, "万m3"),
            ("buildings", "electricity", 20000.0, "万kWh"), ("transport", "gasoline", 50000.0, "t"),
            ("transport", "diesel", 30000.0, "t"), ("residential", "electricity", 12000.0, "万kWh")]
    for sector, carrier, qty, unit in rows:
        EnergyRecord.objects.create(plan=qingpu_plan, entity_name=f"{sector} total", entity_kind="sector",
                                    sector=sector, carrier=carrier, quantity=qty, unit=unit, year=2022)
    GdpRecord.objects.create(plan=qingpu_plan, year=2022, value_10k_yuan=13_500_000)
    base, source, notes = services.get_base(qingpu_plan)
    assert source == "accounting" and base.year == 2022 and base.gdp == pytest.approx(1350.0)
    inv = acc.inventory(qingpu_plan).result["by_year"]["2022"]
    assert base.total_energy == pytest.approx(inv["energy_tce"], rel=1e-9)
    assert base.total_co2 == pytest.approx(inv["co2_t"], rel=1e-9)
    assert "data_centres" in base.sectors and any("data centres" in n for n in notes)
    proj = engine.project(engine.plan_scenario(), base, draws=50, seed=1, wedges=False)
    assert np.array_equal(proj.energy[7, :, :, 0], base.energy)
    assert proj.total_co2[:, 0] == pytest.approx(inv["co2_t"], rel=1e-9)


def test_backtest_on_accounting_years(qingpu_plan):
    """Two or more accounting years: base = the first, actuals = the later inventory totals."""
    from carbonpeak.accounting import services as acc
    from carbonpeak.accounting.models import EnergyRecord, GdpRecord

    for year, scale, gdp in ((2020, 1.0, 12_000_000), (2021, 1.04, 12_900_000), (2022, 1.06, 13_300_000)):
        for sector, carrier, qty, unit in (("industry", "electricity", 40000.0, "万kWh"),
                                           ("transport", "gasoline", 50000.0, "t"),
                                           ("residential", "natural_gas", 4000.0, "万m3")):
            EnergyRecord.objects.create(plan=qingpu_plan, entity_name=sector, entity_kind="sector", sector=sector,
                                        carrier=carrier, quantity=qty * scale, unit=unit, year=year)
        GdpRecord.objects.create(plan=qingpu_plan, year=year, value_10k_yuan=gdp)
    out = services.backtest(draws=200, seed=1, plan=qingpu_plan)
    assert out["source"].startswith("accounting inventory 2020-2022")
    assert out["base_year"] == 2020 and out["co2_t"]["years"] == [2021, 2022]
    inv = acc.inventory(qingpu_plan).result["by_year"]
    actual = [inv[str(y)]["co2_t"] for y in (2021, 2022)]
    assert out["co2_t"]["actual"] == actual  # the accounting app's own totals, not the projection's
    p10, p50, p90 = (out["co2_t"][k] for k in ("p10", "p50", "p90"))
    assert out["co2_t"]["mape_pct"] == pytest.approx(sum(abs(p - a) / a * 100 for p, a in zip(p50, actual)) / 2)
    assert out["co2_t"]["inside_p10_p90"] == sum(lo <= a <= hi for lo, a, hi in zip(p10, actual, p90))


def test_a_broken_inventory_is_an_explicit_error_not_a_silent_default(client, qingpu_plan):
    """An inventory the accounting engine cannot account (a unit it does not know) must not be replaced by
    the shipped default base: the services raise, the page says so, and the dashboard figure is not made up."""
    from carbonpeak.accounting.models import EnergyRecord, GdpRecord
    from carbonpeak.scenarios.summary import peak_probability

    EnergyRecord.objects.create(plan=qingpu_plan, entity_name="industry", entity_kind="sector", sector="industry",
                                carrier="electricity", quantity=10.0, unit="furlongs", year=2022)
    GdpRecord.objects.create(plan=qingpu_plan, year=2022, value_10k_yuan=13_500_000)
    with pytest.raises(services.BaseUnavailable, match="base year 2022: the accounting inventory cannot be accounted"):
        services.calibration(qingpu_plan)
    with pytest.raises(services.BaseUnavailable):
        peak_probability(qingpu_plan)
    before = ScenarioRun.objects.count()
    r = client.get("/scenarios/")
    assert r.status_code == 409 and 'id="base-error"' in r.content.decode() and "furlongs" in r.content.decode()
    assert ScenarioRun.objects.count() == before


def _three_accounting_years(plan):
    from carbonpeak.accounting.models import EnergyRecord, GdpRecord

    for year, scale, gdp in ((2020, 1.0, 12_000_000), (2021, 1.04, 12_900_000), (2022, 1.01, 13_300_000)):
        for sector, carrier, qty, unit in (("industry", "electricity", 40000.0, "万kWh"),
                                           ("transport", "gasoline", 50000.0, "t"),
                                           ("buildings", "electricity", 30000.0, "万kWh")):
            EnergyRecord.objects.create(plan=plan, entity_name=sector, entity_kind="sector", sector=sector,
                                        carrier=carrier, quantity=qty * scale, unit=unit, year=year)
        GdpRecord.objects.create(plan=plan, year=year, value_10k_yuan=gdp)


def test_progress_tracking_takes_observed_years_as_fact(client, qingpu_plan):
    from carbonpeak.accounting import services as acc

    assert client.get("/scenarios/progress/").status_code == 200  # no accounting yet: an empty state
    _three_accounting_years(qingpu_plan)
    _, plan_sc = services.ensure_defaults(qingpu_plan)
    out = services.progress(qingpu_plan, plan_sc, draws=200)
    inv = acc.inventory(qingpu_plan).result["by_year"]
    assert [v["base_year"] for v in out["vintages"]] == [2020, 2021, 2022]
    newest = out["vintages"][-1]
    assert newest["years"][:3] == [2020, 2021, 2022] and newest["observed_years"] == [2020, 2021]
    assert newest["p50"][:2] == [inv["2020"]["co2_t"], inv["2021"]["co2_t"]]  # exactly the inventory
    assert newest["p50"][2] == pytest.approx(inv["2022"]["co2_t"], rel=1e-12)  # the base year
    assert out["moved"]["from"] == 2021 and out["moved"]["to"] == 2022
    assert out["moved"]["p_peak_by"] == newest["p_peak_by"] - out["vintages"][1]["p_peak_by"]
    html = client.get("/scenarios/progress/").content.decode()
    assert 'id="chart-vintages"' in html and 'data-base-year="2022"' in html and 'id="moved"' in html
    # The API gives the page's figures, from the same service call.
    api = client.get("/api/scenarios/progress").json()
    page = json.loads(html.split('id="vintage-data" type="application/json">')[1].split("</script>")[0])
    assert api["plan"] == qingpu_plan.code and api["scenario"] == "plan"
    assert json.loads(json.dumps(services.progress(qingpu_plan, plan_sc), default=float)) == {
        k: v for k, v in api.items() if k not in ("plan", "scenario")}
    assert api["vintages"] == page and api["moved"]["to"] == 2022


def test_base_year_states_come_from_approved_reports_and_monitoring(qingpu_plan):
    """Fleet PUE measured by the monitored data centres (facility / IT energy), EV share from nothing: the
    first is the state, the second a listed fallback."""
    from carbonpeak.monitoring.models import Meter, RollupMonthly, Site
    from carbonpeak.monitoring.services import month_start_ts

    site = Site.objects.create(code="dc-1", name="DC 1", kind="data_centre")
    facility = Meter.objects.create(site=site, code="dc-1-fac", carrier="electricity", unit="kWh",
                                    category="facility_total")
    it = Meter.objects.create(site=site, code="dc-1-it", carrier="electricity", unit="kWh", category="it_load")
    for month in (1, 2):
        RollupMonthly.objects.create(meter=facility, bucket=month_start_ts(2021, month), consumption=1450.0)
        RollupMonthly.objects.create(meter=it, bucket=month_start_ts(2021, month), consumption=1000.0)
    RollupMonthly.objects.create(meter=facility, bucket=month_start_ts(2022, 1), consumption=9e9)  # not 2021
    state = services.observed_state(qingpu_plan, 2021)
    assert state["pue_base"][0] == pytest.approx(2900.0 / 2000.0) and "monitoring" in state["pue_base"][1]
    assert "ev_new_share_base" not in state
    baseline, _ = services.ensure_defaults(qingpu_plan)
    result = services.run(baseline, draws=50).result
    assert result["indicators"]["dc_fleet_pue"][0] == pytest.approx(1.45)
    assert any(n.startswith("drivers.pue_base = 1.45 in 2021: monitoring") for n in result["notes"])
    assert any(n.startswith("drivers.ev_new_share_base: no observed value for 2021") for n in result["notes"])


def test_pv_installed_base_state_comes_from_progress(qingpu_plan):
    """PV capacity added since 2021 as at the base year: the progress app's value of the plan's pv_capacity
    indicator (here approved projects); without one, the plan's 2021-2025 target taken as met, noted."""
    import datetime as dt

    from carbonpeak.tracking.models import Project, ReviewStatus

    assert "pv_installed_base" not in services.observed_state(qingpu_plan, 2021)
    indicator = qingpu_plan.indicators.get(role="pv_capacity")
    unit = qingpu_plan.units.exclude(kind="group").first()
    for kw, day in ((30000, dt.date(2021, 6, 1)), (12000, dt.date(2021, 11, 1)), (50000, dt.date(2022, 3, 1))):
        Project.objects.create(plan=qingpu_plan, kind="pv", name=f"PV {kw}", town=unit, responsible_unit=unit,
                               quantity=kw, quantity_unit="kW", commissioned_on=day, indicator=indicator,
                               status=ReviewStatus.APPROVED)
    value, source = services.observed_state(qingpu_plan, 2021)["pv_installed_base"]
    assert value == pytest.approx(42.0) and "pv-capacity-added" in source  # 42,000 kW by the end of 2021
    _, plan_scenario = services.ensure_defaults(qingpu_plan)
    result = services.run(plan_scenario, draws=20).result
    assert result["indicators"]["pv_installed_mw"][0] == pytest.approx(42.0)
    assert any(n.startswith("drivers.pv_installed_base = 42 in 2021: progress of indicator pv-capacity-added")
               for n in result["notes"])
