"""Indicator roles: what the platform reads from a plan comes from the plan file, for every plan.

A plan without a role gets "no target" (None), never another district's number.
"""

from pathlib import Path

import pytest

from carbonpeak.accounting import services as accounting
from carbonpeak.accounting.engine.inventory import dual_control
from carbonpeak.monitoring.models import Site
from carbonpeak.monitoring.services import pue_limit
from carbonpeak.plan.loader import load_plan_file
from carbonpeak.plan.planfile import ROLES, PlanFileErrors, read_plan_file
from carbonpeak.plan.selectors import indicator_for_role
from conftest import EXAMPLE_PLAN, QINGPU_PLAN

PARTIAL_PLAN = Path(__file__).parent / "data" / "partial-district.yaml"


def _errors(tmp_path, text: str) -> list:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanFileErrors) as info:
        read_plan_file(path)
    return info.value.errors


def test_an_unknown_role_is_an_error_naming_line_and_field(tmp_path):
    text = PARTIAL_PLAN.read_text(encoding="utf-8").replace("role: peak_year", "role: peak_yr")
    [error] = _errors(tmp_path, text)
    assert error.field == "indicators[1] (peak).role" and "peak_yr" in error.message
    assert error.line == text.splitlines().index("    role: peak_yr") + 1


def test_one_indicator_per_role_and_target_year(tmp_path):
    text = PARTIAL_PLAN.read_text(encoding="utf-8").replace("role: peak_year", "role: energy_intensity").replace(
        "target_year: 2030", "target_year: 2025")
    [error] = _errors(tmp_path, text)
    assert error.field == "indicators[1] (peak).role" and "energy_intensity" in error.message


@pytest.mark.parametrize("path", [QINGPU_PLAN, EXAMPLE_PLAN], ids=["qingpu", "example"])
def test_shipped_plans_use_only_documented_roles(path):
    roles = {i.role for i in read_plan_file(path).indicators if i.role}
    assert roles <= set(ROLES)
    assert {"energy_intensity", "peak_year", "pv_capacity", "dc_pue_new", "dc_pue_existing"} <= roles
    documented = (Path(__file__).resolve().parents[3] / "docs" / "plan-file.md").read_text(encoding="utf-8")
    assert all(f"`{role}`" in documented for role in ROLES)


@pytest.mark.django_db
def test_indicator_for_role_reads_each_plan_its_own(qingpu_plan, example_plan):
    assert indicator_for_role(qingpu_plan, "energy_intensity").target_value == 14
    assert indicator_for_role(example_plan, "energy_intensity").target_value == 13.5
    assert indicator_for_role(qingpu_plan, "green_travel_share", 2035).code == "green-transport-share-2035"
    assert indicator_for_role(example_plan, "green_travel_share", 2035) is None
    assert indicator_for_role(example_plan, "energy_total") is None


@pytest.mark.django_db
def test_accounting_target_is_the_plans_own_or_none(qingpu_plan):
    partial = load_plan_file(str(PARTIAL_PLAN)).plan
    assert accounting.targets(qingpu_plan)["reduction"] == pytest.approx(0.14)
    assert accounting.targets(partial)["reduction"] is None
    by_year = {y: {"energy_tce": 100.0 - y % 10, "co2_t": 200.0, "non_fossil_tce": 5.0, "coal_tce": 0.0}
               for y in (2020, 2022)}
    result = dual_control(by_year, {2020: 1000.0, 2022: 1100.0}, reduction=None)
    assert result["summary"]["target_energy_intensity"] is None
    assert all(r["trajectory_energy_intensity"] is None for r in result["years"])


@pytest.mark.django_db
def test_pue_limits_come_from_the_sites_plan(qingpu_plan, example_plan):
    def site(plan, code, generation):
        town = plan.units.filter(kind="town").first()
        return Site.objects.create(code=code, name=code, kind=Site.Kind.DATA_CENTRE, town=town,
                                   dc_generation=generation)

    assert pue_limit(site(qingpu_plan, "q-new", "new")) == 1.3
    assert pue_limit(site(qingpu_plan, "q-old", "existing")) == 1.4
    assert pue_limit(site(example_plan, "e-new", "new")) == 1.25
    assert pue_limit(site(example_plan, "e-old", "existing")) == 1.5
    partial = load_plan_file(str(PARTIAL_PLAN)).plan
    unit = partial.units.get()
    none = Site.objects.create(code="p-new", name="p", kind=Site.Kind.DATA_CENTRE, responsible_unit=unit,
                               dc_generation="new")
    assert pue_limit(none) is None
