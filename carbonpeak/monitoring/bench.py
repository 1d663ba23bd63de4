"""Monitoring benchmark figures (collected by `carbonpeak bench`).

* ingest_vs_raw_insert_ratio: the full pipeline (validate, dedupe, store, roll up) against a plain bulk insert
  of the same rows into the same reading table of the same database, chunk by chunk, side by side.
* ingest_readings_per_s_<vendor>: the pipeline's absolute throughput in the same run.
* overview_p95_ms / overview_p95_vs_budget: the overview page over N meters x D days of 15-minute data
  (full run: ~1,000 meters x 365 days = 35M readings; quick: a scaled-down fleet), against the 100 ms budget.
"""
from __future__ import annotations

import time

import numpy as np
from django.db import connection, transaction
from django.test import Client

from carbonpeak.monitoring.engine.simulate import generate, make_fleet
from carbonpeak.monitoring.ingest import READING_T, Pipeline, copy_binary, sqlite_insert
from carbonpeak.monitoring.models import Site
from carbonpeak.monitoring.services import create_fleet, evaluate_alerts

PREFIX = "bench-"


def _raw_insert(m: np.ndarray, t: np.ndarray, v: np.ndarray) -> None:
    """The yardstick: the fastest plain bulk insert we know per database, the same writer the pipeline uses
    (binary COPY on PostgreSQL, multi-row INSERT statements on SQLite), with none of the pipeline's work."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            copy_binary(READING_T, ("meter_id", "ts", "value"), (m, t, v))
        else:
            sqlite_insert(READING_T, ("meter_id", "ts", "value"), (m, t, v))


def _cleanup() -> None:
    ids = list(Site.objects.filter(code__startswith=PREFIX).values_list("id", flat=True))
    if not ids:
        return
    with connection.cursor() as c:
        from carbonpeak.monitoring.models import Meter
        mids = list(Meter.objects.filter(site_id__in=ids).values_list("id", flat=True))
        for i in range(0, len(mids), 500):
            part = ",".join(map(str, mids[i:i + 500]))
            for table in (READING_T, "monitoring_rolluphourly", "monitoring_rollupdaily", "monitoring_rollupmonthly",
                          "monitoring_anomaly"):
                c.execute(f"DELETE FROM {table} WHERE meter_id IN ({part})")
    Site.objects.filter(id__in=ids).delete()


def figures(quick: bool) -> dict[str, float]:
    _cleanup()
    vendor = connection.vendor
    n_sites, days, ratio_days = (40, 30, 30) if quick else (286, 365, 30)
    fleet = make_fleet(n_sites, seed=42)
    twin = make_fleet(n_sites, seed=42)
    now = int(time.time())
    end = now - now % 900
    start = end - days * 86400
    try:
        with transaction.atomic():
            ids = np.array(create_fleet(fleet, prefix=PREFIX), dtype=np.int64)
            raw_ids = np.array(create_fleet(twin, prefix=PREFIX + "raw-"), dtype=np.int64)
        pipe = Pipeline("sim", batch_size=200_000)
        t_pipe = t_raw = 0.0
        n_ratio = n_total = 0
        for m, t, v in generate(fleet, start, days, chunk_days=5):
            t0 = time.perf_counter()
            pipe.ingest_ids(ids[m], t, v)
            dt_pipe = time.perf_counter() - t0
            n_total += len(t)
            if t[-1] <= start + ratio_days * 86400 + 5 * 86400:
                t0 = time.perf_counter()
                for s in range(0, len(t), 200_000):
                    _raw_insert(raw_ids[m[s:s + 200_000]], t[s:s + 200_000], v[s:s + 200_000])
                t_raw += time.perf_counter() - t0
                t_pipe += dt_pipe
                n_ratio += len(t)
        # the raw twin is only a yardstick: remove it before measuring pages
        with connection.cursor() as c:
            part = ",".join(map(str, raw_ids.tolist()))
            c.execute(f"DELETE FROM {READING_T} WHERE meter_id IN ({part})")
        Site.objects.filter(code__startswith=PREFIX + "raw-").delete()
        evaluate_alerts()
        client = Client()
        client.get("/monitoring/")  # warm up
        lat = []
        for _ in range(15 if quick else 40):
            t0 = time.perf_counter()
            r = client.get("/monitoring/")
            lat.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200
        p95 = float(np.percentile(lat, 95))
        out = {
            "monitoring_ingest_vs_raw_insert_ratio": t_raw / t_pipe,
            f"monitoring_ingest_readings_per_s_{vendor}": n_ratio / t_pipe,
            "monitoring_overview_readings": float(n_total),
            "monitoring_overview_p95_ms": p95,
            "monitoring_overview_p95_vs_100ms_budget": p95 / 100.0,
        }
    finally:
        _cleanup()
    return out
