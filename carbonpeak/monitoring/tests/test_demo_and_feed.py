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


def test_tce_comes_from_the_accounting_engine():
    from carbonpeak.accounting.engine.factors import get_factor_set
    from carbonpeak.accounting.engine.units import UnitError
    from carbonpeak.monitoring.services import tce_per_unit, to_tce

    fs = get_factor_set()
    assert tce_per_unit("electricity", "kWh") == pytest.approx(float(fs.coal_equivalent[fs.index("electricity")]))
    assert to_tce("electricity", "MWh", 1.0) == pytest.approx(1000 * tce_per_unit("electricity", "kWh"))
    assert tce_per_unit("natural_gas", "m3") == pytest.approx(float(fs.coal_equivalent[fs.index("natural_gas")]))
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
