"""The one loader of a plan's assessment rubric (the district edits the YAML file, not code).

Looked up, first found wins: `rubrics/<plan code>.yaml` beside the plan file the plan was loaded from, then
the repository's `plans/rubrics/<plan code>.yaml`, then the shipped default `plans/rubrics/default.yaml`.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings

from carbonpeak.assessment.engine.rubric import Rubric, RubricError, parse_rubric
from carbonpeak.plan.models import Plan

RUBRIC_DIR = Path(settings.BASE_DIR).parent / "plans" / "rubrics"
DEFAULT_RUBRIC = RUBRIC_DIR / "default.yaml"


def rubric_path(plan: Plan) -> Path:
    candidates = [RUBRIC_DIR / f"{plan.code}.yaml", DEFAULT_RUBRIC]
    if plan.source_file:
        candidates.insert(0, Path(plan.source_file).parent / "rubrics" / f"{plan.code}.yaml")
    return next(p for p in candidates if p.exists())


def load_rubric(plan: Plan) -> Rubric:
    """The plan's rubric, validated; a bad file raises `RubricError` naming the file and the field."""
    path = rubric_path(plan)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise RubricError(f"{path}: not valid YAML ({exc})") from None
    if "rubric" not in data:
        raise RubricError(f"{path}: no top-level 'rubric' key")
    return parse_rubric(data["rubric"], str(path))
