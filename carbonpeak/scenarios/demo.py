"""Demo scenarios: baseline, plan (from the plan registry's indicators) and one custom copy."""

from __future__ import annotations

from carbonpeak.scenarios import services
from carbonpeak.scenarios.models import Scenario

CUSTOM_SLUG = "plan-plus-grid"


def load_demo(plan) -> None:
    """Idempotent: baseline and plan scenarios, plus "方案情景 + 电网加速脱碳" (plan + faster grid decarbonisation, a copy of the
    plan with the municipal grid path lever switched on and PV additions raised to 80 MW/yr)."""
    _, plan_sc = services.ensure_defaults(plan)
    custom = Scenario.objects.filter(plan=plan, slug=CUSTOM_SLUG).first()
    if custom is None:
        custom = services.copy_scenario(plan_sc, "方案情景 + 电网加速脱碳", slug=CUSTOM_SLUG)
        custom.description = ("方案情景的副本：启用市级电网排放因子路径（2025 年 0.39、2030 年 0.34、2035 年 0.30 "
                              "吨二氧化碳/兆瓦时，为假设），2025 年后每年新增光伏提高到 80 兆瓦。")
        services.update_parameters(custom, levers={
            "grid": {"enabled": True},
            "pv": {"additions_mw": {"interp": "step", "points": {"2022": 58.8, "2026": 80.0}}},
        })
    for sc in Scenario.objects.filter(plan=plan):
        try:
            services.run(sc)
        except services.NoBaseData:
            return  # runs are cached on first view once the plan has base data
