"""PostgreSQL: monthly range partitions of the readings table, created on demand.

The readings table is ``PARTITION BY RANGE (ts)`` (migration 0002). Each partition holds one local
(UTC+8) calendar month: ``monitoring_meterreading_pYYYYMM`` for ts in [first second of the month, first
second of the next month). There is no default partition: a reading for a month without a partition
would fail loudly, so the ingest creates the partitions a batch needs before the batch's transaction
(``ensure_partitions``), under an advisory lock so that concurrent ingests cannot race on the DDL.
On SQLite all of this is a no-op.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import connection, transaction

from carbonpeak.monitoring.engine.rollup import MONTH, TZ_OFFSET_S, bucket_start, next_bucket

READINGS = "monitoring_meterreading"
LOCK_KEY = 0x6D6F6E70  # "monp": advisory lock id of the partition DDL
_LOCAL = dt.timezone(dt.timedelta(seconds=TZ_OFFSET_S))


def month_starts(lo: int, hi: int) -> list[int]:
    """Local month starts (epoch s) of every month touched by instants in [lo, hi]."""
    m = int(bucket_start(np.array([lo]), MONTH, closing=False)[0])
    end = int(bucket_start(np.array([hi]), MONTH, closing=False)[0])
    out = []
    while m <= end:
        out.append(m)
        m = int(next_bucket(np.array([m]), MONTH)[0])
    return out


def partition_name(month_start: int) -> str:
    d = dt.datetime.fromtimestamp(month_start, _LOCAL)
    return f"{READINGS}_p{d.year:04d}{d.month:02d}"


def create_partitions_sql(lo: int, hi: int) -> list[str]:
    out = []
    for m in month_starts(lo, hi):
        nxt = int(next_bucket(np.array([m]), MONTH)[0])
        out.append(f'CREATE TABLE IF NOT EXISTS "{partition_name(m)}" PARTITION OF "{READINGS}" '
                   f"FOR VALUES FROM ({m}) TO ({nxt})")
    return out


def existing_partitions() -> set[str]:
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as c:
        c.execute("SELECT child.relname FROM pg_inherits i JOIN pg_class child ON child.oid = i.inhrelid "
                  "JOIN pg_class parent ON parent.oid = i.inhparent WHERE parent.relname = %s", [READINGS])
        return {r[0] for r in c.fetchall()}


class PartitionCache:
    """Per-pipeline memory of the partitions known to exist (checked against the catalog once)."""

    def __init__(self) -> None:
        self.known: set[str] | None = None

    def ensure(self, ts: np.ndarray) -> list[str]:
        """Create the missing monthly partitions for readings at ``ts``; returns the names created."""
        if connection.vendor != "postgresql" or len(ts) == 0:
            return []
        if self.known is None:
            self.known = existing_partitions()
        lo, hi = int(np.min(ts)), int(np.max(ts))
        missing = [m for m in month_starts(lo, hi) if partition_name(m) not in self.known]
        if not missing:
            return []
        created = []
        # its own short transaction when called outside one: the DDL lock on the parent is released at once
        with transaction.atomic():
            with connection.cursor() as c:
                c.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
                have = existing_partitions()
                for m in missing:
                    name = partition_name(m)
                    if name not in have:
                        c.execute(create_partitions_sql(m, m)[0])
                        created.append(name)
                self.known = have | set(created)
        return created
