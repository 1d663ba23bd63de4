"""The review's rules as data, one file per plan (`plans/review-rules/<plan code>.yaml`): sector list with the
两高一低 flag, the plan's listed exceptions, the new-city towns and each check's plan source and failure consequence."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).resolve().parents[3] / "plans" / "review-rules"
"""The shipped plans' rules files, `<plan code>.yaml` (a plan file elsewhere keeps its own `review-rules/` beside it)."""
EXAMPLES_DIR = RULES_DIR.parent / "review-examples"
"""Example proposals."""
CHECKS = ("data_centre_pue", "two_high_one_low", "added_value_intensity", "ultra_low_energy", "district_cap",
          "town_share")
ON_FAIL = ("reject", "condition")


class RulesError(ValueError):
    pass


@dataclass(frozen=True)
class Rules:
    sectors: dict[str, dict[str, Any]]
    exceptions: dict[str, str]
    new_city_towns: tuple[str, ...]
    checks: dict[str, dict[str, Any]]

    def indicator_codes(self) -> set[str]:
        return {c["indicator"] for c in self.checks.values() if c.get("indicator")}


def parse_rules(data: Any, file: str = "rules") -> Rules:
    if not isinstance(data, dict):
        raise RulesError(f"{file}: expected a mapping")
    checks = data.get("checks") or {}
    for name in CHECKS:
        check = checks.get(name)
        if not isinstance(check, dict) or not check.get("source") or check.get("on_fail") not in ON_FAIL:
            raise RulesError(f"{file}: checks.{name}: needs source and on_fail ({'|'.join(ON_FAIL)})")
    sectors = data.get("sectors") or {}
    for code, s in sectors.items():
        if not isinstance(s, dict) or not {"accounting_sector", "scenario_sector", "two_high_one_low"} <= set(s):
            raise RulesError(f"{file}: sectors.{code}: needs accounting_sector, scenario_sector, two_high_one_low")
    return Rules(sectors=sectors, exceptions=dict(data.get("two_high_one_low_exceptions") or {}),
                 new_city_towns=tuple(data.get("new_city_towns") or ()), checks=checks)


def load_rules(path: str | Path) -> Rules:
    import yaml

    path = Path(path)
    return parse_rules(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
