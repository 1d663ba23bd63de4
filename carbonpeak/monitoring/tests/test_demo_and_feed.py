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
    assert 3 <= Anomaly.objects.count() <= 60


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
