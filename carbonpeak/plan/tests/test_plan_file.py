"""Checks of the plan data files (plans/*.yaml) against the schema conventions and the plan's own text.

Pure PyYAML: no Django, no database. The Qingpu file is also checked, clause by clause, against the
full text of the issued plan (plans/sources/qingpu-carbon-peak-plan-2022.md).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
PLANS = REPO / "plans"
QINGPU = PLANS / "qingpu-2022.yaml"
EXAMPLE = PLANS / "example-district.yaml"
PLAN_TEXT = REPO / "plans/sources/qingpu-carbon-peak-plan-2022.md"

UNIT_KINDS = {"department", "town", "street", "company", "group"}
COMPARATORS = {"<", "<=", ">", ">=", "=", "reduce-by", "increase", "maintain"}
PERIOD_RE = re.compile(r"^(\d{4})-(\d{4})$")
CODE_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
INDICATOR_KEYS = {
    "code", "task", "name_zh", "name_en", "kind", "comparator", "target_value", "unit", "unit_en",
    "target_year", "baseline_value", "baseline_year", "period", "aggregation", "scope_zh",
    "higher_is_better", "source_quote", "note",
}

QINGPU_TOWNS = {"朱家角镇", "练塘镇", "金泽镇", "赵巷镇", "徐泾镇", "华新镇", "重固镇", "白鹤镇"}
QINGPU_STREETS = {"夏阳街道", "盈浦街道", "香花桥街道"}


def _load(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _norm(text: str) -> str:
    """The plan text with ** markup and all whitespace removed."""
    return re.sub(r"\s+", "", text.replace("**", ""))


@pytest.fixture(scope="module", params=[QINGPU, EXAMPLE], ids=["qingpu", "example"])
def plan(request) -> dict:
    return _load(request.param)


@pytest.fixture(scope="module")
def qingpu() -> dict:
    return _load(QINGPU)


@pytest.fixture(scope="module")
def example() -> dict:
    return _load(EXAMPLE)


@pytest.fixture(scope="module")
def plan_text() -> str:
    if not PLAN_TEXT.is_file():
        pytest.skip(f"plan source text not found at {PLAN_TEXT}; cannot check quotes against the plan")
    return PLAN_TEXT.read_text(encoding="utf-8")


def _names(doc: dict) -> dict[str, str]:
    names = {}
    for unit in doc["units"]:
        for name in [unit["name_zh"], *(unit.get("aliases") or [])]:
            names[name] = unit["code"]
    return names


def _tasks(doc: dict) -> list[tuple[str, dict]]:
    return [(f"{a['number']}.{t['number']}", t) for a in doc["actions"] for t in a["tasks"]]


def _indicators(doc: dict) -> dict[str, dict]:
    return {i["code"]: i for i in doc["indicators"]}


# --- structure, both files ---------------------------------------------------------------------

def test_header(plan):
    assert plan["schema_version"] == 1
    head = plan["plan"]
    for key in ("code", "name_zh", "name_en", "issuer_zh", "issuer_en", "district_zh", "district_en", "guiding_text_zh"):
        assert head.get(key), f"plan.{key} is empty"
    assert str(head["issued_on"])[:2] == "20"


def test_unit_codes_unique_and_kinds_valid(plan):
    codes = [u["code"] for u in plan["units"]]
    assert len(codes) == len(set(codes)), "duplicate unit codes"
    seen_names: dict[str, str] = {}
    for unit in plan["units"]:
        assert re.fullmatch(r"[a-z0-9-]+", unit["code"]), unit["code"]
        assert unit["kind"] in UNIT_KINDS, (unit["code"], unit["kind"])
        assert unit["name_zh"] and unit["name_en"], unit["code"]
        assert isinstance(unit.get("aliases", []), list)
        for name in [unit["name_zh"], *unit.get("aliases", [])]:
            assert name not in seen_names, f"name {name!r} used by {seen_names.get(name)} and {unit['code']}"
            seen_names[name] = unit["code"]
        if unit["kind"] == "group":
            assert all(m in codes for m in unit.get("members", [])), unit["code"]
        else:
            assert not unit.get("members"), f"{unit['code']} has members but is not a group"


def test_every_task_and_safeguard_unit_resolves(plan):
    names = _names(plan)
    owners = [(code, t["units"]) for code, t in _tasks(plan)]
    owners += [(f"safeguard {s['number']}", s["units"]) for s in plan.get("safeguards", [])]
    for owner, units in owners:
        assert units, f"{owner} has no responsible unit"
        unknown = [u for u in units if u not in names]
        assert not unknown, f"{owner}: unknown units {unknown}"
        resolved = [names[u] for u in units]
        assert len(resolved) == len(set(resolved)), f"{owner}: a unit is listed twice"


def test_action_and_task_numbers_unique(plan):
    numbers = [a["number"] for a in plan["actions"]]
    assert numbers == list(range(1, len(numbers) + 1))
    for action in plan["actions"]:
        tnums = [t["number"] for t in action["tasks"]]
        assert tnums == list(range(1, len(tnums) + 1)), action["number"]
        for task in action["tasks"]:
            for key in ("title_zh", "title_en", "summary_en", "text_zh"):
                assert task.get(key), f"task {action['number']}.{task['number']}: {key} is empty"
            assert "**" not in task["text_zh"]
            assert "责任单位" not in task["text_zh"]


def test_phase_goals(plan):
    codes = [g["code"] for g in plan["phase_goals"]]
    assert len(codes) == len(set(codes))
    for goal in plan["phase_goals"]:
        assert goal["start_year"] <= goal["end_year"]
        assert goal["text_zh"]


def test_indicators_well_formed(plan):
    codes = [i["code"] for i in plan["indicators"]]
    assert len(codes) == len(set(codes)), "duplicate indicator codes"
    task_codes = {code for code, _t in _tasks(plan)}
    goals = {g["code"] for g in plan["phase_goals"]}
    for ind in plan["indicators"]:
        code = ind["code"]
        assert CODE_RE.match(code), code
        missing = INDICATOR_KEYS - set(ind)
        assert not missing, f"{code}: missing keys {sorted(missing)}"
        assert isinstance(ind["target_year"], int) and 2020 <= ind["target_year"] <= 2060, code
        assert ind["comparator"] in COMPARATORS, code
        assert ind["kind"] in {"quantitative", "qualitative"}, code
        assert ind["aggregation"] in {"level", "cumulative"}, code
        assert isinstance(ind["higher_is_better"], bool), code
        assert ind["unit"] and ind["unit_en"] and ind["name_zh"] and ind["name_en"] and ind["source_quote"], code
        if ind["kind"] == "quantitative":
            assert isinstance(ind["target_value"], (int, float)), f"{code}: quantitative needs a number"
            assert ind["comparator"] not in {"increase", "maintain"}, code
        else:
            assert ind["target_value"] is None, f"{code}: qualitative has no target_value"
        if ind["task"] is None:
            assert ind.get("phase_goal") in goals, f"{code}: main-goal indicator needs a phase_goal"
        else:
            assert ind["task"] in task_codes, f"{code}: unknown task {ind['task']!r}"
            assert "phase_goal" not in ind, f"{code}: phase_goal only for main goals"
        if ind["aggregation"] == "cumulative":
            match = PERIOD_RE.match(ind["period"] or "")
            assert match, f"{code}: cumulative needs a period"
            assert int(match.group(2)) == ind["target_year"], f"{code}: period must end in the target year"
        else:
            assert ind["period"] is None, f"{code}: period only for cumulative targets"


# --- the Qingpu plan -----------------------------------------------------------------------------

def test_qingpu_actions_and_tasks(qingpu):
    counts = [len(a["tasks"]) for a in qingpu["actions"]]
    assert counts == [3, 4, 2, 4, 4, 4, 3, 2, 4, 5]
    assert sum(counts) == 35
    assert len(qingpu["safeguards"]) == 4
    assert [g["code"] for g in qingpu["phase_goals"]] == ["G2025", "G2030"]


def test_qingpu_towns_streets_and_groups(qingpu):
    by_name = {u["name_zh"]: u for u in qingpu["units"]}
    assert {n for n, u in by_name.items() if u["kind"] == "town"} == QINGPU_TOWNS
    assert {n for n, u in by_name.items() if u["kind"] == "street"} == QINGPU_STREETS
    code_of = {u["name_zh"]: u["code"] for u in qingpu["units"]}
    all_ts = {code_of[n] for n in QINGPU_TOWNS | QINGPU_STREETS}
    assert set(by_name["各镇、街道"]["members"]) == all_ts
    assert set(by_name["各相关镇"]["members"]) == {code_of[n] for n in QINGPU_TOWNS}
    assert by_name["各有关部门"]["members"] == []
    assert set(by_name["各有关部门"]["aliases"]) == {"各有关职能部门", "及各有关部门"}
    assert "区绿容局" in by_name["区绿化市容局"]["aliases"]
    assert by_name["区级公司"]["kind"] == "company"


def test_qingpu_lead_units(qingpu):
    tasks = dict(_tasks(qingpu))
    assert tasks["1.1"]["units"][0] == "区发改委"
    assert tasks["2.4"]["units"][0] == "区经委"
    assert tasks["6.2"]["units"][0] == "区绿化市容局"
    assert tasks["7.3"]["units"] == ["区科委", "区发改委", "区经委", "区市场监管局", "区国资委", "区知识产权局"]
    assert tasks["10.3"]["units"][-1] == "金泽镇"
    assert qingpu["safeguards"][0]["units"] == ["区发改委", "区生态环境局", "各有关部门", "各镇、街道", "区级公司"]


def test_qingpu_indicator_count(qingpu):
    assert len(qingpu["indicators"]) >= 50
    tasks_with_targets = {i["task"] for i in qingpu["indicators"] if i["task"]}
    # every action but 7 (technology) and 9.x apart from 9.2 states at least one target
    assert {t.split(".")[0] for t in tasks_with_targets} >= {"1", "2", "3", "4", "5", "6", "8", "9", "10"}


def test_qingpu_source_quotes_are_in_the_plan(qingpu, plan_text):
    text = _norm(plan_text)
    bad = [i["code"] for i in qingpu["indicators"] if _norm(i["source_quote"]) not in text]
    assert not bad, f"source_quote not found in the plan text: {bad}"


def test_qingpu_texts_are_the_plans_own(qingpu, plan_text):
    text = _norm(plan_text)
    pieces = [("guiding_text_zh", qingpu["plan"]["guiding_text_zh"])]
    pieces += [(g["code"], g["text_zh"]) for g in qingpu["phase_goals"]]
    pieces += [(code, t["text_zh"]) for code, t in _tasks(qingpu)]
    pieces += [(code, t["title_zh"]) for code, t in _tasks(qingpu)]
    pieces += [(f"safeguard {s['number']}", s["text_zh"]) for s in qingpu["safeguards"]]
    pieces += [(f"safeguard {s['number']}", s["title_zh"]) for s in qingpu["safeguards"]]
    bad = [where for where, piece in pieces if _norm(piece) not in text]
    assert not bad, f"text not found verbatim in the plan: {bad}"
    for code, task in _tasks(qingpu):
        # the task text is the whole paragraph between the title and the 责任单位 bracket
        assert _norm(task["title_zh"] + "。" + task["text_zh"] + "（责任单位") in text.replace("(责任单位", "（责任单位"), code


def test_qingpu_indicator_quotes_sit_in_their_task(qingpu):
    tasks = dict(_tasks(qingpu))
    goals = {g["code"]: g for g in qingpu["phase_goals"]}
    for ind in qingpu["indicators"]:
        home = tasks[ind["task"]]["text_zh"] if ind["task"] else goals[ind["phase_goal"]]["text_zh"]
        assert _norm(ind["source_quote"]) in _norm(home), ind["code"]


def _plan_unit_brackets(plan_text: str) -> list[list[str]]:
    """Every （责任单位：...） list in the plan, in order, split into names as the YAML spells them."""
    text = _norm(plan_text).replace("(", "（").replace(")", "）")
    lists = []
    for raw in re.findall(r"（责任单位：(.*?)）", text):
        raw = raw.replace("各镇、街道", "各镇街道")
        names = [n for n in re.split(r"[、，]|及", raw) if n]
        lists.append(["各镇、街道" if n == "各镇街道" else n for n in names])
    return lists


def test_qingpu_units_match_the_plan_brackets(qingpu, plan_text):
    brackets = _plan_unit_brackets(plan_text)
    owners = [(code, t["units"]) for code, t in _tasks(qingpu)]
    owners += [(f"safeguard {s['number']}", s["units"]) for s in qingpu["safeguards"]]
    assert len(brackets) == len(owners) == 39
    aliases = {"各有关部门": {"各有关部门", "各有关职能部门"}}
    for (owner, units), expected in zip(owners, brackets):
        assert len(units) == len(expected), (owner, units, expected)
        for have, want in zip(units, expected):
            assert want in aliases.get(have, {have}), (owner, units, expected)


# Hand-checked against the plan: code -> (target_value, unit, target_year, comparator).
# 超过 ("more than") is ">", 不低于/不少于/达到/以上 are ">=", 不高于 is "<=".
EXPECTED = {
    "energy-intensity-gdp": (14, "%", 2025, "reduce-by"),
    "carbon-peak-year": (2030, "年", 2030, "<="),
    "pv-capacity-added": (29.4, "万千瓦", 2025, ">="),
    "hydrogen-stations-new": (9, "座", 2025, ">="),
    "coal-consumption": (0, "万吨", 2025, "="),
    "dc-pue-new": (1.3, "PUE", 2025, "<="),
    "dc-pue-existing": (1.4, "PUE", 2025, "<="),
    "key-units-online-monitoring": (100, "%", 2025, "="),
    "ultra-low-energy-building-demo-area": (20, "万平方米", 2025, ">="),
    "new-residential-ultra-low-energy-share": (50, "%", 2030, ">="),
    "public-building-retrofit-area": (200, "万平方米", 2030, ">"),
    "public-building-retrofit-area-15pct": (20, "万平方米", 2030, ">="),
    "building-renewable-substitution-2025": (10, "%", 2025, ">="),
    "building-renewable-substitution-2030": (15, "%", 2030, ">="),
    "new-gov-school-factory-roof-pv-ratio": (50, "%", 2025, ">="),
    "new-other-public-roof-pv-ratio": (30, "%", 2025, ">="),
    "public-industrial-roof-pv-coverage": (50, "%", 2025, ">="),
    "new-private-car-bev-share": (50, "%", 2025, ">"),
    "passenger-car-bev-share-2035": (40, "%", 2035, ">"),
    "charging-piles-new": (1600, "个", 2025, ">="),
    "green-transport-share-2025": (75, "%", 2025, ">="),
    "green-transport-share-2035": (85, "%", 2035, ">="),
    "green-factories-new": (10, "家", 2025, ">="),
    "industrial-solid-waste-utilisation-rate": (95, "%", 2025, ">="),
    "household-waste-recycling-rate": (45, "%", 2025, ">="),
    "household-waste-harmless-treatment-rate": (100, "%", 2025, "="),
    "sewage-sludge-safe-disposal-rate": (100, "%", 2025, "="),
    "straw-utilisation-rate": (98, "%", 2025, ">="),
    "green-agri-product-certification-rate": (30, "%", 2025, ">="),
    "pesticide-use-reduction": (10, "%", 2025, "reduce-by"),
    "fertiliser-use-reduction": (9, "%", 2025, "reduce-by"),
    "rural-parks-new": (10, "座", 2025, ">="),
    "greenways-new": (45, "公里", 2025, ">="),
    "vertical-greening-new": (5.1, "万平方米", 2025, ">="),
    "forest-coverage-rate": (19, "%", 2025, ">="),
    "eco-clean-small-watersheds": (50, "%", 2025, ">="),
    "cbd-green-low-carbon-demo-zone-area": (1, "平方公里", 2025, ">="),
    "demo-zone-hongqiao-travel-time": (45, "分钟", 2025, "<="),
}

# Hand-checked: code -> (period, aggregation, scope_zh)
EXPECTED_PERIODS = {
    "pv-capacity-added": ("2021-2025", "cumulative", "全区"),
    "charging-piles-new": ("2021-2025", "cumulative", "全区"),
    "ultra-low-energy-building-demo-area": ("2021-2025", "cumulative", "青浦新城"),
    "public-building-retrofit-area": ("2021-2030", "cumulative", "全区"),
    "public-building-retrofit-area-15pct": ("2021-2030", "cumulative", "全区"),
    "new-city-ultra-low-energy-standard-2030": (None, "level", "新城区域"),
    "water-village-clean-energy-transport": (None, "level", "水乡客厅"),
    "central-city-green-travel-share": (None, "level", "中心城"),
    "forest-coverage-rate": (None, "level", "全区"),
    "energy-intensity-gdp": (None, "level", "全区"),
}

# Targets the plan states without a number
EXPECTED_QUALITATIVE = {
    "non-fossil-energy-share-2025": ("G2025", "increase"),
    "non-fossil-energy-share-2030": ("G2030", "increase"),
    "carbon-intensity-gdp-2025": ("G2025", "reduce-by"),
    "carbon-intensity-gdp-2030": ("G2030", "reduce-by"),
}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_qingpu_hand_checked_targets(qingpu, code):
    ind = _indicators(qingpu).get(code)
    assert ind is not None, f"indicator {code} is missing"
    value, unit, year, comparator = EXPECTED[code]
    assert ind["kind"] == "quantitative"
    assert ind["target_value"] == pytest.approx(value)
    assert (ind["unit"], ind["target_year"], ind["comparator"]) == (unit, year, comparator)


@pytest.mark.parametrize("code", sorted(EXPECTED_PERIODS))
def test_qingpu_hand_checked_periods(qingpu, code):
    ind = _indicators(qingpu)[code]
    assert (ind["period"], ind["aggregation"], ind["scope_zh"]) == EXPECTED_PERIODS[code]


@pytest.mark.parametrize("code", sorted(EXPECTED_QUALITATIVE))
def test_qingpu_main_goal_qualitative(qingpu, code):
    ind = _indicators(qingpu)[code]
    goal, comparator = EXPECTED_QUALITATIVE[code]
    assert ind["task"] is None and ind["phase_goal"] == goal
    assert ind["kind"] == "qualitative" and ind["target_value"] is None and ind["comparator"] == comparator


def test_qingpu_main_goal_baselines(qingpu):
    inds = _indicators(qingpu)
    assert inds["energy-intensity-gdp"]["baseline_year"] == 2020
    assert inds["energy-intensity-gdp"]["higher_is_better"] is False
    assert inds["carbon-peak-year"]["phase_goal"] == "G2030"
    main = {c for c, i in inds.items() if i["task"] is None}
    assert main == {"energy-intensity-gdp", "non-fossil-energy-share-2025", "carbon-intensity-gdp-2025",
                    "non-fossil-energy-share-2030", "carbon-intensity-gdp-2030", "carbon-peak-year"}


# --- the example plan ----------------------------------------------------------------------------

def test_example_shape(example):
    assert example["plan"]["district_zh"] == "示例区"
    assert len(example["actions"]) == 4
    assert sum(len(a["tasks"]) for a in example["actions"]) == 6
    assert len(example["units"]) == 9
    assert sum(u["kind"] == "town" for u in example["units"]) == 2
    assert len(example["indicators"]) == 13
    assert example["plan"]["code"] != "qingpu-2022"


def test_every_plan_names_its_issued_text_and_its_quotes_are_in_it(plan):
    source = PLANS / plan["plan"]["source_text"]
    text = _norm(source.read_text(encoding="utf-8"))
    bad = [i["code"] for i in plan["indicators"] if _norm(i["source_quote"]) not in text]
    assert not bad, f"quotes not in {source.name}: {bad}"


def test_example_quotes_sit_in_their_task(example):
    tasks = dict(_tasks(example))
    goals = {g["code"]: g for g in example["phase_goals"]}
    for ind in example["indicators"]:
        home = tasks[ind["task"]]["text_zh"] if ind["task"] else goals[ind["phase_goal"]]["text_zh"]
        assert _norm(ind["source_quote"]) in _norm(home), ind["code"]
