"""Read and validate a plan file (plans/*.yaml) into plain data, with errors that name file, line and field.

No ORM here: `carbonpeak.plan.loader` writes the validated plan to the database.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SCHEMA_VERSION = 1
PLANS_DIR = Path(__file__).resolve().parents[2] / "plans"
"""The shipped plan files."""
UNIT_KINDS = {"department", "town", "street", "company", "group"}
COMPARATORS = {"<=", ">=", "<", ">", "=", "reduce-by", "increase", "maintain"}
QUALITATIVE_COMPARATORS = {"increase", "maintain"}
AGGREGATIONS = {"level", "cumulative"}
TRAJECTORIES = {"linear", "geometric", "step"}
#: Where an indicator's actual values come from (the `source` key): units' approved reports, approved projects
#: rolled up, or a metric another app computes (see docs/progress.md). Default: projects for cumulative targets.
SOURCES = (
    "reported", "projects",
    "accounting.energy_total", "accounting.energy_intensity_change", "accounting.co2_total",
    "accounting.co2_intensity_change", "accounting.non_fossil_share", "accounting.coal_consumption",
    "monitoring.key_unit_coverage", "monitoring.dc_pue_new", "monitoring.dc_pue_existing",
    "monitoring.public_building_eui",
    "scenarios.peak_year", "scenarios.peak_probability",
)
INDICATOR_KINDS = {"quantitative", "qualitative"}
ROLES = {
    "energy_intensity": "energy consumption per unit of GDP (reduce-by % against baseline_year); accounting, dashboard",
    "co2_intensity": "CO2 emissions per unit of GDP (reduce-by % against baseline_year)",
    "energy_total": "total energy consumption (cap)",
    "non_fossil_share": "share of non-fossil energy in energy consumption (%)",
    "peak_year": "the year by which CO2 emissions peak",
    "pv_capacity": "PV capacity added over a period (万千瓦, MW); scenario PV lever",
    "ev_share": "battery-electric share of new private cars (%); scenario EV lever",
    "green_travel_share": "share of green travel (%), one per target year; scenario transport lever",
    "dc_pue_new": "PUE limit of new data centres; monitoring alerts, scenario data-centre lever",
    "dc_pue_existing": "PUE limit of existing data centres; monitoring alerts, scenario data-centre lever",
    "building_retrofit": "existing public building area retrofitted (万平方米, m²); scenario buildings lever",
    "ultra_low_energy_share": "ultra-low-energy share of new residential buildings (%); scenario buildings lever",
}
"""The closed vocabulary of indicator roles: what the platform reads from a plan. At most one indicator per role
and target year."""


@dataclass
class PlanFileError(Exception):
    """One problem in a plan file, located by file, line and field."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}"


@dataclass
class PlanFileErrors(Exception):
    errors: list[PlanFileError]

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class _Map(dict):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int] = {}  # replaced per instance by the loader; never mutated

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> _Map:  # type: ignore[override]
        mapping = _Map(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {k.value: k.start_mark.line + 1 for k, _v in node.value if hasattr(k, "value")}
        return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping)


@dataclass
class UnitSpec:
    code: str
    name_zh: str
    name_en: str
    kind: str
    aliases: list[str]
    members: list[str]


@dataclass
class TaskSpec:
    action_number: int
    number: int
    title_zh: str
    title_en: str
    summary_en: str
    text_zh: str
    units: list[str]  # unit codes, resolved; first is the lead

    @property
    def code(self) -> str:
        return f"{self.action_number}.{self.number}"


@dataclass
class ActionSpec:
    number: int
    name_zh: str
    name_en: str
    tasks: list[TaskSpec]


@dataclass
class SafeguardSpec:
    number: int
    title_zh: str
    title_en: str
    text_zh: str
    units: list[str]


@dataclass
class PhaseGoalSpec:
    code: str
    name_zh: str
    name_en: str
    start_year: int
    end_year: int
    text_zh: str


@dataclass
class IndicatorSpec:
    code: str
    task: str | None
    phase_goal: str | None
    name_zh: str
    name_en: str
    kind: str
    comparator: str
    target_value: float | None
    unit: str
    unit_en: str
    target_year: int
    baseline_value: float | None
    baseline_year: int | None
    period: str
    aggregation: str
    trajectory: str
    scope_zh: str
    higher_is_better: bool
    source_quote: str
    note: str
    role: str = ""
    parent_indicator: str = ""  # code of the parent plan's target this one is issued from (市下达指标)
    source: str = "reported"


@dataclass
class PlanSpec:
    path: str
    sha256: str
    code: str
    name_zh: str
    name_en: str
    issuer_zh: str
    issuer_en: str
    document_number: str
    issued_on: dt.date | None
    district_zh: str
    district_en: str
    parent_plan_zh: str
    guiding_text_zh: str
    source_text: str = ""  # the issued text the source quotes are checked against (resolved path); "" if none
    scenario_base: str = ""  # the scenario calibration base-data file (resolved path); "" if none
    parent: str = ""  # code of the parent (city) plan, e.g. shanghai-2022
    units: list[UnitSpec] = field(default_factory=list)
    phase_goals: list[PhaseGoalSpec] = field(default_factory=list)
    actions: list[ActionSpec] = field(default_factory=list)
    safeguards: list[SafeguardSpec] = field(default_factory=list)
    indicators: list[IndicatorSpec] = field(default_factory=list)

    @property
    def task_codes(self) -> set[str]:
        return {t.code for a in self.actions for t in a.tasks}


class _Reader:
    """Collects every error in the file instead of stopping at the first."""

    def __init__(self, path: str):
        self.path = path
        self.errors: list[PlanFileError] = []

    def error(self, node: Any, key: str, field: str, message: str) -> None:
        line = node.line_of(key) if isinstance(node, _Map) else None
        self.errors.append(PlanFileError(self.path, line, field, message))

    def get(self, node: _Map, key: str, field: str, kind: type | tuple = str, required: bool = True,
            default: Any = None) -> Any:
        value = node.get(key)
        if value is None:
            if required:
                self.error(node, key, field, "is required")
            return default
        if kind is float and isinstance(value, bool):
            self.error(node, key, field, f"must be a number, got {value!r}")
            return default
        if kind is float and isinstance(value, int):
            return float(value)
        if kind is str and isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, kind):
            expected = {str: "text", int: "a whole number", float: "a number", list: "a list", bool: "true or false",
                        _Map: "a mapping"}.get(kind, str(kind))
            self.error(node, key, field, f"must be {expected}, got {value!r}")
            return default
        return value

    def items(self, node: _Map, key: str, field: str, required: bool = True) -> list[_Map]:
        values = self.get(node, key, field, list, required=required, default=[]) or []
        good = []
        for i, item in enumerate(values):
            if isinstance(item, _Map):
                good.append(item)
            else:
                self.error(node, key, f"{field}[{i}]", f"must be a mapping, got {item!r}")
        return good


def find_plan_file(code: str, folder: Path = PLANS_DIR) -> Path | None:
    """The plan file of plan `code` in `folder`: `<code>.yaml`, else the one whose plan.code is `code`."""
    named = folder / f"{code}.yaml"
    if named.is_file():
        return named
    for path in sorted(folder.glob("*.yaml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(doc, dict) and isinstance(doc.get("plan"), dict) and doc["plan"].get("code") == code:
            return path
    return None


FULL_WIDTH_KEY = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*：")
"""A key followed by a full-width colon (：), which YAML reads as part of a plain text instead of a key separator."""


def read_plan_file(path: str | Path) -> PlanSpec:
    """Parse and validate a plan file; raise PlanFileErrors listing every problem found."""
    import hashlib

    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlanFileErrors([PlanFileError(name, None, "file", f"cannot read: {exc.strerror}")]) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlanFileErrors([PlanFileError(name, None, "file", "is not UTF-8 text")]) from exc
    doc = _parse_yaml(text, name)
    if not isinstance(doc, _Map):
        raise PlanFileErrors([PlanFileError(name, 1, "file", "must be a YAML mapping with plan, units, actions...")])
    reader = _Reader(name)
    spec = _read(doc, reader, name, hashlib.sha256(raw).hexdigest())
    _check_quotes(doc, reader, spec, path)
    _resolve_scenario_base(doc, reader, spec, path)
    if reader.errors:
        raise PlanFileErrors(reader.errors)
    return spec


def _parse_yaml(text: str, name: str) -> Any:
    """YAML with a line per key. When it does not parse, full-width colons used as key separators are reported on
    their own lines: the parser notices them only a line later, with a message that does not say why."""
    wide = [PlanFileError(name, n, "yaml", f"full-width colon '：' after key {m.group(1)!r}; "
                          "a key is separated from its value by the ASCII colon ':'")
            for n, line in enumerate(text.splitlines(), 1) if (m := FULL_WIDTH_KEY.match(line))]
    try:
        doc = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        if wide:
            raise PlanFileErrors(wide) from exc
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = str(getattr(exc, "problem", None) or exc)
        context = getattr(exc, "context", None)
        message = f"{context}: {problem}" if context else problem
        if mark is not None and _has_full_width(text, mark.line):
            message += " (full-width punctuation such as '：', '，' or '－' near here? YAML needs ASCII ':', ',', '-')"
        raise PlanFileErrors([PlanFileError(name, line, "yaml", message)]) from exc
    return doc


def _has_full_width(text: str, index: int) -> bool:
    """Whether the error line or the one before it has full-width YAML punctuation outside quoted text."""
    lines = text.splitlines()
    near = lines[max(0, index - 1):index + 1]
    return any(ch in re.sub(r"(\"[^\"]*\"|'[^']*')", "", line) for line in near for ch in "：，－［］｛｝")


def normalize_quote(text: str) -> str:
    """Text as quotes are compared: without whitespace (line and page breaks of the source) and ** markup."""
    return re.sub(r"\s+", "", text.replace("**", ""))


def _resolve_scenario_base(doc: _Map, r: _Reader, spec: PlanSpec, path: Path) -> None:
    """`scenario_base` names a JSON base-data file (relative to the plan file) for the scenario projections."""
    if not spec.scenario_base:
        return
    base = (path.parent / spec.scenario_base).resolve()
    if not base.is_file():
        r.error(doc.get("plan"), "scenario_base", "plan.scenario_base", f"no base-data file {str(base)!r}")
    spec.scenario_base = str(base)


def _check_quotes(doc: _Map, r: _Reader, spec: PlanSpec, path: Path) -> None:
    """Every source_quote must be in the plan's issued text (`source_text`, relative to the plan file)."""
    plan = doc.get("plan")
    if not isinstance(plan, _Map) or not spec.source_text:
        return
    source = (path.parent / spec.source_text).resolve()
    try:
        text = normalize_quote(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        r.error(plan, "source_text", "plan.source_text", f"cannot read the issued text {str(source)!r}: {exc}")
        spec.source_text = ""
        return
    spec.source_text = str(source)
    nodes = [n for n in doc.get("indicators") or [] if isinstance(n, _Map)]
    for i, (node, ind) in enumerate(zip(nodes, spec.indicators)):
        if ind.source_quote and normalize_quote(ind.source_quote) not in text:
            r.error(node, "source_quote", f"indicators[{i}] ({ind.code}).source_quote",
                    f"not found in the issued text {spec.source_text}: {ind.source_quote!r}")


def _read(doc: _Map, r: _Reader, name: str, sha: str) -> PlanSpec:
    version = r.get(doc, "schema_version", "schema_version", int)
    if version is not None and version != SCHEMA_VERSION:
        r.error(doc, "schema_version", "schema_version", f"unsupported version {version}, expected {SCHEMA_VERSION}")
    plan = r.get(doc, "plan", "plan", _Map, default=_Map())
    issued = plan.get("issued_on")
    if issued is not None and not isinstance(issued, dt.date):
        r.error(plan, "issued_on", "plan.issued_on", f"must be a date YYYY-MM-DD, got {issued!r}")
        issued = None
    spec = PlanSpec(
        path=name, sha256=sha,
        code=r.get(plan, "code", "plan.code", default=""),
        name_zh=r.get(plan, "name_zh", "plan.name_zh", default=""),
        name_en=r.get(plan, "name_en", "plan.name_en", required=False, default=""),
        issuer_zh=r.get(plan, "issuer_zh", "plan.issuer_zh", default=""),
        issuer_en=r.get(plan, "issuer_en", "plan.issuer_en", required=False, default=""),
        document_number=r.get(plan, "document_number", "plan.document_number", required=False, default=""),
        issued_on=issued,
        district_zh=r.get(plan, "district_zh", "plan.district_zh", default=""),
        district_en=r.get(plan, "district_en", "plan.district_en", required=False, default=""),
        parent_plan_zh=r.get(plan, "parent_plan_zh", "plan.parent_plan_zh", required=False, default=""),
        guiding_text_zh=r.get(plan, "guiding_text_zh", "plan.guiding_text_zh", required=False, default=""),
        source_text=r.get(plan, "source_text", "plan.source_text", required=False, default=""),
        scenario_base=r.get(plan, "scenario_base", "plan.scenario_base", required=False, default=""),
        parent=r.get(plan, "parent", "plan.parent", required=False, default=""),
    )
    names = _read_units(doc, r, spec)
    _read_phase_goals(doc, r, spec)
    _read_actions(doc, r, spec, names)
    _read_safeguards(doc, r, spec, names)
    _read_indicators(doc, r, spec)
    return spec


def _unique(r: _Reader, node: _Map, key: str, field: str, value: Any, seen: set) -> None:
    if value in seen:
        r.error(node, key, field, f"duplicate {key} {value!r}")
    seen.add(value)


def _read_units(doc: _Map, r: _Reader, spec: PlanSpec) -> dict[str, str]:
    """Read units; return the map from every name and alias to the unit code."""
    codes: set[str] = set()
    names: dict[str, str] = {}
    for i, node in enumerate(r.items(doc, "units", "units", required=False)):
        f = f"units[{i}]"
        unit = UnitSpec(
            code=r.get(node, "code", f"{f}.code", default=""),
            name_zh=r.get(node, "name_zh", f"{f}.name_zh", default=""),
            name_en=r.get(node, "name_en", f"{f}.name_en", required=False, default=""),
            kind=r.get(node, "kind", f"{f}.kind", default=""),
            aliases=r.get(node, "aliases", f"{f}.aliases", list, required=False, default=[]),
            members=r.get(node, "members", f"{f}.members", list, required=False, default=[]),
        )
        if unit.kind and unit.kind not in UNIT_KINDS:
            r.error(node, "kind", f"{f}.kind", f"unknown kind {unit.kind!r}; use one of {sorted(UNIT_KINDS)}")
        if unit.members and unit.kind != "group":
            r.error(node, "members", f"{f}.members", "only a unit of kind group has members")
        _unique(r, node, "code", f"{f}.code", unit.code, codes)
        for alias in [unit.name_zh, *unit.aliases]:
            if alias in names and names[alias] != unit.code:
                r.error(node, "name_zh", f"{f}.name_zh", f"name {alias!r} is already used by unit {names[alias]!r}")
            names[str(alias)] = unit.code
        unit._node = node  # type: ignore[attr-defined]
        spec.units.append(unit)
    for i, unit in enumerate(spec.units):
        for member in unit.members:
            if member not in codes:
                r.error(unit._node, "members", f"units[{i}].members", f"unknown unit code {member!r}")  # type: ignore[attr-defined]
    return names


def _resolve_units(r: _Reader, node: _Map, field: str, names: dict[str, str]) -> list[str]:
    result = []
    for raw in r.get(node, "units", f"{field}.units", list, default=[]) or []:
        code = names.get(str(raw).strip())
        if code is None:
            r.error(node, "units", f"{field}.units", f"unknown unit name {raw!r} (add it to units: or as an alias)")
        elif code in result:
            r.error(node, "units", f"{field}.units", f"unit {raw!r} is listed twice")
        else:
            result.append(code)
    return result


def _read_phase_goals(doc: _Map, r: _Reader, spec: PlanSpec) -> None:
    codes: set[str] = set()
    for i, node in enumerate(r.items(doc, "phase_goals", "phase_goals", required=False)):
        f = f"phase_goals[{i}]"
        goal = PhaseGoalSpec(
            code=r.get(node, "code", f"{f}.code", default=""),
            name_zh=r.get(node, "name_zh", f"{f}.name_zh", default=""),
            name_en=r.get(node, "name_en", f"{f}.name_en", required=False, default=""),
            start_year=r.get(node, "start_year", f"{f}.start_year", int, default=0),
            end_year=r.get(node, "end_year", f"{f}.end_year", int, default=0),
            text_zh=r.get(node, "text_zh", f"{f}.text_zh", required=False, default=""),
        )
        _unique(r, node, "code", f"{f}.code", goal.code, codes)
        spec.phase_goals.append(goal)


def _read_actions(doc: _Map, r: _Reader, spec: PlanSpec, names: dict[str, str]) -> None:
    numbers: set[int] = set()
    for i, node in enumerate(r.items(doc, "actions", "actions", required=False)):
        f = f"actions[{i}]"
        number = r.get(node, "number", f"{f}.number", int, default=0)
        _unique(r, node, "number", f"{f}.number", number, numbers)
        action = ActionSpec(number=number, name_zh=r.get(node, "name_zh", f"{f}.name_zh", default=""),
                            name_en=r.get(node, "name_en", f"{f}.name_en", required=False, default=""), tasks=[])
        task_numbers: set[int] = set()
        for j, tnode in enumerate(r.items(node, "tasks", f"{f}.tasks")):
            tf = f"{f}.tasks[{j}]"
            tnum = r.get(tnode, "number", f"{tf}.number", int, default=0)
            _unique(r, tnode, "number", f"{tf}.number", tnum, task_numbers)
            action.tasks.append(TaskSpec(
                action_number=number, number=tnum,
                title_zh=r.get(tnode, "title_zh", f"{tf}.title_zh", default=""),
                title_en=r.get(tnode, "title_en", f"{tf}.title_en", required=False, default=""),
                summary_en=r.get(tnode, "summary_en", f"{tf}.summary_en", required=False, default=""),
                text_zh=r.get(tnode, "text_zh", f"{tf}.text_zh", required=False, default=""),
                units=_resolve_units(r, tnode, tf, names),
            ))
        spec.actions.append(action)


def _read_safeguards(doc: _Map, r: _Reader, spec: PlanSpec, names: dict[str, str]) -> None:
    numbers: set[int] = set()
    for i, node in enumerate(r.items(doc, "safeguards", "safeguards", required=False)):
        f = f"safeguards[{i}]"
        number = r.get(node, "number", f"{f}.number", int, default=0)
        _unique(r, node, "number", f"{f}.number", number, numbers)
        spec.safeguards.append(SafeguardSpec(
            number=number, title_zh=r.get(node, "title_zh", f"{f}.title_zh", default=""),
            title_en=r.get(node, "title_en", f"{f}.title_en", required=False, default=""),
            text_zh=r.get(node, "text_zh", f"{f}.text_zh", required=False, default=""),
            units=_resolve_units(r, node, f, names),
        ))


def _choice(r: _Reader, node: _Map, key: str, field: str, allowed: set[str], default: str) -> str:
    value = r.get(node, key, field, required=False, default=default)
    if value not in allowed:
        r.error(node, key, field, f"unknown value {value!r}; use one of {sorted(allowed)}")
    return value


def _read_indicators(doc: _Map, r: _Reader, spec: PlanSpec) -> None:
    codes: set[str] = set()
    roles: set[tuple[str, Any]] = set()
    tasks = spec.task_codes
    goals = {g.code for g in spec.phase_goals}
    for i, node in enumerate(r.items(doc, "indicators", "indicators", required=False)):
        code = r.get(node, "code", f"indicators[{i}].code", default="")
        f = f"indicators[{i}] ({code})"
        _unique(r, node, "code", f"{f}.code", code, codes)
        task = r.get(node, "task", f"{f}.task", required=False)
        if task is not None and task not in tasks:
            r.error(node, "task", f"{f}.task", f"unknown task {task!r}")
        goal = r.get(node, "phase_goal", f"{f}.phase_goal", required=False)
        if goal is not None and goal not in goals:
            r.error(node, "phase_goal", f"{f}.phase_goal", f"unknown phase goal {goal!r}")
        kind = _choice(r, node, "kind", f"{f}.kind", INDICATOR_KINDS, "quantitative")
        comparator = r.get(node, "comparator", f"{f}.comparator", default="")
        if comparator and comparator not in COMPARATORS:
            r.error(node, "comparator", f"{f}.comparator", f"unknown comparator {comparator!r}; use one of {sorted(COMPARATORS)}")
        target = r.get(node, "target_value", f"{f}.target_value", float, required=False)
        if target is None and kind == "quantitative":
            r.error(node, "target_value", f"{f}.target_value", "a quantitative target needs a target_value")
        if target is not None and comparator in QUALITATIVE_COMPARATORS and kind == "quantitative":
            r.error(node, "comparator", f"{f}.comparator", f"{comparator!r} takes no target_value")
        period = r.get(node, "period", f"{f}.period", required=False, default="") or ""
        if period and not _valid_period(period):
            r.error(node, "period", f"{f}.period", f"must look like 2021-2025, got {period!r}")
        aggregation = _choice(r, node, "aggregation", f"{f}.aggregation", AGGREGATIONS, "level")
        if aggregation == "cumulative" and not period:
            r.error(node, "period", f"{f}.period", "a cumulative target needs a period such as 2021-2025")
        spec.indicators.append(IndicatorSpec(
            code=code, task=task, phase_goal=goal,
            name_zh=r.get(node, "name_zh", f"{f}.name_zh", default=""),
            name_en=r.get(node, "name_en", f"{f}.name_en", required=False, default=""),
            kind=kind, comparator=comparator, target_value=target,
            unit=r.get(node, "unit", f"{f}.unit", required=False, default="") or "",
            unit_en=r.get(node, "unit_en", f"{f}.unit_en", required=False, default="") or "",
            target_year=r.get(node, "target_year", f"{f}.target_year", int, default=0),
            baseline_value=r.get(node, "baseline_value", f"{f}.baseline_value", float, required=False),
            baseline_year=r.get(node, "baseline_year", f"{f}.baseline_year", int, required=False),
            period=period, aggregation=aggregation,
            trajectory=_choice(r, node, "trajectory", f"{f}.trajectory", TRAJECTORIES, "linear"),
            scope_zh=r.get(node, "scope_zh", f"{f}.scope_zh", required=False, default="") or "",
            higher_is_better=r.get(node, "higher_is_better", f"{f}.higher_is_better", bool, required=False,
                                   default=True),
            source_quote=r.get(node, "source_quote", f"{f}.source_quote", default=""),
            note=r.get(node, "note", f"{f}.note", required=False, default="") or "",
            role=_role(r, node, f, roles),
            parent_indicator=_parent_indicator(r, node, f, spec),
            source=_choice(r, node, "source", f"{f}.source", set(SOURCES),
                           "projects" if aggregation == "cumulative" else "reported"),
        ))


def _role(r: _Reader, node: _Map, f: str, seen: set[tuple[str, Any]]) -> str:
    role = r.get(node, "role", f"{f}.role", required=False, default="") or ""
    if role and role not in ROLES:
        r.error(node, "role", f"{f}.role", f"unknown role {role!r}; use one of {sorted(ROLES)} (docs/plan-file.md)")
    elif role:
        key = (role, node.get("target_year"))
        if key in seen:
            r.error(node, "role", f"{f}.role", f"another indicator already has role {role!r} for {key[1]}")
        seen.add(key)
    return role


def _parent_indicator(r: _Reader, node: _Map, f: str, spec: PlanSpec) -> str:
    code = r.get(node, "parent_indicator", f"{f}.parent_indicator", required=False, default="") or ""
    if code and not spec.parent:
        r.error(node, "parent_indicator", f"{f}.parent_indicator", "needs plan.parent (the plan that issues it)")
    return code


def _valid_period(period: str) -> bool:
    start, sep, end = period.partition("-")
    return start.isdigit() and (not sep or (end.isdigit() and int(end) >= int(start)))
