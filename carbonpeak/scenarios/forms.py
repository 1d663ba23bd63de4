"""The lever editor: labelled number fields (with unit and range) per lever parameter, parsed back into the
engine's JSON.

A path is a table of year/value rows (one empty row adds a year; clearing a year removes it). A value is one
number, or the parameters of its distribution (low/mode/high of a triangular, mean/sd of a normal). A sector or
carrier is a choice by name. Every bad field gets its own message, shown beside it; nothing is saved then.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from carbonpeak.accounting.labels import carrier_labels
from carbonpeak.plan.selectors import indicators_for_role
from carbonpeak.scenarios import engine
from carbonpeak.scenarios.engine.distributions import DISTS
from carbonpeak.scenarios.engine.scenario import MAX_HORIZON, MIN_HORIZON, Param
from carbonpeak.scenarios.labels import (DIST_PART_LABELS, LEVER_HELP, LEVER_LABELS, LEVER_ROLES, PARAM_LABELS,
                                         SECTOR_LABELS, unit_label)

NEW_ROWS = 1
"""Empty year/value rows offered under each path, to add a year."""


class LeverErrors(Exception):
    """Field name → message for every field that could not be read; the form is shown again with them."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _parts(value: Any) -> tuple[str, tuple[str, ...]]:
    """The distribution kind of a value and the fields it is edited by ("fixed", ("value",)) for a number."""
    if isinstance(value, Mapping) and value.get("dist") in DISTS:
        return value["dist"], DISTS[value["dist"]]
    return "fixed", ("value",)


def _value_inputs(name: str, value: Any, bounds: tuple[float, float, float], errors: Mapping[str, str],
                  typed: Mapping[str, str]) -> list[dict]:
    dist, parts = _parts(value)
    low, high, step = bounds
    inputs = []
    for part in parts:
        number = value if dist == "fixed" and not isinstance(value, Mapping) else (value or {}).get(part)
        field = f"{name}-{part}"
        inputs.append({"name": field, "id": f"f-{field}", "part": part, "part_label": DIST_PART_LABELS.get(part, ""),
                       "value": typed.get(field, "" if number is None else f"{number:g}"),
                       "error": errors.get(field, ""),
                       "min": "0" if part == "sd" else f"{low:g}", "max": f"{high:g}", "step": f"{step:g}"})
    return inputs


def _points(value: Any) -> Mapping[str, Any]:
    return value["points"] if isinstance(value, Mapping) and "points" in value else value


def _field(lever: str, p: Param, value: Any, errors: Mapping[str, str], typed: Mapping[str, str]) -> dict[str, Any]:
    name = f"lever-{lever}-{p.key}"
    field: dict[str, Any] = {"key": p.key, "name": name, "id": f"f-{name}", "kind": p.kind,
                             "label": PARAM_LABELS.get(p.key, p.label), "unit": unit_label(p.unit),
                             "error": errors.get(name, "")}
    if p.kind == "path":
        rows = [(year, v) for year, v in _points(value).items()] + [("", None)] * NEW_ROWS
        field["rows"] = [{"year": {"name": f"{name}-{i}-year", "id": f"f-{name}-{i}-year",
                                   "value": typed.get(f"{name}-{i}-year", year),
                                   "error": errors.get(f"{name}-{i}-year", "")},
                          "inputs": _value_inputs(f"{name}-{i}", v, p.range, errors, typed)}
                         for i, (year, v) in enumerate(rows)]
        field["dist"] = ""
    elif p.kind == "spec":
        field["inputs"] = _value_inputs(name, value, p.range, errors, typed)
        field["dist"] = _parts(value)[0]
    else:
        field["choices"] = list(_choices(p.key).items())
        field["value"] = typed.get(name, value)
    return field


def _choices(key: str) -> dict[str, str]:
    """What a name parameter may be: a carrier (`fuel`) or a sector, by its name."""
    return carrier_labels() if key == "fuel" else {k: str(v) for k, v in SECTOR_LABELS.items()}


def lever_rows(parameters: Mapping[str, Any], plan: Any = None, errors: Mapping[str, str] | None = None,
               typed: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """What the editor template shows: one entry per lever with its labelled fields; after a refused save, each
    field's message and the values as typed."""
    errors, typed = errors or {}, typed or {}
    rows = []
    for spec in engine.LEVERS:
        lever = parameters["levers"][spec.key]
        rows.append({"key": spec.key, "label": LEVER_LABELS.get(spec.key, spec.label),
                     "help": LEVER_HELP.get(spec.key, spec.help), "targets": _plan_targets(plan, spec.key),
                     "enabled": f"lever-{spec.key}-enabled" in typed if typed else lever["enabled"],
                     "fields": [_field(spec.key, p, lever[p.key], errors, typed) for p in spec.params]})
    return rows


def _plan_targets(plan: Any, lever: str) -> list[Any]:
    """The plan's own indicators a lever stands for (by role), to show beside it."""
    if plan is None:
        return []
    return [i for role in LEVER_ROLES.get(lever, ()) for i in indicators_for_role(plan, role)]


class _Reader:
    """Reads the POSTed fields of one save, collecting a message per bad field."""

    def __init__(self, data: Mapping[str, str]) -> None:
        self.data = data
        self.errors: dict[str, str] = {}

    def number(self, name: str, label: str, bounds: tuple[float, float, float], part: str = "value") -> float | None:
        text = (self.data.get(name) or "").strip()
        if not text:
            self.errors[name] = _("%(field)s: enter a number") % {"field": label}
            return None
        try:
            value = float(text)
        except ValueError:
            self.errors[name] = _("%(field)s: %(text)s is not a number") % {"field": label, "text": text}
            return None
        low, high, _step = bounds
        low = 0.0 if part == "sd" else low
        if not low <= value <= high:
            self.errors[name] = _("%(field)s: %(value)s is outside %(low)s–%(high)s") % {
                "field": label, "value": f"{value:g}", "low": f"{low:g}", "high": f"{high:g}"}
            return None
        return int(value) if value.is_integer() and abs(value) < 1e15 else value

    def value(self, name: str, original: Any, label: str, bounds: tuple[float, float, float]) -> Any:
        dist, parts = _parts(original)
        numbers = {part: self.number(f"{name}-{part}", f"{label} {DIST_PART_LABELS.get(part, '')}".strip(),
                                     bounds, part) for part in parts}
        if dist == "fixed" and not isinstance(original, Mapping):
            return numbers["value"]
        clip = {k: original[k] for k in ("min", "max") if k in original}
        return {"dist": dist, **numbers, **clip}

    def path(self, name: str, original: Any, label: str, bounds: tuple[float, float, float]) -> Any:
        old = list(_points(original).items())
        points: dict[str, Any] = {}
        for i in range(len(old) + NEW_ROWS):
            year = (self.data.get(f"{name}-{i}-year") or "").strip()
            if not year:
                continue
            if not (year.isdigit() and MIN_HORIZON - 10 <= int(year) <= MAX_HORIZON):
                self.errors[f"{name}-{i}-year"] = _("%(field)s: %(year)s is not a year") % {"field": label,
                                                                                           "year": year}
                continue
            kept = old[i][1] if i < len(old) else None
            points[year] = self.value(f"{name}-{i}", kept, f"{label} {year}", bounds)
        if not points and not any(k.startswith(f"{name}-") for k in self.errors):
            self.errors[f"{name}-0-year"] = _("%(field)s: give at least one year") % {"field": label}
        if isinstance(original, Mapping) and "points" in original:
            return {"interp": original.get("interp", "linear"), "points": points}
        return points

    def choice(self, name: str, key: str, label: str) -> str:
        value = (self.data.get(name) or "").strip()
        if value not in _choices(key):
            self.errors[name] = _("%(field)s: choose one of the list") % {"field": label}
        return value


def parse_levers(data: Mapping[str, str], parameters: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """POSTed fields -> lever changes (then validated by the engine). A lever is enabled iff its checkbox
    `lever-<key>-enabled` is present; a parameter none of whose fields was posted is left as it is.
    Raises LeverErrors naming every field that cannot be read."""
    reader = _Reader(data)
    out: dict[str, dict[str, Any]] = {}
    for spec in engine.LEVERS:
        current = parameters["levers"][spec.key]
        change: dict[str, Any] = {"enabled": f"lever-{spec.key}-enabled" in data}
        for p in spec.params:
            name = f"lever-{spec.key}-{p.key}"
            if not any(k == name or k.startswith(f"{name}-") for k in data):
                continue
            label = f"{LEVER_LABELS.get(spec.key, spec.label)} · {PARAM_LABELS.get(p.key, p.label)}"
            if p.kind == "path":
                change[p.key] = reader.path(name, current[p.key], label, p.range)
            elif p.kind == "spec":
                change[p.key] = reader.value(name, current[p.key], label, p.range)
            else:
                change[p.key] = reader.choice(name, p.key, label)
        out[spec.key] = change
    if reader.errors:
        raise LeverErrors(reader.errors)
    return out
