"""A plan's own demo fixture, `plans/demo/<plan code>.yaml` beside its plan file, read by the apps' `demo.py`.

A plan without one gets demo data generated from its own units and indicators: never another plan's names.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from carbonpeak.plan.models import Plan
from carbonpeak.plan.planfile import PLANS_DIR


def fixture_path(plan: Plan) -> Path:
    """`demo/<code>.yaml` beside the plan file (or in the shipped plans/ folder if the file has moved)."""
    here = Path(plan.source_file).resolve().parent if plan.source_file else PLANS_DIR
    path = here / "demo" / f"{plan.code}.yaml"
    return path if path.is_file() else PLANS_DIR / "demo" / f"{plan.code}.yaml"


def demo_fixture(plan: Plan, section: str) -> dict[str, Any]:
    """The `section` (tracking, accounting, monitoring) of the plan's demo fixture; {} if it has none."""
    return _read(str(fixture_path(plan))).get(section) or {}


@lru_cache(maxsize=8)
def _read(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh) or {}
    except FileNotFoundError:
        return {}
