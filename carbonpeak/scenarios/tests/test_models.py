"""Scenario versioning, defaults from the plan registry, copies, and calibration on the accounting inventory."""

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
    assert snaps[1]["levers"]["pv"]["additions_mw"]["points"] == {"2021": pytest.approx(58.8)}
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
    assert 0 <= out["co2_t"]["mape_pct"] < 50
