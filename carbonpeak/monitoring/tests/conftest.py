import pytest

T0 = 1_704_038_400  # 2024-01-01 00:00 +08:00
Q = 900


@pytest.fixture
def site(db):
    from carbonpeak.monitoring.models import Site

    return Site.objects.create(code="pb-1", name="Office A", kind="public_building", building_type="office",
                               floor_area_m2=10_000)


@pytest.fixture
def meters(site):
    from carbonpeak.monitoring.models import Meter

    mk = lambda code, **kw: Meter.objects.create(site=site, code=code, carrier="electricity", unit="kWh", **kw)  # noqa
    return {
        "main": mk("M1", register_max=99999999),
        "small": mk("M2", register_max=9999),
        "int": mk("I1", register_kind="interval"),
    }
