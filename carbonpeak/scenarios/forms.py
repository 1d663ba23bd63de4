"""The lever editor: one text field per lever parameter, parsed back into the engine's JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from carbonpeak.scenarios import engine
from carbonpeak.plan.selectors import indicators_for_role
from carbonpeak.scenarios.labels import LEVER_HELP, LEVER_LABELS, LEVER_ROLES, PARAM_LABELS


def path_to_text(value: Any) -> str:
    """{"2025": 0.5, "2030": 0.6} -> "2025:0.5, 2030:0.6"; step paths keep their years; anything with
    distributions is shown as JSON."""
    points = value.get("points") if isinstance(value, Mapping) and "points" in value else value
    if isinstance(points, Mapping) and "dist" not in points \
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in points.values()):
        return ", ".join(f"{y}:{v:g}" for y, v in points.items())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g}"
    return json.dumps(value)


def text_to_path(text: str, original: Any, where: str) -> Any:
    text = text.strip()
    if not text:
        raise engine.ScenarioError(f"{where}: empty")
    if text.startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise engine.ScenarioError(f"{where}: not valid JSON ({exc.msg})") from None
    if ":" not in text:
        return _number(text, where)
    points: dict[str, float] = {}
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        year, _, value = part.partition(":")
        points[year.strip()] = _number(value, f"{where}.{year.strip()}")
    if isinstance(original, Mapping) and "points" in original:
        return {"interp": original.get("interp", "linear"), "points": points}
    return points


def spec_to_text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else json.dumps(value)


def text_to_spec(text: str, where: str) -> Any:
    text = text.strip()
    if text.startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise engine.ScenarioError(f"{where}: not valid JSON ({exc.msg})") from None
    return _number(text, where)


def _number(text: str, where: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise engine.ScenarioError(f"{where}: expected a number, got {text.strip()!r}") from None
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def lever_rows(parameters: Mapping[str, Any], plan: Any = None) -> list[dict[str, Any]]:
    """What the editor template shows: one entry per lever with its fields as text."""
    rows = []
    for spec in engine.LEVERS:
        lever = parameters["levers"][spec.key]
        fields = []
        for p in spec.params:
            value = lever[p.key]
            text = path_to_text(value) if p.kind == "path" else spec_to_text(value) if p.kind == "spec" else value
            fields.append({"key": p.key, "name": f"lever-{spec.key}-{p.key}", "label": PARAM_LABELS.get(p.key, p.label),
                           "unit": p.unit, "kind": p.kind, "text": text})
        rows.append({"key": spec.key, "label": LEVER_LABELS.get(spec.key, spec.label),
                     "help": LEVER_HELP.get(spec.key, spec.help), "targets": _plan_targets(plan, spec.key),
                     "enabled": lever["enabled"], "fields": fields})
    return rows


def _plan_targets(plan: Any, lever: str) -> list[Any]:
    """The plan's own indicators a lever stands for (by role), to show beside it."""
    if plan is None:
        return []
    return [i for role in LEVER_ROLES.get(lever, ()) for i in indicators_for_role(plan, role)]


def parse_levers(data: Mapping[str, str], parameters: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """POSTed fields -> lever changes (validated later by the engine). A lever is enabled iff its
    checkbox `lever-<key>-enabled` is present."""
    out: dict[str, dict[str, Any]] = {}
    for spec in engine.LEVERS:
        current = parameters["levers"][spec.key]
        change: dict[str, Any] = {"enabled": f"lever-{spec.key}-enabled" in data}
        for p in spec.params:
            name = f"lever-{spec.key}-{p.key}"
            if name not in data:
                continue
            where = f"levers.{spec.key}.{p.key}"
            if p.kind == "path":
                change[p.key] = text_to_path(data[name], current[p.key], where)
            elif p.kind == "spec":
                change[p.key] = text_to_spec(data[name], where)
            else:
                change[p.key] = data[name].strip()
        out[spec.key] = change
    return out
