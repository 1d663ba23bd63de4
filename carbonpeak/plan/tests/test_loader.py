"""Loading plan files: validation errors name file, line and field; reloads update, never duplicate."""

import json
import textwrap
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from carbonpeak.plan.loader import load_plan_file
from carbonpeak.plan.models import Indicator, Plan, ResponsibleUnit, Task, TaskUnit
from carbonpeak.plan.planfile import PlanFileErrors, read_plan_file
from conftest import EXAMPLE_PLAN, QINGPU_PLAN

MINIMAL = """\
schema_version: 1
plan:
  code: tiny
  name_zh: 小区碳达峰实施方案
  issuer_zh: 小区人民政府
  district_zh: 小区
units:
  - {code: fgw, name_zh: 区发改委, kind: department}
  - {code: town-a, name_zh: 甲镇, kind: town}
  - {code: towns, name_zh: 各镇, kind: group, members: [town-a], aliases: [各镇、街道]}
actions:
  - number: 1
    name_zh: 能源行动
    tasks:
      - number: 1
        title_zh: 发展光伏
        units: [区发改委, 各镇]
indicators:
  - code: pv
    task: "1.1"
    name_zh: 新增光伏
    comparator: ">="
    target_value: 10
    unit: 万千瓦
    target_year: 2025
    period: 2021-2025
    aggregation: cumulative
    source_quote: 新增光伏10万千瓦
"""


def write(tmp_path, text: str, name: str = "plan.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def errors_of(path) -> list:
    with pytest.raises(PlanFileErrors) as info:
        read_plan_file(path)
    return info.value.errors


def test_minimal_plan_reads(tmp_path):
    spec = read_plan_file(write(tmp_path, MINIMAL))
    assert spec.code == "tiny"
    assert spec.actions[0].tasks[0].units == ["fgw", "towns"]
    assert spec.indicators[0].target_value == 10.0


def test_unknown_unit_is_reported_with_line_and_field(tmp_path):
    path = write(tmp_path, MINIMAL.replace("units: [区发改委, 各镇]", "units: [区发改委, 区不存在局]"))
    [error] = errors_of(path)
    assert error.file == str(path)
    assert error.line == MINIMAL.splitlines().index("        units: [区发改委, 各镇]") + 1
    assert error.field == "actions[0].tasks[0].units"
    assert "区不存在局" in error.message


def test_duplicate_indicator_code_and_missing_year(tmp_path):
    extra = MINIMAL + textwrap.indent(textwrap.dedent("""\
        - code: pv
          name_zh: 重复
          comparator: "<="
          target_value: 1
          source_quote: x
        """), "  ")
    errors = errors_of(write(tmp_path, extra))
    messages = {(e.field.split(".")[-1], e.message) for e in errors}
    assert ("code", "duplicate code 'pv'") in messages
    assert ("target_year", "is required") in messages
    assert all(e.line and e.line > 25 for e in errors)


def test_bad_values_are_each_reported(tmp_path):
    text = (MINIMAL.replace('comparator: ">="', "comparator: about")
            .replace("target_value: 10", "target_value: ten")
            .replace("kind: town}", "kind: village}"))
    fields = {e.field.split(".")[-1] for e in errors_of(write(tmp_path, text))}
    assert {"comparator", "target_value", "kind"} <= fields


def test_yaml_syntax_error_has_line(tmp_path):
    [error] = errors_of(write(tmp_path, MINIMAL + "  - code: [unclosed\n"))
    assert error.field == "yaml" and error.line is not None


def test_full_width_colon_is_reported_on_its_own_line_with_a_hint(tmp_path):
    text = MINIMAL.replace("  issuer_zh: 小区人民政府", "  issuer_zh： 小区人民政府")
    [error] = errors_of(write(tmp_path, text))
    assert error.line == MINIMAL.splitlines().index("  issuer_zh: 小区人民政府") + 1
    assert error.field == "yaml" and "：" in error.message and "issuer_zh" in error.message


def test_full_width_comma_in_a_flow_list_gets_a_hint(tmp_path):
    [error] = errors_of(write(tmp_path, MINIMAL.replace("units: [区发改委, 各镇]", "units: [区发改委， 各镇")))
    assert error.field == "yaml" and "，" in error.message


def _with_issued_text(tmp_path, text: str, quote: str = "新增光伏10万千瓦"):
    (tmp_path / "sources").mkdir(exist_ok=True)
    (tmp_path / "sources" / "tiny.md").write_text(text, encoding="utf-8")
    plan = MINIMAL.replace("  district_zh: 小区\n", "  district_zh: 小区\n  source_text: sources/tiny.md\n")
    return write(tmp_path, plan.replace("source_quote: 新增光伏10万千瓦", f"source_quote: {quote}"))


def test_quotes_are_checked_against_the_issued_text_the_plan_names(tmp_path):
    path = _with_issued_text(tmp_path, "到2025年，新增光伏 10 万千瓦。\n")
    assert read_plan_file(path).source_text == str(tmp_path / "sources" / "tiny.md")


def test_a_made_up_quote_is_an_error_naming_file_line_and_field(tmp_path):
    path = _with_issued_text(tmp_path, "到2025年，新增光伏 10 万千瓦。\n", quote="新增光伏20万千瓦")
    [error] = errors_of(path)
    assert error.file == str(path) and error.field == "indicators[0] (pv).source_quote"
    assert error.line == path.read_text(encoding="utf-8").splitlines().index("    source_quote: 新增光伏20万千瓦") + 1


def test_a_missing_issued_text_is_an_error(tmp_path):
    path = write(tmp_path, MINIMAL.replace("  district_zh: 小区\n", "  district_zh: 小区\n  source_text: nowhere.md\n"))
    [error] = errors_of(path)
    assert error.field == "plan.source_text" and "nowhere.md" in error.message


@pytest.mark.django_db
def test_a_made_up_quote_in_the_example_plan_is_refused_at_load(tmp_path):
    for folder, name in (("sources", "example-district-plan-2024.md"), ("data", "example-base-2022.json")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_bytes((EXAMPLE_PLAN.parent / folder / name).read_bytes())
    text = EXAMPLE_PLAN.read_text(encoding="utf-8").replace("森林覆盖率达到 18% 以上", "森林覆盖率达到 28% 以上")
    path = write(tmp_path, text)
    with pytest.raises(PlanFileErrors) as info:
        load_plan_file(str(path))
    assert [e.field for e in info.value.errors] == ["indicators[4] (forest-coverage-rate).source_quote"]
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_reload_updates_in_place_and_never_duplicates(tmp_path):
    path = write(tmp_path, MINIMAL)
    first = load_plan_file(str(path))
    assert first.created
    task = Task.objects.get(code="1.1")
    assert list(TaskUnit.objects.filter(task=task).values_list("unit__code", "is_lead", "via_group__code")) == [
        ("fgw", True, None), ("towns", False, None), ("town-a", False, "towns")]
    path.write_text(MINIMAL.replace("target_value: 10", "target_value: 12"), encoding="utf-8")
    second = load_plan_file(str(path))
    assert not second.created
    assert Plan.objects.count() == 1 and Indicator.objects.count() == 1 and Task.objects.count() == 1
    assert Indicator.objects.get(code="pv").target_value == 12
    assert Task.objects.get(code="1.1").pk == task.pk


@pytest.mark.django_db
def test_failed_load_keeps_what_was_stored(tmp_path):
    path = write(tmp_path, MINIMAL)
    load_plan_file(str(path))
    path.write_text(MINIMAL.replace("units: [区发改委, 各镇]", "units: [区外星局]"), encoding="utf-8")
    with pytest.raises(PlanFileErrors):
        load_plan_file(str(path))
    links = TaskUnit.objects.filter(task__code="1.1").order_by("position")
    assert list(links.values_list("unit__code", flat=True)) == ["fgw", "towns", "town-a"]


@pytest.mark.django_db
def test_cli_load_reports_errors(tmp_path):
    path = write(tmp_path, MINIMAL.replace("target_year: 2025", "target_year: soon"))
    with pytest.raises(CommandError) as info:
        call_command("plan", "load", str(path))
    assert f"{path}:" in str(info.value) and "target_year" in str(info.value)


@pytest.mark.django_db
def test_second_district_plan_loads_and_exports():
    out = StringIO()
    call_command("plan", "load", str(EXAMPLE_PLAN), stdout=out)
    plan = Plan.objects.get()
    assert plan.code != "qingpu-2022"
    export = StringIO()
    call_command("plan", "export", "--plan", plan.code, "--format", "json", stdout=export)
    data = json.loads(export.getvalue())
    assert set(data) >= {"plan", "actions", "tasks", "units", "indicators"}
    assert data["tasks"] and data["indicators"]
    assert any(u["kind"] == "town" for u in data["units"])


@pytest.mark.django_db
def test_qingpu_plan_loads_whole():
    summary = load_plan_file(str(QINGPU_PLAN))
    assert summary.counts["actions"] == 10
    assert summary.counts["tasks"] == 35
    assert summary.counts["indicators"] >= 45
    towns = ResponsibleUnit.objects.filter(kind__in=["town", "street"]).values_list("name_zh", flat=True)
    assert set(towns) == {"朱家角镇", "练塘镇", "金泽镇", "赵巷镇", "徐泾镇", "华新镇", "重固镇", "白鹤镇",
                          "夏阳街道", "盈浦街道", "香花桥街道"}
    again = load_plan_file(str(QINGPU_PLAN))
    assert again.counts == summary.counts
