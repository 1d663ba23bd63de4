"""Storage layout: WITHOUT ROWID tables on SQLite, monthly partitions of the readings on PostgreSQL."""
import pytest
from django.db import connection

from carbonpeak.monitoring.ingest import Pipeline
from carbonpeak.monitoring.models import MeterReading, RollupMonthly
from carbonpeak.monitoring.partitions import month_starts, partition_name

from .conftest import Q, T0

JAN_END = T0 + 31 * 86400  # 2024-02-01 00:00 +08:00


def stream(code, ks, step=1.0):
    return [{"meter": code, "ts": T0 + Q * k, "value": 1000.0 + step * k} for k in ks]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite layout")
def test_sqlite_tables_are_without_rowid(db):
    with connection.cursor() as c:
        for table in ("monitoring_meterreading", "monitoring_rolluphourly", "monitoring_rollupdaily",
                      "monitoring_rollupmonthly"):
            c.execute("SELECT sql FROM sqlite_master WHERE name = %s", [table])
            assert "WITHOUT ROWID" in c.fetchone()[0], table


def test_month_starts_are_local_months():
    assert month_starts(T0, T0) == [T0]
    assert month_starts(T0 + 86400, JAN_END) == [T0, JAN_END]
    assert partition_name(T0) == "monitoring_meterreading_p202401"
    assert partition_name(JAN_END - 1) == "monitoring_meterreading_p202401"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL partitioning")
def test_postgresql_readings_are_partitioned_by_month_created_on_demand(meters):
    with connection.cursor() as c:
        c.execute("SELECT relkind FROM pg_class WHERE relname = 'monitoring_meterreading'")
        assert c.fetchone()[0] == "p"
        c.execute("DROP TABLE IF EXISTS monitoring_meterreading_p202401, monitoring_meterreading_p202402")
    # January 31 22:00 .. February 1 02:00 local: two months in one batch
    ks = range(30 * 96 + 88, 31 * 96 + 8)
    r = Pipeline("api").ingest_records(stream("M1", ks))
    assert r.inserted == len(ks)
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM monitoring_meterreading_p202401")
        jan = c.fetchone()[0]
        c.execute("SELECT count(*) FROM monitoring_meterreading_p202402")
        feb = c.fetchone()[0]
    assert (jan, feb) == (8, 8)  # 22:00..23:45 in January, 00:00..01:45 in February
    assert MeterReading.objects.filter(meter=meters["main"]).count() == 16
    # a second pipeline finds the partitions and does not create them again; late data still lands right
    p2 = Pipeline("api")
    r2 = p2.ingest_records(stream("M1", [30 * 96 + 87]))
    assert r2.inserted == 1 and p2.partitions.known >= {"monitoring_meterreading_p202401"}
    monthly = dict(RollupMonthly.objects.filter(meter=meters["main"]).values_list("bucket", "consumption"))
    # 17 readings 21:45..01:45: 16 intervals of 1 kWh; the one closing at 00:00 belongs to January
    assert monthly == {T0: 9.0, JAN_END: 7.0}
