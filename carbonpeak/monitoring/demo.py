"""Demo data: a dozen monitored sites with 60 days of 15-minute data, a PUE breach and a quota alert."""
from __future__ import annotations

from carbonpeak.monitoring.engine.simulate import make_fleet
from carbonpeak.monitoring.models import Site
from carbonpeak.monitoring.services import evaluate_alerts, simulate


def load_demo(plan) -> None:
    if Site.objects.filter(code__startswith="demo-").exists():
        return
    fleet = make_fleet(12, seed=2022)
    for s in fleet.sites:
        if s.kind == "data_centre":  # an existing data centre running above the 1.4 limit
            s.dc_generation = "existing"
            s.name = "西虹桥数据中心 (demo)"
    for m in fleet.meters:
        if m.category == "facility_total":
            m.pue = (1.47, 0.06)
    fleet.sites[0].annual_quota_tce = round(fleet.sites[0].annual_quota_tce * 0.6, 1)  # quota alert
    simulate(len(fleet.sites), 60, plan=plan, prefix="demo-", fleet=fleet)
    evaluate_alerts()
