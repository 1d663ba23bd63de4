"""Demo calibration, tce through the accounting engine, and the accounting feed."""
import pytest

from carbonpeak.monitoring.models import Alert, Anomaly, Site


def test_demo_shows_a_realistic_mix_of_alerts(qingpu_plan):
    from carbonpeak.monitoring.demo import load_demo

    load_demo(qingpu_plan)
    active = Alert.objects.filter(active=True)
    assert set(active.filter(kind="pue").values_list("site__kind", flat=True)) == {"data_centre"}
    assert active.filter(kind="pue").values("site").distinct().count() == 1
    assert list(active.filter(kind="quota").order_by("level").values_list("level", flat=True)) == \
        ["exceeded", "warning"]
    eui = active.filter(kind="eui")
    assert eui.count() == 2 and set(eui.values_list("site__kind", flat=True)) == {"public_building"}
    assert not active.filter(kind="silent").exists()


def test_demo_anomalies_are_the_faults_the_simulator_injected(qingpu_plan):
    """The simulator's fault plan is the ground truth: each injected fault is flagged where it was put, nothing else."""
    from carbonpeak.monitoring.demo import demo_prefix, load_demo
    from carbonpeak.monitoring.engine.simulate import make_fleet, plan_faults
    from carbonpeak.monitoring.services import data_now

    load_demo(qingpu_plan)
    fleet = make_fleet(12, seed=2022)  # the demo's fleet, 60 days of quarter hours up to monitoring's now
    faults = plan_faults(fleet, 60)
    end = data_now() - data_now() % 900
    start = end - 60 * 86400
    prefix = demo_prefix(qingpu_plan)
    expected = set()
    for f in faults:
        code, at = prefix + fleet.meters[f["meter"]].code, start + f["k"] * 900
        if f["type"] == "gap":  # readings k .. k+len-1 missing: the interval ending at the next reading is held
            expected.add((code, at + f["len"] * 900, ("gap",), True))
        elif f["type"] == "swap":  # counted with the old meter's final and the new meter's initial reading
            expected.add((code, at, ("swap",), False))
        elif fleet.meters[f["meter"]].cumulative:  # a glitch on a register: a spike, then the drop back
            expected |= {(code, at, ("spike",), True), (code, at + 900, ("negative",), True)}
        else:
            expected.add((code, at, ("spike",), True))
    rolling = prefix + next(m.code for m in fleet.meters if m.register_max == 999999.0)
    found = {(a.meter.code, a.ts, tuple(a.reasons), a.excluded) for a in Anomaly.objects.select_related("meter")}
    rollovers = {a for a in found if a[2] == ("rollover",)}
    assert {(code, excluded) for code, _ts, _r, excluded in rollovers} == {(rolling, False)}  # counted, not lost
    assert found - rollovers == expected


def test_tce_per_unit_is_the_gbt_2589_coal_equivalent():
    from carbonpeak.accounting.engine.units import UnitError
    from carbonpeak.monitoring.services import tce_per_unit, to_tce

    # GB/T 2589-2020 附录A 表A.1 (当量值), typed here: electricity 0.1229 kgce/kWh; natural gas 1.2143 kgce/m3
    # (the 气田天然气 point value of the 1.1000-1.3300 range); heat 0.03412 kgce/MJ; diesel 1.4571 kgce/kg
    assert tce_per_unit("electricity", "kWh") == pytest.approx(0.1229e-3)
    assert to_tce("electricity", "MWh", 2.0) == pytest.approx(2 * 0.1229)
    assert tce_per_unit("natural_gas", "m3") == pytest.approx(1.2143e-3)
    assert tce_per_unit("heat", "GJ") == pytest.approx(0.03412)  # 1 GJ = 1000 MJ x 0.03412 kgce/MJ = 34.12 kgce
    assert tce_per_unit("diesel", "t") == pytest.approx(1.4571)
    with pytest.raises(UnitError):
        tce_per_unit("electricity", "m3")


def test_accounting_feed_is_valid_accounting_records(qingpu_plan):
    from carbonpeak.accounting.engine.carriers import SECTORS
    from carbonpeak.accounting.engine.records import records_from_dicts
    from carbonpeak.monitoring.services import data_now, feed_accounting, local_date, simulate

    simulate(8, 3, plan=qingpu_plan, prefix="feed-")
    year = local_date(data_now()).year
    rows = feed_accounting(year)
    assert rows and {r["sector"] for r in rows} <= set(SECTORS)
    kinds = {s.code: s.kind for s in Site.objects.all()}
    for r in rows:
        assert r["entity_kind"] == ("building" if kinds[r["entity"]] == "public_building" else "key_enterprise")
    assert len(records_from_dicts(rows)) == len(rows)
